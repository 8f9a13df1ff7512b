"""The LLM director's context budget, and agent.db pruning (checkpoints of old turns)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from storyreel.agent.llm_client import Adaptations, LLMTrouble
from storyreel.agent.llm_context import (
    DEFAULT_CONTEXT_TOKENS,
    Budget,
    context_from_env,
    context_from_models,
    context_tokens,
    discover_context,
    estimate_tokens,
    fit_plan,
    focus_shots,
    message_tokens,
    named_shots,
    request_messages,
    trim_exchanges,
)
from storyreel.agent.llm_director import (
    EXAMPLE_LEFT_OUT,
    LLMDirector,
    LLMSettings,
    compact_plan,
    parse_reply,
)
from storyreel.agent.llm_schema import compact_schema, director_schema
from storyreel.agent.session import Session
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, EditContext, apply_edits
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from storyreel.tools.story import StoryPlan
from tests.fake_llm import FakeLLM, Scripted, reply

CLOSED = "http://127.0.0.1:9/v1"  # nothing listens: no request leaves the machine


def plan_of(shots: int) -> StoryPlan:
    """A plan of `shots` shots in scenes of 10 at two places."""
    edits: list[Any] = [
        AddCharacter(name="Mara", description="a tall woman", wardrobe="red raincoat"),
        AddCharacter(name="Tom", description="an old fisherman"),
        AddLocation(name="Harbour", description="a stone quay"),
        AddLocation(name="Boat", description="a small red boat"),
    ]
    for i in range(shots):
        edits.append(
            AddShot(
                action=f"Mara and Tom look at the grey sea for the {i + 1}th time, slowly",
                scene=f"scene {i // 10 + 1}",
                characters=["Mara", "Tom"] if i % 2 else ["Mara"],
                location="Harbour" if (i // 10) % 2 else "Boat",
                size="CU" if i % 3 else "LS",
                duration_s=3,
            )
        )
    counter = iter(range(1, 10**6))
    return apply_edits(StoryPlan(title="Sea"), edits, EditContext(lambda: next(counter)))[0]


@pytest.fixture
def director(monkeypatch: pytest.MonkeyPatch) -> LLMDirector:
    monkeypatch.delenv("STORYREEL_LLM_CONTEXT", raising=False)
    return LLMDirector(LLMSettings(base_url=CLOSED, api_key="t", model="m", timeout_s=5))


def test_tokens_are_estimated_as_characters_over_four() -> None:
    assert (
        estimate_tokens("") == 0 and estimate_tokens("abcd") == 1 and estimate_tokens("abcde") == 2
    )
    assert message_tokens([{"role": "user", "content": "abcd"}]) == 1 + 4


def test_shots_named_in_the_message() -> None:
    assert named_shots("make shot 12 a close-up") == {12}
    assert named_shots("swap shots 3 and 4, then shots 7-9") == {3, 4, 7, 8, 9}
    assert named_shots("the last shot") == set()
    plan = plan_of(30)
    assert focus_shots(plan, "shot 12 should be 2 seconds") == {11, 12, 13}
    assert focus_shots(plan, "make it warmer") == {26, 27, 28, 29, 30}  # the last few


@pytest.mark.parametrize("context", [DEFAULT_CONTEXT_TOKENS, 8192])
def test_the_budget_holds_at_500_shots_and_named_shots_stay_whole(
    director: LLMDirector, monkeypatch: pytest.MonkeyPatch, context: int
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", str(context))
    plan = plan_of(500)
    history = [
        message
        for i in range(40)
        for message in (
            {"role": "user", "content": f"make shot {i + 1} a close-up " + "please " * 30},
            {"role": "assistant", "content": '{"reply": "Done.", "edits": []}' + " " * 400},
        )
    ]
    messages = request_messages(director, "make shot 250 a close-up", plan, history, {})
    budget = Budget.for_context(context, director.settings.max_tokens)
    assert message_tokens(messages) <= budget.prompt
    system = messages[0]["content"]
    assert "The plan is shown in part" in system  # the whole plan would not fit
    whole = compact_plan(plan).splitlines()
    for shot_id in (249, 250, 251):  # the named shot and its neighbours, as compact_plan has them
        line = next(line for line in whole if line.startswith(f"Shot {shot_id} (#"))
        assert line in system
    assert messages[-1] == {"role": "user", "content": "make shot 250 a close-up"}
    assert messages[1]["role"] == "user"  # history starts with a whole exchange


def test_a_small_plan_is_sent_whole(director: LLMDirector) -> None:
    plan = plan_of(3)
    messages = request_messages(director, "hello", plan, [], {})
    assert compact_plan(plan) in messages[0]["content"]
    assert messages[0]["content"] == director.system_prompt(plan)


def test_scenes_become_one_line_when_one_line_a_shot_is_too_long() -> None:
    plan = plan_of(500)
    whole = compact_plan(plan)
    text = fit_plan(plan, 2_000, {250}, whole)
    assert estimate_tokens(text) <= 2_000
    assert next(line for line in whole.splitlines() if line.startswith("Shot 250 (#")) in text
    assert "Scene 'scene 24'" in text  # a neighbouring scene, summarised
    assert "Character @mara" in text  # the bible is always there
    tiny = fit_plan(plan, 300, {250}, whole)
    assert estimate_tokens(tiny) <= 300 and "shots not shown" in tiny


def test_a_huge_message_is_cut_to_fit(
    director: LLMDirector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    messages = request_messages(director, "word " * 40_000, plan_of(5), [], {})
    assert message_tokens(messages) <= Budget.for_context(8192, 4096).prompt
    assert messages[-1]["content"].endswith("to fit the model's context]")


@pytest.mark.parametrize("budget", [0, 5, 20, 60, 100, 1000])
def test_history_never_starts_with_an_assistant_turn(budget: int) -> None:
    history = [
        {"role": "assistant", "content": "an orphan left by an older trim"},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "first answer " * 5},
        {"role": "user", "content": "two"},
        {"role": "assistant", "content": "second answer"},
        {"role": "assistant", "content": "(and a second message)"},
        {"role": "user", "content": "three"},
        {"role": "assistant", "content": "third answer " * 10},
    ]
    kept = trim_exchanges(history, budget)
    assert message_tokens(kept) <= budget
    assert not kept or kept[0]["role"] == "user"
    assert kept == history[len(history) - len(kept) :]  # the newest, whole
    if budget >= 1000:
        assert kept == history[1:]  # everything but the orphan


def test_the_context_comes_from_the_env_or_the_server_or_the_default(
    director: LLMDirector, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert context_from_models([{"id": "m", "max_model_len": 8192}], "m") == 8192
    assert context_from_models([{"id": "x", "meta": {"n_ctx": 4096}}], "m") == 4096  # only one
    assert context_from_models([{"id": "a"}, {"id": "b", "context_length": 9000}], "m") is None
    page = SimpleNamespace(
        data=[SimpleNamespace(model_dump=lambda: {"id": "m", "context_length": 16000})]
    )
    models = SimpleNamespace(list=lambda: page)
    endpoint = SimpleNamespace(
        client=SimpleNamespace(with_options=lambda **_: SimpleNamespace(models=models))
    )
    assert discover_context(endpoint, "m") == 16000
    memo: dict[str, Any] = {}
    assert context_tokens(director, memo) == DEFAULT_CONTEXT_TOKENS  # nothing listens
    assert memo["context"]["from"] == "default"
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8k")
    assert context_from_env() == 8192 and context_tokens(director, memo) == 8192
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "lots")
    with pytest.raises(StoryreelError, match="STORYREEL_LLM_CONTEXT"):
        context_from_env()


# --------------------------------------------------------------------------- JSON mode


def request_fits(body: dict[str, Any], context: int) -> bool:
    """The request's prompt and the longest answer it allows fit in the context."""
    return message_tokens(body["messages"]) + body["max_tokens"] <= context


def test_json_mode_at_8k_sends_a_compact_schema_and_20_shots_fit(
    director: LLMDirector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8k")
    plan = plan_of(20)
    history = [
        message
        for i in range(20)
        for message in (
            {"role": "user", "content": f"make shot {i + 1} a close-up of Mara, 3 s"},
            {"role": "assistant", "content": '{"reply": "Done.", "edits": []}'},
        )
    ]
    messages = request_messages(
        director, "make shot 7 a close-up", plan, history, {}, "json_object"
    )
    adapt = Adaptations("json_object", context_tokens=8192)
    body = director.endpoint.request_body(messages, director_schema(), adapt)
    assert message_tokens(body["messages"]) <= Budget.for_context(8192, 4096).prompt
    assert request_fits(body, 8192) and body["max_tokens"] >= 2048  # room for a real answer
    schema = body["messages"][-1]["content"]
    assert "add_shot: action:str" in schema and '"$defs"' not in schema  # the listing
    system = body["messages"][0]["content"]
    assert all(f"Shot {shot.id} (#" in system for shot in plan.shots)  # every shot, a line each
    assert EXAMPLE_LEFT_OUT in system and "# Film grammar" in system  # the grammar stays
    whole = director.endpoint.request_body(messages, director_schema(), Adaptations("json_object"))
    assert '"$defs"' in whole["messages"][-1]["content"]  # no context given: the whole schema
    assert whole["max_tokens"] == 4096


def test_json_mode_at_32k_keeps_the_whole_schema_and_the_example(
    director: LLMDirector,
) -> None:
    messages = request_messages(director, "hello", plan_of(20), [], {}, "json_object")
    body = director.endpoint.request_body(
        messages, director_schema(), Adaptations("json_object", context_tokens=32768)
    )
    assert '"$defs"' in body["messages"][-1]["content"] and body["max_tokens"] == 4096
    assert EXAMPLE_LEFT_OUT not in body["messages"][0]["content"]


def test_the_compact_schema_names_every_edit_and_answers_in_it_validate() -> None:
    listing = compact_schema(director_schema())
    for kind in ("add_shot", "update_shot", "set_target_length", "render", "ask", "export"):
        assert any(line.startswith(f"{kind}") for line in listing.splitlines()), kind
    assert "ShotSize = ECU|CU|MCU|MS|MLS|LS|ELS" in listing
    assert estimate_tokens(listing) < 1_200  # against about 8,500 for the whole schema
    answer = {  # optional fields left out, as the listing allows
        "reply": "Added a wide shot.",
        "edits": [
            {"kind": "add_shot", "ref": "s1", "action": "The quay", "size": "LS"},
            {"kind": "render", "shot_ids": ["s1"]},
            {"kind": "set_target_length", "seconds": 90},
        ],
    }
    assert [type(e).__name__ for e in parse_reply(json.dumps(answer)).edits] == [
        "AddShot",
        "RenderShots",
        "SetTargetLength",
    ]


def test_a_server_without_json_schema_at_8k_gets_requests_that_fit(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    llm.refuse_json_schema = True
    llm.script = [
        Scripted(content="{" + "not json " * 4_000),  # gets one repair, echoed in part
        reply("A close-up.", [{"kind": "update_shot", "shot_id": 7, "size": "CU"}]),
    ]
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5)
    result = LLMDirector(settings).direct("make shot 7 a close-up", plan_of(20), {})
    assert result.edits[0].shot_id == 7
    refused, first, second = llm.requests
    assert refused["response_format"]["type"] == "json_schema" and request_fits(refused, 8192)
    for body in (first, second):
        assert body["response_format"]["type"] == "json_object"  # with the schema as a grammar
        assert "add_shot: action:str" in body["messages"][-1]["content"]
        assert request_fits(body, 8192), (message_tokens(body["messages"]), body["max_tokens"])
    assert EXAMPLE_LEFT_OUT in first["messages"][0]["content"]  # rebuilt for JSON mode
    echoed = next(m for m in second["messages"] if m["role"] == "assistant")["content"]
    assert len(echoed) <= 3_000 and second["max_tokens"] >= 2048


def test_an_answer_cut_off_by_a_small_context_says_what_helps(
    llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_LLM_CONTEXT", "8192")
    llm.script = [Scripted(content='{"reply": "Here are', finish_reason="length")] * 2
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5)
    with pytest.raises(LLMTrouble) as caught:
        LLMDirector(settings).direct("a long premise", plan_of(20), {})
    sent = llm.requests[-1]["max_tokens"]  # the repair's: its request is longer
    assert sent < 4096 and all(request_fits(body, 8192) for body in llm.requests)
    said = str(caught.value)
    assert f"cut off at {sent} tokens, all the room the model's context left" in said
    assert "STORYREEL_LLM_MAX_TOKENS" not in said  # raising it would not help


def test_a_request_with_no_room_for_an_answer_says_so(director: LLMDirector) -> None:
    big = [{"role": "user", "content": "x" * 31_000}]  # 7,750 tokens and 4 for the message
    assert director.endpoint.answer_tokens(big, None) == 4096
    assert director.endpoint.answer_tokens(big, 16384) == 4096
    assert director.endpoint.answer_tokens(big, 10000) == 10000 - 7754 - 500
    with pytest.raises(LLMTrouble) as caught:
        director.endpoint.answer_tokens(big, 8192)
    said = str(caught.value)
    assert "needs about 7754 tokens of its 8192-token context" in said
    assert "STORYREEL_LLM_CONTEXT" in said and CLOSED in said


# --------------------------------------------------------------------------- agent.db


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    Project.create(tmp_path / "film", title="Test").close()
    return tmp_path / "film"


def llm_session(folder: Path, llm: FakeLLM, **options: Any) -> Session:
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5, max_retries=0)
    return Session(folder, director=LLMDirector(settings), **options)


def checkpoint_rows(folder: Path) -> int:
    with sqlite3.connect(folder / "agent.db") as conn:
        return conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]


ASK = reply("", [{"kind": "ask", "question": "Who is 'she'?", "choices": ["Mara", "Ana"]}])
ADD_MARA = reply(
    "Mara is here.",
    [{"kind": "add_character", "name": "Mara", "description": "a tall woman", "wardrobe": None}],
)


def test_a_question_is_still_answerable_after_pruning_and_a_restart(
    folder: Path, llm: FakeLLM
) -> None:
    llm.script = [reply("Hello.", []), ASK, ADD_MARA]
    with llm_session(folder, llm, auto_render=False) as s:
        list(s.send("hello"))
        events = list(s.send("she walks in"))
        assert events[-1].type == "question"
    assert checkpoint_rows(folder) == 1  # only the latest: the one waiting for the answer
    with llm_session(folder, llm, auto_render=False) as again:
        assert again.pending_question() is not None
        list(again.answer("Mara"))
        assert [c.name for c in again.project.memory.plan().characters] == ["Mara"]
        assert len(again.memo()["history"]) == 6  # the conversation is still remembered
    assert llm.requests[-1]["messages"][-1]["content"] == "Mara"
    assert checkpoint_rows(folder) == 1


def test_a_stopped_render_is_finished_after_pruning(folder: Path, llm: FakeLLM) -> None:
    shots = [
        {"kind": "add_shot", "action": f"The sea {i}", "size": "LS", "duration_s": 1}
        for i in range(2)
    ]
    llm.script = [reply("Two shots.", shots)]
    with llm_session(folder, llm) as s:
        for event in s.send("two shots"):
            if event.type == "take":
                s.cancel()
        assert s.unfinished()
    assert checkpoint_rows(folder) == 1
    with llm_session(folder, llm) as again:
        assert again.unfinished()
        finished = list(again.resume_unfinished())
        assert [e.data["shot_id"] for e in finished if e.type == "take"] == [2]
        assert not again.unfinished()


def test_agent_db_stays_small_over_30_turns(folder: Path) -> None:
    turns = [
        "Mara, a woman in a red raincoat. At the harbour at dusk: wide shot of Mara walking "
        "along the quay, 4 seconds.",
        "Close-up of Mara looking at the sea, 2 seconds.",
        "make all the shots 3 seconds",
    ]
    sizes = []
    with Session(folder, offline=True, autopilot=True, auto_render=False) as s:
        for turn in range(30):
            list(s.send(turns[turn % len(turns)]))
            sizes.append(sum(p.stat().st_size for p in folder.glob("agent.db*")))
        assert len(s.project.memory.plan().shots) == 20
    assert checkpoint_rows(folder) == 1
    assert (sizes[-1] - sizes[4]) / 25 < 8_000  # bytes a turn: the text, not the checkpoints
    assert sizes[-1] < 400_000


def test_the_stored_history_never_starts_with_an_answer() -> None:
    from storyreel.agent.llm_director import trim_history

    history = [
        {"role": "user", "content": "u" * 50},
        {"role": "assistant", "content": "a" * 50},
        {"role": "user", "content": "u" * 10},
        {"role": "assistant", "content": "a" * 10},
    ]
    for budget in (25, 60, 75, 200):
        kept = trim_history(history, budget)
        assert not kept or kept[0]["role"] == "user", (budget, kept)
    assert trim_history(history, 200) == history
