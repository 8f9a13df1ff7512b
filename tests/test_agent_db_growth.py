"""agent.db grows with the conversation, not with the plan: a turn's checkpoints hold the
shots it rendered, not every shot of the plan; a stopped turn still resumes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storyreel.agent import nodes
from storyreel.agent.session import Session
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, SetStyle
from storyreel.tools.project import Project
from storyreel.tools.rendering import RenderReport, ShotOutcome

TURNS = ["make shot 2 a close-up", "make shot 2 a wide shot"]


def build_plan(folder: Path, shots: int) -> Path:
    """A story of `shots` shots, added 100 at a time (one revision per batch)."""
    project = Project.create(folder, title="Growth")
    project.memory.apply(
        [
            SetStyle(resolution="180p", fps=8),
            AddCharacter(name="Mara", description="a tall woman in a red raincoat"),
            AddLocation(name="Harbour", description="a stone quay"),
        ]
    )
    for start in range(0, shots, 100):
        batch = range(start, min(shots, start + 100))
        project.memory.apply(
            [
                AddShot(action=f"Mara waits {i}", characters=["Mara"], location="Harbour")
                for i in batch
            ]
        )
    project.close()
    return folder


def every_other_shot_up_to_date(
    project: Project, executor: object, shot_ids: object = None, **kwargs: Any
) -> RenderReport:
    """Stands in for `render_shots` as it reports a plan whose shots all have takes: shot 2
    (the one the turns change) rendered, every other shot up to date. A real render of
    300 shots would take minutes; what the checkpoints hold depends only on this report."""
    report = RenderReport()
    for shot in project.memory.plan().ordered_shots():
        changed = shot.id == 2
        report.outcomes.append(
            ShotOutcome(
                shot.id,
                "rendered" if changed else "up_to_date",
                None,
                f"shot {shot.id}: {'rendered' if changed else 'up to date'}",
            )
        )
    return report


def stored_bytes(folder: Path) -> int:
    """Bytes of conversation state in agent.db: every checkpoint and pending write."""
    with sqlite3.connect(folder / "agent.db") as db:
        checkpoints = db.execute(
            "SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints"
        ).fetchone()[0]
        writes = db.execute("SELECT coalesce(sum(length(value)), 0) FROM writes").fetchone()[0]
    return int(checkpoints + writes)


def bytes_per_turn(folder: Path, prune: bool) -> tuple[int, str]:
    """Bytes the last of a few offline turns added to agent.db (with pruning: what it
    keeps), and that turn's reply."""
    sizes = []
    with Session(folder, offline=True, autopilot=True) as session:
        session.prune_checkpoints = prune
        for turn in range(4):
            events = list(session.send(TURNS[turn % 2]))
            sizes.append(stored_bytes(folder))
    return (sizes[-1] - sizes[-2]) if not prune else sizes[-1], events[-1].text


@pytest.fixture
def fast_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nodes, "render_shots", every_other_shot_up_to_date)


@pytest.mark.parametrize("prune", [False, True], ids=["every checkpoint", "pruned"])
def test_a_turn_adds_as_many_bytes_to_a_big_plan_as_to_a_small_one(
    tmp_path: Path, fast_renders: None, prune: bool
) -> None:
    small, said_small = bytes_per_turn(build_plan(tmp_path / "small", 10), prune)
    big, said_big = bytes_per_turn(build_plan(tmp_path / "big", 300), prune)
    assert said_small == said_big  # the reply says the same
    assert "Rendered shot 2." in said_big
    assert big < 1.3 * small, (small, big)


def test_a_turn_that_renders_nothing_still_says_every_shot_is_up_to_date(
    tmp_path: Path, fast_renders: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def all_up_to_date(project: Project, *args: object, **kwargs: object) -> RenderReport:
        plan = project.memory.plan()
        return RenderReport(
            [ShotOutcome(s.id, "up_to_date", None, "") for s in plan.ordered_shots()]
        )

    monkeypatch.setattr(nodes, "render_shots", all_up_to_date)
    folder = build_plan(tmp_path / "film", 30)
    with Session(folder, offline=True, autopilot=True) as session:
        events = list(session.send("render"))
        state = session.graph.get_state(session.config).values
    assert events[-1].text.endswith("Every shot is already up to date.")
    assert state["rendered"] == [] and state["up_to_date"] == 30


def test_a_stopped_turn_resumes_and_keeps_only_its_own_shots(tmp_path: Path) -> None:
    folder = build_plan(tmp_path / "film", 3)
    with Session(folder, offline=True, autopilot=True) as session:
        list(session.send("render"))
        session.project.memory.apply(
            [AddShot(action=f"The sea {i}", duration_s=1) for i in range(2)]
        )
        for event in session.send("render"):
            if event.type == "take":
                session.cancel()  # after the first new shot: the second one is dropped
        assert session.unfinished()
    with Session(folder, offline=True, autopilot=True) as again:
        finished = list(again.resume_unfinished())
        assert [e.data["shot_id"] for e in finished if e.type == "take"] == [5]
        assert not again.unfinished()
        state = again.graph.get_state(again.config).values
    assert finished[-1].text.endswith("Rendered shot 5.")
    assert [item["shot_id"] for item in state["rendered"]] == [5]
    assert state["up_to_date"] == 4  # shots 1-3 and shot 4, rendered before the stop
