"""Revisions hold what changed (issue 18): an old project with whole snapshots migrates in
place with the same history, undo and redo; undo and redo stay exact over many edits of
every kind; a story built one shot at a time stays about the size of the same plan written
at once; an edit writes only the rows it changes; history never reads what changed."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.apps.cli import app
from storyreel.tools.db_check import DamagedDatabaseError
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddReference,
    AddShot,
    BindReference,
    EditModel,
    MoveShot,
    RemoveCharacter,
    RemoveLocation,
    RemoveReference,
    RemoveShot,
    RenameCharacter,
    RenameLocation,
    SelectTake,
    SetLock,
    SetStyle,
    SetTargetLength,
    UpdateCharacter,
    UpdateLocation,
    UpdateShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.memory import ContinuityMemory, RenderSelection
from storyreel.tools.migrations import migrations
from storyreel.tools.project import Project
from storyreel.tools.revision_changes import (
    _combined,
    _diff_rows,
    newest_readable_revision,
    paths_in_revisions,
)
from storyreel.tools.story import Reference, Take


def _history(folder: Path) -> str:
    result = CliRunner().invoke(app, ["history", "-p", str(folder)])
    assert result.exit_code == 0, result.output
    return result.stdout


def _take(shot_id: int, seed: int) -> Take:
    return Take(
        shot_id=shot_id,
        number=1,
        backend="previz",
        seed=seed,
        prompt="p",
        request_hash=f"hash{shot_id}-{seed}",
        path=f"media/takes/hash{shot_id}-{seed}.mp4",
    )


def _json_of(memory: ContinuityMemory) -> str:
    return memory.plan().model_dump_json()


# --- an old project migrates in place ----------------------------------------------------


def _project_with_history(folder: Path) -> dict[int, str]:
    """A project with edits, an undone branch, a render's take selection and a reference;
    returns the plan (JSON) at each revision, as the old code kept it in its snapshot."""
    project = Project.create(folder, title="Old Film")
    memory = project.memory
    plans = {memory.head(): _json_of(memory)}

    def step(action) -> None:  # type: ignore[no-untyped-def]
        action()
        plans[memory.head()] = _json_of(memory)

    step(lambda: memory.apply([AddCharacter(name="Mara", description="woman in red")]))
    step(lambda: memory.apply([AddLocation(name="Harbour", description="quay")]))
    for i in range(6):
        step(lambda i=i: memory.apply([AddShot(action=f"Shot {i} @mara", location="Harbour")]))
    step(lambda: memory.apply([MoveShot(shot_id=5, after=0)]))
    step(lambda: memory.apply([RenameLocation(name="Harbour", new_name="Old Port")]))
    step(memory.undo)
    step(lambda: memory.apply([UpdateShot(shot_id=2, action="Mara waits", size="CU")]))
    reference = Reference(
        handle="@image1", kind="image", role="subject", sha256="a" * 64, path="media/refs/a.png"
    )
    step(lambda: memory.apply([AddReference(reference=reference)]))
    step(lambda: memory.apply([BindReference(handle="@image1", shot_id=3)]))
    selection = RenderSelection(source="cli:render", description="Selected the rendered takes")
    step(lambda: memory.register_take(_take(1, 1), select=selection))
    step(lambda: memory.apply([RemoveShot(shot_id=4), SetStyle(title="New Film")]))
    step(memory.undo)
    project.close()
    return plans


def _into_old_format(db_path: Path, plans: dict[int, str]) -> None:
    """Rewrite story.db as storyreel wrote it before m008: a whole snapshot per revision."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("alter table revisions add column snapshot text")
        for revision_id, plan in plans.items():
            conn.execute("update revisions set snapshot = ? where id = ?", [plan, revision_id])
        conn.execute("alter table revisions drop column changes")
        conn.execute("drop index idx_revisions_parent")
        conn.execute(
            "delete from _sqlite_migrations where name in "
            "('m008_revision_changes', 'm009_reclaim_snapshot_space')"
        )
    conn.execute("vacuum")
    conn.close()


def _walk(memory: ContinuityMemory, plans: dict[int, str]) -> list[str]:
    """Undo to the start, then redo to the end, checking the plan at every step."""
    seen = []
    while True:
        try:
            memory.undo()
        except StoryreelError:
            break
        assert _json_of(memory) == plans[memory.head()], f"undo to {memory.head()}"
        seen.append(f"undo to {memory.head()}")
    while True:
        try:
            memory.redo()
        except StoryreelError:
            break
        assert _json_of(memory) == plans[memory.head()], f"redo to {memory.head()}"
        seen.append(f"redo to {memory.head()}")
    return seen


def test_an_old_project_with_snapshots_migrates_with_the_same_history_undo_and_redo(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "film"
    plans = _project_with_history(folder)
    history = _history(folder)
    _into_old_format(folder / "story.db", plans)
    old = sqlite3.connect(folder / "story.db")
    columns = [row[1] for row in old.execute("pragma table_info(revisions)")]
    old.close()
    assert columns == ["id", "parent", "description", "source", "created_at", "edits", "snapshot"]

    assert _history(folder) == history  # opening migrates in place, nothing else changes
    project = Project.open(folder)
    try:
        memory = project.memory
        assert "m008_revision_changes" in [m.name for m in migrations.applied(memory.db)]
        assert "snapshot" not in memory.db["revisions"].columns_dict
        assert _json_of(memory) == plans[memory.head()]
        steps = _walk(memory, plans)
        assert steps[0] == "undo to 13"  # the render's selection went with the binding before it
        assert steps[-1] == f"redo to {max(plans)}"  # redo follows the newest branch
    finally:
        project.close()


def test_an_old_project_built_shot_by_shot_gets_its_disk_space_back(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    project = Project.create(folder, title="Big")
    memory = project.memory
    memory.apply(
        [AddCharacter(name="Mara", description="w"), AddLocation(name="Harbour", description="q")]
    )
    plans = {1: "", 2: _json_of(memory)}
    for i in range(90):
        memory.apply([_shot(i)])
        plans[memory.head()] = _json_of(memory)
    project.close()
    plans[1] = '{"title": "Big"}'
    _into_old_format(folder / "story.db", plans)
    old_size = (folder / "story.db").stat().st_size
    assert old_size > 2_000_000  # the snapshots: 90 copies of a growing plan
    project = Project.open(folder)
    try:
        assert _json_of(project.memory) == plans[92]
        project.memory.undo()
        assert _json_of(project.memory) == plans[91]
    finally:
        project.close()
    assert (folder / "story.db").stat().st_size < old_size / 4


def test_a_migrated_revision_whose_snapshot_was_damaged_is_refused_not_guessed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "film"
    plans = _project_with_history(folder)
    _into_old_format(folder / "story.db", plans)
    conn = sqlite3.connect(folder / "story.db")
    with conn:
        conn.execute("update revisions set snapshot = '{\"title\": ' where id = 3")
    conn.close()
    project = Project.open(folder)
    try:
        memory = project.memory
        assert len(memory.history()) == len(plans)
        while memory.head() > 4:  # the revisions after the damaged one still undo exactly
            memory.undo()
            assert _json_of(memory) == plans[memory.head()]
        before = _json_of(memory)
        with pytest.raises(DamagedDatabaseError, match="revisions row 4: what it changed"):
            memory.undo()
        assert _json_of(memory) == before and memory.head() == 4
    finally:
        project.close()


# --- undo and redo stay exact ---------------------------------------------------------------


def _random_edit(plan, rng: random.Random, step: int, taken: set[int]) -> list[EditModel]:  # type: ignore[no-untyped-def]
    shots = [s.id for s in plan.shots]
    chars = [c.name for c in plan.characters]
    places = [loc.name for loc in plan.locations]
    refs = [r.handle for r in plan.references]
    shot = rng.choice(shots) if shots else 1
    kind = rng.randrange(20)
    if kind == 0:
        return [AddCharacter(name=f"Person{step}", description=f"someone {step}")]
    if kind == 1 and chars:
        return [UpdateCharacter(name=rng.choice(chars), wardrobe=f"coat {step}")]
    if kind == 2 and chars:
        return [RenameCharacter(name=rng.choice(chars), new_name=f"Renamed{step}")]
    if kind == 3 and chars:
        return [RemoveCharacter(name=rng.choice(chars))]
    if kind == 4:
        return [AddLocation(name=f"Place{step}", description="somewhere", time_of_day="night")]
    if kind == 5 and places:
        return [UpdateLocation(name=rng.choice(places), weather="rain", key_light_kelvin=4000)]
    if kind == 6 and places:
        return [RenameLocation(name=rng.choice(places), new_name=f"Spot{step}")]
    if kind == 7 and places:
        return [RemoveLocation(name=rng.choice(places))]
    if kind in (8, 9):
        cast = rng.sample(chars, min(len(chars), rng.randrange(3)))
        after = rng.choice([None, 0, shot])
        return [AddShot(action=f"New {step}", characters=cast, after=after, duration_s=2)]
    if kind in (10, 11):
        return [UpdateShot(shot_id=shot, action=f"Changed {step}", size=rng.choice(["CU", "LS"]))]
    if kind == 12:
        return [MoveShot(shot_id=shot, after=rng.choice([0, *shots]))]
    if kind == 13:
        return [RemoveShot(shot_id=shot)]
    if kind == 14:
        return [SetLock(shot_id=shot, locked=rng.random() < 0.3)]
    if kind == 15 and shot in taken:
        return [SelectTake(shot_id=shot, take=1)]
    if kind == 16:
        reference = Reference(
            handle=f"@image{step}",
            kind="image",
            role="style",
            sha256=f"{step:064d}",
            path=f"media/refs/{step}.png",
        )
        return [AddReference(reference=reference)]
    if kind == 17 and refs:
        return [RemoveReference(handle=rng.choice(refs))]
    if kind == 18 and refs:
        return [BindReference(handle=rng.choice(refs), shot_id=shot)]
    if kind == 19:
        return [SetStyle(look=f"look {step}"), SetTargetLength(seconds=rng.choice([None, 120]))]
    return [SetStyle(title=f"Title {step}")]


def test_undo_and_redo_are_exact_over_200_random_edits_of_every_kind(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Random")
    memory = project.memory
    memory.apply(
        [AddCharacter(name=n, description=f"{n} desc") for n in ("Mara", "Tom", "Ada")]
        + [
            AddLocation(name="Harbour", description="quay"),
            AddLocation(name="Attic", description="a"),
        ]
        + [
            AddShot(action=f"Shot {i}", characters=["Mara"], location="Harbour", dialogue="Hi")
            for i in range(120)
        ]
    )
    taken = set()
    for shot_id in range(1, 121, 7):
        memory.register_take(_take(shot_id, 1))
        taken.add(shot_id)
    rng = random.Random(18)
    states = [_json_of(memory)]
    applied = 0
    kinds = set()
    step = 0
    while applied < 200:
        step += 1
        edits = _random_edit(memory.plan(), rng, step, taken)
        kept = memory._current_plan()  # the plan the edits start from: copied on write only
        try:
            memory.apply(edits)
        except StoryreelError:
            continue  # refused (a locked shot, a name in use...): nothing changed
        finally:
            assert kept.model_dump_json() == states[-1]
        applied += 1
        kinds.update(edit.kind for edit in edits)
        states.append(_json_of(memory))
        if applied % 25 == 0:  # the plan kept in memory is the one the tables hold
            assert memory._read_plan().model_dump_json() == states[-1]
    assert len(kinds) == 19  # every kind of edit
    for expected in reversed(states[:-1]):
        memory.undo()
        assert _json_of(memory) == expected
    for expected in states[1:]:
        memory.redo()
        assert _json_of(memory) == expected
    project.close()
    reopened = ContinuityMemory.open(tmp_path / "film" / "story.db")
    try:
        assert _json_of(reopened) == states[-1]
        for expected in reversed(states[-30:-1]):
            reopened.undo()
            assert _json_of(reopened) == expected
    finally:
        reopened.close()


def test_another_process_s_edit_is_seen_at_once(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Two")
    mine = project.memory
    mine.apply([AddShot(action="First")])
    assert [s.action for s in mine.plan().shots] == ["First"]
    other = ContinuityMemory.open(tmp_path / "film" / "story.db")
    try:
        other.apply([UpdateShot(shot_id=1, action="Changed elsewhere")])
        assert mine.plan().shots[0].action == "Changed elsewhere"
        mine.apply([AddShot(action="Second")])
        other.undo()
        assert [s.action for s in mine.plan().shots] == ["Changed elsewhere"]
    finally:
        other.close()
        project.close()


def test_combined_changes_are_the_changes_from_first_to_last() -> None:
    a = {1: {"id": 1, "x": 1, "y": 1}, 2: {"id": 2, "x": 2, "y": 2}}
    b = {1: {"id": 1, "x": 5, "y": 1}, 3: {"id": 3, "x": 3, "y": 3}}
    c = {1: {"id": 1, "x": 1, "y": 7}, 3: {"id": 3, "x": 4, "y": 3}, 2: {"id": 2, "x": 2, "y": 2}}
    first, second = {"shots": _diff_rows(a, b)}, {"shots": _diff_rows(b, c)}
    assert _combined(first, second) == {"shots": _diff_rows(a, c)}


# --- the file stays small, an edit writes what it changes ---------------------------------


def _db_bytes(path: Path) -> int:
    """What story.db holds, in bytes: its pages after a VACUUM (free pages left out)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("pragma wal_checkpoint(truncate)")
        conn.execute("vacuum")
        count = conn.execute("pragma page_count").fetchone()[0]
        return count * conn.execute("pragma page_size").fetchone()[0]
    finally:
        conn.close()


def _shot(i: int) -> AddShot:
    return AddShot(
        action=f"Mara walks along the quay towards the boats, shot {i}",
        characters=["Mara"],
        location="Harbour",
        size="MS",
        movement="pan left",
        dialogue="Come home, the tide is turning.",
        duration_s=3,
    )


def test_a_story_built_one_shot_at_a_time_stays_within_twice_the_one_batch_size(
    tmp_path: Path,
) -> None:
    bible = [
        AddCharacter(name="Mara", description="a woman in a red raincoat"),
        AddLocation(name="Harbour", description="a grey stone quay at dawn"),
    ]
    batch = Project.create(tmp_path / "batch", title="Size")
    batch.memory.apply(bible + [_shot(i) for i in range(320)])
    batch.close()
    one = Project.create(tmp_path / "one", title="Size")
    one.memory.apply(bible)
    for i in range(320):
        one.memory.apply([_shot(i)])
    assert len(one.memory.history()) == 322
    one.close()
    ratio = _db_bytes(tmp_path / "one" / "story.db") / _db_bytes(tmp_path / "batch" / "story.db")
    assert ratio <= 2.0, f"one shot at a time is {ratio:.2f} x the one-batch story.db"


_WRITE = re.compile(r'\s*(?:insert\b.*?\binto|update|delete\s+from)\s+[\["`]?(\w+)', re.I | re.S)
"""A statement that writes a table, and the table (an insert, an upsert, an update, a delete)."""


class _Writes:
    """The statements that write a plan table (counted with SQLite's trace callback)."""

    TABLES = ("story", "characters", "locations", "reference_files", "shots")

    def __init__(self, memory: ContinuityMemory) -> None:
        self.statements: list[str] = []
        memory.db.conn.set_trace_callback(self.statements.append)

    def of(self, table: str) -> list[str]:
        written = (_WRITE.match(s) for s in self.statements)
        return [m.string for m in written if m and m.group(1) == table]

    def plan_writes(self) -> dict[str, int]:
        return {table: len(self.of(table)) for table in self.TABLES if self.of(table)}


def test_an_edit_writes_only_the_rows_it_changes(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Rows")
    memory = project.memory
    memory.apply(
        [
            AddCharacter(name="Mara", description="woman"),
            AddLocation(name="Harbour", description="q"),
        ]
        + [_shot(i) for i in range(300)]
    )
    cases = [
        (UpdateShot(shot_id=150, action="Mara stops"), {"shots": 1}),
        (AddShot(action="The end"), {"shots": 1}),
        (MoveShot(shot_id=10, after=12), {"shots": 3}),  # shots 10, 11 and 12 change places
        (RemoveShot(shot_id=299), {"shots": 3}),  # itself, and the two after it move up
        (UpdateCharacter(name="Mara", wardrobe="red coat"), {"characters": 1}),
        (SetStyle(look="grainy"), {"story": 1}),
    ]
    for edit, expected in cases:
        writes = _Writes(memory)
        memory.apply([edit])
        assert writes.plan_writes() == expected, edit
        writes = _Writes(memory)
        memory.undo()
        assert writes.plan_writes() == expected, f"undo of {edit}"
        writes = _Writes(memory)
        memory.redo()
        assert writes.plan_writes() == expected, f"redo of {edit}"
    memory.db.conn.set_trace_callback(None)
    project.close()


def test_history_reads_summaries_only(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="History")
    memory = project.memory
    for i in range(5):
        memory.apply(
            [_shot(i)]
            if i
            else [
                AddCharacter(name="Mara", description="w"),
                AddLocation(name="Harbour", description="q"),
                _shot(0),
            ]
        )
    memory.undo()
    statements: list[str] = []
    memory.db.conn.set_trace_callback(statements.append)
    entries = memory.history()
    memory.db.conn.set_trace_callback(None)
    assert [(e.revision.id, e.current, e.undone) for e in entries][-2:] == [
        (5, True, False),
        (6, False, True),
    ]
    about = [s for s in statements if "revisions" in s]
    assert about and not any("changes" in s or "*" in s for s in about), about
    project.close()


# --- the doctor rebuilds a plan from the changes ---------------------------------------------


def test_the_doctor_rebuilds_the_newest_plan_it_can_and_names_every_reference(
    tmp_path: Path,
) -> None:
    project = Project.create(tmp_path / "film", title="Doctor")
    memory = project.memory
    memory.apply(
        [AddCharacter(name="Mara", description="w"), AddLocation(name="Harbour", description="q")]
    )
    reference = Reference(
        handle="@image1", kind="image", role="subject", sha256="b" * 64, path="media/refs/b.png"
    )
    memory.apply([AddReference(reference=reference)])
    memory.apply([RemoveReference(handle="@image1")])
    plans = {}
    for i in range(5):
        memory.apply([_shot(i)])
        plans[memory.head()] = _json_of(memory)
    db = memory.db
    assert "media/refs/b.png" in paths_in_revisions(db)  # undo can bring it back
    newest = newest_readable_revision(db)
    assert newest is not None and newest[1].model_dump_json() == plans[memory.head()]
    damaged = memory.head() - 1
    project.close()
    conn = sqlite3.connect(tmp_path / "film" / "story.db")
    with conn:
        conn.execute("update revisions set changes = '{\"shots\": [' where id = ?", [damaged])
        conn.execute("drop table shots")
    conn.close()
    result = CliRunner().invoke(app, ["doctor", "-p", str(tmp_path / "film")])
    assert result.exit_code == 1
    assert f"the plan as of revision {damaged - 1} can be rebuilt" in result.stdout
    assert "(3 shots" in result.stdout


def test_doctor_fix_forgets_an_outside_path_in_the_revisions_too(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    project = Project.create(folder, title="Paths")
    reference = Reference(
        handle="@image1", kind="image", role="style", sha256="c" * 64, path="media/refs/c.png"
    )
    project.memory.apply([AddReference(reference=reference)])
    project.close()
    conn = sqlite3.connect(folder / "story.db")
    with conn:  # a shared story.db that points out, in the plan and in its history
        conn.execute("update reference_files set path = '../../outside.png'")
        conn.execute(
            "update revisions set changes = replace(changes, 'media/refs/c.png', ?)",
            ["../../outside.png"],
        )
    conn.close()
    runner = CliRunner()
    fixed = runner.invoke(app, ["doctor", "--fix", "-p", str(folder)])
    assert "forgot a path outside the project" in fixed.stdout, fixed.output
    for command in ("undo", "redo"):  # redo brings the reference back from its revision
        assert runner.invoke(app, [command, "-p", str(folder)]).exit_code == 0
    shown = runner.invoke(app, ["show", "--json", "-p", str(folder)])
    assert shown.exit_code == 0, shown.output
    assert '"path": "media/refs/' + "c" * 64 + '.png"' in shown.stdout
    conn = sqlite3.connect(folder / "story.db")
    left = conn.execute("select count(*) from revisions where changes like '%outside.png%'")
    assert left.fetchone()[0] == 0
    conn.close()
