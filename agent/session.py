"""The Session API every front end uses: send a message, stream events, answer questions.

    session = Session(Path("my-film"), name="main")
    for event in session.send("Open on Mara at the harbour at dusk, wide shot."):
        print(event.type, event.text)
    if session.pending_question():
        for event in session.answer("yes"):
            ...

State lives in the project folder: the plan in story.db, the conversation
(checkpoints, one thread per session name) in agent.db. A session survives a
restart; a turn that was killed mid-way is finished on the next `send`.

agent.db grows with the conversation, not with the checkpoints nor with the plan:
after every turn the checkpoints of earlier steps are pruned and freed pages are
given back (`storyreel.agent.agent_db`, re-exported here), and a turn's state
holds only the shots it rendered, not every shot of the plan (`state.RenderedItem`).
"""

from __future__ import annotations

import copy
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyreel.agent.agent_db import (
    AGENT_DB,
    AGENT_WAY_OUT,
    FREE_PAGES_KEPT,
    STATE_TABLES,
    agent_db_problem,
    check_agent_db,
    give_back_free_pages,
    prune_checkpoints,
    set_aside_agent_db,
    use_incremental_vacuum,
)
from storyreel.agent.director import Director, note_stills
from storyreel.agent.events import NOTHING_CHANGED, AgentEvent, Question
from storyreel.agent.guide import Guide, GuideStatus, GuideStore
from storyreel.agent.state import AgentContext, turn_input
from storyreel.agent.thread_status import current_status, record_status
from storyreel.agent.transcript import Transcript
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken, RenderCancelled
from storyreel.tools.cluster import executor_for
from storyreel.tools.edits import DirectorEdit, ExportFilm
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project

if TYPE_CHECKING:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph.state import CompiledStateGraph

__all__ = [
    "AGENT_DB",
    "AGENT_WAY_OUT",
    "FREE_PAGES_KEPT",
    "STATE_TABLES",
    "Session",
    "agent_db_problem",
    "check_agent_db",
    "choose_director",
    "give_back_free_pages",
    "prune_checkpoints",
    "set_aside_agent_db",
    "use_incremental_vacuum",
]


def choose_director(offline: bool = False) -> Director:
    """The LLM director when one is configured (and not `offline`), else the offline one.

    The LLM director's modules (its prompts, schema and client) are imported only when
    an endpoint is configured and used: an offline turn never loads them (nor openai).
    """
    settings = None
    if not offline:
        from storyreel.agent.llm_client import LLMSettings

        settings = LLMSettings.from_env()
    if settings is None:
        from storyreel.agent.offline import OfflineDirector

        return OfflineDirector()
    from storyreel.agent.llm_director import LLMDirector
    from storyreel.renderer.backend import backend_names

    return LLMDirector(settings, backends=backend_names())


def _saver(conn: sqlite3.Connection) -> SqliteSaver:
    """LangGraph's SQLite checkpointer on agent.db (LangGraph is imported here, by a
    Session that runs the graph, not by importing this module)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    return SqliteSaver(conn)


def _graph(saver: SqliteSaver) -> CompiledStateGraph:
    """The compiled directing graph, checkpointed by `saver`."""
    from storyreel.agent.graph import build_graph

    return build_graph(saver)


class Session:
    """A named conversation about one project.

    Args:
        project_dir: the project folder (must exist: storyreel new).
        name: the session name; each name is its own conversation thread.
        director: who reads messages (default: LLM if configured, else offline).
        offline: force the offline director.
        autopilot: never stop to ask for approval.
        backend: the default renderer.
        auto_render: render changed shots after each change (cheap with previz).
        max_retakes: automatic retakes per shot per turn before asking the person.
        executor: share warm backends between sessions in one process.
        wait_for_render: when another process (or session) is rendering this project,
            a turn that renders waits for it, saying so once in a `notice` event
            ("Another storyreel (pid N) is rendering this story; waiting…"). False: a
            turn refuses at once with ProjectBusyError before anything is changed (it
            then holds the project's render lock for the whole turn).

    `prune_checkpoints` (class attribute, default True): prune old checkpoints after
    each turn; False keeps every one (LangGraph time travel, and the bench's baseline).
    """

    prune_checkpoints: bool = True

    def __init__(
        self,
        project_dir: Path,
        name: str = "main",
        *,
        director: Director | None = None,
        offline: bool = False,
        autopilot: bool = False,
        backend: str = "previz",
        auto_render: bool = True,
        max_retakes: int = 2,
        executor: RenderExecutor | None = None,
        wait_for_render: bool = True,
    ) -> None:
        self.project = Project.open(project_dir)
        # a [cluster] in storyreel-gpu.toml renders this session's takes on a Ray cluster
        self._own_executor = executor is None
        try:
            check_agent_db(self.project.root / AGENT_DB)
            executor = executor or executor_for(self.project.root)
        except StoryreelError:
            self.project.close()
            raise
        self.name = name
        self.wait_for_render = wait_for_render
        self.director = director or choose_director(offline)
        self._conn = sqlite3.connect(
            str(self.project.root / AGENT_DB), check_same_thread=False, timeout=30
        )
        use_incremental_vacuum(self._conn)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # a checkpoint is written after every step: in WAL mode NORMAL commits without
        # waiting for the disk, and a killed process still loses nothing (a power cut may
        # lose the last steps, never the file: the turn then resumes from an earlier one)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._graph_lock = threading.Lock()
        self._built: tuple[CompiledStateGraph, SqliteSaver] | None = None
        self.transcript = Transcript(self.project.root / AGENT_DB, name)
        self.config: dict[str, Any] = {"configurable": {"thread_id": name}}
        self.context = AgentContext(
            project=self.project,
            director=self.director,
            executor=executor,
            backend=backend,
            autopilot=autopilot,
            auto_render=auto_render,
            max_retakes=max_retakes,
        )
        self.guide = Guide(
            GuideStore(self.project.root / AGENT_DB, name),
            self.project.memory.plan,
            offline=self.director.name == "offline",
            record=lambda text: self.transcript.add("agent", text),
            add_music=self._music_edits,
        )

    @property
    def _saver(self) -> SqliteSaver:
        """LangGraph's checkpointer on agent.db (made, and LangGraph imported, when first
        needed: a turn that changes nothing never needs it)."""
        return self._graph_and_saver()[1]

    @property
    def graph(self) -> CompiledStateGraph:
        """The compiled directing graph, checkpointed in agent.db (made when first needed)."""
        return self._graph_and_saver()[0]

    def _graph_and_saver(self) -> tuple[CompiledStateGraph, SqliteSaver]:
        # one saver per connection, whichever of a front end's threads asks first
        with self._graph_lock:
            if self._built is None:
                saver = _saver(self._conn)
                self._built = (_graph(saver), saver)
            return self._built

    def guide_status(self) -> GuideStatus | None:
        """The guided session's waiting question ("guide us" starts one), or None."""
        return self.guide.status()

    def _music_edits(self, mood: str) -> list[DirectorEdit] | None:
        """The edits that make a music bed of `mood` the soundtrack, when a music model is
        set up (None otherwise)."""
        from storyreel.tools.music import add_music_bed, configured_model

        if configured_model(self.project.root) is None:
            return None
        return list(add_music_bed(self.project, mood)[0])

    def send(self, text: str, attachments: Sequence[str] = ()) -> Iterator[AgentEvent]:
        """Run one turn for `text`; if a question is pending, `text` answers it."""
        with self._turn():
            if not attachments and (quiet := self._quiet_reply(text)) is not None:
                self.transcript.add("person", text)
                self.transcript.add("agent", quiet.text)
                yield quiet
                return
            if self.pending_question() is not None:
                yield from self.answer(text)
                return
            yield from self.resume_unfinished()
            names = [Path(path).name for path in attachments]
            attached = f" [attached: {', '.join(names)}]" if names else ""
            self.transcript.add("person", text + attached)
            if not attachments and self.guide.wants(text):
                yield from self.guide.take(text, self._direct_text, self._given_edits)
                return
            yield from self._stream(turn_input(text, list(attachments)))

    def _quiet_reply(self, text: str) -> AgentEvent | None:
        """The reply to `text` when the offline director changes nothing for it, read
        without the graph (`storyreel.agent.thread_status`); None when the turn needs the
        graph: a question or a stopped turn waits, the guide takes the message, the
        director makes an edit or an action or notes something in its memo, or the
        thread's record is stale.

        The offline director is rules and nothing else, so reading the message twice
        (here, then in the graph) gives the same reply: nothing is done here that the
        graph would not do for the same message.
        """
        if self.director.name != "offline":
            return None
        status = current_status(self.project.root / AGENT_DB, self.name)
        if status is None or status.waiting or status.unfinished or status.memo is None:
            return None
        if self.guide.wants(text):
            return None
        plan = self.project.memory.plan()
        memo = dict(status.memo)
        note_stills(self.project, plan, memo)
        before = copy.deepcopy(memo)
        try:
            reply = self.director.direct(text, plan, memo)
        except Exception:  # the graph's turn says what went wrong
            return None
        if reply.edits or memo != before:
            return None
        return AgentEvent(
            type="reply",
            text=reply.reply.strip() or NOTHING_CHANGED,
            data={"changed": False, "problems": [], "director_failed": False},
        )

    def _direct_text(self, text: str) -> Iterator[AgentEvent]:
        """A turn of the director on `text` (already in the transcript)."""
        return self._stream(turn_input(text, []))

    def _given_edits(self, edits: Sequence[DirectorEdit], reply: str) -> Iterator[AgentEvent]:
        """A turn that carries out `edits` as given (the guide's), saying `reply` first."""
        given = {"reply": reply, "edits": [e.model_dump(mode="json") for e in edits]}
        return self._stream(turn_input(reply, [], given))

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """A turn; with `wait_for_render` False it holds the render lock (or refuses)."""
        if self.wait_for_render:
            yield
            return
        with self.project.render_lock.holding(wait=False):
            yield

    def act(
        self,
        edits: Sequence[DirectorEdit],
        reply: str = "",
        label: str = "",
        attachments: Sequence[str] = (),
    ) -> Iterator[AgentEvent]:
        """Run one turn that carries out `edits` as given, without asking the director.

        For keys and buttons ("lock shot 3", "retake", "export"): the edits go
        through the same apply/approve/render/critique/report steps as a message.
        `reply` is said back first; `label` is recorded as the person's message.
        `attachments` become references (with no edits, the reply names their handles).
        A pending question is left waiting (answer it with `answer`); files alone
        can still be added while it waits.
        """
        if self.pending_question() is not None:
            if edits or not attachments:
                raise StoryreelError("answer the question I asked first, then try that again")
            yield from self._attach_now(attachments, label)
            return
        given = {"reply": reply, "edits": [e.model_dump(mode="json") for e in edits]}
        with self._turn():
            yield from self.resume_unfinished()
            self.transcript.add("person", label)
            yield from self._stream(turn_input(label or reply, list(attachments), given))
            if any(isinstance(edit, ExportFilm) for edit in edits):
                yield from self.guide.film_made()

    def _attach_now(self, paths: Sequence[str], label: str) -> Iterator[AgentEvent]:
        """Add files as references outside a turn (a question is waiting)."""
        from storyreel.tools.references import attach_file

        self.transcript.add("person", label)
        added = []
        for path in paths:
            name = Path(path).name
            try:
                reference = attach_file(self.project, Path(path), self.director.name)
            except StoryreelError as error:
                yield AgentEvent(type="problem", text=f"I could not use {name}: {error}.")
                continue
            added.append(reference.handle)
            yield AgentEvent(
                type="notice",
                text=f"{name} is now {reference.handle}",
                data={"handle": reference.handle},
            )
        said = f"Added {', '.join(added)}. " if added else ""
        text = said + "My question above is still waiting for your answer."
        self.transcript.add("agent", text)
        yield AgentEvent(type="reply", text=text)

    def answer(self, value: str) -> Iterator[AgentEvent]:
        """Answer the pending question and continue the turn (the guide's question, when
        the guide is waiting and nothing else is asked)."""
        if self.pending_question() is None:
            if self.guide.status() is not None:
                yield from self.send(value)
                return
            raise StoryreelError("there is no question waiting for an answer")
        with self._turn():
            self.transcript.add("person", value)
            from langgraph.types import Command

            yield from self._stream(Command(resume=value))
            if self.pending_question() is None:
                yield from self.guide.ask_again()

    def pending_question(self) -> Question | None:
        """The question the agent is waiting on, if any."""
        snapshot = self.graph.get_state(self.config)
        for pending in snapshot.interrupts:
            return Question.model_validate(pending.value)
        return None

    def resume_unfinished(self) -> Iterator[AgentEvent]:
        """Finish a turn that was stopped mid-way (killed during a render, say)."""
        if self.unfinished():
            yield AgentEvent(type="notice", text="Finishing what I was doing when I was stopped.")
            yield from self._stream(None)

    def memo(self) -> dict[str, Any]:
        """The director's memo for this session (conversation context), as the next turn
        gives it to the director: with the candidate stills noted afresh (`note_stills`)."""
        memo = dict(self.graph.get_state(self.config).values.get("memo") or {})
        note_stills(self.project, self.project.memory.plan(), memo)
        return memo

    def cancel(self) -> None:
        """Stop the render in progress (safe from any thread).

        The shot being rendered is dropped, finished takes stay, and the turn is
        left unfinished: the next `send` (or `resume_unfinished`) completes it.
        """
        self.context.cancel.cancel()

    def unfinished(self) -> bool:
        """True when a turn was stopped mid-way and will be finished by the next `send`."""
        snapshot = self.graph.get_state(self.config)
        return bool(snapshot.next) and not snapshot.interrupts

    def _stream(self, graph_input: object) -> Iterator[AgentEvent]:
        try:
            yield from self._run(graph_input)
        finally:
            self.tidy()
            self._record_status()

    def _record_status(self) -> None:
        """Record what the next turn must know before it runs the graph (a question
        waiting, a stopped turn, the memo), for `_quiet_reply`. A database error here is
        ignored: the record is then stale and the next turn runs the graph."""
        try:
            snapshot = self.graph.get_state(self.config)
            waiting = bool(snapshot.interrupts)
            memo = dict(snapshot.values.get("memo") or {})
            unfinished = bool(snapshot.next) and not waiting
            record_status(self.project.root / AGENT_DB, self.name, waiting, unfinished, memo)
        except sqlite3.Error:
            pass

    def tidy(self) -> None:
        """Prune this thread's old checkpoints and give freed pages back (after every turn).

        Housekeeping: a database error here is ignored (the turn itself is saved).
        """
        if not self.prune_checkpoints:
            return
        try:
            prune_checkpoints(self._saver, self.name)
            give_back_free_pages(self.project.root / AGENT_DB)
        except sqlite3.Error:
            pass

    def _run(self, graph_input: object) -> Iterator[AgentEvent]:
        if self.context.cancel.cancelled:
            self.context.cancel = CancelToken()
        try:
            for chunk in self.graph.stream(
                graph_input,
                self.config,
                context=self.context,
                stream_mode="custom",
                durability="sync",
            ):
                event = AgentEvent.model_validate(chunk)
                if event.type == "reply":
                    self.transcript.add("agent", event.text)
                yield event
        except RenderCancelled:
            yield AgentEvent(
                type="notice",
                text="Stopped. Finished takes are kept; I will finish the rest next time.",
                data={"cancelled": True},
            )
            return
        question = self.pending_question()
        if question is not None:
            choices = f" ({' / '.join(question.choices)})" if question.choices else ""
            self.transcript.add("agent", question.question + choices)
            yield AgentEvent(type="question", text=question.question, data=question.model_dump())

    def close(self) -> None:
        """Close the project and the conversation store (and the cluster workers this
        session started)."""
        if self._own_executor:
            self.context.executor.close()
        self._conn.close()
        self.transcript.close()
        self.guide.close()
        self.project.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
