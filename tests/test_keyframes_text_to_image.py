"""Keyframe stills from the `[keyframes]` text-to-image model (renderer/text_to_image.py).

A tiny random-weight PixArt-alpha pipeline, CPU, offline. The pictures are noise; what is
checked is what a person sees: stills for a backend that cannot draw them (cogvideox), at
the shot's size, one picture per seed, the pick opening the next take, `prefer = true`
for wan, and errors that say what to fix with nothing made.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from storyreel.agent.session import Session
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.ltx import LTXBackend
from storyreel.renderer.request import CancelToken, RenderCancelled, RenderRequest, no_progress
from storyreel.renderer.text_to_image import TextToImageStills
from storyreel.tools.keyframes import make_keyframes
from storyreel.tools.project import Project
from storyreel.tools.rendering import _Run, base_seed
from tests.conftest import Cli


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield TextToImageStills.build_tiny(tmp_path_factory.mktemp("t2i") / "pixart")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _settings(model: Path, **table: object) -> GpuSettings:
    return GpuSettings(keyframes={"model": str(model), "steps": 2, **table})


def _request(seed: int) -> RenderRequest:
    return RenderRequest(
        prompt="a woman in a red coat on a stone quay at dusk",
        negative_prompt="blurry",
        width=320,
        height=180,
        frames=1,
        fps=12,
        seed=seed,
    )


def _build(cli: Cli, model: Path, extra: str = "") -> None:
    cli("character", "add", "Mara", "-d", "a woman with black hair", "--wardrobe", "red coat")
    cli("location", "add", "Harbour", "-d", "a stone quay with boats", "-t", "dusk")
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("shot", "add", "Mara walks along the quay", "-c", "Mara", "-l", "Harbour", "--size", "LS")
    (cli.project / "storyreel-gpu.toml").write_text(
        f'[keyframes]\nmodel = "{model}"\nsteps = 2\n{extra}'
    )


def _stills(folder: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(folder / "story.db") as conn:
        return conn.execute(
            "select number, path, backend from keyframes where shot_id = 1 order by 1"
        ).fetchall()


def _pictures(folder: Path) -> list[np.ndarray]:
    found = []
    for _number, path, _backend in _stills(folder):
        with Image.open(folder / path) as image:
            found.append(np.asarray(image.convert("RGB")))
    return found


def test_a_still_has_the_requests_size_and_the_seed_decides_it(model: Path) -> None:
    drawer = TextToImageStills(_settings(model))
    first = drawer.still(_request(1), no_progress, CancelToken())
    again = drawer.still(_request(1), no_progress, CancelToken())
    other = drawer.still(_request(2), no_progress, CancelToken())
    assert first.shape == (180, 320, 3) and first.dtype == np.uint8
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert drawer.runtime.loads == 1  # kept warm


def test_cogvideox_stills_come_from_the_model_and_the_pick_opens_the_take(
    cli: Cli, model: Path
) -> None:
    _build(cli, model)
    made = cli("keyframes", "1", "--backend", "cogvideox", "--count", "2")
    assert "cogvideox's [keyframes] text-to-image model, seed" in made.stdout, made.stdout
    assert [(n, b) for n, _, b in _stills(cli.project)] == [(1, "cogvideox"), (2, "cogvideox")]
    pictures = _pictures(cli.project)
    assert all(p.shape == (180, 320, 3) for p in pictures)
    assert not np.array_equal(pictures[0], pictures[1])
    assert (cli.project / "exports" / "keyframes-shot1.png").is_file()  # the sheet
    cli("keyframes", "pick", "1", "2")
    project = Project.open(cli.project)
    try:
        run = _Run(project)
        shot = run.plan.find_shot(1)
        request = run.compiled(shot, base_seed(shot)).request
    finally:
        project.close()
    assert Path(request.first_frame or "") == cli.project / _stills(cli.project)[1][1]


def test_prefer_draws_wan_stills_with_the_model_but_never_previz_ones(
    cli: Cli, model: Path
) -> None:
    _build(cli, model, "prefer = true\n")  # no wan model exists here: the still is not wan's
    made = json.loads(cli("keyframes", "1", "--backend", "wan", "--count", "1", "--json").stdout)
    assert [s["number"] for s in made["shots"][0]["stills"]] == [1]
    cli("keyframes", "1", "--backend", "previz", "--count", "1")
    assert [b for _, _, b in _stills(cli.project)] == ["wan", "previz"]
    wan, previz = _pictures(cli.project)
    assert wan.std() > 0 and not np.array_equal(wan, previz)


def test_in_conversation_a_backend_without_stills_uses_the_model(cli: Cli, model: Path) -> None:
    _build(cli, model)
    with Session(
        cli.project, offline=True, auto_render=False, autopilot=True, backend="cogvideox"
    ) as session:
        events = list(session.send("make stills for shot 1"))
    reply = next(e.text for e in events if e.type == "reply")
    assert "previz" not in reply, reply
    assert {b for _, _, b in _stills(cli.project)} == {"cogvideox"}, reply


@pytest.mark.parametrize(
    ("table", "teaches"),
    [
        ("", "or set a text-to-image model for stills in storyreel-gpu.toml ([keyframes]"),
        ('[keyframes]\nmodel = "MODEL"\nsteps = 0\n', "[keyframes]: steps must be a whole"),
        ("[keyframes]\nsteps = 2\n", "[keyframes]: model must be a hub id or a folder"),
        ('[keyframes]\nmodel = "MODEL"\nwidth = 3\n', "[keyframes]: unknown key(s) width"),
        ('[keyframes]\nmodel = "VIDEO"\n', "is a LTXPipeline folder, not a text-to-image"),
        ('[keyframes]\nmodel = "/no/such/folder"\n', "/no/such/folder"),
    ],
)
def test_what_cannot_draw_stills_says_what_to_fix_and_makes_nothing(
    cli: Cli, model: Path, tmp_path: Path, table: str, teaches: str
) -> None:
    _build(cli, model)
    video = LTXBackend.build_tiny(tmp_path / "ltx") if "VIDEO" in table else None
    text = table.replace("MODEL", str(model)).replace("VIDEO", str(video))
    (cli.project / "storyreel-gpu.toml").write_text(text)
    failed = cli("keyframes", "1", "--backend", "cogvideox", expect=1)
    assert teaches in failed.stderr, failed.stderr
    assert "Traceback" not in failed.stderr
    assert _stills(cli.project) == []


def test_steps_asked_for_override_the_keyframes_table(cli: Cli, model: Path) -> None:
    _build(cli, model)  # [keyframes] steps = 2
    totals: set[int] = set()
    project = Project.open(cli.project)
    try:
        make_keyframes(
            project,
            RenderExecutor(),
            [1],
            count=1,
            backend="cogvideox",
            steps=3,
            on_step=lambda _shot, _step, total, _message: totals.add(total),
        )
    finally:
        project.close()
    assert totals == {3}


def test_a_still_reports_each_step_and_stops_when_cancelled(model: Path) -> None:
    drawer = TextToImageStills(_settings(model, steps=3))
    steps: list[tuple[int, int]] = []
    drawer.still(_request(1), lambda step, total, _m: steps.append((step, total)), CancelToken())
    assert steps == [(1, 3), (2, 3), (3, 3)]
    token = CancelToken()

    def cancel_at_first_step(_step: int, _total: int, _message: str) -> None:
        token.cancel()

    with pytest.raises(RenderCancelled):
        drawer.still(_request(1), cancel_at_first_step, token)
