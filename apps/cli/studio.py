"""`storyreel studio`: the story in a web browser (apps/studio)."""

from __future__ import annotations

import errno
import ipaddress
import secrets
import socket
import threading
import time
from typing import Annotated

import typer

from storyreel.apps.cli.common import HERE, OfflineOption, ProjectOption, echo, opened
from storyreel.tools.errors import StoryreelError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """True when `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a StoryreelError that says what to do."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise StoryreelError(
            f"cannot listen on {host}: it is not an address of this machine ({error.strerror}); "
            "check --host (127.0.0.1 keeps the studio on this machine)"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise StoryreelError(
                f"port {port} on {host} is already in use (another storyreel studio, or another "
                f"program); choose another with --port {port + 1 if port < 65535 else 8765}"
            ) from None
        raise StoryreelError(
            f"cannot listen on {host}:{port} ({error.strerror}); check --host and --port"
        ) from None
    return sock


def studio(
    project: ProjectOption = HERE,
    session: Annotated[
        str, typer.Option("--session", "-s", help="Conversation name; each is its own thread.")
    ] = "studio",
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. 127.0.0.1 (the default) keeps the studio on this "
            "machine; any other address needs the access token printed at start.",
        ),
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)] = (
        DEFAULT_PORT
    ),
    offline: OfflineOption = False,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Access token the page and the API need (default: none on 127.0.0.1, a new "
            "random one on any other address).",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in a web browser once it is up.")
    ] = False,
) -> None:
    """Direct a story in a web browser: the storyboard, takes, the cut, chat and buttons.

    Several browsers on the same studio see the same story live.
    It listens on 127.0.0.1 unless --host says otherwise;
    on any other address it needs the access token it prints.
    Example: storyreel studio -p the-letter
    """
    from storyreel.agent.session import AGENT_DB, check_agent_db
    from storyreel.apps.studio.server import create_app, studio_server

    with opened(project) as story:
        title = story.memory.plan().title
        check_agent_db(story.root / AGENT_DB)
    if token is not None and not token.strip():
        raise StoryreelError("--token is empty: give a token, or leave --token out")
    local = is_loopback(host)
    if token is None and not local:
        token = secrets.token_urlsafe(16)
    sock = listen(host, port)
    bound_port = sock.getsockname()[1]
    shown_host = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{bound_port}/" + (f"?token={token}" if token else "")
    app = create_app(project, token=token, session_name=session, offline=offline)
    server = studio_server(app, host, bound_port)
    echo(f"storyreel studio: {title!r} at {url}")
    if not local:
        echo(
            f"Listening on {host}: the page is reachable from other machines, and only with "
            "the access token (it is in the address above)."
        )
    elif token:
        echo("The page needs the access token (it is in the address above).")
    echo("Ctrl+C stops the studio.")
    if open_browser:
        threading.Thread(target=_open_when_up, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        raise StoryreelError("the studio could not start (the reason is above)")
    echo("The studio stopped.")


def _open_when_up(server: object, url: str) -> None:
    import webbrowser

    deadline = time.monotonic() + 60
    while not getattr(server, "started", False) and time.monotonic() < deadline:
        time.sleep(0.1)
    if getattr(server, "started", False):
        webbrowser.open(url)
