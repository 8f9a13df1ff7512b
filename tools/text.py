"""Text shown to people without control characters: terminals, logs and Slack.

A story's words can come from anyone in a chat thread, from a shared file's
name, or from a project someone else edited; they end up in terminals
(`storyreel show`, `ref list`, error lines) and in Slack. Escape sequences
(ANSI colours, cursor moves, OSC titles and links), other C0/C1 control
characters, carriage returns and the bidirectional overrides that reorder
what a reader sees are removed; line breaks and tabs stay.
"""

from __future__ import annotations

import json
import re
from typing import Any

_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]              # CSI: colours, cursor moves, clear screen
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC: window titles, hyperlinks
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]?                   # any other escape (and a lone ESC)
    | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def without_controls(text: str) -> str:
    """`text` with escape sequences and control characters removed (newlines and tabs kept).

    >>> without_controls("\\x1b[31mred\\x1b[0m\\r\\nok\\x07")
    'red\\nok'
    """
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def cleaned(value: Any) -> Any:
    """`value` (text, or lists and dicts holding text, like Block Kit) with every string
    passed through `without_controls`."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: cleaned(item) for key, item in value.items()}
    return value


def json_text(value: Any, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, **options)` safe to print: control characters
    and bidirectional overrides inside strings are written as \\uXXXX escapes, so the
    document is unchanged when parsed but cannot rewrite a terminal; other text (accents,
    scripts, emoji) stays readable.

    >>> json_text({"action": "Tom\\u202eleaves"})
    '{"action": "Tom\\\\u202eleaves"}'
    """
    text = json.dumps(value, ensure_ascii=False, **options)
    return _CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
