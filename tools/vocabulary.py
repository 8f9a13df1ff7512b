"""The cinematic vocabulary shared by the planner, the compiler and the critic.

Stored values are strict (the enum values below are a contract: the docs, the
JSON view and the critic use these spellings). Input is forgiving: people may
write "close-up", "closeup" or "CU", "push in" or "dolly in", "wide shot".
`parse_term` turns such words into the strict value, or raises an error that
lists the accepted values.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BeforeValidator

from storyreel.tools.errors import InvalidInputError


class ShotSize(StrEnum):
    """How much of the subject the frame shows, tightest first."""

    ECU = "ECU"  # extreme close-up: eyes, a detail
    CU = "CU"  # close-up: the face
    MCU = "MCU"  # medium close-up: chest up
    MS = "MS"  # medium shot: waist up
    MLS = "MLS"  # medium long shot: knees up
    LS = "LS"  # long shot: full body with surroundings
    ELS = "ELS"  # extreme long shot / establishing


class Angle(StrEnum):
    """Where the camera looks from."""

    EYE_LEVEL = "eye_level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    WORMS_EYE = "worms_eye"
    DUTCH = "dutch"
    OTS = "ots"
    PROFILE = "profile"
    BACK = "back"


class Movement(StrEnum):
    """How the camera moves during the shot."""

    STATIC = "static"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    TILT_UP = "tilt_up"
    TILT_DOWN = "tilt_down"
    DOLLY_IN = "dolly_in"
    DOLLY_OUT = "dolly_out"
    TRUCK_LEFT = "truck_left"
    TRUCK_RIGHT = "truck_right"
    PEDESTAL_UP = "pedestal_up"
    PEDESTAL_DOWN = "pedestal_down"
    CRANE_UP = "crane_up"
    CRANE_DOWN = "crane_down"
    TRACKING = "tracking"
    ORBIT_LEFT = "orbit_left"
    ORBIT_RIGHT = "orbit_right"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    HANDHELD = "handheld"
    ROLL = "roll"


class TimeOfDay(StrEnum):
    """The time of day, which sets the sky, the grade and the light."""

    DAWN = "dawn"
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    GOLDEN_HOUR = "golden_hour"
    DUSK = "dusk"
    BLUE_HOUR = "blue_hour"
    NIGHT = "night"


class LightSide(StrEnum):
    """The side the key light comes from, as seen by the camera."""

    LEFT = "left"
    RIGHT = "right"
    FRONT = "front"
    BACK = "back"
    TOP = "top"


class DepthOfField(StrEnum):
    """Shallow (background blurred) or deep (everything sharp)."""

    SHALLOW = "shallow"
    DEEP = "deep"


class Transition(StrEnum):
    """How a shot begins after the previous one."""

    CUT = "cut"
    MATCH_CUT = "match_cut"
    DISSOLVE = "dissolve"
    FADE_IN = "fade_in"
    FADE_OUT = "fade_out"
    SMASH_CUT = "smash_cut"


class ReferenceRole(StrEnum):
    """What a reference file is for."""

    SUBJECT = "subject"
    LOCATION = "location"
    STYLE = "style"
    MOTION = "motion"
    VOICE = "voice"
    SOUNDTRACK = "soundtrack"


class MediaKind(StrEnum):
    """The kind of a media file."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


# Words people use, normalised (lowercase, spaces/underscores/hyphens removed),
# mapped to the strict value. The strict values themselves are always accepted.
_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    ShotSize: {
        "extremecloseup": "ECU",
        "extremeclose": "ECU",
        "xcu": "ECU",
        "detail": "ECU",
        "detailshot": "ECU",
        "insert": "ECU",
        "closeup": "CU",
        "close": "CU",
        "closeshot": "CU",
        "mediumcloseup": "MCU",
        "mediumclose": "MCU",
        "chestup": "MCU",
        "medium": "MS",
        "mediumshot": "MS",
        "mid": "MS",
        "midshot": "MS",
        "waistup": "MS",
        "mediumlong": "MLS",
        "mediumlongshot": "MLS",
        "mediumwide": "MLS",
        "mediumwideshot": "MLS",
        "cowboy": "MLS",
        "cowboyshot": "MLS",
        "americanshot": "MLS",
        "kneesup": "MLS",
        "long": "LS",
        "longshot": "LS",
        "wide": "LS",
        "wideshot": "LS",
        "full": "LS",
        "fullshot": "LS",
        "fullbody": "LS",
        "ws": "LS",
        "fs": "LS",
        "extremelong": "ELS",
        "extremelongshot": "ELS",
        "extremewide": "ELS",
        "extremewideshot": "ELS",
        "ews": "ELS",
        "xls": "ELS",
        "establishing": "ELS",
        "establishingshot": "ELS",
    },
    Angle: {
        "eye": "eye_level",
        "eyelevel": "eye_level",
        "neutral": "eye_level",
        "highangle": "high",
        "lowangle": "low",
        "birdseye": "overhead",
        "birdseyeview": "overhead",
        "birdseyeangle": "overhead",
        "topdown": "overhead",
        "topshot": "overhead",
        "wormseye": "worms_eye",
        "wormseyeview": "worms_eye",
        "wormseyeangle": "worms_eye",
        "dutchangle": "dutch",
        "dutchtilt": "dutch",
        "tilted": "dutch",
        "canted": "dutch",
        "overtheshoulder": "ots",
        "overshoulder": "ots",
        "side": "profile",
        "sideon": "profile",
        "fromside": "profile",
        "frombehind": "back",
        "behind": "back",
        "rear": "back",
    },
    Movement: {
        "still": "static",
        "none": "static",
        "locked": "static",
        "lockedoff": "static",
        "fixed": "static",
        "tripod": "static",
        "panleft": "pan_left",
        "panright": "pan_right",
        "tiltup": "tilt_up",
        "tiltdown": "tilt_down",
        "dollyin": "dolly_in",
        "pushin": "dolly_in",
        "push": "dolly_in",
        "pushon": "dolly_in",
        "trackin": "dolly_in",
        "dollyout": "dolly_out",
        "pullout": "dolly_out",
        "pullback": "dolly_out",
        "pull": "dolly_out",
        "trackout": "dolly_out",
        "truckleft": "truck_left",
        "truckright": "truck_right",
        "pedestalup": "pedestal_up",
        "pedup": "pedestal_up",
        "pedestaldown": "pedestal_down",
        "peddown": "pedestal_down",
        "craneup": "crane_up",
        "jibup": "crane_up",
        "boomup": "crane_up",
        "cranedown": "crane_down",
        "jibdown": "crane_down",
        "boomdown": "crane_down",
        "track": "tracking",
        "follow": "tracking",
        "following": "tracking",
        "trackingshot": "tracking",
        "orbitleft": "orbit_left",
        "arcleft": "orbit_left",
        "orbit": "orbit_right",
        "arc": "orbit_right",
        "orbitright": "orbit_right",
        "arcright": "orbit_right",
        "zoomin": "zoom_in",
        "zoomout": "zoom_out",
        "hand": "handheld",
        "shaky": "handheld",
        "shakycam": "handheld",
        "barrelroll": "roll",
        "rotate": "roll",
    },
    TimeOfDay: {
        "sunrise": "dawn",
        "daybreak": "dawn",
        "am": "morning",
        "midday": "noon",
        "day": "noon",
        "daytime": "noon",
        "pm": "afternoon",
        "goldenhour": "golden_hour",
        "golden": "golden_hour",
        "sunset": "golden_hour",
        "evening": "dusk",
        "twilight": "dusk",
        "bluehour": "blue_hour",
        "blue": "blue_hour",
        "midnight": "night",
        "nighttime": "night",
    },
    LightSide: {
        "l": "left",
        "r": "right",
        "frontal": "front",
        "back": "back",
        "backlight": "back",
        "backlit": "back",
        "rim": "back",
        "above": "top",
        "overhead": "top",
        "toplight": "top",
    },
    DepthOfField: {"shallowfocus": "shallow", "bokeh": "shallow", "deepfocus": "deep"},
    Transition: {
        "hardcut": "cut",
        "straightcut": "cut",
        "matchcut": "match_cut",
        "crossfade": "dissolve",
        "crossdissolve": "dissolve",
        "mix": "dissolve",
        "fadein": "fade_in",
        "fadefromblack": "fade_in",
        "fadeout": "fade_out",
        "fadetoblack": "fade_out",
        "smashcut": "smash_cut",
    },
}

# How each vocabulary is named in messages.
_NAMES: dict[type[StrEnum], str] = {
    ShotSize: "shot size",
    Angle: "camera angle",
    Movement: "camera movement",
    TimeOfDay: "time of day",
    LightSide: "key light side",
    DepthOfField: "depth of field",
    Transition: "transition",
    ReferenceRole: "reference role",
    MediaKind: "media kind",
}

_EXAMPLES: dict[type[StrEnum], str] = {
    ShotSize: ' (or words like "close-up", "medium shot", "wide shot")',
    Movement: ' (or words like "push in", "pan left", "still")',
    Angle: ' (or words like "low angle", "over the shoulder")',
}

E = TypeVar("E", bound=StrEnum)


def _normalise(text: str) -> str:
    """Lowercase and drop everything but letters and digits ("Close-up" -> "closeup")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def vocabulary_name(enum_cls: type[StrEnum]) -> str:
    """The human name of a vocabulary ("shot size", "camera movement")."""
    return _NAMES.get(enum_cls, enum_cls.__name__)


def accepted_values(enum_cls: type[StrEnum]) -> str:
    """The strict values of a vocabulary, comma separated, for messages and help."""
    return ", ".join(member.value for member in enum_cls)


def parse_term(enum_cls: type[E], text: str | E) -> E:
    """Turn a person's word for a cinematic term into the strict value.

    Args:
        enum_cls: the vocabulary, e.g. `ShotSize` or `Movement`.
        text: the word as typed: the strict value ("CU", "dolly_in") or a
            common synonym ("close-up", "push in", "wide shot"); case, spaces,
            hyphens and a trailing "shot" are forgiven.

    Returns:
        The enum member.

    Raises:
        InvalidInputError: the word is not known; the message lists the
            accepted values.
    """
    if isinstance(text, enum_cls):
        return text
    raw = str(text).strip()
    key = _normalise(raw)
    by_value = {_normalise(m.value): m for m in enum_cls}
    aliases = _ALIASES.get(enum_cls, {})
    candidates = [key]
    if key.endswith("shot") and len(key) > 4:
        candidates.append(key[: -len("shot")])
    for candidate in candidates:
        if candidate in by_value:
            return by_value[candidate]
        if candidate in aliases:
            return enum_cls(aliases[candidate])
    raise InvalidInputError(
        f"unknown {vocabulary_name(enum_cls)} {raw!r}: use one of "
        f"{accepted_values(enum_cls)}{_EXAMPLES.get(enum_cls, '')}"
    )


def _forgiving(enum_cls: type[E]) -> BeforeValidator:
    return BeforeValidator(lambda value: value if value is None else parse_term(enum_cls, value))


# Field types for pydantic models: strict in storage, forgiving on input.
SizeField = Annotated[ShotSize, _forgiving(ShotSize)]
AngleField = Annotated[Angle, _forgiving(Angle)]
MovementField = Annotated[Movement, _forgiving(Movement)]
TimeOfDayField = Annotated[TimeOfDay, _forgiving(TimeOfDay)]
LightSideField = Annotated[LightSide, _forgiving(LightSide)]
DepthOfFieldField = Annotated[DepthOfField, _forgiving(DepthOfField)]
TransitionField = Annotated[Transition, _forgiving(Transition)]
