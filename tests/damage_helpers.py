"""A small rendered project to damage, and ways to damage it the way the issue found."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot
from storyreel.tools.project import Project
from storyreel.tools.rendering import render_shots


def build_rendered_project(folder: Path) -> Path:
    """Two short previz shots, rendered and selected, and an agent.db with one session."""
    project = Project.create(folder, title="Damage")
    project.memory.apply(
        [
            AddCharacter(name="Mara", description="a woman in a red raincoat"),
            AddLocation(name="Harbour", description="stone quay", time_of_day="dusk"),
            AddShot(action="Mara on the quay", characters=["Mara"], location="Harbour",
                    duration_s=1),
            AddShot(action="Mara reads", characters=["Mara"], location="Harbour", duration_s=1),
        ]
    )  # fmt: skip
    project.memory.apply([_style_180p()])
    render_shots(project, RenderExecutor())
    project.close()
    with sqlite3.connect(folder / "agent.db") as conn:  # what a session leaves behind
        conn.execute("CREATE TABLE checkpoints (thread_id TEXT, checkpoint_ns TEXT)")
        conn.execute("CREATE TABLE writes (thread_id TEXT, checkpoint_ns TEXT)")
        conn.execute(
            "CREATE TABLE transcript (id INTEGER PRIMARY KEY, session TEXT, role TEXT, "
            "text TEXT, at TEXT)"
        )
        conn.execute("INSERT INTO transcript VALUES (1, 'main', 'person', 'hello', 'now')")
    conn.close()
    return folder


def _style_180p():
    from storyreel.tools.edits import SetStyle

    return SetStyle(resolution="180p")


def copy_project(base: Path, folder: Path) -> Path:
    shutil.copytree(base, folder)
    return folder


def execute(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def garble_middle(path: Path, size: int = 8192) -> None:
    """Random bytes over the middle of a file (as a bad disk or a bad copy would)."""
    length = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(max(length // 2 - size // 2, 100))
        handle.write(random.Random(15).randbytes(size))


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of the project except SQLite's -wal/-shm side files and render.lock."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm")) and p.name != "render.lock"
    }
