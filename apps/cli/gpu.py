"""`storyreel backends`, `storyreel compare` and `storyreel dev tiny-models`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from storyreel.apps.cli.common import HERE, NoWaitOption, ProjectOption, new_group, opened
from storyreel.renderer.availability import backend_availability

dev_app = new_group("Developer tools: smoke-test the GPU path without real weights.")


def backends(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
) -> None:
    """List the renderers, what each can do, and whether it can run on this machine."""
    from storyreel.renderer.backend import backend_names
    from storyreel.tools.rendering import backend_capabilities

    rows = []
    for name in backend_names():
        try:
            caps = backend_capabilities(name)
        except (ImportError, AttributeError):
            caps = None
        rows.append(
            {
                "name": name,
                "capabilities": caps.model_dump() if caps else {},
                **backend_availability(name),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        caps = row["capabilities"]
        mark = "ready" if row["available"] else "not here"
        typer.echo(
            f"{row['name']:<10} {mark:<9} frames {caps.get('frame_rule', '?')}, fps "
            f"{caps.get('fps') or 'any'}, images {caps.get('max_reference_images', 0)}"
            f" - {row['why']}"
        )


def compare(
    shot_id: Annotated[int, typer.Argument(help="The shot to compare.")],
    backends_: Annotated[
        str,
        typer.Option("--backends", help="Comma-separated backends, each optionally :MODEL."),
    ] = "previz,wan",
    no_wait: NoWaitOption = False,
    project: ProjectOption = HERE,
) -> None:
    """Render one shot on several backends with identical inputs and compare them side by side.

    Writes exports/compare-shotID.mp4 (side by side) and .png (keyframes with the critic's
    verdicts). Pick the winner with: storyreel select ID TAKE.
    """
    from storyreel.apps.cli.progress import ProgressPrinter
    from storyreel.renderer.executor import RenderExecutor
    from storyreel.tools.compare import compare_shot, parse_specs

    printer = ProgressPrinter()
    with opened(project) as opened_project:
        result = compare_shot(
            opened_project,
            RenderExecutor(),
            shot_id,
            parse_specs(backends_),
            printer.progress,
            wait=not no_wait,
            on_wait=printer.waiting,
        )
    for contender in result.contenders:
        typer.echo(f"{contender.backend:<10} take {contender.take.number:<3} {contender.verdict}")
    typer.echo(f"side by side  {result.video}\ncomparison    {result.sheet}")
    typer.echo(f"Pick the winner with: storyreel select {shot_id} TAKE")


@dev_app.command("tiny-models")
def tiny_models(
    folder: Annotated[
        Path,
        typer.Argument(help="Where to write wan/, ltx/, cogvideox/ and cogvideox-i2v/."),
    ],
) -> None:
    """Build tiny random-weight Wan, LTX and CogVideoX pipelines (seconds on a CPU).

    Writes four folders: FOLDER/wan (Wan VACE: text, first frame, reference images),
    FOLDER/ltx (text and first frame), FOLDER/cogvideox (text) and FOLDER/cogvideox-i2v
    (CogVideoX's first-frame model, which the cogvideox backend finds next to
    FOLDER/cogvideox by its name). Each of wan, ltx and cogvideox is a valid --model
    for every request kind its backend supports, at every --resolution preset:
    storyreel render --backend wan --model FOLDER/wan. The pictures are noise; the point
    is to exercise the real loading and inference code without downloading weights.
    """
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    from storyreel.renderer.backend import GPU_BACKENDS, backend_class

    diffusers_logging.disable_progress_bar()  # a bar per saved shard says nothing here
    transformers_logging.disable_progress_bar()
    for name in GPU_BACKENDS:
        path = backend_class(name).build_tiny(folder / name)
        line = f"{name:<10} {path}"
        partner = path.with_name(f"{path.name}-i2v")  # a separate first-frame model
        if partner.is_dir():
            line += f" (first frame: {partner}, found next to it by name)"
        typer.echo(line)
