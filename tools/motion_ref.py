"""The camera movement in a motion reference clip ("open like @video1"), measured once.

The clip is decoded small (256 px wide, at most 12 fps, its first 20 s) and
measured with the critic's camera-motion meter; the label uses the plan's
vocabulary (pan_left, tilt_up, zoom_in, ...), so a shot that names the clip
can take its movement.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import ffmpeg_exe
from storyreel.tools.critic_metrics import measure_take

WIDTH = 256
MAX_FPS = 12.0
MAX_SECONDS = 20.0
MOVES = {"pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out"}
"""Labels a shot can take as its movement ("static", "mixed" and "unknown" are not moves)."""


def _small_frames(path: Path, width: int, height: int, fps: float) -> Iterator[np.ndarray]:
    command = [
        ffmpeg_exe(), "-hide_banner", "-v", "error", "-t", str(MAX_SECONDS), "-i", str(path),
        "-map", "0:v:0", "-vf", f"fps={fps},scale={width}:{height}",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    size = width * height * 3
    try:
        while len(data := process.stdout.read(size)) == size:
            yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def measure_motion(path: Path, width: int, height: int, fps: float) -> str:
    """The clip's dominant camera movement: a MOVES label, "static", "mixed" or "unknown"."""
    small_w = WIDTH
    small_h = max(2, round(WIDTH * height / max(1, width) / 2) * 2)
    rate = min(MAX_FPS, fps or MAX_FPS)
    try:
        metrics = measure_take(_small_frames(path, small_w, small_h, rate), rate)
    except ValueError:  # no frames could be decoded
        return "unknown"
    return metrics.camera_motion
