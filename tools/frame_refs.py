"""A frame of a take, or a candidate still, as a reference: "use the last frame of shot 2 as
Mara's reference", `storyreel ref from-keyframe 3 --entity Mara`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from storyreel.renderer.video_io import read_all_frames
from storyreel.tools.edits import AddReference, require_shot
from storyreel.tools.errors import InvalidInputError, NotFoundError
from storyreel.tools.project import Project
from storyreel.tools.references import prepare_reference
from storyreel.tools.rendering import take_file
from storyreel.tools.story import Reference, StoryPlan, Take
from storyreel.tools.vocabulary import ReferenceRole


def find_take(project: Project, shot_id: int, take: int | None) -> Take:
    """Take `take` of the shot, or the one in use when `take` is None."""
    shot = require_shot(project.memory.plan(), shot_id)
    number = take if take is not None else shot.selected_take
    found = next((t for t in project.memory.takes(shot_id) if t.number == number), None)
    if found is None:
        which = f"take {take}" if take is not None else "a take yet"
        raise NotFoundError(f"shot {shot_id} has no {which} (render it, or see: storyreel takes)")
    return found


def reference_from_take(
    project: Project,
    shot_id: int,
    take: int | None = None,
    frame: str = "last",
    *,
    name: str | None = None,
    role: str | None = None,
    entity: str | None = None,
    shot: int | None = None,
) -> tuple[AddReference | None, Reference, str]:
    """Copy one frame of a take into the references.

    `entity` binds it to a character or location, `shot` to one shot; with neither it
    steers every shot of the film (a style reference).

    Returns (edit, reference, label): the edit registers it (None when the same
    picture already is a reference), label says which frame it was in words
    ("the last frame of shot 2 (take 1)", "frame 10 of shot 1 (take 1)").

    Raises:
        NotFoundError: no such shot or take.
        InvalidInputError: `frame` is not first, last or a frame number of the take.
    """
    found = find_take(project, shot_id, take)
    frames = read_all_frames(take_file(project, found))
    index = {"first": 0, "last": len(frames) - 1}.get(str(frame).strip().lower())
    if index is None:
        if not str(frame).isdigit() or int(frame) >= len(frames):
            raise InvalidInputError(
                f"the frame must be first, last or 0..{len(frames) - 1}, got {frame!r}"
            )
        index = int(frame)
    entity, role = _scope(project.memory.plan() if entity is not None else None, entity, role)
    with tempfile.TemporaryDirectory() as temporary:
        still = Path(temporary) / f"shot{shot_id}-take{found.number}-frame{index}.png"
        Image.fromarray(frames[index]).save(still)
        edit, reference = prepare_reference(
            project, still, name=name, role=role, entity=entity, shot=shot
        )
    which = {0: "the first frame"}.get(index, "the last frame" if index == len(frames) - 1 else "")
    label = f"{which or f'frame {index}'} of shot {shot_id} (take {found.number})"
    return edit, reference, label


def _scope(plan: StoryPlan | None, entity: str | None, role: str | None) -> tuple[str | None, str]:
    """The entity a frame reference is bound to (its name as the plan spells it) and its
    role: subject for a character, location for a place, style with neither, unless
    `role` says otherwise."""
    if entity is not None and plan is not None:
        person, place = plan.find_character(entity), plan.find_location(entity)
        if person is None and place is None:
            raise NotFoundError(f"there is no character or location called {entity!r}")
        entity = person.name if person is not None else place.name  # type: ignore[union-attr]
        if role is None:
            role = (ReferenceRole.SUBJECT if person else ReferenceRole.LOCATION).value
    return entity, role or ReferenceRole.STYLE.value


def reference_from_keyframe(
    project: Project,
    shot_id: int,
    number: int | None = None,
    *,
    name: str | None = None,
    role: str | None = None,
    entity: str | None = None,
    shot: int | None = None,
) -> tuple[AddReference | None, Reference, str]:
    """Make candidate still `number` of a shot (default: its picked still) an image
    reference, with the same roles as `reference_from_take`: `entity` binds it to a
    character (subject) or location (location), `shot` to one shot; with neither it steers
    every shot (style).

    Returns (edit, reference, label), as `reference_from_take`.

    Raises:
        NotFoundError: no such shot or still, or no picked still when `number` is None.
    """
    plan = project.memory.plan()
    found = require_shot(plan, shot_id)
    stills = project.memory.keyframes(found.id)
    numbers = ", ".join(str(k.number) for k in stills) or (
        f"none yet: storyreel keyframes {found.id}"
    )
    if number is None:
        if found.keyframe is None:
            raise NotFoundError(
                f"shot {found.id} has no picked still: give the still's number "
                f"(storyreel ref from-keyframe {found.id} N; stills: {numbers})"
            )
        number = found.keyframe
    still = next((k for k in stills if k.number == number), None)
    if still is None:
        raise NotFoundError(f"shot {found.id} has no still {number} (stills: {numbers})")
    entity, role = _scope(plan, entity, role)
    path = project.file_of(still.path)
    if not path.is_file():
        raise NotFoundError(
            f"still {number} of shot {found.id} is missing from media/keyframes: draw fresh "
            f"ones (storyreel keyframes {found.id})"
        )
    edit, reference = prepare_reference(
        project, path, name=name, role=role, entity=entity, shot=shot
    )
    return edit, reference, f"still {number} of shot {found.id}"
