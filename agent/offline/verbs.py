"""What kind of sentence is this: an action to film, or exposition that sets up the world?

A sentence whose first verb is an action ("climbs", "is running", "walked") asks for a shot;
one whose first verb is a state or a habit ("kept a lighthouse", "lives on an island",
"was a sailor", "it's winter") tells the world and asks for none. Verbs are found in two word
tables (base forms) with their regular inflections, plus the irregular ones people use most.
"""

from __future__ import annotations

import re
from functools import cache

from storyreel.agent.offline.text import lazy, rx
from storyreel.agent.offline.words import PLACES


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ACTION_VERBS = _words(
    "walk run sprint jog stroll wander march limp stumble trip hurry rush race dash step pace "
    "climb jump leap hop fall drop slip slide crawl creep sneak tiptoe kneel crouch squat bend "
    "lean sit stand rise get lie lay rest sleep wake dream yawn stretch "
    "look watch stare gaze glance peer peek squint blink wink notice spot see search find "
    "turn spin twist roll swing sway rock shake tremble shiver shudder nod shrug flinch "
    "open close shut slam lock unlock knock ring enter exit leave arrive come go return "
    "cross pass approach follow chase flee escape hide duck dodge block "
    "pick grab take hold catch throw toss hand give pass offer show point reach touch "
    "stroke pat brush wipe wash dry clean scrub sweep pour fill empty spill drink sip eat "
    "bite chew taste cook bake stir knead chop cut slice fry boil serve carry drag haul pull "
    "push lift raise lower set place put load unload pack unpack tie untie knot fasten "
    "button zip mend fix repair build break smash crack tear rip fold unfold wrap unwrap "
    "read write draw paint sketch type sign scribble study count check "
    "talk speak say tell ask answer reply whisper shout yell scream call cry sob weep laugh "
    "giggle smile grin frown sigh gasp breathe cough sneeze sing hum whistle pray "
    "hug kiss embrace cuddle wave greet shake dance play fight punch kick hit slap "
    "argue shove wrestle grapple struggle attack defend shoot aim fire stab "
    "drive ride sail row paddle swim dive float sink surface fly soar glide land hover "
    "launch steer brake park crash "
    "light burn blaze flicker glow shine flash fade dim darken brighten sparkle glint "
    "blow gust howl rain snow pour drip splash crash ripple flow stream drift swirl "
    "bloom grow wilt fall spread rise set "
    "wait linger pause stop start begin finish continue hesitate freeze "
    "listen hear smell sniff feel "
    "dress undress wear remove button unbutton comb tie "
    "fish mend cast haul net dock moor tow anchor "
    "jog skate ski surf climb descend ascend emerge appear vanish disappear reveal "
    "collapse faint die kill bleed heal wrap bandage inject examine operate "
    "ring buzz beep vibrate scroll text dial photograph film record "
    "bark meow caw crow flap peck perch graze scatter flutter billow ripple crumble shatter "
    "explode erupt rumble roar thunder flood sweep circle wheel dart scurry scramble stagger "
    "tumble plunge lunge pounce spring bounce stride storm trudge shuffle drift nudge tug "
    "yank jerk twitch quiver flicker shimmer gleam glisten steam smoke hiss sizzle bubble "
    "creak groan slam bang clatter rattle jingle chime toll echo beam glare blush grimace "
    "pout scowl sulk weep wail mutter mumble grumble sneer chuckle snort sniff stir wiggle "
    "wriggle kneel bow curtsy salute applaud clap cheer celebrate toast hand sprinkle dust "
    "fold knit sew mop polish scrape carve hammer saw drill paint plant water dig rake harvest "
    "milk feed pet chase hunt track trail tail spy eavesdrop peep tap type click swipe zoom"
)
STATIVE_VERBS = _words(
    "be is are was were am been have has had own keep live reside dwell work belong love "
    "hate like know remember believe seem appear contain consist own manage "
    "raise grow marry teach serve rule inherit "
)
# Irregular forms people use most, to their base form.
IRREGULAR = {
    "ran": "run", "sat": "sit", "stood": "stand", "fell": "fall", "took": "take",
    "gave": "give", "came": "come", "went": "go", "saw": "see", "held": "hold",
    "threw": "throw", "caught": "catch", "drank": "drink", "ate": "eat", "wrote": "write",
    "drew": "draw", "spoke": "speak", "said": "say", "told": "tell", "sang": "sing",
    "swam": "swim", "flew": "fly", "rode": "ride", "drove": "drive", "woke": "wake",
    "rose": "rise", "lay": "lie", "led": "lead", "left": "leave", "found": "find",
    "broke": "break", "tore": "tear", "shook": "shake", "knelt": "kneel", "leapt": "leap",
    "crept": "creep", "slept": "sleep", "hid": "hide", "fled": "flee", "froze": "freeze",
    "kept": "keep", "had": "have", "was": "be", "were": "be", "grew": "grow", "knew": "know",
    "taught": "teach", "lived": "live", "owned": "own", "worked": "work", "loved": "love",
    "is": "be", "are": "be", "am": "be", "'s": "be", "has": "have", "dies": "die",
    "lies": "lie", "dying": "die", "lying": "lie", "does": "do", "did": "do",
}  # fmt: skip
_HABIT_RE = lazy(
    r"\b(?:(?:ran|runs|run|owned|owns|own|managed|manages|keeps|kept|has|had)\s+"
    r"(?:a|an|the|his|her|their|our|my|this)\s+(?:[a-z\-]+\s+){0,3}?"
    r"(?:bakery|shop|store|farm|business|pub|bar|restaurant|cafe|hotel|school|inn|diner|stand"
    r"|garage|company|firm|stall|lighthouse|boat|ship|mill|theatre|theater|cinema|clinic|hostel"
    r"|salon|studio|gym|workshop|club|bookshop|bookstore|kiosk|truck|van|bistro|brewery|vineyard"
    r"|ranch|orchard|dairy|pharmacy|practice|surgery|laundrette|launderette|takeaway|chippy"
    r"|boutique|florist|deli|butchers?|bakehouse|tavern|motel|b&b|guesthouse|shelter|agency)\b"
    r"|\bsince\s+(?:1[6-9]\d\d|20\d\d)\b|since\s+(?:he|she|they|i)\s+was"
    r"|\blast\s+(?:winter|summer|spring|autumn|year|month|week|christmas)\b|passed\s+away"
    r"|used\s+to|would\s+always|grew\s+up|was\s+born|were\s+born|once\s+upon\s+a\s+time"
    r"|(?:has|have|had|'s|'ve|hes|shes|theyve|ive)\s+been\s+[a-z]+ing\b[^.;]*?\b(?:all\s+(?:night"
    r"|day|week|year|morning|evening|afternoon)|for\s+(?:ages|years|hours|weeks|months|days"
    r"|(?:\d+|a\s+few|two|three|four|five|six|ten|twenty)\s+(?:years|hours|weeks|months|days"
    r"|minutes)))"
    r"|years?\s+ago|back\s+then|in\s+the\s+(?:\d0s|\d{4}s|old\s+days)|every\s+(?:day|morning"
    r"|night|summer|winter|spring|autumn|year|week|weekend|christmas|easter|january|february"
    r"|march|april|may|june|july|august|september|october|november|december|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday|single\s+(?:day|year|week))|(?:after|before)\s+every|every\s+time"
    r"|for\s+(?:\d+|two|three|four|five|six|ten|twenty|thirty|forty|fifty|many|several|a\s+few)"
    r"\s+years|retired|moved\s+(?:away|abroad|out|in)\s+(?:to|with|when|after))\b"
    r"|\b(?:always|usually|often)\s+(?:[a-z]+ed|went|came|sat|had|made|took|got|spent|stayed"
    r"|wore|kept|ran|knew|told|sang|brought|drove)\b",
    re.I,
)
_WORLD_RE = lazy(
    r"^\s*(?:(?:so|well|ok(?:ay)?|now|and)\b[,\s]*)*(?:it'?s|its|it\s+is|it\s+was|this\s+is"
    r"|the\s+story\s+(?:is|takes|happens)|our\s+story|the\s+film\s+is|the\s+year\s+is"
    r"|(?:the\s+)?(?:season|time)\s+is|it'?s\s+set|this\s+(?:film|story)\s+is"
    r"|(?:the\s+)?(?:(?:first|second|third|next|another|new|other|main)\s+)?(?:setting|location"
    r"|backdrop|place)(?:\s+notes?)?(?:\s+for\s+[^:]{1,40})?\s*(?::|is\b)"
    r"|(?:context|background|backstory|premise)\s*:"
    r"|(?:the\s+)?(?:prologue|opening|ending|epilogue|flashback|(?:first|last|next|final)\s+scene"
    r"|whole\s+(?:thing|story|film))\s+(?:all\s+)?(?:happens|takes\s+place|is\s+set)\s+(?:in|at|on)"
    r"|(?:this\s+|it\s+|everything\s+|(?:the|this)\s+whole\s+(?:thing|story|film|movie)\s+)?"
    r"(?:all\s+)?"
    r"(?:happens|takes\s+place|is\s+set|plays\s+out)\s+(?:in|at|on)"
    r"|[A-Z][\w' ]{1,30},\s+(?:in\s+)?(?:1[6-9]\d\d|20\d\d|the\s+\d0s)\b"
    r"|(?:in|it'?s)\s+(?:1[6-9]\d\d|20\d\d|the\s+(?:19)?\d0s)\b"
    r"|(?:the\s+)?(?:world|place|world\s+of\s+the\s+story)\s*:"
    r"|(?:we'?re|we\s+are)\s+in\s+(?:the\s+)?(?:\d{4}|\d0s|winter|summer|spring|autumn))(?!\w)",
    re.I,
)
_RAN_RE = lazy(
    r"\b(?:ran|owned|managed|used\s+to\s+(?:run|own|manage|keep)|kept)\s+(?:the|a|an|this|that"
    r"|her|his|their|our|my)\s+(?:[a-z\-]+\s+){0,2}?(?P<what>[a-z\-]+)\b"
    r"(?!\s+(?:into|onto|up|down|across|aground|towards?|through|along|past|over|off|out)\b)",
    re.I,
)
_BUSINESS = frozenset(("place", "shop", "business", "joint", "firm", "company", "outfit"))
_NOUN_AFTER = _words("a an the this that these those his their my our its your every each some any")
"""Words a verb never follows: what comes next is a noun ("the drop", "his hands"); "no"
is left out ("no running")."""
_BE_HAVE = _words("is was are were has had does did")
"""... except "this is", "that was", "its been"."""
_IN_YEAR_RE = lazy(r"\bin\s+(?:1[6-9]\d\d|20\d\d)\b", re.I)
_PLACE_LEAD_RE = lazy(
    r"^\W*(?:(?:so|ok(?:ay)?|and|right|then)\b[,\s]*)*(?:outside|inside|out\s+(?:the\s+)?(?:back|front)"
    r"|across\s+the\s+(?:road|street|way|landing|hall|square|yard)|next\s+door|upstairs|downstairs"
    r"|round\s+the\s+(?:back|corner)|behind\s+(?:it|the\s+\w+)|beyond\s+(?:it|that|the\s+\w+)"
    r"|(?:one|a)\s+(?:deck|floor|level)\s+(?:up|down|below|above)|down\s+the\s+(?:road|lane|street|hill)"
    r"|up\s+the\s+(?:road|lane|street|hill)|at\s+the\s+(?:back|end)\s+of\s+the\s+\w+)[,\s]+"
    r"(?:there'?s|theres|there\s+(?:is|was|were)|was|were|is|are|sat|stood|lay)\b",
    re.I,
)
"""A place set up by where it is ("outside was the car park", "across the road was the
steamie", "Outside there's only the village green")."""
CONTEXT_RE = rx(
    r"^\W*(?:(?:ok(?:ay)?|so|and|just|some|quick|a|little|bit\s+of|a\s+bit\s+of)\s+)*(?:for\s+)?",
    r"(?:context|background|backstory|back\s*story|premise|set-?up|the\s+story\s+so\s+far",
    r"|world(?:\s+notes?)?|world-?building|lore|setting\s+notes?)\b[^:.\n]{0,40}?",
    r"(?::|\s[-\u2013\u2014]\s|\.\s)",
)
"""A paragraph headed "Context:" / "Background for the sequence:": the world, not shots."""

SPATIAL_LEAD_RE = lazy(
    r"^\W*(?:(?:so|ok(?:ay)?|and|right|then|oh)\b[,\s]*)*(?:(?:out|up|down|off|round)\s+)?"
    r"(?:(?:the\s+)?(?:back|front|side|top|bottom)\s+of|out\s+(?:the\s+)?(?:back|front)|behind|below"
    r"|beneath|under|above|beyond|outside|inside|across|next\s+to|opposite|near|by|along|past"
    r"|off|up\s+behind|down\s+(?:by|past)|on\s+the\s+(?:far|other)\s+side\s+of"
    r"|halfway\s+(?:along|up|down|across|to)|(?:up|down)stairs\s+from|further\s+(?:along|up|down|on)"
    r"|at\s+the\s+(?:end|top|bottom|foot|edge|far\s+end)\s+of|(?:\w+\s+)?(?:kilometres?|kilometers?"
    r"|km|miles?|metres?|meters?|minutes?|hours?)\s+(?:out|away|off|along|up|down|from|north|south"
    r"|east|west))\b"
    r"[^.;:]{0,80}?[,\s]+(?:there'?s|theres|there\s+(?:is|was|were|are|stands|sits)|was|were|is"
    r"|stands|stood|sits|sat|lies|lay)\s+(?P<rest>(?:a|an|the|this|one|our|their|his|her)\b.+)$",
    re.I,
)
"""A place set up by where it is, said first: "out the back of the hall theres a massive old
fig tree", "Off the ward, on the ground floor, there's a small chapel", "Below the tower, ...,
was the boathouse": the place is what comes after the verb."""
_SHOT_NAMED_RE = lazy(
    r"\b(?:the|that|this|those|these)\s+(?:[\w'-]+\s+){0,4}?(?:shot|shots|one|ones|close-?ups?)\b"
    r"(?!\s+(?:is\s+(?:set|about|called|a\s+story)|takes\s+place|happens))",
    re.I,
)
_DETERMINER_RE = lazy(r"(?:a|an|the|his|her|their|my|our|its|this|that)$")
_SEASONS = r"(?:winter|summer|spring|autumn|fall|christmas|\d{4}|the\s+\d0s|the\s+year\s+\d+)"


@cache
def base_form(word: str) -> str | None:
    """The base form of a verb in the tables ("climbs" -> "climb"), or None."""
    word = word.lower().strip("'")
    if word in IRREGULAR:
        return IRREGULAR[word]
    candidates = [word]
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s"):
        candidates.append(word[:-1])
    if word.endswith("ing"):
        stem = word[:-3]
        candidates += [
            stem,
            stem + "e",
            stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else "",
        ]
    if word.endswith("ed"):
        stem = word[:-2]
        candidates += [stem, word[:-1], stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""]
        if stem.endswith("i"):
            candidates.append(stem[:-1] + "y")
    for candidate in candidates:
        if candidate and (candidate in ACTION_VERBS or candidate in STATIVE_VERBS):
            return candidate
    return None


def _after_determiner(words: list[str], index: int) -> bool:
    """Is words[index] a noun after "the", "his", "Reg's" and at most two describing words
    ("the big show", "his old van")?"""
    for back in range(1, 4):
        if index - back < 0:
            return False
        before = words[index - back]
        if before in _NOUN_AFTER or before.endswith("'s"):
            return True
        if base_form(before) is not None:
            return False
    return False


def _told_in_past(text: str) -> bool:
    """Does the sentence tell its action in the past tense ("opened", "moved", "came")?"""
    present = {"is", "are", "'s", "has", "does", "am"}
    return any(
        word != base
        and word not in present
        and (word.endswith("ed") or IRREGULAR.get(word) == base)
        for word, base, _ in _verbs(text)
    )


def _verbs(text: str) -> list[tuple[str, str, int]]:
    """(word, base form, index) of every table verb in the text, in order."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    out = []
    for index, word in enumerate(words):
        if (
            word not in _BE_HAVE
            and index + 1 < len(words)
            and words[index + 1] in _BE_HAVE
            and _after_determiner(words, index)
        ):
            continue  # "the (big) show was in the hall": the subject noun, not a verb
        for piece in (word, *word.split("'")[1:]):
            piece = "'s" if piece == "s" and "'" in word else piece
            if (base := base_form(piece)) is not None:
                out.append((word, base, index))
                break
    return out


def has_action(text: str) -> bool:
    """Does the sentence show someone or something doing something ("Tom climbs", "waves
    crash", "Mara is reading")?"""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    for word, base, index in _verbs(text):
        if base in ACTION_VERBS and not (word == base and index == 0 and len(words) > 1):
            return True
        if base == "be" and index + 1 < len(words) and words[index + 1].endswith("ing"):
            return True
    return False


def sets_the_world(text: str) -> bool:
    """Does the sentence open like exposition ("The story takes place in...", "Setting: ...",
    "It's winter in...")? Such a sentence is never a command."""
    return bool(_WORLD_RE.match(text))


def is_exposition(text: str) -> bool:
    """Does the sentence set up the world (a state, a habit, a past that frames the story)
    rather than show an action? "My uncle kept a lighthouse", "Lena lives on an island",
    "It's winter in a fishing village", "Years ago, Tom was a sailor"."""
    if _WORLD_RE.match(text) or re.match(rf"^\s*(?:it'?s|it\s+is)\s+{_SEASONS}", text, re.I):
        # "It's raining as Mara runs to the boat" shows an action all the same
        then = re.search(r"\b(?:as|while|when)\s+(.+)$", text, re.I)
        return not (then and has_action(then.group(1)))
    if _HABIT_RE.search(text) or _PLACE_LEAD_RE.match(text) or SPATIAL_LEAD_RE.match(text):
        return True
    if (ran := _RAN_RE.search(text)) and (
        ran.group("what").lower() in PLACES or ran.group("what").lower() in _BUSINESS
    ):
        return True  # "my mama ran the place", "he owned a chip shop"
    if _IN_YEAR_RE.search(text) and (not has_action(text) or _told_in_past(text)):
        return True  # "they opened the shop in 1956" (but "carol handing her a photo from 1956")
    if _SHOT_NAMED_RE.search(text):
        return False  # "the storm shot has to go": about a shot of the film
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    for word, base, index in _verbs(text):
        following = words[index + 1] if index + 1 < len(words) else ""
        if base == "be" and following.endswith("ing"):
            return False  # "is walking": an action in progress
        if base in STATIVE_VERBS and base not in ACTION_VERBS:
            return True
        if base in STATIVE_VERBS and not word.endswith("ing"):
            return bool(_DETERMINER_RE.match(following))  # "ran a bakery", not "ran home"
        if base in ACTION_VERBS:
            return False
    return False
