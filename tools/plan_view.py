"""Views of the plan: a deterministic JSON document and a readable text page.

`plan_document` is what `storyreel show --json` prints: the same plan always
gives the same bytes (no timestamps, no revision numbers), so scripts can
compare states. `plan_text` is the human view: the bible and the shot list.
`plan_for_director` is the view a language model reads: every field it can
write, under the names the edits use, plus each shot's takes and the critic's
last verdict.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storyreel.tools.story import (
    DEFAULT_KELVIN,
    Location,
    Shot,
    StageMark,
    StoryPlan,
    Take,
    handle_of,
    length_words,
)
from storyreel.tools.text import json_text, without_controls


@dataclass(frozen=True)
class PickedStill:
    """A shot's picked still as the views say it (tools/keyframes.py `picked_stills`):
    its number, its file (None: not registered), whether it is stale (the shot changed
    since it was drawn) and whether it is used (False: the shot continues from another,
    which wins)."""

    number: int
    path: str | None
    stale: bool
    used: bool

    def words(self) -> str:
        """The pick in a few words: "still 2", "still 2, stale", "still 2, not used"."""
        notes = (["stale"] if self.stale else []) + ([] if self.used else ["not used"])
        return ", ".join([f"still {self.number}", *notes])


def effective_time_of_day(plan: StoryPlan, shot: Shot) -> str | None:
    """The shot's own time of day, else its location's, else None."""
    if shot.time_of_day is not None:
        return shot.time_of_day.value
    location = plan.find_location(shot.location) if shot.location else None
    return location.time_of_day.value if location else None


def effective_key_light(plan: StoryPlan, shot: Shot) -> str | None:
    """The shot's own key light side, else its location's, else None."""
    if shot.key_light_side is not None:
        return shot.key_light_side.value
    location = plan.find_location(shot.location) if shot.location else None
    return location.key_light.side.value if location else None


def effective_key_light_hardness(plan: StoryPlan, shot: Shot) -> str | None:
    """The shot's own key light hardness (soft/hard), else its location's, else None."""
    if shot.key_light_hardness is not None:
        return shot.key_light_hardness
    location = plan.find_location(shot.location) if shot.location else None
    return location.key_light.hardness if location else None


def effective_key_light_kelvin(plan: StoryPlan, shot: Shot) -> int | None:
    """The shot's own key light colour temperature, else its location's, else None."""
    if shot.key_light_kelvin is not None:
        return shot.key_light_kelvin
    location = plan.find_location(shot.location) if shot.location else None
    return location.key_light.color_temp_k if location else None


def _keyframe_document(shot: Shot, still: PickedStill | None) -> dict[str, object] | None:
    if shot.keyframe is None:
        return None
    return {
        "number": shot.keyframe,
        "path": still.path if still else None,
        "stale": still.stale if still else None,
        "used": shot.continues_from is None,
    }


def _shot_document(
    plan: StoryPlan, shot: Shot, takes: Sequence[Take], still: PickedStill | None = None
) -> dict[str, object]:
    return {
        "id": shot.id,
        "order": shot.order,
        "action": shot.action,
        "scene": shot.scene,
        "size": shot.size.value,
        "angle": shot.angle.value,
        "movement": shot.movement.value,
        "movement_speed": shot.movement_speed,
        "lens_mm": shot.lens_mm,
        "depth_of_field": shot.depth_of_field.value,
        "duration_s": shot.duration_s,
        "characters": list(shot.characters),
        "location": shot.location,
        "time_of_day": effective_time_of_day(plan, shot),
        "key_light": effective_key_light(plan, shot),
        "key_light_hardness": effective_key_light_hardness(plan, shot),
        "key_light_kelvin": effective_key_light_kelvin(plan, shot),
        "lighting": shot.lighting,
        "dialogue": shot.dialogue,
        "dialogue_speaker": shot.dialogue_speaker,
        "ots_over": shot.ots_over,
        "staging": [mark.model_dump(mode="json") for mark in shot.staging],
        "references": list(shot.references),
        "continues_from": shot.continues_from,
        "transition": shot.transition.value,
        "locked": shot.locked,
        "selected_take": shot.selected_take,
        "keyframe": _keyframe_document(shot, still),
        "takes": [
            {
                "number": t.number,
                "backend": t.backend,
                "seed": t.seed,
                "path": t.path,
                "quality": t.quality,
                "source": t.source,
            }
            for t in sorted(takes, key=lambda take: take.number)
        ],
    }


def _location_document(location: Location) -> dict[str, object]:
    data = location.model_dump(mode="json")
    return {"handle": location.handle, **data}


def plan_document(
    plan: StoryPlan,
    takes: Mapping[int, Sequence[Take]] | None = None,
    stills: Mapping[int, PickedStill] | None = None,
) -> dict[str, object]:
    """The plan as a JSON-ready dict with keys story, characters, locations, references, shots.

    A shot's `keyframe` is null, or its picked still: {"number", "path", "stale", "used"}
    (path and stale null when `stills` does not say)."""
    takes = takes or {}
    stills = stills or {}
    width, height = plan.style.frame_size()
    shots = plan.ordered_shots()
    return {
        "story": {
            "title": plan.title,
            **plan.style.model_dump(mode="json"),
            "width": width,
            "height": height,
            "shot_count": len(shots),
            "duration_s": round(sum(shot.duration_s for shot in shots), 3),
        },
        "characters": [{"handle": c.handle, **c.model_dump(mode="json")} for c in plan.characters],
        "locations": [_location_document(location) for location in plan.locations],
        "references": [r.model_dump(mode="json") for r in plan.references],
        "shots": [
            _shot_document(plan, shot, takes.get(shot.id, ()), stills.get(shot.id))
            for shot in shots
        ],
    }


def plan_json(
    plan: StoryPlan,
    takes: Mapping[int, Sequence[Take]] | None = None,
    stills: Mapping[int, PickedStill] | None = None,
) -> str:
    """`plan_document` as stable, indented JSON text ending in a newline."""
    return json_text(plan_document(plan, takes, stills), indent=2) + "\n"


def shot_line(
    plan: StoryPlan, shot: Shot, take_count: int = 0, still: PickedStill | None = None
) -> str:
    """One line describing a shot: id, size, angle, movement, duration, who, where, action."""
    who = " ".join("@" + handle_of(name) for name in shot.characters)
    where = "@" + handle_of(shot.location) if shot.location else ""
    flags = []
    if shot.locked:
        flags.append("locked")
    if shot.continues_from is not None:
        flags.append(f"continues #{shot.continues_from}")
    if shot.ots_over:
        flags.append(f"over @{handle_of(shot.ots_over)}'s shoulder")
    if shot.keyframe is not None:
        flags.append(still.words() if still else f"still {shot.keyframe}")
    if take_count:
        flags.append(f"{take_count} take{'s' if take_count > 1 else ''}")
    tail = f"  [{', '.join(flags)}]" if flags else ""
    head = (
        f"#{shot.id:<3} {shot.size.value:<4} {shot.angle.value:<9} {shot.movement.value:<13} "
        f"{shot.duration_s:>4g}s"
    )
    cast = " ".join(part for part in (who, where) if part)
    return f"{head}  {cast:<24} {shot.action}{tail}"


def plan_text(
    plan: StoryPlan,
    takes: Mapping[int, Sequence[Take]] | None = None,
    stills: Mapping[int, PickedStill] | None = None,
) -> str:
    """The human view of the plan: title and style, the bible, then the shot list (a shot
    with a picked still is flagged "still N", with ", stale" when the shot changed since it
    was drawn, and the way to fresh ones under it)."""
    takes = takes or {}
    stills = stills or {}
    style = plan.style
    width, height = style.frame_size()
    shots = plan.ordered_shots()
    total = sum(shot.duration_s for shot in shots)
    lines = [
        f"{plan.title}",
        f"  {style.aspect}, {width}x{height}, {style.fps} fps"
        + (f", look: {style.look}" if style.look else ""),
    ]
    if style.target_length_s is not None:
        lines.append(f"  target length: {length_words(style.target_length_s)}")
    lines += ["", "Characters"]
    if not plan.characters:
        lines.append("  (none yet: storyreel character add NAME --description TEXT)")
    for character in plan.characters:
        wardrobe = f"; wardrobe: {character.wardrobe}" if character.wardrobe else ""
        lines.append(f"  {character.handle:<14} {character.description}{wardrobe}")
    lines += ["", "Locations"]
    if not plan.locations:
        lines.append("  (none yet: storyreel location add NAME --description TEXT)")
    for location in plan.locations:
        light = f"{location.time_of_day.value}, key light {location.key_light.side.value}"
        light += light_quality(location.key_light.hardness, location.key_light.color_temp_k)
        lines.append(f"  {location.handle:<14} ({light}) {location.description}")
    if plan.references:
        lines += ["", "References"]
        for ref in plan.references:
            owner = (
                f" -> @{ref.entity}" if ref.entity else f" -> shot {ref.shot}" if ref.shot else ""
            )
            lines.append(f"  {ref.handle:<14} {ref.kind.value} {ref.role.value}{owner}")
    running = f"{total:g} s"
    if style.target_length_s is not None:
        running += f"; target {length_words(style.target_length_s)}"
    lines += ["", f"Shots ({len(shots)}, {running})"]
    if not shots:
        lines.append('  (none yet: storyreel shot add "what happens" --size LS)')
    for shot in shots:
        still = stills.get(shot.id)
        lines.append("  " + shot_line(plan, shot, len(takes.get(shot.id, ())), still))
        if still is not None and still.stale:
            lines.append(
                " " * 8 + f"still {still.number} is stale: the shot changed since it was drawn "
                f"(it still opens the shot); fresh ones: storyreel keyframes {shot.id}"
            )
        if shot.staging:
            marks = "; ".join(_mark_text(mark) for mark in shot.staging)
            lines.append(" " * 8 + f"staging: {marks}")
        light = light_quality(shot.key_light_hardness, shot.key_light_kelvin, overrides=True)
        if light:
            lines.append(" " * 8 + f"key light of this shot: {light.removeprefix(', ')}")
        if shot.dialogue:
            speaker = f"{shot.dialogue_speaker}: " if shot.dialogue_speaker else ""
            lines.append(textwrap.indent(f'{speaker}"{shot.dialogue}"', " " * 8))
    return without_controls("\n".join(lines) + "\n")  # no escape sequences reach a terminal


def light_quality(hardness: str | None, kelvin: int | None, *, overrides: bool = False) -> str:
    """ ", hard, 3200 K": the key light's hardness and colour when they are not the defaults.

    With `overrides`, every value given is said (a shot's own overrides).
    """
    parts = []
    if hardness and (overrides or hardness != "soft"):
        parts.append(hardness)
    if kelvin and (overrides or kelvin != DEFAULT_KELVIN):
        parts.append(f"{kelvin} K")
    return "".join(f", {part}" for part in parts)


def _mark_text(mark: StageMark) -> str:
    position = f" {mark.position.value}" if mark.position else ""
    facing = f" facing {mark.facing.value}" if mark.facing else ""
    return f"@{handle_of(mark.character)}{position}{facing}"


def last_verdict(takes: Sequence[Take]) -> str | None:
    """The critic's verdict on the newest take that has one, or None."""
    judged = [take for take in takes if take.critique is not None]
    if not judged:
        return None
    newest = max(judged, key=lambda take: take.number)
    return f"{newest.critique.verdict} (take {newest.number})"


def plan_for_director(plan: StoryPlan, takes: Mapping[int, Sequence[Take]] | None = None) -> str:
    """The plan as a language model reads it: every writable field, by its edit name.

    One line per entity. Shots list all their fields as `name=value` under the
    names AddShot/UpdateShot use (a shot's own overrides only; the location's
    values are on the location's line), then `takes`, `selected_take` and the
    critic's last verdict.
    """
    takes = takes or {}
    style = plan.style
    lines = [
        f"Title: {plan.title}",
        f"Style: aspect={style.aspect} resolution={style.resolution} fps={style.fps} "
        f"look={style.look!r} negative_prompt={style.negative_prompt!r}",
        f"Length: target_length_s={_seconds(style.target_length_s)} "
        f"shots_total_s={_seconds(sum(shot.duration_s for shot in plan.shots))}",
    ]
    for c in plan.characters:
        lines.append(
            f"Character {c.handle}: name={c.name!r} description={c.description!r} "
            f"wardrobe={c.wardrobe!r} voice={c.voice!r}"
            + (f" references={','.join(c.references)}" if c.references else "")
        )
    for loc in plan.locations:
        light = loc.key_light
        lines.append(
            f"Location {loc.handle}: name={loc.name!r} description={loc.description!r} "
            f"time_of_day={loc.time_of_day.value} weather={loc.weather!r} "
            f"key_light={light.side.value} key_light_hardness={light.hardness} "
            f"key_light_kelvin={light.color_temp_k}"
            + (f" palette={','.join(loc.palette)}" if loc.palette else "")
            + (f" references={','.join(loc.references)}" if loc.references else "")
        )
    for ref in plan.references:
        owner = f"entity={ref.entity}" if ref.entity else f"shot={ref.shot}" if ref.shot else ""
        extras = [ref.kind.value, f"role={ref.role.value}", owner]
        extras += [
            f"name={ref.name}" if ref.name else "",
            f"motion={ref.motion}" if ref.motion else "",
        ]
        if ref.duration_s:
            extras.append(f"{ref.duration_s:.2f} s")
        lines.append(f"Reference {ref.handle}: {' '.join(e for e in extras if e)}")
    for shot in plan.ordered_shots():
        lines.append(_director_shot_line(shot, takes.get(shot.id, ())))
    if not plan.shots:
        lines.append("No shots yet.")
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _director_shot_line(shot: Shot, takes: Sequence[Take]) -> str:
    fields: list[tuple[str, object]] = [
        ("size", shot.size.value),
        ("angle", shot.angle.value),
        ("ots_over", shot.ots_over),
        ("movement", shot.movement.value),
        ("movement_speed", shot.movement_speed),
        ("lens_mm", shot.lens_mm),
        ("depth_of_field", shot.depth_of_field.value),
        ("duration_s", f"{shot.duration_s:g}"),
        ("characters", "[" + ", ".join(shot.characters) + "]"),
        ("location", shot.location),
        ("staging", "[" + ", ".join(mark.short() for mark in shot.staging) + "]"),
        ("scene", repr(shot.scene) if shot.scene else None),
        ("time_of_day", shot.time_of_day.value if shot.time_of_day else None),
        ("key_light_side", shot.key_light_side.value if shot.key_light_side else None),
        ("key_light_hardness", shot.key_light_hardness),
        ("key_light_kelvin", shot.key_light_kelvin),
        ("lighting", repr(shot.lighting) if shot.lighting else None),
        ("dialogue", repr(shot.dialogue) if shot.dialogue else None),
        ("dialogue_speaker", shot.dialogue_speaker),
        ("continues_from", shot.continues_from),
        ("transition", shot.transition.value),
        ("references", ",".join(shot.references) if shot.references else None),
        ("locked", "true" if shot.locked else None),
        ("keyframe", shot.keyframe),
    ]
    shown = " ".join(f"{name}={value}" for name, value in fields if value is not None)
    verdict = last_verdict(takes)
    record = [f"takes={len(takes)}", f"selected_take={shot.selected_take}"]
    record.append(f"last_verdict={verdict}" if verdict else "last_verdict=none")
    return f"Shot {shot.id} (#{shot.order}): {shown} | {' '.join(record)} | action: {shot.action}"
