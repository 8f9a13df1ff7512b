"""The script supervisor: labelled plans (good ones stay quiet, bad ones get exactly their
notes), fixes that do what they say, `storyreel check`, and notes after a change in a turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.agent.session import Session
from storyreel.apps.cli import app
from storyreel.tools.edits import EditContext, apply_edits
from storyreel.tools.supervisor import line_seconds, notes_on_change, supervise
from tests.supervisor_plans import BAD, GOOD, build, shot


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_plan_gets_no_note(name: str) -> None:
    assert [n.message for n in supervise(GOOD[name])] == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_plan_gets_exactly_its_notes(name: str) -> None:
    plan, expected = BAD[name]
    assert {n.check for n in supervise(plan)} == expected


@pytest.mark.parametrize("name", sorted(BAD))
def test_applying_the_fixes_silences_the_notes(name: str) -> None:
    plan, _ = BAD[name]
    notes = supervise(plan)
    fixes = [edit for note in notes for edit in note.fix]
    assert fixes, "every check on these plans suggests a fix"
    counter = iter(range(100, 200))
    fixed, _ = apply_edits(plan, fixes, EditContext(lambda: next(counter), lambda _id: ()))
    assert supervise(fixed) == [], [n.message for n in supervise(fixed)]


def test_a_line_takes_words_over_two_and_a_half_seconds_plus_a_breath() -> None:
    assert line_seconds("") == 0
    assert line_seconds("one two three four five") == pytest.approx(2.5)


def test_notes_on_change_speak_only_of_what_changed() -> None:
    before = build([shot("The quay", size="LS"), shot("Tom", size="MS", characters=["Tom"])])
    after = build([
        shot("The quay", size="LS"),
        shot("Tom", size="MS", characters=["Tom"]),
        shot("Tom again", size="MS", characters=["Tom"]),
    ])  # fmt: skip
    assert [n.check for n in notes_on_change(before, after)] == ["jump_cut"]
    assert notes_on_change(after, after) == []


def _project(tmp_path: Path) -> Path:
    runner = CliRunner()
    folder = tmp_path / "film"
    for args in (
        ["new", str(folder)],
        ["character", "add", "Tom", "-d", "an old fisherman", "-p", str(folder)],
        ["location", "add", "Harbour", "-d", "a stone quay", "-t", "dusk", "-p", str(folder)],
        ["shot", "add", "Tom mends a net", "-c", "Tom", "-l", "Harbour", "--size", "CU",
         "-p", str(folder)],
        ["shot", "add", "Tom looks up", "-c", "Tom", "-l", "Harbour", "--size", "CU",
         "-p", str(folder)],
    ):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return folder


def test_check_prints_the_notes_and_fix_applies_them(tmp_path: Path) -> None:
    folder = _project(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(app, ["check", "-p", str(folder)])
    assert shown.exit_code == 0 and "[jump_cut] Shots 1 and 2 show Tom the same way" in shown.output
    data = json.loads(runner.invoke(app, ["check", "--json", "-p", str(folder)]).output)
    assert data[0]["check"] == "jump_cut" and data[0]["fix"][0]["kind"] == "update_shot"
    fixed = runner.invoke(app, ["check", "--fix", "-p", str(folder)])
    assert fixed.exit_code == 0 and "undo with: storyreel undo" in fixed.output
    assert "no notes" in runner.invoke(app, ["check", "-p", str(folder)]).output


def test_a_turn_reports_the_notes_and_fix_it_applies_them(tmp_path: Path) -> None:
    folder = _project(tmp_path)
    session = Session(folder, offline=True, autopilot=True, auto_render=False)
    try:
        said = [
            e.text for e in session.send("Add a close-up of Tom coiling a rope at the harbour.")
        ]
        reply = said[-1]
        assert "Script supervisor:" in reply and 'Say "fix it"' in reply
        before = [s.size for s in session.project.memory.plan().ordered_shots()]
        list(session.send("fix it"))
        after = [s.size for s in session.project.memory.plan().ordered_shots()]
        assert before != after
        assert supervise(session.project.memory.plan()) == [] or all(
            n.check != "jump_cut" or 3 not in n.shot_ids
            for n in supervise(session.project.memory.plan())
        )
    finally:
        session.close()
