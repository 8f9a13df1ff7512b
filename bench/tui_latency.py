"""Benchmark: does the chat app stay responsive while it renders?

Runs the chat app headless and, on the app's own event loop, a probe that asks
to wake every 10 ms and records how late it wakes. A frozen UI shows as late
wake-ups of hundreds of milliseconds.

Two parts:
- the example story (previz, 360p), typed message by message, against the
  same probe with the app idle (the baseline);
- big stories (10, 100 and 500 shots, every shot with a take; built in a few
  batches of edits) where one message changes one shot and the turn renders it:
  the p99 lateness and the longest stall while that turn runs.

The last line is `tui 500 shots: p99 late X ms, max stall Y ms (10 shots: ...)`.
Targets at 500 shots: p99 lateness under 50 ms, no stall over 150 ms.
Run: .venv/bin/python bench/tui_latency.py [--sizes 10,100,500] [--no-example]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input

from storyreel.agent.demo_conversation import DEMO_CONVERSATION
from storyreel.apps.tui.app import StoryreelApp
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import AddShot, SelectTake, SetStyle
from storyreel.tools.project import Project
from storyreel.tools.rendering import (
    _Run,
    base_seed,
    keyframe_path,
    last_frame_path,
    render_shots,
)

TICK_S = 0.01
SIZES = ("ELS", "LS", "MS", "WS", "MCU")
MOVES = ("static", "pan left", "dolly in", "tracking", "tilt up")


async def probe(until: Callable[[], bool]) -> list[float]:
    """Lateness (ms) of 10 ms sleeps until `until()` is true."""
    late: list[float] = []
    while not until():
        asked = time.perf_counter()
        await asyncio.sleep(TICK_S)
        late.append((time.perf_counter() - asked - TICK_S) * 1000)
    return late


def p99(late: list[float]) -> float:
    ordered = sorted(late)
    return ordered[int(0.99 * (len(ordered) - 1))]


def summary(name: str, late: list[float]) -> tuple[float, str]:
    row = (
        f"{name:<32}{len(late):>8}{statistics.median(late):>10.1f}"
        f"{p99(late):>10.1f}{max(late):>10.1f}"
    )
    return p99(late), row


HEADER = f"{'event loop lateness (ms)':<32}{'ticks':>8}{'median':>10}{'p99':>10}{'max':>10}"


async def example_story() -> None:
    """The example story typed into the app, against the app idle."""
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
    print(HEADER)
    print(idle_row)
    print(busy_row)
    print(f"render/idle p99 lateness ratio: {busy_p99 / max(idle_p99, 0.1):.2f}")


def build_story(folder: Path, count: int) -> None:
    """A story of `count` one-second shots (every tenth continues from the one before),
    each with an intact selected take, in a few batches of edits.

    One shot is rendered with previz; the others get copies of its file registered
    as their takes (with their own request hashes), which is what a finished story
    looks like to the chat app, without rendering `count` shots.
    """
    project = Project.create(folder, title="Big")
    memory = project.memory
    bible = [edit for edit in demo_edits() if edit.kind != "add_shot"]
    memory.apply([SetStyle(resolution="180p", fps=12), *bible])
    batch: list[AddShot] = []
    for i in range(count):
        batch.append(
            AddShot(
                action=f"Mara walks past boat {i}",
                size=SIZES[i % len(SIZES)],
                movement=MOVES[i % len(MOVES)],
                characters=["Mara"],
                location="Harbour" if i % 2 else "Lighthouse",
                duration_s=1,
                continues_from=i if i % 10 == 9 else None,  # shot ids start at 1
            )
        )
        if len(batch) == 100:
            memory.apply(batch)
            batch = []
    if batch:
        memory.apply(batch)
    shots = memory.plan().ordered_shots()
    render_shots(project, RenderExecutor(), [shots[0].id])
    run = _Run(project)
    source = run.selected(shots[0].id)
    assert source is not None
    selections = []
    for shot in shots[1:]:
        request = run.compile(shot, base_seed(shot))
        request_hash = request.request_hash()
        path = project.takes_dir / f"{request_hash[:24]}.mp4"
        shutil.copyfile(project.file_of(source.path), path)
        take = source.model_copy(
            update={
                "shot_id": shot.id,
                "seed": request.seed,
                "prompt": request.prompt,
                "request_hash": request_hash,
                "content_hash": request.content_hash(),
                "path": path.relative_to(project.root).as_posix(),
                "params": request.model_dump(mode="json"),
            }
        )
        shutil.copyfile(keyframe_path(project, source), keyframe_path(project, take))
        shutil.copyfile(last_frame_path(project, source), last_frame_path(project, take))
        run.remember(memory.register_take(take).take)
        selections.append(SelectTake(shot_id=shot.id, take=1))
    if selections:
        memory.apply(selections, source="cli:render")
    project.close()


async def one_shot_turns(count: int, turns: int) -> tuple[float, float, float, int]:
    """p99 lateness, max stall (ms), seconds per turn and ticks while `turns` messages
    each change and render one shot of a `count`-shot story (the ticks pooled)."""
    late: list[float] = []
    seconds = 0.0
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "film"
        build_story(folder, count)
        app = StoryreelApp(folder, offline=True, autopilot=True)
        async with app.run_test(size=(150, 44)) as pilot:
            while app.busy or app.shots.row_count < count:  # the story is read at start
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            for turn in range(turns):
                target = (turn + 1) * count // (turns + 1) + 1
                box = app.query_one("#direction", Input)
                message = f"make shot {target} a close-up"
                box.value = message
                started = time.perf_counter()
                # the probe runs beside the key press: the pilot waits for the app to settle
                watching = asyncio.create_task(
                    probe(
                        lambda message=message: (
                            ("person", message) in app.chat.lines and not app.busy
                        )
                    )
                )
                await pilot.press("enter")
                late += await watching
                seconds += time.perf_counter() - started
                changed = str(app.shots.get_cell(str(target), "size"))
                rendered = str(app.shots.get_cell(str(target), "takes"))
                if changed != "CU" or rendered != "2":
                    raise AssertionError(f"shot {target} shows size {changed}, {rendered} takes")
                await pilot.pause(0.2)
            await pilot.press("ctrl+q")
    return p99(late), max(late), seconds / turns, len(late)


async def big_stories(sizes: list[int], turns: int) -> None:
    results: dict[int, tuple[float, float, float, int]] = {}
    for count in sizes:
        results[count] = await one_shot_turns(count, turns)
    print()
    print(f"one message changes and renders one shot (previz, 180p), {turns} turns each:")
    print(f"{'shots':>6}{'turn s':>9}{'ticks':>8}{'p99 late ms':>14}{'max stall ms':>15}")
    for count, (late, stall, seconds, ticks) in results.items():
        print(f"{count:>6}{seconds:>9.2f}{ticks:>8}{late:>14.1f}{stall:>15.1f}")
    biggest = max(results)
    others = ", ".join(
        f"{count} shots: {results[count][0]:.0f} / {results[count][1]:.0f} ms"
        for count in sorted(results)
        if count != biggest
    )
    late, stall = results[biggest][:2]
    print(
        f"tui {biggest} shots: p99 late {late:.0f} ms, max stall {stall:.0f} ms"
        + (f" ({others})" if others else "")
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500", help="story sizes, comma separated")
    parser.add_argument("--turns", type=int, default=3, help="one-shot turns per story size")
    parser.add_argument("--no-example", action="store_true", help="skip the example story")
    args = parser.parse_args()
    if not args.no_example:
        await example_story()
    await big_stories([int(size) for size in args.sizes.split(",")], args.turns)


if __name__ == "__main__":
    asyncio.run(main())
