"""Slash commands typed in the chat input: /render, /lock 3, /undo, /export, /help ...

`parse` turns a line into a `Slash` (or None for ordinary direction); the app
carries it out. Shot numbers are optional where the selected shot makes sense.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from storyreel.tools.errors import StoryreelError

HELP: list[tuple[str, str]] = [
    ("/render [all | 3 4]", "render every changed shot, or these shots"),
    ("/retake [3]", "a new take of the selected shot (or shot 3)"),
    ("/lock [3] · /unlock [3]", "keep a shot exactly as it is (or let it change again)"),
    ("/takes [3]", "list a shot's takes; choose one or open it"),
    ("/use 3 2", "use take 2 for shot 3"),
    ("/keyframes [3 4]", "candidate stills of the selected shot (or these); then say which"),
    ("/open [3 | cut]", "play the selected shot's take (or the final cut)"),
    ("/compare [3] previz,wan", "render a shot on several renderers side by side"),
    ("/attach PATH", "add a photo, clip or sound as a reference"),
    ("/export", "make the final cut, storyboard and timeline"),
    ("/undo · /redo", "take back the last change (or bring it back)"),
    ("/example", "build the example story The Letter"),
    ("guide us", "I lead with short questions (then: skip · pause · go on)"),
    ("/help · /quit", "this list · leave (a render in progress stops; nothing is lost)"),
]

_NEEDS_SHOT = {"retake", "lock", "unlock", "takes", "keyframes"}
_NAMES = {
    "render",
    "retake",
    "lock",
    "unlock",
    "takes",
    "keyframes",
    "use",
    "select",
    "open",
    "compare",
    "attach",
    "export",
    "undo",
    "redo",
    "example",
    "help",
    "quit",
}


@dataclass(frozen=True)
class Slash:
    """A parsed slash command: its name, the shots it names and its other words."""

    name: str
    shots: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def help_text() -> str:
    """The commands and keys, one per line, for the chat pane."""
    width = max(len(usage) for usage, _ in HELP)
    return "\n".join(f"{usage.ljust(width)}  {what}" for usage, what in HELP)


def _numbers(words: list[str], name: str) -> tuple[list[int], list[str]]:
    shots: list[int] = []
    rest: list[str] = []
    for word in words:
        for part in filter(None, word.split(",")):
            if part.isdigit():
                shots.append(int(part))
            elif name in _NEEDS_SHOT or name in ("use", "select"):
                raise StoryreelError(f"/{name} wants shot numbers, not {part!r} (try /{name} 3)")
            else:
                rest.append(part)
    return shots, rest


def parse(line: str, selected: int | None) -> Slash | None:
    """The slash command in `line`, or None when the line is ordinary direction.

    `selected` is the shot highlighted in the shot list; commands that need a
    shot use it when none is typed.

    Raises:
        StoryreelError: an unknown command or missing arguments, with the fix.
    """
    if not line.startswith("/"):
        return None
    try:
        parts = shlex.split(line[1:])
    except ValueError as error:
        raise StoryreelError(f"could not read that command ({error})") from None
    if not parts:
        raise StoryreelError("type a command after the slash, e.g. /render (see /help)")
    name, words = parts[0].lower(), parts[1:]
    if name not in _NAMES:
        raise StoryreelError(f"there is no /{name} command; /help lists them")
    if name == "select":
        name = "use"
    if name == "attach":
        if not words:
            raise StoryreelError("/attach needs a file: /attach ~/photos/harbour.jpg")
        return Slash("attach", words=[" ".join(words)])
    if name in ("undo", "redo"):
        steps = words[0] if words else "1"
        if not steps.isdigit() or not 1 <= int(steps) <= 50:
            raise StoryreelError(f"/{name} takes a number of steps from 1 to 50, e.g. /{name} 2")
        return Slash(name, words=[steps])
    shots, rest = _numbers(words, name)
    if name == "use":
        if len(shots) != 2:
            raise StoryreelError("/use needs a shot and a take: /use 3 2 uses take 2 for shot 3")
        return Slash("use", shots=[shots[0]], words=[str(shots[1])])
    if name == "open" and rest and rest != ["cut"]:
        raise StoryreelError("/open plays a shot's take (/open 3) or the final cut (/open cut)")
    if name == "render" and rest and rest != ["all"]:
        raise StoryreelError("/render takes shot numbers (/render 2 3) or nothing for all changes")
    if name in _NEEDS_SHOT or name == "compare" or (name == "open" and not rest):
        if not shots and selected is None:
            raise StoryreelError(f"/{name} needs a shot: there are no shots yet, or type /{name} 3")
        shots = shots or [selected]  # type: ignore[list-item]
    if name == "compare":
        return Slash("compare", shots=shots[:1], words=rest)
    return Slash(name, shots=shots, words=rest)
