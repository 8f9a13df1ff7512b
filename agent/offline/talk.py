"""Talk that is not direction: thanks and praise, questions, a message in another language.

None of it changes the plan. Thanks get a short answer, a question gets a plain reply (with a
suggestion for "what should the next shot be?"), a message that is not English says so.
"""

from __future__ import annotations

import re

from storyreel.agent.offline.text import lazy, rx
from storyreel.tools.story import StoryPlan
from storyreel.tools.vocabulary import ShotSize

_CHAT_RE = rx(
    r"^(?=.*[a-z])\W*(?:(?:oh|ah|wow|aw+|yay|haha|lol|ok(?:ay)?|yes|yeah|great|perfect|nice|cool|lovely",
    r"|awesome|amazing|brilliant|beautiful|wonderful|fantastic|excellent|good|super|sweet)\b",
    r"[\s,!.]*)*(?:thanks?(?:\s+(?:you|so\s+much|a\s+lot))?|thank\s+you(?:\s+so\s+much)?|cheers",
    r"|(?:that'?s|this\s+is|it'?s|it\s+is|it\s+looks|looks?|this\s+looks|(?:this|it)\s+is\s+looking",
    r"|(?:this|it|that)(?:'?s|\s+is)\s+(?:looking|coming\s+(?:along|out|together)|turning\s+out))",
    r"\s+(?:so\s+|really\s+|very\s+|just\s+)*(?:good|great",
    r"|perfect|nice|lovely|amazing|beautiful|fine|cool|gorgeous|wonderful|brilliant|magical",
    r"|fantastic|awesome|special|right|well|nicely|beautifully|great)|love\s+(?:it|this|that)|well\s+done",
    r"|good\s+job|nice\s+work|great\s+work)?[\s!.]*$",
)
_FEELING_RE = rx(
    r"\b(?:(?:is|are|'s|'re|am|'m)\s+(?:going\s+to|gonna)|will|would|'d|could)",
    r"(?:\s+have|'ve|\s+of)?\s+(?:love|loved|like|liked|enjoy|enjoyed|cry|cried|laugh|laughed",
    r"|be\s+(?:so\s+)?(?:happy|thrilled|pleased|proud)|been\s+(?:so\s+)?(?:happy|thrilled",
    r"|pleased|proud))\s+(?:it|this|that|them|of\s+(?:it|this|that|us|you|me))\b",
    r"|\b(?:i|we)\s+(?:love|like|adore)\s+(?:it|this|that)\b",
)
_COMMAND_START_RE = rx(
    r"^\W*(?:(?:ok(?:ay)?|please|now|and|so)[,\s]+)*(?:lock|unlock|delete|remove|make|change",
    r"|move|swap|render|export|undo|redo|add|put|set|give|cut|use|keep|drop|shorten|lengthen)\b",
)
_QUESTION_RE = rx(
    r"^\W*(?:so\s+|and\s+|but\s+|hmm+\s+|ok(?:ay)?\s+)?(?:what|which|who|whom|whose|why|how",
    r"|where|when|is|are|was|were|do|does|did|should|shall|have|has|am|isn'?t|aren'?t",
    r"|doesn'?t|don'?t|any\s+(?:ideas?|suggestions?|thoughts?))\b",
)
_BARE_QUESTION_RE = rx(
    r"^\W*(?:(?:wait|so|hmm+|um+|ok(?:ay)?|and|but|sorry|quick\s+question)\b[,\s]*)*",
    r"(?:what|how|why)\s+(?:does|do|did|is|are|was|were|should|would|could|can)\s+(?:it|a|an|the|this",
    r"|that|i|we|you|[a-z]+)\b(?:(?!\b(?:shot|camera)\b).)*$",
    r"|^\W*(?:(?:so|and|but|honestly|be\s+honest)\b[,\s]*)*(?:do|does|did)\s+(?:u|you|ya|anyone|people)",
    r"\s+(?:think|reckon|reckons|reckoned|like|feel)\b(?:(?!\b(?:shot|camera)\b).)*$",
)
"""... and an opinion asked without a question mark ("do u think anyone will watch this")."""
_OPINION_RE = rx(
    r"^\W*(?:(?:so|and|but|hmm+|ok(?:ay)?)\b[,\s]*)*(?:would|will|might|could)\s+(?!(?:you|u|we",
    r"|i)\b)(?:(?!\?).){1,60}?\b(?:work|look|play|feel|seem|be|come\s+across)\s+(?:\w+\s+)?",
    r"(?:better|worse|ok(?:ay)?|good|fine|right|weird|odd|strange|boring|too\s+\w+)\b",
)
"""An opinion asked ("would the lighthouse scene work better at night?"), not a change
("could the lighthouse scene be at night?")."""
_POLITE_COMMAND_RE = rx(
    r"^\W*(?:(?:can|could|would|will)\s+(?:you|we|i)|please)\b",
)
_NEXT_SHOT_RE = rx(r"\b(?:next|another|new|first|opening)\s+shot\b|\bwhat\s+(?:now|next)\b",
                   r"|\bwhat\s+should\s+(?:we|i)\s+(?:do|add|show|film)\b|\bsuggest")  # fmt: skip
_HOW_MANY_RE = rx(r"\bhow\s+(?:many\s+shots|long\s+is\s+(?:the|our|my|this)\s+(?:film|movie|story"
                  r"|cut|video))\b")  # fmt: skip
_ENGLISH = set(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "he",
        "she",
        "they",
        "it",
        "his",
        "her",
        "their",
        "this",
        "that",
        "then",
        "we",
        "you",
        "i",
        "my",
        "our",
        "for",
        "from",
        "by",
        "as",
        "so",
        "not",
        "no",
        "yes",
        "what",
        "who",
        "where",
        "when",
        "how",
    ]
)
_FOREIGN = set(
    [
        "el",
        "la",
        "los",
        "las",
        "del",
        "por",
        "que",
        "con",
        "una",
        "uno",
        "es",
        "está",
        "y",
        "en",
        "se",
        "lo",
        "le",
        "les",
        "des",
        "est",
        "une",
        "et",
        "il",
        "elle",
        "dans",
        "sur",
        "avec",
        "pour",
        "pas",
        "der",
        "die",
        "das",
        "und",
        "ist",
        "ein",
        "eine",
        "nicht",
        "mit",
        "auf",
        "den",
        "dem",
        "zu",
        "sie",
        "er",
        "es",
        "che",
        "di",
        "non",
        "il",
        "gli",
        "della",
        "sono",
        "per",
        "una",
        "het",
        "een",
        "niet",
        "van",
        "och",
        "är",
        "att",
        "det",
        "som",
        "jag",
        "på",
    ]
)


_FEELINGS_RE = rx(
    r"^\W*(?:haha|hah|lol|sorry|oh|aw+|omg|wow)\b.{0,40}\b(?:emotional|crying|cry|sad|miss"
    r"|tears|teary|nostalgic|silly|excited)\b"
)


def is_chat(text: str) -> bool:
    """Thanks, praise or a feeling about the film ("thank you!!", "she's going to love this");
    not a command that ends with one ("lock everything, i love it"); stepping away ("sorry my
    grandson is shouting at me, back in a min")."""
    if _CHAT_RE.fullmatch(text) or _FEELINGS_RE.search(text) or is_away(text):
        return True
    pieces = [p for p in re.split(r"[,.!;]+|\s+(?:and|but)\s+", text) if p.strip()]
    if len(pieces) > 1 and all(_CHAT_RE.fullmatch(p) for p in pieces):
        return True  # "thanks, this is coming along nicely"
    return bool(_FEELING_RE.search(text)) and not _COMMAND_START_RE.match(text)


_AWAY_RE = lazy(
    r"\b(?:back\s+in\s+a\s+(?:min(?:ute)?|sec(?:ond)?|bit|tick|mo(?:ment)?)|brb|be\s+right\s+back"
    r"|hang\s+on\s+a\s+(?:sec|min(?:ute)?|mo(?:ment)?)|give\s+me\s+a\s+(?:sec|min(?:ute)?|mo(?:ment)?))\b"
    r"\W*$",
    re.I,
)


def is_away(text: str) -> bool:
    """Is the person stepping away for a moment ("back in a min", "brb")?"""
    return bool(_AWAY_RE.search(text))


def is_question(text: str) -> bool:
    """A question to the director ("what should the next shot be?"), not a polite command
    ("can you make shot 2 a close-up?") or a shot asked for ("can we see the harbour?")."""
    text = text.strip()
    if _BARE_QUESTION_RE.match(text):
        return True  # "wait what does dolly mean" (no question mark)
    if text.endswith("?") and _OPINION_RE.match(text):
        return True  # "would the lighthouse scene work better at night?"
    return (
        text.endswith("?") and bool(_QUESTION_RE.match(text)) and not _POLITE_COMMAND_RE.match(text)
    )


def not_english(text: str) -> bool:
    """Is this message in another language? (Short ones are given the benefit of the doubt.)"""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 4:
        return False
    letters = "".join(words)
    latin = sum(1 for ch in letters if "a" <= ch <= "z")
    if latin < 0.5 * len(letters):
        return True
    english = sum(1 for w in words if w in _ENGLISH)
    foreign = sum(1 for w in words if w in _FOREIGN)
    return foreign >= 2 and english * 2 <= foreign


def answer(questions: list[str], plan: StoryPlan) -> str:
    """A plain reply to the person's questions, from what the plan says."""
    text = " ".join(questions)
    shots = plan.ordered_shots()
    if _HOW_MANY_RE.search(text):
        total = sum(s.duration_s for s in shots)
        return f"The film has {len(shots)} shot{'s' * (len(shots) != 1)}, {total:g} s in all."
    if _NEXT_SHOT_RE.search(text):
        return suggest_next(plan)
    return (
        "I can't answer that: I'm the offline director and I only follow direction. Tell me what "
        'you would like to see, e.g. "a close-up of Mara reading the letter", or say "show" '
        "to see the plan."
    )


def suggest_next(plan: StoryPlan) -> str:
    """A sensible next shot: open wide, then come closer; after close shots, open up again."""
    shots = plan.ordered_shots()
    people = [c.name for c in plan.characters]
    place = plan.locations[0].name.lower() if plan.locations else "the place"
    if not shots:
        where = f"the {place}" if plan.locations else "the place where it all begins"
        example = f"the {place}" if plan.locations else "the harbour at dawn"
        return f'A wide shot that shows {where}, e.g. "Open on a wide shot of {example}."'
    last = shots[-1]
    who = last.characters[0] if last.characters else (people[0] if people else "")
    if last.size in (ShotSize.LS, ShotSize.ELS) and who:
        return (
            f'Come closer: a medium shot or a close-up of {who}, e.g. "Close-up of {who} '
            f"as they look up.\" Tell me and I'll add it."
        )
    if who:
        return (
            f'Show the reaction or open up: e.g. "Wide shot of the {place}, {who} small in the '
            f"frame.\" Tell me and I'll add it."
        )
    return 'A shot of someone in the place, e.g. "Medium shot of Mara walking in."'
