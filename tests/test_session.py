"""The directing loop through the Session API, with a scripted model on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.agent.events import AgentEvent
from storyreel.agent.llm_director import LLMDirector, LLMSettings
from storyreel.agent.session import Session
from storyreel.tools.edits import SetStyle
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from tests.fake_llm import FakeLLM, reply

BUILD = reply(
    "Mara at the harbour, two shots.",
    [
        {
            "kind": "add_character",
            "name": "Mara",
            "description": "a tall woman",
            "wardrobe": "red raincoat",
            "voice": "",
        },
        {
            "kind": "add_location",
            "name": "Harbour",
            "description": "stone quay",
            "time_of_day": "dusk",
            "weather": "",
            "key_light": "left",
            "palette": [],
        },
        {
            "kind": "add_shot",
            "action": "Mara on the quay",
            "size": "LS",
            "characters": ["Mara"],
            "location": "Harbour",
            "duration_s": 2,
        },
        {
            "kind": "add_shot",
            "action": "Mara reads",
            "size": "CU",
            "movement": "dolly_in",
            "characters": ["Mara"],
            "location": "Harbour",
            "duration_s": 2,
        },
    ],
)
REMOVE_2 = reply("Removing shot 2.", [{"kind": "remove_shot", "shot_id": 2}])


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM().running() as fake:
        yield fake


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = Project.create(tmp_path / "film", title="Test")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return tmp_path / "film"


def session(folder: Path, llm: FakeLLM, **options: object) -> Session:
    settings = LLMSettings(base_url=llm.url, api_key="t", model="m", timeout_s=5, max_retries=0)
    return Session(folder, director=LLMDirector(settings), **options)


def kinds(events: list[AgentEvent]) -> list[str]:
    return [e.type for e in events]


def test_a_turn_changes_the_plan_renders_and_reports(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD]
    with session(folder, llm) as s:
        events = list(s.send("Open on Mara at the harbour"))
        plan = s.project.memory.plan()
    assert [shot.id for shot in plan.shots] == [1, 2]
    assert kinds(events)[0] == "plan" and kinds(events)[-1] == "reply"
    assert "progress" in kinds(events)
    takes = [e for e in events if e.type == "take"]
    assert [(e.data["shot_id"], e.data["status"]) for e in takes] == [
        (1, "rendered"),
        (2, "rendered"),
    ]
    final = events[-1].text
    assert final.startswith("Mara at the harbour, two shots.")
    assert "Rendered shots 1, 2." in final
    changes = events[0].data["lines"]
    assert changes[0] == "Added character @mara" and "Added shot 1 (LS, static, 2 s)" in changes


def test_destructive_edit_waits_for_approval(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD, REMOVE_2, REMOVE_2]
    with session(folder, llm) as s:
        list(s.send("build"))
        events = list(s.send("remove shot 2"))
        assert events[-1].type == "question"
        assert "remove shot 2, which has 1 take(s)" in events[-1].text
        assert s.pending_question().choices == ["yes", "no"]
        assert len(s.project.memory.plan().shots) == 2  # nothing removed yet
        declined = list(s.answer("no"))
        assert "Okay, I left that alone." in declined[-1].text
        assert "plan" not in kinds(declined)
        assert len(s.project.memory.plan().shots) == 2
        list(s.send("remove shot 2"))
        approved = list(s.send("yes"))  # a pending question is answered by the next message
        assert s.pending_question() is None
        assert [shot.id for shot in s.project.memory.plan().shots] == [1]
        changes = [e for e in approved if e.type == "plan"]
        assert changes[0].data["lines"] == ["Removed shot 2"]


def test_autopilot_skips_approval(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD, REMOVE_2]
    with session(folder, llm, autopilot=True) as s:
        list(s.send("build"))
        events = list(s.send("remove shot 2"))
        assert "question" not in kinds(events)
        assert [shot.id for shot in s.project.memory.plan().shots] == [1]


def test_director_question_and_answer(folder: Path, llm: FakeLLM) -> None:
    llm.script = [
        reply("", [{"kind": "ask", "question": "Who is 'she'?", "choices": ["Mara", "Ana"]}]),
        reply(
            "Got it.",
            [
                {
                    "kind": "set_style",
                    "title": "Mara's Night",
                    "aspect": None,
                    "resolution": None,
                    "fps": None,
                    "look": None,
                    "negative_prompt": None,
                }
            ],
        ),
    ]
    with session(folder, llm) as s:
        events = list(s.send("she walks in"))
        assert events[-1].type == "question" and events[-1].data["choices"] == ["Mara", "Ana"]
        list(s.answer("Mara"))
        assert s.project.memory.plan().title == "Mara's Night"
    assert llm.requests[1]["messages"][-1]["content"] == "Mara"


def test_bad_edits_from_the_model_change_nothing(folder: Path, llm: FakeLLM) -> None:
    llm.script = [
        reply(
            "Adding a shot with Zed.",
            [{"kind": "add_shot", "action": "Zed waves", "characters": ["Zed"]}],
        )
    ]
    with session(folder, llm) as s:
        events = list(s.send("Zed waves"))
        assert s.project.memory.plan().shots == []
    assert "I could not make that change: no character called 'Zed'" in events[-1].text


def test_answer_without_a_question(folder: Path, llm: FakeLLM) -> None:
    with session(folder, llm) as s, pytest.raises(StoryreelError, match="no question waiting"):
        list(s.answer("yes"))


def test_session_survives_a_restart(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD, REMOVE_2]
    with session(folder, llm) as s:
        list(s.send("build"))
        list(s.send("remove shot 2"))
    with session(folder, llm) as again:
        assert again.pending_question() is not None
        list(again.answer("yes"))
        assert [shot.id for shot in again.project.memory.plan().shots] == [1]
        assert len(again.memo()["history"]) == 4


def test_cancel_stops_the_render_and_the_next_session_finishes_it(
    folder: Path, llm: FakeLLM
) -> None:
    llm.script = [BUILD]
    with session(folder, llm) as s:
        events: list[AgentEvent] = []
        for event in s.send("build"):
            events.append(event)
            if event.type == "take":  # shot 1 is done: stop while shot 2 renders
                s.cancel()
        assert events[-1].type == "notice" and events[-1].data == {"cancelled": True}
        assert "Finished takes are kept" in events[-1].text
        assert s.unfinished()
        assert {i for i, t in s.project.memory.takes_by_shot().items() if t} == {1}
    with session(folder, llm) as again:
        assert again.unfinished()
        finished = list(again.resume_unfinished())
        assert not again.unfinished()
        assert [e.data["shot_id"] for e in finished if e.type == "take"] == [2]
        assert finished[-1].type == "reply"
        assert {i for i, t in again.project.memory.takes_by_shot().items() if t} == {1, 2}


def test_act_carries_out_edits_without_the_director(folder: Path, llm: FakeLLM) -> None:
    from storyreel.tools.edits import RenderShots, SetLock, UndoChange

    llm.script = [BUILD]
    with session(folder, llm) as s:
        list(s.send("build"))
        asked = len(llm.requests)
        locked = list(s.act([SetLock(shot_id=1, locked=True)], label="lock shot 1"))
        assert s.project.memory.plan().shots[0].locked
        assert locked[0].type == "plan" and locked[0].data["lines"] == ["Locked shot 1"]
        retake = list(s.act([RenderShots(shot_ids=[2], force=True)], reply="Retaking shot 2."))
        assert [(e.data["shot_id"], e.data["take"]) for e in retake if e.type == "take"] == [(2, 2)]
        assert retake[-1].text.startswith("Retaking shot 2.")
        list(s.act([UndoChange()]))
        assert len(llm.requests) == asked  # the model was never asked
    with session(folder, llm) as again:  # undo took back the lock (a retake is not a change)
        assert not again.project.memory.plan().shots[0].locked
        list(llm_free_question(again))
        with pytest.raises(StoryreelError, match="answer the question I asked first"):
            list(again.act([SetLock(shot_id=1, locked=True)]))


def llm_free_question(s: Session) -> Iterator[AgentEvent]:
    """Ask a question through `act` (the director is not involved)."""
    from storyreel.tools.edits import AskPerson

    yield from s.act([AskPerson(question="Which one?", choices=["a", "b"])])


def test_the_transcript_survives_a_restart(folder: Path, llm: FakeLLM) -> None:
    llm.script = [BUILD, REMOVE_2]
    with session(folder, llm) as s:
        list(s.send("build"))
        list(s.send("remove shot 2"))
    with session(folder, llm) as again:
        lines = [(line.role, line.text.splitlines()[0]) for line in again.transcript.recent()]
        list(again.answer("no"))
        assert [line.role for line in again.transcript.recent(2)] == ["person", "agent"]
    assert lines == [
        ("person", "build"),
        ("agent", "Mara at the harbour, two shots."),
        ("person", "remove shot 2"),
        ("agent", "This will remove shot 2, which has 1 take(s). Go ahead? (yes / no)"),
    ]


def test_act_with_only_an_attachment_names_its_handle(
    folder: Path, llm: FakeLLM, tmp_path: Path
) -> None:
    from PIL import Image

    photo = tmp_path / "harbour.png"
    Image.new("RGB", (64, 36), (20, 60, 90)).save(photo)
    with session(folder, llm) as s:
        events = list(s.act([], label="attach harbour.png", attachments=[str(photo)]))
        assert [r.handle for r in s.project.memory.plan().references] == ["@image1"]
    assert events[-1].type == "reply"
    assert events[-1].text == "Added @image1 is harbour.png (image)."
    assert not llm.requests


def test_offline_director_asks_about_an_unknown_handle_then_carries_on(folder: Path) -> None:
    with Session(folder, offline=True) as s:
        events = list(s.send("A wide shot of @lena on the pier, 2 seconds."))
        assert events[-1].type == "question" and "I don't know @lena yet" in events[-1].text
        assert not s.project.memory.plan().shots
        done = list(s.send("Lena is a young sailor in a yellow coat."))
        plan = s.project.memory.plan()
    assert [c.name for c in plan.characters] == ["Lena"]
    assert [shot.characters for shot in plan.shots] == [["Lena"]]
    assert any(e.type == "take" for e in done)


def test_a_photo_sent_with_this_is_binds_to_the_character_or_the_place(
    folder: Path, tmp_path: Path
) -> None:
    from PIL import Image

    face, quay = tmp_path / "face.png", tmp_path / "quay.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(face)
    Image.new("RGB", (64, 36), (40, 90, 140)).save(quay)
    with Session(folder, offline=True) as s:
        list(s.send("Mara is a woman in a red raincoat. At the harbour: a wide shot of Mara."))
        mara = list(s.send("this is Mara", [str(face)]))
        harbour = list(s.send("here's the harbour", [str(quay)]))
        plain = list(s.send("Close-up of Mara, 2 seconds.", [str(quay)]))  # known bytes
        plan = s.project.memory.plan()
    assert mara[-1].text.startswith("@image1 is now Mara's reference: every shot with Mara")
    assert harbour[-1].text.startswith("@image2 is now Harbour's reference: every shot at")
    refs = {r.handle: (r.entity, r.role.value) for r in plan.references}
    assert refs == {"@image1": ("Mara", "subject"), "@image2": ("Harbour", "location")}
    assert [shot.action for shot in plan.shots] == ["Mara", "Mara"]  # no phantom shots
    assert not any("Attached" in e.text for e in plain)


def test_files_can_be_added_while_a_question_waits(folder: Path, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "pier.png"
    Image.new("RGB", (64, 36), (10, 90, 60)).save(photo)
    with Session(folder, offline=True) as s:
        asked = list(s.send("A wide shot of @lena on the pier, 2 seconds."))
        assert asked[-1].type == "question"
        events = list(s.act([], label="attach pier.png", attachments=[str(photo)]))
        assert s.pending_question() is not None  # still waiting
        assert [r.handle for r in s.project.memory.plan().references] == ["@image1"]
        with pytest.raises(StoryreelError, match="answer the question I asked first"):
            list(s.act([SetStyle(fps=12)]))
    assert [e.type for e in events] == ["notice", "reply"]
    assert events[-1].text == "Added @image1. My question above is still waiting for your answer."
