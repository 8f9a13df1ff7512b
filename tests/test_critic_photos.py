"""The critic on real photographs with known answers: what a user would notice.

The videos are a virtual camera moving over scikit-image's sample photographs
(tests/photo_fixtures.py), encoded as H.264. Every camera move up to one frame width a
second must read as one continuous take in the planned direction, and as the wrong
direction when planned the other way; a still take must read as still; true cuts, strobes
and freezes must be caught, a single flash or a fade must not be called a cut. A dissolve
inside a take is a change of picture the plan did not ask for, so it must give some
error finding (a cut or another kind: we do not prescribe which).

The first tests check the fixtures themselves (the ground truth), independently of the
critic, by phase correlation and frame differences.

The videos are made and critiqued once per session, two at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from storyreel.renderer.video_io import read_frames
from tests.photo_fixtures import GEOMETRY, QUICK, PhotoCase, check_job, flashed, make_fixture

MOVES = [case for case in QUICK if case.camera_move]
DIRECTIONAL = [case for case in MOVES if case.directional]
STILLS = [case for case in QUICK if not case.moving and case.event is None]
CUTS = [case for case in QUICK if case.expect_cuts]
SINGLE_FLASHES = [case for case in QUICK if case.event == "flash"]
STROBES = [case for case in QUICK if case.event == "strobe"]
DISSOLVES = [case for case in QUICK if case.event == "dissolve"]
FREEZES = [case for case in QUICK if case.expect_freeze]
FADES = [case for case in QUICK if case.event in ("fade_out", "fade_in")]
HANDHELD = [case for case in QUICK if case.move == "handheld"]
STEADY = [case for case in MOVES if case.move != "handheld"]  # handheld: its own test below
SLIDES = [case for case in MOVES if GEOMETRY[case.move][0] in ("x", "y")]


def ids(cases: list[PhotoCase]) -> list[str]:
    return [case.name for case in cases]


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("photo-fixtures")


@pytest.fixture(scope="session")
def answers(photo_folder: Path) -> dict[str, dict[str, Any]]:
    """name -> {"own": answer, "opposite": answer, "pan": answer} for every QUICK case."""
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(check_job, [(case, str(photo_folder)) for case in QUICK])
        return {result["name"]: result for result in results}


def _said(answer: dict[str, Any]) -> str:
    return "; ".join(answer["messages"]) or "no findings"


def _grey_frames(path: Path) -> Iterator[np.ndarray]:
    for frame in read_frames(path):
        yield cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)


# --- the ground truth: the fixtures are what they say --------------------------------------------


@pytest.mark.parametrize("case", SLIDES, ids=ids(SLIDES))
def test_fixture_slides_the_way_its_move_says(case: PhotoCase, photo_folder: Path) -> None:
    """Pans, trucks, tilts and cranes: at the fastest moment the content moves the right
    way (a pan left slides the picture right, a tilt up slides it down) by the peak speed."""
    greys = list(_grey_frames(make_fixture(case, photo_folder)))
    middle = (len(greys) - 1) // 2 if case.profile != "constant" else len(greys) // 3
    (dx, dy), _ = cv2.phaseCorrelate(greys[middle], greys[middle + 1])
    axis, sign = GEOMETRY[case.move]
    along, across = (dx, dy) if axis == "x" else (dy, dx)
    assert along == pytest.approx(-sign * case.peak_px_per_frame, rel=0.15, abs=0.3)
    assert abs(across) < 0.5


@pytest.mark.parametrize("case", HANDHELD, ids=ids(HANDHELD))
def test_fixture_handheld_shakes_without_drifting(case: PhotoCase, photo_folder: Path) -> None:
    greys = list(_grey_frames(make_fixture(case, photo_folder)))
    steps = [cv2.phaseCorrelate(a, b)[0] for a, b in itertools.pairwise(greys)]
    wander = max(abs(x) + abs(y) for x, y in np.cumsum(steps, axis=0))
    (net_x, net_y), _ = cv2.phaseCorrelate(greys[0], greys[-1])
    assert wander > 0.004 * case.size[0]  # it visibly shakes (over a pixel)...
    assert abs(net_x) + abs(net_y) < 1.0  # ...and ends where it started


@pytest.mark.parametrize("case", CUTS, ids=ids(CUTS))
def test_fixture_cut_changes_the_picture_at_its_frame(case: PhotoCase, photo_folder: Path) -> None:
    greys = list(_grey_frames(make_fixture(case, photo_folder)))
    jumps = [float(np.mean(np.abs(b - a))) for a, b in itertools.pairwise(greys)]
    assert [int(np.argmax(jumps)) + 1] == list(case.expect_cuts)


@pytest.mark.parametrize("case", STROBES + SINGLE_FLASHES, ids=ids(STROBES + SINGLE_FLASHES))
def test_fixture_flashes_are_where_they_say(case: PhotoCase, photo_folder: Path) -> None:
    """Bright frames exactly where the event puts them, a clear step above the picture."""
    frames = list(read_frames(make_fixture(case, photo_folder)))
    means = np.array([frame.mean() for frame in frames])
    flash = np.clip(flashed(frames[0], case.flash), 0, 255).mean()
    assert flash - means[0] > 40
    bright = means > (means[0] + flash) / 2
    on = np.flatnonzero(bright)
    assert on.min() == case.event_at
    assert on.max() < case.event_at + case.event_frames
    if case.event == "strobe":
        flashes_per_s = np.sum(np.diff(bright.astype(int)) == 1) / (case.event_frames / case.fps)
        assert flashes_per_s >= 3.5


@pytest.mark.parametrize("case", FREEZES, ids=ids(FREEZES))
def test_fixture_freeze_holds_over_two_seconds(case: PhotoCase, photo_folder: Path) -> None:
    greys = list(_grey_frames(make_fixture(case, photo_folder)))
    held = [float(np.mean(np.abs(b - a))) < 0.5 for a, b in itertools.pairwise(greys)]
    start = case.event_at
    assert all(held[start : start + case.event_frames - 1])
    assert not held[start - 1] and not held[start + case.event_frames - 1]
    assert case.event_frames / case.fps > 2.0


# --- the critic ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", MOVES, ids=ids(MOVES))
def test_camera_move_is_not_a_cut(case: PhotoCase, answers: dict[str, dict[str, Any]]) -> None:
    own = answers[case.name]["own"]
    assert "cut_inside_shot" not in own["kinds"], (
        f"{case.move} at {case.peak_px_per_frame:.1f} px/frame: {_said(own)}"
    )


@pytest.mark.parametrize("case", STEADY, ids=ids(STEADY))
def test_camera_move_is_accepted_as_planned(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    own = answers[case.name]["own"]
    assert own["verdict"] == "accept", f"planned {case.plan}: {_said(own)}"


@pytest.mark.parametrize("case", DIRECTIONAL, ids=ids(DIRECTIONAL))
def test_camera_move_planned_the_other_way_is_wrong_direction(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    opposite = answers[case.name]["opposite"]
    assert "wrong_direction" in opposite["kinds"], f"planned {case.opposite}: {_said(opposite)}"


@pytest.mark.parametrize("case", STILLS, ids=ids(STILLS))
def test_still_take_planned_still_is_accepted(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    own = answers[case.name]["own"]
    assert own["verdict"] == "accept", _said(own)


@pytest.mark.parametrize("case", STILLS, ids=ids(STILLS))
def test_still_take_planned_as_a_pan_has_no_motion(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    pan = answers[case.name]["pan"]
    assert "no_motion" in pan["kinds"], _said(pan)


@pytest.mark.parametrize("case", CUTS, ids=ids(CUTS))
def test_true_cut_is_found_at_its_frame(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    own = answers[case.name]["own"]
    for cut in case.expect_cuts:
        near = [f for f in own["cut_frames"] if f is not None and abs(f - cut) <= 2]
        assert near, f"cut at frame {cut}: {_said(own)}"
    assert own["verdict"] == "retake"


@pytest.mark.parametrize("case", SINGLE_FLASHES, ids=ids(SINGLE_FLASHES))
def test_single_flash_is_not_a_cut(case: PhotoCase, answers: dict[str, dict[str, Any]]) -> None:
    """The same picture comes back after two bright frames: no cut, and one flash is
    within the three-a-second rule (no finding is needed at all)."""
    own = answers[case.name]["own"]
    assert "cut_inside_shot" not in own["kinds"], _said(own)
    assert "flashes" not in own["kinds"], _said(own)


@pytest.mark.parametrize("case", STROBES, ids=ids(STROBES))
def test_strobe_is_flashes(case: PhotoCase, answers: dict[str, dict[str, Any]]) -> None:
    own = answers[case.name]["own"]
    assert "flashes" in own["kinds"], _said(own)
    assert own["verdict"] == "retake"


@pytest.mark.parametrize("case", DISSOLVES, ids=ids(DISSOLVES))
def test_dissolve_inside_a_take_is_an_error(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    """A half-second cross-fade to another photo changes the picture the shot was planned
    to show: some error finding (a cut or another kind), so the take is retaken."""
    own = answers[case.name]["own"]
    assert own["error"], _said(own)


@pytest.mark.parametrize("case", FREEZES, ids=ids(FREEZES))
def test_freeze_in_a_move_is_frozen(case: PhotoCase, answers: dict[str, dict[str, Any]]) -> None:
    own = answers[case.name]["own"]
    assert "frozen" in own["kinds"], _said(own)
    assert own["verdict"] == "retake"


@pytest.mark.parametrize("case", FADES, ids=ids(FADES))
def test_fade_is_not_a_cut_or_flashes(case: PhotoCase, answers: dict[str, dict[str, Any]]) -> None:
    own = answers[case.name]["own"]
    assert "cut_inside_shot" not in own["kinds"], _said(own)
    assert "flashes" not in own["kinds"], _said(own)


@pytest.mark.parametrize("case", HANDHELD, ids=ids(HANDHELD))
def test_handheld_take_planned_handheld_is_accepted(
    case: PhotoCase, answers: dict[str, dict[str, Any]]
) -> None:
    own = answers[case.name]["own"]
    assert own["verdict"] == "accept", _said(own)
    assert "cut_inside_shot" not in own["kinds"]
