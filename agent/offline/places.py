"""Places: slug lines, known places, "at the X"; the place a paragraph is set in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.agent.offline.camera import WEATHER_RE
from storyreel.agent.offline.text import lazy, rx
from storyreel.agent.offline.words import CLOTHES, KIN, PEOPLE, PLACES, ROLES
from storyreel.tools.edits import (
    AddLocation,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import check_name, handle_of
from storyreel.tools.vocabulary import (
    LightSide,
    TimeOfDay,
    parse_term,
)

PLACE_IS_RE = rx(r"^\s*(?:the\s+)?([a-z][a-z' \-]{1,40}?)\s+(?:is|was)\s+(an?\s+.+)$")
_SLUG_RE = lazy(
    r"^\s*(?:INT|EXT|INT\.?/EXT|I/E)\.?\s+([A-Za-z' ]+?)(?:\s*[-\u2013\u2014.,]+\s*([A-Za-z ]+))?"
    r"[\s.]*$"
)
_SETTING_START_RE = rx(
    r"^\s*(?:(?:and|then|now|so|later|next|finally|meanwhile)\b[,\s]*)*",
    r"(?:(?:we'?re|we\s+are|it'?s|(?:we\s+)?cut\s+to|back\s+to|fade\s+in\s+(?:on|to)",
    r"|open\s+on|dissolve\s+to)\s*)?$",
)
SETTING_PREFIX_RE = rx(r"\s*((?:at|in|on|inside|outside|by|during)\b[^,:;]{1,60})[,:]\s+(?=\S)")
_PLACE_PREP_RE = rx(
    r"\b(at|in|on|inside|outside|by|near|into|onto|to|across|along|through|under|beside)",
    r"\s+(?:the|an?|his|her|their|my|our|this|that)\s+",
)


_OWNED_PLACE_RE = rx(
    r"^\W*(?:(?:and|oh|so|also|then|well|ok(?:ay)?)\b[,\s]+)*(?:(?:my|our|his|her|their|the)\s+)?",
    r"([a-z][a-z\-]+)'?s\s+((?:[a-z\-]+\s+){0,2}?[a-z\-]+)\b(.*)$",
)
"""A place owned by someone, as a sentence's subject: "rosas house is just up the lane"."""
_PLACE_OF_RE = rx(
    r"\b(?:the|a|an|this|that)\s+((?:[a-z\-]+\s+){0,3}?[a-z\-]+)\s+(?:of|called|named)\s+",
    r"(?-i:([A-Z][\w'\-]+(?:\s+[A-Z][\w'\-]+){0,2}))",
)
"""A place with a proper name: "the village of San Vito", "a cafe called Lou's"."""
PERSON_NOUNS = (PEOPLE | ROLES | KIN) - PLACES
_LIVES_RE = rx(
    r"^\W*(?:(?:and|so|oh|ok(?:ay)?)\b[,\s]+)*(?P<who>[a-z][\w'\-]*)\s+(?:has\s+|had\s+)?(?:lives?|lived",
    r"|sleeps?|slept|stays?|stayed)\s+(?P<where>(?:above|over|below|under|behind|upstairs\s+from",
    r"|at\s+the\s+back\s+of)\s+(?:the|his|her|their|a)\s+[a-z\-]+)(?P<more>.*)$",
)
"""Where someone lives, said by what it is near: "Ossie has lived above the workshop"."""
_HOMES = frozenset(("room", "flat", "loft", "attic", "bedsit", "caravan", "cabin", "hut", "shed"))
_APPOSITION_RE = lazy(r",\s*((?:an?|the)\s+[^,;.]{3,80})")


_PART_OF_A_PLACE = {
    "room", "middle", "corner", "inside", "interior", "centre", "center", "back", "front",
    "side", "edge", "end", "floor", "ceiling", "wall", "walls", "doorway",
}  # fmt: skip
"""Words for part of the place a paragraph is set in, never a new place of their own once
the paragraph has one ("a periscope in the middle of the room")."""


@dataclass
class PlaceInfo:
    """A location as this message sees it: its name, time of day and key light."""

    name: str
    time: TimeOfDay | None = None
    light: LightSide | None = None
    kind: str = ""  # the common noun of a place with a proper name: "cafe" for Lou's

    @staticmethod
    def kind_of(name: str, description: str) -> str:
        """The place word a proper-named place is known by ("the village of San Vito",
        "a little cafe called Lou's", "Rosa's house"), else ""."""
        if all(w in PLACES for w in name.lower().split()):
            return ""
        words = re.findall(r"[a-z][a-z\-]*", f"{description} {name}".lower())
        return next((w for w in words if w in PLACES), "")


@dataclass
class FoundPlace:
    """A place a sentence names: known already, or `new` with a description."""

    name: str
    description: str = ""
    new: bool = False
    time: TimeOfDay | None = None
    weak: bool = False  # named in passing ("walks along the quay"), not where the scene is


class PlaceMixin:
    """The places side of a Turn."""

    def _find_place(self, text: str) -> FoundPlace | None:
        """The place a sentence is set in: a slug line, a known place, or "at the X"."""
        if m := _SLUG_RE.match(self._restore(text, "")):
            try:
                time = parse_term(TimeOfDay, m.group(2)) if m.group(2) else None
            except StoryreelError:
                time = None
            return self._place_named(m.group(1).lower().split(), time)
        if found := self._subject_place(text):
            return found
        known = []
        for place in self.places.values():
            for m in re.finditer(rf"(?<![\w@])@?{re.escape(place.name)}\b", text, re.I):
                away = r"\b(?:towards?|from|past|leaves|leaving)\s+(?:the\s+)?$"
                if not re.search(away, text[: m.start()], re.I):
                    known.append((m.start(), place.name))
                    break
            kinds = [p.kind for p in self.places.values() if p.kind == place.kind]
            the_kind = rf"\bthe\s+(?:[a-z]+\s+)?{place.kind}\b"
            if (
                place.kind
                and len(kinds) == 1
                and not known
                and (m := re.search(the_kind, text, re.I))
            ):  # "into the cafe": Lou's
                known.append((m.start(), place.name))
        if known:
            return FoundPlace(min(known)[1])
        for m in _PLACE_PREP_RE.finditer(text):
            if m.group(1).lower() == "to" and re.search(r"\w+s\s+$", text[: m.start()]):
                continue  # "walks to the lighthouse" is not there yet
            after = text[m.end() :].lower()
            words = re.match(r"(?:[a-z][a-z'\-]*\s*){1,4}", after)
            if found := self._place_in(words.group(0).split() if words else [], after):
                found.weak = found.weak and not _SETTING_START_RE.match(text[: m.start()])
                return found
        return None

    def _subject_place(self, text: str) -> FoundPlace | None:
        """The place an exposition sentence is about, where its words say so: someone's
        place ("rosas house is up the lane, a white cottage" -> Rosa's House, "a white
        cottage") or a place with its own name ("below the hut is the village of San Vito"
        -> San Vito, "the village of San Vito"). None when neither shape is there."""
        plain = self._restore(text, "")
        if (m := _OWNED_PLACE_RE.match(plain)) and (place := m.group(2).lower()).split()[-1] in (
            PLACES
        ):
            owner = m.group(1).lower()
            who = next((p.name for k, p in self.people.items() if k == handle_of(owner)), None)
            if who or owner in KIN:
                head = place.split()[-1]
                name = f"{who or owner.capitalize()}'s {head.capitalize()}"
                more = _APPOSITION_RE.search(m.group(3))
                said = f"{who or 'the ' + owner}'s {place}" + (f", {more.group(1)}" if more else "")
                return self._new_place(name, said)
        if (m := _LIVES_RE.match(plain)) and (who := self._names_in_safe_first(m.group("who"))):
            room = next(
                (w for w in re.findall(r"[a-z]+", m.group("more").lower()) if w in _HOMES), "flat"
            )  # "Ossie has lived above the workshop: one room up a ladder" -> Ossie's Room
            said = f"{who}'s {room} {m.group('where')}".strip()
            return self._new_place(f"{who}'s {room.capitalize()}", said)
        for m in _PLACE_OF_RE.finditer(plain):
            if m.group(1).lower().split()[-1] in PLACES and not self._names_in_safe(m.group(2)):
                return self._new_place(m.group(2), m.group(0).strip())
        return None

    def _names_in_safe_first(self, text: str) -> str | None:
        """The known person a name names (never asks)."""
        return next((p.name for w in text.split() if (p := self.people.get(handle_of(w)))), None)

    def _names_in_safe(self, text: str) -> bool:
        """Does `text` name a known person? (Never asks.)"""
        return any(handle_of(w) in self.people for w in text.split())

    def _new_place(self, name: str, description: str) -> FoundPlace | None:
        """A place by this exact name: the known one, else a new one described so."""
        if handle_of(name) in self.places:
            return FoundPlace(self.places[handle_of(name)].name)
        try:
            name = check_name(name, "location")
        except StoryreelError:
            return None
        return FoundPlace(name, description, new=True)

    def _place_for(self, text: str) -> FoundPlace | None:
        """The place a shot happens in; a new one named in passing keeps the current place."""
        found = self._find_place(text)
        return None if found and found.new and found.weak and self.location else found

    def _place_in(self, words: list[str], after: str) -> FoundPlace | None:
        """The longest run of words naming a place ("old lighthouse", "fish market")."""
        stop = {"and", "with", "of", "her", "his", "their", "a", "an", "the", "at", "in", "on"}
        timed = rx(
            r"\s+(?:at|during|in\s+the)\s+(?:dawn|dusk|night|sunset|sunrise|noon",
            r"|midnight|morning|evening|afternoon|twilight|golden|blue)",
        )
        for k in range(len(words), 0, -1):
            run = words[:k]
            if k < len(words) and words[k] in CLOTHES:
                continue  # "in a flat cap": a cap, not a flat
            if k < len(words) and words[k] in PERSON_NOUNS:
                continue  # "the village blacksmith", "the school nurse": who, not where
            timed_run = bool(timed.match(after.split(" ".join(run), 1)[-1]))
            if set(run) & stop:
                continue
            if k >= 2 and " ".join(run[-2:]) in PLACES:
                found = self._place_named(run, None, head=run[-2:])
            elif run[-1] in PLACES or (k <= 3 and timed_run):
                found = self._place_named(run, None, head=run[-1:] if run[-1] in PLACES else None)
            else:
                continue
            if found:
                found.weak = not timed_run
            return found
        return None

    def _place_named(
        self, words: list[str], time: TimeOfDay | None, head: list[str] | None = None
    ) -> FoundPlace | None:
        """A known place these words name, or a new one ("old lighthouse" -> "Lighthouse")."""
        name = " ".join(w.capitalize() for w in head or words)
        for candidate in (name, " ".join(w.capitalize() for w in words)):
            if handle_of(candidate) in self.places:
                return FoundPlace(self.places[handle_of(candidate)].name, time=time)
        try:
            name = check_name(name, "location")
        except StoryreelError:
            return None
        if handle_of(name) in self.people:
            return None
        return FoundPlace(name, "the " + " ".join(words), new=True, time=time)

    def _use_place(
        self, found: FoundPlace, time: TimeOfDay | None, light: LightSide | None, text: str
    ) -> str:
        """Add a new place (with its time of day, light and weather); return its name."""
        key = handle_of(found.name)
        if found.new and key not in self.places and self.location and key in _PART_OF_A_PLACE:
            return self.location  # "a periscope in the middle of the room": the bunker's room
        if found.new and key not in self.places:
            weather = m.group(1).lower() if (m := WEATHER_RE.search(text)) else ""
            self.edits.append(
                AddLocation(
                    name=found.name,
                    description=found.description,
                    time_of_day=time,
                    key_light=light,
                    weather=weather,
                )
            )
            kind = PlaceInfo.kind_of(found.name, found.description)
            self.places[key] = PlaceInfo(found.name, time, light, kind)
            common = all(w in PLACES for w in found.name.lower().split())
            self.added_places.append(f"the {found.name.lower()}" if common else found.name)
        return self.places[key].name

    def _scene(
        self, found: FoundPlace | None, time: TimeOfDay | None, light: LightSide | None, text: str
    ) -> None:
        """A sentence that only sets the scene: a place, or a time or light for this paragraph."""
        self.understood = True
        if found:
            new = found.new and handle_of(found.name) not in self.places
            self.location = self._use_place(found, time, light, text)
            if new:
                return
        place = self.places.get(handle_of(self.location)) if self.location else None
        if time and (place is None or place.time != time):
            self.par_time = time
        if light and (place is None or place.light != light):
            self.par_light = light
