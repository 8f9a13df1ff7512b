"""Picking candidate stills in conversation: the offline director through the Session API
on a real project whose stills tools.keyframes.make_keyframes drew (previz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.agent.llm_context import request_messages, stills_text
from storyreel.agent.llm_director import LLMDirector, LLMSettings
from storyreel.agent.session import Session
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.keyframes import make_keyframes
from storyreel.tools.project import Project
from tests.conftest import Cli


@pytest.fixture
def film(cli: Cli, project_dir: Path) -> Path:
    """Three handheld shots (previz draws a handheld still differently per seed): 1 in the
    kitchen, 2 in the kitchen, 3 at the harbour; four stills each for shots 2 and 3."""
    cli("character", "add", "Mara", "-d", "a woman with black hair", "--wardrobe", "red coat")
    cli("location", "add", "Harbour", "-d", "a stone quay with fishing boats", "-t", "dusk")
    cli("location", "add", "Kitchen", "-d", "a small kitchen with a table", "-t", "morning")
    cli("style", "--resolution", "180p", "--fps", "12")
    for action, place in (
        ("Mara pours tea", "Kitchen"),
        ("Mara reads the letter at the table", "Kitchen"),
        ("Mara waits by the fishing boats", "Harbour"),
    ):
        cli("shot", "add", action, "-c", "Mara", "-l", place, "--movement", "handheld")
    project = Project.open(project_dir)
    try:
        report = make_keyframes(project, RenderExecutor(), [2, 3], count=4)
        assert [len(row.stills) for row in report.shots] == [4, 4]
    finally:
        project.close()
    return project_dir


def picks(folder: Path) -> dict[int, int | None]:
    project = Project.open(folder)
    try:
        return {shot.id: shot.keyframe for shot in project.memory.plan().ordered_shots()}
    finally:
        project.close()


def say(session: Session, text: str) -> str:
    events = list(session.send(text))
    return "\n".join(e.text for e in events if e.type in ("reply", "problem", "notice"))


@pytest.mark.parametrize(
    ("said", "shot", "number"),
    [
        ("use the second one for shot 3", 3, 2),
        ("shot 3: take still 2", 3, 2),
        ("pick keyframe 4 for the harbour shot", 3, 4),
        ("go with number 1 for shot 2", 2, 1),
        ("Use still #3 for shot 2.", 2, 3),
    ],
)
def test_each_phrasing_picks_the_right_still_and_adds_no_shot(
    film: Path, said: str, shot: int, number: int
) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        reply = say(session, said)
    after = picks(film)
    assert after == {**{1: None, 2: None, 3: None}, shot: number}, reply
    assert f"still {number}" in reply


def test_the_still_of_the_shot_last_talked_about(film: Path) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        say(session, "make shot 2 slower")
        reply = say(session, "i like the third still best")
    assert picks(film) == {1: None, 2: 3, 3: None}, reply


def test_make_stills_draws_them_and_then_the_pick_follows(film: Path) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        reply = say(session, "show me some keyframes for the harbour shot")
        assert "Shot 3: stills 5, 6, 7, 8" in reply
        assert picks(film) == {1: None, 2: None, 3: None}
        reply = say(session, "i like the third still best")
    assert picks(film) == {1: None, 2: None, 3: 3}, reply


@pytest.mark.parametrize(
    ("said", "teaching"),
    [
        ("use the seventh one for shot 3", "Shot 3 has stills 1-4, not 7"),
        ("shot 2: take still 9", "Shot 2 has stills 1-4, not 9"),
        ("pick keyframe 2 for shot 1", "Shot 1 has no stills yet"),
        ("use still 2 for shot 8", "There is no shot 8"),
        ("the stills look great", 'say for example "use the second one for shot 3"'),
    ],
)
def test_a_number_the_shot_has_no_still_for_is_refused_and_nothing_changes(
    film: Path, said: str, teaching: str
) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        reply = say(session, said)
    assert teaching in reply
    assert picks(film) == {1: None, 2: None, 3: None}


@pytest.mark.parametrize("said", ["no still for shot 3", "drop the still on shot 3"])
def test_clearing_the_pick(film: Path, said: str) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        say(session, "use still 2 for shot 3")
        assert picks(film)[3] == 2
        reply = say(session, said)
    assert picks(film) == {1: None, 2: None, 3: None}, reply


def test_the_language_model_context_lists_each_shots_stills_and_the_stale_pick(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        say(session, "use still 2 for shot 3")
        say(session, "make shot 3 a close-up")  # the pick is now stale
        say(session, "thanks")
        memo = session.memo()
    project = Project.open(film)
    try:
        plan = project.memory.plan()
    finally:
        project.close()
    text = stills_text(plan, memo)
    assert "shot 2: 1-4; shot 3: 1-4 (2 picked, stale)." in text
    assert "shot 1" not in text
    assert stills_text(plan, {}) == ""
    director = LLMDirector(
        LLMSettings(base_url="http://127.0.0.1:9/v1", api_key="t", model="m", timeout_s=5)
    )
    monkeypatch.delenv("STORYREEL_LLM_CONTEXT", raising=False)
    system = request_messages(director, "hello", plan, [], dict(memo))[0]["content"]
    assert "Candidate stills (PickKeyframe" in system and "(2 picked, stale)" in system
