"""What keys and slash commands do in the chat app; each becomes a turn or a dialog.

Mixed into StoryreelApp: it uses `self.agent` (the Session), `self.chat`,
`self.shots`, `self.story` (the story as last read), `self.selected_take` and
`self.enqueue`. Nothing here reads the whole plan: that is the story reader's
job (story_view.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.apps.tui.commands import Slash, help_text
from storyreel.apps.tui.jobs import Job
from storyreel.apps.tui.opener import open_media
from storyreel.apps.tui.screens import AttachScreen, TakesScreen
from storyreel.tools.edits import (
    CompareBackends,
    DirectorEdit,
    ExportFilm,
    RedoChange,
    RenderShots,
    SelectTake,
    SetLock,
    UndoChange,
)
from storyreel.tools.story import Take

if TYPE_CHECKING:
    from storyreel.agent.session import Session
    from storyreel.apps.tui.story_view import StoryView
    from storyreel.apps.tui.widgets import ChatLog, ShotTable

KEYS = (
    "F1 help · F2 example story · F3 attach · F4 play take · F5 render shot · "
    "F6 render all changes · F7 lock/unlock · F8 retake · F9 takes · F10 export · "
    "F12 compare on every renderer here · "
    "Ctrl+Z undo · Ctrl+Y redo · Ctrl+Q quit"
)


class Actions:
    """Key and command actions of the chat app."""

    agent: Session
    example: list[str]

    if TYPE_CHECKING:
        chat: ChatLog
        shots: ShotTable
        story: StoryView | None

        def enqueue(self, job: Job) -> None: ...
        def selected_take(self, shot_id: int) -> Take | None: ...
        def push_screen(self, screen: object, callback: object = None) -> object: ...

    # helpers ------------------------------------------------------------

    def _act(self, edits: list[DirectorEdit], label: str, reply: str = "") -> None:
        self.enqueue(Job("act", text=label, edits=edits, reply=reply))

    def _shot(self, shot_id: int | None = None) -> int | None:
        """`shot_id`, or the highlighted shot; says what to do when there is none."""
        chosen = shot_id if shot_id is not None else self.shots.selected_shot
        if chosen is None:
            self.chat.say("problem", "There are no shots yet: describe one first (or press F2).")
        return chosen

    # actions ------------------------------------------------------------

    def action_help(self) -> None:
        self.chat.say("help", f"{help_text()}\n\nKeys: {KEYS}")

    def action_example(self) -> None:
        self.chat.say(
            "notice",
            f"Building the example story: {len(self.example)} messages, as a person would "
            "type them. Watch the shot list fill in.",
        )
        for line in self.example:
            self.enqueue(Job("send", text=line, echo=True))

    def action_render_shot(self, shot_id: int | None = None) -> None:
        chosen = self._shot(shot_id)
        if chosen is not None:
            self._act([RenderShots(shot_ids=[chosen])], f"render shot {chosen}")

    def action_render_changed(self) -> None:
        self._act([RenderShots()], "render the changes")

    def action_toggle_lock(self, shot_id: int | None = None, locked: bool | None = None) -> None:
        chosen = self._shot(shot_id)
        if chosen is None:
            return
        if locked is None:
            shot = self.story.plan.find_shot(chosen) if self.story is not None else None
            locked = not shot.locked if shot is not None else True
        verb = "lock" if locked else "unlock"
        self._act([SetLock(shot_id=chosen, locked=locked)], f"{verb} shot {chosen}")

    def action_retake(self, shot_id: int | None = None) -> None:
        chosen = self._shot(shot_id)
        if chosen is not None:
            # no reply of our own: the report says what happened (or that the shot is locked)
            self._act([RenderShots(shot_ids=[chosen], force=True)], f"retake shot {chosen}")

    def action_export(self) -> None:
        self._act([ExportFilm()], "export")

    def action_undo(self, steps: int = 1) -> None:
        self._act([UndoChange(steps=steps)], "undo")

    def action_redo(self, steps: int = 1) -> None:
        self._act([RedoChange(steps=steps)], "redo")

    def action_compare(self, shot_id: int | None = None, backends: list[str] | None = None) -> None:
        from storyreel.renderer.availability import ready_backends

        chosen = self._shot(shot_id)
        if chosen is None:
            return
        backends = backends or ready_backends()
        if len(backends) < 2:
            self.chat.say(
                "problem",
                f"Only {', '.join(backends) or 'no renderer'} can render here, and a comparison "
                "needs two. `storyreel backends` says what the others need; or name them: "
                "/compare 3 previz,wan.",
            )
            return
        self._act(
            [CompareBackends(shot_id=chosen, backends=backends)],
            f"compare shot {chosen} on {', '.join(backends)}",
        )

    def action_use_take(self, shot_id: int, take: int) -> None:
        self._act([SelectTake(shot_id=shot_id, take=take)], f"use take {take} for shot {shot_id}")

    def action_open_take(self, shot_id: int | None = None) -> None:
        chosen = self._shot(shot_id)
        if chosen is None:
            return
        take = self.selected_take(chosen)
        if take is None:
            self.chat.say("problem", f"Shot {chosen} has no take yet: F5 renders it.")
            return
        self.chat.say("notice", open_media(self.agent.project.file_of(take.path)))

    def action_open_cut(self) -> None:
        from storyreel.tools.exports import default_paths

        if self.story is None:
            self.chat.say("problem", "There is no final cut yet: F10 (or /export) makes it.")
            return
        cut, _, _ = default_paths(self.agent.project, self.story.plan)
        if not cut.is_file():
            self.chat.say("problem", "There is no final cut yet: F10 (or /export) makes it.")
            return
        self.chat.say("notice", open_media(cut))

    def action_takes(self, shot_id: int | None = None) -> None:
        chosen = self._shot(shot_id)
        if chosen is None:
            return
        takes = self.agent.project.memory.takes(chosen)
        if not takes:
            self.chat.say("problem", f"Shot {chosen} has no takes yet: F5 renders it.")
            return
        current = self.selected_take(chosen)

        def picked(result: tuple[str, int] | None) -> None:
            if result is None:
                return
            what, number = result
            if what == "use":
                self.action_use_take(chosen, number)
            else:
                take = next(t for t in takes if t.number == number)
                self.chat.say("notice", open_media(self.agent.project.file_of(take.path)))

        self.push_screen(TakesScreen(chosen, takes, current.number if current else None), picked)

    def action_attach(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.attach(path)

        self.push_screen(AttachScreen(), chosen)

    def attach(self, raw: str) -> None:
        """Add the file at `raw` as a reference (its handle is announced)."""
        path = Path(raw).expanduser()
        if not path.is_file():
            self.chat.say("problem", f"There is no file at {path}. Check the path and try again.")
            return
        self.enqueue(Job("act", text=f"attach {path.name}", attachments=[str(path.resolve())]))

    def run_slash(self, slash: Slash) -> None:
        """Carry out a parsed slash command."""
        first = slash.shots[0] if slash.shots else None
        if slash.name == "help":
            self.action_help()
        elif slash.name == "render":
            if slash.shots:
                self._act([RenderShots(shot_ids=slash.shots)], f"render shots {slash.shots}")
            else:
                self.action_render_changed()
        elif slash.name in ("lock", "unlock"):
            for shot_id in slash.shots:
                self.action_toggle_lock(shot_id, locked=slash.name == "lock")
        elif slash.name == "retake":
            self.action_retake(first)
        elif slash.name == "takes":
            self.action_takes(first)
        elif slash.name == "use":
            self.action_use_take(slash.shots[0], int(slash.words[0]))
        elif slash.name == "keyframes":
            shots = ", ".join(map(str, slash.shots))
            self.enqueue(Job("keyframes", text=f"keyframes for shot {shots}", shots=slash.shots))
        elif slash.name == "open":
            self.action_open_cut() if slash.words == ["cut"] else self.action_open_take(first)
        elif slash.name == "compare":
            self.action_compare(first, slash.words or None)
        elif slash.name == "attach":
            self.attach(slash.words[0])
        elif slash.name == "export":
            self.action_export()
        elif slash.name in ("undo", "redo"):
            steps = int(slash.words[0])
            self.action_undo(steps) if slash.name == "undo" else self.action_redo(steps)
        elif slash.name == "example":
            self.action_example()
        elif slash.name == "quit":
            self.call_next(self.action_quit)  # type: ignore[attr-defined]
