"""After automatic retakes, the selected take is the one the person was told about.

A retake the critic asked for renders with a new seed and, when the camera was
wrong, a retake hint in its prompt ("Strong, clearly visible camera movement...").
The take the person was told about ("I kept the latest take") must stay selected
on the turns after it until the shot's plan changes, and those turns must not
render or retake the shot again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.agent.events import AgentEvent
from storyreel.agent.session import Session
from storyreel.renderer.backend import register_backend
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import CancelToken, RenderRequest
from storyreel.tools.edits import AddShot, SetStyle, UpdateShot
from storyreel.tools.project import Project
from storyreel.tools.rendering import render_shots, takes_needing_render


class FrozenCamera(PrevizBackend):
    """A renderer whose camera never moves, however the prompt insists (a stubborn
    video model): every take of a moving shot is rejected, hint or not."""

    name = "frozen"

    def stream(
        self, request: RenderRequest, progress: object, cancel: CancelToken | None
    ) -> Iterator[object]:
        previz = {**request.options["previz"], "movement": "static"}
        still = request.model_copy(update={"options": {**request.options, "previz": previz}})
        yield from super().stream(still, progress, cancel)


@pytest.fixture(autouse=True)
def frozen_backend() -> None:
    register_backend("frozen", FrozenCamera)


def _film(tmp_path: Path, **moving: object) -> Path:
    """Shot 1 a still wide shot, shot 2 a moving one (a pan unless `moving` says)."""
    project = Project.create(tmp_path / "film", title="Retakes")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.memory.apply([AddShot(action="The sea", size="ELS", duration_s=2)])
    shot = {"action": "Mara at the quay", "size": "LS", "movement": "pan_left", "duration_s": 2}
    project.memory.apply([AddShot(**{**shot, **moving})])
    project.close()
    return tmp_path / "film"


def _critiques(events: list[AgentEvent], shot_id: int) -> list[tuple[int, str]]:
    return [
        (e.data["take"], e.data["verdict"])
        for e in events
        if e.type == "critique" and e.data["shot_id"] == shot_id
    ]


def _takes(events: list[AgentEvent], shot_id: int) -> list[int]:
    return [e.data["take"] for e in events if e.type == "take" and e.data["shot_id"] == shot_id]


def _selected(agent: Session, shot_id: int) -> int | None:
    shot = agent.project.memory.plan().find_shot(shot_id)
    assert shot is not None
    return shot.selected_take


def test_the_kept_retake_stays_selected_on_the_next_turns(tmp_path: Path) -> None:
    with Session(
        _film(tmp_path), offline=True, backend="frozen", autopilot=True, max_retakes=2
    ) as agent:
        first = list(agent.send("render"))
        assert _critiques(first, 2) == [(1, "retake"), (2, "retake"), (3, "retake")]
        assert "I kept the latest take (shot 2: take 3)" in first[-1].text
        assert _selected(agent, 2) == 3
        hinted = agent.project.memory.takes(2)[2]
        assert "clearly visible camera movement" in hinted.prompt  # the retake hint

        again = list(agent.send("render"))
        assert _takes(again, 2) == [] and _critiques(again, 2) == []
        assert "Every shot is already up to date." in again[-1].text
        assert _selected(agent, 2) == 3

        other = list(agent.send("make shot 1 3 seconds"))  # an unrelated edit renders shot 1
        assert _takes(other, 1) == [2] and _takes(other, 2) == []
        assert _critiques(other, 2) == []
        assert _selected(agent, 2) == 3
        assert [t.number for t in agent.project.memory.takes(2)] == [1, 2, 3]
        assert takes_needing_render(agent.project, agent.project.memory.plan().shots) == []


def test_kept_on_the_persons_word_stays_selected(tmp_path: Path) -> None:
    with Session(_film(tmp_path), offline=True, backend="frozen", max_retakes=1) as agent:
        list(agent.send("render"))
        question = agent.pending_question()
        assert question is not None and question.choices == ["keep", "try again"]
        kept = list(agent.send("keep"))
        assert "Kept the latest take of shot(s) 2 (shot 2: take 2) as you asked." in kept[-1].text
        assert _selected(agent, 2) == 2
        list(agent.send("render"))
        assert _selected(agent, 2) == 2
        assert agent.pending_question() is None


def test_a_changed_shot_renders_afresh_and_its_retakes_stay_bounded(tmp_path: Path) -> None:
    with Session(
        _film(tmp_path), offline=True, backend="frozen", autopilot=True, max_retakes=2
    ) as agent:
        list(agent.send("render"))
        changed = list(agent.send("make shot 2 3 seconds"))
        assert _critiques(changed, 2) == [(4, "retake"), (5, "retake"), (6, "retake")]
        takes = agent.project.memory.takes(2)
        assert "clearly visible camera movement" not in takes[3].prompt  # the plan's own
        assert _selected(agent, 2) == 6
        for message in ("render", "render", "make shot 1 3 seconds"):
            list(agent.send(message))
        assert _selected(agent, 2) == 6
        assert len(agent.project.memory.takes(2)) == 6  # three per turn that changed it


def test_crane_down_close_up_on_previz_keeps_the_take_it_reports(tmp_path: Path) -> None:
    """The reported case, on the stock previz renderer. Whatever the critic decides
    about previz's crane (retakes or not), the take reported last stays selected."""
    folder = _film(tmp_path, size="CU", movement="crane_down", action="Mara looks up")
    with Session(folder, offline=True, autopilot=True, max_retakes=2) as agent:
        first = list(agent.send("render"))
        reported = _takes(first, 2)
        assert 1 <= len(reported) <= 3
        assert _selected(agent, 2) == reported[-1]
        for message in ("render", "make shot 1 3 seconds", "render"):
            events = list(agent.send(message))
            assert _takes(events, 2) == [] and _critiques(events, 2) == []
            assert _selected(agent, 2) == reported[-1]


def test_a_hinted_take_is_up_to_date_for_the_plan_it_was_made_for(tmp_path: Path) -> None:
    project = Project.open(_film(tmp_path))
    try:
        executor = RenderExecutor()
        render_shots(project, executor, backend="frozen")
        retake = render_shots(
            project, executor, [2], backend="frozen", force=True, hints={2: "move"}
        )
        assert retake.rendered == [2]
        assert retake.outcomes[0].take is not None and retake.outcomes[0].take.number == 2
        plan = project.memory.plan()
        assert takes_needing_render(project, plan.shots) == []
        again = render_shots(project, executor, backend="frozen")
        assert again.with_status("up_to_date") == [1, 2] and again.revision is None
        assert project.memory.plan().find_shot(2).selected_take == 2

        project.memory.apply([UpdateShot(shot_id=2, movement="pan_right")])
        assert takes_needing_render(project, project.memory.plan().shots) == [2]
        changed = render_shots(project, executor, backend="frozen")
        assert changed.rendered == [2]
        fresh = changed.outcomes[1].take
        assert fresh is not None and fresh.number == 3
        assert "retake_hint" not in fresh.params["options"]
    finally:
        project.close()
