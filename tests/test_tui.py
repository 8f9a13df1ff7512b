"""The terminal chat app, driven headless with Textual's pilot on a real project."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot

from storyreel.agent.session import Session
from storyreel.apps.tui.app import StoryreelApp
from storyreel.apps.tui.screens import QuestionScreen, TakesScreen
from storyreel.apps.tui.widgets import ShotProgress
from storyreel.tools.project import Project
from tests.tui_helpers import (
    CLOSE_UP,
    HARBOUR,
    MARA,
    GatedPreviz,
    cell,
    drive,
    idle,
    new_story,
    rows,
    screen_text,
    type_line,
    until,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return new_story(tmp_path / "film")


def plan_of(folder: Path):
    project = Project.open(folder)
    try:
        return project.memory.plan(), project.memory.takes_by_shot()
    finally:
        project.close()


def test_typed_direction_fills_the_shot_list_renders_and_shows_the_verdict(folder: Path) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        seen["rows"] = rows(app)
        seen["bars"] = [bar.text for bar in app.query(ShotProgress)]
        # the keyframe is drawn after the next screen refresh: wait for it to show
        await until(app, pilot, lambda: "▀" in screen_text(app), timeout=10)
        seen["screen"] = screen_text(app)
        seen["chat"] = app.chat.text()

    drive(folder, script)
    assert seen["rows"] == [["1", "1", "LS", "static", "2s", "", "1", "accept", "ok"]]
    assert [bar.split(" (")[0] for bar in seen["bars"]] == ["shot 1: rendered take 1"]
    screen = str(seen["screen"])
    assert "shot 1 · take 1 · previz · accept" in screen  # the keyframe caption
    assert "▀" in screen  # the keyframe itself, in half blocks
    assert "@mara a woman in her thirties, wearing a red" in screen  # the bible
    assert "Rendered shot 1." in str(seen["chat"])


def test_lock_by_key_unlock_by_command_and_undo(folder: Path) -> None:
    states: list[str] = []

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        await pilot.press("f7")
        await idle(app, pilot)
        states.append(cell(app, 1, "lock"))
        await type_line(app, pilot, "/unlock 1")
        await idle(app, pilot)
        states.append(cell(app, 1, "lock"))
        await pilot.press("ctrl+z")
        await idle(app, pilot)
        states.append(cell(app, 1, "lock"))

    drive(folder, script)
    assert states == ["locked", "", "locked"]
    plan, _ = plan_of(folder)
    assert plan.shots[0].locked


def test_an_approval_is_a_dialog_and_the_answer_resumes_the_turn(folder: Path) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HARBOUR)
        await type_line(app, pilot, CLOSE_UP)
        await idle(app, pilot)
        await type_line(app, pilot, "delete shot 2")
        await until(app, pilot, lambda: isinstance(app.screen, QuestionScreen))
        seen["question"] = app.screen.question
        await idle(app, pilot)
        seen["before"] = len(rows(app))
        await pilot.click("#choice-0")  # "yes"
        await idle(app, pilot)
        seen["after"] = [row[1] for row in rows(app)]

    drive(folder, script)
    assert "remove shot 2, which has 1 take(s)" in str(seen["question"])
    assert seen["before"] == 2 and seen["after"] == ["1"]


def test_a_question_left_open_is_asked_again_after_a_restart(folder: Path) -> None:
    async def ask_and_leave(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        await type_line(app, pilot, "delete shot 1")
        await until(app, pilot, lambda: isinstance(app.screen, QuestionScreen))
        await pilot.press("escape")  # answer later
        await idle(app, pilot)

    drive(folder, ask_and_leave)
    seen: dict[str, object] = {}

    async def come_back(app: StoryreelApp, pilot: Pilot) -> None:
        await until(app, pilot, lambda: isinstance(app.screen, QuestionScreen))
        await pilot.click("#choice-1")  # "no"
        await idle(app, pilot)
        seen["rows"] = len(rows(app))

    drive(folder, come_back)
    assert seen["rows"] == 1


def test_restart_shows_the_same_story_and_the_conversation(folder: Path) -> None:
    first: dict[str, object] = {}

    async def build(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HARBOUR)
        await type_line(app, pilot, CLOSE_UP)
        await idle(app, pilot)
        await pilot.press("f7")  # lock shot 1
        await idle(app, pilot)
        first["rows"] = rows(app)

    drive(folder, build)
    again: dict[str, object] = {}

    async def reopen(app: StoryreelApp, pilot: Pilot) -> None:
        await pilot.pause()
        again["rows"] = rows(app)
        again["chat"] = app.chat.text()

    drive(folder, reopen)
    assert again["rows"] == first["rows"]
    assert len(again["rows"]) == 2 and again["rows"][0][5] == "locked"
    chat = str(again["chat"])
    assert "Earlier in this conversation:" in chat
    assert MARA in chat and "lock shot 1" in chat
    assert "Welcome back to Harbour: 2 shot(s), 2 with a take, 1 locked." in chat


def test_a_message_during_a_render_is_queued_and_done_next(folder: Path) -> None:
    chat: list[str] = []
    GatedPreviz.GATE.clear()

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, MARA)
        await type_line(app, pilot, HARBOUR)
        await until(app, pilot, lambda: app.query("#progress-1"))
        await type_line(app, pilot, CLOSE_UP)
        chat.append(app.chat.lines[-1][1])
        GatedPreviz.GATE.set()
        await idle(app, pilot)
        chat.extend(text for _, text in app.chat.lines)

    drive(folder, script, backend="gated")
    assert chat[0] == "I'm rendering shot 1; I'll read that next."
    first_done = chat.index("Added the harbour and a shot.\nRendered shot 1.")
    assert chat.index(CLOSE_UP) < chat.index(chat[0], 1) < first_done
    assert chat.index("• Added shot 2 (CU, dolly_in, 2 s)") > first_done
    plan, takes = plan_of(folder)
    assert [shot.id for shot in plan.shots] == [1, 2] and all(takes[i] for i in (1, 2))


def test_quitting_during_a_render_cancels_and_the_next_start_finishes(folder: Path) -> None:
    GatedPreviz.GATE.clear()

    async def start_and_quit(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR + " Then a close-up of the water, 2 seconds.")
        await until(app, pilot, lambda: app.query("#progress-1"))

    drive(folder, start_and_quit, backend="gated")  # quits with ctrl+q while shot 1 renders
    with Session(folder, offline=True) as session:
        assert session.unfinished()
        assert not any(session.project.memory.takes_by_shot().values())
        assert len(session.project.memory.plan().shots) == 2
    seen: dict[str, object] = {}
    GatedPreviz.GATE.set()

    async def come_back(app: StoryreelApp, pilot: Pilot) -> None:
        await idle(app, pilot)
        seen["chat"] = app.chat.text()
        seen["rows"] = rows(app)

    drive(folder, come_back, backend="gated")
    assert "Finishing what I was doing when I was stopped." in str(seen["chat"])
    assert [row[6] for row in seen["rows"]] == ["1", "1"]  # one take each, none half-made
    assert not list((folder / "media" / "takes").glob("*partial*"))
    with Session(folder, offline=True) as session:
        assert not session.unfinished()


def test_retake_then_choose_the_first_take_in_the_takes_dialog(folder: Path) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        await pilot.press("f8")  # retake
        await idle(app, pilot)
        seen["after_retake"] = cell(app, 1, "takes")
        await pilot.press("f9")
        await until(app, pilot, lambda: isinstance(app.screen, TakesScreen))
        await pilot.press("up", "enter")
        await idle(app, pilot)

    drive(folder, script)
    assert seen["after_retake"] == "2"
    plan, takes = plan_of(folder)
    assert plan.shots[0].selected_take == 1 and len(takes[1]) == 2


def test_attach_a_photo_and_see_its_handle(folder: Path, tmp_path: Path) -> None:
    photo = tmp_path / "quay.png"
    Image.new("RGB", (64, 36), (30, 80, 120)).save(photo)
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, f"/attach {photo}")
        await idle(app, pilot)
        await type_line(app, pilot, "/attach /no/such/file.png")
        seen["chat"] = app.chat.text()
        await until(app, pilot, lambda: "@image1 image, " in screen_text(app), timeout=10)
        seen["screen"] = screen_text(app)

    drive(folder, script)
    assert "quay.png is now @image1" in seen["chat"]
    assert "There is no file at /no/such/file.png" in seen["chat"]
    assert "@image1 image, " in seen["screen"]  # the bible's references


def test_export_then_play_the_cut_with_the_chosen_player(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = tmp_path / "played.txt"
    player = tmp_path / "player.sh"
    player.write_text(f'#!/bin/sh\necho "$1" > {played}\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        monkeypatch.delenv("STORYREEL_PLAYER", raising=False)
        monkeypatch.delenv("DISPLAY", raising=False)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        await type_line(app, pilot, "/open cut")  # nothing exported yet
        await pilot.press("f10")
        await idle(app, pilot)
        await type_line(app, pilot, "/open cut")  # no player here: the path is given
        monkeypatch.setenv("STORYREEL_PLAYER", str(player))
        await pilot.press("f4")  # the selected shot's take
        await until(app, pilot, played.exists, timeout=10)
        seen["chat"] = app.chat.text()

    drive(folder, script)
    chat = seen["chat"]
    assert "There is no final cut yet" in chat
    cut = folder / "exports" / "harbour.mp4"
    assert cut.is_file() and f"No video player found here. The file is {cut.resolve()}" in chat
    assert played.read_text().strip().endswith(".mp4") and "takes" in played.read_text()


def test_first_run_welcome_and_the_example_story(folder: Path) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        seen["welcome"] = app.chat.text()
        seen["title"] = app.sub_title
        await pilot.press("f2")
        await idle(app, pilot)
        seen["rows"] = rows(app)
        seen["chat"] = [text for role, text in app.chat.lines if role == "person"]

    drive(folder, script, example=(MARA, HARBOUR, CLOSE_UP))
    welcome = str(seen["welcome"])
    assert "Tell me your story in plain words" in welcome and "Press F2" in welcome
    assert "director: offline (built in) · renderer: previz" in str(seen["title"])
    assert [row[2] for row in seen["rows"]] == ["LS", "CU"]
    assert seen["chat"] == [MARA, HARBOUR, CLOSE_UP]


def test_help_and_bad_commands_teach(folder: Path) -> None:
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await pilot.press("f1")
        await type_line(app, pilot, "/lock")  # no shots yet
        await type_line(app, pilot, "/frobnicate")
        await type_line(app, pilot, "/use 3")
        seen["chat"] = app.chat.text()

    drive(folder, script)
    chat = seen["chat"]
    assert "/render [all | 3 4]" in chat and "F5 render shot" in chat
    assert "/lock needs a shot: there are no shots yet, or type /lock 3." in chat
    assert "there is no /frobnicate command; /help lists them." in chat
    assert "/use needs a shot and a take: /use 3 2 uses take 2 for shot 3." in chat


def test_the_app_never_reaches_beyond_the_project(folder: Path) -> None:
    drive(folder, lambda app, pilot: pilot.pause())
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        os.listdir(folder)
    )


def test_compare_a_shot_on_two_renderers(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storyreel.renderer import availability

    monkeypatch.setattr(availability, "ready_backends", lambda: ["previz"])  # a machine, no GPU
    GatedPreviz.GATE.set()
    seen: dict[str, str] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        await pilot.press("f12")  # only previz can render here
        await type_line(app, pilot, "/compare 1 previz,nosuch")
        await idle(app, pilot)
        await type_line(app, pilot, "/compare 1 previz,gated")
        await idle(app, pilot)
        seen["chat"] = app.chat.text()
        seen["takes"] = cell(app, 1, "takes")

    drive(folder, script)
    chat = seen["chat"]
    assert "Only previz can render here, and a comparison needs two." in chat
    assert "I cannot compare on nosuch: not available here" in chat
    assert "Compared shot 1: take 2 on previz, take 3 on gated." in chat
    assert (folder / "exports" / "compare-shot1.mp4").is_file()
    assert seen["takes"] == "3"


def test_keyframes_in_sixel_when_the_terminal_speaks_it(folder: Path) -> None:
    """The terminal is asked before the app starts; told "sixel", the keyframe is sent as Sixel."""
    from textual_image.widget import SixelImage

    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, HARBOUR)
        await idle(app, pilot)
        picture = app.query_one("#keyframe").picture

        def painted() -> str:
            strips = app.screen._compositor.render_strips()
            return "".join(segment.text for strip in strips for segment in strip)

        await until(app, pilot, lambda: "\x1bP" in painted(), timeout=10)
        seen["widget"] = picture
        seen["image"] = picture.image
        seen["painted"] = painted()

    async def main() -> None:
        app = StoryreelApp(folder, offline=True, pictures="sixel")
        async with app.run_test(size=(150, 46)) as pilot:
            await script(app, pilot)
            await pilot.press("ctrl+q")

    import asyncio

    asyncio.run(main())
    assert isinstance(seen["widget"], SixelImage)
    assert str(seen["image"]).endswith(".key.png")
    assert "\x1bP" in str(seen["painted"]) and "\x1b\\" in str(seen["painted"])  # a Sixel DCS


def test_pictures_fall_back_to_half_blocks_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyreel.apps.tui import graphics

    assert graphics.detect() == "halfblock"  # pytest's stdout is not a terminal
    monkeypatch.setenv("STORYREEL_PICTURES", "halfblock")
    assert graphics.detect() == "halfblock"
    assert graphics.picture_widget("halfblock") is None


def test_the_demo_story_typed_line_by_line_then_exported_and_reopened(folder: Path) -> None:
    from storyreel.agent.demo_conversation import DEMO_CONVERSATION

    seen: dict[str, object] = {}

    async def build(app: StoryreelApp, pilot: Pilot) -> None:
        for line in DEMO_CONVERSATION:  # ends with "render" and "export"
            await type_line(app, pilot, line)
            await idle(app, pilot, timeout=240)
            if isinstance(app.screen, QuestionScreen):  # the critic may ask after its retakes
                await pilot.click("#choice-0")
                await idle(app, pilot, timeout=240)
        seen["rows"] = rows(app)
        seen["chat"] = app.chat.text()

    drive(folder, build)
    table = seen["rows"]
    assert len(table) == 7
    assert all(row[6] != "0" and row[8] == "ok" for row in table), table  # a take each, current
    assert [row[2] for row in table] == ["ELS", "MS", "MS", "MCU", "CU", "LS", "ECU"]
    assert "Exported the cut, the storyboard and the timeline" in str(seen["chat"])
    assert (folder / "exports" / "the-letter.mp4").is_file()
    again: dict[str, object] = {}

    async def reopen(app: StoryreelApp, pilot: Pilot) -> None:
        await pilot.pause()
        again["rows"] = rows(app)

    drive(folder, reopen)
    assert again["rows"] == table


def test_with_a_language_model_the_chat_says_so_and_its_calls_run_off_screen(
    folder: Path,
) -> None:
    from storyreel.agent.llm_director import LLMDirector, LLMSettings
    from tests.fake_llm import FakeLLM, Scripted, reply

    shot = {"kind": "add_shot", "action": "The quay at dawn", "size": "ELS", "duration_s": 1}
    seen: dict[str, object] = {}
    with FakeLLM().running() as llm:
        # a slow model: the screen must stay live while it thinks
        llm.script = [Scripted(content=reply("One wide shot.", [shot]).content, delay_s=1.0)]
        settings = LLMSettings(base_url=llm.url, api_key="t", model="tiny-model", timeout_s=10)

        async def script(app: StoryreelApp, pilot: Pilot) -> None:
            seen["title"] = app.sub_title
            await type_line(app, pilot, "Open on the quay at dawn.")
            ticks = 0
            while app.busy:  # the event loop keeps turning while the model answers
                ticks += 1
                await pilot.pause(0.05)
            seen["ticks"] = ticks
            seen["rows"] = rows(app)
            seen["chat"] = app.chat.text()

        drive(folder, script, director=LLMDirector(settings))
    assert f"director: tiny-model at {llm.url}" in str(seen["title"])
    assert int(seen["ticks"]) >= 10  # about 1 s of live screen while waiting
    assert [row[2] for row in seen["rows"]] == ["ELS"]
    assert "One wide shot." in str(seen["chat"])


def test_a_question_without_choices_is_answered_in_the_dialog(folder: Path) -> None:
    from textual.widgets import Input

    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, "A wide shot of @lena on the pier, 2 seconds.")
        await until(app, pilot, lambda: isinstance(app.screen, QuestionScreen))
        seen["question"] = app.screen.question
        box = app.screen.query_one("#answer", Input)
        box.value = "Lena is a young sailor in a yellow coat."
        await pilot.press("enter")
        await idle(app, pilot)
        seen["rows"] = rows(app)

    drive(folder, script)
    assert str(seen["question"]).startswith("I don't know @lena yet")
    assert len(seen["rows"]) == 1 and seen["rows"][0][6] == "1"  # the held shot, rendered
    plan, _ = plan_of(folder)
    assert plan.shots[0].characters == ["Lena"]


def test_slash_quit_leaves(folder: Path) -> None:
    import asyncio

    async def main() -> bool:
        app = StoryreelApp(folder, offline=True)
        async with app.run_test(size=(150, 46)) as pilot:
            await type_line(app, pilot, "/quit")
            for _ in range(100):
                if not app.is_running:
                    break
                await asyncio.sleep(0.05)
            return app.is_running

    assert asyncio.run(main()) is False


def test_every_command_and_key_does_its_job(folder: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    from storyreel.apps.tui.screens import AttachScreen

    photo = tmp_path / "boat.png"
    Image.new("RGB", (64, 36), (90, 40, 20)).save(photo)
    seen: dict[str, object] = {}

    async def run(app: StoryreelApp, pilot: Pilot, *lines: str) -> None:
        for line in lines:
            await type_line(app, pilot, line)
            await idle(app, pilot)

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await run(app, pilot, MARA, HARBOUR, CLOSE_UP)
        await run(app, pilot, "/render 1", "/retake 2", "/use 2 1", "/lock 1,2", "/retake 1")
        seen["after_lock"] = [(row[5], row[6]) for row in rows(app)]
        await run(app, pilot, "/unlock 1 2", "/undo 2", "/redo", "/export")
        await pilot.press("f5", "f6")
        await idle(app, pilot)
        await pilot.press("f3")
        await until(app, pilot, lambda: isinstance(app.screen, AttachScreen))
        app.screen.query_one("#path", Input).value = str(photo)
        await pilot.press("enter")
        await idle(app, pilot)
        await type_line(app, pilot, "/takes 2")
        await until(app, pilot, lambda: isinstance(app.screen, TakesScreen))
        seen["takes"] = [t.number for t in app.screen.takes]
        await pilot.press("escape")
        await run(app, pilot, "/help")
        seen["chat"] = app.chat.text()
        seen["rows"] = rows(app)

    drive(folder, script)
    chat = str(seen["chat"])
    assert seen["after_lock"] == [("locked", "1"), ("locked", "2")]
    assert "Left locked shot(s) 1 as they are." in chat  # the retake of a locked shot
    assert "Undid:" in chat and "Redid:" in chat
    assert "Exported the cut, the storyboard and the timeline" in chat
    assert "boat.png is now @image1" in chat
    assert seen["takes"] == [1, 2]
    plan, _ = plan_of(folder)
    assert plan.shots[1].selected_take == 1  # /use 2 1, kept through undo/redo of the locks
    assert (folder / "exports" / "harbour.mp4").is_file()
