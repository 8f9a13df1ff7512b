"""Which shots a command means: "shot 3", "shots 2 and 5", "the last shot", "it"."""

from __future__ import annotations

import math
import re
import unicodedata

from storyreel.agent.offline.camera import camera_fields
from storyreel.agent.offline.cast import NeedAnswer
from storyreel.agent.offline.text import lazy, parse_number, rx, shots_text
from storyreel.agent.offline.words import ORDINALS, PLACES, N
from storyreel.tools.story import Shot, handle_of

_NOT_A_SECOND = r"(?!\s*(?:s\b|secs?\b|seconds?\b|mm\b|fps\b|:\d|p\b))"
REF_RE = rx(
    rf"\bshots?\s*(?:#|no\.?\s*|number\s+)?({N})\b{_NOT_A_SECOND}",
    rf"((?:\s*(?:,|and|&|\+|or)\s*(?:shot\s*)?#?{N}\b{_NOT_A_SECOND})*)",
    rf"(?:\s*(?:-|\u2013|to|through|thru)\s*({N})\b{_NOT_A_SECOND})?",
    r"|\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last",
    r"|final|opening|previous)\s+(?:shot|one)\b|\b(this|that|the\s+same)\s+(?:shot|one)\b",
    rf"|\b(?:the\s+)?(first|last)\s+({N})\s+shots\b",
)


# --- shots named by what they show --------------------------------------------------------

ContentRef = tuple[list[int], list[int], bool]
"""What a phrase names: (the ids, close candidates when unsure, whether the match is weak)."""

_HEAD = (
    r"(?:two[\s-]*shots?|close[\s-]*ups?|closeups?|shots?|ones?|wides?|inserts?|ecus?|cus?|mcus?"
    r"|pictures?|packshots?|interiors|exteriors|clips?"
    r"|establishing(?:\s+shots?)?|pov|aerials?|takes?)"
)
_SELECT = r"(?P<sel>all|every|each|both)\s+(?:(?:of\s+)?(?:the|my|our|those|these)\s+)?"
_OWNER = r"(?P<own>[A-Za-z][\w\-]*)'s\s+"
_MOD = r"(?:(?!(?:should|needs?|must|is|are|be|to|and|or|a|an|with|of|in|on|at)\b)[\w\-]+\s+)"
_WITH_WHO_RE = rx(
    r"\bwith\s+((?:\S+\s+){0,3}?\S+)(?:\s+in\s+(?:it|them|the\s+(?:shot|frame|picture)))?\s*$"
)
"""Who a many-shot phrase picks shots by: "every shot with the manager in it"."""
PHRASE_RE = rx(
    rf"\b(?:{_SELECT}|(?P<det>the|that|this|those|these)\s+|{_OWNER})",
    rf"(?P<mods>{_MOD}{{0,4}}?)(?P<head>{_HEAD})\b",
)
"""A shot named by a phrase with a head word: "the nets shot", "every dusk shot", "the one",
"Mara's close-up", "all the close-ups" (a post-modifier, "of the nets", is read after it)."""
ALL_RE = rx(
    r"\b(?:everything|every\s*thing|all\s+of\s+them|them\s+all|(?:each|every)\s+one",
    r"(?:\s+of\s+them)?|the\s+whole\s+(?:film|movie|sequence|story|thing|scene|lot|video)",
    r"|the\s+entire\s+(?:film|movie|sequence|story|thing|scene)|all\s+(?:the\s+)?(?:shots|pictures)",
    r"|all)\b",
)
"""Every shot: "everything", "them all", "the whole sequence"."""
COUNT_RE = rx(
    rf"\bthe\s+(first|last|opening|closing|final)\s+({N})\b",
    r"(?!\s*(?:s\b|secs?\b|seconds?\b|shots?\b))",
)
_POST_RE = rx(
    r"\s*(?:,\s*)?\b(of|with|where|when|while|showing|featuring|on|in|at|from|inside|outside",
    r"|near|that|which|before|after|without)\b",
)
_STOP_RE = rx(
    r"^(?:[,;:!?.]|should\b|needs?\b|must\b|could\b|can\b|will\b|would\b|has\b|have\b|is\b",
    r"|are\b|was\b|were\b|be\b|then\b|again\b|please\b|too\b",
    r"|instead\b|now\b|for\s+me\b|as\s+well\b|by\b|into\b|except\b|but\b|apart\b|other\s+than\b",
    r"|to\s+(?:the\s+)?(?:start|end|beginning|front|back|top)\b|to\s+(?:a|an|\d|",
    rf"{N}\b)|a\s+(?:bit|little|lot|touch|tad)\b|(?:a|an)\s+(?:close|closer|wide|wider|medium",
    r"|extreme|full|long|low|high|slow|slower|quick|fast|tracking|handheld|static|still",
    r"|dutch|overhead|tight)|\d|(?:",
    N,
    r")\s*(?:s|secs?|seconds?)\b|(?:longer|shorter|wider|tighter|closer|looser|slower|faster",
    r"|quicker|brighter|darker|warmer|cooler|colder|softer|harsher|moodier)\b)",
)


def _word_set(text: str) -> frozenset[str]:
    """A word table written as one string."""
    return frozenset(text.split())


_WORD_RE = lazy(r"[^\W_]+(?:'[^\W_]+)?")
_STOPWORDS = _word_set(
    "the a an of with where when while showing featuring on in at from inside outside near "
    "that which this these those it its their them they we i you me my our your is are was "
    "were be been being and or but to into onto for by as shot shots one ones take takes "
    "scene bit little very really just some there here who what all every each both other "
    "has have had does do did s one's again please too now then so like kind sort camera "
    "frame picture thing everything everyone whole entire film movie sequence video lot "
    "single rest remaining"
)
_SIZE_WORDS = {
    "ECU": "closeup close tight extreme ecu insert detail macro",
    "CU": "closeup close tight cu face",
    "MCU": "closeup close medium mcu",
    "MS": "medium mid ms",
    "MLS": "medium cowboy mls",
    "LS": "wide long full ls",
    "ELS": "wide establishing extreme els aerial vista",
}
_ANGLE_WORDS = {
    "low": "low", "high": "high", "overhead": "overhead aerial bird birdseye top drone",
    "worms_eye": "worm ground low", "dutch": "dutch canted tilted", "ots": "ots shoulder over",
    "profile": "profile side", "back": "behind back",
}  # fmt: skip
_TIME_WORDS = {"golden_hour": "golden hour sunset", "blue_hour": "blue hour twilight",
               "noon": "noon day midday daytime", "night": "night nighttime dark"}  # fmt: skip
_PRONOUNS = {"f": "she her woman girl", "m": "he him his man boy"}
_POSITION = {"first": 0, "opening": 0, "last": -1, "final": -1, "closing": -1, "previous": -1}


def stem(word: str) -> str:
    """A light stem, so "nets" meets "net" and "reads" meets "reading": plural, -ing, -ed, -e."""
    word = word.lower().strip("'").removesuffix("'s")
    for suffix in ("ing", "ed", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2]:
                word = word[:-1]  # "running" -> "run"
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content_words(text: str) -> list[str]:
    """The stems of the words that say what a phrase shows ("the shot of the nets" -> net)."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"close[\s-]*ups?", "closeup", text)
    text = re.sub(r"two[\s-]*shots?", "twoshot", text)
    text = re.sub(r"bird'?s[\s-]*eye", "birdseye", text)
    return [stem(w) for w in _WORD_RE.findall(text) if w not in _STOPWORDS]


def shot_words(shot: Shot) -> dict[str, float]:
    """Every stem a shot can be called by, with how much it says (action words count most)."""
    words: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for word in content_words(text):
            words[word] = max(words.get(word, 0.0), weight)

    add(shot.action, 1.0)
    for name in shot.characters:
        add(name, 1.0)
    add(shot.location or "", 0.8)
    add(shot.scene, 0.6)
    add(_SIZE_WORDS.get(shot.size.value, ""), 0.9)
    add(_ANGLE_WORDS.get(shot.angle.value, ""), 0.7)
    add(shot.movement.value.replace("_", " "), 0.7)
    if shot.movement.value == "dolly_in":
        add("push pushin", 0.7)
    if shot.time_of_day is not None:
        add(_TIME_WORDS.get(shot.time_of_day.value, shot.time_of_day.value.replace("_", " ")), 0.8)
    add(shot.lighting, 0.6)
    add(shot.dialogue, 0.5)
    if len(shot.characters) == 2:
        add("twoshot", 0.9)
    return words


def _match(word: str, bag: dict[str, float]) -> float:
    """How well one phrase word meets a shot: its weight, or less for a shared beginning."""
    if word in bag:
        return bag[word]
    if len(word) >= 4:
        shared = [w for w in bag if len(w) >= 4 and (w.startswith(word) or word.startswith(w))]
        return 0.6 * max((bag[w] for w in shared), default=0.0)
    return 0.0


def score_shots(words: list[str], bags: dict[int, dict[str, float]]) -> dict[int, float]:
    """Each shot's score: the phrase words it shows, rare words counting more."""
    scores = dict.fromkeys(bags, 0.0)
    for word in dict.fromkeys(words):
        hits = {i: m for i, bag in bags.items() if (m := _match(word, bag)) > 0}
        if not hits:
            continue
        rarity = 1.0 + math.log(len(bags) / len(hits))
        for i, m in hits.items():
            scores[i] += m * rarity
    return scores


def pick(
    scores: dict[int, float], words: list[str], bags: dict[int, dict[str, float]]
) -> ContentRef:
    """The shot a phrase means: a clear best, else the close candidates; weak when it only
    shares the beginnings of words or leaves most of the phrase unexplained."""
    ranked = sorted((s, -order, i) for order, (i, s) in enumerate(scores.items()) if s > 0)
    ranked.reverse()
    if not ranked:
        return [], [], False
    best = ranked[0][0]
    close = [i for s, _, i in ranked if s >= 0.8 * best]
    if len(close) > 1:
        return [], close[:4], False
    bag = bags[ranked[0][2]]
    met = [w for w in words if _match(w, bag) > 0]
    weak = len(words) >= 3 and len(met) * 2 < len(words)
    return [ranked[0][2]], [], weak


class ContentRefMixin:
    """Shots named by what they show: "the shot of the nets", "every dusk shot"."""

    def _bags(self, among: list[int] | None = None) -> dict[int, dict[str, float]]:
        """The words of every shot (in film order), or of some of them."""
        bags = {}
        only_place = self.plan.locations[0].name if len(self.plan.locations) == 1 else None
        for shot_id in self.order if among is None else among:
            if (shot := self.plan.find_shot(shot_id)) is None:
                continue
            bag = bags[shot_id] = shot_words(shot)
            if shot.location is None and only_place:
                bag.update(dict.fromkeys(content_words(only_place), 0.8))
            for name in shot.characters:
                if (person := self.people.get(handle_of(name))) is None:
                    continue
                for word in content_words(person.description):
                    bag.setdefault(word, 0.6 / len(shot.characters))
                for word in _PRONOUNS.get(person.gender or "", "").split():
                    bag.setdefault(word, 0.4)
        return bags

    def _position_ids(self, phrase: str) -> list[int] | None:
        """ "the first", "the last one", "the opening shot", "the last two": by place in the film;
        None when the phrase does not name a position."""
        low = phrase.lower().strip(" ,.;:!?")
        if m := COUNT_RE.fullmatch(low) or rx(
            rf"the\s+(first|last|opening|closing|final)\s+({N})\s+(?:shots|ones)"
        ).fullmatch(low):
            count = int(parse_number(m.group(2)))
            start = m.group(1).lower() in ("first", "opening")
            return self.order[:count] if start else self.order[-count:]
        ordinal = "|".join([*ORDINALS, *_POSITION])
        m = rx(rf"(?:the\s+)?(?:very\s+)?({ordinal})(?:\s+(?:shot|one))?").fullmatch(low)
        if not m or not self.order:
            return None
        word = m.group(1).lower()
        index = _POSITION.get(word, ORDINALS.get(word, 0) - 1)
        return [self.order[index]] if -len(self.order) <= index < len(self.order) else []

    def _content_ids(self, phrase: str, among: list[int] | None = None) -> ContentRef:
        """The shot a phrase means by what it shows (see `pick`); "the one before the storm"
        is the shot before the one the rest names."""
        if (placed := self._position_ids(phrase)) is not None:
            return placed, [], False
        m = rx(r"^\s*(?:the\s+)?(?:one|shot)\s+(?:right\s+|just\s+)?(before|after)\s+(.+)$")
        if (rel := m.match(phrase)) and among is None:
            ids, ask, weak = self._content_ids(rel.group(2))
            if not ids:
                return ids, ask, weak
            index = self.order.index(ids[0]) + (-1 if rel.group(1).lower() == "before" else 1)
            return ([self.order[index]] if 0 <= index < len(self.order) else []), [], weak
        words = content_words(phrase)
        bags = self._bags(among)
        return pick(score_shots(words, bags), words, bags) if words else ([], [], False)

    def _selected_ids(self, phrase: str) -> list[int] | None:
        """The shots a many-shot phrase picks ("all the close-ups", "every shot with Tom",
        "everything in the field", "every dusk shot"): each word that describes some shot
        must fit. None when a word fits no shot at all."""
        who = _WITH_WHO_RE.search(phrase)
        if who and camera_fields(who.group(1))[0]:
            who = None  # "every shot with Tom from down low": the change follows the name
        if who and (people := self._people_meant(who.group(1))):
            return [  # "every shot with the manager in it": the manager is Baruah
                i
                for i in self.order
                if (shot := self.plan.find_shot(i)) and set(people) <= set(shot.characters)
            ]
        words = content_words(phrase)
        bags = self._bags()
        for shot_id, bag in bags.items():  # "all the outdoor shots", "every kitchen shot"
            for word, weight in self._place_words(shot_id).items():
                bag[word] = max(bag.get(word, 0.0), weight)
        chosen = list(bags)
        for word in words:
            fits = [i for i in chosen if _match(word, bags[i]) >= 0.7]
            if not any(_match(word, bag) > 0 for bag in bags.values()):
                return None
            chosen = fits
        return chosen

    def _people_meant(self, words: str) -> list[str]:
        """The known people `words` name ("Baruah", "the manager", "Tom and the girl"), or
        [] when they name nobody for sure."""
        try:
            return self._names_in(words)  # type: ignore[attr-defined]
        except NeedAnswer:  # several fit: the words are read as shot words
            return []

    def _place_words(self, shot_id: int) -> dict[str, float]:
        """Words a shot can be picked by among many for where it happens: indoor or
        outdoor."""
        shot = self.plan.find_shot(shot_id)
        place = next((p for p in self.plan.locations if shot and p.name == shot.location), None)
        if place is None:
            return {}
        text = f"{place.name} {place.description}".lower()
        inside = bool(set(content_words(text)) & _INDOOR) or "interior" in text
        if re.search(r"\b(?:outside|exterior|outdoors?|open\s+air)\b", text):
            inside = False  # "the street outside the club"
        tags = "indoor inside interior" if inside else "outdoor outside exterior"
        words = dict.fromkeys(content_words(tags), 0.8)
        if not all(w in PLACES for w in place.name.lower().split()):  # "Blue Lantern": a club
            kinds = [
                w
                for w in re.findall(r"[a-z]+", place.description.lower())
                if w in PLACES or stem(w) in _INDOOR
            ]
            words.update(dict.fromkeys(content_words(" ".join(kinds)), 0.8))
        return words

    def _resolve_phrase(self, phrase: ShotPhrase) -> ShotPhrase:
        """Fill in the ids a phrase names (or the close candidates, or nothing)."""
        text = phrase.text
        exclude: list[int] = []
        if ex := _EXCEPT_RE.search(text):
            exclude = self._phrase_ids(text[ex.end() :])
            text = text[: ex.start()]
        if phrase.many:
            if (placed := self._position_ids(text)) is not None:
                phrase.ids = placed
            elif ALL_RE.fullmatch(text.strip()) or re.fullmatch(
                r"(?:all|every|each|both)\s*(?:of\s+)?(?:the\s+)?(?:shots?|ones?)?",
                text.strip(),
                re.I,
            ):
                phrase.ids = list(self.order)
            else:
                ids = self._selected_ids(text)
                cut = re.search(r"\s+(?:at|in|during|to|for)\s+(?=\S)", text)
                if not ids and cut and not exclude and _TIME_RE.match(text[cut.end() :]):
                    ids = self._selected_ids(text[: cut.start()])  # "...shots at golden hour"
                    if ids:
                        phrase.end = phrase.start + cut.start()
                        phrase.text = text[: cut.start()]
                words = list(re.finditer(r"\s+[\w'-]+", text))
                for word in reversed(words[-3:]) if not (ids or exclude) else []:
                    if not camera_fields(text[word.start() :])[0]:
                        continue  # "all the shots on the jetty handheld": the change after
                    if ids := self._selected_ids(text[: word.start()]):
                        phrase.end = phrase.start + word.start()
                        phrase.text = text[: word.start()]
                        break
                phrase.ids = ids or []
            phrase.ids = [i for i in phrase.ids if i not in exclude]
            return phrase
        phrase.ids, phrase.ask, phrase.weak = self._content_ids(text)
        return phrase

    def _phrase_ids(self, text: str) -> list[int]:
        """The ids a short phrase names when it names them clearly ("the last one", "the
        crow shot", "shot 3"); else none."""
        ids, _ = self._refs(text)
        if ids:
            return ids
        found = self._content_ids(text)
        return found[0] if not found[1] and not found[2] else []


class RefMixin(ContentRefMixin):
    """The shot-reference side of a Turn."""

    def _refs(self, text: str) -> tuple[list[int], str]:
        """Shot ids a text names ("shot 3", "shots 2 and 5", "the last shot"), and the rest."""
        ids: list[int] = []

        def take(m: re.Match[str]) -> str:
            if m.group(1) and m.group(3):
                ids.extend(range(int(parse_number(m.group(1))), int(parse_number(m.group(3))) + 1))
            elif m.group(1):
                more = re.findall(rf"\b{N}\b", m.group(2) or "", re.I)
                ids.extend(int(parse_number(n)) for n in [m.group(1), *more])
            elif m.group(4) and self.order:
                word = m.group(4).lower()
                position = {"last": -1, "final": -1, "previous": -1, "opening": 1}.get(word)
                index = position if position == -1 else (position or ORDINALS[word]) - 1
                if index < len(self.order):
                    ids.append(self.order[index])
            elif m.group(5) and (it := self._it()) is not None:
                ids.append(it)
            elif m.group(6):
                count = int(parse_number(m.group(7)))
                ids.extend(
                    self.order[:count] if m.group(6).lower() == "first" else self.order[-count:]
                )
            return " "

        return ids, REF_RE.sub(take, text)

    def _it(self) -> int | None:
        """The shot "it" means: the one this message last touched, else the last one discussed."""
        value = self.touched if self.touched is not None else self.memo.get("last_shot")
        if value == -1 and self.order:
            return self.order[-1]
        return value if isinstance(value, int) and value in self.order else None

    def _shots_or_it(self, text: str) -> tuple[list[int], str]:
        """Shot ids named in the text, or the shot "it"/"that" means."""
        ids, rest = self._refs(text)
        m = re.search(r"\b(?:it|that|this)\b", rest, re.I)
        if not ids and m and (it := self._it()) is not None:
            return [it], rest[: m.start()] + rest[m.end() :]
        return ids, rest

    def _names_start(self, text: str) -> bool:
        """ "shot 0", "shot zero", a bare "0": the place before the first shot, so that
        "after shot 0" means the start, as `--after 0` does on the command line."""
        ids = self._refs(text)[0]
        if ids:
            return ids[0] == 0
        return bool(re.fullmatch(r"\s*#?\s*(?:0|zero|nought)\b[\s.!]*", text, re.I))

    def _existing(self, ids: list[int]) -> list[int]:
        """The ids that exist, with a note for the others."""
        ids = list(dict.fromkeys(ids))
        if missing := [i for i in ids if i not in self.order]:
            have = ", ".join(map(str, self.order)) or "none yet"
            self.notes.append(f"There is no {shots_text(missing)} (shots: {have}).")
        return [i for i in ids if i in self.order]

    def _unlocked(self, ids: list[int], doing: str) -> list[int]:
        """The ids that are not locked, with a note for the others."""
        for i in (locked := [i for i in ids if i in self.locked]):
            self.notes.append(f'Shot {i} is locked, so I can\'t {doing} it: say "unlock shot {i}".')
        return [i for i in ids if i not in locked]

    def _done(self, sentence: str, shot_id: int | None = None) -> bool:
        """Say what will happen; remember the shot for a later "it"."""
        self.said.append(sentence)
        if shot_id is not None:
            self.touched = self.memo["last_shot"] = shot_id
        return True


_INDOOR = frozenset(
    stem(w)
    for w in [
        "kitchen",
        "bedroom",
        "bathroom",
        "hallway",
        "hall",
        "corridor",
        "attic",
        "cellar",
        "basement",
        "office",
        "shop",
        "store",
        "cafe",
        "bar",
        "pub",
        "restaurant",
        "diner",
        "hotel",
        "motel",
        "lobby",
        "apartment",
        "flat",
        "studio",
        "church",
        "chapel",
        "classroom",
        "library",
        "museum",
        "hospital",
        "ward",
        "room",
        "lounge",
        "gallery",
        "club",
        "cabin",
        "cottage",
        "house",
        "hut",
        "truck",
        "van",
        "car",
        "bus",
        "train",
        "tent",
        "inside",
        "indoor",
        "interior",
        "cockpit",
        "bunker",
        "cave",
    ]
)
"""Place words that mean indoors ("all the outdoor shots" are the others)."""
_TIME_RE = rx(
    r"(?:the\s+)?(?:golden\s+hour|blue\s+hour|dusk|dawn|sunset|sunrise|noon|midday|night",
    r"|nighttime|morning|evening|twilight|daybreak|first\s+light|magic\s+hour)\b",
)
_PLURAL_HEAD = lazy(r"(?:shots|ones|ups|closeups|wides|inserts|ecus|cus|mcus|aerials)$", re.I)
_EXCEPT_RE = rx(
    r"\s*,?\s*\b(?:except(?:\s+for)?|but\s+not|apart\s+from|other\s+than|besides|save)\s+"
)
_AND_NEXT_RE = rx(
    r"\s*(?:,\s*)?\band\b\s+(?:then\b|the\s+\w+(?:\s+\w+)?\s+(?:shot|one)s?\b|shot\b)"
)


class ShotPhrase:
    """A phrase in a clause that names shots, where it is, and what it names."""

    def __init__(self, start: int, end: int, text: str, many: bool) -> None:
        self.start, self.end, self.text, self.many = start, end, text, many
        self.ids: list[int] = []
        self.ask: list[int] = []
        self.weak = False

    def __repr__(self) -> str:
        return f"ShotPhrase({self.text!r}, ids={self.ids}, ask={self.ask}, weak={self.weak})"


def _tail_end(text: str, pos: int) -> int:
    """Where the words after "the one with/of/where ..." stop naming the shot."""
    end = pos
    while pos < len(text):
        space = len(text[pos:]) - len(text[pos:].lstrip())
        at = pos + space
        if at >= len(text) or _STOP_RE.match(text[at:]) or _AND_NEXT_RE.match(text[pos:]):
            break
        if not (word := re.match(r"[\w'\-]+", text[at:])):
            break
        pos = end = at + word.end()
    return end


def find_phrases(text: str) -> list[ShotPhrase]:
    """Every phrase of the clause that names shots by content, by position or many at once:
    "the shot of the nets", "Mara's close-up", "every dusk shot", "everything in the field",
    "the last two". Phrases with a number ("shot 3") or "that one" are left to `_refs`."""
    found: list[ShotPhrase] = []
    for m in PHRASE_RE.finditer(text):
        end = m.end()
        while more := re.match(r"\s+(?:shots?|ones?)\b", text[end:], re.I):
            end += more.end()
        post = _POST_RE.match(text[end:])
        if post and post.group(1).lower() in ("before", "after") and m.group("mods").strip():
            post = None  # "put the nets shot after the storm one"
        if post and (tail := _tail_end(text, end + post.end())):
            end = tail if tail > end + post.end() else end
        many = bool(m.group("sel")) or bool(_PLURAL_HEAD.search(text[m.start() : m.end()]))
        plain = text[m.start() : end]
        det = (m.group("det") or "").lower()
        if det in ("that", "this") and end == m.end() and not m.group("mods").strip():
            continue  # "that one", "this shot": the shot talked about
        if REF_RE.fullmatch(plain.strip()) and not m.group("mods").strip():
            continue
        if re.match(r"(?:both|each)\s+(?:shots?|ones?)?$", plain, re.I) and end == m.end():
            many = True
        found.append(ShotPhrase(m.start(), end, plain, many))
    for m in ALL_RE.finditer(text):
        if any(p.start <= m.start() < p.end for p in found):
            continue
        if m.group(0).lower() == "all" and not re.match(
            r"\s*$|\s+(?:of\s+)?(?:them|shots)", text[m.end() :]
        ):
            continue
        end = m.end()
        if post := rx(r"\s+\b(?:in|at|on|with|from|inside|outside|near)\b").match(text[end:]):
            end = max(end, _tail_end(text, end + post.end()))
        found.append(ShotPhrase(m.start(), end, text[m.start() : end], True))
    for m in COUNT_RE.finditer(text):
        if not any(p.start <= m.start() < p.end for p in found):
            found.append(ShotPhrase(m.start(), m.end(), m.group(0), True))
    found.sort(key=lambda p: p.start)
    kept: list[ShotPhrase] = []
    for phrase in found:
        if kept and phrase.start < kept[-1].end:
            continue
        if (ex := _EXCEPT_RE.match(text[phrase.end :])) and phrase.many:
            phrase.end = _tail_end(text, phrase.end + ex.end())
            phrase.text = text[phrase.start : phrase.end]
        kept.append(phrase)
    return kept
