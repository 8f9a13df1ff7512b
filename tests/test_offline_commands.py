"""Offline commands on shots named by what they show, on many shots at once, and commands that
must never become a new shot."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.agent.offline import OfflineDirector
from storyreel.agent.offline.refs import content_words, find_phrases, stem
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, AskPerson
from storyreel.tools.story import StoryPlan
from tests.test_offline_director import apply, matches


def build_film() -> StoryPlan:
    """Mara and Tom; the Harbour and the Jetty; seven shots that each show something else."""
    edits = [
        AddCharacter(name="Mara", description="a woman in her thirties", wardrobe="a red coat"),
        AddCharacter(name="Tom", description="an old fisherman", wardrobe="a navy sweater"),
        AddLocation(name="Harbour", description="a stone harbour", time_of_day="dawn"),
        AddLocation(name="Jetty", description="a wooden jetty", time_of_day="dusk"),
        AddShot(action="The harbour at dawn, boats at anchor", size="ELS", location="Harbour"),
        AddShot(action="Tom mends the nets", size="MS", characters=["Tom"], location="Jetty"),
        AddShot(action="A crow lands on a post", size="CU", location="Jetty"),
        AddShot(
            action="The storm rolls in over the sea",
            size="LS",
            location="Harbour",
            time_of_day="dusk",
        ),
        AddShot(
            action="Mara reads the letter",
            size="CU",
            characters=["Mara"],
            location="Harbour",
            time_of_day="night",
        ),
        AddShot(action="The nets drying in the wind", size="MS", location="Jetty"),
        AddShot(
            action="Tom and Mara argue",
            size="MS",
            characters=["Tom", "Mara"],
            location="Jetty",
            time_of_day="dusk",
        ),
    ]
    return apply(StoryPlan(title="Nets"), edits)


@pytest.fixture(scope="module")
def film() -> StoryPlan:
    return build_film()


def say(text: str, plan: StoryPlan, memo: dict[str, Any] | None = None) -> Any:
    memo = {"told_offline": True} if memo is None else memo
    return OfflineDirector().direct(text, plan, memo)


def upd(shot_id: int, **fields: Any) -> dict[str, Any]:
    return {"kind": "update_shot", "shot_id": shot_id, **fields}


def lock(shot_id: int, locked: bool = True) -> dict[str, Any]:
    return {"kind": "set_lock", "shot_id": shot_id, "locked": locked}


def move(shot_id: int, after: int) -> dict[str, Any]:
    return {"kind": "move_shot", "shot_id": shot_id, "after": after}


def gone(shot_id: int) -> dict[str, Any]:
    return {"kind": "remove_shot", "shot_id": shot_id}


ALL = (1, 2, 3, 4, 5, 6, 7)
ASK = [{"kind": "ask"}]
NOTHING: list[dict[str, Any]] = []

CASES: list[tuple[str, list[dict[str, Any]]]] = [
    # shots named by what they show
    ("delete the crow shot", [gone(3)]),
    ("get rid of the one with the crow", [gone(3)]),
    ("lose the crow", [gone(3)]),
    ("Cut the storm.", [gone(4)]),
    ("please remove the shot where Mara reads the letter", [gone(5)]),
    ("remove the letter shot, it drags", [gone(5)]),
    ("lock the storm shot", [lock(4)]),
    ("Lock the storm shot and the crow shot.", [lock(4), lock(3)]),
    ("unlock the one with the letter", [lock(5, False)]),
    ("make the crow shot 2 seconds", [upd(3, duration_s=2.0)]),
    ("the storm one should be longer, like eight seconds", [upd(4, duration_s=8.0)]),
    ("can the reading one be a bit longer? like 7 seconds", [upd(5, duration_s=7.0)]),
    ("make Mara's close-up slower", [upd(5, movement_speed="slow")]),
    ("the close-up of Mara should be an extreme close-up", [upd(5, size="ECU")]),
    ("the shot where Tom mends the nets should be wider", [upd(2, size="MLS")]),
    ("make the one where they argue a close-up", [upd(7, size="CU")]),
    ("the one before the storm 6 seconds", [upd(3, duration_s=6.0)]),
    ("make the opening shot 8 seconds", [upd(1, duration_s=8.0)]),
    ("the wide one should be at night", ASK),  # the harbour (ELS) and the storm (LS)
    ("the long shot should be at night", [upd(4, time_of_day="night")]),
    ("retime the letter shot to 3 seconds", [upd(5, duration_s=3.0)]),
    ("shorten the storm shot by a second", [upd(4, duration_s=3.0)]),
    ("speed up the crow shot", [upd(3, movement_speed="fast")]),
    ("render the crow shot on wan again", [
        {"kind": "render", "shot_ids": [3], "backend": "wan", "force": True}]),
    ("during the argument the camera circles them", [upd(7, movement="orbit_right")]),
    ("move the shot of the crow to the end", [move(3, 7)]),
    ("move the storm shot to the start", [move(4, 0)]),
    ("put the letter shot first", [move(5, 0)]),
    ("put the crow shot after the storm one", [move(3, 4)]),
    ("Start with the storm shot.", [move(4, 0)]),
    ("swap the crow shot and the storm shot", [move(3, 4), move(4, 2)]),
    ("swap the last two", [move(6, 7), move(7, 5)]),
    ("swap the first and the last shot", [move(1, 7), move(7, 0)]),
    ("add a close-up of Mara after the crow shot", [
        {"kind": "add_shot", "size": "CU", "characters": ["Mara"], "after": 3}]),
    # two close candidates: ask, change nothing
    ("move the shot of the nets to the end", ASK),
    ("get rid of the one with the nets", ASK),
    ("make the nets one 3 seconds", ASK),
    ("lock the nets shot", ASK),
    # many shots
    ("make all the shots 5 seconds", [upd(i, duration_s=5.0) for i in ALL]),
    ("every shot 4 seconds long", [upd(i, duration_s=4.0) for i in ALL]),
    ("all the close-ups 3 seconds", [upd(3, duration_s=3.0), upd(5, duration_s=3.0)]),
    ("make every close-up 2 seconds", [upd(3, duration_s=2.0), upd(5, duration_s=2.0)]),
    ("lock everything", [lock(i) for i in ALL]),
    ("unlock them all", [lock(i, False) for i in ALL]),
    ("lock everything except the last one", [lock(i) for i in ALL[:-1]]),
    ("every dusk shot a little brighter", [
        upd(4, lighting="a little brighter"), upd(7, lighting="a little brighter")]),
    ("all the harbour shots wide", [upd(i, size="LS") for i in (1, 4, 5)]),
    ("every shot at the jetty should be at night", [
        upd(i, time_of_day="night") for i in (2, 3, 6, 7)]),
    ("make every shot with Tom slower", [
        upd(2, movement_speed="slow"), upd(7, movement_speed="slow")]),
    ("Key light from behind on every shot.", [upd(i, key_light_side="back") for i in ALL]),
    ("make the whole sequence blue hour", [upd(i, time_of_day="blue_hour") for i in ALL]),
    ("render everything again", [{"kind": "render", "shot_ids": [], "force": True}]),
    ("oh and can the whole film be black and white", [
        {"kind": "set_style", "look": "black and white"}]),
    # numbered commands and undo stay right
    ("make shot 2 a close-up", [upd(2, size="CU")]),
    ("delete shot 3", [gone(3)]),
    ("shot 4: 6 seconds", [upd(4, duration_s=6.0)]),
    ("retime shot 2 to 3 seconds", [upd(2, duration_s=3.0)]),
    ("shot 5 should be 3 seconds", [upd(5, duration_s=3.0)]),
    ("shorten shot 1", [upd(1, duration_s=3.0)]),
    ("lengthen the opening shot by two seconds", [upd(1, duration_s=6.0)]),
    ("lengthen shot 2", [upd(2, duration_s=6.0)]),
    ("ok unlock shot 1 and make it a wide shot", [lock(1, False), upd(1, size="LS")]),
    ("swap shots 2 and 3", [move(2, 3), move(3, 1)]),
    ("move shot 5 to the start", [move(5, 0)]),
    ("undo that", [{"kind": "undo", "steps": 1}]),
    ("wait no undo that sorry, need it before the storm bit", [{"kind": "undo", "steps": 1}]),
    ("take that back", [{"kind": "undo", "steps": 1}]),
    ("actually undo that", [{"kind": "undo", "steps": 1}]),
    ("hmm no, undo that", [{"kind": "undo", "steps": 1}]),
    ("undo the last two changes", [{"kind": "undo", "steps": 2}]),
    ("redo", [{"kind": "redo", "steps": 1}]),
    # a command that names nothing I know: nothing changes, and no shot
    ("delete the pelican", NOTHING),
    ("drop the one with the pelican", NOTHING),
    ("make the one with the seagull 3 seconds", NOTHING),
    ("move it somewhere", NOTHING),
    ("swap them", NOTHING),
    # the film's title, in everyday shapes
    ("can u call it The Long Night", [{"kind": "set_style", "title": "The Long Night"}]),
    ("Film's called Whiteout.", [{"kind": "set_style", "title": "Whiteout"}]),
    ("can the film be called thirty one years", [
        {"kind": "set_style", "title": "Thirty One Years"}]),
    ("Retitle the film 'Salt and Stone'.", [{"kind": "set_style", "title": "Salt and Stone"}]),
    ("Film title: Sixty Degrees.", [{"kind": "set_style", "title": "Sixty Degrees"}]),
    ("call the whole thing Short Back and Sides", [
        {"kind": "set_style", "title": "Short Back and Sides"}]),
    ("change the name to Dark at Six", [{"kind": "set_style", "title": "Dark at Six"}]),
    # shots approved, then locked; shot numbers in words; the opening / closing ones
    ("Shots one to four are signed off. Lock them.", [lock(1), lock(2), lock(3), lock(4)]),
    ("The first three are signed off. Lock them.", [lock(1), lock(2), lock(3)]),
    ("the opening two are approved, lock them both", [lock(1), lock(2)]),
    ("lock the closing three", [lock(5), lock(6), lock(7)]),
    # where a shot goes, said as what it then does
    ("Move the letter shot up so it opens the film.", [move(5, 0)]),
    ("move the crow shot so it closes the film", [move(3, 7)]),
    ("move the crow one so its right after the letter one", [move(3, 5)]),
    # the film's shape and look, asked in everyday words
    ("can we have it square shaped, its going on the family facebook group", [
        {"kind": "set_style", "aspect": "1:1"}]),
    ("its for instagram so square pls", [{"kind": "set_style", "aspect": "1:1"}]),
    ("could it be portrait, my nan only watches on her phone", [
        {"kind": "set_style", "aspect": "9:16"}]),
    ("oh and widescreen please", [{"kind": "set_style", "aspect": "16:9"}]),
    ("Make the film 4:3.", [{"kind": "set_style", "aspect": "4:3"}]),
    ("2.39:1 for the whole thing", [{"kind": "set_style", "aspect": "2.39:1"}]),
    ("Look: washed out and cold, like an old documentary", [
        {"kind": "set_style", "look": "washed out and cold, like an old documentary"}]),
    ("For the whole film: warm, grainy super 8", [
        {"kind": "set_style", "look": "warm, grainy super 8"}]),
    ("call it Low Tide, that's what grandad called the bad years", [
        {"kind": "set_style", "title": "Low Tide"}]),
    ("lets title it Salt and Ash, because of the fire", [
        {"kind": "set_style", "title": "Salt and Ash"}]),
    ("can it be black and white like an old film", [{"kind": "set_style"}]),
    ("can it all be in black and white", [{"kind": "set_style", "look": "black and white"}]),
    # many shots by where they happen, said without a verb
    ("all the jetty shots at golden hour", [
        upd(i, time_of_day="golden_hour") for i in (2, 3, 6, 7)]),
    ("every harbour shot at night pls", [upd(i, time_of_day="night") for i in (1, 4, 5)]),
    ("Every shot on the jetty runs five seconds.", [upd(i, duration_s=5.0) for i in (2, 3, 6, 7)]),
    ("all the shots with Tom should run for 3 seconds", [upd(i, duration_s=3.0) for i in (2, 7)]),
    # many shots named by who is in them, or all at one time of day said as a fact
    ("Lock every shot Tom is in.", [lock(2), lock(7)]),
    ("make all the shots tom appears in 3 seconds", [upd(i, duration_s=3.0) for i in (2, 7)]),
    ("its all night time btw, every single shot", [upd(i, time_of_day="night") for i in ALL]),
    ("every shot is at dawn", [upd(i, time_of_day="dawn") for i in ALL]),
    ("the whole thing is all at dusk", [upd(i, time_of_day="dusk") for i in ALL]),
    # a producer's shorthand
    ("flip 4 and 5", [move(4, 5), move(5, 3)]),
    ("switch 2 & 3", [move(2, 3), move(3, 1)]),
    ("4: handheld pls, more energy", [upd(4, movement="handheld")]),
    ("crow CU -> ECU, 100mm macro", [upd(3, size="ECU", lens_mm=100)]),
    ("shot 3 -> 4s", [upd(3, duration_s=4.0)]),
    ("lock all of Tom's shots, client signed them off", [lock(2), lock(7)]),
    ("All the jetty shots on an 85.", [upd(i, lens_mm=85) for i in (2, 3, 6, 7)]),
    ("shot 3: slow push-in on an 85, and drop it to a low angle", [
        upd(3, movement="dolly_in", movement_speed="slow", lens_mm=85), upd(3, angle="low")]),
    ("working title: Red Dirt", [{"kind": "set_style", "title": "Red Dirt"}]),
    ("And I should like to call the film The Girl Who Sang.", [
        {"kind": "set_style", "title": "The Girl Who Sang"}]),
    ("the crow shot \u2014 lock it, its perfect", [lock(3)]),
    ("storm shot to the very end", [move(4, 7)]),
    ("Put the storm shot in the very starting, like a teaser.", [move(4, 0)]),
    ("Make the whole film black and white, like an old newsreel.", [
        {"kind": "set_style", "look": "black and white, like an old newsreel"}]),
    # many shots, led in by a wish or a heading
    ("I'd like all the shots at golden hour, that's the brand look", [
        upd(i, time_of_day="golden_hour") for i in ALL]),
    ("Let every shot breathe a little: five seconds apiece at the very least.", [
        upd(i, duration_s=5.0) for i in ALL]),
    ("Slow the whole thing down: every shot at least five seconds.", [
        upd(i, duration_s=5.0) for i in ALL]),
    ("oh and every shot with Tom in it from down low so he looks big and scary", [
        upd(2, angle="low"), upd(7, angle="low")]),
    ("The crow shot goes first. Cold open.", [move(3, 0)]),
    ("the storm one can go, it doesn't really sell anything", [gone(4)]),
    ("the one of the crow, put it in the end", [move(3, 7)]),
    ("Title of the film: Board Fourteen.", [{"kind": "set_style", "title": "Board Fourteen"}]),
    # a length said after "longer", a lens said as "on the 85", a shot kept at its length
    ("make every shot longer please, alfie likes it slow. like 7 seconds", [
        upd(i, duration_s=7.0) for i in ALL]),
    ("could they all be a bit shorter, 3 seconds?", [upd(i, duration_s=3.0) for i in ALL]),
    ("every close up on the 85 please", [upd(3, lens_mm=85), upd(5, lens_mm=85)]),
    ("Every shot with Tom in it: longer lens, 85 or more.", [
        upd(2, lens_mm=85), upd(7, lens_mm=85)]),
    ("All the jetty shots at 6 seconds. The crow shot stays at 2.", [
        *[upd(i, duration_s=6.0) for i in (2, 3, 6, 7)], upd(3, duration_s=2.0)]),
    ("all the jetty ones should be golden like evening sun", [
        upd(i, time_of_day="golden_hour") for i in (2, 3, 6, 7)]),
    # the film's shape and look, and its title, said in passing
    ("widescreen is fine for the TV version but this cut has to be vertical, 9:16, for Reels", [
        {"kind": "set_style", "aspect": "9:16"}]),
    ("Please make the picture the tall kind, for the telephone.", [
        {"kind": "set_style", "aspect": "9:16"}]),
    ("make the whole thing look like an old home video from the 90s", [
        {"kind": "set_style", "look": "like an old home video from the 90s"}]),
    ("call it Slow Down Sun thx", [{"kind": "set_style", "title": "Slow Down Sun"}]),
    # a shot called a picture; a shot not needed
    ("I think every picture ought to last a little longer, perhaps six seconds each.", [
        upd(i, duration_s=6.0) for i in ALL]),
    ("On reflection, the picture of the crow is not needed, so please take it out.", [gone(3)]),
    ("Storm shot is not needed, remove it please.", [gone(4)]),
    # a film stock is a look, not a lens
    ("Overall look: warm and grainy, like 16mm film stock.", [
        {"kind": "set_style", "look": "warm and grainy, like 16mm film stock"}]),
    ("make the sky purple", NOTHING),
    ("change the order", NOTHING),
    ("please shorten the thing", NOTHING),
    ("could you retime the pelican one", NOTHING),
]  # fmt: skip

COMMAND_SENTENCES = [text for text, _ in CASES if not text.startswith("add a close-up")]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_commands_become_edits(film: StoryPlan, text: str, expected: list[dict]) -> None:
    reply = say(text, film)
    got = [e.model_dump(mode="json") for e in reply.edits]
    assert len(reply.edits) == len(expected), f"{text!r} gave {got} ({reply.reply})"
    for edit, want in zip(reply.edits, expected, strict=True):
        assert matches(edit, want), f"{text!r}: expected {want}, got {edit.model_dump()}"


@pytest.mark.parametrize("text", COMMAND_SENTENCES, ids=[t[:40] for t in COMMAND_SENTENCES])
def test_a_command_never_adds_a_shot(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert not any(isinstance(e, AddShot) for e in reply.edits), (text, reply.edits)
    assert reply.reply.strip(), text


def test_the_case_table_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("delete the pelican", '"the pelican"'),
        ("make the one with the seagull 3 seconds", '"the one with the seagull"'),
        ("make the sky purple", '"make the sky purple"'),
    ],
)
def test_what_was_not_understood_is_quoted(film: StoryPlan, text: str, quoted: str) -> None:
    reply = say(text, film)
    assert "changed nothing" in reply.reply
    assert quoted in reply.reply


def test_two_close_candidates_ask_a_short_question_with_choices(film: StoryPlan) -> None:
    reply = say("get rid of the one with the nets", film)
    (ask,) = reply.edits
    assert isinstance(ask, AskPerson)
    assert ask.choices == ["shot 2", "shot 6"]
    assert "shot 2 (Tom mends the nets)" in ask.question
    assert "shot 6 (The nets drying in the wind)" in ask.question


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("shot 6", 6),
        ("6", 6),
        ("the second one", 6),
        ("the first", 2),
        ("the drying one", 6),
        ("the one where Tom mends them", 2),
        ("Tom's", 2),
    ],
)
def test_the_answer_completes_the_command(film: StoryPlan, answer: str, chosen: int) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    say("move the shot of the nets to the end", film, memo)
    reply = say(answer, film, memo)
    assert [e.model_dump(mode="json") for e in reply.edits] == [
        {"kind": "move_shot", "shot_id": chosen, "after": 7}
    ], reply.reply
    assert "pending_shot" not in memo


@pytest.mark.parametrize("answer", ["no", "never mind"])
def test_no_answer_changes_nothing(film: StoryPlan, answer: str) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    say("delete the nets shot", film, memo)
    reply = say(answer, film, memo)
    assert reply.edits == []
    assert "left it" in reply.reply


def test_new_direction_instead_of_an_answer_drops_the_question(film: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    say("lock the nets shot", film, memo)
    reply = say("make shot 1 a close-up", film, memo)
    assert [e.model_dump(mode="json")["kind"] for e in reply.edits] == ["update_shot"]
    assert "I left out" in reply.reply
    assert "pending_shot" not in memo


def test_a_weak_match_is_confirmed_before_anything_changes(film: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    reply = say("delete the one where the crow sits on the fence in the rain", film, memo)
    (ask,) = reply.edits
    assert isinstance(ask, AskPerson) and ask.choices == ["yes", "no"]
    assert "shot 3" in ask.question
    done = say("yes please", film, memo)  # (a bare "yes" is taken for chat by director.py)
    assert [e.model_dump(mode="json") for e in done.edits] == [gone(3)]


def test_locked_shots_named_by_content_are_explained(film: StoryPlan) -> None:
    plan = film.model_copy(deep=True)
    plan.shots[2].locked = True  # the crow
    reply = say("make the crow shot 2 seconds", plan)
    assert reply.edits == []
    assert "locked" in reply.reply


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Make Mara walk to the door.", "add_shot"),
        ("let's see Tom at the harbour", "add_shot"),
        ("Show the harbour at dawn.", "add_shot"),
        ("Cut to the storm.", "add_shot"),
        ("Put a close-up of Mara after shot 2.", "add_shot"),
        ("Tom looks at the one on the jetty.", "add_shot"),
        ("Close-up of the crow.", "add_shot"),
    ],
)
def test_direction_with_command_words_is_still_direction(
    film: StoryPlan, text: str, kind: str
) -> None:
    reply = say(text, film)
    assert [e.model_dump(mode="json")["kind"] for e in reply.edits][-1:] == [kind], reply.reply


def test_phrases_and_words() -> None:
    assert stem("nets") == stem("net") and stem("reads") == stem("reading")
    assert content_words("the shot of the nets") == ["net"]
    assert [p.text for p in find_phrases("make the one on the jetty 5 seconds")] == [
        "the one on the jetty"
    ]
    assert [p.text for p in find_phrases("every dusk shot a little brighter")] == [
        "every dusk shot"
    ]
    assert [p.many for p in find_phrases("all the close-ups 3 seconds")] == [True]


def test_number_n_in_a_command_is_shot_n_and_trailing_filler_is_ignored(film: StoryPlan) -> None:
    reply = say("get rid of number 2 actually", film)
    assert [e.model_dump(mode="json") for e in reply.edits] == [gone(2)]


def test_a_phone_video_is_vertical(film: StoryPlan) -> None:
    reply = say("can it be vertical?? want to put it on tiktok for my mum", film)
    assert {e.kind for e in reply.edits} == {"set_style"}
    assert all(e.aspect == "9:16" for e in reply.edits)


def test_undo_with_a_remark_after_it_undoes(film: StoryPlan) -> None:
    reply = say("wait no undo that, 3 is too short", film)
    assert [e.kind for e in reply.edits] == ["undo"]


def test_finish_it_in_a_look_sets_the_look(film: StoryPlan) -> None:
    reply = say("Finish it in black and white, grainy 16mm.", film)
    assert [e.kind for e in reply.edits] == ["set_style"]
    assert "black and white" in reply.edits[0].look


def test_a_shot_just_removed_can_be_brought_back() -> None:
    """ "bring the crow one back" right after removing it undoes the removal; said of a shot
    that was not removed, or after another change, it is not an undo."""
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_film()
    removed = say("ditch the crow one", plan, memo)
    assert [e.kind for e in removed.edits] == ["remove_shot"]
    back = say("wait no bring the crow one back", apply(plan, removed.edits), memo)
    assert [e.model_dump() for e in back.edits] == [{"kind": "undo", "steps": 1}]
    say("lose the storm", plan, memo)
    assert not [e for e in say("put the letter one back", plan, memo).edits if e.kind == "undo"]
    say("make shot 2 a close-up", plan, memo)
    assert not [e for e in say("put it back", plan, memo).edits if e.kind == "undo"]


def test_last_shot_then_a_person_is_a_new_shot_at_the_end() -> None:
    plan = build_film()
    reply = say("last shot tom out on the jetty, he says to mara: see you tomorrow", plan)
    shots = [e for e in reply.edits if e.kind == "add_shot"]
    assert len(shots) == 1 and shots[0].dialogue == "see you tomorrow", reply.edits
    assert not [e for e in reply.edits if e.kind == "update_shot"]


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("NEW SHOT after 6. Tom on the jetty, leaning on the rail. MS, static, 85mm.", 6),
        ("new shot before shot 2: Mara on the quay, waving. Wide.", 1),
        ("NEW: hero riding shot, goes after the storm one. LS, low angle. Tom runs at lens.", 4),
        ("INSERT - right after the crow shot. Tom's hand on the keys. ECU, 100mm, static.", 3),
    ],
)
def test_a_new_shot_placed_by_its_header(text: str, after: int) -> None:
    shots = [e for e in say(text, build_film()).edits if e.kind == "add_shot"]
    assert len(shots) == 1 and shots[0].after == after, shots


def test_what_stays_as_it_is_changes_nothing() -> None:
    text = "All the jetty shots at 6 seconds; the harbour shots stay as they are."
    reply = say(text, build_film())
    assert {e.shot_id for e in reply.edits if e.kind == "update_shot"} == {2, 3, 6, 7}
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits


@pytest.mark.parametrize(
    "text",
    [
        "the crow shot, honestly, something about it",
        "every shot with Tom in it, you know, the vibe",
        "We're going for Evil Dead energy.",
        "That's what the night staff wear there.",
        "Cold open.",
        "we'll get to that later",
    ],
)
def test_a_sentence_about_shots_or_a_remark_is_never_a_new_shot(text: str) -> None:
    reply = say(text, build_film())
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
    assert reply.reply.strip()


@pytest.mark.parametrize(
    "text",
    [
        "a vertical pan up the lighthouse at dusk",
        "wide shot of the square by the church at dawn",
        "a close-up of Mara, the tall one, at 4:30 in the morning",
    ],
)
def test_a_shot_with_a_shape_word_is_a_shot_not_the_films_shape(film: StoryPlan, text: str) -> None:
    reply = say(text, film)
    assert any(isinstance(e, AddShot) for e in reply.edits), (text, reply.edits)
    assert not [e for e in reply.edits if e.kind == "set_style"], (text, reply.edits)
