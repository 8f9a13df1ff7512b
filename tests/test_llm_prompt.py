"""The LLM director's prompt: film grammar and worked examples as package data, and the
script supervisor's notes sent back to the model once (a real chat server on 127.0.0.1)."""

from __future__ import annotations

import fnmatch
import itertools
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel import prompts
from storyreel.agent.director import DirectorReply
from storyreel.agent.llm_context import estimate_tokens
from storyreel.agent.llm_director import LLMDirector, LLMSettings, compact_plan, parse_reply
from storyreel.agent.session import Session
from storyreel.renderer.pace import LINE_PAUSE_S, WORDS_PER_SECOND
from storyreel.tools.edits import AddShot, EditContext, SetStyle, UpdateShot, apply_edits, is_action
from storyreel.tools.project import Project
from storyreel.tools.story import StoryPlan
from storyreel.tools.supervisor import (
    WIDE_SIZES,
    line_seconds,
    scenes,
    supervise,
)
from tests.fake_llm import FakeLLM, Scripted, reply

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR_TOKENS = 2_500
PROMPT_TOKENS = 4_000
"""The whole system prompt with an empty plan (instructions, grammar, one example)."""
PREMISE = "a street musician loses her violin on the metro and a boy brings it back; about 6 shots"
HEADINGS = [prompts.read(f"grammar/{name}.md").splitlines()[0] for name in prompts.GRAMMAR]


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def director(url: str) -> LLMDirector:
    settings = LLMSettings(base_url=url, api_key="t", model="m", timeout_s=5, max_retries=0)
    return LLMDirector(settings)


def apply_reply(data: dict, plan: StoryPlan | None = None) -> StoryPlan:
    """The plan after a DirectorReply's plan edits (ids from 1, as a new project gives)."""
    parsed = DirectorReply.model_validate(data)
    counter = itertools.count(1)
    edits = [e for e in parsed.edits if not is_action(e)]
    after, _lines = apply_edits(plan or StoryPlan(), edits, EditContext(lambda: next(counter)))
    return after


def system_prompt(plan: StoryPlan | None = None) -> str:
    return director("http://127.0.0.1:9/v1").system_prompt(plan or StoryPlan())


# --- the prompt as package data -----------------------------------------------------------


def test_every_grammar_concern_is_one_file_with_a_worked_example() -> None:
    on_disk = sorted(p.stem for p in (ROOT / "prompts" / "grammar").glob("*.md"))
    assert on_disk == sorted(prompts.GRAMMAR)  # none left out of the prompt, none missing
    for name in prompts.GRAMMAR:
        text = prompts.read(f"grammar/{name}.md")
        assert text.startswith("## "), name
        assert "\nExample:" in text, f"grammar/{name}.md has no worked example"


def test_the_prompt_is_assembled_from_the_grammar_files() -> None:
    prompt = system_prompt()
    for heading in HEADINGS:
        assert heading in prompt
    assert prompt.index("# Film grammar") < prompt.index("# A worked example")
    assert prompt.rstrip().endswith("No shots yet.")  # the plan comes last
    assert "$" not in prompt  # every placeholder was filled


def test_missing_variables_are_errors() -> None:
    with pytest.raises(prompts.PromptError, match=r"grammar/pacing.md needs \$words_per_second"):
        prompts.grammar(line_pause="0.5")
    with pytest.raises(KeyError, match=r"director.md needs \$\w+"):
        prompts.render("director.md", plan="")


def test_the_prompt_says_what_the_supervisor_checks() -> None:
    prompt = system_prompt()
    assert f"words / {WORDS_PER_SECOND:g} seconds, plus {LINE_PAUSE_S:g} s" in prompt
    for idea in ("jump cut", "180-degree line", "as seen by the camera", "key flips"):
        assert idea in prompt
    assert "one scene per turn" in prompt  # long stories are planned scene by scene


def test_prompt_size() -> None:
    grammar = prompts.grammar(words_per_second="2.5", line_pause="0.5")
    whole = system_prompt()
    print(
        f"\nprompt tokens (chars/4): grammar {estimate_tokens(grammar)}, "
        f"example {estimate_tokens(prompts.example_text())}, whole {estimate_tokens(whole)}"
    )
    assert estimate_tokens(grammar) < GRAMMAR_TOKENS
    assert estimate_tokens(whole) < PROMPT_TOKENS


def test_the_example_in_the_prompt_is_the_data_file() -> None:
    shown = prompts.example_text()
    premise, _, answer = shown.partition("\nAnswer:\n")
    data = prompts.example(prompts.PROMPT_EXAMPLE)
    assert premise == f"Premise: {data.premise}" and answer in system_prompt()
    assert parse_reply(answer) == DirectorReply.model_validate(data.reply)


def _glob_matches(relative: str, glob: str) -> bool:
    """Glob semantics as setuptools applies them: `*` never crosses a `/`."""
    parts, patterns = relative.split("/"), glob.split("/")
    return len(parts) == len(patterns) and all(map(fnmatch.fnmatchcase, parts, patterns))


def test_prompt_data_ships_in_the_wheel() -> None:
    """Every file under prompts/ matches a package-data glob of storyreel.prompts."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["storyreel.prompts"]
    folder = ROOT / "prompts"
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir() or "__pycache__" in relative or relative.endswith(".py"):
            continue
        assert any(_glob_matches(relative, glob) for glob in globs), (
            f"prompts/{relative} would be missing from the wheel: add a glob for it to "
            '[tool.setuptools.package-data] "storyreel.prompts" in pyproject.toml'
        )


# --- the worked examples ------------------------------------------------------------------


@pytest.mark.parametrize("name", prompts.example_names())
def test_every_example_is_a_valid_reply_whose_plan_gets_no_note(name: str) -> None:
    example = prompts.example(name)
    assert parse_reply(json.dumps(example.reply)) == DirectorReply.model_validate(example.reply)
    plan = apply_reply(example.reply)
    assert [note.message for note in supervise(plan)] == []
    assert len(plan.shots) == example.shots
    assert plan.characters and plan.locations
    for shot in plan.shots:
        assert shot.scene and shot.location, f"shot {shot.id} has no scene or place"
        if shot.dialogue:
            assert shot.dialogue_speaker and shot.duration_s >= line_seconds(shot.dialogue)
    first_scene = scenes(plan)[0]
    assert first_scene[0].size in WIDE_SIZES  # the film opens by showing where we are


def test_the_examples_cover_a_premise_a_dialogue_and_a_long_story() -> None:
    assert {"violin", "lighthouse", "seasons"} <= set(prompts.example_names())
    dialogue = apply_reply(prompts.example("lighthouse").reply)
    reverses = [s for s in dialogue.ordered_shots() if s.angle.value == "ots"]
    assert len(reverses) == 2 and {s.key_light_side.value for s in reverses} == {"left", "right"}
    long_story = prompts.example("seasons")
    plan = apply_reply(long_story.reply)
    assert len({s.scene for s in plan.shots}) == 1  # one scene this turn
    assert "one scene at a time" in long_story.reply["reply"]


# --- a premise through the whole loop --------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = Project.create(tmp_path / "film", title="Test")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return tmp_path / "film"


def test_a_premise_becomes_a_covered_paced_shot_list_in_one_turn(
    folder: Path, llm: FakeLLM
) -> None:
    violin = prompts.example("violin").reply
    llm.script = [Scripted(content=json.dumps(violin))]
    with Session(folder, director=director(llm.url)) as session:
        events = list(session.send(PREMISE))
        plan = session.project.memory.plan()
    assert events[-1].type == "reply" and not events[-1].data.get("director_failed")
    assert {c.name for c in plan.characters} == {"Ines", "Sami"}
    assert {loc.name for loc in plan.locations} == {"Carriage", "Platform"}
    shots = plan.ordered_shots()
    assert 5 <= len(shots) <= 7 and all(s.scene for s in shots)
    assert len(scenes(plan)) == 2
    assert all(scene[0].size in WIDE_SIZES for scene in scenes(plan))  # each scene established
    assert any(s.size.value in {"CU", "ECU"} for s in shots)  # singles and inserts, not all wide
    assert all(s.duration_s >= line_seconds(s.dialogue) for s in shots)
    assert supervise(plan) == []
    assert len(llm.requests) == 1  # a clean batch is not sent back
    system = llm.requests[0]["messages"][0]["content"]
    for heading in HEADINGS:
        assert heading in system
    assert llm.requests[0]["messages"][-1]["content"] == PREMISE


# --- the script supervisor's notes go back to the model once -------------------------------

ONE_SHOT = StoryPlan.model_validate(
    {
        "characters": [{"name": "Tom", "description": "an old fisherman"}],
        "locations": [{"name": "Quay", "description": "a stone quay"}],
        "shots": [
            {
                "id": 1,
                "order": 1,
                "action": "Tom on the quay",
                "size": "LS",
                "characters": ["Tom"],
                "location": "Quay",
            }
        ],
    }
)


def tom_shot(ref: str, size: str, action: str) -> dict:
    return {
        "kind": "add_shot",
        "ref": ref,
        "action": action,
        "size": size,
        "characters": ["Tom"],
        "location": "Quay",
        "duration_s": 3,
    }


JUMP = reply(
    "Two shots of Tom coiling rope.",
    [tom_shot("a", "MS", "Tom coils a rope"), tom_shot("b", "MS", "Tom ties it off")],
)
FIXED = reply(
    "Two shots of Tom coiling rope, the second closer.",
    [tom_shot("a", "MS", "Tom coils a rope"), tom_shot("b", "CU", "Tom ties it off")],
)


def test_supervisor_notes_go_back_once_and_the_fixed_batch_is_kept(llm: FakeLLM) -> None:
    llm.script = [JUMP, FIXED]
    memo: dict = {}
    result = director(llm.url).direct("Tom coils a rope, then ties it off", ONE_SHOT, memo)
    assert len(llm.requests) == 2
    feedback = llm.requests[1]["messages"][-1]["content"]
    assert "script supervisor" in feedback and "[jump_cut]" in feedback
    assert "Shots a and b show Tom the same way" in feedback  # new shots named by their ref
    assert "1000000" not in feedback  # never the ids of the trial copy
    assert llm.requests[1]["messages"][-2]["role"] == "assistant"  # its batch echoed
    sizes = [e.size.value for e in result.edits if isinstance(e, AddShot)]
    assert sizes == ["MS", "CU"]
    assert result.reply.startswith("Two shots of Tom coiling rope, the second closer.")
    assert '"CU"' in memo["history"][-1]["content"]  # the memo keeps what was answered last


def test_a_revision_that_does_not_apply_keeps_the_first_batch(llm: FakeLLM) -> None:
    broken = reply("Fixed.", [{"kind": "update_shot", "shot_id": 999, "size": "CU"}])
    llm.script = [JUMP, broken]
    result = director(llm.url).direct("Tom coils a rope, then ties it off", ONE_SHOT, {})
    assert len(llm.requests) == 2  # no third request: the notes are sent once, unrepaired
    assert [e.action for e in result.edits] == ["Tom coils a rope", "Tom ties it off"]


def test_a_revision_the_server_fails_keeps_the_first_batch(llm: FakeLLM) -> None:
    llm.script = [JUMP, Scripted(status=400, error="bad request")]
    result = director(llm.url).direct("Tom coils a rope, then ties it off", ONE_SHOT, {})
    assert len(result.edits) == 2 and len(llm.requests) == 2


def test_notes_cover_only_what_the_batch_changed(llm: FakeLLM) -> None:
    jumpy = StoryPlan.model_validate(
        {
            **ONE_SHOT.model_dump(),
            "shots": [
                {"id": 1, "order": 1, "action": "Tom waits", "characters": ["Tom"]},
                {"id": 2, "order": 2, "action": "Tom waits more", "characters": ["Tom"]},
            ],
        }
    )
    assert [n.check for n in supervise(jumpy)] == ["jump_cut"]  # already there
    llm.script = [reply("Tom's coat is green now.", [
        {"kind": "update_character", "name": "Tom", "wardrobe": "green coat"}
    ])]  # fmt: skip
    result = director(llm.url).direct("give Tom a green coat", jumpy, {})
    assert len(result.edits) == 1 and len(llm.requests) == 1


def test_a_note_on_an_existing_shot_names_its_real_id(llm: FakeLLM) -> None:
    close = reply("Made shot 1 a medium shot; added a second.", [
        {"kind": "update_shot", "shot_id": 1, "size": "MS"},
        tom_shot("s2", "MS", "Tom looks out to sea"),
    ])  # fmt: skip
    llm.script = [close, close]
    result = director(llm.url).direct("closer, then another", ONE_SHOT, {})
    feedback = llm.requests[1]["messages"][-1]["content"]
    assert "Shots 1 and s2" in feedback
    assert [type(e) for e in result.edits] == [UpdateShot, AddShot]


def test_compact_plan_shows_the_grammar_the_next_turn_needs() -> None:
    text = compact_plan(apply_reply(prompts.example("lighthouse").reply))
    assert "scene '2 The lamp'" in text and "over Lena's shoulder, key light left" in text
    assert "staged (Tom left facing right; Lena right facing left)" in text
    assert 'Tom says "Strike it slowly' in text and "transition dissolve" in text
