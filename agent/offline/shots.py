"""Shots: a direction sentence becomes a new shot (or joins the one just made)."""

from __future__ import annotations

import re
from typing import Any

from storyreel.agent.offline.camera import camera_fields, time_in
from storyreel.agent.offline.cast import NeedAnswer, _in_table
from storyreel.agent.offline.places import SETTING_PREFIX_RE, FoundPlace
from storyreel.agent.offline.refs import content_words
from storyreel.agent.offline.text import QUOTE_MARK, join_words, lazy, rx, tidy
from storyreel.agent.offline.verbs import (
    CONTEXT_RE,
    SPATIAL_LEAD_RE,
    base_form,
    has_action,
    is_exposition,
)
from storyreel.agent.offline.words import BODY, CLOTHES, GENDER_OF, PLACES
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
)
from storyreel.tools.story import handle_of
from storyreel.tools.vocabulary import (
    LightSide,
    ShotSize,
    TimeOfDay,
    Transition,
)

_WEAK_CUE = r"(?:(?:and|so|now|ok(?:ay)?|later|meanwhile)\b[,:]?\s*)"
_SPLIT_CUE = (
    r"(?:then|next|finally|lastly|after\s+that|afterwards|later|meanwhile|cut\s+(?:back\s+)?to",
    r"|(?:smash|match|hard|jump)\s+cut\s+to|dissolve\s+to|back\s+to|another\s+shot",
    r"|(?:a\s+)?(?:new|second|next)\s+shot|in\s+the\s+next\s+shot|(?:we\s+)?end\s+(?:on|with)",
    r"|(?:we\s+)?open\s+(?:on|with))\b",
)
_THEN_RE = rx(r"^\W*(?:and\s+)?then\b")
_SHOT_OF_RE = rx(
    r"\s*(?:a|an|another|one\s+more)\s+(?:[a-z\-]+\s+){0,2}?(?:shot|close[\s-]*up|closeup|wide|insert",
    r"|cutaway|angle)\s+(?:of|on)\b",
)
"""A clause that is plainly another shot: "..., then a shot of the van pulling away"."""
_SPLIT_RE = rx(r"^\W*(?:(?:and|so|now|ok(?:ay)?)\b[,:]?\s*)*", *_SPLIT_CUE)
_CUE_RE = rx(
    rf"^{_WEAK_CUE}*(?P<cue>(?:(?:then|next|finally|lastly|after\s+that|afterwards|first(?:ly)?"
    r"|first\s+of\s+all|to\s+start(?:\s+with)?)\b[,:]?\s*",
    r"|(?:(?:i'?d\s+like|i\s+want|let)\s+)?(?:the\s+(?:story|film|movie)\s+(?:to\s+)?)?",
    r"(?:we\s+)?(?:open(?:ing|s)?|start(?:ing|s)?|begin(?:ning|s)?|end(?:ing|s)?|finish(?:ing|es)?)",
    r"\s+(?:on|with)\b\s*|(?:we\s+)?cut(?:ting)?\s+(?:back\s+)?to\b\s*|back\s+to\b\s*",
    r"|(?:we\s+)?(?:see|show|reveal)s?\b\s*",
    r"|(?:add|insert|put|give\s+me|i\s+want|i'd\s+like|let'?s\s+(?:have|see|get)|we\s+need",
    r"|(?:can|could)\s+(?:we|i|you)\s+(?:get|have|see|do|add|show)",
    r"|there'?s|there\s+is|new)\s+(?:(?:a|an|another|one\s+more)\s+)?(?:new\s+)?",
    r"(?:shot\b\s*(?:of|:|where|with|showing)?\s*)?",
    r"|(?:(?:a|an|another|one\s+more|the\s+next)\s+)?shot\s*(?:of|:|where|showing)\s*)*)",
)
CONTINUE_RE = rx(
    r",?\s*\b(?:(?:and\s+)?(?:continu(?:ing|es|e|ous|ously)|carr(?:y|ies|ying)\s+on",
    r"|pick(?:s|ing)?\s+(?:it\s+)?up|follow(?:s|ing)?\s+on|start(?:s|ing)?|open(?:s|ing)?",
    r"|begin(?:s|ning)?|(?:it\s+)?goes\s+on)\s+(?:right\s+|exactly\s+|straight\s+|seamlessly\s+",
    r"|directly\s+|immediately\s+)?",
    r"(?:on\s+)?(?:from|after|with|where|on\s+from|from\s+where|on)\s+",
    r"(?:the\s+(?:last|final|end)\s+(?:frame|moment|image)\s+of\s+)?(?:the\s+)?",
    r"(?:(previous|last)\s+(?:shot|one)|shot\s*#?(\d+)|(?P<what>(?:that|it|this)(?:\s+(?:one|shot))?\b",
    r"|[\w' ]{1,40}?(?=\s+(?:ends|ended|left\s+off|stops|stopped|finishes|finished|exits|leaves",
    r"|walks\s+out|goes\s+out|disappears|dives|jumps)\b)|[\w' ]{3,40}?(?=\s*:))",
    r"|end\s+of\s+(?:the\s+)?(?P<what2>[\w' ]{1,30}?(?:\s+(?:shot|one)|(?=\s*:)))",
    r"(?=\s*[,.;:]|\s+(?:and|then)\b|$))",
    r"(?:\s+(?:ends|ended|left\s+off|stops|stopped|finishes|finished|leaves\s+off|exits|leaves",
    r"|walks\s+out|goes\s+out|disappears|dives|jumps)(?:\s+[\w' ]{1,30}?(?=\s*[:,]))?)?",
    r"|\bseamlessly\s+from\s+(?:the\s+)?(?:(previous|last)\s+(?:shot|one)|shot\s*#?(\d+)))",
)
_SPEECH_RE = rx(
    r"\b(says|said|asks|replies|answers|tells\s+(?:her|him|them)|whispers|shouts|murmurs",
    r"|cries|(?:should|could|must|has\s+to|needs\s+to)\s+say|goes)\b[,:]?",
)
_OBJECT_FOLLOWS = r"\s*(?:$|,|\b(?:into|along|through|across|to|down|up|out|from|around|as|while))"


_GROUP_RE = rx(
    r"\b(?:both|the\s+(?:two|three|four|five)|all(?:\s+(?:three|four|five))?)\s+of\s+(?:them|us)\b",
    r"|\bthe\s+pair\s+of\s+them\b|\ball\s+(?:three|four|five)\b",
)
_COUNTS = {"two": 2, "both": 2, "pair": 2, "three": 3, "four": 4, "five": 5}
_COMMAND_LIKE_RE = rx(
    r"\b(?:should|shouldn'?t|must|ought\s+to|needs?\s+to\s+(?:be|have|look|wear)",
    r"|has\s+to\s+(?:be|have|look|wear))\b",
)
"""A change asked for, not something to film ("her cardigan should be blue", "Tom must look
older"): when nothing else understood it, it is said back, never made a new shot."""
_CHANGE_ASK_RE = rx(
    r"\b(?:should\s+(?:be|have|feel|look|go|get|move|stay|come|follow|drift|push|pull)",
    r"|(?:can|could|would)\s+(?:it|that(?:\s+one)?|this(?:\s+one)?|the\s+camera|you\s+make",
    r"|we\s+(?:look|go|make|have\s+it|push|pull|pan|tilt|follow|track|hold|stay))",
    r"|(?:can|could)\s+the\s+(?:shot|one)\b[^,.;]*?\bbe\b",
    r"|make\s+(?:it|that|this)(?:\s+one)?|let\s+the\s+camera|needs?\s+to\s+be|wants?\s+to\s+be)\b",
)
_NEW_SHOT_ASK_RE = rx(
    r"\W*(?:and\s+|then\s+|so\s+|ok\s+)*(?:(?:can|could)\s+(?:we|i|you)\s+(?:see|have|get|add|show)",
    r"|add|insert|put\s+(?:a|an|another)|open\s+on|cut\s+to|then)\b",
)
_ASK_FILLER = (
    r"^\W*(?:and|so|oh|ok(?:ay)?|also|then)?\s*(?:for|on|in|during|with)?\s*(?:the\s+(?:shot|one)"
    r"\s+(?:of|where|with|when|in\s+which)\s+)?|\b(?:all|like|someone'?s|a\s+bit|a\s+little"
    r"|really|more|too|supposed\s+to\s+be|it'?s)\b"
)
_MODAL_RE = rx(r"\b(?:should|could|must|needs?\s+to|has\s+to|ought\s+to|can\s+we|let'?s)\b")
_CAMERA_TALK_RE = rx(r"(?:^|(?<=[,;:]))\s*(?:and\s+)?(?:the\s+)?camera\b[^,.;]*")
_SAME_SUBJECT = "\ue004"  # stands for the person a subjectless clause goes on about
_LIGHT_KEYS = [
    key
    for key in ("lighting", "key_light_hardness", "key_light_kelvin")
    if key in AddShot.model_fields
]
"""Words about the light: they go with a shot, but do not make one."""
_HAS_SPEAKER = "dialogue_speaker" in AddShot.model_fields  # who says a shot's line
_DETERMINERS = {"the", "his", "her", "their", "my", "our", "your"}
_CLOSE = {ShotSize.ECU, ShotSize.CU, ShotSize.MCU}


def _speech_only(action: str, cast: list[str]) -> bool:
    """Is the action just someone speaking ("Mara speaks", "He whispers", "he should say it
    when he comes in")?"""
    action = re.sub(r"\b(?:when|as|while|once|before|after|without)\b.*$", "", action, flags=re.I)
    action = re.sub(
        r"\b(?:under\s+(?:his|her|their)\s+breath|to\s+(?:himself|herself|themselves|no\s+one)"
        r"|out\s+loud|in\s+a\s+\w+\s+voice|with\s+a\s+\w+)\b",
        " ",
        action,
        flags=re.I,
    )
    words = re.sub(r"[^\w\s]", " ", action.lower()).split()
    names = {w for name in cast for w in name.lower().split()}
    speech = (
        "speak",
        "whisper",
        "shout",
        "murmur",
        "cry",
        "say",
        "call",
        "yell",
        "ask",
        "reply",
        "answer",
        "tell",
        "add",
        "mutter",
        "sing",
        "scream",
        "go",
        "snap",
        "laugh",
        "sigh",
        "continue",
        "insist",
        "beg",
        "plead",
        "joke",
        "tease",
        "mumble",
    )
    verbs = {f for v in speech for f in (v, f"{v}s", f"{v}es", f"{v}ed", f"{v}ies", f"{v}d")}
    verbs |= {"said", "told", "cries", "cried", "goes", "went", "sang", "replies", "replied",
              "should", "could", "must", "would", "has", "needs", "then", "just", "only",
              "also", "too", "back", "out", "loud", "aloud", "to", "him", "her", "them", "me",
              "us", "everyone", "everybody", "again", "gently", "firmly", "finally"}  # fmt: skip
    return all(
        w in names | verbs | {"she", "he", "they", "and", "softly", "quietly"} for w in words
    )


_NOT_DOERS = frozenset({"camera", "cam", "it", "we", "shot", "lens", "light", "frame", "focus"})


def _someone_acts(body: str) -> bool:
    """ "then kaisa laughs so hard": a subject (one word, maybe a name we do not know) and a
    verb acting, so the clause is its own beat."""
    m = re.match(
        r"\s*(?:the\s+|his\s+|her\s+|their\s+|my\s+)?(?:(?:mr|mrs|ms|miss|dr|old|little|big"
        r"|wee|young)\s+)?([a-z][\w'-]*)\s+([a-z]+)\b",
        body,
        re.I,
    )
    if not m or m.group(1).lower().endswith("ly") or m.group(1).lower() in _NOT_DOERS:
        return False
    verb = m.group(2).lower()
    doing = verb.endswith("ing") and not camera_fields(body)[0]  # "then walter checking ..."
    return (verb.endswith("s") or doing) and has_action(verb)


_INVENTORY_RE = lazy(
    r"^\W*(?:the|a|an|our|his|her|their|my)\s+(?:[a-z\-]+\s+){0,2}?(?P<head>[a-z\-]+)"
    r"(?:\s+(?:on|at|in|of|by|under)\s+(?:the\s+)?(?:[a-z\-]+\s+){0,2}?[a-z\-]+)?\s*:\s*"
    r"(?P<rest>(?:an?|the|some|two|three|\d+|no|one)\b.*)$",
    re.I,
)
_PART_RE = lazy(
    r"(?:^\W*(?:(?:and|then|now|so|next|ok(?:ay)?)\b[,\s]*)*(?:just\s+|only\s+|on\s+)?"
    r"|,\s*(?:just|only)\s+)"
    r"(?:his|her|their|(?-i:[A-Z])[\w\-]*'s)\s+(?:\w+\s+)?"
    r"(?P<part>face|eyes|eye|mouth|lips|hands|hand|fingers|feet|boots|shoes)\b",
    re.I,
)
"""A shot of part of someone, which is close: "his face when he hears the bell", ", just
her hands"."""
_ITEM_RE = lazy(r"(?:an?|the|some|no|two|three|four|\d+|one|old|[a-z]+-?\w*s)\b", re.I)
_APPOSED_RE = lazy(r"\s*,\s*((?:an?|the)\s+[^,;.]{3,80})")


def _new_subject(body: str) -> bool:
    """Does the clause start with a subject of its own that then acts ("the baguettes go in
    the baskets", "backstage all the kids going nuts"), not with a verb ("looks up")?"""
    words = re.findall(r"[A-Za-z']+", body)
    if len(words) < 3 or base_form(words[0].lower()) is not None or words[0].lower().endswith("ly"):
        return False
    if words[0].lower() in ("he", "she", "they", "it", "we", "i", "you"):
        return False
    return has_action(" ".join(words[1:]))


class ShotMixin:
    """The new-shot side of a Turn."""

    def _direction(self, clause: str) -> None:
        """A sentence that is not a command: people, a place, the world, a shot or a line.

        Intent first: a sentence that only introduces people, only sets the scene or only
        tells the world ("my uncle kept a lighthouse") makes no shot; one that shows an
        action, names a framing or carries a line does. Within a paragraph, sentences
        describe ONE shot until one clearly starts another (then / cut to / next, or a second
        framing of its own), so a storyboard paragraph of camera, action and light is one shot.
        """
        text, introduced = self._introductions(clause)
        if not text.strip(" ,.;:!?"):
            self.understood = self.understood or introduced
            return
        after, text = self._position(text)
        cue = _CUE_RE.match(text)
        strong = bool(cue and cue.group("cue").strip()) or (self.listed and self.clause_first)
        body = text[cue.end() :] if cue else text
        self.cue = text[: cue.end()] if cue else ""
        # "..., then looks up" goes on with the same shot; "Then Tom answers." starts one
        splits = bool(_SPLIT_RE.match(text)) and (
            self.clause_first
            or self._has_subject(body, self._names_in(body), [])
            or _someone_acts(body)
            or bool(_SHOT_OF_RE.match(re.sub(r"^\W*(?:(?:and|then|so|now)\b[,\s]*)*", "", text)))
            or _new_subject(body)
        )
        if (setting := SETTING_PREFIX_RE.match(body)) and self._is_setting(setting.group(1)):
            body = body[setting.end() :]  # "At the harbour at dusk, ...": the fields say it
        camera_led = re.match(  # "the camera starts wide, then pushes in": the camera's
            r"^\W*(?:(?:and|so|then)\s+)*(?:the\s+)?(?:camera|cam|drone)\b", self.prev_clause, re.I
        )
        if self.clause_first or camera_led or not re.match(r"\s*[a-z]+s\b", body):
            fields, rest = camera_fields(body)
        else:  # "..., then looks up at the sky": the person of the sentence looks up
            fields, rest = camera_fields(f"{_SAME_SUBJECT} {body.lstrip()}")
            rest = rest.replace(_SAME_SUBJECT, "").strip()
        light = fields.pop("key_light_side", None)
        lit = {k: fields.pop(k) for k in _LIGHT_KEYS if k in fields}
        time, names, dialogue = time_in(text), self._names_in(text), self._dialogue(text)
        speaker = (self.speaker_of(text) or self._speaker(text, names)) if dialogue else None
        if speaker and speaker not in names:
            names.append(speaker)
        if dialogue and speaker is None:  # a line alone in a shot of one person is theirs
            being_made = self.edits[self.last_new] if self.last_new is not None else None
            alone = being_made.characters if isinstance(being_made, AddShot) else names
            speaker = alone[0] if len(alone) == 1 else None
        said_by = {"dialogue_speaker": speaker} if speaker and _HAS_SPEAKER else {}
        if fields.get("angle") == "ots" and "ots_over" in AddShot.model_fields:
            shoulder = re.search(
                r"\bover\s+(?:the\s+shoulder\s+of\s+)?([\w' @-]+?)'s?\s", text, re.I
            )
            owner = self._names_in(shoulder.group(1)) if shoulder else []
            if his := re.search(r"\bover\s+(his|her)\s+shoulders?\b", text, re.I):
                kind = GENDER_OF[his.group(1).lower()]
                owner = [n for n in names if self._gender_of(n) == kind][:1] or self._safe_who(
                    his.group(1).lower()
                )
            for said in (r"shoulder\s+of\s+([\w' @-]+)", r"\b(?:from\s+)?behind\s+([\w' @-]+)"):
                if not owner and (m := re.search(said, text, re.I)):
                    owner = self._names_in(m.group(1))  # "OTS from behind Nell": Nell's
            if owner:
                fields["ots_over"] = owner[0]  # "over Tom's shoulder": Tom's shoulder, Mara seen
        strangers = self._strangers(body)
        found = self._place_for(text)
        acts = has_action(self._restore(rest, ""))
        strong = strong or bool(re.search(r"\bshots?\s+of\b", body, re.I))
        describing = self.setting_up and not self._acts_known(body, names, acts)
        if not (strong or fields or dialogue or after is not None) and (
            is_exposition(self._restore(body, ""))
            or (introduced and not acts)
            or describing
            or self._inventory(body)
        ):
            place = self._place_anywhere(body) or found
            self._set_up(place, time, light, text)
            return
        subject = self._has_subject(body, names, strangers)
        quiet = not (strong or dialogue or after is not None or subject or names)
        if fields and quiet and (target := self._camera_change_target(rest)) is not None:
            return self._update_shots([target], {**fields, **lit}, [])
        if (
            fields
            and not (dialogue or after is not None or subject or names)
            and not self.clause_first
            and self.last_new is None
            and self.touched is not None
            and not content_words(rest)
        ):  # "for the cake one start close on the cake and then pull back slowly"
            return self._update_shots([self.touched], {**fields, **lit}, [])
        framed = bool({"size", "angle", "movement", "lens_mm"} & set(self.carry))
        if framed and self.last_new is None and not found and rest.strip(" ,.;:!?"):
            strong = True  # "ECU, 100mm, static. Her finger tips her king over.": that shot
        if not (strong or fields or after is not None or dialogue or subject or acts):
            if (light or time) and not found and self.last_new is not None:
                self._merge({**self._light_time(light, time), **lit})  # "Backlit by the sun."
            elif found or time or light:
                self._scene(found, time or (found.time if found else None), light, text)
            elif lighting := self._lighting(body):
                self._modify({"lighting": lighting})
            elif self._descriptors(self._restore(clause, "")):
                pass  # "Eighties, tiny, long white plait." about the person just introduced
            elif not introduced:
                self.skipped.append(self._restore(clause))
            return
        previous = self.edits[self.last_new] if self.last_new is not None else None
        same_shot = isinstance(previous, AddShot) and not splits and after is None
        context = names or (list(previous.characters) if same_shot and previous else [])
        try:  # a pronoun in a sentence about the shot being described means its people first
            cast, resolved = self._cast(text, context)
        except NeedAnswer as need:
            doer = self._doer(text, need) if dialogue else None
            if doer is not None:  # "what she shouts is: ..." after "Bea ... shouts them in"
                self.forced = {need.gender: [doer]}
                cast, resolved = self._cast(text, context)
                speaker = speaker or doer
                said_by = {"dialogue_speaker": speaker} if _HAS_SPEAKER else {}
            elif not (same_shot and set(need.choices) <= set(previous.characters)):
                raise
            else:
                cast, resolved = list(names), {}  # everyone it could mean is in the shot
        if {"movement", "angle"} & set(fields):  # ", the camera (looking up at) him": said
            rest = _CAMERA_TALK_RE.sub(" ", rest)
        if group := _GROUP_RE.search(self._restore(text, "")):  # "both of them", "the three"
            cast += [n for n in self._together(group.group(0)) if n not in cast]
        action = self._action(rest, resolved, bool(dialogue))
        if re.fullmatch(
            r"(?:each|both|all(?:\s+of\s+them)?|every\s+one|too|as\s+well)", action, re.I
        ):
            action = ""  # "2 seconds each"
        if not (action or cast or found or fields or dialogue):
            self.skipped.append(self._restore(clause))  # a cue with nothing after it
            return None
        framing = {"size", "angle", "movement"} & set(fields)
        spoken = bool(dialogue) and not framing and _speech_only(action, cast)
        made = [i for i, e in enumerate(self.edits) if isinstance(e, AddShot)]
        if spoken and previous is None and made and not (strong or found or after is not None):
            self.last_new = made[-1]  # "VERA: ..." on its own line: the shot this message made
            previous, same_shot = self.edits[made[-1]], True
        latest = self._it() if previous is None else None
        narrated = self.narrated_lines  # "vern says not really" (no quotes): a beat of its own
        latest_shot = self.plan.find_shot(latest) if latest is not None else None
        elsewhere = bool(  # "and reg just says: ...": Reg is not in that shot, so his own shot
            speaker and latest_shot is not None and speaker not in latest_shot.characters
        )
        if (
            spoken
            and latest is not None
            and not (strong or found or after is not None or narrated or elsewhere)
        ):
            return self._line_for(latest, dialogue, cast, speaker)  # for the shot talked about
        if same_shot:
            if spoken:
                if set(cast) <= set(previous.characters) or not previous.characters:
                    voiced = said_by if speaker in previous.characters else {}
                    return self._merge({**fields, "dialogue": dialogue, **voiced})  # voice over
                if speaker in previous.characters and previous.size in _CLOSE:
                    # "a close shot of Dalin. She says to Marites: ...": Dalin's line, in her
                    # close shot (whom she says it to stays out of the frame)
                    return self._merge({**fields, "dialogue": dialogue, **said_by})
                if previous.size not in _CLOSE:
                    return self._extend(
                        {**fields, **said_by, **self._light_time(light, time)},
                        action,
                        cast,
                        dialogue,
                    )
            elif not self._reframes(fields, previous) or not (
                names or acts or found or content_words(rest)
            ):  # "INSERT. Her hands in the gloves. ECU, locked off.": the same shot, refined
                return self._extend(
                    {**fields, **said_by, **self._light_time(light, time)}, action, cast, dialogue
                )
        if not (strong or found or after is not None or action or cast):
            every = bool(re.search(r"\b(?:each|both|all\s+of\s+them|every\s+one)\b", text, re.I))
            line = {"dialogue": dialogue, **said_by} if dialogue else {}
            return self._modify({**fields, **line}, every)
        if _COMMAND_LIKE_RE.search(self._restore(text, "")) and not (
            strong or after is not None or _NEW_SHOT_ASK_RE.match(text)
        ):
            if fields and (latest := self._it()) is not None:  # "the camera should follow her"
                return self._update_shots([latest], {**fields, **lit}, [])
            self.skipped.append(self._restore(clause))  # "her cardigan should be blue": never
            self.understood = True  # a new shot; said back as not followed
            return None
        if after is None and self._not_a_shot(clause, strong, cast, dialogue):
            return None  # a remark, a question or a change asked of a shot: never a new shot
        self.placeholder = not action
        if not action:
            where = f"The {self.location.lower()}" if self.location else ""
            action = (
                join_words(cast) if cast else where or tidy(self._restore(body, "")) or "A shot"
            )
        shot = {**fields, **lit, "action": action, "characters": cast, "dialogue": dialogue or None}
        if dialogue and said_by.get("dialogue_speaker") in cast:
            shot.update(said_by)
        self._add_shot(shot, found, time, light, after, clause)
        if unknown := [s for s in strangers if s not in cast]:
            self.notes.append(
                f"I don't know {join_words(unknown)} yet, so the shot is without them; tell me who "
                f'they are, e.g. "{unknown[0]} is a young sailor".'
            )

    def _asks_change(self, clause: str) -> bool:
        """ "can the shot of the dad running be all wobbly", "the girl falling asleep, make
        that one 8 seconds", "for lotte on the ramp can the camera follow her", "biscuit going
        under the bandstand should be from ground level": a change asked of a shot that exists,
        named by what it shows. Never a new shot; False when it is not such a request."""
        text = self._restore(clause, "")
        if not _CHANGE_ASK_RE.search(text) or _NEW_SHOT_ASK_RE.match(text) or self.new_shots:
            return False
        fields, rest = camera_fields(text)
        fields.pop("key_light_side", None)
        if not fields:
            return False
        phrase = _CHANGE_ASK_RE.sub(" ", rest)
        phrase = _CAMERA_TALK_RE.sub(" ", phrase)
        phrase = re.sub(_ASK_FILLER, " ", phrase, flags=re.I)
        target: int | None = None
        if content_words(phrase):
            ids, ask, weak = self._content_ids(phrase)
            if len(ids) == 1 and not ask and not weak:
                target = ids[0]
        if target is None and re.search(r"\b(?:it|that(?:\s+one)?|this(?:\s+one)?)\b", text, re.I):
            target = self._it()
        if target is None:
            return False
        self._update_shots(self._unlocked([target], "change"), fields, [])
        self.understood = True
        return True

    def _camera_change_target(self, rest: str) -> int | None:
        """ "the camera should creep in slowly on the nets": a change asked of a shot that
        exists (named by what it shows, else the one just talked about), not a new shot."""
        if not _MODAL_RE.search(rest) or self.last_new is not None:
            return None
        phrase = _MODAL_RE.sub(" ", rest)
        phrase = re.sub(r"^\W*(?:and|so|then|also|the|camera|\s)+\b", " ", phrase, flags=re.I)
        phrase = re.sub(
            r"^\s*(?:on|of|in|at|over|to|towards|for)\s+", "", phrase.strip(), flags=re.I
        )
        if content_words(phrase):
            ids, ask, weak = self._content_ids(phrase)
            return ids[0] if len(ids) == 1 and not ask and not weak else None
        return self._it()

    def _doer(self, text: str, need: NeedAnswer) -> str | None:
        """Who "she"/"he" means in a line said after a shot where one of the people it could
        mean already does that very thing ("Bea ... shouts them in", then "what she shouts
        is: ..."): that one; None when the shot does not say."""
        verb = re.search(rf"\b{need.pronoun}\s+([a-z]+)", self._restore(text, ""), re.I)
        latest = self._it()
        shot = self.plan.find_shot(latest) if latest is not None else None
        if not verb or shot is None:
            return None
        stem = verb.group(1).lower().rstrip("s")[:5]

        def does_it(name: str) -> bool:
            return bool(
                re.search(
                    rf"\b{re.escape(name)}\b[^.]{{0,80}}\b{re.escape(stem)}", shot.action, re.I
                )
            )

        doers = [name for name in need.choices if does_it(name)]
        return doers[0] if len(doers) == 1 else None

    def _safe_who(self, pronoun: str) -> list[str]:
        """The one person a pronoun means, or nobody when that is not clear (never asks)."""
        try:
            who = self._who(pronoun)
        except NeedAnswer:
            return []
        return who if len(who) == 1 else []

    def _together(self, said: str) -> list[str]:
        """The people "both of them" / "the three of them" mean: the latest ones seen together,
        as many as the words say."""
        count = next((n for w, n in _COUNTS.items() if w in said.lower()), 0)
        people: list[str] = []
        for group in reversed(self._groups()):
            people += [n for n in group if n not in people]
            if (count and len(people) >= count) or (not count and len(group) > 1):
                break
        return people[:count] if count else people

    def _line_for(
        self, shot_id: int, dialogue: str, cast: list[str], speaker: str | None = None
    ) -> None:
        """Give an existing shot its line, with the speaker in it."""
        shot = self.plan.find_shot(shot_id)
        now = list(shot.characters) if shot is not None else []
        changes: dict[str, Any] = {"dialogue": dialogue}
        if more := [n for n in cast if n not in now]:
            changes["characters"] = now + more
        if speaker and _HAS_SPEAKER and speaker in [*now, *cast]:
            changes["dialogue_speaker"] = speaker
        self._update_shots([shot_id], changes, [])
        self._mention(cast)

    def _reframes(self, fields: dict[str, Any], previous: AddShot) -> bool:
        """Does a framing in this sentence start a shot of its own? Only a second framing
        does: "CLOSE-UP, 85mm. Omar's hands..." is one shot, "Wide on the bay. Close on
        Mara." two."""
        return "size" in fields and previous.size is not None

    def _added_after(self, index: int) -> set[str]:
        """Handles of the people this message added after edit `index`."""
        return {handle_of(e.name) for e in self.edits[index + 1 :] if isinstance(e, AddCharacter)}

    def _light_time(self, light: LightSide | None, time: TimeOfDay | None) -> dict[str, Any]:
        """The key light and time of day a sentence gives, where they differ from the place."""
        place = self.places.get(handle_of(self.location)) if self.location else None
        out: dict[str, Any] = {}
        if light and not (place and place.light == light):
            out["key_light_side"] = light
        if time and not (place and place.time == time):
            out["time_of_day"] = time
        return out

    def _extend(self, fields: dict[str, Any], action: str, cast: list[str], dialogue: str) -> None:
        """Fold one more sentence about the shot being described into it: its framing and
        camera where not said yet, its action appended, its people and its line added."""
        index = self.last_new if self.last_new is not None else -1
        previous = self.edits[index]
        if not isinstance(previous, AddShot):
            return
        update: dict[str, Any] = {
            k: v for k, v in fields.items() if getattr(previous, k, None) in (None, "")
        }
        if action and not self.placeholder:
            glue = ". " if self.clause_first else ", then " if _THEN_RE.match(self.cue) else ", "
            action = action if self.clause_first else action[:1].lower() + action[1:]
            joined = f"{previous.action.rstrip('.')}{glue}{action}"
            update["action"] = joined if len(joined) <= 500 else previous.action
        elif action:
            update["action"] = action
            self.placeholder = False
        if more := [n for n in cast if n not in previous.characters]:
            update["characters"] = [*previous.characters, *more]
            self._mention(more)
            if any(handle_of(n) in self._added_after(index) for n in more):
                self.edits.append(self.edits.pop(index))  # after the person it now shows
                index = self.last_new = len(self.edits) - 1
        if dialogue:
            update["dialogue"] = (
                f"{previous.dialogue} {dialogue}" if previous.dialogue else dialogue
            )
        self.edits[index] = previous.model_copy(update=update)
        self.understood = True

    def _set_up(
        self, found: FoundPlace | None, time: TimeOfDay | None, light: LightSide | None, text: str
    ) -> None:
        """Exposition: the world the story happens in. Places are added (their description
        gathers the paragraph's words about them); no shot is made. The paragraph goes on
        setting up until a sentence clearly shows someone acting or names a framing."""
        self.understood = True
        self.setting_up = self.last_new is None
        added = len(self.added_places)
        if (
            found
            and found.new
            and (self.described is not None or (self.added_places and self.location))
            and re.match(r"\W*an?\s", self._restore(text, ""), re.I)
        ):
            found = None  # "...the dig house. A bare concrete room, a desk fan": what it is like
        if found:
            self._scene(found, time or found.time, light, text)
        elif time or light:
            self._scene(None, time, light, text)
        if len(self.added_places) > added:
            self.described = (
                len(self.edits) - 1 if isinstance(self.edits[-1], AddLocation) else None
            )
        elif (index := self.described) is not None and (words := tidy(self._restore(text, ""))):
            place = self.edits[index]
            more = f"{place.description}; {words[:1].lower()}{words[1:]}"
            if len(more) <= 400:
                self.edits[index] = place.model_copy(update={"description": more})

    def _inventory(self, body: str) -> bool:
        """ "The lift lobby on the ground floor: a broken vending machine, a noticeboard nobody
        reads": a place and what is in it, said as a list (no one acts, no framing)."""
        m = _INVENTORY_RE.match(self._restore(body, ""))
        if not m or m.group("head").lower() not in PLACES:
            return False
        items = [i for i in re.split(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+", m.group("rest")) if i]
        listed = len(items) >= 2 and all(_ITEM_RE.match(i) for i in items)
        return (listed or not has_action(m.group("rest"))) and not self._names_in(m.group("rest"))

    def _acts_known(self, body: str, names: list[str], acts: bool) -> bool:
        """Does a known person do something here ("Emrys lifts the lid")?"""
        return bool(names) and acts

    def _headed_place(self, text: str) -> FoundPlace | None:
        """ "Setting: Raohe Street night market, Taipei.": the place a header names."""
        m = re.match(
            r"\s*(?:\w+\s+)?(?:setting|location|place|backdrop)(?:\s+notes?)?(?:\s+for\s+later)?\s*:"
            r"\s*([^,.;:]{2,40})",
            text,
            re.I,
        )
        if m is None:
            return None
        plain = self._restore(m.group(1), "").strip()
        if re.fullmatch(r"(?:[A-Z][\w'\-]*\s+){0,3}[A-Z][\w'\-]*", plain):
            more = _APPOSED_RE.match(text[m.end() :])  # "Setting: Harcourt House, a tower block"
            return self._new_place(plain, more.group(1) if more else "")
        head = re.split(
            r"\s+(?:behind|where|in|at|on|with|of|near|by|under|over|next)\s", m.group(1)
        )[0]
        words = re.findall(r"[A-Za-z'-]+", head.lower())
        words = [w for w in words if w not in ("the", "a", "an")][-4:]
        found = self._place_in(words, "") if words else None
        return found or (self._place_named(words, None) if 0 < len(words) <= 4 else None)

    def _place_anywhere(self, text: str) -> FoundPlace | None:
        """A place named anywhere ("kept a lighthouse on the coast" -> the lighthouse)."""
        if found := self._headed_place(text) or self._subject_place(text):
            return found
        plain = CONTEXT_RE.sub("", self._restore(text, ""), count=1)
        if (lead := SPATIAL_LEAD_RE.match(plain)) and (
            found := self._place_anywhere(lead.group("rest"))
        ):
            return found  # "out the back of the hall theres a fig tree": the tree, not the hall
        starts = (  # "kept a lighthouse"; "was at huddersfield town hall" (a name, no article)
            (r"\b(?:an?|the|his|her|their|my|our)\s+", r"(?:[a-z][a-z'\-]*\s*){1,4}"),
            (
                r"\b(?:at|in|inside|on)\s+(?!(?:an?|the|his|her|their|my|our|this|that)\b)",
                r"(?:[a-z][a-z'\-]*(?:\s+|$|(?=[,.;:!?]))){1,4}",
            ),
        )
        for start, run in starts:
            for m in re.finditer(start, text, re.I):
                after = text[m.end() :].lower()
                words = re.match(run, after)
                if found := self._place_in(words.group(0).split() if words else [], after):
                    return found
        return None

    def _lighting(self, text: str) -> str:
        """A sentence only about the light ("Cold blue light from the harbour lamps")."""
        plain = tidy(self._restore(text, ""))
        light_words = r"\b(?:light|lit|lighting|glow|glows|shadows?|moonlight|sunlight|lamplight"
        light_words += r"|candlelight|silhouetted?|backlit|haze|neon)\b"
        return plain if re.search(light_words, plain, re.I) and len(plain) <= 200 else ""

    def _speaker(self, text: str, names: list[str]) -> str | None:
        """Who says the quoted line: "Tom: ...", "..., Lena says", "says Lena", or the one
        person named in the sentence."""
        plain = QUOTE_MARK.sub(" \ue000 ", text)
        verbs = r"(?:says|said|asks|asked|replies|answers|whispers|shouts|murmurs|calls|yells)"
        for pattern in (
            r"^\s*(@?[\w' ]{1,30}?)\s*(?:\([^)]*\)\s*)?:\s*\ue000",
            rf"\ue000[\s,.!?]*{verbs}\s+(@?[A-Z][\w']*)",
            rf"(@?[A-Z][\w']*)\s+{verbs}\b",
        ):
            if (m := re.search(pattern, plain)) and (who := self._names_in(m.group(1))):
                return who[0]
        return names[0] if len(names) == 1 else None

    def _is_setting(self, phrase: str) -> bool:
        """Is this phrase only a place and/or a time ("at the harbour at dusk")?"""
        camera = set(camera_fields(phrase)[0]) - {"key_light_side"}
        return not camera and bool(self._find_place(phrase) or time_in(phrase))

    def _has_subject(self, body: str, names: list[str], strangers: list[str]) -> bool:
        """Does the sentence start with a person: a name, she/he/they, or a new name?"""
        starts = {n.split()[0].lower() for n in names} | {handle_of(n) for n in names}
        skip = {"and", "then", "now", "so", "later", "meanwhile", "outside", "inside"}
        lead = re.match(r"[^,]{1,40},", body)  # "Later that night, Tom sleeps."
        for part in (body, body[lead.end() :] if lead else ""):
            words = re.findall(r"[@\w'\-]+", part)
            while words and (words[0].lower() in skip or words[0].lower().endswith("ly")):
                words.pop(0)
            first = words[0].lstrip("@").lower().removesuffix("'s") if words else ""
            if (
                first in {"she", "he", "they"}
                or first in starts
                or (words and words[0] in strangers)
                or (first in _DETERMINERS and self._described_at_start(" ".join(words[:4])))
                or (first in {"his", "her", "their"} and self._part_of_someone(words[1:3]))
            ):
                return True
        return False

    def _part_of_someone(self, words: list[str]) -> bool:
        """ "her fingers winding the key", "his trainers splashing": an insert of a part of
        someone, or of what they wear (not "her coat should be red": a change of looks)."""
        nouns = [w.lower() for w in words]
        return bool(nouns) and any(
            _in_table(n, BODY | CLOTHES) or _in_table(n.rstrip("s"), BODY | CLOTHES)
            for n in nouns[:2]
        )

    def _described_at_start(self, head: str) -> bool:
        """Does `head` ("the fisherman mends", "his daughter waves") mean a known person?"""
        try:
            return bool(self._names_in(head))
        except NeedAnswer:
            return True  # someone, though it is not yet clear who

    def _position(self, text: str) -> tuple[int | None, str]:
        """ "add a close-up of Mara after shot 2": the shot it follows, and the rest of the text."""
        if not re.match(r"\s*(?:please\s+)?(?:add|insert|put|place)\b", text, re.I):
            return None, text
        m = rx(r"\s*\b(after|before|at\s+the\s+(?:start|beginning|end))\b(.*)$").search(text)
        if not m:
            return None, text
        where, head = m.group(1).lower(), text[: m.start()]
        if where.startswith("at"):
            return (None if where.endswith("end") else 0), head
        if where == "after" and self._names_start(m.group(2)):
            return 0, head  # "after shot 0": the start, as --after 0 means
        ids = self._existing(self._refs(m.group(2))[0][:1])
        if not ids:
            return None, head
        index = self.order.index(ids[0])
        return (ids[0] if where == "after" else self.order[index - 1] if index else 0), head

    def _action(self, rest: str, resolved: dict[str, list[str]], spoken: bool) -> str:
        """The readable action: camera words gone, a leading she/he/they named."""
        if spoken:
            plain = {"says", "said", "asks", "replies", "answers", "tells"}
            rest = _SPEECH_RE.sub(
                lambda m: "speaks" if m.group(1).split()[0].lower() in plain else m.group(1), rest
            )
        action = tidy(rest)
        for person in self.people.values():
            action = re.sub(
                rf"@{re.escape(handle_of(person.name))}\b", person.name, action, flags=re.I
            )
        if m := re.match(r"(she|he|they|him|them|her|his)\b", action, re.I):
            word = m.group(1).lower()
            who = resolved.get(GENDER_OF.get(word, "p")) or []
            preposition = re.match(_OBJECT_FOLLOWS, action[m.end() :], re.I)
            subject = re.match(r"\s+(?:and|&)\s", action[m.end() :])  # "her and sunny carry"
            if who and (word in ("she", "he", "they", "him", "them") or preposition or subject):
                action = join_words(who) + action[m.end() :]
            elif len(who) == 1 and word in ("her", "his"):
                action = f"{who[0]}'s{action[m.end() :]}"
        return action

    def _add_shot(
        self,
        shot: dict[str, Any],
        found: FoundPlace | None,
        time: TimeOfDay | None,
        light: LightSide | None,
        after: int | None,
        clause: str,
    ) -> None:
        """Append an AddShot: in the current place, with time and light only where they differ."""
        new_place = bool(found and found.new and handle_of(found.name) not in self.places)
        if found:
            self.location = self._use_place(found, time or found.time, light, clause)
        place = self.places.get(handle_of(self.location)) if self.location else None
        time, light = (
            (None, None) if new_place else (time or self.par_time, light or self.par_light)
        )
        if place and time == place.time:
            time = None
        if place and light == place.light:
            light = None
        shot = {**self.carry, **shot}
        self.carry = {}
        if self.continues and (after is None or self._comes_before(self.continues, after)):
            shot["continues_from"] = self.continues
        self.edits.append(
            AddShot(
                location=self.location, time_of_day=time, key_light_side=light, after=after, **shot
            )
        )
        self.last_new = len(self.edits) - 1
        self.new_shots += 1
        self.touched = None
        self.memo["last_shot"] = -1
        self._mention(shot["characters"])

    def _comes_before(self, first: int, second: int) -> bool:
        """Does shot `first` come before (or is it) shot `second` in the film?"""
        order = self.order
        return first in order and second in order and order.index(first) <= order.index(second)

    def _merge(self, changes: dict[str, Any]) -> None:
        """Fold dialogue or camera words into this message's newest shot."""
        index = self.last_new if self.last_new is not None else -1
        previous = self.edits[index]
        if not isinstance(previous, AddShot):
            return
        if "dialogue" in changes and previous.dialogue:
            changes["dialogue"] = f"{previous.dialogue} {changes['dialogue']}"
        keep = {k: v for k, v in changes.items() if k == "dialogue" or getattr(previous, k) is None}
        self.edits[index] = previous.model_copy(update=keep)
        self.understood = True

    def _modify(self, fields: dict[str, Any], every: bool = False) -> None:
        """Camera words alone ("Slow push-in."): for the shot just made (each of this message's
        new shots for "2 seconds each"), else the next one."""
        self.understood = True
        made = [i for i, e in enumerate(self.edits) if isinstance(e, AddShot)]
        if every and made:
            for index in made:
                self.edits[index] = self.edits[index].model_copy(update=fields)
        elif self.last_new is not None and self._reframes(fields, self.edits[self.last_new]):
            self.last_new = None  # "MCU on Tom. ... INSERT, 100mm. The clock.": the next shot's
            self.carry.update(fields)
        elif self.last_new is not None and fields.get("transition") != Transition.FADE_IN:
            self._merge(fields)
        elif (
            made
            and not self.carry
            and self.new_shots
            and fields.get("transition") != Transition.FADE_IN
        ):
            self.last_new = made[-1]  # a line after the list: the message's last new shot
            self._merge(fields)
        else:
            self.carry.update(fields)

    def finish(self) -> None:
        """Camera words no new shot took change the shot talked about last, if any."""
        for index, edit in enumerate(self.edits):
            if (
                isinstance(edit, AddShot)
                and edit.size is None
                and (part := _PART_RE.search(edit.action))
            ):
                small = part.group("part").lower() in ("eye", "eyes", "mouth", "lips", "fingers")
                size = ShotSize.ECU if small else ShotSize.CU  # "his face when he hears the bell"
                self.edits[index] = edit.model_copy(update={"size": size})
        fields = {k: v for k, v in self.carry.items() if k != "transition"}
        if fields and not self.question:
            if (shot_id := self._it()) is not None:
                self._update_shots([shot_id], fields, [])
            else:
                self.notes.append('Which shot do you mean? Say e.g. "make shot 2 a close-up".')
