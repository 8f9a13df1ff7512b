"""Changes of looks: "Tom should have a red scarf", "Lena's coat should be green, not
yellow", "make the old woman's hair grey", "grandad's jacket was green, not brown", "the boy
should have a woollen hat too, a red one", notes ("Note on Ray: older, eighties not seventies",
"Wardrobe, Tomasz: swap the grey jumper for a navy blazer"), "can it be a muddy yellow
raincoat from now on", and the reason said after a change ("Yellow disappears against the
sulphur."). Never a shot."""

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
from storyreel.agent.offline.text import QUOTE_MARK, lazy, rx
from storyreel.agent.offline.verbs import base_form
from storyreel.agent.offline.words import BODY, CLOTHES, COLOURS, KIN, LOOKS
from storyreel.tools.edits import UpdateCharacter
from storyreel.tools.story import handle_of

_ACCESSORIES = {"glasses", "sunglasses", "spectacles", "monocle", "goggles", "headset",
                "headphones", "earrings", "earring", "necklace", "bracelet", "brooch", "scarf",
                "gloves", "mittens", "umbrella", "bag", "backpack", "satchel", "rucksack",
                "lanyard", "mask", "belt", "watch", "badge", "ring", "tie", "bow"}  # fmt: skip


_CHANGE_TAIL_RE = rx(
    r"(?:\s+|^)(?:now|instead|too|as\s+well|please|from\s+now\s+on",
    r"|in\s+(?:this|that|the|every|each|all|all\s+the)\s+(?:shots?|scenes?|ones?)",
    r"|in\s+shots?\s+\d+(?:\s*(?:,|and)\s*\d+)*",
    r"|everywhere|actually|then|today|that\s+(?:day|night|morning|evening|afternoon|time|year)",
    r"|on\s+(?:that|the)\s+day|back\s+then)\s*$",
)


_NEGATED_RE = rx(
    r"(?:,?\s*\b(?:not|instead\s+of|rather\s+than|no\s+longer|no\s+more)\s+(?:the\s+|an?\s+)?",
    r"((?:[\w\-]+(?:\s+|$|(?=[,.;!]))){1,3}))",
)


_NOTE_LABEL = (
    r"(?:(?:a\s+)?(?:quick\s+)?(?:wardrobe|costume|looks?|hair|make-?up|continuity|character)"
    r"(?:\s+(?:notes?|changes?|fix(?:es)?|corrections?))?|notes?|changes?|fix|corrections?)"
)
_NOTE_RE = rx(
    r"^\s*",
    _NOTE_LABEL,
    r"(?:\s*(?:,|\bon\b|\bfor\b|\babout\b|\bre\b:?)\s*(?P<who>[^:,\-\u2013\u2014]{1,40}?))?",
    r"\s*[:\-\u2013\u2014]\s*(?P<rest>.+)$",
)
"""A note about someone's looks: "Wardrobe note: Dele's hoodie is red", "Note on Ray:
older, ...", "Wardrobe, Tomasz: swap the grey jumper for a navy blazer"."""
_NOTE_SPOKEN_RE = rx(
    r"^\s*", _NOTE_LABEL, r"\s*,\s*(?P<who>[^,]{1,40}?)\s+says\s+\ue000(?P<quote>\d+)\ue001\W*$"
)
"""The same note after the script reader took "Tomasz:" for a speaker's cue."""
_REMARK_RE = rx(
    r",\s*(?:that|it|which)(?:'s|\s+is|\s+makes|\s+would|\s+will|\s+looks)\b.*$",
    r"|,\s*(?:(?:just\s+)?(?:because|cos|coz|since)|for\s+(?:the|a)\s+\w+\s+look)\b.*$",
    r"|\s+(?:lol|lmao|haha+|tbh)\b.*$",
    r"|,\s*(?:for|as)\s+that(?:'s|\s+is|\s+was)\b.*$",
)
"""A remark after a looks change: "..., that makes sense in the dark"."""
_THINKING_RE = rx(
    r"^\W*(?:i\s+(?:have\s+been|'ve\s+been|was|am)\s+thinking(?:\s+that)?|i\s+(?:think|feel|reckon",
    r"|guess|believe)(?:\s+that)?|on\s+reflection|on\s+second\s+thoughts?)[,\s]+",
)
"""A lead that only says the person has been thinking: "I have been thinking that ..."."""
_LOSE_RE = rx(
    r"^\W*(?P<who>.+?)\s+(?:should|needs?\s+to|has\s+to|can|must|ought\s+to|could)\s+(?:lose|drop",
    r"|ditch|take\s+off|get\s+rid\s+of|not\s+(?:wear|have))\s+(?:the|his|her|their|that)\s+",
    r"(?P<old>[\w\s\-]+?)(?:\s*(?:[,;\u2014\u2013]|\s-|\s+and)\s*(?:(?:just\s+)?give\s+(?:him|her|them)",
    r"|(?:he|she|they)\s+(?:gets?|wears?|can\s+have|should\s+have|should\s+wear))\s+",
    r"(?P<new>.+?)(?:\s+instead)?)?\W*$",
)
"""A garment taken away, perhaps with another in its place: "the detective should lose the
fedora — give him a flat cap instead"."""
_OFF_RE = rx(
    r"^\W*(?:(?:and|also|oh|ok(?:ay)?|actually)\b[,\s]*)*(?:no|lose\s+the)\s+(?P<old>[\w\-]+(?:\s+[\w\-]+)?)",
    r"\s+(?:on|for)\s+(?P<who>[\w'\-]+(?:\s+[\w'\-]+)?)\b(?:\s+(?:pls|please|anymore|any\s+more))?",
    r"(?:\s*[,;].*)?$",
    r"|^\W*(?P<who2>.+?)\s+(?:doesn'?t|does\s+not|shouldn'?t|should\s+not|won'?t|wouldn'?t)\s+",
    r"(?:wear|have|be\s+wearing)\s+(?:the|her|his|their|a|an|any)?\s*(?P<old2>[\w\s\-]+?)",
    r"(?:\s+(?:anymore|any\s+more|in\s+the\s+film|now|these\s+days))*(?:\s*[,;].*)?$",
)
"""A garment taken off: "no cap on andre pls", "priya doesnt wear the yellow jumper anymore",
"My grandson should not be wearing spectacles in the film"."""
_NOW_ONE_RE = rx(
    r"[,;]\s*(?:now\s+)?(?:it'?s|its|it\s+is|they'?re)\s+(?:an?\s+)?((?:dark\s+|light\s+)?\w+)\s+ones?\b"
)
_OF_NAME_RE = rx(
    r"^\W*(?:the|his|her)\s+(?P<thing>[\w\-]+)\s+of\s+(?:monsieur\s+|madame\s+|mr\s+|mrs\s+)?",
    r"(?P<who>(?-i:[A-Z])[\w\-]*)\s+(?P<rest>.+)$",
)
"""The thing of someone, said the other way round: "the apron of Monsieur Roux is not blue"."""
_INSTEAD_RE = rx(
    r"^\W*(?:(?:wardrobe|costume)\s+(?:change|note)\s+for\s+)?(?P<who>[\w'\-]+)\s*:\s*",
    r"(?P<new>(?:an?\s+)?[\w\s\-]+?)\s+instead\s+of\s+(?:the|her|his|their)\s+(?P<old>[\w\s\-]+?)\W*$",
)
"""A garment swapped in a note: "Wardrobe change for Cass: silver puffer jacket instead of the
leopard coat"."""
_MINE_RE = rx(
    r"^(\W*)(?:my|our)\s+(?=(?:[\w\-]+\s+){0,2}?[\w\-]+\s+(?:should|shld|is|are|was|were|needs?",
    r"|has|have|can|could)\b)",
)
"""The narrator's things: "my hanbok should be yellow"."""
_I_HAVE_RE = rx(r"^(\W*)(?:i'?ve\s+got|ive\s+got|i\s+have|i\s+wear|i'?m\s+wearing)\b")
_LABEL_THING_RE = lazy(r"^\W*([A-Z][\w\-]*)\s*:\s*(?!lose\b)([a-z][\w\-]*)\s+(?:is|are)\s")
IS_NOT_IS_RE = rx(
    r"\b(is|are|was|were)\s+not\s+((?:dark\s+|light\s+)?\w+)\s*,+\s*(?:(?:it|they)(?:'s|\s+is|\s+are",
    r"|\s+was|\s+were)\s+|is\s+|are\s+|but\s+)((?:dark\s+|light\s+|bright\s+)?\w+)\b",
)
"""Said as a correction: "My pea coat is not navy, it is dark green" -> "is dark green, not
navy"."""
_MORE_THAN_RE = rx(r"\bmore\s+((?:dark\s+|light\s+|bright\s+)?\w+)\s+than\s+(\w+)\b")
_WORN_RE = rx(
    r"^(?:an?\s+|some\s+)?[\w\s\-]{2,30}?\s+(?:round|around|on|over|in)\s+(?:his|her|their|both)\s+",
    r"(?:neck|wrists?|waist|head|shoulders?|fingers?|arms?|chest|back|belt|nose|ears?|elbows?"
    r"|ankles?|hair|forehead|lapel|hips?)\b",
)
"""Something worn, known by where it is worn: "a whistle round her neck"."""
NOT_THEN_RE = rx(
    r"^(?P<who>.+?)\s+(?:shouldn'?t|should\s+not|mustn'?t|must\s+not|isn'?t|is\s+not)\s+be\s+",
    r"(?P<old>[\w\s\-]+?)\s*[,;]\s*(?:(?:make|have)\s+it|it\s+should\s+be|it'?s|should\s+be)",
    r"\s+(?:an?\s+)?(?P<new>.+?)(?:\s+one)?$",
)
"""A looks change said as "not X, make it Y": "rafis jacket shouldnt be red, make it a hi vis
yellow one"."""
WAS_NOT_RE = rx(
    r"^(?P<who>.+?)\s+(?:wasn'?t|was\s+not|isn'?t|is\s+not|weren'?t|were\s+not|aren'?t|are\s+not)",
    r"\s+(?:an?\s+)?(?P<old>[\w-]+(?:\s+[\w-]+){0,2}?)\s*[,;]?\s*(?:it\s+was|it'?s|its|they",
    r"\s+were|they'?re|it\s+should\s+be|should\s+be|but|more\s+like)\s+(?:an?\s+)?",
    r"(?P<new>[\w-]+(?:\s+[\w-]+){0,2}?)(?:\s+(?:one|ones|actually|really))?$",
)
"""A looks change said as a correction: "noors dress wasnt white it was ivory"."""
_SWAP_RE = rx(
    r"^(?:swap|switch|change|replace|trade)\s+(?:out\s+)?(?P<old>.+?)\s+(?:for|with|to|into)\s+",
    r"(?P<new>.+)$",
)
_NOT_RE = rx(
    r"^(?P<new>.+?),?\s+(?:not|instead\s+of|rather\s+than)\s+(?:the\s+|an?\s+)?(?P<old>.+?)$"
)
_ONE_RE = rx(
    r"^(?P<item>.+?)(?:\s+(?:too|as\s+well))?\s*,\s*(?!(?:not|instead|rather|no)\b)(?:(?:an?|the)\s+)?(?P<mods>(?:[\w\-]+\s+){1,3})ones?\b",
    r"(?P<rest>.*)$",
)
"""A colour said after the thing: "a woollen hat too, a red one" -> "a red woollen hat"."""
_IT_BE_RE = rx(
    r"\b(?:(?:can|could|should|will|would)\s+(?:it|they)\s+be|make\s+it|let\s+it\s+be|it\s+should\s+be",
    r"|so\s+it'?s|(?:it'?s|it\s+is)\s+now)\s+(?P<new>.+)$",
)
_GOT_RE = rx(r"\b(she|he|they|[A-Z][\w-]*|[a-z]+)(?:'s|s|'ve|\s+has|\s+have)\s+got\b")
"""Possession said with "got": "shes got trainers on", "Tom's got a scar"."""
_ALWAYS_RE = rx(r"\b(?:always|usually|still)\s+(wore|wears|had|has|got)\b")
_HABIT_VERB = {"wore": "wears", "wears": "wears", "had": "has", "has": "has", "got": "has"}
_LABELLED_RE = rx(r"^\s*(\S+(?:'s|s')\s+(?:[\w-]+\s+){0,2}?[\w-]+)\s*:\s*(.+)$")
"""A garment said as a label: "Marit's helmet: white, not orange"."""
_PLAIN_DEGREE = {"shorter": "short", "longer": "long", "darker": "dark", "lighter": "light",
                 "greyer": "grey", "whiter": "white", "thinner": "thin", "thicker": "thick",
                 "curlier": "curly", "messier": "messy", "neater": "neat", "bigger": "big",
                 "smaller": "small", "wilder": "wild", "bushier": "bushy"}  # fmt: skip
_PAIRS = {"jeans", "trousers", "pants", "shorts", "tights", "leggings", "pyjamas", "pajamas",
          "overalls", "dungarees", "glasses", "sunglasses", "spectacles", "goggles",
          "scrubs"}  # fmt: skip
_IT_AGAIN_RE = rx(
    r"^\s*(?:and\s+)?(?:please\s+)?(?:make|let)\s+(?:it|them)\s+(?:be\s+)?(?P<new>.+)$"
)
_DECADES = {
    f"{word}ies": f"{tens}0s"
    for tens, word in enumerate(
        ["", "", "twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"]
    )
    if word
}
"""Decades said in words and in digits: "sixties" is also "60s"."""
_REASON_LEAD = r"^\s*(?:(?:because|since|as|cause|'cause|the|that|this|so)\s+)*"


def _change_feature(text: str, head: str, new: str, old: set[str], whole: bool) -> str | None:
    """Change the phrase about one feature in a description ("long dark hair" -> "long grey
    hair"); `whole` replaces the phrase by `new`. None when the text does not mention it."""
    pattern = rf"((?:[\w\-]+\s+){{0,3}}?)({re.escape(head)}\w*)\b"
    for m in re.finditer(pattern, text, re.I):
        mods: list[str] = []
        for word in reversed(m.group(1).split()):  # only the words that describe the feature
            low = word.lower()
            if not (low in LOOKS | COLOURS or re.fullmatch(r"\w+(?:ed|y|ish)|\w+-\w+", low)):
                break
            mods.insert(0, word)
        start = m.end(1) - sum(len(w) + 1 for w in mods)
        phrase = " ".join([*mods, m.group(2)])
        changed = new if whole else _recolour(phrase, new, old)
        return f"{text[:start]}{changed}{text[m.end() :]}"
    return None


def _recolour(item: str, new: str, old: set[str]) -> str:
    """ "a yellow raincoat" + "green" (not "yellow") -> "a green raincoat"."""
    new_words = set(_plain_words(new))
    drop = old | (COLOURS if new_words & COLOURS else set()) | (_OLD if new_words & _OLD else set())
    words = item.split()
    dropped = [i for i, w in enumerate(words) if w.lower().strip(",") in drop]
    dropped += [  # "red and black": the "and" between two old colours goes too
        i
        for i, w in enumerate(words)
        if w.lower() in ("and", "&") and i - 1 in dropped and i + 1 in dropped
    ]
    dropped.sort()
    kept = [w for i, w in enumerate(words) if i not in dropped]
    new = re.sub(r"\bstripes\b", "striped", re.sub(r"\bspots\b", "spotted", new.strip()))
    lead = 1 if kept and kept[0].lower() in ("a", "an", "the", "her", "his", "their") else 0
    if dropped:  # the new colour goes where the old one was: "an old green tweed jacket"
        lead = max(lead, dropped[0] - sum(1 for i in dropped if i < dropped[0]))
    text = " ".join([*kept[:lead], new, *kept[lead:]])
    return re.sub(r"^(an?)\s+(\S+)", lambda m: f"{_article(m.group(2))} {m.group(2)}", text)


_WHO_THEN_THING_RE = lazy(
    r"^\s*(?P<who>[^:\u2014\u2013]{2,30}?)\s*(?::|\s-\s|\u2014|\u2013)\s*(?P<thing>[\w\-]+)\s+"
    r"(?P<rest>(?:now\s+)?[\w\-]+(?:\s+and\s+[\w\-]+)?,?\s+(?:not|instead\s+of)\s+.+)$",
    re.I,
)
"""Someone, then one thing of theirs and its change: "the kid — backpack blue not yellow"."""
_OF_OWNER_RE = rx(
    r"\bthe\s+(?P<item>(?:[\w\-]+\s+){0,2}?[\w\-]+)\s+of\s+(?P<owner>(?:the|his|her|their|my|our)\s+",
    r"(?:[\w\-]+\s+){0,2}?[\w\-]+|(?-i:[A-Z][\w\-]+))(?=\s+(?:should|must|needs?|has|is|was|will",
    r"|could|can|looks?)\b)",
)


def _owner_first(m: re.Match[str]) -> str:
    """ "the skirt of the grandmother" -> "the grandmother's skirt" (a thing worn or a
    feature; other "X of Y" stay as they are)."""
    item = m.group("item")
    if not _in_table(item.split()[-1].lower(), CLOTHES | BODY):
        return m.group(0)
    return f"{m.group('owner')}'s {item}"


def _more_looks_only(said: str) -> str:
    """What is said up to the first comma, and the pieces after it that name more to wear
    or a feature ("way more gold, a big nath in her nose"); a remark after it goes
    ("pink not white, she would never wear white to a wedding")."""
    first, *rest = re.split(r",\s*", said)
    kept = [first]
    for piece in rest:
        words = _plain_words(piece)
        if len(words) < 3 and kept == [first] and piece is rest[0]:
            kept.append(piece)  # "a red hat, wool": short pieces are more of the same
            continue
        remark = re.match(
            r"(?:and\s+)?(?:she|he|they|it|its|it'?s|that|because|cos|since|as|so|but|which|who"
            r"|i|we|you)\b",
            piece,
            re.I,
        )
        if remark or not any(_in_table(w, CLOTHES | BODY) for w in words):
            break
        kept.append(piece)
    return ", ".join(kept)


class LooksMixin:
    """The looks side of a Turn."""

    # --- changes of looks ------------------------------------------------------------------

    def _character_change(self, clause: str) -> bool:
        """A change of someone's looks, never a shot: "Tom should have a red scarf", "give
        Mara a green hat", "Lena's coat should be green, not yellow", "make the old woman's
        hair grey", "Tom wears glasses now", "Mara changes into a black dress", "put Tom in a
        suit", "Ana has short hair now", "Ben should look older"."""
        swap = _INSTEAD_RE.match(QUOTE_MARK.sub(" ", clause).strip(" .!"))
        if swap and (who := self._person_at(swap.group("who"), 0)):
            self._swap(who[0], swap.group("old"), swap.group("new"))
            return True
        if (note := self._note(clause)) is not None:
            return note
        text = QUOTE_MARK.sub(" ", clause).strip(" .!")
        text = _REMARK_RE.sub("", text)  # "..., that makes sense in the dark"
        text = _THINKING_RE.sub("", text)  # "I have been thinking that Solveig's cap ..."
        text = self._looks_said_plainly(text)
        if (off := _OFF_RE.match(text)) and (
            who := self._person_at(off.group("who") or off.group("who2"), 0)
        ):
            old = off.group("old") or off.group("old2")
            if now := _NOW_ONE_RE.search(text):  # "..., its a lilac one now": a new colour
                self._swap(who[0], old, f"a {now.group(1)} {_head(old) or old}")
                return True
            return self._take_off(who[0], old)  # "no cap on andre"
        if (lose := _LOSE_RE.match(text)) and (who := self._person_at(lose.group("who"), 0)):
            if lose.group("new"):
                self._swap(who[0], lose.group("old"), lose.group("new"))
                return True
            return self._take_off(who[0], lose.group("old"))
        if (
            (m := _WHO_THEN_THING_RE.match(text))
            and _in_table(m.group("thing").lower(), CLOTHES | BODY)
            and (who := self._person_at(m.group("who"), 0)) is not None
            and who[1] == len(m.group("who"))
        ):  # "the kid — backpack blue not yellow": the kid's backpack
            return self._look_change(
                f"{m.group('who')}'s {m.group('thing')} should be {m.group('rest')}"
            )
        parts = re.split(r"\s*[\u2013\u2014]\s*|\s+-\s+", text, maxsplit=1)
        if len(parts) == 2 and not re.match(r"(?:an?|the|some)\s", parts[1], re.I):
            negated = re.search(r"\bnot\s+(?:an?\s+|the\s+)?[\w\s\-]+$", parts[1], re.I)
            text = f"{parts[0]}, {negated.group(0)}" if negated else parts[0]  # "— her dad ..."
        if self._reason(text) or self._no_more(text):
            return True
        second = re.split(
            r"[,.;]?\s+(?:and|also|plus)\s+(?=(?:she|he|they)(?:'s|s|'ve|\s+has|\s+have)?\s+"
            r"(?:also\s+|now\s+|should\s+|always\s+)?(?:wears?|wore|has|have|had|gets?|got"
            r"|is\s+wearing|puts?\s+on|changes?|needs?|wants?)\b"
            r"|(?:give|put|get)\s+(?:him|her|them)\b)",
            text,
            maxsplit=1,
            flags=re.I,
        )
        if len(second) == 2 and self._look_change(second[0]):
            if not self._look_change(second[1]):  # "..., and she wears long white gloves"
                self.skipped.append(self._restore(second[1]))
            return True
        return self._look_change(text)

    def _looks_said_plainly(self, text: str) -> str:
        """A change of looks in the shape the readers take: the narrator's things ("my hanbok
        should be yellow" -> "Jiwoo's hanbok ..."), "the apron of Roux" -> "Roux's apron",
        "Cass: Y instead of the X" -> "Cass should lose the X, give her Y", "more green than
        blue" -> "green, not blue", "Name: coat is red" -> "Name's coat is red"."""
        narrator = next((p.name for p in self.people.values() if "narrator" in p.description), "")
        if narrator:
            text = _MINE_RE.sub(rf"\1{narrator}'s ", text)
            text = _I_HAVE_RE.sub(rf"\1{narrator} has", text)
        if (of := _OF_NAME_RE.match(text)) and handle_of(of.group("who")) in self.people:
            text = f"{of.group('who')}'s {of.group('thing')} {of.group('rest')}"
        label = _LABEL_THING_RE.match(text)
        if label and handle_of(label.group(1)) in self.people:  # "Adeyemi: scrubs are maroon"
            text = f"{label.group(1)}'s {text[label.start(2) :]}"
        if swap := _INSTEAD_RE.match(text):
            who, old, new = swap.group("who"), swap.group("old"), swap.group("new")
            text = f"{who} should lose the {old}, give them {new}"
        text = _MORE_THAN_RE.sub(lambda m: f"{m.group(1)}, not {m.group(2)}", text)
        text = IS_NOT_IS_RE.sub(lambda m: f"{m.group(1)} {m.group(3)}, not {m.group(2)}", text)
        return text

    def _look_change(self, text: str) -> bool:
        """One change of looks (see `_character_change`), quotes already taken out."""
        text = _GOT_RE.sub(lambda m: f"{m.group(1)} has", text)  # "shes got", "Tom's got"
        text = _OF_OWNER_RE.sub(_owner_first, text)  # "the skirt of the grandmother should be"
        text = _ALWAYS_RE.sub(lambda m: _HABIT_VERB[m.group(1).lower()], text)  # "always wore"
        if (m := _LABELLED_RE.match(text)) and self._person_at(m.group(1), 0) is not None:
            text = f"{m.group(1)} should be {m.group(2)}"  # "Marit's helmet: white, not orange"

        item = getattr(self, "looks_item", None)
        if item and (again := _IT_AGAIN_RE.match(text)):
            new, _old = self._negated(again.group("new"))
            if (head := _head(new)) and (_same_head(new, item[1]) or head == item[1]):
                self._add_looks(item[0], "", _tidy_item(new))  # "..., make it a soaked one"
                return True
        polite = (
            r"^\s*(?:(?:please|ok(?:ay)?|oh|and|also|now|actually|so|hmm+|right|wait|btw|um+|uh+"
            r"|by\s+the\s+way|one\s+more\s+thing|can\s+you"
            r"|could\s+you|let'?s|i\s+(?:want\s+to|think\s+we\s+should)|we\s+should|maybe)\b[,\s]*)*"
        )
        lead = re.match(polite, text, re.I)
        body = text[lead.end() :] if lead else text
        body = self._owned_garment(self._asked(body))
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
        if (bare := re.match(r"\s+([\w\-]+)\s", rest)) and _in_table(bare.group(1), CLOTHES | BODY):
            rest = f"'s{rest}"  # "Meera dupatta should be yellow": Meera's dupatta
        modal = r"(?:should|must|needs?\s+to|has\s+to|have\s+to|will|could|can|would|ought\s+to)"
        owner = "?" if re.fullmatch(r"(?:his|her|their)", body[:end].strip(), re.I) else ""
        if thing := re.match(
            rf"\s*(?:'s|s'|s){owner}\s+((?:[\w\-]+\s+){{0,2}}?)([\w\-]+)\s+(?:{modal}\s+)?"
            r"(?:be|is|are|was|were|becomes?|became|turns?|turned|goes?|went|gets?|got)\s+"
            r"(?:now\s+)?(.+)$",
            rest,
            re.I,
        ):
            return self._thing_change(name, thing.group(2), thing.group(1), thing.group(3))
        m = re.match(
            rf"\s+(?:now\s+)?(?:(?:{modal})\s+(?:now\s+)?)?(?:also\s+)?(changes?\s+into|change\s+into"
            r"|(?:is|be)\s+(?:now\s+)?(?:wearing|dressed\s+in|in(?=\s+\S+\s+\S))"
            r"|gets?\s+changed\s+into|puts?\s+on"
            r"|wears?|wore|was\s+wearing|have|has|had|gets?|needs?|wants?|looks?|be|is|seems?"
            r"|appears?)"
            r"\s+(.+)$",
            rest,
            re.I,
        )
        if not m:
            return False
        verb_said, said = m.group(1).lower(), m.group(2)
        modal_said = bool(re.match(rf"\s+(?:now\s+)?{modal}", rest, re.I))
        if verb_said.startswith(("change", "get")) and "into" in verb_said:
            return self._wear(name, said, replace=True)
        if verb_said.endswith(" in") and not self._looks_only(said):
            return False  # "Mara should be in the kitchen"
        if (
            "dressed" in verb_said
            or "wearing" in verb_said
            or verb_said.endswith(" in")
            or verb_said.startswith(("wear", "wore", "put"))
        ):
            plain = set(_plain_words(said))
            now = bool(re.search(r"\bnow\b", rest, re.I))  # "Tom now wears ...": a new outfit
            outfit = now and not (modal_said or verb_said.startswith("put") or plain & _ACCESSORIES)
            return self._wear(name, said, replace=outfit)
        if verb_said in ("need", "needs", "want", "wants"):
            if not self._looks_only(said):
                return False  # "Tom needs a moment": not a change of looks
            return self._gain(name, said, strict=False)
        if verb_said in ("have", "has", "had", "get", "gets"):
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

    def _owned_garment(self, body: str) -> str:
        """ "make the hat green not purple" -> "make Helen's hat green not purple" when one
        person wears a hat; the text as it is otherwise."""
        m = re.match(
            r"((?:make|have|get|change|turn)\s+)?(?:the|that|this)\s+((?:[\w\-]+\s+){0,2}?)"
            r"([\w\-]+)\b",
            body,
            re.I,
        )
        if not m or not _in_table(m.group(3).lower(), CLOTHES):
            return body
        word = m.group(3).lower().rstrip("s")
        owners = [
            p.name
            for p in self.people.values()
            if re.search(rf"\b{re.escape(word)}", f"{p.description} {p.wardrobe}", re.I)
        ]
        if len(owners) != 1:
            return body
        verb = m.group(1) or ""
        return f"{verb}{owners[0]}'s {m.group(2)}{m.group(3)}{body[m.end() :]}"

    def _asked(self, body: str) -> str:
        """ "can Bram have a green scarf too" -> "Bram can have a green scarf too": a change
        asked as a question reads as one said."""
        m = re.match(r"(can|could|should|shall|will|would|may|might)\s+", body, re.I)
        if not m:
            return body
        who = self._person_at(body, m.end())
        if who is None:
            return body
        end = who[1]
        rest = body[end:]
        verbs = r"\s+(?:also\s+)?(?:have|wear|get|be|look|put\s+on|change\s+into)\b"
        if not re.match(verbs, rest, re.I):
            # "could halinas apron be blue" -> "halinas apron could be blue"
            owned = re.match(
                r"((?:'s|s'|s)?\s+(?:[\w\-]+\s+){0,2}?[\w\-]+)(\s+(?:be|look)\b)", rest, re.I
            )
            if not owned or not any(
                _in_table(w, CLOTHES | BODY) for w in _plain_words(owned.group(1))
            ):
                return body
            said = rest[owned.end(1) :]
            return f"{body[m.end() : end]}{owned.group(1)} {m.group(1).lower()}{said}"
        return f"{body[m.end() : end]} {m.group(1).lower()}{rest}"

    def _looks_only(self, said: str) -> bool:
        """Does this text speak of clothes or features ("short hair now"), not of a thing
        held ("a letter in his hand")?"""
        head = re.split(r"\b(?:in|on|at|with|from|to|by|under|over|near)\b", said, maxsplit=1)[0]
        words = _plain_words(_CHANGE_TAIL_RE.sub("", head))
        if words and _WORN_RE.search(said):
            return True  # "a whistle round her neck": worn, whatever it is
        return bool(words) and any(_in_table(w, CLOTHES | BODY) for w in words)

    def _person_at(self, text: str, at: int) -> tuple[str | NeedAnswer, int] | None:
        """The known person a text names at position `at` (a name, @handle, pronoun or a
        description like "the old woman", "his daughter"), and where that ends. When the
        words fit several people, the question to ask comes back instead of a name: it is
        asked only once the sentence proves to be a change of looks (see `_person`)."""
        rest = text[at:]
        for person in self.people.values():
            name, handle = _name_pattern(person.name), re.escape(handle_of(person.name))
            pattern = rf"(?:the\s+)?(?:@?(?:{name})|@{handle})(?=('s|s'|s(?=\s)|\b))"
            if m := re.match(pattern, rest, re.I):  # "the coach" when Coach is a name
                return person.name, at + m.end()
        m = re.match(
            rf"(?:(the|his|her|their|my|our)\s+)((?:[a-z\-]+\s+){{0,2}}?)({_NOUNS})\b", rest, re.I
        )
        for phrase, who in self._role_phrases().items():
            if not m and (role := re.match(rf"the\s+{re.escape(phrase)}\b", rest, re.I)):
                return who, at + role.end()  # "the team leader", said of Trish alone
        kin = "|".join(sorted(KIN, key=len, reverse=True))
        m = m or re.match(rf"()()({kin})(?=(?:'s|s'|\s))", rest, re.I)  # "grandad's jacket"
        m = m or re.match(r"(she|he|her|him|they|them|his|their)\b", rest, re.I)
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
        """ "green, not yellow" -> ("green", {"yellow"}); also drops "now", "instead"; "a
        woollen hat too, a red one" -> "a red woollen hat"."""
        if one := _ONE_RE.match(said.strip()):
            said = f"{_recolour(one.group('item'), one.group('mods'), set())}{one.group('rest')}"
        old: set[str] = set()
        said = re.sub(  # "a hat — a grey felt fedora": the second says which
            r"^[^\u2014\u2013]+?\s+[\u2014\u2013-]\s+(?=(?:an?|the|some)\s)", "", said.strip()
        )
        if m := _NEGATED_RE.search(said):
            old = set(_plain_words(m.group(1)))
            said = said[: m.start()] + said[m.end() :]
        said = _more_looks_only(said)
        for _ in range(2):
            said = _CHANGE_TAIL_RE.sub("", said.strip(" ,.!"))
        return said.strip(" ,.!"), old

    def _thing_change(self, name: str | NeedAnswer, thing: str, mods: str, said: str) -> bool:
        """ "Lena's coat should be green, not yellow": change one garment or feature."""
        thing = thing.lower()
        worn = ""
        if not isinstance(name, NeedAnswer) and (person := self.people.get(handle_of(name))):
            worn = f"{person.wardrobe} {person.description}".lower()
        if not (
            _in_table(thing, CLOTHES)
            or _in_table(thing, BODY)
            or re.search(rf"\b{re.escape(thing)}\b", worn)
        ):
            return False  # a thing they wear though no table knows it: "graeme's swanndri"
        said = re.sub(r"^(?:the|a|an)\s+(.+?)\s+ones?\b", r"\1", said.strip(), flags=re.I)
        head = thing.rstrip("s") if thing.rstrip("s") in CLOTHES | BODY else thing
        extra = re.match(r"(.+?),?\s+(?:with|and|plus)\s+((?:an?|some)\s+[^,;]+)$", said, re.I)
        if extra and any(_in_table(w, CLOTHES) for w in _plain_words(extra.group(2))):
            said = extra.group(1)  # "navy, with a grey cardigan over them": and a cardigan
            if not self._thing_change(name, thing, mods, said):
                return False
            self._gain(name, re.sub(r"\s+over\s+(?:them|it)$", "", extra.group(2)))
            return True
        self.looks_item = (name, head)
        if (whole := _IT_BE_RE.search(said)) and _in_table(thing, CLOTHES):
            new, _old = self._negated(whole.group("new"))  # "can it be a muddy yellow raincoat"
            if _head(new):
                self._add_looks(name, "", _tidy_item(new))
                return True
        said = re.sub(r"^(?:(?:all|really|very|so|a\s+bit|quite|completely)\s+)+", "", said)
        said, old = self._negated(said)
        said, *extras = re.split(r"\s*,\s*", said)  # "shorter, a bob": a change, then more
        said = " ".join(_PLAIN_DEGREE.get(w.lower(), w) for w in said.split())  # "shorter"
        if extras and self._thing_change(name, thing, mods, said):
            for extra in extras:
                words = _plain_words(extra)
                if any(_in_table(w, CLOTHES | BODY) for w in words):
                    self._gain(name, extra)
                elif extra.strip():
                    self._describe(name, extra)
            return True
        said = re.sub(r"^(?:be|look|become|turn|go)\s+", "", said, flags=re.I)
        if not said or base_form(said.split()[0]) in ("walk", "run") or not _plain_words(said):
            return False
        person = self._person(name)
        items = _items(person.wardrobe)
        garment = _head(said) if _in_table(thing, CLOTHES) else None
        for index, item in enumerate(items):
            if _same_head(item, head):
                whole = garment and not _same_head(said, head)  # "the shirt should be a vest"
                items[index] = _tidy_item(said) if whole else _recolour(item, said, old)
                self._update_person(person, {"wardrobe": " and ".join(items)})
                return True
        for index, item in enumerate(items):  # "her hi-vis is yellow": the "hi-vis jacket"
            if re.search(rf"(?<![\w-]){re.escape(thing)}(?![\w-])", item, re.I) and not garment:
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
        plural = (thing.endswith("s") and thing.rstrip("s") in CLOTHES) or thing in _PAIRS
        self._add_looks(name, "", garment if plural else f"{_article(said)} {garment}")
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
        said, old = self._negated(said)
        if not said or not any(_in_table(w, CLOTHES | COLOURS | BODY) for w in _plain_words(said)):
            return False  # (BODY: "wears her hair down with a sprig of rosemary in it")
        description, wardrobe = _looks(said)
        self._add_looks(name, description, _tidy_item(wardrobe or said), replace=replace)
        gone = {h for word in old if (h := _head(word)) and _in_table(h, CLOTHES)}
        if gone and not isinstance(name, NeedAnswer):  # "..., not a tracksuit": it comes off
            person = self.people[handle_of(name)]
            items = _items(person.wardrobe)
            kept = [i for i in items if not any(_same_head(i, h) for h in gone)]
            if len(kept) != len(items):
                self._update_person(person, {"wardrobe": " and ".join(kept)})
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

    # --- notes about looks ---------------------------------------------------------------

    def _note(self, clause: str) -> bool | None:
        """ "Wardrobe note: Dele's hoodie is red, not grey.", "Note on Ray: older, eighties
        not seventies, and a white stubble beard.", "Wardrobe, Tomasz: swap the grey jumper
        for a navy school blazer". None when the clause is not such a note."""
        if spoken := _NOTE_SPOKEN_RE.match(clause):
            who, rest = spoken.group("who"), self.quotes[int(spoken.group("quote"))]
        elif m := _NOTE_RE.match(QUOTE_MARK.sub(" ", clause)):
            who, rest = m.group("who"), m.group("rest")
        else:
            return None
        rest = rest.strip(" .!")
        if not who:
            return self._look_change(rest) or None
        found = self._person_at(who.strip(), 0)
        if found is None or found[1] != len(who.strip()):
            return None
        return self._note_change(found[0], rest) or None

    def _note_change(self, name: str | NeedAnswer, rest: str) -> bool:
        """The changes a note lists for one person: "older, eighties not seventies, and a
        white stubble beard"; "swap the grey jumper for a navy blazer, too big in the
        shoulders"."""
        pieces: list[str] = []
        for piece in re.split(r"\s*[,;]\s*|\s+and\s+(?=(?:an?|the|some)\s)", rest):
            piece = re.sub(r"^(?:and|also|plus)\s+", "", piece.strip(" ."), flags=re.I)
            if pieces and re.match(r"(?:not|instead\s+of|rather\s+than)\s", piece, re.I):
                pieces[-1] = f"{pieces[-1]} {piece}"
            elif piece:
                pieces.append(piece)
        handled, worn = False, ""
        for piece in pieces:
            if m := _SWAP_RE.match(piece):
                worn = self._swap(name, m.group("old"), m.group("new"))
                handled = True
                continue
            if worn and re.match(
                r"(?:too|a\s+bit|slightly|very|way|really|with|that|which|\w+ly\b|\w+(?:ed|en)\b)",
                piece,
                re.I,
            ):
                self._extend_item(name, worn, piece)  # "..., too big in the shoulders"
                continue
            worn = ""
            if gone := re.fullmatch(r"(?:no|without)\s+(?:more\s+)?(.+)", piece, re.I):
                handled = self._take_off(name, gone.group(1)) or handled  # "no earbuds"
                continue
            if (m := _NOT_RE.match(piece)) and self._replace_word(
                name, m.group("new"), m.group("old")
            ):
                handled = True
                continue
            words = _plain_words(piece)
            if any(_in_table(w, CLOTHES) for w in words):
                said, _old = self._negated(piece)
                worn = _tidy_item(_looks(said)[1] or said)
                handled = self._gain(name, piece) or handled
            elif any(_in_table(w, BODY) for w in words):
                handled = self._gain(name, piece) or handled
            else:
                handled = self._describe(name, piece) or handled
        return handled

    def _take_off(self, name: str | NeedAnswer, what: str) -> bool:
        """ "no earbuds": the items of that kind leave the wardrobe (False if none is worn)."""
        head = _head(what) or what.strip().lower()
        person = self._person(name)
        items = _items(person.wardrobe)
        kept = [i for i in items if not (_same_head(i, head) or head in i.lower().split())]
        if len(kept) == len(items):
            return False
        self._update_person(person, {"wardrobe": " and ".join(kept)})
        return True

    def _swap(self, name: str | NeedAnswer, old: str, new: str) -> str:
        """ "swap the grey jumper for a navy school blazer": the item is replaced."""
        person = self._person(name)
        new = _tidy_item(re.sub(r"^(?:the|her|his|their)\s+", "a ", new.strip(), flags=re.I))
        new = re.sub(r"^a\s+(\S+)", lambda m: f"{_article(m.group(1))} {m.group(1)}", new)
        head = _head(old)
        items = _items(person.wardrobe)
        same = [i for i, item in enumerate(items) if head and _same_head(item, head)]
        if same:
            items[same[0]] = new
        else:
            items.append(new)
        self._update_person(person, {"wardrobe": " and ".join(items)})
        return new

    def _extend_item(self, name: str | NeedAnswer, item: str, more: str) -> None:
        """Say more about one garment just given: "a navy blazer too big in the shoulders"."""
        person = self._person(name)
        if item in person.wardrobe:
            wardrobe = person.wardrobe.replace(item, f"{item} {more.strip()}", 1)
            self._update_person(person, {"wardrobe": wardrobe})

    def _replace_word(self, name: str | NeedAnswer, new: str, old: str) -> bool:
        """ "eighties not seventies": the old words give way to the new ones where they are
        said; False when the description and wardrobe do not say them."""
        person = self._person(name)
        old = re.sub(r"\s+ones?$", "", old.strip(" ."))
        new = new.strip(" .")
        if not old or not new:
            return False
        decade = _DECADES.get(old.lower())
        said = rf"\b(?:{re.escape(old)}|{decade})(?!\w)" if decade else rf"\b{re.escape(old)}\b"
        for field in ("description", "wardrobe"):
            value = getattr(person, field)
            if re.search(said, value, re.I):
                changed = re.sub(said, new, value, count=1, flags=re.I)
                self._update_person(person, {field: changed})
                return True
        return False

    def _no_more(self, text: str) -> bool:
        """ "No football shirt." right after a change of clothes: the garment is gone (it was
        replaced already, or it is taken off now). No shot."""
        m = re.match(r"\s*(?:and\s+)?no\s+(?:more\s+)?((?:[\w\-]+\s+){0,3}[\w\-]+)\s*$", text, re.I)
        last = self.edits[-1] if self.edits else None
        if not (m and getattr(self, "looks_words", None) and isinstance(last, UpdateCharacter)):
            return False
        head = _head(m.group(1))
        if not head or not _in_table(head, CLOTHES):
            return False
        person = self.people[handle_of(last.name)]
        items = _items(person.wardrobe)
        kept = [i for i in items if not _same_head(i, head)]
        if len(kept) != len(items):
            self._update_person(person, {"wardrobe": " and ".join(kept)})
        return True

    def _reason(self, text: str) -> bool:
        """The reason given for a change just made: "Yellow disappears against the sulphur."
        after "Kenji's jacket is blue, not yellow." No edit, and never a shot."""
        said = getattr(self, "looks_words", None)
        if not said:
            return False
        body = re.sub(_REASON_LEAD, "", text, flags=re.I)
        words = _plain_words(body)
        if not words or len(words) > 14 or words[0] not in said or self._names_in(text):
            return False
        return bool(
            re.search(
                r"\b(?:disappears?|vanish(?:es)?|blends?|clash(?:es)?|pops?|stands?\s+out|reads?"
                r"|looks?|is|was|feels?|seems?|works?|too|better|worse|against|camera|screen"
                r"|background|matches|fits?)\b",
                body,
                re.I,
            )
        )
