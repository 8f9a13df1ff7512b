"""Comparing one shot on several backends with identical inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.renderer.backend import register_backend
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.video_io import probe
from tests.conftest import Cli
from tests.render_helpers import small_demo


class InvertedPreviz(PrevizBackend):
    """A second renderer for the comparison: previz, colours inverted."""

    name = "inverted"

    def stream(self, request, progress, cancel):
        for frame in super().stream(request, progress, cancel):
            yield 255 - frame


def test_compare_renders_each_backend_with_one_seed(tmp_path: Path) -> None:
    register_backend("inverted", InvertedPreviz)
    small_demo(tmp_path / "demo").close()
    cli = Cli(tmp_path / "demo")
    cli("render", "3")
    out = cli("compare", "3", "--backends", "previz,inverted").stdout
    assert "previz     take 2" in out and "inverted   take 3" in out
    plan = cli.plan()
    takes = plan["shots"][2]["takes"]
    assert [(t["number"], t["backend"]) for t in takes] == [
        (1, "previz"),
        (2, "previz"),
        (3, "inverted"),
    ]
    assert takes[1]["seed"] == takes[2]["seed"]
    assert plan["shots"][2]["selected_take"] == 1  # the person picks the winner
    video = tmp_path / "demo" / "exports" / "compare-shot3.mp4"
    info = probe(video)
    assert info.height == 180 and info.width == 640 and info.frames == 36
    sheet = np.asarray(Image.open(tmp_path / "demo" / "exports" / "compare-shot3.png"))
    assert sheet.shape[0] > 2 * 180
    cli("select", "3", "3")
    assert cli.plan()["shots"][2]["selected_take"] == 3


def test_compare_needs_two_backends(tmp_path: Path) -> None:
    small_demo(tmp_path / "demo").close()
    result = Cli(tmp_path / "demo")("compare", "1", "--backends", "previz", expect=1)
    assert "at least two backends" in result.stderr


def test_backends_lists_previz_as_ready(tmp_path: Path) -> None:
    out = Cli(tmp_path)("backends", with_project=False).stdout
    assert out.startswith("cogvideox") or "previz     ready" in out
    assert "previz     ready" in out


def test_the_agent_compares_when_asked(tmp_path: Path) -> None:
    from storyreel.agent.session import Session

    register_backend("inverted", InvertedPreviz)
    small_demo(tmp_path / "demo").close()
    with Session(tmp_path / "demo", offline=True) as agent:
        list(agent.send("render shot 2"))
        events = list(agent.send("compare shot 2 on previz and inverted"))
        kinds = [e.data.get("kind") for e in events if e.type == "artifact"]
        assert kinds == ["comparison video", "comparison sheet"]
        assert "Compared shot 2: take 2 on previz, take 3 on inverted." in events[-1].text
        assert agent.project.memory.plan().find_shot(2).selected_take == 1
        events = list(agent.send("compare shot 2 on previz and sora"))
        assert "I cannot compare on sora" in events[-1].text
