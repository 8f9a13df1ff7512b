"""Views of the plan: a deterministic JSON document and a readable text page.

`plan_document` is what `storyreel show --json` prints: the same plan always
gives the same bytes (no timestamps, no revision numbers), so scripts can
compare states. `plan_text` is the human view: the bible and the shot list.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence

from storyreel.tools.story import Location, Shot, StoryPlan, Take, handle_of


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


def _shot_document(plan: StoryPlan, shot: Shot, takes: Sequence[Take]) -> dict[str, object]:
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
        "lighting": shot.lighting,
        "dialogue": shot.dialogue,
        "references": list(shot.references),
        "continues_from": shot.continues_from,
        "transition": shot.transition.value,
        "locked": shot.locked,
        "selected_take": shot.selected_take,
        "takes": [
            {"number": t.number, "backend": t.backend, "seed": t.seed, "path": t.path}
            for t in sorted(takes, key=lambda take: take.number)
        ],
    }


def _location_document(location: Location) -> dict[str, object]:
    data = location.model_dump(mode="json")
    return {"handle": location.handle, **data}


def plan_document(
    plan: StoryPlan, takes: Mapping[int, Sequence[Take]] | None = None
) -> dict[str, object]:
    """The plan as a JSON-ready dict with keys story, characters, locations, references, shots."""
    takes = takes or {}
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
        "shots": [_shot_document(plan, shot, takes.get(shot.id, ())) for shot in shots],
    }


def plan_json(plan: StoryPlan, takes: Mapping[int, Sequence[Take]] | None = None) -> str:
    """`plan_document` as stable, indented JSON text ending in a newline."""
    return json.dumps(plan_document(plan, takes), indent=2, ensure_ascii=False) + "\n"


def shot_line(plan: StoryPlan, shot: Shot, take_count: int = 0) -> str:
    """One line describing a shot: id, size, angle, movement, duration, who, where, action."""
    who = " ".join("@" + handle_of(name) for name in shot.characters)
    where = "@" + handle_of(shot.location) if shot.location else ""
    flags = []
    if shot.locked:
        flags.append("locked")
    if shot.continues_from is not None:
        flags.append(f"continues #{shot.continues_from}")
    if take_count:
        flags.append(f"{take_count} take{'s' if take_count > 1 else ''}")
    tail = f"  [{', '.join(flags)}]" if flags else ""
    head = (
        f"#{shot.id:<3} {shot.size.value:<4} {shot.angle.value:<9} {shot.movement.value:<13} "
        f"{shot.duration_s:>4g}s"
    )
    cast = " ".join(part for part in (who, where) if part)
    return f"{head}  {cast:<24} {shot.action}{tail}"


def plan_text(plan: StoryPlan, takes: Mapping[int, Sequence[Take]] | None = None) -> str:
    """The human view of the plan: title and style, the bible, then the shot list."""
    takes = takes or {}
    style = plan.style
    width, height = style.frame_size()
    shots = plan.ordered_shots()
    total = sum(shot.duration_s for shot in shots)
    lines = [
        f"{plan.title}",
        f"  {style.aspect}, {width}x{height}, {style.fps} fps"
        + (f", look: {style.look}" if style.look else ""),
        "",
        "Characters",
    ]
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
        lines.append(f"  {location.handle:<14} ({light}) {location.description}")
    if plan.references:
        lines += ["", "References"]
        for ref in plan.references:
            owner = (
                f" -> @{ref.entity}" if ref.entity else f" -> shot {ref.shot}" if ref.shot else ""
            )
            lines.append(f"  {ref.handle:<14} {ref.kind.value} {ref.role.value}{owner}")
    lines += ["", f"Shots ({len(shots)}, {total:g} s)"]
    if not shots:
        lines.append('  (none yet: storyreel shot add "what happens" --size LS)')
    for shot in shots:
        lines.append("  " + shot_line(plan, shot, len(takes.get(shot.id, ()))))
        if shot.dialogue:
            lines.append(textwrap.indent(f'"{shot.dialogue}"', " " * 8))
    return "\n".join(lines) + "\n"
