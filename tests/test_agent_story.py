"""A whole story directed through the agent with the offline director, as a person would."""

from __future__ import annotations

from pathlib import Path

from storyreel.agent.session import Session
from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project
from tests.conftest import Cli

SCRIPT = [
    "Mara is a woman in her thirties with short black hair, wearing a red raincoat.",
    "Meet Tom: an old fisherman with a white beard, wearing a navy sweater.",
    "At the harbour at dusk: wide establishing shot of the boats, 2 seconds. "
    "Then a tracking shot of Mara walking along the quay, 2 seconds.",
    "Medium shot of Tom mending a net, pans left, 2 seconds.",
    'Close-up of Mara, slow push-in, 2 seconds. She says "Come home."',
    "Over the shoulder shot of Tom watching her go, 2 seconds.",
]


def _session(folder: Path) -> Session:
    return Session(folder, offline=True, autopilot=False)


def test_five_shot_story_then_one_change_rerenders_one_shot(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Harbour")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    folder = tmp_path / "film"
    with _session(folder) as agent:
        first = list(agent.send(SCRIPT[0]))
        assert "offline director" in first[-1].text
        for message in SCRIPT[1:]:
            list(agent.send(message))
        plan = agent.project.memory.plan()
        assert [s.id for s in plan.ordered_shots()] == [1, 2, 3, 4, 5]
        assert plan.find_shot(4).dialogue == "Come home."
        assert plan.find_shot(4).characters == ["Mara"]
        assert {s.size.value for s in plan.shots} >= {"ELS", "CU"}
        events = list(agent.send("render"))
        assert "Every shot is already up to date." in events[-1].text  # auto-rendered as we went
        assert all(s.selected_take == 1 for s in agent.project.memory.plan().shots)
        events = list(agent.send("make shot 3 a close-up"))
        takes = [e.data for e in events if e.type == "take"]
        assert [(t["shot_id"], t["status"]) for t in takes] == [(3, "rendered")]
        assert agent.project.memory.plan().find_shot(3).size.value == "CU"
        assert [len(agent.project.memory.takes(i)) for i in range(1, 6)] == [1, 1, 2, 1, 1]
        events = list(agent.send("undo"))  # undoes the change, with its render's take choice
        shot3 = agent.project.memory.plan().find_shot(3)
        assert (shot3.size.value, shot3.selected_take) == ("MS", 1)
        assert [e for e in events if e.type == "take"] == []  # take 1 still fits: no render
        list(agent.send("redo"))
        shot3 = agent.project.memory.plan().find_shot(3)
        assert (shot3.size.value, shot3.selected_take) == ("CU", 2)
        events = list(agent.send("export"))
        assert [e.data["kind"] for e in events if e.type == "artifact"] == [
            "cut",
            "storyboard",
            "timeline",
        ]
    # the conversation and the plan survive a restart
    with _session(folder) as again:
        assert again.memo().get("told_offline") is True
        assert len(again.project.memory.plan().shots) == 5


def test_say_prints_changes_and_reply_for_people(tmp_path: Path) -> None:
    Project.create(tmp_path / "film", title="T").close()
    cli = Cli(tmp_path / "film")
    out = cli("say", "Mara is a tall woman in a red raincoat.", "--offline").stdout
    assert "  • Added character @mara" in out and "Added Mara." in out
    out = cli("say", "Delete shot 9", "--offline").stdout
    assert "shot 9" in out
    cli("say", "blorp zzz", "--offline", "--json")
