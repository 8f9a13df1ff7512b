"""`storyreel render` critiques each new take as it is rendered, as the agent does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer import backend as backends
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import RenderRequest
from storyreel.tools import review
from storyreel.tools.edits import AddShot, SetStyle
from storyreel.tools.project import Project
from storyreel.tools.story import Critique
from tests.conftest import Cli


class AlwaysCut(PrevizBackend):
    """A renderer that loses the shot halfway: the second half of every take is another
    picture, a cut the critic rejects (as in tests/test_critic_loop.py)."""

    name = "alwayscut"

    def stream(self, request: RenderRequest, progress, cancel) -> Iterator[np.ndarray]:
        for index, frame in enumerate(super().stream(request, progress, cancel)):
            if index >= request.frames // 2:
                frame = np.full_like(frame, 255) - frame[::-1, ::-1]
            yield frame


class StopsOnTheQuay(PrevizBackend):
    """A renderer stopped with Ctrl-C while it renders the quay (shot 2)."""

    name = "stops"

    def stream(self, request: RenderRequest, progress, cancel) -> Iterator[np.ndarray]:
        if "quay" in request.prompt:
            raise KeyboardInterrupt
        yield from super().stream(request, progress, cancel)


@pytest.fixture(autouse=True)
def test_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the test renderers for this test only (as a plugin would register one)."""
    backends.backend_names()  # the built-in backends first
    monkeypatch.setitem(backends._REGISTRY, "alwayscut", AlwaysCut)
    monkeypatch.setitem(backends._REGISTRY, "stops", StopsOnTheQuay)


@pytest.fixture
def film(tmp_path: Path) -> Cli:
    """Two short shots at 180p and 12 fps: a static sea (3 s, so that a cut halfway is
    15 frames in, the critic's shortest scene) and a pan along the quay."""
    project = Project.create(tmp_path / "film", title="Critic")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.memory.apply(
        [
            AddShot(action="The sea", size="ELS", duration_s=3),
            AddShot(action="The quay", size="LS", movement="pan_left", duration_s=2),
        ]
    )
    project.close()
    return Cli(tmp_path / "film")


def _critiques(cli: Cli, shot_id: int) -> list[Critique | None]:
    """The stored critique of each take of a shot, read through the memory API."""
    project = Project.open(cli.project)
    try:
        return [take.critique for take in project.memory.takes(shot_id)]
    finally:
        project.close()


def _verdict_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Shot ")]


def test_each_new_take_gets_a_verdict_line_and_a_stored_critique(film: Cli) -> None:
    out = film("render").stdout.splitlines()
    assert len(out) == 5
    assert out[0].startswith("shot 1: rendered take 1 (previz, ")  # each take's line, then
    assert out[1] == "Shot 1, take 1: looks right."  # its verdict at once
    assert out[2].startswith("shot 2: rendered take 1 (previz, ")
    assert out[3] == "Shot 2, take 1: looks right."
    assert out[4] == "2 shot(s) rendered, 0 reused, 0 up to date, 0 locked."
    assert [c.verdict if c else None for c in _critiques(film, 1)] == ["accept"]
    assert film("takes", "2").stdout.rstrip().endswith("accept")

    again = film("render").stdout
    assert _verdict_lines(again) == []
    assert "0 shot(s) rendered, 0 reused, 2 up to date, 0 locked." in again

    forced = film("render", "2", "--force").stdout
    assert _verdict_lines(forced) == ["Shot 2, take 2: looks right."]
    assert [c.verdict if c else None for c in _critiques(film, 2)] == ["accept", "accept"]


def test_no_critique_prints_and_stores_no_verdict(film: Cli) -> None:
    out = film("render", "--no-critique").stdout
    assert _verdict_lines(out) == []
    assert "2 shot(s) rendered" in out
    assert _critiques(film, 1) == [None] and _critiques(film, 2) == [None]
    assert film("takes", "1").stdout.rstrip().endswith(".mp4")


def test_a_rejected_take_says_how_to_act_and_the_exit_code_stays_0(film: Cli) -> None:
    result = film("render", "1", "--backend", "alwayscut")  # exit code 0 is checked
    lines = result.stdout.splitlines()
    verdict = lines.index(next(line for line in lines if line.startswith("Shot 1, take 1:")))
    assert lines[verdict - 1].startswith("shot 1: rendered take 1 (alwayscut")
    assert lines[verdict].startswith("Shot 1, take 1: needs a retake. Shot 1 ")
    assert lines[verdict + 1] == (
        "  For a new take with a new seed: storyreel render 1 --force --backend alwayscut; "
        "or keep this one as it is."
    )
    stored = _critiques(film, 1)[0]
    assert stored is not None and stored.verdict == "retake"
    assert any(f.severity == "error" and f.message in lines[verdict] for f in stored.findings)
    # `storyreel critique` says it in the same words
    assert film("critique", "1").stdout.splitlines() == lines[verdict : verdict + 2]


def test_a_stopped_render_has_critiqued_the_takes_it_finished(film: Cli) -> None:
    result = film("render", "--backend", "stops", expect=130)
    assert "Shot 1, take 1: looks right." in result.stdout.splitlines()
    assert "Stopped. Finished takes are kept" in result.stderr
    assert [c.verdict if c else None for c in _critiques(film, 1)] == ["accept"]
    assert _critiques(film, 2) == []


def test_a_critic_that_fails_does_not_stop_the_render(
    film: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Critique:
        raise RuntimeError("the critic broke")

    monkeypatch.setattr(review, "review_take", broken)
    result = film("render")
    assert _verdict_lines(result.stdout) == []
    assert "2 shot(s) rendered, 0 reused" in result.stdout
    assert (
        "critic: could not check shot 2, take 1 (RuntimeError: the critic broke); "
        "the take is kept: check it later with storyreel critique 2"
    ) in result.stderr
