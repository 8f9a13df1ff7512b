"""Damaged and foreign projects are refused on open with one line and the way out,
and nothing is written: every file of the project has the same bytes afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
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

STORY_WAY_OUT = "run `storyreel doctor` to see what can be saved, or restore it from a backup"
AGENT_WAY_OUT = "run `storyreel doctor --fix` to rebuild it (the conversation history is lost"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_rendered_project(tmp_path_factory.mktemp("base") / "film")


@pytest.fixture
def film(base: Path, tmp_path: Path) -> Path:
    return copy_project(base, tmp_path / "film")


def run(folder: Path, *args: str):
    return CliRunner().invoke(app, [*args, "-p", str(folder)])


def _zero_bytes(folder: Path) -> None:
    (folder / "story.db").write_bytes(b"")


def _garbage_agent(folder: Path) -> None:
    (folder / "agent.db").write_bytes(b"\x00garbage" * 4000)


Damage = Callable[[Path], None]

STORY_CASES: dict[str, tuple[Damage, str]] = {
    "random bytes in the middle": (
        lambda f: garble_middle(f / "story.db"),
        "story.db is damaged (database disk image is malformed",
    ),
    "zero bytes": (_zero_bytes, "story.db is damaged (the file is empty: 0 bytes)"),
    "not SQLite": (
        lambda f: (f / "story.db").write_bytes(b"hello" * 1000),
        "story.db is damaged (it is not a SQLite database",
    ),
    "dropped table": (
        lambda f: execute(f / "story.db", "DROP TABLE shots"),
        "story.db is damaged (the table 'shots' is missing)",
    ),
    "invalid JSON in a cell": (
        lambda f: execute(f / "story.db", "UPDATE shots SET characters = '[\"Mara\"' WHERE id = 2"),
        "story.db is damaged (shots row 2: the column 'characters' holds invalid JSON)",
    ),
    "invalid JSON in a take": (
        lambda f: execute(f / "story.db", "UPDATE takes SET params = '{' WHERE shot_id = 1"),
        "story.db is damaged (take 1 of shot 1: the column 'params' holds invalid JSON)",
    ),
    "no head revision": (
        lambda f: execute(f / "story.db", "DELETE FROM state WHERE key = 'head'"),
        "story.db is damaged (the current revision is missing)",
    ),
}


@pytest.mark.parametrize("case", list(STORY_CASES))
@pytest.mark.parametrize("command", [["show"], ["shot", "add", "Mara waves"], ["render"]])
def test_a_damaged_story_db_is_refused_and_left_as_it_is(
    film: Path, case: str, command: list[str]
) -> None:
    damage, message = STORY_CASES[case]
    damage(film)
    before = snapshot_bytes(film)
    result = run(film, *command)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.count("\n") == 0 and line.startswith(f"error: {message}"), line
    if case != "zero bytes":
        assert line.endswith(STORY_WAY_OUT), line
    else:
        assert "restore it from a backup" in line
    assert snapshot_bytes(film) == before
    if case == "zero bytes":
        assert (film / "story.db").stat().st_size == 0  # never made into an empty database


AGENT_CASES: dict[str, tuple[Damage, str]] = {
    "garbage agent.db": (_garbage_agent, "agent.db is damaged (it is not a SQLite database"),
    "missing state table": (
        lambda f: execute(f / "agent.db", "DROP TABLE writes"),
        "agent.db is damaged (the conversation-state table 'writes' is missing)",
    ),
    "both state tables missing": (
        lambda f: execute(f / "agent.db", "DROP TABLE writes", "DROP TABLE checkpoints"),
        "agent.db is damaged (the conversation-state tables 'checkpoints' and 'writes'",
    ),
    "random bytes in agent.db": (
        lambda f: garble_middle(f / "agent.db", 2048),
        "agent.db is damaged (",
    ),
}


@pytest.mark.parametrize("case", list(AGENT_CASES))
def test_a_damaged_agent_db_is_refused_and_left_as_it_is(film: Path, case: str) -> None:
    damage, message = AGENT_CASES[case]
    if case == "random bytes in agent.db":  # make it big enough for the middle to be a page
        execute(
            film / "agent.db",
            "INSERT INTO transcript (session, role, text, at) "
            "SELECT 'main', 'person', hex(randomblob(500)), 'now' FROM "
            "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
            "SELECT i FROM n)",
        )
    damage(film)
    before = snapshot_bytes(film)
    result = run(film, "say", "--offline", "--yes", "make shot 1 a close-up")
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.count("\n") == 0 and line.startswith(f"error: {message}"), line
    assert AGENT_WAY_OUT in line
    assert snapshot_bytes(film) == before
    assert run(film, "show").exit_code == 0  # the story itself is fine


OUTSIDE_TAKE = "../outside/take.mp4"


@pytest.mark.parametrize(
    "statement, path",
    [
        (f"UPDATE takes SET path = '{OUTSIDE_TAKE}' WHERE shot_id = 1", OUTSIDE_TAKE),
        ("UPDATE takes SET path = '/etc/hostname' WHERE shot_id = 1", "/etc/hostname"),
        ("UPDATE takes SET path = 'media/../../x.mp4' WHERE shot_id = 2", "media/../../x.mp4"),
    ],
)
@pytest.mark.parametrize("command", [["show"], ["export", "--cut", "cut.mp4"], ["render"]])
def test_paths_outside_the_project_are_refused(
    film: Path, statement: str, path: str, command: list[str]
) -> None:
    outside = film.parent / "outside"
    outside.mkdir()
    shutil.copy(next((film / "media" / "takes").glob("*.mp4")), outside / "take.mp4")
    execute(film / "story.db", statement)
    before, outside_before = snapshot_bytes(film), snapshot_bytes(outside)
    cwd = os.getcwd()
    os.chdir(film.parent)
    try:
        result = run(film, *command)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith("error: story.db points outside the project (take "), line
    assert repr(path) in line and "storyreel doctor --fix" in line
    assert snapshot_bytes(film) == before
    assert snapshot_bytes(outside) == outside_before  # no take.key.png written next to it
    assert not (film.parent / "cut.mp4").exists()


def test_a_reference_path_outside_is_refused(film: Path) -> None:
    execute(
        film / "story.db",
        "INSERT INTO reference_files (handle, position, kind, role, sha256, path) "
        "VALUES ('@image1', 1, 'image', 'style', 'abc', '../../../etc/passwd')",
    )
    before = snapshot_bytes(film)
    result = run(film, "ref", "list")
    assert result.exit_code == 1
    assert "reference_files row '@image1'" in result.stderr
    assert "'../../../etc/passwd'" in result.stderr
    assert snapshot_bytes(film) == before


def test_a_take_file_that_links_outside_is_never_read(film: Path) -> None:
    outside = film.parent / "outside"
    outside.mkdir()
    take = sorted((film / "media" / "takes").glob("*.mp4"))[0]
    shutil.move(take, outside / take.name)
    take.symlink_to(outside / take.name)
    before = snapshot_bytes(outside)
    result = run(film, "render")
    assert result.exit_code == 1, result.output
    assert "outside the project folder" in result.stderr and "(through a link)" in result.stderr
    assert snapshot_bytes(outside) == before


def _unprivileged() -> list[str] | None:
    """A command prefix that runs as nobody (the tests run as root here), or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_read_only_project_folder_says_how_to_fix_it(base: Path) -> None:
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("needs a non-root user (setpriv)")
    holder = Path(tempfile.mkdtemp(prefix="storyreel-ro-"))  # pytest's tmp is root-only
    try:
        holder.chmod(0o755)
        film = copy_project(base, holder / "film")
        for path in [film, *film.rglob("*")]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
        before = snapshot_bytes(film)
        exe = str(Path(sys.executable).parent / "storyreel")
        result = subprocess.run(
            [*prefix, exe, "show", "-p", str(film)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": str(holder)},
        )
        assert result.returncode == 1, result.stderr
        line = result.stderr.strip()
        assert line.startswith("error: story.db cannot be opened for writing: the project folder")
        assert "is read-only" in line and "chmod u+rwx" in line, line
        assert snapshot_bytes(film) == before
    finally:
        for path in [holder, *holder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        shutil.rmtree(holder)
