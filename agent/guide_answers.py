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
from storyreel.agent.offline.text import QUOTE_RE, SINGLE_QUOTE_RE, split_sentences
from storyreel.agent.offline.words import (
    ANIMALS,
    CLOTHES,
    COMMON,
    FEMALE,
    KIN,
    MALE,
    NOT_MEN,
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
_NAME_WORD = re.compile(r"[A-Za-z0-9][\w'\-]*")
_PRONOUN = re.compile(r"\b(?:he|she|they|him|her|them|his|their)\b", re.I)
_WEARS = re.compile(
    r"\b(?:(?:she|he|they)\s+)?(?:(?:always|usually|often)\s+)?(?:wears?|wearing|wore|dressed\s+in|has\s+on|had\s+on)\s+"
    r"(.+?)(?=(?:\s*[,.;]|\s+and\s+(?:has|is|was|had|looks?)\b|$))",
    re.I,
)
_SAY = re.compile(r"\b(?:says?|said|shouts?|whispers?|asks?|tells?|sings?|calls?|cries)\b", re.I)
_NOTHING = re.compile(
    r"^\s*(?:(?:um+|er+|hmm+|well|oh|erm)[\s,]+)?"
    r"(?:nothing(?:\s+really|\s+special|\s+at\s+all)?|none|no(?:thing)?\s+(?:sound|words|lines|"
    r"music)|silence|quiet|no|nope|not\s+sure|not\s+really|i\s+don'?t\s+know|don'?t\s+know|"
    r"i\s+do\s+not\s+know|dunno|no\s+idea|pass|i'?m\s+not\s+sure|can'?t\s+remember)"
    r"(?:[\s,]+(?:sorry|really|thanks))?\W*$",
    re.I,
)
_MUSIC = re.compile(
    r"\b(music|song|songs|piano|violin|guitar|cello|orchestra|drums?|flute|harp|singing|tune|"
    r"melody|lullaby|hymn|band|choir|soundtrack|score|jazz|folk|waltz|beats?|drill|hip[\s-]?hop|"
    r"rap|highlife|afrobeats?|reggae|rock|pop|classical|techno|disco|bagpipes?|ukulele|banjo|"
    r"accordion|trumpet|saxophone|sax|synths?|fiddle|strings|bells|music[\s-]box|opera|"
    r"shamisen|sitar|koto|tabla|oud|bouzouki|samba|salsa|tango|lofi|lo-fi)\b",
    re.I,
)
_THEN = re.compile(
    r"^(?:(?:and\s+)?then|after\s+that|next|later|finally|in\s+the\s+end|at\s+last)"
    r"\b[\s,]*",
    re.I,
)
_NARRATOR = re.compile(
    r"\b(?:narrator|narrating|voice[- ]?over|someone\s+(?:reading|telling)|a\s+voice|"
    r"storyteller|story\s*teller)\b",
    re.I,
)


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
    if first in {"A", "An"} or (len(first) > 1 and first[1:].islower()):
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


_NOT_PEOPLE = frozenset(
    [
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "nobody",
        "anyone",
        "them",
        "both",
        "they",
        "we",
        "us",
        "it",
        "its",
        "me",
        "i",
        "you",
        "your",
        "our",
        "he",
        "she",
        "his",
        "her",
        "their",
        "just",
        "only",
        "really",
        "so",
        "um",
        "like",
        "also",
        "then",
        "there",
        "here",
        "this",
        "that",
        "christmas",
        "easter",
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "spring",
        "summer",
        "autumn",
        "winter",
        "once",
        "time",
        "story",
        "film",
        "group",
        "class",
        "family",
    ]
) - {"may", "june", "april", "august"}
"""Capitalised words that are not people ("Everyone", "Christmas"); month names that are
also first names are left to their place in the sentence."""
_RELATIONS = frozenset(
    [
        "friend",
        "friends",
        "mate",
        "mates",
        "buddy",
        "pal",
        "bestie",
        "neighbour",
        "neighbor",
        "classmate",
        "pet",
        "robot",
        "apprentice",
        "assistant",
        "companion",
        "sidekick",
        "cat",
        "dog",
        "partner",
        "wife",
        "husband",
        "goldfish",
        "fish",
        "bunny",
        "hamster",
        "tortoise",
        "parrot",
        "horse",
        "pony",
        "helper",
        "freind",
        "frend",
        "bff",
        "bestie",
    ]
)
_NAME_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "dame",
        "lady",
        "lord",
        "uncle",
        "aunt",
        "auntie",
        "aunty",
        "grandma",
        "grandpa",
        "granny",
        "gran",
        "nana",
        "nan",
        "granddad",
        "grandad",
        "captain",
        "commander",
        "professor",
        "prof",
        "doctor",
        "old",
        "little",
        "big",
        "young",
        "saint",
        "st",
        "king",
        "queen",
        "prince",
        "princess",
        "baby",
    ]
)
"""Words that may stand before a name as part of it ("Mrs Okafor", "Uncle Ray", "Old Tom")."""
_CLAUSE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|am|do|does|did|lives?|lived|works?|worked|"
    r"passed|died|knew|know|knows|loves?|loved|goes|went|comes?|came|tells?|told|voted|"
    r"decided|wants?|wanted|likes?|liked|calls?|called|matters?)\b|\b\w+n't\b",
    re.I,
)
_NAME_IS = re.compile(
    r"\bmy\s+name(?:'s|\s+is|\s+was)\s+([A-Za-z][\w'\-]*)"
    r"|\b(?:me|myself),?\s+(?:i'?m|i\s+am)\s+([A-Z][\w'\-]*)"
    r"|(?:^|[.!?]\s*|\bme\W+)i\s+am\s+(?-i:((?:[A-Z][\w'\-]*\s?){1,3}))"
    r"|\bcall\s+me\s+([A-Z][\w'\-]*)",
    re.I,
)
_REL_START = re.compile(r"^(?:who|which|whom|that)(?:'s|\b)\s*(?:(?:is|was|are|were)\s+)?", re.I)
_ASIDE = re.compile(
    r"\s+(?:she|he|they|i|we)\s+(?:has|have|had|is|was|are|were|'s|'ve)\b[^,;]*", re.I
)
_ABOUT = re.compile(r"\bab(?:ou|o|ut|uot)t?\s+", re.I)
""""about", as typed in a hurry (abot, abut)."""
_FILLER = re.compile(
    r"^(?:(?:and|also|plus|just|only|then|with|too|oh|lol|like|um+|so)\b\s*)+", re.I
)


def read_people(answer: str, plan: StoryPlan | None = None) -> list[Person]:
    """The people an answer to "who is the story about?" names, in order.

    "my grandma Rose and her brother Tom" -> Rose (my grandma), Tom (her brother);
    "Rose, my grandmother" -> Rose (my grandmother); "Two friends, Ana and Leo" -> Ana and
    Leo (two friends); "a girl called Mia" -> Mia (a girl); "grandpa" -> Grandpa; "a fox"
    -> Fox (a fox); "my Uncle Ray, who drove a bus" -> Uncle Ray (my uncle, drove a bus);
    "me and my mate jay, my name is Kai" -> Kai (the narrator), Jay (my mate). A lead-in
    ("ok so this is a story we tell every Christmas. It's about ...") is skipped: the
    people come from where the answer says "about". Known characters keep their names.
    """
    text = re.sub(r"\s*\([^)]*\)", "", re.sub(r"\s+", " ", answer)).strip()
    text = re.sub(r"\s+[-\u2013\u2014]+\s+[^-\u2013\u2014]*?\s+[-\u2013\u2014]+\s+", " ", text)
    capitalised_only = any(w[:1].isupper() for w in _NAME_WORD.findall(text)[1:])
    narrator = ""
    if named := _NAME_IS.search(text):
        narrator = " ".join(_title(w) for w in next(g for g in named.groups() if g).split())
        keep = "me, " if named.group(0).lower().startswith("me") else ""
        text = (text[: named.start()] + keep + text[named.end() :]).strip()
    sentences = [x for x in re.split(r"(?<=[.!?])\s+|\s*[.!?]+\s*$", text) if x.strip()]
    about = next((i for i, x in enumerate(sentences) if _ABOUT.search(x)), 0)
    people: list[Person] = []
    group_role = ""
    for index, sentence in enumerate(sentences[about:]):
        if index == 0 and (cut := _ABOUT.search(sentence)):
            sentence = sentence[cut.end() :]
        sentence = _LEAD_IN.sub("", sentence.strip().rstrip(".!?"))
        if ":" in sentence:  # "Three sisters: Elizabeth, Margaret and the baby, Rosie"
            head, sentence = sentence.split(":", 1)
            group_role = head.strip()
        found, group_role = _people_of(_ASIDE.sub("", sentence), capitalised_only, group_role)
        if re.search(r"\b(?:little|small|young|child|kid|boy|girl|baby)\b", sentence, re.I):
            found = [
                Person(p.name, "the narrator as a child") if p.description == "the narrator" else p
                for p in found
            ]
        later = index > 0 and bool(people)
        if later and not _names_people(sentence, capitalised_only):
            continue
        if people and not found:
            continue
        people.extend(found)
    for index, person in enumerate(people[:-1]):  # "just me. kenzie.": the name is mine
        if person.name == "Me" and people[index + 1].description == "a person":
            people[index + 1] = Person(people[index + 1].name, person.description)
            people[index] = Person("Me", "")
    if narrator:
        me = next((i for i, p in enumerate(people) if p.name == "Me"), None)
        if me is not None:
            people[me] = Person(narrator, people[me].description)
        elif not any(p.name == narrator for p in people):
            people.append(Person(narrator, "the narrator"))
    people = [p for p in people if p.name != "Me"]
    known = {c.name.lower(): c.name for c in plan.characters} if plan else {}
    seen: set[str] = set()
    result = []
    for person in people:
        name = known.get(person.name.lower(), person.name)
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(Person(name, _lower_first(person.description.strip(" ,"))))
    return result[:6]


def _names_people(sentence: str, capitalised_only: bool) -> bool:
    """A sentence after the first one still names people ("Ana and Leo.", "And his dog,
    Rex."), not a remark ("Doesn't matter.", "They are students in Japan.")."""
    words = _NAME_WORD.findall(sentence)
    if _CALLED.search(sentence) or any(w.lower() in KIN | _RELATIONS for w in words):
        return True
    if _CLAUSE_VERB.search(sentence):
        return False
    if not capitalised_only:
        return 0 < len(words) <= 2 and all(w.lower() not in _NOT_PEOPLE for w in words)
    return any(w[:1].isupper() and w.lower() not in _NOT_PEOPLE for w in words[1:]) or (
        len(words) <= 3 and bool(words) and words[0].lower() not in _NOT_PEOPLE
    )


def _people_of(sentence: str, capitalised_only: bool, group_role: str) -> tuple[list[Person], str]:
    """The people of one sentence (parts split at commas and "and"), and the group role
    that carries to the next sentence ("Two friends. Ana and Leo.")."""
    sentence = re.sub(
        r",?\s+(?:his|her|their|its)\s+name(?:'s|\s+is|\s+was)\s+", " called ", sentence, flags=re.I
    )  # "a man, his name is Mr Kim"
    sentence = re.sub(
        r"\b((?:my|our|his|her|their)\s+[a-z][\w\s]{0,30}?)\s+(?:is|was)\s+(?:called\s+)?(?=[A-Z])",
        r"\1 ",
        sentence,
    )  # "my baby sister is Tiny Blast"
    sentence = re.sub(r",?\s+(?=(?:who|whom|which)\b)", ", ", sentence, flags=re.I)
    # "my brother kev and his mate sanjay they run a chip shop": the clause is not a person
    sentence = re.split(r"\s+(?=(?:they|he|she|we)\s+[^,]*$)", sentence, maxsplit=1, flags=re.I)[0]
    pieces = _SPLIT_PEOPLE.split(sentence)
    joins = [j.strip().lower() for j in _SPLIT_PEOPLE.findall(sentence)]
    parts: list[tuple[str, str, str, str]] = []  # (join before, name, role, raw)
    for index, raw in enumerate(pieces):
        part = _FILLER.sub("", raw.strip(" ,.")).strip()
        if not part:
            continue
        join = joins[index - 1] if index else ""
        if _REL_START.match(part) or (
            _CLAUSE_VERB.search(part) and not _CALLED.search(part) and part.lower() != "me"
        ):
            parts.append((join, "", "", part))  # a clause about the one before
            continue
        if re.match(r"^(?:me|myself|i)\b", part, re.I):
            parts.append((join, "Me", "the narrator", part))
            continue
        if re.match(r"^(?:from|in|at|on|to|near|by|of|for|since)\b", part, re.I):
            continue  # "from Ireland": where, not who
        name, role = _name_and_role(part, capitalised_only)
        parts.append((join, name, role, part))
    people: list[Person] = []
    carried = group_role
    for index, (join, name, role, raw) in enumerate(parts):
        after = parts[index + 1] if index + 1 < len(parts) else None
        if after is not None and not name and role and _REL_START.match(after[3]):
            following = parts[index + 2] if index + 2 < len(parts) else None
            if following is not None and following[1] and not following[2]:
                parts[index + 2] = (*following[:2], role, following[3])  # "a cat burglar,
                continue  # who is an actual cat, Baron Whiskers": the role is Baron's
        if not name and not role:  # "who was a bus driver": said of the one before
            if people and _REL_START.match(raw):
                extra = _REL_START.sub("", raw).strip()
                people[-1] = Person(people[-1].name, f"{people[-1].description}, {extra}")
            continue
        if re.match(r"^(?:called|named)\b", raw, re.I) and people:
            continue  # handled with the role before it
        if not name:
            if after is not None and re.match(r"^(?:called|named)\b", after[3], re.I):
                called = _called_name(after[3], capitalised_only)
                if called:
                    people.append(Person(called, role))
                continue
            plural = bool(
                re.match(
                    r"^(?:(?:my|our|the|his|her|their)\s+)?(?:two|three|four|five|some|"
                    r"both)\b",
                    role,
                    re.I,
                )
            )
            if plural:
                carried = role  # "two friends, Ana and Leo": the names follow
                continue
            if after is not None and not after[1] and after[2] and after[0] == "and":
                carried = f"{role} and {after[2]}"  # "the bride and groom, Priya and Daniel"
                parts[index + 1] = (after[0], "", "", "")
                continue
            if after is not None and after[1] and after[0] == ",":
                both = f"{role}, {after[2]}" if after[2] else role
                parts[index + 1] = (after[0], after[1], both, after[3])  # "our teacher, Mr Patel"
                continue
            if people and join == "," and people[-1].description in ("a person", carried):
                people[-1] = Person(people[-1].name, role)  # "Rose, my grandmother"
                continue
            if (word := _role_word(_NAME_WORD.findall(role))) is not None:
                people.append(Person(_title(word), role))
            continue
        if people and people[-1].name == "Me" and join == "," and not role:
            people[-1] = Person(name, "the narrator")  # "me, Sam, and my buddy Leo"
            continue
        if people and people[-1].name == "Me" and join == "," and name.split()[0].lower() in KIN:
            people[-1] = Person(name, f"{role}, the narrator")  # "Me, Grandpa Bill, and ..."
            continue
        role = "" if role.lower() in ("the", "a", "an", "my", "our") else role
        people.append(Person(name, role or carried or "a person"))
    return people, carried


def _called_name(part: str, capitalised_only: bool) -> str:
    """The name after "called" / "named": a run of capitalised words ("Mrs Hoot", "Agnes
    Muir", "B-12"), or the next word when the answer is typed in lowercase."""
    match = _CALLED.search(part)
    if match is None:
        return ""
    words = _NAME_WORD.findall(match.group(1))
    if not words or words[0].lower() in _NOT_PEOPLE | {"him", "that", "this", "something"}:
        return ""
    if capitalised_only:
        run = []
        for word in words:
            if not (word[:1].isupper() or word[:1].isdigit()) or len(run) == 3:
                break
            run.append(word)
        return " ".join(run) or _title(words[0])
    if words[0].lower() in _NAME_TITLES and len(words) > 1:
        return f"{_title(words[0])} {_title(words[1])}"
    return _title(words[0])


def _name_and_role(part: str, capitalised_only: bool) -> tuple[str, str]:
    """ "my grandma Rose" -> ("Rose", "my grandma"); "a girl called Mia" -> ("Mia", "a
    girl"); "Old Tom" -> ("Old Tom", ""); "my Uncle Ray" -> ("Uncle Ray", "my uncle");
    "zaras best friend amir" -> ("Amir", "zaras best friend"); "my grandpa" -> ("", "my
    grandpa")."""
    if _CALLED.search(part):
        name = _called_name(part, capitalised_only)
        role = part[: _CALLED.search(part).start()].strip(" ,")  # type: ignore[union-attr]
        role = re.sub(r"^.*?\b(?=(?:a|an|the|my|our|his|her|their)\b)", "", role, count=1)
        if name:
            return name, role
    words = _NAME_WORD.findall(part)
    if not words:
        return "", part
    if capitalised_only:
        flags = [
            w[:1].isupper() and w.lower() not in _NOT_PEOPLE and _is_name(w, True) for w in words
        ]
        flags = [
            flag or (w[:1].isdigit() and index > 0 and flags[index - 1])
            for index, (w, flag) in enumerate(zip(words, flags, strict=True))
        ]
        if not any(flags):
            return "", part
        first = flags.index(True)
        last = first
        while (
            last + 1 < len(words)
            and (flags[last + 1] or words[last + 1][:1].isupper())
            and words[last + 1].lower() not in _NOT_PEOPLE
            and last - first < 2
        ):
            last += 1  # "Tiny Blast", "the Grey Lady"
        while (
            first > 0
            and words[first - 1][:1].isupper()
            and (words[first - 1].lower() in _NAME_TITLES or words[first - 1].lower() in KIN)
        ):
            first -= 1  # "Mrs Okafor", "Uncle Ray", "Old Tom"
        name = " ".join(words[first : last + 1])
        kin = [w.lower() for w in words[first:last] if w.lower() in KIN | ROLES]
        role = " ".join(words[:first] + kin + words[last + 1 :])
        return name, role
    lowered = [w.lower() for w in words]
    titled = lowered[0] in _NAME_TITLES - {"old", "little", "big", "young", "baby"}
    if (
        titled
        and len(words) > 1
        and (
            lowered[0] in {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lady", "lord"}
            or lowered[1] not in KIN | ROLES | ANIMALS | PEOPLE | _RELATIONS
        )
    ):  # "mr patel our teacher", "uncle ray"
        return f"{_title(words[0])} {_title(words[1])}", " ".join(words[2:])
    polite = {"mr", "mrs", "ms", "miss", "dr"}
    at = next((i for i, w in enumerate(lowered[:-1]) if w in polite), None)
    if at is not None:  # "the class chose mrs jones our head teacher"
        after = " ".join(words[at + 2 :])
        return f"{_title(words[at])} {_title(words[at + 1])}", after or " ".join(words[:at])
    heads = [
        i
        for i, w in enumerate(lowered)
        if w in KIN | ROLES | ANIMALS | PEOPLE | _RELATIONS or w.rstrip("s") in _RELATIONS
    ]
    if heads and heads[-1] + 1 < len(words):
        rest = [w for w in words[heads[-1] + 1 :] if _is_name(w, False)]
        if rest and len(rest) <= 2:  # "my mate jay", "the class hamster nibbles"
            return _title(rest[0]), " ".join(words[: heads[-1] + 1])
    if heads:
        return "", part
    names = [w for w in words if _is_name(w, False) and w.lower() not in _NOT_PEOPLE]
    if any(w in _NOT_PEOPLE for w in lowered) or any(w.isdigit() for w in lowered):
        return "", part
    if names and len(words) <= 2:
        return " ".join(_title(w) for w in names), ""
    return "", part


_MORE_CLOTHES = frozenset(
    [
        "neckerchief",
        "lycra",
        "gear",
        "frock",
        "pinny",
        "tights",
        "stockings",
        "wellies",
        "kilt",
        "tabard",
        "sash",
        "badge",
        "badges",
        "crown",
        "tiara",
        "wig",
        "cape",
        "onesie",
        "dungarees",
        "pyjama",
        "nightie",
        "nightdress",
        "pullover",
        "windcheater",
        "bodywarmer",
        "plaits",
        "bow",
        "ribbon",
    ]
)
"""Clothes and things worn, besides the director's words (plaits and bows are worn too)."""


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
        if any(w in CLOTHES | _MORE_CLOTHES or w.rstrip("s") in CLOTHES for w in words):
            wardrobe.append(item)
        else:
            described.append(item)
    return Looks(", ".join(described), ", ".join(wardrobe))


_MORE_PLACES = frozenset(
    [
        "skatepark",
        "playground",
        "park",
        "stop",
        "bazaar",
        "market",
        "village",
        "town",
        "city",
        "castle",
        "palace",
        "cave",
        "island",
        "jungle",
        "forest",
        "woods",
        "wood",
        "planet",
        "moon",
        "spaceship",
        "ship",
        "bakery",
        "workshop",
        "mill",
        "pond",
        "lake",
        "mountain",
        "valley",
        "desert",
        "meadow",
        "field",
        "hill",
        "hills",
        "zoo",
        "circus",
        "fair",
        "funfair",
        "stadium",
        "pitch",
        "gym",
        "pool",
        "swimming-pool",
        "canteen",
        "kitchen",
        "bedroom",
        "classroom",
        "hall",
        "ballroom",
        "attic",
        "den",
        "treehouse",
        "tent",
        "camp",
        "campsite",
        "orchard",
        "vineyard",
        "greenhouse",
        "allotment",
        "shed",
        "lighthouse",
        "harbour",
        "pier",
        "beach",
        "shop",
        "cafe",
        "restaurant",
        "temple",
        "mosque",
        "church",
        "school",
        "hospital",
        "station",
    ]
)
"""Place nouns the group may use, besides the director's."""


def _place_phrase(text: str) -> tuple[str, str] | None:
    """The place noun phrase ("fishing village") and its head noun, if a known place word
    is there."""
    words = _WORD.findall(text)
    for index, word in enumerate(words):
        if (
            word.lower() not in PLACES | _MORE_PLACES
            and word.lower()[:-1] not in PLACES | _MORE_PLACES
        ):
            continue
        while index + 1 < len(words) and words[index + 1].lower() in PLACES | _MORE_PLACES:
            index += 1  # "bus stop", "tree house"
            word = words[index]
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
    time = _everyday_time(text) or time_in(text)
    weather = m.group(1).lower() if (m := WEATHER_RE.search(text)) else ""
    if plan is not None:
        for location in plan.locations:
            if re.search(rf"\b{re.escape(location.name)}\b", text, re.I):
                return Place(location.name, description, time, weather)
    proper = re.match(r"^(?:the\s+)?((?:[A-Z][\w'\-]*\s?){1,3})(?=[,.;]|$)", description)
    phrase = _place_phrase(description)
    if proper is not None and proper.group(1).split()[0].lower() not in COMMON | {"a", "an", "my"}:
        name = proper.group(1).strip()
    elif (
        named := re.search(
            r"\b(?:the\s+)?((?:[A-Z][\w'\-]*\s){0,2}[A-Z][\w'\-]*)\b", description[1:]
        )
    ) and _place_phrase(named.group(1)):
        name = named.group(1)  # "Deep in the Whispering Wood"
    elif phrase is not None:
        name = _title(phrase[0].lower())
    else:
        head = re.split(
            r"\s+(?:in|on|at|of|by|near|under|over|above|below|behind|beside|with|where|that|"
            r"which|made|called|full|floating|built|when|and)\b|[,;.]",
            description,
            maxsplit=1,
        )[0]
        words = [
            w
            for w in _WORD.findall(head)
            if w.lower() not in {"a", "an", "the", "my", "our", "very", "little", "big", "old"}
        ]
        if not words:
            return None
        name = _title(" ".join(words[-2:]).lower())
    description = re.sub(r"^(?:a|an|the)\s+", "", description, flags=re.I)
    return Place(name, description or name.lower(), time, weather)


_EVERYDAY_TIMES = (  # after the clock and "afternoon"
    (
        r"\b(?:nite|nighttime|bedtime|bed\s+time|midnight|late\s+at\s+night|in\s+the\s+dark)\b",
        "night",
    ),
    (r"\b(?:sunset|sundown|the\s+sun\s+(?:goes|is\s+going)\s+(?:down|orange))\b", "golden_hour"),
    (r"\b(?:after\s+school|after\s+lunch|late\s+afternoon|teatime|tea\s+time)\b", "afternoon"),
    (r"\b(?:sunrise|daybreak|first\s+light|crack\s+of\s+dawn|early\s+morning)\b", "dawn"),
    (r"\b(?:breakfast(?:\s+time)?|before\s+school)\b", "morning"),
    (r"\b(?:lunch(?:\s*time)?|midday)\b", "noon"),
    (r"\b(?:evening|twilight)\b", "dusk"),
)


def _hour_time(hour: int) -> TimeOfDay:
    """The time of day of an hour on the clock (0-23)."""
    for until, value in (
        (5, "night"),
        (8, "dawn"),
        (12, "morning"),
        (13, "noon"),
        (17, "afternoon"),
        (19, "golden_hour"),
        (21, "dusk"),
        (24, "night"),
    ):
        if hour < until:
            return TimeOfDay(value)
    return TimeOfDay.NIGHT


def _everyday_time(text: str) -> TimeOfDay | None:
    """The time of day in everyday words ("at nite", "bedtime", "after school", "when the
    sun goes orange", "2am"), before the director's own words are tried."""
    if clock := re.search(r"\b(\d{1,2})(?::\d\d)?\s*(am|pm|a\.m\.|p\.m\.)", text, re.I):
        hour = int(clock.group(1)) % 12 + (12 if clock.group(2).lower().startswith("p") else 0)
        return _hour_time(hour)
    if said := re.search(
        r"\b(\d{1,2})\s+(?:o'?clock\s+)?in\s+the\s+(morning|afternoon|evening|night)", text, re.I
    ):
        hour = int(said.group(1)) % 12 + (0 if said.group(2).lower() == "morning" else 12)
        hour = hour % 24 if said.group(2).lower() != "night" or hour > 16 else hour - 12
        return _hour_time(hour)
    if re.search(
        r"\bstreet\s*lights?\s+(?:come|came|go|went|are)\s+on\b|\bafter\s+tea\b", text, re.I
    ):
        return TimeOfDay.DUSK
    if re.search(r"\bafternoon\b", text, re.I):
        return TimeOfDay.AFTERNOON
    for pattern, value in _EVERYDAY_TIMES:
        if re.search(pattern, text, re.I):
            return TimeOfDay(value)
    return None


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
    """The known characters a sentence names, in story order: by name, by a part of it
    ("Benedikt" for Old Benedikt, "Ray" for Uncle Ray), or failing that by who they are
    ("grandma" for Rose, described as "my grandma")."""
    low = text.lower()

    def named(name: str) -> bool:
        if re.search(rf"\b{re.escape(name.lower())}(?:'s|s')?\b", low):
            return True
        tokens = [t for t in _NAME_WORD.findall(name) if t.lower() not in _NAME_TITLES]
        tokens = [t for t in tokens if len(t) > 2 and t.lower() not in COMMON]
        return any(re.search(rf"\b{re.escape(t.lower())}(?:'s|s')?\b", low) for t in tokens)

    found = [c.name for c in plan.characters if named(c.name)]
    if found:
        return found
    words = {w.lower() for w in _WORD.findall(text)}
    return [
        c.name
        for c in plan.characters
        if words & ({w.lower() for w in _WORD.findall(c.description)} & (KIN | ROLES | ANIMALS))
    ]


_EVERYONE = re.compile(
    r"\b(?:we|us|our|they|them|their|both|together|everyone|everybody|all\s+of\s+(?:us|them)|"
    r"the\s+(?:two|three|four|five)\s+of\s+(?:us|them))\b",
    re.I,
)
_ME = re.compile(r"\b(?:i|me|my|i'm|i'd|myself|we|us|our)\b", re.I)


def wears(text: str) -> bool:
    """A sentence about clothes ("a red hat", "her coat should be green")."""
    words = [w.lower() for w in _WORD.findall(text)]
    return any(w in CLOTHES | _MORE_CLOTHES or w.rstrip("s") in CLOTHES for w in words)


def gender_of(plan: StoryPlan, name: str) -> str | None:
    """ "f", "m" or None for a character, from the words of its name and description
    ("my grandmother", "Mrs Okafor", "a boy", "her dog" says nothing of the dog)."""
    character = plan.find_character(name)
    if character is None:
        return None
    words = [w.lower() for w in _WORD.findall(f"{character.name} {character.description}")]
    for word in words:
        if word in {"mrs", "ms", "miss", "lady", "sister", "nan", "nanny"} or word in FEMALE:
            return "f"
        if word in {"mr", "sir", "lord", "brother"} or (word in MALE and word not in NOT_MEN):
            return "m"
    return None


def everyone_in(text: str) -> bool:
    """A sentence about the whole group ("they hug", "we sneak out", "all of them")."""
    return bool(_EVERYONE.search(text))


def narrator_in(text: str) -> bool:
    """A sentence the narrator is in ("I get lost", "we skate", "grandma holds my hand")."""
    return bool(_ME.search(text))


def has_pronoun(text: str) -> bool:
    """A sentence that speaks of someone already mentioned ("she", "they", "his")."""
    return bool(_PRONOUN.search(text))


def read_sounds(answer: str, plan: StoryPlan) -> Sounds:
    """What to hear: lines in double or single quotes or after "Name:" (with their
    speakers; "Narrator:" or no one named is a narrator), a music mood, other sounds."""
    text = re.sub(r"\s+", " ", answer).strip()
    sounds = Sounds()
    if not text or is_nothing(text):
        return sounds
    rest = text
    quoted = [*QUOTE_RE.finditer(text), *SINGLE_QUOTE_RE.finditer(text)]
    for match in sorted(quoted, key=lambda m: m.start()):
        line = next((g for g in match.groups() if g), "").strip()
        if not line or match.group(0) not in rest:
            continue
        before = text[max(0, match.start() - 60) : match.start()]
        after = text[match.end() : match.end() + 40]
        if re.search(r"\b(?:song|tune|called|titled|playing|sings?|singing)\W*$", before, re.I):
            continue  # 'Be My Baby': the name of a song, not a line
        sounds.lines.append(Line(line, _speaker(before, after, plan)))
        rest = rest.replace(match.group(0), " . ", 1)
    rest = _labelled_lines(rest, plan, sounds)  # "Kettle: ..." beside quoted lines
    parts = [p.strip(" ,.'\"") for p in re.split(r"\s*(?:[.;!?]|,?\s+and\s+|,)\s*", rest)]
    parts = [
        re.sub(r"^(?:and|also|plus|with|some|a\s+bit\s+of)\s+", "", p, flags=re.I) for p in parts
    ]
    music = [p for p in parts if _MUSIC.search(p)]
    other = [
        p
        for p in parts
        if p
        and p not in music
        and not _SAY.search(p)
        and not _NARRATOR.search(p)
        and not re.search(r"\b(?:perfect|nice|good|great|would\s+be|please|lovely)\b", p, re.I)
        and len(_WORD.findall(p)) >= 1
        and not is_nothing(p)
    ]
    music = [
        re.sub(
            r"\s+(?:would\s+be\s+\w+|please|maybe|too|is\s+good)$",
            "",
            re.sub(r"^(?:like|some|a\s+little|a|an|maybe|lots\s+of)\s+", "", m, flags=re.I),
            flags=re.I,
        )
        for m in music
    ]
    sounds.music = ", ".join(music)
    sounds.other = ", ".join(o for o in other if o.lower() not in {"then", "also"})
    return sounds


_LABEL = re.compile(
    r"(?:^|(?<=[.!?])\s+|\s+(?=[A-Z][\w\-]*:))([A-Za-z][\w'\-]*(?:\s[A-Z][\w'\-]*)?)\s*:\s*"
)


def _labelled_lines(text: str, plan: StoryPlan, sounds: Sounds) -> str:
    """ "Jay: let's go! And some drill beats." / "Narrator: Once upon a time...": each
    label that is a character (or the narrator) starts a line, which runs to the next label
    or to a sentence about music; the rest (the music) is returned."""
    labels = [
        m
        for m in _LABEL.finditer(text)
        if _NARRATOR.search(m.group(1)) or people_in(m.group(1), plan)
    ]
    if not labels:
        return text
    rest = text[: labels[0].start()]
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        said = text[label.end() : end].strip()
        tail = re.search(
            r"(?:[.!?]\s+(?=(?:then|and|also|plus|with|some|music|sounds?|in\s+the\s+back)\b)"
            r"|\s+and\s+(?=(?:some|a|an|the)?\s*\w*\s*" + _MUSIC.pattern[2:-2] + r"))",
            said,
            re.I,
        )
        if tail is not None:
            rest += " . " + said[tail.end() :]
            said = said[: tail.start() + (1 if said[tail.start()] in ".!?" else 0)]
        speaker = None if _NARRATOR.search(label.group(1)) else people_in(label.group(1), plan)[0]
        sounds.lines.append(Line(said.strip(), speaker))
    return rest


def _speaker(before: str, after: str, plan: StoryPlan) -> str | None:
    """Who says a quoted line: a name just before or just after it; None for a narrator."""
    if _NARRATOR.search(before):
        return None
    if re.search(
        r"\bi\s+(?:say|said|shout|shouted|yell|yelled|whisper|whispered|go)\W*$", before, re.I
    ):
        me = [c.name for c in plan.characters if "the narrator" in c.description]
        return me[0] if me else None  # "i say 'Zoom time!'": the narrator, as a character
    if names := people_in(before, plan):
        return names[-1]
    if names := people_in(after, plan):
        return names[0]
    return None
