"""The schema of story.db: append-only, named migrations applied on open.

Never edit or reorder a migration that has shipped: add a new one at the end.
A database that has migrations this list does not know was written by a
newer storyreel; `check_schema_known` refuses to touch it.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from storyreel.tools.errors import SchemaTooNewError

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
