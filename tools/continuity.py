"""Continuity across shots: how a take fits the film around it, read against the plan.

`continuity_findings` compares a take's first and last frames with the shot
before it in film order, with the take it `continues_from`, and with the
running look of its location. Metrics: tools/critic_metrics.py
(`look_stats`, `look_distance`, `frame_match`); thresholds below and in
CALIBRATION.md.

The plan decides what is a fault. A change of look the plan asks for (dusk
then night, a shot with its own lighting, another location, a dissolve or a
fade between them) is not a finding; where it can be measured it is checked
the other way round: a shot planned darker in time of day than the shot
before, at the same place, must come out darker (LIGHT_CHANGE_MISSING).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from storyreel.tools.critic_metrics import frame_match, look_distance, look_stats
from storyreel.tools.plan_view import effective_key_light_hardness, effective_key_light_kelvin
from storyreel.tools.plan_view import effective_time_of_day as plan_time_of_day
from storyreel.tools.story import Finding, FindingKind, Shot, StoryPlan
from storyreel.tools.vocabulary import TimeOfDay, Transition

CONTINUITY_MAX_DIFF = 0.035  # mean |first - previous last| / 255 for continues_from
KEYFRAME_MAX_DIFF = CONTINUITY_MAX_DIFF  # mean |first - picked still| / 255: the same measure
LOOK_MIN_SCORE = 50.0  # 100 - (Δgrey + Δcontrast + Δsaturation) between neighbours
LOOK_MAX_HELLINGER = 0.75  # HSV histogram distance between neighbours
LOOK_MAX_SIZE_STEPS = 2  # compare neighbours only when their framing is this close
PALETTE_MIN_SCORE = 30.0  # against the location's running palette
SIZE_ORDER = ["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"]

# How much daylight each time of day has, darkest first. Times on one level are not told
# apart by brightness (morning, noon and afternoon are all exposed as full daylight). Dawn
# sits with golden hour: in storyreel's vocabulary (and in previz) dawn is the low, warm
# sunrise light, the morning twin of golden hour, not the dark twilight before it. Mean grey
# of a previz harbour LS: day 135-141, dawn/golden hour 117, dusk 81, blue hour 56, night 26.
DAYLIGHT_LEVEL: dict[TimeOfDay, int] = {
    TimeOfDay.NIGHT: 0,
    TimeOfDay.BLUE_HOUR: 1,
    TimeOfDay.DUSK: 2,
    TimeOfDay.DAWN: 3,
    TimeOfDay.GOLDEN_HOUR: 3,
    TimeOfDay.MORNING: 4,
    TimeOfDay.NOON: 4,
    TimeOfDay.AFTERNOON: 4,
}
# A shot planned darker (brighter) than the one before must open at least this much darker
# (brighter) in mean grey (0..255) than the previous shot's last frame; less is "as bright
# as". 8 levels (about 3 % of full scale) is well above the codec and frame-to-frame jitter
# of one look (under 2 levels in H.264 previz takes) and well below the smallest planned step
# between neighbouring levels in previz renders (about 12 to 36 levels, e.g. 18 afternoon ->
# golden hour and 24 dusk -> blue hour at the harbour).
LIGHT_CHANGE_MIN_GREY = 8.0

# Transitions that mark a passage of time between two shots: the look may change across
# them even at the same place, time of day and light. A dissolve or a fade-in opening this
# shot, or a fade-out closing the shot before. Cuts, match cuts and smash cuts are not: a
# match cut asks for continuity, and a smash cut is abrupt but not a time jump (a smash cut
# to the next morning says so in the shot's time of day).
TIME_CUTS_INTO = frozenset({Transition.DISSOLVE, Transition.FADE_IN})
TIME_CUTS_OUT_OF = frozenset({Transition.FADE_OUT})

TIME_WORDS: dict[str, str] = {
    "dawn": "at dawn",
    "morning": "in the morning",
    "noon": "at noon",
    "afternoon": "in the afternoon",
    "golden_hour": "at golden hour",
    "dusk": "at dusk",
    "blue_hour": "at blue hour",
    "night": "at night",
}


@dataclass(frozen=True)
class Neighbour:
    """The shot before (in film order) and its take's last frame."""

    shot: Shot
    last_frame: np.ndarray


@dataclass(frozen=True)
class PlannedLight:
    """The light a shot is planned in, in comparable form.

    Fields:
        location: the shot's location name, or None.
        time_of_day: its effective time of day (its own, else its location's), or None.
        lighting: its own light, "" when it is lit as its location: its `lighting` words
            (lower case, spaces collapsed, no final full stop) and, when they differ from
            the location's, the key light's hardness and colour temperature, joined by
            "; " ("candles only; hard key; 3200 K key"). The key light's side is left out:
            it flips with the camera in a reverse shot without changing the grade.
    """

    location: str | None
    time_of_day: str | None
    lighting: str


def planned_light(plan: StoryPlan, shot: Shot) -> PlannedLight:
    """The light `shot` is planned in (see `PlannedLight`)."""
    parts = []
    words = re.sub(r"\s+", " ", shot.lighting).strip().rstrip(".").strip().lower()
    if words:
        parts.append(words)
    location = plan.find_location(shot.location) if shot.location else None
    hardness = effective_key_light_hardness(plan, shot)
    if shot.key_light_hardness and (location is None or hardness != location.key_light.hardness):
        parts.append(f"{hardness} key")
    kelvin = effective_key_light_kelvin(plan, shot)
    if shot.key_light_kelvin and (location is None or kelvin != location.key_light.color_temp_k):
        parts.append(f"{kelvin} K key")
    return PlannedLight(shot.location, plan_time_of_day(plan, shot), "; ".join(parts))


def is_time_cut(before: Shot, shot: Shot) -> bool:
    """True when the transition from `before` into `shot` marks a passage of time."""
    return shot.transition in TIME_CUTS_INTO or before.transition in TIME_CUTS_OUT_OF


def daylight_step(before: str | None, now: str | None) -> int:
    """How many daylight levels the plan goes up (> 0) or down (< 0) from `before` to `now`;
    0 when they are on one level or either is unknown."""
    if before not in DAYLIGHT_LEVEL or now not in DAYLIGHT_LEVEL:
        return 0
    return DAYLIGHT_LEVEL[TimeOfDay(now)] - DAYLIGHT_LEVEL[TimeOfDay(before)]


def _time_words(time_of_day: str | None) -> str:
    return TIME_WORDS.get(time_of_day or "", f"at {time_of_day}" if time_of_day else "")


def _opening_mismatch(
    kind: FindingKind, first_frame: np.ndarray, wanted: np.ndarray, limit: float, said: str
) -> list[Finding]:
    """An error when the take's first frame differs from the picture it must open on
    (`frame_match` over `limit`); `said` is what the shot should do."""
    difference = frame_match(first_frame, wanted)
    if difference <= limit:
        return []
    message = f"{said}, but it starts on a different picture ({difference:.0%} different)."
    return [Finding(kind=kind, severity="error", frame_start=0, frame_end=0, message=message)]


def continuity_findings(
    plan: StoryPlan,
    shot: Shot,
    first_frame: np.ndarray,
    last_frame: np.ndarray,
    previous: Neighbour | None,
    source_last_frame: np.ndarray | None,
    palette: dict[str, float] | None,
    keyframe: np.ndarray | None = None,
) -> list[Finding]:
    """Findings about how this take fits the film, read against the plan.

    - CONTINUITY_BREAK (error): the shot `continues_from` another but does not open on
      that take's last frame.
    - KEYFRAME_MISMATCH (error): the shot has a picked still (`shot.keyframe`, and no
      `continues_from`, which wins) but does not open on it (`frame_match` above
      KEYFRAME_MAX_DIFF, the continuation's threshold: an H.264 round trip of the same
      picture measures 0.01-0.02).
    - LOOK_JUMP (warning): the first frame's light and colour differ from the previous
      shot's last frame (look score < LOOK_MIN_SCORE or histogram distance
      > LOOK_MAX_HELLINGER), and the plan says they should look alike: same location,
      same effective time of day, same own lighting (`planned_light`), no time cut
      between them (`is_time_cut`: a dissolve or fade-in into the shot, a fade-out out of
      the previous one), framings within LOOK_MAX_SIZE_STEPS.
    - LIGHT_CHANGE_MISSING (warning): same location and own lighting, but the plan moves
      to a darker (brighter) time of day (`DAYLIGHT_LEVEL`), and the first frame is not at
      least LIGHT_CHANGE_MIN_GREY darker (brighter) in mean grey than the previous last frame
      (whatever the transition: a dissolve to night must still end at night).
    - PALETTE_DRIFT (warning): the last frame strays from the location's running palette
      (look score < PALETTE_MIN_SCORE). The caller passes the palette of looks taken in the
      same planned light (`ContinuityMemory.location_palette(..., light=...)`).

    Any other change the plan asks for (a new location, a lighting override, a time cut)
    is no finding.

    Args:
        previous: the shot just before in film order, with its take's last frame.
        source_last_frame: the last frame of the take `shot.continues_from` points at.
        palette: the location's running look (mean_grey, std_grey, mean_saturation).
        keyframe: the shot's picked still (None: it has none, or it cannot be read).
    """
    findings = []
    who = f"Shot {shot.id}"
    if shot.continues_from is None and shot.keyframe is not None and keyframe is not None:
        wanted = f"{who} should open on its picked still {shot.keyframe}"
        findings += _opening_mismatch(
            FindingKind.KEYFRAME_MISMATCH, first_frame, keyframe, KEYFRAME_MAX_DIFF, wanted
        )
    if shot.continues_from is not None and source_last_frame is not None:
        wanted = f"{who} should open exactly where shot {shot.continues_from} ends"
        findings += _opening_mismatch(
            FindingKind.CONTINUITY_BREAK,
            first_frame,
            source_last_frame,
            CONTINUITY_MAX_DIFF,
            wanted,
        )
    elif (
        previous is not None
        and shot.continues_from is None
        and abs(SIZE_ORDER.index(previous.shot.size.value) - SIZE_ORDER.index(shot.size.value))
        <= LOOK_MAX_SIZE_STEPS
    ):
        findings += _neighbour_findings(plan, shot, first_frame, previous)
    if palette and shot.location:
        stats = look_stats(last_frame)
        delta = (
            abs(stats.mean_grey - palette["mean_grey"])
            + abs(stats.std_grey - palette["std_grey"])
            + abs(stats.mean_saturation - palette["mean_saturation"])
        )
        if 100 - delta < PALETTE_MIN_SCORE:
            when = _time_words(plan_time_of_day(plan, shot))
            findings.append(
                Finding(
                    kind=FindingKind.PALETTE_DRIFT,
                    severity="warning",
                    message=f"{who} drifts away from the look the {shot.location.lower()} has "
                    f"had {when + ' ' if when else ''}so far (look score {100 - delta:.0f}/100).",
                )
            )
    return findings


def _neighbour_findings(
    plan: StoryPlan, shot: Shot, first_frame: np.ndarray, previous: Neighbour
) -> list[Finding]:
    """LOOK_JUMP or LIGHT_CHANGE_MISSING between the previous shot and this one (see
    `continuity_findings`); framing and `continues_from` are already checked."""
    before, now = planned_light(plan, previous.shot), planned_light(plan, shot)
    if not now.location or before.location != now.location or before.lighting != now.lighting:
        return []
    who, place = f"shot {shot.id}", now.location.lower()
    if before.time_of_day == now.time_of_day:  # the plan says they look alike
        if is_time_cut(previous.shot, shot):
            return []
        score, hellinger = look_distance(look_stats(previous.last_frame), look_stats(first_frame))
        if score >= LOOK_MIN_SCORE and hellinger <= LOOK_MAX_HELLINGER:
            return []
        return [
            Finding(
                kind=FindingKind.LOOK_JUMP,
                severity="warning",
                frame_start=0,
                frame_end=0,
                message=f"The light and colour jump between shot {previous.shot.id} and {who} "
                f"although both are at the {place} (look score {score:.0f}/100).",
            )
        ]
    step = daylight_step(before.time_of_day, now.time_of_day)
    if step == 0:
        return []
    grey_before = look_stats(previous.last_frame).mean_grey
    grey_now = look_stats(first_frame).mean_grey
    change = (grey_now - grey_before) * (1 if step > 0 else -1)
    if change >= LIGHT_CHANGE_MIN_GREY:
        return []
    as_what = "as bright as" if step < 0 else "as dark as"
    return [
        Finding(
            kind=FindingKind.LIGHT_CHANGE_MISSING,
            severity="warning",
            frame_start=0,
            frame_end=0,
            message=f"Shot {shot.id} was to be {_time_words(now.time_of_day)} but is "
            f"{as_what} shot {previous.shot.id} ({_time_words(before.time_of_day)}) at the "
            f"{place} (mean grey {grey_now:.0f} against {grey_before:.0f}).",
        )
    ]
