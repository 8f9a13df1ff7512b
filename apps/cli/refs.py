"""`storyreel ref ...`: reference media (photos, clips, sounds) and their @handles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, apply_and_report, echo, new_group, opened
from storyreel.tools.errors import InvalidInputError
from storyreel.tools.vocabulary import ReferenceRole, accepted_values, parse_term

if TYPE_CHECKING:
    from storyreel.tools.story import Reference

ref_app = new_group(
    "References: photos, clips and sounds that steer shots. Each gets a handle (@image1, "
    "@video1, @audio1, or a --name) to use in direction text."
)

HandleArg = Annotated[str, typer.Argument(help="The reference's handle, e.g. @image1.")]
RoleOpt = Annotated[
    str | None, typer.Option(help=f"What it is for: {accepted_values(ReferenceRole)}.")
]
EntityOpt = Annotated[
    str | None, typer.Option(help="Bind it to a character or location (e.g. Mara).")
]
ShotOpt = Annotated[int | None, typer.Option("--shot", help="Bind it to one shot only.")]
NameOpt = Annotated[str | None, typer.Option(help="An extra handle, e.g. mara-face.")]


def _add(
    project_dir: Path,
    source: Path,
    name: str | None,
    role: str | None,
    entity: str | None,
    shot: int | None,
) -> None:
    from storyreel.tools.references import prepare_reference

    with opened(project_dir) as project:
        role_value = parse_term(ReferenceRole, role).value if role else None
        edit, reference = prepare_reference(
            project, source, name=name, role=role_value, entity=entity, shot=shot
        )
        if edit is None:
            echo(f"{source.name} is already a reference: {reference.handle}")
            return
        batch = project.memory.apply([edit], source="cli")
    label = f" ({reference.name})" if reference.name else ""
    echo(f"{batch.lines[0]}{label}: {source.name}, {reference.kind.value}, {reference.role.value}")
    echo(f"(revision {batch.revision.id}; use it in direction as {reference.handle})")


@ref_app.command("add")
def ref_add(
    file: Annotated[Path, typer.Argument(help="An image, video or audio file.")],
    name: NameOpt = None,
    role: RoleOpt = None,
    entity: EntityOpt = None,
    shot: ShotOpt = None,
    project: ProjectOption = HERE,
) -> None:
    """Add a reference file (copied into the project by content hash).

    Adding the same file twice gives back its existing handle. Limits: 500 MB,
    120 s; at most 9 images, 3 videos and 3 audio clips go into one shot.
    """
    _add(project, file, name, role, entity, shot)


@ref_app.command("list")
def ref_list(project: ProjectOption = HERE) -> None:
    """List references: handle, kind, role, what it is bound to, size, length, camera move."""
    with opened(project) as opened_project:
        references = opened_project.memory.plan().references
    if not references:
        echo("no references yet: storyreel ref add FILE")
    for ref in references:
        bound = f"@{ref.entity.lower()}" if ref.entity else f"shot {ref.shot}" if ref.shot else "-"
        size = f"{ref.width}x{ref.height}" if ref.width else ""
        length = f"{ref.duration_s:.1f}s" if ref.duration_s else ""
        moves = f"camera: {ref.motion}" if ref.motion else ""
        extra = " ".join(part for part in (size, length, moves) if part)
        echo(
            f"{ref.handle:<10} {ref.name or '':<14} {ref.kind.value:<6} "
            f"{ref.role.value:<11} {bound:<12} {extra}"
        )


@ref_app.command("remove")
def ref_remove(handle: HandleArg, project: ProjectOption = HERE) -> None:
    """Remove a reference; takes rendered with it keep their record of it."""
    from storyreel.tools.edits import RemoveReference

    apply_and_report(project, [RemoveReference(handle=handle)])


@ref_app.command("bind")
def ref_bind(
    handle: HandleArg, entity: EntityOpt = None, shot: ShotOpt = None, project: ProjectOption = HERE
) -> None:
    """Bind a reference to a character/location (--entity) or to one shot (--shot)."""
    from storyreel.tools.edits import BindReference

    apply_and_report(project, [BindReference(handle=handle, entity=entity, shot_id=shot)])


FROM_TAKE_SCOPES = (
    "--entity NAME (a character or location: used in every shot they are in), "
    "--shot ID (that one shot) or --film (every shot of the film, as a style reference)"
)
"""The scopes `ref from-take` offers, as its refusal lists them."""


def _from_take_scope(entity: str | None, shot: int | None, film: bool) -> None:
    """Refuse a frame reference without exactly one scope: a film-wide reference changes
    every shot (each one is then out of date), so it must be asked for, never a default."""
    given = [flag for flag, value in (("--entity", entity), ("--shot", shot)) if value is not None]
    given += ["--film"] if film else []
    if not given:
        raise InvalidInputError(f"say which shots the frame should steer: {FROM_TAKE_SCOPES}")
    if film and len(given) > 1:
        raise InvalidInputError(
            f"--film steers every shot; give it alone, not with {' and '.join(given[:-1])}"
        )


EntityScopeOpt = Annotated[
    str | None,
    typer.Option(help="Steer the shots of this character or location (e.g. Mara)."),
]
ShotScopeOpt = Annotated[
    int | None, typer.Option("--shot", help="Steer this one shot only (its id).")
]
FilmScopeOpt = Annotated[
    bool,
    typer.Option(
        "--film", help="Steer every shot of the film (a style reference; all shots change)."
    ),
]
"""Which shots a reference made from a frame steers (from-take, from-keyframe)."""


def _say_added(reference: Reference, label: str, revision: int) -> None:
    """What a reference made from a frame is and which shots it steers."""
    named = f" ({reference.name})" if reference.name else ""
    if reference.entity:
        steers = f"the shots of {reference.entity}"
    elif reference.shot is not None:
        steers = f"shot {reference.shot}"
    else:
        steers = "every shot of the film"
    echo(f"Added image reference {reference.handle}{named}: {label}; it steers {steers}")
    echo(f"(revision {revision}; undo with: storyreel undo)")


@ref_app.command("from-take")
def ref_from_take(
    shot_id: Annotated[int, typer.Argument(help="The shot.")],
    take: Annotated[int, typer.Argument(help="The take number.")],
    frame: Annotated[str, typer.Option(help="Which frame: last, first or a number.")] = "last",
    name: NameOpt = None,
    role: RoleOpt = None,
    entity: EntityScopeOpt = None,
    shot: ShotScopeOpt = None,
    film: FilmScopeOpt = False,
    project: ProjectOption = HERE,
) -> None:
    """Turn one frame of a take into an image reference, so a good take steers later ones.

    Say which shots it steers: --entity NAME, --shot ID or --film.
    Example: storyreel ref from-take 2 1 --frame last --entity Mara
    """
    from storyreel.tools.frame_refs import find_take, reference_from_take

    with opened(project) as opened_project:
        find_take(opened_project, shot_id, take)  # a missing take is said first
        _from_take_scope(entity, shot, film)
        role_value = parse_term(ReferenceRole, role).value if role else None
        edit, reference, label = reference_from_take(
            opened_project,
            shot_id,
            take,
            frame,
            name=name,
            role=role_value,
            entity=entity,
            shot=shot,
        )
        if edit is None:
            echo(f"That frame is already a reference: {reference.handle}")
            return
        batch = opened_project.memory.apply([edit], source="cli")
    _say_added(reference, label, batch.revision.id)


@ref_app.command("from-keyframe")
def ref_from_keyframe(
    shot_id: Annotated[int, typer.Argument(help="The shot.")],
    number: Annotated[
        int | None,
        typer.Argument(help="The still's number (default: the shot's picked still)."),
    ] = None,
    name: NameOpt = None,
    role: RoleOpt = None,
    entity: EntityScopeOpt = None,
    shot: ShotScopeOpt = None,
    film: FilmScopeOpt = False,
    project: ProjectOption = HERE,
) -> None:
    """Turn a candidate still (storyreel keyframes) into an image reference, so the look you
    picked steers later shots: a character's face, a location's set.

    Say which shots it steers: --entity NAME, --shot ID or --film.
    Example: storyreel ref from-keyframe 3 --entity Mara
    """
    from storyreel.tools.frame_refs import reference_from_keyframe

    with opened(project) as opened_project:
        _from_take_scope(entity, shot, film)
        role_value = parse_term(ReferenceRole, role).value if role else None
        edit, reference, label = reference_from_keyframe(
            opened_project, shot_id, number, name=name, role=role_value, entity=entity, shot=shot
        )
        if edit is None:
            echo(f"That still is already a reference: {reference.handle}")
            return
        batch = opened_project.memory.apply([edit], source="cli")
    _say_added(reference, label, batch.revision.id)
