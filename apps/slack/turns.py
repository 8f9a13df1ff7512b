"""Running the story of a Slack thread: one Session turn per job, reported in the thread.

Every public method here is a job for the thread's worker (see worker.py) and
catches everything at its boundary: the person always hears what went wrong.
A thread's project is created on its first turn, in the projects folder.
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from storyreel.agent.events import AgentEvent
from storyreel.agent.session import Session
from storyreel.apps.slack import blocks
from storyreel.apps.slack.config import SlackSettings
from storyreel.apps.slack.files import (
    FileRefused,
    SlackFile,
    check_file,
    check_size,
    describe,
    download,
)
from storyreel.apps.slack.posting import ThreadPoster, TurnReporter
from storyreel.apps.slack.store import BotStore, StoryThread, ThreadRef
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.edits import DirectorEdit, SetStyle
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import DB_NAME, Project

log = logging.getLogger(__name__)
INBOX = "slack-inbox"
GREETING = (
    "Hi! I'm storyreel, a directing assistant for short films. Tell me the story in this "
    "thread, for example:\n"
    "> Mara is a tall woman in a red raincoat.\n"
    "> Open on Mara at the harbour at dusk, wide shot, 3 seconds.\n"
    "Share photos, clips or sounds here to use them as references. Say *export* for the cut."
)
Turn = Callable[[Session], Iterator[AgentEvent]]


class TurnRunner:
    """Runs turns for story threads; one Session is opened per turn and closed after it."""

    def __init__(
        self, settings: SlackSettings, client: WebClient, store: BotStore, executor: RenderExecutor
    ) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.executor = executor
        self._lock = threading.Lock()
        self._running: dict[str, Session] = {}

    def direct(self, ref: ThreadRef, text: str, files: Sequence[dict[str, Any]], user: str) -> None:
        """A message in the thread: download its files, then send text + files to the agent.

        If a question is pending, the text answers it. Files without words become
        references (their handles are announced) without asking the director anything.
        """
        poster = ThreadPoster(self.client, ref)
        inbox: Path | None = None
        try:
            thread = self.store.bind(ref)
            folder = self.project_folder(thread)
            if files:
                inbox = folder / INBOX / uuid.uuid4().hex
            paths = self._fetch(files, inbox, poster) if inbox else []
            if text.strip():
                answered = f"<@{user}> answered in the thread: {text[:200]}"
                self._turn(
                    thread, poster, lambda session: session.send(text, paths), answers=answered
                )
            elif paths:
                label = "attach " + ", ".join(Path(path).name for path in paths)
                self._turn(
                    thread,
                    poster,
                    lambda session: session.act([], label=label, attachments=paths),
                )
            elif not files:
                poster.say(GREETING)
        except Exception as error:
            self._report_failure(poster, error)
        finally:
            if inbox is not None:
                shutil.rmtree(inbox, ignore_errors=True)

    def act(
        self, ref: ThreadRef, edits: Sequence[DirectorEdit], label: str, user: str, reply: str = ""
    ) -> None:
        """A button that stands for typed edits (lock, retake, use a take): carry them out.

        `label` is what the button means in words; the thread is told who pressed it.
        """
        poster = ThreadPoster(self.client, ref)
        try:
            thread = self.store.bind(ref)
            self._turn(
                thread,
                poster,
                lambda session: session.act(edits, reply=reply, label=label),
                note=f"<@{user}>: {label}",
            )
        except Exception as error:
            self._report_failure(poster, error)

    def answer(self, ref: ThreadRef, value: str, user: str, message_ts: str) -> None:
        """A question button on message `message_ts`: answer the pending question with `value`.

        A button on a question that is no longer the open one changes nothing.
        """
        poster = ThreadPoster(self.client, ref)
        try:
            thread = self.store.bind(ref)
            if thread.question_ts != message_ts:
                self._already_answered(poster, user, message_ts)
                return
            answered = f"<@{user}> answered: *{value}*"
            answering = self._turn(
                thread,
                poster,
                lambda session: session.answer(value),
                answers=answered,
                must_answer=True,
            )
            if not answering:
                self._already_answered(poster, user, message_ts)
                self.store.set_question(ref, None)
        except Exception as error:
            self._report_failure(poster, error)

    def cancel(self, ref: ThreadRef) -> bool:
        """Stop the render running in a thread (safe from any thread); False if none runs."""
        with self._lock:
            session = self._running.get(ref.key)
        if session is None:
            return False
        session.cancel()
        return True

    def cancel_all(self) -> None:
        """Stop every render in progress (at shutdown)."""
        with self._lock:
            sessions = list(self._running.values())
        for session in sessions:
            session.cancel()

    def project_folder(self, thread: StoryThread) -> Path:
        """The thread's project folder, created with the configured style on first use."""
        folder = self.settings.projects_dir / thread.folder
        if (folder / DB_NAME).is_file():
            return folder
        style = self.settings.project_style
        project = Project.create(
            folder, title="Untitled", aspect=style.get("aspect", "16:9"), fps=style.get("fps", 24)
        )
        try:
            if style.get("resolution"):
                project.memory.apply([SetStyle(resolution=style["resolution"])], source="slack")
        finally:
            project.close()
        return folder

    def _turn(
        self,
        thread: StoryThread,
        poster: ThreadPoster,
        run: Turn,
        *,
        answers: str = "",
        must_answer: bool = False,
        note: str = "",
    ) -> bool:
        """Run one turn in a Session and show its events; False if it needed a question
        and none was pending.

        `answers`: the turn answers a pending question (a message or an answer button);
        the question message loses its buttons and shows this note instead.
        """
        folder = self.project_folder(thread)
        with Session(
            folder,
            thread.session,
            offline=self.settings.offline,
            backend=self.settings.backend,
            executor=self.executor,
        ) as session:
            question = session.pending_question()
            if question is None and must_answer:
                return False
            if question is not None and answers and thread.question_ts:
                poster.update(
                    thread.question_ts, answers, blocks.answered_blocks(question.question, answers)
                )
                self.store.set_question(thread.ref, None)
            reporter = TurnReporter(poster, session.project, self.store, thread.progress_ts)
            if note:
                reporter.note(note)
            with self._lock:
                self._running[thread.ref.key] = session
            try:
                for event in run(session):
                    reporter.show(event)
            finally:
                with self._lock:
                    self._running.pop(thread.ref.key, None)
                reporter.finish()
        return True

    @staticmethod
    def _already_answered(poster: ThreadPoster, user: str, message_ts: str) -> None:
        poster.whisper(user, "That question was already answered.")
        poster.update(message_ts, "Answered.", blocks.answered_blocks("", "Answered."))

    def _fetch(
        self, files: Sequence[dict[str, Any]], inbox: Path, poster: ThreadPoster
    ) -> list[str]:
        """Check and download shared files; refused ones are explained in the thread."""
        paths = []
        limit = self.settings.max_file_bytes
        for data in files:
            try:
                check_size(SlackFile.from_payload(data), limit)
                file = describe(self.client, data)
                check_file(file, limit)
                path = download(
                    file,
                    inbox,
                    token=self.settings.bot_token,
                    max_bytes=limit,
                    api_url=self.settings.api_url,
                )
                paths.append(str(path))
            except FileRefused as error:
                poster.say(f":no_entry_sign: I can't use that file: {error}.")
        return paths

    @staticmethod
    def _report_failure(poster: ThreadPoster, error: Exception) -> None:
        if isinstance(error, StoryreelError):
            poster.say(f":warning: {error}")
            return
        log.exception("a turn failed in %s", poster.ref.key)
        poster.say(
            f":warning: Something went wrong on my side ({type(error).__name__}: {error}). "
            "Nothing was lost; try again, and tell whoever runs the bot if it keeps happening."
        )
