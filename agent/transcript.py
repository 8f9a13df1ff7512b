"""What was said in a session, in order: the person's messages and the agent's answers.

Kept in the project's agent.db (table `transcript`) so a front end that starts
again can show the conversation so far. The agent's memory of the conversation
is the checkpoint; this is only the readable record.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Role = Literal["person", "agent"]


@dataclass(frozen=True)
class Line:
    """One thing said: who said it (person or agent), the text, and when (UTC ISO)."""

    role: Role
    text: str
    at: str


class Transcript:
    """Append-only record of one session's conversation (thread-safe)."""

    def __init__(self, db_path: Path, session: str) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(db_path), check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA synchronous=NORMAL")  # as the checkpoints (Session)
        with self._lock, self._conn:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS transcript (id INTEGER PRIMARY KEY, "
                "session TEXT NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL)"
            )

    def add(self, role: Role, text: str) -> None:
        """Record `text` said by `role`; empty text is not recorded."""
        if not text.strip():
            return
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO transcript (session, role, text, at) VALUES (?, ?, ?, ?)",
                (self.session, role, text, at),
            )

    def recent(self, limit: int = 50) -> list[Line]:
        """The last `limit` lines, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT role, text, at FROM transcript WHERE session = ? ORDER BY id DESC LIMIT ?",
                (self.session, limit),
            ).fetchall()
        return [Line(role, text, at) for role, text, at in reversed(rows)]

    def close(self) -> None:
        self._conn.close()
