"""Camera words in free text: size, angle, movement, lens, duration, light, time."""

from __future__ import annotations

import re
from typing import Any

from storyreel.agent.offline.text import cut_span, join_words, parse_number, rx
from storyreel.agent.offline.words import (
    ANGLE_WORDS,
    LENSES,
    PHRASES,
    SIZE_ORDER,
    SIZE_WORDS,
    N,
)
from storyreel.tools.edits import (
    AddShot,
)
from storyreel.tools.story import Shot
from storyreel.tools.vocabulary import (
    MOVES,
    Angle,
    DepthOfField,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    Transition,
    find_move,
    parse_term,
)

_SPEED = (
    r"slow|slowly|gentle|gently|gradual|gradually|subtle|quick|quickly|fast|rapid|rapidly"
    r"|sudden|suddenly|whip|snap|crash"
)
_SIZES = [
    (rx(r"extreme(?:ly)?[\s-]+close[\s-]*(?:ups?|shots?)|(?-i:\b[EX]CU\b)",
         r"|detail[\s-]+shots?|insert(?:[\s-]+shots?)?(?=\s*[,.:;]|\s+(?:on|of|shot)\b|$)",
         r"|(?-i:\bINSERT\b)|\bmacro\s+shot\b|\breally\s+(?:really\s+)?close\s+(?:up\s+)?on\b"),
     "ECU"),
    (rx(r"medium[\s-]+close[\s-]*(?:ups?|shots?)|(?-i:\bMCU\b)|chest[\s-]+up"), "MCU"),
    (rx(r"extreme[\s-]+(?:wide|long)(?:[\s-]+shots?)?|(?:wide\s+)?establishing(?:[\s-]+shots?)?",
         r"|(?-i:\bE[LW]S\b)|\baerial(?:[\s-]+(?:shot|view))?\b|\bdrone\s+shot\b",
         r"|\bfrom\s+(?:really\s+|very\s+|way\s+|super\s+|so\s+)?far\s+(?:away|off)\b",
         r"|\bfrom\s+a\s+(?:long\s+|great\s+)?distance\b"), "ELS"),
    (rx(r"medium[\s-]+(?:long|wide)(?:[\s-]+shots?)?|cowboy[\s-]+shots?|knees[\s-]+up",
         r"|(?-i:\bMLS\b)"), "MLS"),
    (rx(r"(?:medium|mid)[\s-]*shots?|waist[\s-]+up|(?-i:\bMS\b)|(?-i:\bMEDIUM\b)|two[\s-]*shot",
         r"|^\W*medium\b(?=\s*[,.:;]|\s+(?:on|of|from)\b)"), "MS"),
    (rx(r"close[\s-]*ups?|close[\s-]+shots?|\bclose\s+on\b|\btight\s+on\b|(?-i:\bCU\b)",
         r"|(?-i:\bCLOSE\b)|\b(?:really|very|nice\s+and|up|super|proper|right|so)\s+close\b",
         r"|,\s*close\b(?=\s*(?:[,.;!]|$))|^\W*close\b(?=\s*[,.:;])"), "CU"),
    (rx(r"(?:wide|long|full)[\s-]+shots?|full[\s-]+body|\bwide\s+(?:on|of|from)\b",
         r"|\bgo\s+wide\b|(?-i:\b[LW]S\b)|(?-i:\bWIDE\b)|\bwide\b(?=\s*(?:[,.;:]|$))",
         r"|^\W*wide\b(?=\s+(?:as|on|of|from)\b)|\bto\s+wide\b"), "LS"),
]  # fmt: skip
_ANGLES = [
    (rx(r"(?:^|(?<=[,;:])\s*|(?<=\bshot\s)|(?<=\bangle\s)|(?<=\bcamera\s)|(?<=\bfrom\s)|(?<=\bwe\s)",
        r"|(?<=\bit\s)|(?<=\bsee\s)|(?<=\bseen\s)|(?<=\blooking\s)|(?<=\bfilmed\s)|(?<=\bshoot\s)",
        r"|(?<=\bthis\s)|(?<=\bthat\s)|(?<=\bthen\s)|(?<=\band\s))",
        r"over[\s-]+(?:the|her|his|their)[\s-]+shoulders?(?:[\s-]+shots?)?",
        r"|over[\s-]+(?:[a-z]+\s+)?[a-z]+'s?[\s-]+shoulders?(?:[\s-]+shots?)?",
         r"|(?-i:\bOTS\b)"), "ots"),
    (rx(r"low[\s-]+angle(?:[\s-]+shots?)?|from\s+(?:way\s+)?below|looking\s+up\s+at",
        r"|from\s+(?:way\s+|really\s+)?down\s+low\b"), "low"),
    (rx(r"bird'?s?[\s-]*eye(?:[\s-]+(?:view|shot|angle))?|overhead(?:[\s-]+shot)?",
         r"|top[\s-]+down(?:[\s-]+shot)?|from\s+(?:directly\s+|straight\s+)?above",
         r"|straight\s+down(?:\s+(?:from\s+above|on|over|at|onto))?|directly\s+above",
         r"|looking\s+straight\s+down|\btop[\s-]+shot\b"), "overhead"),
    (rx(r"high[\s-]+angle(?:[\s-]+shots?)?|from\s+(?:really\s+|way\s+|very\s+|so\s+)?high\s+up",
        r"|looking\s+down\s+(?:at|on|over|into|onto)|camera\s+(?:\w+\s+)?looks?\s+down\s+(?:at|on)",
        r"|from\s+(?:way\s+)?up\s+high|\bcam(?:era)?\s+(?:is\s+)?(?:way\s+|really\s+|right\s+)?up\s+high",
        r"|seen\s+from\s+(?:very\s+|really\s+|way\s+|far\s+)?(?:high\s+)?above"),
     "high"),
    (rx(r"worm'?s?[\s-]*eye(?:[\s-]+(?:view|shot|angle))?|(?:from|at)\s+ground[\s-]+level",
         r"|from\s+the\s+(?:ground|floor)\b|ground[\s-]+level\s+(?:shot|angle|camera)",
         r"|camera\s+on\s+the\s+(?:ground|floor)|(?:ground|floor|snow|grass|knee|paw|dog)[\s-]+level",
         r"|(?:right|down|low)\s+on\s+the\s+(?:ground|floor|snow|grass|sand|pavement)\b",
         r"|from\s+(?:right\s+|directly\s+|straight\s+|just\s+)?(?:underneath|beneath)\b",
         r"|\b(?:camera|we|lens)\s+(?:\w+\s+)?(?:points?|pointing|aims?|aiming|stares?|staring",
         r"|looks?|looking)\s+(?:straight|right|directly|almost\s+straight|vertically)\s+up\b"),
     "worms_eye"),
    (rx(r"dutch[\s-]+(?:angle|tilt)|\bdutched\b|(?-i:\bDUTCH\b)|^\W*dutch\b(?=\s*(?:[,.:;]|$))",
        r"|canted(?:[\s-]+angle)?"), "dutch"),
    (rx(r"eye[\s-]+level"), "eye_level"),
    (rx(r"in\s+profile|profile\s+shot|side[\s-]+on|(?-i:\bPROFILE\b)|^\W*profile\b(?=\s*[,.:;])"),
     "profile"),
    (rx(r"from\s+behind|camera\s+behind\s+(?:him|her|them)|(?:shot|seen)\s+from\s+the\s+back",
        r"|behind\s+(?:him|her|them),?\s+(?:looking|facing)"), "back"),
]  # fmt: skip
# Movements are the vocabulary's (tools/vocabulary.py MOVES, find_move): one table for the
# compiler, the critic and both directors.

_DOF = [
    (rx(r"(?:\b(?:with|in)\s+)?(?:\ba\s+)?\bshallow\s+(?:focus|depth[\s-]+of[\s-]+field|dof)\b",
         r"|\bbokeh\b|\b(?:blurred|blurry|soft)\s+background\b"), "shallow"),
    (rx(r"(?:\b(?:with|in)\s+)?(?:\ba\s+)?\bdeep\s+(?:focus|depth[\s-]+of[\s-]+field|dof)\b",
         r"|\beverything\s+(?:is\s+)?(?:in\s+focus|sharp)\b"), "deep"),
]  # fmt: skip
_TRANSITIONS = [
    (rx(r"\b(?:fade|fading)\s+(?:in|up)(?:\s+from\s+black)?(?:\s+(?:on|to))?\b",
         r"|\bfade\s+from\s+black\b"), "fade_in"),
    (rx(r"\bfades?\s+(?:out|to\s+black)\b"), "fade_out"),
    (rx(r"\b(?:cross[\s-]?)?dissolves?(?:\s+(?:to|into))?\b|\bcross[\s-]?fade\b"), "dissolve"),
    (rx(r"\bmatch[\s-]+cut(?:\s+to)?\b"), "match_cut"),
    (rx(r"\bsmash[\s-]+cut(?:\s+to)?\b"), "smash_cut"),
]  # fmt: skip
_LENS_RE = rx(
    r"(?:\b(?:on|with|using|through)\s+)?(?:\ban?\s+)?",
    r"(?:\b(\d{1,4})\s*-?\s*(?:mm|millimet(?:er|re)s?)\b",
    r"(?!\s+(?:film|stock|footage|grain|look|print|home\s+movies?|cine|reversal)\b)",
    r"(?:\s+(?:macro|prime|anamorphic|tele))?(?:\s+lens)?",
    r"|(?:(?<=\bon\sa\s)|(?<=\bon\san\s)|(?<=\bwith\sa\s)|(?<=\bwith\san\s))",
    r"(14|16|18|20|21|24|25|28|32|35|40|50|65|75|85|90|100|105|135|150|200)",  # "on an 85"
    r"(?![\w\-%]|\.\d)(?!\s+(?:sec|second|minute|shot|frame|percent|year|quid|people))",
    r"|\b(wide[\s-]+angle|wide|fish[\s-]?eye|telephoto|long|portrait|macro|normal|standard)",
    r"\s+lens\b|\b(fish[\s-]?eye|telephoto|wide[\s-]angle)\b)",
)
_HALF_RE = rx(
    r"\b(?:for\s+|about\s+|like\s+)?(?:(a|one|\d+|",
    "|".join(n for n in ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")),
    r")\s+seconds?\s+and\s+a\s+half|(\d+|one|two|three|four|five|six|seven|eight|nine|ten)",
    r"\s+and\s+a\s+half\s+(?:seconds?|secs?|s)\b)",
)
_FEW_SECONDS_RE = rx(
    r"(?:\b(?:for|lasting|lasts|of|about|around|just)\s+)?\b(?:an?\s+)?",
    r"(?:(few|couple(?:\s+of)?|several|second\s+or\s+two|half\s+a\s+minute|brief)",
    r"(?:\s+(?:more\s+)?seconds?)?|(beat|moment)(?=\s*(?:[,.;]|$|\s+(?:long|only|or))))",
    r"(?:\s+long)?",
)
_FEW_SECONDS = {"couple": 2.0, "couple of": 2.0, "second or two": 2.0, "half a minute": 30.0,
                "several": 6.0, "beat": 2.0, "moment": 2.0, "brief": 2.0, "few": 3.0}  # fmt: skip
_LENGTH_WORD_RE = rx(
    r"\b(?:duration|length|runtime|running\s+time)\s*(?:of\s+|to\s+|at\s+|:|=|is\s+)?\s*",
    r"(\d{1,2}(?:\.\d+)?)\b(?!\s*(?:mm|fps|%))(?:\s*(?:s|secs?|seconds?)\b)?",
)
_DURATION_RE = rx(
    r"(?:\b(?:for|lasting|lasts|of|about|around)\s+)?(?:\ban?\s+)?",
    r"(?<!\bmid\s)(?<!\bmid-)(?<!\blate\s)(?<!\bearly\s)(?<!\bhis\s)(?<!\bher\s)",
    r"(?<!\btheir\s)",  # "mid 20s", "in her 40s": an age, not a length
    rf"\b({N}(?:\.\d+)?)\s*-?\s*(?:s|secs?|seconds?)\b(?:\s+long)?",
)
_TIME_RE = rx(
    r"\b(?:(?:at|by|during|around|before|after|in|into|that|this|one|late|early)\s+",
    r"(?:the\s+)?)?(first light|golden[\s-]hour|blue[\s-]hour|night[\s-]?time|nightfall|night",
    r"|midnight|tonight|dawn|sunrise|daybreak|morning|midday|noon|afternoon|sunset|dusk",
    r"|evening|twilight|daylight|daytime)\b|\b(?:during\s+the|by)\s+(day)\b",
)
_TIME_WORDS = {"first light": "dawn", "nightfall": "dusk", "tonight": "night", "daylight": "noon"}
_LIGHT_RE = rx(
    r"(?:\b(?:with|and)\s+)?(?:\b(?:the|a)\s+)?",
    r"(?:\b(?:soft|hard|warm|cool|cold|golden|low|side|harsh|bright|strip|window|practical)\s+)?",
    r"\b(?:(?:key\s+)?light(?:ing)?|sun(?:light)?|lamp\s*light|window\s+light|key)\s+",
    r"(?:(?:is|should|will)\s+)?(?:(?:come|comes|coming|fall|falls|falling|shine|shines|shining)\s+)?",
    r"(?:(?:low|high|hard|soft|raking|slanting)\s+)?",
    r"(?:(?:from|on)\s+)?(?:the\s+)?(?:camera\s+|frame\s+)?(?:straight\s+|directly\s+)?",
    r"(left|right|front|behind|above|back|top|overhead)\b",
    r"|\blit\s+from\s+(?:the\s+)?(?:camera\s+)?(left|right|front|behind|above|top)\b",
    r"|\bkey\s+light\s+(left|right)\b|\b(back[\s-]?lit|rim[\s-]?lit|rim\s+light|backlight)",
    r"|\b(?:hard|soft|harsh|bright|strip|same|flat)?\s*(top|overhead)\s+(?:strip\s+|tube\s+",
    r"|fluorescent\s+|neon\s+)?(?:light|lighting|key|lights)\b",
    r"|\b(?:light|lighting|lamp|lamps|fluorescents?|tubes?)\b[^,.;]{0,25}?\b(?:straight\s+)?down\s+from",
    r"\s+(above)\b",
    r"|\bsun\b[^,.;]{0,25}?\b(behind)\s+(?:him|her|them|it|the\s+\w+)\b",
    r"|\blight\b[^,.;]{0,20}?\bfrom\s+(?:the\s+)?(?:[\w\-]+\s+){1,3}?(above|overhead)\b",
)
_UNDER_LIGHT_RE = rx(
    r"\b(?:[a-z]+\s+)?(?:light|lit|lighting|glow)\s+(?:from\s+)?(?:below|beneath|underneath)\b"
)
_HARD = {"hard", "harsh", "hard-edged", "direct", "crisp"}
_HARDNESS_RE = rx(
    r"\b(hard|harsh|hard-edged|direct|crisp|soft|diffused?|gentle)\s+(?:\w+\s+)?(?:key\s+)?",
    r"(?:light|lighting|key|sunlight|sun|lamplight)\b",
)
_KELVIN = {"warm": 3200, "golden": 3200, "amber": 3200, "tungsten": 3200, "candlelit": 2000,
           "candle": 2000, "neutral": 5600, "daylight": 5600, "cool": 7000, "cold": 7000,
           "blue": 7000, "bluish": 7000}  # fmt: skip
_WARMTH_RE = rx(
    r"\b(warm|golden|amber|tungsten|candle|neutral|cool|cold|blue|bluish)\s+(?:\w+\s+)?",
    r"(?:light|lighting|key|glow|lamplight)\b|\b(candlelit|daylight)\b(?!\s+hours)",
)
WEATHER_RE = rx(r"\b(rain|rainy|fog|foggy|mist|misty|snow|snowy|storm|stormy|overcast)\b")


_SMALL_HOURS_RE = rx(
    r"\b(?:(?:12|[1-4])(?:[.:]\d\d)?\s*(?:am\b|a\.m\.|(?:o'?clock\s+)?in\s+the\s+morning)",
    r"|(?:one|two|three|four)\s+(?:o'?clock\s+)?in\s+the\s+morning|small\s+hours",
    r"|middle\s+of\s+the\s+night|dead\s+of\s+night)",
)
"""The small hours, which are night, not morning: "3 in the morning", "2am"."""
_HOUR_RE = rx(r"\b(1[0-2]|[1-9])(?:[.:]\d\d)?\s*(am|pm|a\.m\.|p\.m\.)")


def time_in(text: str) -> TimeOfDay | None:
    """The time of day a sentence names ("at dusk", "at night", "in the morning", "3am")."""
    if (hour := _HOUR_RE.search(text)) and not _SMALL_HOURS_RE.search(text):
        h = int(hour.group(1)) % 12 + (12 if hour.group(2).lower().startswith("p") else 0)
        word = "night" if h < 5 or h >= 21 else "morning" if h < 12 else "afternoon"
        return parse_term(TimeOfDay, "evening" if 18 <= h < 21 else word)
    if _SMALL_HOURS_RE.search(text):
        return parse_term(TimeOfDay, "night")
    if not (m := _TIME_RE.search(text)):
        return None
    word = (m.group(1) or m.group(2)).lower()
    return parse_term(TimeOfDay, "noon" if word == "day" else _TIME_WORDS.get(word, word))


def camera_fields(text: str) -> tuple[dict[str, Any], str]:
    """The camera words in `text` as shot fields, and the text without them."""
    fields: dict[str, Any] = {}
    if m := _HARDNESS_RE.search(text):  # "hard light", "soft window light"
        fields["key_light_hardness"] = "hard" if m.group(1).lower() in _HARD else "soft"
    if m := _WARMTH_RE.search(text):  # "warm light" -> 3200 K, "cold light" -> 7000 K
        fields["key_light_kelvin"] = _KELVIN[(m.group(1) or m.group(2)).lower()]
    if m := _LIGHT_RE.search(text):
        word = next(g for g in m.groups() if g).lower()
        side = "back" if word.startswith(("back", "rim", "behind")) else word
        side = "top" if side in ("above", "overhead") else side
        fields["key_light_side"] = parse_term(LightSide, side)
        by = re.match(r"\s+(?:by|from)\s+(?:the\s+)?[^,.;:]{1,40}", text[m.end() :])
        fields["lighting"] = re.sub(
            r"\s+", " ", text[m.start() : m.end() + (by.end() if by else 0)]
        )
        text = cut_span(text, m.start(), m.end() + (by.end() if by else 0))
    if under := _UNDER_LIGHT_RE.search(text):  # "lamp light from below": light, not an angle
        fields["lighting"] = under.group(0).strip()
        text = cut_span(text, *under.span())
    lenses = list(_LENS_RE.finditer(text))
    if m := next((m for m in lenses if m.group(1) or m.group(2)), lenses[0] if lenses else None):
        digits, word = m.group(1) or m.group(2), m.group(3) or m.group(4)
        mm = int(digits) if digits else LENSES[re.sub(r"[^a-z]", "", word.lower())]
        if 4 <= mm <= 1200:
            fields["lens_mm"] = mm
            for lens in reversed(lenses):  # "long lens, 100mm": both words go
                text = cut_span(text, *lens.span(), greedy=False)
    if half := _HALF_RE.search(text):  # "a second and a half", "two and a half seconds"
        whole = half.group(1) or half.group(2)
        seconds = (1.0 if whole.lower() in ("a", "one") else parse_number(whole)) + 0.5
        if 0 < seconds <= 60:
            fields["duration_s"] = seconds
            text = cut_span(text, *half.span(), greedy=False)
    for m in _DURATION_RE.finditer(text if "duration_s" not in fields else ""):
        if re.fullmatch(r"[2-9]0s", m.group(0).strip()) and not re.search(
            r"\b(?:it|hold|for|to|be|at|lasting|length|shot|one)\s*$", text[: m.start()], re.I
        ):
            continue  # "Woman, 60s, navy uniform": an age, not a length
        if 0 < (seconds := parse_number(m.group(1))) <= 60:
            fields["duration_s"] = seconds
            text = cut_span(text, *m.span(), greedy=False)
            break
    else:
        if m := _LENGTH_WORD_RE.search(text):  # "shot 4 duration 3"
            fields["duration_s"] = float(m.group(1))
            text = cut_span(text, *m.span(), greedy=False)
        elif m := _FEW_SECONDS_RE.search(text):
            word = (m.group(1) or m.group(2) or "").lower()
            fields["duration_s"] = _FEW_SECONDS.get(word, 3.0)
            text = cut_span(text, *m.span(), greedy=False)
    for key, enum, table in (
        ("transition", Transition, _TRANSITIONS),
        ("depth_of_field", DepthOfField, _DOF),
        ("size", ShotSize, _SIZES),
        ("angle", Angle, _ANGLES),
    ):
        for pattern, word in table:
            if m := pattern.search(text):
                fields[key] = parse_term(enum, word)
                text = cut_span(text, *m.span())
                break
    return fields, _movement(text, fields)


def _movement(text: str, fields: dict[str, Any]) -> str:
    """Find a camera movement (the vocabulary's phrases) and its speed; return the text
    without them."""
    if (found := find_move(text)) is None:
        return text
    fields["movement"] = found.movement
    before = text[: found.start]
    pre = rx(rf"(?:\b(?:the\s+)?camera\s+)?(?:\b({_SPEED})\s+)?(?:\b(?:the\s+)?camera\s+)?$")
    pre_m = pre.search(before)
    post_m = rx(rf"\s+({_SPEED})\b").match(text[found.end :])
    inside = rx(rf"\b({_SPEED})\b").search(text[found.start : found.end])
    if (
        speed := (pre_m and pre_m.group(1))
        or (post_m and post_m.group(1))
        or (inside and inside.group(1))
    ):
        slow = re.match(r"slow|gentl|gradual|subtle", speed, re.I)
        fields["movement_speed"] = "slow" if slow else "fast"
    end = found.end + (post_m.end() if post_m else 0)
    return cut_span(text, pre_m.start() if pre_m else found.start, end)


def relative_changes(low: str, shot: Shot | None) -> dict[str, Any]:
    """ "wider"/"tighter", "longer"/"shorter" (from the shot as it is), "slower"/"faster"."""
    changes: dict[str, Any] = {}
    if m := re.search(r"\b(slower|faster|quicker)\b", low):
        changes["movement_speed"] = "slow" if m.group(1) == "slower" else "fast"
    if shot is None:
        return changes
    index = SIZE_ORDER.index(shot.size)
    if re.search(r"\b(?:wider|looser)\b", low):
        changes["size"] = SIZE_ORDER[min(index + 1, len(SIZE_ORDER) - 1)]
    elif re.search(r"\b(?:tighter|closer)\b", low):
        changes["size"] = SIZE_ORDER[max(index - 1, 0)]
    if m := re.search(r"\b(longer|shorter)\b", low):
        seconds = shot.duration_s + (2 if m.group(1) == "longer" else -1)
        changes["duration_s"] = min(60.0, max(1.0, seconds))
    return changes


def describe_changes(changes: dict[str, Any], clear: list[str]) -> str:
    """A few plain words for an update ("a close-up, from a low angle, at night")."""
    bits = []
    for key in sorted(changes, key=list(AddShot.model_fields).index):
        value = getattr(changes[key], "value", changes[key])
        if key == "size":
            bits.append(SIZE_WORDS[value])
        elif key == "angle":
            bits.append(ANGLE_WORDS[value])
        elif key == "movement":
            words = f"{changes.get('movement_speed', '')} {MOVES[Movement(value)].plain}".strip()
            bits.append(("an " if words[0] in "aeiou" else "a ") + words.replace("_", " "))
        elif key == "movement_speed" and "movement" not in changes:
            bits.append("slower" if value == "slow" else "faster")
        elif key == "characters":
            bits.append("with " + join_words(value))
        elif key in PHRASES:
            plain = key == "dialogue" or not isinstance(value, str)
            bits.append(PHRASES[key].format(value if plain else value.replace("_", " ").lower()))
    bits += ["without dialogue" if c == "dialogue" else "without anyone" for c in clear]
    return ", ".join(bits) or "changed"
