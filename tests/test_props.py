"""The previz props library: every prop draws, inside its box, legibly distinct; words find them."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw

from storyreel.renderer import props
from storyreel.renderer.props import (
    PROP_NAMES,
    draw_card,
    draw_prop,
    find_props,
    object_noun,
    prop_aspect,
)

W, H = 640, 360
REQUIRED = {
    "letter", "envelope", "book", "phone", "cup", "bread", "knife", "lamp", "candle", "door",
    "window", "table", "desk", "chair", "bed", "car", "bicycle", "boat", "tree", "flower", "dog",
    "cat", "bag", "key", "ring", "photo", "bottle", "glass", "clock", "net", "stairs", "umbrella",
    "hat", "suitcase", "guitar", "plate", "ball", "bench", "bus", "ladder", "basket", "rope",
    "fish", "bird", "cake", "newspaper", "map", "flashlight",
}  # fmt: skip


def _drawn(name: str, size: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw_prop(ImageDraw.Draw(image), name, box)
    return np.asarray(image)


def test_the_library_has_the_everyday_props() -> None:
    assert len(PROP_NAMES) >= 48
    assert REQUIRED <= PROP_NAMES
    for name in PROP_NAMES:
        assert name in (props.__doc__ or ""), f"{name} missing from the module docstring table"


@pytest.mark.parametrize("name", sorted(PROP_NAMES))
def test_each_prop_draws_inside_its_box(name: str) -> None:
    box = (100.3, 50.6, 260.2, 170.4)
    pixels = _drawn(name, (W, H), box)
    alpha = pixels[..., 3] > 0
    assert alpha.any(), f"{name} drew nothing"
    ys, xs = np.nonzero(alpha)
    assert xs.min() >= int(box[0]) and xs.max() <= int(box[2]) + 1, name
    assert ys.min() >= int(box[1]) and ys.max() <= int(box[3]) + 1, name


def test_props_fill_the_frame_for_an_extreme_close_up() -> None:
    shares = {}
    for name in PROP_NAMES:
        covered = (_drawn(name, (W, H), (0, 0, W, H))[..., 3] > 0).mean()
        x0, y0, x1, y1 = props.fit_box(prop_aspect(name), (0, 0, W, H))
        fitted = (x1 - x0) * (y1 - y0) / (W * H)
        assert covered >= 0.2 * fitted, f"{name} covers {covered:.0%} of its fitted box"
        assert covered >= 0.05, f"{name} covers only {covered:.0%} of the frame"
        shares[name] = covered
    most = sum(share >= 0.25 for share in shares.values())
    assert most >= 0.6 * len(shares), sorted(shares.items(), key=lambda kv: kv[1])[:12]


def test_props_keep_their_aspect_and_centre() -> None:
    for name in ("candle", "car", "clock"):
        ys, xs = np.nonzero(_drawn(name, (W, H), (0, 0, W, H))[..., 3] > 0)
        width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        assert width / height == pytest.approx(prop_aspect(name), rel=0.2), name
        assert (xs.min() + xs.max()) / 2 == pytest.approx(W / 2, abs=W * 0.08), name


def test_different_props_look_different() -> None:
    side = 64
    images = {
        name: _drawn(name, (side, side), (0, 0, side, side)).astype(np.int16) for name in PROP_NAMES
    }
    for a, b in itertools.combinations(sorted(images), 2):
        diff = np.abs(images[a] - images[b]).mean()
        assert diff > 8, f"{a} and {b} look alike ({diff:.1f})"


def test_tint_changes_the_main_colour() -> None:
    box = (0, 0, 120, 120)
    plain = _drawn("car", (120, 120), box)
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    draw_prop(ImageDraw.Draw(image), "car", box, tint=(30, 160, 60))
    tinted = np.asarray(image)
    assert (tinted[..., :3] == (30, 160, 60)).all(axis=-1).sum() > 500
    assert not (plain[..., :3] == (30, 160, 60)).all(axis=-1).any()


def test_drawing_on_an_rgb_image_and_tiny_boxes() -> None:
    image = Image.new("RGB", (80, 80), (20, 20, 20))
    draw = ImageDraw.Draw(image)
    draw_prop(draw, "book", (0, 0, 80, 80))
    draw_prop(draw, "key", (10, 10, 13, 12))
    draw_prop(draw, "cup", (40, 40, 40, 40))
    assert np.asarray(image).std() > 10


def test_unknown_prop_raises_key_error_naming_known_ones() -> None:
    image = Image.new("RGBA", (50, 50))
    with pytest.raises(KeyError, match="letter"):
        draw_prop(ImageDraw.Draw(image), "harpoon", (0, 0, 50, 50))
    with pytest.raises(KeyError, match="envelope"):
        prop_aspect("harpoon")


def test_card_writes_its_label_centred() -> None:
    def card(label: str, size: tuple[int, int] = (320, 180)) -> np.ndarray:
        image = Image.new("RGBA", size, (0, 0, 0, 0))
        draw_card(ImageDraw.Draw(image), label, (0, 0, *size))
        return np.asarray(image).astype(np.int16)

    blank, labelled = card(""), card("harpoon")
    assert (blank[..., 3] > 0).mean() > 0.8  # the card itself fills the box
    centre = np.s_[60:120, 80:240]
    assert np.abs(labelled[centre] - blank[centre]).sum(axis=-1).astype(bool).sum() > 300
    assert not np.array_equal(card("harpoon"), card("compass"))
    long_label = card("grandmother's silver pocket watch chain")
    assert long_label[..., 3].any()
    _, xs = np.nonzero(np.abs(long_label - blank).sum(axis=-1))
    assert xs.min() > 0 and xs.max() < 319  # the text fits on the card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mara folds the letters into an envelope beside the mug", ["letter", "envelope", "cup"]),
        ("She leaves a note on the table", ["letter", "table"]),
        ("a puppy, a pup and two dogs", ["dog"]),
        ("He answers his mobile. The cellphone dies.", ["phone"]),
        ("the puppy sleeps in a rowing boat by the dinghy", ["dog", "boat"]),
        ("up the staircase, down the stairs, onto the stone steps", ["stairs"]),
        ("A desk lamp lights the desk", ["lamp", "desk"]),
        ("she lights the oil lamp", ["lantern"]),
        ("a torch beam; her flashlight flickers", ["flashlight"]),
        ("KNIVES and BREAD on the PLATE", ["knife", "bread", "plate"]),
        ("a wine glass and a wine bottle", ["glass", "bottle"]),
        ("She opens the LETTER", ["letter"]),
        ("Roses fill the vase", ["flower"]),
    ],
)
def test_find_props_on_everyday_phrasings(text: str, expected: list[str]) -> None:
    assert find_props(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("she hands Rose the cup", ["cup"]),  # Rose the person
        ("Rose waits at the door", ["door"]),  # a given name even at the sentence start
        ("Rose picks a rose", ["flower"]),
        ("they watch the World Cup", []),
        ("Mr Bell rings", []),
        ("she steps forward and watches", []),
        ("she rings the bell", ["bell"]),
        ("the phone rings", ["phone"]),
        ("Mara notes the time on the wall clock", ["clock"]),
        ("He wants to book a flight", []),
        ("the key light comes from the left", []),
        ("a glass door", ["door"]),
        ("her watch stops", ["clock"]),
    ],
)
def test_find_props_is_not_fooled_by_names_and_verbs(text: str, expected: list[str]) -> None:
    assert find_props(text) == expected


def test_find_props_known_miss_book_a_table() -> None:
    # documented: "book" is read as a verb, but the table is still found
    assert find_props("They book a table for two") == ["table"]


def test_find_props_order_and_no_duplicates() -> None:
    text = "The cat, the dog, another cat, cats, kittens, the dog's bowl and a kitten"
    assert find_props(text) == ["cat", "dog", "plate"]
    assert find_props("") == []
    assert find_props("nothing to see here") == []


def test_every_word_in_the_table_finds_its_prop() -> None:
    for word, name in props._WORDS.items():
        if word in {"the steps"}:
            continue
        assert find_props(f"there is {word} here") == [name] or word.startswith(
            ("a ", "the ", "his ", "her ", "my ", "your ")
        ), word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("close on the harpoon on the wall", "harpoon"),
        ("ECU of her grandmother's silver locket", "silver locket"),
        ("insert: the old brass compass", "brass compass"),
        ("the harpoon hangs on the wall", "harpoon"),
        ("ECU of harpoon", "harpoon"),
        ("extreme close-up of a pocket knife", "pocket knife"),
        ("close on her face", None),
        ("close on Mara", None),
        ("she smiles", None),
        ("", None),
    ],
)
def test_object_noun(text: str, expected: str | None) -> None:
    assert object_noun(text) == expected


def test_docstring_examples() -> None:
    assert doctest.testmod(props).failed == 0


@pytest.mark.parametrize("side", [1, 3, 7, 12, 20, 33])
def test_any_box_size_draws_without_error(side: int) -> None:
    image = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for name in PROP_NAMES:
        draw_prop(draw, name, (5.5, 5.5, 5.5 + side * 1.7, 5.5 + side))
    draw_card(draw, "harpoon", (0, 0, side, side))
