"""The camera movement in a motion reference clip ("open like @video1"), measured once.

The clip is decoded small (256 px wide, at most 12 fps, its first 20 s) and
measured with the critic's camera-motion meter; the label uses the plan's
vocabulary (pan_left, tilt_up, zoom_in, ...), so a shot that names the clip
can take its movement.
"""

from __future__ import annotations

from pathlib import Path

from storyreel.renderer.video_io import read_small_frames
from storyreel.tools.critic_metrics import measure_take

WIDTH = 256
MAX_FPS = 12.0
MAX_SECONDS = 20.0


def measure_motion(path: Path, width: int, height: int, fps: float) -> str:
    """The clip's dominant camera move (pan_left, tilt_up, zoom_in...), "static", "mixed" or
    "unknown"; edits.take_movement_from decides which of these a shot can take."""
    small_w = WIDTH
    small_h = max(2, round(WIDTH * height / max(1, width) / 2) * 2)
    rate = min(MAX_FPS, fps or MAX_FPS)
    try:
        metrics = measure_take(read_small_frames(path, small_w, small_h, rate, MAX_SECONDS), rate)
    except ValueError:  # no frames could be decoded
        return "unknown"
    return metrics.camera_motion
