"""The guided session's answers read by rules: who, what they look like, where, what happens.

Each function reads the answer to ONE known question (the guide knows what it asked), so
it can be simple and forgiving: "my grandma Rose", "Rose, my grandmother", "a girl called
Mia and her dog Biscuit", "grandpa" are all people; "a little fishing village in Cornwall,
early in the morning" is a place with a time of day. Nothing here invents story: what the
group said becomes the shots' action, in their words; coverage (an establishing shot, a
close-up of a reaction, a closing wide) frames those words, it does not add events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storyreel.agent.offline.camera import WEATHER_RE, time_in
from storyreel.agent.offline.text import QUOTE_RE, split_sentences
from storyreel.agent.offline.words import (
    ANIMALS,
    CLOTHES,
    COMMON,
    KIN,
    NOT_NAMES,
    PEOPLE,
    PLACES,
    ROLES,
)
from storyreel.tools.story import StoryPlan
from storyreel.tools.vocabulary import TimeOfDay

_LEAD_IN = re.compile(
    r"^\s*(?:(?:well|so|ok(?:ay)?|um+|er+|hmm+|yes|yeah)\b[\s,]*)*"
    r"(?:(?:it'?s|it\s+is|this\s+is|the\s+story\s+is|our\s+story\s+is|a\s+story)\s+"
    r"(?:all\s+)?about\s+|about\s+|there\s+(?:is|are|was|were)\s+)?",
    re.I,
)
_SPLIT_PEOPLE = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|,|;|&|\s+plus\s+|\s+with\s+)\s*", re.I)
_OWNER = r"(?:my|our|his|her|their|your|a|an|the|one|two|three|some|old|young|little)"
_CALLED = re.compile(r"\b(?:called|named|whose\s+name\s+(?:is|was))\s+(.+)$", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_PRONOUN = re.compile(r"\b(?:he|she|they|him|her|them|his|their)\b", re.I)
_WEARS = re.compile(
    r"\b(?:(?:she|he|they)\s+)?(?:(?:always|usually|often)\s+)?(?:wears?|wearing|wore|dressed\s+in|has\s+on|had\s+on)\s+"
    r"(.+?)(?=(?:\s*[,.;]|\s+and\s+(?:has|is|was|had|looks?)\b|$))",
    re.I,
)
_SAY = re.compile(r"\b(?:says?|said|shouts?|whispers?|asks?|tells?|sings?|calls?|cries)\b", re.I)
_NOTHING = re.compile(
    r"^\s*(?:nothing|none|no(?:thing)?\s+(?:sound|words|lines|music)|silence|quiet|"
    r"no|nope|not\s+sure|i\s+don'?t\s+know|don'?t\s+know|dunno|pass)\W*$",
    re.I,
)
_MUSIC = re.compile(
    r"\b(music|song|songs|piano|violin|guitar|cello|orchestra|drums?|flute|harp|singing|tune|"
    r"melody|lullaby|hymn|band|choir|soundtrack|score|jazz|folk|waltz)\b",
    re.I,
)
_THEN = re.compile(
    r"^(?:(?:and\s+)?then|after\s+that|next|later|finally|in\s+the\s+end|at\s+last)"
    r"\b[\s,]*",
    re.I,
)
_NARRATOR = re.compile(r"\b(?:narrator|voice[- ]?over|someone\s+reading|a\s+voice)\b", re.I)


@dataclass(frozen=True)
class Person:
    """A person (or animal) the group named: the name that becomes the handle, and who
    they are in the group's words ("my grandmother")."""

    name: str
    description: str


@dataclass(frozen=True)
class Place:
    """Where the story happens."""

    name: str
    description: str
    time_of_day: TimeOfDay | None = None
    weather: str = ""


@dataclass(frozen=True)
class Looks:
    """What a person looks like: the body and face, and the clothes."""

    description: str
    wardrobe: str


@dataclass(frozen=True)
class Line:
    """A line someone says (speaker None: a narrator over the pictures)."""

    text: str
    speaker: str | None


@dataclass
class Sounds:
    """What the group wants to hear: spoken lines, a music mood, other sounds."""

    lines: list[Line] = field(default_factory=list)
    music: str = ""
    other: str = ""


def tidy_answer(text: str) -> str:
    """The answer without surrounding spaces, a trailing full stop or a lead-in ("well, ")."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".!").strip()


def is_nothing(text: str) -> bool:
    """ "nothing", "no", "not sure", "I don't know": no answer to use."""
    return bool(_NOTHING.match(text))


def _lower_first(text: str) -> str:
    """ "My grandmother" -> "my grandmother", "Grey hair" -> "grey hair" (not "I", "TV")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():
        return text[:1].lower() + text[1:]
    return text


def _title(word: str) -> str:
    return word[:1].upper() + word[1:]


def _is_name(word: str, capitalised_only: bool) -> bool:
    low = word.lower()
    if low in NOT_NAMES | COMMON | PEOPLE | CLOTHES | PLACES | ANIMALS | KIN | ROLES:
        return False
    if low in {"and", "or", "the", "a", "an", "my", "our", "his", "her", "their", "who", "is"}:
        return False
    return word[:1].isupper() or not capitalised_only


def _role_word(words: list[str]) -> str | None:
    """The last word naming who someone is (grandma, farmer, dog, girl), if any."""
    for word in reversed(words):
        low = word.lower().rstrip("s") if word.lower() not in KIN else word.lower()
        if word.lower() in KIN | ROLES | ANIMALS | PEOPLE or low in KIN | ROLES | ANIMALS | PEOPLE:
            return word.lower()
    return None


def read_people(answer: str, plan: StoryPlan | None = None) -> list[Person]:
    """The people an answer to "who is the story about?" names, in order.

    "my grandma Rose and her brother Tom" -> Rose (my grandma), Tom (her brother);
    "Rose, my grandmother" -> Rose (my grandmother); "Two friends, Ana and Leo" -> Ana and
    Leo (two friends); "a girl called Mia" -> Mia (a girl); "grandpa" -> Grandpa; "a fox"
    -> Fox (a fox). Known characters are matched by name.
    """
    text = _LEAD_IN.sub("", tidy_answer(answer))
    text, *relative = re.split(r"\s+(?=(?:who|which|that)\b)|[.!?]\s", text, maxsplit=1)
    text = text.strip(" ,")
    clause = relative[0].strip(" ,.") if relative and re.match(r"who\b", relative[0]) else ""
    capitalised_only = any(w[:1].isupper() for w in _WORD.findall(text)[1:])
    pieces = _SPLIT_PEOPLE.split(text)
    joins = [j.strip().lower() for j in _SPLIT_PEOPLE.findall(text)]
    parts: list[tuple[str, str, str]] = []  # (join before, name, role)
    for index, raw in enumerate(pieces):
        part = raw.strip(" ,.")
        if part:
            name, role = _name_and_role(part, capitalised_only)
            parts.append((joins[index - 1] if index else "", name, role))
    people: list[Person] = []
    group_role = ""
    for index, (join, name, role) in enumerate(parts):
        after = parts[index + 1] if index + 1 < len(parts) else None
        if not name:
            plural = bool(
                re.match(
                    r"^(?:(?:my|our|the|his|her|their)\s+)?(?:two|three|four|"
                    r"some|both)\b",
                    role,
                    re.I,
                )
            )
            if plural and after is not None and after[1]:
                group_role = role  # "two friends, Ana and Leo": the names follow
            elif after is not None and after[1] and not after[2] and after[0] == ",":
                parts[index + 1] = (after[0], after[1], role)  # "our teacher, Mr Patel"
            elif people and join == "," and people[-1].description == "a person":
                people[-1] = Person(people[-1].name, role)  # "Rose, my grandmother"
            elif (word := _role_word(_WORD.findall(role))) is not None:
                people.append(Person(_title(word), role))
            continue
        people.append(Person(name, role or group_role or "a person"))
    if clause and people:  # "my uncle who kept a lighthouse"
        people[-1] = Person(people[-1].name, f"{people[-1].description} {clause}")
    known = {c.name.lower(): c.name for c in plan.characters} if plan else {}
    seen: set[str] = set()
    found = []
    for person in people:
        name = known.get(person.name.lower(), person.name)
        if name.lower() not in seen:
            seen.add(name.lower())
            found.append(Person(name, _lower_first(person.description)))
    return found[:6]


def _name_and_role(part: str, capitalised_only: bool) -> tuple[str, str]:
    """ "my grandma Rose" -> ("Rose", "my grandma"); "a girl called Mia" -> ("Mia", "a
    girl"); "Old Tom" -> ("Old Tom", ""); "my grandpa" -> ("", "my grandpa")."""
    if called := _CALLED.search(part):
        names = [w for w in _WORD.findall(called.group(1)) if _is_name(w, False)]
        if names:
            return _title(names[0]), part[: called.start()].strip(" ,")
    words = _WORD.findall(part)
    flags = [_is_name(w, capitalised_only) for w in words]
    if not any(flags):
        return "", part
    first = flags.index(True)
    last = first
    while last + 1 < len(words) and flags[last + 1]:
        last += 1
    # a capitalised word just before the name is part of it ("Old Tom", "Uncle Joe")
    while (
        capitalised_only
        and first > 0
        and words[first - 1][:1].isupper()
        and words[first - 1].lower() not in {"my", "our", "his", "her", "their", "a", "an", "the"}
        and (first - 1 > 0 or words[first - 1].lower() not in KIN | ROLES | PEOPLE)
    ):
        first -= 1
    name = " ".join(_title(w) for w in words[first : min(last, first + 2) + 1])
    role = " ".join(words[:first] + words[last + 1 :])
    return name, role


def read_looks(answer: str) -> Looks | None:
    """What a person looks like: "grey curly hair, always wears a blue cardigan" ->
    description "grey curly hair", wardrobe "a blue cardigan"; "skinny, freckles, a red
    woolly hat" -> description "skinny, freckles", wardrobe "a red woolly hat"."""
    text = tidy_answer(answer)
    if not text or is_nothing(text):
        return None
    wardrobe = [m.group(1).strip() for m in _WEARS.finditer(text)]
    rest = _WEARS.sub(",", text)
    described = []
    for item in re.split(r"\s*(?:,|;|\.|\s+and\s+|\s+with\s+)\s*", rest):
        item = re.sub(
            r"^(?:(?:she|he|they)\s+(?:has|have|is|are|had|was|were)\s+|(?:has|had|is|was|with)\s+)",
            "",
            item.strip(),
            flags=re.I,
        ).strip()
        if not item or item.lower() in {"and", "always", "she", "he", "they"}:
            continue
        words = [w.lower() for w in _WORD.findall(item)]
        item = _lower_first(item)
        if any(w in CLOTHES or w.rstrip("s") in CLOTHES for w in words):
            wardrobe.append(item)
        else:
            described.append(item)
    return Looks(", ".join(described), ", ".join(wardrobe))


def _place_phrase(text: str) -> tuple[str, str] | None:
    """The place noun phrase ("fishing village") and its head noun, if a known place word
    is there."""
    words = _WORD.findall(text)
    for index, word in enumerate(words):
        if word.lower() not in PLACES:
            continue
        start = index
        while start > 0 and words[start - 1].lower() not in (
            {"a", "an", "the", "my", "our", "his", "her", "their", "in", "at", "on", "by"}
            | {"of", "near", "and", "it", "is", "was", "happens"}
        ):
            start -= 1
            if index - start >= 1:
                break
        return " ".join(words[start : index + 1]), word
    return None


def read_place(answer: str, plan: StoryPlan | None = None) -> Place | None:
    """Where it happens: "a little fishing village in Cornwall, early morning" -> Fishing
    village (time of day morning). A known location's name is reused."""
    text = tidy_answer(answer)
    if not text or is_nothing(text):
        return None
    text = re.sub(
        r"^\s*(?:it\s+(?:all\s+)?(?:happens|happened|takes\s+place|is\s+set)|"
        r"(?:we\s+are|we're)|(?:it's|it\s+is)|set)\s+",
        "",
        text,
        flags=re.I,
    )
    description = re.sub(r"^\s*(?:in|at|on|by|inside|near)\s+", "", text, flags=re.I)
    time = time_in(text)
    weather = m.group(1).lower() if (m := WEATHER_RE.search(text)) else ""
    if plan is not None:
        for location in plan.locations:
            if re.search(rf"\b{re.escape(location.name)}\b", text, re.I):
                return Place(location.name, description, time, weather)
    phrase = _place_phrase(description)
    if phrase is not None:
        name = _title(phrase[0].lower())
    else:
        words = [
            w
            for w in _WORD.findall(description)
            if w.lower() not in {"a", "an", "the", "my", "our", "very", "little", "big", "old"}
        ]
        if not words:
            return None
        name = _title(" ".join(words[:2]).lower())
    description = re.sub(r"^(?:a|an|the)\s+", "", description, flags=re.I)
    return Place(name, description or name.lower(), time, weather)


def read_events(answer: str, limit: int = 3) -> list[str]:
    """What happens, one sentence an event, in the group's words (at most `limit`)."""
    text = re.sub(r"\s+", " ", answer).strip()
    if not text or is_nothing(text):
        return []
    sentences = [" ".join(clauses).strip() for clauses in split_sentences(text)]
    events = [s.rstrip(".!? ").strip() for s in sentences if len(_WORD.findall(s)) >= 1]
    events = [_THEN.sub("", e) for e in events]
    events = [e[:1].upper() + e[1:] for e in events if e]
    if len(events) > limit:
        events = [*events[: limit - 1], ". ".join(events[limit - 1 :])]
    return events


def people_in(text: str, plan: StoryPlan) -> list[str]:
    """The known characters a sentence names (by name or, failing that, by their role:
    "grandma" for Rose described as "my grandma")."""
    named = [
        c.name
        for c in plan.characters
        if re.search(rf"\b{re.escape(c.name)}\b", text, re.I)
        or re.search(rf"\b{re.escape(c.handle.lstrip('@'))}\b", text, re.I)
    ]
    if named:
        return named
    words = {w.lower() for w in _WORD.findall(text)}
    by_role = [
        c.name
        for c in plan.characters
        if words & ({w.lower() for w in _WORD.findall(c.description)} & (KIN | ROLES | ANIMALS))
    ]
    return by_role


def has_pronoun(text: str) -> bool:
    """A sentence that speaks of someone already mentioned ("she", "they", "his")."""
    return bool(_PRONOUN.search(text))


def read_sounds(answer: str, plan: StoryPlan) -> Sounds:
    """What to hear: quoted lines (with their speakers), a music mood, other sounds."""
    text = re.sub(r"\s+", " ", answer).strip()
    sounds = Sounds()
    if not text or is_nothing(text):
        return sounds
    rest = text
    for match in QUOTE_RE.finditer(text):
        line = (match.group(1) or match.group(2) or "").strip()
        if not line:
            continue
        before = text[max(0, match.start() - 60) : match.start()]
        after = text[match.end() : match.end() + 40]
        speaker = _speaker(before, after, plan)
        sounds.lines.append(Line(line, speaker))
        rest = rest.replace(match.group(0), " . ")
    if not sounds.lines and (colon := re.match(r"^\s*([A-Za-z][\w' ]{0,30}):\s*(.+)$", text)):
        said = colon[1].strip().lower()
        speaker = next((c.name for c in plan.characters if c.name.lower() == said), None)
        if speaker is not None or _NARRATOR.search(said):
            sounds.lines.append(Line(colon[2].strip(), speaker))
            rest = ""
    parts = [p.strip(" ,.") for p in re.split(r"\s*(?:[.;]|,?\s+and\s+|,)\s*", rest)]
    parts = [re.sub(r"^(?:and|also|plus|with|some)\s+", "", p, flags=re.I) for p in parts]
    music = [p for p in parts if _MUSIC.search(p)]
    other = [
        p
        for p in parts
        if p
        and p not in music
        and not _SAY.search(p)
        and not _NARRATOR.search(p)
        and len(_WORD.findall(p)) >= 1
        and not is_nothing(p)
    ]
    sounds.music = ", ".join(music)
    sounds.other = ", ".join(o for o in other if o.lower() not in {"then", "also"})
    return sounds


def _speaker(before: str, after: str, plan: StoryPlan) -> str | None:
    """Who says a quoted line: a name just before or just after it; None for a narrator."""
    if _NARRATOR.search(before):
        return None
    if names := people_in(before, plan):
        return names[-1]
    if names := people_in(after, plan):
        return names[0]
    return None
