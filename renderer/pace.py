"""The pace of speech: how long a line takes to say, by the rule of thumb.

One place for the planning estimate that the script supervisor (tools/supervisor.py),
the voices (renderer/speech.py, when no voice can speak) and the guide use. It imports
nothing heavy, so reading a plan does not load numpy.
"""

from __future__ import annotations

import re

WORDS_PER_SECOND = 2.5
"""Speaking pace for a line of dialogue (plus `LINE_PAUSE_S` to breathe)."""
LINE_PAUSE_S = 0.5
"""A breath after a line."""
LINE_LEAD_S = 0.25
"""A take's line starts this long after its shot opens (when it fits)."""


def words_seconds(text: str) -> float:
    """How long a line takes to say: words / 2.5 per second, plus half a second."""
    words = len(re.findall(r"[\w']+", text))
    return words / WORDS_PER_SECOND + LINE_PAUSE_S if words else 0.0
