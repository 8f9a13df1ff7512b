"""`storyreel music "DESCRIPTION"`: a generated music bed as the film's soundtrack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, echo, opened

DescriptionArg = Annotated[
    str, typer.Argument(help='What the music is like, e.g. "gentle piano, melancholic".')
]
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="A MusicGen model folder (e.g. from: hf download facebook/musicgen-small "
        "--local-dir DIR). Default: \\[music] model in storyreel-gpu.toml.",
        show_default=False,
    ),
]
SecondsOpt = Annotated[
    float | None,
    typer.Option(
        "--seconds",
        min=0.5,
        help="How long the music lasts (default: the film's length; at most 120).",
        show_default=False,
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Make the same music again (with the same model).")
]


def music(
    description: DescriptionArg,
    model: ModelOpt = None,
    seconds: SecondsOpt = None,
    seed: SeedOpt = None,
    project: ProjectOption = HERE,
) -> None:
    r"""Generate a music bed from a description and make it the film's soundtrack.

    MusicGen (transformers) makes a WAV from a model folder on this machine;
    nothing is downloaded. The folder is --model, else the setting
    \[music] model = "FOLDER" in the project's storyreel-gpu.toml.

    The bed lasts the film's length unless --seconds says otherwise (at most
    120 s), replaces any earlier film-wide soundtrack (storyreel undo brings
    it back) and lies under the whole cut, ducked under the spoken lines;
    the timeline (.otio) shows it on its music track.

    Get weights once (about 2 GB) with:
    hf download facebook/musicgen-small --local-dir ~/models/musicgen-small

    Example: storyreel music "gentle piano, melancholic"
    --model ~/models/musicgen-small
    """
    from storyreel.tools.music import add_music_bed

    with opened(project) as opened_project:
        length = f"{seconds:g} s" if seconds else "as long as the film"
        echo(f"Generating music ({length}): {description}")
        edits, reference, bed, replaced = add_music_bed(
            opened_project, description, model=model, seconds=seconds, seed=seed
        )
        batch = opened_project.memory.apply(edits, source="cli") if edits else None
    label = f" ({reference.name})" if reference.name else ""
    echo(
        f"Made {bed.seconds:.1f} s of music in {bed.generation_s:.1f} s with {bed.model.name}: "
        f"{reference.handle}{label} is the film's soundtrack"
    )
    if replaced:
        echo(f"It replaces {', '.join(r.handle for r in replaced)} as the film's soundtrack")
    if batch is not None:
        echo(f"(revision {batch.revision.id}; undo with: storyreel undo)")
    echo("Hear it under the cut with: storyreel export")
