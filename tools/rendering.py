"""Render bookkeeping: which shots need a take, rendering them, and registering takes.

Rules (the promises a user tests):
- A shot needs rendering when its selected take does not show its current
  request (content hash, seed excluded), or the take file is missing/damaged.
  A retake the critic asked for was rendered with a retake hint in its prompt;
  it shows the current request when its content matches the request with that
  same hint, so the retake the person was told about stays selected until the
  shot's plan (or anything else its request reads) changes.
- Locked shots are never rendered.
- A request identical to an existing take (same hash, seed included) reuses
  that take instead of rendering again.
- Changing one shot re-renders that shot and the shots whose request depends
  on it (`continues_from` makes the previous take's last frame part of the
  request), nothing else. A picked still (`storyreel keyframes pick`) is the
  first frame of its shot, so picking another one re-renders the shot.
- A take is registered only after its file is complete: a render that is
  interrupted leaves no half-written take, and the next run continues.
- Each take is selected as it is registered, in the run's one revision (which
  grows as takes finish); takes themselves are never undone.
- One process renders a project at a time (`tools.render_lock`): a run takes the
  project's render lock before its first render (at once with `force` or
  `wait=False`), then reads the takes again, so a request another process just
  rendered is reused, never rendered or registered twice. Partial files are
  unique per process; an intact registered take file is never overwritten.
- A forced run records what it still has to do; the same forced run started
  again after a crash continues it instead of forcing every shot again.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.renderer.availability import model_problem
from storyreel.renderer.backend import (
    Backend,
    Capabilities,
    Quality,
    backend_factory,
    with_quality,
)
from storyreel.renderer.executor import RenderExecutor, TakeJob
from storyreel.renderer.gpu import project_settings
from storyreel.renderer.request import CancelToken, RenderRequest, file_digest
from storyreel.renderer.take_file import MadeTake
from storyreel.renderer.video_io import read_frames
from storyreel.tools.compiler import compile_request, hinted_prompt
from storyreel.tools.edits import require_shot
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.memory import RENDER_SUFFIX, RenderSelection
from storyreel.tools.partial_files import (
    partial_path,
    pid_alive,
    remove_dead_partials,
    write_problem,
)
from storyreel.tools.project import Project
from storyreel.tools.render_lock import WaitListener
from storyreel.tools.request_cache import FILES, REQUESTS, CompiledRequest
from storyreel.tools.request_cache import file_digest as cached_file_digest
from storyreel.tools.story import (
    Keyframe,
    RenderStatus,
    Revision,
    Shot,
    StoryPlan,
    Take,
    check_stored_path,
)

Status = RenderStatus
"""What happened to a shot (defined with the plan's model: the agent's state names it
without importing the render machinery)."""


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
    notes: list[str] = field(default_factory=list)
    """Things to tell the person besides the outcomes (a forced run continued...)."""

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
    """The take's video file (refused if its stored path leads outside the project)."""
    return project.file_of(take.path)


def keyframe_path(project: Project, take: Take) -> Path:
    """The middle frame of a take as PNG (made when the take is rendered)."""
    return take_file(project, take).with_suffix(".key.png")


def last_frame_path(project: Project, take: Take) -> Path:
    """The last frame of a take as PNG: the first frame of a shot that continues it."""
    return take_file(project, take).with_suffix(".last.png")


def take_is_intact(project: Project, take: Take) -> bool:
    """True when the take's file exists and still has the bytes it was rendered with
    (its sha256, read again whenever the file's stat changed: tools/request_cache.py).

    A file checked and hashed before and unchanged since is not resolved again (the
    check that it is inside the project reads every folder on its path)."""
    known = FILES.settled(project.root / check_stored_path(take.path))
    if known is not None:
        return known == take.file_sha256
    return cached_file_digest(take_file(project, take)) == take.file_sha256


def ensure_stills(project: Project, take: Take) -> None:
    """Re-create a take's keyframe and last-frame PNGs from its video if they are missing."""
    key, last = keyframe_path(project, take), last_frame_path(project, take)
    if key.is_file() and last.is_file():
        return
    frames = list(read_frames(take_file(project, take)))
    _save_png(frames[len(frames) // 2], key)
    _save_png(frames[-1], last)


def _save_png(frame: np.ndarray, path: Path) -> None:
    temporary = partial_path(path)
    try:
        Image.fromarray(frame).save(temporary, format="PNG")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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


def retake_hint_of(take: Take) -> str | None:
    """The retake hint `take` was rendered with ("move", "still"); None for a take made
    from the plan alone."""
    options = take.params.get("options")
    hint = options.get("retake_hint") if isinstance(options, dict) else None
    return hint if isinstance(hint, str) and hint else None


class _Run:
    """State of one render run: the plan, the takes and the selection so far.

    Requests are compiled through the process's request cache (`tools.request_cache`):
    the same inputs are compiled and hashed once, by the estimate, the render and the
    chat app alike.
    """

    def __init__(
        self,
        project: Project,
        backend: str = "previz",
        model: str | None = None,
        options: dict[str, object] | None = None,
        hints: dict[int, str] | None = None,
        *,
        plan: StoryPlan | None = None,
        takes: dict[int, list[Take]] | None = None,
    ) -> None:
        self.backend = backend
        self.model = model
        self.options = dict(options or {})
        self.hints = dict(hints or {})
        self.project = project
        self.source = "cli"
        self.select = True
        self.held = False
        self.revision: Revision | None = None
        self.rendered: list[int] = []
        self.refresh(plan, takes)

    def refresh(
        self, plan: StoryPlan | None = None, takes: dict[int, list[Take]] | None = None
    ) -> None:
        """Read the plan, the takes and the selection again (another process may have
        rendered while this one waited for the render lock); `plan` and `takes`, when
        given, were just read by the caller."""
        self.plan: StoryPlan = plan if plan is not None else self.project.memory.plan()
        self.takes: dict[int, list[Take]] = (
            {shot_id: list(found) for shot_id, found in takes.items()}
            if takes is not None
            else self.project.memory.takes_by_shot()
        )
        self.selection = {shot.id: shot.selected_take for shot in self.plan.shots}
        self._bible = self.plan.model_dump_json(exclude={"shots"})
        self._stills: dict[int, list[Keyframe]] = {}

    def selected(self, shot_id: int) -> Take | None:
        number = self.selection.get(shot_id)
        return next((t for t in self.takes.get(shot_id, []) if t.number == number), None)

    def first_frame_of(self, shot_id: int) -> Path | None:
        take = self.selected(shot_id)
        if take is None or not take_is_intact(self.project, take):
            return None
        ensure_stills(self.project, take)
        return last_frame_path(self.project, take)

    def keyframe_file(self, shot_id: int, number: int) -> Path | None:
        """The file of still `number` of a shot, None when it is not registered, missing or
        damaged (its bytes no longer match its sha256)."""
        if shot_id not in self._stills:
            self._stills[shot_id] = self.project.memory.keyframes(shot_id)
        still = next((k for k in self._stills[shot_id] if k.number == number), None)
        if still is None:
            return None
        path = self.project.file_of(still.path)
        return path if cached_file_digest(path) == still.sha256 else None

    def compile(
        self,
        shot: Shot,
        seed: int,
        backend: str | None = None,
        model: str | None = None,
        hint: str | None = None,
    ) -> RenderRequest:
        """The request for `shot`, adapted to the backend's rules (frames, size, fps).

        `hint` is a retake hint for the prompt; None uses this run's hint for the shot.
        The request is the caller's own (a copy of the cached one).
        """
        return self.compiled(shot, seed, backend, model, hint).request.model_copy(deep=True)

    def compiled(
        self,
        shot: Shot,
        seed: int,
        backend: str | None = None,
        model: str | None = None,
        hint: str | None = None,
        quality: Quality | None = None,
    ) -> CompiledRequest:
        """`compile`'s request with its hashes, from the request cache when the same
        inputs were compiled before (its `request` is shared: read it, do not change it).

        `quality` is the tier (None: the run's, from its options["quality"], else final);
        a backend with one tier renders final whatever is asked (`with_quality`).

        The key is everything the request is compiled from (see tools/request_cache.py):
        the bible, the shot without its selected take, the seed, the backend, the model,
        the options, the hint, for `continues_from` the previous shot's selected take and
        its last frame, and for a picked still its number and file; the cache also checks
        every file the request names.
        """
        name = backend or self.backend
        hint = hint or self.hints.get(shot.id)
        model = model if backend else self.model
        options = self.options if name == self.backend else {}
        capabilities = backend_capabilities(name)
        asked: Quality = quality or ("draft" if options.get("quality") == "draft" else "final")
        tier = capabilities.tier(asked) if capabilities is not None else "final"
        options = {key: value for key, value in options.items() if key != "quality"}
        first: Path | None = None
        before: tuple[object, ...] | None = None
        if shot.continues_from is not None:
            first = self.first_frame_of(shot.continues_from)
            previous = self.selected(shot.continues_from)
            if previous is not None and first is not None:
                before = (shot.continues_from, previous.number, previous.file_sha256, str(first))

        still: tuple[object, ...] | None = None
        if shot.continues_from is None and shot.keyframe is not None:
            path = self.keyframe_file(shot.id, shot.keyframe)
            still = (shot.keyframe, str(path) if path is not None else None)

        def first_frame_of(shot_id: int) -> Path | None:
            return first if shot_id == shot.continues_from else self.first_frame_of(shot_id)

        def build() -> RenderRequest:
            request = compile_request(
                self.plan,
                shot,
                seed=seed,
                project_root=self.project.root,
                first_frame_of=first_frame_of,
                capabilities=capabilities,
                keyframe_of=self.keyframe_file,
            )
            if model:
                request.options["model"] = model
            request.options.update(options)
            if hint:
                request.prompt = hinted_prompt(request.prompt, shot, hint)
                request.options["retake_hint"] = hint
            adapt = getattr(backend_instance(name), "adapt", None)
            if adapt is not None:
                request, warnings = adapt(request)
                request.options["adapted"] = warnings
            if capabilities is not None:  # the tier scales what the backend's rules allow
                request = with_quality(request, capabilities, tier)
            return request

        if shot.continues_from is not None and before is None:
            return CompiledRequest.of(build())  # raises: the previous shot has no take
        if still is not None and still[1] is None:
            return CompiledRequest.of(build())  # raises: the picked still is missing
        key = (
            str(self.project.root),
            self._bible,
            shot.model_dump_json(exclude={"selected_take"}),
            seed,
            name,
            model,
            json.dumps(options, sort_keys=True, default=str),
            hint,
            before,
            still,
            tier,
        )
        return REQUESTS.get(key, build)

    def shows(
        self,
        take: Take,
        shot: Shot,
        request: CompiledRequest,
        backend: str | None = None,
        model: str | None = None,
    ) -> bool:
        """True when `take` shows what `request` (compiled for `shot` with `backend` and
        `model`) asks for: the same content, seed excluded, or, for a retake the critic
        asked for, the same content with the retake hint the take was rendered with.

        A final take also shows what a draft request asks for (the same content at final
        quality): asking for a draft never replaces the final the person has."""
        if take.content_hash == request.content_hash:
            return True
        tier: Quality = "draft" if request.request.options.get("quality") == "draft" else "final"
        if tier == "draft" and take.quality == "final":
            final = self.compiled(shot, request.request.seed, backend, model, quality="final")
            return self.shows(take, shot, final, backend, model)
        hint = retake_hint_of(take)
        if hint is None or request.request.options.get("retake_hint") == hint:
            return False
        try:
            hinted = self.compiled(
                shot, request.request.seed, backend, model, hint=hint, quality=tier
            )
        except ValueError:  # a hint this version does not know: the take is outdated
            return False
        return take.content_hash == hinted.content_hash

    def remember(self, take: Take) -> None:
        shot_takes = self.takes.setdefault(take.shot_id, [])
        shot_takes[:] = [t for t in shot_takes if t.number != take.number] + [take]
        self.selection[take.shot_id] = take.number

    def selecting(self, shot_id: int | None = None) -> RenderSelection | None:
        """How to select a take now: in this run's revision, named after the shots rendered
        so far (and `shot_id`, being registered). None when the run does not select."""
        if not self.select:
            return None
        rendered = [*self.rendered, *([shot_id] if shot_id is not None else [])]
        what = f"Rendered shot(s) {', '.join(map(str, rendered))}" if rendered else "Chose takes"
        amend = self.revision.id if self.revision else None
        return RenderSelection(f"{self.source}{RENDER_SUFFIX}", what, amend)

    def choose(self, take: Take) -> None:
        """Use an existing take for its shot (selected at once when the run selects)."""
        self.remember(take)
        selection = self.selecting()
        if selection is not None:
            revision = self.project.memory.select_rendered({take.shot_id: take.number}, selection)
            self.revision = revision or self.revision

    def registered(self, take: Take, revision: Revision | None) -> None:
        self.remember(take)
        self.revision = revision or self.revision


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
    wait: bool = True,
    on_wait: WaitListener | None = None,
    quality: Quality | None = None,
) -> RenderReport:
    """Render the shots that need it and select their new takes.

    Args:
        project: the open project.
        executor: keeps backends warm between calls.
        shot_ids: only these shots (None: every shot in film order).
        backend: the registered backend name ("previz" renders on any CPU).
        model: the backend's model (hub id or folder); None uses its configured default.
        force: make a new take with a new seed even when one is up to date
            (locked shots are still never rendered). A forced run that was stopped
            (killed, Ctrl-C, an error) is continued by the same forced run started again.
        on_progress: called with frame progress of the shot being rendered.
        on_outcome: called once per shot as soon as it is done.
        cancel: set it to stop; the shot in progress is dropped, finished takes stay.
        source: recorded on the revision ("cli", "agent", ...).
        seed: with `force`, use this seed (comparisons use one seed on every backend).
        select: select the new takes (False leaves the selection as it is).
        options: backend settings added to every request, e.g. {"steps": 20}.
        hints: per shot, a retake hint for the prompt ("move" or "still", see
            compiler.hinted_prompt) when the critic found the camera wrong.
        wait: when another process is rendering this project, wait for it; False
            raises ProjectBusyError at once, before anything is changed.
        on_wait: called once with "Another storyreel (pid N) is rendering this story;
            waiting…" when this run has to wait.
        quality: the tier of the new takes, "draft" or "final" (None: final, the model
            card's settings). A backend with one tier (previz) renders final either way.
            A selected final take stays selected when a draft is asked for.

    Returns:
        A report of every shot's outcome and the revision that selected the new takes.

    Raises:
        StoryreelError: an unknown shot id, or a shot that continues from a shot
            without a take that is not rendered in this run.
        ProjectBusyError: `wait` is False and another process renders this project.
        InvalidInputError: the backend's model is not on this machine (checked on disk
            only, before anything else: no download is tried).
    """
    # (a cluster's workers check their own disks: their error reaches the person the same way)
    problem = None if executor.remote else model_problem(backend, model, project.root)
    if problem is not None:  # every front end (CLI, agent, Slack) is told at once
        raise InvalidInputError(f"{problem}; nothing was rendered")
    lock = project.render_lock
    if quality is not None:  # carried in the run's options: compiled requests read it there
        options = {**(options or {}), "quality": quality}
    run = _Run(project, backend, model, options, hints)
    run.source, run.select = source, select
    check_takes_writable(project)

    def hold() -> None:
        """Take the render lock, then read again what another renderer did meanwhile."""
        if not run.held:
            lock.acquire(wait=wait, on_wait=on_wait, cancel=cancel)
            run.held = True
            run.refresh()

    report = RenderReport()
    try:
        if force or not wait:
            hold()
        if shot_ids is None:
            targets = run.plan.ordered_shots()
        else:
            wanted = {require_shot(run.plan, shot_id).id for shot_id in shot_ids}
            targets = [shot for shot in run.plan.ordered_shots() if shot.id in wanted]
        remove_dead_partials(project.takes_dir)
        forced = None
        if force and select:
            forced = _ForcedRun.start(run, shot_ids, backend, model, options, seed, hints, targets)
            report.notes.extend(forced.notes)
        elif select:
            report.notes.extend(_stopped_forced_run_note(project))
        with project_settings(project.root):  # GPU backends read this project's config
            jobs = _Jobs(run, executor, backend, forced, report, on_outcome, cancel)
            try:
                for index, shot in enumerate(targets, start=1):
                    jobs.ready_for(shot)
                    decided = _decide(
                        run, shot, index, len(targets), backend, force, seed, hold, forced
                    )
                    if isinstance(decided, _Planned):
                        jobs.start(decided, on_progress)
                    elif decided is not None:  # None: removed from the plan meanwhile
                        jobs.record(decided)
                jobs.drain()
            finally:
                jobs.abandon()
        if forced is not None:
            forced.finish()
    finally:
        order = {shot.id: i for i, shot in enumerate(run.plan.ordered_shots())}
        report.outcomes.sort(key=lambda outcome: order.get(outcome.shot_id, len(order)))
        report.revision = run.revision
        if run.held:
            lock.release()
    return report


def check_takes_writable(project: Project) -> None:
    """Refuse before anything renders when media/takes cannot be written."""
    problem = write_problem(project.takes_dir / "take.mp4")
    if problem is not None:
        folder = project.takes_dir
        raise StoryreelError(
            f"cannot write takes into {folder} ({problem}): make the folder writable "
            f"(e.g. chmod u+w {folder}) or free some disk space, then render again"
        )


class _ForcedRun:
    """The record of a forced run in story.db: which shots it has finished.

    Written under the render lock; a record left behind belongs to a run that did
    not finish (killed, stopped, or failed), and the same forced run continues it.
    """

    def __init__(self, run: _Run, record: dict[str, object], notes: list[str]) -> None:
        self.run = run
        self.record = record
        self.notes = notes

    @property
    def done(self) -> dict[int, int]:
        """Shot id -> the take the forced run made for it."""
        return {int(k): int(v) for k, v in dict(self.record["done"]).items()}  # type: ignore[call-overload]

    @classmethod
    def start(
        cls,
        run: _Run,
        shot_ids: Sequence[int] | None,
        backend: str,
        model: str | None,
        options: dict[str, object] | None,
        seed: int | None,
        hints: dict[int, str] | None,
        targets: list[Shot],
    ) -> _ForcedRun:
        key = json.dumps(
            {
                "ids": sorted(shot_ids) if shot_ids else None,
                "backend": backend,
                "model": model,
                "options": options or {},
                "seed": seed,
                "hints": {str(k): v for k, v in (hints or {}).items()},
            },
            sort_keys=True,
            default=str,
        )
        memory = run.project.memory
        pending = memory.forced_run()
        todo = [shot.id for shot in targets if not shot.locked]
        if pending is not None and pending.get("key") == key:
            forced = cls(run, pending, [])
            left = [i for i in todo if i not in forced.done]
            finished = [i for i in todo if i in forced.done]
            forced.notes.append(
                "This continued the forced render that was stopped: shot(s) "
                f"{', '.join(map(str, left)) or 'none'} were still to render"
                + (f" (done before: {', '.join(map(str, finished))})." if finished else ".")
            )
            return forced
        notes = []
        if pending is not None:
            left = [i for i in pending.get("todo", []) if str(i) not in pending.get("done", {})]
            if left:
                notes.append(
                    f"A forced render of shot(s) {', '.join(map(str, left))} had been stopped "
                    "before it finished; this forced render replaced it."
                )
        command = "storyreel render --force"
        if shot_ids:
            command += " " + " ".join(map(str, sorted(shot_ids)))
        if backend != "previz":
            command += f" --backend {backend}"
        if model:
            command += f" --model {model}"
        if options and options.get("steps"):
            command += f" --steps {options['steps']}"
        capabilities = backend_capabilities(backend)
        if options and options.get("quality") and capabilities and capabilities.draft:
            command += f" --quality {options['quality']}"
        record: dict[str, object] = {
            "key": key,
            "todo": todo,
            "done": {},
            "pid": os.getpid(),
            "source": run.source,
            "command": command,
        }
        memory.set_forced_run(record)
        return cls(run, record, notes)

    def finished_take(self, shot: Shot, request: CompiledRequest) -> Take | None:
        """The take this forced run already made for `shot`, if it still shows the shot."""
        number = self.done.get(shot.id)
        take = next((t for t in self.run.takes.get(shot.id, []) if t.number == number), None)
        if (
            take is None
            or take.content_hash != request.content_hash
            or not take_is_intact(self.run.project, take)
        ):
            return None
        return take

    def record_with(self, shot_id: int, number: int) -> dict[str, object]:
        """The record with `shot_id` done by take `number` (stored with the take)."""
        done = {**dict(self.record["done"]), str(shot_id): number}  # type: ignore[call-overload]
        self.record = {**self.record, "done": done}
        return self.record

    def mark_done(self, shot_id: int, number: int) -> None:
        self.run.project.memory.set_forced_run(self.record_with(shot_id, number))

    def finish(self) -> None:
        self.run.project.memory.set_forced_run(None)


def _stopped_forced_run_note(project: Project) -> list[str]:
    """A note about a forced run that was stopped and not finished since (its process gone)."""
    pending = project.memory.forced_run()
    if pending is None or pid_alive(int(pending.get("pid") or 0)):
        return []
    done = pending.get("done", {})
    left = [i for i in pending.get("todo", []) if str(i) not in done]
    if not left:
        return []
    return [
        f"A forced render of shot(s) {', '.join(map(str, left))} was stopped before it "
        f"finished; run {pending.get('command', 'storyreel render --force')} again to finish it."
    ]


def _check_required(shot: Shot, request: RenderRequest, backend: str) -> None:
    """Refuse a shot whose first frame the backend cannot honour (rather than drop it silently):
    the last frame of the shot it continues from, or its picked still."""
    capabilities = backend_capabilities(backend)
    if capabilities is None or request.first_frame is None or capabilities.image_to_video:
        return
    if shot.continues_from is None:
        raise InvalidInputError(
            f"shot {shot.id} opens on its picked still {shot.keyframe}, and {backend} cannot "
            "start from a picture; render it with previz, wan or ltx, or clear the pick "
            f"(storyreel keyframes unpick {shot.id})"
        )
    raise InvalidInputError(
        f"shot {shot.id} opens on the last frame of shot {shot.continues_from}, and {backend} "
        "cannot start from a picture; render it with previz, wan or ltx, or clear its "
        f"continues-from (storyreel shot update {shot.id} --no-continues-from)"
    )


@dataclass
class _Planned:
    """A shot that needs a new take: its request, and the damaged take it repairs."""

    shot: Shot
    request: CompiledRequest
    repair: Take | None
    index: int
    count: int


def _decide(
    run: _Run,
    shot: Shot,
    index: int,
    count: int,
    backend: str,
    force: bool,
    seed: int | None,
    hold: Callable[[], None],
    forced: _ForcedRun | None,
) -> ShotOutcome | _Planned | None:
    """What to do with one shot: an outcome at once (locked, up to date, a take reused),
    the take to render (with the render lock held), or None when the shot was removed from
    the plan while this run waited for the lock."""
    project = run.project
    while True:
        current_shot = run.plan.find_shot(shot.id)  # the plan may have been read again
        if current_shot is None:  # removed from the plan while this run waited
            return None
        shot = current_shot
        if shot.locked:
            return ShotOutcome(
                shot.id, "locked", run.selected(shot.id), f"shot {shot.id} is locked"
            )
        request = run.compiled(shot, base_seed(shot))
        _check_required(shot, request.request, backend)
        shot_takes = run.takes.get(shot.id, [])
        repair: Take | None = None
        if force:
            finished = forced.finished_take(shot, request) if forced else None
            if finished is not None:
                run.choose(finished)
                message = (
                    f"shot {shot.id}: take {finished.number}, rendered by the forced render "
                    "that was stopped"
                )
                return ShotOutcome(shot.id, "reused", finished, message)
            use_seed = seed if seed is not None else max(
                [t.seed for t in shot_takes] + [base_seed(shot)]
            ) + 1  # fmt: skip
            request = run.compiled(shot, use_seed)
        else:
            current = run.selected(shot.id)
            if (
                current is not None
                and run.shows(current, shot, request)
                and take_is_intact(project, current)
            ):
                message = f"shot {shot.id} is up to date (take {current.number})"
                return ShotOutcome(shot.id, "up_to_date", current, message)
        # one request is never rendered twice (forced: on the same backend; another
        # backend renders the same request differently, as a comparison wants)
        same = next(
            (
                t
                for t in shot_takes
                if t.request_hash == request.request_hash and (not force or t.backend == backend)
            ),
            None,
        )
        if same is not None and take_is_intact(project, same):
            run.choose(same)
            if forced is not None:
                forced.mark_done(shot.id, same.number)
            message = f"shot {shot.id}: reused take {same.number} (identical request)"
            return ShotOutcome(shot.id, "reused", same, message)
        repair = same
        if run.held:
            return _Planned(shot, request, repair, index, count)
        # Rendering needs the project's render lock; once it is held, what another
        # process rendered meanwhile is read again and the shot is decided anew.
        hold()


def _rendered_outcome(planned: _Planned, take: Take, backend: str) -> ShotOutcome:
    """The outcome of a shot that got a new take file."""
    shot_id = planned.shot.id
    if planned.repair is not None:
        return ShotOutcome(
            shot_id,
            "repaired",
            take,
            f"shot {shot_id}: take {take.number} was damaged on disk and has been rendered again",
        )
    request = planned.request.request
    seconds = take.timings.get("render_s", 0.0)
    size = f"{request.width}x{request.height}"
    tier = f" draft {size}" if take.quality == "draft" else ""
    message = f"shot {shot_id}: rendered take {take.number} ({backend}{tier}, {seconds:.1f} s)"
    options = request.options
    left_out = options.get("references_left_out") or []
    if left_out:
        message += "; left out " + ", ".join(left_out)
    for warning in [*(options.get("palette_left_out") or []), *(options.get("adapted") or [])]:
        message += f"; {warning}"
    return ShotOutcome(shot_id, "rendered", take, message)


class _Jobs:
    """The takes a run is rendering, on an executor with one slot or many.

    A shot starts rendering as soon as it is decided, while a free slot exists; a shot
    that continues from a shot still rendering waits for that take first (its request
    opens on the take's last frame). Takes are registered here, on the run's thread, as
    they end: one writer, whatever renders. After a failed take no other one starts; the
    ones running finish and are registered, then the failure is raised.
    """

    def __init__(
        self,
        run: _Run,
        executor: RenderExecutor,
        backend: str,
        forced: _ForcedRun | None,
        report: RenderReport,
        on_outcome: OutcomeListener | None,
        cancel: CancelToken | None,
    ) -> None:
        self.run, self.executor, self.backend, self.forced = run, executor, backend, forced
        self.report, self.on_outcome, self.cancel = report, on_outcome, cancel
        self.running: dict[int, tuple[TakeJob, _Planned]] = {}
        self.error: BaseException | None = None

    def record(self, outcome: ShotOutcome) -> None:
        self.report.outcomes.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def ready_for(self, shot: Shot) -> None:
        """Wait until `shot` can be decided: its previous shot's take is registered and a
        slot is free. Raises the failure of a take that ended meanwhile."""
        while self.running and (
            shot.continues_from in self.running or len(self.running) >= self.executor.slots
        ):
            self._collect(None)
        self._raise()

    def start(self, planned: _Planned, on_progress: ProgressListener | None) -> None:
        shot = planned.shot

        def progress(step: int, total: int, message: str) -> None:
            if on_progress is not None:
                on_progress(
                    RenderProgress(shot.id, planned.index, planned.count, step, total, message)
                )

        if self.cancel is not None:
            self.cancel.check()
        request = planned.request.request.model_copy(deep=True)  # the backend's own copy
        final = self.run.project.takes_dir / f"{planned.request.request_hash[:24]}.mp4"
        job = TakeJob(shot.id, self.backend, request, partial_path(final), progress)
        self.running[shot.id] = (job, planned)
        self.executor.start(job, self.cancel)
        self._collect(0)

    def drain(self) -> None:
        """Wait for every take still rendering, then raise a failure if one failed."""
        while self.running:
            self._collect(None)
        self._raise()

    def abandon(self) -> None:
        """Stop the takes still rendering when the run ends early (an error, Ctrl-C)."""
        if self.running:
            self.executor.stop([job for job, _ in self.running.values()])
            self.running.clear()

    def _collect(self, timeout: float | None) -> None:
        jobs = [job for job, _ in self.running.values()]
        for job in self.executor.finished(jobs, timeout, self.cancel):
            _, planned = self.running.pop(job.key)
            self.report.notes.extend(job.notes)
            if job.error is not None or job.made is None:
                self.error = self.error or job.error
                continue
            take = _register_made(
                self.run, planned.shot, planned.request, self.backend, job.made,
                planned.repair, self.forced,
            )  # fmt: skip
            self.record(_rendered_outcome(planned, take, self.backend))

    def _raise(self) -> None:
        if self.error is not None:
            while self.running:  # the takes already rendering are kept
                self._collect(None)
            raise self.error


def _render_take(
    run: _Run,
    executor: RenderExecutor,
    shot: Shot,
    compiled: CompiledRequest,
    backend: str,
    progress: Callable[[int, int, str], None],
    cancel: CancelToken | None,
    repair: Take | None,
    forced: _ForcedRun | None = None,
    source: int | None = None,
) -> Take:
    """Render `compiled` to a complete file, then register (or repair) and select the take.

    The take's tier is its request's (options["quality"]); `source` is the number of the
    draft a final is made from (`finalize`).

    Called with the project's render lock held. The file is written under a name of
    this process's own and renamed into media/takes when complete.
    """
    request = compiled.request.model_copy(deep=True)  # the backend's own copy
    final = run.project.takes_dir / f"{compiled.request_hash[:24]}.mp4"
    made = executor.make_take(backend, request, partial_path(final), progress, cancel)
    return _register_made(run, shot, compiled, backend, made, repair, forced, source)


def _register_made(
    run: _Run,
    shot: Shot,
    compiled: CompiledRequest,
    backend: str,
    made: MadeTake,
    repair: Take | None,
    forced: _ForcedRun | None = None,
    source: int | None = None,
) -> Take:
    """Place a finished take file in media/takes, save its stills, register and select it.

    Only the process running the render (the driver of a cluster) calls this: one writer.
    """
    project = run.project
    request = compiled.request
    final = project.takes_dir / f"{compiled.request_hash[:24]}.mp4"
    try:
        path = _place_take_file(project, made.path, final)
    except BaseException:
        made.path.unlink(missing_ok=True)
        raise
    timings: dict[str, float] = {"render_s": made.render_s}
    take = Take(
        shot_id=shot.id,
        number=repair.number if repair else 1,  # the number is given when it is registered
        backend=backend,
        model=made.model,
        seed=request.seed,
        prompt=request.prompt,
        request_hash=compiled.request_hash,
        content_hash=compiled.content_hash,
        path=path.relative_to(project.root).as_posix(),
        file_sha256=file_digest(path),
        frames=made.frames,
        fps=request.fps,
        params=request.model_dump(mode="json"),
        timings=timings,
        created_at=_now(),
        quality="draft" if request.options.get("quality") == "draft" else "final",
        source=source,
    )
    _save_png(made.middle, keyframe_path(project, take))
    _save_png(made.last, last_frame_path(project, take))
    selection = run.selecting(shot.id)
    if forced is None:
        registered = project.memory.register_take(
            take, replace=repair is not None, select=selection
        )
    else:  # the forced run's record says this shot is done, in the same transaction
        number = repair.number if repair else project.memory.next_take_number(shot.id)
        registered = project.memory.register_take(
            take,
            replace=repair is not None,
            select=selection,
            forced_run=forced.record_with(shot.id, number),
        )
    if registered.existing:  # registered meanwhile by a process that did not lock: keep that
        if registered.take.path != take.path:
            for leftover in (path, keyframe_path(project, take), last_frame_path(project, take)):
                leftover.unlink(missing_ok=True)
        run.choose(registered.take)
        return registered.take
    run.rendered.append(shot.id)
    run.registered(registered.take, registered.revision)
    return registered.take


def _place_take_file(project: Project, partial: Path, final: Path) -> Path:
    """Rename a finished partial into media/takes, never over an intact registered take.

    `final` is taken unless a registered take's intact file is there already (then
    `NAME-2.mp4`, `NAME-3.mp4`...). A file nobody registered (a render killed between
    its rename and its registration) or a damaged take's file is replaced.
    """
    for n in itertools.count(1):
        path = final if n == 1 else final.with_name(f"{final.stem}-{n}{final.suffix}")
        owners = project.memory.path_registered(path.relative_to(project.root).as_posix())
        if path.exists() and any(take_is_intact(project, owner) for owner in owners):
            continue
        os.replace(partial, path)
        return path
    raise AssertionError("unreachable")


def takes_needing_render(
    project: Project,
    shots: Iterable[Shot],
    *,
    plan: StoryPlan | None = None,
    takes: dict[int, list[Take]] | None = None,
) -> list[int]:
    """Ids of unlocked shots whose selected take is missing, outdated or damaged.

    Shots that continue from a shot that itself needs rendering count too. `plan` and
    `takes` save reading them again when the caller just read them. Requests compiled
    here are kept for the render that follows (tools/request_cache.py).
    """
    run = _Run(project, plan=plan, takes=takes)
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
            quality = current.quality if current else None
            request = run.compiled(shot, base_seed(shot), backend, model, quality=quality)
        except StoryreelError:
            needing.append(shot.id)
            continue
        if (
            current is None
            or not run.shows(current, shot, request, backend, model)
            or not take_is_intact(project, current)
        ):
            needing.append(shot.id)
    return needing
