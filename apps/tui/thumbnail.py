"""Pictures in the terminal: a still drawn with half blocks (works in every terminal).

Each character cell shows two pixels: the upper half block "▀" takes the top
pixel as its colour and the bottom pixel as its background.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from rich.color import Color
from rich.style import Style
from rich.text import Text

UPPER_HALF = "▀"


def fit(size: tuple[int, int], columns: int, rows: int) -> tuple[int, int]:
    """The pixel size that fits `size` into columns x (2 * rows) keeping its shape."""
    width, height = size
    scale = min(columns / width, (2 * rows) / height)
    return max(1, round(width * scale)), max(2, round(height * scale))


def half_blocks(image: Image.Image, columns: int, rows: int) -> Text:
    """`image` as rich Text of at most `columns` x `rows` cells, shape kept."""
    width, height = fit(image.size, columns, rows)
    height += height % 2
    pixels = np.asarray(image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR))
    text = Text(no_wrap=True, overflow="crop")
    for y in range(0, height, 2):
        top, bottom = pixels[y], pixels[y + 1]
        for x in range(width):
            style = Style(
                color=Color.from_rgb(*map(int, top[x])),
                bgcolor=Color.from_rgb(*map(int, bottom[x])),
            )
            text.append(UPPER_HALF, style)
        if y + 2 < height:
            text.append("\n")
    return text


def still(path: Path, columns: int, rows: int) -> Text | None:
    """The picture at `path` in half blocks, or None when it cannot be read."""
    try:
        with Image.open(path) as image:
            return half_blocks(image, columns, rows)
    except (OSError, ValueError):
        return None
