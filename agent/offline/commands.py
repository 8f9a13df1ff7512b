"""Commands, as an ordered table of small handlers; each returns True when the clause
was its kind."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter

from storyreel.agent.offline.by_content import _LEAD, _LIGHTING_RE, _PRE, ContentCommandMixin
from storyreel.agent.offline.camera import (
    camera_fields,
    describe_changes,
    relative_changes,
    time_in,
)
from storyreel.agent.offline.refs import REF_RE, content_words, stem
from storyreel.agent.offline.text import (
    join_words,
    lazy,
    parse_number,
    rx,
    shots_text,
)
from storyreel.agent.offline.words import (
    BACKENDS,
    NUMBERS,
    ORDINALS,
    RENDER_FILLER,
    UNDO_WORDS,
    N,
)
from storyreel.tools.edits import (
    CompareBackends,
    DirectorEdit,
    ExportFilm,
    MakeKeyframes,
    MoveShot,
    PickKeyframe,
    RedoChange,
    ReferenceFromTake,
    RemoveShot,
    RenameCharacter,
    RenameLocation,
    RenderShots,
    SelectTake,
    SetLock,
    SetStyle,
    UndoChange,
    UpdateShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import RESOLUTIONS, check_name, handle_of, parse_aspect

_FRAME_REF_RE = rx(
    r"\b(?:use|make|turn|take|keep|save|set)\b.*?\b(?:(first|last|final|opening|closing)\s+",
    r"frame|frame\s+(?:#|number\s+)?(\d+))\s+(?:of|from|in)\s+shot\s*#?(\d+)",
    r"(?:,?\s*\(?take\s*#?(\d+)\)?)?(.*\breference\b.*)$",
)

# Words that ask for a reference steering every shot (a style or look reference).
_FILM_WIDE_RE = rx(
    r"\b(?:style|look|mood|grade|palette|every\s+shot|all\s+(?:the\s+)?shots|whole\s+film",
    r"|(?:the\s+)?film(?:'s)?\s+(?:look|style)|everything)\b",
)


def _relative_timing(body: str, shot: Any) -> tuple[str, dict[str, Any]]:
    """ "shorten", "lengthen by two seconds", "2 seconds longer", "speed up", "slow down":
    the body with these read (as "shorter"/"faster" words or a new length)."""
    body = re.sub(r"\bspeed\s+(?:it\s+|them\s+)?up\b", " faster ", body, flags=re.I)
    body = re.sub(r"\bslow\s+(?:it\s+|them\s+)?down\b", " slower ", body, flags=re.I)
    longer = re.search(r"\b(?:lengthen|extend|longer|more)\b", body, re.I)
    shorter = re.search(r"\b(?:shorten|trim|shorter|less)\b", body, re.I)
    amount = rx(
        r"\b(?:by\s+)?(?:an?\s+(?:extra\s+)?|(?:an?\s+)?(?:extra|other|additional)\s+)?",
        rf"({N}(?:\.\d+)?|an?|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?|several)\s*-?\s*",
        r"(?:s|secs?|seconds?)\b(?:\s+(?:longer|shorter|more|less))?",
    )
    by = amount.search(body)
    relative = by and (
        re.match(r"by\b", by.group(0), re.I)
        or re.search(r"(?:longer|shorter|more|less)$", by.group(0), re.I)
    )
    if by and relative and shot is not None and (longer or shorter) and not (longer and shorter):
        said = re.sub(r"^a\s+|\s+of$", "", by.group(1).lower())
        few = {"few": 3.0, "couple": 2.0, "several": 5.0}  # "a few seconds longer": +3
        seconds = 1.0 if said in ("a", "an") else few.get(said) or parse_number(said)
        sign = 1 if longer else -1
        body = body[: by.start()] + " " + body[by.end() :]
        body = re.sub(r"\b(?:longer|shorter|lengthen|shorten|extend|trim)\b", " ", body, flags=re.I)
        return body, {"duration_s": min(60.0, max(0.5, shot.duration_s + sign * seconds))}
    body = re.sub(r"\b(?:lengthen|extend)\b", " longer ", body, flags=re.I)
    body = re.sub(r"\b(?:shorten|trim)\b", " shorter ", body, flags=re.I)
    return body, {}


_GRADE_RE = lazy(
    r"^\W*(?:(?:and|so|ok(?:ay)?|now|please|(?:can|could|would|should)(?:\s+(?:u|you|we))?)\b"
    r"[,\s]*)*(?:(?:finish|grade|shoot|do|render|make|have)"
    r"\s+(?:it|the\s+(?:whole\s+)?(?:film|movie|thing|video|story)|everything|it\s+all)"
    r"|(?:it|the\s+(?:whole\s+)?(?:film|movie|thing|video|story)|everything)\s+(?:all\s+)?"
    r"(?:be|look|go))"
    r"(?:\s+(?:in|as|with|look\s+like|like))?\s+(.+)$",
    re.I,
)
"""A look for the whole film: "Finish it in black and white, grainy 16mm."."""
_LOOK_WORDS_RE = lazy(
    r"\b(?:black\s+and\s+white|black-and-white|b&w|monochrome|sepia|grainy|grain|16\s?mm|8\s?mm"
    r"|super\s?8|35\s?mm\s+film|vhs|noir|technicolou?r|pastel|desaturated|vintage|retro|anime"
    r"|cartoon|watercolou?r|cinematic|dreamy|bleach|faded|warm\s+tones?|cool\s+tones?|neon"
    r"|home\s+video|camcorder|old\s+films?|polaroid|overexposed|underexposed|bleached|washed[\s-]out"
    r"|muted|saturated|high[\s-]contrast|low[\s-]contrast|documentary|kodachrome|film\s+grain"
    r"|cold|warm|moody|gritty|painterly|hand[\s-]held\s+look|music\s+video|stop[\s-]motion)\b",
    re.I,
)
_RATIO_RE = lazy(
    r"(?<![\d:])(?<!\d\.)(9\s*[:x/]\s*16|16\s*[:x/]\s*9|4\s*:\s*3|3\s*:\s*4|1\s*:\s*1"
    r"|21\s*:\s*9|4\s*:\s*5|2\.39\s*:\s*1|2\.35\s*:\s*1|1\.85\s*:\s*1|2\s*:\s*1|1\.33\s*:\s*1)(?![\d:]|\.\d)"
)
_LOOK_LABEL_RE = lazy(
    r"^\W*(?:(?:and|so|ok(?:ay)?|oh|also|now)\b[,\s]*)*(?:for\s+|as\s+for\s+)?(?:the\s+)?"
    r"(?:(?P<label>(?:(?:overall|general|visual)\s+)?(?:look|style|grade|colou?r\s+grade|grading"
    r"|aesthetic|treatment|palette))|(?:(?:the\s+)?(?:whole|entire|full)\s+)(?:film|movie|thing"
    r"|video|story|piece)|everything|all\s+of\s+it|overall)\s*(?::|-+|\u2014|=)\s*(?P<look>.+)$",
    re.I,
)
"""A look given under a label: "For the look: bleached and overexposed", "Whole film: cold
and desaturated, like a 16mm documentary" (a "whole film:" label needs look words)."""
_SHAPE_WORDS = {
    "9:16": r"vertical|portrait|upright|tall",
    "1:1": r"square",
    "16:9": r"widescreen|wide\s*screen|landscape|horizontal",
    "21:9": r"cinemascope|anamorphic|letterbox(?:ed)?|scope",
}
_SHAPE_AFTER = (
    r"(?=\s*(?:$|[,.!?;:)(]|\s(?:shaped?|format|mode|video|film|movie|ratio|aspect|version"
    r"|orientation|frame|please|pls|plz|for|so|like|instead|too|thanks|thx|then|now|again"
    r"|rather|not|as|because|cos|cause|since|its|it'?s|this|pl[sz]e?)\b))"
)
"""After a shape word that names the film's shape: the clause ends or goes on about the
film ("square pls", "vertical for tiktok", "portrait, its going on facebook"); never a
noun it describes ("a vertical pan", "portrait lens", "the square by the church")."""
_PLATFORM_RE = lazy(
    r"\b(?:put|post|upload|share|make|going|goes|go|for|on)\b.{0,30}\b(?:on|for|to)\s+(?:my\s+|her"
    r"\s+|his\s+|our\s+|the\s+)?(?:tiktok|tik\s+tok|reels|insta(?:gram)?\s+(?:reels?|stor(?:y|ies))"
    r"|youtube\s+shorts|shorts|snapchat|whatsapp\s+status)\b"
)
_SHOT_WORDS_RE = lazy(
    r"\b(?:shot|shots|close-?ups?|wides?|pan|tilt|dolly|lens|angle|frame\s+of|of\s+(?:the|a|an|his"
    r"|her|their))\b"
)


def film_shape(low: str) -> str | None:
    """The aspect ratio a lower-case clause asks the whole film to have, or None.

    A known ratio anywhere ("Make the film 9:16.", "2.39:1 please"); a shape word about the
    film, not about a shot or a thing ("can it be portrait, its going on facebook", "oh and
    square pls", "this cut has to be vertical"); a phone platform ("for tiktok") when the
    clause is about where the film goes. A clause about a shot ("a vertical pan", "the shot
    of the square") is not about the film's shape.
    """
    if ratio := _RATIO_RE.search(low):
        return parse_aspect(re.sub(r"\s+", "", ratio.group(1)).replace("x", ":").replace("/", ":"))
    about_shot = _SHOT_WORDS_RE.search(low)
    for aspect, words in _SHAPE_WORDS.items():
        for m in re.finditer(
            rf"(?<!\bthe\s)(?<!\ba\s)(?<!\ban\s)\b(?:{words})\b{_SHAPE_AFTER}", low
        ):
            if (
                aspect == "9:16"
                and m.group(0) == "tall"
                and not re.search(
                    r"\btall\s+(?:kind|phone|one|shape|way|format|version|video)\b", low
                )
            ):
                continue
            if about_shot and not re.search(
                r"\b(?:film|video|movie|whole\s+thing|everything|format|ratio|aspect)\b", low
            ):
                continue
            return aspect
    for words, aspect in (
        (
            r"tall\s+(?:kind|phone|one|shape|way)|phone\s+shape|for\s+(?:the\s+)?(?:tele)?phones?",
            "9:16",
        ),
    ):
        if re.search(rf"\b(?:{words})\b", low) and not about_shot:
            return aspect
    if _PLATFORM_RE.search(low) and not about_shot:
        return "9:16"  # "want to put it on tiktok": a phone screen's shape
    return None


_COMMAND_VERB_RE = lazy(
    r"\s*(?:and\s+|then\s+|also\s+)*(?:make|change|set|add|put|move|swap|delete|remove|cut|lock"
    r"|unlock|render|export|give|use|keep|drop|shorten|lengthen|bring)\b",
    re.I,
)
"""A remark after an undo that is a command of its own ("undo that, then make it 4 s")."""


class CommandMixin:
    """The commands side of a Turn."""

    def _accept_fixes(self, text: str) -> bool:
        """ "fix it", "yes, fix them", "do the fix": the script supervisor's suggested edits
        for the last change (kept in the memo by the agent)."""
        if not _FIX_RE.fullmatch(text.strip(" .!")):
            return False
        fixes = self.memo.get("supervisor_fixes") or []
        if not fixes:
            self.notes.append("There is nothing to fix: the script supervisor had no notes.")
            return True
        edits = _FIXES.validate_python(fixes)
        self.edits.extend(edits)
        self.memo["supervisor_fixes"] = []
        return self._done(f"Fixing what the script supervisor noted ({len(edits)} change(s)).")

    def _rename(self, text: str) -> bool:
        """ "call Mara Marianne", "rename the harbour to Port Isaac", "change Tom's name to
        Jon", "Tom's name is actually Jonas", "Tom should be called Jonas"."""
        m = _RENAME_RE.match(self._restore(text, "").strip(" .!"))
        if m is None:
            return False
        old = (m.group("old") or m.group("old2") or m.group("old3")).strip()
        new = m.group("new").strip(" .'\"")
        person = self.people.get(handle_of(old.removeprefix("@")))
        place = self.places.get(handle_of(re.sub(r"^the\s+", "", old, flags=re.I)))
        if person is None and place is None:
            return False  # "call the film The Letter" is a title, not a rename
        try:
            new = check_name(new, "character" if person else "location")
        except StoryreelError as error:
            self.notes.append(f"I can't use {new!r} as a name: {error}.")
            return True
        if person is not None:
            self.edits.append(RenameCharacter(name=person.name, new_name=new))
            self.people[handle_of(new)] = self.people.pop(handle_of(person.name))
            said = f"{person.name} is now called {new}."
            person.name = new
        else:
            self.edits.append(RenameLocation(name=place.name, new_name=new))
            self.places[handle_of(new)] = self.places.pop(handle_of(place.name))
            said = f"The {place.name.lower()} is now called {new}."
            place.name = new
        return self._done(said)

    def _undo_redo(self, text: str) -> bool:
        """ "undo", "undo that", "undo the last 3 changes", "redo", "take that back"."""
        m = rx(
            r"\s*(?:(?:please|ok(?:ay)?|oops|no|actually|hmm+|wait|sorry|ah|oh|um+|uh|nah|just",
            r"|and|so|then|right|well|can\s+you|could\s+you|let'?s)[,!.]?\s+)*(undo|redo|go\s+back|revert",
            r"|take\s+(?:that|it)\s+back|scratch\s+that)\b(.*)",
        ).fullmatch(text.strip(" .!"))
        if not m:
            return False
        tail, remark = m.group(2), ""
        if cut := re.search(r"[,;:\u2013\u2014]|\s-\s|\s+(?:because|cos|coz|since|as)\b", tail):
            tail, remark = tail[: cut.start()], tail[cut.end() :]
        if remark.strip() and _COMMAND_VERB_RE.match(remark):
            return False  # "undo that, then make it 4 seconds": more than an undo
        words = re.findall(r"[\w']+", tail.lower())
        if any(w not in UNDO_WORDS and w not in NUMBERS and not w.isdigit() for w in words):
            return False
        numbers = [int(parse_number(w)) for w in words if w in NUMBERS or w.isdigit()]
        steps = max(1, min(50, numbers[0] if numbers else 2 if "twice" in words else 1))
        what = "change" if steps == 1 else f"{steps} changes"
        if m.group(1).lower() == "redo":
            self.edits.append(RedoChange(steps=steps))
            return self._done(f"Redoing the last undone {what}.")
        self.edits.append(UndoChange(steps=steps))
        return self._done(f"Undoing the last {what}.")

    def _bring_back(self, text: str) -> bool:
        """ "bring the mute one back", "put it back", "restore that shot": right after shots
        were removed, undo the removal (when the words fit what was removed)."""
        removed: dict[str, str] = self.memo.get("removed") or {}
        m = _BRING_BACK_RE.fullmatch(text.strip(" .!"))
        if not removed or not m:
            return False
        what = (m.group("what") or m.group("what2") or "").strip()
        vague = re.fullmatch(r"(?:it|that|them|those|(?:that|this|the)\s+(?:one|shot))", what, re.I)
        words = [w for w in content_words(what) if w not in ("one", "shot", "ones", "shots")]
        said = {stem(w) for w in words}
        fits = any(said <= {stem(w) for w in content_words(a)} for a in removed.values())
        if not (vague or (words and fits)):
            return False
        self.edits.append(UndoChange(steps=1))
        ids = ", ".join(removed)
        return self._done(f"Bringing back shot{'s' if len(removed) > 1 else ''} {ids}.")

    def _export(self, text: str) -> bool:
        """ "export", "export the film", "make the final cut"."""
        if not rx(
            r"^\s*(?:please\s+|let'?s\s+|now\s+)?(?:export|(?:make|do|render)\s+the",
            r"\s+final\s+cut|final\s+cut|assemble\s+(?:the\s+)?(?:film|movie|cut)",
            r"|(?:put|cut)\s+it\s+(?:all\s+)?together)\b",
        ).search(text):
            return False
        self.edits.append(ExportFilm())
        return self._done("Exporting the final cut.")

    def _film_look(self, text: str) -> bool:
        """ "make the whole film black and white": the film's look, before "the whole film"
        is read as every shot."""
        whole = re.search(
            r"\b(?:the\s+(?:whole|entire)\s+(?:film|movie|thing|video|story)|everything|it\s+all)\b",
            text,
            re.I,
        )
        shape = film_shape(text.lower()) and not REF_RE.search(text)
        return bool((whole and _LOOK_WORDS_RE.search(text)) or shape) and self._style(text)

    def _title(self, text: str) -> bool:
        """ "call the film The Letter", "title: The Letter", "let's call it Home", "can the
        film be called Home", "The film's called Home", "retitle the film 'Home'", "change
        the name to Home", "call the whole thing Home"."""
        film = r"(?:film|movie|story|video|short|piece|project|(?:whole\s+)?thing)"
        m = rx(
            r"^\W*(?:(?:and|so|ok(?:ay)?|oh|also|then|now|right)\b[,\s]*)*",
            r"(?:(?:please|pls|let'?s|(?:can|could)\s+(?:you|u|we)|i\s+(?:want|would\s+like|'?d",
            r"\s+like|should\s+like|would\s+love|'?d\s+love)\s+to|we\s+should|maybe)\s+)*",
            rf"(?:(?:call|name|title|retitle|rename)\s+(?:(?:the|this|our|my)\s+{film}|it)",
            rf"(?:\s+(?:to|as))?|(?:change|make)\s+the\s+(?:name|title)(?:\s+of\s+the\s+{film})?",
            rf"\s+(?:to|into)|(?:(?:the|this|our|my)\s+)?{film}(?:'s|\s+is|\s+(?:should|will|can",
            r"|could|would)\s+be)\s+(?:called|named|titled)|(?:can|could|should|shall)\s+(?:the",
            rf"|this|our|my)\s+{film}\s+be\s+(?:called|named|titled)|(?:(?:the|our)\s+)?",
            rf"(?:(?:{film}(?:'s)?\s+)?(?:working\s+)?title|{film}(?:'s)?\s+name",
            rf"|(?:name|title)\s+of\s+the\s+{film})",
            r"\s*(?:is|should\s+be",
            r"|will\s+be|:|=|-|\u2013|\u2014))",
            r"\s*(.+)$",
        ).match(text)
        title = self._restore(m.group(1), "").strip(" .!'\"") if m else ""
        title = re.sub(r"[\s,]+(?:thx|thanks|ty|pls|please|cheers|x+)\W*$", "", title, flags=re.I)
        quoted = m and re.match(r"[\"'\u201c\u2018]", self._restore(m.group(1), "").strip())
        if m and not quoted:
            # "call it The Kittiwake, that was the boats name": the title ends at the clause
            title = re.split(
                r"\s*(?:,|\s-+|\s\u2014)\s*(?=(?:that|this|it|its|it'?s|which|who|because|cos|as|after"
                r"|like|since|so|for|coz|cause|he|she|they|we|i|my|his|her|our|their|the|in|lol"
                r"|haha)\b)|\s+(?:because|cos|coz|cause|since|after\s+(?:the|his|her|my|our))\s+",
                title,
                maxsplit=1,
                flags=re.I,
            )[0].strip(" .!'\"")
        if not 0 < len(title) <= 120:
            return False
        if title[1:].islower():  # "can the film be called thirty one years"
            small = {"a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "by"}
            words = title.split()
            title = " ".join(
                w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words)
            )
        self.edits.append(SetStyle(title=title))
        return self._done(f'The film is now called "{title}".')

    def _compare(self, text: str) -> bool:
        """ "compare shot 1 on previz and wan"; "try shot 1 on wan" renders it there."""
        if not re.match(r"\s*(?:please\s+|let'?s\s+|can\s+you\s+)?(?:compare|try)\b", text, re.I):
            return False
        ids, rest = self._shots_or_it(text.lower())
        names = [w for w in re.findall(r"[a-z][\w.\-]*", rest) if w in BACKENDS]
        listed = rx(
            r"\b(?:on|with|using|between|across|in)\s+([\w.\-]+(?:\s*(?:,|and|or",
            r"|vs\.?|versus|&|/)\s*[\w.\-]+)+)",
        ).search(rest)
        if len(names) < 2 and listed:
            names = re.split(r"\s*(?:,|\band\b|\bor\b|\bvs\.?|\bversus\b|&|/)\s*", listed.group(1))
        backends = list(dict.fromkeys(BACKENDS.get(w, w) for w in names if w))
        if not ids or not backends:
            return False
        if not (ids := self._existing(ids[:1])):
            return True
        if len(backends) == 1:
            self.edits.append(RenderShots(shot_ids=ids, backend=backends[0], force=True))
            return self._done(f"Rendering shot {ids[0]} on {backends[0]}.", ids[0])
        self.edits.append(CompareBackends(shot_id=ids[0], backends=backends))
        return self._done(f"Comparing shot {ids[0]} on {join_words(backends)}.", ids[0])

    def _frame_reference(self, text: str) -> bool:
        """ "use the last frame of shot 2 as Mara's reference", "frame 10 of shot 3 for ..."."""
        m = _FRAME_REF_RE.search(text)
        if m is None:
            return False
        which, number, shot_id, take, tail = m.groups()
        frame = number or ("first" if which.lower() in ("first", "opening") else "last")
        ids = self._existing([int(shot_id)])
        if not ids:
            return True
        tail_low = f" {(tail or '').lower()} "
        entity = next(
            (
                thing.name
                for thing in [*self.people.values(), *self.places.values()]
                if re.search(rf"\b{re.escape(thing.name.lower())}\b", tail_low)
            ),
            None,
        )
        if entity is None and not _FILM_WIDE_RE.search(tail_low):
            which_frame = f"frame {frame}" if frame.isdigit() else f"the {frame} frame"
            self.notes.append(
                f"Whom or what does {which_frame} of shot {ids[0]} show? A reference without "
                "a name would steer every shot of the film. Say for example "
                f'"use {which_frame} of shot {ids[0]} as Mara\'s reference", or '
                f'"... as a style reference for the whole film".'
            )
            return True
        self.edits.append(
            ReferenceFromTake(
                shot_id=ids[0], take=int(take) if take else None, frame=frame, entity=entity
            )
        )
        whose = f"{entity}'s reference" if entity else "a style reference for every shot"
        which_frame = f"frame {frame}" if frame.isdigit() else f"the {frame} frame"
        return self._done(f"Using {which_frame} of shot {ids[0]} as {whose}.", ids[0])

    def _still(self, text: str) -> bool:
        """Candidate stills (tools/keyframes.py) in conversation: "use the second one for shot
        3", "shot 3: take still 2", "pick keyframe 4 for the harbour shot", "i like the third
        still best" (PickKeyframe); "no still for shot 3", "drop the still on shot 3" (clear);
        "make stills for shot 3" (says the command that draws them). Never a new shot."""
        low = text.lower().strip(" .!?")
        if m := _STILL_CLEAR_RE.match(low):
            ids = self._still_shots(m.group(1))
            if ids is None:
                return True
            for shot_id in self._unlocked(ids, "change the first frame of"):
                self.edits.append(PickKeyframe(shot_id=shot_id, number=None))
                self._done(f"Shot {shot_id} will start fresh, without a still.", shot_id)
            return True
        if (_STILL_MAKE_RE.search(low) or _STILL_FOR_RE.match(low)) and not _STILL_NUMBER_RE.search(
            low
        ):
            count = 4
            if m := _STILL_COUNT_RE.search(low):
                count = min(12, max(1, int(m.group(1))))
                low = low[: m.start()] + " " + low[m.start(2) :]
            rest = _STILL_WORDS_RE.sub(" ", low)
            ids, _ = self._refs(rest)
            if not ids and (about := re.search(r"\b(?:for|of|on)\s+(.+)$", rest)):
                ids = self._phrase_ids(about.group(1))
            if not ids and (it := self._it()) is not None:
                ids = [it]
            ids = self._existing(ids)
            if not ids:
                self.notes.append('Which shot? Say for example "make stills for shot 3".')
                return True
            self.edits.append(MakeKeyframes(shot_ids=ids, count=count))
            shots = "shot" + ("s " if len(ids) > 1 else " ") + join_words([str(i) for i in ids])
            return self._done(f"Drawing candidate stills for {shots}.", ids[0])
        number = _STILL_NUMBER_RE.search(low)
        if not number or not _STILL_VERB_RE.search(low[: number.start()] + low[number.end() :]):
            if not number and re.search(r"\b(?:stills|keyframes|key\s+frames)\b", low):
                self.notes.append(  # "the stills look great": talk about stills, never a shot
                    'To open a shot on one of its stills, say for example "use the second one '
                    'for shot 3".'
                )
                return True
            return False
        said_still = any(number.group(g) for g in ("word", "word2", "word3", "digits2")) or bool(
            _STILL_WORDS_RE.search(low)
        )
        known = self.memo.get("stills")
        known = known if isinstance(known, dict) else None
        rest = low[: number.start()] + " " + low[number.end() :]
        ids, rest = self._refs(rest)
        if not ids and (about := re.search(r"\b(?:for|on|of|in|to)\s+(the\s+.+)$", rest)):
            ids = self._phrase_ids(re.sub(r"\s+(?:best|please|instead)$", "", about.group(1)))
        if not said_still and not (ids and known and str(ids[0]) in known):
            return False  # "use the second one for shot 3": a still only when shot 3 has some
        picked = next(
            number.group(g) for g in ("digits", "digits2", "ord", "ord2") if number.group(g)
        )
        still = ORDINALS[picked] if picked in ORDINALS else int(parse_number(picked))
        if not ids:
            shown = self.memo.get("stills_shown")
            it = shown if isinstance(shown, int) and shown in self.order else self._it()
            with_stills = [i for i in self.order if known and str(i) in known]
            ids = [it] if it is not None else with_stills if len(with_stills) == 1 else []
        if not ids:
            self.notes.append(
                'Which shot\'s still? Say for example "use the second one for shot 3".'
            )
            return True
        if not (ids := self._unlocked(self._existing(ids[:1]), "change the first frame of")):
            return True
        shot_id = ids[0]
        if known is not None:
            numbers = sorted(n for n in known.get(str(shot_id), []) if isinstance(n, int))
            if not numbers:
                self.notes.append(
                    f"Shot {shot_id} has no stills yet: make some with `storyreel keyframes "
                    f"{shot_id}`, then pick one."
                )
                return True
            if still not in numbers:
                have = (
                    f"{numbers[0]}-{numbers[-1]}"
                    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1
                    else ", ".join(map(str, numbers))
                )
                word = "still" if len(numbers) == 1 else "stills"
                self.notes.append(
                    f"Shot {shot_id} has {word} {have}, not {still}: say for example "
                    f'"use still {numbers[0]} for shot {shot_id}". Nothing changed.'
                )
                self.touched = self.memo["last_shot"] = shot_id
                return True
        self.edits.append(PickKeyframe(shot_id=shot_id, number=still))
        return self._done(
            f"Shot {shot_id} will open on still {still}: its next render starts from it.",
            shot_id,
        )

    def _still_shots(self, said: str) -> list[int] | None:
        """The shots a still command names ("shot 3", "the harbour shot", "it"), or the one
        last talked about; None when it is not clear (a note says how to say it)."""
        ids, rest = self._shots_or_it(said)
        if not ids and (about := re.search(r"\b(?:for|on|of|in|from)\s+(.+)$", rest)):
            ids = self._phrase_ids(about.group(1))
        if not ids and (it := self._it()) is not None and not rest.strip(" ,"):
            ids = [it]
        if not ids:
            self.notes.append('Which shot? Say for example "no still for shot 3".')
            return None
        return self._existing(ids)

    def _select_take(self, text: str) -> bool:
        """ "use take 2 for shot 3", "select the second take of shot 3"."""
        low = text.lower()
        ordinal = "|".join(ORDINALS)
        m = re.search(rf"\btake\s*(?:#|number\s+)?({N})\b|\b({ordinal})\s+take\b", low)
        verb = rx(
            r"\b(?:use|select|pick|choose|circle|keep|go\s+with|prefer|want|like)\b",
            r"|\bis\s+the\s+(?:one|best)\b|^\s*shot\s*#?\d+\s*,?\s*take",
        ).search(low)
        if not (m and verb):
            return False
        take = int(parse_number(m.group(1))) if m.group(1) else ORDINALS[m.group(2)]
        ids, _ = self._shots_or_it(low[: m.start()] + " " + low[m.end() :])
        if not ids or take < 1:
            self.notes.append('Which shot and take? Say for example "use take 2 for shot 3".')
            return True
        for shot_id in self._unlocked(self._existing(ids[:1]), "change the take of"):
            self.edits.append(SelectTake(shot_id=shot_id, take=take))
            self._done(f"Using take {take} for shot {shot_id}.", shot_id)
        return True

    def _lock(self, text: str) -> bool:
        """ "lock shot 3", "unlock shots 1 to 3", "lock everything", "keep shot 2 as it is"."""
        m = rx(rf"\s*{_LEAD}{_PRE}(?:(un)lock|lock|freeze|(unfreeze)|keep)\b(.*)$").match(text)
        keep = not (m and re.search(r"lock|freeze", text[: m.start(3)], re.I))
        if not m or (keep and not re.search(r"\bas\s+(?:it\s+)?is\b", text, re.I)):
            return False
        locked = not (m.group(1) or m.group(2))
        everything = re.search(r"\b(?:everything|all)\b", m.group(3), re.I)
        ids = list(self.order) if everything else self._shots_or_it(m.group(3))[0]
        if not ids:
            verb = "lock" if locked else "unlock"
            self.notes.append(f'Which shot should I {verb}? Say for example "{verb} shot 3".')
            return True
        for shot_id in (ids := self._existing(ids)):
            self.edits.append(SetLock(shot_id=shot_id, locked=locked))
            (self.locked.add if locked else self.locked.discard)(shot_id)
        if ids:
            tail = ": it won't change or re-render" if locked and len(ids) == 1 else ""
            self._done(f"{'Locked' if locked else 'Unlocked'} {shots_text(ids)}{tail}.", ids[-1])
        return True

    def _move(self, text: str) -> bool:
        """ "move shot 2 after shot 4", "... to the start", "... up", "swap shots 2 and 3"."""
        if m := rx(r"\s*(?:please\s+)?(?:swap|switch|exchange)\s+(.+)$").match(text):
            ids = self._refs(m.group(1))[0]
            if len(ids) != 2 or len(ids := self._existing(ids)) != 2:
                return len(ids) == 2 or bool(self.notes)
            a, b = sorted(ids, key=self.order.index)
            before_a = self.order[self.order.index(a) - 1] if self.order.index(a) else 0
            self._place(a, b)
            self._place(b, before_a)
            return self._done(f"Swapped shots {a} and {b}.")
        m = rx(
            r"\s*(?:please\s+|let'?s\s+)?(?:move|put|place|shift)\s+(.+?)\s+(?:(?:to\s+)?",
            r"(?:right\s+|just\s+|directly\s+)?(after|behind|before|in\s+front\s+of)\s+(.+)",
            r"|(?:(?:to|at)\s+(?:the\s+)?(?:very\s+)?|(?=(?:first|last)\b))(start|beginning|front|top|end|back|first",
            r"|last)\b.*|(?:one\s+)?(up|earlier|forward|down|later)\b.*)$",
        ).match(text)
        if not m or len(ids := self._shots_or_it(m.group(1))[0]) != 1:
            return False
        if not (ids := self._existing(ids)):
            return True
        shot_id, others = ids[0], [i for i in self.order if i != ids[0]]
        index = self.order.index(shot_id)
        if m.group(5):  # one place earlier or later
            earlier = m.group(5).lower() in ("up", "earlier", "forward")
            if (index == 0 and earlier) or (index == len(self.order) - 1 and not earlier):
                return self._done(f"Shot {shot_id} is already {'first' if earlier else 'last'}.")
            after = (
                (self.order[index - 2] if index > 1 else 0) if earlier else self.order[index + 1]
            )
        elif m.group(4):
            first = m.group(4).lower() in ("start", "beginning", "front", "top", "first")
            after = 0 if first or not others else others[-1]
        else:
            before = m.group(2).lower() not in ("after", "behind")
            if not before and self._names_start(m.group(3)):  # "after shot 0": the start
                self._place(shot_id, 0)
                return self._done(f"Shot {shot_id} will open the film.", shot_id)
            if not (targets := self._existing(self._refs(m.group(3))[0][:1])):
                return True
            index = self.order.index(targets[0])
            after = (self.order[index - 1] if index else 0) if before else targets[0]
            if after == shot_id:  # "move 3 before 4" when 3 already comes right before 4
                return self._done(f"Shot {shot_id} is already there.", shot_id)
        self._place(shot_id, after)
        where = "open the film" if after == 0 else f"come after shot {after}"
        return self._done(f"Shot {shot_id} will {where}.", shot_id)

    def _place(self, shot_id: int, after: int) -> None:
        """MoveShot, and keep the film order of this message up to date."""
        self.edits.append(MoveShot(shot_id=shot_id, after=after))
        self.order.remove(shot_id)
        self.order.insert(self.order.index(after) + 1 if after else 0, shot_id)

    def _delete(self, text: str) -> bool:
        """ "delete shot 5", "remove shots 2 and 3", "cut the last shot"."""
        m = rx(
            r"\s*(?:please\s+)?(?:delete|remove|cut|drop|lose|scrap|kill|bin|get\s+rid\s+of",
            r"|take\s+out|throw\s+(?:away|out))\s+(.+)$",
        ).match(text)
        if not m:
            return False
        ids, rest = self._shots_or_it(m.group(1))
        filler = r"(?:please|the|and|entirely|completely|from|film|story|too|as\s+well)"
        if not ids or not re.fullmatch(rf"(?:\s|[,.!]|\b{filler}\b)*", rest, re.I):
            return False
        for shot_id in self._unlocked(self._existing(ids), "remove"):
            self.edits.append(RemoveShot(shot_id=shot_id))
            self.order.remove(shot_id)
            self._done(f"Removing shot {shot_id}.")
        return True

    def _render(self, text: str) -> bool:
        """ "render", "render shot 3", "render shots 2 and 5 on wan", "render it again"."""
        m = rx(
            r"\s*(?:(?:please|now|ok(?:ay)?|let'?s|can\s+you|go\s+ahead\s+and)[,]?\s+)*",
            r"(re-?render|render|generate|preview|shoot|film|roll(?:\s+camera)?|action",
            r"|let\s+me\s+see|let'?s\s+see|show\s+me|play)\b(.*)$",
        ).match(text)
        if not m:
            return False
        ids, rest = self._refs(m.group(2).lower())
        backend = None
        if (on := re.search(r"\b(?:on|with|using|in)\s+([a-z][\w.\-]*)", rest)) and (
            backend := BACKENDS.get(on.group(1))
        ):
            rest = rest.replace(on.group(0), " ")
        if not ids and re.search(r"\b(?:it|that|this)\b", rest) and self.touched is not None:
            ids = [self.touched]
        filler = RENDER_FILLER
        if any(w not in filler for w in re.findall(r"[a-z']+", rest)):
            return False
        force = bool(re.search(r"\b(?:again|fresh|new\s+takes?)\b", rest)) or bool(
            re.match(r"re-?render", m.group(1), re.I)
        )
        asked = bool(ids)
        if asked and not (ids := self._unlocked(self._existing(ids), "re-render")):
            return True
        self.edits.append(RenderShots(shot_ids=ids, backend=backend, force=force))
        what = shots_text(ids) if ids else "everything that changed"
        on_text = f" on {backend}" if backend else ""
        again = " again" if force and ids else ""
        return self._done(f"Rendering {what}{on_text}{again}.", ids[0] if len(ids) == 1 else None)

    def _retake(self, text: str) -> bool:
        """ "redo shot 4 at night" (change, then render), "retake shot 2", "try shot 2 again"."""
        m = rx(
            r"\s*(?:please\s+|can\s+you\s+)?(redo|re-?do|retake|re-?shoot|(?:give\s+me\s+",
            r"|do\s+)?another\s+take\s+of|try|do)\s+(.+)$",
        ).match(text)
        if not m:
            return False
        ids, rest = self._shots_or_it(m.group(2))
        again = re.search(r"\bagain\b", rest, re.I)
        if not ids or (m.group(1).lower() in ("try", "do") and not again):
            return False
        if not (ids := self._unlocked(self._existing(ids), "redo")):
            return True
        changes, clear = self._changes(re.sub(r"\bagain\b", " ", rest, flags=re.I), ids[0])
        if changes or clear:
            self._update_shots(ids, changes, clear)
        self.edits.append(RenderShots(shot_ids=ids, force=not (changes or clear)))
        return self._done(f"I'll render {shots_text(ids)} again.", ids[-1])

    def _style(self, text: str) -> bool:
        """ "make it 16:9", "vertical", "720p", "24 fps", "the look is ..."."""
        low, style = text.lower(), {}
        if aspect := film_shape(low):
            style["aspect"] = aspect
        if (res := re.search(r"\b(\d{3,4}p)\b", low)) and res.group(1) in RESOLUTIONS:
            style["resolution"] = res.group(1)
        fps = re.search(r"\b(\d{1,3})\s*(?:fps|frames?\s+(?:per|a)\s+second)\b", low)
        if fps and 1 <= int(fps.group(1)) <= 120:
            style["fps"] = int(fps.group(1))
        look = rx(
            rf"\s*{_LEAD}(?:(?:the\s+)?(?:(?:overall|general|whole)\s+)?(?:look|style|grade",
            r"|colou?r\s+grade)\s*(?:is|should\s+be",
            r"|:|=)|give\s+it\s+(?:an?|the)|make\s+it\s+look(?:\s+like)?|in\s+the\s+style",
            r"\s+of|(?:(?:can|could)\s+(?:you\s+|we\s+)?)?(?:make\s+)?(?:the\s+)?(?:whole|entire)",
            r"\s+(?:film|movie|thing|video|story)(?:\s+(?:be|look|in|(?:should|could|can)",
            r"\s+(?:be|look)))?)\s+(.+?)(?:\s+look)?\s*[.!?]?$",
        ).match(text)
        if look and not (time_in(look.group(1)) or camera_fields(look.group(1))[0]):
            style["look"] = self._restore(look.group(1), "")
        elif (graded := _GRADE_RE.match(text)) and _LOOK_WORDS_RE.search(graded.group(1)):
            style["look"] = self._restore(graded.group(1), "").strip(" .!")  # "finish it in b&w"
        elif (labelled := _LOOK_LABEL_RE.match(text)) and (
            labelled.group("label") or _LOOK_WORDS_RE.search(labelled.group("look"))
        ):  # "For the look: bleached, like an old polaroid", "Whole film: cold, 16mm"
            style["look"] = self._restore(labelled.group("look"), "").strip(" .!")
        if not style:
            return False
        self.edits.append(SetStyle(**style))
        return self._done("Style: " + ", ".join(f"{k} {v}" for k, v in style.items()) + ".")

    def _update(self, text: str) -> bool:
        """ "make shot 2 a close-up", "shot 4: at night", "add Tom to shot 3", "make it slower"."""
        if self._position(text)[0] is not None:
            return False
        ids, rest = self._refs(text)
        verb = rx(
            r"\s*(?:please\s+|can\s+you\s+|let'?s\s+)?(?:make|change|set|turn|switch",
            r"|update|give)\s+(?:it|that|this)(?:\s+one)?\b",
        ).match(rest)
        if not ids and verb:
            rest = rest[verb.end() :]
            if self.last_new is not None and (changes := self._changes(rest, None)[0]):
                self._merge(changes)
                return self._done("Done.")
            ids = [it] if (it := self._it()) is not None else []
            if not ids:
                self.notes.append('Which shot do you mean? Say for example "make shot 2 slower".')
                return True
        if not ids:
            return False
        if not (ids := self._existing(ids)):
            return True
        changes, clear = self._changes(rest, ids[0])
        if not (changes or clear):
            self.touched = self.vague = ids[0]  # "I don't like shot 3, ..." may go on
            return True
        self._update_shots(ids, changes, clear)
        return True

    def _update_shots(self, ids: list[int], changes: dict[str, Any], clear: list[str]) -> None:
        """UpdateShot for each unlocked shot, and one plain sentence for them."""
        if not (ids := self._unlocked(ids, "change")):
            return
        for shot_id in ids:
            self.edits.append(UpdateShot(shot_id=shot_id, clear=clear, **changes))
        described = describe_changes(changes, clear)
        if "lighting" in changes:
            lit = f"lit: {changes['lighting']}"
            described = lit if described == "changed" else f"{described}, {lit}"
        stop = "" if described.endswith(('."', '!"', '?"')) else "."
        will = shots_text(ids).capitalize()
        self._done(f"{will} will be {described}{stop}", ids[-1])

    def _changes(self, text: str, shot_id: int | None) -> tuple[dict[str, Any], list[str]]:
        """The shot fields a command asks for: camera words, time, a line, people, a place."""
        verbs = r"make|change|set|turn|switch|update|give|add|put|bring|remove|take|drop"
        body = re.sub(rf"^\s*(?:please\s+|can\s+you\s+)?(?:{verbs})\b", " ", text, flags=re.I)
        shot = self.plan.find_shot(shot_id) if shot_id is not None else None
        body, timing = _relative_timing(body, shot)
        changes, _ = camera_fields(body)
        clear: list[str] = []
        changes = {**relative_changes(body.lower(), shot), **changes, **timing}
        if lighting := _LIGHTING_RE.search(body):
            said = re.sub(r"\s+", " ", lighting.group(0).strip())
            before = shot.lighting.strip(" .") if shot is not None else ""
            changes["lighting"] = f"{before}, {said}" if before else said
        if time := time_in(body):
            changes["time_of_day"] = time
        if dialogue := self._dialogue(body):
            changes["dialogue"] = dialogue
            named = self._names_in(body)
            speaker = self.speaker_of(body) or (named[0] if len(named) == 1 else None)
            if speaker is None and shot is not None and len(shot.characters) == 1:
                speaker = shot.characters[0]  # "in that one she should say 'baa!'"
            if speaker and "dialogue_speaker" in UpdateShot.model_fields:
                changes["dialogue_speaker"] = speaker
        elif re.search(
            r"\b(?:no|without|drop\s+the)\s+(?:dialogue|lines?)\b|\bsilent\b", body, re.I
        ):
            clear.append("dialogue")
        if shot is not None and (cast := self._recast(text, shot.characters)) is not None:
            if cast:
                changes["characters"] = cast
            else:
                clear.append("characters")
        if found := self._find_place(body):
            changes["location"] = self._use_place(found, found.time, None, body)
        if (source := self.continues) and shot_id:
            if source != shot_id and self._comes_before(source, shot_id):
                changes["continues_from"] = source
            else:
                self.notes.append(f"Shot {shot_id} can only continue from a shot before it.")
        return changes, clear

    def _recast(self, text: str, now: list[str]) -> list[str] | None:
        """Who is in a shot after "add Tom to ...", "without Mara", "take Tom out of ..."."""
        if not (names := self._names_in(text)):
            return None
        if re.match(r"\s*(?:please\s+)?(?:remove|take|drop|cut)\b", text, re.I):
            out = set(names)
        else:
            out = {
                n for n in names if re.search(rf"\b(?:without|no)\s+{re.escape(n)}\b", text, re.I)
            }
        cast = [n for n in now if n not in out] + [n for n in names if n not in now + list(out)]
        if cast == now:
            return None
        self._mention(names)
        return cast


_STILL_WORDS_RE = lazy(
    r"\b(?:stills?|keyframes?|key\s+frames?|candidates?|candidate\s+stills?)\b", re.I
)
_ORDINAL_ALT = "|".join(ORDINALS)
_STILL_NUMBER_RE = lazy(
    rf"\b(?:(?P<word>still|keyframe|key\s+frame|candidate)|number|option|no\.|\#)\s*\#?"
    rf"(?P<digits>{N})\b|\#(?P<digits2>\d+)\b"
    rf"|\b(?:the\s+)?(?P<ord>{_ORDINAL_ALT})\s+(?:(?P<word2>still|keyframe|candidate)|one|option)s?\b"
    rf"|\b(?P<ord2>{_ORDINAL_ALT})\s+(?P<word3>still|keyframe)\b",
    re.I,
)
_STILL_VERB_RE = lazy(
    r"\b(?:use|take|pick|choose|select|go\s+(?:with|for)|want|like|prefer|love|keep"
    r"|open\s+(?:it\s+)?(?:on|with)|start\s+(?:it\s+)?(?:on|from|with))\b|^\s*shot\s*\#?\d+\s*:",
    re.I,
)
_STILL_CLEAR_RE = lazy(
    r"^\W*(?:(?:please|ok(?:ay)?|actually)[,\s]+)*(?:no|drop|remove|clear|unpick|lose|forget"
    r"|scrap|don'?t\s+use)\s+(?:the\s+|a\s+|its\s+|any\s+)?(?:picked\s+|chosen\s+)?"
    r"(?:still|keyframe|key\s+frame)s?\b(.*)$",
    re.I,
)
_STILL_MAKE_RE = lazy(
    r"\b(?:make|draw|generate|create|render|give\s+me|show\s+me|let\s+me\s+see|see"
    r"|i\s+want|can\s+i\s+(?:see|have)|need)\b.*\b(?:stills|keyframes|key\s+frames"
    r"|candidates|candidate\s+stills)\b",
    re.I,
)
_STILL_FOR_RE = lazy(
    r"^\W*(?:please\s+)?(?:some\s+|\d+\s+)?(?:candidate\s+)?(?:stills|keyframes|key\s+frames)"
    r"\s+(?:for|of)\b",
    re.I,
)
_STILL_COUNT_RE = lazy(
    r"\b(\d{1,2})\s+(?:candidate\s+)?(stills|keyframes|key\s+frames|candidates)\b", re.I
)
"""Candidate stills in conversation (`CommandMixin._still`)."""

_RENAME_RE = rx(
    r"^(?:please\s+|let'?s\s+|ok(?:ay)?,?\s+|actually,?\s+)*(?:",
    r"(?:rename|call)\s+(?P<old>(?:the\s+)?@?[\w'-]+(?-i:\s+[A-Z][\w'-]*)?)\s+(?:to\s+|as\s+)?",
    r"|(?:change|make)\s+(?P<old2>(?:the\s+)?@?[\w'-]+(?-i:\s+[A-Z][\w'-]*)?)'s\s+name\s+(?:to|into)\s+",
    r"|(?P<old3>@?[\w'-]+(?-i:\s+[A-Z][\w'-]*)?)(?:'s\s+name\s+is|\s+(?:is|should\s+be)\s+called)",
    r"\s+(?:now\s+|actually\s+|really\s+)*)",
    r"(?P<new>(?-i:[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}))$",
)
_FIX_RE = rx(
    r"(?:(?:yes|ok(?:ay)?|sure|please|go\s+ahead)[,!\s]+)*(?:please\s+)?",
    r"(?:fix|apply|accept|take|do)\s+(?:it|that|this|them|those|all|both",
    r"|(?:the|your|those|these)\s+(?:fix(?:es)?|notes?|suggestions?|changes?))(?:\s+please)?",
    r"|fix\s+please|yes\s+fix",
)
_BRING_BACK_RE = rx(
    r"(?:(?:wait|no|nah|actually|oh|ok(?:ay)?|hmm+|sorry|please|oops|can\s+you|could\s+you",
    r"|let'?s|on\s+second\s+thought)[,!.]?\s+)*",
    r"(?:(?:bring|put|add|stick)\s+(?P<what>.+?)\s+back(?:\s+in)?",
    r"|(?:bring\s+back|put\s+back|restore|reinstate|keep)\s+(?P<what2>.+?))(?:\s+(?:please|after\s+all))?",
)
_FIXES: TypeAdapter[list[DirectorEdit]] = TypeAdapter(list[DirectorEdit])

COMMANDS: tuple[Callable[[Any, str], bool], ...] = (
    ContentCommandMixin._shot_answer,
    CommandMixin._accept_fixes,
    CommandMixin._undo_redo,
    CommandMixin._bring_back,
    CommandMixin._export,
    CommandMixin._rename,
    CommandMixin._title,
    CommandMixin._film_look,
    CommandMixin._still,
    ContentCommandMixin._by_content,
    CommandMixin._compare,
    CommandMixin._frame_reference,
    CommandMixin._select_take,
    CommandMixin._lock,
    CommandMixin._move,
    CommandMixin._delete,
    CommandMixin._render,
    CommandMixin._retake,
    lambda turn, clause: turn._character_change(clause),  # looks: CastMixin, never a shot
    CommandMixin._style,
    CommandMixin._update,
    ContentCommandMixin._command_not_understood,
)
"""The commands in the order they are tried: the first that claims a clause handles it.
`_command_not_understood` stays last: a command verb nothing else took is never a shot."""
NOT_AGAIN = (
    ContentCommandMixin._shot_answer,
    ContentCommandMixin._by_content,
    ContentCommandMixin._command_not_understood,
)
"""Handlers not tried again on a clause whose shot phrases became numbers."""
