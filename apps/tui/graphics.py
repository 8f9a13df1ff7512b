"""Which picture protocol the terminal speaks: Sixel, the kitty graphics protocol, or half blocks.

Sixel (xterm -ti vt340, foot, WezTerm, Konsole, mlterm, iTerm2...) and the
kitty Terminal Graphics Protocol show keyframes at full resolution; half blocks
("▀" in two colours per cell) work in every terminal. The terminal can only be
asked before the app starts (Textual reads stdin afterwards), so `detect()` runs
first and the app is told the answer. STORYREEL_PICTURES=halfblock skips asking.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from textual.widget import Widget

Protocol = Literal["sixel", "tgp", "halfblock"]
PICTURES_ENV = "STORYREEL_PICTURES"


def detect() -> Protocol:
    """Ask the terminal which picture protocol it supports (call before the app runs)."""
    if os.environ.get(PICTURES_ENV, "auto").strip().lower() == "halfblock":
        return "halfblock"
    stdout = sys.__stdout__
    if stdout is None or not stdout.isatty():
        return "halfblock"
    try:  # importing textual_image asks the terminal (about 0.1 s per question)
        import textual_image.widget  # noqa: F401
        from textual_image.renderable import Image, SixelImage, TGPImage
    except Exception:  # an odd terminal must not stop the chat: fall back
        return "halfblock"
    if Image is SixelImage:
        return "sixel"
    if Image is TGPImage:
        return "tgp"
    return "halfblock"


def picture_widget(protocol: Protocol) -> Widget | None:
    """A widget that draws pictures with `protocol`, or None for half blocks."""
    if protocol == "sixel":
        from textual_image.widget import SixelImage

        return SixelImage(classes="picture")
    if protocol == "tgp":
        from textual_image.widget import TGPImage

        return TGPImage(classes="picture")
    return None
