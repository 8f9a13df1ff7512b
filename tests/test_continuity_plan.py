"""Continuity read against the plan: a change the plan asks for is no finding, a missing one is.

Frames are previz renders of a bakery at the planned time of day, through H.264 (the codec
noise real takes have); the last test renders and reviews a real project.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer.backend import register_backend
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import RenderRequest
from storyreel.tools.continuity import (
    LIGHT_CHANGE_MIN_GREY,
    Neighbour,
    continuity_findings,
    planned_light,
)
from storyreel.tools.critic_metrics import look_stats
from storyreel.tools.edits import AddLocation, AddShot, SetStyle, UpdateShot
from storyreel.tools.project import Project
from storyreel.tools.rendering import render_shots
from storyreel.tools.review import review_take
from storyreel.tools.story import Location, Shot, StoryPlan
from tests import critic_fixtures as fx


@functools.cache
def bakery(time_of_day: str) -> np.ndarray:
    """The first frame of a static previz LS of the bakery at `time_of_day`, via H.264."""
    frames = fx.previz_frames("static", time_of_day, frames=2, location="Bakery")
    return fx.decoded(fx.write_video(f"bakery-{time_of_day}", frames))[0]


PLAN = StoryPlan(
    locations=[
        Location(name="Bakery", description="a small bakery", time_of_day="dusk"),
        Location(name="Harbour", description="a quay", time_of_day="dusk"),
    ]
)


def shot(shot_id: int, **fields: object) -> Shot:
    """A shot at the bakery (LS) unless `fields` say otherwise."""
    values = {"id": shot_id, "order": shot_id, "action": "x", "location": "Bakery", "size": "LS"}
    return Shot.model_validate(values | fields)


def findings(
    before: Shot, now: Shot, previous_frame: np.ndarray, frame: np.ndarray, plan=PLAN
) -> list[str]:
    """The kinds of the neighbour findings of `now` (opening on `frame`) after `before`."""
    neighbour = Neighbour(before, previous_frame)
    return [f.kind for f in continuity_findings(plan, now, frame, frame, neighbour, None, None)]


def test_dusk_then_night_at_the_same_place_is_no_look_jump() -> None:
    dusk, night = bakery("dusk"), bakery("night")
    assert findings(shot(7), shot(8, time_of_day="night"), dusk, night) == []
    # the same pictures with nothing planned between them: the jump is reported
    assert findings(shot(7), shot(8), dusk, night) == ["look_jump"]


def test_same_time_and_place_with_a_very_different_look_is_still_a_look_jump() -> None:
    # shot 7 is at dusk by its location, shot 8 says dusk itself: the same effective time
    found = continuity_findings(
        PLAN,
        shot(8, time_of_day="dusk"),
        bakery("night"),
        bakery("night"),
        Neighbour(shot(7), bakery("dusk")),
        None,
        None,
    )
    assert [f.kind for f in found] == ["look_jump"]
    assert found[0].message.startswith(
        "The light and colour jump between shot 7 and shot 8 although both are at the bakery"
    )
    assert findings(shot(7), shot(8), bakery("dusk"), bakery("dusk")) == []


def test_a_darker_time_that_stays_as_bright_is_a_missing_light_change() -> None:
    dusk = bakery("dusk")
    found = continuity_findings(
        PLAN, shot(8, time_of_day="night"), dusk, dusk, Neighbour(shot(7), dusk), None, None
    )
    assert [(f.kind, f.severity) for f in found] == [("light_change_missing", "warning")]
    grey = look_stats(dusk).mean_grey
    assert found[0].message == (
        f"Shot 8 was to be at night but is as bright as shot 7 (at dusk) at the bakery "
        f"(mean grey {grey:.0f} against {grey:.0f})."
    )
    brighter = np.clip(dusk.astype(np.int16) + 10, 0, 255).astype(np.uint8)
    assert findings(shot(7), shot(8, time_of_day="night"), dusk, brighter) == [
        "light_change_missing"
    ]


def test_the_margin_decides_how_much_darker_is_darker() -> None:
    dusk = bakery("dusk").astype(np.int16)
    before, night = shot(7), shot(8, time_of_day="night")
    barely = np.clip(dusk - LIGHT_CHANGE_MIN_GREY / 2, 0, 255).astype(np.uint8)
    enough = np.clip(dusk - 2 * LIGHT_CHANGE_MIN_GREY, 0, 255).astype(np.uint8)
    assert findings(before, night, bakery("dusk"), barely) == ["light_change_missing"]
    assert findings(before, night, bakery("dusk"), enough) == []


def test_a_brighter_time_that_stays_as_dark_is_a_missing_light_change() -> None:
    night = bakery("night")
    before, morning = shot(7, time_of_day="night"), shot(8, time_of_day="morning")
    found = continuity_findings(PLAN, morning, night, night, Neighbour(before, night), None, None)
    assert [f.kind for f in found] == ["light_change_missing"]
    assert found[0].message.startswith(
        "Shot 8 was to be in the morning but is as dark as shot 7 (at night)"
    )
    assert findings(before, morning, night, bakery("morning")) == []


def test_times_on_one_daylight_level_are_not_told_apart() -> None:
    noon, afternoon = shot(7, time_of_day="noon"), shot(8, time_of_day="afternoon")
    frame = bakery("afternoon")
    assert findings(noon, afternoon, frame, frame) == []


@pytest.mark.parametrize(
    "changed",
    [
        {"location": "Harbour"},
        {"lighting": "A single candle on the counter."},
        {"key_light_kelvin": 3200},
        {"key_light_hardness": "hard"},
    ],
)
def test_a_new_location_or_a_lighting_override_is_no_finding(changed: dict) -> None:
    dusk, night = bakery("dusk"), bakery("night")
    assert findings(shot(7), shot(8, **changed), dusk, night) == []
    # nor is a shot planned darker with its own light that stays bright
    assert findings(shot(7), shot(8, **{"time_of_day": "night", **changed}), dusk, dusk) == []


def test_a_lighting_override_equal_to_the_location_is_no_override() -> None:
    assert planned_light(PLAN, shot(8, key_light_kelvin=5600, key_light_hardness="soft")) == (
        planned_light(PLAN, shot(7))
    )
    assert planned_light(PLAN, shot(8, lighting="  Candle   light. ")).lighting == "candle light"
    assert findings(
        shot(7, lighting="candle light"),
        shot(8, lighting="Candle light."),
        bakery("dusk"),
        bakery("night"),
    ) == ["look_jump"]


@pytest.mark.parametrize(
    ("before", "into", "expected"),
    [
        ("cut", "dissolve", []),
        ("cut", "fade_in", []),
        ("fade_out", "cut", []),
        ("cut", "smash_cut", ["look_jump"]),
        ("cut", "match_cut", ["look_jump"]),
    ],
)
def test_a_fade_or_dissolve_is_no_look_jump(before: str, into: str, expected: list[str]) -> None:
    found = findings(
        shot(7, transition=before), shot(8, transition=into), bakery("dusk"), bakery("night")
    )
    assert found == expected


def test_the_palette_of_a_night_shot_ignores_daytime_takes(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Bakery")
    try:
        memory = project.memory
        for shot_id, time_of_day in enumerate(["afternoon", "morning", "night"], start=1):
            look = look_stats(bakery(time_of_day)).as_dict()
            memory.record_take_look(shot_id, 1, "Bakery", look, time_of_day=time_of_day)
        lit = look_stats(bakery("afternoon")).as_dict()  # a night lit bright by its own light
        memory.record_take_look(4, 1, "Bakery", lit, time_of_day="night", lighting="floodlights")
        night = memory.location_palette("Bakery", exclude_shot=9, light=("night", ""))
        assert night == pytest.approx(look_stats(bakery("night")).as_dict())
        assert memory.location_palette("Bakery", exclude_shot=3, light=("night", "")) is None
        assert memory.location_palette("Bakery", exclude_shot=9, light=("dusk", "")) is None
        every = memory.location_palette("Bakery", exclude_shot=9)
        assert every is not None and every["mean_grey"] > night["mean_grey"] + 50
    finally:
        project.close()
    frame = bakery("night")
    at_night = shot(9, time_of_day="night")
    assert continuity_findings(PLAN, at_night, frame, frame, None, None, night) == []
    drift = continuity_findings(PLAN, at_night, frame, frame, None, None, every)
    assert [f.kind for f in drift] == ["palette_drift"]
    assert "the look the bakery has had at night so far" in drift[0].message


def test_looks_recorded_before_the_light_was_stored_are_labelled_from_the_plan(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "old"
    project = Project.create(folder, title="Old")
    memory = project.memory
    memory.apply([AddLocation(name="Bakery", description="a small bakery", time_of_day="dusk")])
    memory.apply(
        [
            AddShot(action="Bread", location="Bakery"),
            AddShot(action="Dark", location="Bakery", time_of_day="night"),
            AddShot(action="Candle", location="Bakery", lighting="one candle"),
        ]
    )
    for shot_id in (1, 2, 3, 4):  # shot 4 no longer exists
        memory.record_take_look(
            shot_id,
            1,
            "Bakery",
            {"mean_grey": 10.0 * shot_id, "std_grey": 5.0, "mean_saturation": 50.0},
        )
    project.close()
    with sqlite3.connect(folder / "story.db") as db:  # as storyreel wrote it before m007
        db.execute("alter table take_looks drop column time_of_day")
        db.execute("alter table take_looks drop column lighting")
        db.execute("delete from _sqlite_migrations where name = 'm007_take_look_light'")
    db.close()
    project = Project.open(folder)
    try:
        rows = project.memory.db.execute(
            "select shot_id, time_of_day, lighting from take_looks order by shot_id"
        ).fetchall()
        assert rows == [(1, "dusk", ""), (2, "night", ""), (3, "dusk", None), (4, None, None)]
        dusk = project.memory.location_palette("Bakery", exclude_shot=9, light=("dusk", ""))
        assert dusk is not None and dusk["mean_grey"] == 10.0
    finally:
        project.close()


class StuckAtDusk(PrevizBackend):
    """A renderer that paints every shot at dusk, like a video model deaf to "night"."""

    name = "stuck-at-dusk"

    def stream(self, request: RenderRequest, progress, cancel):
        previz = {**request.options["previz"], "time_of_day": "dusk"}
        request = request.model_copy(update={"options": {**request.options, "previz": previz}})
        yield from super().stream(request, progress, cancel)


def test_review_of_a_real_project_reads_the_plan(tmp_path: Path) -> None:
    register_backend("stuck-at-dusk", StuckAtDusk)
    project = Project.create(tmp_path / "film", title="Bakery")
    try:
        memory = project.memory
        memory.apply([SetStyle(resolution="180p", fps=12)])
        memory.apply([AddLocation(name="Bakery", description="a small bakery", time_of_day="dusk")])
        memory.apply(
            [
                AddShot(action="Bread cools", location="Bakery", size="LS", duration_s=1),
                AddShot(action="Lights out", location="Bakery", size="LS", duration_s=1),
            ]
        )
        memory.apply([UpdateShot(shot_id=2, time_of_day="night")])
        executor = RenderExecutor()
        render_shots(project, executor, [1, 2])

        def review(shot_id: int) -> list[str]:
            plan = memory.plan()
            take = memory.takes(shot_id)[-1]
            return [
                f.kind for f in review_take(project, plan, plan.find_shot(shot_id), take).findings
            ]

        assert review(1) == []
        assert memory.location_palette("Bakery", exclude_shot=2, light=("night", "")) is None
        assert review(2) == []  # dusk -> night as planned: no look jump, no palette drift
        assert memory.location_palette("Bakery", exclude_shot=1, light=("night", "")) is not None
        render_shots(project, executor, [2], backend="stuck-at-dusk", force=True)
        assert review(2) == ["light_change_missing"]
    finally:
        project.close()
