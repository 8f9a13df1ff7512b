"""Button listeners: answer a question, lock a shot, retake, pick a take, stop a render.

Each acks first, checks the allowlist and the thread, then queues work for the
thread's worker, like a message would. Lock / Retake / Use this take are typed
edits carried out with `Session.act` (no director reading words), recorded in
the conversation as "lock shot 3", "retake shot 3", "use take 2 for shot 3".
Stop cancels the running render at once (it cannot wait in the queue behind
the render itself).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App

from storyreel.apps.slack import blocks
from storyreel.apps.slack.events import is_direct
from storyreel.apps.slack.store import ThreadRef
from storyreel.tools.edits import DirectorEdit, RenderShots, SelectTake, SetLock

if TYPE_CHECKING:
    from storyreel.apps.slack.app import SlackBot


def button_edits(action_id: str, value: dict[str, Any]) -> tuple[list[DirectorEdit], str, str]:
    """The edits a shot button stands for, its meaning in words, and the reply to give.

    Raises:
        ValueError: not a shot button, or its value lacks the shot (or take) number.
    """
    shot, take = value.get("shot"), value.get("take")
    if not isinstance(shot, int):
        raise ValueError(f"the button {action_id} carries no shot number")
    if action_id == blocks.LOCK:
        return [SetLock(shot_id=shot, locked=True)], f"lock shot {shot}", ""
    if action_id == blocks.RETAKE:
        edit = RenderShots(shot_ids=[shot], force=True)
        return [edit], f"retake shot {shot}", ""  # the report says what happened
    if action_id == blocks.SELECT and isinstance(take, int):
        return [SelectTake(shot_id=shot, take=take)], f"use take {take} for shot {shot}", ""
    raise ValueError(f"the button {action_id} is not one storyreel made")


def register(app: App, bot: SlackBot) -> None:
    """Attach the button listeners to the Bolt app."""

    @app.action(re.compile(f"^{blocks.ANSWER}(:\\d+)?$"))
    def on_answer(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        handle_button(bot, body, action)

    @app.action(re.compile(f"^({blocks.LOCK}|{blocks.RETAKE}|{blocks.SELECT}|{blocks.STOP})$"))
    def on_shot_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        handle_button(bot, body, action)


def handle_button(bot: SlackBot, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Route one button press to its thread's worker (or stop the render right away).

    Fields are read defensively: a press with odd values is ignored, never an error."""
    container, message = _part(body, "container"), _part(body, "message")
    team_part, user_part = _part(body, "team"), _part(body, "user")
    channel_part = _part(body, "channel")
    raw_value = action.get("value")
    value = blocks.parse_value(raw_value if isinstance(raw_value, str) else None)
    team = _text(team_part, "id") or _text(user_part, "team_id")
    channel = _text(channel_part, "id") or _text(container, "channel_id")
    user = _text(user_part, "id")
    thread_ts = _text(value, "t") or _text(message, "thread_ts") or _text(container, "thread_ts")
    message_ts = _text(container, "message_ts") or _text(message, "ts")
    if not (channel and thread_ts):
        return
    ref = ThreadRef(team, channel, thread_ts)
    if not bot.settings.allow.permits(
        team=team, channel=channel, user=user, direct=is_direct(channel)
    ):
        bot.refuse(ref, user, team=team, channel=channel)
        return
    if bot.store.find(ref) is None:
        bot.later(ref, lambda poster: poster.whisper(user, "I don't know this story any more."))
        return
    action_id = _text(action, "action_id")
    if action_id == blocks.STOP:
        if not bot.runner.cancel(ref):
            bot.later(ref, lambda poster: poster.whisper(user, "Nothing is rendering right now."))
        return
    if action_id.startswith(blocks.ANSWER):
        answer = str(value.get("answer") or "")
        bot.enqueue(ref, lambda: bot.runner.answer(ref, answer, user, message_ts))
        return
    try:
        edits, label, reply = button_edits(action_id, value)
    except ValueError:
        return
    bot.enqueue(ref, lambda: bot.runner.act(ref, edits, label, user, reply))


def _part(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""
