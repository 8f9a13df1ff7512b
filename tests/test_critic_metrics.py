"""The critic's weight-free metrics on videos with known answers, both ways.

Each metric is checked on a clean take it must accept and a broken take it must catch. The
fixtures (tests/critic_fixtures.py) are real H.264 files decoded by ffmpeg, so codec noise
is part of the test.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from storyreel.tools import critic_metrics as cm
from storyreel.tools.critic_metrics import (
    TakeMeter,
    TakeMetrics,
    flash_edges,
    flashes_per_second,
    frame_match,
    look_distance,
    look_stats,
    measure_take,
)
from tests.critic_fixtures import (
    CUT_AT,
    FPS,
    FREEZE_FPS,
    FREEZE_RANGE,
    MOVEMENTS,
    blurry_take,
    cut_take,
    decoded,
    fade_take,
    flash_frames,
    flash_take,
    freeze_take,
    lavfi_testsrc2_take,
    night_take,
    overexposed_take,
    previz_frames,
    previz_take,
)

MOVING = [m for m in MOVEMENTS if m != "static"]
FILES = {
    "cut_take": cut_take,
    "flash_take": flash_take,
    "freeze_take": freeze_take,
    "blurry_take": blurry_take,
    "overexposed_take": overexposed_take,
    "night_take": night_take,
    "fade_take": fade_take,
    "lavfi_testsrc2_take": lavfi_testsrc2_take,
}


@functools.cache
def measured(name: str, fps: float = FPS) -> TakeMetrics:
    """Metrics of a fixture file: "previz:<movement>" or a key of FILES (cached)."""
    kind, _, movement = name.partition(":")
    path = previz_take(movement) if kind == "previz" else FILES[name]()
    return measure_take(decoded(path), fps)


# --- cuts ------------------------------------------------------------------------------------


def test_a_cut_is_found_at_the_frame_the_new_scene_starts() -> None:
    metrics = measured("cut_take")
    assert len(metrics.cuts) == 1
    assert abs(metrics.cuts[0] - CUT_AT) <= 1
    assert metrics.cut_score_max >= cm.CUT_THRESHOLD


@pytest.mark.parametrize("name", [*(f"previz:{m}" for m in MOVEMENTS), "lavfi_testsrc2_take"])
def test_one_continuous_take_has_no_cut(name: str) -> None:
    metrics = measured(name)
    assert metrics.cuts == []
    assert metrics.cut_score_max < cm.CUT_THRESHOLD / 2


def test_cuts_respect_the_minimum_scene_length() -> None:
    scores = [0.0] * 40
    scores[5] = scores[20] = scores[25] = 50.0  # 5: too early; 25: too soon after 20
    assert cm.scene_cuts(scores) == [20]


# --- flicker ---------------------------------------------------------------------------------


def test_flicker_is_perfect_for_a_still_take_and_low_for_flashes() -> None:
    assert measured("previz:static").flicker > 0.9999  # H.264 noise only
    assert measured("previz:pan_left").flicker > 0.95
    assert measured("flash_take").flicker < 0.9


# --- flashes ---------------------------------------------------------------------------------


def test_flashing_at_6_hz_fails_the_three_per_second_rule() -> None:
    metrics = measured("flash_take")
    assert metrics.flashes_per_second_max > cm.FLASH_MAX_PER_SECOND
    assert metrics.flashes_per_second_max == pytest.approx(6, abs=0.5)
    assert metrics.flashes[0] <= 3  # the first darkening, at frame 2


@pytest.mark.parametrize("name", ["previz:pan_left", "previz:zoom_in", "fade_take"])
def test_pans_zooms_and_fades_never_count_as_flashes(name: str) -> None:
    metrics = measured(name)
    assert metrics.flashes == []
    assert metrics.flashes_per_second_max == 0.0


def square_wave(hz: float, seconds: float = 2, fps: int = 24) -> list[float]:
    """Relative luminance switching between 0.1 and 0.5, `hz` full cycles per second."""
    period = fps / hz
    return [0.5 if (i % period) < period / 2 else 0.1 for i in range(int(seconds * fps))]


def test_three_flashes_a_second_pass_and_four_fail() -> None:
    three = flashes_per_second(flash_edges(square_wave(3), 24), 24)
    four = flashes_per_second(flash_edges(square_wave(4), 24), 24)
    assert three == 3.0
    assert four == 4.0


def test_flashes_between_two_bright_states_do_not_count() -> None:
    bright = [0.95 if i % 4 < 2 else 0.82 for i in range(48)]  # darker side above 0.8 (WCAG)
    assert flash_edges(bright, 24) == []


def test_a_flash_edge_spread_over_two_frames_still_counts() -> None:
    ramped = [0.1, 0.1, 0.1, 0.16, 0.22, 0.22, 0.22, 0.16, 0.1, 0.1]
    assert flash_edges(ramped, 24) == [4, 8]


# --- frozen frames ---------------------------------------------------------------------------


def test_a_freeze_is_found_with_its_range() -> None:
    metrics = measured("freeze_take", FREEZE_FPS)
    assert len(metrics.frozen) == 1
    start, end = metrics.frozen[0]
    assert abs(start - FREEZE_RANGE[0]) <= 1
    assert abs(end - FREEZE_RANGE[1]) <= 1


@pytest.mark.parametrize("name", [*(f"previz:{m}" for m in MOVING), "lavfi_testsrc2_take"])
def test_moving_takes_do_not_freeze(name: str) -> None:
    assert measured(name).frozen == []


def test_a_still_take_is_frozen_from_first_to_last_frame() -> None:
    # the metric reports it; tools/critic.py ignores freezes in shots planned static
    assert measured("previz:static").frozen == [(0, 47)]


def test_short_still_stretches_are_not_freezes() -> None:
    diffs = [5.0] * 20 + [0.0] * 10 + [5.0] * 70  # 11 still frames = 0.46 s of a 4.2 s take
    assert cm.frozen_ranges(diffs, 24, 101) == []
    assert cm.frozen_ranges(diffs[:40], 24, 41) == [(20, 30)]  # but a quarter of 1.7 s


# --- dynamic degree --------------------------------------------------------------------------


@pytest.mark.parametrize("movement", MOVING)
def test_camera_moves_are_moving(movement: str) -> None:
    metrics = measured(f"previz:{movement}")
    assert metrics.moving
    assert metrics.flow_top5_mean > metrics.moving_threshold
    assert metrics.sampled_pairs == 15  # 48 frames at 24 fps, every 3rd frame (~8 fps)


def test_a_still_take_is_not_moving() -> None:
    metrics = measured("previz:static")
    assert not metrics.moving
    assert metrics.moving_pairs == 0
    assert metrics.flow_top5_mean == 0.0
    assert metrics.moving_threshold == cm.DYNAMIC_THRESHOLD


def test_the_moving_threshold_rises_below_8_fps() -> None:
    metrics = measure_take(previz_frames("pan_left", frames=12, fps=4), 4)
    assert metrics.moving_threshold == pytest.approx(12.0)  # VBench: x 8 / fps


def test_flow_is_measured_on_the_256_px_reference_scale() -> None:
    # pan_left at fast speed moves content 39.6 % of the width over 47 frames
    per_pair = 0.396 * 320 * 3 / 47 * 256 / 180
    assert measured("previz:pan_left").flow_top5_mean == pytest.approx(per_pair, rel=0.2)


# --- camera motion ---------------------------------------------------------------------------


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_the_camera_label_matches_the_previz_movement(movement: str) -> None:
    assert measured(f"previz:{movement}").camera_motion == movement


def test_camera_displacement_and_scale_match_what_previz_drew() -> None:
    pan, tilt = measured("previz:pan_left"), measured("previz:tilt_up")
    assert pan.camera_dx == pytest.approx(0.396 * 320, rel=0.1)  # content moves right
    assert abs(pan.camera_dy) < 3
    assert tilt.camera_dy == pytest.approx(0.45 * 180, rel=0.1)  # content moves down
    assert measured("previz:zoom_in").camera_scale == pytest.approx(1.4**1.8, rel=0.05)
    assert measured("previz:zoom_out").camera_scale == pytest.approx(1.4**-1.8, rel=0.05)
    assert measured("previz:static").camera_steps == 16


def test_fades_and_flashes_do_not_read_as_camera_moves() -> None:
    assert measured("fade_take").camera_motion == "static"
    assert measured("flash_take").camera_motion == "static"


def test_camera_label_rules() -> None:
    assert cm.camera_label(0.5, 0.5, 0.5, 360) == ("static", [])  # under 1.8 px
    assert cm.camera_label(10, 0, 0, 360) == ("pan_left", ["pan_left"])
    assert cm.camera_label(-10, 3, 0, 360) == ("pan_right", ["pan_right", "tilt_up"])
    assert cm.camera_label(0, -10, 6, 360) == ("mixed", ["tilt_down", "zoom_in"])
    assert cm.camera_label(0, 0, -10, 360)[0] == "zoom_out"


# --- sharpness and exposure ------------------------------------------------------------------


def test_a_heavily_blurred_take_is_blurry_and_clean_previz_is_sharp() -> None:
    assert measured("blurry_take").sharpness < cm.SHARPNESS_BLURRY_BELOW
    assert measured("previz:static").sharpness > 2 * cm.SHARPNESS_BLURRY_BELOW
    assert measured("previz:pan_left").sharpness > 2 * cm.SHARPNESS_BLURRY_BELOW


def test_an_over_exposed_take_is_clipped_and_a_noon_shot_is_not() -> None:
    white = measured("overexposed_take")
    assert white.clipped > cm.EXPOSURE_CLIPPED_ABOVE
    assert white.highlights > 0.3
    noon = measured("previz:static")
    assert noon.clipped < cm.EXPOSURE_CLIPPED_ABOVE
    assert noon.clipped_max < cm.EXPOSURE_CLIPPED_ABOVE


def test_a_previz_night_shot_is_dark_but_not_crushed() -> None:
    night = measured("night_take")
    assert night.clipped < cm.EXPOSURE_CLIPPED_ABOVE
    assert night.sharpness > cm.SHARPNESS_BLURRY_BELOW


def test_a_fade_from_black_lifts_the_mean_clipping_but_not_the_median() -> None:
    fade = measured("fade_take")
    assert fade.shadows > cm.EXPOSURE_CLIPPED_ABOVE
    assert fade.clipped_max > 0.9  # frame 0 is black
    assert fade.clipped_median < cm.EXPOSURE_CLIPPED_ABOVE


# --- looks across shots ----------------------------------------------------------------------


def test_two_frames_of_one_scene_look_alike() -> None:
    frames = previz_frames("pan_left")
    score, distance = look_distance(look_stats(frames[0]), look_stats(frames[10]))
    assert score > 90
    assert distance < 0.2


def test_noon_and_night_look_different() -> None:
    noon, night = previz_frames("static")[0], previz_frames("static", "night")[0]
    score, distance = look_distance(noon, night)  # frames are accepted as well as stats
    assert score < 50
    assert distance > 0.6
    assert look_distance(noon, noon) == (100.0, pytest.approx(0.0, abs=1e-6))


def test_look_stats_numbers() -> None:
    grey = np.full((90, 160, 3), 100, np.uint8)
    stats = look_stats(grey)
    assert (stats.mean_grey, stats.std_grey, stats.mean_saturation) == (100.0, 0.0, 0.0)
    assert stats.histogram.sum() == pytest.approx(1.0)
    assert stats.histogram.size == 16 * 4 * 4
    assert set(stats.as_dict()) == {"mean_grey", "std_grey", "mean_saturation"}


def test_frame_match_is_zero_for_the_same_frame_and_resizes() -> None:
    frame = previz_frames("static")[0]
    assert frame_match(frame, frame) == 0.0
    bigger = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_LINEAR)
    assert frame_match(frame, bigger) < 0.02
    assert frame_match(frame, previz_frames("static", "night")[0]) > 0.2


# --- robustness ------------------------------------------------------------------------------


def test_no_frames_is_an_error() -> None:
    with pytest.raises(ValueError, match="the video has no frames"):
        measure_take([], 24)


def test_a_single_frame_has_neutral_motion_fields() -> None:
    metrics = measure_take([previz_frames("static")[0]], 24)
    assert metrics.single_frame
    assert (metrics.frames, metrics.flicker, metrics.moving) == (1, 1.0, False)
    assert metrics.cuts == metrics.flashes == metrics.frozen == []
    assert (metrics.camera_motion, metrics.sampled_pairs, metrics.camera_scale) == ("static", 0, 1)
    assert metrics.sharpness > cm.SHARPNESS_BLURRY_BELOW
    assert metrics.first_frame.shape == metrics.last_frame.shape == (180, 320, 3)


def test_frames_of_differing_sizes_name_the_frame() -> None:
    frames = [np.zeros((90, 160, 3), np.uint8)] * 3 + [np.zeros((96, 160, 3), np.uint8)]
    with pytest.raises(ValueError, match="frame 3 is 160x96 but frame 0 is 160x90"):
        measure_take(frames, 24)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((90, 160), np.uint8), r"frame 0 must be an RGB array"),
        (np.zeros((90, 160, 3), np.float32), r"frame 0 must be uint8"),
    ],
)
def test_frames_that_are_not_rgb_uint8_are_errors(frame: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        measure_take([frame], 24)


def test_fps_must_be_positive() -> None:
    with pytest.raises(ValueError, match="fps must be a positive number, got 0"):
        measure_take([np.zeros((90, 160, 3), np.uint8)], 0)


def test_opencv_threads_are_restored_after_a_measurement_and_an_error() -> None:
    before = cv2.getNumThreads()
    measure_take(previz_frames("static")[:4], 24)
    with pytest.raises(ValueError):
        measure_take([np.zeros((90, 160, 3), np.uint8), np.zeros((96, 160, 3), np.uint8)], 24)
    assert cv2.getNumThreads() == before


def test_a_producer_reusing_one_buffer_is_measured_correctly() -> None:
    frames = previz_frames("pan_left")[:24]

    def reused() -> Iterator[np.ndarray]:
        buffer = np.empty_like(frames[0])
        for frame in frames:
            buffer[:] = frame
            yield buffer

    streamed, copied = measure_take(reused(), FPS), measure_take(list(frames), FPS)
    assert streamed.as_dict() == copied.as_dict()
    assert np.array_equal(streamed.first_frame, frames[0])
    assert np.array_equal(streamed.last_frame, frames[-1])


def test_the_meter_streams_frame_by_frame() -> None:
    meter = TakeMeter(FPS)
    for frame in previz_frames("tilt_down"):
        meter.add(frame)
    assert meter.finish().as_dict() == measure_take(previz_frames("tilt_down"), FPS).as_dict()


def test_as_dict_is_json_ready_and_leaves_out_the_frames() -> None:
    data = measured("freeze_take", FREEZE_FPS).as_dict()
    assert "first_frame" not in data and "last_frame" not in data
    text = json.dumps(data)
    assert json.loads(text)["frozen"] == [list(r) for r in measured("freeze_take", 12).frozen]
    assert json.loads(text)["frozen"] == data["frozen"]
    assert {"cuts", "flicker", "flashes_per_second_max", "moving", "camera_motion"} <= set(data)
    assert "clipped" in data and "sharpness" in data


def test_flash_frames_fixture_alternates_every_two_frames() -> None:
    bright, _, dark, _, again = (cm.relative_luminance(f) for f in flash_frames()[1:6])
    assert bright - dark > 0.1
    assert again == pytest.approx(bright)


def test_fixture_files_are_real_h264() -> None:
    for make in FILES.values():
        path = make()
        assert path.suffix == ".mp4" and path.stat().st_size > 1000
    assert decoded(lavfi_testsrc2_take()).shape == (72, 180, 320, 3)
    assert decoded(fade_take()).shape[0] == 48
