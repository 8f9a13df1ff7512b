"""`storyreel chat`: direct a story from the terminal with the film in view.

Layout: the conversation, render progress and the input on the left; the shot
list, the selected shot's keyframe and the bible on the right; keys in the
footer. Every turn runs on one worker thread through the Session API, in the
order asked, and the story is read for the film pane on another
(story_view.py), so the screen never freezes: the event loop only applies what
changed. Closing while rendering stops the render, keeps finished takes, and
the next start finishes the turn.
"""

from __future__ import annotations

import gc
import queue
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from storyreel.agent.demo_conversation import DEMO_CONVERSATION
from storyreel.agent.director import Director
from storyreel.agent.events import AgentEvent, Question
from storyreel.agent.session import Session
from storyreel.apps.tui.actions import Actions
from storyreel.apps.tui.commands import parse
from storyreel.apps.tui.graphics import Protocol
from storyreel.apps.tui.jobs import EventArrived, Job, TurnFinished, TurnStarted
from storyreel.apps.tui.screens import QuestionScreen
from storyreel.apps.tui.story_view import (
    StillShown,
    StoryRead,
    StoryReader,
    StoryView,
    read_story,
)
from storyreel.apps.tui.welcome import active_setup, welcome_text
from storyreel.apps.tui.widgets import BiblePane, ChatLog, Keyframe, RenderStatus, ShotTable
from storyreel.tools.errors import StoryreelError
from storyreel.tools.rendering import keyframe_path
from storyreel.tools.story import Take

PLACEHOLDER = "Tell me about your story… (/help for commands)"


class StoryreelApp(Actions, App[None]):
    """The terminal chat app over one project and one session.

    Args:
        project_dir: an existing project folder.
        session: the conversation name (each is its own thread).
        director: who reads messages (default: the LLM if configured, else offline).
        offline: use the offline director even if an LLM is configured.
        backend: the renderer for automatic renders.
        autopilot: never stop to ask for approval.
        example: the messages F2 sends (default: the demo story "The Letter").
        pictures: how to draw keyframes: "sixel", "tgp" or "halfblock" (graphics.detect()).
        guided: start (or resume) the guided session as the app opens (`chat --guided`):
            the agent asks the questions, the people answer in the box.
    """

    CSS_PATH = "storyreel.tcss"
    TITLE = "storyreel"
    ENABLE_COMMAND_PALETTE = False  # our commands are the slash commands and the keys
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("f2", "example", "Example"),
        Binding("f3", "attach", "Attach"),
        Binding("f4", "open_take", "Play"),
        Binding("f5", "render_shot", "Render"),
        Binding("f6", "render_changed", "All"),
        Binding("f7", "toggle_lock", "Lock"),
        Binding("f8", "retake", "Retake"),
        Binding("f9", "takes", "Takes"),
        Binding("f10", "export", "Export"),
        Binding("f12", "compare", "Compare"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        project_dir: Path,
        session: str = "main",
        *,
        director: Director | None = None,
        offline: bool = False,
        backend: str = "previz",
        autopilot: bool = False,
        example: Sequence[str] = DEMO_CONVERSATION,
        pictures: Protocol = "halfblock",
        guided: bool = False,
    ) -> None:
        super().__init__()
        self.guided = guided
        self.agent = Session(
            project_dir,
            session,
            director=director,
            offline=offline,
            backend=backend,
            autopilot=autopilot,
        )
        self.backend = backend
        self.example = list(example)
        self.pictures = pictures
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._waiting = 0
        self._turn: Job | None = None
        self._rendering: int | None = None
        self._turn_worker: Worker[None] | None = None
        self._story_closed = False
        self.story: StoryView | None = None
        """The story as last read for the film pane (None until the first read)."""
        self._reader = StoryReader(lambda: read_story(self.agent.project), self.post_message)
        self._reader_worker: Worker[None] | None = None
        self._answered = 0
        self._sheets: dict[int, Path] = {}  # candidates sheets the conversation drew
        self._bible_shown: str | None = None

    # layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ChatLog(id="chat")
                yield RenderStatus(id="status")
                yield Input(placeholder=PLACEHOLDER, id="direction")
            with Vertical(id="right"):
                yield ShotTable(id="shots")
                yield Keyframe(self.pictures, id="keyframe")
                with VerticalScroll(id="bible-scroll"):
                    yield BiblePane(id="bible")
        yield Footer()

    @property
    def chat(self) -> ChatLog:
        return self.query_one("#chat", ChatLog)

    @property
    def shots(self) -> ShotTable:
        return self.query_one("#shots", ShotTable)

    @property
    def status(self) -> RenderStatus:
        return self.query_one("#status", RenderStatus)

    def on_mount(self) -> None:
        self.query_one("#chat").border_title = "Conversation"
        self.query_one("#shots").border_title = "Shots"
        self.query_one("#keyframe").border_title = "Keyframe"
        self.query_one("#bible-scroll").border_title = "Bible"
        self.sub_title = active_setup(self.agent.director, self.backend)
        self.query_one("#direction", Input).focus()
        self._reader_worker = self.run_worker(
            self._reader.run, thread=True, name="story", group="story", exit_on_error=False
        )
        self.refresh_story()  # the first read opens the conversation (see on_story_read)

    def _open_conversation(self, view: StoryView | None) -> None:
        """Welcome (when the story could be read), start the turn worker, then finish a
        stopped turn and ask a question left open."""
        if view is not None:
            earlier = self.agent.transcript.recent(30)
            for role, text in welcome_text(view.plan, earlier, self.sub_title):
                self.chat.say(role, text)
        self._turn_worker = self.run_worker(
            self._consume, thread=True, name="turns", group="turns", exit_on_error=False
        )
        if self.agent.unfinished():
            self.enqueue(Job("resume"))
        question = self.agent.pending_question()
        if question is not None:
            self.chat.say("question", _question_line(question.question, question.choices))
            self.ask(question)
        elif self.guided:
            self.enqueue(Job("send", text="guide us"))
        elif (guide := self.agent.guide_status()) is not None:
            self.chat.say("question", guide.question)

    # the turn worker ----------------------------------------------------

    def _consume(self) -> None:
        """Run queued turns one at a time (worker thread); events go to the UI as messages."""
        while (job := self._jobs.get()) is not None:
            self.post_message(TurnStarted(job))
            try:
                for event in job.events(self.agent):
                    self.post_message(EventArrived(event))
            except StoryreelError as error:
                text = str(error)
                problem = AgentEvent(type="problem", text=text[:1].upper() + text[1:] + ".")
                self.post_message(EventArrived(problem))
            except Exception as error:  # a bug must not kill the worker: say it, keep going
                self.post_message(
                    EventArrived(
                        AgentEvent(
                            type="problem",
                            text=f"Something went wrong ({type(error).__name__}: {error}). "
                            "Your story is saved; try again.",
                        )
                    )
                )
            finally:
                self.post_message(TurnFinished(job))

    def enqueue(self, job: Job) -> None:
        """Queue a turn; say so when another one is still running."""
        if self._turn is not None or self._waiting:
            verb = "read that" if job.kind in ("send", "answer") else "do that"
            if self._rendering is not None:
                self.chat.say("notice", f"I'm rendering shot {self._rendering}; I'll {verb} next.")
            elif not job.echo:
                self.chat.say("notice", f"I'm still on the last request; I'll {verb} next.")
        self._waiting += 1
        self._jobs.put(job)

    @property
    def busy(self) -> bool:
        """True while a turn runs or waits, or the film pane waits for the story."""
        return self._turn is not None or self._waiting > 0 or self._answered < self._reader.asked

    def on_turn_started(self, message: TurnStarted) -> None:
        self._waiting -= 1
        self._turn = message.job
        self.status.clear_bars()
        self.status.status("Working…")
        if message.job.echo:
            self.chat.say("person", message.job.text)

    def on_turn_finished(self, message: TurnFinished) -> None:
        self._turn = None
        self._rendering = None
        self.status.status("Ready." if not self._waiting else f"{self._waiting} more to do…")
        self.refresh_story()

    def on_event_arrived(self, message: EventArrived) -> None:
        event = message.event
        data = event.data
        if event.type == "progress":
            self._rendering = data.get("shot_id")
            self.status.status(f"Rendering shot {self._rendering}…")
            self.status.bar(int(data["shot_id"])).advance(
                int(data.get("step", 0)),
                int(data.get("total", 1)),
                int(data.get("index", 1)),
                int(data.get("count", 1)),
            )
            return
        if event.type == "plan":
            lines = data.get("lines") or [event.text]
            self.chat.say("notice", "\n".join(f"• {line}" for line in lines))
        elif event.type == "take":
            if data.get("shot_id") is not None:
                self.status.bar(int(data["shot_id"])).finish(event.text)
            self.chat.say("notice", event.text)
        elif event.type == "question" and data.get("kind") == "guide":
            hint = data.get("hint")
            self.chat.say("question", event.text + (f"\n(For example: {hint})" if hint else ""))
        elif event.type == "question":
            self.chat.say("question", _question_line(event.text, data.get("choices") or []))
            self.ask(Question.model_validate(data))
            return
        elif event.type == "reply":
            self.chat.say("agent", event.text)
        elif event.type == "artifact" and data.get("kind") == "candidate stills":
            self.chat.say("notice", event.text)
            self._show_sheet(Path(data["path"]), [int(i) for i in data.get("shot_ids") or []])
        else:
            self.chat.say("problem" if event.type == "problem" else "notice", event.text)
        if event.type in ("plan", "take"):  # verdicts and replies come as the turn ends:
            self.refresh_story()  # the read at its end shows them

    # questions ----------------------------------------------------------

    def ask(self, question: Question) -> None:
        """Show the agent's question as a dialog; the answer resumes the turn."""

        def answered(value: str | None) -> None:
            if value is None:
                self.chat.say("notice", "The question is waiting: type your answer when ready.")
                return
            self.chat.say("person", value)
            self.enqueue(Job("answer", text=value))

        self.push_screen(QuestionScreen(question.question, question.choices), answered)

    # the direction input ------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "direction":
            return
        text = event.value.strip()
        event.input.value = ""
        if not text:
            return
        try:
            slash = parse(text, self.shots.selected_shot)
        except StoryreelError as error:
            self.chat.say("problem", f"{error}.")
            return
        self.chat.say("person", text)
        if slash is not None:
            self.run_slash(slash)
        else:
            self.enqueue(Job("send", text=text))

    # the film pane ------------------------------------------------------

    def refresh_story(self) -> None:
        """Ask for the shot list, the bible and the keyframe to be drawn again from the
        project: the story reader reads it off this thread (`on_story_read` shows it)."""
        if not self._story_closed:
            self._reader.ask()

    def on_story_read(self, message: StoryRead) -> None:
        """Show what the story reader read: only the rows and the bible that changed."""
        if self._story_closed:
            return
        self._answered = max(self._answered, message.asked)
        view = message.view
        if view is None:
            self.chat.say("problem", message.problem or "I could not read the story.")
        else:
            self.story = view
            self.shots.show(view.rows)
            if view.bible != self._bible_shown:
                self._bible_shown = view.bible
                self.query_one("#bible", BiblePane).show(view.plan)
            self.call_after_refresh(self.show_keyframe)
        if self._turn_worker is None:
            self._open_conversation(view)
            _freeze_startup_objects()

    def selected_take(self, shot_id: int) -> Take | None:
        """The take in use for `shot_id`, as last read (None before the first read)."""
        return self.story.selected_take(shot_id) if self.story is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "shots":
            self.show_keyframe()

    def _show_sheet(self, sheet: Path, shot_ids: list[int]) -> None:
        """A candidates sheet the conversation drew ("make stills for shots 2 and 3"): the
        keyframe pane shows it for those shots, and the first of them is highlighted."""
        for shot_id in shot_ids:
            self._sheets[shot_id] = sheet
        if shot_ids and self.shots.selected_shot != shot_ids[0]:
            with suppress(RowDoesNotExist):  # a shot the table does not show yet
                self.shots.move_cursor(row=self.shots.get_row_index(str(shot_ids[0])))
        self.refresh_story()

    def _sheet_for(self, shot_id: int, still: StillShown) -> StillShown:
        """The candidates sheet the conversation drew for `shot_id` when it is newer than
        what the story reader found (its own sheet or newest still), else `still`."""
        sheet = self._sheets.get(shot_id)
        try:
            if sheet is None or sheet.stat().st_mtime < still.path.stat().st_mtime:
                return still
        except OSError:
            return still
        return StillShown(sheet, still.caption, False)

    def show_keyframe(self) -> None:
        """Show the highlighted shot's chosen take's middle frame."""
        if self._story_closed:
            return
        keyframe = self.query_one("#keyframe", Keyframe)
        shot_id = self.shots.selected_shot
        if shot_id is None:
            keyframe.show(None, "No shots yet.")
            return
        take = self.selected_take(shot_id)
        still = self.story.stills.get(shot_id) if self.story is not None else None
        if still is not None and (take is None or not still.picked):
            if not still.picked:
                still = self._sheet_for(shot_id, still)
            keyframe.show(still.path, still.caption)  # a pick to make, or the picked opening
            return
        if take is None:
            keyframe.show(None, f"Shot {shot_id} has no take yet (F5 renders it).")
            return
        verdict = take.critique.verdict if take.critique else "not checked"
        caption = f"shot {shot_id} · take {take.number} · {take.backend} · {verdict}"
        keyframe.show(keyframe_path(self.agent.project, take), caption)

    # closing ------------------------------------------------------------

    async def action_quit(self) -> None:
        """Leave: stop a render in progress (finished takes stay), then close the story."""
        await self.stop_turns()
        self.exit()

    async def stop_turns(self) -> None:
        """Drop queued turns, cancel the running one and wait for the worker to end."""
        if self._story_closed:
            return
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self._waiting = 0
        if self._turn is not None:
            self.chat.say("notice", "Stopping; finished takes are kept and I'll finish next time.")
            self.agent.cancel()
        self._jobs.put(None)
        self._reader.close()
        for worker in (self._turn_worker, self._reader_worker):
            if worker is not None:
                with suppress(WorkerCancelled, WorkerFailed):  # Textual may have stopped it
                    await worker.wait()
        self._story_closed = True
        self.agent.close()

    async def on_unmount(self) -> None:
        await self.stop_turns()


def _question_line(question: str, choices: Sequence[str]) -> str:
    return question + (f"  [{' / '.join(choices)}]" if choices else "")


def _freeze_startup_objects() -> None:
    """Collect once, then exempt everything alive (modules, widgets, the story as first
    read) from Python's cyclic garbage collector.

    A full collection walks every object the process holds: with a 500-shot story open
    that is about 250,000 objects and a 60-90 ms pause of the whole screen, once per turn
    or so. After freezing, collections walk only what was made since (20-30 ms at 500
    shots; bench/tui_latency.py). Frozen objects are still freed when nothing refers to
    them; only reference cycles among them would stay, and there are few at start-up.
    """
    gc.collect()
    gc.freeze()
