"""The continuity memory: the story plan and its history in one SQLite file.

`ContinuityMemory` is the one write API for `story.db`. Callers never write
SQL: they `apply` a batch of edits (one revision), `undo`/`redo`, and read the
current `plan()`. The plan lives in readable tables (story, characters,
locations, reference_files, shots) so tools like `sqlite-utils` or Datasette can
inspect it. Takes are kept beside the plan and are never undone.

A revision holds what its batch changed, not a copy of the plan: per table the
rows it added and removed (whole) and, for a row it changed, the old and new
values of the columns that changed (`Changes`, see tools/revision_changes.py, which
also maps the plan onto its tables' rows). An edit writes only those rows;
undo writes a revision's changes backward, redo forward, so both restore the
plan exactly (the cells are put back as they were). `history` reads the
revisions' summaries only. The plan is kept in memory between calls, checked
against SQLite's data_version so another process's write is seen at once.
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
from storyreel.tools.revision_changes import (
    _PLAN_KEYS,
    _SPECS,
    _TAKE_SPEC,
    Changes,
    StoredRowError,
    _changes_json,
    _combined,
    _diff_rows,
    _from_row,
    _load_row,
    _TableSpec,
    _to_row,
)
from storyreel.tools.sqlite_db import Database
from storyreel.tools.sqlite_db import NotFoundError as RowNotFoundError
from storyreel.tools.story import (
    Critique,
    Keyframe,
    Revision,
    StoryPlan,
    Style,
    Take,
    check_name,
    check_stored_path,
    handle_of,
)

_MAX_LOADED_TAKES = 100_000  # loaded takes kept (ContinuityMemory.takes); then forgotten


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


class ContinuityMemory:
    """The story plan, its revisions and its takes, stored in `story.db`.

    Open an existing project's memory with `ContinuityMemory.open(path)`;
    create a new one with `ContinuityMemory.create(path, plan)`.
    """

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()
        self._plan: StoryPlan | None = None
        """The plan as the tables hold it, read once and kept up to date by this object's
        writes; never changed in place (edits copy what they change)."""
        self._plan_key: tuple[int, int] | None = None
        """When `_plan` was last known right: SQLite's data_version (it moves when another
        connection commits) and this connection's total_changes (it moves on any write
        made through it, e.g. SQL run on `db` directly)."""
        self._columns: dict[str, set[str]] = {}
        self._in_write = False
        self._loaded_takes: dict[tuple[object, object], tuple[tuple, Take]] = {}
        """Takes as last loaded, by (shot_id, number), with the row they were loaded from."""

    # --- opening ------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, plan: StoryPlan) -> ContinuityMemory:
        """Create `story.db` at `path` holding `plan` as revision 1."""
        if path.exists():
            raise ProjectError(f"{path} already exists; open it instead of creating it")
        memory = cls._connect(path)
        migrations.apply(memory.db)
        with memory._writing():
            changes = memory._write_changes(None, plan)
            memory._keep_plan(memory._patched(StoryPlan(), changes))
            memory._add_revision(None, f"Created the story {plan.title!r}", "cli", [], changes)
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
        """One write transaction, taken immediately so two writers never interleave.

        The plan kept in memory is checked once the lock is held (nobody else can write
        until the end), kept by the writes in between, and dropped if they are undone."""
        conn = self.db.conn
        with self._lock, self._reading():
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._plan is not None and self._plan_key != self._current_key():
                    self._plan = None
                self._in_write = True
                yield
                conn.execute("COMMIT")
            except BaseException:
                self._plan = None
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._in_write = False
            if self._plan is not None:
                self._plan_key = self._current_key()

    def _current_key(self) -> tuple[int, int]:
        version = self.db.conn.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self.db.conn.total_changes

    def _keep_plan(self, plan: StoryPlan | None) -> None:
        """Remember the plan the tables now hold (None: forget it, read it again when asked)."""
        self._plan = plan

    def _current_plan(self) -> StoryPlan:
        """The plan the tables hold: the one kept in memory while no write has been made
        since but this object's own, else read (and kept). Never change it in place.
        (Inside a write transaction the kept plan was checked when it began, and this
        object's writes keep it: a take registered first does not make it read again.)"""
        if self._in_write:
            if self._plan is None:
                self._plan = self._read_plan()
            return self._plan
        key = self._current_key()
        if self._plan is None or self._plan_key != key:
            self._plan, self._plan_key = None, None
            plan = self._read_plan()
            self._plan, self._plan_key = plan, key
        return self._plan

    # --- reading --------------------------------------------------------------

    def plan(self) -> StoryPlan:
        """The current story plan (the state at the head revision); yours to change."""
        with self._lock, self._reading():
            return self._current_plan().model_copy(deep=True)

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
        """Takes of one shot (or of every shot), oldest first; yours to change (each a
        copy; its nested values, `params` among them, are shared: replace, do not edit).

        A row that reads back exactly as when it was last loaded gives the take loaded
        then: its JSON is not parsed nor validated again (a 500-shot story's takes hold
        every request they were rendered from).
        """
        where, args = ("shot_id = ?", [shot_id]) if shot_id is not None else (None, [])
        with self._lock, self._reading():
            rows = self.db["takes"].rows_where(where, args, order_by="shot_id, number")
            return [self._take_of(row).model_copy() for row in rows]

    def _take_of(self, row: dict[str, object]) -> Take:
        key, cells = (row.get("shot_id"), row.get("number")), tuple(row.items())
        known = self._loaded_takes.get(key)
        if known is not None and known[0] == cells:
            return known[1]
        take: Take = _load_row(row, _TAKE_SPEC)  # type: ignore[assignment]
        if len(self._loaded_takes) >= _MAX_LOADED_TAKES:
            self._loaded_takes.clear()
        self._loaded_takes[key] = (cells, take)
        return take

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
        plan = self._current_plan()
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
        changes = self._write_changes(plan, after)
        self._keep_plan(self._patched(plan, changes))
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
                        "changes": _changes_json(_combined(self._changes_of(head), changes)),
                    },
                )
                return self.revision(head)
        return self._add_revision(head, select.description, select.source, edits, changes)

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

    # --- keyframes: candidate stills, kept beside the plan like takes ----------------

    def keyframes(self, shot_id: int | None = None) -> list[Keyframe]:
        """The candidate stills of one shot (or of every shot), by shot and number.

        Raises:
            OutsidePathError: a stored path leads outside the project.
            DamagedDatabaseError: a row does not read back.
        """
        where, args = ("shot_id = ?", [shot_id]) if shot_id is not None else (None, [])
        with self._lock, self._reading():
            rows = self.db["keyframes"].rows_where(where, args, order_by="shot_id, number")
            return [_load_row(row, _KEYFRAME_SPEC) for row in rows]  # type: ignore[misc]

    def keyframe_numbers(self, shot_id: int) -> list[int]:
        """The numbers of a shot's stills."""
        with self._lock:
            return self._keyframe_numbers(shot_id)

    def _keyframe_numbers(self, shot_id: int) -> list[int]:
        rows = self.db.execute("select number from keyframes where shot_id = ?", [shot_id])
        return [row[0] for row in rows]

    def register_keyframe(self, keyframe: Keyframe) -> tuple[Keyframe, bool]:
        """Register a still of a shot once per picture: its file must be complete on disk.

        The number is given here (the next free one; `keyframe.number` is ignored). A still
        of the same shot with the same sha256 is returned instead, and nothing is written.

        Returns:
            (the registered still, True when it was there already).
        """
        check_stored_path(keyframe.path)
        with self._writing():
            row = self.db.execute(
                "select * from keyframes where shot_id = ? and sha256 = ? order by number limit 1",
                [keyframe.shot_id, keyframe.sha256],
            )
            columns = [d[0] for d in row.description]
            found = row.fetchone()
            if found is not None:
                existing = _load_row(dict(zip(columns, found, strict=True)), _KEYFRAME_SPEC)
                return existing, True  # type: ignore[return-value]
            number = max(self._keyframe_numbers(keyframe.shot_id), default=0) + 1
            keyframe = keyframe.model_copy(update={"number": number})
            self.db["keyframes"].insert(keyframe.model_dump(mode="json"), pk=("shot_id", "number"))
        return keyframe, False

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
        row = self.db.execute(
            f"select {_SUMMARY} from revisions where id = ?", [revision_id]
        ).fetchone()
        if row is None:
            raise RowNotFoundError
        return _summary(row)

    def history(self) -> list[HistoryEntry]:
        """Every revision, oldest first, marking the current one and the undone ones.

        Reads the revisions' summaries only, never what they changed."""
        head = self.head()
        revisions = [
            _summary(row)
            for row in self.db.execute(f"select {_SUMMARY} from revisions order by id")
        ]
        parents = {revision.id: revision.parent for revision in revisions}
        ancestors = set()
        cursor: int | None = head
        while cursor is not None and cursor not in ancestors:
            ancestors.add(cursor)
            cursor = parents.get(cursor)
        return [
            HistoryEntry(r, current=r.id == head, undone=r.id not in ancestors) for r in revisions
        ]

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
                context = EditContext(
                    self._allocate_shot_id,
                    self._take_numbers,
                    keyframe_numbers=self._keyframe_numbers,
                )
                before = self._current_plan()
                plan, lines = apply_edits(before, edits, context)
            except ValidationError as error:
                raise as_storyreel_error(error) from error
            text = description or "; ".join(lines)
            edits, renames = _canonical_location_renames(before, edits)
            changes = self._write_changes(before, plan)
            self._keep_plan(self._patched(before, changes))
            revision = self._add_revision(self.head(), text, source, edits, changes)
            self._rename_take_looks(renames)
        return AppliedBatch(revision, lines, dict(context.refs))

    def undo(self) -> Revision:
        """Undo the last change; returns the revision that was undone.

        A render's take selection is undone together with the change it followed,
        so "undo" means "undo what I last asked for", not "unselect the new takes".
        """
        with self._writing():
            current = self.revision(self.head())
            undone = [current.id]
            while current.source.endswith(RENDER_SUFFIX) and current.parent is not None:
                parent = self.revision(current.parent)
                if parent.parent is None:
                    break
                current = parent
                undone.append(current.id)
            if current.parent is None:
                raise StoryreelError("nothing to undo: the story is as it was created")
            self._move_head(undone, current.parent, forward=False)
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
            steps = [child.id]
            follow = self._newest_child(child.id)
            while follow is not None and follow.source.endswith(RENDER_SUFFIX):
                child, follow = follow, self._newest_child(follow.id)
                steps.append(child.id)
            self._move_head(steps, child.id, forward=True)
            self._rename_take_looks(self._location_renames(redone.id))
        return redone

    def _newest_child(self, revision_id: int) -> Revision | None:
        row = self.db.execute(
            f"select {_SUMMARY} from revisions where parent = ? order by id desc limit 1",
            [revision_id],
        ).fetchone()
        return _summary(row) if row else None

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
            if fixed:
                self._keep_plan(None)  # reference rows changed: read them again
            for rev_id, text in self.db.execute("select id, changes from revisions").fetchall():
                try:  # the reference cells of a revision's changes, with their handle
                    data = json.loads(text)
                    part = data.get("reference_files") or {}
                    cells = [
                        (r.get("handle"), r) for r in (*part.get("add", []), *part.get("drop", []))
                    ]
                    cells += [
                        (entry[0], side) for entry in part.get("set", []) for side in entry[1:3]
                    ]
                except (TypeError, ValueError, AttributeError, IndexError):
                    continue  # damaged: it names no path, and undo refuses it
                changed = False
                for handle, cell in cells:
                    path = cell.get("path") if isinstance(cell, dict) else None
                    if path is None or _path_is_confined(path):
                        continue
                    cell["path"] = fixed.get(handle) or _confined_ref_path(
                        str(path), str(cell.get("sha256")), str(handle)
                    )
                    changed = True
                if changed:
                    self.db["revisions"].update(rev_id, {"changes": _changes_json(data)})
        return lines

    # --- internals ----------------------------------------------------------------

    def _move_head(self, steps: Sequence[int], head: int, *, forward: bool) -> None:
        """Undo (or redo) the changes of the revisions `steps`, in that order; `head` is then
        the current revision."""
        plan = self._current_plan()
        for revision_id in steps:
            changes = self._changes_of(revision_id)
            try:
                self._write_parts(changes, forward=forward)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
                raise StoredRowError(
                    "revisions", revision_id, f"its changes do not apply ({error!r})"
                ) from error
            plan = self._patched(plan, changes)
        self._keep_plan(plan)
        self._set_state("head", str(head))

    def _changes_of(self, revision_id: int) -> Changes:
        row = self.db.execute(
            "select changes from revisions where id = ?", [revision_id]
        ).fetchone()
        try:
            changes = json.loads(row[0])
        except (TypeError, ValueError) as error:
            raise StoredRowError(
                "revisions", revision_id, "what it changed cannot be read"
            ) from error
        if not isinstance(changes, dict) or not set(changes) <= set(_PLAN_KEYS):
            raise StoredRowError("revisions", revision_id, "what it changed cannot be read")
        return changes

    def _location_renames(self, revision_id: int) -> list[tuple[str, str]]:
        """The (old, new) location names a revision renamed, in order."""
        row = self.db.execute("select edits from revisions where id = ?", [revision_id])
        edits = json.loads(row.fetchone()[0] or "[]")
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
        changes: Changes,
    ) -> Revision:
        row = {
            "parent": parent,
            "description": description,
            "source": source,
            "created_at": _now(),
            "edits": json.dumps([edit.model_dump(mode="json") for edit in edits]),
            "changes": _changes_json(changes),
        }
        revision_id = self.db["revisions"].insert(row).last_pk
        self._set_state("head", str(revision_id))
        return self.revision(int(revision_id))

    def _write_changes(self, before: StoryPlan | None, after: StoryPlan) -> Changes:
        """Write the rows that differ between the plan `before` (what the tables hold; None:
        they are empty) and `after`, and return those changes.

        Items are compared by key: one the edits left alone (the same object, at the same
        place) is not even looked at, so a batch costs what it changes. The old cells are
        read from the tables, so undo puts back exactly what was there."""
        changes: Changes = {}
        old_style = before.style if before is not None else None
        if before is None or before.title != after.title or old_style is not after.style:
            new = {"id": 1, "title": after.title, "style": after.style.model_dump_json()}
            part = _diff_rows(self._rows("story", [1]), {1: new})
            if part:
                changes["story"] = part
        for attr, spec in _SPECS.items():
            old_items = _placed(getattr(before, attr) if before is not None else [], spec)
            new_items = _placed(getattr(after, attr), spec)
            keys = [
                key
                for key, (position, item) in new_items.items()
                if (old := old_items.get(key)) is None or old[1] is not item or old[0] != position
            ]
            keys += [key for key in old_items if key not in new_items]
            if not keys:
                continue
            old_rows = self._rows(spec.table, keys)
            new_rows: dict[object, dict[str, object]] = {}
            for key in keys:
                if key not in new_items:
                    continue
                position, item = new_items[key]
                old, row = old_items.get(key), old_rows.get(key)
                if old is not None and row is not None and _moved_only(old[1], item):
                    new_rows[key] = {**row, "position": position}
                else:
                    new_rows[key] = _to_row(item, spec, position)
            part = _diff_rows(old_rows, new_rows)
            if part:
                changes[spec.table] = part
        self._write_parts(changes, forward=True)
        return changes

    def _rows(self, table: str, keys: Sequence[object]) -> dict[object, dict[str, object]]:
        """The rows of a plan table with these keys, by key (missing ones left out)."""
        key = _PLAN_KEYS[table]
        found: dict[object, dict[str, object]] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            cursor = self.db.conn.execute(
                f"select * from [{table}] where [{key}] in ({', '.join('?' * len(chunk))})", chunk
            )
            columns = [d[0] for d in cursor.description]
            for values in cursor:
                row = dict(zip(columns, values, strict=True))
                found[row[key]] = row
        return found

    def _write_parts(self, changes: Changes, *, forward: bool) -> None:
        """Write a revision's changes into the plan tables (backward: undo them): rows removed,
        columns changed, rows added, each by its key."""
        execute = self.db.conn.execute
        for table, part in changes.items():
            key = _PLAN_KEYS[table]
            known = self._table_columns(table)
            gone, come = ("drop", "add") if forward else ("add", "drop")
            for row in part.get(gone, []):
                execute(f"delete from [{table}] where [{key}] = ?", [row[key]])
            for row_key, old, new in part.get("set", []):
                values = new if forward else old
                _check_columns(table, values, known)
                assignments = ", ".join(f"[{column}] = ?" for column in values)
                execute(
                    f"update [{table}] set {assignments} where [{key}] = ?",
                    [*values.values(), row_key],
                )
            for row in part.get(come, []):
                _check_columns(table, row, known)
                columns = ", ".join(f"[{column}]" for column in row)
                execute(
                    f"insert into [{table}] ({columns}) values ({', '.join('?' * len(row))})",
                    list(row.values()),
                )

    def _table_columns(self, table: str) -> set[str]:
        if table not in self._columns:
            self._columns[table] = set(self.db[table].columns_dict)
        return self._columns[table]

    def _patched(self, plan: StoryPlan, changes: Changes) -> StoryPlan:
        """`plan` once `changes` were written (either way): the rows they touched are read
        back from the tables (and validated), everything else is kept as it is."""
        title, style = plan.title, plan.style
        if "story" in changes:
            row = self._rows("story", [1]).get(1)
            if row is None:
                raise StoredRowError("story", 1, "the story row is missing")
            try:
                title, style = row["title"], Style.model_validate_json(row["style"])
            except ValidationError as error:
                detail = describe_validation_error(error)
                raise StoredRowError("story", 1, detail, error) from error
        parts: dict[str, list] = {}
        for attr, spec in _SPECS.items():
            items = getattr(plan, attr)
            part = changes.get(spec.table)
            if not part:
                parts[attr] = items
                continue
            key = _PLAN_KEYS[spec.table]
            placed = dict(_placed(items, spec))
            touched = [row[key] for row in (*part.get("add", []), *part.get("drop", []))]
            touched += [entry[0] for entry in part.get("set", [])]
            for row_key in touched:
                placed.pop(row_key, None)
            for row_key, row in self._rows(spec.table, touched).items():
                placed[row_key] = (row["position"], _load_row(row, spec))
            ordered = sorted(placed.values(), key=lambda entry: entry[0])
            if [position for position, _ in ordered] != list(range(1, len(ordered) + 1)):
                return self._read_plan()  # positions out of the usual: read as `plan()` does
            parts[attr] = [item for _, item in ordered]
        return StoryPlan.model_construct(title=title, style=style, **parts)


_KEYFRAME_SPEC = _TableSpec("keyframes", Keyframe, "shot_id", (), {})
"""How a candidate still maps onto its row of the `keyframes` table (migration m010)."""

_SUMMARY = "id, parent, description, source, created_at"
"""The columns of a revision's summary (never what it changed)."""


def _summary(row: Sequence[object]) -> Revision:
    revision_id, parent, description, source, created_at = row
    return Revision(
        id=revision_id,
        parent=parent,
        description=description,
        source=source,
        created_at=created_at,
    )


def _placed(items: Sequence[BaseModel], spec: _TableSpec) -> dict[object, tuple[int, BaseModel]]:
    """Items by key, with the position each has in its table (a shot's is its order)."""
    if "order" in spec.renames:
        return {getattr(item, spec.pk): (item.order, item) for item in items}  # type: ignore[attr-defined]
    return {getattr(item, spec.pk): (position, item) for position, item in enumerate(items, 1)}


def _moved_only(old: BaseModel, new: BaseModel) -> bool:
    """Whether `new` differs from `old` in its order at most."""
    if old is new:
        return True
    mine, theirs = old.__dict__, new.__dict__
    return mine.keys() == theirs.keys() and all(
        mine[field] is theirs[field] or mine[field] == theirs[field]
        for field in mine
        if field != "order"
    )


def _check_columns(table: str, row: dict[str, object], known: set[str]) -> None:
    unknown = [column for column in row if column not in known]
    if unknown:
        raise ValueError(f"the table {table!r} has no column {unknown[0]!r}")


__all__ = [
    "MIGRATION_SET",
    "AppliedBatch",
    "ContinuityMemory",
    "HistoryEntry",
    "RegisteredTake",
    "RenderSelection",
]
