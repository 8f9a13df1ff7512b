"""The schema of story.db: append-only, named migrations applied on open.

Never edit or reorder a migration that has shipped: add a new one at the end.
A database that has migrations this list does not know was written by a
newer storyreel; `check_schema_known` refuses to touch it.
"""

from __future__ import annotations

import contextlib
import sqlite3

from storyreel.tools.errors import SchemaTooNewError
from storyreel.tools.sqlite_db import Database, Migrations

MIGRATION_SET = "storyreel"
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_story_memory(db: Database) -> None:
    """The plan tables, the takes, the revision log and a small key/value state."""
    db["story"].create({"id": int, "title": str, "style": str}, pk="id")
    db["characters"].create(
        {
            "name": str,
            "position": int,
            "description": str,
            "wardrobe": str,
            "voice": str,
            "refs": str,
        },
        pk="name",
    )
    db["locations"].create(
        {
            "name": str,
            "position": int,
            "description": str,
            "time_of_day": str,
            "weather": str,
            "key_light": str,
            "palette": str,
            "refs": str,
        },
        pk="name",
    )
    db["reference_files"].create(
        {
            "handle": str,
            "position": int,
            "kind": str,
            "role": str,
            "sha256": str,
            "path": str,
            "name": str,
            "entity": str,
            "shot": int,
            "width": int,
            "height": int,
            "duration_s": float,
            "fps": float,
            "sample_rate": int,
        },
        pk="handle",
    )
    db["shots"].create(
        {
            "id": int,
            "position": int,
            "action": str,
            "scene": str,
            "characters": str,
            "location": str,
            "size": str,
            "angle": str,
            "movement": str,
            "movement_speed": str,
            "lens_mm": int,
            "depth_of_field": str,
            "time_of_day": str,
            "key_light_side": str,
            "lighting": str,
            "duration_s": float,
            "dialogue": str,
            "refs": str,
            "continues_from": int,
            "transition": str,
            "locked": int,
            "selected_take": int,
        },
        pk="id",
    )
    db["takes"].create(
        {
            "shot_id": int,
            "number": int,
            "backend": str,
            "model": str,
            "seed": int,
            "prompt": str,
            "request_hash": str,
            "path": str,
            "params": str,
            "timings": str,
            "critique": str,
            "created_at": str,
        },
        pk=("shot_id", "number"),
    )
    db["takes"].create_index(["request_hash"])
    db["revisions"].create(
        {
            "id": int,
            "parent": int,
            "description": str,
            "source": str,
            "created_at": str,
            "edits": str,
            "snapshot": str,
        },
        pk="id",
    )
    db["state"].create({"key": str, "value": str}, pk="key")


@migrations()
def m002_take_files(db: Database) -> None:
    """Takes remember what they show (content hash), their file's hash and their length."""
    takes = db["takes"]
    takes.add_column("content_hash", str)
    takes.add_column("file_sha256", str)
    takes.add_column("frames", int)
    takes.add_column("fps", int)
    takes.create_index(["shot_id", "content_hash"])


@migrations()
def m003_take_looks(db: Database) -> None:
    """The look of each accepted take, by location: the running palette the critic checks."""
    db["take_looks"].create(
        {
            "shot_id": int,
            "number": int,
            "location": str,
            "mean_grey": float,
            "std_grey": float,
            "mean_saturation": float,
        },
        pk=("shot_id", "number"),
    )
    db["take_looks"].create_index(["location"])


@migrations()
def m004_reference_motion(db: Database) -> None:
    """Motion reference clips remember the camera movement measured in them."""
    db["reference_files"].add_column("motion", str)


@migrations()
def m005_story_model(db: Database) -> None:
    """Shots say who speaks the dialogue, whose shoulder an OTS looks over, where each
    character stands and faces (staging, JSON), and may override the key light's
    hardness and colour temperature. Old shots get empty values."""
    shots = db["shots"]
    shots.add_column("dialogue_speaker", str)
    shots.add_column("ots_over", str)
    shots.add_column("staging", str, not_null_default="[]")
    shots.add_column("key_light_hardness", str)
    shots.add_column("key_light_kelvin", int)


@migrations()
def m006_target_length(db: Database) -> None:
    """The story may say how long the film should run: `target_length_s` (seconds, or null
    for no target) in the style JSON of the `story` row, where the title's neighbours live.

    Old rows need no change (a missing value reads as no target), so this step writes
    nothing: it marks the schema, so that an older storyreel, whose style has no such
    field, refuses the project with "upgrade storyreel" instead of failing to read it.
    """


@migrations()
def m007_take_look_light(db: Database) -> None:
    """A take's look remembers the light it was planned in: the shot's effective time of
    day (`time_of_day`, null when neither the shot nor its location says) and its own
    lighting (`lighting`: "" when the shot is lit as its location, else its lighting words
    and key-light overrides; see tools/continuity.py `planned_light`). A location's running
    palette then compares only looks taken in the same light.

    Old rows are filled from the plan as it stands (the best knowledge there is): the time
    of day from the shot, else its location; the lighting "" when the shot has no lighting
    words and no key-light override. A row whose shot is gone, or whose shot has its own
    lighting, keeps a null `lighting` and no longer counts in any palette.
    """
    looks = db["take_looks"]
    looks.add_column("time_of_day", str)
    looks.add_column("lighting", str)
    db.execute(
        "update take_looks set "
        "time_of_day = (select coalesce(s.time_of_day, l.time_of_day) from shots s "
        "left join locations l on l.name = take_looks.location "
        "where s.id = take_looks.shot_id), "
        "lighting = (select '' from shots s where s.id = take_looks.shot_id "
        "and coalesce(s.lighting, '') = '' and s.key_light_hardness is null "
        "and s.key_light_kelvin is null)"
    )


@migrations()
def m008_revision_changes(db: Database) -> None:
    """Revisions hold what changed instead of a whole copy of the plan: `changes` (JSON: per
    plan table the rows added and removed, and the columns changed with their old and new
    values; see tools/revision_changes.py) replaces `snapshot`. Undo applies a revision's changes
    backward, redo forward. An index on `parent` finds the revision redo follows.

    Old revisions are converted: each one's changes are what differs between its parent's
    snapshot and its own (the head's: between its parent's snapshot and the tables as they
    stand), in the rows undo wrote from those snapshots, so history, undo and redo are as
    they were. A revision whose snapshot (or its parent's) does not read back keeps no
    changes: undo and redo refuse to cross it, as they refused to restore it. The space the
    snapshots took is given back by m009.
    """
    from storyreel.tools.revision_changes import snapshot_changes  # the memory's row format

    revisions = db["revisions"]
    if "changes" not in revisions.columns_dict:
        revisions.add_column("changes", str)
    if "snapshot" in revisions.columns_dict:
        for revision_id, changes in list(snapshot_changes(db)):
            db.execute("update revisions set changes = ? where id = ?", [changes, revision_id])
        db.execute("alter table revisions drop column snapshot")
    revisions.create_index(["parent"], if_not_exists=True)


@migrations(transactional=False)
def m009_reclaim_snapshot_space(db: Database) -> None:
    """Give the disk back the space m008 freed: a project built edit by edit had most of
    story.db in snapshots (55 MB for 500 shots, against under 1 MB now). VACUUM runs only
    when more than half the file, and over 1 MB, is free pages; it rewrites the file in one
    transaction. If another process holds the project open so that it cannot run, it is
    skipped (SQLite reuses free pages as the story grows).
    """
    pages = db.execute("pragma page_count").fetchone()[0]
    free = db.execute("pragma freelist_count").fetchone()[0]
    size = db.execute("pragma page_size").fetchone()[0]
    if free * 2 <= pages or free * size <= 1_000_000:
        return
    with contextlib.suppress(sqlite3.OperationalError):  # busy: the free pages are reused
        db.execute("vacuum")


@migrations()
def m010_keyframes(db: Database) -> None:
    """Candidate stills of shots (`storyreel keyframes`): the table `keyframes`, one row per
    still (shot id, its number for that shot, the PNG's path under media/keyframes/ and its
    sha256, the backend and seed that drew it, `content_hash`: the hash of the still request
    it was drawn from, seed excluded, which says when the shot changed since; the time it was
    made), found by (shot_id, sha256) so one picture is registered once per shot. Shots gain
    `keyframe`: the number of the still picked to open the shot (null: none).

    Stills, like takes, live beside the plan and are never undone; the pick is part of the
    plan (a revision restores it). Old shots have no pick.
    """
    db["keyframes"].create(
        {
            "shot_id": int,
            "number": int,
            "path": str,
            "sha256": str,
            "backend": str,
            "seed": int,
            "content_hash": str,
            "created_at": str,
        },
        pk=("shot_id", "number"),
        if_not_exists=True,
    )
    db["keyframes"].create_index(["shot_id", "sha256"], if_not_exists=True)
    if "keyframe" not in db["shots"].columns_dict:
        db["shots"].add_column("keyframe", int)


@migrations()
def m011_take_quality(db: Database) -> None:
    """Takes have a quality tier and a source: `quality` is "draft" (the backend's smaller
    size and fewer steps) or "final" (the model card's settings), and `source` is the
    number of the draft take a final was made from (`storyreel finalize`; null otherwise).

    Every take made before tiers was rendered at the backend's own settings: old rows read
    as "final" (the column's default), with no source.
    """
    takes = db["takes"]
    if "quality" not in takes.columns_dict:
        takes.add_column("quality", str, not_null_default="final")
    if "source" not in takes.columns_dict:
        takes.add_column("source", int)


def known_migrations() -> list[str]:
    """The names of every migration this version knows, in order."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def check_schema_known(db: Database, path: str) -> None:
    """Raise if `db` has migrations this version of storyreel does not know."""
    applied = [m.name for m in migrations.applied(db)]
    known = set(known_migrations())
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaTooNewError(
            f"{path} was written by a newer storyreel (schema step {unknown[-1]!r} is unknown "
            "here); upgrade storyreel to open it: pip install -U storyreel"
        )
