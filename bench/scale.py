"""Benchmark: does storyreel stay fast as the story grows?

For each size (10, 100 and 500 shots by default; 5 characters, 5 places) it builds a
story one shot at a time, the way a conversation does (one revision per shot), renders
every shot with previz (180p, 6 fps, 1 s shots) and then measures, in new processes as a
person would meet them:

- story.db bytes (pages in use after a checkpoint, once built);
- `render` with nothing to do (wall time of the command);
- `export` of the whole film (wall time of the command);
- `say`: an offline turn that changes one shot and renders it (wall time of the command);
- ms per edit (median of 50 one-shot `UpdateShot` edits through `ContinuityMemory.apply`)
  and bytes per revision (story.db's growth over those 50 edits, divided by 50);
- the chat app's p99 event-loop lateness while a message changes and renders one shot
  (bench/tui_latency.py's measurement, on a story of the same size it builds), unless
  `--no-chat`.

The last line is `scale 500/10: edit X.XX, say X.XX, db per revision X.XX`: the ratios of
the largest size's figures to the smallest's (1.00 would be no growth at all).
Run: .venv/bin/python bench/scale.py [SIZES ...] [--no-chat]   e.g. `bench/scale.py 10 100`
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, SetStyle, UpdateShot
from storyreel.tools.project import DB_NAME, Project

PEOPLE = ["Ana", "Ben", "Cal", "Dot", "Eve"]
PLACES = ["Pier", "Hill", "Barn", "Shop", "Road"]
SIZES = [10, 100, 500]
EDITS = 50
STORYREEL = [sys.executable, "-m", "storyreel.apps.cli"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}


def build(folder: Path, shots: int) -> None:
    """A story of `shots` shots added one at a time (one revision each)."""
    project = Project.create(folder, title=f"Scale {shots}")
    try:
        project.memory.apply(
            [SetStyle(resolution="180p", fps=6)]
            + [AddCharacter(name=n, description=f"{n}, a person") for n in PEOPLE]
            + [AddLocation(name=p, description=f"the {p.lower()}") for p in PLACES]
        )
        for i in range(shots):
            project.memory.apply(
                [
                    AddShot(
                        action=f"{PEOPLE[i % 5]} crosses the {PLACES[i % 5].lower()}, beat {i}",
                        characters=[PEOPLE[i % 5], PEOPLE[(i + 1) % 5]],
                        location=PLACES[(i * 3) % 5],
                        duration_s=1,
                    )
                ]
            )
    finally:
        project.close()


def db_bytes(folder: Path) -> int:
    """Bytes of story.db's pages in use (the WAL checkpointed first)."""
    with sqlite3.connect(folder / DB_NAME) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
        pages = conn.execute("pragma page_count").fetchone()[0]
        free = conn.execute("pragma freelist_count").fetchone()[0]
        size = conn.execute("pragma page_size").fetchone()[0]
    return int((pages - free) * size)


def edits(folder: Path) -> tuple[float, float]:
    """(median ms per one-shot edit, story.db bytes added per revision) over EDITS edits."""
    before = db_bytes(folder)
    project = Project.open(folder)
    times: list[float] = []
    try:
        ids = [shot.id for shot in project.memory.plan().shots]
        chance = random.Random(7)
        for n in range(EDITS):
            edit = UpdateShot(shot_id=chance.choice(ids), action=f"A changed beat, number {n}")
            started = time.perf_counter()
            project.memory.apply([edit])
            times.append((time.perf_counter() - started) * 1000)
    finally:
        project.close()
    return statistics.median(times), (db_bytes(folder) - before) / EDITS


def command(folder: Path, *args: str) -> float:
    """Wall seconds of one storyreel command in a new process (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [*STORYREEL, "-p", str(folder), *args], capture_output=True, text=True, env=ENV
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"storyreel {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds


def chat_p99(size: int) -> float:
    """p99 lateness (ms) of the chat app's event loop while one message changes and renders
    one shot of a `size`-shot story (bench/tui_latency.py's measurement, two turns)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import tui_latency
    finally:
        sys.path.pop(0)
    return float(asyncio.run(tui_latency.one_shot_turns(size, 2))[0])


def main(sizes: list[int], chat: bool) -> None:
    rows: dict[int, dict[str, float | None]] = {}
    header = (
        f"{'shots':>6}{'story.db KB':>13}{'B/revision':>12}{'ms/edit':>9}{'say s':>8}"
        f"{'render s':>10}{'export s':>10}{'chat p99 ms':>13}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as temporary:
        for size in sizes:
            folder = Path(temporary) / f"film{size}"
            build(folder, size)
            command(folder, "render", "--no-critique")
            row: dict[str, float | None] = {"db": db_bytes(folder) / 1024}
            row["render"] = command(folder, "render", "--no-critique")
            row["export"] = command(folder, "export")
            row["say"] = command(folder, "say", "--offline", "make shot 2 a close-up")
            row["edit"], row["per_revision"] = edits(folder)
            row["chat"] = chat_p99(size) if chat else None
            rows[size] = row
            chat_text = f"{row['chat']:>13.0f}" if row["chat"] is not None else f"{'-':>13}"
            print(
                f"{size:>6}{row['db']:>13.0f}{row['per_revision']:>12.0f}{row['edit']:>9.1f}"
                f"{row['say']:>8.2f}{row['render']:>10.2f}{row['export']:>10.2f}{chat_text}",
                flush=True,
            )
    small, large = rows[min(sizes)], rows[max(sizes)]

    def ratio(key: str) -> float:
        return float(large[key] or 0) / max(float(small[key] or 0), 1e-9)

    print(
        f"scale {max(sizes)}/{min(sizes)}: edit {ratio('edit'):.2f}, say {ratio('say'):.2f}, "
        f"db per revision {ratio('per_revision'):.2f}"
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen = [int(a) for a in arguments if a.isdigit()] or SIZES
    main(sorted(chosen), chat="--no-chat" not in arguments)
