"""The bot's own memory: which Slack thread is which story, and which events were seen.

It is a small SQLite file, `<projects>/slack-bot.db`, so a restarted bot finds
every thread's project and session again and never runs a retried event twice.
The schema is a list of append-only, named migrations applied on open.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storyreel.tools.sqlite_db import Database, Migrations

STORE_FILE = "slack-bot.db"
SEEN_KEEP_S = 7 * 24 * 3600
"""How long a seen event id is remembered (Slack retries within minutes)."""

migrations = Migrations("storyreel-slack")


@migrations()
def m001_threads_and_seen(db: Database) -> None:
    """Threads (one story each) and the event ids already handled."""
    db["threads"].create(
        {
            "key": str,
            "team": str,
            "channel": str,
            "thread_ts": str,
            "folder": str,
            "session": str,
            "progress_ts": str,
            "question_ts": str,
            "created_at": float,
        },
        pk="key",
    )
    db["seen"].create({"key": str, "seen_at": float}, pk="key")
    db["seen"].create_index(["seen_at"])


@dataclass(frozen=True)
class ThreadRef:
    """A Slack thread: workspace, conversation and the ts of its first message."""

    team: str
    channel: str
    thread_ts: str

    @property
    def key(self) -> str:
        return f"{self.team}/{self.channel}/{self.thread_ts}"


@dataclass(frozen=True)
class StoryThread:
    """A thread bound to a story: its project folder (relative to the projects dir),
    the session name, and the messages the bot keeps updating."""

    ref: ThreadRef
    folder: str
    session: str
    progress_ts: str | None = None
    question_ts: str | None = None


def folder_for(ref: ThreadRef) -> str:
    """The project folder name a new thread gets: slack-<channel>-<thread ts>."""
    return re.sub(r"[^A-Za-z0-9-]", "-", f"slack-{ref.channel}-{ref.thread_ts}")


class BotStore:
    """Thread-safe access to slack-bot.db (one connection, one lock).

    Seen keys older than SEEN_KEEP_S are dropped when the store opens.
    """

    def __init__(self, projects_dir: Path) -> None:
        projects_dir.mkdir(parents=True, exist_ok=True)
        self.path = projects_dir / STORE_FILE
        self._conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self.db = Database(self._conn)
        self.db.enable_wal()
        # acks write here on the request path: in WAL mode NORMAL skips the fsync per
        # commit and still never corrupts; a power cut may forget the last moments
        # (a retried event could then run again), never the file
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        with self._lock:
            migrations.apply(self.db)
            with self._conn:
                self._conn.execute(
                    "DELETE FROM seen WHERE seen_at < ?", [time.time() - SEEN_KEEP_S]
                )

    def find(self, ref: ThreadRef) -> StoryThread | None:
        """The story bound to a thread, if any."""
        with self._lock:
            rows = list(self.db["threads"].rows_where("key = ?", [ref.key]))
        if not rows:
            return None
        row = rows[0]
        return StoryThread(
            ref=ref,
            folder=row["folder"],
            session=row["session"],
            progress_ts=row["progress_ts"] or None,
            question_ts=row["question_ts"] or None,
        )

    def bind(self, ref: ThreadRef, session: str = "slack") -> StoryThread:
        """Bind a thread to a new story (or return the story it already has)."""
        with self._lock, self._conn:
            self._insert_thread(ref, session)
        found = self.find(ref)
        assert found is not None
        return found

    def _insert_thread(self, ref: ThreadRef, session: str = "slack") -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO threads (key, team, channel, thread_ts, folder, session, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [ref.key, ref.team, ref.channel, ref.thread_ts, folder_for(ref), session, time.time()],
        )

    def admit(self, keys: Sequence[str], bind: ThreadRef | None = None) -> bool:
        """Record `keys` (event id, message ts...) as handled and, when none was handled
        before, bind the thread `bind` to a story: one transaction, for the ack path.

        Returns:
            False if any key was handled before (nothing is bound then).
        """
        now = time.time()
        with self._lock, self._conn:
            new = [
                self._conn.execute(
                    "INSERT OR IGNORE INTO seen (key, seen_at) VALUES (?, ?)", [key, now]
                ).rowcount
                == 1
                for key in keys
            ]
            if all(new) and bind is not None:
                self._insert_thread(bind)
        return all(new)

    def set_progress(self, ref: ThreadRef, ts: str | None) -> None:
        """Remember (or forget) the message showing a thread's render progress."""
        self._set(ref, "progress_ts", ts)

    def set_question(self, ref: ThreadRef, ts: str | None) -> None:
        """Remember (or forget) the message holding a thread's open question."""
        self._set(ref, "question_ts", ts)

    def _set(self, ref: ThreadRef, column: str, value: str | None) -> None:
        with self._lock, self._conn:
            self._conn.execute(f"UPDATE threads SET {column} = ? WHERE key = ?", [value, ref.key])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()
