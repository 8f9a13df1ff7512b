"""Weight-free measurements of a take, for the critic: NumPy and OpenCV only, no model weights.

`measure_take(frames, fps)` reads the frames once, as they stream, and returns a
`TakeMetrics`: scene cuts inside the take, temporal flicker, luminance flashes,
frozen stretches, how much the picture moves (dynamic degree), which way the
camera moved (a label in the plan's vocabulary), sharpness and exposure, plus
the first and last frames for continuity checks. `look_stats`, `look_distance`
and `frame_match` compare single frames across shots.

Every metric follows a published definition (named in its docstring) and its
thresholds are the named constants below; CALIBRATION.md records how they
behave on fixtures with known answers (`python -m tests.critic_fixtures
--calibrate` reprints that table). The metrics measure; deciding what is a
problem for a given shot (a frozen picture is fine in a shot planned static)
is the critic's job (tools/critic.py).

Cost: each frame is downscaled once (integer factor, INTER_AREA) for the cut,
flash and colour work; the full-size frame is only differenced against the
previous one (flicker, freezes). Optical flow and point tracking run on grey
frames with a 96 px short side, on pairs sampled at about 8 fps, in a worker
thread; sharpness and exposure on frames sampled at about 2 fps. About 0.9 ms
per 640x360 frame on 2 cores (CALIBRATION.md has the measurement).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any

import cv2
import numpy as np

# --- thresholds and working sizes -----------------------------------------------------------

# Cuts: PySceneDetect ContentDetector defaults (threshold 27, min_scene_len 15 frames); frames
# are first downscaled by an integer factor to about 256 px wide, as its auto-downscale does.
CUT_THRESHOLD = 27.0
CUT_MIN_SCENE_FRAMES = 15
WORK_WIDTH = 256
# A camera move changes every pixel of a textured picture, so a pan over foliage or a photograph
# reaches that score without any cut. A frame at or above the threshold is a cut only when the
# difference stays at or above it after the camera's motion is compensated (the previous frame
# warped onto this one by the similarity the point tracker measures; storyreel's rule, see
# `compensated_difference`), and when the picture does not come back within a flash's length
# (a flash or a one-frame glitch is not a cut; the flash check judges flashes).
# Two plain or grey pictures differ little in hue and saturation, so a cut between them can
# score under 27. A frame also counts as a candidate when its score is at least
# CUT_ADAPTIVE_MIN and CUT_ADAPTIVE_RATIO times the mean of the CUT_ADAPTIVE_WINDOW frames
# before it (PySceneDetect AdaptiveDetector defaults: min_content_val 15, adaptive_threshold
# 3, window_width 2; here looking back only, so the take still streams). Camera compensation
# then decides as for any candidate.
CUT_ADAPTIVE_MIN = 15.0
CUT_ADAPTIVE_RATIO = 3.0
CUT_ADAPTIVE_WINDOW = 2
CUT_RETURN_S = 0.25  # the picture that comes back within this long was a flash, not a cut
CUT_MIN_OVERLAP = 0.5  # below this share of the frame left after warping, compensation is void

# Dissolves: the picture turns into another one gradually, so no single step is a cut. Over a
# window of DISSOLVE_WINDOW_S, with the camera's motion compensated, at least
# DISSOLVE_MIN_SHARE of the pixels (of at least CUT_MIN_OVERLAP of the frame both ends show)
# change by more than DISSOLVE_PIXEL_CHANGE grey levels (the same photograph moved: none),
# and the frame in the middle is a mix of the two ends: the best blend
# (1 - a) * start + a * end with DISSOLVE_MIX_RANGE leaves under DISSOLVE_MAX_RESIDUAL of the
# difference to the nearer end (a person walking is at a new place, not a ghost at both).
# Fades are not dissolves: both ends must show a picture (grey spread >= DISSOLVE_MIN_SPREAD).
DISSOLVE_WINDOW_S = 1.0
DISSOLVE_MIN_SHARE = 0.2
DISSOLVE_PIXEL_CHANGE = 32
DISSOLVE_MIX_RANGE = (0.15, 0.85)
DISSOLVE_MAX_RESIDUAL = 0.5
DISSOLVE_MIN_SPREAD = 10.0

# Flashes: WCAG 2.x "general flash" (a pair of opposing changes of >= 10 % relative luminance
# where the darker state is below 0.80) and its "no more than three flashes in any one second".
FLASH_LUMINANCE_CHANGE = 0.1
FLASH_DARKER_BELOW = 0.8
FLASH_MAX_PER_SECOND = 3.0
FLASH_MAX_RAMP_S = 0.25  # a change slower than this is a fade or a pan, not a flash edge

# Frozen frames: FFmpeg freezedetect defaults (noise -60 dB = 0.001 of full scale, d = 2 s);
# "or a quarter of the take" is storyreel's addition for short takes.
FREEZE_NOISE = 0.001
FREEZE_MIN_S = 2.0
FREEZE_MIN_SHARE = 0.25

# Dynamic degree: VBench dynamic_degree (pairs sampled at ~8 fps, mean of the top 5 % flow
# magnitudes, moving when > 6 px at a 256 px short side in >= round(4 N / 16) of N pairs).
DYNAMIC_SAMPLE_FPS = 8.0
DYNAMIC_TOP_SHARE = 0.05
DYNAMIC_REFERENCE_SIDE = 256
DYNAMIC_THRESHOLD = 6.0
# Grey frames for optical flow and tracking are resized to this short side. VBench measures at
# full size and scales its threshold; we scale the flow instead. 96 px, not 128-180: Farneback
# costs ~2 ms a pair at 96 px against ~5 ms at 128 px, which decides the 1/3-of-decode target.
FLOW_SHORT_SIDE = 96

# Camera motion: VBench-2.0 camera_motion (edge-midpoint displacement first -> last frame; a
# direction counts when |d| > 0.005 * min(H, W)).
CAMERA_MIN_SHIFT = 0.005
CAMERA_EDGE_MARGIN = 0.05  # edge midpoints sit this far in from the border (a 10x10 grid's rim)
CAMERA_DOMINANCE = 2.0  # one part must be this many times the next to name one label
CAMERA_MAX_FAILED_SHARE = 0.25  # more untrackable steps than this -> "unknown"

# Sharpness: variance of the Laplacian (Pech-Pacheco et al. 2000) on grey frames shrunk so the
# long side is at most 512 px (never enlarged); a median below 100 is blurry (rule of thumb).
SHARPNESS_LONG_SIDE = 512
SHARPNESS_BLURRY_BELOW = 100.0
QUALITY_SAMPLE_FPS = 2.0

# Exposure: share of grey pixels above 250 or below 5; more than 1 % is clipped.
EXPOSURE_HIGH = 250
EXPOSURE_LOW = 5
EXPOSURE_CLIPPED_ABOVE = 0.01

# Cross-shot look (MSVBench): HSV histogram bins for the Hellinger distance.
LOOK_HIST_BINS = (16, 4, 4)

CAMERA_LABELS = (
    "static",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "zoom_in",
    "zoom_out",
    "roll",
    "mixed",
    "unknown",
)

_REC709 = (0.2126, 0.7152, 0.0722)


def _srgb_to_linear_lut() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.repeat(linear.astype(np.float32)[:, None], 3, axis=1).reshape(1, 256, 3)


_LINEAR_LUT = _srgb_to_linear_lut()


# --- the result ------------------------------------------------------------------------------


@dataclass
class TakeMetrics:
    """What `measure_take` measured on one take. `as_dict()` gives the JSON-friendly part.

    Fields:
        frames, fps, duration_s, width, height: the take's size and timing.
        single_frame: True when the take has one frame (motion fields are then neutral).
        cuts: frame indices where a new scene starts inside the take (empty for one take).
        cut_score_max: the largest HSV content difference between neighbours (cut at >= 27).
        cut_candidates: frames at or above the threshold before camera compensation.
        dissolves: (first, last) frame ranges in which the picture dissolves into another.
        cut_score_compensated_max: the largest difference left after compensating the camera
            motion on those frames (0 when there was none; a cut keeps >= 27).
        flicker: VBench temporal_flickering, 0..1; 1.0 is a perfectly still picture.
        flashes: frame indices where a luminance flash edge (a change >= 0.1) completes.
        flashes_per_second_max: most flashes (pairs of opposing edges) in any 1 s window;
            more than 3 fails the photosensitivity rule.
        frozen: (first, last) frame index ranges that stay still >= 2 s or >= 1/4 of the take.
        flow_top5_mean, flow_top5_max: mean and max over sampled pairs of the mean of the
            top 5 % optical-flow magnitudes, in pixels at a 256 px short side.
        moving_threshold: the per-pair threshold on that scale (6.0 at >= 8 fps).
        moving_pairs, sampled_pairs: pairs above the threshold / pairs measured.
        moving: VBench dynamic degree: True when moving_pairs >= round(4 * sampled_pairs / 16).
        camera_motion: "static", "pan_left", "pan_right", "tilt_up", "tilt_down",
            "zoom_in", "zoom_out", "mixed" (no dominant move) or "unknown" (untrackable).
        camera_labels: every move above the threshold, the largest first.
        camera_dx, camera_dy: content displacement first -> last frame, in pixels of the
            take (+x right, +y down); content moving right means the camera panned left.
        camera_scale: content scale first -> last (> 1 grows, i.e. zoom in).
        camera_zoom: outward displacement of the edge midpoints first -> last, in pixels of the
            take (> 0 content grows).
        camera_roll: rotation of the content first -> last in degrees (> 0 clockwise on screen).
        camera_shake: how far the picture wandered beyond its net move, in pixels of the take
            (path length of the frame centre over the sampled steps minus the net distance):
            near 0 for a still or a steady move, several pixels for a handheld camera.
        camera_failed_steps, camera_steps: tracking steps that failed / steps taken.
        sharpness: median variance of the Laplacian at <= 512 px long side (< 100 is blurry).
        clipped: mean share of grey pixels > 250 or < 5 over sampled frames (> 0.01 clipped).
        clipped_max: that share in the worst sampled frame.
        clipped_median: the median share (a fade from black lifts the mean, not the median).
        highlights, shadows: mean shares of pixels > 250 and < 5 separately (night scenes and
            fades are legitimately dark: look at `shadows` before calling them clipped).
        first_frame, last_frame: RGB uint8 arrays (not in `as_dict()`).
    """

    frames: int
    fps: float
    duration_s: float
    width: int
    height: int
    single_frame: bool
    cuts: list[int]
    cut_score_max: float
    cut_candidates: int
    cut_score_compensated_max: float
    dissolves: list[tuple[int, int]]
    flicker: float
    flashes: list[int]
    flashes_per_second_max: float
    frozen: list[tuple[int, int]]
    flow_top5_mean: float
    flow_top5_max: float
    moving_threshold: float
    moving_pairs: int
    sampled_pairs: int
    moving: bool
    camera_motion: str
    camera_labels: list[str]
    camera_dx: float
    camera_dy: float
    camera_scale: float
    camera_zoom: float
    camera_roll: float
    camera_shake: float
    camera_failed_steps: int
    camera_steps: int
    sharpness: float
    clipped: float
    clipped_max: float
    clipped_median: float
    highlights: float
    shadows: float
    first_frame: np.ndarray = field(repr=False)
    last_frame: np.ndarray = field(repr=False)

    def camera_parts(self) -> dict[str, float]:
        """Each part of the camera's net move in pixels of the take (see `camera_parts`)."""
        turn = _turn_px(self.camera_roll, self.width, self.height)
        return camera_parts(self.camera_dx, self.camera_dy, self.camera_zoom, turn)

    def as_dict(self) -> dict[str, float | int | str | bool | list]:
        """Every field except the frames, with plain Python types (JSON-ready)."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                continue
            if item.name in ("frozen", "dissolves"):
                value = [[int(a), int(b)] for a, b in value]
            elif isinstance(value, list):
                value = list(value)
            out[item.name] = value
        return out


# --- single-metric helpers (each small and documented) ---------------------------------------


def content_difference(hsv_a: np.ndarray, hsv_b: np.ndarray) -> float:
    """PySceneDetect ContentDetector score of two HSV frames: mean over H, S, V of mean |diff|.

    Hue is OpenCV's 0..179 scale and is not wrapped (as in PySceneDetect). A cut is a score
    >= CUT_THRESHOLD (27).
    """
    means = cv2.mean(cv2.absdiff(hsv_a, hsv_b))
    return (means[0] + means[1] + means[2]) / 3.0


def scene_cuts(scores: list[float], threshold: float = CUT_THRESHOLD) -> list[int]:
    """Frame indices starting a new scene, from `scores[i]` = difference of frames i-1 and i.

    PySceneDetect ContentDetector rule: a cut at frame i when the score is >= `threshold` and
    at least CUT_MIN_SCENE_FRAMES (15) frames have passed since the start or the last cut.
    `scores[0]` (no previous frame) is ignored.
    """
    cuts: list[int] = []
    last = 0
    for i in range(1, len(scores)):
        if scores[i] >= threshold and i - last >= CUT_MIN_SCENE_FRAMES:
            cuts.append(i)
            last = i
    return cuts


def temporal_flicker(mean_abs_diffs: list[float]) -> float:
    """VBench temporal_flickering: (255 - mean over pairs of mean |f_t - f_t+1|) / 255.

    `mean_abs_diffs` are per-pair means over all pixels and channels on the 0..255 scale.
    1.0 means identical frames; VBench applies it to shots meant to be static. With no pair
    (one frame) the score is 1.0.
    """
    if not mean_abs_diffs:
        return 1.0
    return (255.0 - float(np.mean(mean_abs_diffs))) / 255.0


def relative_luminance(frame: np.ndarray) -> float:
    """Mean relative luminance (0..1) of an RGB uint8 frame.

    Each sRGB channel is linearised (IEC 61966-2-1), averaged over the frame, then weighted
    with Rec.709 / sRGB coefficients (0.2126, 0.7152, 0.0722), as WCAG 2.x defines relative
    luminance. The frame mean stands in for WCAG's area rule (a flash must cover about a
    quarter of the central field of view): a flash over a quarter of the frame changes the
    mean by a quarter of its own change. `measure_take` passes a copy of about 80x45 px
    (averaging before linearising reads fine detail a little darker; flashes are broad).
    """
    means = cv2.mean(cv2.LUT(frame, _LINEAR_LUT))
    return float(_REC709[0] * means[0] + _REC709[1] * means[1] + _REC709[2] * means[2])


def flash_edges(luminance: list[float], fps: float) -> list[int]:
    """Frame indices where a flash edge completes, from per-frame relative luminance.

    An edge is a swing of >= FLASH_LUMINANCE_CHANGE (0.1) from the last extreme, opposite to
    the previous swing (a zig-zag with hysteresis, so a change spread over two or three
    frames still counts and codec noise does not), whose darker side is below 0.8 (WCAG),
    and which is fast: the luminance moved >= 0.1 within the last FLASH_MAX_RAMP_S (0.25 s).
    A steady pan, zoom or a fade changes luminance slowly or one way only, so it never adds
    up to flashes.
    """
    ramp = max(1, round(FLASH_MAX_RAMP_S * fps))
    edges: list[int] = []
    direction = 0  # +1 after a rise (watching for a fall), -1 after a fall
    low = high = luminance[0] if luminance else 0.0
    for i, value in enumerate(luminance):
        high, low = max(high, value), min(low, value)
        recent = luminance[max(0, i - ramp) : i + 1]
        if direction <= 0 and value - low >= FLASH_LUMINANCE_CHANGE:
            if value - min(recent) >= FLASH_LUMINANCE_CHANGE and low < FLASH_DARKER_BELOW:
                edges.append(i)
            direction, high = 1, value
        elif direction >= 0 and high - value >= FLASH_LUMINANCE_CHANGE:
            if max(recent) - value >= FLASH_LUMINANCE_CHANGE and value < FLASH_DARKER_BELOW:
                edges.append(i)
            direction, low = -1, value
    return edges


def flashes_per_second(edges: list[int], fps: float) -> float:
    """Most flashes in any one-second window: flash edges in the window / 2.

    A flash is a pair of opposing changes (WCAG, Ofcom, ITU-R BT.1702), so 7 edges in a
    second are 3.5 flashes; more than FLASH_MAX_PER_SECOND (3) fails.
    """
    if not edges:
        return 0.0
    window = max(1, round(fps))
    best, start = 0, 0
    for end in range(len(edges)):
        while edges[end] - edges[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best / 2.0


def frozen_ranges(mean_abs_diffs: list[float], fps: float, frames: int) -> list[tuple[int, int]]:
    """(first, last) frame ranges that stay still, FFmpeg freezedetect style.

    `mean_abs_diffs[k]` is the mean |frame k+1 - reference| on the 0..255 scale, where the
    reference is the first frame of the current still stretch (as freezedetect does).
    Frames are still while that is <= FREEZE_NOISE (0.001) of full scale; a still stretch
    counts when it is shown for >= FREEZE_MIN_S (2 s) or >= FREEZE_MIN_SHARE (1/4) of the
    take.
    """
    if frames <= 1 or fps <= 0:
        return []
    need = min(FREEZE_MIN_S, FREEZE_MIN_SHARE * frames / fps)
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for k, diff in enumerate([*mean_abs_diffs, math.inf]):
        if diff / 255.0 <= FREEZE_NOISE:
            if start is None:
                start = k
        elif start is not None:
            first, last = start, k  # pairs start..k-1 still -> frames start..k
            if (last - first + 1) / fps >= need:
                ranges.append((first, last))
            start = None
    return ranges


def top_flow_magnitude(flow: np.ndarray) -> float:
    """VBench dynamic_degree pair score: mean of the top 5 % optical-flow magnitudes (pixels)."""
    magnitude = cv2.magnitude(flow[..., 0], flow[..., 1]).ravel()
    count = max(1, int(magnitude.size * DYNAMIC_TOP_SHARE))
    return float(np.partition(magnitude, magnitude.size - count)[-count:].mean())


def dense_flow(grey_a: np.ndarray, grey_b: np.ndarray) -> np.ndarray:
    """Farneback optical flow (H, W, 2) from grey frame a to b, in pixels of those frames.

    OpenCV's usual settings (pyramid 0.5, 3 levels, 15 px window, poly_n 5, sigma 1.2) with
    2 iterations instead of 3: 20 % faster, top-5 % magnitudes within 2 % on the fixtures.
    VBench uses RAFT, a learned model; Farneback is the weight-free stand-in. (OpenCV's DIS
    flow is 4x faster but was rejected: its top 5 % is dominated by outliers in flat areas
    such as skies, up to 60 px on a 1 px pan; CALIBRATION.md.)
    """
    return cv2.calcOpticalFlowFarneback(grey_a, grey_b, None, 0.5, 3, 15, 2, 5, 1.2, 0)


def _normalised(grey: np.ndarray) -> np.ndarray:
    """`grey` stretched to mean 128 and standard deviation 48 (uint8)."""
    mean, std = cv2.meanStdDev(grey)
    gain = 48.0 / max(float(std[0, 0]), 1.0)
    return cv2.convertScaleAbs(grey, alpha=gain, beta=128.0 - gain * float(mean[0, 0]))


def track_step(grey_a: np.ndarray, grey_b: np.ndarray) -> np.ndarray | None:
    """Similarity transform (2x3) taking content of grey frame a to frame b, or None.

    Both frames are first normalised to the same mean and contrast, so a fade or an
    exposure drift does not read as motion. Corners (Shi-Tomasi) of a are tracked into b
    with pyramidal Lucas-Kanade and a rotation+scale+shift is fitted with RANSAC (1 px), so
    the dominant (background) motion wins over moving subjects and lost points. None when
    fewer than 8 points track or under 30 % of them agree (a flat or changing picture).
    """
    grey_a, grey_b = _normalised(grey_a), _normalised(grey_b)
    points = cv2.goodFeaturesToTrack(grey_a, 200, 0.01, 5, blockSize=5)
    if points is None or len(points) < 8:
        return None
    moved, ok, _ = cv2.calcOpticalFlowPyrLK(grey_a, grey_b, points, None, winSize=(15, 15))
    good = ok.ravel() == 1
    if good.sum() < 8:
        return None
    transform, inliers = cv2.estimateAffinePartial2D(
        points[good], moved[good], method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if transform is None or inliers is None or inliers.sum() < max(6, 0.3 * good.sum()):
        return None
    return transform


def _turn_px(roll_degrees: float, w: int, h: int) -> float:
    """How far a rotation moves the edge midpoints (their mean distance from the centre)."""
    radius = (w + h) / 4 * (1 - 2 * CAMERA_EDGE_MARGIN)
    return math.radians(roll_degrees) * radius


def camera_parts(dx: float, dy: float, zoom: float, roll: float) -> dict[str, float]:
    """Each measured move with its size in pixels of the take: the sign of each part names it.

    `dx`, `dy`: mean displacement of the four edge midpoints (content, +x right, +y down);
    `zoom`: their mean outward displacement (> 0 content grows); `roll`: their mean
    tangential displacement (> 0 clockwise on screen). The VBench-2.0 mapping: content right
    -> "pan_left", left -> "pan_right", down -> "tilt_up", up -> "tilt_down", outward ->
    "zoom_in", inward -> "zoom_out"; a rotation either way -> "roll".
    """
    return {
        "pan_left" if dx > 0 else "pan_right": abs(dx),
        "tilt_up" if dy > 0 else "tilt_down": abs(dy),
        "zoom_in" if zoom > 0 else "zoom_out": abs(zoom),
        "roll": abs(roll),
    }


def camera_label(
    dx: float, dy: float, zoom: float, min_side: int, roll: float = 0.0
) -> tuple[str, list[str]]:
    """Camera label (plan vocabulary) and every move above threshold, from content motion.

    The parts are `camera_parts`; each counts when its size exceeds CAMERA_MIN_SHIFT *
    min(H, W) (VBench-2.0). One label when it is at least CAMERA_DOMINANCE times the next,
    "static" when none counts, else "mixed".
    """
    threshold = CAMERA_MIN_SHIFT * min_side
    parts = camera_parts(dx, dy, zoom, roll).items()
    above = sorted((p for p in parts if p[1] > threshold), key=lambda p: -p[1])
    labels = [name for name, _ in above]
    if not above:
        return "static", labels
    if len(above) == 1 or above[0][1] >= CAMERA_DOMINANCE * above[1][1]:
        return above[0][0], labels
    return "mixed", labels


def compensated_difference(
    small_a: np.ndarray, small_b: np.ndarray, hsv_b: np.ndarray
) -> float | None:
    """The content difference of two work-size RGB frames left after the camera's motion.

    Frame a is warped onto frame b by the similarity `track_step` measures between them
    (pan, tilt, zoom, roll), and the PySceneDetect content score is taken over the pixels
    both frames show (the warped border is left out). None when no camera motion can be
    measured between them (too few points track or agree: a different picture) or when
    less than CUT_MIN_OVERLAP of the frame is left. On photographs panned at up to 1.5
    frame widths a second the score left is under 10 where the raw score reaches 44
    (CALIBRATION.md); a cut between two pictures leaves nothing to track.
    """
    grey_a = cv2.cvtColor(small_a, cv2.COLOR_RGB2GRAY)
    grey_b = cv2.cvtColor(small_b, cv2.COLOR_RGB2GRAY)
    step = track_step(grey_a, grey_b)
    if step is None:
        return None
    h, w = grey_b.shape
    warped = cv2.warpAffine(small_a, step, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), step, (w, h), flags=cv2.INTER_NEAREST)
    mask = cv2.erode(mask, _ERODE)
    if cv2.countNonZero(mask) < CUT_MIN_OVERLAP * h * w:
        return None
    means = cv2.mean(cv2.absdiff(cv2.cvtColor(warped, cv2.COLOR_RGB2HSV), hsv_b), mask=mask)
    return (means[0] + means[1] + means[2]) / 3.0


_ERODE = np.ones((5, 5), np.uint8)


def sharpness_and_exposure(frame: np.ndarray) -> tuple[float, float, float]:
    """(variance of the Laplacian, share > 250, share < 5) of one RGB frame.

    The grey frame is shrunk (INTER_AREA) so its long side is SHARPNESS_LONG_SIDE (512) px,
    so sharpness compares across resolutions; smaller frames are measured at their own size
    (enlarging invents no detail and would divide the variance by the scale to the 4th
    power, so every small preview would read blurry). The Laplacian is OpenCV's 3x3
    aperture. Exposure shares use the same grey frame.
    """
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    scale = SHARPNESS_LONG_SIDE / max(h, w)
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    _, std = cv2.meanStdDev(cv2.Laplacian(grey, cv2.CV_32F))
    histogram = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    total = float(grey.size)
    high = float(histogram[EXPOSURE_HIGH + 1 :].sum()) / total
    low = float(histogram[:EXPOSURE_LOW].sum()) / total
    return float(std[0, 0]) ** 2, high, low


# --- streaming measurement -------------------------------------------------------------------


def _check_frame(index: int, frame: Any, size: tuple[int, int] | None) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3:
        shape = getattr(frame, "shape", type(frame).__name__)
        raise ValueError(f"frame {index} must be an RGB array of shape (H, W, 3), got {shape}")
    if frame.dtype != np.uint8:
        raise ValueError(f"frame {index} must be uint8, got {frame.dtype}")
    if size is not None and frame.shape[:2] != size:
        raise ValueError(
            f"frame {index} is {frame.shape[1]}x{frame.shape[0]} but frame 0 is "
            f"{size[1]}x{size[0]}; every frame of a video must have the same size"
        )
    return frame


_threads_lock = threading.Lock()
_threads_users = 0
_threads_saved = 0


def _hold_opencv_threads(hold: bool) -> None:
    """Run OpenCV single-threaded while any take is being measured, then restore it.

    On small frames OpenCV's own thread pool costs more than it gains when ffmpeg and the
    flow worker already use the cores (on 2 cores: 560 -> 750 frames/s); reference-counted
    so overlapping measurements restore the setting only when the last one ends.
    """
    global _threads_users, _threads_saved
    with _threads_lock:
        if hold:
            if _threads_users == 0:
                _threads_saved = cv2.getNumThreads()
                cv2.setNumThreads(1)
            _threads_users += 1
        else:
            _threads_users -= 1
            if _threads_users == 0:
                cv2.setNumThreads(_threads_saved)


def sampled_pair(
    grey_a: np.ndarray, grey_b: np.ndarray, between: tuple[np.ndarray, ...] = ()
) -> tuple[float, np.ndarray | None, bool]:
    """Work on one ~8 fps pair of flow-size grey frames: (top-5 % flow, step, tracking failed).

    The flow score is in pixels at a 256 px short side (VBench's threshold scale); the step
    is the 3x3 similarity taking content of a to b (identity for the same picture, None
    when tracking failed). `between` are the frames between a and b: when a and b are too
    far apart to track (a fast move) or the step is large, the step is composed from
    frame-to-frame steps through them instead, so a camera moving a frame width a second
    is still followed.
    """
    if cv2.norm(grey_a, grey_b, cv2.NORM_L1) / grey_a.size < 0.05:
        return 0.0, np.eye(3), False  # the same picture: nothing moves
    score = top_flow_magnitude(dense_flow(grey_a, grey_b))
    score *= DYNAMIC_REFERENCE_SIDE / min(grey_a.shape)
    step = track_step(grey_a, grey_b)
    if between and (step is None or _large(step, grey_a.shape)):
        step = _chained([grey_a, *between, grey_b])
    if step is None:
        return score, None, True
    return score, np.vstack([step, [0.0, 0.0, 1.0]]), False


def _large(step: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether a step moves content more than a tenth of the short side (or scales by 10 %)."""
    shift = math.hypot(step[0, 2], step[1, 2])
    scale = math.hypot(step[0, 0], step[1, 0])
    return shift > 0.1 * min(shape[:2]) or abs(scale - 1.0) > 0.1


def _chained(greys: list[np.ndarray]) -> np.ndarray | None:
    """The similarity from the first grey frame to the last, composed frame by frame."""
    total = np.eye(3)
    for grey_a, grey_b in itertools.pairwise(greys):
        step = track_step(grey_a, grey_b)
        if step is None:
            return None
        total = np.vstack([step, [0.0, 0.0, 1.0]]) @ total
    return total[:2]


class TakeMeter:
    """Measures a take frame by frame: `add(frame)` each frame in order, then `finish()`.

    Keeps only what later frames need (the previous full frame, small HSV and grey copies,
    a few numbers per frame), so a take of any length streams in constant memory. The
    optical flow and tracking of sampled pairs run on one worker thread (OpenCV releases
    the GIL), overlapping with decoding and the per-frame work. `measure_take` is the
    one-call form; call `close()` if you stop before `finish()`.
    """

    _MAX_PENDING = 16

    def __init__(self, fps: float) -> None:
        if not fps or fps <= 0 or not math.isfinite(fps):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.fps = float(fps)
        self.count = 0
        self._size: tuple[int, int] | None = None
        self._first: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._previous_hsv: np.ndarray | None = None
        self._content: list[float] = [0.0]
        self._cut_scores: list[float] = [0.0]
        self._cut_pending: list[tuple[int, np.ndarray]] = []
        self._cut_candidates = 0
        self._cut_compensated_max = 0.0
        self._return_frames = max(2, round(CUT_RETURN_S * self.fps))
        self._previous_small: np.ndarray | None = None
        self._between: list[np.ndarray] = []
        self._diffs: list[float] = []
        self._anchor: np.ndarray | None = None
        self._anchor_diffs: list[float] = []
        self._luminance: list[float] = []
        self._flow_every = max(1, round(self.fps / DYNAMIC_SAMPLE_FPS))
        self._quality_every = max(1, round(self.fps / QUALITY_SAMPLE_FPS))
        self._sample_grey: np.ndarray | None = None
        self._sample_greys: list[np.ndarray] = []
        self._sample_index = -1
        self._worker: ThreadPoolExecutor | None = None
        self._pending: deque[Future[tuple[float, np.ndarray | None, bool]]] = deque()
        self._pairs: list[tuple[float, np.ndarray | None, bool]] = []
        self._quality: list[tuple[float, float, float]] = []
        self._quality_last = -1
        self._holding = False

    def _setup(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        self._size = (h, w)
        self._factor = max(1, w // WORK_WIDTH)
        small_w, small_h = max(1, w // self._factor), max(1, h // self._factor)
        self._small_size = (small_w, small_h)
        shrink = min(1.0, FLOW_SHORT_SIDE / min(small_w, small_h))
        self._flow_size = (max(8, round(small_w * shrink)), max(8, round(small_h * shrink)))
        self._first = frame.copy()
        self._previous = np.empty_like(frame)
        _hold_opencv_threads(True)
        self._holding = True

    def add(self, frame: np.ndarray) -> None:
        """Measure the next frame: RGB uint8 (H, W, 3), the same size as the first."""
        index = self.count
        frame = _check_frame(index, frame, self._size)
        if self._size is None:
            self._setup(frame)
        assert self._previous is not None
        small = self._small(frame)
        hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
        self._luminance.append(relative_luminance(self._tiny(small)))
        if index > 0:
            assert self._previous_hsv is not None
            raw = content_difference(self._previous_hsv, hsv)
            self._content.append(raw)
            self._cut_scores.append(self._cut_score(index, raw, small, hsv))
            means = cv2.mean(cv2.absdiff(frame, self._previous))
            self._diffs.append((means[0] + means[1] + means[2]) / 3.0)
            self._freeze_step(small)
        else:
            self._anchor = small.copy()
        self._previous_hsv = hsv
        self._previous_small = small.copy() if small is frame else small
        if index % self._flow_every == 0:
            self._sample(self._flow_grey(small), index)
        elif self._sample_grey is not None:
            self._between.append(self._flow_grey(small))
        if index % self._quality_every == 0:
            self._quality.append(sharpness_and_exposure(frame))
            self._quality_last = index
        np.copyto(self._previous, frame)
        self.count += 1

    def _cut_score(self, index: int, raw: float, small: np.ndarray, hsv: np.ndarray) -> float:
        """This frame's cut score: the raw content difference, or what is left of it after
        compensating the camera's motion when the raw score reaches CUT_THRESHOLD.

        A frame still at or above the threshold waits up to CUT_RETURN_S: if the picture
        before it comes back (a flash, a glitch), it and the frames since are not cuts.
        """
        for start, before in self._cut_pending:
            back = compensated_difference(before, small, hsv)
            if back is not None and back < CUT_THRESHOLD:
                for k in range(start, index):
                    self._cut_scores[k] = 0.0
                self._cut_pending = [p for p in self._cut_pending if p[0] < start]
                return 0.0
        self._cut_pending = [p for p in self._cut_pending if index - p[0] < self._return_frames]
        before = self._content[-1 - CUT_ADAPTIVE_WINDOW : -1]
        jump = (
            raw >= CUT_ADAPTIVE_MIN
            and len(before) == CUT_ADAPTIVE_WINDOW
            and raw >= CUT_ADAPTIVE_RATIO * max(float(np.mean(before)), 1e-3)
        )
        if raw < CUT_THRESHOLD and not jump:
            return raw
        assert self._previous_small is not None and self._previous_hsv is not None
        self._cut_candidates += 1
        if min(_spread(self._previous_hsv), _spread(hsv)) < DISSOLVE_MIN_SPREAD:
            return 0.0  # into or out of a plain picture: a fade's last step, not a cut
        left = compensated_difference(self._previous_small, small, hsv)
        score = max(raw, CUT_THRESHOLD) if left is None else left
        self._cut_compensated_max = max(self._cut_compensated_max, score)
        if score >= CUT_THRESHOLD:
            self._cut_pending.append((index, self._previous_small.copy()))
        return score

    def _freeze_step(self, small: np.ndarray) -> None:
        """FFmpeg freezedetect: compare with the first frame of the still stretch, so a
        slow drift (each step tiny, the sum large) is never taken for a freeze."""
        assert self._anchor is not None
        means = cv2.mean(cv2.absdiff(small, self._anchor))
        difference = (means[0] + means[1] + means[2]) / 3.0
        self._anchor_diffs.append(difference)
        if difference / 255.0 > FREEZE_NOISE:
            np.copyto(self._anchor, small)

    def _small(self, frame: np.ndarray) -> np.ndarray:
        if self._factor == 1:
            return frame
        return cv2.resize(frame, self._small_size, interpolation=cv2.INTER_AREA)

    def _tiny(self, small: np.ndarray) -> np.ndarray:
        """A quarter-size copy of the work frame, for the frame's mean luminance."""
        h, w = small.shape[:2]
        if min(h, w) < 32:
            return small
        return cv2.resize(small, (w // 4, h // 4), interpolation=cv2.INTER_AREA)

    def _flow_grey(self, small: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        if (grey.shape[1], grey.shape[0]) != self._flow_size:
            grey = cv2.resize(grey, self._flow_size, interpolation=cv2.INTER_AREA)
        return grey

    def _sample(self, grey: np.ndarray, index: int) -> None:
        """Queue the pair (previous sample, this one) for the worker thread."""
        if self._sample_grey is not None:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="critic-flow")
            between = tuple(self._between)
            self._pending.append(
                self._worker.submit(sampled_pair, self._sample_grey, grey, between)
            )
            while len(self._pending) > self._MAX_PENDING:
                self._pairs.append(self._pending.popleft().result())
        self._between = []
        self._sample_grey, self._sample_index = grey, index
        self._sample_greys.append(grey)

    def close(self) -> None:
        """Stop the worker thread (`finish()` does this; safe to call twice)."""
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        if self._holding:
            self._holding = False
            _hold_opencv_threads(False)

    def finish(self) -> TakeMetrics:
        """The metrics of every frame added so far; raises ValueError if there were none."""
        if self.count == 0 or self._first is None or self._previous is None:
            self.close()
            raise ValueError("the video has no frames")
        n, fps = self.count, self.fps
        h, w = self._size or (0, 0)
        last = self._previous.copy()
        # dynamic degree uses the ~8 fps pairs only; the camera path also runs to the last frame
        closing = None
        if n > 1 and self._sample_index != n - 1 and self._sample_grey is not None:
            closing = sampled_pair(
                self._sample_grey, self._flow_grey(self._small(last)), tuple(self._between[:-1])
            )
        try:
            while self._pending:
                self._pairs.append(self._pending.popleft().result())
        finally:
            self.close()
        if self._quality_last != n - 1:
            self._quality.append(sharpness_and_exposure(last))
            self._quality_last = n - 1
        edges = flash_edges(self._luminance, fps)
        threshold = DYNAMIC_THRESHOLD * max(1.0, DYNAMIC_SAMPLE_FPS / fps)  # as VBench
        scores = [pair[0] for pair in self._pairs]
        moving_pairs = sum(1 for score in scores if score > threshold)
        needed = max(1, round(4 * len(scores) / 16))
        steps = self._pairs + ([closing] if closing else [])
        camera = self._camera_result(steps, w, h)
        sharp = [q[0] for q in self._quality]
        clipped = [q[1] + q[2] for q in self._quality]
        return TakeMetrics(
            frames=n,
            fps=fps,
            duration_s=n / fps,
            width=w,
            height=h,
            single_frame=n == 1,
            cuts=scene_cuts(self._cut_scores),
            cut_score_max=max(self._content[1:], default=0.0),
            cut_candidates=self._cut_candidates,
            cut_score_compensated_max=self._cut_compensated_max,
            dissolves=self._dissolves(),
            flicker=temporal_flicker(self._diffs),
            flashes=edges,
            flashes_per_second_max=flashes_per_second(edges, fps),
            frozen=frozen_ranges(self._anchor_diffs, fps, n),
            flow_top5_mean=float(np.mean(scores)) if scores else 0.0,
            flow_top5_max=max(scores, default=0.0),
            moving_threshold=threshold,
            moving_pairs=moving_pairs,
            sampled_pairs=len(scores),
            moving=bool(scores) and moving_pairs >= needed,
            camera_motion=camera.label,
            camera_labels=camera.labels,
            camera_dx=camera.dx,
            camera_dy=camera.dy,
            camera_scale=camera.scale,
            camera_zoom=camera.zoom,
            camera_roll=camera.roll,
            camera_shake=camera.shake,
            camera_failed_steps=sum(1 for step in steps if step[2]),
            camera_steps=len(steps),
            sharpness=float(np.median(sharp)),
            clipped=float(np.mean(clipped)),
            clipped_max=max(clipped),
            clipped_median=float(np.median(clipped)),
            highlights=float(np.mean([q[1] for q in self._quality])),
            shadows=float(np.mean([q[2] for q in self._quality])),
            first_frame=self._first,
            last_frame=last,
        )

    def _dissolves(self) -> list[tuple[int, int]]:
        """Frame ranges where the picture dissolves into another (see DISSOLVE_* above).

        Works on the ~8 fps samples and the camera steps between them; a window with a
        step that could not be tracked, or a cut, is skipped (a cut is reported as a cut).
        """
        greys = self._sample_greys
        steps = [pair[1] for pair in self._pairs]
        width = max(2, round(DISSOLVE_WINDOW_S * self.fps / self._flow_every))
        found: list[tuple[int, int]] = []
        cuts = set(scene_cuts(self._cut_scores))
        for k in range(0, len(greys) - width):
            window = steps[k : k + width]
            first, last = k * self._flow_every, (k + width) * self._flow_every
            if any(step is None for step in window) or any(first < c <= last for c in cuts):
                continue
            if _is_dissolve(greys[k : k + width + 1], window):  # type: ignore[arg-type]
                if found and first <= found[-1][1]:
                    found[-1] = (found[-1][0], last)
                else:
                    found.append((first, last))
        return found

    def _camera_result(
        self, steps: list[tuple[float, np.ndarray | None, bool]], w: int, h: int
    ) -> CameraPath:
        """Edge-midpoint displacements of the composed first -> last transform (VBench-2.0).

        Steps that could not be tracked count as no motion; when more than
        CAMERA_MAX_FAILED_SHARE of them failed the label is "unknown".
        """
        if not steps:
            return CameraPath("static", [], 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
        fw, fh = self._flow_size
        to_take = np.array([w / fw, h / fh])
        centre = np.array([fw / 2, fh / 2])
        transform, path = np.eye(3), 0.0
        for _, step, _ in steps:
            if step is not None:
                path += float(np.hypot(*((step[:2, :2] @ centre + step[:2, 2] - centre) * to_take)))
                transform = step @ transform
        m = CAMERA_EDGE_MARGIN
        points = np.array(
            [[fw / 2, m * fh], [fw / 2, (1 - m) * fh], [m * fw, fh / 2], [(1 - m) * fw, fh / 2]]
        )
        moved = points @ transform[:2, :2].T + transform[:2, 2]
        shift = (moved - points) * to_take  # in pixels of the take
        top, bottom, left, right = shift
        dx, dy = float(shift[:, 0].mean()), float(shift[:, 1].mean())
        zoom = float((-top[1] + bottom[1] - left[0] + right[0]) / 4)
        scale = float(math.sqrt(abs(np.linalg.det(transform[:2, :2]))))
        roll = math.degrees(math.atan2(transform[1, 0], transform[0, 0]))
        net = float(np.hypot(*((transform[:2, :2] @ centre + transform[:2, 2] - centre) * to_take)))
        failed = sum(1 for step in steps if step[2])
        if failed > CAMERA_MAX_FAILED_SHARE * len(steps):
            return CameraPath("unknown", [], dx, dy, scale, zoom, roll, max(0.0, path - net))
        label, labels = camera_label(dx, dy, zoom, min(w, h), _turn_px(roll, w, h))
        return CameraPath(label, labels, dx, dy, scale, zoom, roll, max(0.0, path - net))


@dataclass(frozen=True)
class CameraPath:
    """What the camera meter found over a take (the camera_* fields of `TakeMetrics`)."""

    label: str
    labels: list[str]
    dx: float
    dy: float
    scale: float
    zoom: float
    roll: float
    shake: float


def _spread(hsv: np.ndarray) -> float:
    """The standard deviation of an HSV frame's value channel (a plain picture: under 10)."""
    return float(cv2.meanStdDev(hsv)[1][2, 0])


def _is_dissolve(greys: list[np.ndarray], steps: list[np.ndarray]) -> bool:
    """Whether the window of sampled grey frames dissolves from its first to its last frame.

    `steps[i]` is the 3x3 similarity taking content of greys[i] to greys[i + 1].
    """
    start, end = greys[0], greys[-1]
    if min(float(cv2.meanStdDev(g)[1][0, 0]) for g in (start, end)) < DISSOLVE_MIN_SPREAD:
        return False  # a fade from or to a plain picture
    h, w = end.shape
    middle = len(steps) // 2
    to_middle, to_end = np.eye(3), np.eye(3)
    for i, step in enumerate(steps):
        to_end = step @ to_end
        if i < middle:
            to_middle = step @ to_middle
    whole = np.full((h, w), 255, np.uint8)
    warped = cv2.warpAffine(start, to_end[:2], (w, h))
    valid = cv2.warpAffine(whole, to_end[:2], (w, h), flags=cv2.INTER_NEAREST) > 0
    if valid.mean() < CUT_MIN_OVERLAP:
        return False  # the camera moved too far in the window to compare its ends
    changed = cv2.absdiff(warped, end)[valid] > DISSOLVE_PIXEL_CHANGE
    if changed.mean() < DISSOLVE_MIN_SHARE:
        return False
    # the middle frame against a blend of the two ends, all in the middle frame's place
    from_end = np.linalg.inv(to_end @ np.linalg.inv(to_middle))
    a = cv2.warpAffine(start, to_middle[:2], (w, h)).astype(np.float32)
    b = cv2.warpAffine(end, from_end[:2], (w, h)).astype(np.float32)
    mask = (cv2.warpAffine(whole, to_middle[:2], (w, h), flags=cv2.INTER_NEAREST) > 0) & (
        cv2.warpAffine(whole, from_end[:2], (w, h), flags=cv2.INTER_NEAREST) > 0
    )
    m = greys[middle].astype(np.float32)[mask]
    a, b = a[mask], b[mask]
    span = b - a
    mix = float(np.dot(m - a, span) / max(float(np.dot(span, span)), 1e-6))
    if not DISSOLVE_MIX_RANGE[0] <= mix <= DISSOLVE_MIX_RANGE[1]:
        return False
    residual = float(np.sqrt(np.mean((m - a - mix * span) ** 2)))
    nearer = min(float(np.sqrt(np.mean((m - a) ** 2))), float(np.sqrt(np.mean((m - b) ** 2))))
    return residual < DISSOLVE_MAX_RESIDUAL * nearer


def measure_take(frames: Iterable[np.ndarray], fps: float) -> TakeMetrics:
    """Measure a take in one pass over its frames (see `TakeMetrics` for every field).

    Args:
        frames: RGB uint8 frames (H, W, 3), all the same size, in order; any iterable, e.g.
            `renderer.video_io.read_frames(path)`; they are read once and not kept.
        fps: the take's frame rate (> 0); it sets the sampling and the per-second rules.

    Raises:
        ValueError: "the video has no frames"; a frame that is not RGB uint8; a frame whose
            size differs from frame 0 (the message names its index); fps <= 0.
    """
    meter = TakeMeter(fps)
    try:
        for frame in frames:
            meter.add(frame)
        return meter.finish()
    finally:
        meter.close()


# --- single frames across shots ---------------------------------------------------------------


@dataclass(frozen=True)
class LookStats:
    """The look of one frame: grey mean and spread, saturation, and an HSV histogram.

    mean_grey, std_grey: of the grey image, 0..255. mean_saturation: HSV S channel, 0..255.
    histogram: normalised (sums to 1) 16x4x4 H, S, V histogram, flattened.
    """

    mean_grey: float
    std_grey: float
    mean_saturation: float
    histogram: np.ndarray = field(repr=False, compare=False)

    def as_dict(self) -> dict[str, float]:
        """The three numbers (what a location's running palette stores)."""
        return {
            "mean_grey": self.mean_grey,
            "std_grey": self.std_grey,
            "mean_saturation": self.mean_saturation,
        }


def _fit(frame: np.ndarray, long_side: int = 512) -> np.ndarray:
    h, w = frame.shape[:2]
    if max(h, w) <= long_side:
        return frame
    scale = long_side / max(h, w)
    return cv2.resize(
        frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )


def look_stats(frame: np.ndarray) -> LookStats:
    """The look of an RGB uint8 frame (resized to <= 512 px long side first, for speed)."""
    frame = _fit(_check_frame(0, frame, None))
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)
    mean, std = cv2.meanStdDev(grey)
    histogram = cv2.calcHist([hsv], [0, 1, 2], None, list(LOOK_HIST_BINS), [0, 180, 0, 256, 0, 256])
    histogram = histogram.ravel().astype(np.float64)
    histogram /= max(histogram.sum(), 1.0)
    return LookStats(
        mean_grey=float(mean[0, 0]),
        std_grey=float(std[0, 0]),
        mean_saturation=float(cv2.mean(hsv)[1]),
        histogram=histogram,
    )


def look_distance(a: LookStats | np.ndarray, b: LookStats | np.ndarray) -> tuple[float, float]:
    """(look score, histogram distance) between two frames or their `LookStats`.

    score = 100 - (|Δ mean grey| + |Δ std grey| + |Δ mean saturation|) on the 0..255 scales,
    floored at 0 (MSVBench cross-shot visual consistency): 100 is the same look; the critic
    warns below about 70. distance = Hellinger distance of the HSV histograms, 0 (same)
    to 1 (no overlap).
    """
    sa = a if isinstance(a, LookStats) else look_stats(a)
    sb = b if isinstance(b, LookStats) else look_stats(b)
    delta = (
        abs(sa.mean_grey - sb.mean_grey)
        + abs(sa.std_grey - sb.std_grey)
        + abs(sa.mean_saturation - sb.mean_saturation)
    )
    overlap = float(np.sum(np.sqrt(sa.histogram * sb.histogram)))
    return max(0.0, 100.0 - delta), math.sqrt(max(0.0, 1.0 - overlap))


def frame_match(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference / 255 of two RGB frames: 0 identical, 1 opposite.

    For `continues_from`: the first frame of a shot against the last frame of the take it
    continues. `b` is resized to `a`'s size (INTER_AREA) when they differ.
    """
    a = _check_frame(0, a, None)
    b = _check_frame(1, b, None)
    if a.shape != b.shape:
        b = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA)
    means = cv2.mean(cv2.absdiff(a, b))
    return (means[0] + means[1] + means[2]) / 3.0 / 255.0
