"""A turn that changes nothing is answered without the graph (and without LangGraph).

`Session._quiet_reply` reads the thread's recorded status (`agent.thread_status`);
these tests check what a person would notice: the same reply, the same transcript,
the conversation going on afterwards, a waiting question still answered, and a record
made stale by a turn that ran since.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storyreel.agent.session import Session
from storyreel.agent.thread_status import current_status, record_status
from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project

EXE = str(Path(sys.executable).with_name("storyreel"))
OPENING = "Mara, a tall woman in a red raincoat, waits on the pier at dusk. Wide shot."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = Project.create(tmp_path / "film", title="Quiet")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return tmp_path / "film"


def checkpoints(folder: Path) -> int:
    with sqlite3.connect(str(folder / "agent.db")) as conn:
        return conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0]


def say(folder: Path, text: str, *, importtime: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    env.pop("STORYREEL_MODEL", None)
    if importtime:
        env["PYTHONPROFILEIMPORTTIME"] = "1"
    args = [EXE, "say", "--offline", "--json", "--yes", text, "-p", str(folder)]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


def test_a_turn_that_changes_nothing_gives_the_graphs_reply_without_loading_langgraph(
    folder: Path,
) -> None:
    assert say(folder, OPENING).returncode == 0
    quiet = say(folder, "hello", importtime=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "langgraph" not in quiet.stderr and "langchain" not in quiet.stderr
    with sqlite3.connect(str(folder / "agent.db")) as conn:  # an older store: no record
        conn.execute("DROP TABLE thread_status")
    through_graph = say(folder, "hello", importtime=True)
    assert "langgraph" in through_graph.stderr  # the check above can fail
    assert [json.loads(line) for line in quiet.stdout.splitlines()] == [
        json.loads(line) for line in through_graph.stdout.splitlines()
    ]
    event = json.loads(quiet.stdout.splitlines()[-1])
    assert event["type"] == "reply" and "I didn't catch any direction" in event["text"]
    assert event["data"] == {"changed": False, "problems": [], "director_failed": False}


def test_the_conversation_goes_on_after_a_quiet_turn(folder: Path) -> None:
    with Session(folder, offline=True, autopilot=True, auto_render=False) as session:
        list(session.send(OPENING))
        before = checkpoints(folder)
        events = list(session.send("hello"))
        assert [e.type for e in events] == ["reply"]
        assert checkpoints(folder) == before  # the graph did not run
        lines = [(line.role, line.text) for line in session.transcript.recent(2)]
        assert lines == [("person", "hello"), ("agent", events[0].text)]
    with Session(folder, offline=True, autopilot=True, auto_render=False) as again:
        list(again.send("She sits down on a crate. Close-up."))
        plan = again.project.memory.plan()
    assert [shot.characters for shot in plan.ordered_shots()] == [["Mara"], ["Mara"]]
    assert plan.ordered_shots()[-1].size.value == "CU"


def test_a_waiting_question_is_answered_even_by_words_that_change_nothing(folder: Path) -> None:
    with Session(folder, offline=True, autopilot=True) as session:  # a take: removing asks
        list(session.send(OPENING))
    with Session(folder, offline=True, auto_render=False) as session:
        asked = list(session.send("Remove shot 1."))
        assert asked[-1].type == "question"
    with Session(folder, offline=True, auto_render=False) as session:
        list(session.send("yes"))
        assert not session.project.memory.plan().shots


def test_a_turn_that_ran_since_the_record_makes_it_stale(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(folder, offline=True, autopilot=True) as session:  # a take: removing asks
        list(session.send(OPENING))
    assert current_status(folder / "agent.db", "main") is not None
    # a turn that stopped before recording (a killed process): it left a question waiting
    monkeypatch.setattr(Session, "_record_status", lambda self: None)
    with Session(folder, offline=True, auto_render=False) as session:
        assert list(session.send("Remove shot 1."))[-1].type == "question"
    monkeypatch.undo()
    assert current_status(folder / "agent.db", "main") is None
    with Session(folder, offline=True, auto_render=False) as session:
        list(session.send("yes"))
        assert not session.project.memory.plan().shots


def test_a_memo_json_would_change_is_not_recorded_for_quiet_turns(folder: Path) -> None:
    with Session(folder, offline=True, autopilot=True, auto_render=False) as session:
        list(session.send(OPENING))
    path = folder / "agent.db"
    record_status(path, "main", False, False, {"told_offline": True})
    assert current_status(path, "main").memo == {"told_offline": True}
    record_status(path, "main", False, False, {"shots": (1, 2), 3: "three"})
    assert current_status(path, "main").memo is None
    assert current_status(path, "another thread") is None
