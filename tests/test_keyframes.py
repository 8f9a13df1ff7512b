"""Keyframes: candidate stills drawn, registered, shown, picked, rendered from and checked.

Real SQLite, real previz, real files: every still is decoded, every take's first frame too.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.apps.cli import app
from storyreel.renderer import backend as registry
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken, RenderRequest
from storyreel.renderer.video_io import read_frames
from storyreel.tools.critic_metrics import frame_match
from storyreel.tools.edits import EditContext, PickKeyframe, apply_edits
from storyreel.tools.errors import StoryreelError
from storyreel.tools.keyframes import make_keyframes
from storyreel.tools.memory import RenderSelection
from storyreel.tools.migrations import migrations
from storyreel.tools.project import Project
from storyreel.tools.rendering import _Run, base_seed
from storyreel.tools.story import StoryPlan, Take
from storyreel.tools.storyboard import THUMB_WIDTH
from tests.conftest import Cli


def build(cli: Cli) -> None:
    """A small story at 180p, 12 fps: 1 a still wide shot, 2 a handheld medium shot (previz
    draws its still differently per seed), 3 continues from 2."""
    cli("character", "add", "Mara", "-d", "a woman with black hair", "--wardrobe", "red coat")
    cli("location", "add", "Harbour", "-d", "a stone quay with boats", "-t", "dusk")
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("shot", "add", "Mara walks along the quay", "-c", "Mara", "-l", "Harbour", "--size", "LS")
    cli("shot", "add", "Mara looks around", "-c", "Mara", "-l", "Harbour", "--movement", "handheld")
    cli(
        "shot",
        "add",
        "Mara reads the letter",
        "-c",
        "Mara",
        "-l",
        "Harbour",
        "--continues-from",
        "2",
    )


def keyframes(cli: Cli, *args: str) -> dict:
    """`storyreel keyframes ... --json` as a document."""
    return json.loads(cli("keyframes", *args, "--json").stdout)


def rows(folder: Path) -> list[tuple]:
    with sqlite3.connect(folder / "story.db") as conn:
        return conn.execute(
            "select shot_id, number, path, sha256, backend, seed from keyframes order by 1, 2"
        ).fetchall()


def picture(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def media(folder: Path) -> list[str]:
    """Every file under media/keyframes (partials included)."""
    stills = folder / "media" / "keyframes"
    return sorted(p.name for p in stills.iterdir()) if stills.is_dir() else []


def first_frame_of_take(folder: Path, path: str) -> np.ndarray:
    return next(iter(read_frames(folder / path)))


@pytest.fixture(scope="module")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story `build` makes, made once per module."""
    folder = tmp_path_factory.mktemp("keyframes-template") / "film"
    Project.create(folder, title="Test Film").close()  # as conftest's project_dir does
    build(Cli(folder))
    return folder


@pytest.fixture(scope="module")
def stills_template(built_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built story with two stills drawn for shot 2, made once per module."""
    folder = tmp_path_factory.mktemp("keyframes-stills") / "film"
    shutil.copytree(built_template, folder)
    keyframes(Cli(folder), "2", "--count", "2")
    return folder


@pytest.fixture
def project_dir(built_template: Path, tmp_path: Path) -> Path:
    """Every test here starts from the story `build` makes: a fresh copy of it."""
    folder = tmp_path / "film"
    shutil.copytree(built_template, folder)
    return folder


# --- making stills -------------------------------------------------------------------------------


def test_stills_are_drawn_registered_and_laid_out_on_a_numbered_sheet(
    cli: Cli, project_dir: Path
) -> None:
    document = keyframes(cli, "2", "--count", "3")
    [drawn] = document["shots"]
    assert drawn["shot"] == 2 and [s["number"] for s in drawn["stills"]] == [1, 2, 3]
    assert [s["seed"] for s in drawn["stills"]] == [2, 3, 4]  # the first is the shot's id
    registered = rows(project_dir)
    assert [(r[0], r[1], r[4], r[5]) for r in registered] == [
        (2, 1, "previz", 2),
        (2, 2, "previz", 3),
        (2, 3, "previz", 4),
    ]
    pictures = []
    for _, _, path, sha, _, _ in registered:
        data = (project_dir / path).read_bytes()
        assert path == f"media/keyframes/{sha}.png" and hashlib.sha256(data).hexdigest() == sha
        pictures.append(picture(project_dir / path))
    assert all(p.shape == (180, 320, 3) for p in pictures)
    assert frame_match(pictures[0], pictures[1]) > 0 and frame_match(pictures[1], pictures[2]) > 0
    # the sheet shows the three candidates, each in its numbered panel
    sheet_info = document["sheet"]
    assert sheet_info["path"].endswith("exports/keyframes-shot2.png")
    assert [(p["shot"], p["number"]) for p in sheet_info["panels"]] == [(2, 1), (2, 2), (2, 3)]
    sheet = picture(Path(sheet_info["path"]))
    assert sheet.shape[:2] == (sheet_info["height"], sheet_info["width"])
    for panel, still in zip(sheet_info["panels"], pictures, strict=True):
        left, top, right, bottom = panel["box"]
        assert right - left == THUMB_WIDTH
        shown = sheet[top + 80 : bottom - 2, left + 80 : right - 2]  # past the number box
        expected = np.asarray(Image.fromarray(still).resize((right - left, bottom - top)))
        assert frame_match(shown, expected[80:-2, 80:-2]) < 0.02
    assert media(project_dir) == sorted(f"{r[3]}.png" for r in registered)  # no partials


def test_count_is_respected_and_a_seed_that_draws_the_same_picture_says_why(
    cli: Cli, project_dir: Path
) -> None:
    assert len(keyframes(cli, "2", "-n", "2")["shots"][0]["stills"]) == 2
    assert len(keyframes(cli, "2", "-n", "5")["shots"][0]["stills"]) == 5
    assert [r[5] for r in rows(project_dir)] == [2, 3, 4, 5, 6, 7, 8]  # seeds never reused
    # previz draws a still shot the same whatever the seed: one candidate, and the reason
    out = cli("keyframes", "1", "--count", "4").stdout
    assert "shot 1: still 1 (previz, seed 1" in out
    assert "seeds 2, 3, 4 drew a picture it already has, kept once (1 distinct candidate)" in out
    assert "previz draws the plan" in out and "handheld" in out
    assert [r[1] for r in rows(project_dir) if r[0] == 1] == [1]
    again = cli("keyframes", "1", "--count", "1").stdout  # the same picture is never two stills
    assert "shot 1: seed 2 drew still 1 again (the same picture)" in again
    assert [r[1] for r in rows(project_dir) if r[0] == 1] == [1]


def test_without_ids_every_shot_that_needs_stills_gets_them(cli: Cli, project_dir: Path) -> None:
    cli("shot", "add", "The boats", "-l", "Harbour", "--size", "ELS")
    cli("shot", "lock", "4")
    out = cli("keyframes", "--count", "2").stdout
    assert {r[0] for r in rows(project_dir)} == {1, 2}
    assert "shot 3 left alone: opens on the last frame of shot 2" in out
    assert "shot 4 left alone: locked" in out
    assert "Candidates sheet:" in out and (project_dir / "exports" / "keyframes.png").is_file()
    again = cli("keyframes").stdout  # nothing needs stills now: nothing is drawn
    assert "No shot needed stills" in again
    assert "shot 2 left alone: has fresh stills (1, 2)" in again
    assert len(rows(project_dir)) == 3


# --- picking, rendering from the pick, undo ------------------------------------------------------


def request_hash(folder: Path, shot_id: int) -> tuple[str, str | None]:
    """The request hash and first frame of the shot's next render."""
    project = Project.open(folder)
    try:
        run = _Run(project)
        shot = run.plan.find_shot(shot_id)
        compiled = run.compiled(shot, base_seed(shot))
        return compiled.request_hash, compiled.request.first_frame
    finally:
        project.close()


def test_a_picked_still_is_the_first_frame_of_the_render_and_undo_gives_the_old_request_back(
    cli: Cli, project_dir: Path
) -> None:
    keyframes(cli, "2", "--count", "3")
    before, first = request_hash(project_dir, 2)
    assert first is None
    out = cli("keyframes", "pick", "2", "3").stdout
    assert "Picked still 3 to open shot 2" in out and "storyreel undo" in out
    still = next(r for r in rows(project_dir) if r[:2] == (2, 3))
    picked, first = request_hash(project_dir, 2)
    assert picked != before
    assert Path(first) == project_dir / still[2]  # the still file itself
    assert cli.plan()["shots"][1]["keyframe"] == {
        "number": 3,
        "path": still[2],
        "stale": False,
        "used": True,
    }
    # the render starts from the still, and the critic finds that it does
    cli("render", "2")
    take = cli.plan()["shots"][1]["takes"][0]
    opening = first_frame_of_take(project_dir, take["path"])
    assert frame_match(opening, picture(project_dir / still[2])) < 0.035
    other = next(r for r in rows(project_dir) if r[:2] == (2, 1))
    assert frame_match(picture(project_dir / other[2]), picture(project_dir / still[2])) > 0
    critique = json.loads(cli("critique", "2", "--json").stdout)
    assert critique["take"] == 1
    assert "keyframe_mismatch" not in [f["kind"] for f in critique["findings"]]
    # undo takes the pick back (with the render that followed it): the old request again
    cli("undo")
    assert cli.plan()["shots"][1]["keyframe"] is None
    assert request_hash(project_dir, 2) == (before, None)
    cli("redo")
    assert request_hash(project_dir, 2)[0] == picked
    cli("keyframes", "unpick", "2")
    assert request_hash(project_dir, 2) == (before, None)


def test_continues_from_wins_over_a_pick(cli: Cli, project_dir: Path) -> None:
    keyframes(cli, "1", "--count", "1")
    cli("keyframes", "pick", "1", "1")
    cli("shot", "add", "A gull", "-l", "Harbour", "--after", "0")  # shot 4 opens the film
    cli("shot", "update", "1", "--continues-from", "4")
    cli("render", "4")
    _, first = request_hash(project_dir, 1)
    assert first is not None and "media/takes" in first  # shot 4's last frame, not the still
    shot = cli.plan()["shots"][1]
    assert shot["id"] == 1 and shot["keyframe"]["used"] is False
    assert "still 1, not used" in cli("show").stdout
    assert "not used: the shot continues from shot 4" in cli("keyframes", "list", "1").stdout


# --- stale stills --------------------------------------------------------------------------------


def test_a_changed_shot_marks_its_still_stale_and_keeps_the_pick(
    cli: Cli, project_dir: Path
) -> None:
    keyframes(cli, "2", "--count", "2")
    cli("keyframes", "pick", "2", "2")
    cli("shot", "update", "2", "--duration", "6")  # a still has one frame: still fresh
    assert cli.plan()["shots"][1]["keyframe"]["stale"] is False
    cli("shot", "update", "2", "--size", "CU")
    shot = cli.plan()["shots"][1]
    assert shot["keyframe"]["number"] == 2 and shot["keyframe"]["stale"] is True
    shown = cli("show").stdout
    assert "[still 2, stale]" in shown
    assert "still 2 is stale: the shot changed since it was drawn" in shown
    assert "fresh ones: storyreel keyframes 2" in shown
    listed = cli("keyframes", "list", "2").stdout
    assert "shot 2: still 2 picked (stale" in listed and listed.count("  stale") == 2
    _, first = request_hash(project_dir, 2)  # the stale pick still opens the shot
    assert Path(first).name == f"{next(r for r in rows(project_dir) if r[:2] == (2, 2))[3]}.png"
    out = cli("keyframes", "2", "--count", "2").stdout
    assert "its picked still 2 is stale" in out
    assert "shot 2: still 3 (previz" in out and "shot 2: still 4 (previz" in out
    fresh = json.loads(cli("keyframes", "list", "2", "--json").stdout)["shots"][0]
    assert [(s["number"], s["fresh"]) for s in fresh["stills"]] == [
        (1, False),
        (2, False),
        (3, True),
        (4, True),
    ]
    assert fresh["picked"] == 2 and fresh["stale"] is True
    cli("keyframes", "pick", "2", "4")
    assert cli.plan()["shots"][1]["keyframe"]["stale"] is False


def test_a_pick_of_a_stale_still_is_allowed_with_a_note(cli: Cli) -> None:
    keyframes(cli, "2", "--count", "1")
    cli("shot", "update", "2", "--angle", "low")
    result = cli("keyframes", "pick", "2", "1")
    assert "note: still 1 was drawn before shot 2 last changed" in result.stderr


# --- the critic ----------------------------------------------------------------------------------


def register_foreign_take(folder: Path, shot_id: int, source: str) -> None:
    """Register a copy of another take's file as a new selected take of `shot_id`."""
    copy = folder / "media" / "takes" / "foreign.mp4"
    shutil.copyfile(folder / source, copy)
    data = copy.read_bytes()
    project = Project.open(folder)
    try:
        project.memory.register_take(
            Take(
                shot_id=shot_id,
                number=1,
                backend="previz",
                seed=99,
                prompt="a take from elsewhere",
                request_hash="f" * 64,
                content_hash="f" * 64,
                path="media/takes/foreign.mp4",
                file_sha256=hashlib.sha256(data).hexdigest(),
                frames=48,
                fps=12,
            ),
            select=RenderSelection("test:render", "a foreign take"),
        )
    finally:
        project.close()


def test_the_critic_asks_for_a_retake_when_a_take_does_not_open_on_the_picked_still(
    cli: Cli, project_dir: Path
) -> None:
    cli("shot", "update", "1", "--size", "ELS")
    cli("render", "1")  # a wide shot of the harbour: a different picture
    keyframes(cli, "2", "--count", "1")
    cli("keyframes", "pick", "2", "1")
    register_foreign_take(project_dir, 2, cli.plan()["shots"][0]["takes"][0]["path"])
    critique = json.loads(cli("critique", "2", "--json").stdout)
    mismatch = [f for f in critique["findings"] if f["kind"] == "keyframe_mismatch"]
    assert len(mismatch) == 1 and mismatch[0]["severity"] == "error"
    assert "should open on its picked still 1" in mismatch[0]["message"]
    assert critique["verdict"] == "retake"
    # rendered from the pick, the take opens on it: no finding
    cli("render", "2")
    critique = json.loads(cli("critique", "2", "--json").stdout)
    assert critique["take"] == 2
    assert "keyframe_mismatch" not in [f["kind"] for f in critique["findings"]]


# --- refusals: exit 1, a teaching line, nothing changed ------------------------------------------


def state(cli: Cli, folder: Path) -> tuple[str, list[tuple], list[str], str]:
    history = cli("history").stdout
    return cli.raw_plan(), rows(folder), media(folder), history


@pytest.mark.parametrize(
    ("args", "teaches"),
    [
        (["keyframes", "9"], "no shot with id 9 (shots: 1, 2, 3)"),
        (["keyframes", "pick", "9", "1"], "no shot with id 9"),
        (["keyframes", "pick", "2", "7"], "shot 2 has no still 7 (stills: 1, 2)"),
        (["keyframes", "pick", "1", "1"], "none yet: make some with storyreel keyframes 1"),
        (["keyframes", "2", "--count", "0"], "--count must be 1..12"),
        (["keyframes", "2", "--count", "13"], "--count must be 1..12"),
        (["keyframes", "2", "--backend", "cogvideox"], "cogvideox cannot make stills itself"),
        (["keyframes", "2", "--backend", "cogvideox"], "--backend previz), pick one"),
        (["keyframes", "2", "--backend", "nope"], "unknown backend 'nope'"),
        (["keyframes", "pick", "3", "1"], "storyreel shot update 3 --no-continues-from"),
        (["keyframes", "3"], "a still cannot open it"),
        (["keyframes", "unpick", "1"], "shot 1 has no picked still to clear"),
        (["ref", "from-keyframe", "2", "--entity", "Mara"], "shot 2 has no picked still"),
        (["ref", "from-keyframe", "2", "5", "--entity", "Mara"], "shot 2 has no still 5"),
        (["ref", "from-keyframe", "2", "1"], "say which shots the frame should steer"),
    ],
)
def test_refusals_teach_and_change_nothing(
    stills_template: Path, tmp_path: Path, args: list[str], teaches: str
) -> None:
    project_dir = tmp_path / "film"  # the built story with two stills of shot 2
    shutil.copytree(stills_template, project_dir)
    cli = Cli(project_dir)
    before = state(cli, project_dir)
    result = cli(*args, expect=1)
    assert teaches in result.stderr, result.stderr
    assert result.stderr.startswith("error: ")
    assert state(cli, project_dir) == before


def test_a_locked_shot_gets_no_stills_and_no_pick(cli: Cli, project_dir: Path) -> None:
    keyframes(cli, "2", "--count", "1")
    cli("shot", "lock", "2")
    before = state(cli, project_dir)
    assert "unlock it first (storyreel shot unlock 2)" in cli("keyframes", "2", expect=1).stderr
    assert "unlock it first" in cli("keyframes", "pick", "2", "1", expect=1).stderr
    assert state(cli, project_dir) == before


def test_a_backend_without_stills_is_refused_at_the_one_dispatch_point(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend that gains a `still` method is used as it is; one without is refused."""

    class Seeded:
        name = "seeded"
        capabilities = registry.backend_factory("previz").capabilities

        def load(self) -> None: ...

        def check_request(self, request: RenderRequest) -> None: ...

        def unload(self) -> None: ...

        def still(self, request: RenderRequest, progress, cancel: CancelToken) -> np.ndarray:
            progress(1, 1, "still")
            rng = np.random.default_rng(request.seed)
            return rng.integers(0, 256, (request.height, request.width, 3), dtype=np.uint8)

    class Stillless(Seeded):
        still = None  # type: ignore[assignment]

    registry.backend_names()
    monkeypatch.setitem(registry._REGISTRY, "seeded", Seeded)
    monkeypatch.setitem(registry._REGISTRY, "stillless", Stillless)
    project = Project.open(project_dir)
    try:
        steps: list[tuple] = []
        report = make_keyframes(
            project,
            RenderExecutor(),
            [1],
            count=3,
            backend="seeded",
            on_step=lambda *step: steps.append(step),
        )
        assert [k.seed for k in report.shots[0].stills] == [1, 2, 3]
        assert steps == [(1, 1, 1, "still")] * 3
        with pytest.raises(StoryreelError, match="stillless cannot make stills itself"):
            make_keyframes(project, RenderExecutor(), [1], backend="stillless")
    finally:
        project.close()
    assert len(rows(project_dir)) == 3


def test_a_failed_still_leaves_nothing_behind(
    cli: Cli, project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyframes(cli, "2", "--count", "1")
    kept = media(project_dir)
    project = Project.open(project_dir)

    def refuse(*_args: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(project.memory, "register_keyframe", refuse)
    try:
        with pytest.raises(RuntimeError, match="the disk is full"):
            make_keyframes(project, RenderExecutor(), [2], count=2)
    finally:
        project.close()
    assert media(project_dir) == kept  # no new still, no partial file
    assert len(rows(project_dir)) == 1


# --- a still as a reference ----------------------------------------------------------------------


def test_a_picked_still_becomes_a_characters_reference(cli: Cli, project_dir: Path) -> None:
    keyframes(cli, "2", "--count", "2")
    cli("keyframes", "pick", "2", "2")
    out = cli("ref", "from-keyframe", "2", "--entity", "Mara", "--name", "mara-look").stdout
    assert "Added image reference @image1 (@mara-look): still 2 of shot 2" in out
    [reference] = cli.plan()["references"]
    still = next(r for r in rows(project_dir) if r[:2] == (2, 2))
    assert (reference["entity"], reference["role"], reference["sha256"]) == (
        "Mara",
        "subject",
        still[3],
    )
    assert (project_dir / reference["path"]).read_bytes() == (project_dir / still[2]).read_bytes()
    # Mara's photo now enters every shot she is in: shot 2's request changed, so its still
    # is stale (it keeps opening the shot)
    assert cli.plan()["shots"][1]["keyframe"]["stale"] is True
    cli("undo")
    assert cli.plan()["references"] == []
    location = cli("ref", "from-keyframe", "2", "1", "--entity", "Harbour").stdout
    assert "still 1 of shot 2; it steers the shots of Harbour" in location
    assert cli.plan()["references"][0]["role"] == "location"


# --- the edit, the schema, old projects ----------------------------------------------------------


def test_the_pick_edit_checks_the_stills_it_is_given() -> None:
    plan = StoryPlan.model_validate(
        {"shots": [{"id": 1, "order": 1, "action": "Waves"}], "title": "Sea"}
    )
    context = EditContext(lambda: 2, keyframe_numbers=lambda _id: (1, 2))
    after, lines = apply_edits(plan, [PickKeyframe(shot_id=1, number=2)], context)
    assert after.shots[0].keyframe == 2 and plan.shots[0].keyframe is None
    assert lines == ["Picked still 2 to open shot 1"]
    with pytest.raises(StoryreelError, match="no still 3"):
        apply_edits(plan, [PickKeyframe(shot_id=1, number=3)], context)


def test_the_language_model_can_pick_and_clear_a_still_in_strict_mode() -> None:
    from storyreel.agent.director import DirectorReply
    from storyreel.agent.llm_schema import (
        director_schema,
        drop_nulls,
        property_descriptions,
        strict_problems,
    )

    schema = director_schema()
    assert strict_problems(schema) == []
    described = property_descriptions(schema)
    assert "candidates sheet" in described["PickKeyframe.number"]
    assert "null means clear the pick" in described["PickKeyframe.number"]
    data = {
        "reply": "ok",
        "edits": [
            {"kind": "pick_keyframe", "shot_id": 3, "number": 2},
            {"kind": "pick_keyframe", "shot_id": 4, "number": None},
        ],
    }
    pick, clear = DirectorReply.model_validate(drop_nulls(data, DirectorReply)).edits
    assert (pick.shot_id, pick.number) == (3, 2)
    assert (clear.shot_id, clear.number) == (4, None)


def _as_before_m010(folder: Path) -> None:
    """Rewrite story.db as a storyreel from before m010 left it: no keyframes table, no
    shots.keyframe column, revisions whose shot rows have no keyframe cell."""
    conn = sqlite3.connect(folder / "story.db")
    with conn:
        conn.execute("drop table keyframes")
        conn.execute("alter table shots drop column keyframe")
        conn.execute("delete from _sqlite_migrations where name = 'm010_keyframes'")
        for revision_id, text in conn.execute("select id, changes from revisions").fetchall():
            changes = json.loads(text)
            for part in changes.get("shots", {}).values():
                for entry in part:
                    for cells in entry[1:] if isinstance(entry, list) else [entry]:
                        cells.pop("keyframe", None)
            conn.execute(
                "update revisions set changes = ? where id = ?", [json.dumps(changes), revision_id]
            )
    conn.close()


def test_a_project_from_before_m010_opens_migrates_and_picks(cli: Cli, project_dir: Path) -> None:
    cli("render", "1")
    plan = cli.raw_plan()
    _as_before_m010(project_dir)
    with sqlite3.connect(project_dir / "story.db") as old:
        assert "keyframe" not in [row[1] for row in old.execute("pragma table_info(shots)")]
        assert not old.execute("select name from sqlite_master where name = 'keyframes'").fetchall()
    assert cli.raw_plan() == plan  # opening migrates in place; the plan reads back the same
    project = Project.open(project_dir)
    try:
        assert "m010_keyframes" in [m.name for m in migrations.applied(project.memory.db)]
        assert "keyframe" in project.memory.db["shots"].columns_dict
    finally:
        project.close()
    while _succeeds(cli, "undo"):  # the old revisions still undo and redo, cell for cell
        pass
    assert cli.plan()["shots"] == []
    while _succeeds(cli, "redo"):
        pass
    assert cli.raw_plan() == plan
    keyframes(cli, "1", "--count", "1")
    cli("keyframes", "pick", "1", "1")
    assert cli.plan()["shots"][0]["keyframe"]["number"] == 1


def _succeeds(cli: Cli, command: str) -> bool:
    return cli.runner.invoke(app, [command, "-p", str(cli.project)]).exit_code == 0


def test_the_still_request_is_the_video_request_without_a_first_frame(
    cli: Cli, project_dir: Path
) -> None:
    from storyreel.tools.keyframes import still_request

    cli("style", "--look", "Kodak 2383")
    project = Project.open(project_dir)
    try:
        plan = project.memory.plan()
        shot = plan.find_shot(2)
        video = _Run(project, plan=plan).compile(shot, 7)
        still = still_request(plan, shot, project_root=project.root, backend="previz", seed=7)
    finally:
        project.close()
    assert still.frames == 1 and still.first_frame is None
    assert "Kodak 2383" in still.prompt and "a woman with black hair" in still.prompt
    same = {"frames", "options"}
    assert still.model_dump(exclude=same) == video.model_dump(exclude=same)
    assert still.options["previz"] == video.options["previz"]


def test_the_doctor_checks_stills_and_their_folder(cli: Cli, project_dir: Path) -> None:
    keyframes(cli, "2", "--count", "2")
    assert json.loads(cli("doctor", "--json").stdout)["healthy"] is True
    [(_, _, path, *_), *_] = rows(project_dir)
    (project_dir / path).write_bytes(b"not a picture")
    orphan = project_dir / "media" / "keyframes" / "stray.png"
    orphan.write_bytes(b"x")
    found = json.loads(cli("doctor", "--json", expect=1).stdout)["problems"]
    kinds = {(problem["kind"], problem["path"]) for problem in found}
    assert ("damaged", path) in kinds and ("orphan", "media/keyframes/stray.png") in kinds
    damaged = next(problem for problem in found if problem["kind"] == "damaged")
    assert "draw fresh ones: storyreel keyframes 2" in damaged["message"]
    cli("doctor", "--fix", expect=1)  # the orphan goes; the damaged still is reported
    assert not orphan.exists() and (project_dir / path).exists()


def test_keyframes_without_a_sub_command_draws_and_options_may_come_first(
    cli: Cli, project_dir: Path
) -> None:
    folder = str(project_dir)
    for argv in (
        ["keyframes", "-p", folder, "--count", "1", "2"],
        ["-p", folder, "keyframes", "make", "2", "-n", "1"],
        ["keyframes", "-p", folder, "pick", "2", "1"],
        ["keyframes", "--json", "-p", folder, "list", "2"],
    ):
        result = cli.runner.invoke(app, argv)
        assert result.exit_code == 0, (argv, result.stdout, result.stderr)
    assert [r[1] for r in rows(project_dir)] == [1, 2]
    assert json.loads(result.stdout)["shots"][0]["picked"] == 1
    assert "Commands" in cli.runner.invoke(app, ["keyframes", "--help"]).stdout


def test_drawing_stills_waits_for_another_render_or_refuses_with_no_wait(
    cli: Cli, project_dir: Path
) -> None:
    other = Project.open(project_dir)  # another storyreel holding the render lock
    try:
        other.render_lock.acquire()
        before = state(cli, project_dir)
        result = cli("keyframes", "2", "--no-wait", expect=3)
        assert "is rendering this story; not waiting (--no-wait)" in result.stderr
        assert state(cli, project_dir) == before
    finally:
        other.close()
    assert "shot 2: still 1" in cli("keyframes", "2", "--no-wait", "-n", "1").stdout
