"""Keyframes: candidate stills of a shot, seen and picked before any motion is rendered.

A person asks for candidate stills (`storyreel keyframes [IDS] --count 4`), looks at the
candidates sheet, picks one (`storyreel keyframes pick SHOT N`: the `PickKeyframe` edit, one
undoable revision that sets the shot's `keyframe`), and the shot's video is then rendered
from it: the compiler makes the picked still the request's first frame (image-to-video,
`compile_request`), and the critic checks that the take opens on it (KEYFRAME_MISMATCH in
tools/continuity.py). A shot that `continues_from` another opens on that take's last frame
instead: stills are not made for it, and a pick on it is refused.

The still request. A candidate is drawn from the request the shot's video is rendered
from (`compile_request`: the bible's text word for word, the references, the look, the
camera fields) with no first frame (a still *is* the first frame), one frame long, and the
candidate's own seed (`still_request`). Its content hash (seed excluded) is stored with
the still. When the shot's still request hashes differently now (the shot, or anything
its request reads, changed) the still is *stale*: `storyreel keyframes`, `keyframes list`
and `show` say so, and a stale pick stays the shot's first frame (a pick is never dropped
silently) until another one is picked. The duration is not part of it: a still has one
frame, so a shot made longer keeps its stills.

Backends. `render_still` is the one place a still is made. A backend makes stills when it
has a method

    still(request: RenderRequest, progress: ProgressCallback, cancel: CancelToken) -> np.ndarray

returning the (height, width, 3) uint8 picture the request opens on; it adapts the
request to its own rules. previz has one (`PrevizBackend.still`: the first frame drawn
alone, in a few tens of milliseconds); wan and ltx have one (`WanBackend.still`,
`LTXBackend.still`: the request rendered as one frame by their own model, through the same
pipeline, references and seed as a take). A backend without one (cogvideox), or any
diffusion backend when the project prefers it, has its stills drawn by the text-to-image
model set in storyreel-gpu.toml (`[keyframes] model = ...`: renderer/text_to_image.py,
`draws_with_model`); with none set it is refused before any work (`stills_backend`), with
what to use instead.

Files. PNGs named by their sha256 under media/keyframes/, written under a partial name and
renamed into place when complete, then registered in story.db's `keyframes` table
(`ContinuityMemory.register_keyframe`) once per picture and shot: a seed that draws a
picture the shot already has gives that still back. previz draws the plan, so its still
depends on the seed only for a handheld camera: a static or smoothly moving previz shot has
one candidate, not four, and the run says why. Making stills holds the render lock (one
process uses the renderer at a time).
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.renderer.backend import (
    GPU_BACKENDS,
    backend_class,
    backend_factory,
    backend_name,
    backend_names,
)
from storyreel.renderer.gpu import KEYFRAMES_EXAMPLE
from storyreel.tools.compiler import compile_request
from storyreel.tools.edits import require_shot
from storyreel.tools.errors import ConflictError, InvalidInputError, StoryreelError
from storyreel.tools.plan_view import PickedStill
from storyreel.tools.project import Project
from storyreel.tools.request_cache import REQUESTS, CompiledRequest
from storyreel.tools.request_cache import file_digest as cached_file_digest
from storyreel.tools.story import Keyframe, Shot, StoryPlan

if TYPE_CHECKING:  # numpy, PIL and the executor load when stills are made
    import numpy as np

    from storyreel.renderer.executor import RenderExecutor
    from storyreel.renderer.gpu import GpuSettings
    from storyreel.renderer.request import CancelToken, RenderRequest
    from storyreel.tools.render_lock import WaitListener
    from storyreel.tools.storyboard import CandidateSheet

DEFAULT_COUNT = 4
"""Candidates per shot when none is asked for."""
MAX_COUNT = 12
"""At most this many candidates per shot in one run."""

StillListener = Callable[["StillOutcome"], None]
StepListener = Callable[[int, int, int, str], None]
"""Called as (shot id, step, total, message) while a backend draws a still."""


# --- which backends make stills ------------------------------------------------------------


def makes_stills(name: str) -> bool:
    """Whether the registered backend `name` has a `still` method (see the module docstring).
    Read from its class where there is one, so nothing is loaded."""
    factory = backend_factory(name)
    if isinstance(factory, type):
        owner: object = factory
    elif name in GPU_BACKENDS:
        owner = backend_class(name)
    else:
        from storyreel.tools.rendering import backend_instance

        owner = backend_instance(name)
    return callable(getattr(owner, "still", None))


def draws_with_model(name: str, settings: GpuSettings) -> bool:
    """Whether backend `name`'s stills come from the `[keyframes]` text-to-image model of
    `settings` (renderer/text_to_image.py), not from the backend itself."""
    from storyreel.renderer.text_to_image import wanted

    return wanted(settings, name, makes_stills(name))


def can_make_stills(name: str, project_root: Path | None) -> bool:
    """Whether stills can be drawn for backend `name` in this project: it makes them, or
    the project's `[keyframes]` model does (a GPU settings file that cannot be read
    counts as none: making the stills says what is wrong with it)."""
    if makes_stills(name):
        return True
    from storyreel.renderer.gpu import load_settings

    try:
        return draws_with_model(name, load_settings(project_root))
    except ValueError:
        return False


def _settings(project_root: Path | None) -> GpuSettings:
    """The project's GPU settings; a file that cannot be read is refused with why."""
    from storyreel.renderer.gpu import load_settings

    try:
        return load_settings(project_root)
    except ValueError as error:
        raise InvalidInputError(f"{error}; nothing was made") from None


def _starters() -> list[str]:
    """The backends that can start a video from a picture (a picked still)."""
    from storyreel.tools.rendering import backend_capabilities

    found = []
    for name in backend_names():
        capabilities = backend_capabilities(name)
        if capabilities is not None and capabilities.image_to_video:
            found.append(name)
    return found


def stills_backend(
    word: str, shot_ids: Sequence[int] | None = None, project_root: Path | None = None
) -> str:
    """The registered backend `word` names (an alias such as "animatic" works), refused with
    what to use instead unless it makes stills or the project's `[keyframes]` text-to-image
    model draws them (storyreel-gpu.toml in `project_root`).

    Raises:
        InvalidInputError: an unknown backend, one that cannot make stills with no
            `[keyframes]` model set, or a GPU settings file that cannot be read.
    """
    try:
        name = backend_name(word)
    except ValueError as error:
        raise InvalidInputError(f"{error}; nothing was made") from None
    if makes_stills(name) or draws_with_model(name, _settings(project_root)):
        return name
    with_stills = [n for n in backend_names() if makes_stills(n)] or ["previz"]
    with_stills.sort(key=lambda n: n != "previz")  # the one on every machine first
    ids = " ".join(map(str, shot_ids or []))
    ids = f"{ids} " if ids else ""
    starters = _starters()
    then = f"then render the motion from it on {name} (storyreel render SHOT --backend {name})"
    if name not in starters:
        then = (
            f"then render the motion from it on a backend that starts from a picture "
            f"({', '.join(starters)}; {name} cannot)"
        )
    raise InvalidInputError(
        f"{name} cannot make stills itself; make the candidates with {with_stills[0]} "
        f"(storyreel keyframes {ids}--backend {with_stills[0]}), pick one (storyreel "
        f"keyframes pick SHOT N), {then}; or set a text-to-image model for stills in "
        f"storyreel-gpu.toml ({KEYFRAMES_EXAMPLE}); nothing was made"
    )


# --- the still request and what is fresh ---------------------------------------------------


def _no_first_frame(_shot_id: int) -> None:
    return None


def still_request(
    plan: StoryPlan, shot: Shot, *, project_root: Path, backend: str, seed: int = 0
) -> RenderRequest:
    """The request a candidate still of `shot` is drawn from: the shot's video request
    (`compile_request`, with the backend's capabilities) without a first frame (neither a
    pick nor a continuation), one frame long, with `seed`."""
    from storyreel.tools.rendering import backend_capabilities

    alone = shot.model_copy(update={"keyframe": None, "continues_from": None})
    request = compile_request(
        plan,
        alone,
        seed=seed,
        project_root=project_root,
        first_frame_of=_no_first_frame,
        capabilities=backend_capabilities(backend),
    )
    return request.model_copy(update={"frames": 1})


def compiled_still(
    project: Project, plan: StoryPlan, shot: Shot, backend: str, bible: str | None = None
) -> CompiledRequest:
    """`still_request` (seed 0) with its hashes, through the process's request cache;
    `bible` is `plan.model_dump_json(exclude={"shots"})` when the caller has it."""
    alone = shot.model_copy(update={"keyframe": None, "continues_from": None})
    key = (
        "still",
        str(project.root),
        bible if bible is not None else plan.model_dump_json(exclude={"shots"}),
        alone.model_dump_json(exclude={"selected_take", "duration_s"}),
        backend,
    )
    return REQUESTS.get(
        key,
        lambda: still_request(plan, shot, project_root=project.root, backend=backend),
    )


@dataclass(frozen=True)
class ShotStills:
    """A shot's stills as they stand: which are fresh (drawn from the shot's request as it
    is now, on their backend), which one is picked, and whether the pick is stale or unused
    (the shot continues from another, which wins)."""

    shot_id: int
    stills: list[Keyframe]
    fresh: frozenset[int]
    picked: Keyframe | None
    missing_pick: bool = False
    """The shot names a still number that is not registered (a damaged story.db)."""

    @property
    def stale(self) -> bool:
        return self.picked is not None and self.picked.number not in self.fresh

    def fresh_for(self, backend: str) -> list[Keyframe]:
        """The fresh stills drawn by `backend`."""
        return [k for k in self.stills if k.number in self.fresh and k.backend == backend]


def shot_stills(
    project: Project,
    plan: StoryPlan,
    shots: Sequence[Shot] | None = None,
    stills: dict[int, list[Keyframe]] | None = None,
) -> dict[int, ShotStills]:
    """The stills of `shots` (default: every shot that has stills or a pick), by shot id.

    `stills` are the registered stills by shot when the caller has read them."""
    if stills is None:
        stills = {}
        for keyframe in project.memory.keyframes():
            stills.setdefault(keyframe.shot_id, []).append(keyframe)
    if shots is None:
        shots = [s for s in plan.ordered_shots() if s.id in stills or s.keyframe is not None]
    bible = plan.model_dump_json(exclude={"shots"})
    found: dict[int, ShotStills] = {}
    for shot in shots:
        own = stills.get(shot.id, [])
        current: dict[str, str] = {}
        fresh = set()
        for keyframe in own:
            if keyframe.backend not in current:
                current[keyframe.backend] = _current_hash(project, plan, shot, keyframe, bible)
            if current[keyframe.backend] == keyframe.content_hash:
                fresh.add(keyframe.number)
        picked = next((k for k in own if k.number == shot.keyframe), None)
        missing = shot.keyframe is not None and picked is None
        found[shot.id] = ShotStills(shot.id, own, frozenset(fresh), picked, missing)
    return found


def _current_hash(
    project: Project, plan: StoryPlan, shot: Shot, keyframe: Keyframe, bible: str
) -> str:
    """The content hash of the shot's still request now, on the backend that drew
    `keyframe` ("" when that backend is gone: its stills are then stale)."""
    try:
        backend_factory(keyframe.backend)
    except ValueError:
        return ""
    return compiled_still(project, plan, shot, keyframe.backend, bible).content_hash


def picked_stills(project: Project, plan: StoryPlan) -> dict[int, PickedStill]:
    """Every shot's picked still as `show` says it: number, file, stale, used."""
    picked = [shot for shot in plan.ordered_shots() if shot.keyframe is not None]
    if not picked:
        return {}
    states = shot_stills(project, plan, picked)
    return {
        shot.id: PickedStill(
            number=shot.keyframe,  # type: ignore[arg-type]
            path=states[shot.id].picked.path if states[shot.id].picked else None,
            stale=states[shot.id].stale or states[shot.id].missing_pick,
            used=shot.continues_from is None,
        )
        for shot in picked
    }


# --- making stills ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StillOutcome:
    """One candidate drawn: the still it is, whether it is a new picture, how long it took."""

    shot_id: int
    keyframe: Keyframe
    new: bool
    seconds: float
    message: str


@dataclass
class ShotCandidates:
    """The candidates one run drew for one shot (distinct pictures, in order) and notes."""

    shot_id: int
    stills: list[Keyframe] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class KeyframesReport:
    """What a `make_keyframes` run did."""

    backend: str
    shots: list[ShotCandidates] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(shot id, why) of the shots a run without ids left alone."""
    sheet: CandidateSheet | None = None


def render_still(
    executor: RenderExecutor,
    backend: str,
    request: RenderRequest,
    progress: Callable[[int, int, str], None],
    cancel: CancelToken,
) -> np.ndarray:
    """Draw one still: THE place a backend's `still` method is called (module docstring).

    Raises:
        InvalidInputError: the backend has no `still` method.
        StoryreelError: the drawer failed (a model not found or of the wrong kind, out of
            memory...), with its words.
        RuntimeError: the backend gave something else than the (H, W, 3) uint8 picture.
    """
    import numpy as np

    from storyreel.renderer.gpu import current_settings

    settings = current_settings()
    if draws_with_model(backend, settings):
        from storyreel.renderer.text_to_image import warm_stills

        draw = warm_stills(settings).still
    else:
        draw = getattr(executor.backend(backend), "still", None)
    if not callable(draw):
        raise InvalidInputError(f"{backend} cannot make stills yet; nothing was made")
    try:
        frame = np.asarray(draw(request, progress, cancel))
    except (ValueError, OSError, ImportError, RuntimeError) as error:  # a model not there...
        raise StoryreelError(
            f"the still could not be drawn: {error} (stills drawn before this one are kept)"
        ) from error
    expected = (request.height, request.width, 3)
    if frame.dtype != np.uint8 or frame.shape != expected:
        raise RuntimeError(
            f"{backend}'s still() must return a {expected} uint8 picture, got "
            f"{frame.dtype} {frame.shape}"
        )
    return frame


def _png(frame: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="PNG")
    return buffer.getvalue()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _store_still(
    project: Project, shot: Shot, frame: np.ndarray, backend: str, seed: int, content_hash: str
) -> tuple[Keyframe, bool]:
    """Write the picture under media/keyframes (by its sha256) and register it for the
    shot. Returns (the still, whether it was there already). A failure leaves no new file."""
    from storyreel.tools.partial_files import replaced_when_written

    data = _png(frame)
    sha = hashlib.sha256(data).hexdigest()
    final = project.keyframes_dir / f"{sha}.png"
    new_file = not final.exists()
    if new_file or cached_file_digest(final) != sha:
        final.parent.mkdir(parents=True, exist_ok=True)
        with replaced_when_written(final) as partial:
            partial.write_bytes(data)
    still = Keyframe(
        shot_id=shot.id,
        number=1,  # given when it is registered
        path=final.relative_to(project.root).as_posix(),
        sha256=sha,
        backend=backend,
        seed=seed,
        content_hash=content_hash,
        created_at=_now(),
    )
    try:
        return project.memory.register_keyframe(still)
    except BaseException:
        if new_file:
            final.unlink(missing_ok=True)
        raise


def _refuse_shot(shot: Shot) -> None:
    """Refuse explicit stills for a shot whose first frame a still cannot be."""
    if shot.continues_from is not None:
        raise ConflictError(
            f"shot {shot.id} continues from shot {shot.continues_from}, so it opens on the last "
            f"frame of that shot's take and a still cannot open it: make stills for a shot "
            f"that starts fresh, or clear its continues-from first (storyreel shot update "
            f"{shot.id} --no-continues-from); nothing was made"
        )
    if shot.locked:
        raise ConflictError(
            f"shot {shot.id} is locked, so its first frame cannot change: unlock it first "
            f"(storyreel shot unlock {shot.id}); nothing was made"
        )


def _targets(
    project: Project, plan: StoryPlan, shot_ids: Sequence[int] | None, backend: str
) -> tuple[list[Shot], list[tuple[int, str]]]:
    """The shots to draw stills for, and (id, why) for the shots left alone.

    With ids: those shots (refused when one cannot open on a still). Without: every shot
    that has no still drawn from its request as it is now on `backend` (never drawn, or the
    shot changed since), except locked shots and shots that continue from another.
    """
    if shot_ids:
        wanted = {require_shot(plan, shot_id).id for shot_id in shot_ids}
        targets = [shot for shot in plan.ordered_shots() if shot.id in wanted]
        for shot in targets:
            _refuse_shot(shot)
        return targets, []
    targets, skipped = [], []
    candidates = []
    for shot in plan.ordered_shots():
        if shot.locked:
            skipped.append((shot.id, "locked"))
        elif shot.continues_from is not None:
            skipped.append((shot.id, f"opens on the last frame of shot {shot.continues_from}"))
        else:
            candidates.append(shot)
    states = shot_stills(project, plan, candidates)
    for shot in candidates:
        state = states[shot.id]
        fresh = state.fresh_for(backend)
        if not fresh:
            targets.append(shot)
        elif state.picked is not None and not state.stale:
            skipped.append((shot.id, f"still {state.picked.number} is picked and up to date"))
        else:
            numbers = ", ".join(str(k.number) for k in fresh)
            skipped.append(
                (
                    shot.id,
                    f"has fresh stills ({numbers}): pick one with storyreel keyframes pick "
                    f"{shot.id} N, or draw more with storyreel keyframes {shot.id}",
                )
            )
    order = {shot.id: shot.order for shot in plan.shots}
    return targets, sorted(skipped, key=lambda item: order[item[0]])


def _same_picture_note(backend: str, shot: Shot, seeds: list[int], kept: int) -> str:
    which = ", ".join(map(str, seeds))
    note = (
        f"shot {shot.id}: seed{'s' if len(seeds) > 1 else ''} {which} drew a picture it already "
        f"has, kept once ({kept} distinct candidate{'s' if kept != 1 else ''})"
    )
    if backend == "previz":
        note += (
            ": previz draws the plan, so its still changes with the seed only for a handheld "
            "camera; a diffusion backend's stills differ by seed"
        )
    return note


def make_keyframes(
    project: Project,
    executor: RenderExecutor,
    shot_ids: Sequence[int] | None = None,
    *,
    count: int = DEFAULT_COUNT,
    backend: str = "previz",
    on_still: StillListener | None = None,
    on_shot: Callable[[ShotCandidates], None] | None = None,
    on_step: StepListener | None = None,
    cancel: CancelToken | None = None,
    wait: bool = True,
    on_wait: WaitListener | None = None,
    sheet: Path | None = None,
    model: str | None = None,
    steps: int | None = None,
) -> KeyframesReport:
    """Draw `count` candidate stills per shot, register them, and draw the candidates sheet.

    Args:
        shot_ids: these shots (each refused, nothing made, when it continues from another
            or is locked); None: every shot that has no fresh still on this backend.
        count: candidates per shot, 1..MAX_COUNT, each with its own seed (after the seeds
            the shot's stills already used; the first is the shot's id, as for takes).
        backend: a backend that makes stills (`stills_backend`).
        on_still: called once per candidate drawn, as soon as it is registered.
        on_shot: called once per shot when its candidates are drawn (with its notes).
        on_step: progress of a still being drawn (shot id, step, total, message).
        cancel: stops between steps; the stills already drawn stay.
        wait: False refuses at once (ProjectBusyError) when another process renders.
        sheet: where to draw the sheet (default exports/keyframes-shotN.png for one shot,
            exports/keyframes.png for several).
        model: the backend's model (hub id or folder), as `render --model`; None: its
            configured one. A still keeps no record of the model: it is fresh for the shot
            as long as the shot's request is.
        steps: denoising steps of a diffusion drawer (default: the model's, or the
            `[keyframes]` steps); previz ignores it.

    Raises:
        InvalidInputError: `count` out of range, or a backend that cannot make stills.
        NotFoundError, ConflictError: an unknown shot, or one a still cannot open.
        ProjectBusyError: `wait` is False and another process renders this project.
    """
    from storyreel.renderer.gpu import project_settings
    from storyreel.renderer.request import CancelToken
    from storyreel.tools.partial_files import remove_dead_partials, write_problem

    if not 1 <= count <= MAX_COUNT:
        raise InvalidInputError(
            f"--count must be 1..{MAX_COUNT} candidates per shot, got {count}; nothing was made"
        )
    name = stills_backend(backend, shot_ids, project.root)
    _targets(project, project.memory.plan(), shot_ids, name)  # refusals before any wait
    project.keyframes_dir.mkdir(parents=True, exist_ok=True)
    problem = write_problem(project.keyframes_dir / "still.png")
    if problem is not None:
        folder = project.keyframes_dir
        raise StoryreelError(
            f"cannot write stills into {folder} ({problem}): make the folder writable (e.g. "
            f"chmod u+w {folder}) or free some disk space; nothing was made"
        )
    token = cancel or CancelToken()
    report = KeyframesReport(name)
    with (
        project.render_lock.holding(wait=wait, on_wait=on_wait, cancel=token),
        project_settings(project.root),  # GPU backends read this project's config
    ):
        plan = project.memory.plan()  # read again: another process may have changed it
        targets, report.skipped = _targets(project, plan, shot_ids, name)
        remove_dead_partials(project.keyframes_dir)
        states = shot_stills(project, plan, [s for s in targets if s.keyframe is not None])
        options = {k: v for k, v in (("model", model), ("steps", steps)) if v is not None}
        for shot in targets:
            drawn = _draw_candidates(
                project, executor, plan, shot, name, count, on_still, on_step, token, options
            )
            state = states.get(shot.id)
            if state is not None and state.stale:
                drawn.notes.insert(
                    0,
                    f"shot {shot.id}: its picked still {shot.keyframe} is stale (the shot changed "
                    "since it was drawn); it opens the shot until you pick one of the new ones",
                )
            report.shots.append(drawn)
            if on_shot is not None:
                on_shot(drawn)
    if any(row.stills for row in report.shots):
        report.sheet = _write_sheet(project, plan, report, sheet)
    return report


def _draw_candidates(
    project: Project,
    executor: RenderExecutor,
    plan: StoryPlan,
    shot: Shot,
    backend: str,
    count: int,
    on_still: StillListener | None,
    on_step: StepListener | None,
    cancel: CancelToken,
    options: dict[str, object] | None = None,
) -> ShotCandidates:
    """Draw `count` candidates of one shot, each with its own seed, and register them
    (`options` go into each still request's options: "model", "steps")."""
    from storyreel.renderer.gpu import current_settings
    from storyreel.tools.rendering import base_seed

    compiled = compiled_still(project, plan, shot, backend)
    drawer = backend
    if draws_with_model(backend, current_settings()):
        drawer = f"{backend}'s [keyframes] text-to-image model"
    known = project.memory.keyframes(shot.id)
    first_seed = max([k.seed for k in known] + [base_seed(shot) - 1]) + 1
    drawn = ShotCandidates(shot.id)
    repeated: list[int] = []

    def progress(step: int, total: int, message: str) -> None:
        if on_step is not None:
            on_step(shot.id, step, total, message)

    for seed in range(first_seed, first_seed + count):
        cancel.check()
        started = time.perf_counter()
        options_now = {**compiled.request.options, **(options or {})}
        request = compiled.request.model_copy(
            update={"seed": seed, "options": options_now}, deep=True
        )
        frame = render_still(executor, backend, request, progress, cancel)
        still, existed = _store_still(project, shot, frame, backend, seed, compiled.content_hash)
        seconds = time.perf_counter() - started
        if any(k.number == still.number for k in drawn.stills):
            repeated.append(seed)
            continue
        drawn.stills.append(still)
        if existed:
            message = (
                f"shot {shot.id}: seed {seed} drew still {still.number} again (the same picture)"
            )
        else:
            message = (
                f"shot {shot.id}: still {still.number} ({drawer}, seed {seed}, {seconds:.2f} s)"
            )
        if on_still is not None:
            on_still(StillOutcome(shot.id, still, not existed, seconds, message))
    if repeated:
        drawn.notes.append(_same_picture_note(backend, shot, repeated, len(drawn.stills)))
    return drawn


def sheet_path(project: Project, shot_ids: Sequence[int]) -> Path:
    """Where a run's candidates sheet goes by default: exports/keyframes-shotN.png for one
    shot, exports/keyframes.png for several."""
    if len(shot_ids) == 1:
        return project.exports_dir / f"keyframes-shot{shot_ids[0]}.png"
    return project.exports_dir / "keyframes.png"


def _write_sheet(
    project: Project, plan: StoryPlan, report: KeyframesReport, out: Path | None
) -> CandidateSheet:
    from storyreel.tools.storyboard import CandidatePanel, CandidateRow, write_candidates_sheet

    rows = []
    for drawn in report.shots:
        shot = plan.find_shot(drawn.shot_id)
        if shot is None or not drawn.stills:
            continue
        heading = (
            f"Shot {shot.id}: {shot.size.value}, {shot.angle.value.replace('_', ' ')}, "
            f"{shot.movement.value.replace('_', ' ')}, {shot.duration_s:g} s"
        )
        if shot.keyframe is not None:
            heading += f" (still {shot.keyframe} picked now)"
        panels = [
            CandidatePanel(k.number, project.file_of(k.path), f"seed {k.seed}")
            for k in drawn.stills
        ]
        rows.append(CandidateRow(shot.id, heading, shot.action, panels))
    ids = [row.shot_id for row in rows]
    example = f"storyreel keyframes pick {ids[0]} {rows[0].panels[0].number}"
    out = out if out is not None else sheet_path(project, ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_candidates_sheet(
        f"{plan.title}: candidate stills ({report.backend})",
        rows,
        out,
        footer=f"Pick one: storyreel keyframes pick SHOT N (e.g. {example})",
    )
