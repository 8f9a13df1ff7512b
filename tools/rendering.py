"""Render bookkeeping: which shots need a take, rendering them, and registering takes.

Rules (the promises a user tests):
- A shot needs rendering when its selected take does not show its current
  request (content hash, seed excluded), or the take file is missing/damaged.
- Locked shots are never rendered.
- A request identical to an existing take (same hash, seed included) reuses
  that take instead of rendering again.
- Changing one shot re-renders that shot and the shots whose request depends
  on it (`continues_from` makes the previous take's last frame part of the
  request), nothing else.
- A take is registered only after its file is complete: a render that is
  interrupted leaves no half-written take, and the next run continues.
- One render run is one revision (the takes it selected); takes themselves
  are never undone.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from storyreel.renderer.backend import Backend, Capabilities, backend_factory
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.gpu import project_settings
from storyreel.renderer.request import CancelToken, RenderRequest, file_digest
from storyreel.renderer.video_io import VideoWriter, read_frames
from storyreel.tools.compiler import compile_request, hinted_prompt
from storyreel.tools.edits import SelectTake, require_shot
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.memory import RENDER_SUFFIX
from storyreel.tools.project import Project
from storyreel.tools.story import Revision, Shot, StoryPlan, Take

Status = Literal["rendered", "reused", "up_to_date", "locked", "repaired"]


@dataclass(frozen=True)
class RenderProgress:
    """Progress of one shot inside a render run."""

    shot_id: int
    index: int
    count: int
    step: int
    total: int
    message: str


@dataclass(frozen=True)
class ShotOutcome:
    """What happened to one shot in a render run."""

    shot_id: int
    status: Status
    take: Take | None
    message: str


@dataclass
class RenderReport:
    """Everything a render run did, in film order."""

    outcomes: list[ShotOutcome] = field(default_factory=list)
    revision: Revision | None = None

    def with_status(self, *statuses: Status) -> list[int]:
        return [o.shot_id for o in self.outcomes if o.status in statuses]

    @property
    def rendered(self) -> list[int]:
        """Shots that got a newly rendered file in this run."""
        return self.with_status("rendered", "repaired")


ProgressListener = Callable[[RenderProgress], None]
OutcomeListener = Callable[[ShotOutcome], None]


def base_seed(shot: Shot) -> int:
    """The seed of a shot's first take: its id, so renders are reproducible."""
    return shot.id


def take_file(project: Project, take: Take) -> Path:
    return project.root / take.path


def keyframe_path(project: Project, take: Take) -> Path:
    """The middle frame of a take as PNG (made when the take is rendered)."""
    return take_file(project, take).with_suffix(".key.png")


def last_frame_path(project: Project, take: Take) -> Path:
    """The last frame of a take as PNG: the first frame of a shot that continues it."""
    return take_file(project, take).with_suffix(".last.png")


def take_is_intact(project: Project, take: Take) -> bool:
    """True when the take's file exists and still has the bytes it was rendered with."""
    return file_digest(take_file(project, take)) == take.file_sha256


def ensure_stills(project: Project, take: Take) -> None:
    """Re-create a take's keyframe and last-frame PNGs from its video if they are missing."""
    key, last = keyframe_path(project, take), last_frame_path(project, take)
    if key.is_file() and last.is_file():
        return
    frames = list(read_frames(take_file(project, take)))
    _save_png(frames[len(frames) // 2], key)
    _save_png(frames[-1], last)


def _save_png(frame: np.ndarray, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    Image.fromarray(frame).save(temporary, format="PNG")
    os.replace(temporary, path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def backend_capabilities(name: str) -> Capabilities | None:
    """The declared capabilities of a registered backend (None if unknown)."""
    try:
        factory = backend_factory(name)
    except ValueError:
        return None
    declared = getattr(factory, "capabilities", None)
    return declared if isinstance(declared, Capabilities) else backend_instance(name).capabilities


@functools.cache
def backend_instance(name: str) -> Backend:
    """An unloaded instance of a backend, for its `adapt` rules (no weights are loaded)."""
    return backend_factory(name)()


class _Run:
    """State of one render run: the plan, the takes and the selection so far."""

    def __init__(
        self,
        project: Project,
        backend: str = "previz",
        model: str | None = None,
        options: dict[str, object] | None = None,
        hints: dict[int, str] | None = None,
    ) -> None:
        self.backend = backend
        self.model = model
        self.options = dict(options or {})
        self.hints = dict(hints or {})
        self.project = project
        self.plan: StoryPlan = project.memory.plan()
        self.takes: dict[int, list[Take]] = project.memory.takes_by_shot()
        self.selection = {shot.id: shot.selected_take for shot in self.plan.shots}

    def selected(self, shot_id: int) -> Take | None:
        number = self.selection.get(shot_id)
        return next((t for t in self.takes.get(shot_id, []) if t.number == number), None)

    def first_frame_of(self, shot_id: int) -> Path | None:
        take = self.selected(shot_id)
        if take is None or not take_is_intact(self.project, take):
            return None
        ensure_stills(self.project, take)
        return last_frame_path(self.project, take)

    def compile(
        self, shot: Shot, seed: int, backend: str | None = None, model: str | None = None
    ) -> RenderRequest:
        """The request for `shot`, adapted to the backend's rules (frames, size, fps)."""
        name = backend or self.backend
        request = compile_request(
            self.plan,
            shot,
            seed=seed,
            project_root=self.project.root,
            first_frame_of=self.first_frame_of,
            capabilities=backend_capabilities(name),
        )
        model = model if backend else self.model
        if model:
            request.options["model"] = model
        if name == self.backend:
            request.options.update(self.options)
        if shot.id in self.hints:
            request.prompt = hinted_prompt(request.prompt, shot, self.hints[shot.id])
            request.options["retake_hint"] = self.hints[shot.id]
        adapt = getattr(backend_instance(name), "adapt", None)
        if adapt is not None:
            request, warnings = adapt(request)
            request.options["adapted"] = warnings
        return request

    def remember(self, take: Take) -> None:
        shot_takes = self.takes.setdefault(take.shot_id, [])
        shot_takes[:] = [t for t in shot_takes if t.number != take.number] + [take]
        self.selection[take.shot_id] = take.number


def render_shots(
    project: Project,
    executor: RenderExecutor,
    shot_ids: Sequence[int] | None = None,
    *,
    backend: str = "previz",
    model: str | None = None,
    force: bool = False,
    on_progress: ProgressListener | None = None,
    on_outcome: OutcomeListener | None = None,
    cancel: CancelToken | None = None,
    source: str = "cli",
    seed: int | None = None,
    select: bool = True,
    options: dict[str, object] | None = None,
    hints: dict[int, str] | None = None,
) -> RenderReport:
    """Render the shots that need it and select their new takes.

    Args:
        project: the open project.
        executor: keeps backends warm between calls.
        shot_ids: only these shots (None: every shot in film order).
        backend: the registered backend name ("previz" renders on any CPU).
        model: the backend's model (hub id or folder); None uses its configured default.
        force: make a new take with a new seed even when one is up to date
            (locked shots are still never rendered).
        on_progress: called with frame progress of the shot being rendered.
        on_outcome: called once per shot as soon as it is done.
        cancel: set it to stop; the shot in progress is dropped, finished takes stay.
        source: recorded on the revision ("cli", "agent", ...).
        seed: with `force`, use this seed (comparisons use one seed on every backend).
        select: select the new takes (False leaves the selection as it is).
        options: backend settings added to every request, e.g. {"steps": 20}.
        hints: per shot, a retake hint for the prompt ("move" or "still", see
            compiler.hinted_prompt) when the critic found the camera wrong.

    Returns:
        A report of every shot's outcome and the revision that selected the new takes.

    Raises:
        StoryreelError: an unknown shot id, or a shot that continues from a shot
            without a take that is not rendered in this run.
    """
    run = _Run(project, backend, model, options, hints)
    if shot_ids is None:
        targets = run.plan.ordered_shots()
    else:
        wanted = {require_shot(run.plan, shot_id).id for shot_id in shot_ids}
        targets = [shot for shot in run.plan.ordered_shots() if shot.id in wanted]
    _remove_stale_partials(project.takes_dir)
    report = RenderReport()
    try:
        with project_settings(project.root):  # GPU backends read this project's config
            for index, shot in enumerate(targets, start=1):
                outcome = _render_one(
                    run, executor, shot, index, len(targets), backend, force, on_progress,
                    cancel, seed,
                )  # fmt: skip
                report.outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
    finally:
        if select:
            report.revision = _select_new_takes(run, report, source)
    return report


def _check_required(shot: Shot, request: RenderRequest, backend: str) -> None:
    """Refuse a shot whose continuity the backend cannot honour (rather than drop it silently)."""
    capabilities = backend_capabilities(backend)
    if capabilities is None or request.first_frame is None or capabilities.image_to_video:
        return
    raise InvalidInputError(
        f"shot {shot.id} opens on the last frame of shot {shot.continues_from}, and {backend} "
        "cannot start from a picture; render it with previz, wan or ltx, or clear its "
        f"continues-from (storyreel shot update {shot.id} --no-continues-from)"
    )


def _render_one(
    run: _Run,
    executor: RenderExecutor,
    shot: Shot,
    index: int,
    count: int,
    backend: str,
    force: bool,
    on_progress: ProgressListener | None,
    cancel: CancelToken | None,
    seed: int | None = None,
) -> ShotOutcome:
    project = run.project
    if shot.locked:
        return ShotOutcome(shot.id, "locked", run.selected(shot.id), f"shot {shot.id} is locked")
    request = run.compile(shot, base_seed(shot))
    _check_required(shot, request, backend)
    shot_takes = run.takes.get(shot.id, [])
    repair: Take | None = None
    if force:
        if seed is None:
            seed = max([t.seed for t in shot_takes] + [base_seed(shot)]) + 1
        request = run.compile(shot, seed)
    else:
        current = run.selected(shot.id)
        if (
            current is not None
            and current.content_hash == request.content_hash()
            and take_is_intact(project, current)
        ):
            message = f"shot {shot.id} is up to date (take {current.number})"
            return ShotOutcome(shot.id, "up_to_date", current, message)
        same = next((t for t in shot_takes if t.request_hash == request.request_hash()), None)
        if same is not None and take_is_intact(project, same):
            run.remember(same)
            message = f"shot {shot.id}: reused take {same.number} (identical request)"
            return ShotOutcome(shot.id, "reused", same, message)
        repair = same

    def progress(step: int, total: int, message: str) -> None:
        if on_progress is not None:
            on_progress(RenderProgress(shot.id, index, count, step, total, message))

    take = _render_take(run, executor, shot, request, backend, progress, cancel, repair)
    run.remember(take)
    if repair is not None:
        return ShotOutcome(
            shot.id,
            "repaired",
            take,
            f"shot {shot.id}: take {take.number} was damaged on disk and has been rendered again",
        )
    seconds = take.timings.get("render_s", 0.0)
    message = f"shot {shot.id}: rendered take {take.number} ({backend}, {seconds:.1f} s)"
    left_out = request.options.get("references_left_out") or []
    if left_out:
        message += "; left out " + ", ".join(left_out)
    for warning in request.options.get("adapted") or []:
        message += f"; {warning}"
    return ShotOutcome(shot.id, "rendered", take, message)


def _render_take(
    run: _Run,
    executor: RenderExecutor,
    shot: Shot,
    request: RenderRequest,
    backend: str,
    progress: Callable[[int, int, str], None],
    cancel: CancelToken | None,
    repair: Take | None,
) -> Take:
    """Render `request` to a complete file, then register (or repair) the take."""
    project = run.project
    request_hash = request.request_hash()
    relative = f"media/takes/{request_hash[:24]}.mp4"
    final = project.root / relative
    partial = final.with_name(f".{final.stem}.partial.mp4")
    started = time.perf_counter()
    frames = executor.stream(backend, request, progress, cancel)
    kept: list[np.ndarray] = []
    last: np.ndarray | None = None
    written = 0
    try:
        audio = Path(request.audio) if request.audio else None
        with VideoWriter(
            partial,
            request.width,
            request.height,
            request.fps,
            audio,
            duration_s=request.frames / request.fps,
        ) as writer:
            for frame in frames:
                writer.write(frame)
                written += 1
                if written == request.frames // 2 + 1:
                    kept.append(frame.copy())
                last = frame
            if last is None:
                raise RuntimeError(f"backend {backend!r} returned no frames for shot {shot.id}")
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    number = repair.number if repair else project.memory.next_take_number(shot.id)
    take = Take(
        shot_id=shot.id,
        number=number,
        backend=backend,
        model=executor.backend(backend).name,
        seed=request.seed,
        prompt=request.prompt,
        request_hash=request_hash,
        content_hash=request.content_hash(),
        path=relative,
        file_sha256=file_digest(final),
        frames=written,
        fps=request.fps,
        params=request.model_dump(mode="json"),
        timings={"render_s": round(time.perf_counter() - started, 3)},
        created_at=_now(),
    )
    _save_png(kept[0] if kept else last, keyframe_path(project, take))
    _save_png(last, last_frame_path(project, take))
    if repair is not None:
        project.memory.replace_take_file(shot.id, number, take.file_sha256)
        return repair.model_copy(update={"file_sha256": take.file_sha256})
    return project.memory.add_take(take)


def _select_new_takes(run: _Run, report: RenderReport, source: str) -> Revision | None:
    """Select, in one revision, the takes this run made or chose."""
    plan = run.project.memory.plan()
    edits = []
    for shot in plan.ordered_shots():
        wanted = run.selection.get(shot.id)
        if wanted is not None and wanted != shot.selected_take and not shot.locked:
            edits.append(SelectTake(shot_id=shot.id, take=wanted))
    if not edits:
        return None
    rendered = report.rendered
    what = f"Rendered shot(s) {', '.join(map(str, rendered))}" if rendered else "Chose takes"
    batch = run.project.memory.apply(edits, source=f"{source}{RENDER_SUFFIX}", description=what)
    return batch.revision


def _remove_stale_partials(folder: Path, older_than_s: float = 600.0) -> None:
    """Delete half-written take files left by a render that was killed."""
    now = time.time()
    for path in folder.glob(".*.partial*"):
        if now - path.stat().st_mtime > older_than_s:
            path.unlink(missing_ok=True)


def takes_needing_render(project: Project, shots: Iterable[Shot]) -> list[int]:
    """Ids of unlocked shots whose selected take is missing, outdated or damaged.

    Shots that continue from a shot that itself needs rendering count too.
    """
    run = _Run(project)
    needing: list[int] = []
    for shot in shots:
        if shot.locked:
            continue
        if shot.continues_from in needing:
            needing.append(shot.id)
            continue
        current = run.selected(shot.id)
        try:
            backend = current.backend if current else None
            model = current.params.get("options", {}).get("model") if current else None
            request = run.compile(shot, base_seed(shot), backend, model)
        except StoryreelError:
            needing.append(shot.id)
            continue
        if (
            current is None
            or current.content_hash != request.content_hash()
            or not take_is_intact(project, current)
        ):
            needing.append(shot.id)
    return needing
