"""A stand-in for a GPU on a cluster: a backend that holds each take for a fixed time.

Used by tests/test_cluster.py and bench/cluster.py. Its takes cost wall-clock time, not
CPU (it sleeps while it "denoises"), so a run on K workers of a 2-core machine shows what
K GPUs would; it checks its cancel token every 20 ms and says its pid in its progress, so
a test can kill the worker that renders a given shot.
"""

from __future__ import annotations

import os
import time

import numpy as np

from storyreel.renderer.backend import Capabilities, register_backend
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

STEPS = 10


class HoldBackend:
    """Holds each take for `options["hold_s"]` seconds (default 0.5), in ten steps; its
    frames are one flat colour from the seed and the prompt."""

    name = "hold"
    capabilities = Capabilities(image_to_video=True)

    def load(self) -> None:
        """Nothing to load."""

    def unload(self) -> None:
        """Nothing to free."""

    def check_request(self, request: RenderRequest) -> None:
        """Every request is fine."""

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        hold = float(request.options.get("hold_s", 0.5))
        progress(0, STEPS, f"pid {os.getpid()}")
        for step in range(STEPS):
            until = time.monotonic() + hold / STEPS
            while time.monotonic() < until:
                cancel.check()
                time.sleep(0.02)
            progress(step + 1, STEPS, f"pid {os.getpid()}")
        seed = (request.seed * 7919 + sum(map(ord, request.prompt))) % 2**32
        colour = np.random.default_rng(seed).integers(0, 256, 3, dtype=np.uint8)
        frames = np.empty((request.frames, request.height, request.width, 3), np.uint8)
        frames[:] = colour
        return RenderResult(frames=frames, fps=request.fps)


def register() -> None:
    """Make "hold" a backend here (workers get it with each take)."""
    register_backend("hold", HoldBackend)
