"""`storyreel llm`: which language model directs, does it answer, and which local servers run."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from storyreel.agent.llm_client import ChatEndpoint, LLMSettings

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
TEST_MAX_TOKENS = 512
"""The longest test answer asked for: 'Ready.' with no edits takes about 20 tokens. (SmolLM2-135M
once went on for 2,979 tokens, 299 s on 2 cores, when the test asked for up to 4,096.)"""


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
        except httpx.ReadTimeout:  # llama-cpp-python answers one request at a time
            server.listening = True
            server.note = (
                f"listening, but no model list within {timeout_s:g} s (busy with a request?)"
            )
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
    test_endpoint = ChatEndpoint(
        replace(settings, max_tokens=min(settings.max_tokens, TEST_MAX_TOKENS)), endpoint.client
    )
    try:
        models = endpoint.models(timeout_s=min(5.0, settings.timeout_s))
        listed = ", ".join(models[:20]) + (
            f" (+{len(models) - 20} more)" if len(models) > 20 else ""
        )
        typer.echo(f"Models:    {listed or 'none listed'}")
        if models and settings.model not in models:
            alone = " (a server with one model may answer to any name)" if len(models) == 1 else ""
            typer.echo(
                f"           {settings.model} is not among them: set STORYREEL_MODEL to one{alone}."
            )
    except LLMTrouble as trouble:
        typer.echo(f"Models:    could not list them: {_plain(trouble)}")
    context, context_source = _context(endpoint, settings.model)
    typer.echo(f"Context:   {context} tokens ({context_source})")
    director = LLMDirector(settings)
    messages = [
        {"role": "system", "content": director.system_prompt(StoryPlan())},
        {"role": "user", "content": TEST_MESSAGE},
    ]
    adapt = Adaptations(context_tokens=context)  # an 8k model gets an 8k request
    started = time.monotonic()
    try:
        answer = test_endpoint.ask(messages, director_schema(), started + settings.timeout_s, adapt)
    except LLMTrouble as trouble:
        typer.echo(f"Test:      failed. {_plain(trouble)}")
        return False
    elapsed = time.monotonic() - started
    for note in adapt.notes:
        typer.echo(f"           {note}")
    if adapt.context_tokens != context:
        typer.echo(
            f"           storyreel builds requests for {adapt.context_tokens} tokens with this "
            f"server (STORYREEL_LLM_CONTEXT={adapt.context_tokens} skips the first try)."
        )
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
        cut = (
            f" It was cut off at {answer.max_tokens} tokens: the model did not stop where "
            "'Ready.' ends."
            if answer.finish_reason == "length"
            else ""
        )
        typer.echo(
            f"Test:      the server answered in {elapsed:.1f} s, but not with a valid reply "
            f"({first[:200]}).{cut} Try another model (STORYREEL_MODEL)."
        )
        return False
    typer.echo(f"Test:      ok in {elapsed:.1f} s ({adapt.response_format}): {reply.reply[:120]!r}")
    return True


def _context(endpoint: ChatEndpoint, model: str) -> tuple[int, str]:
    """The model's context the director assumes, and where it comes from."""
    from storyreel.agent.llm_context import (
        DEFAULT_CONTEXT_TOKENS,
        context_from_env,
        discover_context,
    )

    given = context_from_env()
    if given is not None:
        return given, "STORYREEL_LLM_CONTEXT"
    found = discover_context(endpoint, model)
    if found is not None:
        return found, "the server's model list"
    return DEFAULT_CONTEXT_TOKENS, "default: the server does not say; STORYREEL_LLM_CONTEXT sets it"


def _show_local_servers(servers: list[LocalServer]) -> None:
    typer.echo("\nLocal servers on 127.0.0.1:")
    for server in servers:
        models = f": {', '.join(server.models[:5])}" if server.models else ""
        typer.echo(f"  {server.name:<10} port {server.port:<6} {server.note}{models}")
    running = [s for s in servers if s.listening and s.models]
    busy = [s for s in servers if s.listening and not s.models]
    if not running and busy:
        typer.echo(
            f"{', '.join(s.name for s in busy)} listens but did not list its models; run "
            "storyreel llm again once it has finished what it is doing."
        )
        return
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
