"""The in-process executor: keeps one warm instance per backend and renders requests.

Takes are rendered as jobs (`TakeJob`): `start` begins one, `finished` says which of the
caller's jobs ended (with their file or their error). This executor renders one take at a time,
inside `start`; a cluster executor (tools/cluster.py) has as many `slots` as workers
and renders its jobs in parallel while the caller goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.renderer.backend import Backend, backend_factory
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    RenderRequest,
    RenderResult,
    no_progress,
)
from storyreel.renderer.take_file import MadeTake, write_take

if TYPE_CHECKING:  # numpy is imported where frames are handled, not to start up
    import numpy as np


@dataclass(eq=False)
class TakeJob:
    """One take to render: the backend, the request, the file it goes to, how it ended.

    `key` is the caller's name for the job (the shot id). `progress` is called on the
    caller's thread. When the job has ended, exactly one of `made` and `error` is set;
    `notes` tell the person what happened on the way (a lost worker, a retry).
    """

    key: int
    backend: str
    request: RenderRequest
    partial: Path
    progress: ProgressCallback = no_progress
    made: MadeTake | None = None
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.made is not None or self.error is not None


class RenderExecutor:
    """Renders requests on named backends, loading each backend once per process.

    `loads[name]` counts how many times a backend was loaded (1 after any
    number of renders, unless `unload` was called in between).
    """

    slots = 1
    """How many takes render at once."""
    remote = False
    """True when takes render on other machines (whose models this one cannot check)."""

    def __init__(self) -> None:
        self._backends: dict[str, Backend] = {}
        self._lock = threading.Lock()
        self.loads: dict[str, int] = {}

    def make_take(
        self,
        backend_name: str,
        request: RenderRequest,
        partial: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> MadeTake:
        """Render `request` into the complete file `partial` (removed on any error)."""
        started = time.perf_counter()
        frames = self.stream(backend_name, request, progress, cancel)
        count, middle, last = write_take(frames, request, partial, backend_name)
        return MadeTake(
            partial,
            count,
            middle,
            last,
            self.backend(backend_name).name,
            round(time.perf_counter() - started, 3),
        )

    def start(self, job: TakeJob, cancel: CancelToken | None = None) -> None:
        """Render `job`; here it is rendered before this returns (its errors are raised
        at once, as the one take in progress fails)."""
        job.made = self.make_take(job.backend, job.request, job.partial, job.progress, cancel)

    def finished(
        self,
        jobs: list[TakeJob],
        timeout: float | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TakeJob]:
        """Those of `jobs` that have ended, waiting up to `timeout` seconds for one (None:
        until one ends). Several threads may wait on their own jobs at once."""
        return [job for job in jobs if job.ended]

    def stop(self, jobs: list[TakeJob]) -> None:
        """Stop rendering `jobs` (started, not yet handed back) without waiting for them;
        their files are never registered. Nothing runs in the background here."""

    def close(self) -> None:
        """Let go of what the executor holds beyond this process (nothing here)."""

    def backend(self, name: str) -> Backend:
        """The warm backend `name`, loading it on first use."""
        with self._lock:
            if name not in self._backends:
                backend = backend_factory(name)()
                backend.load()
                self._backends[name] = backend
                self.loads[name] = self.loads.get(name, 0) + 1
            return self._backends[name]

    def render(
        self,
        backend_name: str,
        request: RenderRequest,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> RenderResult:
        """Check and render `request` on `backend_name`; timings["render_s"] is added."""
        backend = self.backend(backend_name)
        backend.check_request(request)
        started = time.perf_counter()
        result = backend.render(request, progress, cancel or CancelToken())
        result.timings.setdefault("render_s", time.perf_counter() - started)
        return result

    def stream(
        self,
        backend_name: str,
        request: RenderRequest,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Iterator[np.ndarray]:
        """Frames of `request` one at a time (H, W, 3 uint8), as the backend makes them.

        Backends with a `stream` method produce frames lazily, so the caller can
        encode while rendering; others render the whole take first.
        """
        backend = self.backend(backend_name)
        backend.check_request(request)
        token = cancel or CancelToken()
        streaming = getattr(backend, "stream", None)
        if streaming is not None:
            yield from streaming(request, progress, token)
            return
        result = backend.render(request, progress, token)
        if result.frames is not None:
            yield from result.frames
        else:
            from storyreel.renderer.video_io import read_frames

            yield from read_frames(result.video_path)

    def unload(self, name: str | None = None) -> None:
        """Free one backend, or all of them."""
        with self._lock:
            names = [name] if name else list(self._backends)
            for each in names:
                backend = self._backends.pop(each, None)
                if backend is not None:
                    backend.unload()
