"""Message listeners: a mention or a DM starts a story; messages in its thread direct it.

Each listener acks first and only does fast local work on the request path:
drop duplicates and retries, check the allowlist, bind the thread, queue the
turn for the thread's worker. Everything that talks to Slack or the agent runs
on the worker.

Which messages count:
- `app_mention` anywhere: the thread it is in (or starts) becomes a story;
- a direct message: likewise, in the DM;
- any other channel message: only inside a thread that is already a story.
Slack sends a mention in a channel twice (app_mention and message); both
carry the same message ts, which is recorded, so the turn runs once. Retries
(`X-Slack-Retry-Num`) repeat the event id, which is recorded too.

Every other event the app receives (`file_shared`, `member_joined_channel`, ...)
is acknowledged and ignored, so Slack does not retry it. Fields are read
defensively: a signed event with odd values is ignored, never an error.
"""

from __future__ import annotations

import html
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from storyreel.apps.slack.store import ThreadRef
from storyreel.tools.text import without_controls

if TYPE_CHECKING:
    from storyreel.apps.slack.app import SlackBot

log = logging.getLogger(__name__)
HANDLED_SUBTYPES = {None, "file_share", "thread_broadcast"}


def register(app: App, bot: SlackBot) -> None:
    """Attach the message listeners to the Bolt app."""

    @app.event("app_mention")
    def on_mention(
        ack: Ack,
        body: dict[str, Any],
        event: dict[str, Any],
        context: BoltContext,
        request: BoltRequest,
    ) -> None:
        ack()
        handle_message(bot, body, event, context.bot_user_id, retry_of(request), mention=True)

    @app.event("message")
    def on_message(
        ack: Ack,
        body: dict[str, Any],
        event: dict[str, Any],
        context: BoltContext,
        request: BoltRequest,
    ) -> None:
        ack()
        handle_message(bot, body, event, context.bot_user_id, retry_of(request), mention=False)


def register_fallbacks(app: App) -> None:
    """Acknowledge every event and button nothing else handles (register these last:
    Bolt runs the first listener that matches, so they only get what is left over)."""

    @app.event(re.compile(".*"))
    def on_other_event(ack: Ack) -> None:
        ack()  # file_shared, member_joined_channel, ...: nothing to do, but no retries

    @app.action(re.compile(".*"))
    def on_other_action(ack: Ack) -> None:
        ack()


def retry_of(request: BoltRequest) -> int:
    """Slack's retry number for this delivery (0 for the first)."""
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except ValueError:
        return 0


def is_direct(channel: str, channel_type: str | None = None) -> bool:
    """True for a direct-message conversation (channel ids of DMs start with D)."""
    return channel_type == "im" or channel.startswith("D")


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Slack message markup to plain direction: drop the bot's mention, unwrap links,
    remove control characters (escape sequences never reach the story)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = re.sub(r"<!(?:here|channel|everyone)[^>]*>", " ", text)
    text = re.sub(r"<#[A-Z0-9]+\|([^>]*)>", r"#\1", text)
    text = re.sub(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>", r"\2", text)
    text = re.sub(r"<((?:https?|mailto):[^>]+)>", r"\1", text)
    return without_controls(html.unescape(text)).strip().lstrip(",:;").strip()


def handle_message(
    bot: SlackBot,
    body: dict[str, Any],
    event: dict[str, Any],
    bot_user_id: str | None,
    retry: int,
    *,
    mention: bool,
) -> None:
    """Decide whether a message is direction for a story and queue its turn."""
    if event.get("bot_id") or event.get("subtype") not in HANDLED_SUBTYPES:
        return
    user, channel, ts = _text(event, "user"), _text(event, "channel"), _text(event, "ts")
    if not (user and channel and ts) or user == bot_user_id:
        return
    team = _text(body, "team_id") or _text(event, "team")
    thread_ts = _text(event, "thread_ts")
    direct = is_direct(channel, _text(event, "channel_type"))
    ref = ThreadRef(team, channel, thread_ts or ts)
    if not (mention or direct) and (not thread_ts or bot.store.find(ref) is None):
        return  # a channel message outside any story thread is not for us
    event_id = _text(body, "event_id")
    permitted = bot.settings.allow.permits(team=team, channel=channel, user=user, direct=direct)
    # a retry repeats the event id; a mention also arrives as a message (same ts)
    keys = [f"event:{event_id or ts}", f"message:{team}:{channel}:{ts}"]
    if not bot.store.admit(keys, ref if permitted else None):
        log.info("ignoring a repeated event %s (retry %s)", event_id, retry)
        return
    if not permitted:
        bot.refuse(ref, user, team=team, channel=channel)
        return
    text = clean_text(_text(event, "text"), bot_user_id)
    shared = event.get("files")
    files = [f for f in shared if isinstance(f, dict)] if isinstance(shared, list) else []
    bot.enqueue(ref, lambda: bot.runner.direct(ref, text, files, user))


def _text(data: dict[str, Any], key: str) -> str:
    """A text field of an event ("" when missing or not text)."""
    value = data.get(key)
    return value if isinstance(value, str) else ""
