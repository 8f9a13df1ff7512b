"""Issue 17's papercuts, each as a person meets it: colour names in a palette, cinema aspect
ratios, `ref from-take` without a scope, "after shot 0" in conversation, the demo's output."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer
from pydantic import ValidationError

from storyreel.agent.director import DirectorReply
from storyreel.agent.offline import OfflineDirector
from storyreel.agent.session import Session
from storyreel.apps.cli import app
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, SetStyle, UpdateLocation
from storyreel.tools.project import DB_NAME, Project
from storyreel.tools.story import StoryPlan, Style, colour_hex
from tests.conftest import Cli

REPO = Path(__file__).resolve().parent.parent
NOT_A_COLOUR = "'misty blue' is not a colour I know: use a colour name such as navy, amber"


@pytest.fixture
def film(tmp_path: Path) -> Cli:
    """A small story: 180p at 6 fps, Mara, the harbour, one 1-second shot there."""
    project = Project.create(tmp_path / "film", title="Papercuts")
    edits = [
        SetStyle(resolution="180p", fps=6),
        AddCharacter(name="Mara", description="a tall woman"),
        AddLocation(name="Harbour", description="stone quay", palette=["#1f3a60"]),
        AddShot(action="Mara on the quay", characters=["Mara"], location="Harbour", duration_s=1),
    ]
    project.memory.apply(edits, source="test")
    project.close()
    return Cli(tmp_path / "film")


def _plan(cli: Cli) -> StoryPlan:
    project = Project.open(cli.project)
    try:
        return project.memory.plan()
    finally:
        project.close()


def _palette(cli: Cli) -> list[str]:
    return cli.plan()["locations"][0]["palette"]


# --- 1. palette colours ------------------------------------------------------------------


def test_colour_names_and_hex_codes_are_a_palette_that_renders(film: Cli) -> None:
    film("location", "update", "Harbour", "--palette", "Deep Blue, amber", "--palette", "#ABC")
    assert _palette(film) == ["deep blue", "amber", "#abc"]
    out = film("render", "--no-critique").stdout
    assert "shot 1: rendered take 1" in out and "left out" not in out
    assert colour_hex("deep blue") == "#000099"  # blue mixed towards black
    assert colour_hex("pale amber") == "#ffe599"  # amber mixed towards white
    assert colour_hex("navy blue") == colour_hex("navy") == "#000080"


def test_a_word_that_is_no_colour_is_refused_and_nothing_changes(film: Cli) -> None:
    before = film.raw_plan()
    bad = film("location", "update", "Harbour", "--palette", "teal, misty blue", expect=1)
    assert NOT_A_COLOUR in bad.stderr and "hex code like #1f3a60" in bad.stderr
    bad = film("location", "add", "Jetty", "-d", "planks", "--palette", "sparkly", expect=1)
    assert "'sparkly' is not a colour I know" in bad.stderr
    assert film.raw_plan() == before


def test_directors_edits_are_checked_too() -> None:
    """The LLM director's JSON and the offline director's edits are these same models."""
    reply = {
        "reply": "",
        "edits": [{"kind": "update_location", "name": "Harbour", "palette": ["misty blue"]}],
    }
    with pytest.raises(ValidationError, match=NOT_A_COLOUR):
        DirectorReply.model_validate(reply)
    with pytest.raises(ValidationError, match="'rgb' is not a colour"):
        AddLocation(name="Jetty", description="planks", palette=["teal", "rgb"])
    assert UpdateLocation(name="Jetty", palette="teal, Rust").palette == ["teal", "rust"]


def test_a_bad_palette_stored_by_an_older_version_is_left_out_not_a_crash(film: Cli) -> None:
    with sqlite3.connect(film.project / DB_NAME) as db:  # as an older storyreel stored it
        db.execute("update locations set palette = ?", (json.dumps(["misty blue", "amber"]),))
    db.close()
    assert _palette(film) == ["misty blue", "amber"]
    out = film("render", "--no-critique").stdout
    assert "shot 1: rendered take 1" in out
    assert "the palette of @harbour holds 'misty blue', not a colour: left out" in out
    said = film("say", "make shot 1 2 seconds", "--offline", "--yes").stdout
    assert "Traceback" not in said and "rendered take 2" in said
    assert film.plan()["shots"][0]["duration_s"] == 2  # the next message is applied


# --- 2. aspect ratios ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "size"),
    [
        ("2.39:1", "2.39:1", (860, 360)),
        ("1.85:1", "1.85:1", (668, 360)),
        ("2.35:1", "2.35:1", (848, 360)),
        ("2.39", "2.39:1", (860, 360)),
        ("4:3", "4:3", (480, 360)),
        ("16x9", "16:9", (640, 360)),
        ("9:16", "9:16", (360, 640)),
        ("1:1", "1:1", (360, 360)),
    ],
)
def test_cinema_ratios_have_even_frame_sizes(
    typed: str, stored: str, size: tuple[int, int]
) -> None:
    style = Style(aspect=typed)
    assert (style.aspect, style.frame_size()) == (stored, size)
    width, height = Style(aspect=typed, resolution="1080p").frame_size()
    assert width % 4 == 0 and height % 4 == 0 and min(width, height) == 1080


def test_style_aspect_takes_decimals_and_refuses_nonsense(film: Cli) -> None:
    film("style", "--aspect", "2.39:1")
    assert "2.39:1, 432x180" in film("show").stdout
    before = film.raw_plan()
    for typed, said in [
        ("wide", "aspect ratio 'wide' is not of the form W:H: use e.g. 16:9"),
        ("2.39:0", "aspect ratio '2.39:0' is not of the form W:H"),
        ("1.2.3", "aspect ratio '1.2.3' is not of the form W:H"),
        ("9:1", "aspect ratio '9:1' is too extreme"),
    ]:
        assert said in film("style", "--aspect", typed, expect=1).stderr
    assert film.raw_plan() == before
    reply = OfflineDirector().direct("make it 1.85:1", _plan(film), {"told_offline": True})
    assert [(e.kind, e.aspect) for e in reply.edits] == [("set_style", "1.85:1")]


# --- 3. ref from-take needs a scope --------------------------------------------------------


def test_ref_from_take_asks_which_shots_it_steers(film: Cli) -> None:
    film("shot", "add", "The boats", "-l", "Harbour", "--duration", "1")
    film("render", "1", "--no-critique")
    before = film.raw_plan()
    bad = film("ref", "from-take", "1", "1", "--frame", "3", expect=1)
    assert "say which shots the frame should steer" in bad.stderr
    assert all(flag in bad.stderr for flag in ("--entity NAME", "--shot ID", "--film"))
    bad = film("ref", "from-take", "1", "1", "--film", "--entity", "Mara", expect=1)
    assert "--film steers every shot; give it alone" in bad.stderr
    assert film.raw_plan() == before

    out = film("ref", "from-take", "1", "1", "--frame", "3", "--shot", "2").stdout
    assert "Added image reference @image1: frame 3 of shot 1 (take 1); it steers shot 2" in out
    assert "the frame" not in out
    out = film("ref", "from-take", "1", "1", "--frame", "first", "--film").stdout
    assert "the first frame of shot 1 (take 1); it steers every shot of the film" in out
    refs = film.plan()["references"]
    assert [(r["entity"], r["shot"], r["role"]) for r in refs] == [
        (None, 2, "style"),
        (None, None, "style"),
    ]


def test_in_conversation_a_frame_reference_without_a_name_asks_first(film: Cli) -> None:
    """ "use frame 3 of shot 1 as a reference" names nobody: the director asks whom it shows
    instead of steering every shot; naming a person or asking for the film's look does it."""
    film("render", "1", "--no-critique")
    before = film.raw_plan()
    with Session(film.project, offline=True, autopilot=True, auto_render=False) as agent:
        reply = list(agent.send("use frame 3 of shot 1 as a reference"))[-1].text
        assert "Whom or what does frame 3 of shot 1 show?" in reply
        assert "would steer every shot of the film" in reply
        assert film.raw_plan() == before
        said = " ".join(e.text for e in agent.send("use frame 3 of shot 1 as Mara's reference"))
        assert "Using frame 3 of shot 1 as Mara's reference." in said
        said = " ".join(
            e.text for e in agent.send("make the last frame of shot 1 a style reference")
        )
        assert "the last frame of shot 1 as a style reference for every shot" in said
    refs = film.plan()["references"]
    assert [(r["entity"], r["role"]) for r in refs] == [("Mara", "subject"), (None, "style")]


# --- 4. "after shot 0" in conversation -------------------------------------------------------


def test_after_shot_0_means_the_start_in_conversation_as_on_the_command_line(
    film: Cli,
) -> None:
    project = Project.open(film.project)
    project.memory.apply([AddShot(action="The boats"), AddShot(action="The lighthouse")])
    project.close()
    with Session(film.project, offline=True, autopilot=True, auto_render=False) as agent:
        reply = list(agent.send("move shot 3 after shot 0"))[-1].text
        assert "Shot 3 will open the film." in reply and "no shot 0" not in reply
        order = [s.id for s in agent.project.memory.plan().ordered_shots()]
        assert order == [3, 1, 2]
        list(agent.send("undo"))
    film("shot", "move", "3", "--after", "0")
    assert [s["id"] for s in sorted(film.plan()["shots"], key=lambda s: s["order"])] == order
    director, plan = OfflineDirector(), _plan(film)
    for said in ("put shot 2 behind shot zero", "move shot 2 after 0"):
        edits = director.direct(said, plan, {"told_offline": True}).edits
        assert [(e.kind, e.shot_id, e.after) for e in edits] == [("move_shot", 2, 0)]
    edits = director.direct("add a close-up of Mara after shot 0", plan, {}).edits
    assert [(e.kind, e.after) for e in edits] == [("add_shot", 0)]
    reply = director.direct("move shot 2 before shot 0", plan, {"told_offline": True})
    assert reply.edits == [] and "There is no shot 0" in reply.reply


# --- 5. the demo's output ----------------------------------------------------------------------


def test_the_demo_says_each_thing_once_and_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storyreel.agent import demo_conversation

    short = [
        "Call the film The Letter.",
        "Make it 180p, 6 fps.",
        "At the harbour at dusk: an establishing shot of the boats rocking, 1 second.",
        "render",
        "export",
    ]
    monkeypatch.setattr(demo_conversation, "DEMO_CONVERSATION", short)
    out = Cli(tmp_path)("demo", "--out", str(tmp_path / "demo"), with_project=False).stdout
    export = out[out.index("> export") :].splitlines()
    assert [line.split(":")[0].strip() for line in export[1:4]] == [
        "cut",
        "storyboard",
        "timeline",
    ]
    assert export[4].startswith("Exported the cut, the storyboard and the timeline to ")
    assert out.count("Every shot is already up to date.") == 1  # said by "render" only
    assert "Exporting the final cut." not in out


def test_the_demo_folder_is_ignored_by_git() -> None:
    demo = typer.main.get_command(app).commands["demo"]
    default = next(param.default for param in demo.params if param.name == "out")
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert f"/{Path(default).as_posix()}/" in ignored
