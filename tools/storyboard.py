"""The storyboard contact sheet: one keyframe per shot with its id, size, movement and action."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from storyreel.tools.partial_files import replaced_when_written

THUMB_WIDTH = 320
CAPTION_HEIGHT = 78
MARGIN = 16
BACKGROUND = (24, 24, 28)
INK = (235, 235, 235)
MUTED = (160, 160, 170)


@dataclass(frozen=True)
class SheetEntry:
    """One panel: a keyframe image and the words under it."""

    keyframe: Path
    heading: str
    action: str


def write_storyboard(title: str, entries: Sequence[SheetEntry], out: Path) -> tuple[int, int]:
    """Draw the contact sheet to `out` (PNG) and return its (width, height)."""
    if not entries:
        raise ValueError("a storyboard needs at least one shot")
    first = Image.open(entries[0].keyframe)
    thumb_height = round(THUMB_WIDTH * first.height / first.width)
    columns = 3 if len(entries) <= 9 else 4
    rows = -(-len(entries) // columns)
    title_height = 56
    width = MARGIN + columns * (THUMB_WIDTH + MARGIN)
    height = title_height + rows * (thumb_height + CAPTION_HEIGHT + MARGIN) + MARGIN
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((MARGIN, 14), title, fill=INK, font=ImageFont.load_default(size=26))
    heading_font = ImageFont.load_default(size=15)
    body_font = ImageFont.load_default(size=13)
    for index, entry in enumerate(entries):
        row, column = divmod(index, columns)
        x = MARGIN + column * (THUMB_WIDTH + MARGIN)
        y = title_height + row * (thumb_height + CAPTION_HEIGHT + MARGIN)
        with Image.open(entry.keyframe) as image:
            sheet.paste(image.convert("RGB").resize((THUMB_WIDTH, thumb_height)), (x, y))
        draw.rectangle((x, y, x + THUMB_WIDTH - 1, y + thumb_height - 1), outline=(70, 70, 80))
        draw.text((x, y + thumb_height + 6), entry.heading, fill=INK, font=heading_font)
        lines = textwrap.wrap(entry.action, width=44)[:3]
        for number, line in enumerate(lines):
            draw.text((x, y + thumb_height + 28 + 15 * number), line, fill=MUTED, font=body_font)
    with replaced_when_written(out) as partial:
        sheet.save(partial, format="PNG")
    return width, height
