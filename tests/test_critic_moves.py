"""Previz and the critic agree on every camera move of the vocabulary, by construction.

Every `Movement` is rendered by previz at several shot sizes and speeds, and the critic,
told the move that was planned, accepts the take; told the opposite move (where the move
has one), it asks for a retake; a move whose direction the camera meter cannot check says
so instead of passing silently. The signatures come from the one vocabulary table
(tools/vocabulary.py `MOVES[m].signature`).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from storyreel.renderer.previz import render_frames
from storyreel.renderer.request import RenderRequest
from storyreel.tools.critic import Expectation, critique_frames
from storyreel.tools.story import FindingKind
from storyreel.tools.vocabulary import MOVES, Movement
from tests.critic_fixtures import HARBOUR, SUBJECT

FPS, FRAMES = 24, 36
SIZES = ("ECU", "MS", "ELS")
SPEEDS = ("slow", "fast")


def opposite(move: Movement) -> Movement | None:
    """The move planned the other way: its expected labels are this move's wrong ones."""
    sign = MOVES[move].signature
    for other, words in MOVES.items():
        same_kind = other.value.split("_")[0] == move.value.split("_")[0]
        if (
            other is not move
            and same_kind
            and sign.wrong
            and set(words.signature.expect) == set(sign.wrong)
        ):
            return other
    return None


@functools.cache
def take(move: Movement, size: str, speed: str, angle: str = "eye_level") -> np.ndarray:
    """A 1.5 s previz take of one subject at the harbour (256x144)."""
    request = RenderRequest(
        prompt="a move",
        width=256,
        height=144,
        frames=FRAMES,
        fps=FPS,
        seed=3,
        options={
            "previz": {
                "movement": move.value,
                "speed": speed,
                "size": size,
                "angle": angle,
                "subjects": [SUBJECT],
                "location": HARBOUR,
                "time_of_day": "noon",
            }
        },
    )
    return np.stack(list(render_frames(request)))


def judge(frames: np.ndarray, planned: Movement) -> tuple[str, list[str]]:
    expect = Expectation(planned.value, FRAMES, FPS, "Shot 1", False)
    critique = critique_frames(frames, FPS, expect)
    return critique.verdict, [f.kind.value for f in critique.findings if f.severity != "info"]


def test_every_move_has_a_signature_or_says_it_is_not_measured() -> None:
    for move, words in MOVES.items():
        sign = words.signature
        assert sign.expect or sign.shake or sign.any_move or sign.note, move


@pytest.mark.parametrize("move", list(Movement), ids=lambda m: m.value)
def test_previz_take_of_each_move_is_accepted_and_its_opposite_rejected(move: Movement) -> None:
    other = opposite(move)
    for size in SIZES:
        for speed in SPEEDS:
            frames = take(move, size, speed)
            verdict, errors = judge(frames, move)
            assert verdict == "accept" and errors == [], (size, speed, errors)
            if other is not None:
                verdict, errors = judge(frames, other)
                assert verdict == "retake" and "wrong_direction" in errors, (size, speed, other)
            if move is not Movement.STATIC and MOVES[move].signature.expect:
                verdict, errors = judge(frames, Movement.STATIC)
                assert "static_moves" in errors, (size, speed)


@pytest.mark.parametrize("move", ["crane_down", "crane_up", "pedestal_down", "pedestal_up"])
@pytest.mark.parametrize("angle", ["high", "overhead", "low"])
def test_vertical_moves_read_as_tilt_or_zoom_at_any_angle(move: str, angle: str) -> None:
    """A camera rising or lowering while it looks down slides and scales the picture: a
    crane-down close-up from above grows and is still a crane down (it was retaken twice
    every turn when only the tilt counted)."""
    frames = take(Movement(move), "CU", "fast", angle)
    assert judge(frames, Movement(move)) == ("accept", [])
    other = opposite(Movement(move))
    assert other is not None and judge(frames, other)[0] == "retake"


def test_moves_the_meter_cannot_check_say_so() -> None:
    frames = take(Movement.TRACKING, "MS", "fast")
    critique = critique_frames(frames, FPS, Expectation("tracking", FRAMES, FPS, "Shot 4", False))
    notes = [f for f in critique.findings if f.kind == FindingKind.NOT_MEASURED]
    assert critique.verdict == "accept" and notes and "not checked" in notes[0].message
    # a picture without texture to follow (plain planks from overhead) is not checked either
    flat = take(Movement.ZOOM_IN, "ELS", "fast", "overhead")
    critique = critique_frames(flat, FPS, Expectation("zoom_out", FRAMES, FPS, "Shot 5", False))
    assert [f.kind for f in critique.findings] == [FindingKind.NOT_MEASURED]
    assert "could not be measured" in critique.findings[0].message


def test_a_still_take_planned_as_any_move_barely_moves() -> None:
    still = take(Movement.STATIC, "MS", "fast")
    for move in (Movement.PAN_LEFT, Movement.ZOOM_OUT, Movement.CRANE_UP, Movement.ROLL):
        assert judge(still, move) == ("retake", ["no_motion"]), move
    assert judge(still, Movement.ORBIT_LEFT) == ("retake", ["no_motion"])
    # planned handheld: a warning that the camera is perfectly still, and a frozen picture
    assert judge(still, Movement.HANDHELD) == ("retake", ["handheld", "frozen"])
