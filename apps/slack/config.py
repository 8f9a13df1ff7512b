"""Settings of the Slack bot: tokens, the Web API address, the allowlist, limits.

Tokens come from the environment (never from files in the projects folder):

    SLACK_BOT_TOKEN       xoxb-...  always (OAuth & Permissions > Bot User OAuth Token)
    SLACK_APP_TOKEN       xapp-...  Socket Mode (Basic Information > App-Level Tokens,
                                    scope connections:write)
    SLACK_SIGNING_SECRET            HTTP mode (Basic Information > Signing Secret)

Everything else may be set in `<projects>/slack.toml`; environment variables
win over the file:

    [allow]                      # who may use the bot; see Allowlist
    teams = ["T0123ABCD"]        # STORYREEL_SLACK_ALLOW_TEAMS    (comma list)
    channels = ["C0123ABCD"]     # STORYREEL_SLACK_ALLOW_CHANNELS (comma list)
    users = ["*"]                # STORYREEL_SLACK_ALLOW_USERS    (comma list)
    direct_messages = true       # STORYREEL_SLACK_ALLOW_DMS      (1/0)

    [files]
    max_mb = 100                 # STORYREEL_SLACK_MAX_FILE_MB (at most the 500 MB
                                 # references accept)

    [project]                    # style of the story a new thread starts
    aspect = "16:9"
    fps = 24
    resolution = "360p"

    [turns]
    parallel = 4                 # STORYREEL_SLACK_PARALLEL_TURNS: turns (of different
                                 # threads) run at once; the others queue, told so

    STORYREEL_SLACK_API_URL      the Slack Web API base URL (tests, proxies); Socket
                                 Mode follows it, since its wss:// address comes
                                 from apps.connections.open on that API.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from storyreel.tools.errors import InvalidInputError, StoryreelError, describe_validation_error
from storyreel.tools.references import MAX_BYTES
from storyreel.tools.story import Style

DEFAULT_API_URL = "https://slack.com/api/"
CONFIG_FILE = "slack.toml"
Mode = Literal["socket", "http"]
_SECTIONS = {
    "allow": {"teams", "channels", "users", "direct_messages"},
    "files": {"max_mb"},
    "project": {"aspect", "fps", "resolution"},
    "turns": {"parallel"},
}
DEFAULT_PARALLEL_TURNS = 4
MAX_PARALLEL_TURNS = 32


@dataclass(frozen=True)
class Allowlist:
    """Who may use the bot. Nothing configured means nobody: the safe default.

    A request is allowed when every list that is set contains its value (or
    "*"): `teams` holds workspace ids (T...), `channels` channel ids (C.../G...),
    `users` member ids (U...). The channel list does not apply to direct
    messages; `direct_messages=False` turns them off.

    Examples: teams=["T1"] lets everyone in workspace T1 use it anywhere;
    channels=["C1"] only in channel C1 (plus DMs); users=["U1", "U2"] only
    those two people; users=["*"] everyone who can reach the bot.
    """

    teams: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    direct_messages: bool = True

    @property
    def configured(self) -> bool:
        """True when at least one list is set (else everyone is refused)."""
        return bool(self.teams or self.channels or self.users)

    def permits(self, *, team: str, channel: str, user: str, direct: bool) -> bool:
        """True when this person, in this workspace and conversation, may use the bot."""
        if not self.configured or not user:
            return False
        if direct and not self.direct_messages:
            return False
        if not _matches(self.teams, team) or not _matches(self.users, user):
            return False
        return direct or _matches(self.channels, channel)


def _matches(allowed: frozenset[str], value: str) -> bool:
    return not allowed or "*" in allowed or value in allowed


@dataclass(frozen=True)
class SlackSettings:
    """Everything the bot needs to run; build it with `load_settings`.

    projects_dir: where stories (one folder per Slack thread) and the bot's
        own database (slack-bot.db) live.
    max_file_bytes: the largest file accepted from Slack (at most MAX_BYTES).
    project_style: aspect/fps/resolution for the project a new thread starts.
    parallel_turns: how many turns (of different threads) run at once.
    """

    projects_dir: Path
    bot_token: str
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = DEFAULT_API_URL
    allow: Allowlist = field(default_factory=Allowlist)
    max_file_bytes: int = MAX_BYTES
    backend: str = "previz"
    offline: bool = False
    project_style: dict[str, Any] = field(default_factory=dict)
    parallel_turns: int = DEFAULT_PARALLEL_TURNS


def load_settings(
    projects_dir: Path,
    mode: Mode,
    *,
    env: Mapping[str, str] | None = None,
    backend: str = "previz",
    offline: bool = False,
) -> SlackSettings:
    """Read tokens from the environment and the rest from slack.toml plus the environment.

    Raises:
        StoryreelError: a token is missing or malformed, or slack.toml is invalid;
            the message names the variable or key to fix.
    """
    env = os.environ if env is None else env
    projects_dir = Path(projects_dir)
    file = _read_file(projects_dir / CONFIG_FILE)
    bot_token = _token(
        env, "SLACK_BOT_TOKEN", "xoxb-", "the Bot User OAuth Token (OAuth & Permissions)"
    )
    app_token = signing_secret = ""
    if mode == "socket":
        app_token = _token(
            env, "SLACK_APP_TOKEN", "xapp-", "an App-Level Token with connections:write"
        )
    else:
        signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not signing_secret:
            raise StoryreelError(
                "set SLACK_SIGNING_SECRET to your Slack app's Signing Secret (Basic Information "
                "> App Credentials); HTTP mode needs it to check that requests come from Slack"
            )
    allow_file = file.get("allow", {})
    allow = Allowlist(
        teams=_ids(env, "STORYREEL_SLACK_ALLOW_TEAMS", allow_file, "teams"),
        channels=_ids(env, "STORYREEL_SLACK_ALLOW_CHANNELS", allow_file, "channels"),
        users=_ids(env, "STORYREEL_SLACK_ALLOW_USERS", allow_file, "users"),
        direct_messages=_flag(env, "STORYREEL_SLACK_ALLOW_DMS", allow_file, "direct_messages"),
    )
    max_mb = env.get("STORYREEL_SLACK_MAX_FILE_MB") or file.get("files", {}).get("max_mb")
    max_bytes = MAX_BYTES
    if max_mb is not None:
        try:
            max_bytes = min(MAX_BYTES, int(float(max_mb) * 1024 * 1024))
        except ValueError:
            raise InvalidInputError(
                f"max_mb must be a number of megabytes, got {max_mb!r}"
            ) from None
        if max_bytes <= 0:
            raise InvalidInputError(f"max_mb must be more than 0, got {max_mb!r}")
    project_style = dict(file.get("project", {}))
    try:
        Style(**project_style)
    except ValidationError as error:
        raise InvalidInputError(
            f"[project] in {CONFIG_FILE}: {describe_validation_error(error)}"
        ) from None
    parallel = env.get("STORYREEL_SLACK_PARALLEL_TURNS") or file.get("turns", {}).get("parallel")
    parallel_turns = DEFAULT_PARALLEL_TURNS if parallel is None else _parallel(parallel)
    api_url = env.get("STORYREEL_SLACK_API_URL", "").strip() or DEFAULT_API_URL
    return SlackSettings(
        projects_dir=projects_dir,
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        allow=allow,
        max_file_bytes=max_bytes,
        backend=backend,
        offline=offline,
        project_style=project_style,
        parallel_turns=parallel_turns,
    )


def _parallel(value: object) -> int:
    """The parallel-turns setting as a whole number from 1 to MAX_PARALLEL_TURNS."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= MAX_PARALLEL_TURNS:
        raise InvalidInputError(
            f"turns.parallel (STORYREEL_SLACK_PARALLEL_TURNS) must be a whole number from 1 to "
            f"{MAX_PARALLEL_TURNS}, got {value!r}"
        )
    return int(text)


def _token(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise StoryreelError(f"set {name} to {what} of your Slack app (it starts with {prefix})")
    if not value.startswith(prefix):
        raise StoryreelError(
            f"{name} should start with {prefix}, got {value[:5]}...: "
            "check that the bot and app tokens are not swapped"
        )
    return value


def _read_file(path: Path) -> dict[str, dict[str, Any]]:
    """slack.toml as a dict, checked for unknown sections and keys (missing file: {})."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path} is not valid TOML: {error}") from None
    for section, values in data.items():
        if section not in _SECTIONS or not isinstance(values, dict):
            raise InvalidInputError(
                f"{path}: unknown section [{section}]; use {', '.join(sorted(_SECTIONS))}"
            )
        unknown = set(values) - _SECTIONS[section]
        if unknown:
            raise InvalidInputError(
                f"{path}: unknown key(s) {', '.join(sorted(unknown))} in [{section}]; "
                f"use {', '.join(sorted(_SECTIONS[section]))}"
            )
    return data


def _ids(env: Mapping[str, str], name: str, section: dict[str, Any], key: str) -> frozenset[str]:
    raw: object = env[name].split(",") if name in env else section.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidInputError(f'allow.{key} must be a list of ids like ["U0123ABCD"]')
    return frozenset(item.strip() for item in raw if item.strip())


def _flag(env: Mapping[str, str], name: str, section: dict[str, Any], key: str) -> bool:
    if name in env:
        return env[name].strip().lower() not in ("0", "false", "no", "off", "")
    value = section.get(key, True)
    if not isinstance(value, bool):
        raise InvalidInputError(f"allow.{key} must be true or false, got {value!r}")
    return value
