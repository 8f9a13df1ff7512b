"""@handles a message uses that the story does not know yet: find them, and ask about them.

The offline director asks instead of guessing: "I don't know @tom yet...", and
holds the message back until the person has said who or what it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storyreel.tools.edits import AddCharacter, AddLocation, AskPerson, DirectorEdit, known_handles
from storyreel.tools.story import StoryPlan, handle_of

_HANDLE = re.compile(r"(?<![\w.])@([A-Za-z][A-Za-z0-9'-]*)")


def unknown_handles(text: str, plan: StoryPlan, edits: Sequence[DirectorEdit]) -> list[str]:
    """Handles in `text` that are neither in `plan` nor introduced by `edits`, in order."""
    known = {handle.lower() for handle in known_handles(plan)}
    for edit in edits:
        if isinstance(edit, AddCharacter | AddLocation):
            known.add("@" + handle_of(edit.name))
    found: list[str] = []
    for token in _HANDLE.findall(text):
        handle = "@" + token.lower().rstrip("'-")
        if handle not in known and handle not in found:
            found.append(handle)
    return found


def ask_about(unknown: Sequence[str], plan: StoryPlan) -> AskPerson:
    """The question to ask when `unknown` handles were used."""
    names = ", ".join(unknown)
    known = ", ".join(known_handles(plan)) or "none yet"
    example = unknown[0].lstrip("@").capitalize()
    return AskPerson(
        question=(
            f"I don't know {names} yet (known: {known}). Who or what is it? Describe them, "
            f'e.g. "{example} is a woman in a red raincoat", or attach a photo; then I\'ll '
            "do the rest of what you asked."
        )
    )
