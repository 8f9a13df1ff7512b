"""Videos with known answers for the critic's metrics, generated in code.

Clean previz takes with each camera movement, and broken takes made from them: a cut, 6 Hz
flashes, a 2.25 s freeze, a heavy blur, an over-exposed take, plus ffmpeg's `testsrc2`
pattern (moving, no cut). Files are real H.264 (written with `VideoWriter` or ffmpeg's
lavfi), so the metrics see codec noise as they will in real takes; each is made once per
process and cached in a temporary folder.

Import from tests: `from tests.critic_fixtures import previz_take, cut_take, ...`.
Print the calibration table (CALIBRATION.md): `.venv/bin/python -m tests.critic_fixtures
--calibrate`.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from storyreel.renderer.previz import render_frames
from storyreel.renderer.request import RenderRequest
from storyreel.renderer.video_io import H264_OPTIONS, VideoWriter, ffmpeg_exe, read_frames
from storyreel.tools import critic_metrics as cm

WIDTH, HEIGHT, FPS = 320, 180, 24
MOVEMENTS = ("static", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out")
SUBJECT = {"name": "A", "color": "#c0392b", "accent": "#222222"}
HARBOUR = {"name": "Harbour", "palette": [], "seed": 3}
STREET = {"name": "Old Street", "palette": [], "seed": 5}


@functools.cache
def fixture_dir() -> Path:
    """A temporary folder for this process's fixture files (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="storyreel-critic-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _frozen(frames: np.ndarray) -> np.ndarray:
    frames.setflags(write=False)
    return frames


@functools.cache
def previz_frames(
    movement: str = "static",
    time_of_day: str = "noon",
    frames: int = 48,
    fps: int = FPS,
    speed: str = "fast",
    location: str = "Harbour",
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> np.ndarray:
    """(N, H, W, 3) uint8 previz frames of one LS shot of one subject (read-only, cached).

    Previz moves are exact: pan_left moves content right by 22 % of the width at medium
    speed (x1.8 at "fast"), tilt_up moves it down by 25 % of the height, zoom_in scales
    by 1.4; static repeats one frame.
    """
    place = HARBOUR if location == "Harbour" else {**STREET, "name": location}
    request = RenderRequest(
        prompt="a critic fixture",
        width=size[0],
        height=size[1],
        frames=frames,
        fps=fps,
        options={
            "previz": {
                "movement": movement,
                "speed": speed,
                "size": "LS",
                "subjects": [SUBJECT],
                "location": place,
                "time_of_day": time_of_day,
            }
        },
    )
    return _frozen(np.stack(list(render_frames(request))))


def write_video(name: str, frames: np.ndarray, fps: int = FPS) -> Path:
    """Encode frames to `<fixture_dir>/<name>.mp4` as H.264 (the takes' settings)."""
    path = fixture_dir() / f"{name}.mp4"
    height, width = frames.shape[1:3]
    with VideoWriter(path, width, height, fps) as writer:
        writer.write_all(frames)
    return path


def decoded(path: Path) -> np.ndarray:
    """Every frame of a fixture file, decoded by ffmpeg (read-only)."""
    return _frozen(np.stack(list(read_frames(path))))


# --- clean takes -----------------------------------------------------------------------------


@functools.cache
def previz_take(movement: str = "static", time_of_day: str = "noon", speed: str = "fast") -> Path:
    """A 2 s, 24 fps, 320x180 H.264 previz take with a known camera movement."""
    frames = previz_frames(movement, time_of_day, speed=speed)
    return write_video(f"previz-{movement}-{time_of_day}-{speed}", frames)


@functools.cache
def slow_pan_take() -> Path:
    """A 4 s medium-speed pan_left (content moves 22 % of the width): a gentle real move."""
    return write_video("slow-pan", previz_frames("pan_left", frames=96, speed="medium"))


@functools.cache
def lavfi_testsrc2_take() -> Path:
    """ffmpeg's testsrc2 pattern, 3 s at 24 fps, 320x180: moving parts, one scene."""
    path = fixture_dir() / "testsrc2.mp4"
    source = f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration=3"
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
    command += ["-i", source, *H264_OPTIONS, str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return path


# --- broken takes ----------------------------------------------------------------------------

CUT_AT = 30  # first frame of the second scene in `cut_take`
FREEZE_RANGE = (12, 38)  # frames of `freeze_take` that repeat frame 12 (2.25 s at 12 fps)
FREEZE_FPS = 12


@functools.cache
def cut_take() -> Path:
    """A noon harbour pan for 30 frames, then a night street: a cut at frame CUT_AT."""
    first = previz_frames("pan_left", frames=CUT_AT)
    second = previz_frames("static", "night", frames=30, location="Old Street")
    return write_video("cut", np.concatenate([first, second]))


@functools.cache
def flash_frames() -> np.ndarray:
    """2 s of a static noon shot alternating normal / darkened every 2 frames (6 Hz at 24 fps)."""
    frames = previz_frames("static", frames=48).copy()
    dark = (np.arange(len(frames)) // 2) % 2 == 1
    frames[dark] = (frames[dark] * 0.25).astype(np.uint8)
    return _frozen(frames)


@functools.cache
def flash_take() -> Path:
    """`flash_frames` as H.264: 12 flash edges a second, 6 flashes/s, fails the 3/s rule."""
    return write_video("flashes", flash_frames())


@functools.cache
def freeze_take() -> Path:
    """A 12 fps pan whose frame 12 repeats until frame 38 (FREEZE_RANGE), then moves on."""
    moving = previz_frames("pan_left", frames=36, fps=FREEZE_FPS)
    start, end = FREEZE_RANGE
    held = np.repeat(moving[start : start + 1], end - start, axis=0)
    frames = np.concatenate([moving[: start + 1], held, moving[start + 1 :]])
    return write_video("freeze", frames, fps=FREEZE_FPS)


@functools.cache
def blurry_take() -> Path:
    """The static noon shot under a heavy Gaussian blur (sigma 4 px at 320x180)."""
    frames = np.stack([cv2.GaussianBlur(f, (0, 0), 4) for f in previz_frames("static")])
    return write_video("blurry", frames)


@functools.cache
def overexposed_take() -> Path:
    """The static noon shot with 2.2x gain: sky and most surfaces burn to white."""
    frames = np.clip(previz_frames("static").astype(np.float32) * 2.2, 0, 255).astype(np.uint8)
    return write_video("overexposed", frames)


@functools.cache
def fade_take() -> Path:
    """The static noon shot fading in from black over its first second (2 s in all)."""
    frames = previz_frames("static").astype(np.float32)
    gain = np.clip(np.arange(len(frames)) / FPS, 0, 1)[:, None, None, None]
    return write_video("fade-in", (frames * gain).astype(np.uint8))


@functools.cache
def night_take() -> Path:
    """The static shot at night: dark but correctly exposed for the scene."""
    return previz_take("static", "night")


# --- calibration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A fixture and what each check should say about it (None: no expectation)."""

    name: str
    make: Callable[[], Path]
    fps: float = FPS
    expect: dict[str, Any] = field(default_factory=dict)


# Other plan moves and the label tools/critic.py expects for them (None: no label check).
OTHER_MOVES = {
    "dolly_in": "zoom_in",
    "truck_right": "pan_right",
    "pedestal_up": "tilt_up",
    "crane_down": "tilt_down",
    "orbit_left": None,
    "handheld": None,
}


def _case(movement: str, camera: str | None) -> Case:
    moving = movement != "static"
    expect = {"cut": False, "flashes": False, "frozen": not moving, "moving": moving}
    expect |= {"camera": camera, "blurry": False, "clipped": False}
    return Case(f"previz {movement} (fast, 2 s)", lambda: previz_take(movement), expect=expect)


CLEAN = {"cut": False, "flashes": False, "blurry": False, "clipped": False}
CASES: list[Case] = [
    *(_case(movement, movement) for movement in MOVEMENTS),
    *(_case(movement, camera) for movement, camera in OTHER_MOVES.items()),
    Case(
        "previz pan_left (medium, 4 s)",
        slow_pan_take,
        expect=CLEAN | {"frozen": False, "moving": True, "camera": "pan_left"},
    ),
    Case(
        "previz static night",
        night_take,
        expect=CLEAN | {"frozen": True, "moving": False, "camera": "static"},
    ),
    Case(
        "static fading in from black (1 s)",
        fade_take,
        expect=CLEAN | {"moving": False, "camera": "static"},
    ),
    Case("testsrc2 (lavfi)", lavfi_testsrc2_take, expect=CLEAN | {"frozen": False, "moving": True}),
    Case(
        f"cut at frame {CUT_AT}",
        cut_take,
        expect={"cut": True, "flashes": False, "clipped": False},
    ),
    Case("flashes 6 Hz", flash_take, expect={"flashes": True, "clipped": False}),
    Case(
        f"freeze {FREEZE_RANGE[0]}-{FREEZE_RANGE[1]} @12 fps",
        freeze_take,
        fps=FREEZE_FPS,
        expect=CLEAN | {"frozen": True, "camera": "pan_left"},
    ),
    Case("blurred (sigma 4)", blurry_take, expect={"cut": False, "blurry": True, "frozen": True}),
    Case("over-exposed (x2.2)", overexposed_take, expect={"cut": False, "clipped": True}),
]


def verdicts(metrics: cm.TakeMetrics) -> dict[str, Any]:
    """What each check says about measured metrics, with the module's thresholds."""
    return {
        "cut": bool(metrics.cuts),
        "flashes": metrics.flashes_per_second_max > cm.FLASH_MAX_PER_SECOND,
        "frozen": bool(metrics.frozen),
        "moving": metrics.moving,
        "camera": metrics.camera_motion,
        "blurry": metrics.sharpness < cm.SHARPNESS_BLURRY_BELOW,
        "clipped": metrics.clipped > cm.EXPOSURE_CLIPPED_ABOVE,
    }


def _cell(got: Any, want: Any) -> str:
    text = {True: "yes", False: "no"}.get(got, str(got)) if isinstance(got, bool) else str(got)
    if want is None:
        return text
    return text if got == want else f"**{text}** (want {want})"


def calibration_table() -> str:
    """Measure every case and return the markdown table for CALIBRATION.md."""
    head = (
        "| fixture | cuts (max score) | flicker | flashes/s | frozen | flow top5 (moving pairs) "
        "| moving | camera (dx, dy, scale) | sharpness | clipped mean (median; hi/lo) |"
    )
    lines = [head, "|" + "---|" * 10]
    misses = 0
    for case in CASES:
        m = cm.measure_take(read_frames(case.make()), case.fps)
        got = verdicts(m)
        misses += sum(1 for k, want in case.expect.items() if want is not None and got[k] != want)
        e = case.expect
        frozen = ", ".join(f"{a}-{b}" for a, b in m.frozen) or "none"
        camera = f"{m.camera_dx:+.0f}, {m.camera_dy:+.0f}, {m.camera_scale:.2f}"
        lines.append(
            f"| {case.name} "
            f"| {_cell(got['cut'], e.get('cut'))} {m.cuts or ''} ({m.cut_score_max:.1f}) "
            f"| {m.flicker:.3f} "
            f"| {m.flashes_per_second_max:g} {_cell(got['flashes'], e.get('flashes'))} "
            f"| {frozen} {_cell(got['frozen'], e.get('frozen'))} "
            f"| {m.flow_top5_mean:.1f} ({m.moving_pairs}/{m.sampled_pairs}) "
            f"| {_cell(got['moving'], e.get('moving'))} "
            f"| {_cell(got['camera'], e.get('camera'))} ({camera}) "
            f"| {m.sharpness:.0f} {_cell(got['blurry'], e.get('blurry'))} "
            f"| {m.clipped:.3f} ({m.clipped_median:.3f}; {m.highlights:.3f}/{m.shadows:.3f}) "
            f"{_cell(got['clipped'], e.get('clipped'))} |"
        )
    lines.append("")
    lines.append(f"Checks disagreeing with the expected answer: {misses} (shown in bold).")
    return "\n".join(lines)


def default_takes_table() -> str:
    """Motion metrics of previz takes as storyreel renders them: 640x360, medium speed, 4 s."""
    lines = [
        "| movement | flow top5 (moving pairs) | moving | camera | dx, dy, scale |",
        "|---|---|---|---|---|",
    ]
    for movement in MOVEMENTS:
        frames = previz_frames(movement, frames=96, speed="medium", size=(640, 360))
        m = cm.measure_take(read_frames(write_video(f"default-{movement}", frames)), FPS)
        lines.append(
            f"| {movement} | {m.flow_top5_mean:.1f} ({m.moving_pairs}/{m.sampled_pairs}) "
            f"| {_cell(m.moving, movement != 'static')} | {_cell(m.camera_motion, movement)} "
            f"| {m.camera_dx:+.0f}, {m.camera_dy:+.0f}, {m.camera_scale:.2f} |"
        )
    return "\n".join(lines)


def speed_report(frames: int = 624) -> str:
    """ms/frame of measure_take on a 640x360 previz pan, and ffmpeg decode fps of that file."""
    pan = previz_frames("pan_left", frames=frames, speed="medium", size=(640, 360))
    path = write_video("speed-640x360", pan)
    timings: dict[str, float] = {}
    for _ in range(3):
        for name, run in (
            ("in memory", lambda: cm.measure_take(pan, FPS)),
            ("decode", lambda: sum(1 for _ in read_frames(path, 640, 360))),
            ("decode+measure", lambda: cm.measure_take(read_frames(path, 640, 360), FPS)),
        ):
            started = time.perf_counter()
            run()
            timings[name] = min(timings.get(name, 1e9), time.perf_counter() - started)
    ratio = timings["decode"] / timings["decode+measure"]
    per_frame = timings["in memory"] * 1000 / frames
    return (
        f"{frames} frames at 640x360 (best of 3): measure_take {per_frame:.2f} ms/frame in "
        f"memory; ffmpeg decode {frames / timings['decode']:.0f} fps; "
        f"decode + measure_take {frames / timings['decode+measure']:.0f} fps "
        f"(ratio {ratio:.2f}, target >= 0.33)"
    )


def main(argv: list[str]) -> int:
    """`--calibrate` prints the calibration table; `--speed` the timing on 640x360."""
    if not {"--calibrate", "--speed"} & set(argv):
        print(__doc__)
        return 2
    if "--calibrate" in argv:
        print(calibration_table())
        print()
        print(default_takes_table())
    if "--speed" in argv:
        print(speed_report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
