"""The script supervisor: labelled plans (good ones stay quiet, bad ones get exactly their
notes), fixes that do what they say, `storyreel check`, and notes after a change in a turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.agent.session import Session
from storyreel.apps.cli import app
from storyreel.tools.edits import EditContext, SetTargetLength, UpdateShot, apply_edits
from storyreel.tools.supervisor import length_off, line_seconds, notes_on_change, supervise
from tests.supervisor_plans import BAD, GOOD, TWO, build, four_shots, shot, target


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
    unfixable = [note for note in notes if not note.fix]
    # only a film far from its length may have no clear fix (it needs shots, said in words)
    assert all(note.check == "length" and "brings it close" in note.message for note in unfixable)
    fixes = [edit for note in notes for edit in note.fix]
    if not fixes:
        return
    counter = iter(range(100, 200))
    fixed, _ = apply_edits(plan, fixes, EditContext(lambda: next(counter), lambda _id: ()))
    assert [n.message for n in supervise(fixed)] == [n.message for n in unfixable]


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


def test_someone_in_two_places_is_told_where_and_the_fix_puts_the_shot_there() -> None:
    plan, _ = BAD["someone in two places in one scene"]
    (note,) = supervise(plan)
    assert note.shot_ids == [1, 2, 3]
    assert note.message.startswith(
        "In scene '2', Mara is at the kitchen in shots 1 and 3, but shot 2 has Mara at the "
        "harbour: nobody can be in two places in one scene."
    )
    assert [e.model_dump(exclude_none=True, exclude={"clear"}) for e in note.fix] == [
        {"kind": "update_shot", "shot_id": 2, "location": "Kitchen"}
    ]


def test_two_places_in_one_scene_is_noted_only_where_the_plan_names_its_scenes() -> None:
    unnamed = build([
        shot("Mara and Tom at the table", size="LS", location="Kitchen", characters=TWO),
        shot("Mara on the quay", size="CU", characters=["Mara"]),
        shot("Mara back at the table", size="MS", location="Kitchen", characters=TWO),
    ])  # fmt: skip
    assert [n.check for n in supervise(unnamed)] == []  # she may have walked out and back


def test_the_length_note_says_how_far_and_what_to_do() -> None:
    plan, _ = BAD["two minutes asked, 16 seconds planned"]
    (note,) = supervise(plan)
    assert (note.check, note.shot_ids, note.fix) == ("length", [], [])
    assert note.message.startswith(
        "The film runs 16 s (4 shots) but you asked for about 2 min: it is 1 min 44 s too short."
    )
    assert "Adding about 26 shots of 4 s brings it close" in note.message
    assert length_off(plan) == pytest.approx(-104)


def test_far_means_more_than_a_quarter_and_five_seconds() -> None:
    def off(asked: float, each: float) -> float | None:
        return length_off(build([target(asked), *four_shots(duration_s=each)]))

    assert off(120, 37.5) is None and off(120, 37.6) is not None  # 150 s is a quarter over
    assert off(120, 22.5) is None and off(120, 22.4) is not None  # 90 s is a quarter under
    assert off(8, 3) is None and off(8, 0.8) is None  # within 5 s of a short target
    assert off(8, 3.3) == pytest.approx(5.2)
    assert length_off(build(four_shots())) is None  # no target, no note


def test_the_length_fix_never_cuts_a_line_short_or_touches_a_locked_shot() -> None:
    line = "We sail at dawn when the tide turns, not before."  # 4.5 s to say
    plan = build([
        target(10),
        shot("The quay", size="ELS", duration_s=6),
        shot("Tom speaks", size="MCU", characters=["Tom"], duration_s=6, dialogue=line),
        shot("Mara", size="CU", characters=["Mara"], duration_s=4),
    ])  # fmt: skip
    locked = plan.model_copy(deep=True)
    locked.shots[2].locked = True
    for each, expected in ((plan, {1: 4.0, 2: 4.5, 3: 2.5}), (locked, {1: 3.0, 2: 4.5})):
        (note,) = supervise(each)
        durations = {e.shot_id: e.duration_s for e in note.fix if isinstance(e, UpdateShot)}
        assert durations == expected, note.message


def test_length_speaks_on_a_change_only_when_the_change_moves_away_or_sets_the_target() -> None:
    short = build([target(60), *four_shots()])  # 16 s of a minute
    longer = build([target(60), *four_shots(), shot("More sea", size="LS", duration_s=8)])
    assert [n.check for n in notes_on_change(short, longer)] == []  # growing towards it
    assert [n.check for n in notes_on_change(longer, short)] == ["length"]  # farther off
    no_target = build(four_shots())
    assert [n.check for n in notes_on_change(no_target, short)] == ["length"]  # just set
    long = build([target(10), *four_shots(duration_s=6)])
    longest = build([target(10), *four_shots(duration_s=6), shot("Sea", size="LS")])
    assert [n.check for n in notes_on_change(long, longest)] == ["length"]
    assert [n.check for n in supervise(longer)] == ["length"]  # check always says it


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


def test_style_length_sets_the_target_and_check_compares_the_film_with_it(tmp_path: Path) -> None:
    folder = _project(tmp_path)  # two shots of 4 s
    runner = CliRunner()
    said = runner.invoke(app, ["style", "--length", "1:30", "-p", str(folder)])
    assert said.exit_code == 0, said.output
    assert "Set the target length to 1 min 30 s (the shots now run 8 s)" in said.output
    shown = runner.invoke(app, ["show", "-p", str(folder)]).output
    assert "target length: 1 min 30 s" in shown and "Shots (2, 8 s; target 1 min 30 s)" in shown
    story = json.loads(runner.invoke(app, ["show", "--json", "-p", str(folder)]).output)["story"]
    assert (story["target_length_s"], story["duration_s"]) == (90, 8)
    checked = runner.invoke(app, ["check", "-p", str(folder)]).output
    assert "[length] The film runs 8 s (2 shots) but you asked for about 1 min 30 s" in checked
    bad = runner.invoke(app, ["style", "--length", "two minutes", "-p", str(folder)])
    assert bad.exit_code == 1 and "is not a film length: give seconds (90)" in bad.output
    removed = runner.invoke(app, ["style", "--no-length", "-p", str(folder)])
    assert removed.exit_code == 0 and "Removed the target length" in removed.output
    assert "[length]" not in runner.invoke(app, ["check", "-p", str(folder)]).output
    runner.invoke(app, ["undo", "-p", str(folder)])
    assert "target length: 1 min 30 s" in runner.invoke(app, ["show", "-p", str(folder)]).output


def test_a_turn_that_sets_a_length_far_from_the_film_hears_it(tmp_path: Path) -> None:
    folder = _project(tmp_path)
    session = Session(folder, offline=True, autopilot=True, auto_render=False)
    try:
        said = [e.text for e in session.act([SetTargetLength(seconds=60)], label="a minute")]
        reply = "\n".join(said)
        assert "Script supervisor: The film runs 8 s (2 shots) but you asked for about 1 min" in (
            reply
        )
    finally:
        session.close()
