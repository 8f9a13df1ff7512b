"""`storyreel critique`: measured critique of takes, or of any video file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, opened
from storyreel.tools.edits import require_shot
from storyreel.tools.errors import InvalidInputError
from storyreel.tools.vocabulary import Movement, accepted_values, parse_term

if TYPE_CHECKING:
    from storyreel.tools.story import Critique


def critique_document(critique: Critique) -> dict[str, object]:
    """The JSON shape of a critique: metrics, findings (with frame ranges), verdict."""
    return {
        "metrics": critique.metrics,
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "message": f.message,
                "frames": [f.frame_start, f.frame_end] if f.frame_start is not None else None,
            }
            for f in critique.findings
        ],
        "verdict": critique.verdict,
    }


def _show(label: str, critique: Critique) -> None:
    typer.echo(f"{label}: {critique.verdict}")
    for finding in critique.findings:
        typer.echo(f"  [{finding.severity}] {finding.message}")


def critique(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Shots whose selected take to critique (default: all)."),
    ] = None,
    video: Annotated[
        Path | None, typer.Option(help="Critique this video file instead of the project's takes.")
    ] = None,
    movement: Annotated[
        str | None,
        typer.Option(help=f"With --video: the planned movement ({accepted_values(Movement)})."),
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="With --video: the planned length in seconds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
    project: ProjectOption = HERE,
) -> None:
    """Check takes against their plan: cuts, flashes, freezes, movement, length, continuity.

    Verdicts: accept, or retake when something is clearly broken. With --video, any
    mp4 is checked against the movement and duration you state.
    """
    from storyreel.tools.critic import Expectation, critique_video

    if video is not None:
        if not video.is_file():
            raise InvalidInputError(f"no video file at {video}")
        from storyreel.renderer.video_io import probe

        planned = parse_term(Movement, movement).value if movement else None
        try:
            fps = probe(video).fps
        except ValueError:
            fps = 0.0
        frames = round(duration * fps) if duration and fps else None
        result = critique_video(video, Expectation(planned, frames, fps or None, video.name))
        if as_json:
            typer.echo(json.dumps(critique_document(result)))
        else:
            _show(video.name, result)
        return
    from storyreel.tools.review import review_take

    with opened(project) as opened_project:
        plan = opened_project.memory.plan()
        shots = [require_shot(plan, i) for i in ids] if ids else plan.ordered_shots()
        for shot in shots:
            take = next(
                (t for t in opened_project.memory.takes(shot.id) if t.number == shot.selected_take),
                None,
            )
            if take is None:
                message = f"shot {shot.id} has no take yet: storyreel render {shot.id}"
                if as_json:
                    typer.echo(json.dumps({"shot": shot.id, "error": message}))
                else:
                    typer.echo(message)
                continue
            result = review_take(opened_project, plan, shot, take)
            if as_json:
                typer.echo(
                    json.dumps({"shot": shot.id, "take": take.number, **critique_document(result)})
                )
            else:
                _show(f"shot {shot.id} take {take.number}", result)
