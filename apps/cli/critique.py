"""`storyreel critique`: measured critique of takes, or of any video file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, echo, opened
from storyreel.tools.errors import InvalidInputError
from storyreel.tools.vocabulary import Movement, accepted_values, parse_term

if TYPE_CHECKING:
    from storyreel.tools.project import Project
    from storyreel.tools.story import Critique, StoryPlan, Take


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


def take_label(shot_id: int, number: int) -> str:
    """How a take is named in a verdict line: "Shot 3, take 2" (the agent's words)."""
    return f"Shot {shot_id}, take {number}"


def retake_command(
    shot_id: int, backend: str = "previz", model: str | None = None, steps: int | None = None
) -> str:
    """The command that makes a new take of a shot with a new seed, on the same renderer."""
    command = f"storyreel render {shot_id} --force"
    command += f" --backend {backend}" if backend != "previz" else ""
    command += f" --model {model}" if model else ""
    command += f" --steps {steps}" if steps else ""
    return command


def verdict_lines(label: str, critique: Critique, retake: str | None = None) -> list[str]:
    """The critic's verdict in the words the agent uses, then its other findings.

    The first line is "<label>: looks right." or "<label>: needs a retake." followed by
    the error messages; warnings and notes follow, indented. With `retake` (a command,
    see `retake_command`), a take to retake also gets a line saying how to act.
    """
    from storyreel.tools.critic import verdict_sentence

    lines = [verdict_sentence(label, critique)]
    lines += [f"  [{f.severity}] {f.message}" for f in critique.findings if f.severity != "error"]
    if critique.verdict != "accept" and retake:
        lines.append(f"  For a new take with a new seed: {retake}; or keep this one as it is.")
    return lines


def review_and_describe(
    project: Project, plan: StoryPlan, take: Take, retake: str | None = None
) -> tuple[Critique, list[str]]:
    """Critique a take of the project as the agent does (recorded on the take); return the
    critique and its verdict lines (see `verdict_lines`)."""
    from storyreel.tools.edits import require_shot
    from storyreel.tools.review import review_take

    shot = require_shot(plan, take.shot_id)
    result = review_take(project, plan, shot, take)
    return result, verdict_lines(take_label(take.shot_id, take.number), result, retake)


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
    from storyreel.tools.edits import require_shot

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
        else:  # a file, not a take: the bare verdict and every finding, as before
            echo(f"{video.name}: {result.verdict}")
            for finding in result.findings:
                echo(f"  [{finding.severity}] {finding.message}")
        return
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
            retake = retake_command(shot.id, take.backend)  # Take.model holds no model id
            result, lines = review_and_describe(opened_project, plan, take, retake)
            if as_json:
                typer.echo(
                    json.dumps({"shot": shot.id, "take": take.number, **critique_document(result)})
                )
            else:
                for line in lines:
                    echo(line)
