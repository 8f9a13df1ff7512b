"""One message being read: the state every part of the offline director shares."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from storyreel.agent.offline import talk
from storyreel.agent.offline.by_content import ContentCommandMixin
from storyreel.agent.offline.camera import camera_fields, time_in
from storyreel.agent.offline.cast import CastMixin, NeedAnswer, PersonInfo, _descriptive, _in_table
from storyreel.agent.offline.commands import (
    _STILL_NUMBER_RE,
    _STILL_WORDS_RE,
    COMMANDS,
    NOT_AGAIN,
    CommandMixin,
)
from storyreel.agent.offline.guard import GuardMixin, everyday_introductions
from storyreel.agent.offline.introductions import IntroductionMixin
from storyreel.agent.offline.looks import IS_NOT_IS_RE, NOT_THEN_RE, WAS_NOT_RE, LooksMixin
from storyreel.agent.offline.lowercase import capitalize_names
from storyreel.agent.offline.places import PlaceInfo, PlaceMixin
from storyreel.agent.offline.refs import REF_RE, RefMixin, find_phrases
from storyreel.agent.offline.shots import CONTINUE_RE, ShotMixin
from storyreel.agent.offline.text import (
    QUOTE_MARK,
    QUOTE_RE,
    SINGLE_QUOTE_RE,
    VERDICT,
    join_words,
    lazy,
    rx,
    shots_text,
    split_clauses,
    split_paragraphs,
    split_sentences,
)
from storyreel.agent.offline.verbs import CONTEXT_RE, is_exposition, sets_the_world
from storyreel.agent.offline.words import ANSWER_WORDS, BODY, CLOTHES, KIN, NUMBERS, TITLES
from storyreel.tools.edits import (
    AddShot,
    AskPerson,
    EditModel,
    RemoveShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import StoryPlan, handle_of
from storyreel.tools.vocabulary import (
    LightSide,
    TimeOfDay,
)

_LIST_ITEM_RE = lazy(r"^\s*(?:\(?\d{1,2}[.)]|[-*\u2022])\s+\S")
_FILLER_RE = lazy(
    r"^\s*(?:(?:ok(?:ay)?|oh|wait|actually|hmm+|um+|uh+|well|sorry|right|oops|ah"
    r"|no(?!\s+(?:still|keyframe)s?\b)|nah|nope"
    r"|(?:ok(?:ay)?\s+)?(?:last|one\s+more|final)\s+thing|hang\s+on|hold\s+on|i\s+think(?:\s+that)?|i\s+guess|i\s+reckon|i\s+feel\s+like)\b[,!.]?\s*)+"
    r"(?=\w)",
    re.I,
)
"""Words that open a message without meaning anything ("oh wait", "actually", "ok so")."""
_VERDICT_REMARK_RE = lazy(
    rf"{VERDICT}"
    r"|(?:don'?t|dont|do\s+not|never)\s+(?:touch|change|move|cut|edit|redo|mess\s+with)"
    r"(?:\s+(?:it|that|this|them))?(?:\s+again|\s+ever)?"
    r"|leave\s+(?:it|that|this|them)(?:\s+(?:alone|as\s+(?:it\s+is|they\s+are)|be))?",
    re.I,
)
"""A verdict after a command ("theyre perfect", "it was better before", "don't touch"):
nothing to do."""
_FORMAL = (
    (re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))(\s*)kindly\s+", re.I), r"\1please "),
    (re.compile(r"\bshall\s+be\b", re.I), "should be"),
    (re.compile(r"^(\s*for\s+the\s+(?:look|style|grade))\s*,\s*(?:i|we)\s+(?:would\s+)?(?:prefer|"
                r"want|would\s+like|like|suggest)\s+", re.I | re.M), r"\1: "),
)  # fmt: skip
"""Formal English said plainly: "Kindly move ..." is "please move ...", "The title shall
be ..." is "should be", "For the look, I prefer ..." is "For the look: ..."."""
_ON_THE_ONE_RE = lazy(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))(?:(?:and|so|ok(?:ay)?|oh)\b[,\s]*)*(?:on|for|in|with)\s+"
    r"(?P<ref>(?:the|that|this)\s+(?!(?:first|second|third|last|final|next|opening|closing)\b)"
    r"[^,:;.\n]{1,40}?\b(?:one|shot))(?:\s*,\s*|\s+(?=(?:can|could|make|have|let|please)\b))"
    r"(?P<rest>\S)",
    re.I,
)
"""A change led by the shot it is for: "on the church steps one, make the camera rise" is
"the church steps one: make the camera rise"."""
_LABEL_THEN_VERB_RE = lazy(
    r"^\s*(?P<named>(?:the\s+)?[\w'\- ]{1,30}?\s(?:shot|one))\s*[:\-\u2013\u2014]\s*"
    r"(?P<verb>lock|unlock|delete|remove|cut|drop|lose|bin|kill|render|retake|redo)\s+"
    r"(?:it|that|this)\b(?P<rest>.*)$",
    re.I,
)
"""A shot named, then what to do with it: "chair shot: lock it. don't touch."."""
_EMOJI_RE = lazy(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+"
)
"""Emoji: they colour a message and never say what to film."""
_NOTE_LEAD_RE = lazy(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?:(?:(?:kindly|please|just)\s+)(?:note|remember|be\s+aware)"
    r"(?:\s+that)?|(?:note|remember|be\s+aware)\s+that)\s+|(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?:(?:a|one|small|quick)\s+)?(?:correction|fix"
    r"|change|note|update|amendment)(?:\s*,?\s*(?:please|pls|kindly))?\s*[:\-\u2013\u2014]\s*"
    r"|(?:^|(?<=[.!?]\s))\s*(?:fyi|btw|just\s+so\s+you\s+know|for\s+the\s+record)\b[,:]?\s*",
    re.I,
)
"""Words that announce what follows ("Kindly note that Marites should wear ...",
"Correction, please: the skirt ..."): read what follows."""
_TRAILING_FILLER_RE = lazy(
    r"(?:[\s,]+(?:actually|please|pls|lol|haha|thanks|thx|then|now|ok(?:ay)?|too|x+))+[\s.!?]*$",
    re.I,
)
"""Words that end a message without meaning anything ("get rid of number 2 actually")."""
_COMMAND_OPENING_RE = lazy(
    r"^\W*(?:(?:and|so|ok(?:ay)?|now|please|can\s+you|could\s+you)\b[,\s]*)*(?:delete|remove"
    r"|get\s+rid\s+of|cut|drop|lose|scrap|ditch|bin|move|put|swap|switch|lock|unlock|render"
    r"|make|change|shorten|lengthen|trim|redo|retake)\b",
    re.I,
)
"""A clause that opens with a command verb: "number 2" in it means shot 2."""
_NAMED_SHOT_RE = lazy(
    r"^\W*(?:(?:and|so|ok(?:ay)?|then)\b[,\s]*)*(?:the\s+|our\s+|my\s+)?(?:very\s+)?"
    r"(?:next|new|another|opening|last|final|closing|first)\s+(?:shot|scene|image)\s*"
    r"(?:is|:|will\s+be|should\s+be|would\s+be|=|-|\u2013|\u2014|,)\s*(?:like\s+)?(?:of\s+)?"
    r"(?P<rest>\S.*)$",
    re.I,
)
"""A new shot said by its place in the film: "first shot is priya boxing up the cake"."""
_CONTINUOUS_RE = rx(
    r"^(\W*(?:continuous|continuing|carrying\s+on|following\s+on|picking\s+up|pick\s+up))",
    r"\s+(?:straight\s+|right\s+)?from\s+(the\s+[\w' ]{1,30}?\s+(?:shot|one))",
    r"(\s*[:,\-\u2013\u2014])",
)
"""A shot continuing one named by what it shows: "Continuous from the tracking shot: ..."."""
_MANY_VERB_RE = rx(
    r"^\W*(?P<many>(?:every|all|each)\b[^,.;:]{0,40}?\b(?:shots?|ones?)\b[^,.;:]{0,40}?",
    r"|everything\s+(?:on|in|at|inside|outside|by|under)\s+[^,.;:]{1,40}?)\s+",
    r"(?:runs?|lasts?|holds?|takes?|gets?|goes|should\s+(?:run|last|hold|take|get|go))\s+",
    r"(?P<rest>(?:for\s+)?(?:\d|a\b|an\b|its\b|their\b|the\b|one|two|three|four|five|six",
    r"|seven|eight|nine|ten|twelve|fifteen|twenty|half).+)$",
)
"""A change of many shots said with its own verb: "Every shot on the slipway runs five
seconds.", "Everything on the rank takes its key from the right"."""
_IS_IN_RE = rx(
    r"\b(?P<many>(?:every|each|all(?:\s+(?:of\s+)?the)?)\s+(?:shots?|ones?))\s+(?:that\s+|where\s+)?",
    r"(?P<who>(?!(?:is|are|should|must|need|needs|in|on|at|with|of|to)\b)[\w']+",
    r"(?:\s+(?:and\s+)?(?!(?:is|are)\b)[\w']+){0,2}?)\s+(?:is|are|'s|appears?|shows?\s+up)\s+in\b",
)
"""Many shots named by who is in them: "lock every shot Wen is in" -> "every shot with Wen"."""
_TIMES = (
    r"(?:night|dawn|dusk|morning|evening|afternoon|sunset|sunrise|daytime|midday|noon|twilight)"
)
_ALL_AT_RE = rx(
    r"^\W*(?:(?:ok(?:ay)?|so|and|oh|btw|also|actually)\b[,\s]*)*(?:",
    r"(?:it'?s|its|it\s+is|they'?re|they\s+are|everything(?:'s|\s+is)|all\s+of\s+it\s+is",
    r"|the\s+whole\s+(?:thing|film|story|movie)(?:'s|\s+is))\s+all\s+(?:at\s+|in\s+the\s+)?",
    rf"(?P<time>{_TIMES})(?:\s*time)?",
    r"|(?:every|each|all)\s+(?:single\s+)?(?:shots?|ones?|of\s+them|of\s+it)\s+",
    r"(?:is\s+|are\s+|should\s+be\s+|happens?\s+|takes?\s+place\s+)?(?:set\s+)?",
    rf"(?:at\s+|in\s+the\s+|by\s+)?(?P<time2>{_TIMES})(?:\s*time)?",
    r")\b(?:\W*(?:btw|by\s+the\s+way|lol|pls|please|every\s+(?:single\s+)?shot|all\s+of\s+(?:them|it))\b)*\W*$",
)
"""Every shot at one time of day, said as a fact: "its all night time btw, every single shot",
"every shot is at dusk"."""
_NEW_AT_RES = (
    rx(r"^\W*(?P<head>insert|cutaway|close-?up|ecu|cu)\s*(?:[-\u2013\u2014:,]\s*)?(?:right\s+|straight\s+)?",
       r"(?P<where>after|before)\s+(?P<ref>the\s+[^,.:;]{1,40}?)\s*[.:,]\s*"),
    rx(r"^\W*(?:new(?:\s+shot)?|add(?:\s+a)?(?:\s+new)?\s+shot|one\s+more(?:\s+shot)?)\s*:?\s+",
       r"(?P<where>after|before)\s+(?P<ref>(?:shot\s+)?\d{1,3}|the\s+[^,.:;]{1,40}?)\s*[.:,]\s*"),
    rx(r"^\W*new(?:\s+shot)?\s*:\s*(?P<head>[^.;]*?),?\s+(?:goes|comes|sits|slots\s+in)\s+",
       r"(?P<where>after|before)\s+(?P<ref>[^.;]{1,40}?)\s*[.;]\s*"),
)  # fmt: skip
"""A new shot placed by a header: "NEW SHOT after 6. Mick on the verandah ...", "NEW: hero
riding shot, goes after the hub. LS, ..."."""
_NO_ON_RE = rx(
    r"^\W*no\s+(?P<what>(?:[\w\-]+\s+){0,2}?[\w\-]+)\s+(?:on|for)\s+(?P<who>[\w\-]+)\b",
    r"(?:\s+(?:pls|plz|please|thanks|thx)\b)?(?:\s*[,;]\s*)?",
)
"""A garment taken off, said as "no cap on andre" (-> "Andre: no cap")."""
_PEOPLE_HEAD_RE = rx(
    r"(?:^|[.!?]\s+)[^.!?]{0,40}?\b(?:the\s+following\s+)?(?:persons|people|characters|cast|cast\s+list)",
    r"\s*(?:are|is)?\s*:\s*$",
)
"""A heading over a list of people: "Kindly add the following persons:", "Characters:"."""
_STAYS_RE = rx(
    r"^\W*(?:and\s+|but\s+)?(?:the\s+|all\s+the\s+|every\s+)?[^,;:.!?]{1,60}?\s+(?:stays?|remains?",
    r"|can\s+stay|should\s+stay|can\s+remain)(?:\s+(?:as\s+(?:they\s+are|it\s+is|is|they\s+were",
    r"|it\s+was)|the\s+same|unchanged|put|untouched))?\W*$",
)
"""A part of the plan kept as it is: "the surface shots stay as they are"."""
_SIZE_WORD = r"(?:ECU|XCU|CU|MCU|MS|MLS|LS|ELS|WS|EWS|wide|close-?up|medium)"
_SHORTHAND = (
    (rx(r"^\W*(?:pls\s+|please\s+)?(?:flip|switch|trade|reverse)\s+(?:shots?\s+)?(\d{1,3})\s*",
        r"(?:and|&|with|/|,)\s*(?:shot\s+)?(\d{1,3})\W*$"), r"swap shots \1 and \2"),
    (rx(r"^\W*(\d{1,3})\s*:\s*(?!\d)(?=\S)"), r"shot \1: "),
    (rx(r"^\W*((?:shot\s*)?\d{1,3})\s*(?:->|\u2192|=>)\s*(?=\S)"), r"make \1 "),
    (rx(rf"^\W*(?!(?:make|shot)\b)(.+?)(?:\s+{_SIZE_WORD})?\s*(?:->|\u2192|=>)\s*(?=\S)"),
     r"make the \1 shot "),
    (rx(r"\b(?:all|each|every\s+one)\s+of\s+(?-i:([A-Z][\w\-]*))'s\s+(?:shots|ones|scenes)\b"),
     r"every shot with \1"),
    (rx(r"\b((?:on|with)\s+an?\s+)(14|16|18|20|21|24|25|28|32|35|40|50|65|75|85|90|100|105|135",
        r"|150|200)(?![\w\-%]|\.\d)(?!\s*(?:mm|sec|second|minute|shot|frame|percent|year|quid))"),
     r"\1\2mm lens"),
    (rx(r"^\W*(?P<what>(?:the\s+)?[^,;:.!?]{1,60}?\b(?:shot|one|insert|close-?up|wide|packshot",
        r"|aerial|opener))\s*(?:[\u2014\u2013:]|\s-)\s*(?P<verb>lock|unlock|delete|remove|cut|drop|lose",
        r"|render|keep)\s+it\b"), r"\g<verb> \g<what>"),
    (rx(r"^\W*(?!(?:please\s+)?(?:move|put|shift|bring|take|make|set|send|stick|place)\b)",
        r"(?P<what>(?:the\s+)?[^,;:.!?]{1,60}?\b(?:shot|one|insert|packshot|aerial|opener))",
        r"\s+to\s+the\s+(?:very\s+)?(?P<where>end|start|beginning|front|back)\W*$"),
     r"move \g<what> to the \g<where>"),
    (rx(r"\bin\s+the\s+(?:very\s+)?starting\b"), "at the start"),
    (rx(r"^\W*(?:straight|right)\s+on\s+from\s+"), "continuing from "),
    (rx(r"^\W*(?:(?:ok(?:ay)?|so|and|oh|also)\b[,\s]*)*(?:can|could|would)\s+(?:you\s+)?(?:make\s+)?",
        r"(?P<many>(?:they|them)\s+all|all\s+(?:of\s+)?(?:the\s+|them\b)?[^?]*?|every\s+[^?]*?)",
        r"\s+be\s+(?=\S)"), r"make \g<many> "),
    (rx(r"^make\s+(?:they|them)\s+all\b"), "make all the shots"),
    (rx(r"\b(?:long(?:er)?|wide|telephoto|tight(?:er)?)\s+lens\s*,?\s*(\d{2,3})\b",
        r"(?!\s*(?:s\b|secs?|seconds?|%|mm))"), r"\1mm lens"),
    (rx(r"\blonger\s+lens\b"), "long lens"),
    (rx(r"\bon\s+the\s+(14|16|18|20|21|24|25|28|32|35|40|50|65|75|85|90|100|105|135|150|200)",
        r"(?![\w\-%]|\.\d)(?!\s*mm)"), r"on a \1mm lens"),
    (rx(r"\b(\d{2,3})\s+or\s+(?:more|longer|above|over)\b"), r"\1mm"),
    (rx(r"\bgolden(?!\s+hour)(?=\s+(?:like|light|glow|sun)\b|\W*$)"), "golden hour"),
    (rx(r"^\W*(?P<what>(?:the\s+)?[^,;:.!?]{1,50}?\b(?:shot|one))\s+(?:stays?|remains?|can\s+stay)",
        r"\s+at\s+(?P<n>\d{1,2})(?:\s*(?:s|secs?|seconds?))?\W*$"), r"make \g<what> \g<n> seconds"),
    (rx(r"^\W*(?:(?:ok(?:ay)?|so|and|oh|also)\b[,\s]*)*(?:i'?d\s+(?:like|love)|i\s+would\s+(?:like|love)",
        r"|i\s+want|can\s+we\s+(?:have|get|make)|let'?s\s+(?:have|make|get))\s+",
        r"(?=(?:all|every|each)\b)"), "make "),
    (rx(r"^\W*(?:let\s+|make\s+)?(?P<many>(?:every|each)\s+(?:single\s+)?shot|all\s+(?:of\s+)?(?:the\s+)?shots)",
        r"\s+(?!(?:with|at|in|on|where|of|from|featuring|that|which|during|inside|outside|by|near)\b)",
        r"[^:]{1,40}:\s*(?P<rest>\S.*)$"), r"make \g<many> \g<rest>"),
    (rx(r"^\W*[^:]{1,50}:\s*(?=(?:every|all|each)\s)"), ""),
    (rx(r"\s*\b(?:at\s+(?:the\s+(?:very\s+)?)?least|minimum|min\.?|tops|max(?:imum)?)\b"), ""),
    (rx(r"\b(?:apiece|a\s+piece|each\s+one)\b"), "each"),
    (rx(r"\bwith\s+(?P<who>(?:the\s+)?[\w'\-]+)\s+in\s+(?:it|them)\b"), r"with \g<who>"),
    (rx(r",?\s+so\s+(?:that\s+)?(?:he|she|they|it|we|you)\s+",
        r"(?:looks?|feels?|seems?|reads?|can)\b.*$"), ""),
    (rx(r"^\W*(?P<what>(?:the\s+)?[^,:]{0,40}?\b(?:shot|one|insert|picture)\b[^,:]{0,40}?)",
        r"\s*(?:[,:\u2014\u2013]|\s-)\s*",
        r"(?P<verb>put|move|stick|send|shift|place)\s+it\s+(?P<where>\S.*)$"),
     r"\g<verb> \g<what> \g<where>"),
    (rx(r"\b(put|move|stick|send|shift|place)\s+(.+?)\s+in\s+the\s+(end|beginning|start)\b"),
     r"\1 \2 at the \3"),
    (rx(r"\b(?:drop|bring|take|lower|raise|move|push|pull|switch|change)\s+(it|that|this|them)\s+",
        r"(?:down\s+|up\s+|over\s+)?to\s+(?=(?:an?|the)\s+(?:[\w\-]+\s+)?(?:angle|lens|close|wide|shot",
        r"|mcu|cu|ecu|ms|ls|els|medium|overhead|level|view))"), r"make \1 "),
)  # fmt: skip
"""Producer's shorthand said the long way: "flip 4 and 5" -> "swap shots 4 and 5", "4:
handheld" -> "shot 4: handheld", "hub CU -> ECU" -> "make the hub shot ECU", "all of Jess's
shots" -> "every shot with Jess"."""
_FILM = r"(?:the\s+)?(?:film|movie|video|sequence|scene|story|whole\s+thing)"
_MOVED_SO = (
    (
        rx(r"\s+so\s+(?:that\s+)?(?:it'?s|its|it\s+is|it\s+comes|it\s+sits)\s+",
           r"(?:right\s+|just\s+|straight\s+|directly\s+)?(before|after)\b"),
        r" \1",
    ),
    (rx(rf"(?:\s+up)?\s+so\s+(?:that\s+)?it\s+(?:opens|starts|begins)\s+{_FILM}"), " to the start"),
    (rx(rf"(?:\s+down)?\s+so\s+(?:that\s+)?it\s+(?:closes|ends|finishes)\s+{_FILM}"),
     " to the end"),
)  # fmt: skip
"""Where a shot goes said as what it then does: "so its right before", "so it opens the film"."""
_VERDICT_RE = lazy(
    r"(?:(?:too|a\s+bit|really|so|very|way|kinda|a\s+little|not|still)\s+)*"
    r"(?:long|short|slow|fast|dark|bright|boring|good|great|fine|perfect|ok(?:ay)?|wrong|weird"
    r"|off|better|worse|bad|nice|lovely|done|locked|missing|gone|there|right|empty)\b.*",
    re.I,
)
"""What is said of a shot that exists ("the last shot is too long"), not a new shot."""
_PLACED_RE = lazy(
    r"^\s*(?P<what>.+?)\s+(?:should|can|could|must|has\s+to|needs\s+to)\s+(?:go|come|be)\s+"
    r"(?:right\s+|just\s+)?(?:at|to)\s+the\s+(?:very\s+)?(?P<where>end|start|beginning|front)\b",
    re.I,
)
_DISLOCATED_RE = lazy(
    r"^\s*(?:and\s+|so\s+|then\s+)?(?P<verb>make|set|change|lock|unlock|delete|remove|cut|drop"
    r"|lose|move|put|give|render|retake|redo|shorten|lengthen|keep)\s+"
    r"(?P<it>it|that(?:\s+one)?|this(?:\s+one)?|them)\b(?P<rest>.*)$",
    re.I,
)


def _fold_dislocated(sentence: list[str]) -> list[str]:
    """ "the girl falling asleep, make that one 8 seconds": the shot named first, the command
    after, as one clause ("make the shot of the girl falling asleep 8 seconds")."""
    out: list[str] = []
    for clause in sentence:
        m = _DISLOCATED_RE.match(clause)
        looks = out and re.search(r"'s\s+\w+\s+(?:gets|got|is|was|becomes|turns)\b", out[-1])
        if m and out and not looks and not re.search(r"\bshot\s*\d", out[-1], re.I):
            label = re.match(r"\s*([^:]{3,60}?)\s*:\s*\S", out[-1])
            # "The gantry run: 5 seconds, and lock it": the change stays, the lock is added
            named = label.group(1) if label else out.pop().strip(" ,")
            named = re.sub(r"^(?:and|so|oh|ok(?:ay)?)\b[,\s]*", "", named, flags=re.I)
            named = re.sub(  # "the tractor shot is boring, cut it"
                r"\s+(?:is|was|looks|feels|seems)\s+(?:\w+\s+)?\w+$", "", named, flags=re.I
            )
            if REF_RE.fullmatch(named):  # "last shot, make it 3 seconds"
                shot = named if re.match(r"(?:the\s|shot)", named, re.I) else f"the {named}"
            elif re.match(r"(?:the|that|this)\s+(?:shot|one)\b", named, re.I) or re.match(
                r"(?:the|that|this)\s+.{1,40}\s(?:shot|one|close-?up|wide)$", named, re.I
            ):
                shot = named  # "the jetty shot, make it 3 seconds"
            else:
                shot = f"the shot of {named}"
            clause = f"{m.group('verb')} {shot}{m.group('rest')}"
        out.append(clause)
    return out


_FRAMING_RE = lazy(
    r"(?:a\s+)?(?:reverse(?:\s+(?:shot|angle))?|pov|point\s+of\s+view|two[\s-]?shot|cutaway|coverage"
    r"|b[\s-]?roll|same\s+(?:set[\s-]?up|angle))"
)
"""Framing words the vocabulary has no value for: read as said, changing nothing."""


def _looks_list(text: str) -> bool:
    """Is this only a list of clothes and looks ("white linen shirt, no earbuds."), said after
    "Kofi:" as a wardrobe note rather than a line?"""
    pieces = [p.strip(" .!") for p in re.split(r"[,;]|\band\b", text) if p.strip(" .!")]
    if not pieces or QUOTE_MARK.search(text) or len(text.split()) > 20:
        return False
    return all(
        any(_in_table(w, CLOTHES | BODY) for w in re.findall(r"[a-z\-]+", p.lower()))
        and (_descriptive(p) or re.match(r"(?:no|not|without)\s+\S", p, re.I) is not None)
        for p in pieces
    )


def _wardrobe_note(name: str, text: str) -> str:
    """ "white linen shirt, no earbuds." for Kofi -> a wardrobe note, then "No earbuds."."""
    pieces = [p.strip(" .!") for p in re.split(r"[,;]", text) if p.strip(" .!")]
    gone = [p for p in pieces if re.match(r"(?:no|not|without)\s", p, re.I)]
    kept = [p for p in pieces if p not in gone]
    gone = [re.sub(r"^(?:no|not|without)\s+", "no more ", p, flags=re.I) for p in gone]
    return f"Wardrobe note on {name}: {', '.join(kept + gone)}."


_COUNTED_RE = rx(
    r"^\W*(?:(?:ok(?:ay)?|so|and|then|now|right)\b[,\s]*)*(?:(?:can|could)\s+(?:u|you|we)\s+|please\s+",
    r"|pls\s+)?(?:add|do|have|give\s+me|i\s+want|we\s+need|i\s+need)?\s*",
    r"(?P<count>two|three|four|five|six|[2-6])(?:\s+more)?(?:\s+(?:quick|short))?",
    r"(?:\s+(?:shots?|ones|beats|inserts|close-?ups))?(?:\s+(?:more|please|pls))?\s*:\s*",
    r"(?P<rest>.+)$",
)
"""A number of shots, then each one: "can u add three more: A, B, and C"."""


def _counted_list(line: str) -> str:
    """ "add three more: A, B, and C" -> one list item a line, when the pieces are that many."""
    m = _COUNTED_RE.match(line)
    if not m:
        return line
    count = NUMBERS.get(m.group("count").lower()) or int(m.group("count"))
    pieces = [
        p for p in re.split(r"\s*[,;]\s*(?:and\s+|then\s+)?|\s+and\s+then\s+", m.group("rest"))
    ]
    pieces = [p.strip(" .") for p in pieces if p.strip(" .")]
    if len(pieces) != count:
        return line
    return "\n".join(f"- {piece}" for piece in pieces)


_SHOT_COUNT_RE = lazy(
    r"(?:(?:here are|there are|i want|we need|now|then|and then)\s+)?"
    r"(?:(?:two|three|four|five|six|\d+|a few|some|several|a couple of)\s+(?:more\s+)?"
    r"(?:quick\s+|fast\s+|short\s+)?(?:shots?|inserts?|cutaways?|close-?ups?|angles?|ones|beats)"
    r"(?:\s+(?:now|here|next))?(?:\s+(?:for|of|in|at)\s+[^:]{1,40})?\s*:?"
    r"|(?:quick|fast|short)\s+(?:shots?|inserts?|cutaways?|ones|beats)[^:]{0,40}:)"
)
_SPEECH = (
    r"says|said|shouts|shouted|yells|yelled|whispers|whispered|asks|asked|goes|replies|replied"
    r"|answers|answered|calls|called|mutters|muttered|screams|screamed|cries|cried|murmurs"
)
_SO_THEN_RE = lazy(
    r"^(?P<why>.{3,80}?)[,;]?\s+so\s+(?P<ask>(?:[\w']+\s+){0,4}?(?:should|must|needs?\s+to"
    r"|has\s+to|make|give|put|change|lock|delete|remove|cut|move)\b.*)$",
    re.I,
)
"""A reason first, then the ask: "its gonna rain so elif's raincoat should be red"."""
_BARE_CUE_RE = lazy(
    r"^\W*(?:(?:and|ok(?:ay)?|so|now|then)\b[,\s]*)*(?P<cue>(?:the\s+)?(?:final|last|closing|next)"
    r"\s+shot)\s+(?P<who>[\w']+)\s+(?!(?:is|was|should|needs?|has|could|can|must|will)\b)\S",
    re.I,
)
"""A new shot cued with no stop after the cue: "last shot trish out in the smoking shelter"."""
_LEAD_CUE_RE = lazy(
    r"^\W*(?:(?:and|ok(?:ay)?|so|now)\b[,\s]*)*(?:(?:the\s+)?(?:final|last|closing|next|new"
    r"|another)\s+(?:shot|one)|one\s+more(?:\s+shot)?|last\s+(?:bit|beat)|and\s+finally)"
    r"\s*[.:!,\-\u2013\u2014]\s+(?=\S)(?!(?:make|lock|unlock|delete|remove|cut|drop|move|put"
    r"|swap|change|set|render|keep|give|shorten|lengthen|trim|it|its|it's|should|needs?|is|was"
    r"|can|could|let|have|hold|needs|too|not)\b)",
    re.I,
)
"""A paragraph that opens "Final shot. Drone, straight down ...": a new shot follows (not a
change to the last one)."""
_ASKS_CHANGE_RE = lazy(
    r"(?:^|[,;:]\s*|\b(?:and|then|just|please|pls)\s+)(?:make|lock|unlock|delete|remove|cut|drop"
    r"|move|put|swap|change|set|give|shorten|lengthen|trim|turn|switch)\s+(?:it|him|her|them|this"
    r"|that|the|shot|a|an|more|less)\b",
    re.I,
)
"""A change asked for after a shot is named ("last one, angus, make him smile")."""
_CLAUSE_END_FILLER_RE = lazy(
    r"(?:[\s,]+(?:actually|tbh|to\s+be\s+honest|honestly|i\s+think|i\s+guess|i\s+reckon|for\s+now"
    r"|lol|haha|though|too|as\s+well"
    r"|(?:(?<=\btwo\s)|(?<=\bthem\s)|(?<=\bshots\s)|(?<=\bones\s))(?:round|around|over))"
    r"(?=[\s.!,]*$))+[\s.!,]*$",
    re.I,
)
"""Words that end a clause without changing it ("... can go actually", "swap them round")."""
_CHAT_FILLER_RE = lazy(r"\s+(?:tbh|ngl|imo|imho|lol|lmao|haha+|fr)\b(?=\s*[,.;!?]|\s*$)", re.I)
"""Chat asides that say nothing about the film ("... tbh, ...")."""
_THOSE_RE = lazy(
    r"\b(?:those|these)\s+(?=(?:first|last|opening|closing|final|two|three|four|five|\d)\b)", re.I
)
_YOU_RE = lazy(r"\b(can|could|would|will|do|did|thank)\s+(?:u|ya)\b", re.I)
"""Texting's "u" for "you" after the words a request starts with ("can u ...")."""
_FIRST_PERSON_RE = lazy(
    r"^\W*(?:(?:and|so|but|oh|ok(?:ay)?|well|actually|just)\b[,\s]*)*"
    r"(?:i|we|i'm|im|i'd|id|i've|ive|i'll|we're|were|we'd|we've|me)\b(?!\s+(?:see|open|start"
    r"|begin|end|cut|close|follow|pan|track|move|hear)\b)",
    re.I,
)
_SHOW_WORDS_RE = lazy(
    r"\b(?:shots?|scenes?|camera|close[\s-]*ups?|wides?|frame|angle|see|show|showing|film|movie"
    r"|story|video|character|people|person|location|place|lens|light|lighting|music|sound)\b",
    re.I,
)
_SAYS_COLON_RE = lazy(
    rf"\b(?:{_SPEECH}|whispering|shouting|saying|muttering|yelling|calling|answering|replying"
    r"|asking|telling\s+\w+|going|screaming|singing|sings)"
    r"(?:\s+(?:back|out|over|up))?(?:\s+(?:to\s+\w+|under\s+(?:his|her|their)\s+breath|quietly"
    r"|softly|dead\s+serious|deadpan|flatly|sharply|loudly|gently|calmly))?\s*:\s*(?P<line>\S.*)$"
    r"|\b(?:on\s+the\s+(?:phone|radio|intercom|mic|tannoy)|into\s+the\s+(?:phone|radio|mic|walkie)"
    r"|over\s+the\s+(?:radio|intercom|tannoy)|(?<=\w)\s+to\s+(?:(?-i:[A-Z])[\w'\-]*|him|her|them))"
    r"\s*:\s*(?P<line2>\S.*)$",
    re.I,
)
"""A line after a speech verb and a colon inside a sentence: "whispering: You're a tree."."""
_EXCEPT_RE = lazy(
    r"[,;]?\s+(?:except|but\s+not|apart\s+from|other\s+than|save)\s+(?:for\s+)?"
    r"(?P<ex>[^,;]+?)(?:[,;]\s*(?P<tail>(?:that|this|which)\s+(?:one\s+)?.+))?\s*[.!]*$",
    re.I,
)
_ALL_SHOTS_RE = lazy(
    r"\b(?:all\s+(?:of\s+)?(?:the\s+)?shots|every\s+(?:single\s+)?shot|each\s+shot"
    r"|all\s+of\s+them|everything)\b",
    re.I,
)
_ALL_AFTER_RE = lazy(
    r"\b(?:all\s+(?:of\s+)?(?:the\s+)?shots|every\s+(?:single\s+)?shot|each\s+shot)\s+"
    r"(?P<way>after|before|following)\s+(?P<ref>(?:the\s+)?(?:first|last|opening)(?:\s+(?:one|shot))?"
    r"|shot\s+\d+)(?:\s+on(?:wards)?)?",
    re.I,
)
"""Many shots by where they stand: "every shot after the first one"."""
_STAYS_RE = lazy(
    r"\b(?:stays?|keeps?|remains?|is|at|should\s+be|can\s+be)\s+(?:at\s+)?(\d+(?:\.\d+)?)\b"
)
_TITLE_WORDS = "|".join(sorted(TITLES, key=len, reverse=True))
_SAID_LINE_RE = lazy(
    r"^(?P<lead>\W*(?:(?:and|so|oh|then|ok(?:ay)?)\b[,\s]*)*)"
    rf"(?:(?:what\s+(?P<who>she|he|they|[A-Z][\w']*)\s+(?P<verb>{_SPEECH})\s+is)"
    rf"|(?P<who2>she|he|they|[A-Z][\w']*)\s+(?P<verb2>{_SPEECH})"
    r"|(?P<owner>her|his|their|[A-Z][\w']*'s)\s+line\s+is)\s*:\s*(?P<line>\S.*)$",
    re.I,
)
"""A line said after a colon: "what she shouts is: tea's ready", "he says: we're late"."""
_GIVE_LINE_RE = lazy(
    r"\b(?:give|add|put)\s+(?:it|that(?:\s+(?:shot|one))?|this(?:\s+(?:shot|one))?"
    r"|shot\s*\d+|the\s+(?:[\w'-]+\s+){0,4}?(?:shot|one))\s+(?:his|her|their|the|a|its)\s+"
    r"(?:line|lines|dialogue)\b[^:\ue000]{0,40}:\s*(?P<line>\S.*)$",
    re.I,
)
"""A line given to a shot that exists, after a colon: "Give that shot his line: We have him"."""
_HEAR_LINE_RE = lazy(
    r"\b(?:(?:and\s+)?we\s+)?hear\s+(?P<who>[A-Z][\w']*(?:\s+[A-Z][\w']*)?)\s*:\s*(?P<line>[^\ue000]+)$"
)
"""A line heard, not seen: "ECU of the phone, and we hear Officer Park: You got me ..."."""
_BARE_LINE_RE = lazy(
    r"(?:^|(?<=[.,;]\s)|(?<=\band\s)|(?<=\bthen\s))\W*(?P<who>[A-Z][\w']*|she|he|they)\s+"
    r"(?:[a-z]+s\s+(?:and\s+)?)?(?:says|whispers|shouts|replies|answers|mutters|yells|murmurs"
    r"|goes|calls\s+out)\s+"
    r"(?P<line>(?!(?:to|that|nothing|something|a|an|the|his|her|their|goodbye|hello|hi|grace"
    r"|sorry|it|so|yes|no|thanks|thank|something|anything|her|him|them|quietly|softly|loudly"
    r"|under|into|in|on|at|with|as|while|when)\b)[^\ue000.!?;:\"]{2,80}?)"
    r"(?P<tail>,\s+(?:then|and\s+then|before|as|while)\b[^\ue000]*)?\s*[.!?]*$",
    re.I,
)
"""A line said without quotes at the end: "lou winks and says we'll see kiddo"."""
_SPEAKER_CUE_RE = lazy(
    r"(?:^|(?<=[.!?]\s)|(?<=[.!?]\ue001\s)|(?<=,\s)|(?<=;\s))\s*"
    r"(?P<name>@?(?:[Tt]he\s+|(?:Dr|Mr|Mrs|Ms)\.?\s+)?[A-Za-z][\w']*(?:\s+[A-Z][\w']*)?)"
    r"\s*(?:\([^)]*\)\s*)?:\s*(?=\S)"
)
"""A speaker's cue in a script: "TOM:", "Vera (whispering):", "shot 2, Jo:" (checked
against the known people before it counts)."""


_LONGER_RE = rx(r"\b(?:a\s+(?:bit|little|touch|lot)\s+)?(?:longer|shorter|slower|quicker)\b")
_LIKE_N_RE = rx(
    r"(?:[,.?!;]+\s*|\s+)(?:like|say|maybe|about|perhaps|around|so|more\s+like)?\s*",
    r"(?P<n>\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen)",
    r"\s*(?:s|secs?|seconds?)\b(?:\s+(?:each|apiece))?",
)


def _longer_like(text: str) -> str:
    """ "make every shot longer please, alfie likes it slow. like 7 seconds" -> "make every
    shot 7 seconds please, alfie likes it slow.": the number said after "longer" is the length."""
    if not (longer := _LONGER_RE.search(text)) or not (n := _LIKE_N_RE.search(text, longer.end())):
        return text
    if n.start() - longer.end() > 80:
        return text
    said = f"{n.group('n')} seconds"
    return f"{text[: longer.start()]}{said}{text[longer.end() : n.start()]}{text[n.end() :]}"


class Turn(
    IntroductionMixin,
    LooksMixin,
    CastMixin,
    PlaceMixin,
    ShotMixin,
    GuardMixin,
    RefMixin,
    ContentCommandMixin,
    CommandMixin,
):
    """One message being read: the plan as it will be, the edits so far, and what to say."""

    commands = COMMANDS
    not_again = NOT_AGAIN

    def __init__(self, plan: StoryPlan, memo: dict[str, Any]) -> None:
        self.plan, self.memo = plan, memo
        self.edits: list[EditModel] = []
        self.said: list[str] = []
        self.notes: list[str] = []
        self.skipped: list[str] = []
        self.added: list[str] = []  # people, then places ("the harbour")
        self.added_places: list[str] = []
        self.new_shots = 0
        self.question = ""
        self.opening = ""
        self.quotes: list[str] = []
        self.understood = False
        self.people = {
            handle_of(c.name): PersonInfo(c.name, c.description, c.wardrobe)
            for c in plan.characters
        }
        self.places = {
            handle_of(p.name): PlaceInfo(
                p.name, p.time_of_day, p.key_light.side, PlaceInfo.kind_of(p.name, p.description)
            )
            for p in plan.locations
        }
        self.order = [s.id for s in plan.ordered_shots()]
        self.locked = {s.id for s in plan.shots if s.locked}
        self.location = self._known_place(memo.get("location"))
        self.par_time: TimeOfDay | None = None
        self.par_light: LightSide | None = None
        self.last_new: int | None = None
        self.carry: dict[str, Any] = {}  # camera words waiting for the next new shot
        self.forced: dict[str, list[str]] = {}
        self.touched: int | None = None
        self.vague: int | None = None  # a shot named with nothing to change (yet)
        self.continues: int | None = None  # "continuing from shot 4", for this clause
        self.clause_first = True  # the clause starts its sentence (not "..., then ...")
        self.placeholder = False  # the newest shot's action is a stand-in (its cast or place)
        self.listed = False  # the paragraph is an item of a list of shots ("- Tom looks up")
        self.cue = ""  # the cue that opened the clause being read ("then", "cut to")
        self.chatted = False  # thanks or praise: nothing to do
        self.setting_up = False
        self.list_open = False
        self.described: int | None = None
        self.questions: list[str] = []  # questions to the director, answered in the reply
        self.prev_clause = ""  # the clause before this one in its sentence
        self.after_clauses: list[str] = []  # clauses a clause asked for, read right after it
        self.narrated_lines = False  # a line told without quotes ("she says not really")

    def _known_place(self, name: object) -> str | None:
        """The canonical name of a place that exists, else None."""
        key = handle_of(name) if isinstance(name, str) else ""
        return self.places[key].name if key in self.places else None

    # --- reading -------------------------------------------------------------------

    def run(self, text: str, keep_paragraph: bool = False) -> None:
        """Read every paragraph and clause; stop early to ask whom a pronoun means."""
        text = _EMOJI_RE.sub("", text)  # "title it Lights Out 🔦"
        text = _NOTE_LEAD_RE.sub("", text)  # "Kindly note that ...", "Correction, please: ..."
        for formal, plain in _FORMAL:  # "Kindly move ...", "The title shall be ..."
            text = formal.sub(plain, text)
        text = _ON_THE_ONE_RE.sub(r"\g<ref>: \g<rest>", text)  # "on the steps one, make ..."
        text = QUOTE_RE.sub(self._stash_quote, text)
        text = SINGLE_QUOTE_RE.sub(self._stash_quote, text)
        text = re.sub(
            r"\b(Mr|Mrs|Ms|Mx|Dr|Prof|Fr|Sr|Jr)\.(?=\s+[A-Z])", r"\1", text
        )  # "Mrs. Kessler"
        text = capitalize_names(text, [p.name for p in self.people.values()])
        text = everyday_introductions(text)  # "the climber's name is Ilse"
        text = "\n".join(_counted_list(line) for line in text.split("\n"))
        text = _longer_like(text)
        paragraphs = [
            self._script_line(self._said_line(self._no_on(p))) for p in split_paragraphs(text)
        ]
        people_list = False  # a heading said that the list lines under it are people
        for p_index, paragraph in enumerate(paragraphs):
            if (bare := _BARE_CUE_RE.match(paragraph)) and (
                bare.group("who").lower() in ("she", "he", "they", "we")
                or handle_of(re.sub(r"'s$", "", bare.group("who"))) in self.people
                or re.sub(r"'?s$", "", bare.group("who").lower()) in KIN  # "last shot grandad"
            ):
                paragraph = f"the next shot: {paragraph[bare.end('cue') :].strip()}"  # no colon
            if (
                (cue := _LEAD_CUE_RE.match(paragraph))
                and self._shows_more(paragraph[cue.end() :])
                and not self._new_role(paragraph[cue.end() :])
                and not _ASKS_CHANGE_RE.search(paragraph[cue.end() :])  # "last one, X, make him"
            ):
                paragraph = f"the next shot: {paragraph[cue.end() :]}"  # "Final shot. Drone, ..."
            placed, before_edits = None, len(self.edits)
            for pattern in _NEW_AT_RES:
                if at := pattern.match(paragraph):
                    placed = (at.group("where").lower(), at.group("ref"))
                    head = at.groupdict().get("head") or ""
                    head = "" if re.search(r"\bshot$", head, re.I) else head  # a label
                    head = (
                        "" if re.fullmatch(r"insert|cutaway|close-?up|e?cu", head, re.I) else head
                    )
                    paragraph = (
                        f"{head}. {paragraph[at.end() :]}" if head else paragraph[at.end() :]
                    )
                    paragraph = f"the next shot: {paragraph}"
                    break
            self.listed = bool(_LIST_ITEM_RE.match(paragraph))
            if self.listed and people_list:  # "Kindly add the following persons: 1. Meera, ..."
                item = _LIST_ITEM_RE.match(paragraph)
                paragraph = f"New character: {paragraph[item.end() - 1 :]}" if item else paragraph
                self.listed = False
            elif not self.listed:
                people_list = bool(_PEOPLE_HEAD_RE.search(paragraph))
                if people_list and _PEOPLE_HEAD_RE.fullmatch(paragraph.strip()):
                    continue  # the heading alone
            if self._heading(paragraph, paragraphs[p_index + 1 : p_index + 2]):
                continue  # "ok next bit:" over a numbered list: a heading, not a shot
            self.context_para = bool(CONTEXT_RE.match(paragraph))
            if m := NOT_THEN_RE.match(paragraph.strip(" .!")) or WAS_NOT_RE.match(
                paragraph.strip(" .!")
            ):  # "..., make it a yellow one", "her dress wasnt white it was ivory"
                paragraph = f"{m.group('who')} should be {m.group('new')}, not {m.group('old')}"
            paragraph = IS_NOT_IS_RE.sub(  # "X's coat is not navy, it is green"
                lambda m: f"{m.group(1)} {m.group(3)}, not {m.group(2)}", paragraph
            )
            sentences = [_fold_dislocated(sentence) for sentence in split_sentences(paragraph)]
            clauses = [clause for sentence in sentences for clause in sentence]
            firsts = [i == 0 for sentence in sentences for i in range(len(sentence))]
            if not (keep_paragraph and p_index == 0):
                self._begin_paragraph(clauses)
            for c_index, clause in enumerate(clauses):
                self.clause_first = firsts[c_index]
                if firsts[c_index]:
                    self.prev_clause = ""
                elif len(clauses[c_index - 1].split()) > 1:
                    self.prev_clause = clauses[c_index - 1]
                try:
                    self._clause(clause)
                    while self.after_clauses:  # "..., except X, that one stays 6"
                        self._clause(self.after_clauses.pop(0))
                except NeedAnswer as need:
                    later = [split_clauses(p) for p in paragraphs[p_index + 1 :]]
                    self._ask(need, clause, [clauses[c_index + 1 :], *later])
                    return
                except (ValidationError, StoryreelError, ValueError, KeyError):
                    self.notes.append(f'I could not use "{self._restore(clause)}".')
                self.forced = {}
            if placed:
                self._place_new(placed[0], placed[1], before_edits)
            self.memo["location"] = self.location
        self.finish()
        removed = [e.shot_id for e in self.edits if isinstance(e, RemoveShot)]
        if removed and len(removed) == len(self.edits):  # what "bring it back" may mean next
            shots = [self.plan.find_shot(i) for i in removed]
            self.memo["removed"] = {str(s.id): s.action for s in shots if s is not None}
        elif self.edits:
            self.memo.pop("removed", None)

    def _place_new(self, where: str, ref: str, start: int) -> None:
        """Put the first shot this paragraph added (from edit `start` on) before or after the
        shot `ref` names ("6", "shot 6", "the hub")."""
        ref = re.sub(r"^(\d+)$", r"shot \1", ref.strip())
        ids = self._existing(self._refs(ref)[0][:1]) or self._phrase_ids(ref)[:1]
        new = next(
            (i for i in range(start, len(self.edits)) if isinstance(self.edits[i], AddShot)), None
        )
        if new is None or not ids or ids[0] not in self.order:
            return
        index = self.order.index(ids[0])
        after = ids[0] if where == "after" else (self.order[index - 1] if index else 0)
        self.edits[new] = self.edits[new].model_copy(update={"after": after})

    def _no_on(self, paragraph: str) -> str:
        """ "no cap on andre pls, mum hates hats" -> "Andre: no cap. mum hates hats": the
        shape of a wardrobe note."""
        if (off := _NO_ON_RE.match(paragraph)) and handle_of(off.group("who")) in self.people:
            rest = paragraph[off.end() :].strip()
            return f"{off.group('who')}: no {off.group('what')}." + (f" {rest}" if rest else "")
        return paragraph

    def _heading(self, paragraph: str, after: list[str]) -> bool:
        """Is this line only the heading of the list under it ("ok next bit:", "Shots for the
        wedding:", "here's the order -")?"""
        line = paragraph.strip()
        if not after or not _LIST_ITEM_RE.match(after[0]) or _LIST_ITEM_RE.match(line):
            return False
        if not re.search(r"(?::|\s[-\u2013\u2014])$", line) or len(line.split()) > 6:
            return False
        return not camera_fields(line.rstrip(":-\u2013\u2014 "))[0]

    def _new_role(self, text: str) -> bool:
        """ "One more: the Bosun. Big Geordie, 60s, ...": someone new named by their role, with
        a capital, and nothing else in the sentence (a person, not a shot of them)."""
        first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
        m = re.fullmatch(r"(?:the|our)\s+((?-i:[A-Z])[\w-]+)\W*", first, re.I)
        return bool(m) and handle_of(m.group(1)) not in self.people

    def _shows_more(self, text: str) -> bool:
        """Does the text show something to film, beyond changes ("3 seconds", "too long")?"""
        first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        rest = QUOTE_MARK.sub(" ", camera_fields(first)[1])
        words = [w for w in re.findall(r"[a-z]+", rest.lower()) if len(w) > 2]
        return len(words) >= 2 and not _VERDICT_RE.match(rest.strip(" ,.-"))

    def _script_line(self, line: str) -> str:
        """ "Tom: We sail at dawn." (a known person, a colon, a line, at the start of the
        paragraph, after "shot 2," or after a sentence: "CU, 85mm. Vera leans in. VERA: You've
        seen this line before.") reads as Tom saying it; the line runs to the next speaker."""
        cues = []
        for m in _SPEAKER_CUE_RE.finditer(line):
            said_name = m.group("name").strip().lstrip("@").lower()
            who = self._names_in(m.group("name"))
            spoken = {who[0].lower(), handle_of(who[0]), *who[0].lower().split()} if who else set()
            noted = re.search(
                r"(?:wardrobe|costume|note|looks?|hair|make-?up)\W*$", line[: m.start()], re.I
            )
            bare = re.sub(rf"^(?:the\s+|(?:{_TITLE_WORDS})\.?\s+)", "", said_name)
            if len(who) == 1 and bare in spoken and not noted:
                if _looks_list(line[m.end() :]) and not line[: m.start("name")].strip():
                    return _wardrobe_note(who[0], line[m.end() :])  # "Kofi: linen shirt, no X."
                cues.append((m, who[0]))
        if not cues:
            return line
        out, ends = [], [m.start("name") for m, _ in cues[1:]] + [len(line)]
        out.append(line[: cues[0][0].start("name")])
        for (m, name), end in zip(cues, ends, strict=True):
            said = line[m.end() : end].strip()
            if said.startswith("\ue000"):  # already quoted: 'Tom: "..."'
                out.append(f"{name} says {said} ")
                continue
            self.quotes.append(said)
            out.append(f"{name} says \ue000{len(self.quotes) - 1}\ue001. ")
        return "".join(out).strip()

    def _except(self, clause: str) -> str:
        """ "make all the shots 5 seconds, except the hives one, that one stays 6": every shot
        but the ones named after "except" become "shots 1, 2 and 4"; what is said of the
        excepted one ("that one stays 6") is done to it. The clause as it was otherwise."""
        if (after := _ALL_AFTER_RE.search(clause)) and self.order:  # "every shot after the first"
            ids, _rest = self._refs(after.group("ref"))
            if len(ids) == 1 and ids[0] in self.order:
                kept = self.order[self.order.index(ids[0]) + 1 :]
                if after.group("way").lower().startswith("before"):
                    kept = self.order[: self.order.index(ids[0])]
                if kept:
                    return f"{clause[: after.start()]}{shots_text(kept)}{clause[after.end() :]}"
        m = _EXCEPT_RE.search(clause)
        if not m or not _ALL_SHOTS_RE.search(clause[: m.start()]) or not self.order:
            return clause
        said = m.group("ex").strip()
        locked = re.fullmatch(r"(?:the\s+)?(?:one|shot)s?\s+(?:i|we|you)\s+locked", said, re.I)
        if locked:
            out = [sid for sid in self.order if sid in self.locked]
        else:
            ids, _rest = self._refs(said)
            if not ids:
                ids, ask, weak = self._content_ids(said)
                if ask or weak:
                    return clause
            out = ids
        kept = [sid for sid in self.order if sid not in out]
        if not out or not kept:
            return clause
        head = _ALL_SHOTS_RE.sub(shots_text(kept), clause[: m.start()], count=1)
        if (tail := m.group("tail")) and (seconds := _STAYS_RE.search(tail)):
            self.after_clauses.append(f"make {shots_text(out)} {seconds.group(1)} seconds")
        return head.strip(" ,")

    def _about_me(self, clause: str) -> bool:
        """Is the clause the person talking about themselves, with nothing to show ("i want it
        back", "i think so", "we're nearly there")? Not "i want a close-up of Tom"."""
        plain = self._restore(clause, "")
        if not _FIRST_PERSON_RE.match(plain) or QUOTE_MARK.search(clause):
            return False
        if _SHOW_WORDS_RE.search(plain) or camera_fields(plain)[0] or self._find_place(plain):
            return False
        if _STILL_WORDS_RE.search(plain) and _STILL_NUMBER_RE.search(plain):
            return False  # "i like the third still best": a pick (CommandMixin._still)
        if re.search(r"(?<!^)(?<![.!?]\s)\b(?!I\b)[A-Z][a-z]+", plain.strip()) or re.search(
            r"\bmy\s+name\b|\b(?:i|we)\s+(?:was|were|had|wore|lived|grew)\b", plain, re.I
        ):
            return False  # "and me, i was like 9, my name is Lily": the narrator introduced
        try:
            return not self._names_in(plain)
        except NeedAnswer:
            return False

    def _said_line(self, paragraph: str) -> str:
        """ "what she shouts is: tea's ready!", "he says: we're late", "her line is: no." -> the
        line quoted after its speaker, so it reads like 'she shouts "tea's ready!"'."""
        if (given := _GIVE_LINE_RE.search(paragraph)) and not QUOTE_MARK.search(
            given.group("line")
        ):
            self.quotes.append(given.group("line").strip())  # "give that shot his line: ..."
            return f"{paragraph[: given.start('line')]}\ue000{len(self.quotes) - 1}\ue001."
        if (heard := _HEAR_LINE_RE.search(paragraph)) and self._speaker_known(heard.group("who")):
            self.quotes.append(heard.group("line").strip())  # "we hear Officer Park: You got ..."
            marker = f"\ue000{len(self.quotes) - 1}\ue001"
            return f"{paragraph[: heard.start()]}{heard.group('who')} says {marker}."
        bare = _BARE_LINE_RE.search(paragraph)
        if bare and not QUOTE_MARK.search(paragraph) and self._speaker_known(bare.group("who")):
            self.quotes.append(bare.group("line").strip(" ,"))  # "lou winks and says we'll see"
            self.narrated_lines = True
            said = f"{paragraph[: bare.start('line')]}\ue000{len(self.quotes) - 1}\ue001"
            return f"{said}{bare.group('tail') or ''}".rstrip() + "."
        m = _SAID_LINE_RE.match(paragraph)
        if not m or QUOTE_MARK.search(m.group("line")):
            inside = _SAYS_COLON_RE.search(paragraph)  # "..., as she smiles and says: only ..."
            key = "line" if inside and inside.group("line") else "line2"
            if inside and not QUOTE_MARK.search(inside.group(key)):
                self.quotes.append(inside.group(key).strip())
                return f"{paragraph[: inside.start(key)]}\ue000{len(self.quotes) - 1}\ue001."
            return paragraph
        self.quotes.append(m.group("line").strip())
        owner = (m.group("owner") or "").lower()
        who = (
            m.group("who")
            or m.group("who2")
            or {"her": "she", "his": "he", "their": "they"}.get(
                owner, (m.group("owner") or "")[:-2]
            )
        )
        verb = m.group("verb") or m.group("verb2") or "says"
        return f"{m.group('lead')}{who} {verb} \ue000{len(self.quotes) - 1}\ue001."

    def _speaker_known(self, who: str) -> bool:
        """Is this a person the story has (or she/he/they)?"""
        if who.lower() in ("she", "he", "they"):
            return True
        try:
            return bool(self._names_in(who))
        except NeedAnswer:
            return False

    def _stash_quote(self, m: re.Match[str]) -> str:
        """Keep a quoted line aside; leave a marker so its punctuation cannot split sentences."""
        self.quotes.append(next(g for g in m.groups() if g is not None).strip())
        return f" \ue000{len(self.quotes) - 1}\ue001 "

    def _restore(self, text: str, mark: str = '"') -> str:
        """The text with its quoted lines put back."""
        text = QUOTE_MARK.sub(lambda m: f"{mark}{self.quotes[int(m.group(1))]}{mark}", text)
        return re.sub(r"\s+", " ", text).strip()

    def _dialogue(self, text: str) -> str:
        """The quoted lines in a clause, joined."""
        lines = [self.quotes[int(i)].rstrip(",") for i in QUOTE_MARK.findall(text)]
        return " ".join(line for line in lines if line)

    def _begin_paragraph(self, clauses: list[str]) -> None:
        """A new paragraph: forget its overrides; the place it is set in holds for all its shots
        (the first place said as a setting, "we're at the harbour at dusk", else the first one).
        """
        self.par_time = self.par_light = None
        self.last_new = None
        self.list_open = False  # a cast list's header was read: the paragraph's clauses are entries
        self.setting_up = False  # the paragraph is exposition so far: its fragments describe
        self.described: int | None = None  # the AddLocation the exposition is describing
        places = [
            (c, f)
            for c in clauses
            if not (REF_RE.search(c) or find_phrases(c) or talk.is_question(self._restore(c)))
            and (
                f := self._place_anywhere(c)
                if is_exposition(CONTEXT_RE.sub("", c, count=1))
                else self._place_for(c)
            )
        ]
        if places:
            clause, found = next(((c, f) for c, f in places if not f.weak), places[0])
            light = camera_fields(clause)[0].get("key_light_side")
            self.location = self._use_place(found, found.time or time_in(clause), light, clause)

    def _clause(self, clause: str) -> None:
        """One clause: help, a command, or direction."""
        if (
            clause.strip(" .!,").lower() not in ANSWER_WORDS
            and clause.strip()
            and not _FILLER_RE.sub("", f"{clause.strip(' .!,')} x", count=1).strip(" x")
        ):
            return  # "actually no": only words that open a message
        clause = _FILLER_RE.sub("", clause, count=1) or clause
        clause = _CLAUSE_END_FILLER_RE.sub("", clause) or clause  # "the rope one can go actually"
        clause = _CHAT_FILLER_RE.sub("", clause) or clause  # "needs way more gold tbh, a nath"
        clause = _THOSE_RE.sub("the ", clause)  # "swap those last two round"
        if named := _LABEL_THEN_VERB_RE.match(clause):  # "chair shot: lock it."
            the = "" if re.match(r"(?:the|that|this)\s", named.group("named"), re.I) else "the "
            clause = f"{named.group('verb')} {the}{named.group('named')}{named.group('rest')}"
        clause = _YOU_RE.sub(lambda m: f"{m.group(1)} you", clause)  # "can u make ..."
        clause = self._without_old_framing(clause)
        clause = self._known_is(clause)  # "Priya's 19, ..."
        clause = self._apostrophes(clause)
        for said, meant in _SHORTHAND:
            clause = said.sub(meant, clause, count=1)
        if _STAYS_RE.match(clause):
            self.understood = True  # "the surface shots stay as they are": nothing to change
            return
        if (at := _ALL_AT_RE.match(clause)) and self.order:
            clause = f"make every shot {at.group('time') or at.group('time2')}"
        clause = _IS_IN_RE.sub(lambda m: f"{m.group('many')} with {m.group('who')}", clause)
        if many := _MANY_VERB_RE.match(clause):  # "Every shot on the slipway runs 5 seconds."
            clause = f"make {many.group('many')} {many.group('rest')}"
        clause = _CONTINUOUS_RE.sub(r"\1 from where \2 ends\3", clause)  # "Continuous from X:"
        if re.match(
            r"\W*(?:please\s+|can\s+you\s+|let'?s\s+)?(?:move|put|shift|bring)\b", clause, re.I
        ):
            for said, meant in _MOVED_SO:  # "move the crow one so its right before the storm"
                clause = said.sub(meant, clause)
        if (placed := _PLACED_RE.match(clause)) and re.search(
            r"\b(?:shot|one)\b", placed.group("what"), re.I
        ):  # "the van doors shot should go right at the end"
            clause = f"move {placed.group('what')} to the {placed.group('where')}"
        if _COMMAND_OPENING_RE.match(clause):
            clause = _TRAILING_FILLER_RE.sub("", clause) or clause
        if _COMMAND_OPENING_RE.match(clause) and not re.search(r"\bshots?\b", clause, re.I):
            clause = re.sub(r"(?:\bnumber|\bno\.|#)\s*(\d{1,3})\b", r"shot \1", clause, flags=re.I)
        clause = self._except(clause)
        clause = self._continuation(clause)
        if (
            (named := _NAMED_SHOT_RE.match(clause))
            and not _VERDICT_RE.fullmatch(named.group("rest"))
            and not _COMMAND_OPENING_RE.match(named.group("rest"))
            and camera_fields(named.group("rest"))[1].strip(" ,.") != ""
        ):
            clause = f"a shot of {named.group('rest')}"  # "first shot is priya boxing up the cake"
        low = clause.lower().strip(" .!?")
        if low in ("and", "so", "then", "but", "or", "and then", "also"):
            return
        if self._about_me(clause):
            self.skipped.append(self._restore(clause))  # "i want it back": talk, never a shot
            return
        if self.continues and self.last_new is not None and re.fullmatch(r"(?:it|and|this)?", low):
            self._merge({"continues_from": self.continues})  # "...; it picks up where 4 ends"
            return
        if re.fullmatch(r"help|\?+|what can (?:you|i) (?:do|say)|examples?", low):
            return
        if _VERDICT_REMARK_RE.fullmatch(low):
            self.chatted = True  # "lock the first two, theyre perfect": the remark says nothing
            return
        if talk.is_chat(clause) or _SHOT_COUNT_RE.fullmatch(low) or _FRAMING_RE.fullmatch(low):
            self.chatted = True  # "thank you!!", "Two shots:" (the shots follow)
            return
        if talk.is_question(self._restore(clause)):
            self.questions.append(self._restore(clause))
            return
        if sets_the_world(clause) and not REF_RE.search(clause):
            if self._style(clause):  # "its for tiktok so it needs to be vertical"
                self.understood = True
                return None
            if (so := _SO_THEN_RE.match(clause)) and not sets_the_world(so.group("ask")):
                return self._clause(so.group("ask"))  # "its gonna rain so her coat should be red"
            return self._direction(clause)  # "The story takes place in a bakery": exposition
        if self._named_change_first(clause):
            return  # "the whale walk-through: on a longer lens, 85"
        for handler in self.commands:
            if handler(self, clause):
                self.understood = True
                return
        if self._asks_change(clause):
            return
        plain = self._restore(clause, "").strip()
        if self._many_without_verb(plain) or self._dismissed(plain):
            return  # "all the beach shots at golden hour", "the storm shot should go first"
        self._direction(clause)

    def _apostrophes(self, clause: str) -> str:
        """ "mums hair", "grandpas hat", "elsis one": the possessive people type without its
        apostrophe, for family words and the names of known people."""
        owners = {w for w in KIN} | {
            w.lower() for p in self.people.values() for w in p.name.split() if len(w) > 2
        }

        def fix(m: re.Match[str]) -> str:
            word = m.group(1)
            counted = re.search(
                r"\b(?:two|three|four|both|many|some|my|the)\s+$", clause[: m.start()], re.I
            )
            return f"{word}'s" if word.lower() in owners and not counted else m.group(0)

        return re.sub(
            r"\b([A-Za-z]{3,})s\b(?!')"
            r"(?=\s+(?!(?:and|or|are|were|who|with|in|on|at|to|from|of|is|was|have|had|all|called"
            r"|named)\b)"
            r"[a-z])",
            fix,
            clause,
        )

    def _continuation(self, clause: str) -> str:
        """ "..., continuing from shot 4": remember the shot; return the clause without it."""
        self.continues = None
        if not (m := CONTINUE_RE.search(clause)):
            return clause
        what = (m.group("what") or m.group("what2") or "").strip()
        if shot := m.group(2) or m.group(6):
            self.continues = next(iter(self._existing([int(shot)])), None)
        elif re.fullmatch(r"(?:that|it|this)(?:\s+(?:one|shot))?", what.lower()) and (
            self._it() is not None or self.order
        ):
            self.continues = self._it() if self.last_new is None else self.order[-1]
            if self.continues is None:
                self.continues = self.order[-1]
        elif what and what.lower() not in ("that", "it", "this"):
            ids, ask, _weak = self._content_ids(what)  # "where the wide one ends"
            if len(ids) == 1 and not ask:
                self.continues = ids[0]
            elif self.last_new is None and self.order:
                self.continues = self.order[-1]
        elif self.last_new is None and self.order:
            self.continues = self.order[-1]
        else:
            self.notes.append("A shot can only continue from a shot that exists already.")
        return f"{clause[: m.start()]} {clause[m.end() :]}"

    # --- the reply -----------------------------------------------------------------

    def reply(self) -> str:
        """Short and plain: what was added, what will happen, what needs an answer."""
        parts = [self.opening] if self.opening else []
        added = self.added + self.added_places
        if self.new_shots:
            added.append("a shot" if self.new_shots == 1 else f"{self.new_shots} shots")
        if added:
            parts.append(f"Added {join_words(added)}.")
        parts += self.said
        if self.question:
            parts.append(self.question)
        changed = any(not isinstance(e, AskPerson) for e in self.edits)
        parts += [  # "the crow shot is pointless, bin it": the remark was acted on after all
            n.split(" I changed nothing: ")[0] if changed else n for n in self.notes
        ]
        if self.vague and not any(getattr(e, "shot_id", None) == self.vague for e in self.edits):
            example = f'"make shot {self.vague} a close-up"'
            parts.append(f"What should change in shot {self.vague}? For example {example}.")
        if self.questions:
            parts.append(talk.answer(self.questions, self.plan))
        if self.skipped and (parts or self.understood):
            parts.append(f'I didn\'t follow "{self.skipped[0]}".')
        if not parts and self.chatted:
            parts.append('Glad you like it. Tell me what to change next, or say "export".')
        if not parts and self.understood:
            where = (
                f" the next shots happen at the {self.location.lower()}" if self.location else ""
            )
            parts.append(f"Noted:{where}." if where else "Noted.")
        return " ".join(dict.fromkeys(parts))  # one question asked once, though two clauses ask
