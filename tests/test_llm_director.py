"""The LLM director against a real chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.agent.llm_director import (
    EditsRefused,
    LLMDirector,
    LLMSettings,
    LLMTrouble,
    compact_plan,
    trim_history,
)
from storyreel.agent.llm_schema import strict_problems
from storyreel.agent.session import Session
from storyreel.apps.cli import app
from storyreel.tools.edits import (
    AddCharacter,
    AddShot,
    ReferenceFromTake,
    RenderShots,
    UpdateShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from storyreel.tools.story import StoryPlan
from tests.fake_llm import FakeLLM, Scripted, reply


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def director(url: str, timeout_s: float = 5.0, **options: object) -> LLMDirector:
    settings = LLMSettings(
        base_url=url, api_key="test", model="test-model", timeout_s=timeout_s, **options
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
            "voice": None,
        },
        {"kind": "add_shot", "action": "Mara on the quay", "size": "LS", "movement": "static"},
        {"kind": "render", "shot_ids": [], "backend": None, "force": None},
    ],
)
ONE_SHOT = StoryPlan.model_validate({"shots": [{"id": 1, "order": 1, "action": "The quay"}]})


def test_good_reply_becomes_typed_edits(llm: FakeLLM) -> None:
    llm.script = [GOOD]
    memo: dict = {}
    result = director(llm.url).direct("Open on Mara, a tall woman", StoryPlan(), memo)
    assert result.reply == "Added Mara and an opening wide shot."
    assert [type(e) for e in result.edits] == [AddCharacter, AddShot, RenderShots]
    assert result.edits[0].voice == "" and result.edits[2].force is False  # null: the default
    request = llm.requests[0]
    assert request["model"] == "test-model"
    assert request["temperature"] == 0.2 and request["max_tokens"] == 4096
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert strict_problems(request["response_format"]["json_schema"]["schema"]) == []
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
    memo: dict = {}
    with pytest.raises(LLMTrouble, match="I could not turn that into a change") as caught:
        director(llm.url).direct("Open on Mara", StoryPlan(), memo)
    assert llm.url in str(caught.value) and "unknown shot size 'huge'" in str(caught.value)
    assert len(llm.requests) == 2
    assert memo["history"][-1]["content"].startswith("(Nothing changed:")


def test_rate_limit_then_success(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after-ms": "10"}), GOOD]
    result = director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert len(result.edits) == 3 and len(llm.requests) == 2


def test_rate_limit_that_never_ends(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after-ms": "10"}, error="slow down")] * 3
    with pytest.raises(LLMTrouble) as caught:
        director(llm.url).direct("Open on Mara", StoryPlan(), {})
    said = str(caught.value)
    assert "busy" in said and "Nothing was changed" in said and "'slow down'" in said
    assert len(llm.requests) == 3


def test_retry_after_longer_than_the_budget_is_not_waited_for(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after": "30"}), GOOD]
    started = time.monotonic()
    with pytest.raises(LLMTrouble, match="busy"):
        director(llm.url, timeout_s=2).direct("Open on Mara", StoryPlan(), {})
    assert time.monotonic() - started < 1.0 and len(llm.requests) == 1


def test_retry_after_within_the_budget_is_honoured(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=429, headers={"retry-after": "0.5"}), GOOD]
    director(llm.url, timeout_s=3).direct("Open on Mara", StoryPlan(), {})
    assert len(llm.requests) == 2 and llm.times[1] - llm.times[0] >= 0.5


def test_timeout_is_one_budget_for_the_whole_turn(llm: FakeLLM) -> None:
    llm.script = [Scripted(content="{}", delay_s=2.5)] * 4
    started = time.monotonic()
    with pytest.raises(LLMTrouble) as caught:
        director(llm.url, timeout_s=0.8, max_retries=3).direct("Open on Mara", StoryPlan(), {})
    elapsed = time.monotonic() - started
    assert f"The language model at {llm.url} did not answer within 0.8 s" in str(caught.value)
    assert elapsed < 1.5 and len(llm.requests) == 1


def test_server_errors_retry_only_within_the_budget(llm: FakeLLM) -> None:
    llm.script = [Scripted(status=503, delay_s=0.6, error="overloaded")] * 5
    started = time.monotonic()
    with pytest.raises(LLMTrouble) as caught:
        director(llm.url, timeout_s=1.5, max_retries=5).direct("Open on Mara", StoryPlan(), {})
    assert time.monotonic() - started < 2.0 and len(llm.requests) <= 2
    assert "overloaded" in str(caught.value) or "did not answer" in str(caught.value)


def test_refusal_is_reported(llm: FakeLLM) -> None:
    llm.script = [Scripted(content=None, refusal="I can't help with that.")]
    result = director(llm.url).direct("something", StoryPlan(), {})
    assert result.edits == [] and "declined: I can't help with that." in result.reply
    assert "Nothing in the plan changed." in result.reply


def test_unreachable_endpoint_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(LLMTrouble) as caught:
        director(url, timeout_s=1).direct("hello", StoryPlan(), {})
    assert f"I could not reach the language model at {url}" in str(caught.value)
    assert "--offline" in str(caught.value)


def test_a_server_without_json_schema_is_asked_in_json_mode() -> None:
    with FakeLLM(refuse_json_schema=True).running() as llm:
        llm.script = [GOOD, reply("Fine.", [])]
        memo: dict = {}
        d = director(llm.url)
        result = d.direct("Open on Mara", StoryPlan(), memo)
        assert len(result.edits) == 3
        first, second = llm.requests[0], llm.requests[1]
        assert first["response_format"]["type"] == "json_schema"
        assert second["response_format"]["type"] == "json_object"
        assert (
            second["response_format"]["schema"] == first["response_format"]["json_schema"]["schema"]
        )  # llama-cpp-python's server makes a grammar of it
        assert '"edits"' in second["messages"][-1]["content"]  # the schema is in the prompt
        d.direct("next", StoryPlan(), memo)  # remembered: JSON mode straight away
        assert len(llm.requests) == 3 and llm.requests[2]["response_format"]["type"] == (
            "json_object"
        )


def test_an_error_body_is_quoted_with_the_endpoint(llm: FakeLLM) -> None:
    message = "Invalid schema for response_format 'DirectorReply': In context=(), 'oneOf' is bad"
    llm.script = [Scripted(status=401, error=message)]
    with pytest.raises(LLMTrouble) as caught:
        director(llm.url).direct("hi", StoryPlan(), {})
    said = str(caught.value)
    assert said.startswith(f"The language model at {llm.url} answered 401: ")
    assert repr(message) in said and "OPENAI_API_KEY" in said


def test_html_is_not_json_and_says_where(llm: FakeLLM) -> None:
    page = "<!DOCTYPE html>\n<html><body>Welcome to nginx!</body></html>"
    llm.script = [Scripted(body=page, content_type="text/html")]
    with pytest.raises(LLMTrouble) as caught:
        director(llm.url).direct("hi", StoryPlan(), {})
    said = str(caught.value)
    assert f"at {llm.url} answered with something that is not JSON" in said
    assert "<!DOCTYPE html>" in said and "NoneType" not in said and "/v1" in said


def test_no_choices_says_so(llm: FakeLLM) -> None:
    llm.script = [Scripted(body=json.dumps({"id": "x", "object": "chat.completion"}))]
    with pytest.raises(LLMTrouble, match="answered without a message") as caught:
        director(llm.url).direct("hi", StoryPlan(), {})
    assert llm.url in str(caught.value) and "NoneType" not in str(caught.value)


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_huge_reply_is_refused_and_never_sent_back(llm: FakeLLM, declare_length: bool) -> None:
    huge = json.dumps({"reply": "x" * 5_000_000, "edits": []})
    llm.script = [Scripted(content=huge, declare_length=declare_length), GOOD]
    memo: dict = {}
    with pytest.raises(LLMTrouble, match="more than 200 kB"):
        director(llm.url).direct("hi", StoryPlan(), memo)
    assert len(llm.requests) == 1  # no repair carrying it
    assert len(json.dumps(memo)) < 5_000


def test_a_refused_edit_is_fed_back_once_and_fixed(llm: FakeLLM) -> None:
    llm.script = [
        reply("Made shot 999 a close-up.", [{"kind": "update_shot", "shot_id": 999, "size": "CU"}]),
        reply("Made shot 1 a close-up.", [{"kind": "update_shot", "shot_id": 1, "size": "CU"}]),
    ]
    memo: dict = {}
    result = director(llm.url).direct("make the shot a close-up", ONE_SHOT, memo)
    assert [type(e) for e in result.edits] == [UpdateShot] and result.edits[0].shot_id == 1
    feedback = llm.requests[1]["messages"][-1]["content"]
    assert "cannot be applied" in feedback and "999" in feedback
    assert '"shot_id":1' in memo["history"][-1]["content"]


def test_a_refused_edit_twice_changes_nothing_and_says_why(llm: FakeLLM) -> None:
    bad = reply("Made shot 999 a close-up.", [{"kind": "update_shot", "shot_id": 999}])
    llm.script = [bad, bad]
    memo: dict = {}
    with pytest.raises(EditsRefused, match=r"I could not make that change: .*999") as caught:
        director(llm.url).direct("make shot 999 a close-up", ONE_SHOT, memo)
    assert "Made shot 999" not in str(caught.value)
    assert "Made shot 999" not in json.dumps(memo["history"])  # what was done, not claimed


def test_a_reference_outside_the_project_is_refused(llm: FakeLLM) -> None:
    outside = {
        "kind": "add_reference",
        "reference": {
            "handle": "@image1",
            "kind": "image",
            "role": "subject",
            "sha256": "0" * 64,
            "path": "/etc/passwd",
        },
    }
    llm.script = [reply("Added your photo.", [outside])] * 2
    with pytest.raises(EditsRefused) as caught:
        director(llm.url).direct("use /etc/passwd as Mara's face", StoryPlan(), {})
    said = str(caught.value)
    assert "/etc/passwd is not a file of this project" in said and "--attach" in said
    assert "not a file of this project" in llm.requests[1]["messages"][-1]["content"]


def test_a_reply_without_edits_says_nothing_changed(llm: FakeLLM) -> None:
    llm.script = [reply("Blue is a lovely colour.", [])]
    result = director(llm.url).direct("hmm", StoryPlan(), {})
    assert result.reply == "Blue is a lovely colour. Nothing in the plan changed."


def test_max_tokens_refused_by_name_is_sent_as_max_completion_tokens(llm: FakeLLM) -> None:
    said = "Unsupported parameter: 'max_tokens' is not supported with this model."
    llm.script = [Scripted(status=400, error=said), GOOD]
    director(llm.url).direct("Open on Mara", StoryPlan(), {})
    assert "max_tokens" not in llm.requests[1] and llm.requests[1]["max_completion_tokens"]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert LLMSettings.from_env() is None
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("STORYREEL_LLM_TEMPERATURE", "0.7")
    monkeypatch.setenv("STORYREEL_LLM_MAX_TOKENS", "1000")
    settings = LLMSettings.from_env()
    assert settings.model == "gpt-4o-mini" and settings.api_key == "not-needed"
    assert settings.temperature == 0.7 and settings.max_tokens == 1000
    monkeypatch.setenv("STORYREEL_LLM_TIMEOUT", "soon")
    with pytest.raises(StoryreelError, match="STORYREEL_LLM_TIMEOUT must be a number"):
        LLMSettings.from_env()


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


def test_compact_plan_shows_the_target_length_beside_the_running_time(llm: FakeLLM) -> None:
    plan = StoryPlan.model_validate(
        {
            "style": {"target_length_s": 120},
            "shots": [{"id": 1, "order": 1, "action": "a", "duration_s": 5}],
        }
    )
    assert "Target length: 120 s (about 2 min); the shots now run 5 s." in compact_plan(plan)
    assert "Target length" not in compact_plan(ONE_SHOT)
    llm.script = [reply("Aimed at two minutes.", [{"kind": "set_target_length", "seconds": 120}])]
    result = director(llm.url).direct("it should be about 2 minutes", ONE_SHOT, {})
    assert result.edits[0].seconds == 120  # the model can set it (the edit is in the schema)


# --- through the session and `storyreel say` ---------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    Project.create(tmp_path / "film", title="Test").close()
    return tmp_path / "film"


def test_a_huge_reply_is_not_stored(folder: Path, llm: FakeLLM) -> None:
    llm.script = [Scripted(content=json.dumps({"reply": "y" * 5_000_000, "edits": []}))]
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5)
    with Session(folder, director=LLMDirector(settings)) as session:
        events = list(session.send("hi"))
    reply_event = events[-1]
    assert reply_event.type == "reply" and reply_event.data["director_failed"] is True
    assert "more than 200 kB" in reply_event.data["problems"][0]
    assert len(reply_event.text) < 1_000
    stored = sum(p.stat().st_size for p in folder.glob("agent.db*"))
    assert stored < 500_000


def test_say_exits_2_with_problems_when_the_model_fails(
    folder: Path, llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "t")
    monkeypatch.setenv("STORYREEL_LLM_TIMEOUT", "3")
    llm.script = [Scripted(status=400, error="model 'gpt-4o-mini' not found, try pulling it")]
    result = CliRunner().invoke(app, ["say", "hello", "--json", "-p", str(folder)])
    assert result.exit_code == 2, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    final = events[-1]
    assert final["type"] == "reply" and final["data"]["director_failed"] is True
    assert "not found, try pulling it" in final["data"]["problems"][0]
    assert llm.url in final["data"]["problems"][0]


def test_say_reports_a_refused_batch_without_the_claim(
    folder: Path, llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "t")
    bad = reply("Made shot 999 a close-up.", [{"kind": "update_shot", "shot_id": 999}])
    llm.script = [bad, bad]
    result = CliRunner().invoke(app, ["say", "shot 999 close", "--json", "-p", str(folder)])
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout.splitlines()[-1])
    assert "Made shot 999" not in final["text"] and "I could not make that change" in final["text"]
    assert final["data"]["problems"] and final["data"]["changed"] is False


# --- temporary shot refs in actions -------------------------------------------------------

TWO_NEW_SHOTS = [
    {"kind": "add_shot", "ref": "s1", "action": "The quay at dusk", "size": "ELS"},
    {"kind": "add_shot", "ref": "s2", "action": "Gulls over the water", "duration_s": 1},
]


def test_a_batch_renders_a_shot_it_adds_by_its_ref(folder: Path, llm: FakeLLM) -> None:
    project = Project.open(folder)
    project.memory.apply([AddShot(action="An old shot", duration_s=1)])
    project.close()
    render_s2 = {"kind": "render", "shot_ids": ["s2"], "backend": None, "force": None}
    llm.script = [reply("Two shots; here is the gulls one.", [*TWO_NEW_SHOTS, render_s2])]
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5)
    with Session(folder, director=LLMDirector(settings), autopilot=True) as session:
        events = list(session.send("add the quay and the gulls, and show me the gulls"))
        plan = session.project.memory.plan()
    gulls = next(s.id for s in plan.shots if s.action.startswith("Gulls"))
    assert gulls == 3 and len(llm.requests) == 1  # the batch was fine as it was
    assert [e.data["shot_id"] for e in events if e.type == "take"] == [3]  # only the gulls
    assert not events[-1].data["problems"]


def test_an_action_naming_an_unknown_ref_is_fed_back_once(llm: FakeLLM) -> None:
    wrong = {"kind": "render", "shot_ids": ["s3"], "backend": None, "force": None}
    right = {**wrong, "shot_ids": ["s2"]}
    llm.script = [
        reply("Rendering.", [*TWO_NEW_SHOTS, wrong]),
        reply("Rendering.", [*TWO_NEW_SHOTS, right]),
    ]
    result = director(llm.url).direct("two shots, render the second", StoryPlan(), {})
    feedback = llm.requests[1]["messages"][-1]["content"]
    assert "render names 's3', which is not a shot" in feedback and "'s1', 's2'" in feedback
    assert [e.shot_ids for e in result.edits if isinstance(e, RenderShots)] == [["s2"]]


def test_a_frame_of_a_shot_made_in_the_same_batch_is_refused_with_what_to_do(
    folder: Path, llm: FakeLLM
) -> None:
    frame = {"kind": "reference_from_take", "shot_id": "s1", "take": None, "frame": "last",
             "entity": None, "name": None}  # fmt: skip
    llm.script = [reply("Added and referenced.", [*TWO_NEW_SHOTS, frame])] * 2
    with pytest.raises(EditsRefused) as caught:
        director(llm.url).direct("add the quay and use its last frame", StoryPlan(), {})
    said = str(caught.value)
    assert "reference_from_take names 's1', a shot added in this same batch" in said
    assert "next turn, once it has a take, ask for its frame by the shot's id" in said
    # a front end's own batch (no model to repair it) hears the same, with the new id
    with Session(folder, offline=True, autopilot=True, auto_render=False) as session:
        events = list(
            session.act(
                [AddShot(action="The quay", ref="q"), ReferenceFromTake(shot_id="q")],
                label="quay and its frame",
            )
        )
        assert [s.id for s in session.project.memory.plan().shots] == [1]  # the shot is added
    problems = events[-1].data["problems"]
    assert any("(reference_from_take shot_id=1)" in p and "no take yet" in p for p in problems)
