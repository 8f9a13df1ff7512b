"""Block Kit messages the bot posts, and the buttons on them.

Every button's value is JSON carrying the thread it belongs to ("t") plus what
it acts on, so a button press finds its story even without message context:

    storyreel_answer:<n>  {"t": thread_ts, "answer": "yes"}    answer a pending question
    storyreel_lock        {"t": thread_ts, "shot": 3}          lock shot 3
    storyreel_retake      {"t": thread_ts, "shot": 3}          retake shot 3
    storyreel_select      {"t": thread_ts, "shot": 3, "take": 2}  use take 2 for shot 3
    storyreel_stop        {"t": thread_ts}                     stop the render in progress
"""

from __future__ import annotations

import json
from typing import Any

ANSWER = "storyreel_answer"
LOCK = "storyreel_lock"
RETAKE = "storyreel_retake"
SELECT = "storyreel_select"
STOP = "storyreel_stop"
TEXT_LIMIT = 2900
"""Slack allows 3000 characters in a section's text."""
_NO = {"no", "decline", "cancel", "keep"}

Block = dict[str, Any]


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """Text shortened to fit a Block Kit field."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text) or " "}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def button(label: str, action_id: str, value: dict[str, Any], style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:75]},
        "action_id": action_id,
        "value": json.dumps(value, separators=(",", ":")),
    }
    if style:
        element["style"] = style
    return element


def question_blocks(thread_ts: str, question: str, choices: list[str]) -> list[Block]:
    """A question with one button per choice (yes/no become Approve/Decline)."""
    blocks = [section(f":question: {question}")]
    choices = choices or []
    if not choices:
        blocks.append(context("Reply in this thread to answer."))
        return blocks
    buttons = []
    for index, choice in enumerate(choices[:5]):
        label = {"yes": "Approve", "no": "Decline"}.get(choice.lower(), choice.capitalize())
        style = "danger" if choice.lower() in _NO else ("primary" if index == 0 else None)
        buttons.append(
            button(label, f"{ANSWER}:{index}", {"t": thread_ts, "answer": choice}, style)
        )
    blocks.append({"type": "actions", "block_id": "storyreel_question", "elements": buttons})
    blocks.append(context("Or reply in this thread."))
    return blocks


def answered_blocks(question: str, note: str) -> list[Block]:
    """The question message after it was answered: no buttons, who answered what."""
    shown = [section(f":question: {question}")] if question else []
    return [*shown, context(note)]


def take_blocks(thread_ts: str, shot_id: int, take: int, backend: str) -> list[Block]:
    """Lock / Retake / Use this take buttons under a posted take."""
    value = {"t": thread_ts, "shot": shot_id}
    return [
        section(f"*Shot {shot_id}, take {take}* ({backend})"),
        {
            "type": "actions",
            "block_id": f"storyreel_take_{shot_id}_{take}",
            "elements": [
                button(f"Lock shot {shot_id}", LOCK, value, "primary"),
                button("Retake", RETAKE, value),
                button("Use this take", SELECT, {**value, "take": take}),
            ],
        },
    ]


def progress_blocks(thread_ts: str, text: str, running: bool) -> list[Block]:
    """The progress message; while running it has a Stop button."""
    blocks = [section(text)]
    if running:
        blocks.append(
            {
                "type": "actions",
                "block_id": "storyreel_progress",
                "elements": [button("Stop", STOP, {"t": thread_ts}, "danger")],
            }
        )
    return blocks


def bar(step: int, total: int, width: int = 12) -> str:
    """A text progress bar: ▰▰▰▱▱▱."""
    total = max(1, total)
    filled = min(width, int(width * step / total))
    return "▰" * filled + "▱" * (width - filled)


def parse_value(raw: str | None) -> dict[str, Any]:
    """A button's JSON value ({} when it is missing or not JSON)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
