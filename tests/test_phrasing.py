"""Each model family gets the shot in the phrasing it responds to; the facts stay the same."""

from __future__ import annotations

import itertools
from pathlib import Path

from storyreel.renderer.backend import Capabilities
from storyreel.tools.compiler import compile_request, compose_prompt
from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, EditContext, apply_edits
from storyreel.tools.story import StoryPlan
from storyreel.tools.vocabulary import Movement


def _plan() -> StoryPlan:
    plan = StoryPlan(title="Harbour")
    edits = [
        AddCharacter(
            name="Mara", description="a woman with short black hair", wardrobe="a red coat"
        ),
        AddLocation(name="Harbour", description="a stone quay", time_of_day="dusk"),
        AddShot(
            action="Mara reads the letter",
            size="CU",
            movement="pan_left",
            movement_speed="slow",
            characters=["Mara"],
            location="Harbour",
        ),
    ]
    counter = itertools.count(1)
    plan, _ = apply_edits(plan, edits, EditContext(lambda: next(counter), lambda _id: ()))
    return plan


def test_compact_puts_the_camera_first_and_prose_ends_on_the_move() -> None:
    plan = _plan()
    shot = plan.shots[0]
    compact = compose_prompt(plan, shot)
    prose = compose_prompt(plan, shot, "prose")
    assert compact.startswith("close-up, eye-level, camera pans left, slow, 35mm lens")
    assert prose.startswith("Mara reads the letter. Mara: a woman with short black hair")
    assert prose.endswith("The camera pans to the left, slow.")
    assert "A close-up, eye-level through a 35mm lens with deep depth of field." in prose
    for text in (compact, prose):  # the memory's words are reused word for word in both
        assert "a woman with short black hair" in text and "a red coat" in text
        assert "a stone quay" in text


def test_every_movement_has_prose() -> None:
    plan = _plan()
    shot = plan.shots[0]
    for movement in Movement:
        shot.movement = movement
        assert compose_prompt(plan, shot, "prose").count("The camera") == 1


def test_the_backend_chooses_the_phrasing_in_the_request() -> None:
    plan = _plan()
    shot = plan.shots[0]
    common = {"seed": 1, "project_root": Path("."), "first_frame_of": lambda _id: None}
    ltx = compile_request(plan, shot, capabilities=Capabilities(prompt_style="prose"), **common)
    wan = compile_request(plan, shot, capabilities=Capabilities(), **common)
    assert ltx.prompt == compose_prompt(plan, shot, "prose")
    assert wan.prompt == compose_prompt(plan, shot) and wan.prompt != ltx.prompt
