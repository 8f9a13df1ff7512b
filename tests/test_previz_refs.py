"""Previz with a character photo: the photo is that character at every shot size (issue 17).

Measured on real renders of a real photograph: scikit-image's astronaut portrait (shipped in
its wheel, nothing is downloaded). Pixels "from the photo" are those that change when the
same shot is rendered with the photo brightened by 20 levels: that moves every colour taken
from the photo and nothing else (the head is found in the same place in both).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import PIL
import pytest
from PIL import Image

from storyreel.renderer.previz import PrevizBackend
from storyreel.renderer.request import CancelToken, ReferenceInput, RenderRequest, no_progress

skimage_data = pytest.importorskip("skimage.data")

# wardrobe and hair in colours the astronaut photo does not have
MARA = {"name": "Mara", "color": "#00ff00", "accent": "#0000ff"}
TOM = {"name": "Tom", "color": "#ff00ff", "accent": "#1c1c1c"}
HARBOUR = {"name": "the harbour", "palette": ["#2e4053", "#a04000"], "seed": 11}
SIZES = ["ELS", "LS", "MS", "CU", "ECU"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The astronaut portrait and the same photo 20 levels brighter."""
    folder = tmp_path_factory.mktemp("photos")
    astronaut = skimage_data.astronaut()
    photo, brighter = folder / "astronaut.png", folder / "astronaut_bright.png"
    Image.fromarray(astronaut).save(photo)
    Image.fromarray(np.clip(astronaut.astype(int) + 20, 0, 255).astype(np.uint8)).save(brighter)
    return photo, brighter


def bound(path: Path, name: str = "Mara") -> ReferenceInput:
    """`path` as the photo of the character `name`."""
    return ReferenceInput(path=str(path), kind="image", role="subject", subject=name)


def request(
    size: str,
    subjects: list[dict[str, Any]],
    refs: list[ReferenceInput] | None = None,
    frames: int = 1,
    **previz: Any,
) -> RenderRequest:
    """A 256x144 shot at the harbour at noon, lit from the front (no grade to speak of)."""
    previz = {"size": size, "subjects": subjects, "location": HARBOUR, **previz}
    previz = {"time_of_day": "noon", "key_light": "front", **previz}
    return RenderRequest(
        prompt="a shot",
        width=256,
        height=144,
        frames=frames,
        seed=5,
        references=refs or [],
        options={"previz": previz},
    )


def render(req: RenderRequest) -> np.ndarray:
    """The frames of `req` as ints, (N, H, W, 3)."""
    result = PrevizBackend().render(req, no_progress, CancelToken())
    assert result.frames is not None
    return result.frames.astype(int)


def changed(a: np.ndarray, b: np.ndarray, threshold: int = 1) -> np.ndarray:
    """Pixels where frames `a` and `b` differ by at least `threshold` in some channel."""
    return np.abs(a - b).max(axis=-1) >= threshold


def skin_toned(frame: np.ndarray) -> np.ndarray:
    """Pixels in the usual YCbCr skin range."""
    y, cb, cr = np.moveaxis(
        np.asarray(Image.fromarray(frame.astype(np.uint8)).convert("YCbCr")).astype(int), -1, 0
    )
    return (y >= 50) & (cr >= 135) & (cr <= 175) & (cb >= 80) & (cb <= 130)


@pytest.mark.parametrize(
    ("size", "share"), [("ELS", 0.002), ("LS", 0.02), ("MS", 0.15), ("CU", 0.2), ("ECU", 0.35)]
)
def test_the_photographed_character_stands_where_its_silhouette_would(
    photos: tuple[Path, Path], size: str, share: float
) -> None:
    photo, brighter = photos
    empty = render(request(size, []))[0]
    silhouette = render(request(size, [MARA]))[0]
    pictured = render(request(size, [MARA], [bound(photo)]))[0]
    pictured_brighter = render(request(size, [MARA], [bound(brighter)]))[0]
    figure, shown = changed(silhouette, empty), changed(pictured, empty)
    from_photo = changed(pictured, pictured_brighter, 8)
    # the character is there, where its silhouette would be, and nowhere else
    assert (figure & shown).sum() >= 0.8 * figure.sum() > 0
    assert (shown & ~figure).sum() <= 0.02 * shown.sum()
    # made of the photo, as much of the frame as the framing gives the figure
    assert from_photo.mean() >= share
    assert not (from_photo & ~shown).any()
    # and no longer of the wardrobe and hair colours the text gave it
    r, g, b = np.moveaxis(pictured, -1, 0)
    assert not ((g > 200) & (r < 80) & (b < 80)).any()
    assert not ((b > 200) & (r < 80) & (g < 80)).any()


@pytest.mark.parametrize(("size", "share"), [("CU", 0.05), ("ECU", 0.2)])
def test_in_a_close_up_the_photo_s_face_fills_the_frame(
    photos: tuple[Path, Path], size: str, share: float
) -> None:
    pictured = render(request(size, [MARA], [bound(photos[0])]))[0]
    face = skin_toned(pictured) & changed(pictured, render(request(size, []))[0])
    assert face.mean() >= share
    assert abs(np.nonzero(face)[1].mean() / face.shape[1] - 0.5) < 0.08  # on the head, centred


def test_the_photo_goes_to_its_character_only(photos: tuple[Path, Path]) -> None:
    photo, brighter = photos
    pictured = render(request("LS", [MARA, TOM], [bound(photo)]))[0]
    from_photo = changed(pictured, render(request("LS", [MARA, TOM], [bound(brighter)]))[0], 8)
    columns = np.nonzero(from_photo)[1]
    assert len(columns) > 100 and columns.max() < pictured.shape[1] // 2  # Mara stands left
    r, g, b = np.moveaxis(pictured, -1, 0)
    tom = (r > 200) & (b > 200) & (g < 60)  # Tom keeps his magenta silhouette, on the right
    assert tom.sum() > 100 and np.nonzero(tom)[1].min() > pictured.shape[1] // 2


def test_from_behind_the_figure_wears_the_photo_s_colours_without_its_face(
    photos: tuple[Path, Path],
) -> None:
    def flat(frame: np.ndarray, figure: np.ndarray) -> float:
        """Share of the figure's pixels in its 6 commonest colours (flat fills, no picture)."""
        counts = np.unique(frame[figure], axis=0, return_counts=True)[1]
        return np.sort(counts)[-6:].sum() / figure.sum()

    empty = render(request("MS", []))[0]
    behind = render(request("MS", [MARA], [bound(photos[0])], angle="back"))[0]
    front = render(request("MS", [MARA], [bound(photos[0])]))[0]
    figure = changed(behind, empty)
    assert figure.mean() > 0.1
    r, _, b = np.median(behind[figure], axis=0)
    assert r > 140 and r - b > 80  # the orange suit
    assert flat(behind, figure) > 0.8 > 0.4 > flat(front, changed(front, empty))


def test_the_same_request_gives_identical_frames(photos: tuple[Path, Path]) -> None:
    req = request("CU", [MARA, TOM], [bound(photos[0])], frames=4, movement="dolly_in")
    first, second = render(req), render(req)
    assert np.array_equal(first, second)
    assert not np.array_equal(first[0], first[-1])


# sha256 (first 16 hex digits) of the frames of shots without a photo, rendered before
# character photos were drawn as their characters (Pillow 13.0.0)
BEFORE = {
    "MS static": "b7d361ece8672539",
    "CU dolly_in": "124d1315037bb7f0",
    "LS back, two": "828ab8c354438070",
    "ELS pan_left at dusk": "15750a12d53ba10f",
}
RED = {"name": "Mara", "color": "#c0392b", "accent": "#2b1d14"}
BLUE = {"name": "Tom", "color": "#2e86c1", "accent": "#d4ac0d", "build": 1.2}
UNCHANGED = {
    "MS static": {"size": "MS", "subjects": [RED]},
    "CU dolly_in": {"size": "CU", "movement": "dolly_in", "subjects": [RED]},
    "LS back, two": {"size": "LS", "angle": "back", "subjects": [RED, BLUE]},
    "ELS pan_left at dusk": {
        "size": "ELS",
        "movement": "pan_left",
        "time_of_day": "dusk",
        "subjects": [RED, BLUE],
    },
}


@pytest.mark.parametrize("name", list(UNCHANGED))
def test_shots_without_a_photo_look_as_before(name: str) -> None:
    if PIL.__version__ != "13.0.0":
        pytest.skip(f"the hashes were made with Pillow 13.0.0, this is {PIL.__version__}")
    previz = {"location": {"name": "the harbour", "seed": 11}, **UNCHANGED[name]}
    req = RenderRequest(
        prompt="x", width=160, height=90, frames=4, seed=5, options={"previz": previz}
    )
    frames = PrevizBackend().render(req, no_progress, CancelToken()).frames
    assert frames is not None
    assert hashlib.sha256(frames.tobytes()).hexdigest()[:16] == BEFORE[name]


def test_a_photo_of_someone_not_in_the_shot_changes_nothing(photos: tuple[Path, Path]) -> None:
    plain = render(request("MS", [RED]))
    req = request("MS", [RED], [bound(photos[0], "Nobody")])
    result = PrevizBackend().render(req, no_progress, CancelToken())
    assert np.array_equal(result.frames, plain)
    assert (
        result.metadata["ignored_references"][0]["reason"]
        == "no subject named 'Nobody' in this shot"
    )
