"""The story model additions: dialogue speaker, staging, OTS owner, key light hardness and
colour, renames, temporary shot refs in a batch, and the migration that adds them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from storyreel.tools.compiler import compile_request, compose_prompt
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddReference,
    AddShot,
    CompareBackends,
    EditContext,
    ExportFilm,
    MoveShot,
    ReferenceFromTake,
    RemoveShot,
    RenameCharacter,
    RenameLocation,
    RenderShots,
    SetLock,
    SetTargetLength,
    UpdateLocation,
    UpdateShot,
    apply_edits,
    resolve_action_refs,
)
from storyreel.tools.errors import ConflictError, InvalidInputError, NotFoundError, StoryreelError
from storyreel.tools.memory import ContinuityMemory
from storyreel.tools.migrations import migrations
from storyreel.tools.plan_view import plan_for_director, plan_json, plan_text
from storyreel.tools.project import Project
from storyreel.tools.story import Critique, Reference, StoryPlan, Take, parse_length
from tests.conftest import Cli


@pytest.fixture
def memory(project_dir: Path):
    project = Project.open(project_dir)
    yield project.memory
    project.close()


def _bible(memory: ContinuityMemory) -> None:
    memory.apply(
        [
            AddCharacter(name="Mara", description="woman, 30s, short black hair"),
            AddCharacter(name="Tom", description="old fisherman, white beard"),
            AddLocation(name="Harbour", description="stone quay", time_of_day="dusk"),
        ]
    )


def _doc(memory: ContinuityMemory) -> str:
    return plan_json(memory.plan(), memory.takes_by_shot())


# --- each field: edits -> story.db -> show --json -> undo/redo -------------------------


def test_new_fields_are_stored_shown_and_undone_byte_for_byte(memory: ContinuityMemory) -> None:
    _bible(memory)
    before = _doc(memory)
    memory.apply(
        [
            AddShot(
                action="Tom hands Mara the letter",
                characters=["Mara", "Tom"],
                location="Harbour",
                angle="over the shoulder",
                ots_over="@tom",
                dialogue="This came for you.",
                dialogue_speaker="tom",
                staging=["Mara=left,right", {"character": "Tom", "position": "right"}],
                key_light_hardness="harsh",
                key_light_kelvin="warm",
            ),
            UpdateLocation(name="Harbour", key_light_hardness="hard", key_light_kelvin=7000),
        ]
    )
    after = _doc(memory)
    shot = json.loads(after)["shots"][0]
    assert shot["dialogue_speaker"] == "Tom"
    assert shot["ots_over"] == "Tom"
    assert shot["staging"] == [
        {"character": "Mara", "position": "left", "facing": "right"},
        {"character": "Tom", "position": "right", "facing": None},
    ]
    assert (shot["key_light_hardness"], shot["key_light_kelvin"]) == ("hard", 3200)
    location = json.loads(after)["locations"][0]
    assert location["key_light"] == {"side": "left", "hardness": "hard", "color_temp_k": 7000}
    row = memory.db["shots"].get(1)
    assert (row["dialogue_speaker"], row["ots_over"], row["key_light_kelvin"]) == (
        "Tom",
        "Tom",
        3200,
    )
    assert json.loads(row["staging"])[0] == {
        "character": "Mara",
        "facing": "right",
        "position": "left",
    }
    memory.undo()
    assert _doc(memory) == before
    memory.redo()
    assert _doc(memory) == after


def test_staging_update_restages_only_the_characters_named(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply(
        [
            AddShot(
                action="They talk",
                characters=["Mara", "Tom"],
                staging={"Mara": "left", "Tom": "right,left"},
            )
        ]
    )
    memory.apply([UpdateShot(shot_id=1, staging=["Mara=centre,to camera"])])
    marks = [mark.short() for mark in memory.plan().shots[0].staging]
    assert marks == ["Mara=center,camera", "Tom=right,left"]
    memory.apply([UpdateShot(shot_id=1, clear=["staging"])])
    assert memory.plan().shots[0].staging == []


def test_named_characters_join_the_shot_and_leave_with_their_roles(
    memory: ContinuityMemory,
) -> None:
    _bible(memory)
    batch = memory.apply(
        [
            AddShot(
                action="Mara waits", characters=["Mara"], dialogue="Hello.", dialogue_speaker="Tom"
            )
        ]
    )
    assert "Tom joins the shot" in batch.lines[0]
    assert memory.plan().shots[0].characters == ["Mara", "Tom"]
    memory.apply([UpdateShot(shot_id=1, staging=["Tom=left"], angle="ots", ots_over="Tom")])
    batch = memory.apply([UpdateShot(shot_id=1, characters=["Mara"])])
    shot = memory.plan().shots[0]
    assert (shot.dialogue_speaker, shot.ots_over, shot.staging) == (None, None, [])
    assert "Tom left the shot" in batch.lines[0]


def test_changing_the_angle_clears_the_shoulder(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply([AddShot(action="Talk", characters=["Mara", "Tom"], angle="ots", ots_over="Tom")])
    batch = memory.apply([UpdateShot(shot_id=1, angle="low")])
    assert memory.plan().shots[0].ots_over is None
    assert "no longer ots" in batch.lines[0]


@pytest.mark.parametrize(
    ("edit", "error", "words"),
    [
        (
            AddShot(action="x", dialogue="Hi.", dialogue_speaker="Nobody"),
            NotFoundError,
            "no character called 'Nobody'",
        ),
        (
            AddShot(action="x", characters=["Mara"], ots_over="Tom"),
            InvalidInputError,
            "set the angle to ots",
        ),
        (AddShot(action="x", dialogue_speaker="Mara"), InvalidInputError, "give the line too"),
        (AddShot(action="x", staging=["Ghost=left"]), NotFoundError, "no character called 'Ghost'"),
        (
            AddShot(action="x", staging=["Mara=left", "mara=right"]),
            InvalidInputError,
            "names Mara twice",
        ),
        (UpdateShot(shot_id=1, ots_over="Tom"), InvalidInputError, "angle is eye_level"),
    ],
)
def test_story_fields_errors_teach(memory, edit, error, words) -> None:
    _bible(memory)
    memory.apply([AddShot(action="Mara waits", characters=["Mara"])])
    before = _doc(memory)
    with pytest.raises(error, match=words):
        memory.apply([edit])
    assert _doc(memory) == before


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"staging": ["Mara=up"]}, "unknown screen position 'up': use one of left, center, right"),
        (
            {"staging": ["Mara=left,down"]},
            "unknown facing 'down': use one of left, right, camera, away",
        ),
        ({"staging": ["Mara="]}, "neither a position nor a facing"),
        ({"staging": ["Mara"]}, "NAME=POSITION"),
        ({"key_light_kelvin": 15000}, "out of range: give 2000..10000"),
        ({"key_light_kelvin": "tepid"}, "warm = 3200"),
        ({"key_light_hardness": "medium"}, "use soft or hard"),
    ],
)
def test_bad_values_are_refused_with_the_accepted_ones(value, words) -> None:
    with pytest.raises(ValueError, match=words):
        AddShot(action="x", **value)


# --- renames ----------------------------------------------------------------------


def test_renames_follow_everywhere_and_undo(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply(
        [
            AddShot(
                action="@mara waits at @harbour",
                characters=["Tom"],
                location="Harbour",
                angle="ots",
                ots_over="Mara",
                dialogue="@mara, come home.",
                dialogue_speaker="Mara",
                staging=["Mara=left,right"],
            ),
            AddReference(
                reference=Reference(
                    handle="@image1",
                    kind="image",
                    role="subject",
                    sha256="0" * 64,
                    path="media/refs/x.png",
                    entity="Mara",
                )
            ),
        ]
    )
    before = _doc(memory)
    memory.apply([RenameCharacter(name="@mara", new_name="Marianne")])
    memory.apply([RenameLocation(name="harbour", new_name="Old Harbour")])
    plan = memory.plan()
    shot = plan.shots[0]
    assert [c.name for c in plan.characters] == ["Marianne", "Tom"]
    assert shot.characters == ["Tom", "Marianne"]
    assert (shot.dialogue_speaker, shot.ots_over) == ("Marianne", "Marianne")
    assert shot.staging[0].character == "Marianne"
    assert shot.action == "@marianne waits at @old-harbour"
    assert shot.dialogue == "@marianne, come home."
    assert shot.location == "Old Harbour"
    assert plan.references[0].entity == "Marianne"
    assert plan.characters[0].references == ["@image1"]
    memory.apply([UpdateShot(shot_id=1, action="@marianne waits")])  # the handle resolves
    memory.undo()
    memory.undo()
    memory.undo()
    assert _doc(memory) == before


def test_rename_clashes_and_case_changes(memory: ContinuityMemory) -> None:
    _bible(memory)
    with pytest.raises(ConflictError, match="already used"):
        memory.apply([RenameCharacter(name="Mara", new_name="Tom")])
    with pytest.raises(ConflictError, match="already used"):
        memory.apply([RenameCharacter(name="Mara", new_name="harbour")])
    with pytest.raises(InvalidInputError, match="already called 'Mara'"):
        memory.apply([RenameCharacter(name="mara", new_name="Mara")])
    with pytest.raises(NotFoundError, match="no location called 'Beach'"):
        memory.apply([RenameLocation(name="Beach", new_name="Shore")])
    memory.apply([RenameCharacter(name="tom", new_name="TOM")])
    assert memory.plan().characters[1].name == "TOM"


def test_a_location_rename_carries_its_running_palette(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply(
        [AddShot(action="Quay", location="Harbour"), AddShot(action="Boats", location="Harbour")]
    )
    look = {"mean_grey": 100.0, "std_grey": 20.0, "mean_saturation": 50.0}
    memory.record_take_look(1, 1, "Harbour", look)
    memory.apply([RenameLocation(name="Harbour", new_name="Quay")])
    assert memory.location_palette("Quay", exclude_shot=2) == look
    memory.undo()
    assert memory.location_palette("Harbour", exclude_shot=2) == look
    memory.redo()
    assert memory.location_palette("Quay", exclude_shot=2) == look


# --- temporary shot refs in one batch -------------------------------------------------


def test_a_batch_can_refer_to_the_shots_it_adds(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply([AddShot(action="Opening", location="Harbour")])
    batch = memory.apply(
        [
            AddShot(action="Mara arrives", characters=["Mara"], ref="a", after=0),
            UpdateShot(shot_id="a", size="close-up"),
            AddShot(action="She keeps walking", continues_from="a", after="a", ref="b"),
            MoveShot(shot_id=1, after="b"),
            SetLock(shot_id="a", locked=True),
        ]
    )
    plan = memory.plan()
    assert [(s.id, s.action) for s in plan.ordered_shots()] == [
        (2, "Mara arrives"),
        (3, "She keeps walking"),
        (1, "Opening"),
    ]
    assert plan.find_shot(2).size.value == "CU" and plan.find_shot(2).locked
    assert plan.find_shot(3).continues_from == 2
    assert batch.refs == {"a": 2, "b": 3}  # for actions run after the batch (render...)


def test_shot_refs_errors_teach(memory: ContinuityMemory) -> None:
    _bible(memory)
    with pytest.raises(NotFoundError, match="ref of a shot added earlier in the same batch"):
        memory.apply([AddShot(action="x", ref="a"), UpdateShot(shot_id="b", size="CU")])
    with pytest.raises(ConflictError, match="two new shots"):
        memory.apply([AddShot(action="x", ref="a"), AddShot(action="y", ref="a")])
    with pytest.raises(NotFoundError, match="refs so far: none yet"):
        memory.apply([RemoveShot(shot_id="new1")])
    with pytest.raises(ValueError, match="a letter then"):
        UpdateShot(shot_id="3 b", size="CU")
    assert UpdateShot(shot_id="#3", size="CU").shot_id == 3
    assert memory.plan().shots == []


def test_actions_of_a_batch_name_its_new_shots_by_ref() -> None:
    refs = {"a": 7, "b": 8}
    render, compare, frame, keep = resolve_action_refs(
        [
            RenderShots(shot_ids=["b", 3]),
            CompareBackends(shot_id="a", backends=["previz", "wan"]),
            ReferenceFromTake(shot_id=2),
            ExportFilm(),
        ],
        refs,
    )
    assert render.shot_ids == [8, 3] and compare.shot_id == 7 and frame.shot_id == 2
    assert isinstance(keep, ExportFilm)
    with pytest.raises(NotFoundError, match=r"render names 'c', which is not a shot.*'a', 'b'"):
        resolve_action_refs([RenderShots(shot_ids=["c"])], refs)
    with pytest.raises(ConflictError) as caught:
        resolve_action_refs([ReferenceFromTake(shot_id="a")], refs)
    assert "a shot added in this same batch (shot 7): it has no take yet" in str(caught.value)
    assert "by the shot's id next turn (reference_from_take shot_id=7)" in str(caught.value)
    # before the batch applies (waiting for approval) refs are kept for later
    (waiting,) = resolve_action_refs([RenderShots(shot_ids=["a"])], None)
    assert waiting.shot_ids == ["a"]
    with pytest.raises(ConflictError, match="has no take yet"):
        resolve_action_refs([ReferenceFromTake(shot_id="a")], None)


# --- the compiler ---------------------------------------------------------------------


def test_prompts_say_speaker_staging_shoulder_and_light(memory: ContinuityMemory) -> None:
    _bible(memory)
    memory.apply(
        [
            AddShot(
                action="Tom hands Mara a letter", characters=["Mara", "Tom"], location="Harbour"
            ),
            AddShot(
                action="Tom hands Mara a letter",
                characters=["Tom", "Mara"],
                location="Harbour",
                angle="ots",
                ots_over="Tom",
                dialogue="This came for you.",
                dialogue_speaker="Tom",
                staging=["Mara=left,right"],
                key_light_hardness="hard",
                key_light_kelvin="warm",
            ),
        ]
    )
    plain, told = memory.plan().ordered_shots()
    compact = compose_prompt(memory.plan(), told)
    assert "over Tom's shoulder" in compact
    assert 'Tom says: "This came for you."' in compact
    assert "Staging: Mara on the left of the frame, facing right." in compact
    assert "hard, warm key light from the left (3200 K)" in compact
    prose = compose_prompt(memory.plan(), told, "prose")
    assert "Mara is on the left of the frame, facing right." in prose
    assert "over Tom's shoulder" in prose
    untouched = compose_prompt(memory.plan(), plain)
    assert "Staging" not in untouched and "says" not in untouched and " K)" not in untouched
    assert "key light from the left." in untouched
    request = compile_request(
        memory.plan(), told, seed=1, project_root=Path("."), first_frame_of=lambda _: None
    )
    previz = request.options["previz"]
    assert [s["name"] for s in previz["subjects"]] == ["Mara", "Tom"]  # Tom's shoulder second
    assert previz["subjects"][0]["position"] == "left"
    assert previz["color_temp_k"] == 3200


# --- the plan the LLM reads and the human view ------------------------------------------


def test_director_view_shows_every_writable_field_takes_and_verdict(
    memory: ContinuityMemory,
) -> None:
    _bible(memory)
    memory.apply(
        [
            AddShot(
                action="Talk",
                characters=["Mara", "Tom"],
                location="Harbour",
                angle="ots",
                ots_over="Tom",
                dialogue="Hi.",
                dialogue_speaker="Mara",
                staging=["Mara=left,right"],
                key_light_kelvin=4000,
            )
        ]
    )
    take = Take(
        shot_id=1,
        number=1,
        backend="previz",
        seed=1,
        prompt="p",
        request_hash="h",
        path="media/takes/1.mp4",
        critique=Critique(verdict="retake"),
    )
    text = plan_for_director(
        memory.plan(), {1: [take, take.model_copy(update={"number": 2, "critique": None})]}
    )
    line = next(line for line in text.splitlines() if line.startswith("Shot 1"))
    for part in (
        "ots_over=Tom",
        "dialogue_speaker=Mara",
        "staging=[Mara=left,right]",
        "key_light_kelvin=4000",
        "movement_speed=medium",
        "transition=cut",
        "takes=2",
        "last_verdict=retake (take 1)",
    ):
        assert part in line, part
    assert "key_light_hardness=soft key_light_kelvin=5600" in text  # the location's line
    human = plan_text(memory.plan())
    assert 'Mara: "Hi."' in human and "staging: @mara left facing right" in human
    assert "over @tom's shoulder" in human and "key light of this shot: 4000 K" in human


# --- the migration -------------------------------------------------------------------


def _old_project(folder: Path) -> None:
    """A project as storyreel wrote it before m005 (no speaker, staging, OTS or light columns)."""
    Project.create(folder, title="Old Film").close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{folder / 'story.db'}{suffix}").unlink(missing_ok=True)
    db = Database(folder / "story.db")
    migrations.apply(db, stop_before="m005_story_model")
    assert "staging" not in db["shots"].columns_dict
    plan = {
        "title": "Old Film",
        "style": {"aspect": "16:9", "resolution": "360p", "fps": 24, "look": ""},
        "characters": [{"name": "Mara", "description": "woman", "references": []}],
        "locations": [
            {
                "name": "Harbour",
                "description": "quay",
                "time_of_day": "dusk",
                "key_light": {"side": "right", "hardness": "soft", "color_temp_k": 5600},
                "palette": [],
                "references": [],
            }
        ],
        "references": [],
        "shots": [
            {
                "id": 1,
                "order": 1,
                "action": "Mara reads",
                "characters": ["Mara"],
                "location": "Harbour",
                "size": "CU",
                "dialogue": "Come home.",
            }
        ],
    }
    db["story"].insert({"id": 1, "title": "Old Film", "style": json.dumps(plan["style"])}, pk="id")
    db["characters"].insert(
        {
            "name": "Mara",
            "position": 1,
            "description": "woman",
            "wardrobe": "",
            "voice": "",
            "refs": "[]",
        }
    )
    db["locations"].insert(
        {
            "name": "Harbour",
            "position": 1,
            "description": "quay",
            "time_of_day": "dusk",
            "weather": "",
            "key_light": json.dumps(plan["locations"][0]["key_light"]),
            "palette": "[]",
            "refs": "[]",
        }
    )
    db["shots"].insert(
        {
            "id": 1,
            "position": 1,
            "action": "Mara reads",
            "scene": "",
            "characters": '["Mara"]',
            "location": "Harbour",
            "size": "CU",
            "angle": "eye_level",
            "movement": "static",
            "movement_speed": "medium",
            "lens_mm": 35,
            "depth_of_field": "deep",
            "time_of_day": None,
            "key_light_side": None,
            "lighting": "",
            "duration_s": 4.0,
            "dialogue": "Come home.",
            "refs": "[]",
            "continues_from": None,
            "transition": "cut",
            "locked": 0,
            "selected_take": None,
        }
    )
    for revision_id, parent in ((1, None), (2, 1)):
        db["revisions"].insert(
            {
                "id": revision_id,
                "parent": parent,
                "description": "old",
                "source": "cli",
                "created_at": "2025",
                "edits": "[]",
                "snapshot": json.dumps({**plan, "shots": [] if parent is None else plan["shots"]}),
            }
        )
    db["state"].insert_all(
        [{"key": "head", "value": "2"}, {"key": "next_shot_id", "value": "2"}], pk="key"
    )
    db.close()


def test_an_old_project_opens_unchanged_with_empty_new_fields(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    _old_project(folder)
    project = Project.open(folder)
    try:
        memory = project.memory
        assert "m005_story_model" in [m.name for m in migrations.applied(memory.db)]
        shot = memory.plan().shots[0]
        assert (shot.action, shot.size.value, shot.dialogue, shot.characters) == (
            "Mara reads",
            "CU",
            "Come home.",
            ["Mara"],
        )
        assert (shot.dialogue_speaker, shot.ots_over, shot.staging) == (None, None, [])
        assert (shot.key_light_hardness, shot.key_light_kelvin) == (None, None)
        assert memory.plan().locations[0].key_light.side.value == "right"
        memory.apply([UpdateShot(shot_id=1, dialogue_speaker="Mara", staging=["Mara=center"])])
        assert memory.plan().shots[0].dialogue_speaker == "Mara"
        memory.undo()
        memory.undo()  # back to the old revision 1, whose snapshot has no new fields
        assert memory.plan().shots == []
        with pytest.raises(StoryreelError, match="nothing to undo"):
            memory.undo()
    finally:
        project.close()


def test_an_old_project_has_no_target_length_until_one_is_set(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    _old_project(folder)  # its story row's style JSON has no target_length_s
    project = Project.open(folder)
    try:
        memory = project.memory
        assert "m006_target_length" in [m.name for m in migrations.applied(memory.db)]
        assert memory.plan().style.target_length_s is None
        assert memory.plan().style.aspect == "16:9" and memory.plan().title == "Old Film"
        batch = memory.apply([SetTargetLength(seconds="2 minutes")])
        assert batch.lines == ["Set the target length to 2 min (the shots now run 4 s)"]
    finally:
        project.close()
    reopened = Project.open(folder)
    try:
        assert reopened.memory.plan().style.target_length_s == 120
        assert "target_length_s=120 shots_total_s=4" in plan_for_director(reopened.memory.plan())
        reopened.memory.undo()
        assert reopened.memory.plan().style.target_length_s is None
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("said", "seconds"),
    [(90, 90), ("90", 90), ("90s", 90), ("1:30", 90), ("2 min", 120), ("1 minute 30", 90),
     ("2m30s", 150), ("about 2 minutes", 120), ("half a minute", 30), ("an hour", 3600)],
)  # fmt: skip
def test_a_film_length_is_read_as_people_write_it(said: object, seconds: float) -> None:
    assert parse_length(said) == seconds


def test_a_film_length_that_is_not_one_teaches() -> None:
    with pytest.raises(InvalidInputError, match="give seconds \\(90\\), minutes and seconds"):
        parse_length("two minutes")
    with pytest.raises(InvalidInputError, match="'fortnights' is not a unit"):
        parse_length("2 fortnights")


def test_a_target_length_is_checked_and_removed_with_null() -> None:
    memory_plan = StoryPlan()
    counter = iter(range(1, 10))
    context = EditContext(lambda: next(counter))
    with pytest.raises(ValueError, match="out of range: give 1 s to 2 hours"):
        SetTargetLength(seconds=3 * 3600)
    with pytest.raises(InvalidInputError, match="no target length to remove"):
        apply_edits(memory_plan, [SetTargetLength(seconds=None)], context)
    plan, _ = apply_edits(memory_plan, [SetTargetLength(seconds="1:30")], context)
    assert plan.style.target_length_s == 90
    plan, lines = apply_edits(plan, [SetTargetLength(seconds=None)], context)
    assert plan.style.target_length_s is None and lines == ["Removed the target length"]


def test_snapshots_without_the_new_fields_still_load() -> None:
    old = {"title": "T", "shots": [{"id": 1, "order": 1, "action": "x"}]}
    shot = StoryPlan.model_validate(old).shots[0]
    assert (shot.staging, shot.dialogue_speaker) == ([], None)


# --- the CLI -------------------------------------------------------------------------


def test_cli_options_and_renames(cli: Cli) -> None:
    cli("character", "add", "Mara", "-d", "woman")
    cli("character", "add", "Tom", "-d", "old man")
    cli(
        "location",
        "add",
        "Harbour",
        "-d",
        "quay",
        "--light-hardness",
        "hard",
        "--light-kelvin",
        "warm",
    )
    cli(
        "shot",
        "add",
        "They talk",
        "-c",
        "Mara",
        "-l",
        "Harbour",
        "--angle",
        "ots",
        "--ots-over",
        "Tom",
        "--dialogue",
        "Come home.",
        "--speaker",
        "Mara",
        "--stage",
        "Mara=left,right",
        "--stage",
        "Tom=right,away",
        "--light-kelvin",
        "6500",
    )
    shot = cli.plan()["shots"][0]
    assert shot["characters"] == ["Mara", "Tom"]
    assert (shot["ots_over"], shot["dialogue_speaker"], shot["key_light_kelvin"]) == (
        "Tom",
        "Mara",
        6500,
    )
    assert shot["key_light_hardness"] == "hard"
    assert shot["staging"][1] == {"character": "Tom", "position": "right", "facing": "away"}
    text = cli("show").stdout
    assert "(dusk" not in text and "key light left, hard, 3200 K" in text
    assert 'Mara: "Come home."' in text
    cli("location", "update", "Harbour", "--light-kelvin", "cool", "--light-hardness", "soft")
    assert cli.plan()["locations"][0]["key_light"]["color_temp_k"] == 7000
    cli(
        "shot",
        "update",
        "1",
        "--no-speaker",
        "--no-staging",
        "--no-ots-over",
        "--no-light-override",
    )
    shot = cli.plan()["shots"][0]
    assert (shot["dialogue_speaker"], shot["ots_over"], shot["staging"]) == (None, None, [])
    assert shot["key_light_kelvin"] == 7000  # the location's again
    before = cli.raw_plan()
    out = cli("character", "rename", "Mara", "Marianne").stdout
    assert "Renamed character @mara to @marianne (shot 1 follows)" in out
    cli("location", "rename", "@harbour", "Old Harbour")
    doc = cli.plan()
    assert doc["shots"][0]["characters"] == ["Marianne", "Tom"]
    assert doc["shots"][0]["location"] == "Old Harbour"
    cli("undo")
    cli("undo")
    assert cli.raw_plan() == before
    error = cli("character", "rename", "Mara", "Tom", expect=1).stderr
    assert "already used" in error
    error = cli("shot", "update", "1", "--stage", "Tom=up", expect=1).stderr
    assert error.strip() == "error: unknown screen position 'up': use one of left, center, right"
    error = cli("location", "update", "Harbour", "--light-kelvin", "900", expect=1).stderr
    assert "out of range: give 2000..10000" in error
    assert cli.raw_plan() == before
