"""The HTTP events endpoint: a small threaded server handing Slack's requests to Bolt.

POST /slack/events takes events and button presses (set both Event
Subscriptions and Interactivity to https://<your host>/slack/events). Bolt
checks every request's signature with the signing secret and answers 401 to a
bad or stale one. GET /health answers "ok" for load balancers.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App, BoltRequest

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024
"""Slack's payloads are small; anything bigger is refused unread."""


def make_server(app: App, host: str, port: int, path: str = EVENTS_PATH) -> ThreadingHTTPServer:
    """A server for `app` on host:port (port 0 picks a free one); call serve_forever()."""

    class SlackEvents(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.partition("?")[0] == "/health":
                self._reply(200, {"Content-Type": ["text/plain"]}, "ok")
            else:
                self._reply(404, {}, "")

        def do_POST(self) -> None:
            request_path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            if request_path != path:
                self._reply(404, {}, "")
                return
            if length > MAX_BODY:
                self._reply(413, {}, "")
                return
            body = self.rfile.read(length).decode("utf-8")
            headers = {key.lower(): self.headers.get_all(key) or [] for key in self.headers}
            response = app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            self._reply(response.status, response.headers, response.body)

        def _reply(self, status: int, headers: dict[str, list[str]], body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for key, values in headers.items():
                if key.lower() != "content-length":
                    for value in values:
                        self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), SlackEvents)
    server.daemon_threads = True
    return server
