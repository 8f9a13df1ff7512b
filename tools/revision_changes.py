"""Revision change-sets: what a revision stores, and how it is computed and applied.

A revision stores the changes that lead from its parent's plan to its own, not a copy
of the plan, per table of the plan (story, characters, locations, reference_files,
shots)::

    {"shots": {"add": [row, ...], "drop": [row, ...],
               "set": [[key, {column: old}, {column: new}], ...]},
     "story": {...}}

Rows are the tables' own cells (JSON columns as their text), so undo writes back
exactly what was there and redo exactly what it wrote: "add" and "drop" hold whole
rows, "set" only the columns that changed (a shot that moved costs its position). A
row is keyed by its table's key column (`_PLAN_KEYS`; the story row is id 1). A table
with nothing changed is left out, and so is an empty "add", "drop" or "set". Undo
applies a revision's changes backward, redo forward (`_apply_to_rows` does so to
tables held in memory); `_diff_rows` makes one table's changes, `_combined` joins two
revisions' changes into one. The changes are stored as JSON in `revisions.changes`
(`Changes`); a revision migration m008 could not convert holds none (NULL), and undo
and redo refuse to cross it.

Here too: how a list of the plan maps onto its table's rows (`_TableSpec`, `_SPECS`,
the takes' `_TAKE_SPEC`, `_to_row` / `_load_row`), since the changes are made of those
rows; rebuilding a plan from the revisions alone (`newest_readable_revision`, for the
doctor); the reference paths any revision names (`paths_in_revisions`); and migration
m008's conversion of the whole snapshots older projects kept (`snapshot_changes`).
`ContinuityMemory` (tools/memory.py) writes and reads the changes; this module only
computes them and never writes to the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from storyreel.tools.errors import (
    OutsidePathError,
    ProjectError,
    StoryreelError,
    describe_validation_error,
)
from storyreel.tools.sqlite_db import Database
from storyreel.tools.story import (
    Character,
    Location,
    Reference,
    Shot,
    StoryPlan,
    Style,
    Take,
    check_stored_path,
)

# --- the rows: how the plan maps onto its tables ------------------------------------------


@dataclass(frozen=True)
class _TableSpec:
    """How a list of the plan maps onto a table."""

    table: str
    model: type[BaseModel]
    pk: str
    json_fields: tuple[str, ...]
    renames: dict[str, str]


_SPECS: dict[str, _TableSpec] = {
    "characters": _TableSpec(
        "characters", Character, "name", ("references",), {"references": "refs"}
    ),
    "locations": _TableSpec(
        "locations",
        Location,
        "name",
        ("key_light", "palette", "references"),
        {"references": "refs"},
    ),
    "references": _TableSpec("reference_files", Reference, "handle", (), {}),
    "shots": _TableSpec(
        "shots",
        Shot,
        "id",
        ("characters", "references", "staging"),
        {"references": "refs", "order": "position"},
    ),
}


_TAKE_SPEC = _TableSpec("takes", Take, "shot_id", ("params", "timings", "critique"), {})


def _to_row(item: BaseModel, spec: _TableSpec, position: int | None = None) -> dict[str, object]:
    data = item.model_dump(mode="json")
    row: dict[str, object] = {}
    for key, value in data.items():
        if key in spec.json_fields:
            value = json.dumps(value, sort_keys=True)
        row[spec.renames.get(key, key)] = value
    if position is not None:
        row.setdefault("position", position)
    return row


class StoredRowError(ProjectError):
    """A row of story.db that does not read back (invalid JSON, an invalid value, a path
    outside the project). `cause` is the storyreel error underneath, if any."""

    def __init__(
        self, table: str, key: object, detail: str, cause: Exception | None = None
    ) -> None:
        self.where = _row_name(table, key)
        super().__init__(f"{self.where}: {detail}")
        self.cause = _storyreel_cause(cause) if cause is not None else None


def _row_name(table: str, key: object) -> str:
    if table == "takes" and isinstance(key, tuple):
        return f"take {key[1]} of shot {key[0]}"
    return f"{table} row {key!r}"


def _storyreel_cause(error: Exception) -> Exception:
    """The storyreel error a pydantic validator raised (an OutsidePathError...), else `error`."""
    items = getattr(error, "errors", None)
    if callable(items):
        for item in items():
            cause = (item.get("ctx") or {}).get("error")
            if isinstance(cause, StoryreelError):
                return cause
    return error


def _row_key(row: dict[str, object], spec: _TableSpec) -> object:
    if spec is _TAKE_SPEC:
        return (row.get("shot_id"), row.get("number"))
    return row.get(spec.renames.get(spec.pk, spec.pk))


def _from_row(row: dict[str, object], spec: _TableSpec) -> dict[str, object]:
    back = {column: field for field, column in spec.renames.items()}
    data: dict[str, object] = {}
    for column, value in row.items():
        field = back.get(column, column)
        if field == "position" and "order" not in spec.renames:
            continue
        if field in spec.json_fields and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise StoredRowError(
                    spec.table, _row_key(row, spec), f"the column {column!r} holds invalid JSON"
                ) from error
        data[field] = value
    return data


def _load_row(row: dict[str, object], spec: _TableSpec) -> BaseModel:
    """A model from its row; a row that does not validate raises StoredRowError."""
    try:
        item = spec.model.model_validate(_from_row(row, spec))
        path = getattr(item, "path", None)
        if path is not None:
            check_stored_path(path)
    except OutsidePathError as error:
        raise StoredRowError(spec.table, _row_key(row, spec), str(error), error) from error
    except ValidationError as error:
        detail = describe_validation_error(error)
        raise StoredRowError(spec.table, _row_key(row, spec), detail, error) from error
    return item


# --- revisions: what changed ----------------------------------------------------------

Changes = dict[str, dict[str, list]]
"""A revision's changes (see the module docstring), as stored in `revisions.changes`
(JSON)."""

_PLAN_KEYS: dict[str, str] = {"story": "id", **{s.table: s.pk for s in _SPECS.values()}}
"""The tables a revision's changes cover, and the key column of each."""


def _changes_json(changes: Changes) -> str:
    return json.dumps(changes, ensure_ascii=False, separators=(",", ":"))


def _diff_rows(
    before: dict[object, dict[str, object]], after: dict[object, dict[str, object]]
) -> dict[str, list]:
    """One table's changes from its rows `before` to its rows `after` (by key; a key missing
    from one side is a row added or removed)."""
    added, removed, changed = [], [], []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            added.append(new)
        elif new is None and old is not None:
            removed.append(old)
        elif old is not None and new is not None:
            columns = [c for c in dict.fromkeys([*old, *new]) if old.get(c) != new.get(c)]
            if columns:
                changed.append(
                    [key, {c: old.get(c) for c in columns}, {c: new.get(c) for c in columns}]
                )
    part: dict[str, list] = {}
    for name, items in (("add", added), ("drop", removed), ("set", changed)):
        if items:
            part[name] = items
    return part


_State = tuple[str, dict[str, object]] | None
"""One row on one side of a change: None (absent), ("row", whole row) or ("cols", some
columns)."""


def _part_states(part: dict[str, list], key: str) -> dict[object, tuple[_State, _State]]:
    states: dict[object, tuple[_State, _State]] = {}
    for row in part.get("add", []):
        states[row[key]] = (None, ("row", row))
    for row in part.get("drop", []):
        states[row[key]] = (("row", row), None)
    for row_key, old, new in part.get("set", []):
        states[row_key] = (("cols", old), ("cols", new))
    return states


def _combined(first: Changes, second: Changes) -> Changes:
    """The changes of `first` then `second`, as one revision's changes."""
    combined: Changes = {}
    for table in dict.fromkeys([*first, *second]):
        key = _PLAN_KEYS[table]
        states = _part_states(first.get(table, {}), key)
        for row_key, (before2, after2) in _part_states(second.get(table, {}), key).items():
            if row_key not in states:
                states[row_key] = (before2, after2)
                continue
            before1, after1 = states[row_key]
            before, after = before1, after2
            if before1 is not None and before1[0] == "cols" and before2 is not None:
                # columns the first change left alone were, before it, as the second found them
                before = (before2[0], {**before2[1], **before1[1]})
            if after2 is not None and after2[0] == "cols" and after1 is not None:
                after = (after1[0], {**after1[1], **after2[1]})
            states[row_key] = (before, after)
        added, removed, changed = [], [], []
        for row_key, (before, after) in states.items():
            if before is None and after is not None:
                added.append(after[1])
            elif after is None and before is not None:
                removed.append(before[1])
            elif before is not None and after is not None:
                old, new = before[1], after[1]
                if before[0] != after[0]:  # compare what both sides say
                    shared = old if before[0] == "cols" else new
                    old = {c: old.get(c) for c in shared}
                    new = {c: new.get(c) for c in shared}
                columns = [c for c in dict.fromkeys([*old, *new]) if old.get(c) != new.get(c)]
                if columns:
                    changed.append(
                        [
                            row_key,
                            {c: old.get(c) for c in columns},
                            {c: new.get(c) for c in columns},
                        ]
                    )
        part = {
            n: items for n, items in (("add", added), ("drop", removed), ("set", changed)) if items
        }
        if part:
            combined[table] = part
    return combined


def _apply_to_rows(
    rows: dict[str, dict[object, dict[str, object]]], changes: Changes, *, forward: bool
) -> None:
    """Apply `changes` to tables held in memory ({table: {key: row}})."""
    for table, part in changes.items():
        key = _PLAN_KEYS[table]
        held = rows.setdefault(table, {})
        gone, come = ("drop", "add") if forward else ("add", "drop")
        for row in part.get(gone, []):
            held.pop(row[key], None)
        for row_key, old, new in part.get("set", []):
            if row_key in held:
                held[row_key] = {**held[row_key], **(new if forward else old)}
        for row in part.get(come, []):
            held[row[key]] = dict(row)


def _plan_from_rows(
    rows: dict[str, dict[object, dict[str, object]]], *, check_paths: bool = True
) -> StoryPlan:
    """The plan tables held in memory hold (raises StoredRowError or a ValidationError)."""
    story = rows.get("story", {}).get(1)
    if story is None:
        raise StoredRowError("story", 1, "the story row is missing")
    parts: dict[str, list[object]] = {}
    for attr, spec in _SPECS.items():
        ordered = sorted(rows.get(spec.table, {}).values(), key=lambda row: row["position"])
        if check_paths:
            parts[attr] = [_load_row(row, spec) for row in ordered]
        else:
            parts[attr] = [spec.model.model_validate(_from_row(row, spec)) for row in ordered]
    style = Style.model_validate_json(str(story["style"]))
    return StoryPlan(title=story["title"], style=style, **parts)


def _ref_paths_in(changes: object) -> set[str]:
    """The reference paths a revision's changes name (a damaged one names none)."""
    found: set[str] = set()
    part = changes.get("reference_files") if isinstance(changes, dict) else None
    if not isinstance(part, dict):
        return found
    cells = [*part.get("add", []), *part.get("drop", [])]
    cells += [side for entry in part.get("set", []) for side in entry[1:3]]
    for cells_of in cells:
        if isinstance(cells_of, dict) and isinstance(cells_of.get("path"), str):
            found.add(cells_of["path"])
    return found


def newest_readable_revision(db: Database) -> tuple[int, StoryPlan] | None:
    """The newest revision whose plan can still be rebuilt from the revisions (its own
    changes and its ancestors'), and that plan; None when none can. Reads only."""
    try:
        columns = set(db["revisions"].columns_dict)
        if "changes" not in columns:  # a project from before m008, not migrated yet
            return _newest_readable_snapshot(db)
        parents = dict(db.execute("select id, parent from revisions").fetchall())
    except sqlite3.DatabaseError:
        return None
    loaded: dict[int, Changes] = {}
    unreadable: set[int] = set()  # and so is every revision that follows one of them

    def changes_of(revision_id: int) -> Changes:
        if revision_id not in loaded:
            try:
                text = db.execute(
                    "select changes from revisions where id = ?", [revision_id]
                ).fetchone()[0]
                loaded[revision_id] = json.loads(text)
            except (sqlite3.DatabaseError, TypeError, ValueError):
                unreadable.add(revision_id)
                raise
        return loaded[revision_id]

    for candidate in sorted(parents, reverse=True):
        path: list[int] = []
        cursor: int | None = candidate
        while cursor in parents and cursor not in unreadable and len(path) <= len(parents):
            path.append(cursor)
            cursor = parents[cursor]
        if cursor is not None:  # an unreadable revision, a parent that is gone, a loop
            continue
        rows: dict[str, dict[object, dict[str, object]]] = {}
        try:
            for revision_id in reversed(path):
                _apply_to_rows(rows, changes_of(revision_id), forward=True)
            return candidate, _plan_from_rows(rows, check_paths=False)
        except Exception:  # any failure: try the one before
            continue
    return None


def _newest_readable_snapshot(db: Database) -> tuple[int, StoryPlan] | None:
    try:
        rows = db.execute("select id, snapshot from revisions order by id desc").fetchall()
    except sqlite3.DatabaseError:
        return None
    for revision, snapshot in rows:
        try:
            return int(revision), StoryPlan.model_validate_json(snapshot)
        except Exception:  # try the one before
            continue
    return None


def paths_in_revisions(db: Database) -> set[str]:
    """Reference paths named by any revision (undo can bring a removed reference back)."""
    found: set[str] = set()
    try:
        if "changes" not in set(db["revisions"].columns_dict):  # not migrated yet
            for (snapshot,) in db.execute("select snapshot from revisions"):
                try:
                    plan = StoryPlan.model_validate_json(snapshot)
                except Exception:  # an unreadable snapshot names nothing
                    continue
                found.update(ref.path for ref in plan.references)
            return found
        for (text,) in db.execute("select changes from revisions"):
            try:
                found |= _ref_paths_in(json.loads(text))
            except (TypeError, ValueError, IndexError):  # damaged: names nothing
                continue
    except sqlite3.DatabaseError:
        pass
    return found


# --- migration m008: from whole snapshots to changes --------------------------------------


@dataclass
class _SnapshotItem:
    raw: object
    position: int
    row: dict[str, object] | None = None


def _snapshot_state(text: object) -> dict[str, dict[object, _SnapshotItem]] | None:
    """An old revision's snapshot, by table and key (rows are made when needed)."""
    try:
        data = json.loads(str(text))
        top = StoryPlan.model_validate({k: data[k] for k in ("title", "style") if k in data})
        story = {"id": 1, "title": top.title, "style": top.style.model_dump_json()}
        state: dict[str, dict[object, _SnapshotItem]] = {
            "story": {1: _SnapshotItem(None, 1, story)}
        }
        for attr, spec in _SPECS.items():
            items = data.get(attr) or []
            state[spec.table] = {
                item[spec.pk]: _SnapshotItem(item, position)
                for position, item in enumerate(items, 1)
            }
            if len(state[spec.table]) != len(items):
                return None
    except (TypeError, ValueError, KeyError, AttributeError):  # ValidationError is a ValueError
        return None
    return state


def _snapshot_row(item: _SnapshotItem, spec: _TableSpec | None) -> dict[str, object]:
    if item.row is None and spec is not None:
        item.row = _to_row(spec.model.model_validate(item.raw), spec, item.position)
    assert item.row is not None
    return item.row


def _snapshot_changes(
    base: dict[str, dict[object, _SnapshotItem]], target: dict[str, dict[object, _SnapshotItem]]
) -> Changes:
    changes: Changes = {}
    for table in _PLAN_KEYS:
        spec = next((s for s in _SPECS.values() if s.table == table), None)
        old, new = base.get(table, {}), target.get(table, {})
        before: dict[object, dict[str, object]] = {}
        after: dict[object, dict[str, object]] = {}
        for key in dict.fromkeys([*old, *new]):
            a, b = old.get(key), new.get(key)
            if a and b and a.raw is not None and (a.raw, a.position) == (b.raw, b.position):
                continue  # the same item at the same place: the same row
            if a is not None:
                before[key] = _snapshot_row(a, spec)
            if b is not None:
                after[key] = _snapshot_row(b, spec)
        part = _diff_rows(before, after)
        if part:
            changes[table] = part
    return changes


def _table_state(db: Database) -> dict[str, dict[object, _SnapshotItem]]:
    """The plan tables as they stand, in the form of `_snapshot_state`."""
    state: dict[str, dict[object, _SnapshotItem]] = {}
    for table, key in _PLAN_KEYS.items():
        state[table] = {row[key]: _SnapshotItem(None, 0, row) for row in db[table].rows}
    return state


def snapshot_changes(db: Database) -> Iterator[tuple[int, str | None]]:
    """For migration m008: each revision's changes, made from the whole snapshots kept
    before it (None: a snapshot, or its parent's, does not read back). The head's changes
    lead to the tables as they stand, so undo from the head restores exactly what undo did.
    """
    row = db.execute("select value from state where key = 'head'").fetchone()
    head = int(row[0]) if row and str(row[0]).isdigit() else None
    children: dict[int, int] = {}
    revisions = db.execute("select id, parent from revisions order by id").fetchall()
    for _, parent in revisions:
        if parent is not None:
            children[parent] = children.get(parent, 0) + 1
    states: dict[int, dict[str, dict[object, _SnapshotItem]] | None] = {}
    for revision_id, parent in revisions:
        (text,) = db.execute(
            "select snapshot from revisions where id = ?", [revision_id]
        ).fetchone()
        state = _snapshot_state(text)
        base = {} if parent is None else states.get(parent)
        changes = None
        if state is not None and base is not None:
            target = _table_state(db) if revision_id == head else state
            try:
                changes = _changes_json(_snapshot_changes(base, target))
            except (TypeError, ValueError, KeyError):  # an item that does not validate
                changes = None
        yield revision_id, changes
        if children.get(revision_id):
            states[revision_id] = state
        if parent is not None and parent in children:
            children[parent] -= 1
            if not children[parent]:
                states.pop(parent, None)
