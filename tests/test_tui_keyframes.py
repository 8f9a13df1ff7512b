"""Candidate stills in the chat app: /keyframes draws them on the turn worker, the keyframe
pane shows the shot's candidates sheet (then the picked still), and a pick in conversation
opens the shot on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from storyreel.apps.tui.app import StoryreelApp
from storyreel.apps.tui.commands import parse
from storyreel.apps.tui.widgets import Keyframe
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from tests.tui_helpers import MARA, drive, idle, new_story, screen_text, type_line, until

HANDHELD = "At the harbour at dusk: a handheld medium shot of Mara on the quay, 2 seconds."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return new_story(tmp_path / "film")


def keyframe_of(folder: Path, shot_id: int) -> int | None:
    project = Project.open(folder)
    try:
        shot = project.memory.plan().find_shot(shot_id)
        assert shot is not None
        return shot.keyframe
    finally:
        project.close()


def test_slash_keyframes_parses_shots_or_takes_the_selected_one() -> None:
    assert parse("/keyframes 2 3", 1).shots == [2, 3]  # type: ignore[union-attr]
    assert parse("/keyframes", 4).shots == [4]  # type: ignore[union-attr]
    with pytest.raises(StoryreelError):
        parse("/keyframes", None)


def test_keyframes_command_shows_the_sheet_and_a_pick_in_conversation_opens_the_shot(
    folder: Path,
) -> None:
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HANDHELD)
        await idle(app, pilot)
        await type_line(app, pilot, "/keyframes")
        await idle(app, pilot)
        seen["chat"] = app.chat.text()
        await until(app, pilot, lambda: "shot 1 · stills 1, 2" in screen_text(app), 10)
        seen["sheet"] = screen_text(app)
        await type_line(app, pilot, "use the third still for shot 1")
        await idle(app, pilot)
        seen["after"] = app.chat.text()

    drive(folder, script, example=())
    sheet = folder / "exports" / "keyframes-shot1.png"
    assert f"Candidates sheet for shot 1: {sheet}" in seen["chat"]
    assert sheet.is_file()
    assert "shot 1 · stills 1, 2, 3, 4 · pick one" in seen["sheet"]
    assert "Shot 1 will open on still 3" in seen["after"]
    assert keyframe_of(folder, 1) == 3


def test_a_picked_still_is_shown_for_a_shot_without_a_take(folder: Path) -> None:
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        app.agent.context.auto_render = False
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HANDHELD)
        await idle(app, pilot)
        await type_line(app, pilot, "/keyframes 1")
        await idle(app, pilot)
        await type_line(app, pilot, "shot 1: take still 2")
        await idle(app, pilot)
        await until(app, pilot, lambda: "still 2 picked" in screen_text(app), 10)
        seen["screen"] = screen_text(app)

    drive(folder, script, example=())
    assert "shot 1 · still 2 picked (of 1, 2, 3, 4)" in seen["screen"]
    assert "▀" in seen["screen"]


def test_stills_asked_for_in_conversation_show_their_sheet_in_the_pane(folder: Path) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        app.agent.context.auto_render = False
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HANDHELD)
        await type_line(app, pilot, "Cut to a handheld close-up of Mara, 2 seconds.")
        await idle(app, pilot)
        await until(app, pilot, lambda: app.shots.row_count == 2, 10)
        app.shots.move_cursor(row=1)  # shot 2 highlighted
        await type_line(app, pilot, "make stills for shots 1 and 2")
        await idle(app, pilot)
        pane = app.query_one("#keyframe", Keyframe)
        await until(app, pilot, lambda: "shot 1 · stills" in screen_text(app), 10)
        seen["highlighted"] = app.shots.selected_shot
        seen["shown"] = pane._shown[0] if pane._shown else None

    drive(folder, script, example=())
    sheet = folder / "exports" / "keyframes.png"  # one sheet for both shots
    assert sheet.is_file()
    assert seen["highlighted"] == 1
    assert seen["shown"] == sheet
