"""The offline director's reading of shots: one paragraph is one shot unless it clearly says
more, exposition makes none, lines go to their speaker, and talk that is not direction
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.agent.offline import OfflineDirector
from storyreel.tools.edits import AddShot, UpdateShot
from storyreel.tools.story import StoryPlan
from tests.test_offline_director import apply, build_plan


def direct(text: str, plan: StoryPlan, memo: dict[str, Any] | None = None) -> Any:
    return OfflineDirector().direct(text, plan, {"told_offline": True} if memo is None else memo)


def new_shots(reply: Any) -> list[AddShot]:
    return [e for e in reply.edits if isinstance(e, AddShot)]


@pytest.fixture
def plan() -> StoryPlan:
    return build_plan()


ONE_SHOT = [
    # storyboard paragraphs: camera clause, action, light
    ("MEDIUM CLOSE-UP on Mara, 50mm. She pulls the rope tight, jaw set, rain streaming down "
     "her hood. Cold blue light from the harbour lamps.", {"size": "MCU", "lens_mm": 50}),
    ("WIDE. The quay from the breakwater, boats rocking at their moorings. Tom walks the length "
     "of the quay with a coil of rope. Dusk, low sun behind him.", {"size": "LS"}),
    ("CLOSE-UP, 85mm. Tom's hands knot the net, knuckles raw. Static. Three seconds.",
     {"size": "CU", "lens_mm": 85, "movement": "static", "duration_s": 3}),
    ("Low angle, 24mm. Mara climbs the ladder out of the boat; the sky behind her is bruised "
     "purple. She stops at the top and looks back.", {"angle": "low", "lens_mm": 24}),
    ("Over Tom's shoulder: Mara at the end of the quay, small against the sea. She doesn't "
     "turn round. Long lens, shallow focus.", {"angle": "ots", "depth_of_field": "shallow"}),
    ("INSERT: the letter on the table, the wax seal cracked. Static, 2 seconds.",
     {"size": "ECU", "duration_s": 2}),
    # everyday voice
    ("can we see mara walking along the quay, she's carrying the letter and looking worried",
     {"characters": ["Mara"]}),
    ("tom sits on an upturned crate mending his net. he hums to himself. the gulls are loud",
     {"characters": ["Tom"]}),
    ("Mara reads the letter. Her hands shake. Close-up.", {"size": "CU"}),
    ("I'd like Mara running down the jetty in the rain, really fast, the camera following her",
     {"movement": "tracking"}),
    ("the camera creeps in on Tom while he sleeps in the boat", {"movement": "dolly_in"}),
    ("Tom pulls out a letter and reads it, the camera stays locked", {"movement": "static"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fields"), ONE_SHOT)
def test_a_paragraph_about_one_shot_is_one_shot(
    plan: StoryPlan, text: str, fields: dict[str, Any]
) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1, [s.action for s in shots]
    for key, value in fields.items():
        got = getattr(shots[0], key)
        assert getattr(got, "value", got) == value, key


SEVERAL = [
    ("Open on the harbour at dawn, wide. Then Mara runs down the jetty. Cut to a close-up of "
     "Tom's hands.", 3),
    ("1. WIDE: the quay at dusk. 2. MEDIUM: Tom coils a rope. 3. CLOSE-UP: Mara's eyes.", 3),
    ("- Tom looks up from his net\n- Mara waves from the boat\n- the gulls scatter", 3),
    ("Wide on the bay. Close on Mara as she reads.", 2),
    ("Mara opens the letter. Next, Tom walks over to her.", 2),
    ("Two shots. 1) Mara's hand slides into her pocket, ECU. 2) Tom's eyes follow it, CU.", 2),
    ("Mara walks along the quay, then Tom calls her name from the boat.", 2),
]  # fmt: skip


@pytest.mark.parametrize(("text", "count"), SEVERAL)
def test_a_message_that_clearly_says_several_shots_makes_them(
    plan: StoryPlan, text: str, count: int
) -> None:
    assert len(new_shots(direct(text, plan))) == count


def test_a_then_without_a_new_subject_goes_on_with_the_same_shot(plan: StoryPlan) -> None:
    shots = new_shots(direct("Mara pulls the rope tight, then looks up at the sky.", plan))
    assert len(shots) == 1 and "looks up" in shots[0].action


def test_a_pronoun_in_the_same_shot_needs_no_question(plan: StoryPlan) -> None:
    reply = direct("Mara hands Tom the letter. He smiles.", plan)
    assert [e.kind for e in reply.edits] == ["add_shot"]
    assert reply.edits[0].characters == ["Mara", "Tom"]


EXPOSITION = [
    ("my uncle kept a lighthouse on the Cornish coast", "Lighthouse"),
    ("It's winter in a fishing village in Norway.", "Village"),
    ("The story takes place in a bakery in Lyon.", "Bakery"),
    ("Setting: a farm in the hills, late summer.", "Farm"),
    ("This all happens in the old station at night.", "Station"),
    ("Years ago my grandmother ran a cafe by the sea.", "Cafe"),
    ("ok so its the 80s and everything happens at an old roller skating rink in ohio", "Rink"),
    ("oh and toms house is just up the lane from the harbour, a white cottage", "Tom's House"),
    ("Below the cliffs, down in the valley, is the village of San Vito.", "San Vito"),
    ("there was a little cafe called Lou's on the corner", "Lou's"),
    ("Location note for later: the loading bay out back. Wet concrete yard.", "Bay"),
    ("ok so this whole thing is set at gretna services, in the middle of the night", "Services"),
    ("Setting: Harcourt House, a council tower block in Croydon.", "Harcourt House"),
    ("Second location: the back alley behind the stall where Wen parks.", "Alley"),
    ("The lift lobby on the ground floor: a broken vending machine, a noticeboard.", "Lobby"),
    ("The boiler room: two rusty tanks, a camp bed and a radio nobody turns off.", "Boiler Room"),
    ("Tom has lived above the chandlery for years: one room, a kettle, a hammock.", "Tom's Room"),
    ("the two halves are joined by a footbridge over the railway", "Footbridge"),
    ("World note: the galley is a cramped module off the ring, a fold-down table.", "Galley"),
    ("quick background: the heart of the block is the corner bodega, lotto signs", "Bodega"),
    ("out the back of the hall theres a massive old fig tree down by the creek", "Creek"),
    ("Off the ward, on the ground floor, there's a small chapel: plastic flowers, pews.", "Chapel"),
    ("Below the tower, forty-one iron steps down the rock, was the boathouse.", "Boathouse"),
]


@pytest.mark.parametrize(("text", "place"), EXPOSITION)
def test_exposition_adds_the_place_and_no_shot(plan: StoryPlan, text: str, place: str) -> None:
    reply = direct(text, plan)
    assert not new_shots(reply), reply.reply
    places = [e.name for e in reply.edits if e.kind == "add_location"]
    assert place in places, reply.edits


LINES = [
    ('Tom says "We sail at dawn."', "We sail at dawn.", "Tom"),
    ("'Come home,' Mara says.", "Come home,", "Mara"),
    ("Tom: We sail at dawn.", "We sail at dawn.", "Tom"),
    ("MARA (quietly): I can't.", "I can't.", "Mara"),
    ("\u201cIt's from the lighthouse,\u201d says Tom.", "It's from the lighthouse,", "Tom"),
    (
        'and she says to him "come, sit. your hands are cold"',
        "come, sit. your hands are cold",
        "Mara",
    ),
    ("'not yet,' he replied quietly", "not yet,", "Tom"),
    (
        "what she shouts is: tea's ready, and wash those hands!",
        "tea's ready, and wash those hands!",
        "Mara",
    ),
    ("Tom says: we sail at dawn", "we sail at dawn", "Tom"),
    ("his line is: not today.", "not today.", "Tom"),
]


@pytest.mark.parametrize(("text", "line", "speaker"), LINES)
def test_a_line_alone_goes_to_the_shot_just_made_with_its_speaker(
    plan: StoryPlan, text: str, line: str, speaker: str
) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    made = direct("Medium shot of Tom and Mara on the quay.", plan, memo)
    plan = apply(plan, made.edits)
    reply = direct(text, plan, memo)
    assert not new_shots(reply)
    update = reply.edits[-1]
    assert isinstance(update, UpdateShot) and update.dialogue == line.rstrip(",")
    assert update.shot_id == plan.ordered_shots()[-1].id


def test_a_line_in_a_shot_paragraph_joins_it_with_its_speaker(plan: StoryPlan) -> None:
    shots = new_shots(direct("CLOSE-UP Tom. 'I'm not going anywhere.' He ties the rope.", plan))
    assert len(shots) == 1
    assert shots[0].dialogue == "I'm not going anywhere." and shots[0].characters == ["Tom"]


@pytest.mark.parametrize(
    "text",
    [
        "Pick up right where the previous shot ends: Mara turns to the sea.",
        "Mara turns to the sea, continuing from the last shot.",
        "Carrying on from the previous shot, Mara turns to the sea.",
        "Mara turns to the sea; it picks up exactly where shot 5 left off.",
    ],
)
def test_continuing_phrases_set_continues_from(plan: StoryPlan, text: str) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].continues_from == plan.ordered_shots()[-1].id


NOTHING = [
    "",
    "   ",
    "?!...",
    "what should the next shot be?",
    "how many shots do we have?",
    "is this going to look good?",
    "thank you!! she's going to love this",
    "wow, that's perfect",
    "thank you this is looking so lovely, she would have loved it",
    "thanks, this is coming along nicely",
    "he'd have been so proud of this",
    "Mara camina por el muelle al atardecer y lee la carta",
    "Mara geht am Abend über den Kai und liest den Brief",
    "\u30de\u30e9\u306f\u6e2f\u3092\u6b69\u304f\u3002\u624b\u7d19\u3092\u8aad\u3080\u3002",
]


@pytest.mark.parametrize("text", NOTHING)
def test_talk_that_is_not_direction_changes_nothing(plan: StoryPlan, text: str) -> None:
    reply = direct(text, plan)
    assert reply.edits == [] and reply.reply


def test_a_question_about_the_next_shot_gets_a_suggestion(plan: StoryPlan) -> None:
    reply = direct("what should the next shot be?", plan)
    assert "Mara" in reply.reply and reply.edits == []


def test_another_language_is_told_so(plan: StoryPlan) -> None:
    reply = direct("Mara camina por el muelle al atardecer y lee la carta", plan)
    assert "English" in reply.reply


def test_ten_thousand_words_are_refused_politely(plan: StoryPlan) -> None:
    reply = direct("Mara walks along the quay. " * 2000, plan)
    assert reply.edits == [] and "in parts" in reply.reply


@pytest.mark.parametrize(
    ("text", "kind", "old", "new"),
    [
        ("call Mara Marianne", "rename_character", "Mara", "Marianne"),
        ("Tom's name is actually Jonas", "rename_character", "Tom", "Jonas"),
        ("change Tom's name to Old Jon", "rename_character", "Tom", "Old Jon"),
        ("rename the harbour to Port Isaac", "rename_location", "Harbour", "Port Isaac"),
    ],
)
def test_renames(plan: StoryPlan, text: str, kind: str, old: str, new: str) -> None:
    reply = direct(text, plan)
    assert [(e.kind, e.name, e.new_name) for e in reply.edits] == [(kind, old, new)]
    apply(plan, reply.edits)


def test_call_the_film_is_still_a_title(plan: StoryPlan) -> None:
    assert [e.kind for e in direct("call the film The Letter", plan).edits] == ["set_style"]


def test_over_a_shoulder_names_its_owner_and_light_words_set_the_key(plan: StoryPlan) -> None:
    shots = new_shots(
        direct("Over Tom's shoulder, Mara reads. Hard warm light from the left.", plan)
    )
    assert len(shots) == 1
    shot = shots[0]
    assert (shot.angle, shot.ots_over, set(shot.characters)) == ("ots", "Tom", {"Tom", "Mara"})
    assert (shot.key_light_hardness, shot.key_light_kelvin) == ("hard", 3200)


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("then Tom watching her from the doorway, can we see it over his shoulder", "Tom"),
        ("OVER-THE-SHOULDER from behind Mara, looking up at Tom on the quay.", "Mara"),
        ("Mara mends the net, we see it over Tom's shoulder", "Tom"),
    ],
)
def test_over_the_shoulder_in_everyday_and_screenplay_words(
    plan: StoryPlan, text: str, owner: str
) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1
    assert (shots[0].angle, shots[0].ots_over) == ("ots", owner)
    assert set(shots[0].characters) == {"Tom", "Mara"}


def test_a_towel_over_her_shoulder_is_not_an_over_the_shoulder_shot(plan: StoryPlan) -> None:
    shots = new_shots(direct("Mara stands on the quay with a towel over her shoulder", plan))
    assert len(shots) == 1 and shots[0].angle != "ots"


@pytest.mark.parametrize(
    ("text", "movement"),
    [
        ("can the camera start down on the quay and rise up to the roofs", "crane_up"),
        ("Mara walks in. the camera starts wide and then pushes in slowly", "dolly_in"),
    ],
)
def test_a_move_joined_to_the_camera_clause_is_the_cameras(
    plan: StoryPlan, text: str, movement: str
) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].movement == movement


def test_a_person_looking_at_the_camera_is_not_a_camera_move(plan: StoryPlan) -> None:
    shots = new_shots(direct("Mara looks at the camera and pulls out a letter", plan))
    assert len(shots) == 1 and shots[0].movement is None


def test_a_shot_named_by_its_place_in_the_film_is_a_new_shot(plan: StoryPlan) -> None:
    reply = direct("next shot is tom coiling rope on the quay really carefully", plan)
    assert len(new_shots(reply)) == 1 and new_shots(reply)[0].characters == ["Tom"]
    reply = direct("the last shot is too long", plan)
    assert not new_shots(reply)


def test_then_a_shot_of_starts_another_shot(plan: StoryPlan) -> None:
    shots = new_shots(direct("Mara walks to the van, then a shot of the van pulling away", plan))
    assert len(shots) == 2 and shots[1].characters == []


def test_a_slug_line_with_a_dash_and_a_full_stop_names_the_place(plan: StoryPlan) -> None:
    reply = direct("INT. VISITATION ROOM \u2013 DAY. MEDIUM SHOT. Mara sits by the glass.", plan)
    assert [e.name for e in reply.edits if e.kind == "add_location"] == ["Visitation Room"]
    assert len(new_shots(reply)) == 1


def test_a_line_after_says_and_a_colon_inside_a_shot_sentence(plan: StoryPlan) -> None:
    shots = new_shots(direct("a close up of Mara, the camera creeps in as she says: not yet", plan))
    assert len(shots) == 1
    assert (shots[0].dialogue, shots[0].dialogue_speaker) == ("not yet", "Mara")


def test_half_seconds_in_words(plan: StoryPlan) -> None:
    shots = new_shots(direct("Tom coils the rope, two and a half seconds", plan))
    assert shots[0].duration_s == 2.5


def test_continuous_from_a_shot_named_by_what_it_shows() -> None:
    from tests.test_offline_commands import build_film, say

    reply = say("Continuous from the storm shot: inside, Mara reads.", build_film())
    new = [e for e in reply.edits if e.kind == "add_shot"]
    assert len(new) == 1 and new[0].continues_from == 4, reply.edits


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("can u add three more: Tom mending a net, Mara waving, and the boat leaving", 3),
        ("can u do Tom on the quay first, then Mara checking the rope, then old Bill giving "
         "them all the look", 3),
        ("first Mara handing Tom a photo of the harbour in 1956. then Tom going quiet", 2),
    ],
)  # fmt: skip
def test_several_beats_in_one_message_are_several_shots(text: str, count: int) -> None:
    from tests.test_offline_commands import build_film, say

    reply = say(text, build_film())
    assert len([e for e in reply.edits if e.kind == "add_shot"]) == count, reply.edits


def test_a_year_told_in_the_past_is_exposition() -> None:
    from storyreel.agent.offline.verbs import is_exposition

    assert is_exposition("they opened the shop in 1956")
    assert not is_exposition("Mara handing Tom a photo of the harbour in 1956")


def test_a_place_word_before_a_person_word_is_who_not_where(plan: StoryPlan) -> None:
    reply = direct("The bowler is Dev: the village blacksmith, huge forearms.", plan)
    assert [e.name for e in reply.edits if e.kind == "add_character"] == ["Dev"]
    assert not [e for e in reply.edits if e.kind == "add_location"], reply.edits


def test_a_description_after_a_new_place_describes_it(plan: StoryPlan) -> None:
    text = "Second setting: the dig house in the village, at night. A bare concrete room, a fan."
    reply = direct(text, plan)
    assert [e.name for e in reply.edits if e.kind == "add_location"] == ["House"]


def shot_or_place(reply: Any, shot_field: str, place_field: str) -> list[Any]:
    """Each new shot's value of a field, or its new place's when the shot leaves it unset
    (a time or a light said with a new place belongs to the place)."""
    places = {e.name: getattr(e, place_field) for e in reply.edits if e.kind == "add_location"}
    return [getattr(s, shot_field) or places.get(s.location or "") for s in new_shots(reply)]


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("the car park from way up high at like 3 in the morning", "night"),
        ("Mara at the bus stop, 2am, nobody about", "night"),
        ("Tom opens the shop at 7am", "morning"),
        ("Mara on the pier at 11 in the morning", "morning"),
        ("Tom walks home in the middle of the night", "night"),
    ],
)
def test_the_small_hours_are_night(plan: StoryPlan, text: str, time: str) -> None:
    reply = direct(text, plan)
    assert shot_or_place(reply, "time_of_day", "time_of_day") == [time], reply.edits


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("his face when he hears the bell lol, just his eyes rolling", "CU"),
        ("Mara at the window, just her eyes", "ECU"),
        ("Tom's hands on the rope", "CU"),
        ("Tom walks to the boat, his hands in his pockets", None),
        ("ECU, 100mm. His hands, the tape coming off in strips.", "ECU"),
    ],
)
def test_a_shot_of_part_of_someone_is_close(plan: StoryPlan, text: str, size: str | None) -> None:
    memo = {"told_offline": True, "last_characters": ["Tom"]}
    shots = new_shots(direct(text, plan, memo))
    assert len(shots) == 1 and shots[0].size == size, shots


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("camera way up high in the corner looking down over all the booths", "angle", "high"),
        ("the whole fjord at dawn, seen from very high above", "angle", "high"),
        ("show me the cave from really far away", "size", "ELS"),
        (
            "Tom asleep on the floor, the camera looks down at him from right above, like straight "
            "down",
            "angle",
            "overhead",
        ),
    ],
)
def test_everyday_framing_words(plan: StoryPlan, text: str, field: str, value: str) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and getattr(shots[0], field) == value, shots


@pytest.mark.parametrize(
    ("text", "line", "speaker"),
    [
        ("then mara at the window yelling back to tom: order up, table six is waiting",
         "order up, table six is waiting", "Mara"),
        ("next tom on the phone: no no no my friend, come back tomorrow",
         "no no no my friend, come back tomorrow", "Tom"),
        ("Then close on Mara, she is removing one earphone and answering: Dadar is gone.",
         "Dadar is gone.", "Mara"),
    ],
)  # fmt: skip
def test_a_line_after_a_colon_in_a_new_shot(
    plan: StoryPlan, text: str, line: str, speaker: str
) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].dialogue == line, shots
    assert shots[0].dialogue_speaker == speaker


def test_a_business_run_in_the_past_is_exposition() -> None:
    from storyreel.agent.offline.verbs import is_exposition

    assert is_exposition("my mama ran the place")
    assert is_exposition("he owned a little chip shop on the front")
    assert not is_exposition("Tom ran home")
    assert not is_exposition("Mara runs the tap")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("first Tom thanking the crowd, next Mara presenting the drinks, after that Tom "
         "putting the ring on Mara's finger", 3),
        ("the harbour filling up with boats first, then backstage all the kids in costumes "
         "going nuts, then Tom peeking out through the curtain", 3),
        ("Mara opens the shutter of the shop, then the baguettes go in the baskets", 2),
        ("Mara pulls the rope tight, then looks up at the sky.", 1),
    ],
)  # fmt: skip
def test_shots_split_at_then_next_and_after_that(plan: StoryPlan, text: str, count: int) -> None:
    assert len(new_shots(direct(text, plan))) == count


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Tom at the bench. Hard overhead strip light.", "top"),
        ("Mara in the corridor, harsh fluorescent light straight down from above.", "top"),
        ("Tom on the sand, the sun flaring right behind him.", "back"),
        ("Tom at the board. Hard light from the tube above.", "top"),
        ("Mara on the quay, warm light low from the left.", "left"),
    ],
)
def test_key_light_said_in_everyday_words(plan: StoryPlan, text: str, side: str) -> None:
    reply = direct(text, plan)
    assert shot_or_place(reply, "key_light_side", "key_light") == [side], reply.edits


@pytest.mark.parametrize(
    "text",
    [
        "Straight on from the end of that: Mara stops at the kerb. MS, profile, static.",
        "Picking up straight from the end of the letter one: MCU Mara, her eyes opening.",
        "Pick up right where Tom exits the quay frame: MS, tracking with him.",
        "Next shot continues directly from the end of the previous one: Mara stands up.",
    ],
)
def test_a_shot_that_picks_up_where_another_ends(plan: StoryPlan, text: str) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].continues_from is not None, shots


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("then Tom to Mara: Is this the man? Say it loud!", "Is this the man? Say it loud!"),
        ("then Tom leaning in the window and saying dead serious: license and registration",
         "license and registration"),
    ],
)  # fmt: skip
def test_a_line_to_someone_after_a_colon(plan: StoryPlan, text: str, line: str) -> None:
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].dialogue == line and shots[0].dialogue_speaker == "Tom"


def test_an_insert_refined_by_its_framing_is_one_shot(plan: StoryPlan) -> None:
    text = "Insert: her hands on the phone as she dials. ECU, static, 100mm macro, flat top light."
    shots = new_shots(direct(text, plan))
    assert len(shots) == 1 and shots[0].lens_mm == 100 and shots[0].size == "ECU", shots
