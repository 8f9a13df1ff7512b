"""A real HTTP server on 127.0.0.1 that speaks the chat-completions API with scripted replies.

It stands in for the remote language model (the edge of the machine); the
openai client, its timeouts, and storyreel's retries, parsing and repairs all
run for real. Faults are scripted too: HTTP errors with a body, Retry-After,
slow answers, HTML, answers without choices, huge bodies, and a server that
refuses `json_schema` response formats (as many local servers do).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """One scripted answer.

    content: the assistant message text (None with a refusal).
    status: HTTP status; not 200 sends `{"error": {"message": error}}`.
    error: the server's error message for a non-200 status.
    delay_s: wait this long before answering.
    refusal: the assistant's refusal text.
    headers: extra response headers (e.g. retry-after).
    body: send these exact bytes instead of a chat completion (HTML, broken JSON...).
    content_type: Content-Type of `body`.
    declare_length: send Content-Length (False: the body ends when the connection closes).
    finish_reason: the choice's finish reason.
    """

    content: str | None = None
    status: int = 200
    error: str = "scripted error"
    delay_s: float = 0.0
    refusal: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    content_type: str = "application/json"
    declare_length: bool = True
    finish_reason: str = "stop"


def reply(reply: str, edits: list[dict[str, Any]]) -> Scripted:
    """A well-formed DirectorReply answer."""
    return Scripted(content=json.dumps({"reply": reply, "edits": edits}))


def completion(body: dict[str, Any], step: Scripted) -> dict[str, Any]:
    """A chat.completion object carrying `step`'s message."""
    message = {"role": "assistant", "content": step.content, "refusal": step.refusal}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "test"),
        "choices": [{"index": 0, "message": message, "finish_reason": step.finish_reason}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeLLM:
    """Serves scripted answers in order; records every request body and when it came.

    `refuse_json_schema`: answer 400 to any request asking for a json_schema
    response format, without using up the script (a server without structured
    outputs). `models`: the names GET /models lists.
    """

    def __init__(self, refuse_json_schema: bool = False, models: list[str] | None = None) -> None:
        self.script: list[Scripted] = []
        self.requests: list[dict[str, Any]] = []
        self.times: list[float] = []
        self.refuse_json_schema = refuse_json_schema
        self.models = models if models is not None else ["test-model", "other-model"]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not self.path.rstrip("/").endswith("/models"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                    return
                data = [{"id": name, "object": "model", "owned_by": "fake"} for name in fake.models]
                self._send(200, {"object": "list", "data": data}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.times.append(time.monotonic())
                kind = (body.get("response_format") or {}).get("type")
                if fake.refuse_json_schema and kind == "json_schema":
                    message = "response_format of type json_schema is not supported by this server"
                    self._send(400, {"error": {"message": message, "type": "invalid_request"}}, {})
                    return
                step = fake.script.pop(0) if fake.script else Scripted(status=500)
                if step.delay_s:
                    time.sleep(step.delay_s)
                if step.body is not None:
                    self._raw(step.status, step.body.encode(), step)
                elif step.status != 200:
                    self._send(step.status, {"error": {"message": step.error}}, step.headers)
                else:
                    data = json.dumps(completion(body, step)).encode()
                    self._raw(200, data, step)

            def _send(self, status: int, payload: dict, headers: dict[str, str]) -> None:
                self._raw(status, json.dumps(payload).encode(), Scripted(headers=headers))

            def _raw(self, status: int, data: bytes, step: Scripted) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", step.content_type)
                    if step.declare_length:
                        self.send_header("Content-Length", str(len(data)))
                    for key, value in step.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    for start in range(0, len(data), 65536):
                        self.wfile.write(data[start : start + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @contextmanager
    def running(self) -> Iterator[FakeLLM]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
