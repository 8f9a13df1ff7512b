"""The cinematic vocabulary: strict stored spellings, forgiving input."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from storyreel.renderer import previz
from storyreel.tools.critic_metrics import CAMERA_LABELS
from storyreel.tools.errors import InvalidInputError
from storyreel.tools.vocabulary import (
    MEASURABLE_MOVES,
    MOVES,
    Angle,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    find_move,
    in_camera_clause,
    move_phrases,
    parse_term,
)


def test_stored_spellings_are_the_contract() -> None:
    assert [m.value for m in ShotSize] == ["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"]
    assert [m.value for m in Angle] == [
        "eye_level",
        "high",
        "low",
        "overhead",
        "worms_eye",
        "dutch",
        "ots",
        "profile",
        "back",
    ]
    assert [m.value for m in Movement] == [
        "static",
        "pan_left",
        "pan_right",
        "tilt_up",
        "tilt_down",
        "dolly_in",
        "dolly_out",
        "truck_left",
        "truck_right",
        "pedestal_up",
        "pedestal_down",
        "crane_up",
        "crane_down",
        "tracking",
        "orbit_left",
        "orbit_right",
        "zoom_in",
        "zoom_out",
        "handheld",
        "roll",
    ]
    assert [m.value for m in TimeOfDay] == [
        "dawn",
        "morning",
        "noon",
        "afternoon",
        "golden_hour",
        "dusk",
        "blue_hour",
        "night",
    ]
    assert [m.value for m in LightSide] == ["left", "right", "front", "back", "top"]


@pytest.mark.parametrize(
    ("enum_cls", "text", "expected"),
    [
        (ShotSize, "close-up", "CU"),
        (ShotSize, "closeup", "CU"),
        (ShotSize, "CU", "CU"),
        (ShotSize, "cu", "CU"),
        (ShotSize, "Close Up", "CU"),
        (ShotSize, "wide shot", "LS"),
        (ShotSize, "extreme close-up", "ECU"),
        (ShotSize, "medium shot", "MS"),
        (ShotSize, "establishing shot", "ELS"),
        (Movement, "dolly in", "dolly_in"),
        (Movement, "push in", "dolly_in"),
        (Movement, "dolly_in", "dolly_in"),
        (Movement, "Pan Left", "pan_left"),
        (Movement, "still", "static"),
        (Movement, "zoom-out", "zoom_out"),
        (Angle, "over the shoulder", "ots"),
        (Angle, "low angle", "low"),
        (Angle, "bird's-eye", "overhead"),
        (Angle, "worm's eye", "worms_eye"),
        (TimeOfDay, "golden hour", "golden_hour"),
        (TimeOfDay, "sunset", "golden_hour"),
        (LightSide, "L", "left"),
    ],
)
def test_forgiving_input(enum_cls: type, text: str, expected: str) -> None:
    assert parse_term(enum_cls, text).value == expected


def test_unknown_term_lists_accepted_values() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_term(ShotSize, "huge")
    message = str(caught.value)
    assert "unknown shot size 'huge'" in message
    assert "ECU, CU, MCU, MS, MLS, LS, ELS" in message


def test_unknown_movement_lists_every_movement() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_term(Movement, "whoosh")
    assert all(m.value in str(caught.value) for m in Movement)


# --- the camera-movement table -------------------------------------------------------


def test_every_move_has_every_word() -> None:
    missing = [
        f"{move.value}.{name}"
        for move in Movement
        for name in ("aliases", "phrases", "compact", "prose", "plain", "planned", "seen")
        if not getattr(MOVES.get(move), name, None)
    ]
    assert not missing, f"tools/vocabulary.py MOVES lacks: {', '.join(missing)}"
    assert list(MOVES) == list(Movement), "MOVES must list every Movement, in Movement order"


def test_aliases_are_normalised_and_name_one_move() -> None:
    owners: dict[str, list[str]] = {}
    for move, words in MOVES.items():
        for alias in words.aliases:
            assert alias == re.sub(r"[^a-z0-9]", "", alias), f"{move.value}: {alias!r}"
            owners.setdefault(alias, []).append(move.value)
    doubled = {alias: moves for alias, moves in owners.items() if len(moves) > 1}
    assert not doubled, f"aliases naming more than one move: {doubled}"
    for move, words in MOVES.items():
        for alias in words.aliases:
            assert parse_term(Movement, alias) is move


def test_critic_labels_are_camera_meter_labels() -> None:
    for move, words in MOVES.items():
        label = words.critic_label
        assert label is None or label.value in CAMERA_LABELS, (
            f"{move.value} expects the label {label}, which the camera meter never reports"
        )
    assert {m.value for m in MEASURABLE_MOVES} == {
        "pan_left",
        "pan_right",
        "tilt_up",
        "tilt_down",
        "zoom_in",
        "zoom_out",
    }


def test_previz_draws_every_move() -> None:
    literal = set(get_args(previz.Movement))
    drawn_by_code = {"static", "handheld"}  # no amounts: nothing moves / seeded jitter
    problems = [
        f"previz's Movement literal lacks {move.value!r}; add it to renderer/previz.py Movement"
        for move in Movement
        if move.value not in literal
    ]
    problems += [
        f"previz has no amounts for {move.value!r}; add it to renderer/previz.py _MOVES"
        for move in Movement
        if move.value not in previz._MOVES and move.value not in drawn_by_code
    ]
    known = {m.value for m in Movement}
    problems += [
        f"previz draws {name!r}, which tools/vocabulary.py Movement does not have"
        for name in sorted(literal | set(previz._MOVES))
        if name not in known
    ]
    assert not problems, "\n".join(problems)


def test_phrases_are_tried_by_rank() -> None:
    ranks = [phrase.rank for phrase in move_phrases()]
    assert ranks == sorted(ranks)
    assert all(phrase.pattern.groups == 0 for phrase in move_phrases())
    assert {phrase.movement for phrase in move_phrases()} == set(Movement)


# Sentences people type -> the move they describe (None: no camera move). Rule for the
# words a person can also do (pull, push, look, follow, circle, drop...): they are a camera
# move only in a camera clause: the camera/we/drone as subject (a few adverbs or helper
# verbs may come between), the start of the text or of a clause after , ; :, or after
# a/an/then/a speed word; or as a hyphenated noun ("a push-in").
SENTENCES: list[tuple[str, Movement | None]] = [
    # professional
    ("Pan left across the harbour", Movement.PAN_LEFT),
    ("slow pan to the right", Movement.PAN_RIGHT),
    ("the camera pans from left to right", Movement.PAN_RIGHT),
    ("pan from the right to the left over the bay", Movement.PAN_LEFT),
    ("whip pan left to the door", Movement.PAN_LEFT),
    ("Tilt up to the lighthouse", Movement.TILT_UP),
    ("tilt down to her shoes", Movement.TILT_DOWN),
    ("tilts from her feet up to her face", Movement.TILT_UP),
    ("dolly in on Mara", Movement.DOLLY_IN),
    ("a slow push-in on his eyes", Movement.DOLLY_IN),
    ("Close-up of Mara, push in", Movement.DOLLY_IN),
    ("dolly out to reveal the bay", Movement.DOLLY_OUT),
    ("Pull back to a wide of the quay", Movement.DOLLY_OUT),
    ("truck left along the bar", Movement.TRUCK_LEFT),
    ("crab right past the tables", Movement.TRUCK_RIGHT),
    ("pedestal up to eye level", Movement.PEDESTAL_UP),
    ("ped down to the table", Movement.PEDESTAL_DOWN),
    ("crane up over the rooftops", Movement.CRANE_UP),
    ("jib down to the quay", Movement.CRANE_DOWN),
    ("tracking shot of Mara walking along the quay", Movement.TRACKING),
    ("steadicam through the crowd", Movement.TRACKING),
    ("orbit left around the table", Movement.ORBIT_LEFT),
    ("a slow orbit around them", Movement.ORBIT_RIGHT),
    ("zoom in on the letter", Movement.ZOOM_IN),
    ("snap zoom to her eyes", Movement.ZOOM_IN),
    ("zoom out to the whole harbour", Movement.ZOOM_OUT),
    ("handheld, 4 seconds", Movement.HANDHELD),
    ("static shot of the lighthouse", Movement.STATIC),
    ("locked off on a tripod", Movement.STATIC),
    ("barrel roll as the plane dives", Movement.ROLL),
    ("a dolly shot of the bar", Movement.DOLLY_IN),
    ("pans across the square", Movement.PAN_RIGHT),
    # everyday
    ("the camera creeps in", Movement.DOLLY_IN),
    ("the camera inches closer to her", Movement.DOLLY_IN),
    ("the camera moves in slowly", Movement.DOLLY_IN),
    ("the camera closes in on her", Movement.DOLLY_IN),
    ("then the camera pushes into his face", Movement.DOLLY_IN),
    ("and the camera should creep in slowly on the nets", Movement.DOLLY_IN),
    ("we slowly move towards the door", Movement.DOLLY_IN),
    ("the camera pulls away to show the whole bay", Movement.DOLLY_OUT),
    ("the camera backs away from her", Movement.DOLLY_OUT),
    ("the camera pulls out wide", Movement.DOLLY_OUT),
    ("the camera draws back as the boat leaves", Movement.DOLLY_OUT),
    ("the camera eases left across the street", Movement.PAN_LEFT),
    ("the camera drifts right to the window", Movement.PAN_RIGHT),
    ("the camera swings over to the window", Movement.PAN_RIGHT),
    ("the camera sweeps across the bay", Movement.PAN_RIGHT),
    ("the camera stays locked", Movement.STATIC),
    ("the camera doesn't move at all", Movement.STATIC),
    ("the camera holds still on the door", Movement.STATIC),
    ("the camera never moves", Movement.STATIC),
    ("fixed frame on the empty chair", Movement.STATIC),
    ("a little shaky, like handheld", Movement.HANDHELD),
    ("the camera is a bit wobbly", Movement.HANDHELD),
    ("wobbly camera as they run", Movement.HANDHELD),
    ("a hand-held feel", Movement.HANDHELD),
    ("documentary style camera in the kitchen", Movement.HANDHELD),
    ("the camera circles them", Movement.ORBIT_RIGHT),
    ("the camera goes round them slowly", Movement.ORBIT_RIGHT),
    ("we walk around her", Movement.ORBIT_RIGHT),
    ("the camera circles them to the left", Movement.ORBIT_LEFT),
    ("the camera follows him down the alley", Movement.TRACKING),
    ("the camera goes with her to the door", Movement.TRACKING),
    ("the camera tracks her along the pier", Movement.TRACKING),
    ("the camera stays with him as he walks", Movement.TRACKING),
    ("we follow her home", Movement.TRACKING),
    ("the camera looks up at the sky", Movement.TILT_UP),
    ("the camera looks down at her from really high up", None),  # a high angle, held
    ("the camera drifts along the row of hives real slow", Movement.TRACKING),
    ("the camera kinda floats along beside them", Movement.TRACKING),
    ("wide, the camera easing a little to the left", Movement.PAN_LEFT),
    ("and the camera sort of sneaks in closer", Movement.DOLLY_IN),
    ("inside, the camera creeps slowly up to ines at the controls", Movement.DOLLY_IN),
    ("can the camera start down on the grass and rise up to the platform", Movement.CRANE_UP),
    ("Mara looks at the camera and pulls out a letter", None),
    ("Mara creeps up to the door", None),
    ("the camera tilts up to the sky", Movement.TILT_UP),
    ("the camera angles up to the bell tower", Movement.TILT_UP),
    ("the camera looks down at the street", Movement.TILT_DOWN),
    ("the camera lifts above the roofs", Movement.CRANE_UP),
    ("the camera rises up over the town", Movement.CRANE_UP),
    ("the camera floats up into the sky", Movement.CRANE_UP),
    ("the drone rises over the fjord", Movement.CRANE_UP),
    ("the camera cranes up with her", Movement.CRANE_UP),
    ("the camera drops down to the quay", Movement.CRANE_DOWN),
    ("the camera descends to the street", Movement.CRANE_DOWN),
    ("the camera comes down to her level", Movement.CRANE_DOWN),
    ("the camera drops slowly toward the waves", Movement.CRANE_DOWN),
    ("the camera zooms in on the ring", Movement.ZOOM_IN),
    ("punch in on the clock", Movement.ZOOM_IN),
    ("the camera slides left alongside the train", Movement.TRUCK_LEFT),
    ("the camera crabs right", Movement.TRUCK_RIGHT),
    ("the camera moves sideways past the window", Movement.TRUCK_RIGHT),
    ("the camera rolls", Movement.ROLL),
    ("the horizon tilts as the camera rolls", Movement.ROLL),
    ("the camera moves straight up the wall", Movement.PEDESTAL_UP),
    # a person, not the camera
    ("Tom pulls out a letter", None),
    ("she follows the path home", None),
    ("Mara looks up at the sky", None),
    ("Mara pushes into the crowd", None),
    ("Tom backs away from the edge", None),
    ("Mara looks at the camera and pulls out a letter", None),
    ("Jon drops down onto the deck", None),
    ("she circles the table twice", None),
    ("he walks around her", None),
    ("Mara comes closer to the window", None),
    ("The lens rotates behind her, throwing beams across her face", None),
    ("The light swings across the water and finds him", None),
    ("the sun rises over the town", None),
    ("her hands are shaky", None),
    ("Mara doesn't move", None),
    ("Tom rolls over in bed", None),
    ("Mara walks with Tom to the car", None),
    ("Close-up of Mara at the window", None),
    ("His daughter Lena, a teenager in a yellow raincoat, climbs onto the boat", None),
    ("a truck left the harbour at dawn", None),
    ("make shot 2 follow shot 1", None),
    ("she holds on to the rail", None),
    ("Lock shot 1", None),
    ("the camera doesn\u2019t move", Movement.STATIC),
    ("the drone drifts forward and down", Movement.DOLLY_IN),
    ("the camera drifts slowly in", Movement.DOLLY_IN),
    ("the camera pulls slowly back", Movement.DOLLY_OUT),
    ("Pick up where the last shot ends and PULL BACK to wide", Movement.DOLLY_OUT),
    # the first rank wins
    ("a tracking shot as the camera pans left", Movement.PAN_LEFT),
    ("Mara looks up at the sky as the camera pushes in", Movement.DOLLY_IN),
    ("a slow dolly in", Movement.DOLLY_IN),
    ("the camera pulls back, then holds on the boat", Movement.DOLLY_OUT),
    ("can the camera go slowly round and round nan in her chair", Movement.ORBIT_RIGHT),
    ("the card game one, camera slowly goes round the table", Movement.ORBIT_RIGHT),
    ("the camera going all the way up the stairwell from the bottom", Movement.CRANE_UP),
    ("all shaky like someones filming it on their phone", Movement.HANDHELD),
    ("Top shot on the plate, a slow clockwise turn", Movement.ROLL),
    ("the camera rotates anticlockwise above the table", Movement.ROLL),
    ("Slow dolly left along the bench to find her", Movement.TRUCK_LEFT),
    ("dolly right past the stalls", Movement.TRUCK_RIGHT),
    ("then pull right back from her to show the whole floor", Movement.DOLLY_OUT),
    ("the camera pulls all the way back to the door", Movement.DOLLY_OUT),
    ("the dancer turns clockwise on the spot", None),
    ("the camera slowly flies in towards it like a bird", Movement.DOLLY_IN),
    ("Camera should go very slowly towards her face", Movement.DOLLY_IN),
    ("Camera is moving backwards in front of her along the seats", Movement.DOLLY_OUT),
    ("Steadicam orbits them a full 360, slow", Movement.ORBIT_RIGHT),
    ("for the cycling one can the camera ride along next to him", Movement.TRACKING),
    ("she goes towards the door", None),
    ("Mara is moving back to the boat", None),
    ("he goes round the table handing out cards", None),
    ("she climbs up the stairs to bed", None),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_find_move(text: str, expected: Movement | None) -> None:
    found = find_move(text)
    got = found.movement if found else None
    where = f" ({text[found.start : found.end]!r})" if found else ""
    assert got == expected, f"{text!r}: expected {expected}, found {got}{where}"


def test_find_move_says_where() -> None:
    text = "Wide of the bay, the camera slowly creeps in on her."
    found = find_move(text)
    assert found is not None
    assert text[found.start : found.end] == "creeps in on"


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("", True),
        ("Wide of the harbour, ", True),
        ("then ", True),
        ("a slow ", True),
        ("the camera ", True),
        ("the camera then very slowly ", True),
        ("we ", True),
        ("Tom ", False),
        ("Mara looks at the camera and ", False),
        ("the lens ", False),
    ],
)
def test_in_camera_clause(before: str, expected: bool) -> None:
    assert in_camera_clause(before) is expected


@pytest.mark.parametrize(
    ("text", "movement"),
    [
        ("she scrubs the pans all night", None),
        ("a pan of oil spits on the stove", None),
        ("the frying pan smokes", None),
        ("a slow pan across the bay", "pan_right"),
        ("the camera pans left across the pans", "pan_left"),
    ],
)
def test_a_pan_in_the_kitchen_is_not_a_camera_move(text: str, movement: str | None) -> None:
    found = find_move(text)
    assert (found.movement.value if found else None) == movement, text
