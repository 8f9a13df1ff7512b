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
"""

from __future__ import annotations

import html
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from storyreel.apps.slack.store import ThreadRef

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
    """Slack message markup to plain direction: drop the bot's mention, unwrap links."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = re.sub(r"<!(?:here|channel|everyone)[^>]*>", " ", text)
    text = re.sub(r"<#[A-Z0-9]+\|([^>]*)>", r"#\1", text)
    text = re.sub(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>", r"\2", text)
    text = re.sub(r"<((?:https?|mailto):[^>]+)>", r"\1", text)
    return html.unescape(text).strip().lstrip(",:;").strip()


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
    user, channel, ts = event.get("user") or "", event.get("channel") or "", event.get("ts") or ""
    if not (user and channel and ts) or user == bot_user_id:
        return
    team = str(body.get("team_id") or event.get("team") or "")
    direct = is_direct(channel, event.get("channel_type"))
    ref = ThreadRef(team, channel, event.get("thread_ts") or ts)
    if not (mention or direct) and (not event.get("thread_ts") or bot.store.find(ref) is None):
        return  # a channel message outside any story thread is not for us
    if not bot.store.first_time(f"event:{body.get('event_id') or ts}"):
        log.info("ignoring a repeated event %s (retry %s)", body.get("event_id"), retry)
        return
    if not bot.store.first_time(f"message:{team}:{channel}:{ts}"):
        return  # the same message arrived as both app_mention and message
    if not bot.settings.allow.permits(team=team, channel=channel, user=user, direct=direct):
        bot.refuse(ref, user, team=team, channel=channel)
        return
    bot.store.bind(ref)
    text = clean_text(str(event.get("text") or ""), bot_user_id)
    files = [f for f in event.get("files") or [] if isinstance(f, dict)]
    bot.enqueue(ref, lambda: bot.runner.direct(ref, text, files, user))
