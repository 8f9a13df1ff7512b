"""The last guard before a sentence becomes a new shot.

A sentence that reached this point was not taken by any command, yet it may still not be a
shot description: a question or a remark about the film ("thoughts on the pacing so far?",
"the crow one feels too long"), a change asked of a shot that exists and named by what it
shows ("the rooftop crane: 8 seconds, not 10", "the goat on the roof shot can go"), a
command with a lead-in the commands did not expect ("can u make grandpa's shorts red
instead"), or a fragment with nothing to see. Such a sentence never adds a shot: the change
is made when it is clear (through the usual handlers), else the reply says what was not
followed and asks.
"""

from __future__ import annotations

import re
from typing import Any

from storyreel.agent.offline.camera import camera_fields, time_in
from storyreel.agent.offline.cast import NeedAnswer, _descriptive, _looks, _person_noun
from storyreel.agent.offline.refs import REF_RE, content_words
from storyreel.agent.offline.text import lazy, rx
from storyreel.agent.offline.verbs import base_form, has_action, is_exposition
from storyreel.agent.offline.words import (
    ANIMALS,
    COMMON,
    GENERIC_PEOPLE,
    KIN,
    PEOPLE,
    ROLES,
    TITLES,
)
from storyreel.tools.edits import AddCharacter
from storyreel.tools.story import handle_of

_LEAD = (
    r"^\W*(?:(?:ok(?:ay)?|so|and|also|oh|hmm+|um+|well|right|actually|wait|hey|just|now"
    r"|(?:ok(?:ay)?\s+)?(?:last|one\s+more|another|final)\s+thing|pls|plz|please"
    r"|(?:can|could|would|will)\s+(?:u|you|ya)(?:\s+please)?)\b[,:!.]?\s*)*"
)
_LEAD_RE = rx(_LEAD)
_ASK_OPENER_RE = rx(
    _LEAD,
    r"(?:thoughts?|any\s+(?:thoughts|notes|feedback|ideas)|what\s+do\s+(?:you|u|we)\s+think",
    r"|what'?s\s+your\s+(?:take|view|opinion)|your\s+(?:take|view|opinion|thoughts)",
    r"|how\s+(?:is|does|do|did|are|was|were)|how'?s|is\s+(?:it|this|that|the|there)",
    r"|are\s+(?:the|we|they|there|these)|does\s+(?:it|this|that|the)|do\s+(?:you|u|we)",
    r"|would\s+(?:it|that|this)|should\s+(?:i|we|it|the)|was\s+(?:it|that|the)",
    r"|feedback|notes?\s+on|opinions?|too\s+(?:long|short|slow|fast)|why|am\s+i|did\s+(?:you|u|i))\b",
)
"""How a question or a request for an opinion opens ("thoughts on...", "is it too slow")."""
_SHOT_ASK_RE = rx(
    _LEAD,
    r"(?:(?:can|could|would|will|shall)\s+(?:we|i|you|u)\s+(?:see|have|get|add|show|open|start",
    r"|end|cut|do|put|make|go)|(?:what|how)\s+about\s+(?:a|an|another|some|one)|what\s+if\s+we",
    r"|maybe\s+(?:a|an|another))\b",
)
"""A question that asks for a shot ("can we see Mara on the jetty?"): direction after all."""
_JUDGED_RE = rx(
    r"^(?P<what>.{1,60}?)\s*(?:is|'s|s|feels?|looks?|seems?|was|are|reads?|plays?|runs?|goes)",
    r"\s+(?:(?:a\s+bit|a\s+little|kind\s+of|kinda|sort\s+of|really|so|very|way|far|quite|still",
    r"|just|too|not|bit|pretty|super|rather|slightly|a\s+tad)\s+)*",
    r"(?P<verdict>long|short|slow|fast|quick|dark|bright|boring|dull|good|great|fine|perfect",
    r"|ok(?:ay)?|wrong|weird|off|better|worse|bad|nice|lovely|amazing|awesome|flat|busy|rushed",
    r"|draggy|static|shaky|jumpy|loud|quiet|empty|cluttered|confusing|clear|spot\s+on|there",
    r"|(?:a\s+)?mess|messy|cheesy|odd|strange|beautiful|gorgeous|brilliant|pointless|useless",
    r"|unnecessary|rubbish|naff|meh|dull|samey|repetitive|signed\s+off|approved|done|finished",
    r"|final|a\s+keeper|nailed|good\s+to\s+go|sorted)\b[\s\w,.'!]{0,40}$",
)
"""A verdict on the film or a shot ("the crow one feels too long", "the pacing is off")."""
_JUDGED_VERB_RE = rx(
    r"^(?P<what>.{1,60}?)\s+(?:(?:really|still|just|kind\s+of|kinda|sort\s+of)\s+)?",
    r"(?:drags?|dragging|works|is\s+working|(?:doesn'?t|does\s+not|isn'?t|is\s+not|don'?t)",
    r"\s+(?:really\s+)?(?:work|land|flow|fit|feel\s+right)(?:ing|s)?)\b[\s\w,.'!]{0,40}$",
)
"""A verdict said with a verb ("the opening drags a bit", "the crow one doesn't work")."""
_EVALUATIVE_RE = rx(
    r"\b(?:too|drags?|dragging|work|works|working|not\s+(?:\w+\s+)?(?:right|working|great|good)|long|short|slow|fast|boring",
    r"|dull|good|great|fine|perfect|ok(?:ay)?|wrong|weird|off|better|worse|bad|nice|lovely",
    r"|amazing|awesome|flat|rushed|draggy|spot\s+on|mess|messy|cheesy|brilliant|confusing",
    r"|signed\s+off|approved|done|finished|final|keeper|nailed|good\s+to\s+go|sorted)\b",
)
"""Words that judge rather than describe ("too", "perfect"; not "dark" or "empty")."""
_ABOUT_FILM_RE = rx(
    r"\b(?:film|movie|video|pacing|pace|rhythm|edit|cut|story|ending|end|opening|start",
    r"|beginning|middle|music|sound|whole\s+thing|everything|it|this|that|shots?|ones?|scene",
    r"|sequence|colou?rs?|look|light|lighting|so\s+far)\b",
)
_LIKES_RE = rx(
    _LEAD,
    r"(?:i\s+)?(?:(?:really\s+)?(?:love|like|hate|dislike|adore)|not\s+sure\s+about",
    r"|(?:i'?m\s+)?not\s+(?:loving|keen\s+on|a\s+fan\s+of)|(?:i'?m\s+)?(?:happy|unhappy)\s+with)",
    r"\s+(?P<what>.+)$",
)
"""A liking said of a shot ("love the peach one", "not sure about the ending")."""
_GOES_RE = rx(
    r"^(?P<what>.+?)\s+(?:can|could|should|has\s+to|have\s+to|needs?\s+to|must|will\s+have\s+to",
    r"|is\s+going\s+to\s+have\s+to|gotta|ought\s+to)\s+(?:go|be\s+(?:cut|removed|deleted|dropped",
    r"|binned|scrapped|lost))(?:\s+(?:now|entirely|completely|too|as\s+well|for\s+good",
    r"|i\s+think|honestly|tbh))*(?:\s*[,;]\s*(?:it'?s|its|it\s+is|it|we|they|that'?s|thats",
    r"|cos|because|since|too|as|i|not|nobody|no\s+one)\b[^,;]*)?\W*$",
    r"|^(?:(?:on\s+reflection|actually|hmm+|ok(?:ay)?|so|and|also)\b[,\s]*)*(?P<what2>.+?)\s+",
    r"(?:is|'s|are|'re)\s+(?:out|not\s+needed|unnecessary|surplus|redundant|not\s+working",
    r"|no\s+good|not\s+necessary)(?:\s*[,;]\s*(?:so\s+)?(?:please\s+)?(?:remove|delete|cut|drop",
    r"|lose|take|bin|scrap|get\s+rid\s+of)\s+(?:it|that|them)(?:\s+out)?(?:\s+please)?)?\W*$",
)
"""A shot dismissed by what it shows ("the goat on the roof shot can go")."""
_GOES_TO_RE = rx(
    r"^(?P<what>.+?)\s+(?:(?:can|could|should|will|has\s+to|needs?\s+to|must)\s+(?:go|come)|goes|comes)\s+",
    r"(?P<where>(?:right\s+|straight\s+)?(?:first|last|at\s+the\s+(?:very\s+)?(?:start|end|beginning",
    r"|front|back)|before\s+[^,;]+|after\s+[^,;]+))(?:\s*[,;].*)?\W*$",
)
"""A shot moved by what it shows ("the lead on the railing one can go first")."""
_NAMED_CHANGE_RE = lazy(
    r"^(?P<ref>[^:;,\u2013\u2014]{2,60}?)\s*(?::|;|,|\s-\s|\u2013|\u2014)\s*(?P<change>\S.*)$"
)
"""A shot named first and what should change after it ("the rooftop crane: 8 seconds")."""
_REF_SHAPE_RE = rx(
    r"(?!.*\b(?:all|every|each|should|could|can|must|will|would|is|are|was|were|be|see|show",
    r"|we|i|you|u|she|he|they|it|me)\b)(?:the\s+|that\s+|this\s+|our\s+|my\s+)?[\w'\- ]{2,50}",
)
"""What a shot's name looks like when it heads a change: a short noun phrase, no verb."""
_REMARK_ONLY_RE = rx(
    r"^\W*(?:(?:we'?re|we\s+are|i'?m|i\s+am)\s+(?:going|aiming)\s+for\b.*",
    r"|(?:that'?s|that\s+is|this\s+is)\s+(?:what|how|why|the\s+(?:brand|vibe|look|feel|idea|point",
    r"|whole\s+point))\b.*|cold\s+open|just\s+(?:a\s+)?(?:thought|idea)|you\s+know\s+what\s+i\s+mean",
    r"|(?:we'?ll|we\s+will|i'?ll|i\s+will)\s+(?:get\s+to|come\s+back\s+to|do)\s+(?:that|it|this)",
    r"\s+later|correction|quick\s+(?:change|fix|note)|one\s+(?:change|correction|more\s+thing)",
    r"|small\s+(?:change|thing)|update)\W*$",
)
"""A remark with nothing to film: "We're going for Evil Dead energy.", "Cold open.",
"That's what the night staff wear there.", "we'll get to that later"."""
_SHOTS_NAMED_RE = rx(
    r"\b(?:the|this|that|these|those|every|each|all(?:\s+(?:of\s+)?the)?|my|our)\s+",
    r"(?:(?!(?:next|new|final|last)\b)[\w'\-]+\s+){0,4}?(?:shots?|ones?|opener|packshot|close-?ups?",
    r"|inserts?|pictures?)\b(?!\s+(?:of|where|with)\s+(?:a|an)\b)",
    r"|\bshots?\s+\d+\b|\bthe\s+whole\s+(?:thing|film|movie|sequence|video)\b|^\W*opener\b",
)
"""Shots the film has, named: "the sausage roll shot", "every shot with Tom", "shot 4"."""
_SHOT_CUE_RE = rx(
    r"^\W*(?:(?:and|so|ok(?:ay)?|now)\s+)*(?:then|next|cut\s+to|a\s+shot|shot\s+of|close|wide",
    r"|we\s+see|show|open\s+(?:on|with)|start\s+(?:on|with)|end\s+(?:on|with)|camera)\b",
)
_THERE_IS_RE = rx(
    r"^\W*(?:(?:oh|and|so|also|ok(?:ay)?)\b[,\s]*)*(?:there'?s|theres|there\s+(?:is|was|are|were))",
    r"\s+(?:a|an|this|the|one|some|two|three)\s+(?:[\w'-]+\s+){0,8}?(?:who|that|which|where)\s+",
    r"(?:\w+ly\s+)?(?P<verb>[a-z]+)\b",
)
""""theres a little farm shop by the gate that sells milk", "there's an old lady who feeds
the cats": someone or somewhere described by a habit, not a shot."""
_NAME_LAST_RE = lazy(
    r"^(?P<body>.{3,200}?),?\s+(?:and\s+)?(?:his|her|their)\s+name\s+(?:is|was|'s)\s+"
    r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s*[.!]*$"
)
"""Someone told about with their name at the end ("..., her name was Jean")."""
_KNOWN_IS_RE = lazy(
    r"^(?P<lead>\W*(?:(?:and|so|oh|ok(?:ay)?|also|well)\b[,\s]*)*)"
    r"(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)'s\s+"
    r"(?=\d|(?:a|an)\s|the\s+[\w-]+\s+one\b|(?:about|like|only|nearly|almost|around)\s+\d)"
)
"""'Priya's 19, nose ring', "Dot's the bossy one", "Tom's a fisherman": "is", not whose."""
_SOMEONE_LOOKS_RE = lazy(
    r"^\W*(?:(?:and|so|oh|also|now)\b[,\s]*)*(?P<ref>(?:the|his|her|their|my|our)\s+"
    r"(?:[a-z'-]+\s+){0,2}?[a-z'-]+)\s+(?=(?:wears|is\s+wearing|has\s+(?:got\s+)?(?:a|an|her"
    r"|his|their|short|long)|should\s+(?:wear|have|be\s+in|look)|needs\s+(?:a|an)|gets\s+(?:a|an)"
    r"|is\s+in\s+(?:a|an|her|his)|'s\s+(?:wearing|in|got))\b)",
    re.I,
)
"""'the bride wears her hair down': someone named by who they are, and their looks."""
_NEGATED_RE = rx(
    r"[,;]?\s*\b(?:not|instead\s+of|rather\s+than|no\s+longer)\s+(?:an?\s+|the\s+)?",
    r"(?:[\w'-]+\s*){1,4}?(?=[,.;:!?]|\band\b|$)",
)
"""What a change is not ("8 seconds, not 10", "not a static frame"): the old value."""
_CHANGE_VERB_RE = rx(
    r"(?P<verb>make|change|turn|give|lock|unlock|delete|remove|swap|move|shorten|lengthen",
    r"|trim|recolou?r|colou?r|dye|set|put|switch|get\s+rid\s+of|cut|drop|replace)\b(?P<rest>.*)$",
)
_NEW_OBJECT_RE = rx(r"\s*(?:an?|another|some|one\s+more|two|three|a\s+new)\b")
_CHANGE_SIGN_RE = rx(
    r"\b(?:instead|rather|not|no\s+longer|anymore|any\s+more|colou?r|red|blue|green|yellow",
    r"|orange|purple|pink|black|white|grey|gray|brown|gold|silver|navy|darker|lighter|brighter",
    r"|longer|shorter|bigger|smaller|older|younger|seconds?|secs?|locked|unlocked)\b",
)
_CAMERA_WISH_RE = rx(
    r"\b(?:(?:can|could|would|should|will)\s+(?:we\s+have\s+)?(?:the\s+)?camera|(?:the\s+)?camera",
    r"\s+(?:should|could|can|needs?\s+to|must|has\s+to|ought\s+to|would))\b",
)
"""A wish about the camera ("can the camera be down low", "the camera should drift")."""
_WHEN_RE = rx(
    r"(?:when|as|while|for|in|during)\s+(?P<what>[^,]+?)\s*,?\s*(?:can|could|would|should|will",
    r"|the\s+camera)\b",
)
"""The shot a camera wish names by what happens in it ("when rory comes on can ...")."""
_WISH_FILLER = {
    "here",
    "there",
    "now",
    "like",
    "then",
    "can",
    "could",
    "would",
    "will",
    "be",
    "bit",
}
_MANY_RE = rx(
    r"(?:(?:all|every|each)\b(?:\s+of)?[^,.;:!?]{0,40}?\b(?:shots?|ones?)\b|everything\s+(?:on|in|at)\b)"
)
"""Many shots named at once ("all of Mara's shots", "every dusk one", "everything on the boat")."""
_BARE_REF_RE = rx(
    _LEAD,
    r"(?:the|that|this)\s+(?P<what>(?:[\w'-]+\s+){1,5}?)(?:one|shot)(?:\s+(?:then|please))?\W*$",
)
"""A shot named and nothing else ("the eye roll one", "that harbour shot")."""
_THERES_RE = rx(
    r"^\W*(?:(?:oh|and|so|also|ok(?:ay)?|then)\b[,\s]*)*(?:there'?s|theres|there\s+(?:is|was))\s+",
    r"(?:also\s+|too\s+)?",
)
"""Someone brought in as being there ("then theres the delivery guy tomasz, ...")."""
_DECADE_RE = rx(r"\b(?:(?:early|mid|late)[\s-]*)?\d0s\b")
"""An age said in decades ("mid 20s", "60s"): not a length."""
_LENS_NUMBER_RE = rx(r"\blens\b[^.;]{0,20}?\b(\d{2,3})\b(?!\s*(?:s|secs?|seconds?)\b)")
_VISUAL_WORDS_RE = rx(
    r"\b(?:shot|close|wide|frame|camera|light|sky|sea|water|street|room|door|window|face|hands?",
    r"|eyes|road|field|tree|house|car|boat|sun|moon|rain|snow)\b",
)


_CHANGE_FILLER = {
    w
    for w in [
        "lens",
        "longer",
        "shorter",
        "long",
        "short",
        "hold",
        "keep",
        "make",
        "let",
        "it",
        "run",
        "frame",
        "shot",
        "camera",
        "please",
        "second",
        "sec",
        "instead",
        "just",
        "bit",
        "little",
        "lot",
        "more",
        "less",
        "slightly",
    ]
} | {w.rstrip("s") for w in ["lens", "seconds", "secs"]}
"""Words a change may carry besides its values ("on a longer lens, and hold it")."""


_NAME = r"(?-i:[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
_ROLE_NAME_RES = (
    (  # "The climber's name is Ilse" -> "The climber is called Ilse"
        rx(
            r"\b(?P<det>the|a|an|our|my|his|her|their)\s+(?P<role>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
            rf"'s\s+name\s+(?:is|was)\s+(?P<name>{_NAME})\b",
        ),
        r"\g<det> \g<role> is called \g<name>",
    ),
    (  # "The rival is Mama Chidi." / "And the rival: Mama Chidi." -> "... is called ..."
        rx(
            r"(?P<lead>(?:^|(?<=[.!?]\s))\W*(?:(?:and|so|oh|also|then)\b[,\s]*)*)",
            r"(?P<det>the|our|my|his|her|their)\s+(?P<role>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
            rf"\s*(?:\s(?:is|was)|:)\s+(?P<name>{_NAME})\s*(?=[.!;]|$)",
        ),
        r"\g<lead>\g<det> \g<role> is called \g<name>",
    ),
    (  # "twin sisters called Dot and Lou" -> "a twin sister called Dot and a twin ..."
        rx(
            r"\b(?:(?:the\s+)?(?:two|both)\s+)?(?P<mods>(?:(?!(?:two|three|four|both|the|my|his|her|our|their|some|of)\b)",
            r"[a-z]+\s+)?)(?P<group>sisters|brothers|twins|cousins|kids|children|sons",
            r"|daughters|friends|girls|boys|aunts|uncles|nephews|nieces|dogs|cats|neighbours",
            rf"|neighbors)\s+(?:called|named)\s+(?P<a>{_NAME})\s+(?:and|&)\s+(?P<b>{_NAME})\b",
        ),
        "",  # (see _one_each)
    ),
    (  # "Sam's best man, Kofi, is the one who ..." -> "Kofi: Sam's best man, the one who ..."
        rx(
            r"(?P<lead>(?:^|(?<=[.!?]\s))\W*(?:(?:and|so|oh|also)\b[,\s]*)*)",
            r"(?P<owner>(?-i:[A-Z])[\w-]*'s)\s+(?P<role>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
            rf",?\s+(?P<name>{_NAME}),?\s+(?:is|was)\s+(?=(?:the|a|an)\s)",
        ),
        r"\g<lead>\g<name>: \g<owner> \g<role>, ",
    ),
    (  # "The first caller is Sunny, a night-shift cop" -> "Sunny: the first caller, a ..."
        rx(
            r"(?P<lead>(?:^|(?<=[.!?]\s))\W*(?:(?:and|so|oh|also|then)\b[,\s]*)*)",
            r"(?P<det>the|our|my|his|her|their)\s+(?P<role>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
            rf"\s+(?:is|was)\s+(?P<the>the\s+)?(?P<name>{_NAME}),\s+",
            r"(?=(?:a|an|the|his|her)\s|(?(the)|(?!)))",
        ),
        r"\g<lead>\g<the>\g<name>: \g<det> \g<role>, ",
    ),
    (  # "the hero is a hedgehog. hes called Pip: tiny" -> "Pip: the hero, a hedgehog, tiny"
        rx(
            r"(?P<lead>(?:^|(?<=[.!?]\s))\W*(?:(?:and|so|oh|ok(?:ay)?|also|then)\b[,\s]*)*)",
            r"(?P<det>the|our|my)\s+(?P<role>(?:main\s+|lead\s+)?(?:character|hero|heroine|villain",
            r"|bad\s+guy|baddie|protagonist|star))\s+(?:is|was)\s+(?P<kind>an?\s+[^.,;:!?]{2,40}?)",
            r"\s*[.,;]\s+(?:and\s+)?(?:he|she|they|it)(?:'s|s|\s+is|\s+was)\s+(?:called|named)\s+",
            rf"(?P<name>{_NAME})\s*(?:[:,\-\u2013\u2014]\s*)?",
        ),
        r"\g<lead>\g<name>: \g<det> \g<role>, \g<kind>, ",
    ),
    (  # "a boy at the window, his name is Finn" -> "a boy called Finn at the window"
        rx(
            r"\b(?P<det>an?|the|this|one)\s+(?P<role>(?:[a-z]+\s+)?(?:",
            "|".join(sorted(PEOPLE | ROLES | KIN | ANIMALS, key=len, reverse=True)),
            r"))\b(?P<rest>[^.;!?]{0,120}?)",
            rf",?\s+(?:and\s+)?(?:his|her|their)\s+name\s+(?:is|was|'s)\s+(?P<name>{_NAME})",
            r"(?=\s*[.!;]|\s*$)",
        ),
        r"\g<det> \g<role> called \g<name>\g<rest>",
    ),
    (  # "The Postman is the main character" -> "... is our main character"
        rx(
            r"\b(?:is|was)\s+the\s+(?P<what>(?:main|central|lead|title)\s+(?:character|role)",
            r"|protagonist|hero|heroine|narrator)\b",
        ),
        r"is our \g<what>",
    ),
    (  # "The Curator (nobody uses her name) is ..." -> "The Curator is ..."
        rx(r"\s*\((?=[^)]*\bnames?\b)[^)]{0,60}\)"),
        "",
    ),
)
"""Everyday shapes of an introduction, said the way the introduction readers read them."""


_SINGULAR = {"sisters": "sister", "brothers": "brother", "twins": "twin", "cousins": "cousin",
             "kids": "kid", "children": "child", "sons": "son", "daughters": "daughter",
             "friends": "friend", "girls": "girl", "boys": "boy", "aunts": "aunt",
             "uncles": "uncle", "nephews": "nephew", "nieces": "niece", "dogs": "dog",
             "cats": "cat", "neighbours": "neighbour", "neighbors": "neighbor"}  # fmt: skip


def everyday_introductions(text: str) -> str:
    """The text with a role's name said the usual ways ("the climber's name is Ilse", "the
    rival: Mama Chidi.", "X is the main character") in the shape introductions are read in."""

    def swap(pattern: re.Pattern[str], replacement: str) -> Any:
        def one(m: re.Match[str]) -> str:
            if "group" in m.groupdict():  # one "a <kind> called <name>" for each name
                kind = f"{m.group('mods')}{_SINGULAR.get(m.group('group').lower(), 'person')}"
                return f"a {kind} called {m.group('a')} and a {kind} called {m.group('b')}"
            role = (m.groupdict().get("role") or "").split()
            if role and not _person_noun(role[-1]):
                return m.group(0)  # "his name is Jonas": no role, read as it is
            return m.expand(replacement)

        return one

    text = re.sub(  # "the Chief, everyone calls him that, big man": the remark says nothing
        r",\s*(?:everyone|everybody|people|they|we|all)\s+(?:calls?|called)\s+(?:him|her|them)"
        r"\s+that\b",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(  # "everybody called her Miss Lupe" -> "she was called Miss Lupe"
        r"\b(?:every(?:one|body)|people|they|we|folks|the\s+(?:kids|regulars|locals))\s+(?:all\s+)?"
        r"(?:called|call|calls|knew|know|knows)\s+(her|him)\s+(?:as\s+)?(?=(?-i:[A-Z]))",
        lambda m: f"{'she' if m.group(1).lower() == 'her' else 'he'} was called ",
        text,
        flags=re.I,
    )
    text = _WHOSE_NAME_RE.sub(r"\g<who> called \g<name>", text)  # "..., whose name is Bantay,"
    text = _CALLED_ASIDE_RE.sub(r"\g<called>", text)  # "called Khar Salkhi (means black wind),"
    text = _CALLED_LATER_RE.sub(r"\g<lead>\g<subject> is called ", text)
    text = _TO_THE_CAST_RE.sub(r"\g<lead>New character: \g<who>, ", text)
    text = re.sub(  # "theres this man on the 12th floor everyone calls Uncle Sticks"
        r"\b(?:that\s+|who(?:m)?\s+)?(?:every(?:one|body)|people|they|we|folks|the\s+(?:kids|locals))"
        r"\s+(?:all\s+)?(?:call|calls|called)\s+(?=(?-i:[A-Z]))",
        "called ",
        text,
        flags=re.I,
    )
    for pattern, replacement in _ROLE_NAME_RES:
        text = pattern.sub(swap(pattern, replacement), text)
    return text


_WHOSE_NAME_RE = rx(
    r"(?P<who>\b(?:an?|the|their|his|her|our|my)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+),\s*whose\s+",
    rf"name\s+(?:is|was|'s)\s+(?P<name>{_NAME})\s*,?",
)
"""A name said in a relative clause: "their carabao, whose name is Bantay, pulls the sledge"
is "their carabao called Bantay pulls the sledge"."""
_CALLED_ASIDE_RE = rx(
    rf"(?P<called>\b(?:called|named|name\s+is|name\s+was)\s+{_NAME})\s*\([^()]{{1,60}}\)",
    r"(?=\s*[,:;.\-\u2013\u2014]|\s*$)",
)
"""An aside after a name ("called Khar Salkhi (means black wind), a small stallion"): the
name is read without it."""
_CALLED_LATER_RE = rx(
    r"(?P<lead>^\W*(?:(?:and|so|oh|ok(?:ay)?|also|then|well)\b[,\s]*)*)",
    r"(?P<subject>(?:the|my|our|his|her|their)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+)\b",
    r"[^,:;.!?]{0,60}?,\s*(?:and\s+)?(?:he|she|they)(?:'s|s|\s+is|\s+was|\s+were)\s+(?:called",
    r"|named)\s+(?=(?-i:[A-Z]))",
)
"""A person said first, named later in the sentence: "the MC is also a big part of it, hes
called Gbenga: bald" -> "the MC is called Gbenga: bald" (everybody-called-him is already
"he was called")."""
_TO_THE_CAST_RE = rx(
    r"(?P<lead>^\W*(?:(?:and|so|oh|ok(?:ay)?|also|then|please|pls|can\s+you|could\s+you)\b[,\s]*)*)",
    r"(?:add|put|bring\s+in|include)\s+(?P<who>[^,:;.!?]{2,60}?)\s+(?:to|in|into)\s+(?:the|our)",
    r"\s+(?:cast|characters|story|film)\s*(?:[:,\-\u2013\u2014]\s*|(?=\W*$))",
)
"""A person added to the cast: "Add Ruma's daughter Mili to the cast: nine years old" ->
"New character: Ruma's daughter Mili, nine years old"."""


def _negations_out(text: str) -> str:
    """The text without the values it says are old ("8 seconds, not 10" -> "8 seconds")."""
    return _NEGATED_RE.sub(" ", text).strip(" ,.;:!?")


class GuardMixin:
    """The junk-shot guard of a Turn (see the module docstring)."""

    plan: Any
    edits: list[Any]
    notes: list[str]
    skipped: list[str]
    questions: list[str]
    commands: tuple[Any, ...]
    understood: bool
    touched: int | None
    vague: int | None
    new_shots: int
    last_new: int | None
    context_para: bool = False  # the paragraph is headed "Context:": no shots in it

    def _not_a_shot(self, clause: str, strong: bool, cast: list[str], dialogue: str) -> bool:
        """Is this sentence, about to become a new shot, something else? When so, the change
        it asks for is made (or a short question asked) and True is returned: no shot."""
        plain = self._restore(clause, "").strip()  # type: ignore[attr-defined]
        if not plain:
            return False
        if self._asks_opinion(plain, strong, dialogue):
            return True
        if not dialogue and (
            self._world_only(plain) or self._named_after(plain) or self._sketch(plain, cast, strong)
        ):
            return True
        if _REMARK_ONLY_RE.match(plain) and not has_action(_REMARK_ONLY_RE.sub("", plain)):
            self.understood = True  # "We're going for Evil Dead energy.", "Cold open."
            return True
        if strong or dialogue:
            return False
        return (
            self._camera_wish(plain)
            or self._bare_ref(plain)
            or self._many_without_verb(plain)
            or self._descriptors(plain)
            or self._someones_looks(plain, cast)
            or self._dismissed(plain)
            or self._named_change(plain, cast)
            or self._change_with_lead(plain)
            or self._verdict(plain, cast)
            or self._follow_up(plain, cast)
            or self._about_shots(plain, cast)
        )

    def _about_shots(self, plain: str, cast: list[str]) -> bool:
        """A sentence that names shots the film has ("every shot with the chief in it from
        down low", "the one of the first customer, put it in the end") and that no command
        understood: never a new shot; it is said back as not followed."""
        if not getattr(self, "order", None) or not _SHOTS_NAMED_RE.search(plain):
            return False
        if cast and has_action(_SHOTS_NAMED_RE.sub(" ", plain)):
            return False  # "Tom looks at the one on the jetty": someone acts; a shot
        self.skipped.append(plain)  # type: ignore[attr-defined]
        self.understood = True
        return True

    # --- what is not a shot at all -------------------------------------------------------

    def _descriptors(self, plain: str) -> bool:
        """ "grandad was called wilf. 78, skinny as a rake, flat cap, tweed jacket": a list of
        looks right after someone was introduced in this message is more about them."""
        added = [e for e in self.edits if isinstance(e, AddCharacter)]
        if not added or self.last_new is not None:
            return False
        pieces = [p for p in re.split(r"\s*[,;]\s*", plain.strip(" .!")) if p.strip()]
        if not pieces or not _descriptive(pieces[0]) or camera_fields(plain)[0]:
            return False
        if sum(_descriptive(p) for p in pieces) * 2 < len(pieces):
            return False
        if any(has_action(p) and not _descriptive(p) for p in pieces[:-1]):
            return False  # "..., climbs onto the boat, ...": someone acts
        kind = pieces[0].strip().lower() in GENERIC_PEOPLE  # "Woman, 60s, navy uniform"
        try:
            if not kind and self._names_in(plain):  # type: ignore[attr-defined]
                return False  # "His daughter Lena, a teenager, climbs aboard": a shot of her
        except NeedAnswer:
            return False
        description, wardrobe = _looks(plain.strip(" .!"))
        self._describe_new(added[-1].name, description, wardrobe)  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _world_only(self, plain: str) -> bool:
        """A paragraph headed "Context:", or "theres a little farm shop by the gate that sells
        milk": the world (its people and places were added), no shot."""
        before = self._restore(getattr(self, "prev_clause", "") or "", "")  # type: ignore[attr-defined]
        story = bool(
            before
            and self.last_new is None
            and is_exposition(before)
            and not camera_fields(before)[0]
            and not camera_fields(plain)[0]
            and re.match(r"\W*(?:(?:and|so)\s+)?then\b", plain, re.I)
            and re.search(
                r"\b(?:[a-z]{3,}ed|went|came|left|grew|became|kept|had|was|were)\b", plain
            )
        )  # "she kept the light for years, then she retired to a cottage": her story still
        if not story and (
            _SHOT_CUE_RE.match(plain) or (camera_fields(plain)[0] and not self.context_para)
        ):
            return False  # ("50s" in a context paragraph is an age, not 50 seconds)
        there = _THERE_IS_RE.match(plain)
        habit = bool(there and there.group("verb").endswith("s")) and self.new_shots == 0
        if not (self.context_para or habit or story or (there and is_exposition(plain))):
            return False
        found = self._place_anywhere(plain)  # type: ignore[attr-defined]
        self._set_up(found, time_in(plain), None, plain)  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _sketch(self, plain: str, cast: list[str], strong: bool) -> bool:
        """ "the Vicar comes down at half time, round little man, dog collar, tartan slippers",
        "then theres the delivery guy tomasz, his nephew, mid 20s, puffy black jacket": someone
        new sketched by a list of looks after their first words: an introduction, no shot."""
        fields = camera_fields(_DECADE_RE.sub(" ", plain))[0]
        fields.pop("key_light_side", None)
        if fields or self.last_new is not None or (strong and not _THERES_RE.match(plain)):
            return False  # ("CU. A third rescuer, Olek, older, ...": a shot of them)
        pieces = [p for p in re.split(r"\s*[,;]\s*|(?<=\w)[.!]\s+", plain.strip(" .!")) if p]
        tail = pieces[1:]
        looks = [p for p in tail if _descriptive(p)]
        if len(looks) < 2 or len(looks) * 2 < len(tail):
            return False
        if not _THERES_RE.match(plain) and any(_acts(p) for p in tail if p not in looks):
            return False  # "Nurse Okonjo, stout, navy scrubs, leans in the doorway": a shot
        # ("there's the delivery guy tomasz, mid 20s, drives a tiny van": a habit, a sketch)
        head = _LEAD_RE.sub("", pieces[0], count=1)
        head = re.sub(
            r"^(?:then\s+)?(?:there'?s|theres|there\s+(?:is|was))\s+(?:also\s+)?",
            "",
            head,
            flags=re.I,
        )
        added = {e.name for e in self.edits if isinstance(e, AddCharacter)}
        strangers = self._strangers(f"and {head}")  # type: ignore[attr-defined]
        if strangers:
            name: str | None = strangers[0]
        elif cast and (named := self._head_names(head)):
            name = next((n for n in named if n in added), None)  # else someone known: a shot
        else:
            name = self._sketched_name(head)
        if name is None:
            return False
        description, wardrobe = _looks(", ".join(looks))
        role = re.match(r"(?:the|our|my|his|her|their)\s", head, re.I)
        if name in added:
            self._describe_new(name, description, wardrobe)  # type: ignore[attr-defined]
        else:
            lead = re.sub(rf"\s*\b{re.escape(name)}\b", "", head, flags=re.I).strip(" ,")
            lead = lead if role and len(lead.split()) <= 5 else ""
            description = ", ".join(d for d in (lead, description) if d)
            self._introduce(name, description, wardrobe)  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _head_names(self, head: str) -> list[str]:
        """The known people a sketch's first words name (not "halinas" in "halinas nephew",
        someone they belong to); everyone the head could mean when it asks."""
        head = re.sub(r"\b[\w-]+(?:'s|s)\s+(?=[a-z])", " ", head)
        try:
            return list(self._names_in(head))  # type: ignore[attr-defined]
        except NeedAnswer as need:
            return list(need.choices)

    def _sketched_name(self, head: str) -> str | None:
        """The name of someone new a sketch is about: the word after who they are ("the
        delivery guy tomasz"), else their role said as a name ("the Vicar")."""
        if re.search(r"\b(?:i|he|she|they|we|you)\b", head, re.I):
            return None
        m = re.match(
            r"(?:the|our|my|his|her|their)\s+((?:[A-Za-z'-]+\s*){1,4})$", head.strip(), re.I
        )
        if not m:
            return None
        words = m.group(1).split()
        roles = [i for i, w in enumerate(words) if _person_noun(w)]
        if not roles:
            return None
        at = roles[-1]
        if at + 1 < len(words):
            word = words[at + 1].lower()
            if at + 2 < len(words) or word in COMMON or word in TITLES or base_form(word):
                return None  # "the postman comes ...": a shot of someone, not a sketch
            return word.capitalize()  # "the delivery guy tomasz"
        role = words[at]
        if handle_of(role) in self.people or role.lower() in PEOPLE:  # type: ignore[attr-defined]
            return None  # "the woman", "the man": no name to give
        return role.capitalize()  # "the Vicar"

    def _named_after(self, plain: str) -> bool:
        """ "and nan sat in the land rover the whole time with a flask of tea, her name was
        jean": someone told about, their name last: a new person, no shot."""
        m = _NAME_LAST_RE.match(plain)
        if not m or camera_fields(m.group("body"))[0] or _SHOT_CUE_RE.match(plain):
            return False
        name = m.group("name")
        if handle_of(name) in self.people:  # type: ignore[attr-defined]
            return False
        past = re.search(
            r"\b(?:was|were|had|sat|stood|went|came|kept|wore|used\s+to|\w+ed)\b", plain
        )
        if has_action(m.group("body")) and not past:
            return False  # "Eli waits at the stop, his name is Eli": a shot with him in it
        body = re.sub(r"^\W*(?:(?:and|so|oh|also|then)\b[,\s]*)*", "", m.group("body"))
        description, wardrobe = _looks(body)
        self._introduce(name, description or body, wardrobe)  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _someones_looks(self, plain: str, cast: list[str]) -> bool:
        """ "the bride wears her hair down with a sprig of rosemary", "his daughter should
        have a red scarf": a known person named by who they are, and a change of looks."""
        if len(cast) != 1 or camera_fields(plain)[0] or self.last_new is not None:
            return False
        if not (m := _SOMEONE_LOOKS_RE.match(plain)):
            return False
        try:
            named = self._names_in(m.group("ref"))  # type: ignore[attr-defined]
        except NeedAnswer:
            return False
        if named != cast:
            return False
        said = f"{cast[0]} {plain[m.end() :]}"
        return bool(self._character_change(said))  # type: ignore[attr-defined]

    def _known_is(self, clause: str) -> str:
        """'Priya's 19, nose ring, paint on her hands' -> "Priya is 19, ..." for a person
        who is known (the clause as it was otherwise)."""
        m = _KNOWN_IS_RE.match(clause)
        if not m or handle_of(m.group("name")) not in self.people:  # type: ignore[attr-defined]
            return clause
        return f"{m.group('lead')}{m.group('name')} is {clause[m.end() :]}"

    # --- questions and remarks ----------------------------------------------------------

    def _asks_opinion(self, plain: str, strong: bool, dialogue: str) -> bool:
        """ "Thoughts on the pacing so far?", "is it too slow?", "what do you think": asked of
        the director, answered in the reply; a shot asked for as a question is left alone."""
        if dialogue or _SHOT_ASK_RE.match(plain):
            return False
        question = plain.endswith("?") and not strong
        if not (question or (_ASK_OPENER_RE.match(plain) and len(plain.split()) <= 12)):
            return False
        if not question and (camera_fields(plain)[0] or has_action(plain)):
            return False  # "is it Tom who runs ..." is rare; "how Tom runs" is direction
        self.questions.append(plain)
        self.understood = True
        return True

    def _verdict(self, plain: str, cast: list[str]) -> bool:
        """ "the crow one feels too long", "love the peach one", "the pacing is off": a remark
        about a shot or the film. Nothing changes; the reply asks what to do."""
        body = _LEAD_RE.sub("", plain, count=1)
        if m := _LIKES_RE.match(plain):
            what = m.group("what")
        elif _CHANGE_VERB_RE.match(body):
            return False  # "lock the crow one, its perfect": a command first
        elif m := _JUDGED_RE.match(body) or _JUDGED_VERB_RE.match(body):
            what = m.group("what")
            named = re.search(r"\b(?:shot|one)\b", what, re.I)
            if cast and not named:
                return False  # "Tom is tired": a person, maybe a shot of them
            if not (named or _EVALUATIVE_RE.search(body)):
                return False  # "the sky is dark": maybe a shot of it
        else:
            return False
        shot_id = self._shot_named(what)
        if shot_id is None and (not _ABOUT_FILM_RE.search(what) or len(what.split()) > 6):
            return False
        if shot_id is not None:
            self.touched = shot_id  # "the radiator shot is pointless, bin it": "it" is that one
            self.notes.append(
                f"Noted about shot {shot_id}. I changed nothing: tell me what to change, e.g. "
                f'"make shot {shot_id} 3 seconds", "lock shot {shot_id}" or '
                f'"delete shot {shot_id}".'
            )
        else:
            self.notes.append(
                'Noted. I changed nothing: tell me what to change, e.g. "make shot 2 3 seconds" '
                'or "make all the shots shorter".'
            )
        self.understood = True
        return True

    # --- changes asked of shots that exist ------------------------------------------------

    def _shot_named(self, phrase: str) -> int | None:
        """The one shot that exists and that a phrase clearly names (by number or by what it
        shows), else None. Never asks."""
        phrase = _LEAD_RE.sub("", phrase, count=1).strip(" ,.;:!?")
        phrase = re.sub(r"^(?:in|on|for|during|about|with)\s+", "", phrase, flags=re.I)
        if not phrase:
            return None
        if REF_RE.fullmatch(phrase) or REF_RE.fullmatch(f"the {phrase}"):
            ids, _rest = self._refs(phrase)  # type: ignore[attr-defined]
            ids = [i for i in ids if i in self.order]  # type: ignore[attr-defined]
            return ids[0] if len(ids) == 1 else None
        if not content_words(phrase) or len(phrase.split()) > 9 or camera_fields(phrase)[0]:
            return None  # "EXTREME WIDE, AERIAL.": a new shot's framing, not a shot named
        try:
            if self._names_in(phrase) and not re.search(  # type: ignore[attr-defined]
                r"\b(?:shot|one)\b", phrase, re.I
            ):
                return None  # a person, not a shot
        except NeedAnswer:
            return None
        ids, ask, weak = self._content_ids(phrase)  # type: ignore[attr-defined]
        return ids[0] if len(ids) == 1 and not ask and not weak else None

    def _many_without_verb(self, plain: str) -> bool:
        """ "All of Marguerite's shots at 6 seconds.", "every harbour one at dusk": a change
        of many shots said without its verb: read as "make ..."; never a new shot."""
        body = _LEAD_RE.sub("", plain, count=1)
        if not _MANY_RE.match(body) or not self._change_fields(body):
            return False
        if not self._run_commands(f"make {body}"):
            self.skipped.append(plain)
        self.understood = True
        return True

    def _camera_wish(self, plain: str) -> bool:
        """ "when rory comes on can the camera be down low, looking up at him", "could the
        camera drift left here": a wish about the camera of a shot that exists (named by what
        it shows, else the one just talked about), never a new shot."""
        if not _CAMERA_WISH_RE.search(plain) or self.last_new is not None:
            return False
        fields = self._change_fields(plain)
        if not fields:
            return False
        target = None
        if m := _WHEN_RE.match(_LEAD_RE.sub("", plain, count=1)):
            ids, ask, _weak = self._content_ids(m.group("what"))  # type: ignore[attr-defined]
            if len(ids) == 1 and not ask:
                target = ids[0]
            elif ids or ask:
                self.skipped.append(plain)  # several shots fit: said back, nothing changed
                self.understood = True
                return True
        rest = _CAMERA_WISH_RE.sub(" ", camera_fields(plain)[1])
        left = [w for w in content_words(rest) if w not in _CHANGE_FILLER and w not in _WISH_FILLER]
        if target is None and left:
            return False  # "can the camera start down on the quay and rise up": a shot
        if target is None:
            target = self._it()  # type: ignore[attr-defined]
        if target is None:
            self.skipped.append(plain)  # no shot to change: said back, never a new shot
            self.understood = True
            return True
        self._update_shots([target], fields, [])  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _bare_ref(self, plain: str) -> bool:
        """ "the eye roll one", "that harbour shot": a shot named and nothing asked of it
        (an answer to a question no longer open): never a new shot; the reply asks what to
        do with it."""
        if not _BARE_REF_RE.match(plain):
            return False
        shot_id = self._shot_named(plain)
        if shot_id is not None:
            self.touched = shot_id
            self.notes.append(
                f'That is shot {shot_id}. What should change in it? e.g. "make it 3 seconds", '
                '"delete it" or "lock it".'
            )
        else:
            self.skipped.append(plain)
        self.understood = True
        return True

    def _dismissed(self, plain: str) -> bool:
        """ "the goat on the roof shot can go", "the tractor one is out": delete it."""
        body = _LEAD_RE.sub("", plain, count=1)
        if (to := _GOES_TO_RE.match(body)) and (
            self._shot_named(to.group("what")) is not None
            or re.search(r"\b(?:shot|one)\s*$", to.group("what"), re.I)
        ):
            where = to.group("where")
            where = re.sub(r"^(?:right|straight)\s+", "", where, flags=re.I)
            where = "to the start" if where.lower() == "first" else where
            where = "to the end" if where.lower() == "last" else where
            where = re.sub(r"^at\s+", "to ", where, flags=re.I)
            return self._run_commands(f"move {to.group('what')} {where}")
        if not (m := _GOES_RE.match(body)):
            return False
        what = (m.group("what") or m.group("what2") or "").strip()
        if self._shot_named(what) is None and not re.search(r"\b(?:shot|one)\b", what, re.I):
            return False
        return self._run_commands(f"delete {what}")

    def _named_change_first(self, clause: str) -> bool:
        """ "The whale walk-through: on a longer lens, 85, and hold it eight seconds": read
        before anything else (before the words before the colon can be taken for a person),
        when what follows the colon is only changes."""
        plain = self._restore(clause, "").strip()
        m = _NAMED_CHANGE_RE.match(_LEAD_RE.sub("", plain, count=1))
        if not m or REF_RE.search(m.group("ref")) or self.last_new is not None:
            return False
        if not re.match(
            r"\s*(?::|\s-\s|\u2013|\u2014)",
            plain[plain.find(m.group("ref")) + len(m.group("ref")) :],
        ):
            return False  # only "X: ..." or "X - ...", never "X, ..." this early
        change = _negations_out(m.group("change"))
        rest = camera_fields(change)[1]
        rest = _LENS_NUMBER_RE.sub(" ", rest)
        if time_in(change):
            rest = re.sub(r"\b(?:at|in\s+the)\s+\w+\b", " ", rest)
        left = [w for w in content_words(rest) if w not in _CHANGE_FILLER]
        if left or not self._change_fields(change):
            return False
        return self._named_change(plain, [])

    def _named_change(self, plain: str, cast: list[str]) -> bool:
        """ "The rooftop crane: 8 seconds, not 10.", "the whale walk-through: on a longer lens,
        85, and hold it eight seconds": the shot named first, its changes after."""
        body = _LEAD_RE.sub("", plain, count=1)
        if not (m := _NAMED_CHANGE_RE.match(body)):
            return False
        ref = m.group("ref").strip()
        if not _REF_SHAPE_RE.fullmatch(ref):
            return False
        comma = body[len(m.group("ref")) :].lstrip().startswith(",")
        sentence = re.search(r"\b(?:her|his|their|my|our|as|while|when|now)\b", ref, re.I)
        if comma and sentence and not re.search(r"\b(?:shot|one)\b", ref, re.I):
            return False  # "now her face as the wheel turns, camera creeps in": a shot
        shot_id = self._shot_named(m.group("ref"))
        if shot_id is None:
            return False
        change = _negations_out(m.group("change"))
        fields = self._change_fields(change)
        if not fields:
            if re.fullmatch(r"(?:not\s+.*|)", m.group("change").strip(" .!"), re.I):
                self.vague = shot_id  # "shot 1: not a static frame" (the next sentence says)
                self.touched = shot_id
                self.understood = True
                return True
            return False
        self._update_shots([shot_id], fields, [])  # type: ignore[attr-defined]
        self.understood = True
        return True

    def _change_fields(self, change: str) -> dict[str, Any]:
        """The shot fields a change says: camera words, a length, a lens, a time of day."""
        fields, _rest = camera_fields(change)
        fields.pop("key_light_side", None)
        lens = _LENS_NUMBER_RE.search(change)
        if "lens_mm" not in fields and lens and 10 <= int(lens.group(1)) <= 300:
            fields["lens_mm"] = int(lens.group(1))
        if time := time_in(change):
            fields["time_of_day"] = time
        return fields

    def _change_with_lead(self, plain: str) -> bool:
        """ "can u make grandpa's shorts red instead", "ok last thing lock the peach one":
        a command behind words the commands did not expect. Read without them; when still
        not understood and it asks for a change, nothing changes and the reply says so."""
        body = _LEAD_RE.sub("", plain, count=1)
        m = _CHANGE_VERB_RE.match(body)
        if not m or _NEW_OBJECT_RE.match(m.group("rest")):
            return False
        if body != plain and self._run_commands(body):
            return True
        if not _CHANGE_SIGN_RE.search(m.group("rest")):
            return False  # "make Mara walk to the door": direction
        self.notes.append(
            f'I didn\'t understand "{plain.strip(" .")}", so I changed nothing. Say who or which '
            'shot it is about, e.g. "make Mara\'s coat red" or "make shot 2 8 seconds".'
        )
        self.understood = True
        return True

    def _follow_up(self, plain: str, cast: list[str]) -> bool:
        """ "Shot 1: not a static frame. Slow zoom into the sign.": camera words right after a
        sentence that named a shot (and nothing to film of their own) change that shot."""
        target = self.vague if self.vague is not None else self.touched
        if target is None or self.last_new is not None or cast:
            return False
        fields = self._change_fields(plain)
        if not fields:
            return False
        rest = camera_fields(plain)[1]
        words = content_words(re.sub(r"\b(?:on|in|into|onto|to|towards|at|of)\b", " ", rest))
        shot = self.plan.find_shot(target)
        shows = set(content_words(f"{shot.action} {shot.location or ''}")) if shot else set()
        if words and not set(words) & shows:
            ids, ask, _weak = self._content_ids(rest)  # type: ignore[attr-defined]
            if target not in [*ids, *ask]:
                return False  # "Wide shot of the storm": something else, a shot of its own
        self._update_shots([target], fields, [])  # type: ignore[attr-defined]
        self.vague = None
        self.understood = True
        return True

    def _without_old_framing(self, clause: str) -> str:
        """ "Shot 1: not a static frame.", "the crane one, handheld rather than a dolly": the
        framing said to be the old one is not asked for; the clause without it (when it names
        a shot that exists, by number or as "the ... shot/one")."""
        if not re.search(r"\b(?:not|instead\s+of|rather\s+than)\b", clause, re.I):
            return clause
        if not (REF_RE.search(clause) or re.search(r"\b(?:shot|one)\b", clause, re.I)):
            return clause

        def drop(m: re.Match[str]) -> str:
            before = clause[: m.start()].rstrip().lower()
            if re.search(
                r"\b(?:do|does|did|should|must|could|can|will|would|is|are|it's|its)$", before
            ):
                return m.group(0)  # "do not move the camera": a wish, kept
            said = m.group(0)
            fields = camera_fields(said)[0]
            fields.pop("key_light_side", None)
            return " " if fields else said

        return _NEGATED_RE.sub(drop, clause)

    def _run_commands(self, clause: str) -> bool:
        """Read a clause as a command through the usual handlers; True when one took it."""
        return any(handler(self, clause) for handler in self.commands)


def _acts(piece: str) -> bool:
    """Whether a piece of a sentence says someone does something now ("leans in the
    doorway"): a present-tense verb of the tables opens it ("wearing a cap", "smiling"
    describe: a participle is a look)."""
    words = piece.split()
    if not words:
        return False
    first = words[0].lower().strip("'")
    if not first.endswith("s") or first.endswith("ss"):
        return False
    base = base_form(first)
    return base is not None and base not in ("be", "have")
