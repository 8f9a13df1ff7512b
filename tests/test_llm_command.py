"""`storyreel llm` against a fake chat server on 127.0.0.1, and with nothing listening."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from storyreel.apps.cli import app
from storyreel.apps.cli.llm import scan_local_servers
from tests.fake_llm import FakeLLM, Scripted, reply


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(models=["qwen2.5", "llama3.1"]).running() as fake:
        yield fake


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(monkeypatch: pytest.MonkeyPatch, url: str | None, *args: str) -> tuple[int, str]:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL", "STORYREEL_LLM_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    if url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("STORYREEL_MODEL", "qwen2.5")
        monkeypatch.setenv("STORYREEL_LLM_TIMEOUT", "3")
    result = CliRunner().invoke(app, ["llm", "--no-scan", *args])
    return result.exit_code, result.output


def test_lists_models_and_the_test_request_is_ok(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.script = [reply("Ready.", [])]
    code, out = run(monkeypatch, llm.url)
    assert code == 0, out
    assert f"Endpoint:  {llm.url}  (OPENAI_BASE_URL)" in out
    assert "Models:    llama3.1, qwen2.5" in out
    assert "Test:      ok in" in out and "(json_schema)" in out and "Ready." in out
    sent = llm.requests[0]
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert "edits" in sent["response_format"]["json_schema"]["schema"]["properties"]


def test_the_server_error_is_shown(llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    llm.script = [Scripted(status=404, error="model 'qwen2.5' not found, try pulling it first")]
    code, out = run(monkeypatch, llm.url)
    assert code == 2
    assert "Test:      failed." in out and "answered 404" in out
    assert "'model 'qwen2.5' not found, try pulling it first'" in out.replace('"', "'")


def test_a_server_without_json_schema_is_reported_and_used_in_json_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeLLM(refuse_json_schema=True).running() as llm:
        llm.script = [reply("Ready.", [])]
        code, out = run(monkeypatch, llm.url)
    assert code == 0, out
    assert "refused json_schema" in out and "json_object mode" in out
    assert "Test:      ok in" in out


def test_with_nothing_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    code, out = run(monkeypatch, url, "--timeout", "2")
    assert code == 2
    assert "Models:    could not list them: I could not reach" in out
    assert f"Test:      failed. I could not reach the language model at {url}" in out


def test_without_any_model_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(monkeypatch, None)
    assert code == 0 and "offline director" in out


def test_local_servers_are_found_with_the_lines_to_use_them(llm: FakeLLM) -> None:
    closed = _free_port()
    found = scan_local_servers((("Ollama", llm.port, "ollama"), ("vLLM", closed, "local")))
    ollama, vllm = found
    assert ollama.listening and ollama.models == ["llama3.1", "qwen2.5"]
    assert ollama.env_lines() == [
        f"export OPENAI_BASE_URL=http://127.0.0.1:{llm.port}/v1",
        "export OPENAI_API_KEY=ollama",
        "export STORYREEL_MODEL=llama3.1",
    ]
    assert not vllm.listening and vllm.note == "nothing listening"


def test_the_scan_prints_every_usual_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["llm"])
    assert result.exit_code == 0
    for name, port in (("Ollama", 11434), ("LM Studio", 1234), ("llama.cpp", 8080), ("vLLM", 8000)):
        assert name in result.output and f"port {port}" in result.output


def test_a_busy_server_is_listening_not_missing() -> None:
    """llama-cpp-python's server answers one request at a time: while it finishes an answer,
    GET /v1/models waits. The scan says so rather than "nothing listening"."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)  # connections are taken, never answered
        port = busy.getsockname()[1]
        (server,) = scan_local_servers((("llama.cpp", port, "local"),), timeout_s=0.2)
    assert server.listening and not server.models
    assert "busy" in server.note
