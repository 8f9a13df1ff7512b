"""Changes of looks: "Tom should have a red scarf", "Lena's coat should be green, not
yellow", "make the old woman's hair grey". Never a shot."""

from __future__ import annotations

import re

from storyreel.agent.offline.cast import (
    _NOUNS,
    _OLD,
    NeedAnswer,
    PersonInfo,
    _article,
    _descriptive,
    _head,
    _in_table,
    _items,
    _join_description,
    _looks,
    _name_pattern,
    _plain_words,
    _same_head,
    _tidy_item,
)
from storyreel.agent.offline.text import QUOTE_MARK, rx
from storyreel.agent.offline.verbs import base_form
from storyreel.agent.offline.words import BODY, CLOTHES, COLOURS, LOOKS
from storyreel.tools.story import handle_of

_ACCESSORIES = {"glasses", "sunglasses", "spectacles", "monocle", "goggles", "headset",
                "headphones", "earrings", "earring", "necklace", "bracelet", "brooch", "scarf",
                "gloves", "mittens", "umbrella", "bag", "backpack", "satchel", "rucksack",
                "lanyard", "mask", "belt", "watch", "badge", "ring", "tie", "bow"}  # fmt: skip


_CHANGE_TAIL_RE = rx(
    r"(?:\s+|^)(?:now|instead|too|as\s+well|please|from\s+now\s+on",
    r"|in\s+(?:this|that|the|every|each|all|all\s+the)\s+(?:shots?|scenes?|ones?)",
    r"|in\s+shots?\s+\d+(?:\s*(?:,|and)\s*\d+)*",
    r"|everywhere|actually|then)\s*$",
)


_NEGATED_RE = rx(
    r"(?:,?\s*\b(?:not|instead\s+of|rather\s+than|no\s+longer|no\s+more)\s+(?:the\s+|an?\s+)?",
    r"((?:[\w\-]+(?:\s+|$)){1,3}))",
)


def _change_feature(text: str, head: str, new: str, old: set[str], whole: bool) -> str | None:
    """Change the phrase about one feature in a description ("long dark hair" -> "long grey
    hair"); `whole` replaces the phrase by `new`. None when the text does not mention it."""
    pattern = rf"((?:[\w\-]+\s+){{0,3}}?)({re.escape(head)}\w*)\b"
    skip = r"(?:with|and|a|an|the|her|his|their|in|of|has|had|is|was)"
    for m in re.finditer(pattern, text, re.I):
        mods = m.group(1).split()
        while mods and re.fullmatch(skip, mods[0], re.I):
            mods.pop(0)
        start = m.end(1) - len(" ".join(mods)) - (1 if mods else 0) if mods else m.start(2)
        start = max(m.start(), m.end(1) - sum(len(w) + 1 for w in mods))
        phrase = " ".join([*mods, m.group(2)])
        changed = new if whole else _recolour(phrase, new, old)
        return f"{text[:start]}{changed}{text[m.end() :]}"
    return None


def _recolour(item: str, new: str, old: set[str]) -> str:
    """ "a yellow raincoat" + "green" (not "yellow") -> "a green raincoat"."""
    new_words = set(_plain_words(new))
    drop = old | (COLOURS if new_words & COLOURS else set()) | (_OLD if new_words & _OLD else set())
    kept = [w for w in item.split() if w.lower().strip(",") not in drop]
    new = re.sub(r"\bstripes\b", "striped", re.sub(r"\bspots\b", "spotted", new.strip()))
    lead = 1 if kept and kept[0].lower() in ("a", "an", "the", "her", "his", "their") else 0
    text = " ".join([*kept[:lead], new, *kept[lead:]])
    return re.sub(r"^(an?)\s+(\S+)", lambda m: f"{_article(m.group(2))} {m.group(2)}", text)


class LooksMixin:
    """The looks side of a Turn."""

    # --- changes of looks ------------------------------------------------------------------

    def _character_change(self, clause: str) -> bool:
        """A change of someone's looks, never a shot: "Tom should have a red scarf", "give
        Mara a green hat", "Lena's coat should be green, not yellow", "make the old woman's
        hair grey", "Tom wears glasses now", "Mara changes into a black dress", "put Tom in a
        suit", "Ana has short hair now", "Ben should look older"."""
        text = QUOTE_MARK.sub(" ", clause).strip(" .!")
        polite = (
            r"^\s*(?:(?:please|ok(?:ay)?|oh|and|also|now|actually|so|hmm+|right|can\s+you"
            r"|could\s+you|let'?s|i\s+(?:want\s+to|think\s+we\s+should)|we\s+should|maybe)\b[,\s]*)*"
        )
        lead = re.match(polite, text, re.I)
        body = text[lead.end() :] if lead else text
        verb = re.match(r"(make|have|get|give|put|dress)\s+", body, re.I)
        if verb:
            who = self._person_at(body, verb.end())
            if who is None:
                return False
            name, end = who
            rest = body[end:]
            kind = verb.group(1).lower()
            if kind in ("put", "dress"):
                m = re.match(r"\s*(?:in|into)\s+(.+)$", rest, re.I)
                if not (m and any(_in_table(w, CLOTHES) for w in _plain_words(m.group(1)))):
                    return False
                return self._wear(name, m.group(1), replace=True)
            if kind == "give":
                return self._gain(name, rest)
            thing = re.match(r"\s*(?:'s|s'|s)?\s+((?:[\w\-]+\s+){0,2}?)([\w\-]+)\s+(.+)$", rest)
            if thing and self._thing_change(name, thing.group(2), thing.group(1), thing.group(3)):
                return True
            rest = re.sub(r"^\s*(?:look|looks|be|seem|appear)\s+", " ", rest, flags=re.I)
            if m := re.match(r"\s*(?:wear|have|put\s+on)\s+(.+)$", rest, re.I):
                return self._gain(name, m.group(1))
            return self._describe(name, rest)
        who = self._person_at(body, 0)
        if who is None:
            return False
        name, end = who
        rest = body[end:]
        modal = r"(?:should|must|needs?\s+to|has\s+to|have\s+to|will|could|can|would|ought\s+to)"
        if thing := re.match(
            rf"\s*(?:'s|s'|s)\s+((?:[\w\-]+\s+){{0,2}}?)([\w\-]+)\s+(?:{modal}\s+)?"
            r"(?:be|is|are|becomes?|turns?|goes?)\s+(?:now\s+)?(.+)$",
            rest,
            re.I,
        ):
            return self._thing_change(name, thing.group(2), thing.group(1), thing.group(3))
        m = re.match(
            rf"\s+(?:now\s+)?(?:(?:{modal})\s+(?:now\s+)?)?(?:also\s+)?(changes?\s+into|change\s+into"
            r"|(?:is|be)\s+(?:now\s+)?(?:wearing|dressed\s+in)|gets?\s+changed\s+into|puts?\s+on"
            r"|wears?|have|has|gets?|looks?|be|is|seems?|appears?)\s+(.+)$",
            rest,
            re.I,
        )
        if not m:
            return False
        verb_said, said = m.group(1).lower(), m.group(2)
        modal_said = bool(re.match(rf"\s+(?:now\s+)?{modal}", rest, re.I))
        if verb_said.startswith(("change", "get")) and "into" in verb_said:
            return self._wear(name, said, replace=True)
        if (
            "dressed" in verb_said
            or "wearing" in verb_said
            or verb_said.startswith(("wear", "put"))
        ):
            plain = set(_plain_words(said))
            now = bool(re.search(r"\bnow\b", rest, re.I))  # "Tom now wears ...": a new outfit
            outfit = now and not (modal_said or verb_said.startswith("put") or plain & _ACCESSORIES)
            return self._wear(name, said, replace=outfit)
        if verb_said in ("have", "has", "get", "gets"):
            stated = modal_said or re.search(r"\bnow\b", said, re.I) or verb_said == "have"
            if not stated and not self._looks_only(said):
                return False
            if not self._looks_only(said):
                return False
            return self._gain(name, said, strict=not modal_said)
        if verb_said in ("is", "be", "look", "looks", "seem", "seems", "appear", "appears"):
            if verb_said == "is" and not re.search(r"\bnow\b", said, re.I):
                return False  # "Mara is tall" is an introduction; "Mara is at the pier" a shot
            return self._describe(name, said, strict=not modal_said)
        return False

    def _looks_only(self, said: str) -> bool:
        """Does this text speak of clothes or features ("short hair now"), not of a thing
        held ("a letter in his hand")?"""
        head = re.split(r"\b(?:in|on|at|with|from|to|by|under|over|near)\b", said, maxsplit=1)[0]
        words = _plain_words(_CHANGE_TAIL_RE.sub("", head))
        return bool(words) and any(_in_table(w, CLOTHES | BODY) for w in words)

    def _person_at(self, text: str, at: int) -> tuple[str | NeedAnswer, int] | None:
        """The known person a text names at position `at` (a name, @handle, pronoun or a
        description like "the old woman", "his daughter"), and where that ends. When the
        words fit several people, the question to ask comes back instead of a name: it is
        asked only once the sentence proves to be a change of looks (see `_person`)."""
        rest = text[at:]
        for person in self.people.values():
            name, handle = _name_pattern(person.name), re.escape(handle_of(person.name))
            if m := re.match(rf"(?:@?(?:{name})|@{handle})(?=('s|s'|s(?=\s)|\b))", rest, re.I):
                return person.name, at + m.end()
        m = re.match(r"(she|he|her|him|they|them)\b", rest, re.I)
        m = m or re.match(
            rf"(?:(the|his|her|their|my|our)\s+)((?:[a-z\-]+\s+){{0,2}}?)({_NOUNS})\b", rest, re.I
        )
        if not m:
            return None
        try:
            if m.lastindex == 1:
                who = self._who(m.group(1).lower())
                found = who[0] if len(who) == 1 else None
            else:
                found = self._described_one(m)
        except NeedAnswer as need:
            return need, at + m.end()
        return (found, at + m.end()) if found else None

    def _person(self, name: str | NeedAnswer) -> PersonInfo:
        """The person `_person_at` found; ask now if the words fit several."""
        if isinstance(name, NeedAnswer):
            raise name
        return self.people[handle_of(name)]

    def _negated(self, said: str) -> tuple[str, set[str]]:
        """ "green, not yellow" -> ("green", {"yellow"}); also drops "now", "instead"."""
        old: set[str] = set()
        if m := _NEGATED_RE.search(said):
            old = set(_plain_words(m.group(1)))
            said = said[: m.start()] + said[m.end() :]
        said = re.split(r",\s*(?![^,]*\b(?:hair|beard|cap|hat|coat)\b)(?=\S+\s+\S+\s+\S+)", said)[0]
        for _ in range(2):
            said = _CHANGE_TAIL_RE.sub("", said.strip(" ,.!"))
        return said.strip(" ,.!"), old

    def _thing_change(self, name: str | NeedAnswer, thing: str, mods: str, said: str) -> bool:
        """ "Lena's coat should be green, not yellow": change one garment or feature."""
        thing = thing.lower()
        if not (_in_table(thing, CLOTHES) or _in_table(thing, BODY)):
            return False
        said, old = self._negated(said)
        said = re.sub(r"^(?:be|look|become|turn|go)\s+", "", said, flags=re.I)
        if not said or base_form(said.split()[0]) in ("walk", "run") or not _plain_words(said):
            return False
        person = self._person(name)
        head = thing.rstrip("s") if thing.rstrip("s") in CLOTHES | BODY else thing
        items = _items(person.wardrobe)
        for index, item in enumerate(items):
            if _same_head(item, head):
                items[index] = _recolour(item, said, old)
                self._update_person(person, {"wardrobe": " and ".join(items)})
                return True
        if _in_table(thing, BODY):
            for field in ("description", "wardrobe"):
                value = getattr(person, field)
                if (changed := _change_feature(value, head, said, old, False)) is not None:
                    self._update_person(person, {field: changed})
                    return True
            self._update_person(
                person, {"description": _join_description(person.description, f"{said} {thing}")}
            )
            return True
        said = re.sub(r"\bstripes\b", "striped", re.sub(r"\bspots\b", "spotted", said))
        garment = " ".join(w for w in (said, mods.strip(), thing) if w)
        self._add_looks(name, "", f"{_article(said)} {garment}")
        return True

    def _gain(self, name: str | NeedAnswer, said: str, strict: bool = False) -> bool:
        """ "give Mara a green hat", "Moss should have a grey moustache", "Ana has short hair
        now": a garment is added, a feature changed."""
        said, old = self._negated(said)
        words = _plain_words(said)
        if not words or (strict and not any(_in_table(w, CLOTHES | BODY) for w in words)):
            return False
        if not any(_in_table(w, CLOTHES | BODY | COLOURS | LOOKS) for w in words):
            return False
        description, wardrobe = _looks(said)
        person = self._person(name)
        if description and (head := _head(description)) and head in BODY:
            for field in ("description", "wardrobe"):
                changed = _change_feature(getattr(person, field), head, description, old, True)
                if changed is not None:
                    self._update_person(person, {field: changed})
                    if wardrobe:
                        self._add_looks(name, "", wardrobe)
                    return True
        self._add_looks(name, description, wardrobe)
        return True

    def _wear(self, name: str | NeedAnswer, said: str, replace: bool) -> bool:
        """ "Mara changes into a black dress" (a new outfit), "Tom wears glasses now"."""
        said, _old = self._negated(said)
        if not said or not any(_in_table(w, CLOTHES | COLOURS) for w in _plain_words(said)):
            return False
        description, wardrobe = _looks(said)
        self._add_looks(name, description, _tidy_item(wardrobe or said), replace=replace)
        return True

    def _describe(self, name: str | NeedAnswer, said: str, strict: bool = False) -> bool:
        """ "Ben should look older", "make jonas look older, white hair and a flat cap", "the
        crow should be huge and really glossy"."""
        said, _old = self._negated(said) if re.search(r"\bnot\b", said) else (said, set())
        said = _CHANGE_TAIL_RE.sub("", said.strip(" ,.!")).strip(" ,.!")
        pieces = [p for p in re.split(r"\s*,\s*", said) if p]
        if not pieces or not _descriptive(pieces[0]):
            return False
        if strict and re.search(r"\b(?:at|in|on|by|near|inside|outside)\s+the\b", said, re.I):
            return False
        if any(QUOTE_MARK.search(p) for p in pieces):
            return False
        first = pieces[0]
        if re.fullmatch(r"(?:\w+er|more\s+\w+|less\s+\w+)", first, re.I):
            pieces[0] = f"looks {first}"
        description, wardrobe = _looks(", ".join(pieces))
        self._add_looks(name, description, wardrobe)
        return True
