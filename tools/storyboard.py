"""Contact sheets: the storyboard (one keyframe per shot with its id, size, movement and
action) and the candidates sheet of `storyreel keyframes` (each shot's candidate stills,
numbered as `storyreel keyframes pick SHOT N` takes them)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from storyreel.tools.partial_files import replaced_when_written

THUMB_WIDTH = 320
CAPTION_HEIGHT = 78
MARGIN = 16
BACKGROUND = (24, 24, 28)
INK = (235, 235, 235)
MUTED = (160, 160, 170)
OUTLINE = (70, 70, 80)
TITLE_HEIGHT = 56


@dataclass(frozen=True)
class SheetEntry:
    """One panel: a keyframe image and the words under it."""

    keyframe: Path
    heading: str
    action: str


def _thumb_height(image: Path) -> int:
    """The height of a THUMB_WIDTH-wide panel of `image`'s aspect ratio."""
    with Image.open(image) as first:
        return round(THUMB_WIDTH * first.height / first.width)


def _paste_panel(
    sheet: Image.Image, draw: ImageDraw.ImageDraw, image: Path, x: int, y: int, height: int
) -> None:
    """Paste `image` at (x, y), resized to THUMB_WIDTH x `height`, with a thin outline."""
    with Image.open(image) as picture:
        sheet.paste(picture.convert("RGB").resize((THUMB_WIDTH, height)), (x, y))
    draw.rectangle((x, y, x + THUMB_WIDTH - 1, y + height - 1), outline=OUTLINE)


def _new_sheet(title: str, width: int, height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((MARGIN, 14), title, fill=INK, font=ImageFont.load_default(size=26))
    return sheet, draw


def write_storyboard(title: str, entries: Sequence[SheetEntry], out: Path) -> tuple[int, int]:
    """Draw the contact sheet to `out` (PNG) and return its (width, height)."""
    if not entries:
        raise ValueError("a storyboard needs at least one shot")
    thumb_height = _thumb_height(entries[0].keyframe)
    columns = 3 if len(entries) <= 9 else 4
    rows = -(-len(entries) // columns)
    width = MARGIN + columns * (THUMB_WIDTH + MARGIN)
    height = TITLE_HEIGHT + rows * (thumb_height + CAPTION_HEIGHT + MARGIN) + MARGIN
    sheet, draw = _new_sheet(title, width, height)
    heading_font = ImageFont.load_default(size=15)
    body_font = ImageFont.load_default(size=13)
    for index, entry in enumerate(entries):
        row, column = divmod(index, columns)
        x = MARGIN + column * (THUMB_WIDTH + MARGIN)
        y = TITLE_HEIGHT + row * (thumb_height + CAPTION_HEIGHT + MARGIN)
        _paste_panel(sheet, draw, entry.keyframe, x, y, thumb_height)
        draw.text((x, y + thumb_height + 6), entry.heading, fill=INK, font=heading_font)
        lines = textwrap.wrap(entry.action, width=44)[:3]
        for number, line in enumerate(lines):
            draw.text((x, y + thumb_height + 28 + 15 * number), line, fill=MUTED, font=body_font)
    with replaced_when_written(out) as partial:
        sheet.save(partial, format="PNG")
    return width, height


# --- the candidates sheet of `storyreel keyframes` --------------------------------------

CANDIDATES_PER_LINE = 4
"""Candidates side by side in one line of a shot's row; more wrap onto the next line."""
NUMBER_FONT_SIZE = 44
"""The size of a candidate's number: big enough to read on a phone (Slack, the chat app)."""
ROW_HEADING_HEIGHT = 48
LABEL_HEIGHT = 26


@dataclass(frozen=True)
class CandidatePanel:
    """One candidate still: its number (what `keyframes pick` takes), its image, a label."""

    number: int
    image: Path
    label: str = ""


@dataclass(frozen=True)
class CandidateRow:
    """One shot's candidates, with a heading ("Shot 3: CU, dolly_in, 4 s") and its action."""

    shot_id: int
    heading: str
    action: str
    panels: Sequence[CandidatePanel]


@dataclass(frozen=True)
class PanelBox:
    """Where a candidate's picture is on the sheet: (left, top, right, bottom), exclusive."""

    shot_id: int
    number: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class CandidateSheet:
    """A drawn candidates sheet: its file, its size and where each candidate is."""

    path: Path
    size: tuple[int, int]
    panels: list[PanelBox] = field(default_factory=list)


def _draw_number(draw: ImageDraw.ImageDraw, number: int, x: int, y: int) -> None:
    """A big white number on a dark box in the top left corner of a panel."""
    font = ImageFont.load_default(size=NUMBER_FONT_SIZE)
    text = str(number)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = 8
    box = (x + 6, y + 6, x + 6 + right - left + 2 * pad, y + 6 + bottom - top + 2 * pad)
    draw.rectangle(box, fill=(0, 0, 0), outline=INK, width=2)
    draw.text((box[0] + pad - left, box[1] + pad - top), text, fill=INK, font=font)


def write_candidates_sheet(
    title: str, rows: Sequence[CandidateRow], out: Path, footer: str = ""
) -> CandidateSheet:
    """Draw each shot's candidate stills to `out` (PNG), a row per shot, each picture with
    its number big in its corner and its label under it; `footer` says what to do next."""
    if not rows or not any(row.panels for row in rows):
        raise ValueError("a candidates sheet needs at least one still")
    rows = [row for row in rows if row.panels]
    thumb_height = _thumb_height(rows[0].panels[0].image)
    columns = min(CANDIDATES_PER_LINE, max(len(row.panels) for row in rows))
    lines_of = [-(-len(row.panels) // columns) for row in rows]
    panel_height = thumb_height + LABEL_HEIGHT + MARGIN
    width = max(MARGIN + columns * (THUMB_WIDTH + MARGIN), 2 * THUMB_WIDTH)
    height = TITLE_HEIGHT + sum(ROW_HEADING_HEIGHT + n * panel_height for n in lines_of)
    height += (40 if footer else 0) + MARGIN
    sheet, draw = _new_sheet(title, width, height)
    heading_font = ImageFont.load_default(size=17)
    body_font = ImageFont.load_default(size=13)
    boxes: list[PanelBox] = []
    y = TITLE_HEIGHT
    for row, lines in zip(rows, lines_of, strict=True):
        draw.text((MARGIN, y + 4), row.heading, fill=INK, font=heading_font)
        action = textwrap.shorten(row.action, width=110, placeholder="…")
        draw.text((MARGIN, y + 26), action, fill=MUTED, font=body_font)
        y += ROW_HEADING_HEIGHT
        for index, panel in enumerate(row.panels):
            line, column = divmod(index, columns)
            x, top = MARGIN + column * (THUMB_WIDTH + MARGIN), y + line * panel_height
            _paste_panel(sheet, draw, panel.image, x, top, thumb_height)
            _draw_number(draw, panel.number, x, top)
            draw.text((x, top + thumb_height + 6), panel.label, fill=MUTED, font=body_font)
            boxes.append(
                PanelBox(row.shot_id, panel.number, (x, top, x + THUMB_WIDTH, top + thumb_height))
            )
        y += lines * panel_height
    if footer:
        draw.text((MARGIN, y + 8), footer, fill=INK, font=heading_font)
    with replaced_when_written(out) as partial:
        sheet.save(partial, format="PNG")
    return CandidateSheet(Path(out), (width, height), boxes)
