"""`storyreel llm`: which language model directs, does it answer, and which local servers run."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from storyreel.agent.llm_client import LLMSettings

LOCAL_SERVERS: tuple[tuple[str, int, str], ...] = (
    ("Ollama", 11434, "ollama"),
    ("LM Studio", 1234, "lm-studio"),
    ("llama.cpp", 8080, "local"),
    ("vLLM", 8000, "local"),
)
"""Local OpenAI-compatible servers on their usual ports: name, port, an API key they accept."""

TEST_MESSAGE = (
    "This is a connection test from storyreel llm. Change nothing: answer with no edits "
    "and the reply 'Ready.'"
)


@dataclass
class LocalServer:
    """What answered (or not) on one local port."""

    name: str
    port: int
    key: str
    listening: bool = False
    models: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def env_lines(self) -> list[str]:
        """The exact lines that make storyreel use this server."""
        model = self.models[0] if self.models else "MODEL-NAME"
        return [
            f"export OPENAI_BASE_URL={self.url}",
            f"export OPENAI_API_KEY={self.key}",
            f"export STORYREEL_MODEL={model}",
        ]


def scan_local_servers(
    candidates: tuple[tuple[str, int, str], ...] = LOCAL_SERVERS, timeout_s: float = 0.3
) -> list[LocalServer]:
    """Ask 127.0.0.1 (only) on each candidate port for GET /v1/models, briefly."""
    import httpx

    found = []
    for name, port, key in candidates:
        server = LocalServer(name, port, key)
        try:
            response = httpx.get(f"{server.url}/models", timeout=timeout_s)
        except httpx.ConnectError:
            server.note = "nothing listening"
        except httpx.HTTPError as error:
            server.note = f"no answer ({type(error).__name__})"
        else:
            server.listening = True
            try:
                data = response.json()
                server.models = sorted(str(item["id"]) for item in data.get("data", []))
                server.note = f"{len(server.models)} model(s)" if server.models else "no models"
            except (ValueError, TypeError, KeyError, AttributeError):
                server.note = (
                    f"something answers (HTTP {response.status_code}) but not with an "
                    "OpenAI-compatible model list"
                )
        found.append(server)
    return found


def llm(
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help="Seconds to wait for the test answer (default: STORYREEL_LLM_TIMEOUT or 60).",
        ),
    ] = None,
    scan: Annotated[
        bool,
        typer.Option(
            "--scan/--no-scan", help="Look for local servers on 127.0.0.1 (Ollama, LM Studio...)."
        ),
    ] = True,
) -> None:
    """Check the language model: endpoint, its models, one test request, local servers.

    Shows the endpoint and model in use (OPENAI_BASE_URL, STORYREEL_MODEL), lists
    the endpoint's models, sends one test request with the real response schema
    and prints ok or the server's own error; then looks for Ollama, LM Studio,
    llama.cpp and vLLM on 127.0.0.1 and prints the lines that select one.
    Exits with 2 when a configured model does not answer properly.
    """
    from storyreel.agent.llm_client import LLMSettings, with_timeout

    settings = LLMSettings.from_env()
    ok = True
    if settings is None:
        typer.echo(
            "No language model is set up (neither OPENAI_BASE_URL nor OPENAI_API_KEY): "
            "storyreel say uses the offline director."
        )
    else:
        if timeout is not None:
            settings = with_timeout(settings, timeout)
        ok = _check_endpoint(settings)
    if scan:
        _show_local_servers(scan_local_servers())
    if not ok:
        raise typer.Exit(2)


def _check_endpoint(settings: LLMSettings) -> bool:
    """Print the endpoint, its models and a test request's outcome; True when it answered."""
    from storyreel.agent.llm_client import Adaptations, ChatEndpoint, LLMTrouble
    from storyreel.agent.llm_director import LLMDirector, parse_reply
    from storyreel.agent.llm_schema import director_schema
    from storyreel.tools.story import StoryPlan

    source = "OPENAI_BASE_URL" if settings.base_url else "default: OpenAI's API"
    model_source = "STORYREEL_MODEL" if os.environ.get("STORYREEL_MODEL") else "default"
    typer.echo(f"Endpoint:  {settings.where}  ({source})")
    typer.echo(f"Model:     {settings.model}  ({model_source})")
    typer.echo(f"Key:       {'set' if os.environ.get('OPENAI_API_KEY') else 'not set'}")
    typer.echo(
        f"Settings:  {settings.timeout_s:g} s per turn, temperature {settings.temperature:g}, "
        f"max tokens {settings.max_tokens}, format {settings.response_format or 'auto'}"
    )
    endpoint = ChatEndpoint(settings)
    try:
        models = endpoint.models(timeout_s=min(5.0, settings.timeout_s))
        listed = ", ".join(models[:20]) + (
            f" (+{len(models) - 20} more)" if len(models) > 20 else ""
        )
        typer.echo(f"Models:    {listed or 'none listed'}")
        if models and settings.model not in models:
            typer.echo(
                f"           {settings.model} is not among them: set STORYREEL_MODEL to one."
            )
    except LLMTrouble as trouble:
        typer.echo(f"Models:    could not list them: {_plain(trouble)}")
    director = LLMDirector(settings)
    messages = [
        {"role": "system", "content": director.system_prompt(StoryPlan())},
        {"role": "user", "content": TEST_MESSAGE},
    ]
    from storyreel.agent.llm_context import context_from_env

    adapt = Adaptations(context_tokens=context_from_env())  # an 8k model gets an 8k request
    started = time.monotonic()
    try:
        answer = endpoint.ask(messages, director_schema(), started + settings.timeout_s, adapt)
    except LLMTrouble as trouble:
        typer.echo(f"Test:      failed. {_plain(trouble)}")
        return False
    elapsed = time.monotonic() - started
    for note in adapt.notes:
        typer.echo(f"           {note}")
    if adapt.response_format != "json_schema":
        typer.echo(
            f"           storyreel asks this server in {adapt.response_format} mode "
            f"(STORYREEL_LLM_FORMAT={adapt.response_format} skips the first try)."
        )
    if answer.refusal:
        typer.echo(f"Test:      the model declined: {answer.refusal}")
        return False
    try:
        reply = parse_reply(answer.content)
    except ValueError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        typer.echo(
            f"Test:      the server answered in {elapsed:.1f} s, but not with a valid reply "
            f"({first[:200]}). Try another model (STORYREEL_MODEL)."
        )
        return False
    typer.echo(f"Test:      ok in {elapsed:.1f} s ({adapt.response_format}): {reply.reply[:120]!r}")
    return True


def _show_local_servers(servers: list[LocalServer]) -> None:
    typer.echo("\nLocal servers on 127.0.0.1:")
    for server in servers:
        models = f": {', '.join(server.models[:5])}" if server.models else ""
        typer.echo(f"  {server.name:<10} port {server.port:<6} {server.note}{models}")
    running = [s for s in servers if s.listening and s.models]
    if not running:
        typer.echo(
            "None found. Start one (e.g. `ollama serve` and `ollama pull qwen2.5`), or use "
            "OpenAI: export OPENAI_API_KEY=sk-..."
        )
        return
    for server in running:
        typer.echo(f"\nTo use {server.name}:")
        for line in server.env_lines():
            typer.echo(f"  {line}")


def _plain(trouble: Exception) -> str:
    """The trouble without the turn's "Nothing was changed..." ending (no turn here)."""
    return str(trouble).split(" Nothing was changed")[0]
