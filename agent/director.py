"""What a director returns, and the protocol both directors follow.

A director reads the person's message, the current plan and its own memo
(a small JSON-able dict kept per session, for context across turns) and
returns a `DirectorReply`: a short plain-language reply and typed edits.
The agent applies the plan edits as one revision and carries out the
actions (render, compare, export, undo, redo, ask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from storyreel.tools.edits import DirectorEdit
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import StoryPlan

if TYPE_CHECKING:
    from storyreel.tools.project import Project


class DirectorReply(BaseModel):
    """A director's answer to one message: a reply to the person and the edits to make."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(description="What you understood and will do, in plain words, 1-3 sentences")
    edits: list[DirectorEdit] = Field(
        description="Plan edits and actions, applied in order; empty if nothing should change"
    )


class Director(Protocol):
    """Turns a message into a DirectorReply."""

    name: str

    def direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Read `text` against `plan`; may read and update `memo` (kept for the session)."""
        ...


def note_stills(project: Project, plan: StoryPlan, memo: dict[str, Any]) -> None:
    """Put in `memo` what a director needs to know of the candidate stills before a turn.

    `memo["stills"]`: each shot's candidate still numbers (by shot id as text), for "use
    the second one for shot 3" (the offline director refuses a number the shot has no
    still for); `memo["stills_stale"]`: the shots whose picked still was drawn before the
    shot last changed. A damaged keyframes table leaves both empty: the director goes on.
    """
    try:
        numbers: dict[str, list[int]] = {}
        for keyframe in project.memory.keyframes():
            numbers.setdefault(str(keyframe.shot_id), []).append(keyframe.number)
        memo["stills"] = {shot: sorted(found) for shot, found in numbers.items()}
        memo["stills_stale"] = _stale_picks(project, plan) if numbers else []
    except StoryreelError:
        memo["stills"], memo["stills_stale"] = {}, []


def _stale_picks(project: Project, plan: StoryPlan) -> list[int]:
    """The shots whose picked still was drawn before the shot last changed."""
    from storyreel.tools.keyframes import picked_stills

    return [shot_id for shot_id, still in picked_stills(project, plan).items() if still.stale]
