"""`storyreel say` across processes: questions survive, killed turns resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project
from tests.fake_llm import FakeLLM, reply
from tests.test_session import BUILD, REMOVE_2

EXE = str(Path(sys.executable).parent / "storyreel")


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


def _env(llm: FakeLLM) -> dict[str, str]:
    return {
        **os.environ,
        "OPENAI_BASE_URL": llm.url,
        "OPENAI_API_KEY": "t",
        "STORYREEL_MODEL": "m",
        "STORYREEL_LLM_TIMEOUT": "10",
    }


def say(folder: Path, llm: FakeLLM, *args: str) -> list[dict]:
    result = subprocess.run(
        [EXE, "say", *args, "--json", "-p", str(folder)],
        capture_output=True,
        text=True,
        env=_env(llm),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = Project.create(tmp_path / "film", title="Test")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return tmp_path / "film"


def test_question_in_one_process_answered_in_another(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD, REMOVE_2]
    events = say(folder, llm, "build it")
    assert events[-1]["type"] == "reply" and "Rendered shots 1, 2." in events[-1]["text"]
    events = say(folder, llm, "remove shot 2")
    assert events[-1]["type"] == "question" and events[-1]["data"]["choices"] == ["yes", "no"]
    events = say(folder, llm, "yes")
    assert [e["data"]["lines"] for e in events if e["type"] == "plan"] == [["Removed shot 2"]]
    assert len(llm.requests) == 2  # the answer resumed the graph; the model was not asked again
    with sqlite3.connect(folder / "story.db") as db:
        assert db.execute("select id from shots").fetchall() == [(1,)]


def test_killed_turn_resumes_without_losing_takes(folder: Path, llm: FakeLLM) -> None:
    long_build = json.loads(BUILD.content)
    for edit in long_build["edits"]:
        if edit["kind"] == "add_shot":  # 96 frames each: shot 2 renders well after take 1
            edit["duration_s"] = 8
    llm.script = [reply(long_build["reply"], long_build["edits"]), reply("Done.", [])]
    process = subprocess.Popen(
        [EXE, "say", "build it", "-p", str(folder)],
        env=_env(llm),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with sqlite3.connect(folder / "story.db") as db:
            if db.execute("select count(*) from takes").fetchone()[0] >= 1:
                break
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    events = say(folder, llm, "anything new?")
    assert events[0]["type"] == "notice" and "Finishing what I was doing" in events[0]["text"]
    statuses = {e["data"]["shot_id"]: e["data"]["status"] for e in events if e["type"] == "take"}
    # shot 1's take was selected when it was registered: it is up to date (no take event)
    assert statuses.get(1, "up_to_date") in ("reused", "up_to_date") and statuses[2] == "rendered"
    with sqlite3.connect(folder / "story.db") as db:
        assert db.execute("select count(*) from takes").fetchone()[0] == 2
    assert events[-1]["text"] == "Done. Nothing in the plan changed."
