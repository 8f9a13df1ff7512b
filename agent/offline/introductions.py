"""Introductions: the everyday shapes in which a person enters the story.

Each reader takes one family of shapes (see the cast module for the list); every one
adds or updates people and returns the sentence with their names in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.agent.offline.camera import camera_fields
from storyreel.agent.offline.cast import (
    _OWNER,
    _YOUNG,
    CAMERA_PROP,
    NeedAnswer,
    PersonInfo,
    _article,
    _descriptive,
    _gender,
    _head,
    _in_table,
    _items,
    _join_description,
    _looks,
    _person_noun,
    _plain_words,
    _same_head,
    _tidy_item,
    _verbish,
)
from storyreel.agent.offline.places import PLACE_IS_RE
from storyreel.agent.offline.text import QUOTE_MARK, lazy, rx
from storyreel.agent.offline.verbs import base_form, has_action
from storyreel.agent.offline.words import (
    ANIMALS,
    BODY,
    CLOTHES,
    COLOURS,
    COMMON,
    GENDER_OF,
    GENERIC_PEOPLE,
    KIN,
    LOOKS,
    NOT_AGENTS,
    NOT_NAMES,
    NUMBERS,
    PEOPLE,
    PLACES,
    ROLES,
    TITLES,
)
from storyreel.tools.edits import AddCharacter, UpdateCharacter, UpdateLocation
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import check_name, handle_of

_WORD = r"[A-Z](?:[^\W\d_]|['\-])+"  # (accented letters too: "Inês")
_LEAD = (
    r"^\s*(?:(?:and|then|now|so|oh|also|well|ok(?:ay)?|yeah|yes|yep|right|plus|um+|uh+)\b[,\s]+)*"
)
_NAME = rf"(?-i:({_WORD}(?:\s+(?:{_WORD}|[A-Z]\b)){{0,2}}))"
_ONE_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|[A-Z]\b)){{0,2}}"
_SEP = r"\s*(?::|,|-|\u2013|\u2014|\bwho\s+is\b|\bwho's\b)\s*"
_CALLED_RE = rx(
    r"\b((?:an?|the|his|her|their|my|our)\s+(?:(?!(?:and|or|with|to|at|in|on)\b)",
    r"[a-z][a-z'\-]*\s+){0,5}?)(?:named|called)\s+",
    _NAME,
    r"(?!')\b",
)


_EXPLAINED = lazy(r",\s*(?:who|while|as|and\s+then|then)\b", re.I)


_IS_RE = rx(
    _LEAD,
    _NAME,
    r"(?:\s+(?:is|was)|'s(?=\s+(?:an?|his|her|their|my|our|the)\s))\s+(?!not\b)",
    r"((?:an?|his|her|their|my|our|(?-i:[A-Z])[a-z]+'s)\s+.+|in\s+(?:her|his|their)\s+\w+ies\b.*",
    r"|\d{1,3}\b.*",
    r"|the\s+(?:[a-z\-']+\s+){0,2}?(?:",
    "|".join(sorted(PEOPLE | ROLES | KIN, key=len, reverse=True)),
    r"|[a-z]{3,}(?:ist|man|woman|eer|ician|er|or))(?:\s*[,:;\-\u2013\u2014].*|[\s.!]*)",
    r"|the\s+(?:[a-z\-']+\s+){1,2}?one\b(?:\s*,.*|\s+(?:with|in|who|wearing)\b.*)?",
    r"|(?:",
    "|".join(sorted(LOOKS | NUMBERS.keys() - {"zero", "one"}, key=len, reverse=True)),
    r")\b(?!\s+(?:at|in|on|to|from|by)\b).*)$",
)


_KIN_SUBJECT_RE = rx(
    _LEAD,
    r"(my|our)\s+((?:[a-z\-]+\s+)?)(",
    "|".join(sorted(KIN, key=len, reverse=True)),
    r")\b(?:,?\s+",
    _NAME,
    r"(?!'),?)?(?=\s+(?-i:[a-z])|\s*\d|\s*$)",
)


_GROUPS = (
    r"(?:people|characters?|cast|persons|players|family|team|crew|passengers|band|gang|squad"
    r"|regulars|guests|kids|children|customers|staff|suspects|friends|neighbou?rs|contestants"
    r"|villagers|line-?up|lineup|cast\s+list|who'?s\s+who|dramatis\s+personae|faces|talent"
    r"|folks?|locals|roles|mates|pals|lot|bunch|besties|buddies|helpers|workers|assistants|persons"
    r"|person|character|apprentices|pupils|students|grandchildren|grandkids|cousins|sisters"
    r"|brothers|siblings|twins|sons|daughters|parents|grandparents|aunties|aunts|uncles|nephews"
    r"|nieces|in-?laws|elders|men|women|boys|girls|lads|ladies|guys|girlfriends|bridesmaids"
    r"|groomsmen|nurses|doctors|soldiers|sailors|fishermen|farmers|dancers|musicians|singers"
    r"|monks|nuns|cooks|chefs|waiters|drivers|riders|climbers|rescuers|volunteers|colleagues"
    r"|co-?workers|classmates|teammates|roommates|flatmates|housemates|animals|dogs|pets"
    r"|passengers|travellers|travelers|tourists|visitors|leads|extras|actors|performers)"
)
_COUNTED = (
    r"(?:two|three|four|five|six|seven|eight|2|3|4|5|6|7|8|a\s+couple\s+of|a\s+few|several)\s+"
    r"(?:[a-z\-]+\s+)?[a-z\-]{3,}(?<!ss)s"
)
"""People counted before a list ("two lodgers", "three old regulars"): a plural noun after
a number heads a list as a group word does."""
_HEADER = (
    r"^\s*(?:(?:then|and|now|so|next|also)\s+)*(?:(?:on\s+|for\s+)?(?:this|that|each|every)\s+"
    r"(?:trip|time|day|year|summer|winter|journey|run|crossing|night|morning|season|shift|week)"
    r"\s*,?\s+)?(?:(?:the|our|my|his|her|their|here\s+are\s+the"
    r"|there\s+are|[\w'\-]+\s+(?:has|had|have)(?:\s+got)?|adding|add"
    r"|(?:kindly|please)\s+add\s+the\s+following"
    rf"|add\s+the\s+following)\s+)?(?:(?:\w+\s+){{0,2}}(?:main\s+)?{_GROUPS}"
    rf"|{_COUNTED}(?=\s*[:\-\u2013\u2014]))"
)
_LIST_HEAD_RE = rx(
    _HEADER,
    r"(?:\s+(?:today|tonight|here|this\s+time|so\s+far|on\s+board|aboard))?",
    r"(?:\s+(?:for|in|of)\s+(?:the\s+|this\s+)?[a-z ]{1,40}?)?",
    r"(?:\s+(?:are|is|include|in\s+this))?(?:\s+[a-z][^:.;!?\n]{0,40}?(?=\s*:))?",
    r"\s*(?::|-|\u2013|\u2014|\bare\b|(?<=\bis)\s|(?<=\bwas)\s)",
    r"\s*(.+)$",
)
_MORE_HEAD_RE = rx(
    r"^\s*(?:(?:and|so|oh)\s+)?(?:(?:also|plus|and\s+also)(?:\s+(?:in\s+(?:this|it|the\s+\w+)",
    r"|starring|featuring|appearing))?\s*(?::|-|\u2013|\u2014)|(?:also\s+)?(?:starring|featuring)",
    r"\b:?)\s*(.+)$",
)
"""More people for the cast: "Also in this: DOUGIE, ...", "Plus: ...", "Featuring ..."."""
_HEADER_ALONE_RE = rx(_HEADER, r"\s*[:.\-\u2013\u2014]?\s*$")
_ENTRY_RE = lazy(
    r"^(?:(?i:and)\s+)?(?:(?:little|young|baby|wee|tiny|big|dear|poor|sweet|cousin)\s+)?(?P<pre>(?:(?i:the|his|her|their|my|our|an?|two|three|four|both)"
    r"|[A-Z][a-z]+'s)\s+(?:[a-z][a-z\-']*\s+){1,4}?"
    rf"(?=[A-Z]))?(?:(?i:the)\s+)?(?P<name>{_WORD}(?:\s+(?:{_WORD}|[A-Z]\b)){{0,2}})(?!')"
    r"\s*(?:\((?P<paren>[^)]*)\))?\s*(?:(?::|-|\u2013|\u2014)\s*(?P<colon>.*)"
    r"|\s+(?P<tail>(?i:who|with|in|wearing|aged|dressed|always|from|the)\b.*))?$"
)
_THERE_IS_RE = rx(
    _LEAD,
    r"(?:there'?s|theres|there\s+is|there\s+was|there\s+are|there\s+were|we\s+have|we'?ve\s+got",
    r"|we\s+also\s+have)\s+(?:also\s+|then\s+)?(.+)$",
)
_BELONGS_RE = rx(
    _LEAD,
    r"(?:he|she|it|they)\s+(?:belongs?|belonged|lives?|lived|works?|worked)\s+(?:to|with|for)\s+",
    r"(.+)$",
)
_BE = r"(?:'s|'re|\s+is|\s+was|\s+were|\s+are)"
_KIN_WEARS_RE = rx(
    _LEAD,
    r"(his|her|their|my|our)\s+((?:[a-z\-]+\s+)?)(",
    "|".join(sorted(KIN, key=len, reverse=True)),
    r")\s+(?:(?:always|usually|often|also|now)\s+)?(?:wears|wore|is\s+wearing|was\s+wearing",
    r"|is\s+dressed\s+in|was\s+dressed\s+in|has\s+on)\s+(.+)$",
)
_GROUP_WORDS = {"couple", "pair", "twins", "brothers", "sisters", "siblings", "parents",
                "kids", "children", "friends", "sweethearts", "newlyweds", "girls", "boys",
                "men", "women", "ladies", "lads", "guys", "cousins", "grandparents"}  # fmt: skip


@dataclass
class _Entry:
    """One person of a list: the name as written, a descriptor said before it ("their
    grandmother"), what is said after it, its comma group and whether it is one of several
    the descriptor is about ("an old couple, Hans and Greta")."""

    name: str
    pre: str
    said: list[str]
    group: int
    plural: bool


def _someone(phrase: str) -> bool:
    """Is this phrase a kind of person ("their grandmother", "a teenage girl", "an old
    couple", "the pianist")?"""
    words = _plain_words(phrase)
    lead = {"a", "an", "the", "his", "her", "their", "my", "our", "two", "three", "four", "both"}
    owner = re.match(r"\s*(?-i:[A-Z])[a-z]+'s\s", phrase) is not None  # "Priya's little brother"
    if not words or len(words) > 5 or (words[0] not in lead and not owner):
        return False
    if words[-1] in NOT_AGENTS or len(words) < 3:
        return _person_noun(words[-1]) or words[-1] in _GROUP_WORDS
    doer = re.fullmatch(r"[a-z]{3,}(?:er|or)", words[-1])  # "the trumpet player"
    return _person_noun(words[-1]) or words[-1] in _GROUP_WORDS or bool(doer)


def _plural(pre: str) -> bool:
    """Is a descriptor about several people ("an old couple", "the twins")?"""
    words = _plain_words(pre)
    return bool(words) and words[-1] in _GROUP_WORDS


def _narrator(phrase: str) -> str:
    """ "me when i was little" -> "the narrator as a child"; "" when not about "me"."""
    if not re.match(r"(?:me|myself)\b", phrase, re.I):
        return ""
    young = re.search(r"\b(?:little|young|small|a\s+kid|a\s+child|a\s+girl|a\s+boy)\b", phrase)
    return "the narrator as a child" if young else "the narrator"


_PROP = CAMERA_PROP


def _list_piece(piece: str) -> bool:
    """In a list of people, is this piece description rather than an action? "lightweight",
    "sharing a flask of coffee", "who walks with a cane", "reading glasses on a chain" are;
    "walks to the door", "then he leaves" are not."""
    words = _plain_words(piece)
    if not words or len(words) > 16 or QUOTE_MARK.search(piece):
        return False
    framing = rf"\b(?:shot|camera{_PROP}|close[\s-]*up|cut\s+to)\b|^(?:and\s+)?then\b"
    if re.search(framing, piece, re.I):
        return False
    first = words[0]
    if first in ("he", "she", "they", "he's", "she's", "they're"):
        return bool(re.match(rf"(?:he|she|they){_BE}\s", piece, re.I))
    if first in (
        "who",
        "that",
        "with",
        "in",
        "wearing",
        "always",
        "usually",
        "never",
        "still",
        "about",
        "around",
        "aged",
        "maybe",
        "probably",
        "really",
        "very",
        "quite",
    ):
        return True
    if first.endswith(("ing", "ed")):
        return True  # "sharing a flask", "broken nose"
    base = base_form(first)
    following = words[1] if len(words) > 1 else ""
    determiner = {"a", "an", "the", "his", "her", "their", "my", "at", "to", "into", "on", "up"}
    if base is None or (base == first and bool(following) and following not in determiner):
        return True
    return _habitual(piece) and len(words) > 1  # "rides a quad bike", "runs the bun stall"


def _apposition(piece: str) -> bool:
    """Is this what someone is, said after their name ("the cosmonaut", "an old sailor",
    "the sensible one"), not a line ("The boat is gone.")?"""
    return bool(
        re.fullmatch(r"\s*(?:the|an?)\s+[\w'\- ]{1,40}?[\s.]*", piece, re.I)
        and not re.search(
            r"\b(?:is|are|was|were|will|can|could|has|have|had|do|does|did|won'?t|isn'?t|must)\b"
            r"|'s\s+(?:gone|here|there|coming|going)",
            piece,
            re.I,
        )
    )


def _pronoun_said(said: list[str]) -> tuple[list[str], str | None]:
    """ "she's nine" -> "nine", and the gender the pronoun gives."""
    out, gender = [], None
    for piece in said:
        m = re.match(rf"(she|he|they){_BE}\s+", piece, re.I)
        if m:
            gender = gender or GENDER_OF.get(m.group(1).lower())
            piece = piece[m.end() :]
        piece = re.sub(r"^got\s+", "has ", re.sub(_FILLER_LEAD, "", piece, flags=re.I))
        out.append(piece)
    return out, gender


def _child_age(description: str) -> bool:
    """Does a description give a child's age ("nine", "12", "about seven")?"""
    for word in _plain_words(description):
        age = NUMBERS.get(word) if word in NUMBERS else int(word) if word.isdigit() else None
        if age is not None and 0 < age < 18:
            return True
    return False


_RELATIVE_RE = rx(r"\s+(?:that'?s|thats|that\s+is|which\s+is|which'?s)\b.*$")
"""A clause about a thing someone wears: "a bee suit thats way too big for him"."""
_INTRODUCE_RE = rx(
    r"^\W*(?:(?:and|so|now|ok(?:ay)?|next)\b[,\s]*)*(?:let'?s\s+|i'?d\s+like\s+to\s+)?",
    r"(?:introduce|introducing|meet|enter|new\s+(?:character|person))\s*:?\s+(?=[A-Z]\w*\s*[:,\-\u2013\u2014])",
)
"""An introduction said as one: "Introduce Greta: a sunburnt Dutch backpacker, ..."."""
_WHO_PIECE_RE = rx(r"(?:the|an?)\s+(?:[\w\-]+\s+){0,2}?([\w\-]+)\s+(?:who|that)\b")
"""Who someone is, with a clause about them: "the girl who owns her"."""
_WEARS_HABIT_RE = rx(
    r"(?:(?:always|usually|often|still)\s+)?(?:wears|wore|is\s+always\s+in|lives\s+in)\s+",
    r"(.+?)(?:\s+(?:everywhere|all\s+the\s+time|every\s+day|always|constantly))?",
)
"""A habit of dress said after a name: "wears overalls everywhere"."""
_HE_S_RE = lazy(r"\b([Hh]e|[Ss]he)s\b")
_THERE_CALLED_RE = rx(
    _LEAD,
    r"(?:there'?s|theres|there\s+is|there\s+was|here'?s|we\s+(?:also\s+)?have|we'?ve\s+got)\s+",
    r"(?:also\s+)?((?:this|that|an?|the|one)\s+(?:[a-z\-]+\s+){0,2}?[a-z]+)\b[^,:;.]{0,40}?\s+",
    r"(?:called|named|known\s+as)\s+",
    rf"(?={_ONE_NAME}\s*(?:[,:;.\-\u2013\u2014]|$))",
)
"""Someone there, named at the end of the phrase: "theres this man on the 12th floor called
Sticks, hes like 60" (not "there's a dog called Rex chasing the ball": a shot)."""
_NAME_AFTER_RE = rx(
    _LEAD,
    r"(?:(?:there'?s|theres|there\s+is|there\s+was|here'?s|this\s+is|that'?s)\s+)?",
    r"((?:my|our|his|her|their|the|an?)\s+(?:[a-z\-]+\s+){0,3}?[a-z]+)\s*[,:\-\u2013\u2014]?\s*",
    r"(?:(?:and\s+)?(?:his|her|their)\s+name(?:'s|\s+is|\s+was)|who(?:'s|\s+is|\s+was)\s+",
    r"(?:called|named))\s+(?=[A-Z])",
)
"""A person whose name comes after them: "theres my grandma, her name was Rosa, ...",
"my uncle who was called Bert" (read as "my grandma is called Rosa, ...")."""
"""Chat spelling: "hes a chubby kid" is "he's a chubby kid"."""
_TAIL_RE = rx(
    r"(?:\s*,\s*(?:and\s+|but\s+)?|\s+(?:and|but)\s+)(?=(?:he|she)(?:'s|\s+is|\s+was|\s+has|\s+had",
    r"|\s+(?:always|usually|often|also|still)|\s+wears|\s+wore|\s+looks|\s+got",
    r"|\s+(?:runs|works|lives|sells|owns|keeps|drives|manages|teaches|plays|sings|cooks))\b)",
)
"""Where a clause goes on about someone just named: "..., hes a chubby kid", "... and she
always wears a mustard cardigan"."""
_MOTION = (
    r"\b(?:then|now|suddenly|into|onto|towards?|across|through|out\s+of|away|up|down|back|off"
    r"|to\s+(?:the|a|an|his|her|their)|at\s+(?:the|a|an|his|her|their)\s+\w+$)\b"
)
_FILLER_LEAD = r"^(?:(?:like|kinda|kind\s+of|sort\s+of|basically|just|really)\s+)+"
_HAVE_LEAD_RE = rx(
    r"^(?:(?:always|usually|often|also|still)\s+)?(?:'s\s+got|has\s+got|had\s+got|have\s+got",
    r"|'ve\s+got|has|had|have|got)\s+(.+)$",
)
_WEARING_LEAD_RE = rx(
    r"^(?:(?:always|usually|often|also|still|never)\s+)?(?:wears|wore|wear|is\s+wearing",
    r"|was\s+wearing|has\s+on|had\s+on|(?:'s|is|was|were)\s+(?:always\s+|usually\s+)?",
    r"(?:in|dressed\s+in))\s+(.+)$",
)


_HABIT_WORDS_RE = rx(
    r"\b(?:all\s+(?:day|night|week|year|summer|winter)(?:\s+long)?|every\s+(?:single\s+)?(?:day",
    r"|morning|night|evening|week|weekend|summer|winter|year|time|(?:mon|tues|wednes|thurs|fri",
    r"|satur|sun)day)|all\s+the\s+time|everywhere|for\s+a\s+living|for\s+(?:\w+\s+)?years",
    r"|day\s+and\s+night|(?:on|at)\s+weekends|whenever|never|always|usually|still)\b",
)
"""Words that make a clause a habit, not an action in a shot ("... all day", "every
saturday")."""


def _habitual(piece: str) -> bool:
    """Is this a habit that describes someone ("laughs at everything", "rides a quad bike",
    "runs the pepper bun stall"), not an action in a shot ("walks to the door", "then
    looks up")?"""
    words = _plain_words(piece)
    habit = _HABIT_WORDS_RE.search(piece)  # "carries a tray of simit on his head all day"
    if not words or len(words) > (16 if habit else 8) or QUOTE_MARK.search(piece):
        return False
    framing = rf"\b(?:shot|camera\b{_PROP}|close)"
    if (not habit and re.search(_MOTION, piece, re.I)) or re.search(framing, piece, re.I):
        return False  # ("walks to the shop every day" is a habit)
    first = words[0]
    if first in ("always", "usually", "often", "never", "still"):
        return len(words) > 1 and _verbish(words[1])
    return _verbish(first) and base_form(first) is not None


def _about_pieces(tail: str, strict: bool = False) -> tuple[str, str] | None:
    """What a clause about someone says ("he's 80 and has hardly any teeth and laughs at
    everything, he always wears this faded blue jacket"): (description, wardrobe), or None
    when a piece of it is not about looks, age or habits (an action: "she walks off")."""
    pieces: list[str] = []
    for part in re.split(r"\s*[,;]\s*|\s+(?:and|but)\s+(?=(?:he|she)\b)", tail):
        words = re.split(r"(\s+and\s+)", part)  # "80 and has ... and laughs at everything"
        current = words[0]
        for glue, word in zip(words[1::2], words[2::2], strict=False):
            nxt = (_plain_words(word) or [""])[0]
            if nxt in ("has", "had", "got", "wears", "wore", "always", "never") or (
                _verbish(nxt) and base_form(nxt)
            ):
                pieces.append(current)
                current = word
            else:
                current += f"{glue}{word}"
        pieces.append(current)
    looks, wear = [], []
    for piece in (p.strip(" .!") for p in pieces):
        piece = re.sub(r"^(?:(?:and|but)\s+)?(?:he|she)\b\s*", "", piece, flags=re.I)
        piece = re.sub(_FILLER_LEAD, "", piece, flags=re.I)
        if not piece:
            continue
        if m := _WEARING_LEAD_RE.match(piece):
            wear.append(_tidy_item(m.group(1)))
            continue
        if m := _HAVE_LEAD_RE.match(piece):
            said = re.sub(_FILLER_LEAD, "", m.group(1), flags=re.I)
            if _descriptive(said) or not re.search(_MOTION, said, re.I):
                looks.append(said)
                continue
            return None
        piece = re.sub(r"^(?:'s|is|was|looks|looked)\s+", "", piece, flags=re.I)
        piece = re.sub(_FILLER_LEAD, "", piece, flags=re.I)
        habit = _habitual(piece) and not strict  # "then ..., hes 2, crawls over": an action
        if _descriptive(piece) or re.match(r"(?:an?|the)\s", piece, re.I) or habit:
            looks.append(piece)
            continue
        return None
    description, wardrobe = _looks(", ".join(looks))
    wardrobe = " and ".join(w for w in [wardrobe, *wear] if w)
    return (description, wardrobe) if description or wardrobe else None


_MY_NAME_RE = rx(
    r"(?:^|,\s*|\s+and\s+|\s+but\s+|^\s*(?:and|so|oh|well|ok(?:ay)?|hi|hello|hey)\s+)(?:my\s+name(?:'s|\s+is|\s+was)",
    r"|i(?:'m|\s+am|\s+was)\s+(?:called|named)|(?:me,?\s+)?i(?:'m|m|\s+am|\s+was)(?=\s+(?-i:[A-Z])))\s+",
    _NAME,
    r"(?!')\b",
)
"""The narrator names themself: "and me, i was like 9, my name is Lily and i had ..."."""
_USER_TALK = (
    r"\b(?:want|wanna|would\s+like|i'd\s+like|make|making|film|movie|video|story|help|need"
    r"|trying|project|app|tool|shots?|scene)\b"
)
_FIRST_PERSON = (
    (r"\bi'm\b", "he's"),
    (r"\bi\s+am\b", "he is"),
    (r"\bi've\s+got\b", "he has"),
    (r"\bi\s+(?=was|had|have|wore|wear|always|usually|still|got)\b", "he "),
)


_MEET_ALONE_RE = rx(r"^\s*(?:meet|introducing|say\s+hello\s+to|we\s+meet)\s+", _NAME, r"\W*$")


_MEET_RE = rx(
    r"^\s*(?:meet|introducing|this\s+is|here'?s|say\s+hello\s+to|we\s+meet)\s+",
    _NAME,
    rf"{_SEP}(.+)$",
)


_APPOSED_NAME_RE = lazy(
    rf"(?<![\w'])((?i:an?|the)\s+(?:(?!(?i:and|or|but|then)\b)[^,;.:()\u2013\u2014]){{1,60}}?)"
    rf"\s*,\s*({_ONE_NAME})(?!')"
    r"(?=\s*[,(\u2013\u2014]|\s+-\s|\s*$|\s+(?-i:[a-z]))"
)
"""Someone described, then named between commas: "A girl of about eight, NELL, in a ..."."""
_NAME_RE = lazy(rf"(?<![\w@'\-]){_WORD}(?:\s+(?:{_WORD}|[A-Z]\b)){{0,2}}")


_ROLE_ALONE_RE = rx(
    r"^\W*(?:(?:(?:new|another)\s+(?:character|person|cast\s+member|face)|one\s+more",
    r"(?:\s+person)?|also|plus|and\s+(?:also\s+)?|then\s+there'?s|there'?s\s+also|introducing",
    r"|meet)\s*[:,\-\u2013\u2014]?\s*)?(?:the|our)\s+([A-Za-z][\w-]+)\W*$",
)
"""Someone added by their role alone: "One more: the Bosun."."""
_NAMED_AS_RE = rx(
    _LEAD,
    r"(?:(he|she|they)(?:'s|\s+is|\s+was|\s+were)\s+(?:called|named)",
    r"|(his|her|their)\s+name(?:'s|s|\s+is|\s+was)",
    r"|((?:(?:my|our|his|her|their|the)\s+)?(?:[a-z\-]+\s+)?[a-z]+",
    r"(?:\s+(?:on|at|in|behind|from|of|with)\s+(?:the\s+|an?\s+)?(?:[a-z]+\s+)?[a-z]+)?)",
    r"(?:'s\s+name)?(?:'s|\s+is|\s+was)(?:\s+(?:called|named))?)\s+",
    _NAME,
    r"(?!')(?:\s+(?:from|of)\s+[^,:.;]{1,30}?(?=\s*[,:.;]|$))?",
    r"(?:\s*(?:[:,\-\u2013\u2014]|\band\b|(?=\s(?:he|she)(?:'s|s)?\s))\s*(.*?))?[\s.!]*$",
)


_PRONOUN_LOOKS_RE = rx(
    _LEAD,
    r"(he|she)(?:\s+(?:always|usually|often|also))?(?:\s+|(?='s\s))",
    r"(was|is|'s|looked|looks|had|has|wore|wears|was\s+wearing|is\s+wearing)\s+(.+)$",
)


_SEVERAL_RE = lazy(
    rf"(?<![\w'])((?:{_ONE_NAME}\s*,\s*)*{_ONE_NAME},?\s+and\s+{_ONE_NAME})\s*,\s+"
    r"(?i:(?:two|three|four|five|both|all)\s+(?:of\s+them\s+)?)([^,;.]+?)(?=\s*,)"
)


_WEAR_VERB_RE = rx(
    r"^(?:(?:he|she|they)\s+)?(?:(?:always|usually|often|also|now)\s+)*(?:wore|wears|was\s+",
    r"wearing|is\s+wearing|had\s+on|has\s+on|dressed\s+in)\s+(.+)$",
)


_ALWAYS_IN_RE = rx(
    r"^(?:(?:he|she|they)(?:'s|\s+is|\s+was|\s+were)\s+)?(?:always|usually|often|still|forever)",
    r"\s+in\s+(.+)$",
)
_WEARS_RE = rx(
    _LEAD,
    _NAME,
    r"\s+(?:now\s+)?(?:wears|is\s+wearing|is\s+dressed\s+in|changes\s+into",
    r"|has\s+changed\s+into|puts\s+on)\s+(.+)$",
)


_WHO_IS_RE = rx(_LEAD, _NAME, r",\s+who(?:'s|\s+is|\s+was)\s+(.+?)(?:,\s*(.*))?$")


def _clean_name(raw: str) -> str | None:
    """ "Then Mara" -> "Mara"; None when no usable name is left."""
    found = _person_name(raw)
    return found[0] if found else None


def _person_name(raw: str) -> tuple[str, str] | None:
    """A usable person's name from the capitalised words a sentence gave, and what a title in
    front of it says: "Then Mara" -> ("Mara", ""); "Dr Patel" -> ("Patel", "a doctor");
    "OLD TOM" -> ("Tom", "old"); "Nurse B" -> ("Nurse B", "a nurse"); "the Captain" ->
    ("Captain", "a captain"). None when the words are not a name ("Wide", "Then", a place)."""
    words = [w.capitalize() if w.isupper() and len(w) > 1 else w for w in raw.split()]
    words = [  # a word after a title is a name, however common ("Auntie Sun", "Mr Brown")
        w
        for i, w in enumerate(words)
        if w.lower() not in COMMON
        or w.lower() in TITLES
        or (i and words[i - 1].lower().rstrip(".") in TITLES and w[:1].isupper())
    ]
    if any(w.endswith(("'s", "s'")) for w in words):
        if raw.isupper() and len(words) > 1 and _person_noun(words[-1]):
            return words[-1], f"the {' '.join(words).lower()}"  # "THE BAKER'S BOY"
        return None
    title, titled = "", False
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        if len(words[1]) == 1:  # "Nurse B": the title is the name
            title = TITLES[words[0].lower().rstrip(".")]
            break
        title, titled = TITLES[words.pop(0).lower().rstrip(".")], True
    words = [w for w in words if w.lower() not in COMMON or len(words) == 1]
    if not words or (len(words) == 1 and words[0].lower() in COMMON and not titled):
        return None
    lower = [w.lower() for w in words]
    parts = {p for w in lower for p in (w, w.replace("-", ""), *w.split("-"))}
    if parts & NOT_NAMES or " ".join(lower) in PLACES:
        return None
    if len(lower) > 1 and lower[-1] in PLACES and not title:
        return None  # "Harcourt House", "Rose Cottage": a place's name
    if any(p in COMMON for w in lower if "-" in w for p in w.split("-")):
        return None  # "OVER-THE-SHOULDER", "CLOSE-UP": camera words, not "Mary-Jane"
    if (
        len(words) == 1
        and not titled
        and (lower[0] in PLACES | CLOTHES | BODY | COLOURS | NUMBERS.keys() | GENERIC_PEOPLE)
    ):
        return None  # "Woman, 60s, navy uniform": who someone is, not their name
    if len(words) == 1 and lower[0] in TITLES and not title:
        title = TITLES[lower[0]] if TITLES[lower[0]].startswith(("a ", "an ")) else ""
    try:
        return check_name(" ".join(words), "character"), title
    except StoryreelError:
        return None


class IntroductionMixin:
    """The introductions side of a Turn."""

    # --- introductions -----------------------------------------------------------------

    def _introductions(self, text: str) -> tuple[str, bool]:
        """Add or update the people a clause introduces; return what is left of it (with the
        people named, so the shot it may describe has them) and whether anyone was added.
        A clause that goes on about someone just named ("my grandpa Zhou, hes 80 and ...,
        he always wears this faded blue jacket") adds that to their looks."""
        text = _HE_S_RE.sub(lambda m: f"{m.group(1)}'s", text)
        if m := _NAME_AFTER_RE.match(text) or _THERE_CALLED_RE.match(text):
            who = re.sub(r"^(?:this|that)\b", "a", m.group(1), flags=re.I)  # "theres this man"
            text = f"{who} is called {text[m.end() :]}"
        if m := _INTRODUCE_RE.match(text):  # "Introduce Greta: a sunburnt ..."
            rest = re.sub(r"^(\w+)\s*[:,\-\u2013\u2014]\s*", r"\1, ", text[m.end() :], count=1)
            text = f"New character: {rest}"
        whole = (_NAMED_AS_RE, _BELONGS_RE, _PRONOUN_LOOKS_RE, _THERE_IS_RE, _KIN_WEARS_RE)
        tail = _TAIL_RE.search(text)
        if not tail or tail.start() == 0 or any(p.match(text) for p in whole):
            return self._introduction(text)
        cue = re.match(r"\W*(?:and\s+)?(?:then|next|after\s+that|now|cut\s+to)\b", text, re.I)
        about = _about_pieces(self._restore(text[tail.end() :]), strict=bool(cue))
        if about is None:
            return self._introduction(text)
        before = len(self.edits)
        head = text[: tail.start()]
        left, introduced = self._introduction(head)
        who = self._tail_person(head, before, text[tail.end() :]) if introduced else None
        if who is None:
            return (f"{left}{text[tail.start() :]}" if left.strip() else left), introduced
        self._describe_new(who, *about)
        return left, True

    def _tail_person(self, head: str, before: int, tail: str) -> str | None:
        """Whom "he"/"she" at the start of `tail` means: of the people `head` adds or
        describes (the edits after `before`), else of those it names, the last one named
        whom the pronoun fits; None when nobody fits."""
        added = [
            e.name for e in self.edits[before:] if isinstance(e, AddCharacter | UpdateCharacter)
        ]
        try:
            named = self._names_in(head)
        except NeedAnswer:
            named = []
        kind = GENDER_OF.get(tail.split()[0].lower().split("'")[0])

        def gender(name: str) -> str | None:  # "her best friend" says nothing of the friend
            person = self.people[handle_of(name)]
            said = f"{person.description} {person.wardrobe}"
            return _gender(re.sub(r"\b(?:his|her|their)\b", " ", said, flags=re.I))

        for group in (added, named):
            fit = [n for n in group if handle_of(n) in self.people and gender(n) in (kind, None)]
            if fit:
                return max(fit, key=lambda n: head.lower().rfind(n.lower()))
        return None

    def _describe_new(self, name: str, description: str, wardrobe: str) -> None:
        """More about someone: added to their AddCharacter when this message adds them, else
        to their looks."""
        for index, edit in enumerate(self.edits):
            if isinstance(edit, AddCharacter) and edit.name == name:
                person = self.people[handle_of(name)]
                base = "" if edit.description in ("a person",) else edit.description
                person.description = _join_description(base, description) or edit.description
                person.wardrobe = " and ".join(w for w in (edit.wardrobe, wardrobe) if w)
                self.edits[index] = edit.model_copy(
                    update={"description": person.description, "wardrobe": person.wardrobe}
                )
                return
        self._add_looks(name, description, wardrobe)

    def _introduction(self, text: str) -> tuple[str, bool]:
        """`_introductions` for one clause without a clause about someone after it."""
        place = PLACE_IS_RE.match(text)
        if place and handle_of(place.group(1)) in self.places:
            known = self.places[handle_of(place.group(1))]
            description = self._restore(place.group(2)).strip(" .")
            self.edits.append(UpdateLocation(name=known.name, description=description))
            self.said.append(f"Updated the {known.name.lower()}.")
            return "", True
        readers = (
            self._role_alone,
            self._narrator_named,
            self._named_as,
            self._listing,
            self._there_is,
            self._belongs_to,
            self._kin_wears,
            self._kin_subject,
            self._pronoun_looks,
        )
        for reader in readers:
            if (got := reader(text)) is not None:
                return got
        if (m := _MEET_ALONE_RE.match(text)) and (name := _clean_name(m.group(1))):
            self._introduce(name, "", "")
            return "", True
        for pattern in (_MEET_RE, _WHO_IS_RE, _IS_RE, _WEARS_RE):
            m = pattern.match(text)
            found = _person_name(m.group(1)) if m else None
            if not (m and found) or (pattern is _IS_RE and not self._is_person(found[0], m)):
                continue
            said = self._restore(m.group(2)).strip(" .")
            if pattern is _WEARS_RE:
                self._introduce(found[0], "", _tidy_item(said))
                return "", True
            said = _EXPLAINED.split(said)[0]
            said = re.split(r"\s+who(?:'s|\s+is|\s+has|\s+had)\s", said)[0]
            description, wardrobe = _looks(self._owned(said))
            self._introduce(found[0], _join_description(found[1], description), wardrobe)
            rest = m.group(3) if pattern is _WHO_IS_RE and m.group(3) else ""
            return (f"{found[0]} {rest}" if rest and not _descriptive(rest) else ""), True
        return self._in_sentence(text)

    def _role_alone(self, text: str) -> tuple[str, bool] | None:
        """ "One more: the Bosun.", "New character: the Purser.": someone known by their role
        and nothing else yet (what they look like may follow)."""
        m = _ROLE_ALONE_RE.match(text)
        if not m or not (_person_noun(m.group(1)) or m.group(1).lower() in ROLES):
            return None
        if not (m.group(1)[0].isupper() or re.match(r"\W*\w", text[: m.start(1)].strip())):
            return None  # "the postman." alone: a shot of him, unless said as a name
        name = m.group(1).capitalize()
        if handle_of(name) in self.people or handle_of(name) in self.places:
            return None
        self._introduce(name, "", "")
        return "", True

    def _narrator_named(self, text: str) -> tuple[str, bool] | None:
        """The narrator as a character: "and me, i was like 9, my name is Lily and i had a
        pink puffy coat and bangs" adds Lily, "the narrator", 9, bangs, a pink puffy coat;
        "me" means Lily from then on. What the sentence says besides looks is left."""
        m = _MY_NAME_RE.search(text)
        found = _person_name(m.group(1)) if m else None
        if not (m and found):
            return None
        rest = f"{text[: m.start()]}, {text[m.end() :]}"
        said, kept = [], []
        for piece in re.split(r"\s*[,;]\s*|\s+(?:and|but)\s+(?=i\b)", rest):
            piece = re.sub(r"^(?:(?:and|so|oh|well|ok(?:ay)?|but)\b\s*)+", "", piece.strip(" .!"))
            if not piece or re.fullmatch(r"(?:me|myself|that'?s\s+me|this\s+is\s+me)", piece, re.I):
                continue
            third = piece
            for first, person in _FIRST_PERSON:
                third = re.sub(first, person, third, flags=re.I)
            if third != piece and _about_pieces(self._restore(third)) is not None:
                said.append(third)
            else:
                kept.append(piece)
        if any(re.search(_USER_TALK, k, re.I) for k in kept):
            return text, False  # "hi, my name is Sara, i want to make a film": the user
        description, wardrobe = _about_pieces(self._restore(", ".join(said))) or ("", "")
        young = _child_age(description) or set(_plain_words(description)) & _YOUNG
        narrator = "the narrator as a child" if young else "the narrator"
        self._introduce(found[0], _join_description(narrator, description), wardrobe)
        left = ", ".join(kept)
        return (f"{found[0]} {left}" if left and not _descriptive(left) else ""), True

    def _is_person(self, name: str, m: re.Match[str]) -> bool:
        """ "Kestrel is a space station" is a place, "Lena is sixteen" a person."""
        words = _plain_words(m.group(2))[:4]
        if handle_of(name) in self.places:
            return False
        people = CLOTHES | BODY | PEOPLE | ROLES | ANIMALS | KIN | LOOKS
        places = [w for w in words if w in PLACES]
        return not places or any(_in_table(w, people) for w in words[: words.index(places[0])])

    def _named_as(self, text: str) -> tuple[str, bool] | None:
        """ "He's called Old Tom: a fisherman", "She's named Lena, sixteen, ...", "His name is
        Jonas.", "grandpa was called Winston, he was skinny", "her teacher is Mrs Okafor"."""
        m = _NAMED_AS_RE.match(text)
        if not m:
            return None
        subject = (m.group(3) or "").strip()
        if subject and m.group(4).isupper() and text[m.end(3) :].startswith("'"):
            return None  # "THE BAKER'S BOY, 15": a role name, not "the baker is Boy"
        qualifier = ""
        if m3 := re.match(r"(.+?)\s+((?:on|at|in|behind|from|of|with)\s.+)$", subject, re.I):
            subject, qualifier = m3.group(1), m3.group(2)  # "the batsman on strike"
        if subject:
            noun = subject.split()[-1].lower()
            table = KIN | ROLES | ANIMALS | GENERIC_PEOPLE | PEOPLE
            agent = re.fullmatch(r"[a-z]{3,}(?:er|or)", noun) and noun not in NOT_AGENTS
            titled = m.group(4).split()[0].lower().rstrip(".") in TITLES  # "is Mr Lionel"
            person = noun in table or _person_noun(noun) or agent or titled  # "the bowler is Dev"
            if not person or subject.split()[0].lower() in ("this", "that", "it"):
                return None
        found = _person_name(m.group(4))
        named = re.search(r"\bname(?:'s|\s+is|\s+was)\s*$", text[: m.start(4)], re.I)
        if not found and named and re.fullmatch(r"[A-Z][a-z\-]+", m.group(4)):
            found = (m.group(4), "")  # "The kayaker's name is Fen": a name, though a word too
        if not found:
            return None
        pronoun = (m.group(1) or m.group(2) or "").lower()
        rest = self._restore(m.group(5) or "")
        description, wardrobe = self._said_about(", ".join(p for p in (qualifier, rest) if p))
        gender = GENDER_OF.get(pronoun)
        plain = {"f": "a woman", "m": "a man"}.get(gender or "", "")
        owned = self._owned(subject) if subject else ""
        if owned and not owned.lower().startswith(("a ", "an ", "the ")) and " " not in owned:
            owned = owned.lower()  # "grandpa"
        description = _join_description(owned, found[1], description)
        if gender and _gender(description) is None:
            young = set(_plain_words(description)) & _YOUNG
            plain = {"f": "a girl", "m": "a boy"}[gender] if young else plain
            description = _join_description(plain, description)
        if pronoun and (unnamed := self._unnamed_just_added(pronoun)):
            self._rename_new(unnamed, found[0])
            description = "" if description == plain else description
        self._introduce(found[0], description, wardrobe)
        return "", True

    def _unnamed_just_added(self, pronoun: str) -> str | None:
        """The person "he"/"she" means when it is someone this message added without a name
        ("A fisherman mends his nets. He's called Jonas.": Fisherman becomes Jonas)."""
        groups = self.memo.get("mentions") or []
        last = groups[-1] if groups and isinstance(groups[-1], list) else []
        gender = GENDER_OF.get(pronoun)
        if len(last) != 1 or last[0] not in self.added:
            return None
        person = self.people.get(handle_of(last[0]))
        unnamed = person and person.name.lower() in ROLES | ANIMALS | GENERIC_PEOPLE | KIN
        return last[0] if unnamed and person.gender in (None, gender) else None

    def _rename_new(self, old: str, new: str) -> None:
        """Give someone this message added under a role word ("Fisherman") their name."""
        if handle_of(new) in self.people:
            return
        person = self.people.pop(handle_of(old))
        person.name = new
        self.people[handle_of(new)] = person
        self.added = [new if n == old else n for n in self.added]
        word = rf"\b{re.escape(old)}\b"
        for index, edit in enumerate(self.edits):
            update: dict[str, object] = {}
            if getattr(edit, "name", None) == old and isinstance(
                edit, AddCharacter | UpdateCharacter
            ):
                update["name"] = new
            if old in (getattr(edit, "characters", None) or []):
                update["characters"] = [new if n == old else n for n in edit.characters]
                update["action"] = re.sub(word, new, edit.action)
            if update:
                self.edits[index] = edit.model_copy(update=update)
        for group in self.memo.get("mentions") or []:
            if isinstance(group, list):
                group[:] = [new if n == old else n for n in group]

    def _said_about(self, rest: str) -> tuple[str, str]:
        """What a sentence goes on to say about someone: "he was skinny with a moustache and
        a blue suit", "she was 19, in a yellow dress", "sixteen, always in a yellow raincoat"."""
        looks, wear = [], []
        for piece in re.split(r"\s*,\s*|\s+(?:and|but)\s+(?=(?:he|she|they)\b)", rest):
            piece = piece.strip(" .")
            if m := _WEAR_VERB_RE.match(piece):
                wear.append(_tidy_item(m.group(1)))
                continue
            if (m := _ALWAYS_IN_RE.match(piece)) and any(
                _in_table(w, CLOTHES) for w in _plain_words(m.group(1))
            ):
                wear.append(_tidy_item(m.group(1)))  # "always in his old tweed jacket with ..."
                continue
            piece = re.sub(
                r"^(?:(?:he|she|they)(?:'s|\s+is|\s+was|\s+were|\s+had|\s+has|\s+looked|\s+looks)"
                r"\s+)",
                "",
                piece,
                flags=re.I,
            )
            if role := re.match(
                r"(?:playing|plays|dressed\s+(?:up\s+)?as)\s+(an?\s+[\w\-]+)", piece
            ):
                looks.append(f"playing {role.group(1)}")  # "she's playing a sheep"
            elif piece and (_descriptive(piece) or re.match(r"(?:an?|the)\s", piece, re.I)):
                looks.append(piece)
        description, wardrobe = _looks(", ".join(looks))
        return description, " and ".join(w for w in [wardrobe, *wear] if w)

    def _listing(self, text: str) -> tuple[str, bool] | None:
        """A list of people: "Three people: Ana, a nurse in blue scrubs, Ben, a porter, and
        Carl", "The cast: Mara (30s, red coat) and Tom (old fisherman)", "- Ana: a night
        nurse", "OLD TOM, seventies, white beard, oilskins", "Detective Moss: fifties, ...",
        "THE ARBITER: a bald man ...". A header alone ("Characters.", "The family:") opens a
        list for the rest of the paragraph: "DELE, 19, lightweight, ...", "and their
        grandmother, Hala, who walks with a cane" are its entries."""
        if _HEADER_ALONE_RE.match(text):
            self._open_list()
            return "", True
        head = _LIST_HEAD_RE.match(text) or _MORE_HEAD_RE.match(text)
        body = self._restore(head.group(1) if head else text, "")
        loose = bool(head) or self._list_is_open()
        entries = self._entries(body, loose, known_ok=bool(head) or self._list_is_open())
        if not entries or not (head or len(entries) > 1 or entries[0].said):
            return None
        if head:
            self._open_list()
        self._add_entries(entries)
        return "", True

    def _open_list(self) -> None:
        """A list of people is open for the rest of the paragraph (no shot is made while the
        paragraph only sets up; `setting_up` is reset at each paragraph)."""
        self.list_open = True
        if self.last_new is None:
            self.setting_up = True

    def _list_is_open(self) -> bool:
        """Did a list header ("Characters.", "The family:") open this paragraph?"""
        return bool(getattr(self, "list_open", False) and self.setting_up and self.last_new is None)

    def _entries(self, body: str, loose: bool, known_ok: bool = True) -> list[_Entry] | None:
        """The people of a list and what is said about each, or None when the text is not
        a list of people. `loose`: a piece that is not an action counts as description
        ("lightweight", "sharing a flask of coffee", "who walks with a cane")."""
        protected = re.sub(
            r"\(([^)]*)\)", lambda m: "(" + m.group(1).replace(",", "\ue003") + ")", body
        )
        pieces: list[tuple[str, int, bool]] = []  # (text, comma group, starts a new part)
        for group, segment in enumerate(re.split(r"\s*[,;]\s*", protected.strip(" ."))):
            parts = re.split(rf"\s+and\s+(?=(?:(?i:the)\s+)?{_WORD})", segment)
            for index, part in enumerate(parts):
                part = part.replace("\ue003", ",").strip()
                starts = index > 0 or bool(re.match(r"and\s", part, re.I))
                pieces.append((part, group, starts))
        entries: list[_Entry] = []
        pending = ""
        for index, (piece, group, starts) in enumerate(pieces):
            if not piece or piece.lower() == "and":
                continue
            piece = re.sub(r"\s+(?:too|also|as\s+well)$", "", piece, flags=re.I)
            following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
            role = re.fullmatch(r"(?:and\s+)?the\s+(?:[a-z\-]+\s+)?([A-Za-z\-]+)", piece, re.I)
            after = self._entry(following, loose) if role and not pending else None
            if role and role.group(1).lower() in ROLES and after and after[0].lower() not in ROLES:
                pending = re.sub(r"^and\s+", "", piece, flags=re.I)  # "the DJ, Marcus, a ..."
                continue
            entry = self._entry(piece, loose)
            if (
                entry is None
                and role
                and loose
                and not entries
                and role.group(1).lower() in ROLES - GENERIC_PEOPLE
            ):
                entry = (role.group(1).capitalize(), "", [])  # "the vicar, a young woman ..."
            if entry is not None:
                name, pre, said = entry
                if not entries and (":" in piece or (name.isupper() and len(name) > 2)):
                    loose = True  # "THE ARBITER: a bald man ...", "DELE, 19, ...": a sheet
                if pending:
                    pre = _join_description(pending, pre) if pre and pre != pending else pending
                shared = bool(entries) and entries[-1].group == group and entries[-1].plural
                if shared and not pre:
                    pre = entries[-1].pre
                plural = _plural(pre) or shared
                entries.append(_Entry(name, pre, said, group, plural))
                pending = ""
                if (
                    entries[-1].said
                    and not loose
                    and not all(_descriptive(p) for p in entries[-1].said)
                ):
                    return None
                continue
            plain = re.sub(r"^and\s+", "", piece, flags=re.I)
            plain = re.sub(r"\s+(?:too|also|as\s+well)$", "", plain, flags=re.I)
            following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
            if (
                not pending
                and (not entries or starts)
                and (self._entry(following, loose) is not None)
                and (
                    plain.lower().startswith("me ")
                    or plain.lower() in ("me", "myself")
                    or _someone(plain)
                )
            ):
                pending = _narrator(plain) or plain
                continue
            habit = _HABIT_WORDS_RE.search(plain) and _habitual(plain)  # "... sings all day"
            said = _descriptive(plain) or _apposition(plain) or habit  # "Yara, the ferry cook"
            if entries and (said or (loose and _list_piece(plain))):
                for one in entries:
                    if one is entries[-1] or (one.group == entries[-1].group and one.plural):
                        one.said.append(plain)
                continue
            return None
        if pending or not entries:
            return None
        if not known_ok and any(handle_of(e.name) in self.people for e in entries):
            return None
        return entries

    def _entry(self, piece: str, loose: bool) -> tuple[str, str, list[str]] | None:
        """One list entry: a name, perhaps after a descriptor ("her dad Sami", "a girl
        called Zoe") and before a description ("Mara (30s, red coat)", "THE ARBITER: a bald
        man", "Sami who is really tall"): (raw name, descriptor, what is said)."""
        m = _ENTRY_RE.match(piece.strip())
        if not m or not _person_name(m.group("name")):
            return None
        pre = re.sub(r"\s+(?:called|named)\s*$", "", (m.group("pre") or "").strip())
        if pre and not _someone(pre):
            return None
        said = [p for p in (m.group("paren"), m.group("colon")) if p]
        if m.group("colon") and not (
            _descriptive(m.group("colon")) or _apposition(m.group("colon").split(",")[0])
        ):
            return None  # "JONAS: We sail at dawn." is a line, not a description
        if tail := m.group("tail"):
            tail = re.sub(r"^who(?:'s|\s+is|\s+was)\s+", "", tail, flags=re.I)
            if not (_descriptive(tail) or (loose and _list_piece(tail)) or tail.startswith("who")):
                return None
            said.append(tail)
        return m.group("name"), pre, said

    def _add_entries(self, entries: list[_Entry]) -> None:
        """Add (or describe anew) the people of a list, in order. "his"/"her" in an entry
        is the entry before it when that one fits ("Piet, a cyclist, and Sanne, his sister")."""
        previous: tuple[str, str] | None = None  # (name, what was said of them)
        for entry in entries:
            name, title = _person_name(entry.name) or ("", "")
            said, gender = _pronoun_said(entry.said)
            joined = ", ".join(p for p in (entry.pre, *said) if p)
            own = re.match(r"(his|her)\s+([a-z]+)\b", joined, re.I)
            if own and previous and own.group(2).lower() in KIN | ROLES:
                wanted = GENDER_OF.get(own.group(1).lower())
                if _gender(re.sub(r"\b(?:his|her|their)\b", " ", previous[1])) in (wanted, None):
                    joined = f"{previous[0]}'s {joined[own.start(2) :]}"
            if re.match(r"(?:his|her)\s", joined):
                joined = self._owned(joined)
            previous = (name, ", ".join(p for p in (entry.pre, title, *said) if p))
            description, wardrobe = _looks(joined)
            description = _join_description(title, description)
            if gender and _gender(description) is None:
                young = set(_plain_words(description)) & _YOUNG or _child_age(description)
                plain = {"f": "a girl", "m": "a boy"} if young else {"f": "a woman", "m": "a man"}
                description = _join_description(plain[gender], description)
            self._introduce(name, description, wardrobe)

    def _kin_wears(self, text: str) -> tuple[str, bool] | None:
        """ "his wife wears a purple headscarf": looks for someone known by that kin word,
        else a new person ("Wife", "Emrys's wife")."""
        m = _KIN_WEARS_RE.match(text)
        if not m:
            return None
        said = f"{m.group(1).lower()} {m.group(2)}{m.group(3).lower()}"
        owned = self._owned(said)
        worn = re.split(r"\s*,\s*|\s+(?:and|as|while|then|but)\s+(?=\w+s\b|then)", m.group(4))
        wardrobe = _tidy_item(self._restore(worn[0]))
        if not any(_in_table(w, CLOTHES) for w in _plain_words(wardrobe)):
            return None
        rest = m.group(4)[len(worn[0]) :].strip(" ,")
        known = next(
            (
                p.name
                for p in self.people.values()
                if owned.lower() in p.description.lower() or said in p.description.lower()
            ),
            None,
        )
        if known:
            self._add_looks(known, "", wardrobe)
            name = known
        else:
            name = m.group(3).capitalize()
            if handle_of(name) in self.people:
                return None
            self._introduce(name, owned, wardrobe)
        rest = re.sub(r"^(?:and|as|while|but)\s+", "", rest)
        return (f"{name} {rest}" if rest else ""), True

    def _there_is(self, text: str) -> tuple[str, bool] | None:
        """ "and then there's the Owner, a big man in a white dinner jacket who never smiles",
        "There's also the pianist, Mr Albescu, an old man in a cardigan", "and there's me
        when i was little, Cerys, about seven": the people, no shot."""
        m = _THERE_IS_RE.match(text)
        if not m:
            return None
        entries = self._entries(self._restore(m.group(1), ""), True, known_ok=False)
        if not entries or not any(e.said or e.pre for e in entries):
            return None
        self._add_entries(entries)
        return "", True

    def _belongs_to(self, text: str) -> tuple[str, bool] | None:
        """ "he belongs to Noor, she's nine, big curly hair, yellow raincoat, and her dad Sami
        who is really tall with glasses": the people it names."""
        m = _BELONGS_RE.match(text)
        if not m:
            return None
        entries = self._entries(self._restore(m.group(1), ""), True)
        if not entries:
            return None
        self._add_entries(entries)
        return "", True

    def _kin_subject(self, text: str) -> tuple[str, bool] | None:
        """The narrator's family: "my uncle kept a lighthouse" adds Uncle; "my daughter Priya
        is in the school play, she's seven" adds Priya. Returns the sentence with the name."""
        m = _KIN_SUBJECT_RE.match(text)
        if not m or re.match(r"\s*(?:'s|s')", text[m.end(3) :]):
            return None
        kin = m.group(3).lower()
        found = _person_name(m.group(4)) if m.group(4) else (kin.capitalize(), "")
        if not found:
            return None
        name = found[0]
        said = f"{m.group(1).lower()} {m.group(2)}{kin}"
        rest = text[m.end() :]
        known = self._known_kin(said)
        if known:
            return f"{known}{rest}", False
        pieces = re.split(r",\s*(?=(?:and\s+)?(?:she|he|they)\b)|\s+and\s+(?=(?:she|he)\b)", rest)
        first = re.match(r"\s*(?:is|was|'s)\s+(.+)$", pieces[0])
        said_is = first.group(1) if first else ""
        head = re.split(r"\s+(?:with|in)\s+", said_is, maxsplit=1)[0]  # "a big man | with ..."
        what = re.match(r"(?:an?)\s", said_is, re.I) and not has_action(head)
        about = [said_is] if first and (_descriptive(said_is) or what) else []
        description, wardrobe = self._said_about(", ".join(about + pieces[1:]))
        self._introduce(name, _join_description(said, found[1], description), wardrobe)
        return f"{name}{pieces[0]}", True

    def _known_kin(self, said: str) -> str | None:
        """The known person a phrase like "my uncle" already means, if any."""
        kin = said.split()[-1]
        for person in self.people.values():
            if person.name.lower() == kin or said.lower() in person.description.lower():
                return person.name
        return None

    def _pronoun_looks(self, text: str) -> tuple[str, bool] | None:
        """ "he was a big quiet man with a grey beard and he always wore a yellow oilskin",
        "she was tiny, her hair always up in a bun": looks for whom the pronoun means."""
        m = _PRONOUN_LOOKS_RE.match(text)
        if not m or QUOTE_MARK.search(text):
            return None
        verb, said = m.group(2).lower(), m.group(3)
        first = re.split(r"\s*,\s*|\s+and\s+", said)[0]
        wearing = "wor" in verb or "wear" in verb
        if not (wearing or _descriptive(first)) or re.search(r"\b(?:called|named)\b", said):
            return None
        if verb in ("had", "has") and not any(_in_table(w, BODY) for w in _plain_words(first)):
            return None  # "he had a little dog": not his looks
        if (
            not wearing
            and not re.match(r"(?:an?\s|\w+\s*(?:,|$|\s+and\s|\s+with\s))", said)
            and not _descriptive(said.split(",")[0])
            and not re.match(r"(?:super|really|very|so|quite|pretty|dead|proper)\s", said, re.I)
        ):
            return None
        who = self._who(m.group(1).lower())
        if len(who) != 1:
            return None
        glue = "" if m.group(2).startswith("'") else " "
        rest = self._restore(f"{m.group(1)}{glue}{m.group(2)} {said}")
        description, wardrobe = self._said_about(rest)
        if not (description or wardrobe):
            return None
        self._add_looks(who[0], description, wardrobe)
        return "", True

    def _in_sentence(self, text: str) -> tuple[str, bool]:
        """People introduced inside a sentence that goes on: "a boy called Sam runs",
        "Mara, a tall woman in a red raincoat, waits", "His daughter Lena, a teenager,
        climbs onto the boat", "a crow and Jonas argue" (an unnamed subject: Crow)."""
        text, introduced = self._several(text)
        for m in reversed(list(_CALLED_RE.finditer(text))):
            said, found = m.group(1), _person_name(m.group(2))
            words = set(_plain_words(said))
            person = words & (PEOPLE | ROLES | ANIMALS | KIN) or any(_person_noun(w) for w in words)
            if not (found and person):
                continue
            name = found[0]
            end, more = self._trailing(text, m.end())
            if handle_of(name) in self.people:
                name = self.people[handle_of(name)].name
            else:
                description, wardrobe = _looks(self._owned(f"{said.strip()}, {more}"))
                self._introduce(name, _join_description(found[1], description), wardrobe)
                introduced = True
            text = f"{text[: m.start()]}{name}{self._after(text, end)}"
        for m in reversed(list(_APPOSED_NAME_RE.finditer(text))):
            said, found = m.group(1), _person_name(m.group(2))
            head = _plain_words(re.split(r"\s+(?:of|in|with|from|wearing)\s", said)[0])
            if not (found and head and _person_noun(head[-1])):
                continue
            name = found[0]
            end, more = self._trailing(text, m.end())
            if handle_of(name) in self.people:
                name = self.people[handle_of(name)].name
            else:  # "A girl of about eight, NELL, in a yellow raincoat, waits"
                description, wardrobe = _looks(self._owned(", ".join(p for p in (said, more) if p)))
                self._introduce(name, _join_description(found[1], description), wardrobe)
                introduced = True
            text = f"{text[: m.start()]}{name}{self._after(text, end)}"
        for m in reversed(list(_NAME_RE.finditer(text))):
            found = _person_name(m.group(0))
            if not found or handle_of(found[0]) in self.places or m.start() < 0:
                continue
            name = found[0]
            start, owner, kin = self._kin_before(text, m.start())
            end, more = self._trailing(text, m.end())
            if not (kin or more):
                continue
            if handle_of(name) in self.people:  # a passing description: keep the bible
                name = self.people[handle_of(name)].name
            else:
                description, wardrobe = _looks(self._owned(more))
                said = self._owned(kin) if kin else ""
                self._introduce(name, _join_description(said, found[1], description), wardrobe)
                introduced = True
            close = re.search(r"\b(?:close[\s-]*up|close\s+on|ecu|cu)\b", text, re.I)
            shown = f"{owner}'s {kin.split()[-1]} {name}" if owner and not close else name
            text = f"{text[:start]}{shown}{self._after(text, end)}"
        text, unnamed = self._unnamed(text)
        introduced = introduced or unnamed
        leftover = re.sub(
            r"^\s*(?:and\s+)?(?:there'?s|theres|there\s+(?:is|was)|we\s+have|we'?ve\s+got|this\s+is"
            r"|meet|introducing|here'?s)\b(?:\s+also\b)?",
            "",
            text,
            flags=re.I,
        )
        if (
            introduced
            and leftover != text
            and not has_action(leftover)
            and not camera_fields(leftover)[0]
            and not QUOTE_MARK.search(leftover)
        ):
            return "", True  # "theres also the bee inspector from the council, mr Achterberg"
        names = [p.name for p in self.people.values()]
        if (
            introduced
            and names
            and re.fullmatch(
                r"(?:\s|[,.!:;]|and\b|" + "|".join(re.escape(n) for n in names) + r")*", leftover
            )
        ):
            return "", True
        return text, introduced

    def _several(self, text: str) -> tuple[str, bool]:
        """ "Ana and Ben, two nurses in green scrubs, run ...": each is a nurse."""
        m = _SEVERAL_RE.search(text)
        if not m:
            return text, False
        names = [_person_name(n) for n in re.split(r"\s*,\s*|\s+and\s+", m.group(1))]
        if not all(names) or len(names) < 2:
            return text, False
        description, wardrobe = _looks(m.group(2))
        words = description.split()
        if not words or not re.search(r"(?:s|men)$", words[-1]):
            return text, False
        last = re.sub(r"men$", "man", words[-1]) if words[-1].endswith("men") else words[-1]
        last = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
        single = " ".join([*words[:-1], last])
        added = False
        for name, title in (n for n in names if n):
            if handle_of(name) not in self.people:
                said = _join_description(title, f"{_article(single)} {single}")
                self._introduce(name, said, wardrobe)
                added = True
        joined = " and ".join(n[0] for n in names if n)
        return f"{text[: m.start()]}{joined}{self._after(text, m.end())}", added

    def _after(self, text: str, end: int) -> str:
        """The text after an introduction, without the comma that closed it."""
        rest = text[end:]
        return re.sub(r"^\s*,\s*", " ", rest) if rest.strip() else rest

    def _trailing(self, text: str, end: int) -> tuple[int, str]:
        """Descriptive pieces right after a name (", a teenager in a yellow raincoat, tiny,"):
        where they end and what they say."""
        said: list[str] = []
        origin = re.match(  # "Bram from the bookshop next door, a tall skinny guy ..."
            r"\s+((?:from|of)\s+(?:(?:the|a|an|his|her|their|my|our)\s+[^,;.:()]{1,40}?"
            r"|next\s+door|across\s+the\s+(?:road|street|hall|way)|upstairs|downstairs|work|school"
            r"|church|down\s+the\s+(?:road|street|lane)))"
            r"\s*,\s*([^,;.:\u2013\u2014]+)",
            text[end:],
            re.I,
        )
        if (
            origin
            and not any(_verbish(w) and base_form(w) for w in _plain_words(origin.group(1)))
            and _descriptive(origin.group(2).strip())
        ):
            said.append(origin.group(1).strip())
            end += origin.end(1)
        while m := re.match(r"\s*(?:,|\s\u2013|\s\u2014|\s-)\s*([^,;.:\u2013\u2014]+)", text[end:]):
            piece = m.group(1).strip()
            who = _WHO_PIECE_RE.match(piece)
            if worn := _WEARS_HABIT_RE.fullmatch(piece):  # "..., wears overalls everywhere"
                piece = f"in {worn.group(1)}"
            elif who and _person_noun(who.group(1)):
                pass  # "ada, the girl who owns her, eight years old, ..."
            elif not _descriptive(_RELATIVE_RE.sub("", piece)) or re.match(
                r"(?:and|then|but)\b", piece, re.I
            ):
                break
            said.append(piece)
            end += m.end()
        paren = re.match(r"\s*\(([^)]{1,80})\)", text[end:])
        if not said and paren and all(_descriptive(p) for p in paren.group(1).split(",")):
            return end + paren.end(), paren.group(1)
        return end, ", ".join(said)

    def _kin_before(self, text: str, start: int) -> tuple[int, str, str]:
        """ "His daughter Lena" / "Her grandmother, Nonna Lucia": where the kin phrase begins,
        whom "his"/"her" means (when it is clear), and the phrase ("his daughter")."""
        m = re.search(
            r"(?:\b(his|her|their|my|our|the)|(?<![\w'])((?-i:[A-Z])[\w\-]*)'s)\s+"
            r"((?:[a-z\-]+\s+)?([a-z]+))\s*,?\s*$",
            text[:start],
            re.I,
        )
        noun = m.group(4).lower() if m else ""
        if not m or noun not in KIN | ROLES | ANIMALS or noun in GENERIC_PEOPLE:
            return start, "", ""
        if m.group(2):  # "Tom's grandson Tyler"
            known = self.people.get(handle_of(m.group(2)))
            if known is None:
                return start, "", ""
            return m.start(), known.name, f"{known.name}'s {m.group(3)}"
        owner = ""
        if m.group(1).lower() in _OWNER:
            try:
                who = self._who(m.group(1).lower())
            except NeedAnswer:
                who = []
            owner = who[0] if len(who) == 1 else ""
        phrase = f"{m.group(1).lower()} {m.group(3)}"
        return m.start(), owner, phrase

    def _unnamed(self, text: str) -> tuple[str, bool]:
        """An unnamed subject that is not just "a man": "a crow and Jonas argue" adds Crow,
        "The door swings open: a stranger in a wet trench coat" adds Stranger."""
        nouns = "|".join(sorted((ROLES | ANIMALS) - GENERIC_PEOPLE, key=len, reverse=True))
        m = rx(
            r"(?:^\s*(?:(?:then|and|now|so|suddenly|there'?s|there\s+is|we\s+see|enter)\s+)*",
            r"|:\s*)(an?)\s+((?:[a-z\-]+\s+){0,2}?)(",
            nouns,
            r")\b(?!\s*(?:'s|called|named))",
        ).search(text)
        if not m:
            return text, False
        name = m.group(3).capitalize()
        if handle_of(name) in self.places:
            return text, False
        worn = 0
        if clothes := re.match(r"\s+(?:in|wearing|dressed\s+in|with)\s+[^,;.:]+", text[m.end() :]):
            for word in re.finditer(r"[\w'\-]+", clothes.group(0)):
                if word.start() > 4 and (
                    _verbish(word.group(0)) or word.group(0) in ("who", "and")
                ):
                    break  # "in a wet trench coat | waits at the bar"
                worn = word.end()
            if not any(_in_table(w, CLOTHES | BODY) for w in _plain_words(clothes.group(0)[:worn])):
                worn = 0
        end = m.end() + worn
        end, more = self._trailing(text, end)
        if handle_of(name) not in self.people:
            description, wardrobe = _looks(f"{text[m.start(1) : m.end() + worn]}, {more}")
            self._introduce(name, description, wardrobe)
        else:
            name = self.people[handle_of(name)].name
        return f"{text[: m.start(1)]}{name}{self._after(text, end)}", True

    def _owned(self, text: str) -> str:
        """ "his daughter, a teenager" -> "Tom's daughter, a teenager" when "his" is clear."""
        m = re.match(r"\s*(his|her|their)\s+([a-z]+)", text, re.I)
        if not m or m.group(2).lower() not in KIN | ROLES:
            return text
        try:
            who = self._who(m.group(1).lower())
        except NeedAnswer:
            return text
        return f"{who[0]}'s {text[m.start(2) :]}" if len(who) == 1 else text

    def _who(self, pronoun: str) -> list[str]:
        """Whom a pronoun means now (an answer given, else `_resolve`; may ask)."""
        kind = GENDER_OF.get(pronoun, "p")
        forced = self.forced.get(kind)
        return list(forced) if forced is not None else self._resolve(pronoun, kind, [])

    def _introduce(self, name: str, description: str, wardrobe: str) -> None:
        """AddCharacter for someone new; UpdateCharacter when someone known is described anew."""
        key = handle_of(name)
        person = self.people.get(key)
        if person is None and key in self.places:
            self.notes.append(f"{name} is already the name of a place, so I did not add a person.")
            return
        description = re.sub(  # "a shot of their carabao called Bantay": their carabao
            r"^(?:the\s+next\s+shot\s*:?\s*|(?:an?|the)\s+(?:[\w\-]+\s+)?shot\s+of\s+)",
            "",
            description,
            flags=re.I,
        )
        description = re.sub(r"^(A|An|The)\b", lambda m: m.group(1).lower(), description)
        if person is None:
            description = description or "a person"
            self.edits.append(AddCharacter(name=name, description=description, wardrobe=wardrobe))
            self.people[key] = PersonInfo(name, description, wardrobe)
            self.added.append(name)
        else:
            changes = {}
            if description and description.lower() not in person.description.lower():
                said = person.description if person.description != "a person" else ""
                joined = _join_description(said, description)  # "a twin sister, the bossy one"
                changes["description"] = person.description = joined
            if wardrobe and wardrobe.lower() != person.wardrobe.lower():
                changes["wardrobe"] = person.wardrobe = wardrobe
            if changes:
                self.edits.append(UpdateCharacter(name=person.name, **changes))
                self.said.append(f"Updated {person.name}'s {' and '.join(changes)}.")
            name = person.name
        self._mention([name])

    def _add_looks(
        self, name: str | NeedAnswer, description: str, wardrobe: str, replace: bool = False
    ) -> None:
        """Add to someone's looks: the description grows; a garment of the same kind is
        replaced, others are added (`replace`: the whole outfit is new)."""
        person = self._person(name)
        changes: dict[str, str] = {}
        if description and description.lower() not in person.description.lower():
            base = person.description
            if base.lower() in ("a person", "a man", "a woman"):
                base = ""
            changes["description"] = _join_description(base, description)
        if wardrobe:
            items = [] if replace else _items(person.wardrobe)
            for item in _items(wardrobe):
                head = _head(item)
                same = [i for i, old in enumerate(items) if head and _same_head(old, head)]
                if same:
                    items[same[0]] = item
                else:
                    items.append(item)
            new = " and ".join(items)
            if new.lower() != person.wardrobe.lower():
                changes["wardrobe"] = new
        self._update_person(person, changes)

    def _update_person(self, person: PersonInfo, changes: dict[str, str]) -> None:
        """UpdateCharacter with these changes, and a plain sentence about them."""
        self._mention([person.name])
        changes = {k: v for k, v in changes.items() if v != getattr(person, k)}
        said = set(
            _plain_words(f"{person.description} {person.wardrobe} {' '.join(changes.values())}")
        )
        worn = {w for w in said if w in COLOURS or _in_table(w, CLOTHES)}
        self.looks_words = getattr(self, "looks_words", set()) | worn  # for "Yellow disappears"
        if not changes:
            self.said.append(f"{person.name} looks like that already.")
            return
        last = self.edits[-1] if self.edits else None
        if isinstance(last, UpdateCharacter) and last.name == person.name:
            merged = {
                k: v for k, v in last.model_dump().items() if k in ("description", "wardrobe")
            }
            merged = {k: v for k, v in merged.items() if v} | changes
            self.edits[-1] = last.model_copy(update=merged)
        else:
            self.edits.append(UpdateCharacter(name=person.name, **changes))
        person.description = changes.get("description", person.description)
        person.wardrobe = changes.get("wardrobe", person.wardrobe)
        what = " and ".join("clothes" if k == "wardrobe" else "look" for k in changes)
        if f"Updated {person.name}'s {what}." not in self.said:
            self.said.append(f"Updated {person.name}'s {what}.")
