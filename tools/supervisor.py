"""The script supervisor: reads the plan as a film and notes what will trip a viewer.

Deterministic, no model: it runs after every change to the plan and on `storyreel check`.
Each `Note` says in plain words what is wrong, names the shots, and carries a suggested
fix as typed edits the person can accept with one word ("fix it"). Good plans stay quiet:
every check was calibrated on plans labelled both ways (CALIBRATION.md, "Script
supervisor"), and a check speaks only where the fix is clearly better.

Checks (scenes are the shots' `scene`, else runs of shots in one location):
  establishing   a scene of several shots that opens without a wide (LS/ELS) shot
  jump_cut       two shots in a row of the same people, place, size and angle
  dialogue_time  a line longer than its shot can hold: spoken in its speaker's voice
                 (renderer/speech.py), it must end before the shot does when it starts
                 `LINE_LEAD_S` in, as takes place it (words / 2.5 s + 0.5 s where no
                 voice can speak)
  time_jump      the time of day changing between shots of one scene
  continuity     a shot that continues from a shot in another place
  screen_flip    a person's facing flipping between consecutive shots of a scene
                 (crossing the line), where the plan stages them
  reverse_light  a reverse shot whose key light is not mirrored, where the plan stages it
  whereabouts    a shot that puts people somewhere else in the middle of a scene that shows
                 them at one place just before and just after it (where the plan names its
                 scenes): nobody is in two places at once
  length         the shots adding up to far more or less than the length the person asked
                 for (`Style.target_length_s`): off by more than a quarter and 5 s
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from storyreel.renderer.pace import LINE_LEAD_S, words_seconds
from storyreel.tools.edits import AddShot, EditModel, UpdateShot
from storyreel.tools.story import Shot, StoryPlan, length_words
from storyreel.tools.vocabulary import ShotSize

LENGTH_TOLERANCE_SHARE = 0.25
"""The film may run this share of its target length longer or shorter without a note..."""
LENGTH_TOLERANCE_S = 5.0
"""...and at least this many seconds either way (a 10 s film may run 5 to 15 s)."""
LENGTH_SCALE_RANGE = (0.5, 2.0)
"""The `length` fix scales every unlocked shot's duration, only by a factor in this range;
beyond it the film needs shots added or cut, which the note says in words."""
WIDE_SIZES = {ShotSize.LS, ShotSize.ELS}
_SIZE_ORDER = list(ShotSize)
_SIZE_WORDS = {"ECU": "extreme close-up", "CU": "close-up", "MCU": "medium close-up",
               "MS": "medium shot", "MLS": "medium-long shot", "LS": "wide shot",
               "ELS": "establishing shot"}  # fmt: skip
_FLIP = {"left": "right", "right": "left"}


@dataclass
class Note:
    """One thing the supervisor noticed, and the edits that would fix it."""

    check: str
    shot_ids: list[int]
    message: str
    fix: list[EditModel] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the fix as the edits' own JSON)."""
        return {
            "check": self.check,
            "shots": self.shot_ids,
            "message": self.message,
            "fix": [edit.model_dump(mode="json", exclude_none=True) for edit in self.fix],
        }


def line_seconds(dialogue: str) -> float:
    """How long a line takes to say: words / 2.5 per second, plus half a second."""
    return words_seconds(dialogue)


def scenes(plan: StoryPlan) -> list[list[Shot]]:
    """The shots grouped into scenes, in film order: by the `scene` the plan names, else
    by runs of shots in the same location."""
    groups: list[list[Shot]] = []
    key_of = None
    for shot in plan.ordered_shots():
        key = ("scene", shot.scene) if shot.scene else ("place", shot.location)
        if groups and key == key_of:
            groups[-1].append(shot)
        else:
            groups.append([shot])
        key_of = key
    return groups


def supervise(plan: StoryPlan) -> list[Note]:
    """Every note on the plan, in film order."""
    notes: list[Note] = []
    for scene in scenes(plan):
        notes += _establishing(plan, scene)
        for index, (before, after) in enumerate(itertools.pairwise(scene)):
            following = scene[index + 2] if index + 2 < len(scene) else None
            notes += _jump_cut(before, after, following)
            notes += _time_jump(plan, before, after)
            notes += _screen_flip(before, after)
            notes += _reverse_light(plan, before, after)
        notes += _whereabouts(scene)
    shots = {s.id: s for s in plan.shots}
    for shot in plan.ordered_shots():
        notes += _dialogue_time(plan, shot)
        notes += _continuity(shots, shot)
    notes += _length(plan)
    return _in_film_order(plan, notes)


def _in_film_order(plan: StoryPlan, notes: list[Note]) -> list[Note]:
    """Notes sorted by their first shot in the film; notes about the whole film last."""
    order = {s.id: i for i, s in enumerate(plan.ordered_shots())}
    end = len(order)
    return sorted(notes, key=lambda n: min((order.get(i, 0) for i in n.shot_ids), default=end))


def _a(words: str) -> str:
    """ "a close-up", "an extreme close-up"."""
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _where(shot: Shot) -> str:
    return f"the {shot.location.lower()}" if shot.location else "this place"


def _establishing(plan: StoryPlan, scene: list[Shot]) -> list[Note]:
    first = scene[0]
    if len(scene) < 3 or first.size in WIDE_SIZES or any(s.size in WIDE_SIZES for s in scene[:2]):
        return []
    previous = _previous(plan, first)
    fix = AddShot(
        action=f"The {first.location.lower()}" if first.location else "Where we are",
        size=ShotSize.ELS,
        location=first.location,
        after=previous.id if previous else 0,
        duration_s=3,
    )
    return [
        Note(
            "establishing",
            [first.id],
            f"The scene at {_where(first)} opens on {_a(_SIZE_WORDS[first.size.value])} (shot "
            f"{first.id}) and never shows the place whole: a wide shot first tells people where "
            "they are.",
            [fix],
        )
    ]


def _previous(plan: StoryPlan, shot: Shot) -> Shot | None:
    order = plan.ordered_shots()
    index = next(i for i, s in enumerate(order) if s.id == shot.id)
    return order[index - 1] if index else None


def _jump_cut(before: Shot, after: Shot, following: Shot | None) -> list[Note]:
    same = (
        before.size == after.size
        and before.angle == after.angle
        and before.location == after.location
        and set(before.characters) == set(after.characters)
        and after.continues_from != before.id
        and before.transition.value == after.transition.value == "cut"
        and not before.angle.value == after.angle.value == "ots"  # a shot and its reverse
    )
    if not same:
        return []
    size = _another_size(after.size, {before.size, following.size if following else None})
    who = ", ".join(after.characters) or _where(after)
    return [
        Note(
            "jump_cut",
            [before.id, after.id],
            f"Shots {before.id} and {after.id} show {who} the same way "
            f"({_SIZE_WORDS[after.size.value]}, {after.angle.value.replace('_', ' ')}): the "
            f"cut will jump. Making shot {after.id} {_a(_SIZE_WORDS[size.value])} smooths it.",
            [UpdateShot(shot_id=after.id, size=size)],
        )
    ]


def _another_size(size: ShotSize, avoid: set[ShotSize | None]) -> ShotSize:
    """A size two steps from `size` (tighter first) that its neighbours do not have."""
    index = _SIZE_ORDER.index(size)
    for step in (-2, 2, -3, 3, -1, 1):
        if 0 <= index + step < len(_SIZE_ORDER) and _SIZE_ORDER[index + step] not in avoid:
            return _SIZE_ORDER[index + step]
    return size


def spoken_seconds(plan: StoryPlan, shot: Shot) -> float | None:
    """How long the shot's line takes spoken in its speaker's voice (the voice field, and
    the description for a voice left empty: renderer/speech.py `line_seconds`); None
    when no voice can speak here (the words rule of thumb, `line_seconds`, stands in)."""
    from storyreel.renderer import speech

    text = speech.clean_text(shot.dialogue)
    if not text:
        return 0.0
    speaker = plan.find_character(shot.dialogue_speaker) if shot.dialogue_speaker else None
    voice, hint = (speaker.voice, speaker.description) if speaker else ("", "")
    seconds = speech.line_seconds(text, voice, speaker.name if speaker else None, hint)
    return seconds if seconds != speech.words_seconds(text) else None


def line_floor(plan: StoryPlan, shot: Shot) -> float:
    """The shortest the shot may be for its line to be heard whole from where takes place
    it (`LINE_LEAD_S` in), in half seconds; the words rule of thumb where nothing speaks."""
    spoken = spoken_seconds(plan, shot)
    if spoken is None:
        return math.ceil(line_seconds(shot.dialogue) * 2) / 2
    return math.ceil((LINE_LEAD_S + spoken) * 2 - 1e-9) / 2 if spoken else 0.0


CLEARLY_FITS_SHARE = 0.6
"""A line whose words rule of thumb needs at most this share of its shot is not spoken to
measure it (speaking costs ~40 ms a line: a 500-shot story is supervised every turn)."""


def _dialogue_time(plan: StoryPlan, shot: Shot) -> list[Note]:
    if line_seconds(shot.dialogue) <= CLEARLY_FITS_SHARE * shot.duration_s:
        return []
    spoken = spoken_seconds(plan, shot)
    if spoken is None:  # no voice here: the words rule of thumb
        needed = line_seconds(shot.dialogue)
        if needed <= shot.duration_s + 0.25:
            return []
        seconds = float(min(60, math.ceil(needed)))
        message = (
            f"Shot {shot.id}'s line takes about {needed:.1f} s to say but the shot lasts "
            f"{shot.duration_s:g} s: make it {seconds:g} seconds."
        )
    else:
        if LINE_LEAD_S + spoken <= shot.duration_s:
            return []
        seconds = float(min(60.0, line_floor(plan, shot)))
        fate = "cut short" if spoken > shot.duration_s else "rushed in from the first frame"
        message = (
            f"Shot {shot.id}'s line takes about {spoken:.1f} s spoken; the shot lasts "
            f"{shot.duration_s:g} s, so the line is {fate}: make it at least {seconds:g} s."
        )
    return [
        Note(
            "dialogue_time",
            [shot.id],
            message,
            [UpdateShot(shot_id=shot.id, duration_s=seconds)],
        )
    ]


def _time_of(plan: StoryPlan, shot: Shot) -> str | None:
    if shot.time_of_day is not None:
        return shot.time_of_day.value
    place = plan.find_location(shot.location) if shot.location else None
    return place.time_of_day.value if place and place.time_of_day else None


def _time_jump(plan: StoryPlan, before: Shot, after: Shot) -> list[Note]:
    if before.time_of_day is None and after.time_of_day is None:
        return []
    if (before.time_of_day is None) != (after.time_of_day is None) and not _place_timed(
        plan, after
    ):
        return []  # the place's time is only its default: one shot saying a time is no jump
    was, now = _time_of(plan, before), _time_of(plan, after)
    if not was or not now or was == now or (after.scene and after.scene != before.scene):
        return []
    return [
        Note(
            "time_jump",
            [before.id, after.id],
            f"In the scene at {_where(after)}, shot {before.id} is at {was.replace('_', ' ')} "
            f"and shot {after.id} at {now.replace('_', ' ')}: if no time passes between them, "
            f"give shot {after.id} the same time of day (or start a new scene).",
            [UpdateShot(shot_id=after.id, time_of_day=was)],
        )
    ]


def _place_timed(plan: StoryPlan, shot: Shot) -> bool:
    """Was the place of the shot given a time of day on purpose (not the default)?"""
    place = plan.find_location(shot.location) if shot.location else None
    return bool(place and place.time_of_day and place.time_of_day.value != "afternoon")


def _continuity(shots: dict[int, Shot], shot: Shot) -> list[Note]:
    source = shots.get(shot.continues_from) if shot.continues_from else None
    if source is None or source.location == shot.location:
        return []
    return [
        Note(
            "continuity",
            [source.id, shot.id],
            f"Shot {shot.id} opens on the last frame of shot {source.id}, but shot "
            f"{source.id} is at {_where(source)} and shot {shot.id} at {_where(shot)}: "
            "the first frame will show the wrong place.",
            [UpdateShot(shot_id=shot.id, clear=["continues_from"])],
        )
    ]


def _facing(shot: Shot) -> dict[str, str]:
    """Who faces left or right in a shot, where the plan stages it."""
    out = {}
    for entry in getattr(shot, "staging", None) or []:
        name = getattr(entry, "character", None)
        facing = getattr(getattr(entry, "facing", None), "value", getattr(entry, "facing", None))
        if name and facing in _FLIP:
            out[name] = facing
    return out


def _screen_flip(before: Shot, after: Shot) -> list[Note]:
    faced, facing = _facing(before), _facing(after)
    flipped = [n for n in facing if n in faced and facing[n] == _FLIP[faced[n]]]
    if not flipped or len(set(before.characters) & set(after.characters)) < 2:
        return []
    name = flipped[0]
    places = {
        getattr(e, "character", ""): getattr(getattr(e, "position", None), "value", "center")
        for e in getattr(after, "staging", None) or []
    }
    restage = [f"{n}={places.get(n) or 'center'},{faced[n]}" for n in flipped]
    return [
        Note(
            "screen_flip",
            [before.id, after.id],
            f"{name} faces {faced[name]} in shot {before.id} and {facing[name]} in shot "
            f"{after.id}: the camera has crossed the line, and the two will seem to look "
            f"the same way. Keeping {name} facing {faced[name]} in shot {after.id} holds it.",
            [UpdateShot(shot_id=after.id, staging=restage)],
        )
    ]


def _reverse_light(plan: StoryPlan, before: Shot, after: Shot) -> list[Note]:
    two = set(before.characters) == set(after.characters) and len(after.characters) >= 2
    owners = getattr(before, "ots_over", None), getattr(after, "ots_over", None)
    if not (two and before.angle.value == after.angle.value == "ots") or (
        all(owners) and owners[0] == owners[1]
    ):
        return []
    place = plan.find_location(after.location) if after.location else None
    default = place.key_light.side if place else None
    side, was = after.key_light_side or default, before.key_light_side or default
    if side is None or was is None or side.value not in _FLIP or side != was:
        return []
    mirrored = _FLIP[side.value]
    return [
        Note(
            "reverse_light",
            [before.id, after.id],
            f"Shots {before.id} and {after.id} are a shot and its reverse (over one shoulder, "
            f"then the other), so the key light seen from the camera swaps sides: light shot "
            f"{after.id} from the {mirrored}.",
            [UpdateShot(shot_id=after.id, key_light_side=mirrored)],
        )
    ]


def _whereabouts(scene: list[Shot]) -> list[Note]:
    """A shot of a named scene that puts its people at another place than the scene's shots
    just before and just after it (nobody is in two places at once in one scene)."""
    if not scene or not scene[0].scene:
        return []  # a scene the plan does not name: time may pass between places
    notes = []
    for index, shot in enumerate(scene):
        if not shot.location or not shot.characters:
            continue
        places = set()
        seen: dict[str, tuple[int, int]] = {}
        for name in shot.characters:
            before = _nearest_with(scene[:index][::-1], name)
            after = _nearest_with(scene[index + 1 :], name)
            if before is None or after is None or before.location != after.location:
                break
            places.add(before.location)
            seen[name] = (before.id, after.id)
        else:
            place = next(iter(places)) if len(places) == 1 else None
            following = scene[index + 1] if index + 1 < len(scene) else None
            cuts = shot.transition.value == "cut" and (
                following is None or following.transition.value == "cut"
            )
            if place and place != shot.location and cuts:
                notes.append(_whereabouts_note(shot, place, seen))
    return notes


def _nearest_with(shots: list[Shot], name: str) -> Shot | None:
    """The first of `shots` that has the character `name` and a place."""
    return next((s for s in shots if name in s.characters and s.location), None)


def _whereabouts_note(shot: Shot, place: str, seen: dict[str, tuple[int, int]]) -> Note:
    names = list(seen)
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    is_are = "is" if len(names) == 1 else "are"
    first, last = min(a for a, _ in seen.values()), max(b for _, b in seen.values())
    return Note(
        "whereabouts",
        sorted({first, shot.id, last}),
        f"In scene {shot.scene!r}, {who} {is_are} at the {place.lower()} in shots {first} and "
        f"{last}, but shot {shot.id} has {who} at {_where(shot)}: nobody can be in two places "
        f"in one scene. Setting shot {shot.id} at the {place.lower()} keeps {who} there (or "
        f"give shot {shot.id} a scene of its own if it happens elsewhere).",
        [UpdateShot(shot_id=shot.id, location=place)],
    )


def length_off(plan: StoryPlan) -> float | None:
    """How many seconds the shots run longer (+) or shorter (-) than the target length,
    when that is far (more than a quarter of the target and 5 s); None otherwise."""
    target = plan.style.target_length_s
    if target is None or not plan.shots:
        return None
    off = sum(shot.duration_s for shot in plan.shots) - target
    if abs(off) <= max(LENGTH_TOLERANCE_SHARE * target, LENGTH_TOLERANCE_S):
        return None
    return off


def _length(plan: StoryPlan) -> list[Note]:
    off = length_off(plan)
    if off is None:
        return []
    target = plan.style.target_length_s or 0.0
    shots = plan.ordered_shots()
    total = sum(shot.duration_s for shot in shots)
    fix = _length_fix(plan, target)
    said = (
        f"The film runs {length_words(total)} ({len(shots)} shots) but you asked for about "
        f"{length_words(target)}: it is {length_words(abs(off))} too "
        f"{'long' if off > 0 else 'short'}."
    )
    if fix:
        changed = {edit.shot_id for edit in fix if isinstance(edit, UpdateShot)}
        scaled = sum(s.duration_s for s in shots if s.id in changed)
        now = sum(edit.duration_s or 0 for edit in fix if isinstance(edit, UpdateShot))
        percent = round(abs(now / scaled - 1) * 100)
        which = "every shot" if len(changed) == len(shots) else f"{len(changed)} of the shots"
        advice = (
            f"Making {which} about {percent}% {'shorter' if off > 0 else 'longer'} brings it "
            f"to about {length_words(total - scaled + now)}"
        )
    else:
        each = total / len(shots)
        count = max(1, round(abs(off) / each))
        advice = (
            f"Adding about {count} shot{'s' if count > 1 else ''} of {length_words(each)} brings "
            "it close"
            if off < 0
            else f"Cutting about {count} shot{'s' if count > 1 else ''} (or shortening them) "
            "brings it close"
        )
    return [
        Note(
            "length",
            [],
            f"{said} {advice}; or change the target (storyreel style --length).",
            fix,
        )
    ]


def _length_fix(plan: StoryPlan, target: float) -> list[EditModel]:
    """Every unlocked shot's duration scaled so the film runs about `target`, when a factor
    in `LENGTH_SCALE_RANGE` does it without cutting a line short; else [] (no clear fix)."""
    shots = plan.ordered_shots()
    free = [shot for shot in shots if not shot.locked]
    fixed = sum(shot.duration_s for shot in shots if shot.locked)
    running = sum(shot.duration_s for shot in free)
    if not free or running <= 0 or target - fixed <= 0:
        return []
    factor = (target - fixed) / running
    low, high = LENGTH_SCALE_RANGE
    if not low <= factor <= high:
        return []
    edits: list[EditModel] = []
    total = fixed
    for shot in free:
        # never below the words rule of thumb either: scaling a film keeps room to breathe
        floor = max(1.0, math.ceil(line_seconds(shot.dialogue) * 2) / 2, line_floor(plan, shot))
        seconds = min(60.0, max(floor, round(shot.duration_s * factor * 2) / 2))
        total += seconds
        if seconds != shot.duration_s:
            edits.append(UpdateShot(shot_id=shot.id, duration_s=seconds))
    tolerance = max(LENGTH_TOLERANCE_SHARE * target, LENGTH_TOLERANCE_S)
    return edits if edits and abs(total - target) <= tolerance else []


def notes_on_change(before: StoryPlan, after: StoryPlan) -> list[Note]:
    """The notes a change brought up: those about shots it added, changed or moved (a shot
    that now follows a different shot is moved too), not the whole film's every time.

    The `length` note comes up when the change set the target length, or took the film
    farther from it (longer when too long, shorter when too short); a film growing towards
    its target shot by shot is not nagged (`storyreel check` always says it).
    """

    def content(shot: Shot) -> dict[str, Any]:
        return shot.model_dump(exclude={"order", "selected_take", "keyframe"})

    def neighbours(plan: StoryPlan) -> dict[int, int | None]:
        order = [s.id for s in plan.ordered_shots()]
        return {shot_id: order[i - 1] if i else None for i, shot_id in enumerate(order)}

    old, was_after = {s.id: content(s) for s in before.shots}, neighbours(before)
    now_after = neighbours(after)
    touched = {
        s.id
        for s in after.shots
        if old.get(s.id) != content(s) or was_after.get(s.id, -1) != now_after[s.id]
    }
    target_set = before.style.target_length_s != after.style.target_length_s
    was, now = (sum(s.duration_s for s in plan.shots) for plan in (before, after))
    target = after.style.target_length_s or 0.0
    farther = abs(now - target) > abs(was - target)
    return [
        note
        for note in supervise(after)
        if touched & set(note.shot_ids) or (note.check == "length" and (target_set or farther))
    ]


FIX_HINT = 'Say "fix it" and I will.'
"""What the person is told they can say to accept the notes' fixes."""
