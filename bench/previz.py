"""Benchmark: previz frame rate against the H.264 encode of the same frames (the floor).

Renders every frame of the demo story ("The Letter", 7 shots, 26 s) at
640x360, 24 fps, and prints frames per second for:

- previz alone (frames rendered to memory),
- encode alone (the same frames, already in memory, encoded with the same
  x264 settings the takes use) - the floor no render can beat,
- previz + encode streamed together, as `storyreel render` does.

The last line is the ratio (previz + encode) / (encode alone); the target
is at least 0.50. Run: .venv/bin/python bench/previz.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import RenderRequest
from storyreel.renderer.video_io import VideoWriter
from storyreel.tools.compiler import compile_request
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.project import Project
from storyreel.tools.rendering import base_seed


def demo_requests(folder: Path, executor: RenderExecutor) -> list[RenderRequest]:
    """Compiled requests of every demo shot (continuations get their source's last frame)."""
    project = Project.create(folder / "demo", title="The Letter")
    project.memory.apply(demo_edits())
    plan = project.memory.plan()
    last_frames: dict[int, Path] = {}
    requests = []
    for shot in plan.ordered_shots():
        request = compile_request(
            plan,
            shot,
            seed=base_seed(shot),
            project_root=project.root,
            first_frame_of=last_frames.get,
        )
        requests.append(request)
        if any(other.continues_from == shot.id for other in plan.shots):
            *_, last = executor.stream("previz", request)
            last_frames[shot.id] = folder / f"last-{shot.id}.png"
            Image.fromarray(last).save(last_frames[shot.id])
    project.close()
    return requests


def main() -> None:
    executor = RenderExecutor()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        requests = demo_requests(folder, executor)
        width, height, fps = requests[0].width, requests[0].height, requests[0].fps
        total = sum(r.frames for r in requests)

        started = time.perf_counter()
        frames = [np.stack(list(executor.stream("previz", r))) for r in requests]
        previz_s = time.perf_counter() - started

        started = time.perf_counter()
        for index, clip in enumerate(frames):
            with VideoWriter(folder / f"encode-{index}.mp4", width, height, fps) as writer:
                writer.write_all(clip)
        encode_s = time.perf_counter() - started
        del frames

        started = time.perf_counter()
        for index, request in enumerate(requests):
            with VideoWriter(folder / f"both-{index}.mp4", width, height, fps) as writer:
                writer.write_all(executor.stream("previz", request))
        both_s = time.perf_counter() - started

    rows = [
        ("previz alone", previz_s),
        ("encode alone (floor)", encode_s),
        ("previz + encode", both_s),
    ]
    print(f"demo: {len(requests)} shots, {total} frames at {width}x{height}, {fps} fps")
    print(f"{'stage':<24}{'seconds':>10}{'frames/s':>12}{'ms/frame':>11}")
    for name, seconds in rows:
        print(f"{name:<24}{seconds:>10.2f}{total / seconds:>12.1f}{1000 * seconds / total:>11.2f}")
    ratio = (total / both_s) / (total / encode_s)
    print(f"previz/encode ratio: {ratio:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
