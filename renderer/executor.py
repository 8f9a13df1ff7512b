"""The in-process executor: keeps one warm instance per backend and renders requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np

from storyreel.renderer.backend import Backend, backend_factory
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    RenderRequest,
    RenderResult,
    no_progress,
)


class RenderExecutor:
    """Renders requests on named backends, loading each backend once per process.

    `loads[name]` counts how many times a backend was loaded (1 after any
    number of renders, unless `unload` was called in between).
    """

    def __init__(self) -> None:
        self._backends: dict[str, Backend] = {}
        self._lock = threading.Lock()
        self.loads: dict[str, int] = {}

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
