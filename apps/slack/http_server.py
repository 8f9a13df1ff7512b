"""The HTTP events endpoint: a small server checking Slack's requests and handing them to Bolt.

POST /slack/events takes events and button presses (set both Event
Subscriptions and Interactivity to https://<your host>/slack/events). GET
/health answers "ok" for load balancers.

Every request is checked here before Bolt sees it, and every problem is an
answer, never an exception or a dropped connection:

- 400: no Content-Length, one that is not a whole number, or a body shorter
  than it says (or not sent within `read_timeout`);
- 413: a body over MAX_BODY (Slack's payloads are small), refused unread;
- 401: no signature or timestamp, a timestamp that is not a number or more
  than five minutes away, or a signature that does not match the body
  (Slack's v0 HMAC-SHA256 with the signing secret);
- 400: a signed body that is empty, not UTF-8, or not the JSON / form data
  Slack sends (checked after the signature: unsigned bodies are never parsed).

Refusals are logged in one line with the body's length, never the body.
Connections are served by a fixed pool of `workers` threads; a burst waits
in the listen backlog (BACKLOG) instead of starting a thread per request.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024
"""Slack's payloads are small; anything bigger is refused unread."""
MAX_SKEW_S = 5 * 60
"""A request timestamp further than this from now is stale (Slack's own rule)."""
WORKERS = 16
"""Threads answering requests; acks only queue work, so a few are plenty."""
BACKLOG = 1024
"""Connections the kernel holds while every worker is busy (Python's default is 5,
which makes a burst's connections retry after 1 s, 3 s, ...)."""
READ_TIMEOUT_S = 10.0
"""How long a connection may take to send its request."""
_DIGITS = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Refused(Exception):
    """A request answered with `status` and a one-line `reason` (for the log and the client)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def content_length(values: list[str] | None) -> int:
    """The body length from the Content-Length header(s).

    Raises:
        Refused: 400 when it is missing, repeated with different values, or not a
            whole number; 413 when it is over MAX_BODY.
    """
    found = {value.strip() for value in values or []}
    if not found:
        raise Refused(400, "Content-Length is required")
    if len(found) > 1:
        raise Refused(400, "Content-Length is given twice with different values")
    value = found.pop()
    if not _DIGITS.fullmatch(value):
        raise Refused(400, f"Content-Length must be a whole number of bytes, got {value[:20]!r}")
    length = int(value)
    if length > MAX_BODY:
        raise Refused(413, f"the body is {length} bytes; at most {MAX_BODY} are accepted")
    return length


def check_signature(
    headers: Mapping[str, list[str]], body: bytes, secret: str, now: float | None = None
) -> None:
    """Check Slack's v0 signature of `body` and the freshness of its timestamp.

    Raises:
        Refused: 401 with what is wrong (missing, not a number, stale, no match).
    """
    stamps = headers.get("x-slack-request-timestamp") or []
    signatures = headers.get("x-slack-signature") or []
    if len(stamps) != 1 or len(signatures) != 1:
        raise Refused(401, "one X-Slack-Request-Timestamp and one X-Slack-Signature are required")
    stamp, signature = stamps[0].strip(), signatures[0].strip()
    if not _DIGITS.fullmatch(stamp):
        raise Refused(401, "X-Slack-Request-Timestamp must be a number of seconds")
    now = time.time() if now is None else now
    if abs(now - int(stamp)) > MAX_SKEW_S:
        raise Refused(401, "X-Slack-Request-Timestamp is more than 5 minutes away from now")
    if not _SIGNATURE.fullmatch(signature):
        raise Refused(401, "X-Slack-Signature must be v0= and 64 hex digits")
    expected = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    if not hmac.compare_digest(signature, "v0=" + expected.hexdigest()):
        raise Refused(401, "X-Slack-Signature does not match the body")


def bolt_request(body: bytes, query: str, headers: dict[str, list[str]]) -> BoltRequest:
    """A signed body as Bolt's request, checked to be the kind Slack sends.

    Raises:
        Refused: 400 when the body is empty, not UTF-8, or not a JSON object /
            form data whose parts have the shapes Bolt expects.
    """
    if not body.strip():
        raise Refused(400, "the body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    try:
        request = BoltRequest(body=text, query=query, headers=headers)
    except Exception:  # whatever Bolt's parser trips on is a malformed body
        raise Refused(400, "the body is not the JSON or form data Slack sends") from None
    check_shape(request.body)
    return request


_PARTS = ("event", "team", "user", "channel", "container", "message", "view", "enterprise")
_LISTS = ("actions", "authorizations")


def check_shape(payload: object) -> None:
    """Refuse payloads whose parts Bolt would trip on: the body and its parts are
    objects (or null; an event is never null), `type` is text, `actions` (never
    empty) and `authorizations` are lists of objects, every action has a text
    action_id.

    Raises:
        Refused: 400 naming the part.
    """
    if not isinstance(payload, dict):
        raise Refused(400, "the body must be a JSON object")
    if not isinstance(payload.get("type", ""), str):
        raise Refused(400, "type must be text")
    for part in _PARTS:
        if payload.get(part) is not None and not isinstance(payload[part], dict):
            raise Refused(400, f"{part} must be an object")
    for part in _LISTS:
        items = payload.get(part, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise Refused(400, f"{part} must be a list of objects")
    event = payload.get("event")
    if ("event" in payload or payload.get("type") == "event_callback") and event is None:
        raise Refused(400, "an event_callback needs an event object")
    if "actions" in payload and not payload["actions"]:
        raise Refused(400, "actions must not be empty")
    if event is not None and not isinstance(event.get("type", ""), str):
        raise Refused(400, "event.type must be text")
    for action in payload.get("actions", []):
        if not isinstance(action.get("action_id"), str):
            raise Refused(400, "every action needs a text action_id")
        if not isinstance(action.get("block_id", ""), str):
            raise Refused(400, "actions[].block_id must be text")


def make_server(
    app: App,
    host: str,
    port: int,
    *,
    signing_secret: str,
    path: str = EVENTS_PATH,
    workers: int = WORKERS,
    read_timeout: float = READ_TIMEOUT_S,
) -> SlackHTTPServer:
    """A server for `app` on host:port (port 0 picks a free one); call serve_forever().

    `signing_secret` is the app's (Bolt checks the signature again with it).
    """

    class SlackEvents(BaseHTTPRequestHandler):
        timeout = read_timeout  # socket reads (request line, headers, body)
        server_version = "storyreel"

        def do_GET(self) -> None:
            if self.path.partition("?")[0] == "/health":
                self._reply(200, {"Content-Type": ["text/plain"]}, "ok")
            else:
                self._reply(404, {}, "")

        def do_POST(self) -> None:
            request_path, _, query = self.path.partition("?")
            if request_path != path:
                self._refuse(Refused(404, f"no such path {request_path[:80]!r}"), unread=True)
                return
            try:
                length = content_length(self.headers.get_all("Content-Length"))
            except Refused as refused:
                self._refuse(refused, unread=True)
                return
            try:
                body = self.rfile.read(length)
            except TimeoutError:
                reason = f"the body did not arrive within {read_timeout:g} s"
                self._refuse(Refused(400, reason), unread=True)
                return
            try:
                if len(body) < length:
                    raise Refused(400, f"the body ended after {len(body)} of {length} bytes")
                headers = {key.lower(): self.headers.get_all(key) or [] for key in self.headers}
                check_signature(headers, body, signing_secret)
                request = bolt_request(body, query, headers)
            except Refused as refused:
                self._refuse(refused, length=len(body))
                return
            try:
                response = app.dispatch(request)
            except Exception:  # Bolt answers errors itself; this is a bug of ours
                log.exception("the Slack app failed on a %d-byte request", len(body))
                self._reply(500, {}, "")
                return
            self._reply(response.status, response.headers, response.body)

        def _refuse(self, refused: Refused, *, length: int = 0, unread: bool = False) -> None:
            log.info(
                "refused a request from %s: %d %s (%d bytes)",
                self.client_address[0],
                refused.status,
                refused.reason,
                length,
            )
            self.close_connection = True
            self._reply(refused.status, {"Content-Type": ["text/plain"]}, refused.reason + "\n")
            if unread:
                self._discard_unread()

        def _discard_unread(self) -> None:
            """Let the client read the answer: closing a socket with unread data resets it."""
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(0.2)
                deadline, read = time.monotonic() + 1.0, 0
                while time.monotonic() < deadline and read < 4 * MAX_BODY:
                    block = self.connection.recv(1 << 16)
                    if not block:
                        break
                    read += len(block)
            except OSError:
                pass

        def _reply(self, status: int, headers: Mapping[str, list[str]], body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for key, values in headers.items():
                if key.lower() not in ("content-length", "connection"):
                    for value in values:
                        self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("%s %s", self.client_address[0], format % args)

    return SlackHTTPServer((host, port), SlackEvents, workers=workers)


class SlackHTTPServer(HTTPServer):
    """An HTTP server answering on a fixed pool of threads.

    The accept loop hands each connection to the pool and stops accepting while
    `workers * 4` connections wait for it; more wait in the kernel's backlog.
    """

    request_queue_size = BACKLOG
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        workers: int = WORKERS,
    ) -> None:
        super().__init__(address, handler)
        self.workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="slack-http")
        self._slots = threading.BoundedSemaphore(workers * 4)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        try:
            self._pool.submit(self._serve, request, client_address)
        except RuntimeError:  # the pool was shut down
            self._slots.release()
            self.shutdown_request(request)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is a line in the log; anything else is a bug of ours."""
        error = sys.exc_info()[1]
        client = client_address[0] if client_address else "?"
        if isinstance(error, ConnectionError | TimeoutError):
            log.info("a request from %s ended early: %s", client, error)
        else:
            log.exception("a request from %s failed", client)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)
