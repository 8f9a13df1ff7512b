"""Benchmark: does the chat app stay responsive while it renders?

Runs the chat app headless on the example story (previz, 360p) and, on the
app's own event loop, a probe that asks to wake every 10 ms and records how
late it wakes. The same probe runs first with the app idle (the baseline).
A frozen UI would show as late wake-ups of hundreds of milliseconds.

The last line is `render/idle p99 lateness ratio: X.XX` (both in ms).
Run: .venv/bin/python bench/tui_latency.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from storyreel.agent.demo_conversation import DEMO_CONVERSATION
from storyreel.apps.tui.app import StoryreelApp
from storyreel.tools.project import Project

TICK_S = 0.01


async def probe(until: callable) -> list[float]:  # type: ignore[valid-type]
    """Lateness (ms) of 10 ms sleeps until `until()` is true."""
    late: list[float] = []
    while not until():
        asked = time.perf_counter()
        await asyncio.sleep(TICK_S)
        late.append((time.perf_counter() - asked - TICK_S) * 1000)
    return late


def summary(name: str, late: list[float]) -> tuple[float, str]:
    ordered = sorted(late)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    row = f"{name:<28}{len(late):>8}{statistics.median(late):>10.1f}{p99:>10.1f}{max(late):>10.1f}"
    return p99, row


async def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "film"
        Project.create(folder, title="Latency").close()
        app = StoryreelApp(folder, offline=True, example=DEMO_CONVERSATION)
        async with app.run_test(size=(150, 44)) as pilot:
            start = time.perf_counter()
            idle = await probe(lambda: time.perf_counter() - start > 3)
            started = time.perf_counter()
            await pilot.press("f2")
            busy = await probe(lambda: not app.busy)
            seconds = time.perf_counter() - started
            shots = app.shots.row_count
            await pilot.press("ctrl+q")
    idle_p99, idle_row = summary("idle", idle)
    busy_p99, busy_row = summary("rendering the example story", busy)
    print(f"example story: {len(DEMO_CONVERSATION)} messages, {shots} shots, {seconds:.1f} s")
    print(f"{'event loop lateness (ms)':<28}{'ticks':>8}{'median':>10}{'p99':>10}{'max':>10}")
    print(idle_row)
    print(busy_row)
    print(f"render/idle p99 lateness ratio: {busy_p99 / max(idle_p99, 0.1):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
