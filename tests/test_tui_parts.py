"""The chat app's pieces that need no screen: slash commands, half-block pictures, the player."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from PIL import Image

from storyreel.apps.tui.commands import Slash, parse
from storyreel.apps.tui.opener import open_media
from storyreel.apps.tui.thumbnail import fit, half_blocks
from storyreel.tools.errors import StoryreelError


@pytest.mark.parametrize(
    ("line", "selected", "expected"),
    [
        ("Open on the harbour", 1, None),
        ("/render", 2, Slash("render")),
        ("/render all", 2, Slash("render", words=["all"])),
        ("/render 2 3", None, Slash("render", shots=[2, 3])),
        ("/lock", 4, Slash("lock", shots=[4])),
        ("/lock 1,2", 4, Slash("lock", shots=[1, 2])),
        ("/retake 3", 1, Slash("retake", shots=[3])),
        ("/select 3 2", None, Slash("use", shots=[3], words=["2"])),
        ("/open cut", None, Slash("open", words=["cut"])),
        ("/open", 2, Slash("open", shots=[2])),
        ("/compare previz,wan", 5, Slash("compare", shots=[5], words=["previz", "wan"])),
        ("/undo 3", None, Slash("undo", words=["3"])),
        ("/attach ~/my photos/quay.jpg", None, Slash("attach", words=["~/my photos/quay.jpg"])),
        ("/HELP", None, Slash("help")),
    ],
)
def test_slash_commands(line: str, selected: int | None, expected: Slash | None) -> None:
    assert parse(line, selected) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/", "type a command after the slash"),
        ("/dance", "there is no /dance command; /help lists them"),
        ("/retake", "/retake needs a shot: there are no shots yet, or type /retake 3"),
        ("/lock three", "/lock wants shot numbers, not 'three' (try /lock 3)"),
        ("/use 3", "/use needs a shot and a take"),
        ("/undo 99", "/undo takes a number of steps from 1 to 50"),
        ("/open trailer", "/open plays a shot's take (/open 3) or the final cut (/open cut)"),
        ("/render everything", "/render takes shot numbers"),
        ("/attach", "/attach needs a file"),
        ('/attach "unclosed', "could not read that command"),
    ],
)
def test_bad_slash_commands_say_how_to_fix_them(line: str, message: str) -> None:
    with pytest.raises(StoryreelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(line, None)


def test_half_blocks_keep_top_and_bottom_colours_and_the_shape() -> None:
    image = Image.new("RGB", (160, 90), (255, 0, 0))
    image.paste((0, 0, 255), (0, 45, 160, 90))  # bottom half blue
    text = half_blocks(image, columns=32, rows=9)
    lines = text.plain.split("\n")
    assert fit((160, 90), 32, 9) == (32, 18)
    assert len(lines) == 9 and {len(line) for line in lines} == {32}
    first, last = text.spans[0].style, text.spans[-1].style
    assert first.color.triplet == (255, 0, 0) and first.bgcolor.triplet == (255, 0, 0)
    assert last.color.triplet == (0, 0, 255) and last.bgcolor.triplet == (0, 0, 255)


def test_open_media_uses_the_chosen_player_or_gives_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = tmp_path / "cut.mp4"
    video.write_bytes(b"not really a video")
    monkeypatch.delenv("STORYREEL_PLAYER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert open_media(video) == (
        f"No video player found here. The file is {video} (set STORYREEL_PLAYER=mpv, "
        "or another player, to open files from storyreel)."
    )
    assert open_media(tmp_path / "gone.mp4").startswith("There is no file at")
    played = tmp_path / "played.txt"
    player = tmp_path / "play"
    # written whole, then renamed: the test never reads a file the shell has only opened
    player.write_text(f'#!/bin/sh\necho "$@" > {played}.tmp && mv {played}.tmp {played}\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("STORYREEL_PLAYER", f"{player} --loop")
    assert open_media(video) == "Opened cut.mp4 with play."
    deadline = time.monotonic() + 10
    while not played.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert played.read_text().split() == ["--loop", str(video)]


def test_chat_refuses_a_folder_without_a_story(tmp_path: Path) -> None:
    from tests.conftest import Cli

    result = Cli(tmp_path / "nowhere")("chat", expect=1)
    assert "there is no story in" in result.stderr
    assert 'storyreel chat --new "My film"' in result.stderr
    Cli(tmp_path / "film")("new", str(tmp_path / "film"), with_project=False)
    again = Cli(tmp_path / "film")("chat", "--new", "Again", expect=1)
    assert "already holds a story; open it with: storyreel chat -p" in again.stderr


def test_chat_runs_in_a_real_terminal_and_quits_with_ctrl_q(tmp_path: Path) -> None:
    """`storyreel chat --new` in a pseudo-terminal: it starts, draws, and Ctrl+Q leaves cleanly."""
    import os
    import pty
    import select
    import shutil
    import subprocess
    import sys

    exe = shutil.which("storyreel", path=str(Path(sys.executable).parent))
    assert exe is not None
    main, side = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("OPENAI_BASE_URL", None)
    process = subprocess.Popen(
        [exe, "chat", "--new", "Pty Film"],
        cwd=tmp_path,
        stdin=side,
        stdout=side,
        stderr=side,
        env=env,
        start_new_session=True,
    )
    os.close(side)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"Welcome to storyreel" not in seen and time.monotonic() < deadline:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    seen += os.read(main, 65536)
                except OSError:
                    break
        assert b"Welcome to storyreel" in seen, seen[-2000:]
        os.write(main, b"\x11")  # Ctrl+Q
        while process.poll() is None and time.monotonic() < deadline:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    os.read(main, 65536)
                except OSError:
                    break
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    assert (tmp_path / "pty-film" / "story.db").is_file()
