"""The cinematic vocabulary shared by the planner, the compiler and the critic.

Stored values are strict (the enum values below are a contract: the docs, the
JSON view and the critic use these spellings). Input is forgiving: people may
write "close-up", "closeup" or "CU", "push in" or "dolly in", "wide shot".
`parse_term` turns such words into the strict value, or raises an error that
lists the accepted values.

Camera movements have one table, `MOVES`: for each `Movement` the words `parse_term`
accepts, the phrases the offline director recognises in free text (`find_move`,
`move_phrases`), the words of compact and prose prompts, the plain words said back to
people, and what the critic expects, says it wanted and says it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import cache
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


# --- Camera movements: ONE table of every word for every move -------------------------
#
# Adding a move: a `Movement` member above, its `MoveWords` in `MOVES` below, and its
# amounts in renderer/previz.py (`Movement` literal and `_MOVES`); tests/test_vocabulary.py
# names whatever is missing.


class Rank(IntEnum):
    """The order in which the phrase recognisers are tried: specific before general.

    The first rank with a phrase that matches (in a camera clause, where asked) decides
    the move, so "pan from left to right" is a pan right although it says "left", and
    "a slow dolly in" is a dolly in although "dolly" alone is one too. Within a rank the
    phrases are tried in `Movement` order, then in the order they are listed.
    """

    FROM_TO = 0  # two directions, the one after "to" wins: "pan from left to right"
    NAMED = 1  # a named move with its direction: "pan left", "tilt up", "push in", "barrel roll"
    EVERYDAY = 2  # everyday verbs: "creeps in", "drifts right", "circles them", "floats up"
    UNDIRECTED = 3  # a move without its direction, which defaults: "orbit", "moves sideways"
    BARE = 4  # a bare move word: "dolly" (in), "zoom" (in), "pan" (right)
    FOLLOW = 5  # the camera goes with the subject: "tracking shot", "follows him"
    MANNER = 6  # how the camera is held: "handheld", "a little shaky"
    STILL = 7  # the camera does not move: "static", "locked off", "holds on her"


@dataclass(frozen=True)
class Phrase:
    """One way people say a move, as regex source (compiled case-insensitive, no groups).

    `needs_camera`: the words also describe what a person does ("Tom pulls out a letter",
    "Mara looks up at the sky", "she follows the path home"), so they count only in a
    camera clause (see `in_camera_clause`) or as a hyphenated noun ("a push-in").
    """

    pattern: str
    rank: Rank
    needs_camera: bool = False


@dataclass(frozen=True)
class Signature:
    """What the critic's camera meter should see in a take of a move (tools/critic.py).

    The meter measures the picture's net slide, scale and rotation from first to last
    frame as labels (tools/critic_metrics.py `camera_parts`: pan_left ... zoom_out, roll),
    and how much it shook beyond its net move.

    Attributes:
        expect: labels any of which shows the move; the strongest of them must be measured.
            A camera that rises reads as a tilt up when it looks ahead and as a zoom out when
            it looks down, so both are listed for pedestals and cranes.
        wrong: labels that show the opposite move: stronger than every expected label, the
            take went the wrong way.
        shake: the move is a handheld camera: small shake and no steady slide.
        any_move: only that the camera moves is checked (the subject and the background
            may slide opposite ways, so neither the net slide nor its direction tells).
        note: for what is not checked, the reason, said to the person with the verdict.
    """

    expect: tuple[Movement, ...] = ()
    wrong: tuple[Movement, ...] = ()
    shake: bool = False
    any_move: bool = False
    note: str = ""


_RISING = Signature((Movement.TILT_UP, Movement.ZOOM_OUT), (Movement.TILT_DOWN, Movement.ZOOM_IN))
_LOWERING = Signature((Movement.TILT_DOWN, Movement.ZOOM_IN), (Movement.TILT_UP, Movement.ZOOM_OUT))
_FOLLOW_NOTE = (
    "a tracking shot follows a moving subject, so the background may slide either way or "
    "not at all; its movement is not checked"
)
_ORBIT = Signature(
    any_move=True,
    note="an orbit slides the subject and the background opposite ways, and which one wins "
    "depends on how much of the frame the subject fills, so only that the camera moves is "
    "checked, not which way it circles",
)


@dataclass(frozen=True)
class MoveWords:
    """Every word for one camera movement, for people, prompts and the critic.

    Attributes:
        aliases: normalised words `parse_term` accepts ("pushin" for "push in").
        phrases: how people say the move in free text; see `move_phrases`.
        compact: the words in a compact (keyword) prompt: "camera pushes in".
        prose: the sentence in a prose prompt: "The camera slowly pushes in towards the subject".
        plain: a short noun for replies to people: "push-in", "still frame", "pan left".
        planned: what a shot "was planned ..." in the critic's words: "to pan left".
        seen: how the critic says it saw this move in a take: "the camera drifts to the left".
        signature: what the critic's camera meter should measure on a take of this move.
    """

    aliases: tuple[str, ...]
    phrases: tuple[Phrase, ...]
    compact: str
    prose: str
    plain: str
    planned: str
    seen: str
    signature: Signature

    @property
    def critic_label(self) -> Movement | None:
        """The main measured label of this move (None: its direction is not measured)."""
        return self.signature.expect[0] if len(self.signature.expect) == 1 else None


# Regex pieces shared by the phrases below.
_OBJ = r"(?:her|him|them|it|us|the\s+\w+|(?-i:[A-Z]\w*))"  # whom a move goes round or with
_CAM = (
    r"\b(?:camera|drone|steadicam|gimbal|we)(?:\s+(?:\w+ly|then|now|just|also|should|will|to))*\s+"
)
"""The camera as the subject, for verbs too common to trust after a comma ("Lena, climbs")."""
_ADV = r"(?:(?:slowly|gently|quickly|steadily|smoothly|softly|a\s+(?:little|bit|touch))\s+)?"


def _side(side: str) -> str:
    """ "left", "to the left", "towards the left", "over to the left" (then a word end)."""
    return rf"(?:(?:over\s+)?(?:to|towards)\s+(?:the\s+)?|over\s+)?{side}\b"


_PAN_VERB = r"\bpan(?:s|ning|ned)?\s+"
_SWING_VERB = (
    r"\b(?:drift(?:s|ing|ed)?|eas(?:e|es|ing|ed)|swing(?:s|ing)?|swung|sweep(?:s|ing)?|swept"
    r"|swivel(?:s|l?ing|l?ed)?|whip(?:s|ping|ped)?|look(?:s|ing|ed)?|glanc(?:e|es|ing|ed))\s+"
)
_SLIDE_VERB = (
    r"\b(?:slid(?:e|es|ing)|glid(?:e|es|ing|ed)|mov(?:e|es|ing|ed)|step(?:s|ping|ped)?"
    r"|shift(?:s|ing|ed)?|sidestep(?:s|ping|ped)?|strafe[sd]?|strafing|travel(?:s|l?ing|l?ed)?"
    r"|track(?:s|ing|ed)?)\s+"
)
_LOOK_VERB = (  # not "looking up at": the director reads that as a low angle
    r"\b(?:look(?:s|ed)?|angl(?:e|es|ing|ed)|point(?:s|ing|ed)?|tip(?:s|ping|ped)?"
    r"|glanc(?:e|es|ing|ed)|gaz(?:e|es|ing|ed)|peer(?:s|ing|ed)?)\s+"
)
_TILT_VERB = r"\btilt(?:s|ing|ed)?\s+"
_RISE_VERB = (
    r"\b(?:lift(?:s|ing|ed)?|ris(?:e|es|ing)|rose|float(?:s|ing|ed)?|soar(?:s|ing|ed)?"
    r"|climb(?:s|ing|ed)?|fl(?:y|ies|ying)|flew|sail(?:s|ing|ed)?|drift(?:s|ing|ed)?"
    r"|mov(?:e|es|ing|ed)|go(?:es|ing)?|went|com(?:e|es|ing)|came|rais(?:e|es|ing|ed)"
    r"|swoop(?:s|ing|ed)?|glid(?:e|es|ing|ed)|boom(?:s|ing|ed)?|crane[sd]?|craning)\s+"
)
_DROP_VERB = (
    r"\b(?:drop(?:s|ping|ped)?|descend(?:s|ing|ed)?|com(?:e|es|ing)|came|sink(?:s|ing)?|sank"
    r"|lower(?:s|ing|ed)?|float(?:s|ing|ed)?|glid(?:e|es|ing|ed)|swoop(?:s|ing|ed)?"
    r"|drift(?:s|ing|ed)?|mov(?:e|es|ing|ed)|go(?:es|ing)?|went|fl(?:y|ies|ying)|flew"
    r"|settl(?:e|es|ing|ed)|boom(?:s|ing|ed)?|crane[sd]?|craning)\s+"
)
_STRAIGHT_VERB = (
    r"\b(?:mov(?:e|es|ing|ed)|go(?:es|ing)?|went|slid(?:e|es|ing)|glid(?:e|es|ing|ed)"
    r"|ris(?:e|es|ing)|rose|lift(?:s|ing|ed)?|rais(?:e|es|ing|ed)|lower(?:s|ing|ed)?"
    r"|drop(?:s|ping|ped)?|sink(?:s|ing)?|sank)\s+straight\s+"
)
_ORBIT_VERB = r"\b(?:orbit(?:s|ing|ed)?|arc(?:s|ing|ed)?|circl(?:e|es|ing|ed))"
_ROUND_VERB = (
    r"\b(?:circl(?:e|es|ing|ed)|go(?:es|ing)?|went|walk(?:s|ing|ed)?|mov(?:e|es|ing|ed)"
    r"|travel(?:s|l?ing|l?ed)?|swing(?:s|ing)?|swung|sweep(?:s|ing)?|swept|spin(?:s|ning)?"
    r"|spun|wheel(?:s|ing|ed)?|glid(?:e|es|ing|ed)|drift(?:s|ing|ed)?|orbit(?:s|ing|ed)?"
    r"|arc(?:s|ing|ed)?|track(?:s|ing|ed)?|dolly(?:ing)?|dollies|dollied)\s+"
    r"(?:slowly\s+|all\s+the\s+way\s+|halfway\s+|once\s+)?(?:a)?round\s+"
)
_PUSH_VERB = (
    r"\b(?:push(?:es|ing|ed)?|doll(?:y|ies|ying|ied)|track(?:s|ing|ed)?|mov(?:e|es|ing|ed)"
    r"|creep(?:s|ing)?|crept)"
)
_CLOSER_VERB = (
    r"\b(?:creep(?:s|ing)?|crept|inch(?:es|ing|ed)?|edg(?:e|es|ing|ed)|mov(?:e|es|ing|ed)"
    r"|sneak(?:s|ing|ed)?|snuck|crawl(?:s|ing|ed)?|slip(?:s|ping|ped)?"
    r"|drift(?:s|ing|ed)?|glid(?:e|es|ing|ed)|draw(?:s|ing|n)?|drew|com(?:e|es|ing)|came"
    r"|get(?:s|ting)?|got|go(?:es|ing)?|went|eas(?:e|es|ing|ed)|push(?:es|ing|ed)?"
    r"|lean(?:s|ing|ed)?|float(?:s|ing|ed)?)\s+"
)
_AWAY_VERB = (
    r"\b(?:draw(?:s|ing|n)?|drew|pull(?:s|ing|ed)?|creep(?:s|ing)?|crept|drift(?:s|ing|ed)?"
    r"|glid(?:e|es|ing|ed)|eas(?:e|es|ing|ed)|inch(?:es|ing|ed)?|mov(?:e|es|ing|ed)"
    r"|go(?:es|ing)?|went|step(?:s|ping|ped)?|back(?:s|ing|ed)?|float(?:s|ing|ed)?"
    r"|edg(?:e|es|ing|ed))\s+"
)
_ZOOM_VERB = r"\bzoom(?:s|ing|ed)?"
_FOLLOW_VERB = (
    r"\b(?:go(?:es|ing)?|went|stay(?:s|ing|ed)?|mov(?:e|es|ing|ed)|walk(?:s|ing|ed)?"
    r"|travel(?:s|l?ing|l?ed)?|run(?:s|ning)?|ran|drift(?:s|ing|ed)?|glid(?:e|es|ing|ed)"
    r"|keep(?:s|ing)?\s+(?:pace|up)|kept\s+(?:pace|up)|ride(?:s)?|riding|rode)\s+"
)
_SHAKY = (
    r"(?:shaky|wobbly|jittery|unsteady|jerky|bumpy|shak(?:es|ing)|wobbl(?:es|ing)"
    r"|jitter(?:s|ing)?|jostl(?:es|ing|ed)|bounc(?:es|ing)|sway(?:s|ing))"
)

_N, _E, _U, _B = Rank.NAMED, Rank.EVERYDAY, Rank.UNDIRECTED, Rank.BARE


def _pan(side: str, other: str) -> tuple[Phrase, ...]:
    """Pan phrases for one side ("left"), `other` being the opposite side."""
    from_to = rf"from\s+(?:the\s+)?{other}\s+to\s+(?:the\s+)?{side}\b"
    return (
        Phrase(_PAN_VERB + r"(?:slowly\s+|quickly\s+|across\s+)?" + from_to, Rank.FROM_TO),
        Phrase(_SWING_VERB + r"(?:slowly\s+|across\s+)?" + from_to, Rank.FROM_TO, True),
        Phrase(_PAN_VERB + r"(?:slowly\s+|quickly\s+|across\s+)?" + _side(side), _N),
        Phrase(r"\b(?:whip|swish|snap)[\s-]+pan(?:s|ning|ned)?\s+" + _side(side), _N),
        Phrase(_SWING_VERB + r"(?:slowly\s+|gently\s+|across\s+|round\s+|around\s+)?" + _ADV
               + _side(side), _E, True),
    )  # fmt: skip


def _tilt(way: str, towards: str) -> tuple[Phrase, ...]:
    """Tilt phrases for "up" or "down"; `towards`: the places that lie that way."""
    way_rx = rf"{way}(?:wards?)?\b"
    return (
        Phrase(_TILT_VERB + r"(?:slowly\s+)?from\s+[\w\s']{1,30}?\s+" + way_rx, Rank.FROM_TO),
        Phrase(_TILT_VERB + r"(?:slowly\s+)?" + way_rx, _N),
        Phrase(_TILT_VERB + rf"(?:slowly\s+)?(?:to|towards)\s+(?:the\s+|her\s+|his\s+)?"
               rf"(?:{towards})\b", _N),
        Phrase(_LOOK_VERB + _ADV + way_rx
               + r"(?!\s+(?:at|on|onto|upon)\s+(?:her|him|them|us|me|(?-i:[A-Z])))", _E, True),
    )  # fmt: skip


def _truck(side: str) -> tuple[Phrase, ...]:
    """Truck (sideways) phrases for one side."""
    named = r"(?<!\ba\s)(?<!\bthe\s)\b(?:truck(?:s|ing|ed)?|crab(?:s|bing|bed)?)\s+"
    return (
        Phrase(named + _side(side), _N),  # (?<!a ): not "a truck left the harbour"
        Phrase(r"\bdoll(?:y|ies|ying|ied)\s+" + _side(side), _N),  # "dolly left along the bench"
        Phrase(_SLIDE_VERB + r"(?:sideways\s+)?" + _ADV + _side(side), _E, True),
    )


def _orbit(side: str) -> tuple[Phrase, ...]:
    """Orbit phrases with a direction ("circles them to the left")."""
    return (
        Phrase(_ORBIT_VERB + rf"(?:\s+(?:(?:a)?round\s+)?{_OBJ})?\s+" + _side(side), _N, True),
        Phrase(_ROUND_VERB + _OBJ + r"\s+" + _side(side), _N, True),
    )


MOVES: dict[Movement, MoveWords] = {
    Movement.STATIC: MoveWords(
        aliases=("still", "none", "locked", "lockedoff", "fixed", "tripod"),
        phrases=(
            Phrase(r"\bstatic(?:\s+(?:shot|camera|frame))?\b|\blocked[\s-]+off\b"
                   r"|\bon\s+a\s+tripod\b|\b(?:still|fixed|stationary|motionless)\s+camera\b"
                   r"|\bno\s+camera\s+move(?:ment)?\b|\bdon'?t\s+move\s+the\s+camera\b"
                   r"|\bhold(?:s|ing)?\s+on\b(?!\s+to\b)", Rank.STILL),
            Phrase(r"\bfixed\s+(?:frame|shot)\b|\blocked\s+frame\b", Rank.STILL),
            Phrase(r"\bkeep\s+(?:the\s+camera|it|the\s+frame|the\s+shot)\s+"
                   r"(?:still|steady|locked(?:[\s-]+off)?|fixed|static)\b", Rank.STILL),
            Phrase(r"\b(?:stays?|staying|remains?|remaining|keeps?|keeping|is|holds?|holding"
                   r"|sits?|sitting)\s+(?:perfectly\s+|completely\s+|dead\s+|totally\s+)?"
                   r"(?:still|locked(?:[\s-]+off)?|fixed|static|put|motionless)\b",
                   Rank.STILL, True),
            Phrase(r"\b(?:(?:does|wo|should|must)\s*n['\u2019]?t|(?:does|will|should|must)\s+not"
                   r"|never)\s+(?:ever\s+)?move[sd]?\b", Rank.STILL, True),
        ),
        compact="static camera",
        prose="The camera holds still",
        plain="still frame",
        planned="a still shot",
        seen="the picture barely moves",
        signature=Signature((Movement.STATIC,)),
    ),
    Movement.PAN_LEFT: MoveWords(
        aliases=("panleft",),
        phrases=_pan("left", "right"),
        compact="camera pans left",
        prose="The camera pans to the left",
        plain="pan left",
        planned="to pan left",
        seen="the camera drifts to the left",
        signature=Signature((Movement.PAN_LEFT,), (Movement.PAN_RIGHT,)),
    ),
    Movement.PAN_RIGHT: MoveWords(
        aliases=("panright",),
        phrases=(
            *_pan("right", "left"),
            Phrase(r"\b(?:swing(?:s|ing)?|swung|sweep(?:s|ing)?|swept|swivel(?:s|l?ing|l?ed)?"
                   r"|whip(?:s|ping|ped)?)\s+(?:slowly\s+)?(?:over|across|round|around)\b",
                   _U, True),
            Phrase(r"\bpan(?:s|ning)?\b(?:\s+across)?", _B),
        ),
        compact="camera pans right",
        prose="The camera pans to the right",
        plain="pan right",
        planned="to pan right",
        seen="the camera drifts to the right",
        signature=Signature((Movement.PAN_RIGHT,), (Movement.PAN_LEFT,)),
    ),
    Movement.TILT_UP: MoveWords(
        aliases=("tiltup",),
        phrases=(
            *_tilt("up", r"sky|heavens|ceiling|roofs?|rooftops?|top|stars|clouds|moon|sun"
                         r"|face|eyes|spire|tower"),
            Phrase(_LOOK_VERB + r"(?:skywards?|heavenwards?)\b", _E, True),
        ),
        compact="camera tilts up",
        prose="The camera tilts up",
        plain="tilt up",
        planned="to tilt up",
        seen="the camera drifts upwards",
        signature=Signature((Movement.TILT_UP,), (Movement.TILT_DOWN,)),
    ),
    Movement.TILT_DOWN: MoveWords(
        aliases=("tiltdown",),
        phrases=_tilt("down", r"floor|ground|street|feet|shoes|water|table|desk|road|pavement"
                              r"|sand|grass|hands"),
        compact="camera tilts down",
        prose="The camera tilts down",
        plain="tilt down",
        planned="to tilt down",
        seen="the camera drifts downwards",
        signature=Signature((Movement.TILT_DOWN,), (Movement.TILT_UP,)),
    ),
    Movement.DOLLY_IN: MoveWords(
        aliases=("dollyin", "pushin", "push", "pushon", "trackin", "creepin"),
        phrases=(
            Phrase(r"\bdoll(?:y|ies|ying|ied)[\s-]+(?:in|forward)\b", _N),
            Phrase(_PUSH_VERB + r"(?:-|\s+" + _ADV + r")in\b(?:\s+(?:on|to|towards|closer))?",
                   _N, True),
            Phrase(r"\bpush(?:es|ing|ed)?\s+(?:closer|forward)\b", _N, True),
            Phrase(_CLOSER_VERB + r"(?:(?:a\s+)?(?:little|bit|touch|lot)\s+|slowly\s+|gently\s+"
                   r"|steadily\s+|in\s+)*(?:closer|nearer|forwards?)\b", _E, True),
            Phrase(r"\b(?:creep(?:s|ing)?|crept|inch(?:es|ing|ed)?|edg(?:e|es|ing|ed)|sneak(?:s|ing|ed)?"
                   r"|snuck|crawl(?:s|ing|ed)?|steal(?:s|ing)?|stole|slip(?:s|ping|ped)?)\s+" + _ADV
                   + r"(?:in|up\s+(?:to|on)|closer|towards?)\b", _E, True),
            Phrase(r"\b(?:inch(?:es|ing|ed)?|edg(?:e|es|ing|ed)|drift(?:s|ing|ed)?"
                   r"|glid(?:e|es|ing|ed)|eas(?:e|es|ing|ed)|clos(?:e|es|ing|ed)"
                   r"|zero(?:es|ing|ed)?)\s+" + _ADV + r"in\b(?:\s+(?:on|to|towards))?", _E, True),
            Phrase(r"\bpush(?:es|ing|ed)?\s+into\b", _E, True),
            Phrase(r"\b(?:mov(?:e|es|ing|ed)|drift(?:s|ing|ed)?|glid(?:e|es|ing|ed)|fl(?:y|ies|ying|ew)"
                   r"|go(?:es|ing)?|went|travel(?:s|l?ing|l?ed)?)\s+(?:(?:very\s+)?slowly\s+"
                   r"|gently\s+|in\s+|straight\s+)*towards?\s+(?!(?:the\s+)?(?:left|right)\b)",
                   _E, True),
            Phrase(_CAM + r"approach(?:es|ing|ed)?\b", _E),
            Phrase(r"\bdolly\b", _B),
        ),
        compact="camera pushes in",
        prose="The camera slowly pushes in towards the subject",
        plain="push-in",
        planned="to push in",
        seen="the camera pushes in",
        signature=Signature((Movement.ZOOM_IN,), (Movement.ZOOM_OUT,)),
    ),
    Movement.DOLLY_OUT: MoveWords(
        aliases=("dollyout", "pullout", "pullback", "pull", "trackout", "dollyback", "pullaway"),
        phrases=(
            Phrase(r"\bdoll(?:y|ies|ying|ied)[\s-]+(?:out|back(?:wards?)?|away)\b", _N),
            Phrase(r"\b(?:pull(?:s|ing|ed)?|track(?:s|ing|ed)?|mov(?:e|es|ing|ed))(?:-|\s+"
                   + _ADV + r"(?:right\s+|all\s+the\s+way\s+|way\s+)?)"
                   r"(?:out|back(?:wards?)?|away)\b", _N, True),
            Phrase(_AWAY_VERB + _ADV + r"(?:back(?:wards?)?|away|out|off)\b", _E, True),
            Phrase(r"\bback(?:s|ing|ed)?\s+up\b", _E, True),
            Phrase(r"\bpull(?:s|ing|ed)?\s+(?:slowly\s+)?wide\b", _E, True),
            Phrase(_CAM + r"(?:retreat(?:s|ing|ed)?|reced(?:e|es|ing|ed)|withdraw(?:s|ing|n)?"
                   r"|withdrew)\b", _E),
        ),
        compact="camera pulls back",
        prose="The camera pulls back from the subject",
        plain="pull-back",
        planned="to pull back",
        seen="the camera pulls back",
        signature=Signature((Movement.ZOOM_OUT,), (Movement.ZOOM_IN,)),
    ),
    Movement.TRUCK_LEFT: MoveWords(
        aliases=("truckleft", "crableft"),
        phrases=_truck("left"),
        compact="camera trucks left",
        prose="The camera moves sideways to the left",
        plain="truck left",
        planned="to move sideways to the left",
        seen="the camera slides to the left",
        signature=Signature((Movement.PAN_LEFT,), (Movement.PAN_RIGHT,)),
    ),
    Movement.TRUCK_RIGHT: MoveWords(
        aliases=("truckright", "crabright"),
        phrases=(
            *_truck("right"),
            Phrase(r"(?:" + _SLIDE_VERB + r"|\b(?:truck(?:s|ing|ed)?|crab(?:s|bing|bed)?)\s+)"
                   + _ADV + r"sideways\b", _U, True),
            Phrase(r"\bsideways\s+(?:move|track|tracking|dolly|slide)\b", _U),
        ),
        compact="camera trucks right",
        prose="The camera moves sideways to the right",
        plain="truck right",
        planned="to move sideways to the right",
        seen="the camera slides to the right",
        signature=Signature((Movement.PAN_RIGHT,), (Movement.PAN_LEFT,)),
    ),
    Movement.PEDESTAL_UP: MoveWords(
        aliases=("pedestalup", "pedup"),
        phrases=(
            Phrase(r"\b(?:pedestal|ped)(?:s|ing|led|ling|ed)?\s+up(?:wards?)?\b", _N),
            Phrase(_STRAIGHT_VERB + r"up(?:wards?)?\b", _E, True),
        ),
        compact="camera rises",
        prose="The camera rises straight up",
        plain="pedestal up",
        planned="to rise straight up",
        seen="the camera rises",
        signature=_RISING,
    ),
    Movement.PEDESTAL_DOWN: MoveWords(
        aliases=("pedestaldown", "peddown"),
        phrases=(
            Phrase(r"\b(?:pedestal|ped)(?:s|ing|led|ling|ed)?\s+down(?:wards?)?\b", _N),
            Phrase(_STRAIGHT_VERB + r"down(?:wards?)?\b", _E, True),
        ),
        compact="camera lowers",
        prose="The camera lowers straight down",
        plain="pedestal down",
        planned="to lower straight down",
        seen="the camera lowers",
        signature=_LOWERING,
    ),
    Movement.CRANE_UP: MoveWords(
        aliases=("craneup", "jibup", "boomup"),
        phrases=(
            Phrase(r"\b(?:crane|jib|boom)(?:s|ing|ed)?\s+up(?:wards?)?\b", _N),
            Phrase(r"\b(?:go(?:es|ing)?|mov(?:e|es|ing)|travel(?:s|l?ing)?|climb(?:s|ing)?)\s+"
                   r"(?:slowly\s+)?(?:all\s+the\s+way\s+)?up(?=\s+(?:the\s+)?(?:stairwell|stairs|staircase"
                   r"|building|tower|mast|tree|cliff|wall|lighthouse|stairway)\b)"
                   r"|\bris(?:e|es|ing)\s+(?:up\s+)?(?:off|from)(?=\s+the\b)", _E, True),
            Phrase(_RISE_VERB + r"(?:slowly\s+|gently\s+|high\s+|up\s+)?"
                   r"(?:up(?:wards?)?|above|skywards?|higher|over(?=\s+the\b))\b", _E, True),
            Phrase(_CAM + r"(?:ris(?:e|es|ing)|rose|climb(?:s|ing|ed)?|soar(?:s|ing|ed)?"
                   r"|ascend(?:s|ing|ed)?|lift(?:s|ing)?\s+off)\b", _E),
        ),
        compact="crane shot rising",
        prose="The camera rises on a crane",
        plain="crane up",
        planned="to rise on a crane",
        seen="the camera rises high",
        signature=_RISING,
    ),
    Movement.CRANE_DOWN: MoveWords(
        aliases=("cranedown", "jibdown", "boomdown"),
        phrases=(
            Phrase(r"\b(?:crane|jib|boom)(?:s|ing|ed)?\s+down(?:wards?)?\b", _N),
            Phrase(_DROP_VERB + r"(?:slowly\s+|gently\s+|back\s+)?(?:down(?:wards?)?|lower)\b",
                   _E, True),
            Phrase(_CAM + r"(?:descend(?:s|ing|ed)?|lower(?:s|ing|ed)?|drop(?:s|ping|ped)?)\b",
                   _E),
        ),
        compact="crane shot descending",
        prose="The camera descends on a crane",
        plain="crane down",
        planned="to descend on a crane",
        seen="the camera descends",
        signature=_LOWERING,
    ),
    Movement.TRACKING: MoveWords(
        aliases=("track", "follow", "following", "trackingshot", "followshot", "steadicam"),
        phrases=(
            Phrase(r"\btracking(?:[\s-]+shots?)?|\bsteadicam\b|\b(?:the\s+)?camera\s+follows\b"
                   r"|\bwe\s+follow\b|\bfollow(?:ing)?[\s-]+shots?\b(?!\s*\d)"
                   r"|\btracks?\s+(?:with|alongside)(?:\s+(?:her|him|them))?\b", Rank.FOLLOW),
            Phrase(r"\bfollow(?:s|ing|ed)?\b", Rank.FOLLOW, True),
            Phrase(_FOLLOW_VERB + r"(?:right\s+)?(?:with|alongside|beside)\s+" + _OBJ,
                   Rank.FOLLOW, True),
            Phrase(r"\btrack(?:s|ing|ed)?\s+" + _OBJ + r"(?=\s|$|[,.;])", Rank.FOLLOW, True),
            Phrase(r"\b(?:floats?|floating|glides?|gliding|weaves?|weaving|drifts?|drifting)"
                   r"\s+(?:through|among|between|past)\b", Rank.FOLLOW, True),
            Phrase(r"\b(?:floats?|floating|glides?|gliding|drifts?|drifting|moves?|moving|travels?"
                   r"|travell?ing|slides?|sliding|runs?|running|creeps?|creeping|rolls?|rolling"
                   r"|rides?|riding|rode|keeps?|keeping|walks?|walking)"
                   r"\s+(?:slowly\s+|gently\s+)?along(?:side)?\b", Rank.FOLLOW, True),
        ),
        compact="tracking shot following the subject",
        prose="The camera tracks alongside the subject",
        plain="tracking shot",
        planned="to follow the subject",
        seen="the camera follows the subject",
        signature=Signature(note=_FOLLOW_NOTE),
    ),
    Movement.ORBIT_LEFT: MoveWords(
        aliases=("orbitleft", "arcleft", "circleleft"),
        phrases=_orbit("left"),
        compact="camera orbits left around the subject",
        prose="The camera circles the subject to the left",
        plain="orbit left",
        planned="to circle the subject to the left",
        seen="the camera circles to the left",
        signature=_ORBIT,
    ),
    Movement.ORBIT_RIGHT: MoveWords(
        aliases=("orbit", "arc", "orbitright", "arcright", "circleright"),
        phrases=(
            Phrase(r"\b(?:goes|going|go|spins?|spinning|moves?|moving|circles?|circling)\s+"
                   r"(?:slowly\s+|gently\s+)?(?:a)?round\s+and\s+(?:a)?round\b", Rank.EVERYDAY),
            Phrase(r"\b(?:goes|going|go|moves?|moving|travels?|swings?)\s+(?:slowly\s+|gently\s+)?"
                   r"(?:a)?round\s+(?:the\s+(?:table|room|ring|group|circle|bed|fire)|[\w\s]{1,20}?"
                   r"\s+in\s+a\s+circle)\b", Rank.EVERYDAY, True),
            *_orbit("right"),
            Phrase(_ROUND_VERB + _OBJ, _E, True),
            Phrase(r"\bcircl(?:es|ing|ed)\s+" + _OBJ, _E, True),
            Phrase(r"\b(?:orbit(?:s|ing|ed)?|arc(?:s|ing|ed)?)\b(?:\s+(?:a)?round\s+"
                   + _OBJ + ")?", _U, True),
            Phrase(r"\bcircl(?:e|es|ing|ed)\s+(?:a)?round\b", _U, True),
            Phrase(r"\b(?:goes|going|go|moves?|moving|swings?|travels?)\s+(?:slowly\s+|gently\s+)?"
                   r"all\s+the\s+way\s+(?:a)?round\b", _U, True),
            Phrase(r"\b360(?:[\s-]*degrees?|°)?[\s-]+(?:orbit|turn|spin|move|shot|pan)\b", _U),
        ),
        compact="camera orbits right around the subject",
        prose="The camera circles the subject to the right",
        plain="orbit right",
        planned="to circle the subject to the right",
        seen="the camera circles to the right",
        signature=_ORBIT,
    ),
    Movement.ZOOM_IN: MoveWords(
        aliases=("zoomin", "punchin", "snapzoom", "crashzoom"),
        phrases=(
            Phrase(_ZOOM_VERB + r"\s+in\b", _N),
            Phrase(r"\bpunch(?:es|ing|ed)?[\s-]+in\b", _E, True),
            Phrase(_ZOOM_VERB + r"(?:\s+(?:on|into|onto|towards))?\b", _B),
        ),
        compact="slow zoom in",
        prose="The camera zooms in",
        plain="zoom in",
        planned="to move in closer",
        seen="the picture slowly grows",
        signature=Signature((Movement.ZOOM_IN,), (Movement.ZOOM_OUT,)),
    ),
    Movement.ZOOM_OUT: MoveWords(
        aliases=("zoomout", "zoomback", "punchout"),
        phrases=(
            Phrase(_ZOOM_VERB + r"\s+(?:out|back|wide|away)\b", _N),
            Phrase(r"\bpunch(?:es|ing|ed)?[\s-]+out\b", _E, True),
        ),
        compact="zoom out",
        prose="The camera zooms out",
        plain="zoom out",
        planned="to pull back",
        seen="the picture slowly shrinks",
        signature=Signature((Movement.ZOOM_OUT,), (Movement.ZOOM_IN,)),
    ),
    Movement.HANDHELD: MoveWords(
        aliases=("hand", "shaky", "shakycam", "wobbly", "handheldcamera"),
        phrases=(
            Phrase(r"\b(?:all\s+|a\s+(?:bit|little)\s+)?(?:wobbly|jittery|unsteady)\b"
                   r"|\blike\s+(?:someone|somebody|a\s+person)(?:'s|\s+is)\s+holding\s+(?:the|a|it)",
                   Rank.EVERYDAY),
            Phrase(r"\b(?:film(?:s|ed|ing)?|shot|record(?:s|ed|ing)?)\s+(?:it\s+|this\s+)?on\s+"
                   r"(?:a|their|his|her|someone'?s|somebodys?|my|your)\s+(?:phone|mobile|camcorder)\b"
                   r"|\blike\s+a\s+(?:phone|home|holiday)\s+(?:video|movie)\b", Rank.EVERYDAY),
            Phrase(r"\bhand[\s-]*held\b|\bshaky[\s-]*cam(?:era)?\b", Rank.MANNER),
            Phrase(r"\b" + _SHAKY + r"[\s-]+(?:cam(?:era)?|frame|footage|feel|look|shot|image"
                   r"|picture|movement)\b", Rank.MANNER),
            Phrase(r"\bdocumentary[\s-]+(?:style|feel|look)\b|\b(?:cin[eé]ma\s+)?v[eé]rit[eé]\b"
                   r"|\brun[\s-]+and[\s-]+gun\b|\bfound[\s-]+footage\b|\bon\s+the\s+shoulder\b"
                   r"|\bshoulder[\s-]+(?:mounted|rig|cam(?:era)?)\b", Rank.MANNER),
            Phrase(r"\b(?:(?:is|feels|looks|goes|gets|stays|a\s+(?:little|bit|touch)|slightly"
                   r"|quite|very|kind\s+of|sort\s+of)\s+)*" + _SHAKY + r"\b", Rank.MANNER, True),
        ),
        compact="handheld camera",
        prose="The camera is handheld, with a slight natural shake",
        plain="handheld camera",
        planned="to be handheld",
        seen="the camera shakes a little",
        signature=Signature(shake=True),
    ),
    Movement.ROLL: MoveWords(
        aliases=("barrelroll", "rotate"),
        phrases=(
            Phrase(r"\bbarrel[\s-]+roll(?:s|ing)?\b|\bcamera\s+rolls\b", _N),
            Phrase(r"\b(?:anti-?|counter-?)?clockwise\s+(?:turn|rotation|spin|roll|twist)\b"
                   r"|\b(?:turn(?:s|ing)?|rotat(?:e|es|ing)|spin(?:s|ning)?)\s+(?:slowly\s+)?"
                   r"(?:anti-?|counter-?)?clockwise\b", _E, True),  # "a slow clockwise turn"
            Phrase(r"\b(?:the\s+)?horizon\s+(?:slowly\s+)?(?:tilts|rolls|turns|spins|rotates"
                   r"|tips|cants|twists)\b", _N),
            Phrase(_CAM + r"(?:roll(?:s|ing|ed)?|rotat(?:e|es|ing|ed)|spin(?:s|ning)?|spun"
                   r"|twist(?:s|ing|ed)?|corkscrew(?:s|ing|ed)?)\b", _E),
        ),
        compact="camera rolls",
        prose="The camera rolls",
        plain="roll",
        planned="to roll",
        seen="the picture rolls",
        signature=Signature((Movement.ROLL,)),
    ),
}  # fmt: skip
"""Every camera movement's words: the one place to add or reword a move."""

MEASURABLE_MOVES: frozenset[Movement] = frozenset(
    w.critic_label
    for w in MOVES.values()
    if w.critic_label not in (None, Movement.STATIC, Movement.ROLL)
)
"""The directional labels the critic's camera meter can tell apart (pans, tilts, zooms):
a take's wrong direction is judged on these, and a motion clip can hand one to a shot."""

_SPEED_WORDS = (
    r"slow|slowly|gentle|gently|gradual|gradually|subtle|quick|quickly|fast|rapid|rapidly"
    r"|sudden|suddenly|whip|snap|crash"
)
_CAMERA_CLAUSE = re.compile(
    r"(?:^|[,;:]|\b(?:a|an|then|" + _SPEED_WORDS + r")"
    r"|\b(?:camera|cam|drone|steadicam|gimbal|we)(?:\s+(?:\w+ly|then|now|just|also|still|very|again"
    r"|soon|sort|kind|of"
    r"|kinda|sorta|like|really|maybe|slowly"
    r"|should|will|would|can|could|must|might|may|shall|to|needs|has|have|starts|begins|is|was"
    r"|keeps))"
    r"{0,3}(?:['\u2019]ll)?"
    r"|(?:^|[,;:]\s*|\b(?:and|so|then|can|could|should|will|would|let|but|now)\s+)"
    r"(?:the\s+|our\s+|a\s+)?(?:camera|cam|drone|steadicam|gimbal)\b[^,;:.!?]{0,50}?"
    r"\s(?:and|and\s+then|then))"
    r"\s*$",
    re.I,
)


def in_camera_clause(before: str) -> bool:
    """Whether words that follow `before` describe the camera, not a person.

    The rule for `Phrase.needs_camera`: the phrase opens the text or a clause (after
    ",", ";" or ":"), follows "a"/"an"/"then" or a speed word ("a slow push in",
    "then follows him", "gently drifts left"), or follows the camera ("camera", "drone",
    "we") with at most three adverbs or helper verbs between ("the camera then very
    slowly creeps in", "the camera should creep in"). "Lens" is not the camera: "the
    lens rotates" is a lighthouse's. So "Tom pulls out a letter", "Mara looks up at the
    sky" and "she follows the path home" are not camera moves, and neither is "Mara
    looks at the camera and pulls out a letter" ("and" does not open a camera clause).
    """
    return bool(_CAMERA_CLAUSE.search(before))


@dataclass(frozen=True)
class MovePhrase:
    """A compiled phrase recogniser: the move it means and the rank it is tried at."""

    movement: Movement
    pattern: re.Pattern[str]
    rank: Rank
    needs_camera: bool


@dataclass(frozen=True)
class MoveMatch:
    """Where a camera movement was found in a text: `text[start:end]` names it."""

    movement: Movement
    start: int
    end: int


def _camera_words(words: str, before: str) -> bool:
    """Whether `words` (a `needs_camera` phrase found after `before`) are the camera's: a
    hyphenated noun ("a push-in"), screenplay capitals ("... and PULL BACK to wide"), or
    in a camera clause."""
    hyphenated = re.match(r"[a-z]+-", words, re.I)
    return bool(hyphenated) or words.isupper() or in_camera_clause(before)


@cache
def move_phrases() -> tuple[MovePhrase, ...]:
    """Every movement phrase compiled, in the order to try them (by `Rank`, then `Movement`
    order, then as listed); each pattern has no capturing groups."""
    ordered = sorted(
        (phrase.rank, order, index, move, phrase)
        for order, (move, words) in enumerate(MOVES.items())
        for index, phrase in enumerate(words.phrases)
    )
    return tuple(
        MovePhrase(move, re.compile(phrase.pattern, re.I), phrase.rank, phrase.needs_camera)
        for *_, move, phrase in ordered
    )


def find_move(text: str) -> MoveMatch | None:
    """The camera movement `text` describes, and where, or None.

    Phrases are tried in `move_phrases` order and the first that matches wins; a phrase
    that `needs_camera` counts only in a camera clause (`in_camera_clause`), as a
    hyphenated noun ("a push-in") or in screenplay capitals ("and PULL BACK to wide"),
    so a person's "pulls out a letter" is skipped.

    >>> find_move("the camera creeps in on her").movement
    <Movement.DOLLY_IN: 'dolly_in'>
    """
    for phrase in move_phrases():
        for m in phrase.pattern.finditer(text):
            if phrase.needs_camera and not _camera_words(m.group(0), text[: m.start()]):
                continue
            if _a_pan_as_a_thing(m.group(0), text[: m.start()], text[m.end() :]):
                continue
            return MoveMatch(phrase.movement, m.start(), m.end())
    return None


def _a_pan_as_a_thing(words: str, before: str, after: str) -> bool:
    """Is this "pan" a thing, not the camera's move: "washing the pans", "a pan of oil",
    "the frying pan"? ("a slow pan across the bay" and "the camera pans left" stay moves.)"""
    word = words.strip().lower()
    if word not in ("pan", "pans"):
        return False
    if re.match(r"\s+(?:of|lids?|handles?|on\s+the\s+(?:stove|fire|hob))\b", after, re.I):
        return True
    tail = before[-30:]
    if re.search(
        r"\b(?:frying|sauce|roasting|baking|cake|bread|dust|oil|copper|wok|dirty)\s+$", tail, re.I
    ):
        return True
    return word == "pans" and bool(
        re.search(
            r"\b(?:the|his|her|their|my|our|your|some|those|these|two|three|big|old"
            r"|all\s+the)\s+$",
            tail,
            re.I,
        )
    )


# Words people use, normalised (lowercase, spaces/underscores/hyphens removed),
# mapped to the strict value. The strict values themselves are always accepted.
_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    Movement: {alias: move.value for move, words in MOVES.items() for alias in words.aliases},
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
