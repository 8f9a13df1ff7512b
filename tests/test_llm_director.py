"""The LLM director against a real chat-completions server on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from storyreel.agent.llm_director import LLMDirector, LLMSettings, compact_plan, trim_history
from storyreel.tools.edits import AddCharacter, AddShot, RenderShots
from storyreel.tools.story import StoryPlan
from tests.fake_llm import FakeLLM, Scripted, reply


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def director(url: str, timeout_s: float = 5.0) -> LLMDirector:
    settings = LLMSettings(
        base_url=url, api_key="test", model="test-model", timeout_s=timeout_s, max_retries=2
    )
    return LLMDirector(settings)


GOOD = reply(
    "Added Mara and an opening wide shot.",
    [
        {
            "kind": "add_character",
            "name": "Mara",
            "description": "a tall woman",
            "wardrobe": "red raincoat",
            "voice": "",
        },
        {"kind": "add_shot", "action": "Mara on the quay", "size": "LS", "movement": "static"},
        {"kind": "render", "shot_ids": [], "backend": None, "force": False},
    ],
)


def test_good_reply_becomes_typed_edits(llm: FakeLLM) -> None:
    llm.script = [GOOD]
    memo: dict = {}
    result = director(llm.url).direct("Open on Mara, a tall woman", StoryPlan(), memo)
    assert result.reply == "Added Mara and an opening wide shot."
    assert [type(e) for e in result.edits] == [AddCharacter, AddShot, RenderShots]
    request = llm.requests[0]
    assert request["model"] == "test-model"
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    system = request["messages"][0]["content"]
    assert "No shots yet." in system and "ECU, CU, MCU" in system
    assert [m["role"] for m in memo["history"]] == ["user", "assistant"]


def test_history_is_sent_back_next_turn(llm: FakeLLM) -> None:
    llm.script = [GOOD, reply("Sure.", [])]
    memo: dict = {}
    d = director(llm.url)
    d.direct("first message", StoryPlan(), memo)
    d.direct("second message", StoryPlan(), memo)
    roles = [m["role"] for m in llm.requests[1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert llm.requests[1]["messages"][1]["content"] == "first message"


def test_malformed_json_gets_one_repair(llm: FakeLLM) -> None:
    llm.script = [Scripted(content="{not json"), GOOD]
    result = director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert len(result.edits) == 3
    repair = llm.requests[1]["messages"][-1]["content"]
    assert "did not match the required JSON schema" in repair


def test_schema_violation_twice_is_an_honest_no_change(llm: FakeLLM) -> None:
    bad = reply("ok", [{"kind": "add_shot", "size": "huge"}])  # no action, unknown size
    llm.script = [bad, bad]
    result = director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert result.edits == []
    assert "I could not turn that into a change" in result.reply
    assert len(llm.requests) == 2


def test_rate_limit_then_success(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after-ms": "10"}), GOOD]
    result = director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert len(result.edits) == 3 and len(llm.requests) == 2


def test_rate_limit_that_never_ends(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after-ms": "10"})] * 3
    result = director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert result.edits == [] and "busy" in result.reply and "Nothing was changed" in result.reply


def test_timeout_says_how_long_it_waited(llm: FakeLLM) -> None:
    llm.script = [Scripted(content="{}", delay_s=1.5)] * 3
    slow = LLMDirector(
        LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=0.3, max_retries=0)
    )
    result = slow.direct("Open on Mara", StoryPlan(), {})
    assert result.edits == []
    assert f"The language model at {llm.url} did not answer within 0.3 s" in result.reply


def test_refusal_is_reported(llm: FakeLLM) -> None:
    llm.script = [Scripted(content=None, refusal="I can't help with that.")]
    result = director(llm.url).direct("something", StoryPlan(), {})
    assert result.edits == [] and "declined: I can't help with that." in result.reply


def test_unreachable_endpoint_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    result = director(url, timeout_s=1).direct("hello", StoryPlan(), {})
    assert result.edits == []
    assert f"I could not reach the language model at {url}" in result.reply
    assert "--offline" in result.reply


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert LLMSettings.from_env() is None
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = LLMSettings.from_env()
    assert settings.model == "gpt-4o-mini" and settings.api_key == "not-needed"


def test_history_trimming_keeps_the_newest() -> None:
    history = [{"role": "user", "content": "x" * 1000} for _ in range(100)]
    history[-1] = {"role": "user", "content": "newest"}
    kept = trim_history(history, budget=5000)
    assert kept[-1]["content"] == "newest" and len(kept) == 5


def test_compact_plan_mentions_locks_and_continuity() -> None:
    plan = StoryPlan.model_validate(
        {
            "shots": [
                {"id": 1, "order": 1, "action": "a"},
                {"id": 2, "order": 2, "action": "b", "continues_from": 1, "locked": True},
            ]
        }
    )
    text = compact_plan(plan)
    assert "continues from 1" in text and "LOCKED" in text
