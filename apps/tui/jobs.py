"""Work the chat app hands to its turn worker: one turn of the Session each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from textual.message import Message

from storyreel.agent.events import AgentEvent
from storyreel.agent.session import Session
from storyreel.tools.edits import DirectorEdit

JobKind = Literal["send", "act", "answer", "resume"]


@dataclass
class Job:
    """One turn: a message (send), given edits (act), an answer, or finishing a stopped turn.

    `echo`: show the person's text in the chat when the turn starts (queued examples).
    """

    kind: JobKind
    text: str = ""
    edits: list[DirectorEdit] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    reply: str = ""
    echo: bool = False

    def events(self, session: Session) -> Iterator[AgentEvent]:
        """Run the turn on `session`, yielding its events."""
        if self.kind == "send":
            return session.send(self.text, self.attachments)
        if self.kind == "act":
            return session.act(self.edits, self.reply, self.text, self.attachments)
        if self.kind == "answer" and session.pending_question() is not None:
            return session.answer(self.text)
        if self.kind == "answer":
            return session.send(self.text)
        return session.resume_unfinished()


class TurnStarted(Message):
    """The worker started `job`."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job


class EventArrived(Message):
    """The running turn produced `event`."""

    def __init__(self, event: AgentEvent) -> None:
        super().__init__()
        self.event = event


class TurnFinished(Message):
    """The worker finished `job` (whether it went well or not)."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
