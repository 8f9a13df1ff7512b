"""The Slack bot's parts: settings and allowlist, message text, file checks, the manifest,
the per-thread queues, the progress throttle and the `storyreel slack` command."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import typer
from slack_sdk import WebClient
from typer.testing import CliRunner

from storyreel.agent.events import AgentEvent
from storyreel.apps.cli.common import FriendlyGroup
from storyreel.apps.slack.command import slack as slack_command
from storyreel.apps.slack.config import Allowlist, load_settings
from storyreel.apps.slack.events import clean_text
from storyreel.apps.slack.files import (
    NAME_BYTES,
    FileRefused,
    SlackFile,
    check_file,
    safe_id,
    safe_name,
    trusted,
)
from storyreel.apps.slack.posting import ProgressMessage, ThreadPoster
from storyreel.apps.slack.store import BotStore, ThreadRef
from storyreel.apps.slack.worker import Place, ThreadQueues
from storyreel.tools.errors import StoryreelError
from storyreel.tools.text import without_controls
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

APP_TOKEN = "xapp-1-test"
HTTP_ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


# --- settings ----------------------------------------------------------------------


def test_missing_or_swapped_tokens_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(StoryreelError, match="set SLACK_BOT_TOKEN"):
        load_settings(tmp_path, "socket", env={"SLACK_APP_TOKEN": APP_TOKEN})
    with pytest.raises(StoryreelError, match="set SLACK_APP_TOKEN"):
        load_settings(tmp_path, "socket", env={"SLACK_BOT_TOKEN": BOT_TOKEN})
    with pytest.raises(StoryreelError, match="set SLACK_SIGNING_SECRET"):
        load_settings(tmp_path, "http", env={"SLACK_BOT_TOKEN": BOT_TOKEN})
    with pytest.raises(StoryreelError, match="SLACK_BOT_TOKEN should start with xoxb-"):
        load_settings(tmp_path, "socket", env={"SLACK_BOT_TOKEN": APP_TOKEN})


def test_settings_from_slack_toml_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "slack.toml").write_text(
        '[allow]\nteams = ["T1"]\nusers = ["U1"]\n[files]\nmax_mb = 2\n'
        '[project]\nresolution = "180p"\nfps = 12\n'
    )
    env = {
        **HTTP_ENV,
        "STORYREEL_SLACK_ALLOW_USERS": "U2, U3",
        "STORYREEL_SLACK_API_URL": "http://x",
    }
    settings = load_settings(tmp_path, "http", env=env)
    assert settings.allow.teams == {"T1"} and settings.allow.users == {"U2", "U3"}
    assert settings.max_file_bytes == 2 * 1024 * 1024
    assert settings.project_style == {"resolution": "180p", "fps": 12}
    assert settings.api_url == "http://x/"
    assert settings.parallel_turns == 4
    assert load_settings(tmp_path, "http", env=HTTP_ENV).api_url == "https://slack.com/api/"
    (tmp_path / "slack.toml").write_text("[turns]\nparallel = 2\n")
    assert load_settings(tmp_path, "http", env=HTTP_ENV).parallel_turns == 2
    env = {**HTTP_ENV, "STORYREEL_SLACK_PARALLEL_TURNS": "8"}
    assert load_settings(tmp_path, "http", env=env).parallel_turns == 8
    with pytest.raises(StoryreelError, match="STORYREEL_SLACK_PARALLEL_TURNS"):
        load_settings(tmp_path, "http", env={**HTTP_ENV, "STORYREEL_SLACK_PARALLEL_TURNS": "-1"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[allow]\nuser = []\n", "unknown key"),
        ("[permissions]\n", "unknown section"),
        ('[allow]\nusers = "U1"\n', "must be a list"),
        ('[project]\nresolution = "8k"\n', "resolution"),
        ("[turns]\nparallel = 0\n", "from 1 to 32"),
        ('[turns]\nparallel = "many"\n', "from 1 to 32"),
        ("[files]\nmax_mb = 0\n", "more than 0"),
        ("[allow\n", "not valid TOML"),
    ],
)
def test_a_bad_slack_toml_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "slack.toml").write_text(text)
    with pytest.raises(StoryreelError, match=message):
        load_settings(tmp_path, "http", env=HTTP_ENV)


def test_allowlist_rules() -> None:
    def permits(allow: Allowlist, user: str = "U1", channel: str = "C1", team: str = "T1") -> bool:
        return allow.permits(team=team, channel=channel, user=user, direct=channel.startswith("D"))

    assert not permits(Allowlist())  # nothing configured: nobody
    assert permits(Allowlist(users=frozenset({"*"})))
    by_team = Allowlist(teams=frozenset({"T1"}))
    assert permits(by_team) and not permits(by_team, team="T2")
    by_channel = Allowlist(channels=frozenset({"C1"}))
    assert permits(by_channel) and not permits(by_channel, channel="C2")
    assert permits(by_channel, channel="D1")  # DMs are not channels
    no_dms = Allowlist(channels=frozenset({"C1"}), direct_messages=False)
    assert not permits(no_dms, channel="D1")
    both = Allowlist(channels=frozenset({"C1"}), users=frozenset({"U1"}))
    assert permits(both) and not permits(both, user="U2") and not permits(both, channel="C2")


# --- messages and files --------------------------------------------------------------


def test_slack_markup_becomes_plain_direction() -> None:
    assert (
        clean_text("<@UBOT> Mara &amp; Tom at the harbour", "UBOT") == "Mara & Tom at the harbour"
    )
    assert clean_text("<@UBOT|storyreel>: lock shot 2", "UBOT") == "lock shot 2"
    assert clean_text("look at <https://x.org/a|this> in <#C1|film>", "UBOT") == (
        "look at this in #film"
    )
    assert clean_text("<!here> <@UOTHER> hi", "UBOT") == "<@UOTHER> hi"


def test_file_checks_before_download() -> None:
    def file(mimetype: str, size: int | None) -> SlackFile:
        return SlackFile("F1", "x", mimetype, size, "https://files.slack.com/x")

    check_file(file("image/png", 100), 1000)
    check_file(file("video/mp4", None), 1000)  # unknown size: the download is capped
    with pytest.raises(FileRefused, match="up to 1000 KB"):
        check_file(file("audio/wav", 2_000_000), 1_024_000)
    with pytest.raises(FileRefused, match="text/plain; I can only use images"):
        check_file(file("text/plain", 10), 1000)
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("ma ra?.png") == "ma ra_.png"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../../../../x", "x"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a/b\x00c\x1b[31m.png", "b_c__31m.png"),
        ("mara\r\n\u202egnp.exe", "mara___gnp.exe"),
        ("..", "file"),
        (" . ", "file"),
        ("", "file"),
        ("/", "file"),
    ],
)
def test_file_names_from_slack_are_made_safe(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_long_names_are_cut_in_bytes_keeping_the_extension() -> None:
    name = safe_name("影" * 200 + ".png")
    assert name.endswith(".png") and len(name.encode()) <= NAME_BYTES
    assert safe_name("a" * 300).startswith("a") and len(safe_name("a" * 300)) == NAME_BYTES


def test_file_ids_are_made_safe() -> None:
    assert safe_id("F0123ABCD") == "F0123ABCD"
    assert safe_id("../../../../../x") == "x"
    assert safe_id("..") == "file"
    assert "/" not in safe_id("a/../b") and "\0" not in safe_id("a\0b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("clear\x1b[2J\x1b[H screen", "clear screen"),
        ("\x1b]0;pwned\x07title", "title"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("bell\x07 back\x08space nul\x00", "bell backspace nul"),
        ("over\rwrite", "overwrite"),
        ("c1\x9b31m csi", "c1 csi"),
        ("flip \u202eevil\u202c", "flip evil"),
        ("lines\r\nand\ttabs stay", "lines\nand\ttabs stay"),
        ("émoji 🎬 stay", "émoji 🎬 stay"),
    ],
)
def test_control_characters_are_removed(text: str, expected: str) -> None:
    assert without_controls(text) == expected


def test_incoming_text_loses_its_escape_sequences() -> None:
    assert clean_text("<@UBOT> Mara \x1b[31mat the harbour\x1b[0m", "UBOT") == (
        "Mara at the harbour"
    )


def test_the_bot_token_only_goes_to_slack_or_the_configured_api() -> None:
    api = "http://127.0.0.1:5000/api/"
    assert trusted("https://files.slack.com/files-pri/T1-F1/x.png", "https://slack.com/api/")
    assert trusted("http://127.0.0.1:5000/files/F1", api)
    assert not trusted("http://127.0.0.1:5001/files/F1", api)
    assert not trusted("http://files.slack.com/x", "https://slack.com/api/")
    assert not trusted("https://evil.example/slack.com/x", "https://slack.com/api/")
    assert not trusted("https://slack.com.evil.example/x", "https://slack.com/api/")


def test_manifest_asks_for_what_the_bot_uses() -> None:
    yaml = pytest.importorskip("yaml")
    text = resources.files("storyreel.apps.slack").joinpath("manifest.yaml").read_text()
    manifest = yaml.safe_load(text)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "files:read", "files:write", "im:history"} <= scopes
    assert {"channels:history", "groups:history", "im:read"} <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.channels", "message.im", "message.groups"} <= events
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


# --- queues and progress -------------------------------------------------------------


def test_queues_run_one_job_at_a_time_per_key_in_order() -> None:
    queues = ThreadQueues()
    gate = threading.Event()
    order: list[str] = []
    assert queues.submit("a", lambda: (gate.wait(10), order.append("a1"))) == Place()
    assert queues.submit("a", lambda: order.append("a2")) == Place(in_thread=1)
    assert queues.submit("b", lambda: order.append("b1")).starts_now
    # a failing job does not stop the queue
    assert queues.submit("a", lambda: 1 / 0) == Place(in_thread=2)
    assert queues.submit("a", lambda: order.append("a3")) == Place(in_thread=3)
    assert not queues.wait_idle(0.05)
    gate.set()
    assert queues.close(10)
    assert order.index("a1") < order.index("a2") < order.index("a3") and "b1" in order
    with pytest.raises(RuntimeError):
        queues.submit("a", lambda: None)


def test_at_most_max_parallel_jobs_run_the_others_wait_in_line() -> None:
    queues = ThreadQueues(max_parallel=2)
    gate = threading.Event()
    lock = threading.Lock()
    running, peak, log = [0], [0], []

    def job(name: str) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            log.append(("start", name))
        gate.wait(10)
        with lock:
            running[0] -= 1
            log.append(("end", name))

    places = [queues.submit(key, lambda key=key: job(key)) for key in "abcde"]
    assert places == [Place(), Place(), Place(behind=2), Place(behind=3), Place(behind=4)]
    assert queues.submit("c", lambda: job("c2")) == Place(in_thread=1)
    assert not queues.wait_idle(0.1) and queues.running == 2
    workers = [t for t in threading.enumerate() if t.name.startswith("slack-")]
    assert len(workers) == 2
    gate.set()
    assert queues.close(10)
    assert peak[0] == 2
    assert sorted(log[:2]) == [("start", "a"), ("start", "b")]  # first come, first served
    assert log.index(("end", "c")) < log.index(("start", "c2"))  # a thread's jobs never overlap
    assert sorted(name for what, name in log if what == "end") == ["a", "b", "c", "c2", "d", "e"]
    assert not [t for t in threading.enumerate() if t.name.startswith("slack-") and t.is_alive()]


def test_progress_is_one_message_edited_at_most_twice_a_second(
    slack: FakeSlack, tmp_path: Path
) -> None:
    now = [0.0]
    store = BotStore(tmp_path)
    ref = ThreadRef("T1", "C1", "1.000001")
    store.bind(ref)
    poster = ThreadPoster(_client(slack), ref)
    progress = ProgressMessage(poster, store, clock=lambda: now[0])

    def step(shot: int, step: int, at: float) -> None:
        now[0] = at
        # index counts from 1, as render_shots sends it (RenderProgress)
        data = {"shot_id": shot, "step": step, "total": 10, "index": shot, "count": 2}
        progress.show(AgentEvent(type="progress", data=data))

    for i in range(10):
        step(1, i + 1, i * 0.1)  # 10 steps in 1 s: shown at 0.0, 0.5
    assert "Rendering shot 1 (1 of 2)" in slack.posted()[0].text
    step(2, 1, 1.0)  # a new shot always shows
    assert "Rendering shot 2 (2 of 2)" in slack.posted()[0].text
    assert len(slack.called("chat.postMessage")) == 1
    assert len(slack.called("chat.update")) == 2
    # on a cluster shots 1 and 2 render at once: interleaved events stay throttled
    for i in range(10):
        step(1 + i % 2, i + 2, 1.1 + i * 0.05)  # 10 events in 0.5 s, alternating shots
    assert len(slack.called("chat.update")) == 3
    assert store.find(ref).progress_ts == progress.ts
    progress.finish("done")
    message = slack.posted()[0]
    assert message.text == "done" and message.edits == 4
    assert store.find(ref).progress_ts is None
    store.close()


def _client(slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.url)


# --- the command ---------------------------------------------------------------------


@pytest.fixture
def cli_app() -> typer.Typer:
    app = typer.Typer(cls=FriendlyGroup)
    app.command("slack")(slack_command)

    @app.callback()
    def root() -> None:
        """storyreel"""

    return app


def test_every_option_of_the_command_has_help(cli_app: typer.Typer) -> None:
    command = typer.main.get_command(cli_app).commands["slack"]
    assert (command.help or "").strip()
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (param.help or "").strip(), param.opts


def test_the_command_explains_missing_tokens(
    cli_app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["slack", "--projects", str(tmp_path)])
    assert result.exit_code == 1 and "set SLACK_BOT_TOKEN" in result.stderr
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    result = runner.invoke(cli_app, ["slack", "--projects", str(tmp_path)])
    assert result.exit_code == 1 and "set SLACK_APP_TOKEN" in result.stderr
    result = runner.invoke(cli_app, ["slack", "--http", "--projects", str(tmp_path)])
    assert result.exit_code == 1 and "set SLACK_SIGNING_SECRET" in result.stderr
    result = runner.invoke(cli_app, ["slack", "--http", "--socket"])
    assert result.exit_code == 1 and "choose one of --socket and --http" in result.stderr


def test_socket_mode_asks_the_configured_api_for_its_address(
    cli_app: typer.Typer, slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    urls: list[str] = []

    def start(handler: SocketModeHandler) -> None:
        urls.append(handler.client.issue_new_wss_url())
        handler.client.close()
        raise KeyboardInterrupt  # as if someone pressed Ctrl-C once connected

    monkeypatch.setattr(SocketModeHandler, "start", start)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("STORYREEL_SLACK_API_URL", slack.url)
    result = CliRunner().invoke(cli_app, ["slack", "--socket", "--projects", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "listening on Slack (Socket Mode)" in result.stdout
    assert urls == ["wss://127.0.0.1:9/link/?ticket=test"]
    opened = slack.called("apps.connections.open")
    assert opened[0].headers["authorization"] == f"Bearer {APP_TOKEN}"
    assert (tmp_path / "slack-bot.db").is_file()


def test_a_wrong_token_or_an_unreachable_api_is_said_plainly(
    slack: FakeSlack, tmp_path: Path
) -> None:
    from storyreel.apps.slack.app import SlackBot

    env = {**HTTP_ENV, "SLACK_BOT_TOKEN": "xoxb-revoked", "STORYREEL_SLACK_API_URL": slack.url}
    with pytest.raises(StoryreelError, match=r"did not accept SLACK_BOT_TOKEN \(invalid_auth\)"):
        SlackBot(load_settings(tmp_path, "http", env=env))
    closed = slack.url.replace(str(slack.server.server_address[1]), "9")
    env = {**HTTP_ENV, "STORYREEL_SLACK_API_URL": closed}
    with pytest.raises(StoryreelError, match="could not reach the Slack API"):
        SlackBot(load_settings(tmp_path, "http", env=env))
