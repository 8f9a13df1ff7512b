"""People: names, descriptions, pronouns; whom a word means. The readers of introductions
are in `introductions`, changes of looks in `looks`; the shared pieces are here.

Introductions come in many everyday shapes; each reader below takes one family of them:
"Mara, a tall woman in a red raincoat, waits" (an appositive), "a boy called Sam",
"Meet Jon: ...", "Jon is a fisherman", "She's named Lena, sixteen, ...", "His name is Jonas",
lists ("Three people: Ana, a nurse, Ben, a porter, and Carl"; "The cast: Mara (30s, red coat)
and Tom (old fisherman)"; "- Ana: a night nurse"), "His daughter Lena, a teenager, climbs
...", role names ("Nurse B", "Dr Patel" -> Patel, "the Captain"), the narrator's family
("my uncle kept a lighthouse" -> Uncle) and unnamed subjects ("a crow and ... argue" -> Crow).
Cast lists may open with a header alone ("Characters. DELE, 19, ... THE COACH, 60s, ...",
"The family: Amal, ...; Yusuf, ...; and their grandmother, Hala, who ..."): the list stays open
for the paragraph. "there's the pianist, Mr Albescu, an old man who never looks up", "he
belongs to Noor, she's nine, ..., and her dad Sami" and "his wife wears a purple headscarf"
introduce people too. A piece whose head noun is a garment ("a towel over one shoulder",
"navy wool coat") goes to the wardrobe; body, age and build to the description.
Looks change by command ("Tom should have a red scarf", "Lena's coat should be green, not
yellow", "make the old woman's hair grey"), and a known person can be meant by a description
("the girl", "his daughter", "the old woman"): when two fit, the director asks.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from storyreel.agent.offline.text import QUOTE_MARK, lazy, rx
from storyreel.agent.offline.verbs import base_form
from storyreel.agent.offline.words import (
    ANIMALS,
    ANSWER_WORDS,
    BODY,
    CLOTHES,
    COLOURS,
    COMMON,
    FEMALE,
    GARMENT_PARTS,
    GENDER_OF,
    GENERIC_PEOPLE,
    KIN,
    KIN_SAME,
    LOOKS,
    MALE,
    NATIONAL_NOUNS,
    NATIONALITIES,
    NOT_MEN,
    NOT_NAMES,
    NUMBERS,
    PEOPLE,
    PLACES,
    ROLES,
    TITLES,
)
from storyreel.tools.edits import (
    AddShot,
    AskPerson,
)
from storyreel.tools.story import handle_of

_PRONOUN_RE = rx(r"\b(she|her|hers|herself|he|him|his|himself|they|them|their|themselves)\b")
_NOUNS = "|".join(
    sorted(PEOPLE | ROLES | KIN | ANIMALS | set(NATIONAL_NOUNS), key=len, reverse=True)
)
_DESCRIPTOR_RE = rx(
    r"(?<![\w'])(?:(the|his|her|their|my|our|your|that|this)\s+)?",
    r"((?:(?!(?:the|his|her|their|my|our|your|that|this|of|a|an|in|on|at|to|with|and|or)\b)",
    rf"[a-z][a-z\-]*\s+){{0,2}}?)({_NOUNS})(?![\w\-])(?!\s+(?-i:[A-Z]))",
)
_OWNER = {"his": "m", "her": "f", "their": "p"}
_CHILD_AGE_RE = lazy(
    r"(?:^|[,(]\s*|\baged\s+)(?:[1-9]|1[0-2])(?:\s*(?:years?\s+old|yo|y/o))?\s*(?:[,;)]|$)"
    r"|\b(?:[1-9]|1[0-2]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"[\s-]+years?[\s-]+old\b",
    re.I,
)
"""A child's age in a description: "Kasia's son, 7", "aged 9"."""
_OLD_AGE_RE = lazy(
    r"(?:^|[,(]\s*|\baged\s+|\babout\s+|\bmaybe\s+)(?:[6-9]\d|1[01]\d)(?:\s*(?:ish|years?\s+old|yo"
    r"|y/o|\+))?\s*(?:[,;)]|$)|\b(?:sixty|seventy|eighty|ninety)(?:[\s-]\w+)?(?:\s+years\s+old"
    r"|ish)\b",
    re.I,
)
"""An old person's age in a description: "Chuy, 70", "aged 82", "seventy years old"."""
_FILLER = {"always", "usually", "often", "really", "lol", "haha", "lmao", "kind", "of", "sort",
           "like", "just", "very", "quite", "too", "also", "actually", "basically"}  # fmt: skip
_AGE_WORDS = {
    "twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties",
    "nineties", "teens", "teen", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "in", "his", "her", "their", "early", "mid", "late", "years",
    "year", "old", "aged", "about", "around", "maybe", "roughly", "-", "ish",
}  # fmt: skip
_TENS = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred"}
_YOUNG = {"girl", "boy", "child", "kid", "teenager", "teen", "daughter", "son", "young",
          "youth", "toddler", "baby", "schoolgirl", "schoolboy", "student", "niece", "nephew",
          "granddaughter", "grandson", "teens", "twenties", "thirteen", "fourteen", "fifteen",
          "sixteen", "seventeen", "eighteen", "nineteen", "little"}  # fmt: skip
_OLD = {"old", "elderly", "aged", "ancient", "sixties", "seventies", "eighties", "nineties",
        "grandmother", "grandfather", "grey", "gray", "white-haired", "grey-haired", "older",
        "wrinkled", "weathered", "retired", "widow", "widower"}  # fmt: skip
_SAME = {"girl": {"daughter", "teenager", "niece", "granddaughter", "schoolgirl", "bride"},
         "boy": {"son", "teenager", "nephew", "grandson", "schoolboy"},
         "child": {"kid", "boy", "girl", "son", "daughter", "toddler", "baby"},
         "woman": {"lady", "wife", "mother", "widow", "bride"},
         "man": {"gentleman", "husband", "father", "widower", "groom"}}  # fmt: skip
_NOT_VERBS = {"always", "sometimes", "perhaps", "its", "hers", "theirs", "ours", "yours", "this",
              "thus", "plus", "yes", "lots", "less", "unless", "besides", "glasses",
              "trousers", "jeans", "pants", "clothes", "looks", "whiskers", "tails",
              "years", "days", "times", "inches", "feet", "pounds", "sizes", "numbers",
              "wellies", "boots", "shoes", "trainers", "sneakers", "overalls", "dungarees",
              "tights", "stockings", "earrings", "gloves", "mittens", "plaits", "pigtails",
              "curls", "braids", "freckles", "dreadlocks", "sideburns", "headphones"}  # fmt: skip
_PERSON_SUFFIX_RE = lazy(r"[a-z]{3,}(?:ist|man|woman|eer|ician)$")
_NOT_PERSON = {"chemist", "foreman's", "mist", "fist", "list", "twist", "wrist", "german",
               "human", "roman", "woman's", "ottoman", "talisman", "caiman", "shaman"}  # fmt: skip
_PREPOSITIONS = {"in", "on", "over", "round", "around", "under", "at", "of", "from", "with",
                 "across", "behind", "like", "for", "to", "that", "which", "who"}  # fmt: skip


def _plain_words(text: str) -> list[str]:
    """Lowercase words of a text (hyphenated words kept whole)."""
    return re.findall(r"[a-z][a-z\-']*|\d+s?", text.lower())


def _in_table(word: str, table: set[str] | frozenset[str]) -> bool:
    """Is a word, or its singular, in a word table?"""
    return (
        word in table or word.rstrip("s") in table or (word.endswith("es") and word[:-2] in table)
    )


def _person_noun(word: str) -> bool:
    """Is this word a kind of person ("mother", "pianist", "ferryman", "volcanologist")?"""
    word = word.lower()
    if _in_table(word, PEOPLE | ROLES | KIN):
        return True
    if word in PLACES or _in_table(word, CLOTHES | BODY) or word in _NOT_PERSON:
        return False
    return bool(_PERSON_SUFFIX_RE.fullmatch(word))


def _head_noun(part: str) -> str:
    """The head noun of a phrase: its last word before a preposition or a relative clause
    ("a respirator round her neck" -> "respirator", "big white beard" -> "beard")."""
    words = _plain_words(part)
    for index, word in enumerate(words):
        if word in _PREPOSITIONS and index > 0:
            words = words[:index]
            break
    words = [w for w in words if w not in _FILLER]
    return words[-1] if words else ""


def _gender(text: str) -> str | None:
    """ "f", "m" or None, from the words of a description (nouns first, then pronouns). A
    garment's kind says nothing: "a man's grey cardigan" is a cardigan (a "widow's sari"
    still says widow)."""
    kind_of_garment = r"\b(?:man|woman|men|women|boys?|girls?|gentleman|lady|ladies)(?:'s|s')"
    words = re.findall(r"[a-z]+", re.sub(kind_of_garment, " ", text.lower()))
    for word in words:
        if word.endswith(("woman", "women")) or word in FEMALE or word in {"mrs", "ms", "miss"}:
            return "f"
        if word in MALE or (re.fullmatch(r"\w+m[ae]n", word) and word not in NOT_MEN):
            return "m"
        if word in {"mr", "sir", "grandad", "granddad", "nonno", "daddy", "papa"}:
            return "m"
        if word in {"nonna", "nana", "mum", "mummy", "mama", "auntie", "granny", "gran"}:
            return "f"
    pronouns = [
        GENDER_OF[w]
        for i, w in enumerate(words)
        if w in GENDER_OF
        and not (  # "her trainer", "his sparring partner": someone else's, says nothing here
            w in ("his", "her", "their") and set(words[i + 1 : i + 3]) & (KIN | ROLES | PEOPLE)
        )
    ]
    return pronouns[0] if pronouns else None


def _article(word: str) -> str:
    """ "a" or "an" for the word that follows."""
    return "an" if word[:1].lower() in "aeiou" and not word.lower().startswith("uni") else "a"


def _is_age(segment: str) -> bool:
    """ "seventies", "sixteen", "30s", "in her fifties", "19", "late twenties"."""
    words = _plain_words(segment.replace("-", " "))
    ages = [w for w in words if w not in _AGE_WORDS or w.endswith("ties") or w.endswith("teens")]
    core = [w for w in words if w not in _AGE_WORDS or w in _TENS]
    if not words or len(words) > 5:
        return False
    if any(not (w in NUMBERS or w in _TENS or re.fullmatch(r"\d{1,3}s?", w)) for w in core):
        return False
    return bool(core) or any(w.endswith(("ties", "teens")) for w in ages)


def _verbish(word: str) -> bool:
    """Does a word look like a verb in the third person ("waits", "climbs", "dabs")?"""
    word = word.lower()
    nouns = CLOTHES | BODY | PEOPLE | ROLES | ANIMALS | KIN | LOOKS | COLOURS | GARMENT_PARTS
    if _in_table(word, nouns) or word in _AGE_WORDS or word.endswith(("ss", "us")):
        return False
    if word.endswith("ies"):
        return base_form(word) not in (None, word)  # "carries", not "ladies"
    if word in {"is", "was", "has", "had", "does", "goes", "says"}:
        return True
    if word in _NOT_VERBS or word.endswith(("ways", "wards", "ous", "'s")):
        return False
    return word.endswith("s") and len(word) > 3


CAMERA_PROP = r"(?!\s+(?:bag|strap|case|belt|round|around|slung))"
"""A camera someone carries ("a camera bag", "a camera round her neck"), not the film's."""


def _descriptive(segment: str) -> bool:
    """Is this piece of a sentence a description of a person (not an action or a framing)?
    "a nurse in blue scrubs", "seventies", "white beard", "tiny", "his daughter"."""
    segment = segment.strip(" .;:")
    words = _plain_words(segment)
    if not words or len(words) > 14 or QUOTE_MARK.search(segment):
        return False
    if _is_age(segment) or re.fullmatch(r"all\s+(?:elbows|legs|smiles|teeth|knees|arms)", segment):
        return True
    if (
        base_form(words[0])
        and words[0] not in LOOKS | COLOURS
        and not _in_table(words[0], CLOTHES | BODY | PEOPLE | ROLES | ANIMALS | KIN)
    ):
        return False  # "dabs her eyes", "waits", "climbed onto the boat"
    if any(_verbish(w) for w in words) or re.search(
        rf"\b(?:shot|camera\b{CAMERA_PROP}|close)", segment, re.I
    ):
        return False
    if words[0] in {"a", "an", "his", "her", "their", "my", "our", "with", "wearing"}:
        return True
    tables = CLOTHES | BODY | PEOPLE | ROLES | ANIMALS | KIN | LOOKS | COLOURS | NATIONALITIES
    return any(_in_table(w, tables) for w in words) or (
        words[0] == "the" and len(words) <= 4 and _person_noun(words[-1])
    )


_LOOKS_PART_RE = lazy(
    r"\s+(?=(?:with|and|wearing|dressed\s+in|clad\s+in|in)\s)(?!in\s+(?:his|her|their)\s+(?:neck"
    r"|wrists?|waist|head|shoulders?|fingers?|arms?|chest|nose|ears?|elbows?|ankles?|hair"
    r"|forehead|lap|hands?|pocket|lapel|teeth|mouth)\b)",
    re.I,
)
"""Where a description splits into parts ("a tall woman | in a red raincoat"); not before
where a thing is worn ("a big nath | in her nose" stays one)."""


def _colours_joined(parts: list[str]) -> list[str]:
    """The parts of a description with "red | and black woven skirt" joined back: two
    colours of one thing."""
    out: list[str] = []
    for part in parts:
        both = re.match(r"and\s+(\w+)", part.strip(), re.I)
        if out and both and both.group(1).lower() in COLOURS:
            last = _plain_words(out[-1])
            if last and last[-1] in COLOURS:
                out[-1] = f"{out[-1]} {part.strip()}"
                continue
        out.append(part)
    return out


def _looks(text: str) -> tuple[str, str]:
    """A description split into looks and clothes: "a tall woman in a red raincoat" ->
    ("a tall woman", "a red raincoat"); "skinny with a moustache and a blue suit" ->
    ("skinny with a moustache", "a blue suit")."""
    segments, wear = [], []
    for segment in re.split(r"\s*[,;]\s*", text):
        segment = segment.strip(" .!")
        kept: list[str] = []
        last = ""
        relative = re.search(r"(?:^|\s+)(who\b.*)$", segment, re.I)  # "who never smiles"
        if relative:
            segment = segment[: relative.start()]
            if worn := re.match(
                r"who\s+(?:(?:always|usually|often|still)\s+)?(?:wears|wore|is\s+wearing"
                r"|was\s+wearing|(?:is|was)\s+(?:always\s+)?(?:in|dressed\s+in))\s+(.+)$",
                relative.group(1),
                re.I,
            ):
                wear.append(worn.group(1))  # "who wears a black abaya"
                relative = None
        for part in _colours_joined(_LOOKS_PART_RE.split(segment)):
            if not part.strip():
                continue
            m = re.match(r"(with|and|wearing|dressed\s+in|clad\s+in|in)\s+(.*)", part, re.I)
            glue, body = (m.group(1).lower(), m.group(2)) if m else ("", part)
            words = _plain_words(body)
            clothes = any(_in_table(w, CLOTHES) for w in words)
            looks = any(_in_table(w, BODY | PEOPLE | ROLES | KIN) for w in words) or _is_age(body)
            head = _head_noun(body)
            if head and _in_table(head, CLOTHES) and not _is_age(body):
                clothes, looks = True, False  # "a respirator round her neck": worn
            elif head and _in_table(head, BODY | PEOPLE | ROLES | KIN):
                clothes, looks = False, True  # "a bald man in a suit" is split at "in"
            owned = re.search(r"\b(?:her|his|their)\s+((?:[\w\-]+\s+){0,2}[\w\-]+)$", body, re.I)
            owned = None if _in_table(head, CLOTHES) else owned
            if owned and not _in_table(owned.group(1).split()[-1], CLOTHES):
                owned = None  # "red chooda up to her elbows": where it is worn, not a garment
            if clothes and not looks and owned and owned.start() > 0:
                wear.append(f"{_article(owned.group(1))} {owned.group(1)}")  # "flour all over
                kept.append(part)  # her apron": the apron is worn, the flour is a look
                last = "look"
            elif glue.startswith(("wearing", "dressed", "clad")) or (clothes and not looks):
                if glue in ("with", "and") and last == "wear" and not clothes:
                    wear[-1] += f" {glue} {body}"
                else:
                    wear.append(body)
                last = "wear"
            elif not looks and last == "wear" and glue in ("with", "and"):
                wear[-1] += f" {glue} {body}"
            elif set(_plain_words(part)) - _FILLER:
                kept.append(body if glue == "and" and not kept else part)  # "a coat and bangs"
                last = "look"
        while kept and (tail := kept[-1].split()) and tail[-1].lower() in _FILLER - {"of"}:
            kept[-1] = " ".join(tail[:-1])
            kept = [k for k in kept if k]
        if relative:
            kept.append(relative.group(1).strip())
        if kept:
            segments.append(" ".join(kept))
    description = ", ".join(s for s in segments if s)
    items = [_tidy_item(w) for w in wear if w.strip()]
    return description.strip(" ,"), " and ".join(i for i in items if i)


def _tidy_item(item: str) -> str:
    """ "this huge yellow oilskin" -> "a huge yellow oilskin"."""
    item = re.sub(r"\s+", " ", item).strip(" ,.;")
    words = item.split()
    while words and words[0].lower() in _FILLER:
        words = words[1:]
    item = " ".join(words)
    m = re.match(r"(this|that|his|her|their|my|our)\s+(?!\S+'s?\b)(\S+)", item, re.I)
    return f"{_article(m.group(2))} {item[m.end(1) + 1 :]}" if m else item


def _split_wardrobe(text: str) -> tuple[str, str]:
    """ "a tall woman in a red raincoat" -> ("a tall woman", "a red raincoat")."""
    return _looks(text)


def _name_pattern(name: str) -> str:
    """A pattern for a person's name, also without its title ("Officer Reyes" or "Reyes")."""
    words = name.split()
    if len(words) > 1 and words[0].lower() in TITLES and len(words[1]) > 1:
        return f"{re.escape(name)}|{re.escape(' '.join(words[1:]))}"
    return re.escape(name)


def _join_description(*parts: str) -> str:
    """Description pieces joined with commas, without repeats or empty pieces ("a nurse" is
    left out next to "a tired night nurse"; a bare "old" next to a whole description)."""
    pieces = [p.strip(" ,;.") for p in parts if p and p.strip(" ,;.")]
    if len(pieces) > 1 and pieces[0].lower() in ("old", "young", "little", "big"):
        pieces = pieces[1:]

    def content(piece: str) -> set[str]:
        return set(_plain_words(piece)) - {"a", "an", "the"}

    out: list[str] = []
    for index, piece in enumerate(pieces):
        own = content(piece)
        if not any(
            k != index and (own < content(other) or (own == content(other) and k < index))
            for k, other in enumerate(pieces)
        ):
            out.append(piece)
    text = ", ".join(out)
    return re.sub(r"^(A|An|The)\b", lambda m: m.group(1).lower(), text)


def _items(wardrobe: str) -> list[str]:
    """A wardrobe as separate items: "a plum coat and a clear umbrella" -> two items."""
    pieces = re.split(
        r"\s*[,;]\s*|\s+and\s+(?=(?:an?|the|his|her|their|some|matching|\w+\s+\w+)\b)", wardrobe
    )
    joined: list[str] = []
    for piece in (p.strip() for p in pieces if p and p.strip()):
        before, after = _plain_words(joined[-1]) if joined else [], _plain_words(piece)
        if before and after and before[-1] in COLOURS and after[0] in COLOURS:
            joined[-1] = f"{joined[-1]} and {piece}"  # "a red and black woven skirt": one
        else:
            joined.append(piece)
    items: list[str] = []
    for piece in joined:
        parts = re.split(r"\s+and\s+", piece)
        if all(any(_in_table(w, CLOTHES) for w in _plain_words(p)) for p in parts):
            items += parts  # "yellow jacket and headphones"; not "black and white scarf"
        else:
            items.append(piece)
    return items


def _head(item: str) -> str | None:
    """The garment or feature a phrase is about: "a red woollen hat" -> "hat"."""
    words = _plain_words(item)
    cut = next((i for i, w in enumerate(words) if i and w in _PREPOSITIONS - {"of"}), len(words))
    for part in (words[:cut], words[cut:]):  # "a jacket with the veil on his hat": the jacket
        for word in reversed(part):
            for table in (CLOTHES, BODY):
                if _in_table(word, table):
                    return word.rstrip("s") if word.rstrip("s") in table else word
    return None


def _same_head(item: str, head: str) -> bool:
    """Is this item that garment ("a yellow raincoat" is a coat)?"""
    own = _head(item)
    return bool(own) and (own == head or own.endswith(head) or head.endswith(own))


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


_ASKS_ME_RE = rx(
    r"(?:^\s*|\b(?:you|please|pls|and)\s+)(?:show|give|let|tell|send|get|gimme|lemme|make)\s+me\b",
    r"|\bfor\s+me\b(?=\s*(?:$|[.,!?]|please|thanks|now))",
)
"""The user asking ("show me ...", "render it for me"), not the narrator in the story."""
_OWNED_NOUN_RE = lazy(
    r"\s+(?!(?:and|or|but|as|to|at|in|on|with|from|into|out|up|down|away|back|off|over|"
    r"again|too|while|when|the|a|an)\b)[a-z][\w'-]*",
    re.I,
)
"""A noun after "her": "her scooter" (hers), not "at her and ..." (her)."""


class CastMixin:
    """The people side of a Turn."""

    # --- who is meant -------------------------------------------------------------------

    def _names_in(self, text: str) -> list[str]:
        """Known people named in `text` (by name, @handle or a description that fits only
        them, e.g. "the girl", "his daughter"), in order of appearance. When a description
        fits several people, NeedAnswer asks which one is meant."""
        found = []
        unnamed = text  # the text with the names blanked: "Nurse B" is not also "the nurse"
        for person in self.people.values():
            flags = 0 if person.name.lower() in COMMON else re.I
            name, handle = _name_pattern(person.name), re.escape(handle_of(person.name))
            if m := re.search(rf"(?<![\w@])@?(?:{name})(?:'?s)?\b|@{handle}\b", text, flags):
                found.append((m.start(), person.name))
                unnamed = unnamed[: m.start()] + " " * len(m.group(0)) + unnamed[m.end() :]
        named = {n for _, n in found}
        if (me := self._me(unnamed)) and me[1] not in named:
            found.append(me)
            named.add(me[1])
        for start, name in self._described(unnamed, named):
            if name not in named:
                found.append((start, name))
                named.add(name)
        return [name for _, name in sorted(found)]

    def _me(self, text: str) -> tuple[int, str] | None:
        """ "grandpa and me walking up the hill": the narrator, when the story has one as a
        character (described as "the narrator"); not "show me", "give me", "for me"."""
        narrators = [p.name for p in self.people.values() if "the narrator" in p.description]
        if len(narrators) != 1:
            return None
        plain = _ASKS_ME_RE.sub(" ", QUOTE_MARK.sub(" ", text))
        m = re.search(r"\b(?:me|myself)\b", plain, re.I)
        return (m.start(), narrators[0]) if m else None

    def _described(self, text: str, named: set[str]) -> list[tuple[int, str]]:
        """Known people meant by a description in the text: "the old woman", "her dad"."""
        out = []
        plain = QUOTE_MARK.sub(" ", text)
        for m in _DESCRIPTOR_RE.finditer(plain):
            noun = m.group(3).lower()
            if not m.group(1) and noun not in KIN:
                continue
            if m.group(1) and m.group(1).lower() in ("a", "an"):
                continue
            before = plain[: m.start()]
            if re.search(r"\b(?:an?|one|another|some)\s+$", before, re.I):
                continue
            if who := self._described_one(m, named):
                out.append((m.start(), who))
        for phrase, who in self._role_phrases().items():
            if who in named or any(w == who for _, w in out):
                continue
            if m := re.search(rf"\bthe\s+{re.escape(phrase)}\b(?!\s+(?-i:[A-Z]))", plain, re.I):
                out.append((m.start(), who))
        return out

    def _role_phrases(self) -> dict[str, str]:
        """What one person alone is called in their description ("Trish: the team leader,
        woman, 50s" -> "team leader"), so "the team leader" means Trish."""
        said: dict[str, set[str]] = {}
        for person in self.people.values():
            for m in re.finditer(
                r"(?:^|[,:;]\s*)(the\s+|an?\s+)?((?:[a-z\-]+\s+){0,2}[a-z\-]+)\s*(?=[,:;.]|$)",
                person.description,
                re.I,
            ):
                phrase = m.group(2).lower()
                head = phrase.split()[-1]
                if set(phrase.split()) & (PLACES | _OLD | _YOUNG) or head in GENERIC_PEOPLE:
                    continue
                said_the = bool(m.group(1)) and m.group(1).lower().startswith("the")
                if said_the or _person_noun(head) or re.fullmatch(r"[a-z]{3,}(?:er|or)", head):
                    # "the scorer", "team leader"
                    said.setdefault(phrase, set()).add(person.name)
        return {phrase: next(iter(who)) for phrase, who in said.items() if len(who) == 1}

    def _described_one(self, m: re.Match[str], named: set[str] | None = None) -> str | None:
        """The one known person a description match fits; NeedAnswer when several do."""
        det = (m.group(1) or "").lower()
        noun = m.group(3).lower()
        if (country := NATIONAL_NOUNS.get(noun)) and noun not in PEOPLE | ROLES:
            said = [  # "the dane": the one person described as Danish
                p.name
                for p in self.people.values()
                if re.search(rf"\b(?:{noun}|{country})", f"{p.description} {p.wardrobe}", re.I)
                and p.name not in (named or set())
            ]
            return said[0] if len(said) == 1 else None
        if not (noun in PEOPLE or noun in ROLES or noun in KIN or noun in ANIMALS):
            return None
        if noun in {"person", "people", "someone", "everyone", "crowd", "figure"}:
            return None
        phrase = m.group(0).strip().lower()
        forced = self.forced.get(phrase)
        if forced is not None:
            return forced[0] if forced else None
        adjectives = [
            w for w in _plain_words(m.group(2)) if w in LOOKS | COLOURS or w in _OLD | _YOUNG
        ]
        others = [w for w in _plain_words(m.group(2)) if w not in LOOKS | COLOURS | _OLD | _YOUNG]
        if others:  # "the flower girl", "the morning kid": words only one person is described by
            said = [
                p.name
                for p in self.people.values()
                if all(
                    re.search(rf"\b{re.escape(w)}", f"{p.description} {p.wardrobe}", re.I)
                    for w in others
                )
                and p.name not in (named or set())
            ]
            return said[0] if len(said) == 1 else None  # "the fishing boat man": nobody
        fits = self._fits(noun, adjectives, det, named or set())
        if len(fits) > 1:
            raise NeedAnswer(phrase, phrase, fits)
        return fits[0] if fits else None

    def _fits(self, noun: str, adjectives: list[str], det: str, named: set[str]) -> list[str]:
        """The known people a description ("old" "woman", owned by "his") fits."""
        canon = KIN_SAME.get(noun, noun)
        gender = _gender(noun)
        generic = noun in GENERIC_PEOPLE or canon in GENERIC_PEOPLE

        def words(p: PersonInfo) -> set[str]:
            said = set(_plain_words(f"{p.name} {p.description} {p.wardrobe}"))
            if _CHILD_AGE_RE.search(p.description):  # "Kasia's son, 7": a child
                said |= {"child", "young", "kid"}
            if _OLD_AGE_RE.search(p.description):  # "her trainer, 70": old
                said |= {"old", "elderly"}
            return said | {KIN_SAME.get(w, w) for w in said}

        people = [p for p in self.people.values() if p.name not in named or not generic]
        people = [p for p in people if gender is None or p.gender in (None, gender)]
        fits = [p for p in people if canon in words(p) or noun in words(p)]
        if not fits and canon in _SAME:
            fits = [p for p in people if words(p) & _SAME[canon]]
        if canon in ("boy", "girl") and (
            kids := [p for p in people if {"child", "kid"} & words(p) and p.gender == gender]
            or [p for p in people if {"child", "kid"} & words(p) and p.gender is None]
        ):
            fits = kids  # "the boy": the 7-year-old son before the "big lad"
        if not fits and generic and gender:
            fits = [p for p in people if p.gender == gender]

            if canon in ("girl", "boy", "child") and (
                young := [p for p in fits if words(p) & _YOUNG]
            ):
                fits = young
        if not fits and generic and not gender and canon in ("child", "teenager"):
            fits = [p for p in people if words(p) & _YOUNG]
        for adjective in adjectives:
            group = _OLD if adjective in _OLD else _YOUNG if adjective in _YOUNG else {adjective}
            narrowed = [p for p in fits if words(p) & group]
            if narrowed:
                fits = narrowed
        if len(fits) > 1 and det in _OWNER and noun in KIN:
            try:
                owner = self._who(det)
            except NeedAnswer:
                owner = []
            mine = [p for p in fits if owner and owner[0].lower() in p.description.lower()]
            fits = mine or fits
        return [p.name for p in fits]

    def speaker_of(self, text: str) -> str | None:
        """Who says the line in a clause: "Tom: We sail at dawn.", '"Come home," Lena says',
        'says Lena', 'she whispers "..."', "he walks over and asks ...", "the girl says ...";
        else, when the clause has a quoted line, the first person in it. None if unclear."""
        plain = QUOTE_MARK.sub(" \ue000 ", text)
        verbs = (
            r"(?:says|said|say|asks|asked|ask|replies|replied|answers|answered|whispers|whispered"
            r"|whisper|shouts|shouted|shout|murmurs|murmured|mutters|muttered|yells|yelled|calls"
            r"|called|cries|cried|goes|went|snaps|snapped|sighs|sighed|adds|added|hisses|hissed"
            r"|pleads|pleaded|screams|screamed|tells|told|laughs|laughed|begs|begged|sings|sang)"
        )
        labelled = r"^\s*(?:[^:\ue000]{0,40},\s*)?([^:,\ue000]{1,40}?)\s*(?:\([^)]*\)\s*)?:\s*\S"
        if (m := re.match(labelled, plain)) and not re.search(rf"\b{verbs}\b", m.group(1), re.I):
            # "Tom: We sail." (not "She says to Marites: ...", read by its verb below)
            names = self._names_in(m.group(1))
            if len(names) == 1:
                return names[0]
            if m.group(1).strip().lower() in GENDER_OF and (
                who := self._who(m.group(1).strip().lower())
            ):
                return who[0] if len(who) == 1 else None
        for m in re.finditer(rf"\b{verbs}\b", plain, re.I):
            after = plain[m.end() :]
            if m.group(0).lower() in ("goes", "went") and not re.match(r"\s*,?\s*\ue000", after):
                continue
            if (
                (late := re.match(r"\s+((?:the\s+)?[\w@'\-]+(?:\s+[A-Z][\w'\-]*)?)", after))
                and (who := self._names_in(late.group(1)))
                and "\ue000" in plain[: m.start()]
            ):
                return who[0]
            if person := self._subject_of(plain[: m.start()]) or self._last_person(
                plain[: m.start()]
            ):
                return person
        if "\ue000" in plain:
            rest = plain.replace("\ue000", " ")
            return self._last_person(rest, first=True)
        return None

    def _named_at(self, text: str) -> list[tuple[re.Match[str], str]]:
        """Where the text names a known person, and whom, in no particular order."""
        return [
            (m, person.name)
            for person in self.people.values()
            for m in re.finditer(rf"(?<![\w@])@?(?:{_name_pattern(person.name)})\b", text, re.I)
        ]

    def _subject_of(self, text: str) -> str | None:
        """The person who does what a clause says: the first one named who is not an owner
        ("regs marrow") or after a preposition ("leans over to nan"); None when unclear."""
        clause = re.split(r"[.;!?]\s+|\bthen\b", text)[-1]
        spots = sorted(
            (m.start(), name)
            for m, name in self._named_at(clause)
            if not re.match(r"(?:'s|s'|s)\b", clause[m.end() :])
            and not re.search(
                r"\b(?:to|at|with|for|towards?|on|onto|over|into|from|by|behind|beside|past"
                r"|about|near)\s+(?:the\s+)?$",
                clause[: m.start()],
                re.I,
            )
        )
        return spots[0][1] if spots else None

    def _last_person(self, text: str, first: bool = False) -> str | None:
        """The last (or first) person a text speaks of: a name, description or she/he."""
        spots = [(m.start(), name) for m, name in self._named_at(text)]
        with contextlib.suppress(NeedAnswer):
            spots += self._described(text, set())
        for m in re.finditer(r"\b(she|he)\b", text, re.I):
            try:
                who = self._who(m.group(1).lower())
            except NeedAnswer:
                who = []
            if len(who) == 1:
                spots.append((m.start(), who[0]))
        if not spots:
            return None
        spots.sort()
        return spots[0][1] if first else spots[-1][1]

    # --- pronouns ---------------------------------------------------------------------

    def _strangers(self, body: str) -> list[str]:
        """Capitalised words that look like the names of people nobody introduced."""
        known = {
            w.lower()
            for p in [*self.people.values(), *self.places.values()]
            for w in p.name.split()
        }
        ignore = COMMON | known | PLACES | PEOPLE | CLOTHES | TITLES.keys() | NOT_NAMES | LOOKS
        first = len(body) - len(body.lstrip())
        out = []
        for m in re.finditer(r"(?<![@\w'])[A-Z][^\W\d_A-Z]+\b", body):
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
        plain = QUOTE_MARK.sub(" ", text)
        for m in _PRONOUN_RE.finditer(plain):
            word = m.group(1).lower()
            kind = GENDER_OF.get(word, "p")
            owner = word in ("his", "their", "its") or (
                word == "her" and _OWNED_NOUN_RE.match(plain[m.end() :]) is not None
            )
            if owner and len(names) == 1 and self._gender_of(names[0]) in (kind, None):
                resolved.setdefault(kind, list(names))  # "Wen pushes her scooter": Wen's
                continue
            if kind not in resolved:
                forced = self.forced.get(kind)
                among = names
                if kind == "p" and names and not owner:
                    firsts = [plain.lower().find(n.lower()) for n in names]
                    if len(names) == 1 or m.start() < min(
                        (f for f in firsts if f >= 0), default=len(plain)
                    ):
                        among = []  # "they pull in and Helen storms over": the ones before
                got = forced if forced is not None else self._resolve(word, kind, among)
                resolved[kind] = [n for n in got if n not in names] if among != names else got
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
        if (
            word not in ("she", "he")
            and len(unsure := [n for n in names if self._gender_of(n) is None]) == 1
        ):
            return unsure  # "Ito at the porthole, Earth behind her": Ito, whose gender was not said
        if here := self._in_this_shot(kind):
            return here  # "Reverse on Valentina, CU. She doesn't look up": the shot's one person
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

    def _in_this_shot(self, kind: str) -> list[str]:
        """The one person of the shot this paragraph is describing whom a "he"/"she" fits
        (their gender, else not said), or []."""
        index = getattr(self, "last_new", None)
        shot = self.edits[index] if index is not None and index < len(self.edits) else None
        if not isinstance(shot, AddShot):
            return []
        here = [n for n in shot.characters or [] if handle_of(n) in self.people]
        for fits in (lambda n: self._gender_of(n) == kind, lambda n: self._gender_of(n) is None):
            if fit := [n for n in here if fits(n)]:
                return fit if len(fit) == 1 else []
        return []

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
