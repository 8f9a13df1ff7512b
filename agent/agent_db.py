"""agent.db, the conversation store: its checks, its repair and its housekeeping.

Light on purpose: `storyreel doctor` checks agent.db without loading LangGraph,
and `Session` (which runs the graph) re-exports these names.

agent.db grows with the conversation, not with the checkpoints: after every
turn the checkpoints of earlier steps are pruned (`prune_checkpoints` keeps the
latest one of the thread with its pending writes, which is all that answering a
question or finishing a stopped turn needs), and the database gives freed pages
back (SQLite incremental vacuum).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.tools.db_check import (
    ReadOnlyProjectError,
    damaged,
    file_problem,
    quick_check,
    read_only_problem,
    sqlite_error_problem,
    table_names,
)

if TYPE_CHECKING:  # the saver comes with LangGraph, which only a running session loads
    from langgraph.checkpoint.sqlite import SqliteSaver

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
