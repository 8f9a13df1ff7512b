"""The Slack bot's HTTP endpoint against real sockets on 127.0.0.1: malformed requests get
400/401/413 (never a traceback, a dropped connection or a stuck server), unsigned bodies
are never logged, unused events are acknowledged, and a burst of 200 events is acked in
time with a bounded number of threads and turns."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from storyreel.apps.slack.app import SlackBot
from storyreel.apps.slack.config import load_settings
from storyreel.apps.slack.http_server import MAX_BODY, SlackHTTPServer, make_server
from storyreel.apps.slack.store import ThreadRef
from tests.fake_slack import (
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    event_body,
    signed_headers,
)

CHANNEL = "C0HTTP"
MARKER = "UNSIGNED-BODY-MARKER"
"""Put in every refused body: it must never show up in a log."""
READ_TIMEOUT_S = 0.5


@dataclass
class Endpoint:
    bot: SlackBot
    server: SlackHTTPServer
    slack: FakeSlack

    @property
    def port(self) -> int:
        return self.server.server_address[1]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    # served with a short poll interval: shutdown() waits up to one (the default is 0.5 s)
    fake.thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    with fake.running():
        yield fake


def start_bot(tmp_path: Path, slack: FakeSlack, **env: str) -> SlackBot:
    projects = tmp_path / "stories"
    projects.mkdir(exist_ok=True)
    (projects / "slack.toml").write_text('[allow]\nusers = ["*"]\n')
    environment = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "STORYREEL_SLACK_API_URL": slack.url,
        **env,
    }
    return SlackBot(load_settings(projects, "http", env=environment, offline=True))


@pytest.fixture
def endpoint(tmp_path: Path, slack: FakeSlack) -> Iterator[Endpoint]:
    bot = start_bot(tmp_path, slack)
    server = make_server(
        bot.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET, read_timeout=READ_TIMEOUT_S
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Endpoint(bot, server, slack)
    finally:
        server.shutdown()
        server.server_close()
        bot.wait_idle(30)
        bot.close()


def exchange(port: int, raw: bytes, *, timeout: float = 10) -> bytes:
    """Send raw bytes, read until the server closes; the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while block := sock.recv(65536):
            chunks.append(block)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    line = answer.split(b"\r\n", 1)[0]
    if not line.startswith(b"HTTP/"):
        # a request that is not HTTP/1.x gets an HTTP/0.9 answer: the error page alone
        found = re.search(rb"Error code: (\d+)", answer)
        assert found, answer[:200]
        return int(found.group(1))
    return int(line.split()[1])


def request(
    body: bytes,
    headers: dict[str, str],
    *,
    length: str | None = "auto",
    path: str = "/slack/events",
) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    if length == "auto":
        lines.append(f"Content-Length: {len(body)}")
    elif length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sign(body: bytes, stamp: str | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time())) if stamp is None else stamp
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/json",
    }


def mention(ts: str, text: str = "Mara is a tall woman in a red raincoat.") -> str:
    event = {
        "type": "app_mention",
        "user": "UALICE",
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
    }
    return event_body(event, f"Ev{ts.replace('.', '')}")


EVENT = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}, "x": MARKER})
BODY = EVENT.encode()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _signed(body: bytes, **headers: str) -> bytes:
    return request(body, {**sign(body), **headers})


def _json(value: Any) -> bytes:
    return _signed(json.dumps(value).encode())


def _form(payload: Any) -> bytes:
    return _signed(urlencode({"payload": json.dumps(payload)}).encode(), **FORM)


MALFORMED: dict[str, tuple[int, Callable[[], bytes]]] = {
    "Content-Length not a number": (400, lambda: request(BODY, sign(BODY), length="abc")),
    "Content-Length negative": (400, lambda: request(BODY, sign(BODY), length="-1")),
    "Content-Length missing": (400, lambda: request(BODY, sign(BODY), length=None)),
    "Content-Length twice, different": (
        400,
        lambda: request(BODY, {**sign(BODY), "Content-Length": "3"}),
    ),
    "Content-Length 1e3": (400, lambda: request(BODY, sign(BODY), length="1e3")),
    "body shorter than its Content-Length": (
        400,
        lambda: request(BODY, sign(BODY), length=str(len(BODY) + 100)),
    ),
    "body over the limit": (413, lambda: request(BODY, sign(BODY), length=str(MAX_BODY + 1))),
    "body over the limit, sent": (413, lambda: request(b"x" * (2 * MAX_BODY), {})),
    "no signature": (401, lambda: request(BODY, {"Content-Type": "application/json"})),
    "wrong signature": (401, lambda: request(BODY, sign(BODY, secret="not-the-secret"))),
    "signature of another body": (401, lambda: request(BODY, sign(b"{}"))),
    "signature not v0=hex": (
        401,
        lambda: request(BODY, {**sign(BODY), "X-Slack-Signature": "v0=xyz"}),
    ),
    "stale timestamp": (401, lambda: request(BODY, sign(BODY, stamp="1000000000"))),
    "timestamp not a number, signature valid": (401, lambda: request(BODY, sign(BODY, "abc"))),
    "timestamp with a sign, signature valid": (
        401,
        lambda: request(BODY, sign(BODY, f"+{int(time.time())}")),
    ),
    "timestamp twice": (
        401,
        lambda: request(BODY, {**sign(BODY), "X-Slack-Request-Timestamp": "1"}),
    ),
    "signed, empty body": (400, lambda: _signed(b"")),
    "signed, not JSON": (400, lambda: _signed(f"{{not json {MARKER}".encode())),
    "signed, invalid UTF-8": (400, lambda: _signed(b'{"type": "\xff\xfe' + MARKER.encode())),
    "signed, a JSON list": (400, lambda: _json([MARKER])),
    "signed, a JSON string": (400, lambda: _json(MARKER)),
    "signed, type not text": (400, lambda: _json({"type": ["event_callback"]})),
    "signed, event not an object": (
        400,
        lambda: _json({"type": "event_callback", "event": MARKER}),
    ),
    "signed, event type not text": (
        400,
        lambda: _json({"type": "event_callback", "event": {"type": 5}}),
    ),
    "signed, event null": (400, lambda: _json({"type": "event_callback", "event": None})),
    "signed, actions empty": (400, lambda: _form({"type": "block_actions", "actions": []})),
    "signed, action_id not text": (
        400,
        lambda: _form({"type": "block_actions", "actions": [{"action_id": 5, "x": MARKER}]}),
    ),
    "signed, form payload not JSON": (
        400,
        lambda: _signed(urlencode({"payload": "{" + MARKER}).encode(), **FORM),
    ),
    "signed, actions not a list": (
        400,
        lambda: _form({"type": "block_actions", "actions": MARKER}),
    ),
    "signed, user not an object": (400, lambda: _form({"type": "block_actions", "user": MARKER})),
    "not HTTP/1.x": (400, lambda: f"POST /slack/events HTTP/x.y\r\n\r\n{MARKER}".encode()),
    "unknown method": (501, lambda: f"BREW /slack/events HTTP/1.1\r\n\r\n{MARKER}".encode()),
    "header line too long": (431, lambda: request(BODY, {"X-Long": "a" * 70_000})),
    "another path": (404, lambda: request(BODY, sign(BODY), path="/admin")),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_a_malformed_request_is_answered_and_the_server_keeps_serving(
    endpoint: Endpoint, case: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    expected, build = MALFORMED[case]
    caplog.set_level(logging.DEBUG)
    answer = exchange(endpoint.port, build())
    assert status_of(answer) == expected, answer[:300]
    # still serving: health, and a signed event is acked and runs
    assert status_of(exchange(endpoint.port, b"GET /health HTTP/1.1\r\n\r\n")) == 200
    body = mention(ts := "1712000000.000001").encode()
    assert status_of(exchange(endpoint.port, request(body, sign(body)))) == 200
    assert endpoint.bot.wait_idle(30)
    assert any(m.thread_ts == ts for m in endpoint.slack.posted())
    # nothing went wrong on our side, and no refused body was written anywhere
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
    assert MARKER not in out + err + caplog.text
    assert endpoint.slack.called("chat.postEphemeral") == []


def test_bolt_never_logs_an_unsigned_body(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt's own signature check (also used without our server) logs bodies at INFO."""
    from slack_bolt import BoltRequest

    caplog.set_level(logging.DEBUG)
    headers = signed_headers(EVENT, secret="not-the-secret")
    response = endpoint.bot.app.dispatch(BoltRequest(body=EVENT, headers=headers))
    assert response.status == 401
    assert MARKER not in caplog.text


@pytest.mark.parametrize(
    "event",
    [
        {"type": "file_shared", "file_id": "F1", "user_id": "UALICE", "channel_id": CHANNEL},
        {"type": "file_created", "file_id": "F1", "user_id": "UALICE"},
        {"type": "member_joined_channel", "user": "UALICE", "channel": CHANNEL},
        {"type": "reaction_added", "user": "UALICE", "reaction": "clapper"},
        {"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "ts": "1.2"},
        {"type": "app_mention", "user": {"id": "U"}, "ts": 1.5, "channel": ["C"], "files": "x"},
    ],
    ids=lambda event: f"{event['type']}-{event.get('subtype', '')}",
)
def test_unused_events_are_acknowledged(
    endpoint: Endpoint, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = event_body(event, "EvUnused").encode()
    answer = exchange(endpoint.port, request(body, sign(body)))
    assert status_of(answer) == 200
    assert endpoint.bot.wait_idle(30)
    assert endpoint.slack.called("chat.postMessage") == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]


def test_a_button_of_another_kind_is_acknowledged(endpoint: Endpoint) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UALICE", "team_id": TEAM},
        "channel": {"id": CHANNEL},
        "actions": [{"action_id": "someone_else", "value": "x", "type": "button"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    answer = exchange(endpoint.port, _signed(body, **FORM))
    assert status_of(answer) == 200


# --- a burst -------------------------------------------------------------------------


async def _timed(port: int, raw: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    line = await reader.readline()
    elapsed = time.perf_counter() - started
    await reader.read()
    writer.close()
    return int(line.split()[1]), elapsed


async def _burst(port: int, raws: list[bytes]) -> list[tuple[int, float]]:
    return await asyncio.gather(*(_timed(port, raw) for raw in raws))


def bot_threads() -> int:
    """Threads of this process, less the Slack stand-in's (one per API call)."""
    return sum(1 for t in threading.enumerate() if "process_request_thread" not in t.name)


def test_a_burst_of_200_events_is_acked_in_time_with_bounded_threads(
    tmp_path: Path, slack: FakeSlack
) -> None:
    """The figures are measured by bench/slack_burst.py; this checks generous bounds."""
    bot = start_bot(tmp_path, slack)
    server = make_server(bot.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET)
    serving = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    serving.start()
    gate = threading.Event()
    lock = threading.Lock()
    running, peak, ran = [0], [0], []

    def slow_direct(ref: ThreadRef, text: str, files: Any, user: str) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        gate.wait(60)
        with lock:
            running[0] -= 1
            ran.append(ref.thread_ts)

    bot.runner.direct = slow_direct  # type: ignore[method-assign]
    before = bot_threads()
    threads = [before]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            threads.append(bot_threads())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        raws = []
        for i in range(200):
            body = mention(f"1713000000.{i:06d}").encode()
            raws.append(request(body, sign(body)))
        results = asyncio.run(_burst(server.server_address[1], raws))
        assert [status for status, _ in results] == [200] * 200
        slowest = max(seconds for _, seconds in results)
        assert slowest < 1.0, f"the slowest ack took {slowest:.2f} s"
        # the turns that could not start were told so, in their own threads
        assert slack.wait_for(
            lambda: sum("Queued behind" in t for t in slack.texts()) == 200 - 4, timeout=30
        )
        assert running[0] == 4
    finally:
        gate.set()
        assert bot.wait_idle(60)
        sampling.set()
        sampler.join()
        server.shutdown()
        server.server_close()
        bot.close()
    assert len(ran) == 200 and peak[0] == 4
    # 16 request threads, 4 turn workers, 2 notice workers, the sampler and the server loop
    assert max(threads) - before <= 16 + 4 + 2 + 4, max(threads) - before
