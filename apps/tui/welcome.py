"""What the chat app says first: how to begin, or where the story stands."""

from __future__ import annotations

from collections.abc import Sequence

from storyreel.agent.director import Director
from storyreel.agent.transcript import Line
from storyreel.tools.story import StoryPlan


def active_setup(director: Director, backend: str) -> str:
    """Which director and renderer are active, in a few words."""
    settings = getattr(director, "settings", None)
    if settings is not None:
        where = settings.base_url or "api.openai.com"
        who = f"director: {settings.model} at {where}"
    else:
        who = "director: offline (built in)"
    what = (
        "renderer: previz (sketch video, no GPU needed)"
        if backend == "previz"
        else (f"renderer: {backend}")
    )
    return f"{who} · {what}"


def welcome_text(plan: StoryPlan, earlier: Sequence[Line], setup: str) -> list[tuple[str, str]]:
    """(role, text) lines to open the chat with: a first-run welcome or a welcome back."""
    if not earlier and not plan.shots:
        return [
            (
                "agent",
                "Welcome to storyreel. Tell me your story in plain words and I'll plan the "
                "shots, sketch them, and check every take. For example:\n"
                "  Mara is a woman in her thirties wearing a red raincoat.\n"
                "  At the harbour at dusk: a wide shot of Mara walking along the quay, 4 seconds.\n"
                "  Close-up of Mara reading a letter, slow push-in, 3 seconds.\n"
                'Press F2 to build the example story "The Letter", F1 or /help for keys '
                "and commands.",
            ),
            ("notice", f"{setup}. Set OPENAI_BASE_URL to use a language model of your own."),
        ]
    lines: list[tuple[str, str]] = []
    if earlier:
        lines.append(("notice", "Earlier in this conversation:"))
        lines.extend((line.role, line.text) for line in earlier)
    shots = len(plan.shots)
    rendered = sum(1 for shot in plan.shots if shot.selected_take)
    locked = sum(1 for shot in plan.shots if shot.locked)
    lines.append(
        (
            "agent",
            f"Welcome back to {plan.title}: {shots} shot(s), {rendered} with a take, "
            f"{locked} locked. What next?",
        )
    )
    lines.append(("notice", setup + "."))
    return lines
