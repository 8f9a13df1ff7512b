"""The optional vision critic, against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.rendering import render_shots
from storyreel.tools.review import review_take
from storyreel.tools.vision_critic import VisionCritic
from tests.fake_llm import FakeLLM, Scripted
from tests.render_helpers import small_demo


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYREEL_VISION_MODEL", raising=False)
    assert VisionCritic.from_env() is None


def test_findings_become_warnings_and_images_are_sent(llm: FakeLLM) -> None:
    answer = {"findings": [{"kind": "wrong_subject", "message": "Mara's coat is blue, not red."}]}
    llm.script = [Scripted(content=json.dumps(answer))]
    critic = VisionCritic(base_url=llm.url, api_key="t", model="vlm")
    frames = [np.zeros((18, 32, 3), np.uint8), np.full((18, 32, 3), 255, np.uint8)]
    findings, note = critic.findings("Shot 1: Mara in a red raincoat", frames)
    assert note == ""
    assert [(f.kind, f.severity) for f in findings] == [("vision_wrong_subject", "warning")]
    parts = llm.requests[0]["messages"][1]["content"]
    assert parts[0]["text"].startswith("Shot 1") and len(parts) == 3
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_a_bad_answer_or_server_never_breaks_the_review(llm: FakeLLM) -> None:
    llm.script = [Scripted(content="not json"), Scripted(status=500), Scripted(status=500)]
    critic = VisionCritic(base_url=llm.url, api_key="t", model="vlm", timeout_s=2)
    frame = np.zeros((18, 32, 3), np.uint8)
    assert critic.findings("x", [frame])[0] == []
    findings, note = critic.findings("x", [frame])
    assert findings == [] and "could not judge" in note


def test_review_includes_vision_findings(llm: FakeLLM, tmp_path: Path) -> None:
    answer = {"findings": [{"kind": "artifact", "message": "A face melts at the end."}]}
    llm.script = [Scripted(content=json.dumps(answer))]
    project = small_demo(tmp_path / "demo")
    render_shots(project, RenderExecutor(), [1])
    plan = project.memory.plan()
    take = project.memory.takes(1)[0]
    critique = review_take(
        project, plan, plan.shots[0], take, VisionCritic(base_url=llm.url, api_key="t", model="vlm")
    )
    project.close()
    assert critique.verdict == "accept"  # the vision critic only warns
    assert [f.kind for f in critique.findings] == ["vision_artifact"]
