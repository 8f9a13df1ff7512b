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

agent.db grows with the conversation, not with the checkpoints: after every
turn the checkpoints of earlier steps are pruned (`prune_checkpoints` keeps the
latest one of the thread with its pending writes, which is all that answering a
question or finishing a stopped turn needs), and the database gives freed pages
back (SQLite incremental vacuum).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from storyreel.agent.director import Director
from storyreel.agent.events import AgentEvent, Question
from storyreel.agent.graph import build_graph
from storyreel.agent.state import AgentContext, turn_input
from storyreel.agent.transcript import Transcript
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken, RenderCancelled
from storyreel.tools.db_check import (
    ReadOnlyProjectError,
    damaged,
    file_problem,
    quick_check,
    read_only_problem,
    sqlite_error_problem,
    table_names,
)
from storyreel.tools.edits import DirectorEdit
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project

AGENT_DB = "agent.db"
AGENT_WAY_OUT = (
    "run `storyreel doctor --fix` to rebuild it (the conversation history is lost; "
    "the story in story.db is not touched)"
)
STATE_TABLES = ("checkpoints", "writes")
"""LangGraph's SqliteSaver tables: the conversation state of every session thread."""
FREE_PAGES_KEPT = 32
"""Free pages (4 KB each) agent.db may keep before they are given back to the file system."""


def prune_checkpoints(saver: SqliteSaver, thread_id: str) -> int:
    """Delete every checkpoint of `thread_id` except the latest of each namespace.

    The latest checkpoint (the one `get_state` and a resumed run load) keeps its
    pending writes, which hold a pending question (the interrupt) and the work a
    stopped turn had finished; older checkpoints and their writes are only
    LangGraph's time travel, which storyreel does not use. SqliteSaver has
    `delete_thread` but no `prune` (BaseCheckpointSaver.prune raises
    NotImplementedError there), so this deletes the rows itself, in one
    transaction, the same "keep_latest" way PostgresSaver.prune does. The graph
    has no DeltaChannel, so no older checkpoint is needed to rebuild state.

    Returns:
        How many checkpoints were deleted.
    """
    deleted = 0
    with saver.cursor() as cur:
        latest = cur.execute(
            "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
            "GROUP BY checkpoint_ns",
            (thread_id,),
        ).fetchall()
        for namespace, checkpoint_id in latest:
            where = "thread_id = ? AND checkpoint_ns = ? AND checkpoint_id <> ?"
            keep = (thread_id, namespace, checkpoint_id)
            deleted += cur.execute(f"DELETE FROM checkpoints WHERE {where}", keep).rowcount
            cur.execute(f"DELETE FROM writes WHERE {where}", keep)
    return deleted


def use_incremental_vacuum(conn: sqlite3.Connection) -> None:
    """Switch agent.db to incremental auto-vacuum (once: an older file is VACUUMed).

    Skipped when another process holds the database (it is tried again next time).
    """
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        return
    conn.execute("PRAGMA busy_timeout = 1000")
    try:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("VACUUM")  # needed for a file that already has tables
    except sqlite3.OperationalError:
        pass
    finally:
        conn.execute("PRAGMA busy_timeout = 30000")


def give_back_free_pages(path: Path, keep: int = FREE_PAGES_KEPT) -> None:
    """Shrink agent.db when more than `keep` pages are free, and empty its WAL file.

    The WAL file would otherwise hold every page written since the last automatic
    checkpoint (up to about 4 MB); a checkpoint that other readers hold back just
    does what it can. This uses a connection of its own, never the saver's: the
    saver's connection is shared by the threads of a front end (a turn and a button
    press), and housekeeping on it could end another thread's transaction.
    """
    conn = sqlite3.connect(str(path), timeout=1)
    try:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if free > keep:
            # executescript runs the pragma to completion (incremental_vacuum frees one
            # page per step, so a plain execute would free just one)
            conn.executescript("PRAGMA incremental_vacuum;")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def agent_db_problem(path: Path) -> str | None:
    """What is wrong with agent.db, in words, or None when it can be used.

    A missing or zero-byte file is a new conversation store. Nothing is written: a
    damaged file is left as it is for `storyreel doctor --fix` to set aside.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return None
    problem = file_problem(path)
    if problem is not None:
        return problem
    try:
        conn = sqlite3.connect(str(path), timeout=30)
    except sqlite3.Error as error:
        return sqlite_error_problem(error)
    try:
        problem = quick_check(conn)
        if problem is not None:
            return problem
        present = table_names(conn)
        state = [name for name in STATE_TABLES if name in present]
        if len(state) == 1:
            missing = next(name for name in STATE_TABLES if name not in present)
            return f"the conversation-state table {missing!r} is missing"
        if not state and "transcript" in present:
            said = conn.execute("SELECT count(*) FROM transcript").fetchone()[0]
            if said:
                return "the conversation-state tables 'checkpoints' and 'writes' are missing"
    except sqlite3.DatabaseError as error:
        return sqlite_error_problem(error)
    finally:
        conn.close()
    return None


def check_agent_db(path: Path) -> None:
    """Refuse a damaged or unwritable agent.db with the way out (nothing is written).

    Raises:
        DamagedDatabaseError: agent.db is damaged.
        ReadOnlyProjectError: agent.db or its folder cannot be written.
    """
    read_only = read_only_problem(path)
    if read_only is not None:
        raise ReadOnlyProjectError(f"{path.name} cannot be opened for writing: {read_only}")
    problem = agent_db_problem(path)
    if problem is not None:
        raise damaged(path.name, problem, AGENT_WAY_OUT)


def set_aside_agent_db(path: Path) -> Path:
    """Move a damaged agent.db (and its -wal/-shm files) aside as agent.db.damaged[-N].

    The next session starts a new, empty conversation store: every session's history
    is lost (the damaged file is kept for whoever wants to dig in it). Returns where
    the damaged file went.
    """
    target = path.with_name(path.name + ".damaged")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.replace(target.with_name(target.name + suffix))
    return target


def choose_director(offline: bool = False) -> Director:
    """The LLM director when one is configured (and not `offline`), else the offline one."""
    from storyreel.agent.llm_director import LLMDirector, LLMSettings
    from storyreel.renderer.backend import backend_names

    settings = None if offline else LLMSettings.from_env()
    if settings is None:
        from storyreel.agent.offline import OfflineDirector

        return OfflineDirector()
    return LLMDirector(settings, backends=backend_names())


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
        try:
            check_agent_db(self.project.root / AGENT_DB)
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
        self._saver = SqliteSaver(self._conn)
        self.graph = build_graph(self._saver)
        self.transcript = Transcript(self.project.root / AGENT_DB, name)
        self.config: dict[str, Any] = {"configurable": {"thread_id": name}}
        self.context = AgentContext(
            project=self.project,
            director=self.director,
            executor=executor or RenderExecutor(),
            backend=backend,
            autopilot=autopilot,
            auto_render=auto_render,
            max_retakes=max_retakes,
        )

    def send(self, text: str, attachments: Sequence[str] = ()) -> Iterator[AgentEvent]:
        """Run one turn for `text`; if a question is pending, `text` answers it."""
        with self._turn():
            if self.pending_question() is not None:
                yield from self.answer(text)
                return
            yield from self.resume_unfinished()
            names = [Path(path).name for path in attachments]
            attached = f" [attached: {', '.join(names)}]" if names else ""
            self.transcript.add("person", text + attached)
            yield from self._stream(turn_input(text, list(attachments)))

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
        """Answer the pending question and continue the turn."""
        if self.pending_question() is None:
            raise StoryreelError("there is no question waiting for an answer")
        with self._turn():
            self.transcript.add("person", value)
            yield from self._stream(Command(resume=value))

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
        """The director's memo for this session (conversation context)."""
        return dict(self.graph.get_state(self.config).values.get("memo") or {})

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
        """Close the project and the conversation store."""
        self._conn.close()
        self.transcript.close()
        self.project.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
