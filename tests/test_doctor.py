"""`storyreel doctor`: what it finds, what --fix repairs, and its exit codes (0 healthy, 1 not)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from damage_helpers import (
    build_rendered_project,
    copy_project,
    execute,
    garble_middle,
    snapshot_bytes,
)
from typer.testing import CliRunner

from storyreel.apps.cli import app


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_rendered_project(tmp_path_factory.mktemp("base") / "film")


@pytest.fixture
def film(base: Path, tmp_path: Path) -> Path:
    return copy_project(base, tmp_path / "film")


def doctor(folder: Path, *args: str):
    return CliRunner().invoke(app, ["doctor", *args, "-p", str(folder)])


def takes_of(folder: Path) -> list[Path]:
    return sorted((folder / "media" / "takes").glob("[!.]*.mp4"))


def test_a_healthy_project(film: Path) -> None:
    result = doctor(film)
    assert result.exit_code == 0, result.output
    assert "story.db is sound: 2 shots, 2 takes, 0 references" in result.stdout
    assert "media: 2 files checked against their hashes" in result.stdout
    assert "agent.db is sound" in result.stdout
    assert result.stdout.rstrip().endswith("The project is healthy.")
    document = json.loads(doctor(film, "--json").stdout)
    assert document["healthy"] is True and document["problems"] == []


def test_orphans_and_dead_partials_are_found_and_removed(film: Path) -> None:
    takes = film / "media" / "takes"
    (takes / "stray.mp4").write_bytes(b"left by a render killed before it registered")
    (film / "media" / "refs" / "abc.png").write_bytes(b"left by a refused ref add")
    dead = takes / ".x.mp4.999999-0123abcd.partial.mp4"  # pid 999999 does not run
    dead.write_bytes(b"half")
    live = takes / f".y.mp4.{os.getpid()}-0123abcd.partial.mp4"
    live.write_bytes(b"being written")
    before = snapshot_bytes(film)
    result = doctor(film)
    assert result.exit_code == 1
    assert "media/takes/stray.mp4 is used by no take or reference (orphan)" in result.stdout
    assert "media/refs/abc.png is used by no take or reference (orphan)" in result.stdout
    assert f"media/takes/{dead.name} is a half-written file" in result.stdout
    assert f"{live.name} is being written by process" in result.stdout
    assert "Repair what can be repaired with: storyreel doctor --fix" in result.stdout
    assert snapshot_bytes(film) == before  # without --fix nothing changes
    fixed = doctor(film, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "removed media/takes/stray.mp4" in fixed.stdout
    assert "removed media/refs/abc.png" in fixed.stdout
    assert f"removed media/takes/{dead.name} (half-written)" in fixed.stdout
    assert not (takes / "stray.mp4").exists() and not dead.exists() and live.exists()
    assert len(takes_of(film)) == 2  # registered takes are never orphans
    assert "The project is healthy." in fixed.stdout


def test_a_garbage_agent_db_is_rebuilt(film: Path) -> None:
    (film / "agent.db").write_bytes(b"garbage!" * 1000)
    result = doctor(film)
    assert result.exit_code == 1
    assert "agent.db is damaged (it is not a SQLite database" in result.stdout
    assert "--fix rebuilds it; the conversation history is lost" in result.stdout
    fixed = doctor(film, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "rebuilt agent.db: the damaged file is kept as agent.db.damaged" in fixed.stdout
    assert "conversation history of every session is lost" in fixed.stdout
    assert (film / "agent.db.damaged").read_bytes() == b"garbage!" * 1000
    said = CliRunner().invoke(app, ["say", "--offline", "--yes", "lock shot 1", "-p", str(film)])
    assert said.exit_code == 0, said.output


def test_a_foreign_path_project(film: Path) -> None:
    outside = film.parent / "outside"
    outside.mkdir()
    (outside / "take.mp4").write_bytes(b"not ours")
    execute(
        film / "story.db",
        "UPDATE takes SET path = '../outside/take.mp4' WHERE shot_id = 1",
        "INSERT INTO reference_files (handle, position, kind, role, sha256, path) "
        "VALUES ('@image1', 1, 'image', 'style', 'abc', '../../../etc/passwd')",
    )
    before, outside_before = snapshot_bytes(film), snapshot_bytes(outside)
    result = doctor(film)
    assert result.exit_code == 1
    assert "take 1 of shot 1: the path '../outside/take.mp4' points outside" in result.stdout
    assert "reference_files row '@image1': the path '../../../etc/passwd'" in result.stdout
    assert "[--fix forgets the path]" in result.stdout
    assert snapshot_bytes(film) == before
    fixed = doctor(film, "--fix")
    assert (
        "forgot a path outside the project: take 1 of shot 1: '../outside/take.mp4' is now "
        "media/takes/" in fixed.stdout
    )
    assert "reference @image1: '../../../etc/passwd' is now media/refs/abc" in fixed.stdout
    assert snapshot_bytes(outside) == outside_before  # never read, never written
    # the take's own file was where its render put it, so it is whole again; the
    # reference's file never was in the project: it is reported missing, with the way out
    assert "reference @image1: media/refs/abc is missing" in fixed.stdout
    assert fixed.exit_code == 1
    shown = CliRunner().invoke(app, ["show", "-p", str(film)])
    assert shown.exit_code == 0, shown.output


def test_missing_and_damaged_takes_are_rendered_again_on_request(film: Path) -> None:
    first, second = takes_of(film)
    first.unlink()
    second.write_bytes(b"overwritten")
    result = doctor(film)
    assert result.exit_code == 1
    assert f"{first.relative_to(film).as_posix()} is missing (the selected take)" in result.stdout
    assert "does not match its hash (damaged) (the selected take)" in result.stdout
    assert "add --rerender to render missing takes again" in result.stdout
    only_fix = doctor(film, "--fix")
    assert only_fix.exit_code == 1
    assert (
        "Render the missing takes again with: storyreel doctor --fix --rerender" in only_fix.stdout
    )
    fixed = doctor(film, "--fix", "--rerender")
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.count("re-rendered: shot") == 2
    assert "The project is healthy." in fixed.stdout


def test_json_output_stays_json_while_takes_are_rendered_again(film: Path) -> None:
    takes_of(film)[0].unlink()
    result = doctor(film, "--fix", "--rerender", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # progress and outcome lines went to stderr
    assert any(line.startswith("re-rendered: shot") for line in document["done"])
    assert "rendered again" in result.stderr


def test_a_damaged_story_db_is_examined_without_a_write(film: Path) -> None:
    execute(film / "story.db", "DROP TABLE shots")
    before = snapshot_bytes(film)
    for args in ((), ("--fix",), ("--json",)):
        result = doctor(film, *args)
        assert result.exit_code == 1
        assert snapshot_bytes(film) == before
    text = doctor(film).stdout
    assert "story.db is damaged: the table 'shots' is missing" in text
    assert re.search(
        r"the plan as of revision \d+ can be rebuilt from the revisions. changes \(2 shots", text
    )
    assert "restore it from a backup" in text
    assert "orphan" not in text.split("Problems")[1]  # no take file is ever called an orphan


def test_random_bytes_in_story_db(film: Path) -> None:
    garble_middle(film / "story.db")
    before = snapshot_bytes(film)
    result = doctor(film, "--fix")
    assert result.exit_code == 1
    assert "story.db is damaged: database disk image is malformed" in result.stdout
    assert snapshot_bytes(film) == before
    assert len(takes_of(film)) == 2


def test_rerender_needs_fix_and_a_project(film: Path, tmp_path: Path) -> None:
    assert "--rerender works with --fix" in doctor(film, "--rerender").stderr
    assert doctor(tmp_path / "nowhere").exit_code == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    result = doctor(empty)
    assert result.exit_code == 1 and "there is no story.db" in result.stdout


def test_doctor_is_documented() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "`storyreel doctor" in readme and "When something is damaged" in readme
