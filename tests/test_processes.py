"""The installed `storyreel` command, each step in its own process: state survives restarts."""

from __future__ import annotations

import json
from pathlib import Path


def test_edit_undo_redo_across_processes(tmp_path: Path, storyreel_exe) -> None:
    film = tmp_path / "film"

    def ok(*args: str) -> str:
        result = storyreel_exe(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    ok("new", str(film), "--title", "Across")
    ok("character", "add", "Mara", "-d", "woman in a red raincoat", "-p", str(film))
    ok("location", "add", "Harbour", "-d", "stone quay", "-t", "dusk", "-p", str(film))
    ok(
        "shot",
        "add",
        "Mara on the quay",
        "-s",
        "wide",
        "-c",
        "Mara",
        "-l",
        "Harbour",
        "-p",
        str(film),
    )
    before = ok("show", "--json", "-p", str(film))
    ok("shot", "update", "1", "--size", "close-up", "--movement", "push in", "-p", str(film))
    changed = json.loads(ok("show", "--json", "-p", str(film)))
    assert (changed["shots"][0]["size"], changed["shots"][0]["movement"]) == ("CU", "dolly_in")
    ok("undo", "-p", str(film))
    assert ok("show", "--json", "-p", str(film)) == before
    ok("redo", "-p", str(film))
    assert json.loads(ok("show", "--json", "-p", str(film))) == changed


def test_project_defaults_to_the_current_folder(tmp_path: Path, storyreel_exe) -> None:
    assert storyreel_exe("new", "film", cwd=tmp_path).returncode == 0
    film = tmp_path / "film"
    assert storyreel_exe("shot", "add", "A boat", cwd=film).returncode == 0
    shown = json.loads(storyreel_exe("show", "--json", cwd=film).stdout)
    assert [s["action"] for s in shown["shots"]] == ["A boat"]


def test_errors_exit_non_zero_without_traceback(tmp_path: Path, storyreel_exe) -> None:
    result = storyreel_exe("show", "-p", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: project folder")
    assert "Traceback" not in result.stderr
