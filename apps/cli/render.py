"""`storyreel render`, `finalize`, `takes`, `select` and `export`: from plan to film."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from storyreel.apps.cli.common import (
    HERE,
    NoWaitOption,
    ProjectOption,
    apply_and_report,
    echo,
    opened,
)
from storyreel.tools.errors import InvalidInputError

if TYPE_CHECKING:  # numpy, PIL and OTIO load only when a command renders or exports
    from storyreel.apps.cli.progress import ProgressPrinter
    from storyreel.renderer.backend import Quality
    from storyreel.renderer.executor import RenderExecutor
    from storyreel.tools.project import Project
    from storyreel.tools.rendering import OutcomeListener, RenderReport, ShotOutcome

BackendOption = Annotated[
    str,
    typer.Option(
        "--backend", "-b", help="Renderer: previz (CPU animatic, always available) or a GPU model."
    ),
]


ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="The backend's model: a hub id or a local folder."),
]

ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Render on a Ray cluster: auto (the cluster started on this machine), "
        "HOST:6379, ray://HOST:10001, or local:N (N workers here). Default: [cluster] "
        "address in storyreel-gpu.toml; off renders in this process. Needs "
        'pip install "storyreel[cluster]".',
        show_default=False,
    ),
]


def cluster_executor(project: Project, address: str | None) -> RenderExecutor:
    """The executor for `--cluster` (or the project's [cluster] setting), joined at once so
    a cluster that cannot be reached is said before anything else; says how many workers."""
    from storyreel.tools.cluster import ClusterExecutor, executor_for

    executor = executor_for(project.root, address)
    if isinstance(executor, ClusterExecutor):
        try:
            executor.open()
        except BaseException:
            executor.close()
            raise
        echo(
            f"Rendering on {len(executor.workers)} cluster worker(s) at "
            f"{executor.settings.address}: {', '.join(executor.workers)}",
            err=True,
        )
    return executor


QualityOption = Annotated[
    str | None,
    typer.Option(
        "--quality",
        help="draft (the backend's smaller size and fewer steps, to choose takes cheaply) or "
        "final (the model card's settings). Default: draft on GPU backends (or [quality] "
        "default in storyreel-gpu.toml), final on previz, which has one tier.",
        show_default=False,
    ),
]


def check_quality(quality: str | None) -> None:
    """Refuse a --quality that is not a tier."""
    if quality is not None and quality not in ("draft", "final"):
        raise InvalidInputError(f"--quality must be draft or final, got {quality!r}")


def critiquing(
    project: Project,
    printer: ProgressPrinter,
    backend: str | None,
    model: str | None = None,
    options: dict[str, object] | None = None,
) -> OutcomeListener:
    """An outcome listener that prints each outcome, then critiques each new take at once.

    The critic runs as the agent's does (`review_take`: recorded on the take) and its
    verdict line follows the take's line, so a render that stops midway has checked
    every take it finished. Reused and up-to-date takes are not critiqued again. With
    `backend` None, the retake command names each take's own backend and model.
    """
    from storyreel.apps.cli.critique import retake_command, review_and_describe
    from storyreel.tools.rendering import backend_capabilities

    steps = options.get("steps") if options else None

    def on_outcome(outcome: ShotOutcome) -> None:
        printer.outcome(outcome)
        take = outcome.take
        if outcome.status not in ("rendered", "repaired") or take is None:
            return
        if printer.live:  # the critic takes a moment on long takes: say what is going on
            sys.stderr.write(f"\rcritic: checking shot {take.shot_id}, take {take.number}…")
            sys.stderr.flush()
        take_options = take.params.get("options")
        take_model = take_options.get("model") if isinstance(take_options, dict) else None
        retake = retake_command(
            take.shot_id,
            backend or take.backend,
            model if backend else (take_model if isinstance(take_model, str) else None),
            steps if isinstance(steps, int) else None,
        )
        capabilities = backend_capabilities(take.backend)
        if capabilities is not None and capabilities.draft is not None:
            retake += f" --quality {take.quality}"  # a new take of the same tier
        failed = ""
        try:
            _, lines = review_and_describe(project, project.memory.plan(), take, retake)
        except Exception as error:  # a critic that fails must not stop the render
            lines, failed = [], f"{type(error).__name__}: {error}"
        finally:
            if printer.live:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
        if failed:
            echo(
                f"critic: could not check shot {take.shot_id}, take {take.number} ({failed}); "
                f"the take is kept: check it later with storyreel critique {take.shot_id}",
                err=True,
            )
        for line in lines:
            echo(line)

    return on_outcome


def run_render(
    project: Project,
    ids: list[int] | None,
    backend: str,
    force: bool,
    executor: RenderExecutor | None = None,
    model: str | None = None,
    options: dict[str, object] | None = None,
    wait: bool = True,
    critique: bool = False,
    outcomes_to_stderr: bool = False,
    quality: Quality | None = None,
) -> RenderReport:
    """Render with progress on the terminal; Ctrl-C stops cleanly and keeps finished takes.

    When another storyreel is rendering the project, says so once and waits for it
    (with `wait` False: raises ProjectBusyError, nothing changed). With `critique`,
    each new take is critiqued as soon as it is rendered and its verdict printed. With
    `outcomes_to_stderr`, nothing goes to stdout (for commands that print JSON there).
    `quality` is the tier of the new takes (None: final, the model card's settings).
    """
    from storyreel.apps.cli.progress import ProgressPrinter
    from storyreel.renderer.availability import model_problem
    from storyreel.renderer.backend import backend_name
    from storyreel.renderer.executor import RenderExecutor
    from storyreel.tools.rendering import backend_capabilities, render_shots

    try:
        backend = backend_name(backend)  # a name or an alias ("animatic")
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
    executor = executor or RenderExecutor()
    problem = None if executor.remote else model_problem(backend, model, project.root)
    if problem is not None:  # said at once, from the disk: no download is tried
        raise InvalidInputError(problem)
    printer = ProgressPrinter(outcomes_to_stderr)
    on_outcome = printer.outcome
    if critique:
        on_outcome = critiquing(project, printer, backend, model, options)
    try:
        return render_shots(
            project,
            executor,
            ids,
            backend=backend,
            model=model,
            options=options,
            force=force,
            on_progress=printer.progress,
            on_outcome=on_outcome,
            wait=wait,
            on_wait=printer.waiting,
            quality=quality,
        )
    except KeyboardInterrupt:
        again = "storyreel render"
        if force:  # the same forced render continues where this one stopped
            again = " ".join(["storyreel render --force", *map(str, sorted(ids or []))])
            again += f" --backend {backend}" if backend != "previz" else ""
            again += f" --model {model}" if model else ""
            again += f" --steps {options['steps']}" if options and options.get("steps") else ""
            capabilities = backend_capabilities(backend)
            two_tiers = capabilities is not None and capabilities.draft is not None
            again += f" --quality {quality}" if quality and two_tiers else ""
        echo(
            f"\nStopped. Finished takes are kept and selected; run {again} again to continue.",
            err=True,
        )
        raise typer.Exit(130) from None


def render(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Shot ids to render (default: every shot that needs it)."),
    ] = None,
    backend: BackendOption = "previz",
    model: ModelOption = None,
    steps: Annotated[
        int | None,
        typer.Option(help="Denoising steps for diffusion backends (default: the model's)."),
    ] = None,
    quality: QualityOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Make a new take with a new seed even if one is up to date."),
    ] = False,
    no_wait: NoWaitOption = False,
    no_critique: Annotated[
        bool,
        typer.Option("--no-critique", help="Do not run the critic on the new takes."),
    ] = False,
    cluster: ClusterOption = None,
    project: ProjectOption = HERE,
) -> None:
    """Render shots that changed or have no take yet; locked shots are never rendered.

    Identical requests reuse their existing take; changing one shot re-renders
    that shot and the shots that continue from it, nothing else. The critic checks
    each new take as it is done and prints its verdict; a take it would retake
    stays selected and the exit code stays 0. One storyreel renders a story at a
    time: another one waits (or, with --no-wait, exits with 3). On a GPU backend new
    takes are drafts unless --quality final (storyreel finalize makes approved drafts
    final); a final take stays selected when a draft is asked for.
    """
    from storyreel.renderer.backend import backend_name
    from storyreel.tools.quality import default_quality

    check_quality(quality)
    with opened(project) as opened_project:
        options = {"steps": steps} if steps else None
        try:
            name = backend_name(backend)
        except ValueError as error:  # an unknown backend, said with the known ones
            raise InvalidInputError(str(error)) from error
        tier = cast("Quality", quality) if quality else default_quality(name, opened_project.root)
        executor = cluster_executor(opened_project, cluster)
        try:
            report = run_render(
                opened_project,
                ids or None,
                backend,
                force,
                executor=executor,
                model=model,
                options=options,
                wait=not no_wait,
                critique=not no_critique,
                quality=tier,
            )
        finally:
            executor.close()
    for note in report.notes:
        echo(f"note: {note}", err=True)
    rendered = report.rendered
    echo(
        f"{len(rendered)} shot(s) rendered, {len(report.with_status('reused'))} reused, "
        f"{len(report.with_status('up_to_date'))} up to date, "
        f"{len(report.with_status('locked'))} locked."
    )


def finalize(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Shot ids to finalize (default: every shot)."),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(help="Denoising steps of the finals (default: the model card's)."),
    ] = None,
    no_wait: NoWaitOption = False,
    no_critique: Annotated[
        bool,
        typer.Option("--no-critique", help="Do not run the critic on the final takes."),
    ] = False,
    cluster: ClusterOption = None,
    project: ProjectOption = HERE,
) -> None:
    """Render approved drafts again at final quality: same seed, first frame and references.

    An approved draft is a shot's selected take when it is a draft (storyreel render makes
    drafts on GPU backends; choose among them with storyreel select). Its final is made on
    the draft's backend and model, registered with the draft as its source and selected.
    A shot whose selected take is already final is said and left alone; a draft made
    before the shot last changed is skipped with what to do. Progress, the critic,
    --no-wait and Ctrl-C work as for render.
    """
    from storyreel.apps.cli.progress import ProgressPrinter
    from storyreel.tools.quality import finalize_shots

    with opened(project) as opened_project:
        executor = cluster_executor(opened_project, cluster)
        printer = ProgressPrinter()
        on_outcome = printer.outcome
        if not no_critique:
            options = {"steps": steps} if steps else None
            on_outcome = critiquing(opened_project, printer, None, options=options)
        try:
            report = finalize_shots(
                opened_project,
                executor,
                ids or None,
                steps=steps,
                on_progress=printer.progress,
                on_outcome=on_outcome,
                wait=not no_wait,
                on_wait=printer.waiting,
            )
        except KeyboardInterrupt:
            echo(
                "\nStopped. Finished finals are kept and selected; run storyreel finalize "
                "again to continue.",
                err=True,
            )
            raise typer.Exit(130) from None
        finally:
            executor.close()
    echo(
        f"{len(report.rendered)} shot(s) finalized, {len(report.with_status('reused'))} "
        f"reused, {len(report.with_status('already_final'))} already final, "
        f"{len(report.with_status('skipped'))} skipped, "
        f"{len(report.with_status('locked'))} locked."
    )


def takes(
    shot_id: Annotated[int, typer.Argument(help="The shot whose takes to list.")],
    project: ProjectOption = HERE,
) -> None:
    """List a shot's takes: number, backend, seed, length, file; * marks the selected one.

    A draft says "draft"; a final made from a draft says "final of take N"."""
    from storyreel.tools.edits import require_shot

    with opened(project) as opened_project:
        plan = opened_project.memory.plan()
        shot = require_shot(plan, shot_id)
        shot_takes = opened_project.memory.takes(shot_id)
    if not shot_takes:
        echo(f"shot {shot_id} has no takes yet: storyreel render {shot_id}")
        return
    for take in shot_takes:
        mark = "*" if take.number == shot.selected_take else " "
        seconds = take.frames / take.fps if take.fps else 0
        verdict = f"  {take.critique.verdict}" if take.critique else ""
        tier = "  draft" if take.quality == "draft" else ""
        tier += f"  final of take {take.source}" if take.source is not None else ""
        echo(
            f"{mark} take {take.number:<3} {take.backend:<8} seed {take.seed:<6} "
            f"{seconds:4.1f}s  {take.path}{tier}{verdict}"
        )


def select(
    shot_id: Annotated[int, typer.Argument(help="The shot.")],
    take: Annotated[int, typer.Argument(help="The take number to use in the cut.")],
    project: ProjectOption = HERE,
) -> None:
    """Choose which take of a shot goes into the cut (see: storyreel takes ID)."""
    from storyreel.tools.edits import SelectTake

    apply_and_report(project, [SelectTake(shot_id=shot_id, take=take)])


def export(
    cut: Annotated[Path | None, typer.Option(help="Write the final cut here (.mp4).")] = None,
    sheet: Annotated[
        Path | None, typer.Option(help="Write the storyboard contact sheet here (.png).")
    ] = None,
    otio: Annotated[
        Path | None, typer.Option(help="Write the OpenTimelineIO timeline here (.otio).")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print what was written, the length, stale shots and drafts as JSON."
        ),
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Export the final cut, the storyboard sheet and the editor timeline.

    With no option, all three go to the project's exports/ folder. When the cut has draft
    takes in it, a note says which shots are drafts (storyreel finalize makes them final).
    """
    from storyreel.tools.exports import export as export_files

    with opened(project) as opened_project:
        result = export_files(opened_project, cut=cut, sheet=sheet, otio=otio)
    if as_json:
        import json

        document = {
            "cut": str(result.cut) if result.cut else None,
            "storyboard": str(result.sheet) if result.sheet else None,
            "timeline": str(result.otio) if result.otio else None,
            "length_s": result.duration_s,
            "frames": result.frames,
            "stale": result.stale,
            "drafts": result.drafts,
            "mixed_tiers": bool(result.drafts) and len(result.drafts) < result.shots,
            "tier_note": result.tier_note,
        }
        typer.echo(json.dumps(document, indent=2))
        return
    for label, path in (
        ("cut", result.cut),
        ("storyboard", result.sheet),
        ("timeline", result.otio),
    ):
        if path is not None:
            echo(f"{label:<11} {path}")
    echo(f"length      {result.duration_s:g} s ({result.frames} frames)")
    if result.stale:
        ids = " ".join(map(str, result.stale))
        echo(
            f"note: shot(s) {ids} changed since their take was rendered; "
            f"run storyreel render to update them",
            err=True,
        )
    if result.tier_note:
        echo(f"note: {result.tier_note}", err=True)
