"""Real-photo videos with known answers for the critic: a virtual camera over photographs.

The photographs ship in scikit-image's wheel (`skimage.data`, BSD licence; nothing is
downloaded). A virtual camera looks at a photo through a window the size of the output
frame and moves over it: pans and trucks move the window sideways, tilts, pedestals and
cranes up or down, zooms and dollies change its magnification, a roll turns it about its
centre, handheld shakes it a few pixels with no net drift. A flat photo has no parallax,
so a truck looks like a pan and a pedestal or crane like a tilt. Each frame is one
bilinear affine warp of the photo; where the photo is shrunk, the warp is done at twice
the output size from a pyramid level and halved with INTER_AREA, so fast zooms do not
alias. Events are laid over a move: a hard cut or a dissolve to a second photo, a single
flash or a strobe, a freeze, a fade. Frames are encoded with `VideoWriter` (H.264, the
takes' settings), so codec noise is part of every measurement.

Speeds are in frame widths per second at the moment the picture moves fastest (for
tilts too, so a pixel per frame means the same on both axes; for zooms, the speed of the
frame's left and right edge midpoints; for rolls, the speed of the corners). The target
is no false cut on any camera move up to 1 frame width per second.

Each `PhotoCase` carries its expected answers. `CASES` is the full set, `QUICK` the subset
the tests use; `make_fixture(case, folder)` writes (or reuses) `<folder>/<name>.mp4`.

Calibration table (CALIBRATION.md, "Real photographs"):
`.venv/bin/python -m tests.photo_fixtures --calibrate [--all] [--folder DIR]`.
A strip of frames to check a fixture by eye:
`.venv/bin/python -m tests.photo_fixtures --strip NAME [--folder DIR]`.
"""

from __future__ import annotations

import argparse
import functools
import math
import multiprocessing
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from storyreel.renderer.video_io import VideoWriter, read_frames

Profile = Literal["smoothstep", "cosine", "constant"]
Event = Literal["cut", "dissolve", "flash", "strobe", "freeze", "fade_out", "fade_in"]

FPS = 24
SMALL = (320, 180)
MEDIUM = (480, 270)
LARGE = (640, 360)

PEAK_OVER_MEAN: dict[str, float] = {"smoothstep": 1.5, "cosine": math.pi / 2, "constant": 1.0}
"""Peak speed / mean speed of each speed profile (the slope of `progress` at its steepest)."""

TEXTURES = frozenset({"grass", "brick", "gravel"})
"""Photos that are mirrored out rather than enlarged past TEXTURE_MIN_SCALE when the camera
needs more room, so they stay sharp."""
TEXTURE_MIN_SCALE = 0.625  # photo pixels per output pixel: textures are enlarged at most 1.6x

# camera move -> (axis, sign): the way the window moves over the photo (x right, y down) or
# the way the magnification changes; content moves the other way (a pan left slides the
# picture to the right, as the critic's VBench-2.0 labels read it).
GEOMETRY: dict[str, tuple[str, int]] = {
    "pan_left": ("x", -1),
    "pan_right": ("x", 1),
    "truck_left": ("x", -1),
    "truck_right": ("x", 1),
    "tilt_up": ("y", -1),
    "tilt_down": ("y", 1),
    "pedestal_up": ("y", -1),
    "pedestal_down": ("y", 1),
    "crane_up": ("y", -1),
    "crane_down": ("y", 1),
    "zoom_in": ("zoom", 1),
    "zoom_out": ("zoom", -1),
    "dolly_in": ("zoom", 1),
    "dolly_out": ("zoom", -1),
    "roll": ("roll", 1),
    "handheld": ("shake", 0),
    "static": ("none", 0),
}

OPPOSITE: dict[str, str] = {
    "pan_left": "pan_right",
    "pan_right": "pan_left",
    "truck_left": "truck_right",
    "truck_right": "truck_left",
    "tilt_up": "tilt_down",
    "tilt_down": "tilt_up",
    "pedestal_up": "pedestal_down",
    "pedestal_down": "pedestal_up",
    "crane_up": "crane_down",
    "crane_down": "crane_up",
    "zoom_in": "zoom_out",
    "zoom_out": "zoom_in",
    "dolly_in": "dolly_out",
    "dolly_out": "dolly_in",
}
"""The planned move a take of each move must be rejected as (`wrong_direction`)."""

MAX_ZOOM_RATIO = 8.0  # fast zooms get shorter takes so the magnification stays within 8x
HANDHELD_SHAKE = 0.008  # handheld shake amplitude, in frame widths (5 px at 640)
HANDHELD_DEGREES = 0.4
FLASH_WHITE = 0.85  # a white flash frame is the picture blended this far towards white
FLASH_GAIN = 2.0  # a bright flash frame is the picture this many times brighter (clipped)


# --- photographs -------------------------------------------------------------------------------


@functools.cache
def photo(name: str) -> np.ndarray:
    """The scikit-image sample photo `name` as RGB uint8 (grey ones stacked, read-only).

    Raises ValueError for a name skimage.data does not have.
    """
    import skimage.data

    loader = getattr(skimage.data, name, None)
    if loader is None:
        raise ValueError(f"skimage.data has no photo called {name!r}")
    image = loader()
    if isinstance(image, tuple):  # stereo_motorcycle: (left, right, disparity)
        image = image[0]
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    image = np.ascontiguousarray(image[:, :, :3].astype(np.uint8))
    image.setflags(write=False)
    return image


# --- cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoCase:
    """One real-photo fixture and what the critic should say about it.

    Attributes:
        name: file stem and test id, unique in `CASES`.
        photo: the `skimage.data` photo the camera looks at.
        move: what the camera does, in the plan's vocabulary (`GEOMETRY` keys).
        speed: peak image speed in frame widths per second (0 for static and handheld).
        profile: speed over time: "smoothstep" and "cosine" ease in and out, "constant" not.
        seconds: length of the take.
        size: (width, height) of the video.
        planned: the movement the take should be accepted as ("" means `move`).
        opposite: the planned movement it must be rejected as (`wrong_direction`), or None.
        roll_degrees: total roll for move "roll" (signed).
        event: what happens on top of the move, or None (see `Event`).
        event_at: first frame of the event (the first frame of the new photo for a cut).
        event_frames: its length in frames (dissolve, flash, strobe, freeze hold, fade).
        period: strobe period in frames (half bright, half normal).
        flash: how a flash frame looks: "white" (blended FLASH_WHITE towards white) or
            "bright" (FLASH_GAIN times brighter, clipped).
        second_photo: the photo cut or dissolved to.
        noise: Gaussian noise per pixel (grey levels) and per-frame brightness jitter.
        seed: for the handheld shake and the noise.
        expect_cuts: frames where a new picture starts (hard cuts; ±2 frames allowed).
        expect_flash: the take flashes more than 3 times a second (WCAG 2.3.1).
        expect_freeze: the picture stops for more than 2 s while the shot should move.
        expect_error: the take should get at least one error finding when planned as
            `planned` (cuts, strobes, freezes, dissolves).
        quick: part of the `QUICK` subset the tests run.
    """

    name: str
    photo: str
    move: str
    speed: float = 0.0
    profile: Profile = "smoothstep"
    seconds: float = 3.0
    size: tuple[int, int] = SMALL
    planned: str = ""
    opposite: str | None = None
    roll_degrees: float = 0.0
    event: Event | None = None
    event_at: int = 0
    event_frames: int = 0
    period: int = 6
    flash: Literal["white", "bright"] = "white"
    second_photo: str | None = None
    noise: float = 0.0
    seed: int = 0
    expect_cuts: tuple[int, ...] = ()
    expect_flash: bool = False
    expect_freeze: bool = False
    expect_error: bool = False
    quick: bool = False
    fps: int = FPS

    def __post_init__(self) -> None:
        if self.move not in GEOMETRY:
            raise ValueError(f"move must be one of {sorted(GEOMETRY)}, got {self.move!r}")
        if self.size[0] % 2 or self.size[1] % 2:
            raise ValueError(f"size must be even for H.264, got {self.size}")

    @property
    def frames(self) -> int:
        """Number of frames in the take."""
        return round(self.seconds * self.fps)

    @property
    def plan(self) -> str:
        """The movement the take should be accepted as."""
        return self.planned or self.move

    @property
    def moving(self) -> bool:
        """True when the camera moves (everything but a still take)."""
        return self.move != "static"

    @property
    def camera_move(self) -> bool:
        """A pure camera move, no event: must never be reported as a cut."""
        return self.moving and self.event is None

    @property
    def directional(self) -> bool:
        """A move with an opposite it must be told apart from."""
        return self.opposite is not None

    @property
    def peak_px_per_frame(self) -> float:
        """Fastest image motion in pixels per frame at the output size."""
        return self.speed * self.size[0] / self.fps


def _move(
    move: str,
    photo_name: str,
    speed: float,
    profile: Profile = "smoothstep",
    size: tuple[int, int] = SMALL,
    seconds: float | None = None,
    quick: bool = False,
    name: str = "",
) -> PhotoCase:
    """A pure camera move with its default length: 4 s when slow, 2 s when fast; zooms
    shorter when needed to stay within MAX_ZOOM_RATIO."""
    if seconds is None:
        seconds = 4.0 if speed <= 0.3 else 3.0 if speed <= 0.5 else 2.0
        if GEOMETRY[move][0] == "zoom":
            # log-magnification travelled = 2 * speed * seconds / (peak / mean)
            longest = math.log(MAX_ZOOM_RATIO) * PEAK_OVER_MEAN[profile] / (2 * speed)
            seconds = max(1.0, min(seconds, math.floor(longest * 4) / 4))
    width = size[0]
    label = name or f"{move}-{photo_name}-{speed:g}w-{profile}-{width}"
    return PhotoCase(
        name=label,
        photo=photo_name,
        move=move,
        speed=speed,
        profile=profile,
        seconds=seconds,
        size=size,
        opposite=OPPOSITE.get(move),
        quick=quick,
    )


def _roll(
    photo_name: str, degrees: float, seconds: float, profile: Profile, **kw: Any
) -> PhotoCase:
    """A roll of `degrees` about the centre over the whole take; its speed is the corners'."""
    w, h = kw.get("size", SMALL)
    corner = 0.5 * math.hypot(w, h) / w  # in frame widths
    mean = math.radians(abs(degrees)) / seconds
    speed = round(corner * mean * PEAK_OVER_MEAN[profile], 3)
    name = f"roll-{photo_name}-{degrees:g}deg-{profile}-{w}"
    return PhotoCase(
        name=name,
        photo=photo_name,
        move="roll",
        speed=speed,
        profile=profile,
        seconds=seconds,
        roll_degrees=degrees,
        **kw,
    )


SPEEDS = (0.05, 0.15, 0.3, 0.5, 0.75, 1.0)
PROFILES: tuple[Profile, ...] = ("smoothstep", "constant", "cosine")
SIZES = (SMALL, MEDIUM, LARGE)

# Six speeds of each basic move, the profile and size rotating, the photo from each list.
_BASIC_PHOTOS: dict[str, tuple[str, ...]] = {
    "pan_left": ("coffee", "grass", "astronaut", "hubble_deep_field", "chelsea", "gravel"),
    "pan_right": ("rocket", "gravel", "immunohistochemistry", "coffee", "brick", "retina"),
    "tilt_up": ("retina", "astronaut", "brick", "rocket", "grass", "hubble_deep_field"),
    "tilt_down": ("hubble_deep_field", "cat", "gravel", "retina", "camera", "astronaut"),
    "zoom_in": ("chelsea", "hubble_deep_field", "coffee", "gravel", "stereo_motorcycle", "retina"),
    "zoom_out": ("astronaut", "grass", "rocket", "colorwheel", "coffee", "immunohistochemistry"),
}


def _basic_moves() -> list[PhotoCase]:
    cases = []
    for m, (move, photos) in enumerate(_BASIC_PHOTOS.items()):
        for i, (speed, photo_name) in enumerate(zip(SPEEDS, photos, strict=True)):
            profile = PROFILES[(i + m) % len(PROFILES)]
            size = SIZES[(i + 2 * m) % len(SIZES)]
            cases.append(_move(move, photo_name, speed, profile, size))
    return cases


_QUICK_MOVES = [
    # the reported bug: an eased pan over a photo at 640x360 peaking at ~11 px a frame read as
    # a cut every 0.6 s (the critic at a1446ef finds cuts at 25, 40, 55 and 70 here)
    _move("pan_left", "stereo_motorcycle", 0.43, "cosine", LARGE, 4.0, True, "bug-pan-640-4s"),
    _move("pan_left", "grass", 1.0, "constant", quick=True),
    _move("pan_right", "coffee", 1.0, "smoothstep", quick=True),
    _move("pan_right", "hubble_deep_field", 0.05, "constant", quick=True),
    _move("tilt_up", "retina", 1.0, "cosine", quick=True),
    _move("tilt_down", "gravel", 0.5, "smoothstep", quick=True),
    _move("zoom_in", "coffee", 1.0, "smoothstep", quick=True),
    _move("zoom_in", "hubble_deep_field", 0.15, "constant", quick=True),
    _move("zoom_out", "gravel", 0.75, "cosine", quick=True),
    _move("truck_right", "astronaut", 1.0, "constant", quick=True),
    _move("crane_up", "rocket", 0.5, "cosine", quick=True),
]

_OTHER_MOVES = [
    _move("truck_left", "hubble_deep_field", 0.5, "smoothstep", MEDIUM),
    _move("truck_right", "grass", 0.75, "cosine"),
    _move("pedestal_up", "coffee", 0.3, "constant"),
    _move("pedestal_down", "hubble_deep_field", 1.0, "smoothstep"),
    _move("pedestal_down", "immunohistochemistry", 0.15, "cosine", MEDIUM),
    _move("crane_up", "brick", 1.0, "smoothstep", LARGE),
    _move("crane_down", "chelsea", 0.5, "constant"),
    _move("crane_down", "gravel", 0.75, "smoothstep", MEDIUM),
    _move("dolly_in", "astronaut", 0.3, "smoothstep", LARGE),
    _move("dolly_in", "grass", 1.0, "cosine"),
    _move("dolly_out", "hubble_deep_field", 0.5, "constant"),
    _move("dolly_out", "cat", 0.15, "smoothstep", MEDIUM),
    # sharp, textured photos at full size and at the target speed
    _move("pan_left", "gravel", 1.0, "constant", LARGE),
    _move("pan_right", "hubble_deep_field", 1.0, "cosine", LARGE),
    _move("tilt_down", "grass", 1.0, "constant", LARGE),
    _move("pan_left", "coffee", 0.75, "smoothstep", LARGE),
]

_ROLLS = [
    _roll("astronaut", 15.0, 2.0, "smoothstep", quick=True),
    _roll("coffee", -5.0, 3.0, "constant", quick=True),
    _roll("grass", -15.0, 1.5, "cosine"),
    _roll("hubble_deep_field", 10.0, 2.0, "constant", size=LARGE),
]

_HANDHELD = [
    PhotoCase("handheld-chelsea-320", "chelsea", "handheld", seconds=3.0, seed=1, quick=True),
    PhotoCase("handheld-gravel-640", "gravel", "handheld", seconds=3.0, size=LARGE, seed=2),
    PhotoCase("handheld-rocket-480", "rocket", "handheld", seconds=4.0, size=MEDIUM, seed=3),
]

_STILLS = [
    PhotoCase("still-astronaut-320", "astronaut", "static", quick=True),
    PhotoCase("still-grass-noise-320", "grass", "static", noise=2.0, seed=4, quick=True),
    PhotoCase("still-coffee-noise-640", "coffee", "static", size=LARGE, noise=1.5, seed=5),
    PhotoCase("still-hubble-480", "hubble_deep_field", "static", size=MEDIUM),
]

_EVENTS = [
    PhotoCase(
        "cut-still-astronaut-to-coffee",
        "astronaut",
        "static",
        event="cut",
        event_at=36,
        second_photo="coffee",
        expect_cuts=(36,),
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "cut-pan-chelsea-to-rocket",
        "chelsea",
        "pan_left",
        speed=0.3,
        profile="constant",
        event="cut",
        event_at=40,
        second_photo="rocket",
        expect_cuts=(40,),
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "cut-still-grey-camera-to-brick",
        "camera",
        "static",
        event="cut",
        event_at=30,
        second_photo="brick",
        expect_cuts=(30,),
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "cut-pan-hubble-to-retina-640",
        "hubble_deep_field",
        "pan_right",
        speed=0.5,
        profile="constant",
        size=LARGE,
        event="cut",
        event_at=33,
        second_photo="retina",
        expect_cuts=(33,),
        expect_error=True,
    ),
    PhotoCase(
        "cut-still-grey-grass-to-gravel",
        "grass",
        "static",
        event="cut",
        event_at=40,
        second_photo="gravel",
        expect_cuts=(40,),
        expect_error=True,
    ),
    PhotoCase(
        "dissolve-still-coffee-to-chelsea",
        "coffee",
        "static",
        event="dissolve",
        event_at=30,
        event_frames=12,
        second_photo="chelsea",
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "dissolve-pan-astronaut-to-hubble-640",
        "astronaut",
        "pan_right",
        speed=0.15,
        profile="constant",
        size=LARGE,
        event="dissolve",
        event_at=36,
        event_frames=12,
        second_photo="hubble_deep_field",
        expect_error=True,
    ),
    PhotoCase(
        "flash-single-coffee",
        "coffee",
        "static",
        event="flash",
        event_at=34,
        event_frames=2,
        quick=True,
    ),
    PhotoCase(
        "flash-single-pan-grass",
        "grass",
        "pan_left",
        speed=0.3,
        profile="constant",
        event="flash",
        event_at=40,
        event_frames=3,
        flash="bright",
    ),
    PhotoCase(
        "strobe-4hz-astronaut",
        "astronaut",
        "static",
        event="strobe",
        event_at=12,
        event_frames=48,
        period=6,
        expect_flash=True,
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "strobe-6hz-pan-hubble",
        "hubble_deep_field",
        "pan_right",
        speed=0.3,
        profile="constant",
        event="strobe",
        event_at=20,
        event_frames=40,
        period=4,
        expect_flash=True,
        expect_error=True,
    ),
    PhotoCase(
        "strobe-4hz-bright-zoom-coffee",
        "coffee",
        "zoom_in",
        speed=0.15,
        profile="constant",
        size=MEDIUM,
        event="strobe",
        event_at=24,
        event_frames=36,
        period=6,
        flash="bright",
        expect_flash=True,
        expect_error=True,
    ),
    PhotoCase(
        "freeze-pan-coffee",
        "coffee",
        "pan_left",
        speed=0.5,
        profile="constant",
        seconds=4.5,
        event="freeze",
        event_at=24,
        event_frames=60,
        expect_freeze=True,
        expect_error=True,
        quick=True,
    ),
    PhotoCase(
        "freeze-zoom-hubble-640",
        "hubble_deep_field",
        "zoom_in",
        speed=0.15,
        profile="constant",
        seconds=4.0,
        size=LARGE,
        event="freeze",
        event_at=30,
        event_frames=56,
        expect_freeze=True,
        expect_error=True,
    ),
    PhotoCase(
        "fade_out-pan-rocket",
        "rocket",
        "pan_right",
        speed=0.15,
        profile="constant",
        event="fade_out",
        event_at=48,
        event_frames=24,
        quick=True,
    ),
    PhotoCase(
        "fade_in-still-chelsea",
        "chelsea",
        "static",
        event="fade_in",
        event_at=0,
        event_frames=24,
    ),
]

CASES: list[PhotoCase] = [
    *_QUICK_MOVES,
    *_basic_moves(),
    *_OTHER_MOVES,
    *_ROLLS,
    *_HANDHELD,
    *_STILLS,
    *_EVENTS,
]
"""Every real-photo fixture (about 90; the full calibration set)."""

QUICK: list[PhotoCase] = [case for case in CASES if case.quick]
"""The subset the tests run (small sizes, one of each kind)."""

BY_NAME: dict[str, PhotoCase] = {case.name: case for case in CASES}
if len(BY_NAME) != len(CASES):  # pragma: no cover - a guard on the table above
    raise RuntimeError("photo fixture names must be unique")


# --- the virtual camera ------------------------------------------------------------------------


def progress(profile: Profile, u: np.ndarray) -> np.ndarray:
    """How far along the move is (0..1) at time fraction `u` (0..1), for each profile."""
    if profile == "smoothstep":
        return u * u * (3.0 - 2.0 * u)
    if profile == "cosine":
        return 0.5 - 0.5 * np.cos(np.pi * u)
    return u.copy()


@dataclass(frozen=True)
class CameraPath:
    """Where the window is in each frame, relative to the photo's anchor point.

    offsets: (N, 2) window-centre displacement in output pixels (x right, y down) at
        magnification 1; magnification: (N,) content magnification (> 1 zoomed in);
        angle: (N,) window rotation in radians.
    """

    offsets: np.ndarray
    magnification: np.ndarray
    angle: np.ndarray


def camera_path(case: PhotoCase) -> CameraPath:
    """The window's path for `case`: its speed profile scaled so the peak speed is `speed`."""
    n = case.frames
    u = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
    s = progress(case.profile, u)
    width = case.size[0]
    duration = (n - 1) / case.fps
    offsets = np.zeros((n, 2))
    magnification = np.ones(n)
    angle = np.zeros(n)
    axis, sign = GEOMETRY[case.move]
    # mean speed over the take = peak / (peak over mean); travel = mean speed * duration
    travel = case.speed / PEAK_OVER_MEAN[case.profile] * duration
    if axis == "x":
        offsets[:, 0] = sign * travel * width * s
    elif axis == "y":
        offsets[:, 1] = sign * travel * width * s
    elif axis == "zoom":
        # an edge midpoint sits half a width from the centre: d(ln m)/dt = 2 * edge speed
        log_ratio = 2.0 * travel
        magnification = np.exp(log_ratio * (s if sign > 0 else 1.0 - s))
    elif axis == "roll":
        angle = math.radians(case.roll_degrees) * s
    elif axis == "shake":
        offsets, angle = _shake(n, case.fps, width, case.seed)
    return CameraPath(offsets, magnification, angle)


def _shake(n: int, fps: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random handheld shake: sums of sines with whole cycles over the take (so the
    last frame is back where the first was: no net drift), 0.5-4 Hz."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fps
    duration = max(n - 1, 1) / fps  # the last frame completes every cycle
    out = []
    for amplitude in (HANDHELD_SHAKE * width, HANDHELD_SHAKE * width, math.radians(1.0)):
        signal = np.zeros(n)
        for _ in range(4):
            cycles = rng.integers(max(1, round(0.5 * duration)), max(2, round(4 * duration)))
            signal += rng.normal() * np.sin(2 * np.pi * cycles * t / duration)
        peak = np.abs(signal).max() or 1.0
        out.append(signal / peak * amplitude)
    angle = out[2] / math.radians(1.0) * math.radians(HANDHELD_DEGREES)
    return np.stack([out[0], out[1]], axis=1), angle


class VirtualCamera:
    """Renders the frames of a `CameraPath` over one photo at one output size.

    The photo scale (photo pixels per output pixel at magnification 1) is the largest that
    keeps every corner of every frame on the photo; textures are mirrored out rather than
    enlarged more than 1.6x. A frame that shrinks the photo is warped at 2x the output
    size from the pyramid level whose pixels are at most as large as that supersampled
    grid's, then halved with INTER_AREA; one that enlarges it is warped directly.
    """

    def __init__(self, image: np.ndarray, path: CameraPath, size: tuple[int, int], tile: bool):
        self.path, self.size = path, size
        w, h = size
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [-w / 2, h / 2], [w / 2, h / 2]])
        points = []
        for offset, m, a in zip(path.offsets, path.magnification, path.angle, strict=True):
            rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            points.append(offset + corners @ rotation.T / m)
        everything = np.concatenate(points)
        low, high = everything.min(axis=0), everything.max(axis=0)
        span = high - low
        if tile:
            need_w, need_h = (math.ceil(v * TEXTURE_MIN_SCALE) + 4 for v in span)
            pad_x, pad_y = max(0, need_w - image.shape[1]), max(0, need_h - image.shape[0])
            if pad_x or pad_y:
                image = cv2.copyMakeBorder(
                    image,
                    pad_y // 2,
                    pad_y - pad_y // 2,
                    pad_x // 2,
                    pad_x - pad_x // 2,
                    cv2.BORDER_REFLECT_101,
                )
        ph, pw = image.shape[:2]
        # a pixel of margin on every side for the bilinear taps
        self.scale = min((pw - 2) / span[0], (ph - 2) / span[1])
        centre = np.array([(pw - 1) / 2, (ph - 1) / 2])
        self.anchor = centre - self.scale * (low + high) / 2
        self.levels = [image]
        while min(self.levels[-1].shape[:2]) > 64:
            last = self.levels[-1]
            half = (last.shape[1] // 2, last.shape[0] // 2)
            self.levels.append(cv2.resize(last, half, interpolation=cv2.INTER_AREA))

    def frame(self, index: int) -> np.ndarray:
        """Frame `index` of the path as RGB uint8 (height, width, 3)."""
        w, h = self.size
        m = float(self.path.magnification[index])
        a = float(self.path.angle[index])
        k = self.scale / m  # photo pixels per output pixel
        level = min(len(self.levels) - 1, max(0, math.floor(math.log2(max(k, 1e-9)))))
        rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) * k
        # shrinking the photo needs supersampling against aliasing; enlarging it does not
        ss = 2 if k > 1.0 else 1
        # pixel j of the supersampled grid has its centre at output coordinate (j + 0.5) / ss - 0.5
        centre_out = np.array([(w - 1) / 2, (h - 1) / 2])
        offset = self.anchor + self.scale * self.path.offsets[index]
        shift = offset + rotation @ (np.full(2, 0.5 / ss - 0.5) - centre_out)
        factor = 2.0**level
        matrix = np.hstack([rotation / ss / factor, ((shift + 0.5) / factor - 0.5)[:, None]])
        picture = cv2.warpAffine(
            self.levels[level],
            matrix,
            (ss * w, ss * h),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT_101,
        )
        if ss == 1:
            return picture
        return cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA)


def _camera(case: PhotoCase, photo_name: str) -> VirtualCamera:
    return VirtualCamera(photo(photo_name), camera_path(case), case.size, photo_name in TEXTURES)


def flashed(picture: np.ndarray, style: str) -> np.ndarray:
    """A flash frame (float32, unclipped) of `picture`: "white" or "bright" (see PhotoCase)."""
    picture = picture.astype(np.float32)
    if style == "white":
        return picture * (1 - FLASH_WHITE) + 255.0 * FLASH_WHITE
    return picture * FLASH_GAIN


def case_frames(case: PhotoCase) -> Iterator[np.ndarray]:
    """The frames of `case` in order (RGB uint8), the move with its event laid over it."""
    first = _camera(case, case.photo)
    second = _camera(case, case.second_photo) if case.second_photo else None
    rng = np.random.default_rng(case.seed)
    at, length = case.event_at, case.event_frames
    for i in range(case.frames):
        source = i
        if case.event == "freeze" and i >= at:
            source = at if i < at + length else i - length + 1
        if case.event == "cut" and i >= at:
            assert second is not None
            picture = second.frame(source).astype(np.float32)
        elif case.event == "dissolve" and i >= at:
            assert second is not None
            mix = min(1.0, (i - at + 1) / (length + 1))
            a, b = first.frame(source), second.frame(source)
            picture = a.astype(np.float32) * (1 - mix) + b.astype(np.float32) * mix
        else:
            picture = first.frame(source).astype(np.float32)
        flashing = case.event == "flash" and at <= i < at + length
        if case.event == "strobe" and at <= i < at + length:
            flashing = ((i - at) // (case.period // 2)) % 2 == 0
        if flashing:
            picture = flashed(picture, case.flash)
        elif case.event == "fade_out" and i >= at:
            picture = picture * max(0.0, 1.0 - (i - at + 1) / length)
        elif case.event == "fade_in" and i < at + length:
            picture = picture * min(1.0, max(0.0, (i - at) / length))
        if case.noise:
            picture = picture + rng.normal(0.0, case.noise, picture.shape).astype(np.float32)
            picture = picture + float(rng.normal(0.0, case.noise / 2))
        yield np.clip(picture + 0.5, 0, 255).astype(np.uint8)


def make_fixture(case: PhotoCase, folder: Path) -> Path:
    """Write `case` as `<folder>/<name>.mp4` (H.264, `VideoWriter`) unless it exists.

    The file is written under a temporary name and renamed, so a half-written file is
    never reused.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.name}.mp4"
    if path.is_file():
        return path
    partial = folder / f".{case.name}.partial.mp4"
    with VideoWriter(partial, case.size[0], case.size[1], case.fps, threads=1) as writer:
        writer.write_all(case_frames(case))
    partial.replace(path)
    return path


def frame_strip(path: Path, out: Path, count: int = 8, height: int = 135) -> Path:
    """Save `count` evenly spaced frames of a video side by side as a PNG (to check by eye)."""
    frames = list(read_frames(path))
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    tiles = []
    for index in picks:
        frame = frames[index]
        width = round(frame.shape[1] * height / frame.shape[0])
        tile = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, str(index), (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 0, 0), 1)
        tiles.append(tile)
    cv2.imwrite(str(out), cv2.cvtColor(np.hstack(tiles), cv2.COLOR_RGB2BGR))
    return out


# --- the critic on a fixture ---------------------------------------------------------------------


def expectation(case: PhotoCase, movement: str) -> Any:
    """The critic's `Expectation` for `case` planned as `movement` (sharpness not checked:
    enlarged photos are soft on purpose)."""
    from storyreel.tools.critic import Expectation

    return Expectation(
        movement=movement,
        frames=case.frames,
        fps=case.fps,
        label=case.name,
        check_sharpness=False,
    )


def answer(findings: list[Any], verdict: str) -> dict[str, Any]:
    """A critique in plain data: finding kinds, the frames of cut findings, whether any
    finding is an error, the verdict, and each finding's message."""
    kinds = [str(getattr(f.kind, "value", f.kind)) for f in findings]
    return {
        "kinds": sorted(set(kinds)),
        "cut_frames": [
            f.frame_start
            for f, kind in zip(findings, kinds, strict=True)
            if kind == "cut_inside_shot"
        ],
        "error": any(f.severity == "error" for f in findings),
        "verdict": verdict,
        "messages": [
            f"{kind} ({f.severity}): {f.message}" for f, kind in zip(findings, kinds, strict=True)
        ],
    }


def critique_answer(path: Path, case: PhotoCase, movement: str) -> dict[str, Any]:
    """`answer` for the critic's public `critique_video` on `path` planned as `movement`."""
    from storyreel.tools.critic import critique_video

    critique = critique_video(path, expectation(case, movement))
    return answer(critique.findings, critique.verdict)


def plans_for(case: PhotoCase, calibration: bool = False) -> dict[str, str]:
    """The plans a case is checked against: "own" (as itself), "opposite" (directional
    moves), "pan" (still takes planned pan_left) and, for calibration, "static" (moving
    takes planned still)."""
    plans = {"own": case.plan}
    if case.opposite:
        plans["opposite"] = case.opposite
    if not case.moving:
        plans["pan"] = "pan_left"
    elif calibration and case.plan != "static":
        plans["static"] = "static"
    return plans


def check_job(job: tuple[PhotoCase, str]) -> dict[str, Any]:
    """Make one fixture in folder `job[1]` and run `critique_video` for each of its test
    plans (`plans_for`); returns {"name": ..., plan key: `answer`, ...}."""
    case, folder = job
    path = make_fixture(case, Path(folder))
    return {"name": case.name} | {
        key: critique_answer(path, case, movement) for key, movement in plans_for(case).items()
    }


def measure(case: PhotoCase, folder: Path) -> dict[str, Any]:
    """Make the fixture, measure it and run the critic for every calibration plan.

    The own plan goes through `critique_video` (what the tests and the app call). The other
    plans reuse one `measure_take` pass through `critic.plan_findings`, which is what
    `critique_video` does after measuring, when that function exists and gives the same
    findings on the own plan; otherwise through `critique_video` too.
    """
    from storyreel.tools import critic
    from storyreel.tools.critic_metrics import measure_take

    path = make_fixture(case, folder)
    metrics = measure_take(read_frames(path), case.fps)
    plans = plans_for(case, calibration=True)
    answers = {"own": critique_answer(path, case, plans["own"])}
    plan_findings = getattr(critic, "plan_findings", None)
    verdict_of = getattr(critic, "verdict_of", None)

    def fast(movement: str) -> dict[str, Any] | None:
        if plan_findings is None or verdict_of is None:
            return None
        findings = plan_findings(metrics, expectation(case, movement))
        return answer(findings, verdict_of(findings))

    same = (fast(plans["own"]) or {}).get("kinds") == answers["own"]["kinds"]
    for key, movement in plans.items():
        if key != "own":
            answers[key] = (same and fast(movement)) or critique_answer(path, case, movement)
    return {
        "name": case.name,
        "cuts": list(metrics.cuts),
        "cut_score_max": float(metrics.cut_score_max),
        "cut_score_compensated_max": getattr(metrics, "cut_score_compensated_max", None),
        "camera": str(metrics.camera_motion),
        "camera_dx": float(metrics.camera_dx),
        "camera_dy": float(metrics.camera_dy),
        "camera_scale": float(metrics.camera_scale),
        "answers": answers,
    }


# --- calibration -------------------------------------------------------------------------------


@dataclass
class Tally:
    """True/false positives and negatives of one check."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, truth: bool, found: bool) -> bool:
        """Count one trial; returns True when the critic was right."""
        if truth and found:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif found:
            self.fp += 1
        else:
            self.tn += 1
        return truth == found


CHECKS: dict[str, str] = {
    "cut": "hard cut found within ±2 frames (positives: cuts; negatives: every other "
    "take but dissolves, planned as itself)",
    "direction": "`wrong_direction` when planned as the opposite move (positives) and not "
    "when planned as itself (negatives)",
    "still -> no_motion": "a still take (no cut or dissolve) planned pan_left gets "
    "`no_motion` (positives); moving takes planned as themselves do not (negatives)",
    "move planned still": "a moving take (not handheld) planned static gets `static_moves` "
    "(positives); still takes (no cut or dissolve) planned static do not (negatives)",
    "flash": "`flashes` on strobes (positives); not on any other take, single flashes "
    "included (negatives)",
    "freeze": "`frozen` where the picture stops > 2 s (positives); not on moving takes "
    "without a freeze (negatives)",
    "handheld": "a handheld take planned static gets an error (positives); planned "
    "handheld, no error (negatives)",
    "verdict": "retake for takes with an expected error (positives); accept for the rest "
    "planned as themselves (negatives)",
}


def score(case: PhotoCase, result: dict[str, Any], tallies: dict[str, Tally]) -> list[str]:
    """Add one measured case to the tallies; returns what the critic got wrong on it."""
    answers = result["answers"]
    own = answers["own"]
    wrong: list[str] = []

    def check(name: str, truth: bool, found: bool, what: str) -> None:
        if not tallies[name].add(truth, found):
            wrong.append(what)

    if case.event != "dissolve":
        if case.expect_cuts:
            hit = all(
                any(abs(frame - cut) <= 2 for frame in own["cut_frames"] if frame is not None)
                for cut in case.expect_cuts
            )
            check("cut", True, hit, f"cut missed (found at {own['cut_frames']})")
        else:
            check("cut", False, bool(own["cut_frames"]), f"false cut at {own['cut_frames']}")
    if case.directional:
        check("direction", False, "wrong_direction" in own["kinds"], "own move wrong_direction")
        opposite = "wrong_direction" in answers["opposite"]["kinds"]
        check("direction", True, opposite, f"opposite plan accepted ({result['camera']})")
    if not case.moving and case.event not in ("cut", "dissolve"):
        check("still -> no_motion", True, "no_motion" in answers["pan"]["kinds"], "no_motion")
        check("move planned still", False, "static_moves" in own["kinds"], "static_moves")
    elif case.event is None or case.event in ("flash", "fade_out"):
        check("still -> no_motion", False, "no_motion" in own["kinds"], "no_motion on a move")
        if case.move != "handheld":
            moved = "static_moves" in answers["static"]["kinds"]
            check("move planned still", True, moved, "moving take accepted as still")
    check("flash", case.expect_flash, "flashes" in own["kinds"], "flashes")
    if case.expect_freeze or (case.camera_move and case.move != "handheld"):
        check("freeze", case.expect_freeze, "frozen" in own["kinds"], "frozen")
    if case.move == "handheld":
        check("handheld", True, answers["static"]["error"], "shake accepted as still")
        check("handheld", False, own["error"], "handheld rejected")
    check("verdict", case.expect_error, own["verdict"] == "retake", f"verdict {own['verdict']}")
    return wrong


def _measure_job(job: tuple[PhotoCase, str]) -> dict[str, Any]:
    case, folder = job
    return measure(case, Path(folder))


def calibration_report(cases: list[PhotoCase], folder: Path, workers: int = 2) -> str:
    """Measure `cases` (in `workers` processes) and return the markdown tables and summary."""
    started = time.perf_counter()
    jobs = [(case, str(folder)) for case in cases]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_measure_job, jobs))
    elapsed = time.perf_counter() - started
    tallies = {name: Tally() for name in CHECKS}
    rows = []
    for case, result in zip(cases, results, strict=True):
        wrong = score(case, result, tallies)
        rows.append((case, result, wrong))
    lines = ["| check | TP | FP | TN | FN | what counts |", "|---|---|---|---|---|---|"]
    for name, what in CHECKS.items():
        t = tallies[name]
        lines.append(f"| {name} | {t.tp} | {t.fp} | {t.tn} | {t.fn} | {what} |")
    lines += [
        "",
        "Worst cases: every fixture the critic got something wrong on, then the five camera",
        "moves it got right with the highest raw cut score. In brackets, the largest score",
        "left after the critic compensates the camera's motion, over the frames whose raw",
        "score reached the threshold (0 when none did; - when the critic does not say):",
        "",
        "| fixture | px/frame (w/s) | cut_score_max (compensated) | camera (dx, dy, scale) "
        "| found (own plan) | wrong |",
        "|---|---|---|---|---|---|",
    ]
    wrong_rows = [row for row in rows if row[2]]
    closest = sorted(
        (row for row in rows if not row[2] and row[0].camera_move),
        key=lambda row: -row[1]["cut_score_max"],
    )
    for case, result, wrong in [*wrong_rows, *closest[:5]]:
        own = result["answers"]["own"]
        left = result["cut_score_compensated_max"]
        compensated = "-" if left is None else f"{left:.1f}"
        camera = (
            f"{result['camera']} ({result['camera_dx']:+.0f}, {result['camera_dy']:+.0f}, "
            f"{result['camera_scale']:.2f})"
        )
        lines.append(
            f"| {case.name} | {case.peak_px_per_frame:.1f} ({case.speed:g}) "
            f"| {result['cut_score_max']:.1f} ({compensated}) | {camera} "
            f"| {', '.join(own['kinds']) or '-'} {own['cut_frames'] or ''} "
            f"| {'; '.join(wrong) or '-'} |"
        )
    moves = [(c, r) for c, r, _ in rows if c.camera_move and c.speed <= 1.0]
    false_cuts = sum(1 for _, r in moves if r["answers"]["own"]["cut_frames"])
    directional = [(c, r) for c, r, _ in rows if c.directional and c.event is None]
    right = sum(
        1
        for _, r in directional
        if "wrong_direction" not in r["answers"]["own"]["kinds"]
        and "wrong_direction" in r["answers"]["opposite"]["kinds"]
    )
    lines += [
        "",
        f"{len(cases)} fixtures measured in {elapsed:.0f} s ({workers} processes).",
        f"false cuts on camera moves <= 1 width/s: {false_cuts} of {len(moves)}; "
        f"directions right: {right} of {len(directional)}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """`--calibrate [--all]` prints the calibration tables; `--strip NAME` saves a frame strip."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.photo_fixtures", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--calibrate", action="store_true", help="print the calibration tables")
    parser.add_argument("--all", action="store_true", help="every case, not just the quick set")
    parser.add_argument("--folder", type=Path, help="keep the videos here (default: temporary)")
    parser.add_argument(
        "--strip", metavar="NAME", help="save NAME.png, frames of case NAME (in --folder or here)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    if not (args.calibrate or args.strip or args.list):
        parser.print_help()
        return 2
    cases = CASES if args.all else QUICK
    if args.list:
        for case in cases:
            print(f"{case.name}: {case.frames} frames, {case.peak_px_per_frame:.1f} px/frame")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="storyreel-photos-"))
    try:
        if args.strip:
            if args.strip not in BY_NAME:
                print(f"no case called {args.strip!r}; --list --all shows them", file=sys.stderr)
                return 2
            video = make_fixture(BY_NAME[args.strip], folder)
            out = frame_strip(video, (args.folder or Path.cwd()) / f"{args.strip}.png")
            print(out)
        if args.calibrate:
            print(calibration_report(cases, folder, args.workers))
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
