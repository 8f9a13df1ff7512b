"""Names typed in lower case ("my aunt priya runs a cake shop", "her nephew sunny, hes 19",
"a country house called ashcombe hall").

The readers of introductions find names by their capital letters. People typing quickly
often leave them out, so before a message is read, a lower-case word in a place only a
name can stand is given its capital: right after a family word ("my aunt priya",
"the brides mum, helen,"), after "called" / "named" / "her name was", and the names of
people the story already has. A word that is English in that place (a verb, a function
word, a word of the director's tables: "my dad always", "her mum was") keeps its case.
"""

from __future__ import annotations

import re

from storyreel.agent.offline.text import lazy
from storyreel.agent.offline.verbs import base_form
from storyreel.agent.offline.words import (
    ANIMALS,
    BODY,
    CLOTHES,
    COLOURS,
    COMMON,
    KIN,
    LOOKS,
    NUMBERS,
    PEOPLE,
    PLACES,
    ROLES,
    TITLES,
)


def _table(text: str) -> frozenset[str]:
    """A word table written as one string."""
    return frozenset(text.split())


_ENGLISH = _table(
    "always never just really like kind sort who which that whose whom also too still even "
    "usually often sometimes once twice ever about around almost nearly maybe perhaps "
    "very quite so such much many more most less least only own same other another every "
    "each some any no not all both either neither here there where when why how what "
    "is was are were be been being am has had have having do does did done will would can "
    "could shall should may might must lol omg yeah yes ok okay haha hi hey well oh um uh "
    "mine yours ours theirs himself herself myself itself themselves yourself "
    "s and or but nor yet for of to in on at by with from into onto as than then "
    "up down out off over under again back away home today tonight tomorrow yesterday "
    "something someone anything anyone nothing nobody everything everyone "
    "said says told tells called named used gets got goes went comes came "
    "theres heres whos thats its lets hes shes ive im id youre theyre dont cant wont isnt "
    "wasnt arent didnt doesnt couldnt wouldnt shouldnt then meet introducing starring "
    "huge tiny big small little large tall short long old young new thin fat skinny slim "
    "heavy light dark pale fair bald blond blonde ginger grey gray white black brown red "
    "good bad great nice kind mean lovely pretty ugly handsome beautiful gorgeous cute "
    "quiet loud shy bold brave proud angry happy sad grumpy cheerful funny serious strict "
    "gentle calm wild tired sleepy lazy busy clever smart wise silly crazy mad weird odd "
    "strange rich poor famous local early late middle elderly ancient retired broad wiry "
    "stocky muscular chubby plump lanky scrawny tough soft hard rough neat scruffy messy "
    "smelly grubby dusty dirty clean posh shabby elegant sharp blunt nervous anxious "
    "bossy cranky moody lonely friendly fierce sweet sour bright dim deaf blind lame "
    "twenties thirties forties fifties sixties seventies eighties nineties teens teenage "
    "ish yo years months weeks days rainy stormy cold hot warm cool wet dry"
)
_NUMBER_WORD_RE = lazy(
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?|(?:thir|four|fif|six|seven"
    r"|eigh|nine)teen|hundred|thousand|(?:twen|thir|for|fif|six|seven|eigh|nine)ties"
)
_TABLES = (
    COMMON | PLACES | CLOTHES | KIN | PEOPLE | ROLES | ANIMALS | LOOKS | COLOURS | BODY
    | NUMBERS.keys()
)  # fmt: skip
_SOCIAL = _table(
    "neighbour neighbor friend mate pal buddy boss colleague flatmate roommate classmate "
    "partner teammate bestie landlady landlord lodger enemy rival nemesis sweetheart"
)
_KIN_WORDS = "|".join(sorted(KIN | ANIMALS | _SOCIAL, key=len, reverse=True))
_FOLLOWS = (
    r"(?=\s*(?:[,.;:!?)]|$)|'s\b|\s+(?:who|whos|who's|is|was|has|had|and|hes|shes|are|were"
    r"|from|with|in|at|on|obviously|too|though|upstairs|downstairs|across|next|(?P<verb>[a-z]+s))\b)"
)
_AFTER_KIN_RE = lazy(
    rf"\b(?:my|our|his|her|their|the|your|[A-Za-z]+'s)\s+(?:[a-z'\-]+\s+)?(?:{_KIN_WORDS})s?"
    r"(?:\s*,\s*|\s+)(?P<name>[a-z][a-z\-]{1,20})\b"
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:who|whos|who's|is|was|has|had|and|hes|shes|are|were"
    r"|obviously|too|though|upstairs|downstairs|(?P<verb>[a-z]+s))\b)",
    re.I,
)
_NOT_AFTER = r"(?<![\w'])(?<!\ba\s)(?<!\ban\s)(?<!\bthe\s)(?<!\bmy\s)(?<!\bhis\s)(?<!\bher\s)"
_NOT_AFTER += r"(?<!\bour\s)(?<!\btheir\s)(?<!\byour\s)"
_TITLE_RE = lazy(
    _NOT_AFTER + r"(?:mr|mrs|ms|miss|dr|prof|professor|doctor|officer|captain|detective|inspector"
    r"|sergeant|coach|saint|sir|lady|lord)\.?\s+(?P<name>[a-z][a-z\-]{1,20})\b",
    re.I,
)
"""An honorific and a name: "mr okafor", "dr patel"."""
_KIN_TITLE_RE = lazy(
    _NOT_AFTER + r"(?:grandma|grandpa|granny|gran|grandad|granddad|grandmother|grandfather|nana"
    r"|nan|nanna|auntie|aunty|aunt|uncle|nonna|nonno|abuela|abuelo|baba|babushka|cousin)"
    r"\s+(?P<name>[a-z][a-z\-]{1,20})\b" + _FOLLOWS,
    re.I,
)
"""A family word used as a title: "grandma bea, jojos gran", "uncle bert who ..."."""
_PERSON_WORDS = "|".join(sorted(PEOPLE | ROLES | KIN | ANIMALS, key=len, reverse=True))
_NAME_FIRST_RE = lazy(
    r"^(?P<lead>\W*(?:(?:and|so|oh|then|ok(?:ay)?|also)\b[,\s]+)*)(?P<name>[a-z][a-z\-]{1,20}),\s+"
    rf"(?:the|an?|his|her|their|my|our)\s+(?:[a-z\-]+\s+){{0,2}}(?:{_PERSON_WORDS})s?\b",
    re.I,
)
"""A name first, then who it is: "ada, the girl who owns her, eight years old, ..."."""
_LISTED_RE = lazy(
    r"(?:^|[:;.]\s*|\band\s+)(?P<name>[a-z][a-z\-]{1,20})\s+the\s+(?:[a-z\-]+\s+)?"
    rf"(?:{_PERSON_WORDS}|postie|dj|mc)\b",
    re.I,
)
"""A name and what they are, list-style: "people: rafi the postie, 20s, ..."."""
_KIN_IS_RE = lazy(
    r"\b(?:my|our|his|her|their|the|your|[a-z]+'?s)\s+(?:[a-z'\-]+\s+)?"
    rf"(?:{_KIN_WORDS}|{_PERSON_WORDS})s?"
    r"\s+(?:is|was|'s)\s+(?:called\s+|named\s+)?(?P<name>[a-z][a-z\-]{1,20})\b"
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:and|who|whos|who's|but|hes|shes|from|upstairs|downstairs"
    r"|across|next)\b)",
    re.I,
)
"""A family word or a role, then the name: "her grandpa is enzo, hes like 70", "his dog was
meg, black and white collie"."""
_THERE_RE = lazy(
    r"\b(?:there'?s|there\s+(?:is|was)|we\s+have|we'?ve\s+got|meet|introducing)\s+"
    r"(?:also\s+|then\s+|old\s+|young\s+|little\s+)?(?P<name>[a-z][a-z\-]{2,20})"
    r"(?=\s+(?:who|whos|who's|aged)\b|\s*,\s*(?:the|an?|his|her|their|my|our|\d|aged)\b)",
    re.I,
)
"""Someone pointed out by name: "and theres kwame who did the tills", "meet rosa, a ..."."""
_LOOK_WORDS = "|".join(
    sorted(
        ("tall", "short", "tiny", "huge", "skinny", "thin", "fat", "big", "little", "old", "young",
         "bald", "blonde", "blond", "ginger", "lanky", "chubby", "stocky", "wiry", "pale"),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_ENTRY_RE = lazy(
    r"(?:(?P<list>(?:people|characters|cast|folks?|regulars|others|lot|crew|team|kids|faces|talent"
    r"|gang|mates|friends|family|band|helpers|workers|persons)\b[^:;.]{0,30}(?::|\s(?:is|are|was|were))"
    r"\s*)"
    r"|;\s*(?:and\s+)?|\band\s+|,\s+(?=[a-z][a-z\-]{2,20}\s*,\s*(?:the|an?)\s))"
    r"(?P<name>[a-z][a-z\-]{2,20})(?=\s*,\s*(?:(?:the|an?|his|her|their|my|our)\s+"
    rf"(?:[a-z\-]+\s+){{0,2}}(?:{_PERSON_WORDS})s?\b|\d{{1,2}}(?:s|ish)?\s*[,;.]|(?:{_LOOK_WORDS})\b)"
    r"|(?(list)\s*[,(]|(?!)))",
    re.I,
)
"""A name in a list of people, known by what follows it: "two more people: priya, the
scorer, 16, ...", "...; kasia, a nurse in her 30s", "and rafi, 20, ..."."""
_LEAD_ROLE_RE = lazy(
    r"\b(?:main|lead|other|second|first|last|new)?\s*(?:character|hero|heroine|villain|bad\s+guy"
    r"|baddie|protagonist|star|antagonist|narrator|good\s+guy)\s+(?:is|was|'s)\s+(?:called\s+)?"
    r"(?P<name>[a-z][a-z\-]{1,20})\b(?=\s*(?:[,.;:!?)]|$)|\s+(?:and|who|whos|who's|but|hes|shes)\b)",
    re.I,
)
"""Who the story is about: "main character is tolu, shes 16", "the villain is gus"."""
_BARE_KIN_IS_RE = lazy(
    rf"(?:^|[.;!?]\s*|\band\s+)(?:{_KIN_WORDS})\s+(?:is|was|'s)\s+(?P<name>[a-z][a-z\-]{{1,20}})\b"
    r"(?=\s*(?:[,.;:!?]|$)|\s+(?:and|who|hes|shes)\b)",
    re.I,
)
"""A family word with no "my" before the name: "mum is rosa, 63, ...", "dad is manny"."""
_CALLED_RE = lazy(
    r"\b(?:called|named|(?:his|her|their|[a-z]+'s)\s+names?\s+(?:is|was)"
    r"|(?:his|her|their|[a-z]+'s)\s+name's)"
    r"\s+(?P<name>[a-z][a-z\-]{1,20})(?:\s+(?P<second>[a-z][a-z\-]{1,20}))?\b",
    re.I,
)


_CALLED_ROLE_RE = lazy(
    r"\b(?:called|calls?\s+(?:him|her|them)|known\s+as)\s+the\s+(?P<name>"
    + "|".join(sorted(ROLES | TITLES.keys(), key=len, reverse=True))
    + r")\b",
    re.I,
)
"""A role said as a name: "everyone called the major" -> "the Major"."""
_LETTER_RE = lazy(
    r"\b(?P<title>mr|mrs|ms|miss|nurse|dr|uncle|auntie)\s+(?P<name>[a-z])\b(?!')", re.I
)
"""A title and one letter: "mrs b" -> "Mrs B"."""
_NICKNAME_RE = lazy(
    r"(?:^|,\s*|\band\s+)(?:big|little|old|young|wee|mad|tall|fat|skinny|lanky)\s+"
    r"(?P<name>[a-z][a-z\-]{2,20})(?=\s*,)",
    re.I,
)
"""A name with the word everyone says before it: "the bloke from the chippy, big dave, ..."."""
_ME_RE = lazy(
    r"\b(?:i\s+was|i'?m|i\s+am|me,?\s+i\s+was|my\s+name\s+(?:is|was|'s))\s+(?:called\s+)?"
    r"(?P<name>[a-z][a-z\-]{2,20})(?=\s*(?:[,.;:!?)]|$)|\s+(?:back\s+then|then|btw|by\s+the\s+way"
    r"|and|but|obviously)\b)",
    re.I,
)
"""The narrator's own name: "me, i was danny back then", "im sandra, his mum"."""


def could_be_name(word: str) -> bool:
    """Is this lower-case word free to be a name (not English where a name would stand)?"""
    w = word.lower()
    if w in _ENGLISH or w in _TABLES or len(w) < 3 or _NUMBER_WORD_RE.fullmatch(w):
        return False
    if w.endswith(("ly", "ing", "ed")) and len(w) > 5:
        return False
    return base_form(w) is None


def capitalize_names(text: str, known: list[str]) -> str:
    """`text` with names typed in lower case given their capitals (see the module)."""

    def cap(word: str) -> str:
        return "-".join(p[:1].upper() + p[1:] for p in word.split("-"))

    def called(m: re.Match[str]) -> str:
        name, second = m.group("name"), m.group("second")
        if not could_be_name(name):
            return m.group(0)
        out = m.group(0)[: m.start("name") - m.start()] + cap(name)
        if second:
            rest = m.group(0)[m.end("name") - m.start() :]
            if second.lower() in PLACES:  # "a country house called ashcombe hall"
                rest = rest.replace(second, cap(second), 1)
            out += rest
        return out

    def titled(m: re.Match[str]) -> str:
        """The name group capitalised, unless it is English or the word after it (a `verb`
        group, where the pattern has one) is not a verb: "the knight marionettes on"."""
        name = m.group("name")
        verb = m.group("verb") if "verb" in m.re.groupindex else None
        if name[0].isupper() or not could_be_name(name) or (verb and base_form(verb) is None):
            return m.group(0)
        start, end = m.start("name") - m.start(), m.end("name") - m.start()
        return m.group(0)[:start] + cap(name) + m.group(0)[end:]

    for name in known:
        for word in name.split():
            low = word.lower()
            if len(low) < 3 or low in _TABLES or low in _ENGLISH or word == low:
                continue
            text = re.sub(
                rf"(?<![\w@'])(?<!\ba\s)(?<!\bthe\s)(?<!\bso\s)(?<!\bvery\s){re.escape(low)}\b",
                word,
                text,
            )
            text = re.sub(  # "earls grandson tyler": Earl's
                rf"(?<![\w@']){re.escape(low)}s(?=\s+(?:[a-z]+\s+)?(?:{_KIN_WORDS}|{_PERSON_WORDS})\b)",
                f"{word}'s",
                text,
                flags=re.I,
            )
    text = _NAME_FIRST_RE.sub(titled, text)
    text = _THERE_RE.sub(titled, text)
    text = _ENTRY_RE.sub(titled, text)
    text = _LISTED_RE.sub(titled, text)
    text = _TITLE_RE.sub(titled, text)
    text = _KIN_TITLE_RE.sub(titled, text)
    text = _AFTER_KIN_RE.sub(titled, text)
    text = _KIN_IS_RE.sub(titled, text)
    text = _BARE_KIN_IS_RE.sub(titled, text)
    text = _LEAD_ROLE_RE.sub(titled, text)
    text = _CALLED_RE.sub(called, text)
    text = _NICKNAME_RE.sub(titled, text)
    text = _ME_RE.sub(titled, text)
    text = _CALLED_ROLE_RE.sub(
        lambda m: m.group(0)[: -len(m.group("name"))] + cap(m.group("name")), text
    )
    text = re.sub(
        r"\b(mr|mrs|ms|miss|dr)\b(?=\.?\s+[A-Z])", lambda m: cap(m.group(1)), text, flags=re.I
    )
    text = _LETTER_RE.sub(lambda m: f"{cap(m.group('title'))} {m.group('name').upper()}", text)
    return text
