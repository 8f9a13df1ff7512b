"""Rendering on a Ray cluster: one worker per GPU (or N CPU workers), each keeping its
pipelines warm, rendering the takes a driver sends it.

The driver (the storyreel process the person talks to: `render --cluster`, `say`, the
chat app, the Slack bot) decides what needs rendering exactly as it does alone, and is
the only process that writes the story: a worker gets a self-contained request (with the
bytes of every file it names), renders and encodes the take as this machine would
(`renderer/take_file.py`), and sends the file back through Ray's object store, or writes
it into a folder every machine shares (`shared_folder`). The driver registers it.

Settings, from `[cluster]` in storyreel-gpu.toml or `--cluster ADDRESS`:

    address        "local:N" (a Ray cluster of N CPU workers on this machine, started and
                   stopped with the command), "auto" (the cluster `ray start --head` runs
                   on this machine), "HOST:6379" (a head node's address: this machine must
                   reach every node), or "ray://HOST:10001" (Ray Client, from a laptop);
                   "off" renders in this process
    workers        how many workers (default: one per GPU of the cluster, else one per CPU;
                   N for "local:N")
    shared_folder  a folder mounted at the same path on every machine (NFS, ...): take
                   files go through it instead of the object store
    retries        how many times a take whose worker was lost is tried again on another
                   worker (default 2)

A lost worker (its process killed, its machine gone) loses only the take it was
rendering: nothing of it is registered, the take is rendered again on another worker,
and the person is told.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyreel.renderer.backend import backend_factory, backend_names, register_backend
from storyreel.renderer.executor import RenderExecutor, TakeJob
from storyreel.renderer.gpu import GpuSettings, current_settings, given_settings
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    RenderCancelled,
    RenderRequest,
    no_progress,
)
from storyreel.renderer.take_file import MadeTake, pack_inputs, unpack_inputs
from storyreel.tools.errors import InvalidInputError, StoryreelError

RAY_MISSING = (
    "rendering on a cluster needs Ray, which is not installed here: "
    'pip install "storyreel[cluster]" (on this machine and on every machine of the cluster)'
)

BUILTIN = ("previz", "wan", "ltx", "cogvideox")
"""Backends every worker knows; others travel with the take (their class must import there)."""


@dataclass(frozen=True)
class ClusterSettings:
    """Where the cluster is and how to use it (see the module docstring)."""

    address: str
    workers: int | None = None
    shared_folder: str = ""
    retries: int = 2

    def __post_init__(self) -> None:
        address = self.address
        if address.startswith("local:"):
            count = address.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise InvalidInputError(
                    f"cluster address {address!r}: local:N needs a number of workers, e.g. local:2"
                )
        elif not address or " " in address:
            raise InvalidInputError(
                f"cluster address {address!r} is not one: use auto, HOST:6379, "
                "ray://HOST:10001 or local:N"
            )
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise InvalidInputError(
                f"cluster workers must be a whole number ≥ 1, got {self.workers!r}"
            )
        if not isinstance(self.retries, int) or self.retries < 0:
            raise InvalidInputError(
                f"cluster retries must be a whole number ≥ 0, got {self.retries!r}"
            )

    @property
    def local_workers(self) -> int | None:
        """N for "local:N", else None."""
        if self.address.startswith("local:"):
            return int(self.address.removeprefix("local:"))
        return None

    @classmethod
    def from_table(
        cls, table: dict[str, Any], address: str | None = None
    ) -> ClusterSettings | None:
        """The settings of a `[cluster]` table, `address` (a flag) overriding its address;
        None when there is no address or it is "off"."""
        unknown = set(table) - {"address", "workers", "shared_folder", "retries"}
        if unknown:
            raise InvalidInputError(
                f"unknown [cluster] setting(s) {', '.join(sorted(unknown))}: use address, "
                "workers, shared_folder, retries"
            )
        chosen = address if address is not None else table.get("address")
        if not chosen or str(chosen).lower() in ("off", "none", "no"):
            return None
        return cls(
            address=str(chosen),
            workers=table.get("workers"),
            shared_folder=str(table.get("shared_folder") or ""),
            retries=table.get("retries", 2),
        )


def cluster_settings(
    project_root: Path | None, address: str | None = None
) -> ClusterSettings | None:
    """The cluster a project renders on: `address` (from --cluster) or `[cluster]` in its
    storyreel-gpu.toml; None renders in this process."""
    from storyreel.renderer.gpu import load_settings

    try:
        table = load_settings(project_root).cluster
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
    return ClusterSettings.from_table(table, address)


def executor_for(project_root: Path | None, address: str | None = None) -> RenderExecutor:
    """The executor a front end renders with: a cluster's when one is configured (or
    asked for with `address`), else this process's."""
    settings = cluster_settings(project_root, address)
    return RenderExecutor() if settings is None else ClusterExecutor(settings)


LOOPBACK = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Set to 0 before Ray is imported, Ray runs as a cluster of this machine alone, on
127.0.0.1 (its single-machine mode): what `local:N` is, reachable from no other machine."""


def _ray(local: bool = False) -> Any:
    if local and "ray" not in sys.modules:
        os.environ.setdefault(LOOPBACK, "0")
    try:
        import ray
    except ImportError as error:
        raise InvalidInputError(RAY_MISSING) from error
    return ray


class RenderWorker:
    """What runs in each Ray actor: a warm executor that renders takes sent to it.

    Plain Python (wrapped with `ray.remote` when a cluster is opened), so it can be read
    and tested without Ray. Its methods are called concurrently: `render` in one thread,
    `progress` and `cancel` in others.
    """

    def __init__(self, shared_folder: str = "") -> None:
        self.executor = RenderExecutor()
        self.shared = Path(shared_folder) if shared_folder else None
        self.tokens: dict[str, CancelToken] = {}
        self.steps: dict[str, tuple[int, int, str]] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="storyreel-worker-"))
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def ready(self) -> str:
        """The worker's name (host:pid), once it is up."""
        return self.name

    def render(
        self,
        job_id: str,
        backend: str,
        request_json: str,
        packed: dict[str, bytes],
        settings: dict[str, Any],
        factory: Callable[[], Any] | None = None,
    ) -> dict[str, Any]:
        """Render one take; return its file (bytes, or its path in the shared folder),
        its stills, frame count, model and time."""
        token = self.tokens.setdefault(job_id, CancelToken())
        folder = self.folder / job_id
        try:
            if factory is not None and backend not in backend_names():
                register_backend(backend, factory)
            request = RenderRequest.model_validate_json(request_json)
            request = unpack_inputs(request, packed, folder / "inputs")
            partial = (self.shared or folder) / f"{job_id}.partial.mp4"
            partial.parent.mkdir(parents=True, exist_ok=True)

            def progress(step: int, total: int, message: str) -> None:
                self.steps[job_id] = (step, total, message)

            with given_settings(GpuSettings(**settings)):
                made = self.executor.make_take(backend, request, partial, progress, token)
            result: dict[str, Any] = {
                "frames": made.frames,
                "middle": made.middle,
                "last": made.last,
                "model": made.model,
                "render_s": made.render_s,
                "worker": self.name,
            }
            if self.shared is not None:
                result["path"] = str(partial)
            else:
                result["video"] = partial.read_bytes()
            return result
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self.tokens.pop(job_id, None)
            self.steps.pop(job_id, None)

    def progress(self, job_id: str) -> tuple[int, int, str] | None:
        """The last progress of a take being rendered (None before its first step)."""
        return self.steps.get(job_id)

    def cancel(self, job_id: str) -> None:
        """Stop a take (before or while it renders); its render raises RenderCancelled."""
        self.tokens.setdefault(job_id, CancelToken()).cancel()


_LOST = (
    "ActorDiedError",
    "ActorUnavailableError",
    "RayActorError",
    "NodeDiedError",
    "WorkerCrashedError",
    "ObjectLostError",
    "OwnerDiedError",
    "ObjectFetchTimedOutError",
)
"""Ray's errors that mean the worker (or its machine) was lost, not that the take failed."""


@dataclass(eq=False)
class _Attempt:
    job: TakeJob
    worker: Any
    name: str
    job_id: str
    ref: Any
    asked: Any = None
    asked_at: float = 0.0
    cancelled: bool = False


@dataclass(eq=False)
class _Queued:
    job: TakeJob
    tries: int = 0
    lost_on: list[str] = field(default_factory=list)


class ClusterExecutor(RenderExecutor):
    """Renders takes on a Ray cluster's workers, several at once (`slots` = live workers).

    Everything else (stills, comparisons' single takes, previews) renders in this process
    as the plain executor does. Ray is imported and the cluster joined on first use.
    """

    remote = True

    def __init__(self, settings: ClusterSettings) -> None:
        super().__init__()
        self.settings = settings
        self._ray: Any = None
        self._started_ray = False
        self._workers: list[tuple[Any, str]] = []
        self._idle: list[tuple[Any, str]] = []
        self._queue: collections.deque[_Queued] = collections.deque()
        self._running: dict[str, tuple[_Attempt, _Queued]] = {}
        self._jobs_lock = threading.RLock()
        self._count = 0
        self.lost: list[str] = []
        """Names of the workers lost so far."""

    # -- joining the cluster -------------------------------------------------------------

    def open(self) -> None:
        """Join (or start, for local:N) the cluster and start its workers; waits until
        every worker is up. Threads that ask at once wait for the one that opens it."""
        with self._jobs_lock:
            if not self._workers:
                self._open()

    def _open(self) -> None:
        ray = self._ray = _ray(local=self.settings.local_workers is not None)
        settings = self.settings
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": logging.ERROR,
            }
            if settings.local_workers is not None:
                options["num_cpus"] = settings.local_workers
            else:
                options["address"] = settings.address
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise StoryreelError(
                    f"could not reach the Ray cluster at {settings.address} ({error}): start it "
                    "with `ray start --head` on the head machine, or check the address"
                ) from error
            self._started_ray = True
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        count = settings.workers or settings.local_workers or gpus or int(resources.get("CPU", 1))
        actor = ray.remote(RenderWorker).options(
            num_cpus=0 if gpus else 1,
            num_gpus=1 if gpus else 0,
            max_concurrency=4,
            max_restarts=0,
        )
        handles = [actor.remote(settings.shared_folder) for _ in range(max(1, count))]
        try:
            names = ray.get([h.ready.remote() for h in handles], timeout=120)
        except Exception as error:
            for handle in handles:
                ray.kill(handle)
            raise StoryreelError(
                f"the cluster could not start {count} render worker(s) ({error}): check that "
                'every machine has storyreel installed (pip install "storyreel[cluster,gpu]") '
                "and free GPUs (ray status)"
            ) from error
        self._workers = list(zip(handles, names, strict=True))
        self._idle = list(self._workers)

    @property
    def slots(self) -> int:  # type: ignore[override]
        self.open()
        return max(1, len(self._workers))

    @property
    def workers(self) -> list[str]:
        """The live workers' names (host:pid)."""
        self.open()
        return [name for _, name in self._workers]

    # -- jobs ---------------------------------------------------------------------------

    def start(self, job: TakeJob, cancel: CancelToken | None = None) -> None:
        """Queue `job` and send it to a free worker; `finished` says when it has ended."""
        self.open()
        with self._jobs_lock:
            self._queue.append(_Queued(job))
            self._dispatch()

    def make_take(
        self,
        backend_name: str,
        request: RenderRequest,
        partial: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> MadeTake:
        """Render one take on a worker and wait for it."""
        job = TakeJob(-1, backend_name, request, partial, progress)
        self.start(job, cancel)
        while not self.finished([job], None, cancel):
            pass
        if job.error is not None:
            raise job.error
        assert job.made is not None
        return job.made

    def finished(
        self,
        jobs: list[TakeJob],
        timeout: float | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TakeJob]:
        """Those of `jobs` that ended, waiting up to `timeout` s for one (None: until one
        ends).

        Their progress reaches their callbacks here, on the caller's thread. With `cancel`
        set, every one of `jobs` still queued or rendering is stopped and ends with
        RenderCancelled. Several threads (the Slack bot's turns) may wait at once.
        """
        ray = self._ray
        deadline = None if timeout is None else time.monotonic() + timeout
        mine = {id(job) for job in jobs}
        while True:
            with self._jobs_lock:
                if cancel is not None and cancel.cancelled:
                    self._cancel(mine)
                self._dispatch()
                self._poll_progress(mine)
                refs = [attempt.ref for attempt, _ in self._running.values()]
            if refs:
                left = 0.1 if deadline is None else deadline - time.monotonic()
                ready, _ = ray.wait(refs, num_returns=len(refs), timeout=max(0.0, min(0.1, left)))
                with self._jobs_lock:
                    for ref in ready:
                        self._end(ref)
            ended = [job for job in jobs if job.ended]
            if ended or not jobs:
                return ended
            if deadline is not None and time.monotonic() >= deadline:
                return []
            if not refs:
                time.sleep(0.05)  # another thread's workers: wait for one to free up

    def stop(self, jobs: list[TakeJob]) -> None:
        """Stop `jobs` on their workers without waiting; nothing of them is registered."""
        stopping = {id(job) for job in jobs}
        with self._jobs_lock:
            self._queue = collections.deque(q for q in self._queue if id(q.job) not in stopping)
            for job_id, (attempt, _) in list(self._running.items()):
                if id(attempt.job) in stopping:
                    attempt.worker.cancel.remote(job_id)
                    del self._running[job_id]
                    self._idle.append((attempt.worker, attempt.name))

    def close(self) -> None:
        """Stop the workers; a cluster started here (local:N) is shut down."""
        ray = self._ray
        if ray is None:
            return
        for handle, _ in self._workers:
            with contextlib.suppress(Exception):  # already gone
                ray.kill(handle)
        self._workers, self._idle = [], []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False
        self._ray = None

    # -- inside ---------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while self._queue and self._idle:
            queued = self._queue.popleft()
            worker, name = self._idle.pop(0)
            job = queued.job
            self._count += 1
            job_id = f"take{self._count}"
            factory = None if job.backend in BUILTIN else backend_factory(job.backend)
            settings = dataclasses.asdict(current_settings())
            settings["cluster"] = {}
            ref = worker.render.remote(
                job_id,
                job.backend,
                job.request.model_dump_json(),
                pack_inputs(job.request),
                settings,
                factory,
            )
            self._running[job_id] = (_Attempt(job, worker, name, job_id, ref), queued)
        if self._queue and not self._workers:
            while self._queue:
                queued = self._queue.popleft()
                queued.job.error = StoryreelError(
                    f"every render worker of the cluster was lost ({', '.join(self.lost)}); "
                    "nothing more was rendered: check the machines (ray status) and render "
                    "again, finished takes are kept"
                )

    def _poll_progress(self, mine: set[int]) -> None:
        ray = self._ray
        now = time.monotonic()
        for job_id, (attempt, _) in self._running.items():
            if id(attempt.job) not in mine:
                continue
            if attempt.asked is not None:
                ready, _ = ray.wait([attempt.asked], timeout=0)
                if not ready:
                    continue
                try:
                    step = ray.get(attempt.asked)
                except Exception:  # the worker is gone: its render ref says so
                    step = None
                attempt.asked = None
                if step is not None:
                    attempt.job.progress(*step)
            if now - attempt.asked_at >= 0.25:
                attempt.asked = attempt.worker.progress.remote(job_id)
                attempt.asked_at = now

    def _end(self, ref: Any) -> None:
        ray = self._ray
        job_id = next((j for j, (a, _) in self._running.items() if a.ref == ref), None)
        if job_id is None:  # another thread waiting at the same time took it first
            return
        attempt, queued = self._running.pop(job_id)
        job = attempt.job
        try:
            result = ray.get(ref)
        except Exception as error:
            if type(error).__name__ in _LOST or _lost_cause(error):
                self._lose(attempt, queued)
                return
            self._idle.append((attempt.worker, attempt.name))
            job.error = _cause(error, job, attempt.name)
            return
        self._idle.append((attempt.worker, attempt.name))
        try:
            if "path" in result:
                shutil.move(result["path"], job.partial)
            else:
                job.partial.write_bytes(result["video"])
        except BaseException as error:
            job.partial.unlink(missing_ok=True)
            job.error = error
            return
        job.made = MadeTake(
            job.partial,
            result["frames"],
            result["middle"],
            result["last"],
            result["model"],
            result["render_s"],
            result["worker"],
        )

    def _lose(self, attempt: _Attempt, queued: _Queued) -> None:
        """A worker died while rendering: drop it, and try its take on another one."""
        self._workers = [w for w in self._workers if w[1] != attempt.name]
        self._idle = [w for w in self._idle if w[1] != attempt.name]
        self.lost.append(attempt.name)
        if self.settings.shared_folder:
            (Path(self.settings.shared_folder) / f"{attempt.job_id}.partial.mp4").unlink(
                missing_ok=True
            )
        queued.tries += 1
        queued.lost_on.append(attempt.name)
        job = queued.job
        what = f"shot {job.key}" if job.key >= 0 else "a take"
        if queued.tries > self.settings.retries:
            job.error = StoryreelError(
                f"{what} was lost with {queued.tries} render workers "
                f"({', '.join(queued.lost_on)}); nothing of it was kept: check the cluster "
                "(ray status) and render again"
            )
            return
        note = (
            f"The render worker {attempt.name} was lost while rendering {what}; nothing of "
            f"that take was kept, and it was rendered again on another worker."
        )
        job.notes.append(note)
        job.progress(0, 1, f"worker {attempt.name} lost: {what} starts again on another worker")
        self._queue.appendleft(queued)

    def _cancel(self, mine: set[int]) -> None:
        for job_id, (attempt, _) in self._running.items():
            if id(attempt.job) in mine and not attempt.cancelled:
                attempt.worker.cancel.remote(job_id)
                attempt.cancelled = True
        for queued in [q for q in self._queue if id(q.job) in mine]:
            self._queue.remove(queued)
            queued.job.error = RenderCancelled("the render was cancelled")


def _lost_cause(error: BaseException) -> bool:
    cause = getattr(error, "cause", None)
    return cause is not None and type(cause).__name__ in _LOST


def _cause(error: BaseException, job: TakeJob, worker: str) -> BaseException:
    """The error a take's render raised on its worker, as this process would have raised it."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, StoryreelError | RenderCancelled | ValueError):
        return cause
    what = f"shot {job.key}" if job.key >= 0 else "a take"
    detail = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
    return StoryreelError(f"{what} failed on render worker {worker}: {detail}")
