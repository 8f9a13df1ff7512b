"""The continuity memory: the story plan and its history in one SQLite file.

`ContinuityMemory` is the one write API for `story.db`. Callers never write
SQL: they `apply` a batch of edits (one revision), `undo`/`redo`, and read the
current `plan()`. The plan lives in readable tables (characters, locations,
reference_files, shots) so tools like `sqlite-utils` or Datasette can inspect
it; every revision also keeps a full snapshot, so undo and redo restore the
plan exactly. Takes are kept beside the plan and are never undone.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ValidationError
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError as RowNotFoundError

from storyreel.tools.db_check import (
    ReadOnlyProjectError,
    damaged,
    file_problem,
    quick_check,
    read_only_problem,
    sqlite_error_problem,
)
from storyreel.tools.edits import (
    EditContext,
    EditModel,
    RenameLocation,
    SelectTake,
    apply_edits,
)
from storyreel.tools.errors import (
    OutsidePathError,
    ProjectError,
    StoryreelError,
    as_storyreel_error,
    describe_validation_error,
)
from storyreel.tools.migrations import MIGRATION_SET, check_schema_known, migrations
from storyreel.tools.story import (
    Character,
    Critique,
    Location,
    Reference,
    Revision,
    Shot,
    StoryPlan,
    Style,
    Take,
    check_name,
    check_stored_path,
    handle_of,
)


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


RENDER_SUFFIX = ":render"
"""Source suffix of revisions that only select the takes a render made."""


@dataclass(frozen=True)
class AppliedBatch:
    """The result of applying a batch of edits: the new revision and what it did."""

    revision: Revision
    lines: list[str]
    refs: dict[str, int] = dataclass_field(default_factory=dict)
    """The temporary shot refs of the batch ("new1") and the ids they became."""


@dataclass(frozen=True)
class RenderSelection:
    """How a render run selects its takes: its revision grows as each take is registered.

    `amend`: the run's revision so far (None for its first selection); it is extended
    in place while it is still the head with nothing after it, else a new one is made.
    """

    source: str
    description: str
    amend: int | None = None


@dataclass(frozen=True)
class RegisteredTake:
    """What `register_take` did: the take, the revision that selected it, and whether
    an identical request was already registered (then that take is returned)."""

    take: Take
    revision: Revision | None
    existing: bool = False


STORY_TABLES = (
    "story",
    "characters",
    "locations",
    "reference_files",
    "shots",
    "takes",
    "revisions",
    "state",
)
"""The tables every storyreel story.db has (from its first migration on)."""

STORY_WAY_OUT = "run `storyreel doctor` to see what can be saved, or restore it from a backup"

_KEEP = object()
FORCED_RUN_KEY = "forced_run"


@dataclass(frozen=True)
class HistoryEntry:
    """A revision as `history` shows it: `current` is the head, `undone` can be redone."""

    revision: Revision
    current: bool
    undone: bool


def _canonical_location_renames(
    plan: StoryPlan, edits: Sequence[EditModel]
) -> tuple[list[EditModel], list[tuple[str, str]]]:
    """The edits with each RenameLocation naming the exact old and new names, and those pairs.

    `plan` is the plan before the batch (which applied cleanly). The revision
    stores these exact names, so undo and redo can move the take looks back.
    """
    names = {handle_of(loc.name): loc.name for loc in plan.locations}
    stored: list[EditModel] = []
    renames: list[tuple[str, str]] = []
    for edit in edits:
        if isinstance(edit, RenameLocation):
            old = names.pop(handle_of(edit.name.strip().lstrip("@")), edit.name)
            new = check_name(edit.new_name, "location")
            names[handle_of(new)] = new
            renames.append((old, new))
            edit = edit.model_copy(update={"name": old, "new_name": new})
        stored.append(edit)
    return stored, renames


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


def _path_is_confined(path: object) -> bool:
    try:
        check_stored_path(str(path) if path is not None else "")
    except OutsidePathError:
        return False
    return True


def _file_stem(text: object) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", "", str(text or ""))


def _confined_ref_path(path: str, sha256: str, handle: str) -> str:
    suffix = re.sub(r"[^0-9A-Za-z.]", "", PurePosixPath(path.replace("\\", "/")).suffix)
    stem = _file_stem(sha256) or _file_stem(handle) or "reference"
    return f"media/refs/{stem}{suffix.lower()}"


def _json_cells() -> list[tuple[str, str, str]]:
    """(table, key columns, column) of every JSON cell the plan and the takes are read from."""
    cells = [("story", "id", "style")]
    for spec in (*_SPECS.values(), _TAKE_SPEC):
        key = "shot_id, number" if spec is _TAKE_SPEC else spec.renames.get(spec.pk, spec.pk)
        cells += [(spec.table, key, spec.renames.get(f, f)) for f in spec.json_fields]
    return cells


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


def _check_plan_paths(plan: StoryPlan, where: str) -> None:
    """Every reference path of a plan (read from a snapshot, or about to be written) is
    inside the project."""
    for ref in plan.references:
        try:
            check_stored_path(ref.path)
        except OutsidePathError as error:
            raise StoredRowError(where, ref.handle, str(error), error) from error


class ContinuityMemory:
    """The story plan, its revisions and its takes, stored in `story.db`.

    Open an existing project's memory with `ContinuityMemory.open(path)`;
    create a new one with `ContinuityMemory.create(path, plan)`.
    """

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()

    # --- opening ------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, plan: StoryPlan) -> ContinuityMemory:
        """Create `story.db` at `path` holding `plan` as revision 1."""
        if path.exists():
            raise ProjectError(f"{path} already exists; open it instead of creating it")
        memory = cls._connect(path)
        migrations.apply(memory.db)
        with memory._writing():
            memory._write_plan(plan)
            memory._add_revision(None, f"Created the story {plan.title!r}", "cli", [], plan)
            memory._set_state("next_shot_id", "1")
        return memory

    @classmethod
    def open(cls, path: Path) -> ContinuityMemory:
        """Open an existing `story.db` after a quick check, applying any pending migrations.

        The check runs before anything is written: the file is SQLite and not empty,
        SQLite's quick_check passes, every table is there, and the plan and the takes
        read back (valid JSON, valid values, paths inside the project).

        Raises:
            DamagedDatabaseError: story.db is damaged (the message gives the way out).
            ReadOnlyProjectError: the project folder or story.db cannot be written.
            OutsidePathError: a stored path points outside the project.
            SchemaTooNewError: the story was written by a newer storyreel.
        """
        if not path.is_file():
            raise ProjectError(f"{path} does not exist")
        problem = file_problem(path)
        if problem is not None:
            raise damaged(path.name, problem, STORY_WAY_OUT)
        read_only = read_only_problem(path)
        if read_only is not None:
            raise ReadOnlyProjectError(f"{path.name} cannot be opened for writing: {read_only}")
        checker = cls._connect(path, read_only=True)  # a damaged file is never written
        try:
            checker._check_structure()
            checker._check_rows()
        except sqlite3.DatabaseError as error:
            raise checker._project_error(error) or error from error
        finally:
            checker.close()
        memory = cls._connect(path)
        try:
            with memory._reading():
                migrations.apply(memory.db)
        except BaseException:
            memory.close()
            raise
        return memory

    def _check_structure(self) -> None:
        """SQLite's quick_check, the migrations record and every table of the plan."""
        problem = quick_check(self.db.conn)
        if problem is not None:
            raise damaged(self.path.name, problem, STORY_WAY_OUT)
        tables = set(self.db.table_names())
        if "_sqlite_migrations" not in tables or not migrations.applied(self.db):
            if not tables:
                raise damaged(self.path.name, "it holds no tables", STORY_WAY_OUT)
            raise ProjectError(f"{self.path} is not a storyreel story database")
        check_schema_known(self.db, str(self.path))
        missing = [name for name in STORY_TABLES if name not in tables]
        if missing:
            what = ", ".join(repr(name) for name in missing)
            table_word = "table" if len(missing) == 1 else "tables"
            raise damaged(self.path.name, f"the {table_word} {what} is missing", STORY_WAY_OUT)

    def _check_rows(self) -> None:
        """Cheap checks of what every command reads, in SQL: the head revision and the story
        row exist, every JSON cell of the plan and the takes is valid JSON, every stored path
        stays inside the project. (Values are validated in full when they are read: a bad one
        then gives the same one-line refusal.)"""
        with self._reading():
            try:
                head = self.head()
                self.db["revisions"].get(head)
            except (RowNotFoundError, ValueError, TypeError) as error:
                raise damaged(
                    self.path.name, "the current revision is missing", STORY_WAY_OUT
                ) from error
            columns = {name: set(self.db[name].columns_dict) for name in STORY_TABLES}
            for table, key, column in _json_cells():
                if column not in columns.get(table, set()):  # added by a pending migration
                    continue
                row = self.db.execute(
                    f"select {key} from [{table}] where [{column}] is not null "
                    f"and not json_valid([{column}]) limit 1"
                ).fetchone()
                if row is not None:
                    named = tuple(row) if len(row) > 1 else row[0]
                    raise StoredRowError(table, named, f"the column {column!r} holds invalid JSON")
            for table, key in (("takes", "shot_id, number"), ("reference_files", "handle")):
                for *named, path in self.db.execute(f"select {key}, path from [{table}]"):
                    try:
                        check_stored_path(path)
                    except OutsidePathError as error:
                        named_key = tuple(named) if len(named) > 1 else named[0]
                        raise StoredRowError(table, named_key, str(error), error) from error

    @classmethod
    def _connect(cls, path: Path, *, read_only: bool = False) -> ContinuityMemory:
        # Front ends run work in worker threads (LangGraph nodes, Textual workers); one
        # connection is shared, and the lock below keeps its users one at a time.
        try:
            if read_only:
                uri = f"{Path(path).resolve().as_uri()}?mode=ro"
                connection = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
            else:
                connection = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        except sqlite3.Error as error:
            raise damaged(path.name, sqlite_error_problem(error), STORY_WAY_OUT) from error
        db = Database(connection)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            if not read_only:
                db.enable_wal()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise damaged(path.name, sqlite_error_problem(error), STORY_WAY_OUT) from error
        return cls(db, path)

    def _project_error(self, error: sqlite3.Error) -> ProjectError | None:
        """The storyreel error for an SQLite error met while reading or writing (None: not
        damage, e.g. a lock held too long)."""
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            return None
        if "readonly" in text or "unable to open" in text:
            read_only = read_only_problem(self.path)
            if read_only is not None:
                return ReadOnlyProjectError(f"{self.path.name} cannot be written: {read_only}")
        return damaged(self.path.name, sqlite_error_problem(error), STORY_WAY_OUT)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn damage met while reading into one line with the way out."""
        try:
            yield
        except StoredRowError as error:
            if isinstance(error.cause, OutsidePathError):
                raise OutsidePathError(
                    f"{self.path.name} points outside the project ({error.where} has the path "
                    f"{error.cause.path!r}); storyreel never reads or writes outside the project "
                    "folder: run `storyreel doctor` to see every such path, and "
                    "`storyreel doctor --fix` to forget them"
                ) from error
            raise damaged(self.path.name, str(error), STORY_WAY_OUT) from error
        except sqlite3.DatabaseError as error:
            converted = self._project_error(error)
            if converted is None:
                raise
            raise converted from error

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction, taken immediately so two writers never interleave."""
        conn = self.db.conn
        with self._lock, self._reading():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- reading --------------------------------------------------------------

    def plan(self) -> StoryPlan:
        """The current story plan (the state at the head revision)."""
        with self._lock, self._reading():
            return self._read_plan()

    def _read_plan(self) -> StoryPlan:
        try:
            story = self.db["story"].get(1)
        except RowNotFoundError as error:
            raise StoredRowError("story", 1, "the story row is missing") from error
        parts: dict[str, list[object]] = {}
        for key, spec in _SPECS.items():
            rows = self.db[spec.table].rows_where(order_by="position")
            parts[key] = [_load_row(row, spec) for row in rows]
        try:
            style = Style.model_validate_json(story["style"])
            return StoryPlan(title=story["title"], style=style, **parts)
        except ValidationError as error:
            raise StoredRowError("story", 1, describe_validation_error(error), error) from error

    def takes(self, shot_id: int | None = None) -> list[Take]:
        """Takes of one shot (or of every shot), oldest first."""
        where, args = ("shot_id = ?", [shot_id]) if shot_id is not None else (None, [])
        with self._lock, self._reading():
            rows = self.db["takes"].rows_where(where, args, order_by="shot_id, number")
            return [_load_row(row, _TAKE_SPEC) for row in rows]  # type: ignore[misc]

    def takes_by_shot(self) -> dict[int, list[Take]]:
        """Every take, grouped by shot id."""
        grouped: dict[int, list[Take]] = {}
        for take in self.takes():
            grouped.setdefault(take.shot_id, []).append(take)
        return grouped

    def path_registered(self, path: str) -> list[Take]:
        """Takes whose file is `path` (relative to the project)."""
        with self._lock, self._reading():
            rows = self.db["takes"].rows_where("path = ?", [path])
            return [_load_row(row, _TAKE_SPEC) for row in rows]  # type: ignore[misc]

    def register_take(
        self,
        take: Take,
        *,
        replace: bool = False,
        select: RenderSelection | None = None,
        forced_run: object = _KEEP,
    ) -> RegisteredTake:
        """Register a rendered take once per request and select it, in one transaction.

        The file must be complete on disk. The take's number is given here (the next
        free one). A take of the same shot, request hash and backend that is already
        registered is returned instead (`existing`), and nothing is written: one request
        is never registered twice. With `replace`, that take's file was rendered again (it had
        been found damaged): its path and file hash are updated.

        Args:
            take: the new take (its `number` is ignored unless `replace`).
            replace: repair the registered take of this request.
            select: select the take in the render run's revision (skipped for a locked
                shot or a shot no longer in the plan).
            forced_run: also store (or with None, clear) the forced-run record.
        """
        check_stored_path(take.path)
        with self._writing():
            where, args = "shot_id = ? and request_hash = ?", [take.shot_id, take.request_hash]
            if not replace:
                where, args = f"{where} and backend = ?", [*args, take.backend]
            rows = list(self.db["takes"].rows_where(where, args, order_by="number"))
            existing = Take.model_validate(_from_row(rows[0], _TAKE_SPEC)) if rows else None
            if existing is not None and replace:
                self.db["takes"].update(
                    (existing.shot_id, existing.number),
                    {"path": take.path, "file_sha256": take.file_sha256},
                )
                take = existing.model_copy(
                    update={"path": take.path, "file_sha256": take.file_sha256}
                )
            elif existing is not None:
                return RegisteredTake(existing, None, existing=True)
            else:
                numbers = self._take_numbers(take.shot_id)
                take = take.model_copy(update={"number": max(numbers, default=0) + 1})
                self.db["takes"].insert(_to_row(take, _TAKE_SPEC), pk=("shot_id", "number"))
            revision = None
            if select is not None:
                revision = self._select_rendered({take.shot_id: take.number}, select)
            if forced_run is not _KEEP:
                self._store_forced_run(forced_run)  # type: ignore[arg-type]
        return RegisteredTake(take, revision)

    def select_rendered(
        self, selections: dict[int, int], select: RenderSelection
    ) -> Revision | None:
        """Select takes chosen by a render run (reused ones) in the run's revision."""
        with self._writing():
            return self._select_rendered(selections, select)

    def _select_rendered(
        self, selections: dict[int, int], select: RenderSelection
    ) -> Revision | None:
        plan = self._read_plan()
        edits: list[EditModel] = []
        for shot_id, number in selections.items():
            shot = plan.find_shot(shot_id)
            if shot is not None and not shot.locked and shot.selected_take != number:
                edits.append(SelectTake(shot_id=shot_id, take=number))
        if not edits:
            return None
        context = EditContext(self._allocate_shot_id, self._take_numbers)
        after, _ = apply_edits(plan, edits, context)
        head = self.head()
        if select.amend == head and self._newest_child(head) is None:
            row = self.db["revisions"].get(head)
            if row["source"] == select.source:
                done = json.loads(row["edits"] or "[]")
                done = [e for e in done if e.get("shot_id") not in selections]
                done += [edit.model_dump(mode="json") for edit in edits]
                self.db["revisions"].update(
                    head,
                    {
                        "description": select.description,
                        "edits": json.dumps(done),
                        "snapshot": after.model_dump_json(),
                    },
                )
                self._write_plan(after)
                return self.revision(head)
        revision = self._add_revision(head, select.description, select.source, edits, after)
        self._write_plan(after)
        return revision

    def forced_run(self) -> dict | None:
        """The record of a forced render run that has not finished (None if there is none)."""
        with self._lock:
            row = self.db.execute(
                "select value from state where key = ?", [FORCED_RUN_KEY]
            ).fetchone()
        return json.loads(row[0]) if row else None

    def set_forced_run(self, record: dict | None) -> None:
        """Store the record of a forced render run (None: it finished)."""
        with self._writing():
            self._store_forced_run(record)

    def _store_forced_run(self, record: dict | None) -> None:
        if record is None:
            self.db.execute("delete from state where key = ?", [FORCED_RUN_KEY])
        else:
            self._set_state(FORCED_RUN_KEY, json.dumps(record, sort_keys=True))

    def set_take_critique(self, shot_id: int, number: int, critique: Critique) -> None:
        """Store the critic's verdict on a take."""
        with self._writing():
            self.db["takes"].update((shot_id, number), {"critique": critique.model_dump_json()})

    def record_take_look(
        self,
        shot_id: int,
        number: int,
        location: str,
        look: dict,
        *,
        time_of_day: str | None = None,
        lighting: str = "",
    ) -> None:
        """Remember an accepted take's look for its location's running palette.

        Args:
            look: mean_grey, std_grey, mean_saturation of its last frame (0..255 scales).
            time_of_day: the shot's effective time of day ("night"), None when the plan
                has none.
            lighting: the shot's own light as `tools.continuity.planned_light` words it
                ("" when the shot is lit as its location).
        """
        row = {
            "shot_id": shot_id,
            "number": number,
            "location": location,
            **look,
            "time_of_day": time_of_day,
            "lighting": lighting,
        }
        with self._writing():
            self.db["take_looks"].upsert(row, pk=("shot_id", "number"))

    def location_palette(
        self,
        location: str,
        exclude_shot: int,
        *,
        light: tuple[str | None, str] | None = None,
    ) -> dict[str, float] | None:
        """The mean look of a location's accepted takes (other shots only), or None.

        Args:
            light: (time of day or None, lighting) of the shot being checked, as given to
                `record_take_look`: only looks recorded in that same light count, so a night
                shot is not held to the location's daytime look. None: every look of the
                location. Looks whose light is unknown (see migration m007) never match.
        """
        query = (
            "select avg(mean_grey), avg(std_grey), avg(mean_saturation), count(*) "
            "from take_looks where location = ? and shot_id != ?"
        )
        params: list[object] = [location, exclude_shot]
        if light is not None:
            query += " and time_of_day is ? and lighting = ?"
            params += list(light)
        with self._lock:
            row = self.db.execute(query, params).fetchone()
        if not row or not row[3]:
            return None
        return {"mean_grey": row[0], "std_grey": row[1], "mean_saturation": row[2]}

    def next_take_number(self, shot_id: int) -> int:
        """The number the next take of this shot gets (1 for the first)."""
        row = self.db.execute(
            "select max(number) from takes where shot_id = ?", [shot_id]
        ).fetchone()
        return int(row[0] or 0) + 1

    def head(self) -> int:
        """The id of the current revision."""
        return int(self._state("head"))

    def revision(self, revision_id: int) -> Revision:
        """The revision with this id."""
        row = self.db["revisions"].get(revision_id)
        return Revision(
            id=row["id"],
            parent=row["parent"],
            description=row["description"],
            source=row["source"],
            created_at=row["created_at"],
        )

    def history(self) -> list[HistoryEntry]:
        """Every revision, oldest first, marking the current one and the undone ones."""
        head = self.head()
        ancestors = set()
        cursor: int | None = head
        while cursor is not None:
            ancestors.add(cursor)
            cursor = self.db["revisions"].get(cursor)["parent"]
        entries = []
        for row in self.db["revisions"].rows_where(order_by="id"):
            revision = self.revision(row["id"])
            entries.append(
                HistoryEntry(revision, current=row["id"] == head, undone=row["id"] not in ancestors)
            )
        return entries

    # --- writing ----------------------------------------------------------------

    def apply(
        self,
        edits: Sequence[EditModel],
        *,
        source: str = "cli",
        description: str | None = None,
    ) -> AppliedBatch:
        """Apply a batch of edits as one revision, all or nothing.

        Args:
            edits: the edits, applied in order to the current plan.
            source: who asked ("cli", "offline-director", "llm", ...).
            description: the revision's description; defaults to the edits' own lines.

        Raises:
            StoryreelError: an edit could not apply; the database is unchanged.
        """
        if not edits:
            raise StoryreelError("there is nothing to apply: the batch of edits is empty")
        with self._writing():
            try:
                context = EditContext(self._allocate_shot_id, self._take_numbers)
                before = self.plan()
                plan, lines = apply_edits(before, edits, context)
            except ValidationError as error:
                raise as_storyreel_error(error) from error
            text = description or "; ".join(lines)
            edits, renames = _canonical_location_renames(before, edits)
            revision = self._add_revision(self.head(), text, source, edits, plan)
            self._write_plan(plan)
            self._rename_take_looks(renames)
        return AppliedBatch(revision, lines, dict(context.refs))

    def undo(self) -> Revision:
        """Undo the last change; returns the revision that was undone.

        A render's take selection is undone together with the change it followed,
        so "undo" means "undo what I last asked for", not "unselect the new takes".
        """
        with self._writing():
            current = self.revision(self.head())
            while current.source.endswith(RENDER_SUFFIX) and current.parent is not None:
                parent = self.revision(current.parent)
                if parent.parent is None:
                    break
                current = parent
            if current.parent is None:
                raise StoryreelError("nothing to undo: the story is as it was created")
            self._move_head(current.parent)
            renames = self._location_renames(current.id)
            self._rename_take_looks([(new, old) for old, new in reversed(renames)])
        return current

    def redo(self) -> Revision:
        """Re-apply the most recently undone change (and its render's take selection)."""
        with self._writing():
            child = self._newest_child(self.head())
            if child is None:
                raise StoryreelError("nothing to redo: no undone change follows this point")
            redone = child
            follow = self._newest_child(child.id)
            while follow is not None and follow.source.endswith(RENDER_SUFFIX):
                child, follow = follow, self._newest_child(follow.id)
            self._move_head(child.id)
            self._rename_take_looks(self._location_renames(redone.id))
        return redone

    def _newest_child(self, revision_id: int) -> Revision | None:
        rows = list(
            self.db["revisions"].rows_where(
                "parent = ?", [revision_id], order_by="id desc", limit=1
            )
        )
        return self.revision(rows[0]["id"]) if rows else None

    def confine_paths(self) -> list[str]:
        """Forget stored file paths that lead outside the project (`..`, absolute paths).

        A take's path becomes the name its render would have had in media/takes/, a
        reference's the name `ref add` would have given it in media/refs/ (in the plan
        and in every revision, so undo cannot bring an outside path back). Nothing
        outside the project is read: such a file is then missing, and a take can be
        rendered again. Returns one line per path changed.
        """
        lines: list[str] = []
        with self._writing():
            rows = self.db.execute("select shot_id, number, path, request_hash from takes")
            for shot_id, number, path, request_hash in rows.fetchall():
                if _path_is_confined(path):
                    continue
                stem = _file_stem(request_hash)[:24] or f"shot{shot_id}-take{number}"
                new = f"media/takes/{stem}.mp4"
                self.db["takes"].update((shot_id, number), {"path": new})
                lines.append(f"take {number} of shot {shot_id}: {path!r} is now {new}")
            fixed: dict[str, str] = {}
            rows = self.db.execute("select handle, path, sha256 from reference_files")
            for handle, path, sha256 in rows.fetchall():
                if _path_is_confined(path):
                    continue
                new = _confined_ref_path(path, sha256, handle)
                fixed[handle] = new
                self.db["reference_files"].update(handle, {"path": new})
                lines.append(f"reference {handle}: {path!r} is now {new}")
            for rev_id, snapshot in self.db.execute(
                "select id, snapshot from revisions"
            ).fetchall():
                try:
                    data = json.loads(snapshot)
                except (TypeError, json.JSONDecodeError):
                    continue
                changed = False
                for ref in data.get("references") or []:
                    if isinstance(ref, dict) and not _path_is_confined(ref.get("path")):
                        ref["path"] = fixed.get(ref.get("handle")) or _confined_ref_path(
                            str(ref.get("path")), str(ref.get("sha256")), str(ref.get("handle"))
                        )
                        changed = True
                if changed:
                    self.db["revisions"].update(rev_id, {"snapshot": json.dumps(data)})
        return lines

    # --- internals ----------------------------------------------------------------

    def _move_head(self, revision_id: int) -> None:
        snapshot = self.db["revisions"].get(revision_id)["snapshot"]
        try:
            plan = StoryPlan.model_validate_json(snapshot)
        except ValidationError as error:
            detail = describe_validation_error(error)
            raise StoredRowError("revisions", revision_id, f"its snapshot: {detail}") from error
        self._write_plan(plan)
        self._set_state("head", str(revision_id))

    def _location_renames(self, revision_id: int) -> list[tuple[str, str]]:
        """The (old, new) location names a revision renamed, in order."""
        edits = json.loads(self.db["revisions"].get(revision_id)["edits"] or "[]")
        return [
            (edit["name"], edit["new_name"])
            for edit in edits
            if edit.get("kind") == "rename_location"
        ]

    def _rename_take_looks(self, renames: Sequence[tuple[str, str]]) -> None:
        """The running palette of a location follows its renames (and their undo)."""
        for old, new in renames:
            self.db.execute("update take_looks set location = ? where location = ?", [new, old])

    def _allocate_shot_id(self) -> int:
        """A shot id never used before in this story (ids survive undo and deletion)."""
        shot_id = int(self._state("next_shot_id"))
        self._set_state("next_shot_id", str(shot_id + 1))
        return shot_id

    def take_numbers(self, shot_id: int) -> list[int]:
        """The numbers of a shot's takes."""
        return self._take_numbers(shot_id)

    def _take_numbers(self, shot_id: int) -> list[int]:
        rows = self.db.execute("select number from takes where shot_id = ?", [shot_id])
        return [row[0] for row in rows]

    def _state(self, key: str) -> str:
        return str(self.db["state"].get(key)["value"])

    def _set_state(self, key: str, value: str) -> None:
        self.db["state"].upsert({"key": key, "value": value}, pk="key")

    def _add_revision(
        self,
        parent: int | None,
        description: str,
        source: str,
        edits: Sequence[EditModel],
        plan: StoryPlan,
    ) -> Revision:
        row = {
            "parent": parent,
            "description": description,
            "source": source,
            "created_at": _now(),
            "edits": json.dumps([edit.model_dump(mode="json") for edit in edits]),
            "snapshot": plan.model_dump_json(),
        }
        revision_id = self.db["revisions"].insert(row).last_pk
        self._set_state("head", str(revision_id))
        return self.revision(int(revision_id))

    def _write_plan(self, plan: StoryPlan) -> None:
        _check_plan_paths(plan, "reference_files")  # never stored, so never read back
        self.db["story"].upsert(
            {"id": 1, "title": plan.title, "style": plan.style.model_dump_json()}, pk="id"
        )
        for key, spec in _SPECS.items():
            table = self.db[spec.table]
            table.delete_where()
            items = getattr(plan, key)
            rows = [_to_row(item, spec, position) for position, item in enumerate(items, 1)]
            if rows:
                table.insert_all(rows)


__all__ = [
    "MIGRATION_SET",
    "AppliedBatch",
    "ContinuityMemory",
    "HistoryEntry",
    "RegisteredTake",
    "RenderSelection",
]
