"""What a session thread's latest checkpoint holds, readable without LangGraph.

Importing LangGraph costs about a second (it brings langchain_core, whose tracers
import langsmith), three times a whole `storyreel show`. A turn that changes
nothing (a greeting, a question about the story, a sentence the offline director
does not understand) needs none of the graph: no edit, no render, no critique. So
after every turn the Session records here what the next turn needs to know before
it would run the graph: whether a question is waiting, whether a turn was stopped
mid-way, and the director's memo (`Status`). The record names the checkpoint it
was read from; it is used only while that checkpoint is still the thread's latest
with the same pending writes, so a turn that ran since (in this process or
another, finished or killed) makes it stale and the next turn runs the graph.

Table `thread_status` in agent.db, one row per session thread, read and written on a
connection of its own (the checkpointer's is shared by a front end's threads).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TABLE = (
    "CREATE TABLE IF NOT EXISTS thread_status (thread_id TEXT PRIMARY KEY, "
    "checkpoint_id TEXT NOT NULL, writes INTEGER NOT NULL, waiting INTEGER NOT NULL, "
    "unfinished INTEGER NOT NULL, memo TEXT)"
)
_LATEST = (
    "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' "
    "ORDER BY checkpoint_id DESC LIMIT 1"
)
_WRITES = (
    "SELECT count(*) FROM writes WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id = ?"
)


@dataclass(frozen=True)
class Status:
    """A thread's state as of its latest checkpoint.

    `memo` is None when the memo does not survive JSON unchanged (then it cannot be
    used without the graph).
    """

    waiting: bool
    unfinished: bool
    memo: dict[str, Any] | None


def _latest(conn: sqlite3.Connection, thread_id: str) -> tuple[str, int] | None:
    """The thread's latest checkpoint id and how many pending writes it has."""
    row = conn.execute(_LATEST, (thread_id,)).fetchone()
    if row is None:
        return None
    return row[0], conn.execute(_WRITES, (thread_id, row[0])).fetchone()[0]


def _json_memo(memo: dict[str, Any]) -> str | None:
    """The memo as JSON, or None when reading it back would not give the same memo."""
    try:
        text = json.dumps(memo, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == memo else None


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(str(path), timeout=30)) as conn:
        yield conn


def record_status(
    path: Path, thread_id: str, waiting: bool, unfinished: bool, memo: dict[str, Any]
) -> None:
    """Record the thread's status as of its latest checkpoint in agent.db at `path`
    (nothing when the thread has no checkpoint)."""
    with _connected(path) as conn:
        latest = _latest(conn, thread_id)
        if latest is None:
            return
        with conn:
            conn.execute(_TABLE)
            conn.execute(
                "INSERT OR REPLACE INTO thread_status VALUES (?, ?, ?, ?, ?, ?)",
                (thread_id, *latest, int(waiting), int(unfinished), _json_memo(memo)),
            )


def current_status(path: Path, thread_id: str) -> Status | None:
    """The thread's recorded status in agent.db at `path`, or None when there is none or
    it is stale (a turn ran since it was recorded, or the tables are missing)."""
    with _connected(path) as conn:
        try:
            row = conn.execute(
                "SELECT checkpoint_id, writes, waiting, unfinished, memo FROM thread_status "
                "WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            if row is None or _latest(conn, thread_id) != (row[0], row[1]):
                return None
        except sqlite3.OperationalError:  # no such table (a store from before this record)
            return None
    memo = json.loads(row[4]) if row[4] is not None else None
    return Status(waiting=bool(row[2]), unfinished=bool(row[3]), memo=memo)
