"""A real HTTP server on 127.0.0.1 that speaks the chat-completions API with scripted replies.

It stands in for the remote language model (the edge of the machine); the
openai client, its retries and timeouts, and storyreel's parsing all run for real.
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
    """One scripted answer: a message content, an HTTP error, a delay or a refusal."""

    content: str | None = None
    status: int = 200
    delay_s: float = 0.0
    refusal: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def reply(reply: str, edits: list[dict[str, Any]]) -> Scripted:
    """A well-formed DirectorReply answer."""
    return Scripted(content=json.dumps({"reply": reply, "edits": edits}))


class FakeLLM:
    """Serves scripted answers in order; records every request body."""

    def __init__(self) -> None:
        self.script: list[Scripted] = []
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                step = fake.script.pop(0) if fake.script else Scripted(status=500)
                if step.delay_s:
                    time.sleep(step.delay_s)
                if step.status != 200:
                    self._send(step.status, {"error": {"message": "scripted error"}}, step.headers)
                    return
                message = {"role": "assistant", "content": step.content, "refusal": step.refusal}
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "test"),
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                    {},
                )

            def _send(self, status: int, payload: dict, headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[FakeLLM]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
