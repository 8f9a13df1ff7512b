"""bench/director_llm.py against a scripted chat-completions server on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.fake_llm import FakeLLM, reply

ROOT = Path(__file__).resolve().parent.parent

CONVERSATION = """
title = "Harbour"
voice = "storyteller"

[[turn]]
say = "Mara is a tall woman in a red raincoat."
category = "introduction"
[turn.expect]
characters_added = ["Mara"]

[[turn]]
say = "wide shot of Mara on the quay, 3 seconds"
category = "segmentation"
[turn.expect]
shots_added = 1
[turn.expect.shots.new1]
size = "LS"
"""

ANSWERS = [
    reply(
        "Mara is in the bible.",
        [
            {
                "kind": "add_character",
                "name": "Mara",
                "description": "a tall woman",
                "wardrobe": "red raincoat",
            }
        ],
    ),
    reply(
        "A close-up of Mara.",  # wrong on purpose: the turn wants a wide shot
        [
            {
                "kind": "add_shot",
                "action": "Mara on the quay",
                "size": "CU",
                "characters": ["Mara"],
                "duration_s": 3,
            }
        ],
    ),
    reply(  # the premise: a line too long for its one-second shot
        "Tom at sea.",
        [
            {"kind": "add_character", "name": "Tom", "description": "an old fisherman"},
            {
                "kind": "add_shot",
                "action": "Tom speaks to the sea",
                "size": "CU",
                "characters": ["Tom"],
                "duration_s": 1,
                "dialogue": "We sail at dawn and we do not come home until the nets are full.",
            },
        ],
    ),
]


def bench() -> ModuleType:
    path = ROOT / "bench" / "director_llm.py"
    spec = importlib.util.spec_from_file_location("director_llm_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def test_the_llm_bench_runs_the_set_and_the_premises(
    llm: FakeLLM,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL", "STORYREEL_LLM_TIMEOUT"):
        monkeypatch.setenv(name, "restored after the test")
    (tmp_path / "01-harbour.toml").write_text(CONVERSATION, encoding="utf-8")
    llm.script = [*ANSWERS, ANSWERS[-1], ANSWERS[-1]]  # the same again if asked to revise
    code = bench().main(
        [
            "--base-url",
            llm.url,
            "--model",
            "test-model",
            "--timeout",
            "10",
            "--set",
            str(tmp_path),
            "--premise",
            "An old fisherman talks to the sea.",
            "-v",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert len(llm.requests) >= 3  # the two turns, then the premise
    assert {r["model"] for r in llm.requests} == {"test-model"}
    assert "Mara is a tall woman" in llm.requests[0]["messages"][-1]["content"]
    assert llm.requests[2]["messages"][-1]["content"] == "An old fisherman talks to the sea."
    assert "premise: An old fisherman talks to the sea." in out
    assert "shot 1: CU static, 1 s: Tom speaks to the sea" in out
    assert "supervisor notes: 1" in out and "[dialogue_time]" in out
    assert "introduction       1/1" in out and "segmentation       0/1" in out
    assert "FAIL 01-harbour turn 2 [segmentation]" in out
    assert out.rstrip().splitlines()[-1] == "director accuracy: 0.50 (1/2 turns), junk shots: 0"
    assert "storyreel.agent.session" in sys.modules
    from storyreel.agent import session

    assert session.Session.__name__ == "Session"  # the LLM session was only for the run
