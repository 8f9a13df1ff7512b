"""The story model: the shared language of the tools and the agent.

A `StoryPlan` is everything a revision restores on undo: the title, the
style, the bible (characters, locations, references) and the shot list.
Takes are generated artifacts: they live beside the plan and are never
undone (a shot's `selected_take` is part of the plan, the take itself is not).
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from storyreel.tools.errors import InvalidInputError, OutsidePathError
from storyreel.tools.vocabulary import (
    Angle,
    AngleField,
    DepthOfField,
    DepthOfFieldField,
    LightSide,
    LightSideField,
    MediaKind,
    Movement,
    MovementField,
    ReferenceRole,
    ShotSize,
    SizeField,
    TimeOfDay,
    TimeOfDayField,
    Transition,
    TransitionField,
)

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 '\-]{0,39}$")
_RATIO_PART = r"(\d{1,4}(?:\.\d{1,3})?|\.\d{1,3})"
_ASPECT_RE = re.compile(rf"^\s*{_RATIO_PART}\s*(?:[:x/]\s*{_RATIO_PART})?\s*$")

REFERENCE_LIMITS: dict[str, int] = {"image": 9, "video": 3, "audio": 3}
"""At most this many reference files of each kind in one shot's request."""
REFERENCE_TOTAL_LIMIT = 12
"""At most this many reference files in all in one shot's request."""

RESOLUTIONS: dict[str, int] = {"180p": 180, "360p": 360, "480p": 480, "720p": 720, "1080p": 1080}
"""Resolution presets: the short side of the frame in pixels."""
MAX_FRAME_SIDE = 4096
"""The longest side of a frame, in pixels (a render request allows no more)."""


def handle_of(name: str) -> str:
    """The @handle of a character or location name ("Old Tom" -> "old-tom")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def check_name(name: str, what: str) -> str:
    """Validate a character or location name and return it stripped."""
    name = name.strip().lstrip("@")
    if not _NAME_RE.match(name):
        raise InvalidInputError(
            f"{what} name {name!r} is not usable as a handle: start with a letter and use "
            "at most 40 letters, digits, spaces, hyphens or apostrophes (e.g. 'Mara')"
        )
    return name


REF_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"
"""A temporary shot ref in a batch ("new1"): a letter, then up to 19 letters, digits, _ or -."""
_REF_RE = re.compile(REF_PATTERN)


def parse_shot_key(value: object) -> int | str:
    """A shot id (int, or digits as text) or a temporary ref of a shot added in the same batch.

    Raises:
        InvalidInputError: neither a number nor a ref like "new1".
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"a shot id must be a number or a ref like 'new1', got {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip().lstrip("#")
    if text.isdigit():
        return int(text)
    if _REF_RE.match(text):
        return text
    raise InvalidInputError(
        f"a shot id must be a number (e.g. 3) or the ref of a shot added earlier in the same "
        f"batch (a letter then letters/digits, e.g. 'new1'), got {value!r}"
    )


ShotKey = Annotated[
    int | str,
    BeforeValidator(parse_shot_key),
    Field(description="A shot id, or the ref of a shot added earlier in this same batch"),
]
"""Where a shot id is expected in an edit: an id, or a temporary ref ("new1") of the batch."""


# --- staging and light: strict values, forgiving input --------------------------------


RenderStatus = Literal[
    "rendered", "reused", "up_to_date", "locked", "repaired", "already_final", "skipped"
]
"""What a render did with a shot; `finalize` adds "already_final" (nothing to do) and
"skipped" (no draft to finalize: tools/quality.py)."""


class ScreenPosition(StrEnum):
    """Where a character stands in the frame, as the audience sees it."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Facing(StrEnum):
    """Which way a character faces, as the audience sees it."""

    LEFT = "left"
    RIGHT = "right"
    CAMERA = "camera"
    AWAY = "away"


_WORDS: dict[type[StrEnum], tuple[str, dict[str, str]]] = {
    ScreenPosition: (
        "screen position",
        {
            "l": "left",
            "frameleft": "left",
            "screenleft": "left",
            "centre": "center",
            "c": "center",
            "middle": "center",
            "mid": "center",
            "centered": "center",
            "centred": "center",
            "r": "right",
            "frameright": "right",
            "screenright": "right",
        },
    ),
    Facing: (
        "facing",
        {
            "l": "left",
            "screenleft": "left",
            "frameleft": "left",
            "r": "right",
            "screenright": "right",
            "frameright": "right",
            "front": "camera",
            "lens": "camera",
            "us": "camera",
            "viewer": "camera",
            "audience": "camera",
            "tocamera": "camera",
            "towardscamera": "camera",
            "towardcamera": "camera",
            "intocamera": "camera",
            "back": "away",
            "awayfromcamera": "away",
            "backtocamera": "away",
        },
    ),
}


def parse_word(enum_cls: type[StrEnum], value: object) -> StrEnum:
    """A staging word ("centre", "to camera") as its strict value, or an error listing them."""
    if isinstance(value, enum_cls):
        return value
    name, aliases = _WORDS[enum_cls]
    key = re.sub(r"[^a-z0-9]", "", str(value).lower())
    key = key.replace("the", "").removeprefix("facing").removeprefix("looking") or key
    for candidate in (key, aliases.get(key, "")):
        if candidate in {member.value for member in enum_cls}:
            return enum_cls(candidate)
    choices = ", ".join(member.value for member in enum_cls)
    raise InvalidInputError(f"unknown {name} {value!r}: use one of {choices}")


def _forgiving(enum_cls: type[StrEnum]) -> BeforeValidator:
    return BeforeValidator(lambda value: value if value is None else parse_word(enum_cls, value))


PositionField = Annotated[ScreenPosition, _forgiving(ScreenPosition)]
FacingField = Annotated[Facing, _forgiving(Facing)]

LIGHT_HARDNESS = ("soft", "hard")
_HARDNESS_WORDS = {
    "soft": "soft",
    "diffused": "soft",
    "diffuse": "soft",
    "gentle": "soft",
    "hard": "hard",
    "harsh": "hard",
    "crisp": "hard",
    "direct": "hard",
}

KELVIN_RANGE = (2000, 10000)
"""The colour temperatures an edit may set, in kelvins."""
KELVIN_WORDS: dict[str, int] = {
    "warm": 3200,
    "tungsten": 3200,
    "neutral": 5600,
    "daylight": 5600,
    "cool": 7000,
    "cold": 7000,
}
"""Words accepted for a colour temperature, and the kelvins they mean."""
DEFAULT_KELVIN = 5600


def parse_hardness(value: object) -> str | None:
    """ "soft" or "hard" from words like "Soft", "diffused", "harsh"."""
    if value is None:
        return None
    key = re.sub(r"[^a-z]", "", str(value).lower()).removesuffix("light")
    if key in _HARDNESS_WORDS:
        return _HARDNESS_WORDS[key]
    raise InvalidInputError(
        f"unknown light hardness {value!r}: use soft or hard (or diffused, harsh)"
    )


def parse_kelvin(value: object) -> int | None:
    """A colour temperature in kelvins from 3200, "3200K" or a word (warm, neutral, cool).

    Raises:
        InvalidInputError: not a number or a known word, or outside 2000..10000.
    """
    if value is None:
        return None
    words = ", ".join(f"{word} = {k}" for word, k in KELVIN_WORDS.items())
    if isinstance(value, bool):
        raise InvalidInputError(f"colour temperature must be kelvins, got {value!r}")
    if isinstance(value, int | float):
        kelvin = int(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        if text in KELVIN_WORDS:
            return KELVIN_WORDS[text]
        digits = text.removesuffix("kelvin").removesuffix("k")
        if not digits.isdigit():
            raise InvalidInputError(
                f"colour temperature {value!r} is not a number of kelvins: give "
                f"{KELVIN_RANGE[0]}..{KELVIN_RANGE[1]} (e.g. 3200) or a word ({words})"
            )
        kelvin = int(digits)
    low, high = KELVIN_RANGE
    if not low <= kelvin <= high:
        raise InvalidInputError(
            f"colour temperature {kelvin} K is out of range: give {low}..{high} "
            f"(candle-warm to blue sky) or a word ({words})"
        )
    return kelvin


HardnessField = Annotated[Literal["soft", "hard"], BeforeValidator(parse_hardness)]
KelvinField = Annotated[int, BeforeValidator(parse_kelvin)]


TARGET_LENGTH_RANGE = (1.0, 7200.0)
"""The film lengths a person may ask for, in seconds (one second to two hours)."""
_LENGTH_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
}  # fmt: skip
_LENGTH_PART = re.compile(r"(\d+(?:\.\d+)?|half an?\b|an?\b)\s*([a-z]+)?")
_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def parse_length(value: object) -> float | None:
    """A film length in seconds from 90, "90", "90s", "1:30", "2 min", "1 minute 30", "2m30s",
    "half a minute"; a bare number is seconds.

    Raises:
        InvalidInputError: not a length, or outside 1 s .. 2 hours.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInputError(f"a film length must be a number of seconds, got {value!r}")
    seconds = float(value) if isinstance(value, int | float) else _length_text(str(value))
    low, high = TARGET_LENGTH_RANGE
    if not low <= seconds <= high:
        raise InvalidInputError(
            f"a film length of {seconds:g} s is out of range: give {low:g} s to "
            f"{high / 3600:g} hours"
        )
    return round(seconds, 3)


def _length_text(value: str) -> float:
    text = value.strip().lower().removeprefix("about").strip()
    clock = _CLOCK.match(text)
    if clock:
        return float(int(clock.group(1)) * 60 + int(clock.group(2)))
    text = text.replace(",", " ").replace(" and ", " ")
    parts = list(_LENGTH_PART.finditer(text))
    if not parts or _LENGTH_PART.sub("", text).strip():
        raise InvalidInputError(
            f"{value!r} is not a film length: give seconds (90), minutes and seconds (1:30) "
            "or words (2 minutes, 1m30s)"
        )
    seconds = 0.0
    for part in parts:
        number, unit = part.group(1), part.group(2) or "s"
        if unit not in _LENGTH_UNITS:
            raise InvalidInputError(
                f"{value!r} is not a film length: {unit!r} is not a unit (use s, min or h)"
            )
        amount = 0.5 if number.startswith("half") else 1.0 if number[0] == "a" else float(number)
        seconds += amount * _LENGTH_UNITS[unit]
    return seconds


LengthField = Annotated[float, BeforeValidator(parse_length)]
"""A film length in seconds; text such as "2 minutes" or "1:30" is read too."""


def length_words(seconds: float) -> str:
    """A length as people say it: "45 s", "2 min", "1 min 30 s"."""
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:g} s" if seconds < 10 else f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def parse_aspect(text: str) -> str:
    """Normalise an aspect ratio to "W:H": "16:9", "16x9", "16/9", decimals as cinema writes
    them ("2.39:1", "1.85:1") and a bare ratio ("2.39" is 2.39:1).

    Raises:
        InvalidInputError: not a ratio, a zero side, or wider than 4:1 or taller than 1:4.
    """
    match = _ASPECT_RE.match(str(text))
    width, height = (float(match.group(1)), float(match.group(2) or 1)) if match else (0, 0)
    if width == 0 or height == 0:
        raise InvalidInputError(
            f"aspect ratio {text!r} is not of the form W:H: use e.g. 16:9, 9:16, 4:3, 1:1, "
            "1.85:1 or 2.39:1"
        )
    if not 0.25 <= width / height <= 4.0:
        raise InvalidInputError(
            f"aspect ratio {text!r} is too extreme: use a ratio between 1:4 and 4:1"
        )
    return f"{width:g}:{height:g}"


# --- colours: CSS names, common colour words and hex codes ----------------------------

COLOUR_WORDS: dict[str, str] = {
    "amber": "#ffbf00", "aubergine": "#3d0734", "bronze": "#cd7f32", "brick": "#cb4154",
    "burgundy": "#800020", "cerulean": "#007ba7", "champagne": "#f7e7ce", "charcoal": "#36454f",
    "cherry": "#de3163", "cobalt": "#0047ab", "coffee": "#6f4e37", "copper": "#b87333",
    "cream": "#fffdd0", "denim": "#1560bd", "emerald": "#50c878", "forest": "#228b22",
    "jade": "#00a86b", "lemon": "#fff700", "lilac": "#c8a2c8", "mahogany": "#c04000",
    "mauve": "#e0b0ff", "mint": "#98ff98", "moss": "#8a9a5b", "mustard": "#e1ad01",
    "ochre": "#cc7722", "peach": "#ffe5b4", "pearl": "#eae0c8", "petrol": "#005f6a",
    "pine": "#01796f", "rose": "#ff007f", "ruby": "#e0115f", "rust": "#b7410e",
    "sage": "#9caf88", "sand": "#c2b280", "sapphire": "#0f52ba", "scarlet": "#ff2400",
    "sepia": "#704214", "sky": "#87ceeb", "slate": "#708090", "steel": "#4682b4",
    "straw": "#e4d96f", "taupe": "#483c32", "terracotta": "#e2725b", "umber": "#635147",
    "vermilion": "#e34234", "wine": "#722f37",
}  # fmt: skip
"""Colour words people use that are not CSS names, with the shade they stand for."""

COLOUR_SHADES: dict[str, float] = {"deep": -0.4, "dark": -0.3, "light": 0.45, "pale": 0.6}
"""Words before a colour ("dark teal") and how they change it: below 0 mixes it towards
black by that much, above 0 towards white."""

_HUE_WORDS = frozenset(
    {"red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "grey", "gray"}
    | {"white", "black", "violet"}
)
_HEX_RE = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")


def _named_rgb(name: str) -> tuple[int, int, int] | None:
    """The colour of one name without spaces ("navy", "skyblue", "amber"), or None."""
    from PIL import ImageColor  # lazily: only palettes need it

    if name in ImageColor.colormap:
        red, green, blue = ImageColor.getrgb(name)[:3]
        return red, green, blue
    code = COLOUR_WORDS.get(name)
    return _hex_rgb(code) if code else None


def _hex_rgb(code: str) -> tuple[int, int, int]:
    digits = code[1:] if len(code) == 7 else "".join(c * 2 for c in code[1:])
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _colour_text(value: object) -> str:
    """A colour as stored: lower case, single spaces ("Deep-Blue " -> "deep blue")."""
    return " ".join(str(value).strip().lower().replace("-", " ").replace("_", " ").split())


def colour_rgb(value: object) -> tuple[int, int, int] | None:
    """The RGB of a colour: a hex code (#rgb, #rrggbb), a CSS name ("navy", "sky blue"), a
    common colour word ("amber", "rust"), or one of these after deep, dark, light or pale
    ("deep blue", "pale amber"); "navy blue" reads as navy. None when it is none of these."""
    text = _colour_text(value)
    if text.startswith("#"):
        return _hex_rgb(text) if _HEX_RE.match(text) else None
    if not text:
        return None
    found = _named_rgb(text.replace(" ", ""))  # "sky blue", "dark blue": CSS names too
    if found is not None:
        return found
    words, shade = text.split(), 0.0
    if len(words) > 1 and words[0] in COLOUR_SHADES:
        shade = COLOUR_SHADES[words.pop(0)]
    found = _named_rgb("".join(words))
    if found is None and len(words) > 1 and words[-1] in _HUE_WORDS:
        found = _named_rgb("".join(words[:-1]))  # "navy blue", "olive green"
    if found is None:
        return None
    towards = 255 if shade > 0 else 0
    red, green, blue = (round(c + (towards - c) * abs(shade)) for c in found)
    return red, green, blue


def colour_hex(value: object) -> str | None:
    """The colour as "#rrggbb" (see `colour_rgb`), or None when it is not one."""
    rgb = colour_rgb(value)
    return None if rgb is None else "#{:02x}{:02x}{:02x}".format(*rgb)


def parse_colour(value: object) -> str:
    """A palette colour as stored ("Deep Blue" -> "deep blue", "#1D3557" -> "#1d3557").

    Raises:
        InvalidInputError: not a colour name or a hex code; the message says what is.
    """
    if colour_rgb(value) is None:
        raise InvalidInputError(
            f"{str(value).strip()!r} is not a colour I know: use a colour name such as navy, "
            "amber, teal or rust (CSS names and common colour words, optionally after deep, "
            "dark, light or pale, e.g. 'dark teal'), or a hex code like #1f3a60"
        )
    return _colour_text(value)


def parse_palette(value: object) -> object:
    """Palette colours, each checked (`parse_colour`); "teal, rust" is read as two."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return value  # pydantic says what type it wants
    return [parse_colour(item) for item in value if str(item).strip()]


PaletteField = Annotated[list[str], BeforeValidator(parse_palette)]
"""Palette colours in an edit: colour names or hex codes, refused at input otherwise."""


class StoryModel(BaseModel):
    """Base for the story model: strict about unknown fields, validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class Style(StoryModel):
    """The whole film's settings: frame, rate, grade, what to avoid, and how long the person
    wants it to run (`target_length_s`, seconds; None: no target)."""

    aspect: str = "16:9"
    resolution: str = "360p"
    fps: int = Field(24, ge=1, le=120)
    look: str = ""
    negative_prompt: str = (
        "blurry, low quality, distorted faces, extra limbs, text, watermark, flicker"
    )
    target_length_s: float | None = Field(
        None, ge=TARGET_LENGTH_RANGE[0], le=TARGET_LENGTH_RANGE[1]
    )

    @field_validator("aspect")
    @classmethod
    def _aspect(cls, value: str) -> str:
        return parse_aspect(value)

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: str) -> str:
        if value not in RESOLUTIONS:
            raise InvalidInputError(
                f"resolution {value!r} is not a preset: use one of {', '.join(RESOLUTIONS)}"
            )
        return value

    def frame_size(self) -> tuple[int, int]:
        """Width and height in pixels, both multiples of 4 (video codecs need even sizes): the
        short side is the resolution preset, the long side follows the aspect ratio (2.39:1
        at 360p is 860x360), scaled down to at most 4096 pixels."""
        w_ratio, h_ratio = (float(part) for part in self.aspect.split(":"))
        short = RESOLUTIONS[self.resolution]
        if w_ratio >= h_ratio:
            height, width = short, short * w_ratio / h_ratio
        else:
            width, height = short, short * h_ratio / w_ratio
        scale = min(1.0, MAX_FRAME_SIDE / max(width, height))
        return _round4(width * scale), _round4(height * scale)


def _round4(value: float) -> int:
    return max(16, min(MAX_FRAME_SIDE, int(value / 4.0 + 0.5) * 4))


class Character(StoryModel):
    """A person in the story. The description is reused word for word in every prompt."""

    name: str
    description: str = Field(min_length=1)
    wardrobe: str = ""
    voice: str = ""
    references: list[str] = Field(default_factory=list)

    @property
    def handle(self) -> str:
        return "@" + handle_of(self.name)


class KeyLight(StoryModel):
    """The key light of a location."""

    side: LightSideField = LightSide.LEFT
    hardness: HardnessField = "soft"
    color_temp_k: int = Field(DEFAULT_KELVIN, ge=1000, le=12000)


class Location(StoryModel):
    """A place in the story, with its time of day and its light.

    `palette`: colour names or hex codes (edits check them, `PaletteField`); a project made
    before that check may hold other words, which renders leave out (`compile_request`).
    """

    name: str
    description: str = Field(min_length=1)
    time_of_day: TimeOfDayField = TimeOfDay.AFTERNOON
    weather: str = ""
    key_light: KeyLight = Field(default_factory=KeyLight)
    palette: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)

    @property
    def handle(self) -> str:
        return "@" + handle_of(self.name)


def check_stored_path(value: str) -> str:
    """A file path as story.db stores it: relative to the project folder and inside it.

    Absolute paths, drive letters and `..` are refused (a shared or edited story.db
    must never make storyreel read or write outside the project). The continuity memory
    checks every path it reads or writes; links that lead out are refused where the file
    is opened (`Project.file_of`). (Not a model validator: a language model's edit with a
    foreign path gets the director's own, more helpful, answer.)
    """
    text = str(value)
    posix = text.replace("\\", "/")
    if (
        not text.strip()
        or "\x00" in text
        or posix.startswith("/")
        or re.match(r"^[A-Za-z]:", posix)
        or ".." in PurePosixPath(posix).parts
    ):
        raise OutsidePathError(
            f"the path {text!r} points outside the project folder (stored paths are "
            "relative to it, e.g. media/takes/NAME.mp4)",
            path=text,
        )
    return text


class Reference(StoryModel):
    """A media file (image, video or audio) stored by content hash."""

    handle: str
    kind: MediaKind
    role: ReferenceRole
    sha256: str
    path: str
    name: str | None = None
    entity: str | None = None
    shot: int | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    fps: float | None = None
    sample_rate: int | None = None
    motion: str | None = None


def _stage_input(value: object) -> object:
    """Forgiving input for a stage mark: "Mara=left,right" or {"Mara": "left"} work too."""
    if isinstance(value, str):
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise InvalidInputError(
                f"staging {value!r} is not NAME=POSITION[,FACING]: write e.g. Mara=left,right "
                "(position left/center/right, facing left/right/camera/away; Mara=,camera "
                "gives only a facing)"
            )
        position, _, facing = (part.strip() for part in rest.partition(","))
        return {"character": name.strip(), "position": position or None, "facing": facing or None}
    return value


class StageMark(StoryModel):
    """Where one character of a shot stands in the frame and which way they face."""

    character: str = Field(description="A character of the shot")
    position: PositionField | None = Field(None, description="left, center or right of frame")
    facing: FacingField | None = Field(None, description="left, right, camera or away")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return _stage_input(value)

    @model_validator(mode="after")
    def _says_something(self) -> StageMark:
        if self.position is None and self.facing is None:
            raise InvalidInputError(
                f"the staging of {self.character!r} gives neither a position nor a facing: "
                "give at least one (e.g. Mara=left,right or Mara=,camera)"
            )
        return self

    def where(self) -> str:
        """Where and which way, in words: "on the left of the frame, facing right"."""
        bits = [POSITION_WORDS.get(self.position), FACING_WORDS.get(self.facing)]
        return ", ".join(bit for bit in bits if bit)

    def words(self) -> str:
        """The mark in a few words: "Mara on the left of the frame, facing right"."""
        return f"{self.character} {self.where()}"

    def short(self) -> str:
        """The mark as typed on the command line: "Mara=left,right", "Mara=,camera"."""
        position = self.position.value if self.position else ""
        facing = f",{self.facing.value}" if self.facing else ""
        return f"{self.character}={position}{facing}"


POSITION_WORDS = {
    ScreenPosition.LEFT: "on the left of the frame",
    ScreenPosition.CENTER: "in the centre of the frame",
    ScreenPosition.RIGHT: "on the right of the frame",
}
FACING_WORDS = {
    Facing.LEFT: "facing left",
    Facing.RIGHT: "facing right",
    Facing.CAMERA: "facing the camera",
    Facing.AWAY: "facing away from the camera",
}


def _staging_input(value: object) -> object:
    """Forgiving input for a staging list: also a dict {name: mark} or {name: "left,right"}."""
    if isinstance(value, dict):
        items = []
        for name, mark in value.items():
            if isinstance(mark, str):
                items.append(f"{name}={mark}")
            elif isinstance(mark, dict):
                items.append({"character": name, **mark})
            else:
                items.append(mark)
        return items
    return value


StagingField = Annotated[list[StageMark], BeforeValidator(_staging_input)]


class Shot(StoryModel):
    """One shot of the plan. `id` never changes; `order` is its place in the film.

    `dialogue_speaker`, `ots_over` and the characters in `staging` are characters
    of the shot; `ots_over` (whose shoulder the camera looks over) only with the
    `ots` angle. `key_light_hardness` and `key_light_kelvin` override the location.
    """

    id: int = Field(ge=1)
    order: int = Field(ge=1)
    action: str = Field(min_length=1)
    scene: str = ""
    characters: list[str] = Field(default_factory=list)
    location: str | None = None
    size: SizeField = ShotSize.MS
    angle: AngleField = Angle.EYE_LEVEL
    movement: MovementField = Movement.STATIC
    movement_speed: Literal["slow", "medium", "fast"] = "medium"
    lens_mm: int = Field(35, ge=4, le=1200)
    depth_of_field: DepthOfFieldField = DepthOfField.DEEP
    time_of_day: TimeOfDayField | None = None
    key_light_side: LightSideField | None = None
    key_light_hardness: HardnessField | None = None
    key_light_kelvin: KelvinField | None = None
    lighting: str = ""
    duration_s: float = Field(4.0, gt=0, le=60)
    dialogue: str = ""
    dialogue_speaker: str | None = None
    ots_over: str | None = None
    staging: StagingField = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    continues_from: int | None = None
    transition: TransitionField = Transition.CUT
    locked: bool = False
    selected_take: int | None = None
    keyframe: int | None = Field(None, ge=1)
    """The number of the candidate still picked to open the shot (`storyreel keyframes pick`),
    or None. A shot that `continues_from` another opens on that take's last frame instead."""

    def stage_mark(self, character: str) -> StageMark | None:
        """The staging of one character of this shot, or None."""
        return next((mark for mark in self.staging if mark.character == character), None)


class FindingKind(StrEnum):
    """What a critic finding is about: one member per check (tools/critic.py, tools/continuity.py,
    the optional embedding and vision critics). The retake hint of each kind lives next to the
    check that makes it (`tools.critic.retake_hint`)."""

    UNREADABLE = "unreadable"
    CUT_INSIDE_SHOT = "cut_inside_shot"
    DISSOLVE_INSIDE_SHOT = "dissolve_inside_shot"
    FLASHES = "flashes"
    DURATION = "duration"
    BLURRY = "blurry"
    EXPOSURE = "exposure"
    STATIC_MOVES = "static_moves"
    NO_MOTION = "no_motion"
    WRONG_DIRECTION = "wrong_direction"
    NOT_MEASURED = "not_measured"
    HANDHELD = "handheld"
    FROZEN = "frozen"
    CONTINUITY_BREAK = "continuity_break"
    KEYFRAME_MISMATCH = "keyframe_mismatch"
    LOOK_JUMP = "look_jump"
    LIGHT_CHANGE_MISSING = "light_change_missing"
    PALETTE_DRIFT = "palette_drift"
    WEAK_MATCH = "weak_match"
    INCONSISTENT = "inconsistent"
    VISION_WRONG_SUBJECT = "vision_wrong_subject"
    VISION_WRONG_LOCATION = "vision_wrong_location"
    VISION_WRONG_FRAMING = "vision_wrong_framing"
    VISION_CONTINUITY = "vision_continuity"
    VISION_ARTIFACT = "vision_artifact"
    SILENT_LINE = "silent_line"  # the take's line cannot be heard (tools/critic_audio.py)
    LINE_CUT_OFF = "line_cut_off"  # the line runs off the end: it does not fit the shot
    SOUND_CLIPPED = "sound_clipped"  # the take's sound hits full scale


class Finding(StoryModel):
    """One thing the critic noticed, in plain language."""

    kind: FindingKind
    severity: Literal["info", "warning", "error"]
    message: str
    frame_start: int | None = None
    frame_end: int | None = None


class Critique(StoryModel):
    """The critic's measurements, findings and verdict for one take."""

    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    verdict: Literal["accept", "retake", "ask"] = "accept"


class Take(StoryModel):
    """One generation of a shot. `number` counts takes of that shot from 1.

    `path` is relative to the project folder. `request_hash` identifies the
    exact render (seed included); `content_hash` what it shows (seed excluded);
    `file_sha256` detects a damaged or replaced file. `quality` is its tier ("draft":
    the backend's smaller size and fewer steps; "final": the model card's settings;
    takes from before tiers are final); `source` is the number of the draft take a
    final was made from by `storyreel finalize` (None otherwise).
    """

    shot_id: int
    number: int = Field(ge=1)
    backend: str
    model: str = ""
    seed: int
    prompt: str
    request_hash: str
    content_hash: str = ""
    path: str
    file_sha256: str = ""
    frames: int = 0
    fps: int = 24
    params: dict[str, object] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    critique: Critique | None = None
    created_at: str = ""
    quality: Literal["draft", "final"] = "final"
    source: int | None = Field(None, ge=1)


class Keyframe(StoryModel):
    """A candidate still of a shot (`storyreel keyframes`): one PNG picture, stored by content
    hash under media/keyframes/, that may be picked as the shot's first frame.

    `number` counts the stills of that shot from 1. `content_hash` is the hash of the still
    request it was drawn from, seed excluded (tools/keyframes.py `still_request`): when the
    shot's still request hashes differently now, the shot changed since and the still is
    stale. Like takes, stills live beside the plan and are never undone; the pick (the shot's
    `keyframe`) is part of the plan.
    """

    shot_id: int
    number: int = Field(ge=1)
    path: str
    sha256: str
    backend: str
    seed: int
    content_hash: str
    created_at: str = ""


class Revision(StoryModel):
    """One applied batch of edits. Undo and redo move between revisions."""

    id: int
    parent: int | None
    description: str
    source: str = "cli"
    created_at: str = ""


class StoryPlan(StoryModel):
    """Everything undo restores: title, style, bible and shot list."""

    title: str = "Untitled"
    style: Style = Field(default_factory=Style)
    characters: list[Character] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)

    def ordered_shots(self) -> list[Shot]:
        """Shots in film order."""
        return sorted(self.shots, key=lambda shot: shot.order)

    def find_character(self, name: str) -> Character | None:
        key = handle_of(name.lstrip("@"))
        return next((c for c in self.characters if handle_of(c.name) == key), None)

    def find_location(self, name: str) -> Location | None:
        key = handle_of(name.lstrip("@"))
        return next((loc for loc in self.locations if handle_of(loc.name) == key), None)

    def find_shot(self, shot_id: int) -> Shot | None:
        return next((shot for shot in self.shots if shot.id == shot_id), None)
