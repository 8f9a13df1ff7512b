"""The renderer contract: request hashes, results, the registry and the executor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer.backend import Capabilities, backend_names, register_backend
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import (
    CancelToken,
    ReferenceInput,
    RenderCancelled,
    RenderRequest,
    RenderResult,
)


def test_hashes_follow_content_and_seed(tmp_path: Path) -> None:
    image = tmp_path / "mara.png"
    image.write_bytes(b"first version")
    ref = ReferenceInput(path=str(image), kind="image", role="subject", subject="Mara")
    one = RenderRequest(prompt="Mara on the quay", seed=1, references=[ref])
    two = one.model_copy(update={"seed": 2})
    assert one.content_hash() == two.content_hash()
    assert one.request_hash() != two.request_hash()
    before = one.request_hash()
    image.write_bytes(b"second version")  # same path, new bytes: a different request
    assert one.request_hash() != before
    moved = tmp_path / "copy.png"
    moved.write_bytes(b"second version")
    same_bytes = one.model_copy(
        update={"references": [ref.model_copy(update={"path": str(moved)})]}
    )
    assert same_bytes.request_hash() == one.request_hash()


def test_result_checks_its_frames() -> None:
    with pytest.raises(ValueError, match="needs frames or a video_path"):
        RenderResult()
    with pytest.raises(ValueError, match=r"uint8 of shape \(N, H, W, 3\)"):
        RenderResult(frames=np.zeros((2, 4, 4), np.uint8))


class _Solid:
    """A plugin-style backend without streaming: renders solid grey frames."""

    name = "solid"
    capabilities = Capabilities()
    loaded = 0

    def load(self) -> None:
        type(self).loaded += 1

    def check_request(self, request: RenderRequest) -> None:
        if request.width % 2:
            raise ValueError(f"width must be even for solid, got {request.width}")

    def render(self, request, progress, cancel) -> RenderResult:
        for step in range(request.frames):
            cancel.check()
            progress(step + 1, request.frames, "frame")
        frames = np.full((request.frames, request.height, request.width, 3), 128, np.uint8)
        return RenderResult(frames=frames, fps=request.fps)

    def unload(self) -> None:
        pass


def test_registry_and_executor_keep_backends_warm() -> None:
    register_backend("solid", _Solid)
    assert {"previz", "solid"} <= set(backend_names())
    executor = RenderExecutor()
    request = RenderRequest(prompt="x", width=32, height=16, frames=3)
    steps: list[tuple[int, int]] = []
    frames = list(executor.stream("solid", request, lambda s, t, m: steps.append((s, t))))
    assert len(frames) == 3 and frames[0].shape == (16, 32, 3)
    executor.render("solid", request)
    assert executor.loads["solid"] == 1 and _Solid.loaded == 1
    assert steps[-1] == (3, 3)
    with pytest.raises(ValueError, match="width must be even for solid, got 33"):
        executor.render("solid", request.model_copy(update={"width": 33}))
    token = CancelToken()
    token.cancel()
    with pytest.raises(RenderCancelled):
        executor.render("solid", request, cancel=token)


def test_unknown_backend_lists_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown backend 'sora': use one of .*previz"):
        RenderExecutor().backend("sora")


class TextOnlyPreviz(PrevizBackend):
    """A plugin renderer that cannot start from a picture."""

    name = "textonly"
    capabilities = Capabilities(image_to_video=False)


def test_a_shot_that_continues_is_refused_by_a_text_only_renderer(tmp_path: Path) -> None:
    from tests.conftest import Cli

    register_backend("textonly", TextOnlyPreviz)
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("shot", "add", "The boats", "--duration", "1")
    cli("shot", "add", "The same boats", "--duration", "1", "--continues-from", "1")
    result = cli("render", "--backend", "textonly", expect=1)
    assert (
        "shot 2 opens on the last frame of shot 1, and textonly cannot start from a picture"
        in result.stderr
    )
    assert "storyreel shot update 2 --no-continues-from" in result.stderr
    shots = cli.plan()["shots"]
    assert [len(s["takes"]) for s in shots] == [1, 0]  # shot 1 rendered and kept
    cli("shot", "update", "2", "--no-continues-from")
    assert "1 shot(s) rendered" in cli("render", "--backend", "textonly").stdout
