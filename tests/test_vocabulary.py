"""The cinematic vocabulary: strict stored spellings, forgiving input."""

from __future__ import annotations

import pytest

from storyreel.tools.errors import InvalidInputError
from storyreel.tools.vocabulary import (
    Angle,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
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
