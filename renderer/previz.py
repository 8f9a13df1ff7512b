"""The previz backend: a deterministic CPU animatic of one shot.

What it draws: a world in two layers, built once per request. The background
is a plane far behind the subjects (horizon at y = 0): a sky by time of day
(dawn pink/orange, noon light blue, golden hour warm orange, dusk purple-blue,
blue hour deep blue, night near-black navy with stars and a moon), ground, and
a set in the location's palette laid out by its seed - a street of houses, a
shore with boats and a quay, hills with trees, or a room with windows, doors and
a desk lamp, chosen from words in its name; windows and lamps glow after dusk.
The subject layer holds one silhouette per subject, feet on y = 0 (hair in
`accent`, face, torso and arms in the wardrobe `color`, legs, a contact shadow;
`build` scales the width, `height` the height), placed, turned and posed by the
staging (renderer/previz_staging.py: planned `position` and `facing`, eyelines,
and the action's verbs - walk, run, enter, exit, turn, look up/down/at, sit, stand,
kneel, reach, hand over, hug, wave, read, write, cry, laugh), with the props the
action names held in a hand or standing in the set (renderer/props.py); a close-up
of a thing and no person fills the frame with that prop, or a labelled card. A
figure facing left is the mirror image of one facing right. Figures that do not
change during the take are drawn into the subject layer once; a figure that moves
or changes pose is a sprite: one layer per pose, placed, scaled and sampled per
frame (the set under it is composed once while the camera holds). A silhouette
depends only on its subject's dict and its pose, so a character looks the same in
every shot. A "location" reference image replaces the set; a "style" image pulls
the grade towards its colour. A character's photo (role "subject" naming it) is
laid on its silhouette, so it is that character at every shot size: the photo's
head (the largest head-shaped skin-toned blob, else the top middle) fills an oval
on the silhouette's head, the photo below it falls on the body, and what it does
not reach takes the photo's clothing and hair colours (all of it, seen from behind).

Framing: units are subject heights. The size sets the camera window (ELS 5x
the subject height, LS 1.6x, MLS knees up, MS waist up, MCU chest up, CU 0.35x
on the head, ECU 0.15x on the eyes); shorter lenses widen it a little. The
background window is the subject window plus a depth term, so the background
magnifies less than the subjects (parallax). high/overhead raise the horizon and
foreshorten the subject, low/worms_eye the reverse, dutch rolls the frame 12
degrees, ots adds the other character's blurred shoulder, profile and back turn
the silhouettes.

Movement, in screen space as a viewer or an optical-flow critic reads it, at
medium speed (slow x0.5, fast x1.8): static: all frames identical. pan_left /
pan_right: content moves right / left by 22 % of the width. tilt_up / tilt_down:
content moves down / up by 25 % of the height. zoom_in / zoom_out: everything
scales by 1.4 / 1/1.4. dolly_in / dolly_out: the subject scales by 1.4 / 1/1.4,
the background less. truck_left / truck_right: content moves right / left, the
subject by 25 % of the width, the background less. pedestal_up / crane_up:
content moves down (crane further, slightly widening); pedestal_down /
crane_down: up. tracking: the subject stays, the background scrolls left.
orbit_left / orbit_right: background right / left, the subject slightly the
other way. handheld: smooth jitter seeded by `request.seed`. roll: the frame
rotates up to 15 degrees.

Light: time of day grades everything the sky lights (night dark and blue,
golden hour warm), `color_temp_k` tints warm below 5600 K and cool above, the
key light is a screen-space gradient (brighter on its side; back darkens the
centre; front is even). Dialogue is a subtitle at the bottom. `first_frame` is
frame 0 exactly, then dissolves into the shot over min(12, N // 4) frames.

Cost: layers, grade, light and subtitle are made once; a frame is one or two
nearest-neighbour resamplings of supersampled (so already antialiased) layers -
bilinear when nothing moves, as then one frame is computed - a paste, an integer
multiply and a small blend. The same request gives bit-identical frames.
`PrevizBackend.still` draws the opening picture alone (a keyframe candidate) on a
one-frame camera path.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFilter, ImageFont, ImageOps
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from storyreel.renderer.backend import Capabilities
from storyreel.renderer.previz_staging import (
    FLAT,
    HANG,
    Pose,
    Staging,
    draw_card,
    draw_prop,
    held_prop_size,
    plan_staging,
    prop_aspect,
    set_prop_size,
)
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    RenderRequest,
    RenderResult,
    no_progress,
)
from storyreel.renderer.video_io import oversized_image

RGB = tuple[int, ...]


def _check_colour(value: str) -> str:
    try:
        ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(f"must be a colour like '#c0392b', got {value!r}") from None
    return value


Colour = Annotated[str, AfterValidator(_check_colour)]


class Subject(BaseModel):
    """How one character looks in previz: wardrobe colour, hair colour, build and height."""

    model_config = ConfigDict(extra="ignore")

    name: str
    color: Colour = "#8a8a8a"
    accent: Colour = "#3b2a20"
    build: float = Field(1.0, ge=0.3, le=3.0)
    height: float = Field(1.0, ge=0.3, le=3.0)
    description: str = ""
    position: Literal["left", "center", "right"] | None = None
    facing: Literal["left", "right", "camera", "away"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        """Accept "Left", "centre" and None for no description."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("position", "facing"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip().lower().replace("centre", "center") or None
        data["description"] = data.get("description") or ""
        return data


class Location(BaseModel):
    """A place: its name (which picks the kind of set), palette colours and layout seed."""

    model_config = ConfigDict(extra="ignore")

    name: str = ""
    palette: list[Colour] = Field(default_factory=list)
    seed: int = 0


TimeOfDay = Literal[
    "dawn", "morning", "noon", "afternoon", "golden_hour", "dusk", "blue_hour", "night"
]
Movement = Literal[
    "static", "pan_left", "pan_right", "tilt_up", "tilt_down", "dolly_in", "dolly_out",
    "truck_left", "truck_right", "pedestal_up", "pedestal_down", "crane_up", "crane_down",
    "tracking", "orbit_left", "orbit_right", "zoom_in", "zoom_out", "handheld", "roll",
]  # fmt: skip
Angle = Literal[
    "eye_level", "high", "low", "overhead", "worms_eye", "dutch", "ots", "profile", "back"
]


class PrevizDirections(BaseModel):
    """The structured directions previz reads from `request.options["previz"]`."""

    model_config = ConfigDict(extra="ignore")

    size: Literal["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"] = "MS"
    angle: Angle = "eye_level"
    movement: Movement = "static"
    speed: Literal["slow", "medium", "fast"] = "medium"
    lens_mm: int = Field(35, ge=8, le=1200)
    depth_of_field: Literal["deep", "shallow"] = "deep"
    time_of_day: TimeOfDay | None = None
    key_light: Literal["left", "right", "front", "back", "top"] | None = None
    color_temp_k: int = Field(5600, ge=1000, le=20000)
    subjects: list[Subject] = Field(default_factory=list)
    location: Location | None = None
    subtitle: str = ""
    action: str = ""
    speaker: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        """Accept "Pan Left" or "pan-left" for "pan_left", "cu" for "CU", None for no subtitle."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("angle", "movement", "speed", "depth_of_field", "time_of_day", "key_light"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip().lower().replace(" ", "_").replace("-", "_")
        if isinstance(data.get("size"), str):
            data["size"] = data["size"].strip().upper()
        data["subtitle"] = data.get("subtitle") or ""
        data["action"] = data.get("action") or ""
        return data


def parse_directions(options: dict[str, Any]) -> PrevizDirections:
    """Validate `options["previz"]` (missing means defaults) or raise a ValueError that teaches."""
    raw = options.get("previz") or {}
    if not isinstance(raw, dict):
        raise ValueError(f"options['previz'] must be a dict of directions, got {raw!r}")
    try:
        return PrevizDirections.model_validate(raw)
    except ValidationError as error:
        problems = [
            f"options['previz'].{'.'.join(map(str, e['loc']))}: {e['msg']}, got {e['input']!r}"
            for e in error.errors()
        ]
        raise ValueError("; ".join(problems)) from None


def check_request(request: RenderRequest) -> PrevizDirections:
    """Raise ValueError naming the field, the rule and the value if previz cannot render it."""
    for field, value in (("width", request.width), ("height", request.height)):
        if value % 2:
            raise ValueError(f"{field} must be even for previz (H.264 needs it), got {value}")
    directions = parse_directions(request.options)
    files = [("first_frame", request.first_frame)] if request.first_frame else []
    refs = enumerate(request.references)  # previz reads images only
    files += [(f"references[{i}].path", r.path) for i, r in refs if r.kind == "image"]
    for field, path in files:
        if not Path(path).is_file():
            raise ValueError(f"{field} must be an existing file, got {path!r}")
    return directions


# Tables ------------------------------------------------------------------------------------------

# shot size -> (window height, window centre above the feet), in subject heights
_FRAMING = {
    "ELS": (5.0, 1.3), "LS": (1.6, 0.55), "MLS": (0.95, 0.66), "MS": (0.62, 0.78),
    "MCU": (0.42, 0.85), "CU": (0.35, 0.9), "ECU": (0.15, 0.915),
}  # fmt: skip
_HORIZON = {"high": 0.2, "overhead": -0.8, "low": 0.66, "worms_eye": 0.86}  # else 0.42 down
_SQUASH = {"high": 0.9, "overhead": 0.72, "low": 1.08, "worms_eye": 1.2}  # subject y scale
_SPEED = {"slow": 0.5, "medium": 1.0, "fast": 1.8}
_ZOOM = math.log(1.4)
# movement -> amounts at the end of a medium take: pan_x/pan_y/bg_x/subj_x shift a window by
# that fraction of its size (content moves the other way); tx/ty move the camera by that
# fraction of the subject window (parallax: the far background moves less); zoom/dolly are log
# scales (dolly: subject only); roll in radians
_MOVES: dict[str, dict[str, float]] = {
    "pan_left": {"pan_x": -0.22}, "pan_right": {"pan_x": 0.22},
    "tilt_up": {"pan_y": -0.25}, "tilt_down": {"pan_y": 0.25},
    "zoom_in": {"zoom": _ZOOM}, "zoom_out": {"zoom": -_ZOOM},
    "dolly_in": {"dolly": _ZOOM}, "dolly_out": {"dolly": -_ZOOM},
    "truck_left": {"tx": -0.25}, "truck_right": {"tx": 0.25},
    "pedestal_up": {"ty": -0.2}, "pedestal_down": {"ty": 0.2},
    "crane_up": {"ty": -0.35, "zoom": -0.08}, "crane_down": {"ty": 0.35, "zoom": 0.08},
    "tracking": {"bg_x": 0.3}, "roll": {"roll": math.radians(15)},
    "orbit_left": {"bg_x": -0.25, "subj_x": 0.06}, "orbit_right": {"bg_x": 0.25, "subj_x": -0.06},
}  # fmt: skip
_BG_DEPTH = 6.0  # background window = subject window + this x 35 / lens_mm
_SKY: dict[str, tuple[RGB, RGB]] = {  # (zenith, horizon)
    "dawn": ((72, 78, 138), (246, 166, 140)), "morning": ((104, 158, 222), (214, 226, 236)),
    "noon": ((70, 145, 230), (175, 212, 245)), "afternoon": ((92, 148, 214), (206, 214, 222)),
    "golden_hour": ((96, 104, 160), (255, 176, 88)), "dusk": ((38, 38, 96), (176, 108, 150)),
    "blue_hour": ((12, 26, 84), (58, 90, 162)), "night": ((4, 6, 18), (18, 26, 52)),
}  # fmt: skip
_GRADE = {  # what the sky's light does to everything it lights
    "dawn": (1.0, 0.86, 0.84), "morning": (1.0, 0.98, 0.95), "noon": (1.0, 1.0, 1.0),
    "afternoon": (1.0, 0.96, 0.9), "golden_hour": (1.0, 0.8, 0.56), "dusk": (0.7, 0.6, 0.82),
    "blue_hour": (0.46, 0.56, 0.86), "night": (0.3, 0.34, 0.55),
}  # fmt: skip
_SUN = {"night": (-3.2, -4.4, 0.32, (236, 234, 214)), "dawn": (-2.6, -0.4, 0.45, (255, 206, 172)),
        "golden_hour": (2.8, -0.75, 0.55, (255, 224, 160))}  # fmt: skip
_KIND_WORDS = {
    "room": ("room", "kitchen", "office", "bar", "cafe", "hall", "house", "flat", "apartment",
             "studio", "shop", "library", "inside", "interior", "church", "cabin", "lab"),
    "shore": ("harbo", "port", "sea", "beach", "shore", "lake", "river", "dock", "quay", "pier",
              "bay", "coast", "marina", "fishing", "lighthouse"),
    "country": ("forest", "wood", "park", "field", "garden", "farm", "hill", "mountain",
                "meadow", "valley", "country", "desert"),
    "town": ("street", "city", "town", "square", "market", "road", "station", "alley", "village",
             "avenue", "plaza"),
}  # fmt: skip
_GROUND = {"town": (128, 122, 114), "shore": (52, 92, 112), "country": (92, 124, 64),
           "room": (126, 96, 72)}  # fmt: skip
# silhouette parts: (x0, y0, x1, y1, corner) in (height x build, height) units, y up is negative
_BODY = [
    ((-0.085, -0.5, -0.012, 0, 0.02), "legs"), ((0.012, -0.5, 0.085, 0, 0.02), "legs"),
    ((-0.17, -0.8, -0.112, -0.5, 0.025), "sleeve"), ((0.112, -0.8, 0.17, -0.5, 0.025), "sleeve"),
    ((-0.13, -0.83, 0.13, -0.46, 0.05), "cloth"), ((-0.025, -0.87, 0.025, -0.8, 0), "skin"),
]  # fmt: skip
_HEAD = {  # ovals (cx, cy, rx, ry) in head radii around the head centre, by view
    "front": [((0, -0.1, 1.06, 1.0), "hair"), ((0, 0.16, 0.84, 0.86), "skin"),
              ((-0.32, 0.14, 0.1, 0.11), "dark"), ((0.32, 0.14, 0.1, 0.11), "dark"),
              ((0, 0.6, 0.2, 0.035), "mouth")],
    "profile": [((-0.15, -0.05, 1.02, 1.02), "hair"), ((0.2, 0.12, 0.8, 0.9), "skin"),
                ((0.95, 0.22, 0.2, 0.14), "skin"), ((0.55, 0.08, 0.09, 0.1), "dark")],
    "back": [((0, 0, 1.06, 1.06), "hair")],
}  # fmt: skip
_PHOTO_HEAD = [((0, -0.04, 0.9, 1.06), "hair")]  # a photo's head: hair top to chin, as tall
_SKIN: list[RGB] = [(240, 204, 178), (226, 178, 146), (198, 138, 104), (152, 100, 72)]
_WARM: RGB = (255, 214, 140)


def _rgb(colour: str) -> RGB:
    return ImageColor.getrgb(colour)[:3]


def _mix(a: tuple, b: tuple, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _shade(colour: RGB, gain: float) -> RGB:
    return tuple(min(255, round(c * gain)) for c in colour)


def _rng(*keys: int) -> np.random.Generator:
    """A generator seeded only by `keys` (never global state)."""
    return np.random.default_rng([int(k) % 2**63 for k in keys])


def _kelvin_tint(kelvin: int) -> np.ndarray:
    """RGB gain of a `kelvin` light relative to 5600 K daylight (max channel 1, softened)."""

    def rgb(k: float) -> np.ndarray:  # Tanner Helland's black-body fit
        t = k / 100
        r = 255.0 if t <= 66 else 329.7 * (t - 60) ** -0.1332
        g = 99.47 * math.log(t) - 161.12 if t <= 66 else 288.12 * (t - 60) ** -0.0755
        b = 255.0 if t >= 66 else (0.0 if t <= 19 else 138.52 * math.log(t - 10) - 305.04)
        return np.clip([r, g, b], 1.0, 255.0)

    ratio = rgb(kelvin) / rgb(5600)
    return 1.0 - 0.6 * (1.0 - ratio / ratio.max())


def _lut(gain: np.ndarray, alpha: bool) -> list[int]:
    """A point() table multiplying R, G, B by `gain` (alpha unchanged)."""
    ramp = np.arange(256)
    table = [np.clip(np.round(ramp * g), 0, 255).astype(int) for g in gain]
    return np.concatenate([*table, ramp] if alpha else table).tolist()


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


# Camera ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """One layer's window in one frame: centre (units), units per output pixel, roll (rad)."""

    cx: float
    cy: float
    upp_x: float
    upp_y: float
    theta: float


def _handheld(seed: int, n: int, fps: int, amount: float) -> np.ndarray:
    """(n, 3) smooth jitter: x, y in frame fractions and roll in radians, seeded by `seed`."""
    rng, t, out = _rng(seed, 7), np.arange(n) / fps, np.zeros((n, 3))
    for axis, amp in enumerate((0.012, 0.01, math.radians(0.6))):
        freqs, phases = rng.uniform(0.4, 2.2, 3), rng.uniform(0, 2 * math.pi, 3)
        for weight, f, p in zip((0.6, 0.3, 0.15), freqs, phases, strict=True):
            out[:, axis] += amp * amount * weight * np.sin(2 * math.pi * f * t + p)
    return out


def _camera_path(
    d: PrevizDirections, request: RenderRequest, x: float, side: float = 1.0
) -> list[tuple[_View, ...]]:
    """(background, subject) windows of every frame, framed on `x`, movement applied; an
    ots shoulder on the left (`side` 1) frames the subject right of centre, on the right
    (-1) left of it."""
    W, H, n = request.width, request.height, request.frames
    h0 = d.subjects[0].height if d.subjects else 1.0
    win, above = _FRAMING[d.size]
    hs0 = win * h0 * min(1.35, max(0.7, (35 / d.lens_mm) ** 0.3))
    extra, squash = _BG_DEPTH * 35 / d.lens_mm, _SQUASH.get(d.angle, 1.0)
    cx0, cy0 = x - (side * 0.14 * hs0 * W / H if d.angle == "ots" else 0.0), -above * h0
    cyb0 = (hs0 + extra) * (0.5 - _HORIZON.get(d.angle, 0.42))
    e = _SPEED[d.speed] * (np.arange(n) / (n - 1) if n > 1 else np.zeros(1))  # 0 -> speed
    move = {key: amount * e for key, amount in _MOVES.get(d.movement, {}).items()}
    if d.movement == "handheld":
        jitter = _handheld(request.seed, n, request.fps, _SPEED[d.speed])
        move = {"pan_x": jitter[:, 0], "pan_y": jitter[:, 1], "roll": jitter[:, 2]}
    keys = ("pan_x", "pan_y", "bg_x", "subj_x", "tx", "ty", "zoom", "dolly", "roll")
    pan_x, pan_y, bg_x, subj_x, tx, ty, zoom, dolly, roll = (move.get(k, 0 * e) for k in keys)
    zoom, dolly = np.exp(zoom), np.exp(dolly)
    roll = roll + (math.radians(12) if d.angle == "dutch" else 0.0)
    hs, hb = hs0 / (zoom * dolly), (hs0 / dolly + extra) / zoom
    cx, cy = cx0 + tx * hs0 * W / H, cy0 + ty * hs0  # camera translation moves both layers
    bg = [cx + (pan_x + bg_x) * hb * W / H, cyb0 + ty * hs0 + pan_y * hb, hb / H, hb / H, roll]
    fg = [cx + (pan_x + subj_x) * hs * W / H, cy + pan_y * hs, hs / H, hs / H / squash, roll]
    return [
        (_View(*map(float, b)), _View(*map(float, f)))
        for b, f in zip(np.stack(bg, 1), np.stack(fg, 1), strict=True)
    ]


@dataclass
class _Layer:
    """A rasterised layer: pixel (0, 0) is world (x0, y0); `content` bounds its opaque pixels."""

    image: Image.Image
    x0: float
    y0: float
    ppu: float
    content: tuple[int, int, int, int] | None = None

    def sample(self, v: _View, W: int, H: int, resample: Image.Resampling) -> tuple | None:
        """(image, left, top) of the part of the frame this layer covers, None if off-frame."""
        p, cos, sin = self.ppu, math.cos(v.theta), math.sin(v.theta)
        a, b, d, e = p * cos * v.upp_x, -p * sin * v.upp_y, p * sin * v.upp_x, p * cos * v.upp_y
        c = p * (v.cx - self.x0) - a * W / 2 - b * H / 2
        f = p * (v.cy - self.y0) - d * W / 2 - e * H / 2
        u0, v0, u1, v1 = 0, 0, W, H
        if self.content is not None:  # only the screen rectangle the subjects can cover
            X0, Y0, X1, Y1 = self.content
            corners = [(X - c, Y - f) for X in (X0, X1) for Y in (Y0, Y1)]
            us = [(e * x - b * y) / (a * e - b * d) for x, y in corners]
            vs = [(a * y - d * x) / (a * e - b * d) for x, y in corners]
            u0, v0 = max(0, math.floor(min(us))), max(0, math.floor(min(vs)))
            u1, v1 = min(W, math.ceil(max(us))), min(H, math.ceil(max(vs)))
            if u1 <= u0 or v1 <= v0:
                return None
        size = (u1 - u0, v1 - v0)
        if v.theta == 0.0:  # resize() with a box is the fast path
            lw, lh = self.image.size
            box = (
                min(max(c + a * u0, 0.0), lw - 1e-3),
                min(max(f + e * v0, 0.0), lh - 1e-3),
                min(max(c + a * u1, 1e-3), lw),
                min(max(f + e * v1, 1e-3), lh),
            )
            return self.image.resize(size, resample, box=box), u0, v0
        data = (a, b, c + a * u0 + b * v0, d, e, f + d * u0 + e * v0)
        return self.image.transform(size, Image.Transform.AFFINE, data, resample), u0, v0


def _geometry(views: list[_View], W: int, H: int, limit: tuple | None = None) -> tuple | None:
    """(x0, y0, width px, height px, px per unit) of a layer covering all views (within limit)."""
    ppu = 1.0 / min(min(v.upp_x, v.upp_y) for v in views)
    xs, ys = [], []
    for v in views:
        cos, sin = math.cos(v.theta), math.sin(v.theta)
        for u, w in ((-W / 2, -H / 2), (W / 2, -H / 2), (-W / 2, H / 2), (W / 2, H / 2)):
            xs.append(v.cx + cos * u * v.upp_x - sin * w * v.upp_y)
            ys.append(v.cy + sin * u * v.upp_x + cos * w * v.upp_y)
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    if limit is not None:
        x0, y0, x1, y1 = max(x0, limit[0]), max(y0, limit[1]), min(x1, limit[2]), min(y1, limit[3])
        if x1 <= x0 or y1 <= y0:
            return None
    ppu = min(ppu, 4096 / (x1 - x0 + 4 / ppu), 4096 / (y1 - y0 + 4 / ppu))
    x0, y0 = x0 - 2 / ppu, y0 - 2 / ppu
    return x0, y0, math.ceil((x1 - x0) * ppu + 2), math.ceil((y1 - y0) * ppu + 2), ppu


def _supersampling(geo: tuple) -> int:
    """Draw layers at 2x (then shrink, which antialiases them) unless they are huge."""
    return 2 if geo[2] * geo[3] <= 4_000_000 else 1


# Drawing -----------------------------------------------------------------------------------------


class _Pen:
    """Draws shapes given in world units: canvas pixel = ((x - x0) * kx, (y - y0) * ky)."""

    def __init__(self, image: Image.Image, x0: float, y0: float, kx: float, ky: float) -> None:
        self.image, self.x0, self.y0, self.kx, self.ky = image, x0, y0, kx, ky
        self.draw = ImageDraw.Draw(image, "RGBA" if image.mode == "RGB" else None)
        self.x1 = x0 + image.width / kx

    def at(self, x: float, y: float, sx: float, sy: float | None = None) -> _Pen:
        """A pen whose (0, 0) is world (x, y) and whose unit is (sx, sy) world units."""
        sy = sx if sy is None else sy
        return _Pen(self.image, (self.x0 - x) / sx, (self.y0 - y) / sy, self.kx * sx, self.ky * sy)

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.x0) * self.kx, (y - self.y0) * self.ky

    def sees(self, x0: float, x1: float) -> bool:
        return x1 >= self.x0 and x0 <= self.x1

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: tuple, r: float = 0) -> None:
        self.draw.rounded_rectangle((*self.p(x0, y0), *self.p(x1, y1)), r * self.ky, fill)

    def oval(self, cx: float, cy: float, rx: float, ry: float, fill: tuple) -> None:
        self.draw.ellipse((*self.p(cx - rx, cy - ry), *self.p(cx + rx, cy + ry)), fill)

    def poly(self, points: list[tuple[float, float]], fill: tuple) -> None:
        self.draw.polygon([self.p(x, y) for x, y in points], fill)


def _draw_town(pen: _Pen, seed: int, palette: list[RGB], haze: RGB, lit: list) -> None:
    for row, (fade, low, high) in enumerate(((0.45, 1.8, 4.4), (0.0, 1.0, 3.2))):
        x, i = -40.0, 0
        while x < 40:
            r, i = _rng(seed, row, i), i + 1
            w, h, tone = r.uniform(0.9, 2.3), r.uniform(low, high), r.uniform(0.7, 1.05)
            wall = _mix(_shade(palette[r.integers(len(palette))], tone), haze, fade)
            roof, lights = r.random() < 0.4, r.random(64) < 0.55
            if pen.sees(x, x + w):
                pen.rect(x, -h, x + w, 0.05, wall)
                if roof:
                    pen.poly([(x, -h), (x + w / 2, -h - 0.45 * w), (x + w, -h)], _shade(wall, 0.7))
                cols, rows = max(1, int(w / 0.5)), max(1, int((h - 0.5) / 0.62))
                for j in range(cols * rows if row else 0):
                    wx, wy = x + (j % cols + 0.5) * w / cols - 0.1, -h + 0.35 + (j // cols) * 0.62
                    pen.rect(wx, wy, wx + 0.2, wy + 0.27, (38, 44, 58))
                    if lights[j % 64]:
                        lit.append((wx, wy, wx + 0.2, wy + 0.27))
            x += w + r.uniform(0.0, 0.35)
    pen.rect(-40, 0.35, 40, 0.42, (70, 68, 66))  # kerb
    for j in range(-40, 40):  # road markings
        pen.rect(j * 1.2, 1.6, j * 1.2 + 0.6, 1.66, (220, 214, 200))


def _draw_shore(pen: _Pen, seed: int, palette: list[RGB], haze: RGB, lit: list) -> None:
    land, r = _mix(palette[0], haze, 0.5), _rng(seed, 1)
    dx, rx, ry = r.uniform([[0], [1.6], [0.2]], [[2], [4], [0.8]], (3, 24))
    for j in range(24):
        pen.oval(-40 + j * 3.4 + dx[j], 0.05, rx[j], ry[j], land)  # far land
    r, glint = _rng(seed, 2), _mix(haze, (255, 255, 255), 0.3)
    for y, x in zip(0.06 * 1.3 ** r.uniform(0, 13, 160), r.uniform(-40, 40, 160), strict=True):
        if y < 2.1 and pen.sees(x, x + 1.5):  # light on the water
            pen.rect(x, y, x + 0.3 + 0.5 * y, y + 0.015 + 0.012 * y, glint)
    rows = _rng(seed, 3).uniform(0.3, 1.6, 32)
    for j in np.argsort(rows, kind="stable"):  # boats, far ones first
        r, y = _rng(seed, 3, int(j)), rows[j]
        x, hull, sail = (
            -40 + j * 2.5 + r.uniform(0, 1.5),
            palette[r.integers(len(palette))],
            r.random(),
        )
        if pen.sees(x - 1, x + 2):
            boat = pen.at(x, y, 0.45 + 0.5 * y)
            boat.poly([(0, -0.22), (1.3, -0.22), (1.1, 0), (0.2, 0)], hull)
            boat.rect(0.35, -0.45, 0.75, -0.22, (226, 222, 210))
            boat.rect(0.9, -1.5, 0.94, -0.22, (60, 52, 46))
            if sail < 0.5:
                boat.poly([(0.88, -1.4), (0.88, -0.3), (0.3, -0.3)], (236, 230, 214))
            k = 0.45 + 0.5 * y
            lit.append((x + 0.86 * k, y - 1.56 * k, x + 0.98 * k, y - 1.46 * k))
    stone = _mix(palette[-1], (112, 106, 98), 0.75)
    pen.rect(-40, 2.1, 40, 40, stone)
    pen.rect(-40, 2.1, 40, 2.2, _shade(stone, 1.25))
    for j in range(-60, 60):  # paving joints
        pen.rect(j * 0.7, 2.2, j * 0.7 + 0.03, 40, _shade(stone, 0.75))


def _draw_country(pen: _Pen, seed: int, palette: list[RGB], haze: RGB, lit: list) -> None:
    r = _rng(seed, 1)
    dx, rx, ry = r.uniform([[0], [2.5], [0.6]], [[2], [5], [1.6]], (3, 22))
    for j in range(22):
        hill = _mix(_mix(palette[j % len(palette)], (80, 120, 70), 0.5), haze, 0.45)
        pen.oval(-40 + j * 3.8 + dx[j], 0.1, rx[j], ry[j], hill)  # far hills
    r = _rng(seed, 2)
    ys, dxs, tones = r.uniform(0.05, 1.6, 42), r.uniform(0, 1.2, 42), r.integers(0, 99, 42)
    for j in np.argsort(ys, kind="stable"):  # trees, far ones first
        x, leaf = -40 + j * 1.9 + dxs[j], _mix(palette[tones[j] % len(palette)], (58, 110, 52), 0.6)
        if pen.sees(x - 1, x + 1):
            tree = pen.at(x, ys[j], 0.55 + 0.45 * ys[j])
            tree.rect(-0.05, -0.55, 0.05, 0, (92, 66, 44))
            tree.oval(0, -0.85, 0.38, 0.45, leaf)
    for j in range(-50, 51):  # fence
        pen.rect(j * 0.9, 1.5, j * 0.9 + 0.07, 2.1, (110, 84, 60))
    pen.rect(-40, 1.62, 40, 1.68, (110, 84, 60))
    pen.rect(-40, 1.84, 40, 1.9, (110, 84, 60))


def _draw_room(pen: _Pen, seed: int, palette: list[RGB], haze: RGB, lit: list) -> None:
    wall, trim = _mix(palette[0], (235, 228, 215), 0.45), _shade(palette[1 % len(palette)], 0.8)
    pen.rect(-40, -14, 40, 1.2, wall)
    pen.rect(-40, 1.2, 40, 1.28, _shade(trim, 0.7))
    for j in range(-120, 120):  # floorboards
        pen.rect(j * 0.35, 1.28, j * 0.35 + 0.02, 40, (92, 70, 52))
    for j, dx in zip(range(-8, 9), _rng(seed, 4).uniform(-0.6, 0.6, 17), strict=True):
        if not pen.sees(j * 5 + dx - 2, j * 5 + dx + 4):
            continue
        bay = pen.at(j * 5 + dx, 0, 1.0)
        bay.rect(-0.95, -3.4, 0.95, -1.0, trim)  # a window: its panes show the sky
        bay.rect(-0.85, -3.3, -0.04, -1.1, (0, 0, 0, 0))
        bay.rect(0.04, -3.3, 0.85, -1.1, (0, 0, 0, 0))
        bay.rect(2.0, -1.3, 3.0, 1.2, trim)  # a door
        bay.oval(2.85, 0.05, 0.04, 0.04, (200, 180, 90))
        bay.rect(-1.6, -0.35, -0.7, 0.35, _shade(palette[-1], 0.9))  # a picture
        bay.rect(-0.9, 0.1, 0.9, 0.2, (96, 66, 44))  # a desk with a lamp
        bay.rect(-0.8, 0.2, -0.72, 1.2, (80, 54, 36))
        bay.rect(0.72, 0.2, 0.8, 1.2, (80, 54, 36))
        bay.rect(0.45, -0.35, 0.49, 0.1, (50, 50, 50))
        bay.poly([(0.3, -0.3), (0.64, -0.3), (0.55, -0.5), (0.39, -0.5)], _WARM)
        lit.append((j * 5 + dx + 0.36, -0.3, j * 5 + dx + 0.58, -0.24))


_DRAWERS = {"town": _draw_town, "shore": _draw_shore, "country": _draw_country, "room": _draw_room}


def location_kind(location: Location | None) -> str:
    """Which set a location gets: from words in its name ("Fishing village" is a shore),
    else from its seed."""
    if location is None:
        return "country"
    for kind, words in _KIND_WORDS.items():
        if any(word in location.name.lower() for word in words):
            return kind
    return ("town", "shore", "country")[location.seed % 3]


def _background(
    d: PrevizDirections,
    geo: tuple,
    ss: int,
    grade: np.ndarray,
    tint: np.ndarray,
    ref: Image.Image | None,
    blur: float,
) -> Image.Image:
    """The background layer (RGB): sky, ground and set, or the location reference image."""
    x0, y0, w, h, ppu = geo
    if ref is not None:
        image = ImageOps.fit(ref, (w, h), Image.Resampling.LANCZOS).point(_lut(grade, False))
        return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image
    tod, loc, k = d.time_of_day or "afternoon", d.location, ppu * ss
    kind, seed = location_kind(loc), loc.seed if loc else 0
    grey = [_mix((120, 120, 120), (60 + (seed >> s) % 160,) * 3, 0.5) for s in (0, 8, 16)]
    palette = [_rgb(c) for c in loc.palette] if loc and loc.palette else grey
    top, horizon = (np.array(c, float) * tint for c in _SKY[tod])
    haze, ground = tuple(int(c) for c in horizon), _GROUND[kind]
    ground = _mix(palette[0], ground, 0.6) if kind == "shore" else ground
    ys = (y0 + (np.arange(h * ss) + 0.5) / k)[:, None]
    sky = horizon + (top - horizon) * np.clip(-ys / 6.5, 0, 1) ** 0.6
    far, near = np.array(_mix(ground, haze, 0.3), float), np.array(ground) * 0.7
    earth = (far + (near - far) * np.clip(ys / 5, 0, 1) ** 0.7) * grade
    rows = np.clip(np.where(ys < 0, sky, earth), 0, 255).astype(np.uint8)[:, None, :]
    canvas = Image.fromarray(rows).resize((w * ss, h * ss), Image.Resampling.NEAREST)
    pen, lit, night = _Pen(canvas, x0, y0, k, k), [], tod in ("night", "blue_hour")
    r, count = _rng(seed, 99), 300 if tod == "night" else 60 * night
    (xs, ys), vs = (
        r.uniform([[-40], [-12]], [[40], [-0.5]], (2, count)),
        r.integers(130, 256, count),
    )
    for j in range(count):
        X, Y = pen.p(xs[j], ys[j])  # stars
        pen.draw.rectangle((X, Y, X + ss - 1, Y + ss - 1), (int(vs[j]),) * 3)
    if tod in _SUN:
        x, y, radius, colour = _SUN[tod]
        pen.oval(x, y, radius * 2.2, radius * 2.2, (*colour, 50))
        pen.oval(x, y, radius, radius, colour)
    r, count, cloud = _rng(seed, 77), 0 if night else 36, (*_mix((255,) * 3, haze, 0.35), 120)
    xs, ys, sizes = r.uniform([[-40], [-6.5], [0.7]], [[40], [-1.8], [1.8]], (3, count))
    for j in range(count):
        puff = pen.at(xs[j], ys[j], sizes[j])
        for dx, dy, s in ((-0.5, 0.05, 0.6), (0.0, -0.1, 0.8), (0.55, 0.05, 0.55)):
            puff.oval(dx, dy, s, 0.4 * s, cloud)
    content = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    _DRAWERS[kind](_Pen(content, x0, y0, k, k), seed, palette, haze, lit)
    content = content.point(_lut(grade, True))
    canvas.paste(content, (0, 0), content)
    for lx0, ly0, lx1, ly1 in lit if tod in ("dusk", "blue_hour", "night") else []:
        glow = max(lx1 - lx0, ly1 - ly0)  # lit windows and lamps
        pen.oval((lx0 + lx1) / 2, (ly0 + ly1) / 2, glow, glow, (*_WARM, 60))
        pen.rect(lx0, ly0, lx1, ly1, _WARM)
    image = canvas.reduce(ss) if ss > 1 else canvas
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


@dataclass(frozen=True)
class _Photo:
    """A character photo as previz reads it: where its head is and the colours it shows.

    `cx`, `chin` and `head` (head height, hair to chin) are in the photo's pixels; `cloth`,
    `skin` and `hair` colour what the photo does not cover (all of the figure from behind).
    """

    image: Image.Image
    cx: float
    chin: float
    head: float
    cloth: RGB
    skin: RGB
    hair: RGB


def _read_photo(image: Image.Image) -> _Photo:
    """Find the head in a character photo and its clothing, skin and hair colours.

    Read on a 64-pixel thumbnail: the face is the largest head-shaped blob of skin tones
    (a YCbCr rule) in the upper part, its hair the rows above it that differ from the
    backdrop (the top row). Without a face the photo is read as a portrait (head at the
    top middle, 45 % of the height) or, when much taller than wide, as a full figure.
    """
    import cv2  # lazily: only a bound character photo needs it

    image = image.convert("RGBA")
    thumb = image.copy()
    thumb.thumbnail((64, 64), Image.Resampling.BOX)
    rgba, (tw, th) = np.asarray(thumb).astype(int), thumb.size
    opaque = rgba[..., 3] > 127
    y, cb, cr = np.moveaxis(np.asarray(thumb.convert("RGB").convert("YCbCr")).astype(int), 2, 0)
    skin = (y >= 50) & (cr >= 135) & (cr <= 175) & (cb >= 80) & (cb <= 130) & opaque
    stats = cv2.connectedComponentsWithStats(skin.astype(np.uint8), connectivity=4)[2][1:]
    faces = [  # head-shaped, not too small or large, mostly filled, in the upper part
        (bx, by, bw, bh)
        for bx, by, bw, bh, area in stats[np.argsort(-stats[:, 4], kind="stable")]
        if 0.01 <= area / skin.size <= 0.4 and 0.4 <= bw / bh <= 1.6 and bh <= 0.75 * th
        and area >= 0.35 * bw * bh and by + bh / 2 < 0.6 * th
    ]  # fmt: skip

    def median(top: float, bottom: float, left: float, right: float) -> RGB | None:
        """Median colour of the opaque thumbnail pixels in a box (at least one pixel)."""
        rows = slice(max(0, int(top)), max(int(top) + 1, math.ceil(bottom)))
        cols = slice(max(0, int(left)), max(int(left) + 1, math.ceil(right)))
        pixels = rgba[rows, cols][opaque[rows, cols]][:, :3]
        return tuple(int(c) for c in np.median(pixels, axis=0)) if len(pixels) else None

    if faces:  # the face's width sets the band searched for hair; the neck is cut off
        bx, by, bw, bh = faces[0]
        cx, chin, top = bx + bw / 2, min(by + bh, by + 1.4 * bw), by
        band = (bx + 0.3 * bw, bx + 0.7 * bw)
        backdrop = median(0, 1, 0, tw)
        while top > max(0, by - 0.6 * bw) and backdrop is not None:
            row = median(top - 1, top, *band)
            if row is None or max(abs(a - b) for a, b in zip(row, backdrop, strict=True)) <= 32:
                break
            top -= 1
    else:
        cx, band = tw / 2, (0.4 * tw, 0.6 * tw)
        top, chin = 0.05 * th, 0.05 * th + (th / 7 if th > 1.6 * tw else 0.45 * th)
    head = chin - top
    cloth = median(chin + 0.25 * head, th, cx - 0.75 * head, cx + 0.75 * head)
    face = median(chin - 0.55 * head, chin - 0.25 * head, cx - 0.2 * head, cx + 0.2 * head)
    hair = median(top, top + 0.15 * head, *band)
    sx, sy = image.width / tw, image.height / th
    return _Photo(
        image,
        cx * sx,
        chin * sy,
        head * sy,
        cloth or median(0.9 * th, th, 0, tw) or (138, 138, 138),
        face or _SKIN[0],
        hair or (59, 42, 32),
    )


def _paste_photo(pen: _Pen, photo: _Photo, x: float, h: float, b: float) -> None:
    """Lay `photo` on the figure standing at (x, 0), clipped to the figure's shape.

    The photo is scaled so that its head covers the figure's head (hair top to chin, an
    oval) and its clothes fall on the body; below the photo the figure keeps its colours.
    """
    r = 0.075 * h  # head radius, as the silhouette draws it
    k, chin = 2.12 * r / photo.head, -0.92 * h + 1.02 * r  # world units per photo pixel
    half = max(0.17 * h * b, 1.2 * r)
    (X0, Y0), (X1, Y1) = pen.p(x - half, -0.92 * h - 1.2 * r), pen.p(x + half, 0)
    X0, Y0 = max(0, math.floor(X0)), max(0, math.floor(Y0))
    X1, Y1 = min(pen.image.width, math.ceil(X1)), min(pen.image.height, math.ceil(Y1))
    if X1 <= X0 or Y1 <= Y0:
        return
    mask = Image.new("L", (X1 - X0, Y1 - Y0), 0)
    local = _Pen(mask, pen.x0 + X0 / pen.kx, pen.y0 + Y0 / pen.ky, pen.kx, pen.ky)
    body, head = local.at(x, 0, h * b, h), local.at(x, -0.92 * h, r)
    for (x0, y0, x1, y1, corner), _ in _BODY:
        body.rect(x0, y0, x1, y1, (255,), corner)
    for oval, _ in _PHOTO_HEAD:
        head.oval(*oval, (255,))
    image, scale = photo.image, k * pen.kx  # canvas pixels per photo pixel
    if scale < 0.5:  # shrink first, so that a far figure does not alias
        size = (max(1, round(image.width * 2 * scale)), max(1, round(image.height * 2 * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    fx, fy = image.width / photo.image.width, image.height / photo.image.height
    affine = (
        fx / (k * local.kx), 0.0, fx * (photo.cx + (local.x0 - x) / k),
        0.0, fy / (k * local.ky), fy * (photo.chin + (local.y0 - chin) / k),
    )  # fmt: skip
    texture = image.transform(mask.size, Image.Transform.AFFINE, affine, Image.Resampling.BILINEAR)
    pen.image.paste(texture, (X0, Y0), ImageChops.multiply(mask, texture.getchannel("A")))


_UPPER, _FORE, _ARM_W, _LEG = 0.17, 0.16, 0.05, 0.5  # arm and leg lengths, in heights
_DROP = {"stand": 0.0, "sit": 0.22, "kneel": 0.2}  # how far the hips sink, in heights
_TILT = {"level": 0.0, "up": -0.45, "down": 0.45, "laugh": -0.55}  # head pitch (profile, rad)
_SEAT: RGB = (96, 66, 44)


def _limb(pen: _Pen, points: list[tuple[float, float]], width: float, fill: RGB) -> None:
    """A limb through `points` (pen units): thick segments with round joints."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length * width / 2, (x1 - x0) / length * width / 2
        pen.poly(
            [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], fill
        )
    for x, y in points:
        pen.oval(x, y, width / 2, width / 2, fill)


def _arm_points(pose: Pose, near: bool, b: float, drop: float) -> list[tuple[float, float]]:
    """Shoulder, elbow and hand of an arm in heights around the feet (y up is negative)."""
    m = -1.0 if pose.mirror else 1.0
    upper, fore = pose.near if near else pose.far
    if pose.view == "profile":
        out, x0 = m, (0.012 if near else -0.012) * m * b
        upper, fore = abs(upper), abs(fore)  # hands to the face go forward, not behind
    else:
        out = m if near else -m
        x0 = 0.141 * b * out
    y0 = -0.79 + drop
    x1, y1 = x0 + out * _UPPER * math.sin(upper), y0 + _UPPER * math.cos(upper)
    return [(x0, y0), (x1, y1), (x1 + out * _FORE * math.sin(fore), y1 + _FORE * math.cos(fore))]


def _draw_legs(unit: _Pen, pose: Pose, b: float, colour: RGB) -> None:
    """Legs for a stride, a seat or a kneel (heights around the feet)."""
    m, w = -1.0 if pose.mirror else 1.0, 0.07 * b
    hip = -_LEG + _DROP[pose.stance]
    profile = pose.view == "profile"
    if pose.stance == "sit":
        unit.rect(-0.14 * b, hip + 0.01, 0.14 * b, hip + 0.05, _SEAT)  # a stool
        for sx in (-0.12, 0.1):
            unit.rect(sx * b, hip + 0.05, (sx + 0.025) * b, 0, _shade(_SEAT, 0.8))
        if profile:
            for dx in (0.0, 0.02):
                _limb(
                    unit, [(dx * m, hip), ((0.24 + dx) * m, hip), ((0.24 + dx) * m, 0)], w, colour
                )
        else:
            for sx in (-1, 1):
                _limb(
                    unit,
                    [(0.05 * sx * b, hip), (0.08 * sx * b, hip + 0.04), (0.08 * sx * b, 0)],
                    w,
                    colour,
                )
        return
    if pose.stance == "kneel":
        if profile:
            _limb(unit, [(0.0, hip), (0.2 * m, hip), (0.2 * m, 0)], w, colour)
            _limb(unit, [(0.0, hip), (-0.04 * m, -0.02), (-0.3 * m, -0.02)], w, colour)
        else:
            for sx in (-1, 1):
                _limb(unit, [(0.05 * sx * b, hip), (0.06 * sx * b, -0.03)], w, colour)
        return
    swing = 0.4 * pose.stride
    for k, sx in ((1, 1), (-1, -1)):
        if profile:
            a = swing * k
            foot = (math.sin(a) * _LEG * m, hip + math.cos(a) * _LEG)
            _limb(unit, [(0.0, hip), foot], w, colour)
        else:
            lift = max(0.0, 0.05 * pose.stride * k)
            _limb(unit, [(0.048 * sx * b, hip), (0.048 * sx * b, -lift - w / 2)], w, colour)


def _head_ovals(pose: Pose) -> list[tuple[tuple[float, float, float, float], str]]:
    """The head's ovals (head radii around its centre) for the pose's view, tilt, mirror."""
    m = -1.0 if pose.mirror else 1.0
    ovals = list(_HEAD[pose.view])
    if pose.view == "front" and pose.head != "level":
        dy = {"up": -0.3, "down": 0.34, "laugh": -0.3}[pose.head]
        ovals = [ovals[0]] + [((cx, cy + dy, rx, ry), c) for (cx, cy, rx, ry), c in ovals[1:]]
        if pose.head == "down":  # the crown shows
            ovals.insert(2, ((0, -0.3, 0.98, 0.72), "hair"))
    elif pose.view == "profile" and pose.head != "level":
        phi = _TILT[pose.head]
        cos, sin = math.cos(phi), math.sin(phi)
        ovals = [ovals[0]] + [
            ((cx * cos - cy * sin, cx * sin + cy * cos, rx, ry), c)
            for (cx, cy, rx, ry), c in ovals[1:]
        ]
    if pose.head == "laugh" and pose.view != "back":
        mouth = (0.0, 0.3, 0.3, 0.16) if pose.view == "front" else (0.7, 0.1, 0.22, 0.12)
        ovals.append((mouth, "dark"))
    return [((cx * m, cy, rx, ry), c) for (cx, cy, rx, ry), c in ovals]


def _hand(pose: Pose, b: float, drop: float) -> tuple[float, float]:
    """Where a held prop sits: the near hand, or between both hands when both hold it."""
    near = _arm_points(pose, True, b, drop)[-1]
    if pose.far == pose.near and pose.near != HANG:  # held up in both hands, to be read
        far = _arm_points(pose, False, b, drop)[-1]
        return (near[0] + far[0]) / 2, (near[1] + far[1]) / 2 - 0.07
    return near


def _draw_subject(pen: _Pen, s: Subject, x: float, pose: Pose, photo: _Photo | None) -> None:
    """One character with its feet at (x, 0) in `pose`: its silhouette (mirrored when it
    faces left), with its photo laid on it and the prop it holds."""
    view = pose.view
    h, b = s.height, s.build * (0.62 if view == "profile" else 1.0)
    cloth, skin = _rgb(s.color), _SKIN[hashlib.sha256(s.name.encode()).digest()[0] % len(_SKIN)]
    hair = _rgb(s.accent)
    if photo is not None:  # where the photo does not reach, the figure wears its colours
        cloth, skin, hair = photo.cloth, photo.skin, photo.hair
    colours = {"cloth": cloth, "skin": skin, "hair": hair, "dark": (40, 30, 30)}
    colours |= {"sleeve": _shade(cloth, 0.82), "legs": _mix(cloth, (36, 36, 44), 0.72)}
    colours["mouth"] = _shade(skin, 0.6)
    drop = _DROP[pose.stance]
    arms = pose.near != HANG or pose.far != HANG
    legs = pose.stride != 0.0 or pose.stance != "stand"
    pen.oval(x, 0, 0.24 * h * b, 0.022 * h, (0, 0, 0, 80))  # contact shadow
    body, head = pen.at(x, drop * h, h * b, h), pen.at(x, (drop - 0.92) * h, 0.075 * h)
    unit = pen.at(x, 0, h)  # limbs, in heights, feet at 0
    if legs:
        _draw_legs(unit, pose, s.build * (0.62 if view == "profile" else 1.0), colours["legs"])
    if arms and view == "profile":  # the far arm behind the body
        _limb(unit, _arm_points(pose, False, b, drop), _ARM_W, _shade(colours["sleeve"], 0.8))
    for (x0, y0, x1, y1, corner), colour in _BODY:
        if (colour == "legs" and legs) or (colour == "sleeve" and arms):
            continue
        body.rect(x0, y0, x1, y1, colours[colour], corner)
    plain = pose.view == "front" and pose.head == "level" and not pose.mirror
    ovals = _HEAD[view] if plain or view == "back" else _head_ovals(pose)
    for oval, colour in ovals if photo is None or view == "back" else _PHOTO_HEAD:
        head.oval(*oval, colours[colour])
    if photo is not None and view != "back" and pose.stance == "stand":
        _paste_photo(pen, photo, x, h, b)  # from behind, only the photo's colours
    if arms:
        sides = [True] if view == "profile" else [False, True]
        for near in sides:
            points = _arm_points(pose, near, b, drop)
            _limb(unit, points, _ARM_W, colours["sleeve"])
            unit.oval(*points[-1], 0.024, 0.024, colours["skin"])
    if pose.held:
        hx, hy = _hand(pose, b, drop)
        w, hh = held_prop_size(pose.held)
        if pose.far == pose.near:
            w, hh = 1.35 * w, 1.35 * hh
        box = (*unit.p(hx - w / 2, hy - hh / 2), *unit.p(hx + w / 2, hy + hh / 2))
        draw_prop(pen.draw, pose.held, box)
        if arms:
            unit.oval(*_arm_points(pose, True, b, drop)[-1], 0.022, 0.022, colours["skin"])


def _draw_surface(draw: ImageDraw.ImageDraw, box: tuple[float, ...]) -> None:
    """A wooden desk top filling the pixel `box`, its grain running across."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, (122, 86, 58))
    for k in range(1, 14):
        y = y0 + (y1 - y0) * k / 14
        draw.line((x0, y, x1, y + (y1 - y0) * 0.01), (104, 72, 48), max(1, round((y1 - y0) / 300)))


def _draw_fill(canvas: Image.Image, name: str, box: tuple[float, ...]) -> None:
    """A prop filling the pixel `box`; a flat upright one (a letter) is turned on its side
    when that fills a wide box better."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if name not in FLAT or prop_aspect(name) >= 1 or w <= h:
        draw_prop(ImageDraw.Draw(canvas), name, box)
        return
    turned = Image.new("RGBA", (max(1, round(h)), max(1, round(w))), (0, 0, 0, 0))
    draw_prop(ImageDraw.Draw(turned), name, (0, 0, turned.width, turned.height))
    turned = turned.transpose(Image.Transpose.ROTATE_90)
    canvas.alpha_composite(turned, (max(0, round(x0)), max(0, round(y0))))


def _figure_reach(s: Subject, pose: Pose | None = None) -> float:
    """How far a figure's drawing may reach from its feet's x, in units: a standing figure
    with its arms down 0.3 x build, arms out or holding a prop further."""
    if pose is not None and pose.near == HANG and pose.far == HANG and not pose.held:
        return 0.3 * s.build * s.height
    return 0.62 * s.height * max(1.0, s.build)


def _static_layer(
    items: list[tuple], geo: tuple, ss: int, grade: np.ndarray, refs: dict[str, Image.Image]
) -> Image.Image:
    """The subjects layer (RGBA; shrunk premultiplied so that edges do not darken): each
    item is ("figure", subject, x, pose), ("prop", name, box) or ("card", label, box),
    boxes in world units, drawn in order."""
    x0, y0, w, h, ppu = geo
    canvas = Image.new("RGBA", (w * ss, h * ss), (0, 0, 0, 0))
    pen = _Pen(canvas, x0, y0, ppu * ss, ppu * ss)
    for kind, what, where, *rest in items:
        if kind == "figure":
            photo = refs.get(f"subject:{what.name}")
            _draw_subject(pen, what, where, rest[0], _read_photo(photo) if photo else None)
        else:
            box = (*pen.p(where[0], where[1]), *pen.p(where[2], where[3]))
            if kind == "surface":
                _draw_surface(pen.draw, box)
            elif kind == "fill":
                _draw_fill(canvas, what, box)
            else:
                (draw_prop if kind == "prop" else draw_card)(pen.draw, what, box)
    if ss > 1:
        canvas = canvas.convert("RGBa").reduce(ss).convert("RGBA")
    return canvas.point(_lut(grade, True))


def _key_light(side: str, W: int, H: int) -> np.ndarray | None:
    """Screen-space key light gain, (H, W, 3) uint16 where 256 is 1 (None when even)."""
    x, y = ((np.arange(W) + 0.5) / W)[None, :], ((np.arange(H) + 0.5) / H)[:, None]
    smooth = x * x * (3 - 2 * x)
    gains = {"left": 1.0 - 0.45 * smooth, "right": 0.55 + 0.45 * smooth, "top": 1.0 - 0.4 * y}
    if side == "back":  # rim light: the centre falls dark
        gains["back"] = (
            0.6 + 0.4 * np.clip(np.hypot((x - 0.5) * W / H, y - 0.5) / 0.75, 0, 1) ** 1.5
        )
    if side not in gains:
        return None
    gain = np.round(np.broadcast_to(gains[side], (H, W)) * 256).astype(np.uint16)
    return np.repeat(gain[..., None], 3, axis=2)


SUBTITLE_MAX_CHARS = 400
"""Characters of a dialogue line read for the subtitle (3 lines never hold more)."""


def _fitted(
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str, width: float, end: str = ""
) -> str:
    """`text` shortened from its end (keeping `end`) until it fits `width`."""
    while len(text) > len(end) + 1 and font.getlength(text) > width:
        text = text[: max(len(end) + 1, len(text) * 9 // 10) - len(end)].rstrip() + end
    return text


def _subtitle(text: str, W: int, H: int) -> tuple[int, int, np.ndarray, np.ndarray] | None:
    """Left, top, premultiplied colour and 255 - alpha (uint16) of the subtitle box.

    White text with a dark outline on a translucent dark box, wrapped to the frame width.
    """
    # at most 3 lines are shown: only the start of a long line is measured and drawn
    words, size = text[:SUBTITLE_MAX_CHARS].split(), max(10, round(H * 0.055))
    if not words:
        return None
    font, width = _font(size), W * 0.86
    lines = [_fitted(font, words[0], width)]
    for word in words[1:]:
        if font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        elif len(lines) == 3:
            lines.append(word)
            break
        else:
            lines.append(_fitted(font, word, width))
    cut = len(lines) > 3 or len(text) > SUBTITLE_MAX_CHARS
    lines = lines[:3]
    if cut:
        lines[-1] = _fitted(font, lines[-1] + " …", width, " …")
    pad, step = round(size * 0.45), round(size * 1.25)
    bw = round(max(font.getlength(line) for line in lines)) + 2 * pad
    box = Image.new("RGBA", (bw, step * (len(lines) - 1) + size + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(box)
    draw.rounded_rectangle((0, 0, box.width - 1, box.height - 1), pad, (0, 0, 0, 150))
    for i, line in enumerate(lines):
        draw.text(
            ((bw - font.getlength(line)) / 2, pad + i * step),
            line,
            (255, 255, 255, 255),
            font,
            stroke_width=size // 14,
            stroke_fill=(0, 0, 0, 255),
        )
    x, y = max(0, (W - bw) // 2), max(0, H - box.height - round(H * 0.05))
    rgba = np.asarray(box).astype(np.uint16)[: H - y, : W - x]
    return x, y, rgba[..., :3] * rgba[..., 3:], 255 - rgba[..., 3:]


def _over_the_shoulder(
    d: PrevizDirections, W: int, H: int, grade: np.ndarray, side: str = "left"
) -> tuple:
    """(image, position) of the shoulder owner's (the second subject's) blurred back at
    the left edge, or mirrored at the right edge (ots)."""
    other = d.subjects[1] if len(d.subjects) > 1 else Subject(name="", color="#2c2c34")
    layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.ellipse((-0.25 * W, 0.66 * H, 0.36 * W, 1.6 * H), _shade(_rgb(other.color), 0.7))
    draw.ellipse((0.0, 0.22 * H, 0.22 * W, 0.78 * H), _shade(_rgb(other.accent), 0.8))
    layer = layer.filter(ImageFilter.GaussianBlur(H * 0.015)).point(_lut(grade, True))
    if side == "right":
        layer = ImageOps.mirror(layer)
    bbox = layer.getbbox() or (0, 0, 1, 1)
    return layer.crop(bbox), bbox[:2]


@dataclass
class _Sprite:
    """A figure drawn per frame: one layer per pose, its feet's x (units) and scale by frame."""

    layers: list[_Layer | None]
    xs: np.ndarray
    scales: np.ndarray
    pose_index: np.ndarray

    def state(self, i: int) -> tuple[int, float, float]:
        """What decides the sprite's pixels in frame i: pose, x and scale."""
        return int(self.pose_index[i]), float(self.xs[i]), float(self.scales[i])

    def sample(self, v: _View, i: int, W: int, H: int) -> tuple | None:
        """(image, left, top) of the figure in frame i seen through the subject window `v`."""
        layer = self.layers[self.pose_index[i]]
        if layer is None:
            return None
        x, s = self.xs[i], self.scales[i]
        local = _View((v.cx - x) / s, v.cy / s, v.upp_x / s, v.upp_y / s, v.theta)
        return layer.sample(local, W, H, Image.Resampling.NEAREST)


def _stage_items(
    staging: Staging, d: PrevizDirections, view: _View, W: int, H: int
) -> tuple[list[tuple], list[tuple[Subject, np.ndarray, Any]]]:
    """Static items for the subjects layer (set props, still figures, a frame-filling prop
    or card; world boxes) and the moving figures (subject, feet x by frame, figure)."""
    unit = d.subjects[0].height if d.subjects else 1.0

    def world(fraction: float | np.ndarray) -> Any:  # a fraction of the frame width -> units
        return (fraction - 0.5) * W * view.upp_x  # frame 0 is framed on x = 0

    items: list[tuple] = []
    moving: list[tuple[Subject, np.ndarray, Any]] = []
    if staging.fill_prop or staging.fill_card:
        hw, hh = W / 2 * view.upp_x, H / 2 * view.upp_y
        if staging.surface:  # the desk it lies on, past the frame's edges
            box = (view.cx - 1.6 * hw, view.cy - 1.6 * hh, view.cx + 1.6 * hw, view.cy + 1.6 * hh)
            items.append(("surface", staging.surface, box))
        k = 0.94 if staging.fill_prop else 0.8
        box = (view.cx - k * hw, view.cy - k * hh, view.cx + k * hw, view.cy + k * hh)
        if staging.fill_prop:
            items.append(("fill", staging.fill_prop, box))
        else:
            items.append(("card", staging.fill_card, box))
    fractions = [float(f.xs[0]) for f in staging.figures]
    side = 1.0 if not fractions or sum(fractions) / len(fractions) <= 0.5 else -1.0
    edge = (max(fractions) if side > 0 else min(fractions)) if fractions else 0.5 - 0.22
    shown = staging.set_props if staging.figures or d.size != "ELS" else []  # the set is
    for k, name in enumerate(shown):  # what an establishing shot without people shows
        frac = edge + side * 0.22 * (k + 1)
        if not 0.05 <= frac <= 0.95:
            frac = 0.5 - side * 0.3
        w, h, raised = (a * unit for a in set_prop_size(name))
        x = world(frac)
        items.append(("prop", name, (x - w / 2, -raised - h, x + w / 2, -raised + 0.02 * unit)))
    for figure in staging.figures:
        subject = d.subjects[figure.index]
        if figure.moving:
            moving.append((subject, world(figure.xs), figure))
        else:
            items.append(("figure", subject, float(world(figure.xs[0])), figure.poses[0]))
    return items, moving


def _item_box(item: tuple) -> tuple[float, float, float, float]:
    """The world box an item may cover."""
    if item[0] != "figure":
        return item[2]
    s, x, reach = item[1], item[2], _figure_reach(item[1], item[3])
    return x - reach, -1.05 * s.height, x + reach, 0.06


def _load_references(request: RenderRequest, d: PrevizDirections) -> tuple[dict, list]:
    """Images by use ("location", "style", "subject:<name>") and the references left out, why."""
    images: dict[str, Image.Image] = {}
    ignored: list[dict[str, str]] = []
    names = {s.name for s in d.subjects}
    for ref in request.references:
        use = f"subject:{ref.subject}" if ref.role == "subject" else ref.role
        if ref.kind != "image":
            reason = f"previz uses images only, not {ref.kind}"
        elif ref.role not in ("location", "subject", "style"):
            reason = f"previz does not use the role {ref.role!r}"
        elif ref.role == "subject" and ref.subject not in names:
            reason = f"no subject named {ref.subject!r} in this shot"
        elif use in images:
            reason = f"only the first {ref.role} image is used"
        elif (too_large := oversized_image(Path(ref.path))) is not None:
            reason = f"the image is {too_large}"
        else:
            image = Image.open(ref.path)
            alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            images[use] = image.convert("RGBA" if alpha and ref.role == "subject" else "RGB")
            continue
        ignored.append({"path": ref.path, "kind": ref.kind, "role": ref.role, "reason": reason})
    return images, ignored


# The scene ---------------------------------------------------------------------------------------


class _Scene:
    """Everything built once per request; `frame(i)` composes frame i from it."""

    def __init__(self, request: RenderRequest) -> None:
        d = parse_directions(request.options)
        W, H, self.n = request.width, request.height, request.frames
        self.size = (W, H)
        refs, ignored = _load_references(request, d)
        tint = _kelvin_tint(d.color_temp_k)
        if "style" in refs:
            mean = np.asarray(refs["style"].resize((16, 16)), float).mean(axis=(0, 1)) + 1
            tint = tint * (0.85 + 0.15 * mean / mean.max())
        grade = np.array(_GRADE[d.time_of_day or "afternoon"]) * tint
        shoulder = d.subjects[1].position if len(d.subjects) > 1 else None
        self.views = _camera_path(d, request, 0.0, -1.0 if shoulder == "right" else 1.0)
        staging = plan_staging(d, self.n, W * self.views[0][1].upp_x)
        blur = max(1.0, 0.007 * H) if d.depth_of_field == "shallow" else 0.0
        geo = _geometry([v[0] for v in self.views], W, H)
        assert geo is not None  # no limit: the background always covers the frame
        image = _background(d, geo, _supersampling(geo), grade, tint, refs.get("location"), blur)
        self.background = _Layer(image, geo[0], geo[1], geo[4])
        self.subjects: _Layer | None = None
        items, moving = _stage_items(staging, d, self.views[0][1], W, H)
        if items:
            boxes = [_item_box(item) for item in items]
            x0, y0, x1, y1 = (f(b[k] for b in boxes) for k, f in enumerate((min, min, max, max)))
            limit = (min(x0, -x1), y0, max(x1, -x0), y1)  # symmetric, as before staging
            geo = _geometry([v[1] for v in self.views], W, H, limit)
            if geo is not None:
                image = _static_layer(items, geo, _supersampling(geo), grade, refs)
                self.subjects = _Layer(image, geo[0], geo[1], geo[4], image.getbbox())
        self.covers = staging.surface is not None  # an opaque layer over the whole frame
        self.sprites: list[_Sprite] = []
        for subject, xs, figure in moving:  # drawn per frame: a layer per pose
            s = np.asarray(figure.scales, float)
            local = [
                _View((v.cx - x) / k, v.cy / k, v.upp_x / k, v.upp_y / k, v.theta)
                for (_, v), x, k in zip(self.views, xs, s, strict=True)
            ]
            reach = _figure_reach(subject)
            geo = _geometry(local, W, H, (-reach, -1.05 * subject.height, reach, 0.06))
            layers: list[_Layer | None] = []
            for pose in figure.poses:
                if geo is None:
                    layers.append(None)
                    continue
                image = _static_layer([("figure", subject, 0.0, pose)], geo, 2, grade, refs)
                layers.append(_Layer(image, geo[0], geo[1], geo[4], image.getbbox()))
            self.sprites.append(_Sprite(layers, np.asarray(xs, float), s, figure.pose_index))
        if d.angle == "ots":
            self.foreground = _over_the_shoulder(d, W, H, grade, staging.shoulder)
        else:
            self.foreground = None
        self.light, self.wide = _key_light(d.key_light or "front", W, H), np.empty((H, W, 3), "u2")
        self.caption = _subtitle(d.subtitle, W, H)
        self.first = None
        if request.first_frame:
            image = Image.open(request.first_frame).convert("RGB").resize((W, H))
            self.first = np.asarray(image).astype(np.uint16)
        self.crossfade = max(1, min(12, self.n // 4)) if request.first_frame else 0
        moving = any(v != self.views[0] for v in self.views)
        self.resample = Image.Resampling.NEAREST if moving else Image.Resampling.BILINEAR
        self.last: tuple[Any, np.ndarray] | None = None
        self.base: tuple[tuple[_View, ...], Image.Image] | None = None
        layers = [layer.image.size if layer else None for layer in (self.background, self.subjects)]
        self.metadata: dict[str, Any] = {
            "backend": "previz",
            "directions": d.model_dump(),
            "location_kind": "reference" if "location" in refs else location_kind(d.location),
            "used_references": sorted(refs),
            "ignored_references": ignored,
            "first_frame": request.first_frame is not None,
            "layers": {"background": layers[0], "subjects": layers[1]},
            "resample": "nearest" if moving else "bilinear",
            "staging": staging.summary(),
            "moving_figures": len(self.sprites),
        }

    def frame(self, i: int) -> np.ndarray:
        """Frame i, (H, W, 3) uint8: layers sampled and composited, lit, subtitled, dissolved."""
        W, H = self.size
        key = (self.views[i], *(sprite.state(i) for sprite in self.sprites))
        if self.last is not None and self.last[0] == key:
            out = self.last[1].copy()  # nothing moved: reuse the composed frame
        else:
            background, subject = self.views[i]
            if self.base is not None and self.base[0] == self.views[i]:
                image = self.base[1].copy()  # only figures moved: reuse the set
            else:
                layer = self.subjects
                part = layer.sample(subject, W, H, self.resample) if layer else None
                if self.covers and subject.theta == 0.0 and part and part[0].size == (W, H):
                    image = part[0].convert("RGB")  # a desk top hides the set
                else:
                    image = self.background.sample(background, W, H, self.resample)[0]
                    if part is not None:
                        image.paste(part[0], part[1:], part[0])
                if self.sprites:
                    self.base = (self.views[i], image.copy())
            for sprite in self.sprites:
                part = sprite.sample(subject, i, W, H)
                if part is not None:
                    image.paste(part[0], part[1:], part[0])
            if self.foreground is not None:
                image.paste(self.foreground[0], self.foreground[1], self.foreground[0])
            out = np.asarray(image)
            if self.light is not None:  # integer multiply, 256 is a gain of 1
                wide = np.multiply(out, self.light, out=self.wide)
                out = np.right_shift(wide, 8, out=wide).astype(np.uint8)
            else:
                out = out.copy()
            if self.caption is not None:
                x, y, colour, inverse = self.caption
                region = out[y : y + colour.shape[0], x : x + colour.shape[1]]
                region[...] = (region * inverse + colour) // 255
            self.last = (key, out.copy())
        if self.first is not None and i < self.crossfade:
            mixed = self.first * (self.crossfade - i) + out.astype(np.uint16) * i
            return (mixed // self.crossfade).astype(np.uint8)
        return out

    def frames(self, progress: ProgressCallback, cancel: CancelToken) -> Iterator[np.ndarray]:
        """Every frame, checking `cancel` before and reporting progress after each."""
        for i in range(self.n):
            cancel.check()
            frame = self.frame(i)
            progress(i + 1, self.n, f"frame {i + 1}/{self.n}")
            yield frame


def render_frames(
    request: RenderRequest,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[np.ndarray]:
    """Frames of `request` one at a time, (H, W, 3) uint8, so a caller can encode as they come."""
    check_request(request)
    yield from _Scene(request).frames(progress or no_progress, cancel or CancelToken())


class PrevizBackend:
    """The CPU animatic backend (the module docstring says what it draws)."""

    name = "previz"
    capabilities = Capabilities(
        text_to_video=True,
        image_to_video=True,
        max_reference_images=9,
        max_reference_videos=0,
        max_audio=3,  # sound is not drawn, but it is muxed into the take and the cut
        frame_rule="any",
        needs_gpu=False,
        deterministic=True,
        stages=True,
    )

    def load(self) -> None:
        """Warm the subtitle font; previz has no weights."""
        _font(20)

    def check_request(self, request: RenderRequest) -> None:
        """Raise ValueError naming the field, the rule and the value if previz cannot render it."""
        check_request(request)

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        """Render the whole take into memory."""
        # 1. check inputs
        check_request(request)
        # 2. prepare: layers, camera path, grade, key light and subtitle, once
        started = time.perf_counter()
        scene = _Scene(request)
        prepared = time.perf_counter()
        # 3. the frame loop: progress and a cancel check every frame
        frames = np.empty((request.frames, request.height, request.width, 3), np.uint8)
        for i, frame in enumerate(scene.frames(progress, cancel)):
            frames[i] = frame
        done = time.perf_counter()
        # 4. a typed result
        timings = {
            "prepare_s": prepared - started,
            "frames_s": done - prepared,
            "ms_per_frame": (done - started) * 1000 / request.frames,
        }
        return RenderResult(frames, fps=request.fps, timings=timings, metadata=scene.metadata)

    def stream(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> Iterator[np.ndarray]:
        """Frames one at a time (`RenderExecutor.stream` uses this)."""
        return render_frames(request, progress, cancel)

    def still(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> np.ndarray:
        """The picture `request` opens on, (H, W, 3) uint8, drawn alone: the scene is built
        for a one-frame camera path, so no other frame is composed (a keyframe candidate,
        tools/keyframes.py). It shows what frame 0 of the take shows; its pixels may differ a
        little where the take's camera moves (its layers are sampled for the whole move).
        Like every previz frame it depends on the seed only for a handheld camera."""
        single = request.model_copy(update={"frames": 1, "first_frame": None})
        check_request(single)
        cancel.check()
        frame = _Scene(single).frame(0)
        progress(1, 1, "still")
        return frame

    def unload(self) -> None:
        """Drop the font cache."""
        _font.cache_clear()
