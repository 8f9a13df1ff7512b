"""Work the chat app hands to its turn worker: one turn of the Session each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from textual.message import Message

from storyreel.agent.events import AgentEvent
from storyreel.agent.session import Session
from storyreel.tools.edits import DirectorEdit

JobKind = Literal["send", "act", "answer", "resume", "keyframes"]


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
    shots: list[int] = field(default_factory=list)
    """The shots a "keyframes" job draws candidate stills for."""

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
        if self.kind == "keyframes":
            return keyframe_events(session, self.shots)
        return session.resume_unfinished()


def keyframe_events(session: Session, shot_ids: list[int]) -> Iterator[AgentEvent]:
    """Draw candidate stills for each shot (`make_keyframes`, on the session's backend when
    it makes stills, else previz), one sheet a shot (exports/keyframes-shotN.png): a notice
    per still, then an artifact event with the sheet and the still numbers."""
    from storyreel.tools.errors import StoryreelError
    from storyreel.tools.keyframes import can_make_stills, make_keyframes

    backend = session.context.backend
    if not can_make_stills(backend, session.project.root):
        backend = "previz"
    lines: list[str] = []
    for shot_id in shot_ids:
        lines.clear()
        try:
            report = make_keyframes(
                session.project,
                session.context.executor,
                [shot_id],
                backend=backend,
                on_still=lambda outcome: lines.append(outcome.message),
                on_shot=lambda drawn: lines.extend(drawn.notes),
            )
        except StoryreelError as error:
            text = str(error)
            yield AgentEvent(type="problem", text=text[:1].upper() + text[1:] + ".")
            continue
        for line in lines:
            yield AgentEvent(type="notice", text=line)
        numbers = [k.number for row in report.shots for k in row.stills]
        if report.sheet is None or not numbers:
            continue
        yield AgentEvent(
            type="artifact",
            text=f"Candidates sheet for shot {shot_id}: {report.sheet.path} (stills "
            f'{", ".join(map(str, numbers))}). Pick one: say "use the second one for shot '
            f'{shot_id}", or "use still {numbers[0]} for shot {shot_id}".',
            data={"path": str(report.sheet.path), "shot_id": shot_id, "stills": numbers},
        )


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
