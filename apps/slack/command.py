"""`storyreel slack`: run the Slack bot over Socket Mode or the HTTP events endpoint."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import BackendOption, OfflineOption
from storyreel.tools.errors import StoryreelError

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from storyreel.apps.slack.app import SlackBot

DEFAULT_PROJECTS = Path("slack-stories")


def slack(
    socket: Annotated[
        bool,
        typer.Option(
            "--socket",
            help="Connect over Socket Mode (the default; no public URL needed). "
            "Needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN.",
        ),
    ] = False,
    http: Annotated[
        bool,
        typer.Option(
            "--http",
            help="Serve the HTTP events endpoint at /slack/events instead. "
            "Needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --http.")] = 3000,
    host: Annotated[
        str,
        typer.Option("--host", help="Address for --http to listen on (0.0.0.0: every interface)."),
    ] = "127.0.0.1",
    projects: Annotated[
        Path,
        typer.Option(
            "--projects",
            envvar="STORYREEL_SLACK_PROJECTS",
            help="Folder for the stories (one per Slack thread), slack.toml and the bot's "
            "database (env STORYREEL_SLACK_PROJECTS).",
        ),
    ] = DEFAULT_PROJECTS,
    backend: BackendOption = "previz",
    offline: OfflineOption = False,
) -> None:
    """Run the storyreel Slack bot: mention it or DM it to start a story in a thread.

    Each thread is one story (a project folder under --projects); messages in
    the thread direct it, shared photos, clips and sounds become references,
    renders and exports are posted back. Who may use it is set in
    <projects>/slack.toml or STORYREEL_SLACK_ALLOW_* (nobody by default).
    """
    from storyreel.apps.slack.app import SlackBot
    from storyreel.apps.slack.config import load_settings

    if socket and http:
        raise StoryreelError("choose one of --socket and --http, not both")
    mode = "http" if http else "socket"
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings(projects, mode, backend=backend, offline=offline)
    bot = SlackBot(settings)
    try:
        if mode == "socket":
            _run_socket_mode(bot)
        else:
            _run_http(bot, host, port)
    except KeyboardInterrupt:
        typer.echo("Stopping: finishing the turns in progress...", err=True)
    finally:
        bot.close()


def socket_mode_handler(bot: SlackBot) -> SocketModeHandler:
    """The Socket Mode connection for `bot` (not yet connected).

    It asks apps.connections.open on bot.app.client (STORYREEL_SLACK_API_URL) for
    its wss:// address, so a custom API URL moves Socket Mode too.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(bot.app, bot.settings.app_token)


def _run_socket_mode(bot: SlackBot) -> None:
    from slack_sdk.errors import SlackApiError

    handler = socket_mode_handler(bot)
    typer.echo(
        f"storyreel is listening on Slack (Socket Mode); stories in {bot.settings.projects_dir}"
    )
    try:
        handler.start()
    except SlackApiError as error:
        raise StoryreelError(
            f"Slack refused SLACK_APP_TOKEN ({error.response.get('error')}); create an "
            "App-Level Token with the connections:write scope and enable Socket Mode"
        ) from None


def _run_http(bot: SlackBot, host: str, port: int) -> None:
    from storyreel.apps.slack.http_server import EVENTS_PATH, make_server

    try:
        server = make_server(bot.app, host, port, signing_secret=bot.settings.signing_secret)
    except OSError as error:
        raise StoryreelError(
            f"cannot listen on {host}:{port} ({error.strerror}); try --port"
        ) from None
    typer.echo(f"storyreel is listening on http://{host}:{port}{EVENTS_PATH}")
    try:
        server.serve_forever()
    finally:
        server.server_close()
