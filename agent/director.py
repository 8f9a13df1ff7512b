"""What a director returns, and the protocol both directors follow.

A director reads the person's message, the current plan and its own memo
(a small JSON-able dict kept per session, for context across turns) and
returns a `DirectorReply`: a short plain-language reply and typed edits.
The agent applies the plan edits as one revision and carries out the
actions (render, compare, export, undo, redo, ask).
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from storyreel.tools.edits import DirectorEdit
from storyreel.tools.story import StoryPlan


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
