"""The Slack bot end to end: signed events and button presses dispatched to the Bolt app,
a real Slack Web API stand-in on 127.0.0.1, the offline director and previz renders."""

from __future__ import annotations

import copy
import io
import itertools
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from slack_bolt import BoltRequest, BoltResponse

from storyreel.apps.slack import blocks, turns
from storyreel.apps.slack.app import QUEUED, SlackBot
from storyreel.apps.slack.config import load_settings
from storyreel.apps.slack.http_server import make_server
from storyreel.apps.slack.posting import ThreadPoster
from storyreel.apps.slack.store import ThreadRef
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.project import Project
from tests.fake_slack import (
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    Message,
    action_body,
    event_body,
    signed_headers,
)

CHANNEL = "C0FILM"
ALICE, BOB, EVE = "UALICE", "UBOB", "UEVE"
SETTLE_S = 60


@pytest.fixture(scope="module")
def executor() -> RenderExecutor:
    return RenderExecutor()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "slack.toml").write_text(
        f'[allow]\nusers = ["{ALICE}", "{BOB}"]\n\n[project]\nresolution = "180p"\nfps = 12\n'
    )
    return folder


class Driver:
    """Sends Slack's requests to a bot the way Slack would, and waits for its work."""

    _ts = itertools.count(100)
    _events = itertools.count(1)

    def __init__(self, bot: SlackBot, slack: FakeSlack) -> None:
        self.bot = bot
        self.slack = slack

    @classmethod
    def new_ts(cls) -> str:
        return f"1710000000.{next(cls._ts):06d}"

    def dispatch(self, body: str, **headers: str) -> BoltResponse:
        return self.bot.app.dispatch(
            BoltRequest(body=body, headers=signed_headers(body, **headers))
        )

    def event(self, event: dict[str, Any], event_id: str | None = None, **headers: str) -> str:
        """Dispatch an event callback; returns its event id."""
        event_id = event_id or f"Ev{next(self._events):08d}"
        response = self.dispatch(event_body(event, event_id), **headers)
        assert response.status == 200, response.body
        return event_id

    def mention(self, text: str, *, user: str = ALICE, thread_ts: str | None = None) -> str:
        """@storyreel <text> in the channel; returns the message ts."""
        ts = self.new_ts()
        event = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts,
            "channel": CHANNEL,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        self.event(event)
        return ts

    def say(
        self,
        text: str,
        thread_ts: str,
        *,
        user: str = ALICE,
        files: list[dict[str, Any]] | None = None,
    ) -> str:
        """A plain message in a thread of the channel; returns its ts."""
        ts = self.new_ts()
        event = {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "event_ts": ts,
        }
        if files:
            event.update(subtype="file_share", files=files)
        self.event(event)
        return ts

    def press(self, message: Message, action_id: str, *, user: str = ALICE) -> BoltResponse:
        """Press the button `action_id` (a prefix is enough) on a posted message."""
        action = next(
            element
            for block in message.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].startswith(action_id)
        )
        raw = {"ts": message.ts, "thread_ts": message.thread_ts, "blocks": message.blocks}
        body = action_body(
            {"action_id": action["action_id"], "block_id": "b", "value": action["value"]},
            user=user,
            channel=message.channel,
            message=raw,
        )
        response = self.dispatch(body, content_type="application/x-www-form-urlencoded")
        assert response.status == 200, response.body
        return response

    def settle(self) -> None:
        assert self.bot.wait_idle(SETTLE_S), "the bot's work did not finish in time"

    def thread_texts(self, thread_ts: str) -> list[str]:
        return [m.text for m in self.slack.posted() if m.thread_ts == thread_ts]

    def message_with(self, action_id: str, text: str = "") -> Message:
        """The last posted message carrying a button `action_id` (and `text`)."""
        found = [
            m
            for m in self.slack.posted()
            if text in m.text
            and any(
                e["action_id"].startswith(action_id)
                for b in m.blocks
                if b["type"] == "actions"
                for e in b["elements"]
            )
        ]
        assert found, f"no message with a {action_id} button and {text!r}"
        return found[-1]


def make_bot(projects: Path, slack: FakeSlack, executor: RenderExecutor, **env: str) -> SlackBot:
    environment = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "STORYREEL_SLACK_API_URL": slack.url,
        **env,
    }
    settings = load_settings(projects, "http", env=environment, offline=True)
    return SlackBot(settings, executor=executor)


@pytest.fixture
def driver(projects: Path, slack: FakeSlack, executor: RenderExecutor) -> Iterator[Driver]:
    bot = make_bot(projects, slack, executor)
    try:
        yield Driver(bot, slack)
    finally:
        bot.wait_idle(SETTLE_S)
        bot.close()


def uploads_titled(slack: FakeSlack, title: str) -> list[Any]:
    return [u for u in slack.completed_uploads() if u.title == title]


def png_bytes(red: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (red, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def story_folder(projects: Path) -> Path:
    folders = [p for p in projects.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def test_a_whole_thread_from_mention_to_export(driver: Driver, projects: Path) -> None:
    slack = driver.slack
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.settle()
    first = driver.thread_texts(root)
    assert any("Added Mara" in text for text in first), first
    assert any("no shots yet" in text for text in first)

    # a photo shared in the thread becomes @image1, downloaded with the bot token
    photo = slack.host_file("mara.png", png_bytes(), "image/png")
    driver.say("", root, files=[photo])
    driver.settle()
    assert slack.hosted[photo["id"]].downloads == 1
    assert slack.bad_auth == []
    assert any("@image1 is mara.png" in text for text in driver.thread_texts(root))
    folder = story_folder(projects)
    assert not (folder / "slack-inbox").exists() or not any((folder / "slack-inbox").iterdir())

    # direction renders with previz: one progress message edited in place, takes posted
    before = len(slack.posted())
    driver.say(
        "Open on Mara at the harbour, wide shot, 1 second. Then a close-up of Mara, 1 second.",
        root,
    )
    driver.settle()
    new = slack.posted()[before:]
    progress = [m for m in new if "Rendering shot" in m.first_text]
    assert len(progress) == 1, [m.text for m in new]
    assert progress[0].edits >= 2  # at the second shot, and the final edit
    # counts are right: "(1 of 2)", then "(2 of 2)" (once it read "(3 of 2)")
    assert " (1 of 2) " in progress[0].first_text
    shown = [
        c.params["text"] for c in slack.called("chat.update") if c.params["ts"] == progress[0].ts
    ]
    assert any(" (2 of 2) " in text for text in shown), shown
    assert not [t for t in shown if " of 2) " in t and not (" (1 of 2) " in t or " (2 of 2) " in t)]
    assert progress[0].text.startswith(":white_check_mark: Rendered shot")
    assert not [b for b in progress[0].blocks if b["type"] == "actions"]  # Stop button gone
    takes = [m for m in new if m.text.startswith("Shot ") and ", take 1" in m.text]
    shot_ids = sorted(int(m.text.split()[1].rstrip(",")) for m in takes)
    assert len(shot_ids) == 2
    uploads = {u.title: u for u in slack.completed_uploads()}
    for shot_id in shot_ids:
        video = uploads[f"Shot {shot_id}, take 1"]
        assert video.data[4:8] == b"ftyp" and video.thread_ts == root
        assert video.channel == CHANNEL
        still = uploads[f"Shot {shot_id}, take 1 keyframe"]
        assert still.data.startswith(b"\x89PNG")
    reply = next(m.text for m in reversed(new) if "```" in m.text)
    assert f"#{shot_ids[0]}" in reply and "@mara" in reply

    # the buttons under the takes: Retake, Use this take, Lock
    locked, retaken = shot_ids
    driver.press(driver.message_with(blocks.RETAKE, f"Shot {retaken}, take 1"), blocks.RETAKE)
    driver.settle()
    assert f"Shot {retaken}, take 2" in driver.thread_texts(root)
    assert uploads_titled(slack, f"Shot {retaken}, take 2")
    driver.press(driver.message_with(blocks.SELECT, f"Shot {retaken}, take 1"), blocks.SELECT)
    driver.press(driver.message_with(blocks.LOCK, f"Shot {locked}, take 1"), blocks.LOCK)
    driver.settle()
    texts = driver.thread_texts(root)
    assert any(f"<@{ALICE}>: use take 1 for shot {retaken}" in text for text in texts)
    assert any(f"<@{ALICE}>: lock shot {locked}\nLocked shot {locked}" in text for text in texts)
    with_project = Project.open(folder)
    try:
        plan = with_project.memory.plan()
        assert plan.find_shot(locked).locked
        assert plan.find_shot(retaken).selected_take == 1
    finally:
        with_project.close()

    # export posts the cut and the storyboard sheet
    driver.say("export", root)
    driver.settle()
    titles = {u.title: u for u in slack.completed_uploads()}
    assert titles["Cut"].filename.endswith(".mp4") and titles["Cut"].data[4:8] == b"ftyp"
    assert titles["Storyboard"].data.startswith(b"\x89PNG")
    assert titles["Cut"].thread_ts == root
    assert slack.bad_auth == []


def test_a_question_gets_buttons_and_a_button_answers_it(driver: Driver) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.say("Open on Mara at the harbour, wide shot, 1 second.", root)
    driver.settle()
    driver.say("remove shot 1", root)
    driver.settle()
    question = driver.message_with(blocks.ANSWER)
    labels = [
        e["text"]["text"] for b in question.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Approve", "Decline"]
    stale = copy.deepcopy(question)  # what another person's screen still shows
    driver.press(question, blocks.ANSWER)  # Approve
    driver.settle()
    answered = driver.slack.messages[question.ts]
    assert not [b for b in answered.blocks if b["type"] == "actions"]
    assert f"<@{ALICE}> answered: *yes*" in answered.text
    assert "Removing shot 1.\n*Untitled*: no shots yet." in driver.thread_texts(root)
    # the same button again changes nothing and says so to the presser only
    driver.press(stale, blocks.ANSWER, user=BOB)
    driver.settle()
    whispers = driver.slack.called("chat.postEphemeral")
    assert whispers[-1].params["user"] == BOB
    assert "already answered" in whispers[-1].params["text"]


def test_guide_us_in_a_thread_leads_the_group_one_question_at_a_time(driver: Driver) -> None:
    root = driver.mention("guide us")
    driver.settle()
    assert any(t.startswith("Who is the story about?") for t in driver.thread_texts(root))
    driver.say("My grandma Rose and her dog Biscuit", root)  # a thread reply answers it
    driver.settle()
    texts = driver.thread_texts(root)
    assert any(t.startswith("What does Rose look like?") for t in texts), texts
    driver.say("pause", root)
    driver.settle()
    assert any(t.startswith("Paused") for t in driver.thread_texts(root))
    driver.say("guide us", root)  # a new Session per message: the guide's place is kept
    driver.settle()
    assert driver.thread_texts(root)[-1].startswith("What does Rose look like?")


def test_a_retried_event_and_a_double_delivery_run_once(driver: Driver) -> None:
    root = driver.new_ts()
    event = {
        "type": "app_mention",
        "user": ALICE,
        "text": f"<@{BOT_USER}> Mara is a tall woman in a red raincoat.",
        "ts": root,
        "channel": CHANNEL,
    }
    event_id = driver.event(event)
    driver.event(event, event_id, x_slack_retry_num="1", x_slack_retry_reason="http_timeout")
    driver.event(event, event_id, x_slack_retry_num="2", x_slack_retry_reason="http_timeout")
    # the same message also arrives as a message event (another event id)
    driver.event({**event, "type": "message", "channel_type": "channel"})
    driver.settle()
    replies = [t for t in driver.thread_texts(root) if "Added Mara" in t]
    assert len(replies) == 1


def test_someone_not_on_the_allowlist_is_refused_and_nothing_runs(
    driver: Driver, projects: Path
) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.", user=EVE)
    driver.settle()
    whispers = driver.slack.called("chat.postEphemeral")
    assert len(whispers) == 1
    assert whispers[0].params["user"] == EVE and EVE in whispers[0].params["text"]
    assert "not set up to work with you" in whispers[0].params["text"]
    assert driver.slack.called("chat.postMessage") == []
    assert not [p for p in projects.iterdir() if p.is_dir()]
    assert driver.bot.store.find(ThreadRef(TEAM, CHANNEL, root)) is None

    # in a story thread someone else started, Eve's words and buttons do nothing either
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.settle()
    driver.say("remove everything", root, user=EVE)
    fake_take = Message(CHANNEL, driver.new_ts(), "Shot 1, take 1", [], root)
    fake_take.blocks = blocks.take_blocks(root, 1, 1, "previz")
    driver.press(fake_take, blocks.LOCK, user=EVE)
    driver.settle()
    assert len(driver.slack.called("chat.postEphemeral")) == 3
    assert not any("remove" in t.lower() or "Locked" in t for t in driver.thread_texts(root))


def test_a_bad_or_stale_signature_is_rejected(driver: Driver) -> None:
    body = event_body(
        {"type": "app_mention", "user": ALICE, "text": "hi", "ts": "1.1", "channel": CHANNEL},
        "EvBad",
    )
    forged = driver.dispatch(body, secret="not-the-secret")
    stale = driver.dispatch(body, timestamp=1_000_000_000)
    assert forged.status == 401 and stale.status == 401
    driver.settle()
    assert driver.slack.called("chat.postMessage") == []
    assert driver.slack.called("chat.postEphemeral") == []


def test_http_endpoint_verifies_signatures(driver: Driver) -> None:
    server = make_server(driver.bot.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    try:
        challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
        ok = _post(url, challenge, signed_headers(challenge))
        assert ok == (200, "abc123") or (ok[0] == 200 and "abc123" in ok[1])
        assert _post(url, challenge, signed_headers(challenge, secret="wrong"))[0] == 401
        health = urllib.request.urlopen(url.replace("/slack/events", "/health"), timeout=5)
        assert health.read() == b"ok"
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_oversized_and_unsupported_files_are_refused_with_a_message(
    driver: Driver, projects: Path
) -> None:
    slack = driver.slack
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    big = slack.host_file("harbour.mov", b"\0" * 1024, "video/quicktime", size=600 * 1024 * 1024)
    pdf = slack.host_file("script.pdf", b"%PDF-1.4", "application/pdf")
    driver.say("", root, files=[big, pdf])
    driver.settle()
    texts = driver.thread_texts(root)
    refusal = next(t for t in texts if "harbour.mov" in t)
    assert "600 MB" in refusal and "500 MB" in refusal and "images" in refusal
    assert any("script.pdf" in t and "application/pdf" in t and "images" in t for t in texts)
    assert slack.hosted[big["id"]].downloads == 0  # refused before downloading
    assert slack.hosted[pdf["id"]].downloads == 0


def test_a_download_stops_at_the_size_limit_whatever_slack_said(
    projects: Path, slack: FakeSlack, executor: RenderExecutor
) -> None:
    bot = make_bot(projects, slack, executor, STORYREEL_SLACK_MAX_FILE_MB="0.001")  # ~1 KB
    driver = Driver(bot, slack)
    try:
        root = driver.mention("Mara is a tall woman in a red raincoat.")
        liar = slack.host_file("still.png", png_bytes() + b"\0" * 4096, "image/png", size=100)
        driver.say("", root, files=[liar])
        driver.settle()
        assert slack.hosted[liar["id"]].downloads == 1
        assert any("still.png is larger than 1 KB" in t for t in driver.thread_texts(root))
        assert not list((story_folder(projects) / "media" / "refs").iterdir())
    finally:
        bot.close()


def test_a_file_with_partial_details_is_looked_up_with_files_info(driver: Driver) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    photo = driver.slack.host_file("face.png", png_bytes(), "image/png")
    driver.say("", root, files=[{"id": photo["id"], "file_access": "check_file_info"}])
    driver.settle()
    assert [c.params["file"] for c in driver.slack.called("files.info")] == [photo["id"]]
    assert any("@image1 is face.png" in t for t in driver.thread_texts(root))


def test_a_restarted_bot_continues_the_thread(
    projects: Path, slack: FakeSlack, executor: RenderExecutor
) -> None:
    first = make_bot(projects, slack, executor)
    driver = Driver(first, slack)
    body_event = {
        "type": "app_mention",
        "user": ALICE,
        "text": f"<@{BOT_USER}> Mara is a tall woman in a red raincoat.",
        "ts": (root := driver.new_ts()),
        "channel": CHANNEL,
    }
    event_id = driver.event(body_event)
    driver.settle()
    first.close()

    second = make_bot(projects, slack, executor)
    driver = Driver(second, slack)
    try:
        driver.event(body_event, event_id, x_slack_retry_num="1")  # seen before the restart
        driver.say("Open on Mara at the harbour, wide shot, 1 second.", root)
        driver.settle()
        texts = driver.thread_texts(root)
        assert len([t for t in texts if "Added Mara" in t]) == 1
        reply = next(t for t in reversed(texts) if "```" in t)
        assert "#1" in reply and "@mara" in reply  # Mara was remembered
        assert len([p for p in projects.iterdir() if p.is_dir()]) == 1
    finally:
        second.close()


def test_one_turn_at_a_time_per_thread_others_wait_with_a_notice(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, started = threading.Event(), threading.Event()
    seen: list[str] = []

    def slow_direct(ref: ThreadRef, text: str, files: Any, user: str) -> None:
        seen.append(text)
        started.set()
        assert gate.wait(SETTLE_S)

    monkeypatch.setattr(driver.bot.runner, "direct", slow_direct)
    try:
        root = driver.mention("one")
        assert started.wait(SETTLE_S)
        driver.say("two", root)
        driver.say("three", root)
        other = driver.mention("elsewhere")  # another thread is not held up
        assert driver.slack.wait_for(lambda: "elsewhere" in seen)
        assert driver.slack.wait_for(lambda: driver.thread_texts(root).count(QUEUED) == 2)
        assert seen == ["one", "elsewhere"]
    finally:
        gate.set()
    driver.settle()
    assert seen == ["one", "elsewhere", "two", "three"]
    assert driver.thread_texts(other) == []


def test_stop_with_nothing_running_says_so(driver: Driver) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.settle()
    progress = Message(CHANNEL, driver.new_ts(), "Rendering", [], root)
    progress.blocks = blocks.progress_blocks(root, "Rendering", running=True)
    driver.press(progress, blocks.STOP)
    driver.settle()
    assert "Nothing is rendering" in driver.slack.called("chat.postEphemeral")[-1].params["text"]


def test_an_empty_mention_gets_a_greeting(driver: Driver, projects: Path) -> None:
    root = driver.mention("")
    driver.settle()
    assert any("Tell me the story in this thread" in t for t in driver.thread_texts(root))


def test_a_direct_message_starts_a_story_and_strangers_threads_are_left_alone(
    driver: Driver,
) -> None:
    dm = "D0ALICE"
    root = driver.new_ts()
    base = {"type": "message", "channel": dm, "channel_type": "im", "user": ALICE}
    driver.event({**base, "text": "Mara is a tall woman in a red raincoat.", "ts": root})
    driver.settle()
    texts = [m.text for m in driver.slack.posted(dm)]
    assert any("Added Mara" in t for t in texts)
    assert all(m.thread_ts == root for m in driver.slack.posted(dm))
    # the bot's own messages and edits come back as events: they are not direction
    own = {**base, "text": "Added Mara.", "ts": driver.new_ts(), "thread_ts": root, "bot_id": "B1"}
    driver.event(own)
    edited = {**base, "subtype": "message_changed", "ts": driver.new_ts(), "thread_ts": root}
    driver.event(edited)
    # a channel thread that is not a story, without a mention, is none of the bot's business
    driver.say("Open on Mara at the harbour, wide shot, 1 second.", driver.new_ts())
    driver.settle()
    assert len(driver.slack.posted()) == len(texts)


def test_stop_cancels_the_render_running_in_that_thread(driver: Driver) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.settle()
    cancelled = threading.Event()

    class Rendering:
        def cancel(self) -> None:
            cancelled.set()

    driver.bot.runner._running[ThreadRef(TEAM, CHANNEL, root).key] = Rendering()  # type: ignore[assignment]
    progress = Message(CHANNEL, driver.new_ts(), "Rendering", [], root)
    progress.blocks = blocks.progress_blocks(root, "Rendering", running=True)
    driver.press(progress, blocks.STOP)
    assert cancelled.is_set()  # at once, not behind the turn in the thread's queue


def test_socket_mode_over_a_real_websocket(
    projects: Path, slack: FakeSlack, executor: RenderExecutor
) -> None:
    """The default transport end to end: connect, receive a mention, ack it, reply in the thread."""
    from storyreel.apps.slack.command import socket_mode_handler
    from tests.fake_socket_mode import FakeSocketMode

    with FakeSocketMode().running() as socket_mode:
        slack.socket_url = socket_mode.url
        environment = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-test",
            "STORYREEL_SLACK_API_URL": slack.url,
        }
        settings = load_settings(projects, "socket", env=environment, offline=True)
        bot = SlackBot(settings, executor=executor)
        handler = socket_mode_handler(bot)
        try:
            handler.connect()
            ts = Driver.new_ts()
            mention = {
                "type": "app_mention",
                "user": ALICE,
                "text": f"<@{BOT_USER}> Mara is a tall woman in a red raincoat.",
                "ts": ts,
                "channel": CHANNEL,
                "event_ts": ts,
            }
            payload = json.loads(event_body(mention, "EvSocket1"))
            envelope = {"envelope_id": "env-1", "type": "events_api", "payload": payload}
            socket_mode.send({**envelope, "accepts_response_payload": False})
            assert socket_mode.wait_ack("env-1")["envelope_id"] == "env-1"
            assert bot.wait_idle(SETTLE_S)
        finally:
            handler.close()
            bot.close()
    replies = [m.text for m in slack.posted() if m.thread_ts == ts]
    assert any(text.startswith("Added Mara.") for text in replies), replies
    assert socket_mode.connections == 1
    assert slack.called("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-1-test"


def test_a_file_shared_while_a_question_waits_becomes_a_reference(driver: Driver) -> None:
    root = driver.mention("Mara is a tall woman in a red raincoat.")
    driver.say("Open on Mara at the harbour, wide shot, 1 second.", root)
    driver.settle()
    driver.say("remove shot 1", root)
    driver.settle()
    question = driver.message_with(blocks.ANSWER)
    photo = driver.slack.host_file("quay.png", png_bytes(), "image/png")
    driver.say("", root, files=[photo])
    driver.settle()
    texts = driver.thread_texts(root)
    assert any("Added @image1. My question above is still waiting" in t for t in texts), texts
    # the question still has its buttons and still works
    assert [b for b in driver.slack.messages[question.ts].blocks if b["type"] == "actions"]
    driver.press(question, blocks.ANSWER)
    driver.settle()
    assert any(t.startswith("Removing shot 1.") for t in driver.thread_texts(root))


def test_file_ids_and_names_from_slack_never_leave_the_inbox(
    tmp_path: Path, slack: FakeSlack, executor: RenderExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file id of ../../../../../x once made the bot write outside its inbox."""
    projects = tmp_path / "a" / "b" / "c" / "d" / "e" / "stories"
    projects.mkdir(parents=True)
    (projects / "slack.toml").write_text(f'[allow]\nusers = ["{ALICE}"]\n')
    saved: list[Path] = []
    download = turns.download

    def recorded(file: Any, folder: Path, **kwargs: Any) -> Path:
        path = download(file, folder, **kwargs)
        saved.append(path)
        assert path.is_file()
        return path

    monkeypatch.setattr(turns, "download", recorded)
    bot = make_bot(projects, slack, executor)
    driver = Driver(bot, slack)
    nasty = [
        ("../../../../../x", "../../../../../x.png"),
        ("../../../../../y", "/etc/passwd"),
        ("F1/../../../z", "a/b\\c\x00d\x1b[31m.png"),
        ("..", ".."),
        ("\x00\x1b]0;t\x07", "mara\r\n\x1b]0;title\x07\u202egnp.png"),
        ("F" * 300, "影" * 200 + ".png"),
    ]
    files = []
    for number, (file_id, name) in enumerate(nasty):
        hosted = slack.host_file("photo.png", png_bytes(100 + number), "image/png")
        files.append({**hosted, "id": file_id, "name": name, "title": name})
    try:
        root = driver.mention("Mara is a tall woman in a red raincoat.")
        driver.say("", root, files=files)
        driver.settle()
        folder = story_folder(projects)
        inbox = (folder / turns.INBOX).resolve()
        assert len(saved) == len(nasty)
        for path in saved:
            assert path.resolve().is_relative_to(inbox), path
            assert len(path.name.encode()) <= 120 and path.name.isprintable()
        assert len({path.parent for path in saved}) == len(nasty)  # one folder each
        outside = [p for p in tmp_path.rglob("*") if not p.is_relative_to(projects)]
        assert all(p.is_dir() for p in outside), outside
        assert not (folder / turns.INBOX).exists() or not any((folder / turns.INBOX).iterdir())
        texts = driver.thread_texts(root)
        assert any("@image6" in t for t in texts), texts
        assert not [t for t in texts if "\x1b" in t or "\x00" in t or "\x07" in t]
    finally:
        bot.close()


def test_escape_sequences_never_reach_the_story_or_slack(driver: Driver, projects: Path) -> None:
    root = driver.mention("\x1b[2J\x1b[31mMara\x1b[0m is a tall woman in a red raincoat.\x07")
    driver.say("Open on Mara at the \x1b]0;pwned\x07harbour, wide shot, 1 second.", root)
    driver.settle()
    project = Project.open(story_folder(projects))
    try:
        plan = project.memory.plan()
        words = json.dumps(plan.model_dump(mode="json"))
        assert "\\u001b" not in words and "\\u0007" not in words
        assert "harbour" in words
    finally:
        project.close()
    for message in driver.slack.posted():
        assert "\x1b" not in message.text and "\x07" not in message.text
        assert "\\u001b" not in json.dumps(message.blocks)


def test_text_posted_in_slack_has_no_control_characters(slack: FakeSlack) -> None:
    """Whatever a story holds (a shared project, a file name), the poster sends it clean."""
    from slack_sdk import WebClient

    poster = ThreadPoster(
        WebClient(token=BOT_TOKEN, base_url=slack.url), ThreadRef(TEAM, "C1", "1.0")
    )
    evil = "\x1b[31mshot\x1b[0m \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x07\x00\u202eok"
    ts = poster.say(evil, blocks.take_blocks("1.0", 1, 1, evil))
    assert ts is not None
    poster.update(ts, evil + " edited", [blocks.section(evil)])
    poster.whisper(ALICE, evil)
    for call in slack.calls:
        raw = json.dumps(call.params)
        assert "\\u001b" not in raw and "\\u0007" not in raw and "\\u0000" not in raw, raw
        assert "\\u202e" not in raw
    assert slack.messages[ts].text == "shot link ok edited"


def test_turns_beyond_the_cap_queue_and_their_threads_are_told(
    projects: Path, slack: FakeSlack, executor: RenderExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_bot(projects, slack, executor, STORYREEL_SLACK_PARALLEL_TURNS="2")
    driver = Driver(bot, slack)
    gate = threading.Event()
    started: list[str] = []

    def slow_direct(ref: ThreadRef, text: str, files: Any, user: str) -> None:
        started.append(text)
        assert gate.wait(SETTLE_S)

    monkeypatch.setattr(bot.runner, "direct", slow_direct)
    try:
        first, second = driver.mention("one"), driver.mention("two")
        assert slack.wait_for(lambda: len(started) == 2)
        third, fourth = driver.mention("three"), driver.mention("four")
        # two notice threads post these, so the fourth's may come first: wait for both
        assert slack.wait_for(lambda: all(driver.thread_texts(t) for t in (third, fourth)))
        assert driver.thread_texts(third) == [
            "Queued behind 2 other turns (I run 2 at a time); "
            "I'll start on this as soon as one finishes."
        ]
        assert driver.thread_texts(fourth)[0].startswith("Queued behind 3 other turns")
        driver.say("one more", first)  # its own thread is busy: the usual notice
        assert slack.wait_for(lambda: QUEUED in driver.thread_texts(first))
        assert driver.thread_texts(second) == [] and started == ["one", "two"]
    finally:
        gate.set()
    driver.settle()
    assert sorted(started) == ["four", "one", "one more", "three", "two"]
    bot.close()
