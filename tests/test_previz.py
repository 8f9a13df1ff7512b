"""The previz backend: what a viewer would notice in its frames, measured on pixels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.previz import PrevizBackend, render_frames
from storyreel.renderer.request import (
    CancelToken,
    ReferenceInput,
    RenderCancelled,
    RenderRequest,
    no_progress,
)

RED = {"name": "Mara", "color": "#ff0000", "accent": "#1c1c1c"}
PLAIN = {"name": "Field", "palette": ["#8a8a8a", "#6a6a6a"], "seed": 4}


def request(
    width: int = 256, height: int = 144, frames: int = 16, seed: int = 0, **previz: Any
) -> RenderRequest:
    """A previz request; by default a generic scene at noon lit from the front (mild grade)."""
    previz = {"time_of_day": "noon", "key_light": "front", **previz}
    return RenderRequest(
        prompt="a shot",
        width=width,
        height=height,
        frames=frames,
        seed=seed,
        options={"previz": previz},
    )


def render(req: RenderRequest) -> np.ndarray:
    result = PrevizBackend().render(req, no_progress, CancelToken())
    assert result.frames is not None
    assert result.frames.shape == (req.frames, req.height, req.width, 3)
    assert result.fps == req.fps
    return result.frames


def red_mask(frame: np.ndarray) -> np.ndarray:
    """Pixels of the #ff0000 wardrobe (torso or the slightly darker sleeves)."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return (r > 150) & (g < 70) & (b < 70)


def shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(dx, dy) by which the content of frame `a` moved to reach frame `b` (phase correlation)."""
    grey_a, grey_b = (f.astype(float).mean(axis=2) for f in (a, b))
    window = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    fa, fb = (
        np.fft.fft2((grey_a - grey_a.mean()) * window),
        np.fft.fft2((grey_b - grey_b.mean()) * window),
    )
    cross = fb * np.conj(fa)
    peak = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    dy, dx = np.unravel_index(np.argmax(peak), peak.shape)
    height, width = peak.shape
    return int(dx - width if dx > width // 2 else dx), int(dy - height if dy > height // 2 else dy)


def luminance(frames: np.ndarray) -> float:
    return float((frames[..., :3].astype(float) @ [0.2126, 0.7152, 0.0722]).mean())


def test_the_same_request_renders_identical_frames_and_the_seed_moves_handheld() -> None:
    shot = {"size": "MS", "movement": "handheld", "subjects": [RED], "subtitle": "Hello."}
    first, again = render(request(seed=1, **shot)), render(request(seed=1, **shot))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, render(request(seed=2, **shot)))
    assert not np.array_equal(first[0], first[-1])  # handheld does move


@pytest.mark.parametrize("angle", ["eye_level", "dutch"])
def test_a_static_shot_is_frozen(angle: str) -> None:
    frames = render(request(movement="static", angle=angle, subjects=[RED], location=PLAIN))
    assert all(np.array_equal(frames[0], frame) for frame in frames[1:])


def test_a_close_up_fills_the_frame_with_the_subject_a_long_shot_does_not() -> None:
    close = red_mask(render(request(frames=1, size="CU", subjects=[RED]))[0]).mean()
    long = red_mask(render(request(frames=1, size="LS", subjects=[RED]))[0]).mean()
    els = red_mask(render(request(frames=1, size="ELS", subjects=[RED]))[0]).mean()
    assert long > 0.01  # the subject is in the long shot
    assert close > 3 * long
    assert long > 3 * els


@pytest.mark.parametrize(
    ("movement", "direction"),
    [("pan_left", (1, 0)), ("pan_right", (-1, 0)), ("tilt_up", (0, 1)), ("tilt_down", (0, -1))],
)
def test_pans_and_tilts_move_the_content_the_way_a_viewer_expects(
    movement: str, direction: tuple[int, int]
) -> None:
    frames = render(request(movement=movement, size="LS", subjects=[RED], location=PLAIN))
    dx, dy = shift(frames[0], frames[-1])
    width, height = frames.shape[2], frames.shape[1]
    if direction[0]:  # 22 % of the width at medium speed
        assert dx * direction[0] > 0.15 * width and abs(dy) <= 2
    else:  # 25 % of the height
        assert dy * direction[1] > 0.15 * height and abs(dx) <= 2
    # the subject goes with the content
    ys, xs = np.nonzero(red_mask(frames[0]))
    ys2, xs2 = np.nonzero(red_mask(frames[-1]))
    moved = (xs2.mean() - xs.mean(), ys2.mean() - ys.mean())
    assert moved[0] * direction[0] + moved[1] * direction[1] > 0.1 * min(width, height)


def test_a_fast_pan_moves_further_than_a_slow_one() -> None:
    slow = render(request(movement="pan_right", speed="slow", location=PLAIN))
    fast = render(request(movement="pan_right", speed="fast", location=PLAIN))
    assert shift(fast[0], fast[-1])[0] < 2 * shift(slow[0], slow[-1])[0] < 0


@pytest.mark.parametrize(
    ("movement", "grows"),
    [("zoom_in", True), ("dolly_in", True), ("zoom_out", False), ("dolly_out", False)],
)
def test_zooms_and_dollies_scale_the_subject(movement: str, grows: bool) -> None:
    frames = render(request(movement=movement, size="LS", subjects=[RED], location=PLAIN))
    ratio = red_mask(frames[-1]).sum() / red_mask(frames[0]).sum()
    assert ratio > 1.5 if grows else ratio < 1 / 1.5


def test_a_truck_moves_the_subject_more_than_the_background(tmp_path: Path) -> None:
    backdrop = Image.new("RGB", (320, 180), (128, 128, 128))
    backdrop.paste((0, 200, 0), (32, 0, 45, 180))  # a green post at 10-14 % of the width
    backdrop.save(tmp_path / "backdrop.png")
    req = request(movement="truck_left", size="MLS", subjects=[RED])
    req.references = [
        ReferenceInput(path=str(tmp_path / "backdrop.png"), kind="image", role="location")
    ]
    frames = render(req).astype(int)

    def centre_x(mask: np.ndarray) -> float:
        assert mask.sum() > 20, "not in frame"
        return float(np.nonzero(mask)[1].mean())

    post = [
        centre_x((f[..., 1] > f[..., 0] + 80) & (f[..., 1] > f[..., 2] + 80))
        for f in frames[[0, -1]]
    ]
    subject = [centre_x(red_mask(f.astype(np.uint8))) for f in frames[[0, -1]]]
    assert subject[1] - subject[0] > 0.15 * frames.shape[2]  # content moves right
    assert 0 < post[1] - post[0] < 0.5 * (subject[1] - subject[0])  # the far background less


def test_the_key_light_side_is_brighter() -> None:
    shot = {"size": "LS", "subjects": [RED], "location": PLAIN, "frames": 1}
    thirds = {}
    for side in ("left", "front", "right"):
        frame = render(request(**{**shot, "key_light": side}))[0]
        third = frame.shape[1] // 3
        thirds[side] = (luminance(frame[:, :third]), luminance(frame[:, -third:]))
    assert thirds["left"][0] > 1.3 * thirds["left"][1]
    assert thirds["right"][1] > 1.3 * thirds["right"][0]
    assert thirds["left"][0] / thirds["front"][0] > thirds["left"][1] / thirds["front"][1] + 0.3


def test_night_is_much_darker_and_bluer_than_noon() -> None:
    shot = {"size": "LS", "subjects": [RED], "location": PLAIN, "frames": 1}
    noon = render(request(**{**shot, "time_of_day": "noon"}))
    night = render(request(**{**shot, "time_of_day": "night"}))
    assert luminance(night) < 0.35 * luminance(noon)
    mean = night.reshape(-1, 3).mean(axis=0)
    assert mean[2] > mean[0]  # blue over red
    golden = render(request(**{**shot, "time_of_day": "golden_hour"})).reshape(-1, 3).mean(axis=0)
    assert golden[0] > golden[2] + 30  # warm


def test_a_subtitle_is_drawn_at_the_bottom_and_does_not_move() -> None:
    shot = {"size": "MS", "subjects": [RED], "movement": "pan_left"}
    plain = render(request(**shot)).astype(int)
    titled = render(request(**shot, subtitle="This came for you. It's from the lighthouse."))
    diff = np.abs(plain - titled.astype(int)).mean(axis=(0, 3))  # per pixel, over the take
    height = plain.shape[1]
    assert diff[: height // 2].max() == 0
    assert diff[int(height * 0.75) :].mean() > 10
    # the caption stays put while the camera pans: its white letters are white in every frame
    first, last = (frame.min(axis=2) > 220 for frame in (titled[0], titled[-1]))
    assert first[int(height * 0.75) :].sum() > 50
    assert (first & last).sum() > 0.8 * (first | last).sum()


def test_a_subject_keeps_its_wardrobe_colour_across_shots(tmp_path: Path) -> None:
    grey = tmp_path / "grey.png"
    Image.new("RGB", (32, 32), (128, 128, 128)).save(grey)
    subject = {"name": "Tom", "color": "#1f5fbf", "accent": "#eeeeee", "build": 1.1}
    dominant = []
    for width, height, size in ((160, 96, "MS"), (256, 144, "LS")):
        req = request(width, height, frames=1, size=size, subjects=[subject])
        req.references = [ReferenceInput(path=str(grey), kind="image", role="location")]
        pixels = render(req)[0].reshape(-1, 3).astype(int)
        saturated = pixels[pixels.max(axis=1) - pixels.min(axis=1) > 60] // 16
        colours, counts = np.unique(saturated, axis=0, return_counts=True)
        dominant.append(tuple(colours[np.argmax(counts)] * 16 + 8))
    assert dominant[0] == dominant[1]
    assert np.abs(np.array(dominant[0]) - [0x1F, 0x5F, 0xBF]).max() <= 12


def test_a_location_reference_image_becomes_the_background(tmp_path: Path) -> None:
    green = tmp_path / "green.png"
    Image.new("RGB", (64, 48), (0, 200, 0)).save(green)
    req = request(frames=4, size="LS", movement="pan_left")
    req.references = [ReferenceInput(path=str(green), kind="image", role="location")]
    frames = render(req).astype(int)
    r, g, b = frames[..., 0], frames[..., 1], frames[..., 2]
    assert ((g > r + 100) & (g > b + 100)).mean() > 0.95


def test_a_subject_reference_image_replaces_the_silhouette(tmp_path: Path) -> None:
    photo = tmp_path / "mara.png"
    Image.new("RGB", (40, 100), (250, 0, 250)).save(photo)
    req = request(frames=1, size="MS", subjects=[RED])
    req.references = [
        ReferenceInput(path=str(photo), kind="image", role="subject", subject="Mara"),
        ReferenceInput(path=str(photo), kind="audio", role="voice", subject="Mara"),
    ]
    result = PrevizBackend().render(req, no_progress, CancelToken())
    frame = result.frames[0].astype(int)
    magenta = (frame[..., 0] > 200) & (frame[..., 2] > 200) & (frame[..., 1] < 60)
    assert magenta.mean() > 0.1
    assert red_mask(result.frames[0]).sum() == 0
    assert [item["kind"] for item in result.metadata["ignored_references"]] == ["audio"]


def test_the_take_opens_on_the_first_frame_and_dissolves_into_the_shot(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    previous = Image.fromarray(rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)).resize((200, 120))
    path = tmp_path / "last.png"
    previous.save(path)
    req = request(frames=24, size="CU", subjects=[RED])
    req.first_frame = str(path)
    frames = render(req).astype(float)
    expected = np.asarray(previous.resize((req.width, req.height)), dtype=float)
    assert np.abs(frames[0] - expected).mean() < 3
    assert np.abs(frames[-1] - expected).mean() > 30
    assert np.abs(frames[3] - expected).mean() < np.abs(frames[-1] - expected).mean()


def test_cancelling_from_the_progress_callback_stops_the_render() -> None:
    token, seen = CancelToken(), []

    def progress(step: int, total: int, message: str) -> None:
        seen.append(step)
        if step == 3:
            token.cancel()

    with pytest.raises(RenderCancelled):
        PrevizBackend().render(request(frames=12, movement="pan_left"), progress, token)
    assert seen == [1, 2, 3]


def test_progress_counts_every_frame_up_to_the_total() -> None:
    calls: list[tuple[int, int, str]] = []
    PrevizBackend().render(
        request(frames=10, movement="dolly_in"), lambda *c: calls.append(c), CancelToken()
    )
    assert [step for step, _, _ in calls] == list(range(1, 11))
    assert {total for _, total, _ in calls} == {10}
    assert calls[-1][2] == "frame 10/10"


def test_streamed_frames_equal_the_rendered_take() -> None:
    req = request(frames=8, movement="orbit_left", subjects=[RED], subtitle="Hi")
    assert np.array_equal(np.stack(list(render_frames(req))), render(req))


def test_check_request_teaches_what_is_wrong() -> None:
    backend = PrevizBackend()
    with pytest.raises(ValueError, match="width must be even") as error:
        backend.check_request(request(width=255))
    assert "255" in str(error.value)
    with pytest.raises(ValueError, match="movement") as error:
        backend.check_request(request(movement="spin"))
    assert "'spin'" in str(error.value) and "'pan_left'" in str(error.value)
    with pytest.raises(ValueError, match="color"):
        backend.check_request(request(subjects=[{"name": "X", "color": "not a colour"}]))
    backend.check_request(request(movement="Pan Left", size="cu"))  # forgiving spelling


def test_the_executor_keeps_previz_warm() -> None:
    executor = RenderExecutor()
    first = executor.render("previz", request(frames=4, size="MCU", subjects=[RED]))
    second = executor.render("previz", request(frames=4, size="LS", subjects=[RED]))
    assert executor.loads["previz"] == 1
    assert first.frames is not None and second.frames is not None
    assert not np.array_equal(first.frames[0], second.frames[0])
    assert "render_s" in second.timings
    streamed = list(executor.stream("previz", request(frames=3)))
    assert len(streamed) == 3 and executor.loads["previz"] == 1


def test_missing_directions_render_a_generic_scene() -> None:
    req = RenderRequest(prompt="anything", width=128, height=72, frames=2)
    frames = render(req)
    assert frames.std() > 10  # sky, ground and a set, not a flat colour
