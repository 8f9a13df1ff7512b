"""Making candidate stills in conversation (the `make_keyframes` action): the offline
director through the Session API on a real project (previz), then picking one; and in
Slack, the candidates sheet posted as one image whose caption lists the numbered choices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.agent.offline.director import OfflineDirector
from storyreel.agent.session import Session
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.edits import MakeKeyframes
from storyreel.tools.project import Project
from tests.conftest import Cli
from tests.fake_slack import FakeSlack
from tests.test_slack import Driver, make_bot, story_folder


@pytest.fixture
def film(cli: Cli, project_dir: Path) -> Path:
    """Three handheld shots (previz draws a handheld still differently per seed): 1 and 2
    in the kitchen, 3 at the harbour; no stills yet."""
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
    return project_dir


def state(folder: Path) -> tuple[list[int], dict[int, list[int]], dict[int, int | None]]:
    """The shot ids, each shot's still numbers, and each shot's pick."""
    project = Project.open(folder)
    try:
        shots = project.memory.plan().ordered_shots()
        stills = {s.id: [k.number for k in project.memory.keyframes(s.id)] for s in shots}
        return [s.id for s in shots], stills, {s.id: s.keyframe for s in shots}
    finally:
        project.close()


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("make stills for shot 3", [3]),
        ("show me some keyframes for the harbour shot", [3]),
        ("stills for shots 2 and 3", [2, 3]),
        ("make 2 stills for shot 1", [1]),
    ],
)
def test_the_offline_director_asks_for_stills_never_a_shot(
    film: Path, said: str, ids: list[int]
) -> None:
    project = Project.open(film)
    try:
        reply = OfflineDirector().direct(said, project.memory.plan(), {})
    finally:
        project.close()
    asked = [e for e in reply.edits if isinstance(e, MakeKeyframes)]
    assert [a.shot_ids for a in asked] == [ids], reply
    assert len(reply.edits) == 1
    assert asked[0].count == (2 if said.startswith("make 2") else 4)


def test_the_phrase_makes_stills_and_the_pick_follows(film: Path) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        events = list(session.send("show me some keyframes for the harbour shot"))
        reply = next(e.text for e in events if e.type == "reply")
        artifacts = [e for e in events if e.type == "artifact"]
        ids, stills, picks = state(film)
        assert ids == [1, 2, 3]  # no shot added
        assert stills == {1: [], 2: [], 3: [1, 2, 3, 4]}, reply
        assert len(artifacts) == 1
        sheet = Path(str(artifacts[0].data["path"]))
        assert sheet.is_file() and sheet.read_bytes().startswith(b"\x89PNG")
        assert sheet.name == "keyframes-shot3.png"
        assert "Shot 3: stills 1, 2, 3, 4" in reply
        assert 'say "use the second one for shot 3"' in reply
        assert "Shot 3: stills 1, 2, 3, 4" in str(artifacts[0].data["caption"])
        assert picks == {1: None, 2: None, 3: None}
        events = list(session.send("use the second one for shot 3"))
    assert state(film)[2] == {1: None, 2: None, 3: 2}


def test_stills_for_two_shots_draw_one_sheet(film: Path) -> None:
    with Session(film, offline=True, auto_render=False, autopilot=True) as session:
        events = list(session.send("stills for shots 2 and 3"))
    reply = next(e.text for e in events if e.type == "reply")
    sheets = [Path(str(e.data["path"])) for e in events if e.type == "artifact"]
    assert [p.name for p in sheets] == ["keyframes.png"], reply
    assert state(film)[1] == {1: [], 2: [1, 2, 3, 4], 3: [1, 2, 3, 4]}
    assert "Shot 2: stills 1, 2, 3, 4; Shot 3: stills 1, 2, 3, 4" in reply


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "slack.toml").write_text(
        '[allow]\nusers = ["UALICE"]\n\n[project]\nresolution = "180p"\nfps = 12\n'
    )
    return folder


def test_slack_posts_the_sheet_as_one_image_with_numbered_choices(
    projects: Path, slack: FakeSlack
) -> None:
    bot = make_bot(projects, slack, RenderExecutor())
    try:
        driver = Driver(bot, slack)
        root = driver.mention("Mara is a tall woman in a red raincoat.")
        driver.say("Open on Mara at the harbour, wide shot, handheld, 1 second.", root)
        driver.settle()
        shot_ids = state(story_folder(projects))[0]
        assert len(shot_ids) == 1
        before = len(slack.completed_uploads())
        driver.say(f"make stills for shot {shot_ids[0]}", root)
        driver.settle()
        sheets = [u for u in slack.completed_uploads()[before:] if u.title == "Candidate stills"]
        assert len(sheets) == 1, [u.title for u in slack.completed_uploads()]
        sheet = sheets[0]
        assert sheet.data.startswith(b"\x89PNG") and sheet.thread_ts == root
        numbers = state(story_folder(projects))[1][shot_ids[0]]
        assert numbers, "no stills were made"
        listed = ", ".join(map(str, numbers))
        assert f"Shot {shot_ids[0]}: stills {listed}" in sheet.comment, sheet.comment
        assert f"for shot {shot_ids[0]}" in sheet.comment
    finally:
        bot.wait_idle(60)
        bot.close()


def test_a_backend_without_stills_draws_them_on_previz_and_says_so(film: Path) -> None:
    with Session(
        film, offline=True, auto_render=False, autopilot=True, backend="cogvideox"
    ) as session:
        events = list(session.send("make stills for shot 3"))
    reply = next(e.text for e in events if e.type == "reply")
    assert "cogvideox cannot make stills, so I drew them with previz." in reply
    project = Project.open(film)
    try:
        assert {k.backend for k in project.memory.keyframes(3)} == {"previz"}, reply
    finally:
        project.close()
