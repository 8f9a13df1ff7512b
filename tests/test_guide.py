"""The guided session: a group answers short questions and a film takes shape.

Driven through the Session API (what every front end uses) with the offline director and
the previz renderer: the answers become the bible and covered shots, each part is
rendered and cut, the guide can be paused, resumed after a restart, skipped, and
interrupted by changes and commands; with a language model each answer reaches the model
with the question it answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.agent.events import AgentEvent
from storyreel.agent.guide import GuideState, goes_on
from storyreel.agent.guide_answers import (
    read_events,
    read_looks,
    read_people,
    read_place,
    read_sounds,
)
from storyreel.agent.session import Session
from storyreel.apps.tui.app import StoryreelApp
from storyreel.tools.edits import AddCharacter, AddShot, ExportFilm
from storyreel.tools.project import Project
from storyreel.tools.story import StoryPlan
from tests.fake_llm import FakeLLM, reply
from tests.tui_helpers import drive, idle, new_story, rows, type_line, until

# -- the answers, read by rules ---------------------------------------------------------

PEOPLE = [
    ("My grandma Rose", [("Rose", "grandma")]),
    ("Rose, my grandmother.", [("Rose", "grandmother")]),
    (
        "It's about my grandfather Joe and his brother Sam",
        [("Joe", "grandfather"), ("Sam", "brother")],
    ),
    ("A girl called Mia and her dog Biscuit", [("Mia", "girl"), ("Biscuit", "dog")]),
    ("Two friends, Ana and Leo", [("Ana", "friends"), ("Leo", "friends")]),
    ("The story is about Old Tom, a fisherman", [("Old Tom", "fisherman")]),
    ("a crow and an old farmer called Jonas", [("Crow", "crow"), ("Jonas", "farmer")]),
    ("Our teacher, Mr Patel", [("Mr Patel", "teacher")]),
    ("grandpa", [("Grandpa", "grandpa")]),
    ("rose and tom", [("Rose", ""), ("Tom", "")]),
    ("my uncle who kept a lighthouse", [("Uncle", "lighthouse")]),
    ("Lily and her grandad", [("Lily", ""), ("Grandad", "grandad")]),
    (
        "um its about a wizard called merlin and a boy called arthur and arthurs best friend kay",
        [("Merlin", "wizard"), ("Arthur", "boy"), ("Kay", "best friend")],
    ),
    (
        "Our class picked a baker named Rosa Diaz, who gets up early, and a cat she rescued, "
        "called Pepper.",
        [("Rosa Diaz", "baker"), ("Pepper", "cat")],
    ),
    ("its about me, sam, and my buddy leo", [("Sam", "narrator"), ("Leo", "buddy")]),
    (
        "The story is about my grandfather Ahmed and me when I was a little boy, my name is Yusuf.",
        [("Ahmed", "grandfather"), ("Yusuf", "narrator as a child")],
    ),
    (
        "Right, this is one my dad tells every Easter. It's about my Auntie Grace, who ran a cafe, "
        "and Mr Boateng, who fixed radios. Everybody loved them.",
        [("Auntie Grace", "ran a cafe"), ("Mr Boateng", "fixed radios")],
    ),
    (
        "A pilot called Captain Nova and her robot dog, K-9.",
        [("Captain Nova", "pilot"), ("K-9", "robot dog")],
    ),
    (
        "the class chose mrs jones our head teacher and also the class goldfish bubbles",
        [("Mrs Jones", "head teacher"), ("Bubbles", "goldfish")],
    ),
    ("Only my husband, George. He died two years ago.", [("George", "husband")]),
    (
        "Two brothers. Tom and Jack. They are farmers in Wales, from Ireland.",
        [("Tom", "brothers"), ("Jack", "brothers")],
    ),
    (
        "Four cousins: Catherine, Jonathan (Jon to everyone), and the little one, Pip.",
        [("Catherine", "cousins"), ("Jonathan", "cousins"), ("Pip", "little one")],
    ),
    ("a woman, her name is Mrs Lee, and her son Jin", [("Mrs Lee", "woman"), ("Jin", "son")]),
    ("a thief who is really a fox, Sir Fluff", [("Sir Fluff", "thief")]),
    (
        "ME!! i am Captain Comet and my little brother is Mini Bolt",
        [("Captain Comet", "narrator"), ("Mini Bolt", "brother")],
    ),
    (
        "A toymaker, Old Gustav, and his helper, a wooden boy called Pin.",
        [("Old Gustav", "toymaker"), ("Pin", "wooden boy")],
    ),
]


@pytest.mark.parametrize(("answer", "expected"), PEOPLE)
def test_who_answers_name_the_people_and_who_they_are(
    answer: str, expected: list[tuple[str, str]]
) -> None:
    people = read_people(answer)
    assert [p.name for p in people] == [name for name, _ in expected]
    for person, (_, role) in zip(people, expected, strict=True):
        assert role in person.description.lower()


@pytest.mark.parametrize(
    ("answer", "body", "clothes"),
    [
        ("She has grey curly hair and always wears a blue cardigan", "grey curly hair", "cardigan"),
        ("skinny, freckles, a red woolly hat", "freckles", "red woolly hat"),
        ("tall, with a beard, wearing a yellow raincoat", "beard", "yellow raincoat"),
        (
            "blonde hair in a ponytail, blue eyes, yellow raincoat and wellies",
            "ponytail",
            "wellies",
        ),
        ("a red coat and boots", "", "red coat"),
    ],
)
def test_looks_are_split_into_body_and_clothes(answer: str, body: str, clothes: str) -> None:
    looks = read_looks(answer)
    assert looks is not None
    assert body in looks.description and clothes in looks.wardrobe
    assert clothes not in looks.description


@pytest.mark.parametrize(
    ("answer", "name", "time"),
    [
        ("A little fishing village by the sea, early in the morning", "Fishing village", "morning"),
        ("At the harbour at dusk", "Harbour", "dusk"),
        ("It happens in grandma's kitchen at night", "Grandma's kitchen", "night"),
        ("on a farm in the rain", "Farm", None),
        ("In the forest behind our school", "Forest", None),
    ],
)
def test_where_answers_name_a_place_and_its_time(answer: str, name: str, time: str | None) -> None:
    place = read_place(answer)
    assert place is not None and place.name == name
    assert (place.time_of_day.value if place.time_of_day else None) == time


@pytest.mark.parametrize(
    ("answer", "name", "time"),
    [
        ("in an enchanted wood at nite", "Enchanted wood", "night"),
        ("Max's bedroom at bedtime", "Max's bedroom", "night"),
        ("the skatepark behind the shops. after school", "Skatepark", "afternoon"),
        ("The old bus stop on a dusty road, when the sun goes orange.", "Bus stop", "golden_hour"),
        ("under the big oak tree", "Oak tree", None),
        ("the fields behind St John's school, 4 in the morning", "Fields", "night"),
        ("our road after tea, when the street lights come on", "Road", "dusk"),
        ("Tokyo in the rain", "Tokyo", None),
    ],
)
def test_everyday_places_and_times(answer: str, name: str, time: str | None) -> None:
    place = read_place(answer)
    assert place is not None and place.name == name
    assert (place.time_of_day.value if place.time_of_day else None) == time


CAST = StoryPlan.model_validate(
    {
        "characters": [
            {"name": "Zara", "description": "a girl"},
            {"name": "Uncle Ray", "description": "my uncle"},
            {"name": "Mrs Okafor", "description": "a corn seller"},
            {"name": "B-12", "description": "a robot"},
            {"name": "Vega", "description": "a pilot"},
        ]
    }
)


@pytest.mark.parametrize(
    ("answer", "lines", "music"),
    [
        (
            "zara shouts 'come back here!' and like epic music",
            [("come back here!", "Zara")],
            "epic music",
        ),
        (
            "Uncle Ray says 'Never late!' and Mrs Okafor says 'Eat, eat.' Highlife is good.",
            [("Never late!", "Uncle Ray"), ("Eat, eat.", "Mrs Okafor")],
            "Highlife",
        ),
        (
            "B-12: Water detected. Vega: Good job, buddy.",
            [("Water detected.", "B-12"), ("Good job, buddy.", "Vega")],
            "",
        ),
        (
            "Narrator: Nobody had seen her before. And a little music box tune.",
            [("Nobody had seen her before.", None)],
            "music box tune",
        ),
        (
            '"Once upon a time," says a narrator, with soft piano.',
            [("Once upon a time,", None)],
            "soft piano",
        ),
        ("nothing really", [], ""),
    ],
)
def test_sounds_lines_in_any_quotes_or_after_a_name_and_music(
    answer: str, lines: list[tuple[str, str | None]], music: str
) -> None:
    sounds = read_sounds(answer, CAST)
    assert [(line.text, line.speaker) for line in sounds.lines] == lines
    assert sounds.music == music


@pytest.mark.parametrize(
    ("answer", "moves_on"),
    [
        ("Yes, that's lovely, go on.", True),
        ("That works for us, please continue.", True),
        ("sick, next", True),
        ("Very nice, we are happy.", True),
        ("nothing to change", True),
        ("ready for the next bit", True),
        ("it's good but make the sky darker", False),
        ("Could the opening shots be longer? Six seconds each.", False),
        ("Tom should have a red hat", False),
    ],
)
def test_go_on_in_many_words_and_a_change_is_never_taken_for_it(
    answer: str, moves_on: bool
) -> None:
    assert goes_on(answer) is moves_on


def test_events_keep_the_groups_words_one_sentence_an_event() -> None:
    assert read_events("Rose finds an old letter. Then she reads it and cries.") == [
        "Rose finds an old letter",
        "She reads it and cries",
    ]
    assert read_events("I don't know") == []


# -- a guided session through the Session API -------------------------------------------


def turn(session: Session, text: str) -> list[AgentEvent]:
    return list(session.send(text))


def questions(events: list[AgentEvent]) -> list[AgentEvent]:
    return [e for e in events if e.type == "question" and e.data.get("kind") == "guide"]


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A small story (180p, 12 fps): previz renders take a fraction of a second."""
    return new_story(tmp_path / "film")


@pytest.fixture
def story(project_dir: Path) -> Iterator[Session]:
    with Session(project_dir, offline=True, autopilot=True) as session:
        yield session


def test_a_group_makes_a_film_by_answering_questions(story: Session, project_dir: Path) -> None:
    events = turn(story, "guide us")
    asked = questions(events)
    assert asked and asked[-1].text.startswith("Who is the story about")
    assert asked[-1].data["number"] == 1 and asked[-1].data["hint"]
    assert story.guide_status() is not None and story.guide_status().step == "who"

    asked = questions(turn(story, "My grandmother Rose and her little brother Tom"))
    assert asked[-1].text.startswith("What does Rose look like")
    asked = questions(turn(story, "Grey curly hair, round glasses, always wears a blue cardigan"))
    assert asked[-1].text.startswith("What does Tom look like")
    turn(story, "skinny, freckles, a red woolly hat")
    asked = questions(turn(story, "A little fishing village by the sea, early in the morning"))
    assert asked[-1].text == "What happens first?"
    plan = story.project.memory.plan()
    assert [c.name for c in plan.characters] == ["Rose", "Tom"]
    rose, tom = plan.characters
    assert "grey curly hair" in rose.description and "cardigan" in rose.wardrobe
    assert "grandmother" in rose.description and "red woolly hat" in tom.wardrobe
    assert [loc.name for loc in plan.locations] == ["Fishing village"]
    assert plan.locations[0].time_of_day == "morning"
    assert plan.shots == []  # people and a place: no shots yet

    events = turn(story, "Rose walks down to the harbour. Tom waves from his boat.")
    plan = story.project.memory.plan()
    opening, *action = plan.shots
    assert opening.size == "ELS" and opening.characters == [] and opening.transition == "fade_in"
    assert [s.action for s in action] == [
        "Rose walks down to the harbour",
        "Tom waves from his boat",
    ]
    assert action[0].characters == ["Rose"] and action[1].characters == ["Tom"]
    assert all(s.location == "Fishing village" for s in plan.shots)
    assert all(story.project.memory.takes(s.id) for s in plan.shots)  # rendered
    cut = [e for e in events if e.type == "artifact" and e.text.startswith("cut")]
    assert cut and Path(cut[0].text.split(": ", 1)[1]).is_file()  # the film so far
    assert questions(events)[-1].data["step"] == "review"

    turn(story, "make it night")  # a change to the part just shown
    plan = story.project.memory.plan()
    assert all(s.time_of_day == "night" for s in plan.shots[:3])
    assert questions(turn(story, "go on"))[-1].text == "What goes wrong?"

    turn(story, "A storm comes in and Tom's boat does not come back.")
    plan = story.project.memory.plan()
    trouble, reaction = plan.shots[3:]
    assert trouble.characters == ["Tom"]
    assert reaction.size == "CU" and reaction.characters == ["Rose"]
    assert questions(turn(story, "looks good"))[-1].text == "How does it end?"

    turn(story, "Tom's boat comes home at dawn and Rose runs to hug him.")
    closing = story.project.memory.plan().shots[-1]
    assert closing.size == "ELS" and closing.transition == "fade_out"
    assert closing.movement == "crane_up"
    asked = questions(turn(story, "next"))
    assert asked[-1].data["step"] == "hear"

    events = turn(story, 'Rose says "I knew you would come home." And gentle piano music.')
    plan = story.project.memory.plan()
    spoken = [s for s in plan.shots if s.dialogue]
    assert [(s.dialogue, s.dialogue_speaker) for s in spoken] == [
        ("I knew you would come home.", "Rose")
    ]
    assert spoken[0].size == "CU"  # the speaker's closest shot
    said = " ".join(e.text for e in events if e.type == "reply")
    assert "music model" in said  # no music model here: said, not hidden
    assert questions(events)[-1].data["step"] == "review_all"

    events = turn(story, "make the film")
    assert any(e.type == "artifact" and e.text.startswith("cut") for e in events)
    assert story.guide_status() is None
    lines = [line.text for line in story.transcript.recent(200)]
    assert "Rose walks down to the harbour. Tom waves from his boat." in lines  # answers kept
    assert any(line.startswith("What goes wrong?") for line in lines)  # and the questions


def test_pause_and_resume_after_a_restart(project_dir: Path) -> None:
    with Session(project_dir, offline=True, autopilot=True) as session:
        turn(session, "guide us")
        turn(session, "a fox")
        events = turn(session, "pause")
        assert "Paused" in events[-1].text and session.guide_status() is None
        # while paused, messages go to the director as usual
        turn(session, "Fox should have a white tail")
    with Session(project_dir, offline=True, autopilot=True) as session:
        assert session.guide_status() is None
        asked = questions(turn(session, "guide us"))
        assert asked[-1].text.startswith("What does Fox look like")
        assert session.project.memory.plan().find_character("Fox") is not None


def test_skip_commands_and_unclear_answers(story: Session) -> None:
    turn(story, "guide us")
    asked = questions(turn(story, "hmm"))
    assert asked[-1].data["step"] == "who"  # no name: the same question again, with the hint
    turn(story, "Mara")
    asked = questions(turn(story, "skip"))
    assert asked[-1].data["step"] == "where"
    turn(story, "At the harbour at dusk")
    turn(story, "Mara waits on the pier.")
    shots = len(story.project.memory.plan().shots)
    asked = questions(turn(story, "undo"))  # a command while the guide waits
    assert len(story.project.memory.plan().shots) < shots
    assert asked[-1].data["step"] == "review"


def test_the_export_button_during_the_last_question_ends_the_guide(story: Session) -> None:
    story.guide.state.step = "review_all"  # the group reached the last question
    turn(story, "guide us")
    assert story.guide_status().step == "review_all"
    events = list(story.act([ExportFilm()], label="Make the film"))
    assert any(e.type == "artifact" for e in events) or story.project.memory.plan().shots == []
    assert events[-1].text.startswith("Your film is made!")
    assert story.guide_status() is None


def test_review_changes_said_of_the_part_weather_light_and_length(story: Session) -> None:
    for answer in ("guide us", "Mara", "skip", "a lighthouse on a cliff at dusk"):
        turn(story, answer)
    turn(story, "Mara climbs the stairs. She lights the lamp.")
    part = story.guide.state.shots["first"]
    before = {s.id: s.duration_s for s in story.project.memory.plan().shots}
    turn(story, "can you make it snow a bit")
    assert story.project.memory.plan().locations[0].weather == "snow"
    turn(story, "more candles, it should all be candlelight")
    plan = story.project.memory.plan()
    assert all("candle" in (plan.find_shot(i).lighting or "") for i in part)
    turn(story, "shorter pls")
    plan = story.project.memory.plan()
    assert all(plan.find_shot(i).duration_s < before[i] for i in part)
    turn(story, "the last one should be a close-up")  # of this part: its second shot
    assert story.project.memory.plan().find_shot(part[-1]).size == "CU"
    turn(story, "Mara should have a red scarf")  # looks: the director's, not the light
    plan = story.project.memory.plan()
    assert "red scarf" in plan.characters[0].wardrobe
    assert all("scarf" not in (plan.find_shot(i).lighting or "") for i in part)
    assert story.guide_status().step == "review"


def test_answer_routes_to_the_guide_and_a_new_guide_after_the_end(story: Session) -> None:
    turn(story, "guide us")
    events = list(story.answer("Old Tom, a fisherman"))
    assert questions(events)[-1].text.startswith("What does Old Tom look like")
    assert story.project.memory.plan().find_character("Old Tom") is not None


def test_guide_state_is_kept_per_session(project_dir: Path) -> None:
    with Session(project_dir, "one", offline=True) as one:
        turn(one, "guide us")
    with Session(project_dir, "two", offline=True) as two:
        assert two.guide_status() is None
        events = turn(two, "Open on Mara at the harbour at dusk, wide shot.")
        assert not questions(events)


def test_with_a_language_model_each_answer_reaches_it_with_its_question(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLM().running() as llm:
        monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("STORYREEL_MODEL", "test-model")
        llm.script = [
            reply(
                "Rose is in the story.",
                [{"kind": "add_character", "name": "Rose", "description": "a grandmother"}],
            )
        ]
        with Session(project_dir, autopilot=True) as session:
            assert session.director.name != "offline"
            turn(session, "guide us")
            asked = questions(turn(session, "my gran, Rose"))
            sent = json.dumps(llm.requests[-1]["messages"])
            assert "Who is the story about?" in sent and "my gran, Rose" in sent
            assert "No shots yet" in sent
            assert asked[-1].text.startswith("What does Rose look like")
            assert [c.name for c in session.project.memory.plan().characters] == ["Rose"]


def test_the_project_folder_holds_only_story_files(project_dir: Path) -> None:
    before = {p.name for p in project_dir.iterdir()}
    with Session(project_dir, offline=True) as session:
        turn(session, "guide us")
        turn(session, "pause")
    assert {p.name for p in project_dir.iterdir()} - before <= {
        "agent.db",
        "agent.db-wal",
        "agent.db-shm",
    }
    Project.open(project_dir).close()


def test_chat_guided_opens_with_the_first_question_and_resumes_it(project_dir: Path) -> None:
    seen: dict[str, object] = {}

    async def answer_two(app: StoryreelApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await until(app, pilot, lambda: "Who is the story about?" in app.chat.text())
        await idle(app, pilot)
        await type_line(app, pilot, "Grandpa Joe")
        await type_line(app, pilot, "a flat cap and a walking stick")
        await type_line(app, pilot, "a farm at dawn")
        await type_line(app, pilot, "Joe feeds the hens.")
        await idle(app, pilot)
        seen["chat"] = app.chat.text()
        seen["rows"] = rows(app)

    drive(project_dir, answer_two, guided=True)
    chat = str(seen["chat"])
    assert "What does Grandpa Joe look like?" in chat and "What happens first?" in chat
    assert "What would you change?" in chat
    assert [row[2] for row in seen["rows"]] == ["ELS", "MS"]  # establishing, then the action

    async def reopen(app: StoryreelApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await idle(app, pilot)
        seen["chat"] = app.chat.text()

    drive(project_dir, reopen)  # without --guided: the waiting question is shown again
    assert 'Say "go on" when you are happy with it.' in str(seen["chat"]).split("Welcome")[-1]


def test_a_long_line_makes_its_shot_long_enough_to_be_heard(story: Session) -> None:
    setup = [AddCharacter(name="Pip", description="a hedgehog"), AddShot(action="A wood")]
    list(story.act(setup, label="set up"))
    story.guide.state = GuideState(active=True, step="hear", people=["Pip"])
    events = turn(
        story,
        '"Once upon a time, in a wood far away, there lived a hedgehog called Pip," '
        "says the narrator.",
    )
    shot = story.project.memory.plan().shots[0]
    assert shot.dialogue.startswith("Once upon a time") and shot.dialogue_speaker is None
    assert shot.duration_s >= 6.0  # 15 words at 2.5 a second, and a breath
    assert not [e for e in events if e.type == "problem"]
