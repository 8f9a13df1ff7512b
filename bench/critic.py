"""Benchmark: the full critic against decoding alone (the floor), at 640x360.

Renders the demo story's cut with previz (26 s, 624 frames at 640x360), then
times, on that one file:

- decode alone: ffmpeg decoding every frame to RGB (nothing can be faster),
- critic: decoding plus every per-take metric and check (`critique_video`).

The last line is critic fps / decode fps; the target is at least 0.33.
Run: .venv/bin/python bench/critic.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.video_io import read_frames
from storyreel.tools.critic import Expectation, critique_video
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.exports import export
from storyreel.tools.project import Project
from storyreel.tools.rendering import render_shots


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        project = Project.create(Path(temporary) / "demo", title="The Letter")
        project.memory.apply(demo_edits())
        render_shots(project, RenderExecutor())
        cut = export(project, cut=Path(temporary) / "cut.mp4").cut
        project.close()
        assert cut is not None

        started = time.perf_counter()
        frames = sum(1 for _ in read_frames(cut))
        decode_s = time.perf_counter() - started

        started = time.perf_counter()
        result = critique_video(cut, Expectation(label="The cut"))
        critic_s = time.perf_counter() - started

    print(f"file: the demo cut, {frames} frames at 640x360")
    print(f"{'stage':<16}{'seconds':>10}{'frames/s':>12}{'ms/frame':>11}")
    for name, seconds in (("decode alone", decode_s), ("critic", critic_s)):
        rate, cost = frames / seconds, 1000 * seconds / frames
        print(f"{name:<16}{seconds:>10.2f}{rate:>12.1f}{cost:>11.2f}")
    print(f"verdict on the whole cut: {result.verdict} ({len(result.findings)} findings)")
    print(f"critic/decode ratio: {decode_s / critic_s:.2f}")


if __name__ == "__main__":
    main()
