"""The continuity memory: revisions, undo/redo, stable ids, all-or-nothing batches, schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    MoveShot,
    RemoveShot,
    SetLock,
    UpdateCharacter,
    UpdateShot,
)
from storyreel.tools.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ProjectError,
    SchemaTooNewError,
    StoryreelError,
)
from storyreel.tools.memory import ContinuityMemory
from storyreel.tools.project import Project


@pytest.fixture
def memory(project_dir: Path):
    project = Project.open(project_dir)
    yield project.memory
    project.close()


def _base(memory: ContinuityMemory) -> None:
    memory.apply(
        [
            AddCharacter(name="Mara", description="woman, 30s, short black hair"),
            AddLocation(name="Harbour", description="stone quay", time_of_day="dusk"),
            AddShot(
                action="Mara on the quay",
                size="wide shot",
                characters=["mara"],
                location="@harbour",
            ),
            AddShot(
                action="Mara reads",
                size="close-up",
                movement="push in",
                characters=["Mara"],
                location="Harbour",
            ),
            AddShot(action="Boats", size="ELS", location="Harbour"),
        ]
    )


def test_batch_is_one_revision_and_stored_strictly(memory: ContinuityMemory) -> None:
    before = memory.head()
    _base(memory)
    assert memory.head() == before + 1
    plan = memory.plan()
    assert [s.id for s in plan.ordered_shots()] == [1, 2, 3]
    assert plan.shots[0].size.value == "LS"
    assert plan.shots[1].movement.value == "dolly_in"
    assert plan.shots[0].characters == ["Mara"]
    assert plan.shots[0].location == "Harbour"
    row = memory.db["shots"].get(2)
    assert (row["size"], row["movement"]) == ("CU", "dolly_in")


def test_undo_and_redo_restore_exactly(memory: ContinuityMemory) -> None:
    _base(memory)
    after_base = memory.plan()
    memory.apply([UpdateCharacter(name="Mara", wardrobe="red raincoat")])
    memory.apply([RemoveShot(shot_id=2)])
    after_remove = memory.plan()
    memory.undo()
    memory.undo()
    assert memory.plan() == after_base
    memory.redo()
    memory.redo()
    assert memory.plan() == after_remove
    with pytest.raises(StoryreelError, match="nothing to redo"):
        memory.redo()


def test_undo_at_the_start_says_so(memory: ContinuityMemory) -> None:
    with pytest.raises(StoryreelError, match="nothing to undo"):
        memory.undo()


def test_shot_ids_are_stable_and_never_reused(memory: ContinuityMemory) -> None:
    _base(memory)
    memory.apply([MoveShot(shot_id=3, after=0)])
    plan = memory.plan()
    assert [s.id for s in plan.ordered_shots()] == [3, 1, 2]
    assert [s.order for s in plan.ordered_shots()] == [1, 2, 3]
    memory.apply([RemoveShot(shot_id=1)])
    assert [s.id for s in memory.plan().ordered_shots()] == [3, 2]
    memory.apply([AddShot(action="New")])
    assert [s.id for s in memory.plan().ordered_shots()] == [3, 2, 4]
    memory.undo()  # the new shot 4 goes away ...
    memory.apply([AddShot(action="Another")])  # ... but its id is not handed out again
    assert [s.id for s in memory.plan().ordered_shots()] == [3, 2, 5]


def test_failed_batch_changes_nothing(memory: ContinuityMemory) -> None:
    _base(memory)
    head, plan = memory.head(), memory.plan()
    revisions = memory.db["revisions"].count
    with pytest.raises(NotFoundError, match="no character called 'Nobody'"):
        memory.apply([AddShot(action="fine"), AddShot(action="bad", characters=["Nobody"])])
    assert memory.plan() == plan
    assert memory.head() == head
    assert memory.db["revisions"].count == revisions
    memory.apply([AddShot(action="next")])
    assert memory.plan().find_shot(4) is not None  # the failed batch used no id


@pytest.mark.parametrize(
    ("edit", "error", "text"),
    [
        (AddCharacter(name="mara", description="dup"), ConflictError, "already used"),
        (UpdateShot(shot_id=9, size="CU"), NotFoundError, "no shot with id 9 (shots: 1, 2, 3)"),
        (AddShot(action="x", location="Moon"), NotFoundError, "no location called 'Moon'"),
        (AddShot(action="x", after=42), NotFoundError, "no shot with id 42"),
        (UpdateShot(shot_id=1, continues_from=3), ConflictError, "must come after it"),
        (UpdateShot(shot_id=1, continues_from=1), InvalidInputError, "itself"),
        (UpdateShot(shot_id=1), InvalidInputError, "nothing to change"),
    ],
)
def test_bad_edits_are_refused(memory, edit, error, text) -> None:
    _base(memory)
    plan = memory.plan()
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        memory.apply([edit])
    assert memory.plan() == plan


def test_locked_shot_cannot_change_or_go(memory: ContinuityMemory) -> None:
    _base(memory)
    memory.apply([SetLock(shot_id=2, locked=True)])
    with pytest.raises(ConflictError, match=r"shot 2 is locked.*storyreel shot unlock 2"):
        memory.apply([UpdateShot(shot_id=2, size="MS")])
    with pytest.raises(ConflictError, match="locked"):
        memory.apply([RemoveShot(shot_id=2)])
    memory.apply([MoveShot(shot_id=2, after=0)])  # moving a locked shot is fine
    assert memory.plan().find_shot(2).order == 1


def test_removing_a_source_shot_frees_its_continuation(memory: ContinuityMemory) -> None:
    _base(memory)
    memory.apply([UpdateShot(shot_id=2, continues_from=1)])
    batch = memory.apply([RemoveShot(shot_id=1)])
    assert "no longer continue" in batch.lines[0]
    assert memory.plan().find_shot(2).continues_from is None


def test_state_survives_reopening(project_dir: Path) -> None:
    project = Project.open(project_dir)
    _base(project.memory)
    plan = project.memory.plan()
    project.close()
    again = Project.open(project_dir)
    assert again.memory.plan() == plan
    assert again.memory.db.journal_mode == "wal"
    again.close()


def test_project_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist; create one with: storyreel new"):
        Project.open(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match="is not a storyreel project"):
        Project.open(tmp_path / "empty")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "story.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ProjectError, match=r"story.db is damaged \(it is not a SQLite database"):
        Project.open(garbage)
    other = tmp_path / "other"
    other.mkdir()
    Database(other / "story.db")["things"].insert({"a": 1})
    with pytest.raises(ProjectError, match="not a storyreel story database"):
        Project.open(other)


def test_project_create_refuses_an_existing_story(project_dir: Path) -> None:
    with pytest.raises(ProjectError, match="already a storyreel project"):
        Project.create(project_dir)


def test_newer_schema_is_refused_and_left_alone(project_dir: Path) -> None:
    db_path = project_dir / "story.db"
    db = Database(db_path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "storyreel", "name": "m999_from_the_future", "applied_at": "2030"}
    )
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNewError, match=r"newer storyreel.*m999_from_the_future"):
        Project.open(project_dir)
    assert sqlite3.connect(db_path).execute("select count(*) from shots").fetchone() == (0,)
    assert db_path.read_bytes() == before
