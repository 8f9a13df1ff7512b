"""Quality tiers: draft and final takes, the default tier, finalizing drafts, and what the
export and the approval estimate say about tiers.

- A backend declares its tiers in its capabilities (`Capabilities.final` and `.draft`,
  renderer/backend.py): a draft is a smaller frame and fewer steps. A request is made a
  draft after the backend's rules snapped it (`rendering._Run.compiled`, `with_quality`),
  so a draft and a final of one shot are different requests with different hashes, and a
  take says its tier (`Take.quality`). previz has one tier: its takes are final.
- The default tier (`default_quality`): draft on a backend that has one, unless the
  project's storyreel-gpu.toml says `[quality] default = "final"`; final on previz.
  `storyreel render` and the agent use it when no tier is asked for.
- Approved drafts: the selected take of each shot, when it is a draft. `finalize_shots`
  renders each one again at final quality with the same backend, model, seed, references
  and first frame (the picked still, or the last frame of the shot it continues, whose
  final is rendered first: shots go in film order), registers the final with `source` =
  the draft's number and selects it.
- Costs (`tier_seconds`): a backend's `gpu_seconds_per_frame` is its final's; a draft
  costs `Capabilities.cost_of("draft")` of it (steps x pixels relative to final: an
  assumption, see `QualityTier`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storyreel.renderer.availability import model_problem
from storyreel.renderer.backend import Capabilities, Quality
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.gpu import load_settings, project_settings
from storyreel.renderer.request import CancelToken
from storyreel.tools.edits import require_shot
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.partial_files import remove_dead_partials
from storyreel.tools.project import Project
from storyreel.tools.render_lock import WaitListener
from storyreel.tools.rendering import (
    OutcomeListener,
    ProgressListener,
    RenderProgress,
    RenderReport,
    ShotOutcome,
    _check_required,
    _render_take,
    _Run,
    backend_capabilities,
    check_takes_writable,
    retake_hint_of,
    take_is_intact,
)
from storyreel.tools.story import Shot, Take

TIERS: tuple[Quality, ...] = ("draft", "final")


def default_quality(backend: str, project_root: Path | None = None) -> Quality:
    """The tier a render uses when none is asked for: "final" on a backend with one tier
    (previz), else `[quality] default` of the project's GPU settings, else "draft"."""
    capabilities = backend_capabilities(backend)
    if capabilities is None or capabilities.draft is None:
        return "final"
    try:
        settings = load_settings(project_root)
    except ValueError as error:  # a bad storyreel-gpu.toml: said before any work
        raise InvalidInputError(str(error)) from error
    return "final" if settings.quality.get("default") == "final" else "draft"


def tier_seconds(capabilities: Capabilities | None, frames: float) -> dict[Quality, float]:
    """Rough GPU seconds of `frames` frames at each tier (0 on a CPU backend such as
    previz): `gpu_seconds_per_frame` is the final's; a draft costs `cost_of("draft")` of it."""
    per_frame = capabilities.gpu_seconds_per_frame if capabilities else 0.0
    if capabilities is None:
        return dict.fromkeys(TIERS, 0.0)
    return {tier: per_frame * frames * capabilities.cost_of(tier) for tier in TIERS}


def duration_words(seconds: float) -> str:
    """GPU time as a person reads it: "40 seconds", "3 minutes"."""
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    return f"{seconds / 60:.0f} minutes"


def estimate_words(shots: int, seconds: dict[Quality, float], quality: Quality) -> str:
    """What a render will cost, per tier: "render 3 shot(s) as drafts, about 2 minutes of
    GPU time (about 24 minutes at final quality)". One figure when both tiers cost the same
    (previz, or a backend with one tier)."""
    draft, final = seconds["draft"], seconds["final"]
    if draft >= final:
        return f"render {shots} shot(s), about {duration_words(final)} of GPU time"
    if quality == "draft":
        return (
            f"render {shots} shot(s) as drafts, about {duration_words(draft)} of GPU time "
            f"(about {duration_words(final)} at final quality)"
        )
    return (
        f"render {shots} shot(s) at final quality, about {duration_words(final)} of GPU time "
        f"(about {duration_words(draft)} as drafts)"
    )


def tier_note(drafts: Sequence[int], shots: int) -> str | None:
    """What the export says when its cut has drafts in it (None when every take is final)."""
    if not drafts:
        return None
    ids = ", ".join(map(str, drafts))
    if len(drafts) < shots:
        which = f"shot {ids} is a draft" if len(drafts) == 1 else f"shots {ids} are drafts"
        return (
            f"the cut mixes draft and final takes: {which}; "
            "run storyreel finalize to render them at final quality"
        )
    return "every shot in the cut is a draft; run storyreel finalize for the final quality"


def _use(run: _Run, draft: Take, quality: Quality, steps: int | None = None) -> None:
    """Point `run` at the backend and model `draft` was rendered with, at `quality`: a draft
    with the draft's own steps (to compile the request it was made from), a final with
    `steps` (None: the backend's final steps)."""
    options = draft.params.get("options")
    options = options if isinstance(options, dict) else {}
    model = options.get("model")
    run.backend = draft.backend
    run.model = model if isinstance(model, str) and model else None
    settings: dict[str, object] = {"quality": quality}
    if quality == "draft" and options.get("steps"):
        settings["steps"] = options["steps"]
    if quality == "final" and steps:
        settings["steps"] = steps
    run.options = settings


def _approved_draft(run: _Run, shot: Shot) -> tuple[ShotOutcome | None, Take | None]:
    """The shot's approved draft (its selected take, a draft that still shows the shot),
    or the outcome that says why there is nothing to finalize."""
    current = run.selected(shot.id)
    if shot.locked:
        return ShotOutcome(shot.id, "locked", current, f"shot {shot.id} is locked"), None
    if current is None:
        message = (
            f"shot {shot.id} has no take yet: render a draft first (storyreel render {shot.id})"
        )
        return ShotOutcome(shot.id, "skipped", None, message), None
    if current.quality == "final":
        message = f"shot {shot.id} is already final (take {current.number})"
        return ShotOutcome(shot.id, "already_final", current, message), None
    _use(run, current, "draft")
    try:
        shows = run.shows(current, shot, run.compiled(shot, current.seed))
    except StoryreelError:  # the request cannot be compiled now (a missing first frame...)
        shows = False
    if not shows:
        command = f"storyreel render {shot.id} --backend {current.backend}"
        model = _model_of(current)
        command += f" --model {model}" if model else ""
        message = (
            f"shot {shot.id}: its draft (take {current.number}) no longer shows the shot, which "
            f"changed since: render a new draft ({command}), then finalize it"
        )
        return ShotOutcome(shot.id, "skipped", current, message), None
    return None, current


def _decide(run: _Run, targets: list[Shot]) -> tuple[list[tuple[Shot, Take]], list[ShotOutcome]]:
    """The approved drafts among `targets` and the outcomes of the others, from the story as
    it stands (before any final is rendered: a final changes the first frame of the shot
    that continues it, not whether that shot's draft was approved)."""
    todo: list[tuple[Shot, Take]] = []
    outcomes: list[ShotOutcome] = []
    for shot in targets:
        outcome, draft = _approved_draft(run, shot)
        if draft is not None:
            todo.append((shot, draft))
        elif outcome is not None:
            outcomes.append(outcome)
    return todo, outcomes


def finalize_shots(
    project: Project,
    executor: RenderExecutor,
    shot_ids: Sequence[int] | None = None,
    *,
    steps: int | None = None,
    on_progress: ProgressListener | None = None,
    on_outcome: OutcomeListener | None = None,
    cancel: CancelToken | None = None,
    source: str = "cli",
    wait: bool = True,
    on_wait: WaitListener | None = None,
) -> RenderReport:
    """Render each approved draft again at final quality and select the final.

    Args:
        project: the open project.
        executor: keeps backends warm between calls.
        shot_ids: only these shots (None: every shot, in film order).
        steps: denoising steps of the finals (None: the backend's final steps).
        on_progress, on_outcome, cancel, source, wait, on_wait: as for `render_shots`.

    A shot's approved draft is its selected take when that is a draft that still shows the
    shot. The final is rendered with the draft's backend, model, seed, retake hint and
    references, from the same first frame, registered with `source` = the draft's number
    and selected (in the run's one revision). A final identical to one already registered
    is reused. Shots whose selected take is final are "already_final"; shots without a
    take, or whose draft no longer shows them, are "skipped" (with what to do); locked shots
    are "locked". Nothing is rendered unless there is a draft to finalize.

    Raises:
        StoryreelError: an unknown shot id, unwritable takes.
        InvalidInputError: a draft's model is no longer on this machine (before any work).
        ProjectBusyError: `wait` is False and another process renders this project.
    """
    plan = project.memory.plan()
    wanted = {require_shot(plan, shot_id).id for shot_id in shot_ids} if shot_ids else None
    targets = [s for s in plan.ordered_shots() if wanted is None or s.id in wanted]
    run = _Run(project, plan=plan)
    run.source = source
    todo, outcomes = _decide(run, targets)
    for backend, model in {(draft.backend, _model_of(draft)) for _, draft in todo}:
        problem = model_problem(backend, model, project.root)
        if problem is not None:  # said at once, from the disk: nothing is downloaded
            raise InvalidInputError(f"{problem}; nothing was finalized")
    if todo:
        check_takes_writable(project)
    report = RenderReport()
    if not todo:  # nothing to render: no lock to wait for
        report.outcomes = outcomes
        for outcome in outcomes:
            if on_outcome is not None:
                on_outcome(outcome)
        return report
    with project.render_lock.holding(wait=wait, on_wait=on_wait, cancel=cancel):
        run.refresh()  # what another process rendered meanwhile
        ids = {shot.id for shot in targets}
        targets = [shot for shot in run.plan.ordered_shots() if shot.id in ids]
        todo, outcomes = _decide(run, targets)
        drafts = {shot.id: draft for shot, draft in todo}
        done = {outcome.shot_id: outcome for outcome in outcomes}
        remove_dead_partials(project.takes_dir)
        with project_settings(project.root):  # GPU backends read this project's config
            for index, shot in enumerate(targets, start=1):
                draft = drafts.get(shot.id)
                if draft is None:
                    outcome = _said_stale(done.get(shot.id), shot, report)
                else:
                    outcome = _finalize_one(
                        run, executor, shot, draft, index, len(targets), steps, on_progress,
                        cancel,
                    )  # fmt: skip
                if outcome is None:  # removed from the plan while this run waited
                    continue
                report.outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
    report.revision = run.revision
    return report


def _said_stale(
    outcome: ShotOutcome | None, shot: Shot, report: RenderReport
) -> ShotOutcome | None:
    """An "already final" outcome that also says when the shot's final no longer opens where
    the shot it continues ends, because that shot was finalized in this run (finalizing in
    film order, as `finalize` with no ids does, never leaves one behind)."""
    if outcome is None or outcome.status != "already_final" or outcome.take is None:
        return outcome
    if shot.continues_from not in report.with_status("rendered", "reused"):
        return outcome
    command = f"storyreel render {shot.id} --quality final --backend {outcome.take.backend}"
    model = _model_of(outcome.take)
    command += f" --model {model}" if model else ""
    message = (
        f"{outcome.message}, but it continues shot {shot.continues_from}, finalized now, and no "
        f"longer opens on its last frame: render it again ({command})"
    )
    return ShotOutcome(outcome.shot_id, outcome.status, outcome.take, message)


def _model_of(take: Take) -> str | None:
    options = take.params.get("options")
    model = options.get("model") if isinstance(options, dict) else None
    return model if isinstance(model, str) and model else None


def _finalize_one(
    run: _Run,
    executor: RenderExecutor,
    shot: Shot,
    draft: Take,
    index: int,
    count: int,
    steps: int | None,
    on_progress: ProgressListener | None,
    cancel: CancelToken | None,
) -> ShotOutcome:
    """Render (or reuse) the final of one approved draft and select it."""
    _use(run, draft, "final", steps)
    request = run.compiled(shot, draft.seed, hint=retake_hint_of(draft))
    _check_required(shot, request.request, run.backend)
    same = next(
        (
            t
            for t in run.takes.get(shot.id, [])
            if t.request_hash == request.request_hash and t.backend == run.backend
        ),
        None,
    )
    if same is not None and take_is_intact(run.project, same):
        run.choose(same)
        message = f"shot {shot.id}: reused final take {same.number} (identical request)"
        return ShotOutcome(shot.id, "reused", same, message)

    def progress(step: int, total: int, message: str) -> None:
        if on_progress is not None:
            on_progress(RenderProgress(shot.id, index, count, step, total, message))

    take = _render_take(
        run, executor, shot, request, run.backend, progress, cancel, same, source=draft.number
    )
    seconds = take.timings.get("render_s", 0.0)
    message = (
        f"shot {shot.id}: finalized draft take {draft.number} as take {take.number} "
        f"({run.backend}, {seconds:.1f} s)"
    )
    return ShotOutcome(shot.id, "rendered", take, message)
