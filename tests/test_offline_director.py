"""The offline director: plain direction in, the typed edits an LLM director would return out."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from storyreel.agent.director import DirectorReply
from storyreel.agent.offline import HELP, OFFLINE_NOTICE, OfflineDirector
from storyreel.agent.offline import turn as offline_turn
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    AskPerson,
    EditContext,
    SetLock,
    apply_edits,
    is_action,
)
from storyreel.tools.story import StoryPlan


def build_plan() -> StoryPlan:
    """Mara (a woman), Tom (an old fisherman), the Harbour at dusk, and shots 1..5."""
    edits = [
        AddCharacter(
            name="Mara",
            description="a woman in her thirties with short black hair",
            wardrobe="a red raincoat",
        ),
        AddCharacter(
            name="Tom",
            description="an old fisherman with a white beard",
            wardrobe="a navy sweater",
        ),
        AddLocation(
            name="Harbour",
            description="a stone harbour with fishing boats",
            time_of_day="dusk",
            key_light="left",
        ),
        AddShot(action="The harbour at dusk", size="ELS", location="Harbour"),
        AddShot(action="Mara walks along the quay", characters=["Mara"], location="Harbour"),
        AddShot(action="Tom mends a net", size="MS", characters=["Tom"], location="Harbour"),
        AddShot(action="Tom hands Mara a letter", characters=["Tom", "Mara"], location="Harbour"),
        AddShot(action="Mara reads", size="MS", characters=["Mara"], location="Harbour"),
    ]
    return apply(StoryPlan(title="Test"), edits)


def apply(plan: StoryPlan, edits: list[Any]) -> StoryPlan:
    """Apply the plan edits (not the actions) the way the agent does; raise if any is rejected."""
    counter = itertools.count(max((s.id for s in plan.shots), default=0) + 1)
    context = EditContext(new_shot_id=lambda: next(counter), take_numbers=lambda _id: (1, 2, 3))
    new_plan, _ = apply_edits(plan, [e for e in edits if not is_action(e)], context)
    return new_plan


@pytest.fixture(scope="module")
def plan() -> StoryPlan:
    return build_plan()


def direct(text: str, plan: StoryPlan, memo: dict[str, Any] | None = None) -> DirectorReply:
    memo = {"told_offline": True} if memo is None else memo
    return OfflineDirector().direct(text, plan, memo)


def matches(edit: Any, expected: dict[str, Any]) -> bool:
    """The fields named in `expected` have those values in the edit (JSON form)."""
    dumped = edit.model_dump(mode="json")
    return all(dumped.get(key) == value for key, value in expected.items())


def shot(**fields: Any) -> dict[str, Any]:
    return {"kind": "add_shot", **fields}


def update(shot_id: int, **fields: Any) -> dict[str, Any]:
    return {"kind": "update_shot", "shot_id": shot_id, **fields}


CASES = [
    # people
    ("Ana, a tall woman in a red raincoat, waits on the pier.", [
        {"kind": "add_location", "name": "Pier"},
        {"kind": "add_character", "name": "Ana", "description": "a tall woman",
         "wardrobe": "a red raincoat"},
        {"kind": "add_shot", "characters": ["Ana"], "location": "Pier"}]),
    ("Meet Jon: an old fisherman with a white beard.", [
        {"kind": "add_character", "name": "Jon",
         "description": "an old fisherman with a white beard", "wardrobe": ""}]),
    ("Jon is a fisherman in his sixties.", [
        {"kind": "add_character", "name": "Jon", "description": "a fisherman in his sixties"}]),
    ("Use the last frame of shot 2 as Mara's reference.", [
        {"kind": "reference_from_take", "shot_id": 2, "take": None, "frame": "last",
         "entity": "Mara"}]),
    ("make frame 5 of shot 1, take 2 a style reference", [
        {"kind": "reference_from_take", "shot_id": 1, "take": 2, "frame": "5", "entity": None}]),
    ("Lena is a woman in her thirties wearing a red raincoat.", [
        {"kind": "add_character", "name": "Lena", "description": "a woman in her thirties",
         "wardrobe": "a red raincoat"}]),
    ("meet Sam - a young sailor wearing a navy sweater", [
        {"kind": "add_character", "name": "Sam", "description": "a young sailor",
         "wardrobe": "a navy sweater"}]),
    ("Tom now wears a yellow oilskin cap.", [
        {"kind": "update_character", "name": "Tom", "wardrobe": "a yellow oilskin cap"}]),
    ("MARA, a tall woman, waits.", [shot(characters=["Mara"], action="Mara waits")]),
    ("There's a young woman called Ana on the beach at dawn, light from the left.", [
        {"kind": "add_location", "name": "Beach", "time_of_day": "dawn", "key_light": "left"},
        {"kind": "add_character", "name": "Ana", "description": "a young woman"},
        shot(characters=["Ana"], location="Beach", time_of_day=None)]),
    # places
    ("In the lighthouse at night, light from the right.", [
        {"kind": "add_location", "name": "Lighthouse", "time_of_day": "night",
         "key_light": "right"}]),
    ("on the beach at dawn, light from the left", [
        {"kind": "add_location", "name": "Beach", "time_of_day": "dawn", "key_light": "left"}]),
    ("INT. LAMP ROOM - NIGHT", [
        {"kind": "add_location", "name": "Lamp Room", "time_of_day": "night"}]),
    # shots
    ("Open on a wide shot of the harbour.", [
        shot(size="LS", location="Harbour", characters=[], action="The harbour")]),
    ("Close-up of Mara.", [shot(size="CU", characters=["Mara"], action="Mara")]),
    ("CLOSE UP ON MARA", [shot(size="CU", characters=["Mara"])]),
    ("extreme close-up of Tom's hands", [
        shot(size="ECU", characters=["Tom"], action="Tom's hands")]),
    ("Medium shot: Tom mends a net.", [
        shot(size="MS", characters=["Tom"], action="Tom mends a net")]),
    ("Establishing shot of the harbour at dusk.", [
        shot(size="ELS", location="Harbour", time_of_day=None)]),
    ("Then a slow push-in as Mara reads the letter.", [
        shot(movement="dolly_in", movement_speed="slow", characters=["Mara"],
             action="Mara reads the letter")]),
    ("The camera pans left as Tom walks along the harbour wall.", [
        shot(movement="pan_left", characters=["Tom"], location="Harbour",
             action="Tom walks along the harbour wall")]),
    ("tracking shot, Mara walks through the harbour", [
        shot(movement="tracking", characters=["Mara"], action="Mara walks through the harbour")]),
    ("Zoom in on the letter, 3 seconds.", [
        shot(movement="zoom_in", duration_s=3.0, action="The letter")]),
    ("From a low angle, Tom looks up at the sky.", [
        shot(angle="low", characters=["Tom"], action="Tom looks up at the sky")]),
    ("Over the shoulder shot of Tom, Mara in the background.", [
        shot(angle="ots", characters=["Tom", "Mara"])]),
    ("Bird's-eye view of the harbour.", [shot(angle="overhead", location="Harbour")]),
    ("Mara at the harbour, 85mm, shallow focus.", [
        shot(lens_mm=85, depth_of_field="shallow", characters=["Mara"], location="Harbour")]),
    ("a 35 mm lens on Tom as he mends the net", [shot(lens_mm=35, characters=["Tom"])]),
    ("Wide shot of Tom for 5s.", [shot(size="LS", duration_s=5.0, characters=["Tom"])]),
    ('Mara says "Come home."', [
        shot(dialogue="Come home.", characters=["Mara"], action="Mara speaks")]),
    ('"Come home," she whispers.', [
        shot(dialogue="Come home", characters=["Mara"], action="Mara whispers")]),
    ("Close-up of Mara at night.", [shot(size="CU", time_of_day="night")]),
    ("Close on Tom. Then he turns away.", [
        shot(size="CU", characters=["Tom"]),
        shot(characters=["Tom"], action="Tom turns away")]),
    ("Fade in on the harbour at dawn.", [
        shot(transition="fade_in", location="Harbour", time_of_day="dawn")]),
    ("Dutch angle on Mara, handheld.", [
        shot(angle="dutch", movement="handheld", characters=["Mara"])]),
    ("Smash cut to Tom, extreme close-up!", [
        shot(transition="smash_cut", size="ECU", characters=["Tom"])]),
    ("1. Wide shot of the harbour\n2. Close-up of Tom\n3. Mara walks in", [
        shot(size="LS"), shot(size="CU", characters=["Tom"]),
        shot(characters=["Mara"], action="Mara walks in")]),
    ("Add a close-up of Mara after shot 2", [shot(size="CU", characters=["Mara"], after=2)]),
    ('Close-up of Mara. She says "Come home."', [
        shot(size="CU", characters=["Mara"], dialogue="Come home.")]),
    ("Tom and Mara walk along the harbour, medium long shot, tilt up slowly", [
        shot(size="MLS", movement="tilt_up", movement_speed="slow",
             characters=["Tom", "Mara"])]),
    # commands
    ("make shot 2 a close-up", [update(2, size="CU")]),
    ("Change shot 4 to a low angle.", [update(4, angle="low")]),
    ("redo shot 4 at night", [update(4, time_of_day="night"), {"kind": "render",
                                                               "shot_ids": [4]}]),
    ("Make shot 3 5 seconds long.", [update(3, duration_s=5.0)]),
    ("make shot 2 a slow push-in", [update(2, movement="dolly_in", movement_speed="slow")]),
    ("make the last shot wider", [update(5, size="MLS")]),
    ("Make shots 1 and 2 close-ups", [update(1, size="CU"), update(2, size="CU")]),
    ("add Tom to shot 2", [update(2, characters=["Mara", "Tom"])]),
    ("Shot 4: no dialogue, 50mm.", [update(4, lens_mm=50, clear=["dialogue"])]),
    ("lock shot 3", [{"kind": "set_lock", "shot_id": 3, "locked": True}]),
    ("Unlock shot 3.", [{"kind": "set_lock", "shot_id": 3, "locked": False}]),
    ("lock shots 1 to 3", [{"kind": "set_lock", "shot_id": i} for i in (1, 2, 3)]),
    ("delete shot 5", [{"kind": "remove_shot", "shot_id": 5}]),
    ("Remove shot 5.", [{"kind": "remove_shot", "shot_id": 5}]),
    ("cut shot 5", [{"kind": "remove_shot", "shot_id": 5}]),
    ("move shot 2 after shot 4", [{"kind": "move_shot", "shot_id": 2, "after": 4}]),
    ("Move shot 2 to the start.", [{"kind": "move_shot", "shot_id": 2, "after": 0}]),
    ("put shot 1 at the end", [{"kind": "move_shot", "shot_id": 1, "after": 5}]),
    ("move shot 4 before shot 2", [{"kind": "move_shot", "shot_id": 4, "after": 1}]),
    ("undo", [{"kind": "undo", "steps": 1}]),
    ("Undo that.", [{"kind": "undo", "steps": 1}]),
    ("undo the last 2 changes", [{"kind": "undo", "steps": 2}]),
    ("redo", [{"kind": "redo", "steps": 1}]),
    ("render", [{"kind": "render", "shot_ids": []}]),
    ("render shot 3", [{"kind": "render", "shot_ids": [3]}]),
    ("Render shots 2 and 5.", [{"kind": "render", "shot_ids": [2, 5]}]),
    ("render everything", [{"kind": "render", "shot_ids": []}]),
    ("render shot 3 on wan again", [
        {"kind": "render", "shot_ids": [3], "backend": "wan", "force": True}]),
    ("export", [{"kind": "export"}]),
    ("Export the film!", [{"kind": "export"}]),
    ("make the final cut", [{"kind": "export"}]),
    ("compare shot 1 on previz and wan", [
        {"kind": "compare", "shot_id": 1, "backends": ["previz", "wan"]}]),
    ("use take 2 for shot 3", [{"kind": "select_take", "shot_id": 3, "take": 2}]),
    ("Select take 2 of shot 3.", [{"kind": "select_take", "shot_id": 3, "take": 2}]),
    ("call the film The Letter", [{"kind": "set_style", "title": "The Letter"}]),
    ("make it 16:9", [{"kind": "set_style", "aspect": "16:9"}]),
    ("Make shot 2 a close-up and render it.", [
        update(2, size="CU"), {"kind": "render", "shot_ids": [2]}]),
    ("swap shots 2 and 3", [{"kind": "move_shot", "shot_id": 2, "after": 3},
                            {"kind": "move_shot", "shot_id": 3, "after": 1}]),
    ("Move shot 3 up.", [{"kind": "move_shot", "shot_id": 3, "after": 1}]),
    ("render the first two shots", [{"kind": "render", "shot_ids": [1, 2]}]),
    ("I don't like shot 3, get rid of it", [{"kind": "remove_shot", "shot_id": 3}]),
    ("Shot 3 is perfect, lock it.", [{"kind": "set_lock", "shot_id": 3, "locked": True}]),
    ("make shot 4 daytime", [update(4, time_of_day="noon")]),
    ("The harbour is a stone harbour with moored boats.", [
        {"kind": "update_location", "name": "Harbour",
         "description": "a stone harbour with moored boats"}]),
    ("Can we get a wide of the harbour?", [shot(size="LS", location="Harbour")]),
    ("@mara waves at @tom", [shot(characters=["Mara", "Tom"], action="Mara waves at Tom")]),
    ("Close-up, slow push-in on Mara, continuing from shot 4.", [
        shot(size="CU", movement="dolly_in", continues_from=4, characters=["Mara"])]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_direction_becomes_edits(plan: StoryPlan, text: str, expected: list[dict]) -> None:
    reply = direct(text, plan)
    got = [e.model_dump(mode="json") for e in reply.edits]
    assert len(reply.edits) == len(expected), f"{text!r} gave {got}"
    for edit, want in zip(reply.edits, expected, strict=True):
        assert matches(edit, want), f"{text!r}: expected {want}, got {edit.model_dump()}"
    assert reply.reply.strip()


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_every_edit_applies_cleanly(plan: StoryPlan, text: str, expected: list[dict]) -> None:
    apply(plan, direct(text, plan).edits)


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 45


def test_pronouns_resolve_across_turns(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    first = direct("Close-up of Tom.", plan, memo)
    assert first.edits[0].characters == ["Tom"]
    second = direct("He looks out to sea.", plan, memo)
    assert [(e.characters, e.action) for e in second.edits] == [(["Tom"], "Tom looks out to sea")]
    third = direct("She waves from the quay.", plan, memo)  # the only woman in the story
    assert third.edits[-1].characters == ["Mara"]
    assert memo["last_characters"] == ["Mara"]


def test_ambiguous_pronoun_asks_then_the_answer_completes_the_shot(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    intro = direct("Ana, a young woman in a green dress, waits for news.", plan, memo)
    plan = apply(plan, intro.edits)
    reply = direct(
        "Mara hands Ana the letter.\nShe smiles. Cut to a wide shot of the harbour.", plan, memo
    )
    kinds = [e.kind for e in reply.edits]
    assert kinds == ["add_shot", "ask"]
    assert reply.edits[0].characters == ["Mara", "Ana"]
    ask = reply.edits[1]
    assert isinstance(ask, AskPerson)
    assert ask.choices == ["Mara", "Ana"]
    assert "'she'" in ask.question and "Mara or Ana" in ask.question
    assert memo["pending"]["clause"] == "She smiles."
    plan = apply(plan, reply.edits)

    answer = direct("Ana", plan, memo)
    assert [e.kind for e in answer.edits] == ["add_shot", "add_shot"]
    smile, wide = answer.edits
    assert (smile.characters, smile.action) == (["Ana"], "Ana smiles")
    assert wide.size == "LS" and wide.location == "Harbour"
    assert "pending" not in memo
    assert answer.reply.startswith("Got it: Ana.")
    plan = apply(plan, answer.edits)
    json.dumps(memo)  # the agent stores the memo as JSON
    # "they" means the people last seen together
    together = direct("They walk away together.", plan, memo)
    assert together.edits[0].characters == ["Mara", "Ana"]
    assert together.edits[0].action == "Mara and Ana walk away together"


@pytest.mark.parametrize(
    ("answer", "cast"),
    [("Mara", ["Mara"]), ("I mean Ana.", ["Ana"]), ("the first one", ["Mara"]),
     ("both", ["Mara", "Ana"]), ("neither", [])],
)  # fmt: skip
def test_answers_to_who_do_you_mean(plan: StoryPlan, answer: str, cast: list[str]) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = apply(plan, direct("Meet Ana: Mara's younger sister.", plan, memo).edits)
    asked = direct("Mara hugs Ana.\nShe cries.", plan, memo)
    assert asked.edits[-1].choices == ["Mara", "Ana"]
    plan = apply(plan, asked.edits)
    reply = direct(answer, plan, memo)
    assert [e.characters for e in reply.edits] == [cast]
    apply(plan, reply.edits)


def test_a_new_message_instead_of_an_answer_drops_the_question(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = apply(plan, direct("Meet Ana: a young woman.", plan, memo).edits)
    asked = direct("Mara hands Ana the letter.\nShe smiles.", plan, memo)
    assert isinstance(asked.edits[-1], AskPerson)
    reply = direct("make shot 2 a close-up", plan, memo)
    assert [e.kind for e in reply.edits] == ["update_shot"]
    assert "left out" in reply.reply and "pending" not in memo
    direct("Mara hands Ana the letter.\nShe smiles.", plan, memo)
    mentions_a_choice = direct("Close-up of Mara.", plan, memo)  # direction, not an answer
    assert [(e.kind, e.size, e.characters) for e in mentions_a_choice.edits] == [
        ("add_shot", "CU", ["Mara"])
    ]
    assert "left out" in mentions_a_choice.reply


def test_offline_notice_on_first_reply_only(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {}
    first = direct("Close-up of Mara.", plan, memo)
    assert OFFLINE_NOTICE in first.reply and "OPENAI_BASE_URL" in first.reply
    assert memo["told_offline"] is True
    second = direct("Close-up of Tom.", plan, memo)
    assert OFFLINE_NOTICE not in second.reply


@pytest.mark.parametrize(
    "text", ["asdf qwer zxcv", "", "   ", "hello", "?!?!", "@@@ ###", "\x00\x01", "🙂🙂🙂"]
)
def test_nothing_understood_gives_help_and_no_edits(plan: StoryPlan, text: str) -> None:
    reply = direct(text, plan)
    assert reply.edits == []
    assert HELP in reply.reply and OFFLINE_NOTICE in reply.reply  # says how to get an LLM


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000,
        "Close-up of Mara. " * 400,
        "make shot 0 a close-up",
        "render shot 99999999999999999999",
        "undo 500 times",
        "move shot 2 after shot 2",
        "lock",
        "compare shot 1",
        "use take 0 for shot 1",
        'call the film ""',
        "Meet @: ",
        "shot shot shot 3 3 3",
        "make it",
        "She. He. They. Her. Him.",
        "INT. - NIGHT",
    ],
)
def test_odd_input_never_raises_and_gives_valid_edits(plan: StoryPlan, text: str) -> None:
    reply = direct(text, plan)
    assert isinstance(reply, DirectorReply) and reply.reply.strip()
    apply(plan, reply.edits)


def test_a_bug_in_a_rule_becomes_an_apology_not_a_crash(
    plan: StoryPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(offline_turn.Turn, "run", broken)
    reply = direct("Close-up of Mara.", plan)
    assert reply.edits == [] and reply.reply.startswith("Sorry")


def test_paragraph_with_two_people_a_place_and_three_shots(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    text = (
        "Ana, a young woman in a green dress, waits for news. Meet Jon: an old fisherman with "
        "a white beard. We're in the lighthouse at night, light from the right. Open on a wide "
        "shot of the lighthouse. Cut to a close-up of Ana. Then a slow push-in as Jon lights "
        "the lamp."
    )
    reply = direct(text, plan, memo)
    people = [e for e in reply.edits if e.kind == "add_character"]
    places = [e for e in reply.edits if e.kind == "add_location"]
    shots = [e for e in reply.edits if e.kind == "add_shot"]
    assert [(p.name, p.wardrobe) for p in people] == [("Ana", "a green dress"), ("Jon", "")]
    assert [(p.name, p.time_of_day.value, p.key_light.value) for p in places] == [
        ("Lighthouse", "night", "right")
    ]
    assert [(s.size, s.movement, s.movement_speed, s.characters) for s in shots] == [
        (None, None, None, ["Ana"]),  # she is introduced in a shot: "waits for news"
        ("LS", None, None, []),
        ("CU", None, None, ["Ana"]),
        (None, "dolly_in", "slow", ["Jon"]),
    ]
    assert all(s.location == "Lighthouse" and s.time_of_day is None for s in shots)
    assert reply.reply.startswith("Added Ana, Jon, the lighthouse and 4 shots.")
    plan = apply(plan, reply.edits)
    # the next paragraph, in a later message, still happens in the lighthouse
    later = direct("Close-up of Jon.", plan, memo)
    assert later.edits[0].location == "Lighthouse"


def test_place_named_later_in_the_paragraph_holds_for_its_first_shot(plan: StoryPlan) -> None:
    reply = direct("Open on Mara. We're on the beach at dawn.", plan)
    assert [e.kind for e in reply.edits] == ["add_location", "add_shot"]
    assert reply.edits[1].location == "Beach"


def test_locked_and_missing_shots_are_explained_not_edited(plan: StoryPlan) -> None:
    locked = apply(plan, [SetLock(shot_id=3, locked=True)])
    reply = direct("make shot 3 a close-up", locked, {"told_offline": True})
    assert reply.edits == [] and "locked" in reply.reply and "unlock shot 3" in reply.reply
    reply = direct("delete shot 9", plan)
    assert reply.edits == [] and "no shot 9" in reply.reply


def test_unknown_name_adds_the_shot_without_them_and_says_so(plan: StoryPlan) -> None:
    reply = direct("Close-up of Zed.", plan)
    assert [e.characters for e in reply.edits] == [[]]
    assert "Zed" in reply.reply


def test_replies_are_short_and_plain(plan: StoryPlan) -> None:
    assert direct("make shot 2 a close-up", plan).reply == "Shot 2 will be a close-up."
    assert direct("Close-up of Mara. Wide shot of Tom.", plan).reply == "Added 2 shots."


def test_the_director_is_deterministic(plan: StoryPlan) -> None:
    text = "Open on a wide shot of the harbour. Then a slow push-in as she reads the letter."
    first, second = direct(text, plan), direct(text, plan)
    assert first.model_dump() == second.model_dump()


def test_a_place_named_in_passing_keeps_the_current_place(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True, "location": "Harbour"}
    walk = direct("Mara walks along the quay.", plan, memo)
    assert [(e.kind, e.location) for e in walk.edits] == [("add_shot", "Harbour")]
    moved = direct("On the beach at dawn, Tom fishes.", plan, memo)
    assert [e.kind for e in moved.edits] == ["add_location", "add_shot"]
    assert (moved.edits[1].location, moved.edits[1].action) == ("Beach", "Tom fishes")


def test_continuing_from_a_shot(plan: StoryPlan) -> None:
    reply = direct("Close-up of Mara reading, continuing from shot 4.", plan)
    assert [(e.kind, e.continues_from, e.action) for e in reply.edits] == [
        ("add_shot", 4, "Mara reading")
    ]
    update = direct("make shot 5 continue from shot 4", plan)
    assert [(e.kind, e.shot_id, e.continues_from) for e in update.edits] == [("update_shot", 5, 4)]
    backwards = direct("make shot 2 continue from shot 4", plan)  # shot 4 comes later
    assert backwards.edits == [] and "only continue from a shot before it" in backwards.reply


def test_a_line_after_a_shot_of_an_object_is_a_voice_over(plan: StoryPlan) -> None:
    reply = direct('Extreme close-up of the letter. Mara says "Come home." 3 seconds.', plan)
    assert [(e.characters, e.dialogue, e.duration_s) for e in reply.edits] == [
        ([], "Come home.", 3.0)
    ]
    two = direct('Close-up of Tom. Mara says "Hi."', plan)  # Mara is not in Tom's close-up
    assert [e.characters for e in two.edits] == [["Tom"], ["Mara"]]


def test_directing_a_short_film_over_several_messages() -> None:
    """A whole session, the way a person directs "The Letter", applied turn by turn."""
    plan, memo = StoryPlan(), {}
    conversation = [
        "Call the film The Letter.",
        "Mara is a woman in her thirties with short black hair, wearing a red raincoat.",
        "Meet Tom: an old fisherman with a white beard, wearing a navy wool sweater.",
        "At the harbour at dusk, light from the left: an establishing shot of the boats "
        "rocking, crane down, 4 seconds. Then a tracking shot of Mara walking along the quay.",
        "Medium shot of Tom mending a net, he looks up; the camera pans left, 3 seconds.",
        'Over the shoulder medium close-up: Tom holds out an envelope to Mara. He says "This '
        "came for you. It's from the lighthouse.\" 4 seconds.",
        "Close-up, slow push-in on Mara reading the letter, 85mm, continuing from shot 4.",
        "In the lighthouse at night: wide shot of Mara climbing into the lamp room, pans right.",
        'Extreme close-up from above of the letter on the desk, zoom in, 3 seconds. Mara says "'
        'Come home."',
        "render",
        "export",
    ]
    actions = []
    for text in conversation:
        reply = direct(text, plan, memo)
        assert reply.edits, f"{text!r} was not understood: {reply.reply}"
        plan = apply(plan, reply.edits)
        actions += [e.kind for e in reply.edits if is_action(e)]
    assert plan.title == "The Letter"
    assert [(c.name, c.wardrobe) for c in plan.characters] == [
        ("Mara", "a red raincoat"),
        ("Tom", "a navy wool sweater"),
    ]
    assert [(p.name, p.time_of_day, p.key_light.side) for p in plan.locations] == [
        ("Harbour", "dusk", "left"),
        ("Lighthouse", "night", "left"),
    ]
    shots = plan.ordered_shots()
    assert [(s.size, s.angle, s.movement) for s in shots] == [
        ("ELS", "eye_level", "crane_down"),
        ("MS", "eye_level", "tracking"),
        ("MS", "eye_level", "pan_left"),
        ("MCU", "ots", "static"),
        ("CU", "eye_level", "dolly_in"),
        ("LS", "eye_level", "pan_right"),
        ("ECU", "overhead", "zoom_in"),
    ]
    assert [s.location for s in shots] == ["Harbour"] * 5 + ["Lighthouse"] * 2
    assert [s.characters for s in shots] == [
        [], ["Mara"], ["Tom"], ["Tom", "Mara"], ["Mara"], ["Mara"], []
    ]  # fmt: skip
    assert shots[4].continues_from == shots[3].id and shots[4].lens_mm == 85
    assert shots[3].dialogue.startswith("This came for you") and shots[6].dialogue == "Come home."
    assert actions == ["render", "export"]


def test_an_unknown_handle_is_asked_about_and_the_message_is_done_after_the_answer() -> None:
    director, memo = OfflineDirector(), {}
    asked = director.direct("A wide shot of @lena on the pier, 3 seconds.", StoryPlan(), memo)
    assert [e.kind for e in asked.edits] == ["ask"]
    question = asked.edits[0].question
    assert question.startswith("I don't know @lena yet (known: none yet). Who or what is it?")
    answered = director.direct("Lena is a young sailor in a yellow coat.", StoryPlan(), memo)
    kinds = [e.kind for e in answered.edits]
    assert kinds == ["add_character", "add_location", "add_shot"]
    shot = answered.edits[2]
    assert shot.characters == ["Lena"] and shot.duration_s == 3.0
    assert "held" not in memo


def test_a_handle_still_unknown_after_the_answer_is_dropped_with_a_note(plan: StoryPlan) -> None:
    director, memo = OfflineDirector(), {}
    director.direct("Close-up of @ghost, 2 seconds.", plan, memo)
    again = director.direct("Lock shot 1.", plan, memo)
    assert [e.kind for e in again.edits] == ["set_lock"]
    assert '(I left out "Close-up of @ghost, 2 seconds.": I still do not know @ghost.)' in (
        again.reply
    )
    known = director.direct("Close-up of @mara reading, 2 seconds.", plan, {})
    assert [e.kind for e in known.edits] == ["add_shot"]  # known handles need no question
