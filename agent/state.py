"""The agent's state (checkpointed per session) and its run-time context (not checkpointed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from storyreel.agent.director import Director
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken
from storyreel.tools.project import Project
from storyreel.tools.story import RenderStatus


class RenderedItem(TypedDict):
    """One shot's outcome in this turn's renders, as the state keeps it (plain data: the
    state is checkpointed). `take` is the take's number (None when the shot has none);
    `status` is a render status or "compared" (a take made by a backend comparison).

    Shots found up to date are not kept as items, only counted (`AgentState.up_to_date`):
    every checkpoint holds the state, so a list of every shot would make each turn's
    checkpoints grow with the plan.
    """

    shot_id: int
    status: RenderStatus | Literal["compared"]
    take: int | None
    backend: str


class AgentState(TypedDict, total=False):
    """One session's state. Turn fields are reset by each new message; memo persists."""

    message: str
    attachments: list[str]
    reply: str
    edits: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    lines: list[str]
    problems: list[str]
    pending_edits: bool
    render_ids: list[int] | None
    rendered: list[RenderedItem]
    up_to_date: int
    artifacts: list[str]
    question: dict[str, Any] | None
    to_critique: list[RenderedItem]
    retake_ids: list[int]
    retake_counts: dict[str, int]
    retake_hints: dict[str, str]
    notes: list[str]
    memo: dict[str, Any]
    given: dict[str, Any] | None
    director_failed: bool


def turn_input(
    message: str, attachments: list[str], given: dict[str, Any] | None = None
) -> AgentState:
    """The input of a new turn: the message, and every per-turn field reset.

    `given`: a director reply ({"reply", "edits"}) to carry out as is, without
    asking the director (buttons and keys in the front ends).
    """
    return AgentState(
        message=message,
        given=given,
        attachments=list(attachments),
        reply="",
        edits=[],
        actions=[],
        lines=[],
        problems=[],
        pending_edits=False,
        render_ids=None,
        rendered=[],
        up_to_date=0,
        artifacts=[],
        question=None,
        to_critique=[],
        retake_ids=[],
        retake_counts={},
        retake_hints={},
        notes=[],
        director_failed=False,
    )


@dataclass
class AgentContext:
    """What nodes need that is not state: the open project, the director, settings."""

    project: Project
    director: Director
    executor: RenderExecutor = field(default_factory=RenderExecutor)
    backend: str = "previz"
    autopilot: bool = False
    auto_render: bool = True
    gpu_budget_s: float = 120.0
    max_retakes: int = 2
    cancel: CancelToken = field(default_factory=CancelToken)
