"""The plan-editing CLI: commands, forgiving input, readable errors that change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from storyreel.tools.project import Project
from tests.conftest import Cli


def build(cli: Cli) -> None:
    cli(
        "character",
        "add",
        "Mara",
        "-d",
        "woman, 30s, short black hair",
        "--wardrobe",
        "red raincoat",
    )
    cli("character", "add", "Tom", "-d", "old fisherman, white beard")
    cli(
        "location",
        "add",
        "Harbour",
        "-d",
        "stone quay",
        "--time-of-day",
        "dusk",
        "--key-light",
        "left",
    )
    cli("shot", "add", "Mara walks the quay", "--size", "wide shot", "-c", "Mara", "-l", "Harbour")
    cli(
        "shot",
        "add",
        "Tom hands her a letter",
        "--size",
        "MCU",
        "-c",
        "Tom,Mara",
        "-l",
        "harbour",
        "--dialogue",
        "This came for you.",
    )
    cli(
        "shot",
        "add",
        "Mara reads",
        "--size",
        "closeup",
        "--movement",
        "push in",
        "--lens",
        "85",
        "--duration",
        "3.5",
        "-c",
        "Mara",
        "-l",
        "Harbour",
        "--continues-from",
        "2",
    )


@pytest.fixture(scope="module")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story `build` makes, made once per module (each test gets a copy)."""
    folder = tmp_path_factory.mktemp("cli-template") / "film"
    Project.create(folder, title="Test Film").close()  # as the project_dir fixture does
    build(Cli(folder))
    return folder


@pytest.fixture
def built(built_template: Path, tmp_path: Path) -> Cli:
    """A fresh copy of the built story: the same plan, history and files as build(cli)."""
    folder = tmp_path / "film"
    shutil.copytree(built_template, folder)
    return Cli(folder)


def test_show_json_has_the_documented_shape(built: Cli) -> None:
    cli = built
    doc = cli.plan()
    assert set(doc) == {"story", "characters", "locations", "references", "shots"}
    assert doc["story"]["title"] == "Test Film"
    assert [c["name"] for c in doc["characters"]] == ["Mara", "Tom"]
    assert doc["characters"][0]["handle"] == "@mara"
    shot = doc["shots"][2]
    for key in (
        "id",
        "order",
        "action",
        "size",
        "angle",
        "movement",
        "lens_mm",
        "duration_s",
        "characters",
        "location",
        "time_of_day",
        "dialogue",
        "continues_from",
        "locked",
        "selected_take",
        "takes",
        "dialogue_speaker",
        "ots_over",
        "staging",
        "key_light_hardness",
        "key_light_kelvin",
    ):
        assert key in shot, key
    assert (shot["id"], shot["size"], shot["movement"], shot["lens_mm"]) == (
        3,
        "CU",
        "dolly_in",
        85,
    )
    assert (shot["duration_s"], shot["continues_from"], shot["time_of_day"]) == (3.5, 2, "dusk")
    assert doc["shots"][1]["characters"] == ["Tom", "Mara"]
    assert doc["shots"][1]["dialogue"] == "This came for you."
    assert (shot["locked"], shot["selected_take"], shot["takes"]) == (False, None, [])


def test_show_json_is_byte_stable(built: Cli) -> None:
    cli = built
    first = cli.raw_plan()
    assert cli.raw_plan() == first
    cli("shot", "update", "1", "--size", "ELS")
    assert cli.raw_plan() != first
    cli("undo")
    assert cli.raw_plan() == first
    cli("redo")
    cli("undo")
    assert cli.raw_plan() == first


def test_human_view_lists_bible_and_shots(built: Cli) -> None:
    cli = built
    text = cli("show").stdout
    assert "@mara" in text and "@harbour" in text and "(dusk, key light left)" in text
    assert "#3   CU" in text and "dolly_in" in text and "continues #2" in text
    assert '"This came for you."' in text


def test_move_remove_keep_ids(built: Cli) -> None:
    cli = built
    cli("shot", "update", "3", "--no-continues-from")
    cli("shot", "move", "3", "--after", "0")
    assert [s["id"] for s in cli.plan()["shots"]] == [3, 1, 2]
    cli("shot", "remove", "1")
    shots = cli.plan()["shots"]
    assert [(s["id"], s["order"]) for s in shots] == [(3, 1), (2, 2)]
    cli("shot", "add", "Gulls")
    assert [s["id"] for s in cli.plan()["shots"]] == [3, 2, 4]


def test_lock_and_unlock(built: Cli) -> None:
    cli = built
    cli("shot", "lock", "2")
    assert cli.plan()["shots"][1]["locked"] is True
    result = cli("shot", "update", "2", "--size", "CU", expect=1)
    assert "shot 2 is locked" in result.stderr
    cli("shot", "unlock", "2")
    cli("shot", "update", "2", "--size", "CU")
    assert cli.plan()["shots"][1]["size"] == "CU"


def test_character_and_location_update_remove(built: Cli) -> None:
    cli = built
    cli("character", "update", "tom", "--wardrobe", "navy sweater")
    assert cli.plan()["characters"][1]["wardrobe"] == "navy sweater"
    cli("location", "update", "Harbour", "--time-of-day", "night", "--key-light", "right")
    loc = cli.plan()["locations"][0]
    assert (loc["time_of_day"], loc["key_light"]["side"]) == ("night", "right")
    cli("location", "add", "Lighthouse", "-d", "lamp room")
    cli("location", "remove", "Lighthouse")
    assert [loc["name"] for loc in cli.plan()["locations"]] == ["Harbour"]


def test_history_marks_current_and_undone(built: Cli) -> None:
    cli = built
    cli("undo")
    lines = cli("history").stdout.splitlines()
    assert len(lines) == 7
    assert "Created the story" in lines[0]
    assert lines[-1].endswith("(undone)") and "Added shot 3" in lines[-1]
    assert lines[-2].startswith("*")


def test_style_command(cli: Cli) -> None:
    cli("style", "--aspect", "9:16", "--fps", "30", "--title", "Vertical")
    story = cli.plan()["story"]
    assert (story["aspect"], story["fps"], story["title"]) == ("9:16", 30, "Vertical")
    assert (story["width"], story["height"]) == (360, 640)


BAD_INPUTS = [
    (["shot", "add", "x", "--size", "huge"], "unknown shot size 'huge': use one of ECU, CU, MCU"),
    (["shot", "add", "x", "--movement", "whoosh"], "unknown camera movement 'whoosh'"),
    (
        ["shot", "add", "x", "--character", "Nobody"],
        "no character called 'Nobody' (known: Mara, Tom)",
    ),
    (["shot", "add", "x", "--location", "Moon"], "no location called 'Moon' (known: Harbour)"),
    (["character", "add", "MARA", "-d", "again"], "already used"),
    (["shot", "update", "42", "--size", "CU"], "no shot with id 42 (shots: 1, 2, 3)"),
    (["shot", "remove", "42"], "no shot with id 42"),
    (["shot", "move", "1", "--after", "42"], "no shot with id 42"),
    (["shot", "move", "2", "--after", "3"], "continues from shot 2, so it must come after it"),
    (["location", "add", "Moon", "-d", "x", "--time-of-day", "teatime"], "unknown time of day"),
    (["location", "add", "Moon", "-d", "x", "--key-light", "sideways"], "unknown key light side"),
    (["character", "remove", "Mara"], "appears in shot(s) 1, 2, 3"),
    (["style", "--aspect", "wide"], "aspect ratio 'wide' is not of the form W:H"),
    (["shot", "add", "x", "--duration", "-2"], "duration (seconds) must be greater than 0"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_nothing(
    built: Cli, args: list[str], message: str
) -> None:
    cli = built
    before = cli.raw_plan()
    history = cli("history").stdout
    result = cli(*args, expect=1)
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert cli.raw_plan() == before
    assert cli("history").stdout == history


def test_not_a_project(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nowhere")
    result = cli("show", expect=1)
    assert "project folder" in result.stderr and "does not exist" in result.stderr
    (tmp_path / "plain").mkdir()
    result = Cli(tmp_path / "plain")("shot", "add", "x", expect=1)
    assert "is not a storyreel project" in result.stderr
    assert not (tmp_path / "plain" / "story.db").exists()


def test_new_project_and_its_errors(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    out = cli(
        "new",
        str(tmp_path / "f"),
        "--title",
        "Mine",
        "--aspect",
        "4:3",
        "--fps",
        "25",
        with_project=False,
    )
    assert "Created 'Mine'" in out.stdout
    for sub in ("media/refs", "media/takes", "exports"):
        assert (tmp_path / "f" / sub).is_dir()
    doc = Cli(tmp_path / "f").plan()
    assert (doc["story"]["aspect"], doc["story"]["fps"]) == ("4:3", 25)
    again = cli("new", str(tmp_path / "f"), with_project=False, expect=1)
    assert "already a storyreel project" in again.stderr
    bad = cli("new", str(tmp_path / "g"), "--aspect", "0:9", with_project=False, expect=1)
    assert "aspect ratio" in bad.stderr
    assert not (tmp_path / "g" / "story.db").exists()


def test_demo_builds_the_story(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    out = cli("demo", "--out", str(tmp_path / "demo"), with_project=False)
    assert "The Letter" in out.stdout
    assert "shot 7: rendered take 1" in out.stdout
    doc = json.loads(Cli(tmp_path / "demo")("show", "--json").stdout)
    shots = doc["shots"]
    assert len(shots) >= 6 and len(doc["characters"]) == 2 and len(doc["locations"]) == 2
    assert len({s["size"] for s in shots}) >= 3 and len({s["movement"] for s in shots}) >= 3
    assert any(s["continues_from"] for s in shots) and any(s["dialogue"] for s in shots)
    assert all(s["selected_take"] == 1 and len(s["takes"]) == 1 for s in shots)
    exports = sorted(p.name for p in (tmp_path / "demo" / "exports").iterdir())
    assert exports == ["the-letter-storyboard.png", "the-letter.mp4", "the-letter.otio"]
    assert "Exported the cut" in out.stdout and "26 s" in out.stdout
    again = cli("demo", "--out", str(tmp_path / "demo"), with_project=False)
    assert "already in" in again.stdout
    assert "up to date" in again.stdout
    assert len(json.loads(Cli(tmp_path / "demo")("show", "--json").stdout)["shots"]) == len(shots)
