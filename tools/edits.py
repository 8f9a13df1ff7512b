"""Typed edits to the story plan, and the one function that applies them.

Both directors (the LLM and the offline one) and the CLI express every change
as a list of these edits. `apply_edits` applies a whole batch to a copy of
the plan and checks the result: either every edit applies and the plan is
consistent, or an error explains the first problem and nothing changes.
The continuity memory stores each applied batch as one revision.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import reduce
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from storyreel.tools.errors import ConflictError, InvalidInputError, NotFoundError
from storyreel.tools.story import (
    REFERENCE_LIMITS,
    REFERENCE_TOTAL_LIMIT,
    Character,
    KeyLight,
    Location,
    Reference,
    Shot,
    StoryPlan,
    Style,
    check_name,
)
from storyreel.tools.vocabulary import (
    MEASURABLE_MOVES,
    AngleField,
    DepthOfFieldField,
    LightSideField,
    MediaKind,
    Movement,
    MovementField,
    ReferenceRole,
    SizeField,
    TimeOfDayField,
    TransitionField,
)


class EditModel(BaseModel):
    """Base of every edit: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class AddCharacter(EditModel):
    """Add a character to the bible. `name` becomes the handle (@mara)."""

    kind: Literal["add_character"] = "add_character"
    name: str
    description: str = Field(min_length=1, description="Canonical look, reused in every prompt")
    wardrobe: str = ""
    voice: str = ""


class UpdateCharacter(EditModel):
    """Change a character's description, wardrobe or voice (None keeps the old value)."""

    kind: Literal["update_character"] = "update_character"
    name: str
    description: str | None = None
    wardrobe: str | None = None
    voice: str | None = None


class RemoveCharacter(EditModel):
    """Remove a character that no shot uses any more."""

    kind: Literal["remove_character"] = "remove_character"
    name: str


class AddLocation(EditModel):
    """Add a location to the bible. `name` becomes the handle (@harbour)."""

    kind: Literal["add_location"] = "add_location"
    name: str
    description: str = Field(min_length=1)
    time_of_day: TimeOfDayField | None = None
    weather: str = ""
    key_light: LightSideField | None = None
    palette: list[str] = Field(default_factory=list)


class UpdateLocation(EditModel):
    """Change a location (None keeps the old value)."""

    kind: Literal["update_location"] = "update_location"
    name: str
    description: str | None = None
    time_of_day: TimeOfDayField | None = None
    weather: str | None = None
    key_light: LightSideField | None = None
    palette: list[str] | None = None


class RemoveLocation(EditModel):
    """Remove a location that no shot uses any more."""

    kind: Literal["remove_location"] = "remove_location"
    name: str


class ShotFields(EditModel):
    """The content of a shot. In an update, None keeps the old value."""

    action: str | None = None
    scene: str | None = None
    characters: list[str] | None = None
    location: str | None = None
    size: SizeField | None = None
    angle: AngleField | None = None
    movement: MovementField | None = None
    movement_speed: Literal["slow", "medium", "fast"] | None = None
    lens_mm: int | None = Field(None, ge=4, le=1200)
    depth_of_field: DepthOfFieldField | None = None
    time_of_day: TimeOfDayField | None = None
    key_light_side: LightSideField | None = None
    lighting: str | None = None
    duration_s: float | None = Field(None, gt=0, le=60)
    dialogue: str | None = None
    continues_from: int | None = None
    transition: TransitionField | None = None


ClearableShotField = Literal[
    "location", "continues_from", "dialogue", "time_of_day", "key_light_side", "characters"
]


class AddShot(ShotFields):
    """Add a shot. `after` is the id of the shot it follows (0 = first; None = last)."""

    kind: Literal["add_shot"] = "add_shot"
    action: str = Field(min_length=1)
    after: int | None = None


class UpdateShot(ShotFields):
    """Change fields of a shot; `clear` empties optional ones (e.g. ["continues_from"])."""

    kind: Literal["update_shot"] = "update_shot"
    shot_id: int
    clear: list[ClearableShotField] = Field(default_factory=list)


class MoveShot(EditModel):
    """Move a shot to follow another one (`after` = 0 puts it first). Ids never change."""

    kind: Literal["move_shot"] = "move_shot"
    shot_id: int
    after: int


class RemoveShot(EditModel):
    """Remove a shot. Shots that continued from it start fresh instead."""

    kind: Literal["remove_shot"] = "remove_shot"
    shot_id: int


class SetLock(EditModel):
    """Lock a shot (never re-rendered or edited) or unlock it."""

    kind: Literal["set_lock"] = "set_lock"
    shot_id: int
    locked: bool


class SelectTake(EditModel):
    """Choose which take of a shot goes into the cut (`take` is the take number)."""

    kind: Literal["select_take"] = "select_take"
    shot_id: int
    take: int


class AddReference(EditModel):
    """Register a media file already copied into media/refs (see tools.references)."""

    kind: Literal["add_reference"] = "add_reference"
    reference: Reference


class RemoveReference(EditModel):
    """Remove a reference from the bible (takes that used it keep their record)."""

    kind: Literal["remove_reference"] = "remove_reference"
    handle: str


class BindReference(EditModel):
    """Bind a reference (@image1, @mara-face) to a character/location or to one shot."""

    kind: Literal["bind_reference"] = "bind_reference"
    handle: str
    entity: str | None = None
    shot_id: int | None = None


class SetStyle(EditModel):
    """Change the film's title or style (None keeps the old value)."""

    kind: Literal["set_style"] = "set_style"
    title: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    fps: int | None = Field(None, ge=1, le=120)
    look: str | None = None
    negative_prompt: str | None = None


# --- actions: what the agent does besides changing the plan -------------------


class RenderShots(EditModel):
    """Render shots. Empty `shot_ids`: every shot that needs it. `force`: new takes anyway."""

    kind: Literal["render"] = "render"
    shot_ids: list[int] = Field(default_factory=list)
    backend: str | None = None
    force: bool = False


class CompareBackends(EditModel):
    """Render one shot on several backends with identical inputs, to pick the best."""

    kind: Literal["compare"] = "compare"
    shot_id: int
    backends: list[str] = Field(min_length=2)


class ExportFilm(EditModel):
    """Export the final cut, the storyboard sheet and the timeline."""

    kind: Literal["export"] = "export"


class UndoChange(EditModel):
    """Undo the last change(s) to the plan."""

    kind: Literal["undo"] = "undo"
    steps: int = Field(1, ge=1, le=50)


class RedoChange(EditModel):
    """Redo the change(s) last undone."""

    kind: Literal["redo"] = "redo"
    steps: int = Field(1, ge=1, le=50)


class AskPerson(EditModel):
    """Ask the person a question instead of guessing; `choices` may offer answers."""

    kind: Literal["ask"] = "ask"
    question: str = Field(min_length=1)
    choices: list[str] = Field(default_factory=list)


class ReferenceFromTake(EditModel):
    """Make one frame of a take an image reference, so a good take steers later ones.

    `take` None: the take in use. `frame`: "first", "last" or a frame number.
    `entity`: the character or location it shows (else it is a style reference).
    """

    kind: Literal["reference_from_take"] = "reference_from_take"
    shot_id: int
    take: int | None = None
    frame: str = "last"
    entity: str | None = None
    name: str | None = None


ACTION_TYPES = (
    RenderShots,
    CompareBackends,
    ExportFilm,
    UndoChange,
    RedoChange,
    AskPerson,
    ReferenceFromTake,
)

PLAN_EDIT_TYPES: tuple[type[EditModel], ...] = (
    AddCharacter,
    UpdateCharacter,
    RemoveCharacter,
    AddLocation,
    UpdateLocation,
    RemoveLocation,
    AddShot,
    UpdateShot,
    MoveShot,
    RemoveShot,
    SetLock,
    SelectTake,
    BindReference,
    AddReference,
    RemoveReference,
    SetStyle,
)

Edit = Annotated[reduce(operator.or_, PLAN_EDIT_TYPES), Field(discriminator="kind")]
"""A change to the plan: applied by `apply_edits`, one revision per batch."""

DirectorEdit = Annotated[
    reduce(operator.or_, PLAN_EDIT_TYPES + ACTION_TYPES), Field(discriminator="kind")
]
"""What a director may return: plan edits and actions (render, export, undo, ask...)."""


def is_action(edit: EditModel) -> bool:
    """True for actions (render, compare, export, undo, redo, ask), False for plan edits."""
    return isinstance(edit, ACTION_TYPES)


@dataclass
class EditContext:
    """What applying edits needs from outside the plan."""

    new_shot_id: Callable[[], int]
    """Returns a fresh, never used shot id each call."""
    take_numbers: Callable[[int], Collection[int]] = dataclass_field(default=lambda shot_id: ())
    """The take numbers that exist for a shot id."""


def apply_edits(
    plan: StoryPlan, edits: Sequence[EditModel], context: EditContext
) -> tuple[StoryPlan, list[str]]:
    """Apply a batch of edits to a copy of `plan`, all or nothing.

    Args:
        plan: the current plan; it is not modified.
        edits: the edits, applied in order.
        context: shot id allocation and the takes that exist.

    Returns:
        The new plan and one plain-language line per edit.

    Raises:
        StoryreelError: the first edit that cannot apply, or a plan that
            would be inconsistent (a shot naming an unknown character...).
    """
    work = plan.model_copy(deep=True)
    lines = [_apply_one(work, edit, context) for edit in edits]
    check_plan(work)
    return work, lines


def _apply_one(plan: StoryPlan, edit: EditModel, context: EditContext) -> str:
    match edit:
        case AddCharacter():
            return _add_character(plan, edit)
        case UpdateCharacter():
            return _update_character(plan, edit)
        case RemoveCharacter():
            return _remove_character(plan, edit)
        case AddLocation():
            return _add_location(plan, edit)
        case UpdateLocation():
            return _update_location(plan, edit)
        case RemoveLocation():
            return _remove_location(plan, edit)
        case AddShot():
            return _add_shot(plan, edit, context.new_shot_id)
        case UpdateShot():
            return _update_shot(plan, edit)
        case MoveShot():
            return _move_shot(plan, edit)
        case RemoveShot():
            return _remove_shot(plan, edit)
        case SetLock():
            return _set_lock(plan, edit)
        case SelectTake():
            return _select_take(plan, edit, context)
        case BindReference():
            return _bind_reference(plan, edit)
        case AddReference():
            return _add_reference(plan, edit)
        case RemoveReference():
            return _remove_reference(plan, edit)
        case SetStyle():
            return _set_style(plan, edit)
    raise InvalidInputError(f"unknown edit {type(edit).__name__}")


# --- the bible ---------------------------------------------------------------


def _known(names: list[str]) -> str:
    return ", ".join(names) if names else "none yet"


def require_character(plan: StoryPlan, name: str) -> Character:
    """The character called `name` (case and a leading @ forgiven), or a teaching error."""
    found = plan.find_character(name)
    if found is None:
        known = _known([c.name for c in plan.characters])
        raise NotFoundError(
            f"no character called {name!r} (known: {known}); "
            "add one with: storyreel character add NAME --description TEXT"
        )
    return found


def require_location(plan: StoryPlan, name: str) -> Location:
    """The location called `name`, or a teaching error."""
    found = plan.find_location(name)
    if found is None:
        known = _known([loc.name for loc in plan.locations])
        raise NotFoundError(
            f"no location called {name!r} (known: {known}); "
            "add one with: storyreel location add NAME --description TEXT"
        )
    return found


def _check_new_name(plan: StoryPlan, name: str, what: str) -> str:
    name = check_name(name, what)
    if plan.find_character(name) or plan.find_location(name):
        raise ConflictError(
            f"the name {name!r} is already used by a character or location: "
            "names are handles and must be unique; choose another name or update the existing one"
        )
    return name


def _add_character(plan: StoryPlan, edit: AddCharacter) -> str:
    name = _check_new_name(plan, edit.name, "character")
    character = Character(
        name=name, description=edit.description.strip(), wardrobe=edit.wardrobe, voice=edit.voice
    )
    plan.characters.append(character)
    return f"Added character {character.handle}"


def _update_character(plan: StoryPlan, edit: UpdateCharacter) -> str:
    character = require_character(plan, edit.name)
    changed = _assign(character, edit, ("description", "wardrobe", "voice"))
    return f"Updated character {character.handle} ({changed})"


def _users_of(plan: StoryPlan, test: Callable[[Shot], bool]) -> list[int]:
    return [shot.id for shot in plan.ordered_shots() if test(shot)]


def _remove_character(plan: StoryPlan, edit: RemoveCharacter) -> str:
    character = require_character(plan, edit.name)
    users = _users_of(plan, lambda shot: character.name in shot.characters)
    if users:
        raise ConflictError(
            f"character {character.name!r} appears in shot(s) {_ids(users)}: change those shots "
            "first (storyreel shot update ID --character OTHER, or --no-characters)"
        )
    plan.characters.remove(character)
    return f"Removed character {character.handle}"


def _add_location(plan: StoryPlan, edit: AddLocation) -> str:
    name = _check_new_name(plan, edit.name, "location")
    location = Location(name=name, description=edit.description.strip(), weather=edit.weather)
    if edit.time_of_day is not None:
        location.time_of_day = edit.time_of_day
    if edit.key_light is not None:
        location.key_light = KeyLight(side=edit.key_light)
    location.palette = list(edit.palette)
    plan.locations.append(location)
    return f"Added location {location.handle}"


def _update_location(plan: StoryPlan, edit: UpdateLocation) -> str:
    location = require_location(plan, edit.name)
    changed = _assign(location, edit, ("description", "time_of_day", "weather", "palette"))
    if edit.key_light is not None:
        location.key_light = location.key_light.model_copy(update={"side": edit.key_light})
        changed = _join_changed(changed, "key_light")
    return f"Updated location {location.handle} ({changed})"


def _remove_location(plan: StoryPlan, edit: RemoveLocation) -> str:
    location = require_location(plan, edit.name)
    users = _users_of(plan, lambda shot: shot.location == location.name)
    if users:
        raise ConflictError(
            f"location {location.name!r} is used by shot(s) {_ids(users)}: change those shots "
            "first (storyreel shot update ID --location OTHER, or --no-location)"
        )
    plan.locations.remove(location)
    return f"Removed location {location.handle}"


def _assign(target: object, edit: EditModel, fields: Sequence[str]) -> str:
    changed = []
    for field in fields:
        value = getattr(edit, field)
        if value is not None:
            setattr(target, field, value)
            changed.append(field)
    return ", ".join(changed) or "nothing changed"


def _join_changed(changed: str, field: str) -> str:
    return field if changed == "nothing changed" else f"{changed}, {field}"


# --- shots ---------------------------------------------------------------------


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def require_shot(plan: StoryPlan, shot_id: int) -> Shot:
    """The shot with this id, or an error listing the ids that exist."""
    shot = plan.find_shot(shot_id)
    if shot is None:
        known = _ids([s.id for s in plan.ordered_shots()]) or "none yet"
        raise NotFoundError(f"no shot with id {shot_id} (shots: {known}); see: storyreel show")
    return shot


def _require_unlocked(shot: Shot, doing: str) -> None:
    if shot.locked:
        raise ConflictError(
            f"shot {shot.id} is locked, so it cannot be {doing}; "
            f"unlock it first: storyreel shot unlock {shot.id}"
        )


def _place_after(plan: StoryPlan, shot: Shot, after: int | None) -> None:
    """Put `shot` right after shot `after` (0 = first, None = last) and renumber orders."""
    others = [s for s in plan.ordered_shots() if s.id != shot.id]
    if after is None:
        index = len(others)
    elif after == 0:
        index = 0
    else:
        if after == shot.id:
            raise InvalidInputError(f"shot {shot.id} cannot be placed after itself")
        anchor = require_shot(plan, after)
        index = others.index(anchor) + 1
    others.insert(index, shot)
    for position, each in enumerate(others, start=1):
        each.order = position


def _resolved_shot_fields(plan: StoryPlan, edit: ShotFields) -> dict[str, object]:
    """The non-None fields of `edit`, with names resolved to canonical ones."""
    values = edit.model_dump(exclude_none=True, exclude={"kind", "after", "shot_id", "clear"})
    if "characters" in values:
        names = [require_character(plan, name).name for name in values["characters"]]
        values["characters"] = list(dict.fromkeys(names))
    if "location" in values:
        values["location"] = require_location(plan, values["location"]).name
    if "action" in values:
        values["action"] = values["action"].strip()
        if not values["action"]:
            raise InvalidInputError("a shot's action must say what happens; it was empty")
    return values


def _add_shot(plan: StoryPlan, edit: AddShot, new_shot_id: Callable[[], int]) -> str:
    values = _resolved_shot_fields(plan, edit)
    if edit.after is not None and edit.after != 0:
        require_shot(plan, edit.after)
    shot = Shot(id=new_shot_id(), order=len(plan.shots) + 1, **values)
    plan.shots.append(shot)
    resolve_handles(plan, shot)
    _place_after(plan, shot, edit.after)
    where = "at the start" if edit.after == 0 else f"after shot {edit.after}" if edit.after else ""
    described = f"{shot.size.value}, {shot.movement.value}, {shot.duration_s:g} s"
    return f"Added shot {shot.id} ({described}){' ' + where if where else ''}"


def _update_shot(plan: StoryPlan, edit: UpdateShot) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "changed")
    values = _resolved_shot_fields(plan, edit)
    for field in edit.clear:
        if field in values:
            raise InvalidInputError(f"{field} cannot be both set and cleared in one update")
        values[field] = [] if field == "characters" else "" if field == "dialogue" else None
    if not values:
        raise InvalidInputError(
            f"nothing to change on shot {shot.id}: give at least one field "
            "(see: storyreel shot update --help)"
        )
    for field, value in values.items():
        setattr(shot, field, value)
    resolve_handles(plan, shot)
    return f"Updated shot {shot.id} ({', '.join(values)})"


def _move_shot(plan: StoryPlan, edit: MoveShot) -> str:
    shot = require_shot(plan, edit.shot_id)
    _place_after(plan, shot, edit.after)
    where = "to the start" if edit.after == 0 else f"after shot {edit.after}"
    return f"Moved shot {shot.id} {where} (now #{shot.order})"


def _remove_shot(plan: StoryPlan, edit: RemoveShot) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "removed")
    plan.shots.remove(shot)
    freed = []
    for other in plan.shots:
        if other.continues_from == shot.id:
            other.continues_from = None
            freed.append(other.id)
    for position, each in enumerate(plan.ordered_shots(), start=1):
        each.order = position
    note = f"; shot(s) {_ids(freed)} no longer continue from it" if freed else ""
    return f"Removed shot {shot.id}{note}"


def _set_lock(plan: StoryPlan, edit: SetLock) -> str:
    shot = require_shot(plan, edit.shot_id)
    shot.locked = edit.locked
    return f"{'Locked' if edit.locked else 'Unlocked'} shot {shot.id}"


def _select_take(plan: StoryPlan, edit: SelectTake, context: EditContext) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "given another take")
    numbers = sorted(context.take_numbers(shot.id))
    if edit.take not in numbers:
        known = _ids(numbers) if numbers else "none yet: storyreel render " + str(shot.id)
        raise NotFoundError(f"shot {shot.id} has no take {edit.take} (takes: {known})")
    shot.selected_take = edit.take
    return f"Selected take {edit.take} of shot {shot.id}"


def _add_reference(plan: StoryPlan, edit: AddReference) -> str:
    ref = edit.reference.model_copy(deep=True)
    taken = {r.handle for r in plan.references} | {r.name for r in plan.references if r.name}
    taken |= {c.handle for c in plan.characters} | {loc.handle for loc in plan.locations}
    for handle in (ref.handle, ref.name):
        if handle in taken:
            raise ConflictError(f"the handle {handle} is already taken: choose another --name")
    plan.references.append(ref)
    if ref.entity:
        edit_entity = plan.find_character(ref.entity) or require_location(plan, ref.entity)
        ref.entity = edit_entity.name
        edit_entity.references.append(ref.handle)
    if ref.shot is not None:
        require_shot(plan, ref.shot).references.append(ref.handle)
    return f"Added {ref.kind.value} reference {ref.handle}"


def require_reference(plan: StoryPlan, handle: str) -> Reference:
    """The reference with this handle or name (@image1, @mara-face), or a teaching error."""
    handle = "@" + handle.strip().lstrip("@").lower()
    ref = next((r for r in plan.references if handle in (r.handle, r.name)), None)
    if ref is None:
        known = ", ".join(r.handle for r in plan.references) or "none yet"
        raise NotFoundError(
            f"no reference called {handle} (known: {known}); add one with: storyreel ref add FILE"
        )
    return ref


def _remove_reference(plan: StoryPlan, edit: RemoveReference) -> str:
    ref = require_reference(plan, edit.handle)
    plan.references.remove(ref)
    for owner in [*plan.characters, *plan.locations, *plan.shots]:
        if ref.handle in owner.references:
            owner.references.remove(ref.handle)
    return f"Removed reference {ref.handle}"


def _bind_reference(plan: StoryPlan, edit: BindReference) -> str:
    ref = require_reference(plan, edit.handle)
    if (edit.entity is None) == (edit.shot_id is None):
        raise InvalidInputError("bind a reference to exactly one thing: an entity or a shot")
    if edit.shot_id is not None:
        shot = require_shot(plan, edit.shot_id)
        ref.shot, ref.entity = shot.id, None
        if ref.handle not in shot.references:
            shot.references.append(ref.handle)
        moved = take_movement_from(shot, ref)
        return f"Bound {ref.handle} to shot {shot.id}" + (f" (it {moved})" if moved else "")
    target: Character | Location = plan.find_character(edit.entity) or require_location(
        plan, edit.entity
    )
    ref.entity, ref.shot = target.name, None
    if ref.handle not in target.references:
        target.references.append(ref.handle)
    if ref.kind == MediaKind.IMAGE and ref.role in (ReferenceRole.SUBJECT, ReferenceRole.LOCATION):
        # a picture bound to a place shows the place; bound to a person, the person
        ref.role = ReferenceRole.LOCATION if isinstance(target, Location) else ReferenceRole.SUBJECT
    return f"Bound {ref.handle} to {target.handle}"


def _set_style(plan: StoryPlan, edit: SetStyle) -> str:
    changed = []
    if edit.title is not None:
        if not edit.title.strip():
            raise InvalidInputError("the title cannot be empty")
        plan.title = edit.title.strip()
        changed.append("title")
    style_changes = edit.model_dump(exclude_none=True, exclude={"kind", "title"})
    if style_changes:
        plan.style = Style.model_validate({**plan.style.model_dump(), **style_changes})
        changed.extend(style_changes)
    if not changed:
        raise InvalidInputError("nothing to change in the style: give at least one field")
    return f"Changed {', '.join(changed)}"


_HANDLE_RE = re.compile(r"(?<![\w.])@([A-Za-z][A-Za-z0-9'-]*)")


def known_handles(plan: StoryPlan) -> list[str]:
    """Every handle direction text may use: characters, locations, references."""
    names = [c.handle for c in plan.characters] + [loc.handle for loc in plan.locations]
    for ref in plan.references:
        names.append(ref.handle)
        if ref.name:
            names.append(ref.name)
    return names


def resolve_handles(plan: StoryPlan, shot: Shot) -> None:
    """Resolve @handles in a shot's action and dialogue.

    A character handle puts the character in the shot, a location handle sets the
    shot's location (when it has none), a reference handle binds the file to this
    shot only. An unknown handle raises an error listing the known ones.
    """
    for token in _HANDLE_RE.findall(f"{shot.action} {shot.dialogue}"):
        character = plan.find_character(token)
        location = plan.find_location(token)
        if character is not None:
            if character.name not in shot.characters:
                shot.characters = [*shot.characters, character.name]
        elif location is not None:
            if shot.location is None:
                shot.location = location.name
        else:
            handle = "@" + token.lower()
            ref = next((r for r in plan.references if handle in (r.handle, r.name)), None)
            if ref is None:
                known = ", ".join(known_handles(plan)) or "none yet"
                raise NotFoundError(
                    f"shot {shot.id} mentions {handle}, which is not a known handle "
                    f"(known: {known})"
                )
            if ref.handle not in shot.references:
                shot.references = [*shot.references, ref.handle]
            take_movement_from(shot, ref)


def take_movement_from(shot: Shot, ref: Reference) -> str | None:
    """A still shot that names a motion clip takes the clip's measured camera movement.

    Returns what changed in words ("pans right, as @video1 does"), or None when
    nothing did (the shot already moves, or the clip has no clear movement).
    """
    if ref.kind != MediaKind.VIDEO or ref.role != ReferenceRole.MOTION:
        return None
    if ref.motion not in MEASURABLE_MOVES or shot.movement != Movement.STATIC:
        return None
    shot.movement = Movement(ref.motion)
    return f"moves {ref.motion.replace('_', ' ')}, as {ref.handle} does"


def shot_bound_references(plan: StoryPlan, shot: Shot) -> list[Reference]:
    """References bound to this one shot (by `ref bind --shot` or a handle in its text)."""
    return [r for r in plan.references if r.shot == shot.id or r.handle in shot.references]


def _check_reference_limits(plan: StoryPlan, shot: Shot) -> None:
    bound = shot_bound_references(plan, shot)
    for kind, limit in REFERENCE_LIMITS.items():
        count = sum(1 for r in bound if r.kind.value == kind)
        if count > limit:
            raise ConflictError(
                f"shot {shot.id} would use {count} {kind} references; at most "
                f"{REFERENCE_LIMITS['image']} images, {REFERENCE_LIMITS['video']} videos and "
                f"{REFERENCE_LIMITS['audio']} audio clips can go into one shot"
            )
    if len(bound) > REFERENCE_TOTAL_LIMIT:
        raise ConflictError(
            f"shot {shot.id} would use {len(bound)} references; at most "
            f"{REFERENCE_TOTAL_LIMIT} files can go into one shot"
        )


# --- consistency ----------------------------------------------------------------


def check_plan(plan: StoryPlan) -> None:
    """Raise if the plan contradicts itself; say what to change.

    Checks: every shot's characters and location exist; `continues_from`
    names an existing shot that comes earlier in the film; orders are 1..n.
    """
    order = {shot.id: shot.order for shot in plan.shots}
    for shot in plan.ordered_shots():
        _check_reference_limits(plan, shot)
        for name in shot.characters:
            require_character(plan, name)
        if shot.location is not None:
            require_location(plan, shot.location)
        source = shot.continues_from
        if source is None:
            continue
        if source == shot.id:
            raise InvalidInputError(f"shot {shot.id} cannot continue from itself")
        if source not in order:
            raise NotFoundError(
                f"shot {shot.id} continues from shot {source}, which does not exist; "
                "give an existing shot id or clear it (--no-continues-from)"
            )
        if order[source] > shot.order:
            raise ConflictError(
                f"shot {shot.id} continues from shot {source}, so it must come after it in the "
                f"film; move shot {shot.id} after shot {source} or clear --continues-from"
            )
    if sorted(order.values()) != list(range(1, len(order) + 1)):
        raise ConflictError("shot orders are not 1..n; this is a bug, please report it")
