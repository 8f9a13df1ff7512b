"""The Slack bot wired in one place: the Bolt app, its listeners, the store, the workers.

    bot = SlackBot(load_settings(Path("stories"), "socket"))
    SocketModeHandler(bot.app, bot.settings.app_token).start()

The Bolt app runs with `process_before_response=True`: listeners finish before
the response goes back to Slack, which is safe because they only ack and queue
(fast), and it makes dispatching deterministic in tests. Long work (downloads,
turns, uploads) runs on a bounded pool of workers, one job at a time per thread
and `settings.parallel_turns` at a time overall; small notices (queued, refused)
have a lane of their own so they are never stuck behind turns. `wait_idle`
waits for all of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.error import URLError

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storyreel.apps.slack import actions, events
from storyreel.apps.slack.config import SlackSettings
from storyreel.apps.slack.posting import ThreadPoster
from storyreel.apps.slack.store import BotStore, ThreadRef
from storyreel.apps.slack.turns import TurnRunner
from storyreel.apps.slack.worker import Job, Place, ThreadQueues
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.cluster import executor_for
from storyreel.tools.errors import StoryreelError

log = logging.getLogger(__name__)
QUEUED = "Got it. I'm still working on the previous message; I'll do this one right after."
NOTICE_WORKERS = 2
"""Threads posting small notices (queued, refused), apart from the turns."""
QUIET_LOGGERS = ("slack_bolt.RequestVerification",)
"""Bolt loggers that write whole request bodies (signed or not) at INFO."""


def queued_behind(place: Place, parallel: int) -> str | None:
    """What a thread is told when its turn cannot start right away (None: it starts)."""
    if place.in_thread:
        return QUEUED
    if place.behind:
        others = f"{place.behind} other turn{'s' if place.behind != 1 else ''}"
        return (
            f"Queued behind {others} (I run {parallel} at a time); "
            "I'll start on this as soon as one finishes."
        )
    return None


def check_token(client: WebClient, api_url: str) -> None:
    """Ask Slack (auth.test) whether the bot token works; raise a teaching error if not."""
    try:
        client.auth_test()
    except SlackApiError as error:
        raise StoryreelError(
            f"Slack did not accept SLACK_BOT_TOKEN ({error.response.get('error')}); copy the "
            "Bot User OAuth Token from your app's OAuth & Permissions page, and install the "
            "app to the workspace"
        ) from None
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StoryreelError(
            f"could not reach the Slack API at {api_url} ({reason}); check the network or "
            "STORYREEL_SLACK_API_URL"
        ) from None


class SlackBot:
    """A running storyreel Slack bot (transport-neutral: Socket Mode or HTTP feed `app`).

    Attributes:
        app: the Bolt app; hand it to a Socket Mode handler or an HTTP adapter.
        client: the Web API client (base URL from settings.api_url).
        store: threads and seen events (slack-bot.db in the projects folder).
        runner: runs the turns; queues: one worker per busy thread.
    """

    def __init__(
        self,
        settings: SlackSettings,
        *,
        executor: RenderExecutor | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.settings = settings
        self.client = WebClient(token=settings.bot_token, base_url=settings.api_url)
        check_token(self.client, settings.api_url)
        self.app = App(
            # the token comes with the client (whose base URL may be a stand-in)
            signing_secret=settings.signing_secret,
            client=self.client,
            process_before_response=True,
            logger=logger,
        )
        for name in QUIET_LOGGERS:  # set after App(): it copies the root level onto them
            logging.getLogger(name).setLevel(logging.WARNING)
        self.store = BotStore(settings.projects_dir)
        self.queues = ThreadQueues(settings.parallel_turns, name="slack-turn")
        self.notices = ThreadQueues(NOTICE_WORKERS, name="slack-notice")
        # [cluster] in the projects folder's storyreel-gpu.toml: every thread renders there
        executor = executor or executor_for(settings.projects_dir)
        self.runner = TurnRunner(settings, self.client, self.store, executor)
        events.register(self.app, self)
        actions.register(self.app, self)
        events.register_fallbacks(self.app)  # last
        if not settings.allow.configured:
            log.warning(
                "No allowlist is set, so everyone is refused: add [allow] to %s/slack.toml "
                'or set STORYREEL_SLACK_ALLOW_USERS ("*" allows everyone)',
                settings.projects_dir,
            )

    def enqueue(self, ref: ThreadRef, job: Job) -> None:
        """Queue a turn for a thread; if it cannot start now, tell the thread it waits."""
        notice = queued_behind(self.queues.submit(ref.key, job), self.queues.max_parallel)
        if notice:
            self.later(ref, lambda poster: poster.say(notice))

    def later(self, ref: ThreadRef, post: Callable[[ThreadPoster], None]) -> None:
        """Post something small in a thread off the request path (never behind a turn)."""
        poster = ThreadPoster(self.client, ref)
        self.notices.submit(ref.key, lambda: post(poster))

    def refuse(self, ref: ThreadRef, user: str, *, team: str, channel: str) -> None:
        """Politely tell someone outside the allowlist that nothing will run (only they see it)."""
        text = (
            "Sorry, I'm not set up to work with you here. Ask whoever runs storyreel to add "
            f"your member ID ({user}), this channel ({channel}) or this workspace ({team}) to "
            "the bot's allowlist."
        )
        self.later(ref, lambda poster: poster.whisper(user, text))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has finished; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.queues.wait_idle(timeout):
            return False
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self.notices.wait_idle(left) and self.queues.wait_idle(0)

    def close(self, timeout: float | None = 30) -> None:
        """Stop taking work, stop renders in progress (their turns finish on the next
        message), let the queued jobs end (up to `timeout`), close the store."""
        self.runner.cancel_all()
        self.queues.close(timeout)
        self.notices.close(timeout)
        self.runner.executor.close()
        self.store.close()
