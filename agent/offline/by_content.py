"""Commands that name shots by what they show ("the shot of the nets", "every dusk shot"),
the answers to "which shot do you mean?", and the catch-all that keeps a command verb nobody
understood from ever becoming a shot."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from storyreel.agent.offline.camera import camera_fields, time_in
from storyreel.agent.offline.refs import (
    ALL_RE,
    COUNT_RE,
    REF_RE,
    ShotPhrase,
    content_words,
    find_phrases,
    stem,
)
from storyreel.agent.offline.text import QUOTE_MARK, QUOTE_RE, parse_number, rx, shots_text
from storyreel.agent.offline.words import BACKENDS, PEOPLE, N
from storyreel.tools.edits import AskPerson

_PRE = (
    r"(?:(?:please|pls|can\s+you|could\s+you|would\s+you|will\s+you|can\s+we|could\s+we"
    r"|let'?s|lets|i\s+want\s+to|i'?d\s+like\s+to|i\s+would\s+like\s+to|we\s+should"
    r"|we\s+need\s+to|you\s+can|go\s+ahead\s+and|just|maybe|perhaps|now)\s+)*"
)
_LEAD = (
    r"(?:(?:and|so|oh|ok(?:ay)?|also|actually|now|hmm+|right|well|wait|no|yes|yeah|then|just"
    r"|alright|sorry|oops|hey)\b[,!.]?\s+)*"
)
_VERBS_ALL = (
    r"(?:make|change|set|turn|give|shorten|lengthen|extend|trim|retime|re-?time|speed\s+up"
    r"|slow\s+down|tighten|widen|brighten|darken|redo|re-?do|retake|re-?shoot|add|put|take"
    r"|bring|remove|delete|cut(?!\s+(?:to|back|away)\b)|drop|lose|move|place|shift|swap"
    r"|switch|exchange|lock|unlock|freeze|unfreeze|render|re-?render|get\s+rid\s+of|have"
    r"|use|keep|go|get|compare|try|scrap|ditch|kill|bin)"
)


_VERB_KINDS = {
    "delete": r"delete|remove|cut|drop|lose|scrap|kill|bin|ditch|trash|nix|get\s+rid\s+of"
    r"|take\s+out|throw\s+(?:away|out)",
    "lock": r"lock|unlock|freeze|unfreeze",
    "render": r"render|re-?render|regenerate|preview",
    "swap": r"swap|switch|exchange|flip",
    "move": r"move|put|place|shift|bring",
    "start": r"(?:start|open|begin|end|finish|close)(?:\s+(?:the\s+)?(?:film|movie|sequence"
    r"|story|video))?\s+(?:on|with)",
}


_VERB_OBJECT_RE = rx(
    rf"^\s*{_LEAD}{_PRE}(?P<verb>",
    r"delete|remove|cut(?!\s+(?:to|back|away|in)\b)|drop|lose|scrap|kill|bin|ditch|trash|nix",
    r"|get\s+rid\s+of|take\s+out|throw\s+(?:away|out)|unlock|lock|unfreeze|freeze",
    r"|re-?render|render|regenerate|preview|swap|switch|exchange|flip|move|put|place|shift",
    r"|bring|(?:start|open|begin|end|finish|close)(?:\s+(?:the\s+)?(?:film|movie|sequence",
    r"|story|video))?\s+(?:on|with))\s+(?P<obj>.+?)\s*[.!?]*$",
)


_MOVE_TARGET_RE = rx(
    r"\s+(?:(?:to\s+)?(?:come\s+)?(?:right\s+|just\s+|directly\s+)?(?P<prep>after|behind",
    r"|before|in\s+front\s+of)\s+(?P<ref>.+)|(?:to|at)\s+the\s+(?:very\s+)?(?:start|beginning",
    r"|front|top|end|back)\b.*|(?:to\s+)?(?:the\s+)?(?:first|last)\b\s*$",
    r"|(?:one\s+)?(?:up|earlier|forward|down|later)\b.*)$",
)


_RENDER_TAIL_RE = rx(
    r"\s+(?:again|fresh|now|please|for\s+me|(?:on|with|using|in)\s+(?:",
    "|".join(sorted(BACKENDS, key=len, reverse=True)),
    r"))\b.*$",
)


_AMOUNT_RE = rx(
    r"(?:(?:like|say|maybe|about|around|roughly|or|so|make\s+it|more\s+like|something\s+like)",
    rf"[,]?\s+)*({N}(?:\.\d+)?)\s*-?\s*(?:s|secs?|seconds?)(?:\s+(?:long|or\s+so|please))?",
)


_MODAL_RE = rx(
    r"\s*(?:should|needs?\s+to|must|has\s+to|have\s+to|could|can|will|would|is|are|'s|to|be)\b"
)


_YES = r"(?:yes|yeah|yep|yup|sure|right|correct|exactly|ok(?:ay)?|please\s+do|do\s+it|go\s+ahead)"


_NO = r"(?:no|nope|nah|not\s+that(?:\s+one)?|wrong(?:\s+one)?|never\s*mind|cancel|don'?t)"


_CATCH_RE = rx(
    rf"^\s*{_LEAD}{_PRE}(?P<verb>delete|remove|cut|drop|lose|scrap|kill|bin|ditch",
    r"|get\s+rid\s+of|take\s+out|throw\s+(?:away|out)|move|put|place|shift|swap|switch|exchange",
    r"|make|change|set|lock|unlock|freeze|unfreeze|shorten|lengthen|extend|trim|retime|re-?time",
    r"|speed\s+up|slow\s+down|render|re-?render|reorder|rearrange|tighten|widen)\b(?P<rest>.*)$",
)


def _has_changes(turn: Any, text: str) -> bool:
    """Does the text ask for a change to a shot (camera words, a time, a length, the light,
    a line, a place, people in or out)? Read only: nothing is added."""
    if camera_fields(text)[0] or time_in(text) or QUOTE_MARK.search(text):
        return True
    if _LIGHTING_RE.search(text) or _CHANGE_WORDS_RE.search(text):
        return True
    if turn._names_in(text) and re.search(
        r"\b(?:with|without|add|remove|take|put|in\s+it|too|also|out)\b", text, re.I
    ):
        return True
    return bool(turn._find_place(text))


_CHANGE_WORDS_RE = rx(
    r"\b(?:longer|shorter|wider|tighter|closer|looser|slower|faster|quicker|shorten|lengthen",
    r"|speed\s+up|slow\s+down|no\s+dialogue|without\s+dialogue|silent|seconds?|secs?)\b",
)


_LIGHTING_RE = rx(
    r"(?:\b(?:a\s+)?(?:little|bit|lot|touch|tad|lot)\s+|\bslightly\s+|\bmuch\s+|\bway\s+",
    r"|\bmore\s+)*\b(?:brighter|darker|warmer|cooler|colder|moodier|softer|harsher|gloomier",
    r"|sunnier|dimmer|more\s+(?:contrast|moody|dramatic|contrasty))\b",
    r"(?:\s+(?:light|lighting|lit))?",
)


class ContentCommandMixin:
    """The shots-by-content side of a Turn."""

    commands: tuple[Callable[[Any, str], bool], ...] = ()
    not_again: tuple[Callable[[Any, str], bool], ...] = ()

    # --- shots named by what they show, many shots at once, and the catch-all -----------------

    def _shot_answer(self, text: str) -> bool:
        """The answer to "Which shot do you mean: shot 3 (...) or shot 5 (...)?" (or to "Did you
        mean shot 5?"): finish the command that was held back."""
        pending = self.memo.pop("pending_shot", None)
        if not isinstance(pending, dict):
            return False
        choices = [i for i in pending.get("choices") or [] if isinstance(i, int)]
        low = text.lower().strip(" .!?")
        chosen: list[int] | None = None
        if pending.get("confirm"):
            if re.fullmatch(
                rf"{_YES}(?:[,!.]?\s+{_YES})*(?:\s+(?:please|thanks|that\s+one))?", low
            ):
                chosen = choices[:1]
            elif re.fullmatch(rf"(?:{_NO})(?:[,!.]?\s+.*)?", low) and len(low.split()) <= 4:
                return self._done("OK, I left it as it is.")
        else:
            chosen = self._chosen_shot(low, choices)
        if chosen is None:
            self.notes.append(
                f'(I left out "{pending.get("clause", "")}", the shot I asked about.)'
            )
            return False
        if not chosen:
            return self._done("OK, I left it as it is.")
        self.opening = f"Got it: {shots_text(chosen)}."
        clause = f"{pending.get('before', '')} {shots_text(chosen)} {pending.get('after', '')}"
        clause = QUOTE_RE.sub(self._stash_quote, clause)
        self._clause(clause)
        return True

    def _chosen_shot(self, low: str, choices: list[int]) -> list[int] | None:
        """Which of the shots offered an answer picks ("shot 3", "3", "the first one", "the
        milk one", "both", "neither"); None when it is not an answer."""
        words = low.replace(",", " ").split()
        if not words or len(words) > 12:
            return None
        if re.fullmatch(
            r"(?:both|all|each|every\s*one)(?:\s+of\s+them)?(?:\s+(?:shots|ones))?", low
        ):
            return choices
        if re.fullmatch(rf"(?:{_NO}|neither|none|never\s*mind|cancel|forget\s+it)\b.*", low):
            return [] if len(words) <= 4 else None
        said = re.findall(rf"\bshots?\s*#?({N})\b|\b(\d+)\b", low)
        numbers = [int(parse_number(a or b)) for a, b in said]
        if (hits := [n for n in numbers if n in choices]) and len(set(hits)) == 1:
            return hits[:1]
        for word, index in (("first", 0), ("former", 0), ("second", 1), ("latter", -1),
                            ("last", -1), ("third", 2)):  # fmt: skip
            if re.search(rf"\b{word}\b", low) and len(choices) > index:
                return [choices[index]]
        if re.match(rf"\s*(?:{_PRE}){_VERBS_ALL}\b", low):
            return None  # a new command, not an answer
        ids = self._content_ids(low, choices)[0]
        return ids or None

    def _by_content(self, text: str) -> bool:
        """Commands that name shots by what they show ("move the shot of the nets to the end",
        "make the one on the boat 5 seconds", "every dusk shot a little brighter"): the shots
        named become their numbers and the command is read as if said that way. Two close
        candidates: ask which (nothing changes); no shot fits: say so (nothing changes)."""
        if (more := _AMOUNT_RE.fullmatch(text.strip(" .!?"))) and self.touched is not None:
            seconds = parse_number(more.group(1))  # "..., like 7 seconds" after a command
            if 0 < seconds <= 60:
                self._update_shots([self.touched], {"duration_s": seconds}, [])
                return True
        if not (rewritten := self._named_by_content(text)):
            return False
        if rewritten is True:
            return True
        for handler in self.commands:
            if handler not in self.not_again and handler(self, rewritten):
                return True
        if re.match(rf"\s*{_LEAD}(?:{_PRE})(?:add|insert|put|place)\b", rewritten, re.I):
            self._direction(rewritten)  # "add a close-up of Mara after the crow shot"
            return True
        return self._not_followed(text)

    def _named_by_content(self, text: str) -> str | bool:
        """The clause with its shot phrases as numbers ("shot 3"); True when it was answered
        here (a question asked, or a note); "" when it is not such a command."""
        if not (phrases := find_phrases(text)) and not _VERB_OBJECT_RE.match(text):
            return self._scene_ref(text)
        obj = _VERB_OBJECT_RE.match(text)
        loose = rf"{_VERB_KINDS['swap']}|{_VERB_KINDS['move']}"
        if obj and (not REF_RE.search(text) or re.fullmatch(loose, obj.group("verb"), re.I)):
            done = self._object_command(text, obj)
            if done is not None:
                return done
        if not phrases:
            return self._scene_ref(text)
        if REF_RE.search(text) and all(
            REF_RE.fullmatch(p.text.strip()) for p in phrases
        ):  # pragma: no cover - find_phrases leaves these out
            return ""
        if not self._commands_shots(text, phrases):
            return ""
        return self._swap_in(text, phrases)

    def _scene_ref(self, text: str) -> str:
        """ "during the argument the camera circles them", "in the storm, 3 seconds": a shot
        named by a bare noun in front of what should change in it; "" when the words name
        a place ("in the kitchen, ...") or no one shot clearly."""
        m = rx(rf"\s*{_LEAD}(?:(?:in|during|for)\s+)?(?=the\s)").match(text)
        if not m or REF_RE.search(text):
            return ""
        subject = m.end() == rx(rf"\s*{_LEAD}").match(text).end()  # "the argument should ..."
        words = list(re.finditer(r"[\w'\-]+", text[m.end() :]))[1:5]
        for word in words:
            end = m.end() + word.end()
            said, rest = text[m.end() : end], text[end:]
            if self._find_place(said) or not content_words(said) or self._names_in(said):
                return ""
            if set(content_words(said)) & set(map(stem, PEOPLE)):
                return ""  # "the girl should ...": about a person
            if subject and not _MODAL_RE.match(rest):
                continue
            ids, ask, weak = self._content_ids(said)
            if ask:
                return ""
            if ids and not weak and _has_changes(self, rest):
                return f"in shot {ids[0]}{rest}"
        return ""

    def _swap_in(self, text: str, phrases: list[ShotPhrase]) -> str | bool:
        """Resolve the phrases; put the numbers in their place, or ask / say what is missing."""
        for phrase in phrases:
            self._resolve_phrase(phrase)
            if phrase.ask:
                return self._ask_which(text, phrase)
            if not phrase.ids:
                return self._no_such_shot(phrase.text)
            if phrase.weak:
                return self._ask_which(text, phrase, confirm=True)
        for phrase in reversed(phrases):
            text = f"{text[: phrase.start]} {shots_text(phrase.ids)} {text[phrase.end :]}"
        return re.sub(r"\s+", " ", text).strip()

    def _commands_shots(self, text: str, phrases: list[ShotPhrase]) -> bool:
        """Is a clause with a shot phrase a command on those shots? A command verb first, the
        phrase first and then what should change, or what should change "on every shot"; a
        person doing something ("Tom looks at the one on the jetty") is direction."""
        first, last = phrases[0], phrases[-1]
        lead = re.match(rf"\s*{_LEAD}(?:{_PRE})", text, re.I)
        start = lead.end() if lead else 0
        if re.match(rf"{_VERBS_ALL}\b", text[start:], re.I):
            return True
        if re.match(r"\s*\w+'s\s+(?:pov|reverse)\b", first.text, re.I) and not _MODAL_RE.match(
            text[first.end :]
        ):
            return False  # "REVERSE. Daniel's POV down the aisle": a new shot's framing
        rest = f"{text[: first.start]} {text[first.end :]}"
        changes = _has_changes(self, rest)
        opening = rx(
            r"\s*(?:(?:can|could|would|will|should|shall)\s+(?:you\s+|we\s+)?",
            r"|(?:i'?d|i\s+would|we'?d)\s+like\s+|i\s+want\s+|let'?s\s+have\s+)?",
        )
        pre = opening.match(text[start:])
        if (
            pre
            and start + pre.end() == first.start
            and (changes or _MODAL_RE.match(text[first.end :]))
        ):
            return changes
        if re.fullmatch(r"\s*(?:in|on|for|during|at)\s*", text[start : first.start], re.I):
            return changes  # "in the one where Marco runs, the camera eases left"
        if re.fullmatch(
            r"\s*(?:the\s+)?(?:dialogue|lines?|voice[\s-]*over|vo)\s+(?:for|in|on|of)\s*",
            text[start : first.start],
            re.I,
        ):
            return True  # "dialogue for the smashed cake shot, helen: this is a catastrophe"
        before = text[start : last.start]
        if re.search(r"\b(?:in|on|for|to|across|throughout)\s*$", before, re.I) and not text[
            last.end :
        ].strip(" .!?,"):
            subject = self._has_subject(before, self._names_in(before), [])
            return changes and not subject
        return first.many and start == first.start and changes

    def _object_command(self, text: str, m: re.Match[str]) -> str | bool | None:
        """delete/lock/render/swap/move/open-on with shots named by content: the command with
        numbers ("cut the stumble" -> "delete shot 4"); "" when it is for the other handlers
        (or a new shot); None when the shot phrases in it should be read as for "make"."""
        verb = m.group("verb").lower()
        obj = m.group("obj")
        if re.match(r"\s*(?:an?|another|some|one\s+more)\b", obj, re.I):
            return ""  # "put a close-up of Mara after shot 2": a new shot
        kind = next(k for k, v in _VERB_KINDS.items() if re.fullmatch(v, verb, re.I))
        if kind == "start":
            return self._open_on(obj, verb, text)
        if kind == "move":
            target = _MOVE_TARGET_RE.search(obj)
            if not target:
                return None
            what, where = obj[: target.start()], obj[target.start() :]
            if REF_RE.fullmatch(what.strip()) and not target.group("ref"):
                return ""  # "move shot 2 to the start"
            found = self._object_ids(what, text)
            if not isinstance(found, list) or not found:
                return True
            prep = (target.group("prep") or "").lower()
            if prep in ("after", "behind") and self._names_start(target.group("ref")):
                where = " to the start"  # "after shot 0", as --after 0 means
            elif target.group("ref"):
                goal = self._object_ids(target.group("ref"), text)
                if not isinstance(goal, list) or not goal:
                    return True
                where = f" {target.group('prep')} shot {goal[0]}"
            elif re.match(r"\s+(?:to\s+)?(?:the\s+)?first\b", where, re.I):
                where = " to the start"
            elif re.match(r"\s+(?:to\s+)?(?:the\s+)?last\b", where, re.I):
                where = " to the end"
            return f"move shot {found[0]}{where}" if len(found) == 1 else self._not_followed(text)
        if kind == "delete" and re.search(r"\b(?:from|out\s+of)\b", obj, re.I):
            return None  # "remove Tom from the crow shot"
        tail = ""
        if kind == "render":
            cut = _RENDER_TAIL_RE.search(obj)
            obj, tail = (obj[: cut.start()], obj[cut.start() :]) if cut else (obj, "")
        obj = re.split(r"\s*(?:[,;:(]|\s-\s|\b(?:because|since|as\s+it|it'?s|it\s+is)\b)", obj)[0]
        obj = re.sub(
            r"\s+(?:please|too|as\s+well|entirely|completely|now|from\s+the\s+(?:film|cut|story))\s*$",
            "",
            obj.strip(" .!?"),
            flags=re.I,
        )
        if kind == "swap":
            if len(self._refs(obj)[0]) == 2:
                return ""  # "swap shots 2 and 3"
            if COUNT_RE.fullmatch(obj.strip()):
                found = self._object_ids(obj, text)
            else:
                parts = re.split(r"\s+(?:and|with|&)\s+", obj, maxsplit=1)
                if len(parts) != 2:
                    return None
                found = []
                for part in parts:
                    ids = self._object_ids(part, text)
                    if not isinstance(ids, list) or not ids:
                        return True
                    found += ids[:1]
            return f"swap shots {found[0]} and {found[1]}" if len(found) == 2 else None
        if kind == "render" and ALL_RE.fullmatch(obj.strip()):
            return ""  # "render everything (again)": every shot that needs it
        found = self._object_ids(obj, text)
        if not isinstance(found, list) or not found:
            return True
        word = {"delete": "delete", "lock": verb, "render": verb}[kind]
        return f"{word} {shots_text(found)} {tail}".strip()

    def _open_on(self, obj: str, verb: str, text: str = "") -> str | bool:
        """ "open on the photo", "start with the hull shot": move a shot that exists to the
        start (or "end on ..." to the end); "" (a new shot) unless one shot clearly fits."""
        if not re.match(r"\s*(?:the|that|this|[A-Za-z]+'s)\b", obj, re.I):
            return ""
        obj = re.split(  # "on the headlamps shot, ahead of the radio call": the shot
            r"\s*(?:[,;(]|\s-\s|\b(?:ahead\s+of|before|in\s+front\s+of|instead\s+of)\b)",
            obj,
            flags=re.I,
        )[0].strip(" .!?")
        if camera_fields(obj)[0] or time_in(obj) or len(obj.split()) > 6:
            return ""
        end = verb.lower().startswith(("end", "finish", "close"))
        if text and re.search(r"\b(?:shot|one)$", obj, re.I):  # "the headlamps shot": one
            found = self._object_ids(obj, text)  # that exists; ask when several fit
            if not isinstance(found, list) or len(found) != 1:
                return True
            return f"move shot {found[0]} to the {'end' if end else 'start'}"
        ids, ask, weak = self._content_ids(obj)
        if len(ids) != 1 or ask or weak:
            return ""
        return f"move shot {ids[0]} to the {'end' if end else 'start'}"

    def _object_ids(self, obj: str, text: str) -> list[int] | bool:
        """The shots the object of a command names; True when a question or a note was given
        instead (several fit, or none)."""
        obj = obj.strip(" .!?,")
        ids, rest = self._shots_or_it(obj)
        if ids and re.fullmatch(r"[\s,.&]*(?:and)?[\s,.&]*", rest):
            return self._existing(ids)
        phrases = find_phrases(obj)
        if (
            len(phrases) == 1
            and not obj[: phrases[0].start].strip()
            and not obj[phrases[0].end :].strip()
        ):
            phrase = self._resolve_phrase(phrases[0])
        else:
            parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", obj) if p.strip()]
            if len(parts) > 1:
                found = [self._content_ids(p) for p in parts]
                if all(len(f[0]) >= 1 and not f[1] and not f[2] for f in found):
                    return list(dict.fromkeys(i for f in found for i in f[0]))
            phrase = self._resolve_phrase(ShotPhrase(0, len(obj), obj, False))
        if phrase.ask:
            return self._ask_which(text, phrase, obj=obj)
        if not phrase.ids:
            return self._no_such_shot(obj)
        if phrase.weak:
            return self._ask_which(text, phrase, confirm=True, obj=obj)
        return phrase.ids

    def _ask_which(
        self, text: str, phrase: ShotPhrase, confirm: bool = False, obj: str | None = None
    ) -> bool:
        """Ask which shot a phrase means (or whether it means the one that fits a little);
        keep the clause to finish when the answer comes."""
        said = obj if obj is not None else phrase.text
        where = text.find(said) if obj is not None else phrase.start
        before, after = text[: max(0, where)], text[max(0, where) + len(said) :]
        choices = phrase.ids[:1] if confirm else phrase.ask
        described = [f"shot {i} ({self._shot_summary(i)})" for i in choices]
        if confirm:
            question = f'By "{said.strip()}" do you mean {described[0]}?'
            options = ["yes", "no"]
        else:
            listed = f"{', '.join(described[:-1])} or {described[-1]}"
            question = f"Which shot do you mean: {listed}?"
            options = [f"shot {i}" for i in choices]
        self.edits.append(AskPerson(question=question, choices=options))
        if self.question:
            self.notes.append(question)
        else:
            self.question = question
        self.memo["pending_shot"] = {
            "clause": self._restore(text),
            "before": self._restore(before),
            "after": self._restore(after),
            "choices": choices,
            "confirm": confirm,
        }
        return True

    def _shot_summary(self, shot_id: int) -> str:
        """A few words of what a shot shows."""
        shot = self.plan.find_shot(shot_id)
        action = shot.action if shot is not None else ""
        return action if len(action) <= 40 else action[:37].rsplit(" ", 1)[0] + "..."

    def _no_such_shot(self, said: str) -> bool:
        """No shot fits the phrase: change nothing and say so, listing the shots."""
        listed = "; ".join(f"{i}: {self._shot_summary(i)}" for i in self.order[:8])
        self.notes.append(
            f'I couldn\'t tell which shot "{said.strip()}" means, so I changed nothing '
            f'(shots {listed or "none yet"}). Say its number, e.g. "shot 3".'
        )
        return True

    def _not_followed(self, text: str) -> bool:
        """A command whose words I could not use: change nothing, quote it."""
        self.notes.append(
            f'I didn\'t understand "{self._restore(text).strip(" .")}", so I changed nothing. '
            'Name the shot by its number or what it shows, e.g. "make shot 2 a close-up" or '
            '"move the nets shot to the end".'
        )
        return True

    def _command_not_understood(self, text: str) -> bool:
        """The last handler: a clause that starts with a command verb ("delete ...", "move
        ...", "make ...") that nothing else took is never a new shot: change nothing, say
        what was skipped. Direction that starts with such a verb is left alone: "make Mara
        walk to the door", "put a close-up of Tom after shot 2", "cut to the harbour"."""
        m = _CATCH_RE.match(text)
        if not m:
            return False
        verb, rest = m.group("verb").lower(), m.group("rest")
        if re.match(r"\s*(?:to|back|away|in|out\s+to|between|from)\b", rest, re.I) and verb in (
            "cut",
            "switch",
            "change",
        ):
            return False
        if re.match(r"\s*(?:an?|another|some|one\s+more|two|three)\b", rest, re.I):
            return False  # "make a close-up of Mara": a new shot
        if self._position(text)[0] is not None:
            return False
        if verb in ("set",) and re.match(r"\s*(?:in|at|on|during|the\s+scene)\b", rest, re.I):
            return False
        named = REF_RE.search(rest) or find_phrases(rest)
        people = self._names_in(rest) or re.search(
            rf"\b(?:her|him|them|she|he|they|{'|'.join(sorted(PEOPLE))})\b", rest, re.I
        )
        if people and not named and verb in ("make", "put", "place", "set", "change", "move"):
            return False  # "make Mara walk to the door", "make the old woman's hair grey"
        if camera_fields(rest)[0].get("movement") and not named:
            return False  # "move in slowly on her face": camera direction
        return self._not_followed(text)
