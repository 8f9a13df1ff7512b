"""The critic inside the agent loop: bounded automatic retakes, then a question."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storyreel.agent.events import AgentEvent
from storyreel.agent.session import Session
from storyreel.renderer.backend import Capabilities, register_backend
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import RenderRequest
from storyreel.tools.edits import AddShot, SetStyle
from storyreel.tools.project import Project


class CutOnFirstSeed(PrevizBackend):
    """A renderer that splices a foreign picture into the middle of a take when
    the seed is odd - like a video model that loses the shot. Even seeds are clean."""

    name = "cutty"
    capabilities = Capabilities(image_to_video=True, max_reference_images=9)

    def stream(self, request: RenderRequest, progress, cancel):
        for index, frame in enumerate(super().stream(request, progress, cancel)):
            if request.seed % 2 == 1 and index >= request.frames // 2:
                frame = np.full_like(frame, 255) - frame[::-1, ::-1]
            yield frame


class AlwaysCut(CutOnFirstSeed):
    name = "alwayscut"

    def stream(self, request: RenderRequest, progress, cancel):
        yield from super().stream(request.model_copy(update={"seed": 1}), progress, cancel)


@pytest.fixture(autouse=True)
def backends() -> None:
    register_backend("cutty", CutOnFirstSeed)
    register_backend("alwayscut", AlwaysCut)


def _film(tmp_path: Path) -> Path:
    project = Project.create(tmp_path / "film", title="Critic")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.memory.apply([AddShot(action="The sea", size="ELS", duration_s=3)])
    project.close()
    return tmp_path / "film"


def _critiques(events: list[AgentEvent]) -> list[tuple[int, str]]:
    return [(e.data["take"], e.data["verdict"]) for e in events if e.type == "critique"]


def test_clean_previz_take_is_accepted(tmp_path: Path) -> None:
    with Session(_film(tmp_path), offline=True) as agent:
        events = list(agent.send("render"))
        assert _critiques(events) == [(1, "accept")]
        take = agent.project.memory.takes(1)[0]
        assert take.critique is not None and take.critique.verdict == "accept"


def test_broken_take_is_retaken_automatically(tmp_path: Path) -> None:
    with Session(_film(tmp_path), offline=True, backend="cutty") as agent:
        events = list(agent.send("render"))
        assert _critiques(events) == [(1, "retake"), (2, "accept")]
        found = next(e for e in events if e.type == "critique")
        assert "cuts to a different picture" in found.text
        assert agent.project.memory.plan().find_shot(1).selected_take == 2
        assert "retakes: shot 1 (1x)" in events[-1].text


def test_retakes_are_bounded_then_the_agent_asks(tmp_path: Path) -> None:
    with Session(_film(tmp_path), offline=True, backend="alwayscut", max_retakes=2) as agent:
        events = list(agent.send("render"))
        assert _critiques(events) == [(1, "retake"), (2, "retake"), (3, "retake")]
        question = agent.pending_question()
        assert question is not None and question.choices == ["keep", "try again"]
        assert "After 2 retakes, shot(s) 1 still have problems" in question.question
        events = list(agent.send("keep"))
        assert "Kept the latest take of shot(s) 1" in events[-1].text
        assert [t.number for t in agent.project.memory.takes(1)] == [1, 2, 3]


def test_autopilot_keeps_the_last_take_without_asking(tmp_path: Path) -> None:
    with Session(
        _film(tmp_path), offline=True, backend="alwayscut", autopilot=True, max_retakes=1
    ) as agent:
        events = list(agent.send("render"))
        assert _critiques(events) == [(1, "retake"), (2, "retake")]
        assert agent.pending_question() is None
        assert "still have problems after 1 retakes" in events[-1].text


class StiffCamera(PrevizBackend):
    """A renderer whose camera only moves when the prompt insists, like a timid video model."""

    name = "stiff"

    def stream(self, request: RenderRequest, progress, cancel):
        if "clearly visible camera movement" not in request.prompt:
            previz = {**request.options["previz"], "movement": "static"}
            request = request.model_copy(update={"options": {**request.options, "previz": previz}})
        yield from super().stream(request, progress, cancel)


def test_a_camera_that_did_not_move_is_retaken_with_the_move_stressed(tmp_path: Path) -> None:
    register_backend("stiff", StiffCamera)
    folder = _film(tmp_path)
    project = Project.open(folder)
    project.memory.apply([AddShot(action="The quay", size="LS", movement="pan_left")])
    project.close()
    with Session(folder, offline=True, backend="stiff") as agent:
        events = list(agent.send("render shot 2"))
        takes = agent.project.memory.takes(2)
    assert _critiques(events) == [(1, "retake"), (2, "accept")]
    notice = next(e.text for e in events if e.type == "notice" and "Retaking" in e.text)
    assert notice == (
        "Retaking shot(s) 2 with a new seed; asking for shot 2 (a clearer camera move)."
    )
    assert "clearly visible camera movement" not in takes[0].prompt
    assert takes[1].prompt.endswith(
        "Strong, clearly visible camera movement from start to end: camera pans left."
    )


class Broken(PrevizBackend):
    """A renderer with a bug: it raises an error that is not storyreel's own."""

    name = "broken"

    def stream(self, request: RenderRequest, progress, cancel):
        raise RuntimeError("shape '[1, 1, 40, -1]' is invalid")
        yield  # pragma: no cover


def test_a_renderer_bug_is_said_and_the_next_message_is_applied(tmp_path: Path) -> None:
    register_backend("broken", Broken)
    with Session(_film(tmp_path), offline=True, backend="broken") as agent:
        events = list(agent.send("render"))
        said = " ".join(e.text for e in events)
        assert "the broken renderer failed (RuntimeError: shape" in said
        assert "plan and the takes already made are kept" in said
        list(agent.send("A gull lands on the rail. Wide shot."))
        plan = agent.project.memory.plan()
        assert any("ull lands" in shot.action for shot in plan.shots)  # not stuck on the old turn
