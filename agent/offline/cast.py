"""People: introductions, names, pronouns, wardrobe; whom a pronoun means."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.agent.offline.places import PLACE_IS_RE
from storyreel.agent.offline.text import QUOTE_MARK, rx
from storyreel.agent.offline.words import (
    ANSWER_WORDS,
    CLOTHES,
    COMMON,
    FEMALE,
    GENDER_OF,
    MALE,
    NOT_MEN,
    PEOPLE,
    PLACES,
)
from storyreel.tools.edits import (
    AddCharacter,
    AskPerson,
    UpdateCharacter,
    UpdateLocation,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import check_name, handle_of

_PRONOUN_RE = rx(r"\b(she|her|hers|herself|he|him|his|himself|they|them|their|themselves)\b")
_NAME = r"(?-i:([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+)?))"
_LEAD = r"^\s*(?:(?:and|then|now|so)\s+)?"
_MEET_RE = rx(
    r"^\s*(?:meet|introducing|this\s+is|here'?s|say\s+hello\s+to|we\s+meet)\s+",
    _NAME,
    r"\s*(?::|,|-|\u2013|\u2014|\bwho\s+is\b|\bwho's\b)\s*(.+)$",
)
_IS_RE = rx(_LEAD, _NAME, r"\s+(?:is|was)\s+(an?\s+.+|in\s+(?:her|his|their)\s+\w+ies\b.*)$")
_WEARS_RE = rx(
    _LEAD,
    _NAME,
    r"\s+(?:now\s+)?(?:wears|is\s+wearing|is\s+dressed\s+in|changes\s+into",
    r"|has\s+changed\s+into|puts\s+on)\s+(.+)$",
)
_CALLED_RE = rx(r"\b(an?\s+(?:[a-z][a-z'\-]*\s+){0,5}?)(?:named|called)\s+", _NAME, r"\b")
_APPOSITIVE_RE = rx(r"\b", _NAME, r",\s+((?:an?|the)\s+[^,;]+?)(?=\s*(?:,|;|$))")
_WARDROBE_RE = rx(
    r"(?:,\s*)?\b(wearing|dressed\s+in|clad\s+in|in(?!\s+(?:her|his|their)\s+\w+ies\b))",
    r"\s+(.+?)",
    r"(?=\s*(?:,|;|$)|\s+(?:with|who|in)\b)",
)


def _gender(text: str) -> str | None:
    """ "f", "m" or None, from the words of a description (nouns first, then pronouns)."""
    words = re.findall(r"[a-z]+", text.lower())
    for word in words:
        if word.endswith(("woman", "women")) or word in FEMALE:
            return "f"
        if word in MALE or (re.fullmatch(r"\w+m[ae]n", word) and word not in NOT_MEN):
            return "m"
    pronouns = [GENDER_OF[w] for w in words if w in GENDER_OF]
    return pronouns[0] if pronouns else None


def _split_wardrobe(text: str) -> tuple[str, str]:
    """ "a tall woman in a red raincoat" -> ("a tall woman", "a red raincoat")."""
    pieces, description = [], text
    for m in reversed(list(_WARDROBE_RE.finditer(text))):
        words = set(re.findall(r"[a-z\-]+", m.group(2).lower()))
        if m.group(1).lower() != "in" or (words | {w.rstrip("s") for w in words}) & CLOTHES:
            pieces.insert(0, m.group(2).strip())
            description = description[: m.start()] + description[m.end() :]
    return re.sub(r"\s+", " ", description).strip(" ,;."), " and ".join(pieces)


def _clean_name(raw: str) -> str | None:
    """ "Then Mara" -> "Mara"; None when no usable name is left."""
    name = " ".join(w for w in raw.split() if w.lower() not in COMMON).strip(" '-")
    try:
        return check_name(name, "character") if name else None
    except StoryreelError:
        return None


def read_answer(text: str, choices: list[str]) -> list[str] | None:
    """Whom an answer to "who do you mean?" names; None when it is not an answer."""
    low = re.sub(r"[^\w\s'-]", " ", text.lower())
    words = low.split()
    names = {w for c in choices for w in c.lower().split()}
    if not words or any(w not in ANSWER_WORDS and w not in names for w in words):
        return None  # new direction ("Close-up of Mara"), not an answer
    if set(words) & {"both", "all", "everyone", "everybody"}:
        return list(choices)
    if set(words) & {"neither", "nobody", "none"} or "no one" in low:
        return []
    hits = [c for c in choices if re.search(rf"\b{re.escape(c.lower())}\b", low)]
    if len(hits) == 1 or (hits and " and " in low):
        return hits
    for word, index in (("first", 0), ("second", 1), ("last", -1)):
        if word in words and not hits and len(choices) > index:
            return [choices[index]]
    return None


@dataclass
class PersonInfo:
    """A character as this message sees it (the plan's, or one just added)."""

    name: str
    description: str
    wardrobe: str = ""

    @property
    def gender(self) -> str | None:
        """ "f", "m" or None, from the description and wardrobe."""
        return _gender(f"{self.description} {self.wardrobe}")


class NeedAnswer(Exception):
    """A pronoun could mean several people: stop and ask."""

    def __init__(self, pronoun: str, gender: str, choices: list[str]) -> None:
        super().__init__(pronoun)
        self.pronoun, self.gender, self.choices = pronoun, gender, choices


class CastMixin:
    """The people side of a Turn."""

    def _introductions(self, text: str) -> tuple[str, bool]:
        """Add or update the people a clause introduces; return what is left of it."""
        place = PLACE_IS_RE.match(text)
        if place and handle_of(place.group(1)) in self.places:
            known = self.places[handle_of(place.group(1))]
            description = self._restore(place.group(2)).strip(" .")
            self.edits.append(UpdateLocation(name=known.name, description=description))
            self.said.append(f"Updated the {known.name.lower()}.")
            return "", True
        for pattern in (_MEET_RE, _IS_RE, _WEARS_RE):
            if (m := pattern.match(text)) and (name := _clean_name(m.group(1))):
                said = self._restore(m.group(2)).strip(" .")
                if pattern is _WEARS_RE:
                    self._introduce(name, "", said)
                else:
                    said = re.split(r",\s*(?:who|while|as|and then|then)\b", said)[0]
                    self._introduce(name, *_split_wardrobe(said))
                return "", True
        introduced = False
        for pattern in (_CALLED_RE, _APPOSITIVE_RE):
            for m in reversed(list(pattern.finditer(text))):
                called = pattern is _CALLED_RE
                description, name = m.group(1 if called else 2), m.group(2 if called else 1)
                words = set(re.findall(r"[a-z]+", description.lower()))
                person = words & PEOPLE or any(w.endswith(("man", "woman")) for w in words)
                if (name := _clean_name(name)) and person:
                    if handle_of(name) in self.people:  # a passing description: keep the bible
                        name = self.people[handle_of(name)].name
                    else:
                        self._introduce(name, *_split_wardrobe(description.strip(" ,")))
                        introduced = True
                    text = f"{text[: m.start()]} {name}{' ' if called else ''}{text[m.end() :]}"
                    text = re.sub(rf"\b({re.escape(name)})\s*,\s*", r"\1 ", text, count=1)
        return text, introduced

    def _introduce(self, name: str, description: str, wardrobe: str) -> None:
        """AddCharacter for someone new; UpdateCharacter when someone known is described anew."""
        key = handle_of(name)
        person = self.people.get(key)
        if person is None and key in self.places:
            self.notes.append(f"{name} is already the name of a place, so I did not add a person.")
            return
        description = re.sub(r"^(A|An|The)\b", lambda m: m.group(1).lower(), description)
        if person is None:
            description = description or "a person"
            self.edits.append(AddCharacter(name=name, description=description, wardrobe=wardrobe))
            self.people[key] = PersonInfo(name, description, wardrobe)
            self.added.append(name)
        else:
            changes = {}
            if description and description.lower() not in person.description.lower():
                changes["description"] = person.description = description
            if wardrobe and wardrobe.lower() != person.wardrobe.lower():
                changes["wardrobe"] = person.wardrobe = wardrobe
            if changes:
                self.edits.append(UpdateCharacter(name=person.name, **changes))
                self.said.append(f"Updated {person.name}'s {' and '.join(changes)}.")
            name = person.name
        self._mention([name])

    def _names_in(self, text: str) -> list[str]:
        """Known people named in `text` (by name or @handle), in order of appearance."""
        found = []
        for person in self.people.values():
            flags = 0 if person.name.lower() in COMMON else re.I
            name, handle = re.escape(person.name), re.escape(handle_of(person.name))
            if m := re.search(rf"(?<![\w@])@?{name}\b|@{handle}\b", text, flags):
                found.append((m.start(), person.name))
        return [name for _, name in sorted(found)]

    def _strangers(self, body: str) -> list[str]:
        """Capitalised words that look like the names of people nobody introduced."""
        known = {
            w.lower()
            for p in [*self.people.values(), *self.places.values()]
            for w in p.name.split()
        }
        ignore = COMMON | known | PLACES | PEOPLE | CLOTHES
        first = len(body) - len(body.lstrip())
        out = []
        for m in re.finditer(r"(?<![@\w'])[A-Z][a-z]+\b", body):
            if m.group(0).lower() in ignore:
                continue
            after = re.match(r"\s+([a-z]+)", body[m.end() :])
            if m.start() == first and not (after and after.group(1).endswith("s")):
                continue
            out.append(m.group(0))
        return list(dict.fromkeys(out))

    def _mention(self, names: list[str]) -> None:
        """Remember who was just talked about (for she/he/they), most recent last."""
        if names:
            groups = self.memo.setdefault("mentions", [])
            groups.append(list(names))
            del groups[:-6]
            self.memo["last_characters"] = list(names)

    def _groups(self) -> list[list[str]]:
        """Who was talked about together, oldest first (people that still exist)."""
        groups = self.memo.get("mentions") or []
        alive = [
            [n for n in g if isinstance(n, str) and handle_of(n) in self.people]
            for g in groups
            if isinstance(g, list)
        ]
        return [g for g in alive if g]

    def _gender_of(self, name: str) -> str | None:
        """The gender the description of a known person implies."""
        return self.people[handle_of(name)].gender

    def _cast(self, text: str, names: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """Everyone in a shot: the names, plus whom each pronoun means (or NeedAnswer)."""
        cast, resolved = list(names), {}
        for m in _PRONOUN_RE.finditer(QUOTE_MARK.sub(" ", text)):
            word = m.group(1).lower()
            kind = GENDER_OF.get(word, "p")
            if kind not in resolved:
                forced = self.forced.get(kind)
                resolved[kind] = forced if forced is not None else self._resolve(word, kind, names)
                cast += [n for n in resolved[kind] if n not in cast]
        return cast, resolved

    def _resolve(self, word: str, kind: str, names: list[str]) -> list[str]:
        """Whom a pronoun means: someone named alongside, the latest who fits, or ask."""
        groups = self._groups()
        if kind == "p":  # "they": the latest group of people, else the latest person
            plural = [g for g in groups[-3:] if len(g) > 1]
            return [] if names else (plural or groups or [[]])[-1]
        if named := [n for n in names if self._gender_of(n) == kind]:
            return named
        for fits in (lambda n: self._gender_of(n) == kind, lambda n: self._gender_of(n) is None):
            for group in reversed(groups):
                if len(fit := [n for n in group if fits(n) and n not in names]) == 1:
                    return fit
                if fit:
                    raise NeedAnswer(word, kind, fit)
        fit = [p.name for p in self.people.values() if p.gender == kind and p.name not in names]
        if len(fit) > 1:
            raise NeedAnswer(word, kind, fit)
        return fit

    def _ask(self, need: NeedAnswer, clause: str, rest: list[list[str]]) -> None:
        """Ask whom a pronoun means; keep the clause and the rest of the message for later."""
        said = self._restore(clause)
        who = ", ".join(need.choices[:-1]) + " or " + need.choices[-1]
        self.question = f"Who do you mean by '{need.pronoun}' in \"{said}\": {who}?"
        self.edits.append(AskPerson(question=self.question, choices=need.choices))
        self.memo["pending"] = {
            "clause": said,
            "gender": need.gender,
            "choices": need.choices,
            "rest": ["; ".join(self._restore(c) for c in paragraph) for paragraph in rest],
            "location": self.location,
            "time": self.par_time.value if self.par_time else None,
            "light": self.par_light.value if self.par_light else None,
        }
