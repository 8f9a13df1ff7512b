"""Typed edits to the story plan, and the one function that applies them.

Both directors (the LLM and the offline one) and the CLI express every change
as a list of these edits. `apply_edits` applies a whole batch to a copy of
the plan and checks the result: either every edit applies and the plan is
consistent, or an error explains the first problem and nothing changes.
The continuity memory stores each applied batch as one revision.

The copy is made on write: the new plan has new lists, and an edit copies a
character, location, reference, shot or the style (`_own`) before it changes it;
everything an edit leaves alone is the very object of the old plan. So a batch costs
what it changes, not the size of the plan, and the memory finds what changed by
identity.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import reduce
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from storyreel.tools.errors import ConflictError, InvalidInputError, NotFoundError
from storyreel.tools.story import (
    REF_PATTERN,
    REFERENCE_LIMITS,
    REFERENCE_TOTAL_LIMIT,
    Character,
    HardnessField,
    KelvinField,
    KeyLight,
    LengthField,
    Location,
    PaletteField,
    Reference,
    Shot,
    ShotKey,
    StageMark,
    StagingField,
    StoryPlan,
    Style,
    check_name,
    handle_of,
    length_words,
)
from storyreel.tools.vocabulary import (
    MEASURABLE_MOVES,
    Angle,
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


class RenameCharacter(EditModel):
    """Rename a character: its handle follows everywhere (shots, speaker, staging, refs, @text)."""

    kind: Literal["rename_character"] = "rename_character"
    name: str = Field(description="The current name or handle")
    new_name: str = Field(description="The new name; it becomes the handle")


class RemoveCharacter(EditModel):
    """Remove a character that no shot uses any more."""

    kind: Literal["remove_character"] = "remove_character"
    name: str


PALETTE_HELP = (
    "Colours of the place: names (navy, amber, teal, rust; deep/dark/light/pale before one, "
    "e.g. 'dark teal') or hex codes (#1d3557); anything else is refused"
)


class AddLocation(EditModel):
    """Add a location to the bible. `name` becomes the handle (@harbour)."""

    kind: Literal["add_location"] = "add_location"
    name: str
    description: str = Field(min_length=1)
    time_of_day: TimeOfDayField | None = None
    weather: str = ""
    key_light: LightSideField | None = None
    key_light_hardness: HardnessField | None = Field(None, description="soft or hard")
    key_light_kelvin: KelvinField | None = Field(
        None, description="Key light colour temperature, 2000..10000 K (3200 warm, 7000 cool)"
    )
    palette: PaletteField = Field(default_factory=list, description=PALETTE_HELP)


class UpdateLocation(EditModel):
    """Change a location (None keeps the old value)."""

    kind: Literal["update_location"] = "update_location"
    name: str
    description: str | None = None
    time_of_day: TimeOfDayField | None = None
    weather: str | None = None
    key_light: LightSideField | None = None
    key_light_hardness: HardnessField | None = Field(None, description="soft or hard")
    key_light_kelvin: KelvinField | None = Field(
        None, description="Key light colour temperature, 2000..10000 K (3200 warm, 7000 cool)"
    )
    palette: PaletteField | None = Field(None, description=PALETTE_HELP)


class RenameLocation(EditModel):
    """Rename a location: its handle follows everywhere (shots, refs, @text)."""

    kind: Literal["rename_location"] = "rename_location"
    name: str = Field(description="The current name or handle")
    new_name: str = Field(description="The new name; it becomes the handle")


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
    key_light_hardness: HardnessField | None = Field(
        None, description="Override of the location's key light: soft or hard"
    )
    key_light_kelvin: KelvinField | None = Field(
        None, description="Override of the key light colour, 2000..10000 K (3200 warm, 7000 cool)"
    )
    lighting: str | None = None
    duration_s: float | None = Field(None, gt=0, le=60)
    dialogue: str | None = None
    dialogue_speaker: str | None = Field(
        None, description="The character who says the dialogue (added to the shot if missing)"
    )
    ots_over: str | None = Field(
        None, description="Angle ots only: the character whose shoulder the camera looks over"
    )
    staging: StagingField | None = Field(
        None,
        description="Per character: screen position (left/center/right) and facing "
        "(left/right/camera/away); in an update, replaces the marks of the characters named",
    )
    continues_from: ShotKey | None = None
    transition: TransitionField | None = None


ClearableShotField = Literal[
    "location",
    "continues_from",
    "dialogue",
    "time_of_day",
    "key_light_side",
    "characters",
    "dialogue_speaker",
    "ots_over",
    "staging",
    "key_light_hardness",
    "key_light_kelvin",
]


class AddShot(ShotFields):
    """Add a shot. `after` is the id of the shot it follows (0 = first; None = last).

    `ref` names the new shot for the rest of the batch: later edits of the same
    batch may write it wherever a shot id goes ("new1" instead of an id).
    """

    kind: Literal["add_shot"] = "add_shot"
    action: str = Field(min_length=1)
    after: ShotKey | None = None
    ref: str | None = Field(
        None,
        pattern=REF_PATTERN,
        description="A temporary name for this new shot that later edits in the same batch "
        "may use as its shot id (e.g. 'new1')",
    )


class UpdateShot(ShotFields):
    """Change fields of a shot; `clear` empties optional ones (e.g. ["continues_from"])."""

    kind: Literal["update_shot"] = "update_shot"
    shot_id: ShotKey
    clear: list[ClearableShotField] = Field(default_factory=list)


class MoveShot(EditModel):
    """Move a shot to follow another one (`after` = 0 puts it first). Ids never change."""

    kind: Literal["move_shot"] = "move_shot"
    shot_id: ShotKey
    after: ShotKey


class RemoveShot(EditModel):
    """Remove a shot. Shots that continued from it start fresh instead."""

    kind: Literal["remove_shot"] = "remove_shot"
    shot_id: ShotKey


class SetLock(EditModel):
    """Lock a shot (never re-rendered or edited) or unlock it."""

    kind: Literal["set_lock"] = "set_lock"
    shot_id: ShotKey
    locked: bool


class SelectTake(EditModel):
    """Choose which take of a shot goes into the cut (`take` is the take number)."""

    kind: Literal["select_take"] = "select_take"
    shot_id: ShotKey
    take: int


class PickKeyframe(EditModel):
    """Open a shot on one of its candidate stills (made by `storyreel keyframes`): its render
    then starts from that picture. `number` None clears the pick (the shot starts fresh)."""

    kind: Literal["pick_keyframe"] = "pick_keyframe"
    shot_id: ShotKey
    number: int | None = Field(
        None, ge=1, description="The still's number, as `storyreel keyframes` lists them"
    )


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
    shot_id: ShotKey | None = None


class SetStyle(EditModel):
    """Change the film's title or style (None keeps the old value)."""

    kind: Literal["set_style"] = "set_style"
    title: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    fps: int | None = Field(None, ge=1, le=120)
    look: str | None = None
    negative_prompt: str | None = None


class SetTargetLength(EditModel):
    """Say how long the whole film should run (`seconds`), or remove the target (None).

    The script supervisor notes a plan whose shots add up to far more or less
    (the `length` check); the plan views show the target beside the running time.
    """

    kind: Literal["set_target_length"] = "set_target_length"
    seconds: LengthField | None = Field(
        description="How long the whole film should run, in seconds, 1-7200 (120 for 'about "
        "2 minutes'); null removes the target"
    )  # the range is checked by parse_length (TARGET_LENGTH_RANGE), with a teaching error


# --- actions: what the agent does besides changing the plan -------------------
# Actions that name shots take a ShotKey: a shot added by the same batch may be named
# by its temporary ref ("new1"); the agent replaces it with the real id once the batch
# has applied (`resolve_action_refs`).


class RenderShots(EditModel):
    """Render shots. Empty `shot_ids`: every shot that needs it. `force`: new takes anyway."""

    kind: Literal["render"] = "render"
    shot_ids: list[ShotKey] = Field(default_factory=list)
    backend: str | None = None
    force: bool = False


class CompareBackends(EditModel):
    """Render one shot on several backends with identical inputs, to pick the best."""

    kind: Literal["compare"] = "compare"
    shot_id: ShotKey
    backends: list[str] = Field(min_length=2)


class MakeKeyframes(EditModel):
    """Draw candidate stills of shots (a numbered sheet) to pick one before rendering motion."""

    kind: Literal["make_keyframes"] = "make_keyframes"
    shot_ids: list[ShotKey] = Field(min_length=1)
    count: int = Field(4, ge=1, le=12, description="Candidate stills per shot, 1-12")


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
    shot_id: ShotKey
    take: int | None = None
    frame: str = "last"
    entity: str | None = None
    name: str | None = None


ACTION_TYPES = (
    RenderShots,
    CompareBackends,
    MakeKeyframes,
    ExportFilm,
    UndoChange,
    RedoChange,
    AskPerson,
    ReferenceFromTake,
)

PLAN_EDIT_TYPES: tuple[type[EditModel], ...] = (
    AddCharacter,
    UpdateCharacter,
    RenameCharacter,
    RemoveCharacter,
    AddLocation,
    UpdateLocation,
    RenameLocation,
    RemoveLocation,
    AddShot,
    UpdateShot,
    MoveShot,
    RemoveShot,
    SetLock,
    SelectTake,
    PickKeyframe,
    BindReference,
    AddReference,
    RemoveReference,
    SetStyle,
    SetTargetLength,
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
    keyframe_numbers: Callable[[int], Collection[int]] = dataclass_field(
        default=lambda shot_id: (), kw_only=True
    )
    """The numbers of the candidate stills that exist for a shot id."""
    refs: dict[str, int] = dataclass_field(default_factory=dict)
    """Filled by `apply_edits`: each temporary shot ref of the batch and the id it became."""


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

    An `AddShot` with a `ref` ("new1") names its new shot for the rest of the
    batch: later edits may give that ref wherever a shot id goes; it is
    replaced by the real id before the edit applies.
    """
    work = StoryPlan.model_construct(
        _fields_set=set(plan.model_fields_set),
        title=plan.title,
        style=plan.style,
        characters=list(plan.characters),
        locations=list(plan.locations),
        references=list(plan.references),
        shots=list(plan.shots),
    )
    refs = context.refs
    refs.clear()
    lines = []
    token = _SHARED.set({id(item) for item in (*_items(plan), plan.style)})
    try:
        for edit in edits:
            edit = resolve_shot_refs(work, edit, refs)
            lines.append(_apply_one(work, edit, context))
            if isinstance(edit, AddShot) and edit.ref is not None:
                if edit.ref in refs:
                    raise ConflictError(
                        f"the ref {edit.ref!r} is given to two new shots in one batch: "
                        "give each new shot its own ref"
                    )
                refs[edit.ref] = work.shots[-1].id
    finally:
        _SHARED.reset(token)
    if _bible_names(plan) == _bible_names(work):
        # shots the batch left alone were checked against these same names before
        old = {id(shot) for shot in plan.shots}
        check_plan(work, changed={shot.id for shot in work.shots if id(shot) not in old})
    else:
        check_plan(work)
    return work, lines


_SHARED: ContextVar[set[int] | None] = ContextVar("_SHARED", default=None)
"""While `apply_edits` runs: the ids of the old plan's objects, which must not change."""

_Item = TypeVar("_Item", Character, Location, Reference, Shot)


def _items(plan: StoryPlan) -> tuple[BaseModel, ...]:
    return (*plan.characters, *plan.locations, *plan.references, *plan.shots)


def _own(plan: StoryPlan, item: _Item) -> _Item:
    """`item` as this batch may change it: a copy put in its place the first time (the
    old plan keeps the original); outside `apply_edits`, the item itself."""
    shared = _SHARED.get()
    if shared is None or id(item) not in shared:
        return item
    copy = item.model_copy(deep=True)
    items: list = {
        Character: plan.characters,
        Location: plan.locations,
        Reference: plan.references,
        Shot: plan.shots,
    }[type(item)]
    for index, each in enumerate(items):
        if each is item:
            items[index] = copy
            break
    return copy


def _own_style(plan: StoryPlan) -> Style:
    shared = _SHARED.get()
    if shared is not None and id(plan.style) in shared:
        plan.style = plan.style.model_copy(deep=True)
    return plan.style


def _bible_names(plan: StoryPlan) -> tuple[object, ...]:
    """What the checks of a shot read from the rest of the plan: the names of the characters
    and locations, and which references are bound where."""
    return (
        [c.name for c in plan.characters],
        [loc.name for loc in plan.locations],
        [(r.handle, r.name, r.kind, r.shot) for r in plan.references],
    )


_SHOT_KEY_FIELDS: dict[type[EditModel], tuple[str, ...]] = {
    AddShot: ("after", "continues_from"),
    UpdateShot: ("shot_id", "continues_from"),
    MoveShot: ("shot_id", "after"),
    RemoveShot: ("shot_id",),
    SetLock: ("shot_id",),
    SelectTake: ("shot_id",),
    PickKeyframe: ("shot_id",),
    BindReference: ("shot_id",),
}


def resolve_shot_refs(plan: StoryPlan, edit: EditModel, refs: dict[str, int]) -> EditModel:
    """`edit` with every temporary shot ref ("new1") replaced by the real shot id.

    Raises:
        NotFoundError: a ref that no earlier AddShot of the batch gave.
    """
    update = {}
    for field in _SHOT_KEY_FIELDS.get(type(edit), ()):
        value = getattr(edit, field)
        if not isinstance(value, str):
            continue
        if value not in refs:
            given = ", ".join(repr(ref) for ref in refs) or "none yet"
            known = _ids([shot.id for shot in plan.ordered_shots()]) or "none yet"
            raise NotFoundError(
                f"{field} {value!r} is not a shot: a name instead of an id must be the ref of a "
                f"shot added earlier in the same batch (add_shot with ref={value!r}; refs so "
                f"far: {given}); otherwise give a shot id (shots: {known})"
            )
        update[field] = refs[value]
    return edit.model_copy(update=update) if update else edit


def resolve_action_refs(
    actions: Sequence[EditModel], refs: Mapping[str, int] | None, plan: StoryPlan | None = None
) -> list[EditModel]:
    """The actions with every temporary shot ref ("new1") replaced by the id the batch's
    `add_shot` with that ref was given (`refs`, as `apply_edits` fills `EditContext.refs`).

    `refs` None: the batch has not been applied yet (it waits for approval); refs in
    render and compare are kept for later, and only what can never work is refused.

    Raises:
        NotFoundError: a ref no add_shot of the batch gave (the error lists the refs and ids).
        ConflictError: a `reference_from_take` naming a shot of this batch: a new shot has
            no take yet; the error gives its id (when known) to use next turn.
    """
    resolved: list[EditModel] = []
    for action in actions:
        if isinstance(action, RenderShots | MakeKeyframes):
            ids = [_action_id(action, value, refs, plan) for value in action.shot_ids]
            resolved.append(action.model_copy(update={"shot_ids": ids}))
        elif isinstance(action, CompareBackends | ReferenceFromTake):
            shot_id = _action_id(action, action.shot_id, refs, plan)
            resolved.append(action.model_copy(update={"shot_id": shot_id}))
        else:
            resolved.append(action)
    return resolved


def _action_id(
    action: EditModel, value: int | str, refs: Mapping[str, int] | None, plan: StoryPlan | None
) -> int | str:
    if not isinstance(value, str):
        return value
    kind = getattr(action, "kind", type(action).__name__)
    if refs is None:
        if isinstance(action, ReferenceFromTake):
            raise ConflictError(
                f"reference_from_take names {value!r}, a shot added in this same batch: it has "
                "no take yet. Render it first, then ask for its frame by the shot's id next turn"
            )
        return value
    if value not in refs:
        given = ", ".join(repr(ref) for ref in refs) or "none"
        known = _ids([shot.id for shot in plan.ordered_shots()]) if plan else ""
        shots = f" (shots: {known})" if known else ""
        raise NotFoundError(
            f"{kind} names {value!r}, which is not a shot: a name instead of an id must be the "
            f"ref of a shot added in the same batch (refs in this batch: {given}); otherwise "
            f"give a shot id{shots}"
        )
    if isinstance(action, ReferenceFromTake):
        raise ConflictError(
            f"reference_from_take names {value!r}, a shot added in this same batch (shot "
            f"{refs[value]}): it has no take yet. Render it first, then ask for its frame by "
            f"the shot's id next turn (reference_from_take shot_id={refs[value]})"
        )
    return refs[value]


def _apply_one(plan: StoryPlan, edit: EditModel, context: EditContext) -> str:
    match edit:
        case AddCharacter():
            return _add_character(plan, edit)
        case UpdateCharacter():
            return _update_character(plan, edit)
        case RenameCharacter():
            return _rename_character(plan, edit)
        case RemoveCharacter():
            return _remove_character(plan, edit)
        case AddLocation():
            return _add_location(plan, edit)
        case UpdateLocation():
            return _update_location(plan, edit)
        case RenameLocation():
            return _rename_location(plan, edit)
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
        case PickKeyframe():
            return _pick_keyframe(plan, edit, context)
        case BindReference():
            return _bind_reference(plan, edit)
        case AddReference():
            return _add_reference(plan, edit)
        case RemoveReference():
            return _remove_reference(plan, edit)
        case SetStyle():
            return _set_style(plan, edit)
        case SetTargetLength():
            return _set_target_length(plan, edit)
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
    character = _own(plan, require_character(plan, edit.name))
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
    light = {
        "side": edit.key_light,
        "hardness": edit.key_light_hardness,
        "color_temp_k": edit.key_light_kelvin,
    }
    location.key_light = KeyLight(**{k: v for k, v in light.items() if v is not None})
    location.palette = list(edit.palette)
    plan.locations.append(location)
    return f"Added location {location.handle}"


def _update_location(plan: StoryPlan, edit: UpdateLocation) -> str:
    location = _own(plan, require_location(plan, edit.name))
    changed = _assign(location, edit, ("description", "time_of_day", "weather", "palette"))
    light = {
        "side": edit.key_light,
        "hardness": edit.key_light_hardness,
        "color_temp_k": edit.key_light_kelvin,
    }
    labels = {
        "side": "key_light",
        "hardness": "key_light_hardness",
        "color_temp_k": "key_light_kelvin",
    }
    for part, value in light.items():
        if value is not None:
            location.key_light = location.key_light.model_copy(update={part: value})
            changed = _join_changed(changed, labels[part])
    return f"Updated location {location.handle} ({changed})"


def _check_rename(plan: StoryPlan, old: str, new_name: str, what: str) -> str:
    """The new name, checked: a usable handle, not taken by another entity or a reference."""
    new = check_name(new_name, what)
    if new == old:
        raise InvalidInputError(f"the {what} is already called {old!r}: give a different name")
    if handle_of(new) != handle_of(old):
        _check_new_name(plan, new, what)
        handle = "@" + handle_of(new)
        if any(handle in (r.handle, r.name) for r in plan.references):
            raise ConflictError(
                f"the handle {handle} is already a reference's handle: choose another name"
            )
    return new


def _rewrite_handles(plan: StoryPlan, old: str, new: str) -> None:
    """Rewrite @old-handle to @new-handle in every shot's action and dialogue."""
    old_key, new_handle = handle_of(old), "@" + handle_of(new)

    def swap(match: re.Match[str]) -> str:
        return new_handle if handle_of(match.group(1)) == old_key else match.group(0)

    for shot in list(plan.shots):
        action = _HANDLE_RE.sub(swap, shot.action)
        dialogue = _HANDLE_RE.sub(swap, shot.dialogue)
        if (action, dialogue) != (shot.action, shot.dialogue):
            shot = _own(plan, shot)
            shot.action, shot.dialogue = action, dialogue


def _following(users: Sequence[int]) -> str:
    if not users:
        return ""
    users = sorted(users)
    return f" (shot {users[0]} follows)" if len(users) == 1 else f" (shots {_ids(users)} follow)"


def _rename_character(plan: StoryPlan, edit: RenameCharacter) -> str:
    character = require_character(plan, edit.name)
    old = character.name
    new = _check_rename(plan, old, edit.new_name, "character")
    old_handle = character.handle
    character = _own(plan, character)
    character.name = new
    users = []
    for shot in list(plan.shots):
        if old not in shot.characters:
            continue
        shot = _own(plan, shot)
        users.append(shot.id)
        shot.characters = [new if name == old else name for name in shot.characters]
        if shot.dialogue_speaker == old:
            shot.dialogue_speaker = new
        if shot.ots_over == old:
            shot.ots_over = new
        shot.staging = [
            mark.model_copy(update={"character": new}) if mark.character == old else mark
            for mark in shot.staging
        ]
    for ref in list(plan.references):
        if ref.entity == old:
            _own(plan, ref).entity = new
    _rewrite_handles(plan, old, new)
    used = _following(users)
    return f"Renamed character {old_handle} to {character.handle}{used}"


def _rename_location(plan: StoryPlan, edit: RenameLocation) -> str:
    location = require_location(plan, edit.name)
    old = location.name
    new = _check_rename(plan, old, edit.new_name, "location")
    old_handle = location.handle
    location = _own(plan, location)
    location.name = new
    users = []
    for shot in list(plan.shots):
        if shot.location == old:
            _own(plan, shot).location = new
            users.append(shot.id)
    for ref in list(plan.references):
        if ref.entity == old:
            _own(plan, ref).entity = new
    _rewrite_handles(plan, old, new)
    used = _following(users)
    return f"Renamed location {old_handle} to {location.handle}{used}"


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


def _place_after(plan: StoryPlan, shot: Shot, after: int | None) -> Shot:
    """Put `shot` right after shot `after` (0 = first, None = last) and renumber orders.

    Returns the shot as the plan now holds it (a copy when its order changed)."""
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
        if each.order != position:
            each = _own(plan, each)
            each.order = position
        if each.id == shot.id:
            shot = each
    return shot


_PEOPLE_FIELDS = ("dialogue_speaker", "ots_over")


def _resolved_shot_fields(plan: StoryPlan, edit: ShotFields) -> dict[str, object]:
    """The non-None fields of `edit`, with names resolved to canonical ones."""
    not_fields = {"kind", "after", "shot_id", "clear", "ref"}
    values = edit.model_dump(exclude_none=True, exclude=not_fields)
    if "characters" in values:
        names = [require_character(plan, name).name for name in values["characters"]]
        values["characters"] = list(dict.fromkeys(names))
    if "location" in values:
        values["location"] = require_location(plan, values["location"]).name
    if "action" in values:
        values["action"] = values["action"].strip()
        if not values["action"]:
            raise InvalidInputError("a shot's action must say what happens; it was empty")
    for field in _PEOPLE_FIELDS:
        if field in values:
            values[field] = require_character(plan, values[field]).name
    if "staging" in values:
        marks: dict[str, StageMark] = {}
        for mark in edit.staging or []:
            name = require_character(plan, mark.character).name
            if name in marks:
                raise InvalidInputError(
                    f"the staging names {name} twice: give one mark per character"
                )
            marks[name] = mark.model_copy(update={"character": name})
        values["staging"] = list(marks.values())
    return values


def _people_named(values: Mapping[str, object]) -> dict[str, str]:
    """Characters named by speaker, ots_over and staging in `values`, with the field naming them."""
    named: dict[str, str] = {}
    for field in _PEOPLE_FIELDS:
        if values.get(field):
            named.setdefault(str(values[field]), field)
    for mark in values.get("staging") or []:
        named.setdefault(mark.character, "staging")
    return named


def _settle_people(shot: Shot, given: Mapping[str, object]) -> list[str]:
    """Keep speaker, OTS owner and staging consistent with the shot; notes on what followed.

    Characters named in this edit (`given`) but not in the shot join it. Values
    that the change left stale (a character taken out, the angle no longer ots,
    the dialogue gone) are cleared. Asking for what cannot be is an error.
    """
    notes = []
    for name, field in _people_named(given).items():
        if name not in shot.characters:
            shot.characters = [*shot.characters, name]
            notes.append(f"{name} joins the shot ({field})")
    if shot.ots_over is not None and shot.angle != Angle.OTS:
        if "ots_over" in given:
            raise InvalidInputError(
                f"ots_over says whose shoulder an over-the-shoulder shot looks over, but shot "
                f"{shot.id}'s angle is {shot.angle.value}: set the angle to ots too "
                "(--angle ots), or leave ots_over out"
            )
        notes.append(f"ots_over {shot.ots_over} cleared (the angle is no longer ots)")
        shot.ots_over = None
    if shot.dialogue_speaker is not None and not shot.dialogue:
        if "dialogue_speaker" in given:
            raise InvalidInputError(
                f"dialogue_speaker names who says shot {shot.id}'s dialogue, but it has none: "
                "give the line too (--dialogue TEXT)"
            )
        notes.append(f"speaker {shot.dialogue_speaker} cleared (no dialogue)")
        shot.dialogue_speaker = None
    for field in _PEOPLE_FIELDS:
        name = getattr(shot, field)
        if name is not None and name not in shot.characters:
            setattr(shot, field, None)
            notes.append(f"{field} {name} cleared ({name} left the shot)")
    kept = [mark for mark in shot.staging if mark.character in shot.characters]
    for mark in shot.staging:
        if mark not in kept:
            notes.append(f"staging of {mark.character} cleared ({mark.character} left the shot)")
    if len(kept) != len(shot.staging):
        shot.staging = kept
    return notes


def _add_shot(plan: StoryPlan, edit: AddShot, new_shot_id: Callable[[], int]) -> str:
    values = _resolved_shot_fields(plan, edit)
    if edit.after is not None and edit.after != 0:
        require_shot(plan, edit.after)
    shot = Shot(id=new_shot_id(), order=len(plan.shots) + 1, **values)
    plan.shots.append(shot)
    resolve_handles(plan, shot)
    notes = _settle_people(shot, values)
    shot = _place_after(plan, shot, edit.after)
    where = "at the start" if edit.after == 0 else f"after shot {edit.after}" if edit.after else ""
    described = f"{shot.size.value}, {shot.movement.value}, {shot.duration_s:g} s"
    tail = f"; {'; '.join(notes)}" if notes else ""
    return f"Added shot {shot.id} ({described}){' ' + where if where else ''}{tail}"


_CLEARED: dict[str, object] = {"characters": [], "dialogue": "", "staging": []}


def _update_shot(plan: StoryPlan, edit: UpdateShot) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "changed")
    shot = _own(plan, shot)
    values = _resolved_shot_fields(plan, edit)
    for field in edit.clear:
        if field in values:
            raise InvalidInputError(f"{field} cannot be both set and cleared in one update")
        values[field] = _CLEARED.get(field)
    if not values:
        raise InvalidInputError(
            f"nothing to change on shot {shot.id}: give at least one field "
            "(see: storyreel shot update --help)"
        )
    given = dict(values)
    if values.get("staging"):
        # an update restages the characters it names and keeps the others' marks
        given_marks = {mark.character: mark for mark in values["staging"]}
        kept = [given_marks.pop(mark.character, mark) for mark in shot.staging]
        values["staging"] = [*kept, *given_marks.values()]
    for field, value in values.items():
        setattr(shot, field, value)
    resolve_handles(plan, shot)
    notes = _settle_people(shot, given)
    tail = f"; {'; '.join(notes)}" if notes else ""
    return f"Updated shot {shot.id} ({', '.join(given)}){tail}"


def _move_shot(plan: StoryPlan, edit: MoveShot) -> str:
    shot = _place_after(plan, require_shot(plan, edit.shot_id), edit.after)
    where = "to the start" if edit.after == 0 else f"after shot {edit.after}"
    return f"Moved shot {shot.id} {where} (now #{shot.order})"


def _remove_shot(plan: StoryPlan, edit: RemoveShot) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "removed")
    plan.shots.remove(shot)
    freed = []
    for other in list(plan.shots):
        if other.continues_from == shot.id:
            _own(plan, other).continues_from = None
            freed.append(other.id)
    for position, each in enumerate(plan.ordered_shots(), start=1):
        if each.order != position:
            _own(plan, each).order = position
    note = f"; shot(s) {_ids(freed)} no longer continue from it" if freed else ""
    return f"Removed shot {shot.id}{note}"


def _set_lock(plan: StoryPlan, edit: SetLock) -> str:
    shot = _own(plan, require_shot(plan, edit.shot_id))
    shot.locked = edit.locked
    return f"{'Locked' if edit.locked else 'Unlocked'} shot {shot.id}"


def _select_take(plan: StoryPlan, edit: SelectTake, context: EditContext) -> str:
    shot = require_shot(plan, edit.shot_id)
    _require_unlocked(shot, "given another take")
    numbers = sorted(context.take_numbers(shot.id))
    if edit.take not in numbers:
        known = _ids(numbers) if numbers else "none yet: storyreel render " + str(shot.id)
        raise NotFoundError(f"shot {shot.id} has no take {edit.take} (takes: {known})")
    _own(plan, shot).selected_take = edit.take
    return f"Selected take {edit.take} of shot {shot.id}"


def _pick_keyframe(plan: StoryPlan, edit: PickKeyframe, context: EditContext) -> str:
    shot = require_shot(plan, edit.shot_id)
    if edit.number is None:
        _require_unlocked(shot, "given another first frame")
        if shot.keyframe is None:
            raise InvalidInputError(f"shot {shot.id} has no picked still to clear")
        _own(plan, shot).keyframe = None
        return f"Cleared the still of shot {shot.id} (it starts fresh)"
    _require_unlocked(shot, "given another first frame")
    if shot.continues_from is not None:
        raise ConflictError(
            f"shot {shot.id} continues from shot {shot.continues_from}, so it opens on the last "
            f"frame of that shot's take, not on a still: clear that first (storyreel shot "
            f"update {shot.id} --no-continues-from), then pick the still"
        )
    numbers = sorted(context.keyframe_numbers(shot.id))
    if edit.number not in numbers:
        known = (
            _ids(numbers) if numbers else f"none yet: make some with storyreel keyframes {shot.id}"
        )
        raise NotFoundError(f"shot {shot.id} has no still {edit.number} (stills: {known})")
    _own(plan, shot).keyframe = edit.number
    return f"Picked still {edit.number} to open shot {shot.id}"


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
        _own(plan, edit_entity).references.append(ref.handle)
    if ref.shot is not None:
        _own(plan, require_shot(plan, ref.shot)).references.append(ref.handle)
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
            _own(plan, owner).references.remove(ref.handle)
    return f"Removed reference {ref.handle}"


def _bind_reference(plan: StoryPlan, edit: BindReference) -> str:
    ref = require_reference(plan, edit.handle)
    if (edit.entity is None) == (edit.shot_id is None):
        raise InvalidInputError("bind a reference to exactly one thing: an entity or a shot")
    ref = _own(plan, ref)
    if edit.shot_id is not None:
        shot = _own(plan, require_shot(plan, edit.shot_id))
        ref.shot, ref.entity = shot.id, None
        if ref.handle not in shot.references:
            shot.references.append(ref.handle)
        moved = take_movement_from(shot, ref)
        return f"Bound {ref.handle} to shot {shot.id}" + (f" (it {moved})" if moved else "")
    target: Character | Location = plan.find_character(edit.entity) or require_location(
        plan, edit.entity
    )
    target = _own(plan, target)
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


def _set_target_length(plan: StoryPlan, edit: SetTargetLength) -> str:
    running = length_words(sum(shot.duration_s for shot in plan.shots))
    if edit.seconds is None:
        if plan.style.target_length_s is None:
            raise InvalidInputError("the film has no target length to remove")
        _own_style(plan).target_length_s = None
        return "Removed the target length"
    _own_style(plan).target_length_s = edit.seconds
    return f"Set the target length to {length_words(edit.seconds)} (the shots now run {running})"


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


def _check_people(shot: Shot) -> None:
    named = _people_named(shot.model_dump(include={"dialogue_speaker", "ots_over"}))
    named.update({mark.character: "staging" for mark in shot.staging})
    for name, field in named.items():
        if name not in shot.characters:
            raise InvalidInputError(
                f"shot {shot.id} names {name} as {field}, but {name} is not in the shot: "
                f"add {name} to its characters or clear {field}"
            )
    if shot.ots_over is not None and shot.angle != Angle.OTS:
        raise InvalidInputError(
            f"shot {shot.id} has ots_over {shot.ots_over} but its angle is {shot.angle.value}: "
            "set the angle to ots or clear ots_over"
        )


def check_plan(plan: StoryPlan, changed: Collection[int] | None = None) -> None:
    """Raise if the plan contradicts itself; say what to change.

    Checks: every shot's characters and location exist; the speaker, the OTS
    owner (with the ots angle only) and the staged characters are characters of
    the shot; `continues_from` names an existing shot that comes earlier in the
    film; orders are 1..n.

    Args:
        changed: check the characters, location, people and references of these shots
            only (the others are known to be fine); None: of every shot. The order and
            `continues_from` of every shot are always checked.
    """
    order = {shot.id: shot.order for shot in plan.shots}
    for shot in plan.ordered_shots():
        if changed is None or shot.id in changed:
            _check_reference_limits(plan, shot)
            for name in shot.characters:
                require_character(plan, name)
            if shot.location is not None:
                require_location(plan, shot.location)
            _check_people(shot)
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
