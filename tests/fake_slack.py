"""A real HTTP server on 127.0.0.1 standing in for the Slack Web API and Slack's file hosts.

slack_sdk's WebClient (base_url pointed here) and the bot's downloads run for
real against it. It records every call (method, parameters, headers) and
implements what the bot uses: auth.test, chat.postMessage / update /
postEphemeral, files.getUploadURLExternal + the upload POST +
files.completeUploadExternal, files.info, apps.connections.open, and file
downloads that demand `Authorization: Bearer <bot token>`.

Also here: helpers that build signed event and interaction requests the way
Slack sends them (v0 HMAC-SHA256 signatures).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEST"
BOT_USER = "UBOT"


@dataclass
class Call:
    """One Web API call: the method name, its parameters (form, query or JSON) and headers."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Upload:
    """A file uploaded through getUploadURLExternal + POST + completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    data: bytes = b""
    title: str = ""
    channel: str = ""
    thread_ts: str = ""
    comment: str = ""
    completed: bool = False


@dataclass
class Hosted:
    """A file people shared: served at url_private_download to the bot token only."""

    info: dict[str, Any]
    data: bytes
    downloads: int = 0


@dataclass
class Message:
    """A message the bot posted (and its later edits)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edits: int = 0
    first_text: str = ""

    def __post_init__(self) -> None:
        self.first_text = self.first_text or self.text


class FakeSlack:
    """The Slack Web API stand-in; use `with FakeSlack().running() as slack:`."""

    def __init__(self, token: str = BOT_TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[str, Message] = {}
        self.uploads: dict[str, Upload] = {}
        self.hosted: dict[str, Hosted] = {}
        self.bad_auth: list[str] = []
        self.socket_url = "wss://127.0.0.1:9/link/?ticket=test"  # tests/fake_socket_mode.py
        self._lock = threading.RLock()  # wait_for's condition reads under the same lock
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._download(self)

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if path.startswith("/upload/"):
                    fake._upload(self, path.rsplit("/", 1)[-1], raw)
                elif path.startswith("/api/"):
                    fake._api(self, path[len("/api/") :], raw)
                else:
                    self.send_error(404)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[FakeSlack]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    # --- what tests look at ------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        """Every call of one API method, in order."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def posted(self, channel: str | None = None) -> list[Message]:
        """Messages the bot posted (not ephemeral ones), in order."""
        with self._lock:
            return [m for m in self.messages.values() if channel in (None, m.channel)]

    def texts(self) -> list[str]:
        """The current text of every posted message, in order."""
        return [m.text for m in self.posted()]

    def completed_uploads(self) -> list[Upload]:
        with self._lock:
            return [u for u in self.uploads.values() if u.completed]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10) -> bool:
        """Wait until `condition()` holds (re-checked after every API call)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.2))
        return True

    def host_file(
        self, name: str, data: bytes, mimetype: str, *, size: int | None = None
    ) -> dict[str, Any]:
        """Make a file downloadable; returns the file object an event would carry."""
        file_id = f"F{next(self._ids):06d}"
        info = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1],
            "size": len(data) if size is None else size,
            "url_private": f"{self.base}/files-pri/{file_id}/{name}",
            "url_private_download": f"{self.base}/files-pri/{file_id}/download/{name}",
        }
        self.hosted[file_id] = Hosted(info=info, data=data)
        return dict(info)

    # --- the server side -----------------------------------------------------------

    def _params(self, handler: BaseHTTPRequestHandler, raw: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(urlsplit(handler.path).query))
        content_type = handler.headers.get("Content-Type") or ""
        if "json" in content_type and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode("utf-8")))
        return params

    def _api(self, handler: BaseHTTPRequestHandler, method: str, raw: bytes) -> None:
        params = self._params(handler, raw)
        headers = {key.lower(): value for key, value in handler.headers.items()}
        with self._changed:
            self.calls.append(Call(method, params, headers))
            if headers.get("authorization") != f"Bearer {self.token}" and method != (
                "apps.connections.open"
            ):
                self.bad_auth.append(method)
                body: dict[str, Any] = {"ok": False, "error": "invalid_auth"}
            else:
                body = self._answer(method, params)
            self._changed.notify_all()
        _send(handler, 200, json.dumps(body).encode(), "application/json")

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://storyreel-test.slack.com/",
                "team": "Test",
                "user": "storyreel",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            blocks = _decode(params.get("blocks")) or []
            self.messages[ts] = Message(
                params["channel"], ts, params.get("text", ""), blocks, params.get("thread_ts")
            )
            return {"ok": True, "channel": params["channel"], "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            message = self.messages.get(params.get("ts", ""))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.text = params.get("text", "")
            message.blocks = _decode(params.get("blocks")) or []
            message.edits += 1
            return {"ok": True, "channel": message.channel, "ts": message.ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "files.getUploadURLExternal":
            file_id = f"FUP{next(self._ids):05d}"
            self.uploads[file_id] = Upload(file_id, params["filename"], int(params["length"]))
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            done = []
            for item in json.loads(params["files"]):
                upload = self.uploads[item["id"]]
                upload.title = item.get("title", "")
                upload.channel = params.get("channel_id", "")
                upload.thread_ts = params.get("thread_ts", "")
                upload.comment = params.get("initial_comment", "")
                upload.completed = len(upload.data) == upload.length
                done.append({"id": upload.file_id, "title": upload.title})
            return {"ok": True, "files": done}
        if method == "files.info":
            hosted = self.hosted.get(params.get("file", ""))
            if hosted is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": dict(hosted.info)}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        return {"ok": False, "error": "unknown_method"}

    def _upload(self, handler: BaseHTTPRequestHandler, file_id: str, raw: bytes) -> None:
        with self._changed:
            upload = self.uploads.get(file_id)
            if upload is not None:
                upload.data = raw
            self._changed.notify_all()
        status = 200 if upload is not None else 404
        _send(handler, status, f"OK - {len(raw)}".encode(), "text/plain")

    def _download(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path).path.split("/")
        hosted = self.hosted.get(parts[2]) if len(parts) > 2 else None
        if hosted is None:
            _send(handler, 404, b"not found", "text/plain")
            return
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            with self._lock:
                self.bad_auth.append(f"download {parts[2]}")
            # what Slack does without a token: a login web page, not the file
            _send(handler, 200, b"<html>sign in</html>", "text/html")
            return
        with self._lock:
            hosted.downloads += 1
        _send(handler, 200, hosted.data, hosted.info["mimetype"])


def _decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


# --- requests as Slack sends them ---------------------------------------------------


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, **extra: str
) -> dict[str, str]:
    """Headers with Slack's v0 signature of `body` (extra: e.g. x_slack_retry_num="1")."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": f"v0={digest}",
        "content-type": "application/json",
    }
    headers.update({key.replace("_", "-"): value for key, value in extra.items()})
    return headers


def event_body(event: dict[str, Any], event_id: str, team: str = TEAM) -> str:
    """An Events API callback as JSON text."""
    return json.dumps(
        {
            "token": "unused",
            "team_id": team,
            "api_app_id": "A0TEST",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team, "user_id": BOT_USER, "is_bot": True, "enterprise_id": None}
            ],
        }
    )


def action_body(
    action: dict[str, Any],
    *,
    user: str,
    channel: str,
    message: dict[str, Any],
    team: str = TEAM,
) -> str:
    """A block_actions interaction as the form-encoded text Slack posts."""
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A0TEST",
        "token": "unused",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
            "thread_ts": message.get("thread_ts"),
        },
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "film"},
        "message": message,
        "actions": [{**action, "type": "button", "action_ts": str(time.time())}],
    }
    return urlencode({"payload": json.dumps(payload)})
