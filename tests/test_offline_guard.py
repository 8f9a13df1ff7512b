"""The offline director's junk-shot guard: remarks, questions and changes asked of shots that
exist never become new shots; a change that is clear is made, else the reply says so."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.agent.offline import OfflineDirector
from storyreel.tools.edits import (
    AddLocation,
    AddShot,
    MoveShot,
    RemoveShot,
    SetLock,
    UpdateCharacter,
    UpdateShot,
)
from storyreel.tools.story import StoryPlan
from tests.test_offline_commands import build_film
from tests.test_offline_director import apply


@pytest.fixture(scope="module")
def film() -> StoryPlan:
    """Shots 1 harbour, 2 Tom mends the nets, 3 crow on a post, 4 storm, 5 Mara reads the
    letter, 6 nets drying, 7 Tom and Mara argue."""
    return build_film()


def say(text: str, plan: StoryPlan) -> Any:
    return OfflineDirector().direct(text, plan, {"told_offline": True})


def added(reply: Any) -> list[AddShot]:
    return [e for e in reply.edits if isinstance(e, AddShot)]


def updates(reply: Any) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for edit in reply.edits:
        if isinstance(edit, UpdateShot):
            fields = edit.model_dump(exclude_none=True, exclude={"kind", "shot_id", "clear"})
            out.setdefault(edit.shot_id, {}).update(
                {k: getattr(v, "value", v) for k, v in fields.items()}
            )
    return out


REMARKS = [
    "sorry my grandson is shouting at me, back in a min",
    "brb",
    "Thoughts on the pacing so far?",
    "is it too slow?",
    "what do you think of the ending?",
    "does the storm shot work?",
    "how's it looking so far?",
    "any notes on the crow one?",
    "is the harbour shot too long?",
    "hmm the crow one feels too long",
    "the pacing is a bit slow",
    "the storm shot is perfect",
    "the opening drags a bit",
    "the crow one doesn't work",
    "the storm shot isn't working for me",
    "love the crow one",
    "ok so the ending feels kind of rushed",
    "do u think anyone will actually watch this lol",
    "do you reckon the crow shot works",
]


@pytest.mark.parametrize("text", REMARKS)
def test_a_remark_or_question_changes_nothing(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not reply.edits, reply.edits
    assert reply.reply  # always something said back


def test_a_remark_about_a_shot_says_which_and_how_to_change_it(film: StoryPlan) -> None:
    reply = say("hmm the crow one feels too long", film)
    assert "shot 3" in reply.reply and "changed nothing" in reply.reply


RETIMES = [
    ("The crow on the post: 8 seconds, not 10.", 3, {"duration_s": 8}),
    ("The storm: 3 seconds instead of 4.", 4, {"duration_s": 3}),
    ("the nets drying - 6 secs", 6, {"duration_s": 6}),
    ("The storm at sea: on a longer lens, 85.", 4, {"lens_mm": 85}),
    ("the storm: on a longer lens, 85, and hold it eight seconds", 4,
     {"lens_mm": 85, "duration_s": 8}),
    ("the argument: handheld, not static", 7, {"movement": "handheld"}),
    ("Shot 1: not a static frame. Slow zoom into the harbour.", 1, {"movement": "zoom_in"}),
    ("Shot 4: not static. Slow push in on the storm.", 4, {"movement": "dolly_in"}),
    ("could u make the crow one 6 seconds", 3, {"duration_s": 6}),
    ("pls make the storm shot 3 seconds", 4, {"duration_s": 3}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shot_id", "fields"), RETIMES)
def test_a_change_named_by_content_is_made_and_adds_no_shot(
    film: StoryPlan, text: str, shot_id: int, fields: dict[str, Any]
) -> None:
    reply = say(text, film)
    assert not added(reply), [s.action for s in added(reply)]
    changed = updates(reply)
    assert set(changed) == {shot_id}, changed
    for key, value in fields.items():
        assert changed[shot_id][key] == value, key
    assert changed[shot_id].get("movement") != "static"  # "not static" is never applied


DISMISSED = [
    ("the crow one can go", 3),
    ("the storm shot has to go", 4),
    ("the nets drying shot needs to go", 6),
    ("the crow on the post is out", 3),
    ("honestly the storm one can go", 4),
    ("the crow one can go, its a bit sad", 3),
    ("the storm shot can go, we never had a storm lol", 4),
]


@pytest.mark.parametrize(
    ("text", "shot_id"),
    [("The storm shot is signed off. Lock it.", 4), ("the crow one is approved, lock it", 3)],
)
def test_a_shot_signed_off_then_locked(film: StoryPlan, text: str, shot_id: int) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert [e.shot_id for e in reply.edits if e.kind == "set_lock"] == [shot_id]


@pytest.mark.parametrize(
    ("text", "first"),
    [("the crow one can go first, it sets it all up", 3), ("the storm shot should come first", 4)],
)
def test_a_shot_that_can_go_first_is_moved(film: StoryPlan, text: str, first: int) -> None:
    reply = say(text, film)
    assert not added(reply) and not [e for e in reply.edits if isinstance(e, RemoveShot)]
    assert [e.shot_id for e in reply.edits if e.kind == "move_shot"] == [first], reply.edits


@pytest.mark.parametrize(
    "text",
    [
        "the big show was in st marys church hall every september, trestle tables, rosettes",
        "across the road was the steamie where mum did the washing, all steam and big mangles",
        "Outside there's only the village green, buried, with the phone box up to its windows.",
        "the drop was at a supermarket warehouse outside daventry, massive grey sheds",
    ],
)
def test_a_place_told_about_is_never_a_shot(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply), [s.action for s in added(reply)]
    assert reply.reply.strip()


@pytest.mark.parametrize(("text", "shot_id"), DISMISSED)
def test_a_shot_that_can_go_is_removed(film: StoryPlan, text: str, shot_id: int) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert [e.shot_id for e in reply.edits if isinstance(e, RemoveShot)] == [shot_id]


LOCKS = [
    ("ok last thing lock the crow one, its perfect", 3),
    ("one more thing, lock the storm one", 4),
    ("final thing: lock the crow one", 3),
]


@pytest.mark.parametrize(("text", "shot_id"), LOCKS)
def test_a_lock_behind_a_lead_in_locks(film: StoryPlan, text: str, shot_id: int) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert [(e.shot_id, e.locked) for e in reply.edits if isinstance(e, SetLock)] == [
        (shot_id, True)
    ]


@pytest.mark.parametrize(
    "text",
    ["Open the film on the crow shot, ahead of the storm.", "start the film with the crow one"],
)
def test_opening_on_a_shot_that_exists_moves_it(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert [(e.shot_id, e.after) for e in reply.edits if isinstance(e, MoveShot)] == [(3, 0)]


def test_opening_on_a_shot_several_fit_asks(film: StoryPlan) -> None:
    reply = say("open the sequence on the nets shot, before the storm", film)
    assert not added(reply)
    assert "Which shot do you mean" in reply.reply


def test_an_appearance_change_with_texting_words_is_made(film: StoryPlan) -> None:
    reply = say("can u make toms sweater red instead", film)
    assert not added(reply)
    looks = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert looks and looks[0].name == "Tom" and "red" in (looks[0].wardrobe or "")


@pytest.mark.parametrize(
    "text",
    [
        "can u make grandpa's shorts red instead",
        "could you make the uncle's hat blue instead",
        "make the cousin's scarf green, not yellow",
    ],
)
def test_an_appearance_change_for_nobody_known_adds_nothing(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not reply.edits or not any(isinstance(e, AddShot) for e in reply.edits)
    assert reply.reply


def test_looks_after_an_introduction_describe_the_person(film: StoryPlan) -> None:
    reply = say("my grandad was called Wilf. 78, skinny as a rake, flat cap, tweed jacket.", film)
    assert not added(reply)
    wilf = [e for e in reply.edits if getattr(e, "name", "") == "Wilf"]
    assert wilf and "flat cap" in f"{wilf[0].description} {wilf[0].wardrobe}"


SHOTS_STILL = [
    "Tom walks along the jetty, slow push in.",
    "can we see Mara on the jetty?",
    "a crow lands on the harbour wall, close-up",
    "Mara reads the letter again, the camera stays locked",
    "EXTREME WIDE, AERIAL. The harbour at night, the lamps coming on.",
    "make shot 2 a close-up. Wide shot of a ferry leaving the harbour.",
]


@pytest.mark.parametrize("text", SHOTS_STILL)
def test_shot_descriptions_still_add_a_shot(film: StoryPlan, text: str) -> None:
    assert len(added(say(text, film))) == 1


def test_a_context_paragraph_adds_people_and_places_but_no_shot(film: StoryPlan) -> None:
    reply = say(
        "Context for the sequence: a hiker, Tomasz, 50s, grey beard, went missing near the "
        "summit at sunset. His wife Hanna is waiting at the car park with the police.",
        film,
    )
    assert not added(reply)
    assert {"Tomasz", "Hanna"} <= {getattr(e, "name", "") for e in reply.edits}


@pytest.mark.parametrize(
    "text",
    [
        "theres a little farm shop by the campsite gate that sells milk, the kids love it",
        "there's a tiny bakery on the corner that opens at five every morning",
        "there was an old pub down by the river where everyone drank on fridays",
    ],
)
def test_a_place_described_by_its_habits_is_no_shot(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert any(type(e).__name__ == "AddLocation" for e in reply.edits)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Mara's 34, short black hair, a nose ring", "nose ring"),
        ("Tom's a retired sailor", "sailor"),
    ],
)
def test_name_s_age_or_role_describes_a_known_person(film: StoryPlan, text: str, word: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    looks = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert looks and word in f"{looks[0].description} {looks[0].wardrobe}"


@pytest.mark.parametrize(
    "text",
    [
        "the old fisherman wears a yellow sou'wester now",
        "the old fisherman wears his hair in a little ponytail",
    ],
)
def test_someone_named_by_who_they_are_gets_the_look(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    looks = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert looks and looks[0].name == "Tom"


@pytest.mark.parametrize(
    "text",
    [
        "Give shot 2 his line, into the radio: We sail at dawn. Get the nets.",
        "give the crow shot the line: Nevermore.",
    ],
)
def test_a_line_given_to_a_shot_after_a_colon(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert [e for e in reply.edits if isinstance(e, UpdateShot) and e.dialogue]


@pytest.mark.parametrize(
    ("text", "ids", "time"),
    [
        ("all the harbour shots at golden hour instead of dawn", {1, 4, 5}, "golden_hour"),
        ("put all the jetty shots at night", {2, 3, 6, 7}, "night"),
        ("every jetty shot should be at dusk", {2, 3, 6, 7}, "dusk"),
    ],
)
def test_many_shots_by_place_change_their_time(
    film: StoryPlan, text: str, ids: set[int], time: str
) -> None:
    reply = say(text, film)
    assert not added(reply)
    changed = updates(reply)
    assert set(changed) == ids and all(c["time_of_day"] == time for c in changed.values())


INTRODUCED = [
    ("ok so her grandpa is enzo, hes like 70, really brown from the sun", "Enzo", "brown"),
    ("his dog was meg, black and white collie, one blue eye one brown", "Meg", "collie"),
    ("The climber's name is Ilse. Eighties, tiny, long white plait.", "Ilse", "plait"),
    ("the ferryman's name was Olaf. Sixties, huge beard, yellow oilskins.", "Olaf", "beard"),
    ("The rival: Mama Chidi. She runs the stall opposite.", "Mama Chidi", "rival"),
    ("And the rival is Mama Chidi.", "Mama Chidi", "rival"),
    ("The Postman is the main character. Fifties, weathered, red cheeks.", "Postman", "red"),
    ("The Curator (nobody uses her name) is a small, precise woman in her forties.", "Curator",
     "precise"),
    ("Sam's best man, Kofi, is the one who handed her the rings. He's huge, bald.", "Kofi",
     "best man"),
    ("The first caller is Sunny, a night-shift cop who's listened for years.", "Sunny", "cop"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name", "word"), INTRODUCED)
def test_everyday_introductions_add_the_person_and_no_shot(
    film: StoryPlan, text: str, name: str, word: str
) -> None:
    reply = say(text, film)
    assert not added(reply)
    people = {e.name: e for e in reply.edits if type(e).__name__ == "AddCharacter"}
    assert name in people, reply.reply
    assert word in f"{people[name].description} {people[name].wardrobe}".lower()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("make the crow one a few seconds longer", 7),
        ("make shot 3 a couple of seconds shorter", 2),
        ("make shot 3 2 seconds longer", 6),
    ],
)
def test_a_length_said_relative_to_the_shot(film: StoryPlan, text: str, seconds: float) -> None:
    assert updates(say(text, film)) == {3: {"duration_s": seconds}}


@pytest.mark.parametrize(
    "text",
    [
        "Final shot. Drone, straight down from above on the harbour. 12 seconds.",
        "Final shot. Mara walks away down the quay. Slow push in.",
        "last one: the gulls lift off the harbour wall all at once",
    ],
)
def test_final_shot_as_a_lead_starts_a_new_shot(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert len(added(reply)) == 1 and not updates(reply)


@pytest.mark.parametrize("text", ["the last shot: 3 seconds", "last shot: make it 3 seconds"])
def test_the_last_shot_with_a_change_changes_it(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply) and updates(reply) == {7: {"duration_s": 3}}


@pytest.mark.parametrize(
    ("text", "ids", "field", "value"),
    [
        ("make all the shots on the jetty handheld", {2, 3, 6, 7}, "movement", "handheld"),
        ("make all the shots inside the harbour handheld", {1, 4, 5}, "movement", "handheld"),
        ("make every jetty shot a close-up", {2, 3, 6, 7}, "size", "CU"),
    ],
)
def test_many_shots_by_place_with_the_change_after(
    film: StoryPlan, text: str, ids: set[int], field: str, value: str
) -> None:
    changed = updates(say(text, film))
    assert set(changed) == ids and all(c[field] == value for c in changed.values())


def test_lock_everything_in_a_place(film: StoryPlan) -> None:
    reply = say("lock everything inside the harbour", film)
    assert {e.shot_id for e in reply.edits if isinstance(e, SetLock)} == {1, 4, 5}


@pytest.mark.parametrize(
    "text", ["oh its for tiktok so it needs to be vertical", "the film has to be vertical"]
)
def test_a_shape_said_as_a_need_sets_the_aspect(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert [getattr(e, "aspect", None) for e in reply.edits] == ["9:16"]


@pytest.mark.parametrize(
    ("text", "name", "word"),
    [
        ("oh wait its gonna rain so mara's raincoat should be blue not red", "Mara", "blue"),
        ("Tom's sweater should be brown, not navy, and give him an apron over it.", "Tom", "apron"),
        ("give the fisherman a yellow beanie", "Tom", "yellow"),
    ],
)
def test_looks_said_with_a_reason_or_a_second_ask(
    film: StoryPlan, text: str, name: str, word: str
) -> None:
    reply = say(text, film)
    looks = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert not added(reply)
    assert looks and looks[-1].name == name and word in (looks[-1].wardrobe or "")


@pytest.mark.parametrize(
    ("text", "speaker", "line"),
    [
        ("mara winks and says we'll see kiddo", "Mara", "we'll see kiddo"),
        ("tom says not really, but open the nets anyway", "Tom", "not really"),
        ("ECU of the letter, and we hear Mara: You got me through every winter.", "Mara",
         "You got me through every winter"),
    ],
)  # fmt: skip
def test_a_line_without_quotes_goes_to_its_speaker(
    film: StoryPlan, text: str, speaker: str, line: str
) -> None:
    shots = added(say(text, film))
    assert len(shots) == 1
    assert line in (shots[0].dialogue or "") and shots[0].dialogue_speaker == speaker


@pytest.mark.parametrize(
    "text", ["Tom says goodbye to Mara on the quay", "Tom says nothing and walks off"]
)
def test_says_with_no_line_after_it_is_only_an_action(film: StoryPlan, text: str) -> None:
    shots = added(say(text, film))
    assert len(shots) == 1 and not shots[0].dialogue


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ok so this is about my aunts, twin sisters called Dot and Lou", {"Dot", "Lou"}),
        ("two boys called Sam and Ali kick a ball along the quay", {"Sam", "Ali"}),
        ("her cousins named Ines and Ruth", {"Ines", "Ruth"}),
    ],
)
def test_two_people_called_by_name_are_both_added(
    film: StoryPlan, text: str, names: set[str]
) -> None:
    reply = say(text, film)
    assert names <= {e.name for e in reply.edits if type(e).__name__ == "AddCharacter"}
    for shot in added(reply):
        assert set(shot.characters) == names and not shot.action.startswith("Two")


def test_someone_told_about_with_their_name_last_is_a_person_not_a_shot(film: StoryPlan) -> None:
    reply = say(
        "and nan sat in the land rover the whole time with a flask of tea, her name was jean", film
    )
    assert not added(reply)
    assert "Jean" in {e.name for e in reply.edits if type(e).__name__ == "AddCharacter"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("a man in a grey coat waits by the bus stop, his name is Eli", "Eli"),
        ("close-up of a boy at the window, his name is Finn", "Finn"),
    ],
)
def test_a_shot_whose_new_person_is_named_last_has_them(
    film: StoryPlan, text: str, name: str
) -> None:
    reply = say(text, film)
    shots = added(reply)
    assert len(shots) == 1 and shots[0].characters == [name]


def test_a_place_named_in_a_many_shot_command_by_its_kind(film: StoryPlan) -> None:
    club = apply(
        film,
        [
            AddLocation(name="Blue Lantern", description="basement jazz club, low ceiling"),
            AddShot(action="Delphine sings", location="Blue Lantern"),
            AddShot(action="The band packs up", location="Blue Lantern"),
        ],
    )
    reply = say("Lock everything inside the club.", club)
    assert {e.shot_id for e in reply.edits if isinstance(e, SetLock)} == {8, 9}


@pytest.mark.parametrize(
    "text",
    [
        "Then two quick ones: a close-up of the salt tin, and a wide of Mara and Tom at the table.",
        "a close-up of the salt tin, and a wide of Mara and Tom eating at the table",
        "Tom counts the fish, cut to Mara chalking a lower price on her board",
    ],
)
def test_two_framings_in_one_sentence_are_two_shots(film: StoryPlan, text: str) -> None:
    assert len(added(say(text, film))) == 2


def test_all_shots_with_a_colon_is_still_every_shot(film: StoryPlan) -> None:
    assert set(updates(say("All shots: 3 seconds.", film))) == {1, 2, 3, 4, 5, 6, 7}


def test_a_new_shot_with_a_comma_before_its_camera_is_still_a_shot(film: StoryPlan) -> None:
    reply = say("now her face as the storm rolls in, camera creeps in real slow", film)
    assert len(added(reply)) == 1 and not updates(reply)


SKETCHES = [
    ("then theres the night porter ezra, mid 50s, grey cardigan, half-moon glasses", "Ezra"),
    (
        "and the Harbourmaster comes by at noon, short stout man, peaked cap, oilskin coat",
        "Harbourmaster",
    ),
]


@pytest.mark.parametrize(("text", "name"), SKETCHES)
def test_someone_sketched_by_their_looks_is_an_introduction(
    film: StoryPlan, text: str, name: str
) -> None:
    reply = say(text, film)
    assert not added(reply)
    assert name in [getattr(e, "name", "") for e in reply.edits]


NO_NEW_SHOT = [
    "the crow one",
    "that storm shot",
    "All of Tom's shots at 7 seconds.",
    "could the camera drift left here",
    "mara's coat wasn't red, it was navy",
    "so call it The Long Tide",
    "General look: washed-out pastel, soft grain.",
]


@pytest.mark.parametrize("text", NO_NEW_SHOT)
def test_shapes_that_are_never_a_new_shot(film: StoryPlan, text: str) -> None:
    assert not added(say(text, film))


def test_a_heading_over_a_numbered_list_is_not_a_shot(film: StoryPlan) -> None:
    reply = say("right, the next part:\n1. wide of the quay at dawn\n2. Tom hauls a crate", film)
    assert len(added(reply)) == 2


def test_a_life_story_told_with_then_is_no_shot(film: StoryPlan) -> None:
    reply = say(
        "Tom ran a boatyard for twenty years, then he retired to a cabin up the coast", film
    )
    assert not added(reply)


def test_a_verdict_then_a_command_acts_on_the_shot_judged(film: StoryPlan) -> None:
    reply = say("honestly the storm shot is useless, bin it", film)
    removed = [e.shot_id for e in reply.edits if isinstance(e, RemoveShot)]
    assert removed == [4] and not added(reply)


@pytest.mark.parametrize(
    "text",
    [
        "Sister Agatha, tall, grey habit, walks into the chapel.",
        "Captain Ruiz, short, grey beard, oilskin coat, climbs onto the deck.",
    ],
)
def test_someone_new_sketched_then_acting_is_a_person_and_a_shot(
    text: str, film: StoryPlan
) -> None:
    from storyreel.tools.edits import AddCharacter

    reply = say(text, film)
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)]
    assert len(added(reply)) == 1  # introduced inside a shot sentence: the shot too


@pytest.mark.parametrize(
    "text",
    [
        "the contest was at huddersfield town hall, massive old place with a pipe organ",
        "the big show was in st marys church hall every september, trestle tables",
    ],
)
def test_a_place_named_without_an_article_is_added(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not added(reply)
    places = [e for e in reply.edits if e.kind == "add_location"]
    assert len(places) == 1 and "hall" in places[0].description.lower(), reply.edits
