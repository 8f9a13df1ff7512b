"""The critic's checks against the plan and across shots, on fixtures with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer.video_io import VideoWriter
from storyreel.tools.continuity import Neighbour, continuity_findings
from storyreel.tools.critic import (
    Expectation,
    critique_video,
)
from storyreel.tools.story import Shot, StoryPlan
from tests import critic_fixtures as fx
from tests.conftest import Cli


def kinds(critique) -> list[str]:
    return [f.kind for f in critique.findings]


@pytest.mark.parametrize("movement", ["static", "pan_left", "pan_right", "tilt_up", "zoom_in"])
def test_clean_take_matching_its_plan_is_accepted(movement: str) -> None:
    result = critique_video(fx.previz_take(movement), Expectation(movement, 48, 24, "Shot 1"))
    assert result.verdict == "accept", result.findings
    assert result.findings == []


def test_gentle_real_move_is_not_called_static() -> None:
    result = critique_video(fx.slow_pan_take(), Expectation("pan_left", None, None, "Shot 1"))
    assert result.verdict == "accept"


def test_still_shot_that_moves() -> None:
    result = critique_video(fx.previz_take("pan_right"), Expectation("static", 48, 24, "Shot 3"))
    assert result.verdict == "retake"
    assert result.findings[0].message == (
        "Shot 3 was planned as a still shot but the camera drifts to the right."
    )


def test_moving_shot_that_does_not_move() -> None:
    result = critique_video(fx.previz_take("static"), Expectation("pan_left", 48, 24, "Shot 2"))
    assert kinds(result) == ["no_motion"]
    assert "planned to pan left but the picture barely moves" in result.findings[0].message


def test_camera_going_the_wrong_way() -> None:
    result = critique_video(fx.previz_take("pan_right"), Expectation("pan_left", 48, 24, "Shot 4"))
    assert kinds(result) == ["wrong_direction"]
    assert result.findings[0].message == (
        "Shot 4 was planned to pan left but the camera drifts to the right."
    )


def test_cut_inside_a_shot() -> None:
    result = critique_video(fx.cut_take(), Expectation(None, None, None, "Shot 5"))
    cut = next(f for f in result.findings if f.kind == "cut_inside_shot")
    assert abs(cut.frame_start - fx.CUT_AT) <= 1 and result.verdict == "retake"


def test_flashes_fail_the_safety_rule() -> None:
    result = critique_video(fx.flash_take(), Expectation("static", None, None, "Shot 6"))
    assert "flashes" in kinds(result) and result.verdict == "retake"
    assert (
        "sensitive to flashing light"
        in next(f for f in result.findings if f.kind == "flashes").message
    )


def test_freeze_in_a_moving_shot() -> None:
    result = critique_video(fx.freeze_take(), Expectation(None, None, None, "Shot 7"), fps=12)
    frozen = next(f for f in result.findings if f.kind == "frozen")
    assert (frozen.frame_start, frozen.frame_end) == fx.FREEZE_RANGE


def test_length_against_the_plan() -> None:
    result = critique_video(fx.previz_take("static"), Expectation("static", 96, 24, "Shot 8"))
    assert kinds(result) == ["duration"]
    assert (
        "lasts 2.0 s (48 frames) but was planned for 4 s (96 frames)" in result.findings[0].message
    )


def test_blurry_and_overexposed_are_warnings() -> None:
    blurry = critique_video(fx.blurry_take(), Expectation("static", None, None, "Shot 9"))
    assert kinds(blurry) == ["blurry"] and blurry.verdict == "accept"
    bright = critique_video(fx.overexposed_take(), Expectation("static", None, None, "Shot 9"))
    assert "exposure" in kinds(bright)
    faded = critique_video(fx.fade_take(), Expectation("static", None, None, "Shot 9"))
    assert "exposure" not in kinds(faded)


@pytest.mark.parametrize("content", [b"", b"not a video at all" * 50])
def test_unreadable_files_become_findings(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    result = critique_video(path, Expectation(None, None, None, "Shot 1"))
    assert kinds(result) == ["unreadable"] and result.verdict == "retake"


def test_single_frame_video_is_measured_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "one.mp4"
    with VideoWriter(path, 64, 48, 12) as writer:
        writer.write(np.full((48, 64, 3), 120, np.uint8))
    result = critique_video(path, Expectation("pan_left", 1, 12, "Shot 1"))
    assert result.metrics["frames"] == 1 and "unreadable" not in kinds(result)


def _shot(**fields) -> Shot:
    return Shot.model_validate({"id": 2, "order": 2, "action": "x", **fields})


def test_continuation_must_open_on_the_previous_last_frame() -> None:
    frames = fx.previz_frames("pan_left")
    plan = StoryPlan()
    shot = _shot(continues_from=1)
    good = continuity_findings(plan, shot, frames[-1], frames[-1], None, frames[-1], None)
    assert good == []
    bad = continuity_findings(plan, shot, frames[0], frames[-1], None, frames[-1], None)
    assert [f.kind for f in bad] == ["continuity_break"]
    assert "should open exactly where shot 1 ends" in bad[0].message


def test_light_jump_between_neighbours_in_one_location() -> None:
    noon = fx.decoded(fx.previz_take("static"))[0]
    night = fx.decoded(fx.night_take())[0]
    before = Neighbour(_shot(id=1, order=1, location="Harbour", size="LS"), noon)
    same = continuity_findings(
        StoryPlan(), _shot(location="Harbour", size="MS"), noon, noon, before, None, None
    )
    assert same == []
    jump = continuity_findings(
        StoryPlan(), _shot(location="Harbour", size="MS"), night, night, before, None, None
    )
    assert [f.kind for f in jump] == ["look_jump"]
    elsewhere = continuity_findings(
        StoryPlan(), _shot(location="Lighthouse", size="MS"), night, night, before, None, None
    )
    assert elsewhere == []


def test_palette_drift_against_the_running_look() -> None:
    noon = fx.decoded(fx.previz_take("static"))[0]
    night = fx.decoded(fx.night_take())[0]
    from storyreel.tools.critic_metrics import look_stats

    palette = look_stats(noon).as_dict()
    shot = _shot(location="Harbour")
    assert continuity_findings(StoryPlan(), shot, noon, noon, None, None, palette) == []
    drift = continuity_findings(StoryPlan(), shot, night, night, None, None, palette)
    assert [f.kind for f in drift] == ["palette_drift"]


def test_frames_of_different_sizes_are_compared_safely() -> None:
    big = fx.previz_frames("static")[0]
    small = big[::2, ::2].copy()
    findings = continuity_findings(
        StoryPlan(), _shot(continues_from=1), small, small, None, big, None
    )
    assert findings == []


def test_cli_critique_of_any_video(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    out = cli(
        "critique",
        "--video",
        str(fx.previz_take("pan_right")),
        "--movement",
        "pan left",
        "--duration",
        "2",
        "--json",
        with_project=False,
    ).stdout
    document = json.loads(out)
    assert set(document) == {"metrics", "findings", "verdict"}
    assert document["verdict"] == "retake"
    assert document["findings"][0]["kind"] == "wrong_direction"
    assert document["findings"][0]["frames"] == [0, 47]
    human = cli(
        "critique",
        "--video",
        str(fx.previz_take("static")),
        "--movement",
        "static",
        with_project=False,
    ).stdout
    assert human.startswith("static") or ": accept" in human
    missing = cli("critique", "--video", str(tmp_path / "nope.mp4"), with_project=False, expect=1)
    assert "no video file at" in missing.stderr
