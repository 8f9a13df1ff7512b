"""Wan and LTX make keyframe stills with their own model: one frame of a take's request.

Tiny random-weight pipelines, CPU, offline. The pictures are noise; what is checked is the
size, that the seed decides the picture, and that a picked still opens the next video render
through the backend's image-to-video path.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")
pytest.importorskip("ftfy")

from storyreel.renderer.diffusers_runtime import first_frame_image
from storyreel.renderer.ltx import LTXBackend
from storyreel.renderer.request import CancelToken, RenderRequest, no_progress
from storyreel.renderer.wan import WanBackend
from storyreel.tools.keyframes import makes_stills
from storyreel.tools.project import Project
from storyreel.tools.rendering import _Run, base_seed
from tests.conftest import Cli

STEPS = 2
BACKENDS = {"wan": WanBackend, "ltx": LTXBackend}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The tiny Wan VACE and LTX pipelines, saved once."""
    root = tmp_path_factory.mktemp("still-models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield {
            "wan": WanBackend.build_tiny(root / "wan"),
            "ltx": LTXBackend.build_tiny(root / "ltx"),
        }


@pytest.fixture(scope="module")
def warm(models: dict[str, Path]) -> dict[str, Any]:
    """One warm backend of each kind, shared by the tests that only draw stills."""
    backends = {name: cls() for name, cls in BACKENDS.items()}
    for backend in backends.values():
        backend.load()
    return backends


def _request(model: Path, seed: int = 0, **fields: Any) -> RenderRequest:
    """A still request as tools/keyframes.py makes one: 180p, one frame, 12 fps."""
    return RenderRequest(
        prompt="a woman in a red coat on a stone quay at dusk",
        width=320,
        height=180,
        frames=1,
        fps=12,
        seed=seed,
        options={"model": str(model), "steps": STEPS},
        **fields,
    )


@pytest.mark.parametrize("name", ["wan", "ltx"])
def test_a_still_has_the_requests_size_and_the_seed_decides_it(
    name: str, warm: dict[str, Any], models: dict[str, Path]
) -> None:
    assert makes_stills(name)
    backend = warm[name]
    steps: list[tuple[int, int]] = []
    first = backend.still(
        _request(models[name], seed=3), lambda s, t, _m: steps.append((s, t)), CancelToken()
    )
    # 320x180 is not a multiple of 16 (Wan) or 32 (LTX): rendered snapped, given back as asked
    assert first.shape == (180, 320, 3) and first.dtype == np.uint8
    assert steps and steps[-1][1] >= STEPS  # progress as for a take
    again = backend.still(_request(models[name], seed=3), no_progress, CancelToken())
    other = backend.still(_request(models[name], seed=4), no_progress, CancelToken())
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_cancelled_still_draws_nothing(warm: dict[str, Any], models: dict[str, Path]) -> None:
    from storyreel.renderer.request import RenderCancelled

    token = CancelToken()
    token.cancel()
    with pytest.raises(RenderCancelled):
        warm["wan"].still(_request(models["wan"]), no_progress, token)


def _build(cli: Cli, models: dict[str, Path]) -> None:
    """A one-shot story at 180p whose GPU settings point wan and ltx at the tiny models."""
    cli("character", "add", "Mara", "-d", "a woman with black hair", "--wardrobe", "red coat")
    cli("location", "add", "Harbour", "-d", "a stone quay with boats", "-t", "dusk")
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("shot", "add", "Mara walks along the quay", "-c", "Mara", "-l", "Harbour", "--size", "LS")
    (cli.project / "storyreel-gpu.toml").write_text(
        f'models = {{wan = "{models["wan"]}", ltx = "{models["ltx"]}"}}\n'
    )


def _stills(folder: Path) -> list[tuple[int, str, str, int]]:
    with sqlite3.connect(folder / "story.db") as conn:
        return conn.execute(
            "select number, path, backend, seed from keyframes where shot_id = 1 order by 1"
        ).fetchall()


def _next_request(folder: Path) -> RenderRequest:
    project = Project.open(folder)
    try:
        run = _Run(project)
        shot = run.plan.find_shot(1)
        return run.compiled(shot, base_seed(shot)).request
    finally:
        project.close()


@pytest.mark.parametrize("name", ["wan", "ltx"])
def test_pick_a_still_and_the_next_take_starts_from_it_on_image_to_video(
    name: str,
    cli: Cli,
    models: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _build(cli, models)
    (cli.project / "storyreel-gpu.toml").unlink()  # the model and steps come from the flags
    made = json.loads(
        cli(
            "keyframes", "1", "--backend", name, "--count", "2", "--json",
            "--model", str(models[name]), "--steps", str(STEPS),
        ).stdout
    )  # fmt: skip
    assert made  # one JSON document
    stills = _stills(cli.project)
    assert [(row[0], row[2]) for row in stills] == [(1, name), (2, name)]
    pictures = []
    for _number, path, _backend, _seed in stills:
        with Image.open(cli.project / path) as image:
            pictures.append(np.asarray(image.convert("RGB")))
    assert all(p.shape == (180, 320, 3) for p in pictures)
    assert not np.array_equal(pictures[0], pictures[1])  # two seeds, two pictures

    assert _next_request(cli.project).first_frame is None
    cli("keyframes", "pick", "1", "2")
    request = _next_request(cli.project)
    assert request.first_frame is not None
    assert Path(request.first_frame) == cli.project / stills[1][1]

    # the take renders through the image-to-video path, from that very picture
    backend = BACKENDS[name]()
    adapted, _ = backend.adapt(request)
    options = {**adapted.options, "steps": STEPS, "model": str(models[name])}
    short = adapted.model_copy(update={"frames": 9, "options": options})
    if name == "wan":
        calls: list[dict[str, Any]] = []
        from diffusers import WanVACEPipeline

        real_call = WanVACEPipeline.__call__

        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(kwargs)
            return real_call(self, *args, **kwargs)

        monkeypatch.setattr(WanVACEPipeline, "__call__", spy)
        result = backend.render(short, no_progress, CancelToken())
        assert result.metadata["pipeline"] == "WanVACEPipeline"
        assert result.metadata["mode"].startswith("first_frame")
        given = np.asarray(calls[-1]["video"][0])
        assert np.array_equal(given, np.asarray(first_frame_image(short)))  # the picked still
        assert np.array_equal(np.asarray(calls[-1]["mask"][0]), np.zeros_like(given[..., 0]))
    else:
        result = backend.render(short, no_progress, CancelToken())
        assert result.metadata["kind"] == "i2v"
    assert result.frames.shape[1:] == (short.height, short.width, 3)
