"""`storyreel doctor`: check a project on disk and repair what can safely be repaired.

What it checks: story.db (SQLite's full integrity check, every table, every row read
back: JSON, values, paths inside the project), every take's, reference's and candidate
still's file against its stored hash, files no take, reference or still uses (orphans),
half-written files (partials) and paths that lead outside the project. It never writes into a
damaged story.db. agent.db is the agent's business: `storyreel.agent.session` checks
it, and the CLI adds that finding to this report.

Repairs (`fix_project`): dead partials and orphans are removed, paths outside the
project are forgotten (the take is then missing), links that lead out are removed;
with `rerender`, missing or damaged selected takes are rendered again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from storyreel.renderer.request import file_digest
from storyreel.tools.db_check import (
    file_problem,
    integrity_check,
    read_only_problem,
    sqlite_error_problem,
)
from storyreel.tools.errors import OutsidePathError, StoryreelError
from storyreel.tools.memory import STORY_TABLES, ContinuityMemory
from storyreel.tools.migrations import check_schema_known
from storyreel.tools.partial_files import is_partial, pid_alive, remove_dead_partials
from storyreel.tools.project import DB_NAME, file_inside
from storyreel.tools.revision_changes import (
    _SPECS,
    _TAKE_SPEC,
    StoredRowError,
    _load_row,
    newest_readable_revision,
    paths_in_revisions,
)
from storyreel.tools.sqlite_db import Database
from storyreel.tools.story import (
    Keyframe,
    Reference,
    StoryPlan,
    Style,
    Take,
    check_stored_path,
)

MEDIA_FOLDERS = ("media/takes", "media/refs", "media/keyframes", "exports", ".")
"""Where partial files can be left (the project folder itself: none today, but cheap)."""

STILL_SUFFIXES = (".key.png", ".last.png")


@dataclass
class Finding:
    """One problem: `kind` (a stable word for scripts), `message` in plain words,
    the file it is about, whether `--fix` (or `--fix --rerender`) can repair it."""

    kind: str
    message: str
    path: str | None = None
    fix: str | None = None
    """What --fix does about it ("remove", "forget path", "rerender", "rebuild"), or None."""
    shot_id: int | None = None
    backend: str | None = None


@dataclass
class Diagnosis:
    """What `examine_project` found: problems, and facts about what is fine."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    story_readable: bool = False

    @property
    def healthy(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, object]:
        return {
            "project": str(self.root),
            "healthy": self.healthy,
            "facts": self.facts,
            "problems": [asdict(f) for f in self.findings],
        }


def _connect_read_only(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30)


def examine_story_db(path: Path, diagnosis: Diagnosis) -> tuple[StoryPlan | None, list[Take]]:
    """Check story.db without writing into it; returns the plan and takes when readable.

    When it is damaged, the facts say what can still be read (rows per table, the
    newest revision whose plan can be rebuilt from the revisions' changes).
    """
    name = path.name
    if not path.is_file():
        diagnosis.findings.append(Finding("story_db", f"there is no {name}: not a project"))
        return None, []
    problem = file_problem(path)
    if problem is not None:
        diagnosis.findings.append(
            Finding("story_db", f"{name} is damaged ({problem}): restore it from a backup")
        )
        return None, []
    read_only = read_only_problem(path)
    if read_only is not None:
        diagnosis.findings.append(Finding("read_only", f"{name} cannot be written: {read_only}"))
    try:
        conn = _connect_read_only(path)
    except sqlite3.Error as error:
        diagnosis.findings.append(
            Finding("story_db", f"{name} cannot be opened: {sqlite_error_problem(error)}")
        )
        return None, []
    try:
        return _examine_open_story_db(conn, name, diagnosis)
    finally:
        conn.close()


def _examine_open_story_db(
    conn: sqlite3.Connection, name: str, diagnosis: Diagnosis
) -> tuple[StoryPlan | None, list[Take]]:
    db = Database(conn)
    sound = True
    for problem in integrity_check(conn):
        sound = False
        diagnosis.findings.append(Finding("story_db", f"{name} is damaged: {problem}"))
    try:
        tables = set(db.table_names())
    except sqlite3.DatabaseError as error:
        diagnosis.findings.append(
            Finding("story_db", f"{name}: its list of tables cannot be read ({error})")
        )
        return None, []
    if "_sqlite_migrations" not in tables:
        diagnosis.findings.append(Finding("story_db", f"{name} is not a storyreel story database"))
        return None, []
    try:
        check_schema_known(db, name)
    except StoryreelError as error:
        diagnosis.findings.append(Finding("story_db", str(error)))
        return None, []
    for table in STORY_TABLES:
        if table not in tables:
            sound = False
            diagnosis.findings.append(
                Finding("story_db", f"{name} is damaged: the table {table!r} is missing")
            )
    rows_ok: dict[str, int] = {}
    parts: dict[str, list[object]] = {}
    for key, spec in [*_SPECS.items(), ("takes", _TAKE_SPEC)]:
        if spec.table not in tables:
            continue
        parts[key] = []
        try:
            rows = list(db[spec.table].rows)
        except sqlite3.DatabaseError as error:
            sound = False
            diagnosis.findings.append(
                Finding("story_db", f"{name}: the table {spec.table!r} cannot be read ({error})")
            )
            continue
        for row in rows:
            try:
                parts[key].append(_load_row(row, spec))
            except StoredRowError as error:
                outside = isinstance(error.cause, OutsidePathError)
                if not outside:
                    sound = False
                diagnosis.findings.append(
                    Finding(
                        "outside_path" if outside else "story_db",
                        f"{name}: {error}",
                        path=getattr(error.cause, "path", None) if outside else None,
                        fix="forget path" if outside else None,
                    )
                )
        rows_ok[spec.table] = len(parts[key])
    snapshot = newest_readable_revision(db) if "revisions" in tables and not sound else None
    if not sound:
        diagnosis.facts.append(
            f"{name}: rows that still read back: "
            + ", ".join(f"{count} in {table}" for table, count in rows_ok.items())
        )
        if snapshot is not None:
            revision, plan = snapshot
            diagnosis.facts.append(
                f"{name}: the plan as of revision {revision} can be rebuilt from the "
                f"revisions' changes ({len(plan.shots)} shots, {len(plan.characters)} characters, "
                f"{len(plan.locations)} locations)"
            )
        diagnosis.facts.append(
            f"{name} cannot be repaired in place: restore it from a backup (the media "
            "files are checked below against what could be read)"
        )
    try:
        story = db["story"].get(1)
        plan = StoryPlan(
            title=story["title"],
            style=Style.model_validate_json(story["style"]),
            **{k: v for k, v in parts.items() if k != "takes"},
        )
    except Exception:  # any failure: no readable plan
        if snapshot is None and "revisions" in tables:
            snapshot = newest_readable_revision(db)
        plan = snapshot[1] if snapshot is not None else None
    takes = [t for t in parts.get("takes", []) if isinstance(t, Take)]
    if sound and plan is not None:
        diagnosis.story_readable = True
        diagnosis.facts.append(
            f"{name} is sound: {len(plan.shots)} shots, {len(takes)} takes, "
            f"{len(plan.references)} references"
        )
    return plan, takes


def _snapshot_ref_paths(path: Path) -> set[str]:
    """Reference paths named by any revision (undo can bring a removed reference back)."""
    try:
        conn = _connect_read_only(path)
    except sqlite3.Error:
        return set()
    try:
        return paths_in_revisions(Database(conn))
    finally:
        conn.close()


def _check_file(root: Path, stored: str, sha256: str, what: str) -> Finding | None:
    """The problem with one stored file (outside, link out, missing, hash mismatch)."""
    try:
        check_stored_path(stored)
    except OutsidePathError:
        return None  # already reported by the row check
    try:
        path = file_inside(root, stored)
    except OutsidePathError:
        return Finding(
            "link_outside",
            f"{what}: {stored} is a link that leads outside the project",
            path=stored,
            fix="remove",
        )
    if not path.is_file():
        return Finding("missing", f"{what}: {stored} is missing", path=stored)
    if sha256 and file_digest(path) != sha256:
        return Finding(
            "damaged", f"{what}: {stored} does not match its hash (damaged)", path=stored
        )
    return None


def examine_project(root: Path) -> Diagnosis:
    """Check everything in the project folder; writes nothing."""
    root = Path(root)
    diagnosis = Diagnosis(root)
    plan, takes = examine_story_db(root / DB_NAME, diagnosis)
    known: set[str] = set()
    if plan is not None:
        selected = {(s.id, s.selected_take): s for s in plan.shots if s.selected_take is not None}
        checked = 0
        for take in takes:
            known.update({take.path, *(_still(take.path, s) for s in STILL_SUFFIXES)})
            what = f"take {take.number} of shot {take.shot_id}"
            finding = _check_file(root, take.path, take.file_sha256, what)
            checked += 1
            if finding is None:
                continue
            shot = selected.get((take.shot_id, take.number))
            if finding.kind in ("missing", "damaged"):
                if shot is not None and not shot.locked:
                    finding.fix = "rerender"
                    finding.shot_id, finding.backend = shot.id, take.backend
                    finding.message += " (the selected take)"
                elif shot is not None:
                    finding.message += f" (shot {shot.id} is locked: unlock it to re-render it)"
                else:
                    finding.message += " (not a selected take: kept as a record)"
            diagnosis.findings.append(finding)
        refs: list[Reference] = list(plan.references)
        known.update(ref.path for ref in refs)
        known.update(_snapshot_ref_paths(root / DB_NAME))
        for ref in refs:
            finding = _check_file(root, ref.path, ref.sha256, f"reference {ref.handle}")
            if finding is not None:
                if finding.kind in ("missing", "damaged"):
                    finding.message += (
                        f" (add the file again: storyreel ref add FILE, then use it instead "
                        f"of {ref.handle})"
                    )
                diagnosis.findings.append(finding)
            checked += 1
        stills = _registered_stills(root / DB_NAME)
        for still in stills or []:
            known.add(still.path)
            what = f"still {still.number} of shot {still.shot_id}"
            try:
                check_stored_path(still.path)
            except OutsidePathError:
                diagnosis.findings.append(
                    Finding(
                        "outside_path",
                        f"{what}: its path {still.path!r} points outside the project (never "
                        f"read; draw fresh ones: storyreel keyframes {still.shot_id})",
                    )
                )
                continue
            finding = _check_file(root, still.path, still.sha256, what)
            checked += 1
            if finding is not None:
                if finding.kind in ("missing", "damaged"):
                    finding.message += f" (draw fresh ones: storyreel keyframes {still.shot_id})"
                diagnosis.findings.append(finding)
        diagnosis.facts.append(f"media: {checked} files checked against their hashes")
    else:
        stills = None
    if not diagnosis.story_readable or any(f.kind == "outside_path" for f in diagnosis.findings):
        diagnosis.facts.append(
            "orphan files are looked for once story.db reads back cleanly (a file is only "
            "called an orphan when every take and reference could be read)"
        )
    else:
        folders = ["media/takes", "media/refs"]
        folders += ["media/keyframes"] if stills is not None else []
        for folder in folders:
            for path in sorted((root / folder).glob("*")):
                relative = path.relative_to(root).as_posix()
                if path.is_file() and not is_partial(path) and relative not in known:
                    diagnosis.findings.append(
                        Finding(
                            "orphan",
                            f"{relative} is used by no take or reference (orphan)",
                            path=relative,
                            fix="remove",
                        )
                    )
    for folder in MEDIA_FOLDERS:
        for path in sorted((root / folder).glob(".*.partial*")):
            relative = path.relative_to(root).as_posix()
            pid = _partial_pid(path)
            if pid is not None and pid_alive(pid):
                diagnosis.facts.append(f"{relative} is being written by process {pid}")
                continue
            diagnosis.findings.append(
                Finding(
                    "partial",
                    f"{relative} is a half-written file left by a stopped process",
                    path=relative,
                    fix="remove",
                )
            )
    return diagnosis


def _registered_stills(path: Path) -> list[Keyframe] | None:
    """The candidate stills story.db registers (migration m010); None when they cannot all be
    read (then no file in media/keyframes is called an orphan)."""
    try:
        conn = _connect_read_only(path)
    except sqlite3.Error:
        return None
    try:
        db = Database(conn)
        if "keyframes" not in db.table_names():
            return []
        return [Keyframe.model_validate(row) for row in db["keyframes"].rows]
    except Exception:  # any failure: unknown, so nothing is an orphan
        return None
    finally:
        conn.close()


def _still(take_path: str, suffix: str) -> str:
    stem = take_path.rsplit(".", 1)[0] if "." in take_path.rsplit("/", 1)[-1] else take_path
    return stem + suffix


def _partial_pid(path: Path) -> int | None:
    from storyreel.tools.partial_files import _PARTIAL

    match = _PARTIAL.match(path.name)
    return int(match["pid"]) if match else None


def fix_files(root: Path, diagnosis: Diagnosis) -> list[str]:
    """Remove orphans, dead partials and links that lead out; forget outside paths.

    Call with the project's render lock held (a render between renaming a take into
    place and registering it would otherwise look like an orphan). Returns what was done.
    """
    done: list[str] = []
    for finding in diagnosis.findings:
        if finding.fix == "remove" and finding.path and finding.kind in ("orphan", "link_outside"):
            target = root / finding.path
            if target.is_symlink() or target.is_file():
                target.unlink()
                done.append(f"removed {finding.path}")
    for folder in MEDIA_FOLDERS:
        for path in remove_dead_partials(root / folder):
            done.append(f"removed {path.relative_to(root).as_posix()} (half-written)")
    if any(f.kind == "outside_path" for f in diagnosis.findings):
        memory = ContinuityMemory._connect(root / DB_NAME)
        try:
            for line in memory.confine_paths():
                done.append(f"forgot a path outside the project: {line}")
        finally:
            memory.close()
    return done


__all__ = ["Diagnosis", "Finding", "examine_project", "fix_files"]
