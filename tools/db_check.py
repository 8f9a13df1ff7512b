"""The quick check a project's SQLite files get before anything is read from or written to them.

A damaged file is refused with one line that says what is wrong and the way out;
nothing is written into it (no journal-mode switch, no migration, no "empty database"
made out of a zero-byte file). `storyreel doctor` runs the same checks, and more.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from storyreel.tools.errors import ProjectError

SQLITE_HEADER = b"SQLite format 3\x00"


class DamagedDatabaseError(ProjectError):
    """story.db or agent.db cannot be used as it is (damaged, empty, not SQLite)."""


class ReadOnlyProjectError(ProjectError):
    """The project folder or one of its databases cannot be written."""


def file_problem(path: Path) -> str | None:
    """What is wrong with the file itself before SQLite opens it, or None.

    Catches what SQLite would "repair" by writing: a zero-byte file (SQLite makes an
    empty database of it) and a file that is not SQLite at all.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        return None  # read_only_problem says it, with the fix
    if not head:
        return "the file is empty: 0 bytes"
    if head != SQLITE_HEADER:
        return "it is not a SQLite database: its first bytes are something else"
    return None


def read_only_problem(path: Path) -> str | None:
    """Why `path` (a database in the project folder) cannot be written, with the fix, or None."""
    folder = path.parent.resolve()
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the project folder {folder} is read-only (storyreel writes every change and "
            f"its database journal there); fix the permissions with: chmod u+rwx {folder} "
            f"{folder / path.name}, or copy the project to a folder you own"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return (
            f"{folder / path.name} is read-only or unreadable; fix the permissions with: "
            f"chmod u+rw {folder / path.name}, or copy the project to a folder you own"
        )
    return None


def quick_check(conn: sqlite3.Connection) -> str | None:
    """SQLite's quick_check (page structure, no index cross-check): the first problem, or None."""
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    if rows and rows[0][0] != "ok":
        return one_line(str(rows[0][0]))
    return None


def one_line(problem: str) -> str:
    """SQLite's check output (`*** in database main ***` then a line per problem) as one line."""
    lines = [line.strip() for line in problem.splitlines()]
    lines = [line for line in lines if line and not line.startswith("***")]
    text = "; ".join(lines) or problem.strip()
    if "malformed" not in text:
        text = f"database disk image is malformed: {text}"
    return text


def integrity_check(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """SQLite's full integrity_check: every problem found (up to `limit`), empty when sound."""
    try:
        rows = conn.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else [one_line(text) for text in found]


def table_names(conn: sqlite3.Connection) -> set[str]:
    """The tables in the database (raises sqlite3.DatabaseError on a damaged schema)."""
    rows = conn.execute("select name from sqlite_master where type = 'table'").fetchall()
    return {row[0] for row in rows}


def missing_tables(conn: sqlite3.Connection, required: Iterable[str]) -> list[str]:
    """The required tables the database does not have, in the order given."""
    present = table_names(conn)
    return [name for name in required if name not in present]


def damaged(label: str, what: str, way_out: str) -> DamagedDatabaseError:
    """The one-line refusal: `story.db is damaged (what); way out`."""
    return DamagedDatabaseError(f"{label} is damaged ({what}); {way_out}")


def sqlite_error_problem(error: sqlite3.Error) -> str:
    """An SQLite error in words a person can act on."""
    text = str(error)
    if "file is not a database" in text:
        return "it is not a SQLite database"
    return text
