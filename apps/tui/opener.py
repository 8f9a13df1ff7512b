"""Open a take or the cut in the person's video player, or say where the file is."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

PLAYER_ENV = "STORYREEL_PLAYER"


def player_command(path: Path) -> list[str] | None:
    """The command that plays `path` here, or None when there is no player.

    STORYREEL_PLAYER (e.g. "mpv --loop") wins; then macOS `open`; then
    `xdg-open` on a desktop (DISPLAY or WAYLAND_DISPLAY set).
    """
    chosen = os.environ.get(PLAYER_ENV, "").strip()
    if chosen:
        return [*shlex.split(chosen), str(path)]
    if sys.platform == "darwin":
        return ["open", str(path)]
    desktop = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if desktop and shutil.which("xdg-open"):
        return ["xdg-open", str(path)]
    return None


def open_media(path: Path) -> str:
    """Start a player for `path` (without waiting) and say what happened, in plain words."""
    if not path.is_file():
        return f"There is no file at {path} any more; render the shot again."
    if os.name == "nt":
        os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        return f"Opened {path.name}."
    command = player_command(path)
    if command is None:
        return (
            f"No video player found here. The file is {path} "
            f"(set {PLAYER_ENV}=mpv, or another player, to open files from storyreel)."
        )
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        return f"Could not start {command[0]} ({error}). The file is {path}."
    return f"Opened {path.name} with {Path(command[0]).name}."
