"""The offline director on everyday turns of phrase: camera angles said in plain words,
a question that changes nothing, a new last shot cued as "last one, ...", chat asides
("actually", "tbh"), "he"/"she" meaning the one person of the shot being described, people
called by their country or age, and things to wear said with where they are worn."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.tools.edits import AddCharacter, AddShot, AskPerson, UpdateCharacter
from storyreel.tools.story import StoryPlan
from tests.test_offline_director import apply, build_plan, direct


@pytest.fixture(scope="module")
def film() -> StoryPlan:
    """build_plan's Mara, Tom and the harbour, plus Ines (a Danish diver, no gender said),
    Abu (her trainer, 72: "her" is Ines's, he is a man) and Kai (a boy, 9)."""
    people = [
        AddCharacter(name="Ines", description="a tall Danish diver, twenties, shaved head"),
        AddCharacter(name="Abu", description="72, her trainer, everyone calls him Baba"),
        AddCharacter(name="Kai", description="a boy, 9, missing a front tooth"),
    ]
    return apply(build_plan(), people)


def kinds(edits: list[Any]) -> list[str]:
    return [e.kind for e in edits]


@pytest.mark.parametrize(
    ("text", "angle"),
    [
        ("Kai on the climbing frame, with the camera looking straight up at him", "worms_eye"),
        ("the gulls from right underneath them, against the sky", "worms_eye"),
        ("Ines on the high board, the camera pointing straight up", "worms_eye"),
        ("Kai looks straight up at the sky", "eye_level"),
    ],
)
def test_a_camera_looking_up_is_a_worms_eye_angle(film: StoryPlan, text: str, angle: str) -> None:
    reply = direct(text, film)
    (shot,) = [e for e in reply.edits if isinstance(e, AddShot)]
    assert (shot.angle.value if shot.angle else "eye_level") == angle, (text, shot)


@pytest.mark.parametrize(
    "text",
    [
        "do u think the rooftop bit is too long?",
        "would the lighthouse scene work better at night?",
    ],
)
def test_a_question_adds_no_place(film: StoryPlan, text: str) -> None:
    reply = direct(text, film)
    assert reply.edits == [], (text, reply.edits)
    assert reply.reply.strip()


@pytest.mark.parametrize(
    "text",
    [
        "last one, Mara waving from the quay as the boat pulls away",
        "final shot: grandad lifting Kai onto his shoulders",
        "last shot grandad lifting the hat off Kai's head",
    ],
)
def test_a_new_last_shot_cued_at_the_start(film: StoryPlan, text: str) -> None:
    reply = direct(text, film)
    assert kinds(reply.edits) == ["add_shot"], (text, reply.edits, reply.reply)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("last one, make it 3 seconds", "update_shot"),
        ("the last one, lock it", "set_lock"),
    ],
)
def test_a_change_to_the_last_shot_is_not_a_new_one(film: StoryPlan, text: str, want: str) -> None:
    reply = direct(text, film)
    assert kinds(reply.edits) == [want], (text, reply.edits)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("the net one can go actually", [{"kind": "remove_shot", "shot_id": 3}]),
        ("swap those last two round", [{"kind": "move_shot"}]),
        ("lock those first two tbh", [{"kind": "set_lock", "shot_id": 1},
                                      {"kind": "set_lock", "shot_id": 2}]),
    ],
)  # fmt: skip
def test_chat_asides_do_not_change_the_command(
    film: StoryPlan, text: str, want: list[dict[str, Any]]
) -> None:
    reply = direct(text, film)
    got = [e.model_dump(mode="json") for e in reply.edits]
    assert len(got) >= len(want), (text, got, reply.reply)
    for edit, fields in zip(got, want, strict=False):
        assert all(edit.get(k) == v for k, v in fields.items()), (text, got)


def test_she_in_a_shots_paragraph_is_the_one_person_of_that_shot(film: StoryPlan) -> None:
    """Ines's gender was never said and Mara is a woman: "She" after "Reverse on Ines" is
    still Ines, the one person of the shot being described, and nothing is asked."""
    reply = direct("Reverse on Ines, CU, 85mm. She doesn't look up: 'Holding at four.'", film)
    assert not [e for e in reply.edits if isinstance(e, AskPerson)], reply.reply
    (shot,) = [e for e in reply.edits if isinstance(e, AddShot)]
    assert shot.characters == ["Ines"]
    assert shot.dialogue_speaker == "Ines" and "Holding at four" in (shot.dialogue or "")


def test_someone_called_by_their_country(film: StoryPlan) -> None:
    reply = direct("the dane should have a red swimming cap", film)
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert change.name == "Ines" and "swimming cap" in change.wardrobe, change


def test_an_age_over_sixty_makes_someone_old(film: StoryPlan) -> None:
    """Abu is 72 ("her trainer": Ines's, so not a woman) and Tom an old fisherman: "the old
    man" could be either, so the director asks, and changes nothing yet."""
    reply = direct("and the old man needs reading glasses pushed up on his forehead", film)
    (ask,) = reply.edits
    assert isinstance(ask, AskPerson), reply.edits
    assert set(ask.choices) == {"Tom", "Abu"}, ask.choices


def test_things_worn_said_with_where_they_are_worn(film: StoryPlan) -> None:
    reply = direct(
        "and Mara needs way more gold tbh, a big nose ring in her nose and bangles up to her "
        "elbows",
        film,
    )
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert "nose ring in her nose" in change.wardrobe and "bangles up to her elbows" in (
        change.wardrobe
    ), change
    assert not [e for e in reply.edits if isinstance(e, AddShot)]


def test_a_remark_after_a_change_of_looks_is_not_worn(film: StoryPlan) -> None:
    reply = direct("Mara's coat should be green not red, she would never wear red", film)
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert "never" not in f"{change.description} {change.wardrobe}", change
    assert "red" not in change.wardrobe.lower(), change


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Context: halfway along the harbour wall there is a tiny chapel, whitewashed", "Chapel"),
        ("Some background: upstairs from the harbour there's a boarding house", "House"),
        ("Three miles out is the lighthouse, on a rock", "Lighthouse"),
        ("At the far end of the quay there's an old boathouse", "Boathouse"),
    ],
)
def test_exposition_sets_up_the_place_it_names_not_the_one_it_starts_from(
    film: StoryPlan, text: str, place: str
) -> None:
    reply = direct(text, film)
    assert [e.name for e in reply.edits if e.kind == "add_location"] == [place], reply.edits
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits


def test_part_of_a_room_is_not_another_place(film: StoryPlan) -> None:
    reply = direct(
        "Setting: the radio bunker. Bare concrete, a periscope in the middle of the room.", film
    )
    assert [e.name for e in reply.edits if e.kind == "add_location"] == ["Bunker"], reply.edits


def test_a_paddy_is_a_name_not_a_field(film: StoryPlan) -> None:
    reply = direct("Plus: OLD PADDY, the landlord, 80s, flat cap.", film)
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)] == ["Paddy"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Lock every shot with the old fisherman in it.", {3: True, 4: True}),
        ("slow it all down, every shot six seconds", {i: 6.0 for i in range(1, 6)}),
        ("The net one: 5 seconds, and lock it.", {3: (5.0, True)}),
    ],
)
def test_commands_over_shots_in_everyday_shapes(
    film: StoryPlan, text: str, want: dict[int, Any]
) -> None:
    reply = direct(text, film)
    after = apply(film, reply.edits)
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits
    for shot_id, value in want.items():
        shot = after.find_shot(shot_id)
        assert shot is not None
        got: Any = {bool: shot.locked, float: shot.duration_s}
        if isinstance(value, tuple):
            assert (shot.duration_s, shot.locked) == value, (text, reply.reply)
        else:
            assert got[type(value)] == value, (text, shot_id, reply.reply)


@pytest.mark.parametrize(
    ("text", "kind", "fields"),
    [
        ("title it Low Tide 🌊", "set_style", {"title": "Low Tide"}),
        ("The title of the film shall be 'Low Tide'.", "set_style", {"title": "Low Tide"}),
        ("For the look, I prefer soft pastel colours, like a storybook.", "set_style",
         {"look": "soft pastel colours, like a storybook"}),
        ("Kindly move the shot of the net to the very end of the film.", "move_shot",
         {"shot_id": 3}),
        ("lock the first two theyre perfect 🔒", "set_lock", {"shot_id": 1}),
        ("net shot: lock it. don't touch.", "set_lock", {"shot_id": 3}),
    ],
)  # fmt: skip
def test_formal_and_chatty_commands(
    film: StoryPlan, text: str, kind: str, fields: dict[str, Any]
) -> None:
    reply = direct(text, film)
    assert not [e for e in reply.edits if isinstance(e, AddShot)], (text, reply.edits)
    got = [e.model_dump(mode="json") for e in reply.edits if e.kind == kind]
    assert got and all(got[0].get(k) == v for k, v in fields.items()), (text, reply.edits)
    assert "didn't follow" not in reply.reply, reply.reply


@pytest.mark.parametrize(
    "text",
    [
        "Kindly note that Tom should wear a yellow sou'wester.",
        "Correction, please: the sweater of Tom should be yellow, not navy.",
    ],
)
def test_an_announced_change_of_looks(film: StoryPlan, text: str) -> None:
    reply = direct(text, film)
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert change.name == "Tom" and "yellow" in change.wardrobe, change
    assert not [e for e in reply.edits if e.kind in ("add_shot", "add_character")], reply.edits


def test_two_colours_of_one_thing_change_together() -> None:
    plan = apply(build_plan(), [AddCharacter(name="Apo", description="82",
                                             wardrobe="a red and black woven skirt")])  # fmt: skip
    reply = direct("Apo's skirt should be blue and white, not red and black.", plan)
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert change.wardrobe == "a blue and white woven skirt", change


def test_someone_there_named_at_the_end_and_a_boy_aged_in_words() -> None:
    pekka = AddCharacter(name="Pekka", description="the narrator, eight years old")
    plan = apply(build_plan(), [pekka])
    reply = direct("oh yeah theres this man on the top floor everyone calls Sticks, hes 60", plan)
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)] == ["Sticks"]
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits
    reply = direct("The boy should have a red woolly hat.", plan)
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert change.name == "Pekka", change


def test_a_mans_cardigan_does_not_make_her_a_man() -> None:
    """Nadia wears "a man's grey wool cardigan": "her" is still Nadia, not the only person
    whose gender was never said."""
    nadia = AddCharacter(name="Nadia", description="trapeze flyer, a scar on her forearm",
                         wardrobe="a man's grey wool cardigan")  # fmt: skip
    zeno = AddCharacter(name="Zeno", description="the catcher, 40s, bald")
    plan = apply(build_plan(), [zeno, nadia])
    reply = direct("CU, Nadia on the pedestal board, the net still swinging below her.", plan)
    (shot,) = [e for e in reply.edits if isinstance(e, AddShot)]
    assert shot.characters == ["Nadia"], shot


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        ("My dad was a big quiet man with a red beard and hands like shovels.", "Dad", "beard"),
        ("Next shot: their carabao, whose name is Bantay, pulls the sledge up the path.",
         "Bantay", "their carabao"),
    ],
)  # fmt: skip
def test_someone_described_in_a_longer_sentence(
    film: StoryPlan, text: str, name: str, said: str
) -> None:
    reply = direct(text, film)
    (person,) = [e for e in reply.edits if isinstance(e, AddCharacter)]
    assert person.name == name and said in person.description, person
    assert "shot of" not in person.description


def test_she_says_to_someone_is_her_line_in_her_close_shot(film: StoryPlan) -> None:
    reply = direct('Then a close shot of Mara. She says to Tom in a low voice: "Stay."', film)
    (shot,) = [e for e in reply.edits if isinstance(e, AddShot)]
    assert shot.characters == ["Mara"] and shot.dialogue_speaker == "Mara", shot
    assert "Stay" in (shot.dialogue or "")


def test_a_change_led_by_the_shot_it_is_for(film: StoryPlan) -> None:
    reply = direct("on the net one, make the camera rise up slowly over Tom", film)
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits
    (change,) = [e for e in reply.edits if e.kind == "update_shot"]
    assert change.shot_id == 3 and change.movement is not None, change
    assert change.movement.value in ("crane_up", "pedestal_up"), change


def test_a_titled_name_after_a_role_is_a_person(film: StoryPlan) -> None:
    reply = direct("The grand marshal is Mr. Lionel. He's about 80, thin as a rake.", film)
    (person,) = [e for e in reply.edits if isinstance(e, AddCharacter)]
    assert person.name == "Lionel" and "marshal" in person.description, person


@pytest.mark.parametrize(
    "text", ["Kai — backpack blue not yellow", "the boy: backpack blue, not yellow"]
)
def test_someone_then_one_thing_and_its_change(text: str) -> None:
    kai = AddCharacter(
        name="Kai", description="a boy, 9", wardrobe="school uniform, yellow backpack"
    )
    reply = direct(text, apply(build_plan(), [kai]))
    (change,) = [e for e in reply.edits if isinstance(e, UpdateCharacter)]
    assert "blue backpack" in change.wardrobe and "yellow" not in change.wardrobe, change
    assert not [e for e in reply.edits if isinstance(e, AddShot)]


def test_a_list_headed_by_a_group_and_where_they_came_from(film: StoryPlan) -> None:
    reply = direct(
        "The cousins came up from Leeds too: Bea, 30s, does hair; and little Ollie, 7, who "
        "would not stop playing his plastic trumpet.",
        film,
    )
    added = {e.name: e for e in reply.edits if isinstance(e, AddCharacter)}
    assert set(added) == {"Bea", "Ollie"}, reply.edits
    assert "trumpet" in added["Ollie"].description
    assert not [e for e in reply.edits if isinstance(e, AddShot)], reply.edits


@pytest.mark.parametrize(("text", "name"), [
    ("Her teacher is Mr Brown, tall, with a bow tie.", "Brown"),
    ("the receptionist, everyone calls her Auntie Sun: 60ish, huge glasses", "Sun"),
])  # fmt: skip
def test_a_common_word_after_a_title_is_a_name(film: StoryPlan, text: str, name: str) -> None:
    reply = direct(text, film)
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)] == [name], reply.edits
