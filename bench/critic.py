"""Benchmark: the full critic against decoding alone (the floor), at 640x360.

Renders the demo story's cut with previz (26 s, 624 frames at 640x360), then
times, on that one file:

- decode alone: ffmpeg decoding every frame to RGB (nothing can be faster),
- critic: decoding plus every per-take metric and check (`critique_video`).

Then the same on the worst case for the cut check: a 1-frame-width-a-second pan
over a photograph (tests/photo_fixtures.py), where every frame's raw content
score is over the cut threshold, so every frame is compensated for the camera.

The last line is critic fps / decode fps on the demo cut; the target is at least
0.33.
Run: .venv/bin/python bench/critic.py
"""

from __future__ import annotations

import sys
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


def _timed(path: Path, expect: Expectation) -> tuple[int, float, float, str]:
    """(frames, decode seconds, critic seconds, verdict) for one file."""
    started = time.perf_counter()
    frames = sum(1 for _ in read_frames(path))
    decode_s = time.perf_counter() - started
    started = time.perf_counter()
    result = critique_video(path, expect)
    critic_s = time.perf_counter() - started
    return frames, decode_s, critic_s, f"{result.verdict} ({len(result.findings)} findings)"


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.photo_fixtures import CASES, make_fixture

    with tempfile.TemporaryDirectory() as temporary:
        project = Project.create(Path(temporary) / "demo", title="The Letter")
        project.memory.apply(demo_edits())
        render_shots(project, RenderExecutor())
        cut = export(project, cut=Path(temporary) / "cut.mp4").cut
        project.close()
        assert cut is not None

        case = next(c for c in CASES if c.name == "pan_right-hubble_deep_field-1w-cosine-640")
        pan = make_fixture(case, Path(temporary))
        runs = [
            ("the demo cut", *_timed(cut, Expectation(label="The cut"))),
            ("1 width/s photo pan", *_timed(pan, Expectation("pan_right", label="The pan"))),
        ]

    print(f"{'file':<22}{'frames':>7}{'decode fps':>12}{'critic fps':>12}{'ratio':>7}  verdict")
    for name, frames, decode_s, critic_s, verdict in runs:
        ratio = decode_s / critic_s
        print(
            f"{name:<22}{frames:>7}{frames / decode_s:>12.1f}{frames / critic_s:>12.1f}"
            f"{ratio:>7.2f}  {verdict}"
        )
    _, _, decode_s, critic_s, _ = runs[0]
    print(f"critic/decode ratio: {decode_s / critic_s:.2f}")


if __name__ == "__main__":
    main()
