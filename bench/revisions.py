"""Benchmark: what a revision costs as the story grows (issue 18: revisions hold what changed).

For 10, 100 and 500 shots, builds the same plan twice: one shot per revision (as a person
directing shot by shot does) and in one batch. Prints story.db's size both ways (pages in
use after a checkpoint: page_count - freelist_count, times page_size), the bytes a
revision row holds on average (its summary, its edits and its changes) and the time of
one edit on the grown story (median of a mix: update a shot, add a shot at the end, lock
and unlock a shot, change a character; each is one `ContinuityMemory.apply`, its
transaction committed; the sizes take turns, so the machine's noise (a commit waits for
the disk) falls on all of them alike; `cpu ms` is the process's CPU time alone).

The last line is `revisions 500/10: edit X.XX, db per revision X.XX, one-at-a-time/batch
X.XX`: the edit time and the bytes per revision at 500 shots over those at 10 (targets:
edit <= 3, per revision about 1: a revision costs what it changes, not the plan's size),
and story.db built one shot at a time over the one-batch story.db at 500 shots (target
<= 2).
Run: .venv/bin/python bench/revisions.py [SIZES...]
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    SetLock,
    UpdateCharacter,
    UpdateShot,
)
from storyreel.tools.memory import ContinuityMemory
from storyreel.tools.story import StoryPlan

ROUNDS, PER_ROUND, WARM = 12, 10, 10
"""Edits are timed in rounds of PER_ROUND per size, after WARM untimed ones."""


def _bible() -> list:
    return [
        AddCharacter(name="Mara", description="a woman in her thirties in a red raincoat"),
        AddLocation(name="Harbour", description="a grey stone quay at dawn", time_of_day="dawn"),
    ]


def _shot(i: int) -> AddShot:
    return AddShot(
        action=f"Mara walks along the quay towards the moored boats, shot {i}",
        characters=["Mara"],
        location="Harbour",
        size="MS",
        movement="pan left",
        dialogue="Come home, the tide is turning.",
        duration_s=3,
    )


def _db_bytes(path: Path) -> int:
    """Bytes of story.db's pages in use, after a checkpoint (free pages left out)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("pragma wal_checkpoint(truncate)")
        pages = conn.execute("pragma page_count").fetchone()[0]
        free = conn.execute("pragma freelist_count").fetchone()[0]
        return (pages - free) * conn.execute("pragma page_size").fetchone()[0]
    finally:
        conn.close()


def _revision_bytes(path: Path) -> float:
    """The bytes a revision row holds on average: every column's length."""
    conn = sqlite3.connect(path)
    try:
        columns = [row[1] for row in conn.execute("pragma table_info(revisions)")]
        total = " + ".join(f"coalesce(length([{c}]), 0)" for c in columns)
        return conn.execute(f"select avg({total}) from revisions").fetchone()[0]
    finally:
        conn.close()


def _edits(memory: ContinuityMemory, count: int) -> list:
    """A mix of everyday edits on this story, one per revision."""
    shots = [shot.id for shot in memory.plan().shots]
    edits = []
    for i in range(ROUNDS * PER_ROUND + WARM):
        shot = shots[(i * 7919) % len(shots)]
        edits.append(
            [
                UpdateShot(shot_id=shot, action=f"Mara stops and looks back, take {i}"),
                _shot(count + i),
                SetLock(shot_id=shot, locked=True),
                SetLock(shot_id=shot, locked=False),
                UpdateCharacter(name="Mara", wardrobe=f"red raincoat, version {i}"),
            ][i % 5]
        )
    return edits


def _time(memory: ContinuityMemory, edits: list) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each edit."""
    wall, cpu = [], []
    for edit in edits:
        started, started_cpu = time.perf_counter(), time.process_time()
        memory.apply([edit])
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def measure(count: int, folder: Path) -> tuple[dict[str, float], ContinuityMemory, list]:
    """The sizes of the story built both ways, and the memory to time edits on."""
    batch = ContinuityMemory.create(folder / f"batch{count}.db", StoryPlan(title="Bench"))
    batch.apply([*_bible(), *(_shot(i) for i in range(count))])
    batch.close()
    one_path = folder / f"one{count}.db"
    one = ContinuityMemory.create(one_path, StoryPlan(title="Bench"))
    one.apply(_bible())
    for i in range(count):
        one.apply([_shot(i)])
    revisions = len(one.history())
    one.close()
    result = {
        "one": _db_bytes(one_path),
        "batch": _db_bytes(folder / f"batch{count}.db"),
        "revisions": revisions,
        "per_revision": _revision_bytes(one_path),
    }
    memory = ContinuityMemory.open(one_path)
    return result, memory, _edits(memory, count)


def main(sizes: list[int]) -> None:
    rows = {}
    with tempfile.TemporaryDirectory() as temporary:
        opened = {}
        for count in sizes:
            rows[count], memory, edits = measure(count, Path(temporary))
            _time(memory, edits[:WARM])
            opened[count] = (memory, edits[WARM:])
        wall: dict[int, list[float]] = {count: [] for count in sizes}
        cpu: dict[int, list[float]] = {count: [] for count in sizes}
        for round_ in range(ROUNDS):  # sizes take turns: the machine's noise falls on all
            for count, (memory, edits) in opened.items():
                turn = edits[round_ * PER_ROUND : (round_ + 1) * PER_ROUND]
                spent, spent_cpu = _time(memory, turn)
                wall[count] += spent
                cpu[count] += spent_cpu
        for count, (memory, _) in opened.items():
            memory.close()
            rows[count]["edit_ms"] = statistics.median(wall[count]) * 1000
            rows[count]["cpu_ms"] = statistics.median(cpu[count]) * 1000
    print(
        f"{'shots':>6}{'revisions':>10}{'one-at-a-time':>15}{'one batch':>11}{'ratio':>7}"
        f"{'B/revision':>12}{'ms/edit':>9}{'cpu ms':>8}"
    )
    for count, row in rows.items():
        print(
            f"{count:>6}{row['revisions']:>10}{row['one'] / 1e6:>12.3f} MB"
            f"{row['batch'] / 1e6:>8.3f} MB{row['one'] / row['batch']:>7.2f}"
            f"{row['per_revision']:>12.0f}{row['edit_ms']:>9.2f}{row['cpu_ms']:>8.2f}"
        )
    small, large = rows[min(rows)], rows[max(rows)]
    print(
        f"revisions {max(rows)}/{min(rows)}: edit {large['edit_ms'] / small['edit_ms']:.2f}, "
        f"db per revision {large['per_revision'] / small['per_revision']:.2f}, "
        f"one-at-a-time/batch {large['one'] / large['batch']:.2f}"
    )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10, 100, 500])
