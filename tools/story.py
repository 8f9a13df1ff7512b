"""The story model: the shared language of the tools and the agent.

A `StoryPlan` is everything a revision restores on undo: the title, the
style, the bible (characters, locations, references) and the shot list.
Takes are generated artifacts: they live beside the plan and are never
undone (a shot's `selected_take` is part of the plan, the take itself is not).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyreel.tools.errors import InvalidInputError
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
_ASPECT_RE = re.compile(r"^\s*(\d{1,3})\s*[:x/]\s*(\d{1,3})\s*$")

REFERENCE_LIMITS: dict[str, int] = {"image": 9, "video": 3, "audio": 3}
"""At most this many reference files of each kind in one shot's request."""
REFERENCE_TOTAL_LIMIT = 12
"""At most this many reference files in all in one shot's request."""

RESOLUTIONS: dict[str, int] = {"180p": 180, "360p": 360, "480p": 480, "720p": 720, "1080p": 1080}
"""Resolution presets: the short side of the frame in pixels."""


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


def parse_aspect(text: str) -> str:
    """Normalise an aspect ratio like "16:9", "16x9" or "16/9" to "W:H"."""
    match = _ASPECT_RE.match(str(text))
    if not match or int(match.group(1)) == 0 or int(match.group(2)) == 0:
        raise InvalidInputError(
            f"aspect ratio {text!r} is not of the form W:H: use e.g. 16:9, 9:16, 4:3 or 1:1"
        )
    width, height = int(match.group(1)), int(match.group(2))
    ratio = width / height
    if not 0.25 <= ratio <= 4.0:
        raise InvalidInputError(
            f"aspect ratio {text!r} is too extreme: use a ratio between 1:4 and 4:1"
        )
    return f"{width}:{height}"


class StoryModel(BaseModel):
    """Base for the story model: strict about unknown fields, validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class Style(StoryModel):
    """The look of the whole film: frame, rate, grade and what to avoid."""

    aspect: str = "16:9"
    resolution: str = "360p"
    fps: int = Field(24, ge=1, le=120)
    look: str = ""
    negative_prompt: str = (
        "blurry, low quality, distorted faces, extra limbs, text, watermark, flicker"
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
        """Width and height in pixels, both multiples of 4 (video codecs need even sizes)."""
        w_ratio, h_ratio = (int(part) for part in self.aspect.split(":"))
        short = RESOLUTIONS[self.resolution]
        if w_ratio >= h_ratio:
            height, width = short, short * w_ratio / h_ratio
        else:
            width, height = short, short * h_ratio / w_ratio
        return _round4(width), _round4(height)


def _round4(value: float) -> int:
    return max(16, int(value / 4.0 + 0.5) * 4)


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
    hardness: Literal["soft", "hard"] = "soft"
    color_temp_k: int = Field(5600, ge=1000, le=12000)


class Location(StoryModel):
    """A place in the story, with its time of day and its light."""

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


class Shot(StoryModel):
    """One shot of the plan. `id` never changes; `order` is its place in the film."""

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
    lighting: str = ""
    duration_s: float = Field(4.0, gt=0, le=60)
    dialogue: str = ""
    references: list[str] = Field(default_factory=list)
    continues_from: int | None = None
    transition: TransitionField = Transition.CUT
    locked: bool = False
    selected_take: int | None = None


class Finding(StoryModel):
    """One thing the critic noticed, in plain language."""

    kind: str
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
    `file_sha256` detects a damaged or replaced file.
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
