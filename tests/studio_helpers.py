"""A real storyreel studio server for tests: `running_studio(project_dir) as url`
(or `serving(create_app(...)) as url` to keep hold of the app)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from storyreel.apps.studio.server import create_app, studio_server

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


@contextmanager
def running_studio(project_dir: Path, **create_app_kwargs: Any) -> Iterator[str]:
    """Run the studio for `project_dir` on 127.0.0.1 (a free port) in a background thread;
    yield its base URL ("http://127.0.0.1:PORT", no trailing slash); stop it on exit.

    `create_app_kwargs` go to `create_app` (token, session_name, offline, session_factory;
    offline defaults to True here). Raises RuntimeError when the server does not start (the
    session could not open the project, say).
    """
    create_app_kwargs.setdefault("offline", True)
    with serving(create_app(project_dir, **create_app_kwargs)) as url:
        yield url


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve a studio app (`create_app`) on 127.0.0.1 as `running_studio` does."""
    server = studio_server(app, "127.0.0.1", 0)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="studio-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(STOP_TIMEOUT_S)
            sock.close()
            raise RuntimeError("the studio did not start (see the log above)")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the studio server did not stop within 30 s")
