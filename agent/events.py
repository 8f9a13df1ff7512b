"""Events a turn produces, in the order they happen; every front end renders these."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

NOTHING_CHANGED = "I did not change anything."
"""The reply of a turn in which the director said nothing and nothing changed."""

EventType = Literal[
    "reply", "plan", "progress", "take", "critique", "question", "artifact", "notice", "problem"
]


class AgentEvent(BaseModel):
    """One thing that happened in a turn.

    type: reply (the agent's answer), plan (what changed in the plan),
        progress (render progress: data has shot_id, step, total), take (a shot's
        render finished: shot_id, take, status, path), critique, question (awaiting
        an answer: data has kind and choices), artifact (an exported file: path),
        notice (informational), problem (something could not be done).
    text: plain-language text for people.
    data: details for programs.
    """

    type: EventType
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class Question(BaseModel):
    """A question the agent waits on: an approval or a clarification."""

    kind: Literal["approval", "ask"]
    question: str
    choices: list[str] = Field(default_factory=list)


def emit(type: EventType, text: str = "", **data: Any) -> None:
    """Send an event to whoever streams the graph (a no-op outside a graph run).

    LangGraph is imported here, where a graph runs (it is loaded by then): importing
    the event types (every front end does) does not load it."""
    from langgraph.config import get_stream_writer

    try:
        writer = get_stream_writer()
    except RuntimeError:
        return
    writer(AgentEvent(type=type, text=text, data=data).model_dump(mode="json"))
