"""`storyreel keyframes ...`: candidate stills of shots, and the one that opens each shot.

`storyreel keyframes [IDS]` is `storyreel keyframes make [IDS]`: a first word that is not
a sub-command (a shot id, an option, nothing) runs `make`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from storyreel.apps.cli.common import (
    HERE,
    FriendlyGroup,
    NoWaitOption,
    ProjectOption,
    echo,
    opened,
)

if TYPE_CHECKING:  # numpy, PIL and the compiler load when a command uses them
    from storyreel.tools.keyframes import KeyframesReport, ShotStills
    from storyreel.tools.project import Project
    from storyreel.tools.story import Shot


class KeyframesGroup(FriendlyGroup):
    """`storyreel keyframes`: runs `make` unless a word names another sub-command; options
    before the sub-command's name are its own (`storyreel keyframes -p DIR pick 2 3`)."""

    default_command = "make"

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args and args[0] in ("--help", "-h"):
            return super().parse_args(ctx, args)
        named = next((i for i, arg in enumerate(args) if arg in self.commands), None)
        if named is None:
            args = [self.default_command, *args]
        elif all(
            arg.startswith("-") or (i and args[i - 1].startswith("-"))
            for i, arg in enumerate(args[:named])
        ):
            args = [args[named], *args[:named], *args[named + 1 :]]
        return super().parse_args(ctx, args)


keyframes_app = typer.Typer(
    cls=KeyframesGroup,
    help=(
        "Candidate stills of shots, to see and pick before any motion is rendered.\n\n"
        "storyreel keyframes [IDS] draws them (the same as keyframes make); storyreel "
        "keyframes pick SHOT N opens the shot on still N: its render then starts from it."
    ),
    no_args_is_help=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

IdsArg = Annotated[
    list[int] | None,
    typer.Argument(
        help="Shot ids (default: every shot without a fresh still, except locked shots and "
        "shots that continue from another)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@keyframes_app.command("make")
def make(
    ids: IdsArg = None,
    count: Annotated[
        int, typer.Option("--count", "-n", help="Candidates per shot, 1-12, each its own seed.")
    ] = 4,
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            "-b",
            help="The backend that draws the stills: previz (CPU animatic), wan or ltx (one "
            "frame of their own model); cogvideox through the [keyframes] text-to-image model of "
            "storyreel-gpu.toml.",
        ),
    ] = "previz",
    sheet: Annotated[
        Path | None,
        typer.Option(
            help="Write the candidates sheet here (.png; default exports/keyframes-shotN.png "
            "for one shot, exports/keyframes.png for several)."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="The backend's model, as for render: a hub id or a local folder."
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Denoising steps of a diffusion backend's stills (default: the model's, or "
            "[keyframes] steps in storyreel-gpu.toml); previz ignores it.",
        ),
    ] = None,
    as_json: JsonOption = False,
    no_wait: NoWaitOption = False,
    project: ProjectOption = HERE,
) -> None:
    """Draw candidate stills of shots, each with its own seed, and a candidates sheet.

    A still is drawn from the same compiled request as the shot's video (the bible's text,
    references and look). One line per still as it is made; the sheet shows each shot's
    candidates with their numbers. Pick one with: storyreel keyframes pick SHOT N.
    Example: storyreel keyframes 3 --count 4
    """
    from storyreel.renderer.executor import RenderExecutor
    from storyreel.tools.keyframes import ShotCandidates, StillOutcome, make_keyframes

    def on_still(outcome: StillOutcome) -> None:
        echo(outcome.message, err=as_json)

    def on_shot(drawn: ShotCandidates) -> None:
        for note in drawn.notes:
            echo(note, err=as_json)

    def on_wait(line: str) -> None:
        echo(line, err=True)

    with opened(project) as opened_project:
        try:
            report = make_keyframes(
                opened_project,
                RenderExecutor(),
                ids or None,
                count=count,
                backend=backend,
                on_still=on_still,
                on_shot=on_shot,
                wait=not no_wait,
                on_wait=on_wait,
                sheet=sheet,
                model=model,
                steps=steps,
            )
        except KeyboardInterrupt:
            echo("\nStopped. The stills drawn so far are kept.", err=True)
            raise typer.Exit(130) from None
        if as_json:
            typer.echo(json.dumps(_report_document(opened_project, report), indent=2))
            return
    _print_report(report)


def _report_document(project: Project, report: KeyframesReport) -> dict[str, Any]:
    sheet = report.sheet
    return {
        "backend": report.backend,
        "shots": [
            {
                "shot": drawn.shot_id,
                "stills": [
                    {"number": k.number, "seed": k.seed, "path": k.path, "sha256": k.sha256}
                    for k in drawn.stills
                ],
                "notes": drawn.notes,
            }
            for drawn in report.shots
        ],
        "skipped": [{"shot": shot_id, "why": why} for shot_id, why in report.skipped],
        "sheet": None
        if sheet is None
        else {
            "path": str(sheet.path),
            "width": sheet.size[0],
            "height": sheet.size[1],
            "panels": [
                {"shot": panel.shot_id, "number": panel.number, "box": list(panel.box)}
                for panel in sheet.panels
            ],
        },
    }


def _print_report(report: KeyframesReport) -> None:
    for shot_id, why in report.skipped:
        echo(f"shot {shot_id} left alone: {why}")
    if report.sheet is None:
        if not report.shots:
            echo(
                "No shot needed stills. Draw more for one shot with: storyreel keyframes ID; "
                "see them with: storyreel keyframes list"
            )
        return
    echo(f"Candidates sheet: {report.sheet.path}")
    for drawn in report.shots:
        if drawn.stills:
            numbers = ", ".join(str(k.number) for k in drawn.stills)
            echo(f"Pick one: storyreel keyframes pick {drawn.shot_id} N (stills: {numbers})")


@keyframes_app.command("pick")
def pick(
    shot_id: Annotated[int, typer.Argument(help="The shot.")],
    number: Annotated[int, typer.Argument(help="The still's number (see the sheet).")],
    project: ProjectOption = HERE,
) -> None:
    """Open a shot on one of its candidate stills: its render then starts from that picture
    and the critic checks that the take opens on it. An undoable change (storyreel undo).

    Example: storyreel keyframes pick 3 2
    """
    from storyreel.tools.edits import PickKeyframe

    with opened(project) as opened_project:
        batch = opened_project.memory.apply(
            [PickKeyframe(shot_id=shot_id, number=number)], source="cli"
        )
        plan = opened_project.memory.plan()
        shot = plan.find_shot(shot_id)
        stale = False
        if shot is not None:
            from storyreel.tools.keyframes import shot_stills

            stale = shot_stills(opened_project, plan, [shot])[shot.id].stale
    for line in batch.lines:
        echo(line)
    typer.echo(f"(revision {batch.revision.id}; undo with: storyreel undo)")
    if stale:
        echo(
            f"note: still {number} was drawn before shot {shot_id} last changed; fresh ones: "
            f"storyreel keyframes {shot_id}",
            err=True,
        )
    echo(f"Next: storyreel render {shot_id} (its video starts from still {number})")


@keyframes_app.command("unpick")
def unpick(
    shot_id: Annotated[int, typer.Argument(help="The shot.")],
    project: ProjectOption = HERE,
) -> None:
    """Clear a shot's picked still: its render starts fresh again (storyreel undo brings
    the pick back)."""
    from storyreel.apps.cli.common import apply_and_report
    from storyreel.tools.edits import PickKeyframe

    apply_and_report(project, [PickKeyframe(shot_id=shot_id, number=None)])


@keyframes_app.command("list")
def list_stills(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Shot ids (default: every shot that has stills or a pick)."),
    ] = None,
    as_json: JsonOption = False,
    project: ProjectOption = HERE,
) -> None:
    """List shots' candidate stills: number, backend, seed, file; * marks the picked one,
    "stale" the ones drawn before the shot last changed. Draws nothing."""
    from storyreel.tools.edits import require_shot
    from storyreel.tools.keyframes import shot_stills

    with opened(project) as opened_project:
        plan = opened_project.memory.plan()
        shots = [require_shot(plan, shot_id) for shot_id in ids] if ids else None
        states = shot_stills(opened_project, plan, shots)
    ordered = [shot for shot in plan.ordered_shots() if shot.id in states]
    if as_json:
        document = {
            "shots": [
                {
                    "shot": shot.id,
                    "picked": shot.keyframe,
                    "stale": states[shot.id].stale,
                    "used": shot.continues_from is None,
                    "stills": [
                        {
                            "number": k.number,
                            "backend": k.backend,
                            "seed": k.seed,
                            "path": k.path,
                            "fresh": k.number in states[shot.id].fresh,
                        }
                        for k in states[shot.id].stills
                    ],
                }
                for shot in ordered
            ]
        }
        typer.echo(json.dumps(document, indent=2))
        return
    if not ordered:
        echo("No stills yet: storyreel keyframes draws them for every shot that needs them.")
    for shot in ordered:
        _print_shot(shot, states[shot.id])


def _print_shot(shot: Shot, state: ShotStills) -> None:
    head = f"shot {shot.id}"
    if shot.keyframe is not None:
        head += f": still {shot.keyframe} picked"
        if shot.continues_from is not None:
            head += f" (not used: the shot continues from shot {shot.continues_from})"
        elif state.missing_pick:
            head += " (not registered: draw fresh ones and pick again)"
        elif state.stale:
            head += f" (stale: the shot changed since; fresh ones: storyreel keyframes {shot.id})"
    echo(head)
    if not state.stills:
        echo(f"  no stills yet: storyreel keyframes {shot.id}")
    for still in state.stills:
        mark = "*" if still.number == shot.keyframe else " "
        stale = "" if still.number in state.fresh else "  stale"
        echo(
            f"{mark} still {still.number:<3} {still.backend:<8} seed {still.seed:<6} "
            f"{still.path}{stale}"
        )
