"""The offline director: plain English in, typed edits out, by simple rules.

No language model, no network, no randomness: regular expressions and small
word tables turn direction into the same edits the LLM director returns. It is
used when no model is configured. What it understands (this is its manual):

People and places
  "Mara, a tall woman in a red raincoat, waits."  adds Mara, wardrobe "a red raincoat"
  "Meet Jon: an old fisherman."  "Jon is a fisherman in his sixties."  "a boy called Sam"
  "Mara now wears a navy sweater." changes her wardrobe; "The harbour is a ..." its look
  "We're at the harbour at dusk, light from the left."  "INT. LIGHTHOUSE - NIGHT"
      adds the place (time of day, key light). The shots of that paragraph, and of later
      ones, happen there until another place is set; a place named in passing ("walks
      along the quay") does not move the scene.
Shots: a sentence with shot words, or a cue (open on, cut to, then, next, finally, we see,
show, end on, add a shot of), or one that starts with a person, or has "dialogue"
  size      extreme close-up, close-up, close on, medium close-up, medium shot, cowboy shot,
            wide/long/full shot, establishing shot, extreme wide
  angle     low/high angle, from below, from above, bird's-eye, worm's-eye, dutch angle,
            over the shoulder, eye level, in profile, from behind
  movement  push in, dolly in, pull back, pan/tilt/zoom/truck/crane/pedestal + direction,
            tracking shot, the camera follows, orbit/arc, handheld, static, locked off,
            with slow/slowly/gentle or fast/quick
  more      "85mm", "a 35 mm lens", "telephoto lens", "3 seconds", "for 5s", shallow/deep
            focus, fade in/out, dissolve, match/smash cut, "at night", "light from the left",
            "backlit", "continuing from shot 4", dialogue in quotes
  people    by name, @handle, or she/he/they. When a pronoun could mean two people it asks,
            and the answer ("Mara", "both", "the first one") completes the shot.
  A sentence that only introduces someone adds them without a shot. Camera words alone
  ("Slow push-in.") and a line of dialogue right after a new shot join that shot.
Commands (shots by id "shot 3", "shots 2 and 5", "the first/last shot", or "it")
  make/change/set shot 2 ... (shot words, "at night", "5 seconds long", "wider", "tighter",
  "slower", "longer", "with Tom", "without Mara", a quoted line, "no dialogue");
  add Tom to shot 3; redo/retake shot 4 [with changes]; lock/unlock shot 3 (or everything);
  delete/remove/cut shot 5; move shot 2 after/before shot 4, to the start/end, up/down;
  swap shots 2 and 3; add a close-up of Mara after shot 2; undo [that / 3 times]; redo;
  render [shot 3 / shots 2 and 5 / everything] [on wan] [again]; compare shot 1 on previz
  and wan; use take 2 for shot 3; export / make the final cut; call the film The Letter;
  make it 16:9 / vertical / square; 720p; 24 fps; the look is warm 70s film.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from storyreel.agent.director import DirectorReply
from storyreel.agent.handles import ask_about, unknown_handles
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    AskPerson,
    BindReference,
    CompareBackends,
    EditModel,
    ExportFilm,
    MoveShot,
    RedoChange,
    ReferenceFromTake,
    RemoveShot,
    RenderShots,
    SelectTake,
    SetLock,
    SetStyle,
    UndoChange,
    UpdateCharacter,
    UpdateLocation,
    UpdateShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import (
    RESOLUTIONS,
    Shot,
    StoryPlan,
    check_name,
    handle_of,
    parse_aspect,
)
from storyreel.tools.vocabulary import (
    Angle,
    DepthOfField,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    Transition,
    parse_term,
)

OFFLINE_NOTICE = (
    "(I'm the offline director: I follow simple rules. For free-form direction, connect a "
    "language model: set OPENAI_BASE_URL, OPENAI_API_KEY and STORYREEL_MODEL.)"
)
HELP = (
    "I didn't catch any direction in that. I understand sentences like:\n"
    "- Mara, a tall woman in a red raincoat, waits on the pier.\n"
    "- We're at the harbour at dusk, light from the left.\n"
    '- Open on a wide shot of the harbour. Cut to a close-up of Mara. She says "Come home."\n'
    "- Make shot 2 a close-up. Lock shot 3. Move shot 2 after shot 4. Undo.\n"
    "- Render shots 2 and 5. Compare shot 1 on previz and wan. Export the film."
)
MAX_CHARS = 5000
"""Longer messages get a polite request to send the story in parts."""

# --- word tables -------------------------------------------------------------------


def _words(text: str) -> set[str]:
    """A word table written as one string."""
    return set(text.split())


_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS.split(" "))}
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth"
_ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split(" "), start=1)}
_N = "(?:" + "|".join([r"\d+", *sorted(_NUMBERS, key=len, reverse=True)]) + ")"
_FEMALE = _words(
    "woman women girl lady mother mom mum daughter sister wife grandmother grandma granny aunt "
    "queen princess actress waitress niece widow nun bride girlfriend heroine landlady"
)
_MALE = _words(
    "man men boy father dad son brother husband grandfather grandpa uncle king prince waiter "
    "nephew widower monk groom boyfriend gentleman guy lad hero landlord"
)
_NOT_MEN = {"human", "german", "roman", "shaman", "ottoman", "talisman", "caiman"}
_NEUTRAL_PEOPLE = _words(
    "person child kid teen teenager student sailor doctor nurse detective soldier artist "
    "painter writer musician stranger traveller traveler keeper farmer baker teacher officer "
    "pilot captain driver friend neighbour neighbor figure scientist chef cook singer dancer "
    "poet thief spy guard knight witch wizard robot fisher priest orphan baby youth maid "
    "butler clerk hermit dog cat"
)
_PEOPLE = _FEMALE | _MALE | _NEUTRAL_PEOPLE
_CLOTHES = _words(
    "coat raincoat jacket sweater jumper dress suit shirt t-shirt hat cap scarf boot jeans "
    "trousers pants skirt uniform hoodie cardigan gown robe overalls oilskin cloak vest blouse "
    "shoe apron parka tuxedo pyjamas pajamas sneaker glove helmet mac trench beanie tie "
    "waistcoat sari kimono mask glasses sunglasses"
)
_PLACES = _words(
    "harbour harbor port pier quay dock docks jetty wharf marina beach shore coast cliff cliffs "
    "sea ocean lake river bridge lighthouse boat ship cabin house cottage farmhouse farm barn "
    "kitchen bedroom bathroom hallway hall corridor attic cellar basement garage garden yard "
    "porch balcony roof rooftop street road alley lane square plaza market station platform "
    "train airport church chapel cathedral temple school classroom library museum hospital "
    "office shop store cafe bar pub restaurant diner hotel motel lobby apartment flat studio "
    "warehouse factory forest woods park field meadow hill mountain valley desert island "
    "village town city castle palace tower prison courtyard cemetery graveyard theatre theater "
    "cinema stage tunnel cave camp tent ruins dunes jungle swamp"
) | {"living room", "fish market", "train station", "bus stop", "lamp room", "sea wall"}
_COMMON = _words(
    "a an the and or but then next finally now so we i you it its this that these those there "
    "here she he they her him his their them our my your me us who what when where while as "
    "at in on of to from with by for into onto over under after before later meanwhile "
    "suddenly slowly quickly outside inside open cut close end show shot shots camera wide "
    "medium extreme establishing tracking start begin fade dissolve make change move lock "
    "unlock render export undo redo use select add delete remove compare call meet "
    "introducing scene location setting int ext night day dawn dusk morning evening noon "
    "sunset sunrise rain snow wind waves boats sea water light sun sky everything nothing "
    "someone everyone nobody all both no yes ok okay please thanks let's lets another one "
    "again same new old young little big film movie story take pan tilt zoom dutch dolly "
    "push pull low high over eye bird"
)
_UNDO_WORDS = _words(
    "that it this please the last change changes edit edits step steps thing time times twice again"
)
_ANSWER_WORDS = _words(
    "i mean meant it's its it is was she he her him they them the one ones yes oh sorry that's "
    "please both all everyone everybody neither nobody none no first second last and of who"
)
_RENDER_FILLER = _words(
    "it that this them everything all of the whole film movie story thing shots shot please now "
    "again for me out a new take takes fresh and so far what changed is there preview previews up"
)
_BACKENDS = {"previz": "previz", "animatic": "previz", "wan": "wan", "ltx": "ltx",
             "ltx-video": "ltx", "cogvideox": "cogvideox", "cogvideo": "cogvideox"}  # fmt: skip
_LENSES = {"wideangle": 24, "wide": 24, "fisheye": 12, "telephoto": 135, "long": 135,
           "portrait": 85, "macro": 100, "normal": 50, "standard": 50}  # fmt: skip
_SIZE_ORDER = list(ShotSize)
_GENDER_OF = {"she": "f", "her": "f", "hers": "f", "herself": "f",
              "he": "m", "him": "m", "his": "m", "himself": "m"}  # fmt: skip


def _rx(*parts: str) -> re.Pattern[str]:
    """Compile a case-insensitive pattern written as several short pieces."""
    return re.compile("".join(parts), re.I)


# --- camera vocabulary: (pattern, the word handed to parse_term) ----------------------

_SPEED = (
    r"slow|slowly|gentle|gently|gradual|gradually|subtle|quick|quickly|fast|rapid|rapidly"
    r"|sudden|suddenly|whip|snap|crash"
)
_SIZES = [
    (_rx(r"extreme(?:ly)?[\s-]+close[\s-]*(?:ups?|shots?)|(?-i:\b[EX]CU\b)",
         r"|detail[\s-]+shots?|insert[\s-]+shots?"), "ECU"),
    (_rx(r"medium[\s-]+close[\s-]*(?:ups?|shots?)|(?-i:\bMCU\b)|chest[\s-]+up"), "MCU"),
    (_rx(r"extreme[\s-]+(?:wide|long)(?:[\s-]+shots?)?|(?:wide\s+)?establishing(?:[\s-]+shots?)?",
         r"|(?-i:\bE[LW]S\b)"), "ELS"),
    (_rx(r"medium[\s-]+(?:long|wide)(?:[\s-]+shots?)?|cowboy[\s-]+shots?|knees[\s-]+up",
         r"|(?-i:\bMLS\b)"), "MLS"),
    (_rx(r"(?:medium|mid)[\s-]*shots?|waist[\s-]+up|(?-i:\bMS\b)"), "MS"),
    (_rx(r"close[\s-]*ups?|close[\s-]+shots?|\bclose\s+on\b|\btight\s+on\b|(?-i:\bCU\b)"), "CU"),
    (_rx(r"(?:wide|long|full)[\s-]+shots?|full[\s-]+body|\bwide\s+(?:on|of)\b|\bgo\s+wide\b",
         r"|(?-i:\b[LW]S\b)|\bwide\b(?=\s*(?:[,.;]|$))"), "LS"),
]  # fmt: skip
_ANGLES = [
    (_rx(r"low[\s-]+angle(?:[\s-]+shots?)?|from\s+(?:way\s+)?below|looking\s+up\s+at"), "low"),
    (_rx(r"high[\s-]+angle(?:[\s-]+shots?)?|from\s+high\s+up|looking\s+down\s+(?:at|on)"),
     "high"),
    (_rx(r"bird'?s?[\s-]*eye(?:[\s-]+(?:view|shot|angle))?|overhead(?:[\s-]+shot)?",
         r"|top[\s-]+down(?:[\s-]+shot)?|from\s+(?:directly\s+|straight\s+)?above"), "overhead"),
    (_rx(r"worm'?s?[\s-]*eye(?:[\s-]+(?:view|shot|angle))?"), "worms_eye"),
    (_rx(r"dutch(?:[\s-]+(?:angle|tilt))?|canted(?:[\s-]+angle)?"), "dutch"),
    (_rx(r"over[\s-]+(?:the|her|his|their|[a-z]+'s)[\s-]+shoulders?(?:[\s-]+shots?)?",
         r"|(?-i:\bOTS\b)"), "ots"),
    (_rx(r"eye[\s-]+level"), "eye_level"),
    (_rx(r"in\s+profile|profile\s+shot|side[\s-]+on"), "profile"),
    (_rx(r"from\s+behind"), "back"),
]  # fmt: skip
# (pattern, movement; "{0}" is the direction the pattern captured, True: an inflected
# verb ("pushes in", "pulls back") counts only next to "camera"/"we" or a speed word)
_MOVES = [
    (_rx(r"\bpan(?:s|ning|ned)?\s+from\s+(?:the\s+)?(?:left|right)\s+to\s+(?:the\s+)?",
         r"(left|right)\b"), "pan {0}", False),
    (_rx(r"\bpan(?:s|ning|ned)?\s+(?:slowly\s+|quickly\s+|over\s+|across\s+)?",
         r"(?:(?:to|towards)\s+(?:the\s+)?)?(left|right)\b"), "pan {0}", False),
    (_rx(r"\btilt(?:s|ing|ed)?\s+(?:slowly\s+)?(up|down)(?:wards?)?\b"), "tilt {0}", False),
    (_rx(r"\bzoom(?:s|ing|ed)?\s+(in|out)\b"), "zoom {0}", False),
    (_rx(r"\b(?:crane|jib|boom)(?:s|ing)?\s+(up|down)\b"), "crane {0}", False),
    (_rx(r"\b(?:pedestal|ped)(?:s|ing)?\s+(up|down)\b"), "pedestal {0}", False),
    (_rx(r"\b(?:truck|crab)(?:s|ing)?\s+(?:to\s+the\s+)?(left|right)\b"), "truck {0}", False),
    (_rx(r"\b(?:orbit|arc|circle)(?:s|ing)?(?:\s+around\s+(?:her|him|them|[a-z]+))?",
         r"(?:\s+(?:to\s+the\s+)?(left|right))?\b"), "orbit {0}", True),
    (_rx(r"\b(?:push|dolly|track|move|creep)(?:es|s|ing|ies)?[\s-]+in\b(?!to|side)",
         r"(?:\s+(?:on|to|towards|closer))?|\bpush(?:es|ing)?\s+(?:closer|forward)",
         r"|\bdolly(?:ing)?\s+forward"), "dolly in", True),
    (_rx(r"\b(?:pull|dolly|track|move)(?:s|ing|ies)?[\s-]+(?:out|back|away)\b"), "dolly out", True),
    (_rx(r"\bdolly\b"), "dolly in", False),
    (_rx(r"\bzoom(?:s|ing)?(?:\s+(?:on|into|onto|towards))?\b"), "zoom in", False),
    (_rx(r"\bpan(?:s|ning)?\b(?:\s+across)?"), "pan right", False),
    (_rx(r"\bcamera\s+(?:rises|climbs|lifts)\b"), "crane up", False),
    (_rx(r"\bcamera\s+(?:descends|lowers|drops)\b"), "crane down", False),
    (_rx(r"\btracking(?:[\s-]+shots?)?|\bsteadicam\b|\b(?:the\s+)?camera\s+follows\b",
         r"|\bwe\s+follow\b|\bfollow(?:ing)?[\s-]+shots?\b",
         r"|\btracks?\s+(?:with|alongside)(?:\s+(?:her|him|them))?\b"),
     "tracking", False),
    (_rx(r"\bhand[\s-]*held\b|\bshaky[\s-]*cam(?:era)?\b"), "handheld", False),
    (_rx(r"\bstatic(?:\s+(?:shot|camera|frame))?\b|\blocked[\s-]+off\b|\bon\s+a\s+tripod\b",
         r"|\b(?:still|fixed)\s+camera\b|\bno\s+camera\s+move(?:ment)?\b",
         r"|\bdon'?t\s+move\s+the\s+camera\b|\bhold(?:s|ing)?\s+on\b"), "static", False),
    (_rx(r"\bbarrel\s+roll\b|\bcamera\s+rolls\b"), "roll", False),
]  # fmt: skip
_DOF = [
    (_rx(r"(?:\b(?:with|in)\s+)?(?:\ba\s+)?\bshallow\s+(?:focus|depth[\s-]+of[\s-]+field|dof)\b",
         r"|\bbokeh\b|\b(?:blurred|blurry|soft)\s+background\b"), "shallow"),
    (_rx(r"(?:\b(?:with|in)\s+)?(?:\ba\s+)?\bdeep\s+(?:focus|depth[\s-]+of[\s-]+field|dof)\b",
         r"|\beverything\s+(?:is\s+)?(?:in\s+focus|sharp)\b"), "deep"),
]  # fmt: skip
_TRANSITIONS = [
    (_rx(r"\b(?:fade|fading)\s+(?:in|up)(?:\s+from\s+black)?(?:\s+(?:on|to))?\b",
         r"|\bfade\s+from\s+black\b"), "fade_in"),
    (_rx(r"\bfades?\s+(?:out|to\s+black)\b"), "fade_out"),
    (_rx(r"\b(?:cross[\s-]?)?dissolves?(?:\s+(?:to|into))?\b|\bcross[\s-]?fade\b"), "dissolve"),
    (_rx(r"\bmatch[\s-]+cut(?:\s+to)?\b"), "match_cut"),
    (_rx(r"\bsmash[\s-]+cut(?:\s+to)?\b"), "smash_cut"),
]  # fmt: skip
_LENS_RE = _rx(
    r"(?:\b(?:on|with|using|through)\s+)?(?:\ban?\s+)?",
    r"(?:\b(\d{1,4})\s*-?\s*(?:mm|millimet(?:er|re)s?)\b(?:\s+lens)?",
    r"|\b(wide[\s-]+angle|wide|fish[\s-]?eye|telephoto|long|portrait|macro|normal|standard)",
    r"\s+lens\b|\b(fish[\s-]?eye|telephoto|wide[\s-]angle)\b)",
)
_DURATION_RE = _rx(
    r"(?:\b(?:for|lasting|lasts|of|about|around)\s+)?(?:\ban?\s+)?",
    rf"\b({_N}(?:\.\d+)?)\s*-?\s*(?:s|secs?|seconds?)\b(?:\s+long)?",
)
_TIME_RE = _rx(
    r"\b(?:(?:at|by|during|around|before|after|in|into|that|this|one|late|early)\s+",
    r"(?:the\s+)?)?(first light|golden[\s-]hour|blue[\s-]hour|night[\s-]?time|nightfall|night",
    r"|midnight|tonight|dawn|sunrise|daybreak|morning|midday|noon|afternoon|sunset|dusk",
    r"|evening|twilight|daylight|daytime)\b|\b(?:during\s+the|by)\s+(day)\b",
)
_TIME_WORDS = {"first light": "dawn", "nightfall": "dusk", "tonight": "night", "daylight": "noon"}
_LIGHT_RE = _rx(
    r"(?:\b(?:with|and)\s+)?(?:\b(?:the|a)\s+)?",
    r"(?:\b(?:soft|hard|warm|cool|cold|golden|low|side|harsh|bright)\s+)?",
    r"\b(?:(?:key\s+)?light(?:ing)?|sun(?:light)?|lamp\s*light|window\s+light|key)\s+",
    r"(?:(?:is|should|will)\s+)?(?:(?:come|comes|coming|fall|falls|falling|shine|shines|shining)\s+)?",
    r"(?:from|on)\s+",
    r"(?:the\s+)?(left|right|front|behind|above|back|top)\b",
    r"|\blit\s+from\s+(?:the\s+)?(left|right|front|behind|above|top)\b",
    r"|\bkey\s+light\s+(left|right)\b|\b(back[\s-]?lit|rim[\s-]?lit|rim\s+light|backlight)",
)
_WEATHER_RE = _rx(r"\b(rain|rainy|fog|foggy|mist|misty|snow|snowy|storm|stormy|overcast)\b")
_WEAK_CUE = r"(?:(?:and|so|now|ok(?:ay)?|later|meanwhile)\b[,:]?\s*)"
_CUE_RE = _rx(
    rf"^{_WEAK_CUE}*(?P<cue>(?:(?:then|next|finally|lastly|after\s+that|afterwards)\b[,:]?\s*",
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
_PRONOUN_RE = _rx(r"\b(she|her|hers|herself|he|him|his|himself|they|them|their|themselves)\b")
_NAME = r"(?-i:([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+)?))"
_LEAD = r"^\s*(?:(?:and|then|now|so)\s+)?"
_MEET_RE = _rx(
    r"^\s*(?:meet|introducing|this\s+is|here'?s|say\s+hello\s+to|we\s+meet)\s+",
    _NAME,
    r"\s*(?::|,|-|\u2013|\u2014|\bwho\s+is\b|\bwho's\b)\s*(.+)$",
)
_IS_RE = _rx(_LEAD, _NAME, r"\s+(?:is|was)\s+(an?\s+.+|in\s+(?:her|his|their)\s+\w+ies\b.*)$")
_WEARS_RE = _rx(
    _LEAD,
    _NAME,
    r"\s+(?:now\s+)?(?:wears|is\s+wearing|is\s+dressed\s+in|changes\s+into",
    r"|has\s+changed\s+into|puts\s+on)\s+(.+)$",
)
_PLACE_IS_RE = _rx(r"^\s*(?:the\s+)?([a-z][a-z' \-]{1,40}?)\s+(?:is|was)\s+(an?\s+.+)$")
_CALLED_RE = _rx(r"\b(an?\s+(?:[a-z][a-z'\-]*\s+){0,5}?)(?:named|called)\s+", _NAME, r"\b")
_APPOSITIVE_RE = _rx(r"\b", _NAME, r",\s+((?:an?|the)\s+[^,;]+?)(?=\s*(?:,|;|$))")
_WARDROBE_RE = _rx(
    r"(?:,\s*)?\b(wearing|dressed\s+in|clad\s+in|in(?!\s+(?:her|his|their)\s+\w+ies\b))",
    r"\s+(.+?)",
    r"(?=\s*(?:,|;|$)|\s+(?:with|who|in)\b)",
)
_SLUG_RE = re.compile(
    r"^\s*(?:INT|EXT|INT\.?/EXT)\.?\s+([A-Za-z' ]+?)(?:\s*[-\u2013\u2014]+\s*([A-Za-z ]+))?\s*$"
)
_SETTING_START_RE = _rx(
    r"^\s*(?:(?:and|then|now|so|later|next|finally|meanwhile)\b[,\s]*)*",
    r"(?:(?:we'?re|we\s+are|it'?s|(?:we\s+)?cut\s+to|back\s+to|fade\s+in\s+(?:on|to)",
    r"|open\s+on|dissolve\s+to)\s*)?$",
)
_CONTINUE_RE = _rx(
    r",?\s*\b(?:continu(?:ing|es|e|ous|ously)|carrying\s+on|picking\s+up)\s+(?:on\s+)?",
    r"(?:from|after|with)\s+(?:the\s+)?(?:(previous|last)\s+(?:shot|one)|shot\s*#?(\d+))",
)
_SETTING_PREFIX_RE = _rx(r"\s*((?:at|in|on|inside|outside|by|during)\b[^,:;]{1,60})[,:]\s+(?=\S)")
_PLACE_PREP_RE = _rx(
    r"\b(at|in|on|inside|outside|by|near|into|onto|to|across|along|through|under|beside)",
    r"\s+the\s+",
)
_QUOTE_RE = re.compile(r'"([^"]*)"|\u201c([^\u201d]*)\u201d')
_QUOTE_MARK = re.compile("\ue000(\\d+)\ue001")
_SPEECH_RE = _rx(
    r"\b(says|said|asks|replies|answers|tells\s+(?:her|him|them)|whispers|shouts|murmurs",
    r"|cries)\b[,:]?",
)
_NOT_A_SECOND = r"(?!\s*(?:s\b|secs?\b|seconds?\b|mm\b|fps\b|:\s*\d|p\b))"
_REF_RE = _rx(
    rf"\bshots?\s*(?:#|no\.?\s*|number\s+)?({_N})\b{_NOT_A_SECOND}",
    rf"((?:\s*(?:,|and|&|\+|or)\s*(?:shot\s*)?#?{_N}\b{_NOT_A_SECOND})*)",
    rf"(?:\s*(?:-|\u2013|to|through|thru)\s*(\d+)\b{_NOT_A_SECOND})?",
    r"|\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last",
    r"|final|opening|previous)\s+(?:shot|one)\b|\b(this|that|the\s+same)\s+(?:shot|one)\b",
    rf"|\b(?:the\s+)?(first|last)\s+({_N})\s+shots\b",
)
_PRE_RE = _rx(
    r"(?:\b(?:with|in|on|using|through|from|for|as|and|while|at|into)\s+)?",
    r"(?:\b(?:an?|the|another)\s+)?$",
)
_OBJECT_FOLLOWS = r"\s*(?:$|,|\b(?:into|along|through|across|to|down|up|out|from|around|as|while))"
_LEAD_RE = _rx(r"^(?:(?:of|on|as|with|while|and|then|where|showing|to|camera|shots?)\b[\s,]*)+")
_TAIL_RE = _rx(r"(?:[\s,]*\b(?:and|with|as|of|the|a|an|while|shot)\b)+[\s,]*$")
_POST_RE = _rx(r"^\s*(?:of|on|showing|as|where|while|to\s+reveal|revealing)\b")


# --- small helpers -----------------------------------------------------------------


def _number(word: str) -> float:
    """A digit string or a number word ("three") as a number."""
    return float(_NUMBERS[word.lower()]) if word.lower() in _NUMBERS else float(word)


def _join(items: list[str]) -> str:
    """ "Mara", "Mara and Tom", "Mara, Tom and Ana"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ids(ids: list[int]) -> str:
    """ "shot 3" or "shots 2 and 5"."""
    return f"shot{'s' if len(ids) > 1 else ''} {_join([str(i) for i in ids])}"


def _cut(text: str, start: int, end: int, greedy: bool = True) -> str:
    """Remove text[start:end], with a dangling "with a"/"in the" before and "of"/"as" after."""
    if greedy:
        window = max(0, start - 40)  # look back a few words only: keeps long text fast
        if pre := _PRE_RE.search(text[window:start]):
            start = window + pre.start()
        end += post.end() if (post := _POST_RE.match(text[end:])) else 0
    return f"{text[:start]} {text[end:]}"


def _tidy(text: str) -> str:
    """Make what is left of a sentence readable: spaces, commas, dangling little words."""
    text = _QUOTE_MARK.sub(" ", text)
    text = re.sub(r"\(\s*\)|\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(\s*[,;:])+", r"\1", text)
    for _ in range(3):
        text = _TAIL_RE.sub("", _LEAD_RE.sub("", text.strip(" ,;:-.!?\u2013\u2014")))
    return text[:1].upper() + text[1:]


def _gender(text: str) -> str | None:
    """ "f", "m" or None, from the words of a description (nouns first, then pronouns)."""
    words = re.findall(r"[a-z]+", text.lower())
    for word in words:
        if word.endswith(("woman", "women")) or word in _FEMALE:
            return "f"
        if word in _MALE or (re.fullmatch(r"\w+m[ae]n", word) and word not in _NOT_MEN):
            return "m"
    pronouns = [_GENDER_OF[w] for w in words if w in _GENDER_OF]
    return pronouns[0] if pronouns else None


def _split_wardrobe(text: str) -> tuple[str, str]:
    """ "a tall woman in a red raincoat" -> ("a tall woman", "a red raincoat")."""
    pieces, description = [], text
    for m in reversed(list(_WARDROBE_RE.finditer(text))):
        words = set(re.findall(r"[a-z\-]+", m.group(2).lower()))
        if m.group(1).lower() != "in" or (words | {w.rstrip("s") for w in words}) & _CLOTHES:
            pieces.insert(0, m.group(2).strip())
            description = description[: m.start()] + description[m.end() :]
    return re.sub(r"\s+", " ", description).strip(" ,;."), " and ".join(pieces)


def _clean_name(raw: str) -> str | None:
    """ "Then Mara" -> "Mara"; None when no usable name is left."""
    name = " ".join(w for w in raw.split() if w.lower() not in _COMMON).strip(" '-")
    try:
        return check_name(name, "character") if name else None
    except StoryreelError:
        return None


def _time(text: str) -> TimeOfDay | None:
    """The time of day a sentence names ("at dusk", "at night", "in the morning")."""
    if not (m := _TIME_RE.search(text)):
        return None
    word = (m.group(1) or m.group(2)).lower()
    return parse_term(TimeOfDay, "noon" if word == "day" else _TIME_WORDS.get(word, word))


def _fields(text: str) -> tuple[dict[str, Any], str]:
    """The camera words in `text` as shot fields, and the text without them."""
    fields: dict[str, Any] = {}
    if m := _LIGHT_RE.search(text):
        word = next(g for g in m.groups() if g).lower()
        side = "back" if word.startswith(("back", "rim", "behind")) else word
        fields["key_light_side"] = parse_term(LightSide, "top" if side == "above" else side)
        text = _cut(text, *m.span())
    if m := _LENS_RE.search(text):
        word = m.group(2) or m.group(3)
        mm = int(m.group(1)) if m.group(1) else _LENSES[re.sub(r"[^a-z]", "", word.lower())]
        if 4 <= mm <= 1200:
            fields["lens_mm"] = mm
            text = _cut(text, *m.span(), greedy=False)
    for m in _DURATION_RE.finditer(text):
        if 0 < (seconds := _number(m.group(1))) <= 60:
            fields["duration_s"] = seconds
            text = _cut(text, *m.span(), greedy=False)
            break
    for key, enum, table in (
        ("transition", Transition, _TRANSITIONS),
        ("depth_of_field", DepthOfField, _DOF),
        ("size", ShotSize, _SIZES),
        ("angle", Angle, _ANGLES),
    ):
        for pattern, word in table:
            if m := pattern.search(text):
                fields[key] = parse_term(enum, word)
                text = _cut(text, *m.span())
                break
    return fields, _movement(text, fields)


def _movement(text: str, fields: dict[str, Any]) -> str:
    """Find a camera movement and its speed; return the text without them."""
    for pattern, word, needs_camera in _MOVES:
        for m in pattern.finditer(text):
            before = text[: m.start()]
            hyphenated = re.match(r"[a-z]+-", m.group(0).lower())
            in_context = re.search(rf"(?:^|,|\b(?:camera|we|a|an|then|{_SPEED}))\s*$", before, re.I)
            if needs_camera and not hyphenated and not in_context:
                continue  # "Tom pulls out a letter" is not a camera move
            direction = m.group(1) if pattern.groups else None
            fields["movement"] = parse_term(Movement, word.format(direction or "right"))
            pre = _rx(
                rf"(?:\b(?:the\s+)?camera\s+)?(?:\b({_SPEED})\s+)?(?:\b(?:the\s+)?camera\s+)?$"
            )
            pre_m = pre.search(before)
            post_m = _rx(rf"\s+({_SPEED})\b").match(text[m.end() :])
            if speed := (pre_m and pre_m.group(1)) or (post_m and post_m.group(1)):
                slow = re.match(r"slow|gentl|gradual|subtle", speed, re.I)
                fields["movement_speed"] = "slow" if slow else "fast"
            end = m.end() + (post_m.end() if post_m else 0)
            return _cut(text, pre_m.start() if pre_m else m.start(), end)
    return text


def _answer(text: str, choices: list[str]) -> list[str] | None:
    """Whom an answer to "who do you mean?" names; None when it is not an answer."""
    low = re.sub(r"[^\w\s'-]", " ", text.lower())
    words = low.split()
    names = {w for c in choices for w in c.lower().split()}
    if not words or any(w not in _ANSWER_WORDS and w not in names for w in words):
        return None  # new direction ("Close-up of Mara"), not an answer
    if set(words) & {"both", "all", "everyone", "everybody"}:
        return list(choices)
    if set(words) & {"neither", "nobody", "none"} or "no one" in low:
        return []
    hits = [c for c in choices if re.search(rf"\b{re.escape(c.lower())}\b", low)]
    if len(hits) == 1 or (hits and " and " in low):
        return hits
    for word, index in (("first", 0), ("second", 1), ("last", -1)):
        if word in words and not hits and len(choices) > index:
            return [choices[index]]
    return None


_CLAUSE_BREAK = _rx(
    r",?\s+(?=(?:and\s+)?then\s+\w)",
    r"|,\s+(?=(?:an?\s+)?(?:extreme\s+|medium\s+)?(?:close[\s-]*up|wide\s+shot|medium\s+shot",
    r"|establishing|cut\s+to)\b)",
    r"|(?:,?\s+and|,)\s+(?=(?:then\s+|please\s+)?(?:lock|unlock|render|export|delete|remove",
    r"|move|make|change|undo|redo|compare|use|select|get\s+rid)\b)",
)


def _split_clauses(paragraph: str) -> list[str]:
    """Sentences, then clauses: at ";", before "then" or a shot size, before a joined command."""
    text = re.sub(r"\b(Dr|Mr|Mrs|Ms|St|vs|INT|EXT)\.", "\\1\ue002", paragraph)
    text = re.sub(r"(?m)^\s*(?:\d+[.)]|[-*\u2022])\s+", "", text)
    clauses = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+|;", text):
        for part in _CLAUSE_BREAK.split(sentence):
            if part and part.strip(" .,"):
                clauses.append(part.replace("\ue002", ".").strip())
    return clauses


@dataclass
class _Person:
    """A character as this message sees it (the plan's, or one just added)."""

    name: str
    description: str
    wardrobe: str = ""

    @property
    def gender(self) -> str | None:
        """ "f", "m" or None, from the description and wardrobe."""
        return _gender(f"{self.description} {self.wardrobe}")


@dataclass
class _Place:
    """A location as this message sees it: its name, time of day and key light."""

    name: str
    time: TimeOfDay | None = None
    light: LightSide | None = None


@dataclass
class _Found:
    """A place a sentence names: known already, or `new` with a description."""

    name: str
    description: str = ""
    new: bool = False
    time: TimeOfDay | None = None
    weak: bool = False  # named in passing ("walks along the quay"), not where the scene is


class _NeedAnswer(Exception):
    """A pronoun could mean several people: stop and ask."""

    def __init__(self, pronoun: str, gender: str, choices: list[str]) -> None:
        super().__init__(pronoun)
        self.pronoun, self.gender, self.choices = pronoun, gender, choices


class _Turn:
    """One message being read: the plan as it will be, the edits so far, and what to say."""

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
            handle_of(c.name): _Person(c.name, c.description, c.wardrobe) for c in plan.characters
        }
        self.places = {
            handle_of(p.name): _Place(p.name, p.time_of_day, p.key_light.side)
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

    def _known_place(self, name: object) -> str | None:
        """The canonical name of a place that exists, else None."""
        key = handle_of(name) if isinstance(name, str) else ""
        return self.places[key].name if key in self.places else None

    # --- reading -------------------------------------------------------------------

    def run(self, text: str, keep_paragraph: bool = False) -> None:
        """Read every paragraph and clause; stop early to ask whom a pronoun means."""
        text = _QUOTE_RE.sub(self._stash_quote, text)
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        for p_index, paragraph in enumerate(paragraphs):
            clauses = _split_clauses(paragraph)
            if not (keep_paragraph and p_index == 0):
                self._begin_paragraph(clauses)
            for c_index, clause in enumerate(clauses):
                try:
                    self._clause(clause)
                except _NeedAnswer as need:
                    later = [_split_clauses(p) for p in paragraphs[p_index + 1 :]]
                    self._ask(need, clause, [clauses[c_index + 1 :], *later])
                    return
                except (ValidationError, StoryreelError, ValueError, KeyError):
                    self.notes.append(f'I could not use "{self._restore(clause)}".')
                self.forced = {}
            self.memo["location"] = self.location
        self.finish()

    def _stash_quote(self, m: re.Match[str]) -> str:
        """Keep a quoted line aside; leave a marker so its punctuation cannot split sentences."""
        self.quotes.append((m.group(1) if m.group(1) is not None else m.group(2)).strip())
        return f" \ue000{len(self.quotes) - 1}\ue001 "

    def _restore(self, text: str, mark: str = '"') -> str:
        """The text with its quoted lines put back."""
        text = _QUOTE_MARK.sub(lambda m: f"{mark}{self.quotes[int(m.group(1))]}{mark}", text)
        return re.sub(r"\s+", " ", text).strip()

    def _dialogue(self, text: str) -> str:
        """The quoted lines in a clause, joined."""
        lines = [self.quotes[int(i)].rstrip(",") for i in _QUOTE_MARK.findall(text)]
        return " ".join(line for line in lines if line)

    def _begin_paragraph(self, clauses: list[str]) -> None:
        """A new paragraph: forget its overrides; the place it is set in holds for all its shots
        (the first place said as a setting, "we're at the harbour at dusk", else the first one).
        """
        self.par_time = self.par_light = None
        self.last_new = None
        places = [(c, f) for c in clauses if not _REF_RE.search(c) and (f := self._place_for(c))]
        if places:
            clause, found = next(((c, f) for c, f in places if not f.weak), places[0])
            light = _fields(clause)[0].get("key_light_side")
            self.location = self._use_place(found, found.time or _time(clause), light, clause)

    def _clause(self, clause: str) -> None:
        """One clause: help, a command, or direction."""
        clause = self._continuation(clause)
        low = clause.lower().strip(" .!?")
        if re.fullmatch(r"help|\?+|what can (?:you|i) (?:do|say)|examples?", low):
            return
        for handler in (
            self._undo_redo,
            self._export,
            self._title,
            self._compare,
            self._frame_reference,
            self._select_take,
            self._lock,
            self._move,
            self._delete,
            self._render,
            self._retake,
            self._style,
            self._update,
        ):
            if handler(clause):
                self.understood = True
                return
        self._direction(clause)

    def _continuation(self, clause: str) -> str:
        """ "..., continuing from shot 4": remember the shot; return the clause without it."""
        self.continues = None
        if not (m := _CONTINUE_RE.search(clause)):
            return clause
        if m.group(2):
            self.continues = next(iter(self._existing([int(m.group(2))])), None)
        elif self.last_new is None and self.order:
            self.continues = self.order[-1]
        else:
            self.notes.append("A shot can only continue from a shot that exists already.")
        return f"{clause[: m.start()]} {clause[m.end() :]}"

    # --- people --------------------------------------------------------------------

    def _introductions(self, text: str) -> tuple[str, bool]:
        """Add or update the people a clause introduces; return what is left of it."""
        place = _PLACE_IS_RE.match(text)
        if place and handle_of(place.group(1)) in self.places:
            known = self.places[handle_of(place.group(1))]
            description = self._restore(place.group(2)).strip(" .")
            self.edits.append(UpdateLocation(name=known.name, description=description))
            self.said.append(f"Updated the {known.name.lower()}.")
            return "", True
        for pattern in (_MEET_RE, _IS_RE, _WEARS_RE):
            if (m := pattern.match(text)) and (name := _clean_name(m.group(1))):
                said = self._restore(m.group(2)).strip(" .")
                if pattern is _WEARS_RE:
                    self._introduce(name, "", said)
                else:
                    said = re.split(r",\s*(?:who|while|as|and then|then)\b", said)[0]
                    self._introduce(name, *_split_wardrobe(said))
                return "", True
        introduced = False
        for pattern in (_CALLED_RE, _APPOSITIVE_RE):
            for m in reversed(list(pattern.finditer(text))):
                called = pattern is _CALLED_RE
                description, name = m.group(1 if called else 2), m.group(2 if called else 1)
                words = set(re.findall(r"[a-z]+", description.lower()))
                person = words & _PEOPLE or any(w.endswith(("man", "woman")) for w in words)
                if (name := _clean_name(name)) and person:
                    if handle_of(name) in self.people:  # a passing description: keep the bible
                        name = self.people[handle_of(name)].name
                    else:
                        self._introduce(name, *_split_wardrobe(description.strip(" ,")))
                        introduced = True
                    text = f"{text[: m.start()]} {name}{' ' if called else ''}{text[m.end() :]}"
                    text = re.sub(rf"\b({re.escape(name)})\s*,\s*", r"\1 ", text, count=1)
        return text, introduced

    def _introduce(self, name: str, description: str, wardrobe: str) -> None:
        """AddCharacter for someone new; UpdateCharacter when someone known is described anew."""
        key = handle_of(name)
        person = self.people.get(key)
        if person is None and key in self.places:
            self.notes.append(f"{name} is already the name of a place, so I did not add a person.")
            return
        description = re.sub(r"^(A|An|The)\b", lambda m: m.group(1).lower(), description)
        if person is None:
            description = description or "a person"
            self.edits.append(AddCharacter(name=name, description=description, wardrobe=wardrobe))
            self.people[key] = _Person(name, description, wardrobe)
            self.added.append(name)
        else:
            changes = {}
            if description and description.lower() not in person.description.lower():
                changes["description"] = person.description = description
            if wardrobe and wardrobe.lower() != person.wardrobe.lower():
                changes["wardrobe"] = person.wardrobe = wardrobe
            if changes:
                self.edits.append(UpdateCharacter(name=person.name, **changes))
                self.said.append(f"Updated {person.name}'s {' and '.join(changes)}.")
            name = person.name
        self._mention([name])

    def _names_in(self, text: str) -> list[str]:
        """Known people named in `text` (by name or @handle), in order of appearance."""
        found = []
        for person in self.people.values():
            flags = 0 if person.name.lower() in _COMMON else re.I
            name, handle = re.escape(person.name), re.escape(handle_of(person.name))
            if m := re.search(rf"(?<![\w@])@?{name}\b|@{handle}\b", text, flags):
                found.append((m.start(), person.name))
        return [name for _, name in sorted(found)]

    def _strangers(self, body: str) -> list[str]:
        """Capitalised words that look like the names of people nobody introduced."""
        known = {
            w.lower()
            for p in [*self.people.values(), *self.places.values()]
            for w in p.name.split()
        }
        ignore = _COMMON | known | _PLACES | _PEOPLE | _CLOTHES
        first = len(body) - len(body.lstrip())
        out = []
        for m in re.finditer(r"(?<![@\w'])[A-Z][a-z]+\b", body):
            if m.group(0).lower() in ignore:
                continue
            after = re.match(r"\s+([a-z]+)", body[m.end() :])
            if m.start() == first and not (after and after.group(1).endswith("s")):
                continue
            out.append(m.group(0))
        return list(dict.fromkeys(out))

    def _mention(self, names: list[str]) -> None:
        """Remember who was just talked about (for she/he/they), most recent last."""
        if names:
            groups = self.memo.setdefault("mentions", [])
            groups.append(list(names))
            del groups[:-6]
            self.memo["last_characters"] = list(names)

    def _groups(self) -> list[list[str]]:
        """Who was talked about together, oldest first (people that still exist)."""
        groups = self.memo.get("mentions") or []
        alive = [
            [n for n in g if isinstance(n, str) and handle_of(n) in self.people]
            for g in groups
            if isinstance(g, list)
        ]
        return [g for g in alive if g]

    def _gender_of(self, name: str) -> str | None:
        """The gender the description of a known person implies."""
        return self.people[handle_of(name)].gender

    def _cast(self, text: str, names: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """Everyone in a shot: the names, plus whom each pronoun means (or _NeedAnswer)."""
        cast, resolved = list(names), {}
        for m in _PRONOUN_RE.finditer(_QUOTE_MARK.sub(" ", text)):
            word = m.group(1).lower()
            kind = _GENDER_OF.get(word, "p")
            if kind not in resolved:
                forced = self.forced.get(kind)
                resolved[kind] = forced if forced is not None else self._resolve(word, kind, names)
                cast += [n for n in resolved[kind] if n not in cast]
        return cast, resolved

    def _resolve(self, word: str, kind: str, names: list[str]) -> list[str]:
        """Whom a pronoun means: someone named alongside, the latest who fits, or ask."""
        groups = self._groups()
        if kind == "p":  # "they": the latest group of people, else the latest person
            plural = [g for g in groups[-3:] if len(g) > 1]
            return [] if names else (plural or groups or [[]])[-1]
        if named := [n for n in names if self._gender_of(n) == kind]:
            return named
        for fits in (lambda n: self._gender_of(n) == kind, lambda n: self._gender_of(n) is None):
            for group in reversed(groups):
                if len(fit := [n for n in group if fits(n) and n not in names]) == 1:
                    return fit
                if fit:
                    raise _NeedAnswer(word, kind, fit)
        fit = [p.name for p in self.people.values() if p.gender == kind and p.name not in names]
        if len(fit) > 1:
            raise _NeedAnswer(word, kind, fit)
        return fit

    def _ask(self, need: _NeedAnswer, clause: str, rest: list[list[str]]) -> None:
        """Ask whom a pronoun means; keep the clause and the rest of the message for later."""
        said = self._restore(clause)
        who = ", ".join(need.choices[:-1]) + " or " + need.choices[-1]
        self.question = f"Who do you mean by '{need.pronoun}' in \"{said}\": {who}?"
        self.edits.append(AskPerson(question=self.question, choices=need.choices))
        self.memo["pending"] = {
            "clause": said,
            "gender": need.gender,
            "choices": need.choices,
            "rest": ["; ".join(self._restore(c) for c in paragraph) for paragraph in rest],
            "location": self.location,
            "time": self.par_time.value if self.par_time else None,
            "light": self.par_light.value if self.par_light else None,
        }

    # --- places --------------------------------------------------------------------

    def _find_place(self, text: str) -> _Found | None:
        """The place a sentence is set in: a slug line, a known place, or "at the X"."""
        if m := _SLUG_RE.match(self._restore(text, "")):
            try:
                time = parse_term(TimeOfDay, m.group(2)) if m.group(2) else None
            except StoryreelError:
                time = None
            return self._place_named(m.group(1).lower().split(), time)
        known = []
        for place in self.places.values():
            for m in re.finditer(rf"(?<![\w@])@?{re.escape(place.name)}\b", text, re.I):
                away = r"\b(?:towards?|from|past|leaves|leaving)\s+(?:the\s+)?$"
                if not re.search(away, text[: m.start()], re.I):
                    known.append((m.start(), place.name))
                    break
        if known:
            return _Found(min(known)[1])
        for m in _PLACE_PREP_RE.finditer(text):
            if m.group(1).lower() == "to" and re.search(r"\w+s\s+$", text[: m.start()]):
                continue  # "walks to the lighthouse" is not there yet
            after = text[m.end() :].lower()
            words = re.match(r"(?:[a-z][a-z'\-]*\s*){1,4}", after)
            if found := self._place_in(words.group(0).split() if words else [], after):
                found.weak = found.weak and not _SETTING_START_RE.match(text[: m.start()])
                return found
        return None

    def _place_for(self, text: str) -> _Found | None:
        """The place a shot happens in; a new one named in passing keeps the current place."""
        found = self._find_place(text)
        return None if found and found.new and found.weak and self.location else found

    def _place_in(self, words: list[str], after: str) -> _Found | None:
        """The longest run of words naming a place ("old lighthouse", "fish market")."""
        stop = {"and", "with", "of", "her", "his", "their", "a", "an", "the", "at", "in", "on"}
        timed = _rx(
            r"\s+(?:at|during|in\s+the)\s+(?:dawn|dusk|night|sunset|sunrise|noon",
            r"|midnight|morning|evening|afternoon|twilight|golden|blue)",
        )
        for k in range(len(words), 0, -1):
            run = words[:k]
            timed_run = bool(timed.match(after.split(" ".join(run), 1)[-1]))
            if set(run) & stop:
                continue
            if k >= 2 and " ".join(run[-2:]) in _PLACES:
                found = self._place_named(run, None, head=run[-2:])
            elif run[-1] in _PLACES or (k <= 3 and timed_run):
                found = self._place_named(run, None, head=run[-1:] if run[-1] in _PLACES else None)
            else:
                continue
            if found:
                found.weak = not timed_run
            return found
        return None

    def _place_named(
        self, words: list[str], time: TimeOfDay | None, head: list[str] | None = None
    ) -> _Found | None:
        """A known place these words name, or a new one ("old lighthouse" -> "Lighthouse")."""
        name = " ".join(w.capitalize() for w in head or words)
        for candidate in (name, " ".join(w.capitalize() for w in words)):
            if handle_of(candidate) in self.places:
                return _Found(self.places[handle_of(candidate)].name, time=time)
        try:
            name = check_name(name, "location")
        except StoryreelError:
            return None
        if handle_of(name) in self.people:
            return None
        return _Found(name, "the " + " ".join(words), new=True, time=time)

    def _use_place(
        self, found: _Found, time: TimeOfDay | None, light: LightSide | None, text: str
    ) -> str:
        """Add a new place (with its time of day, light and weather); return its name."""
        key = handle_of(found.name)
        if found.new and key not in self.places:
            weather = m.group(1).lower() if (m := _WEATHER_RE.search(text)) else ""
            self.edits.append(
                AddLocation(
                    name=found.name,
                    description=found.description,
                    time_of_day=time,
                    key_light=light,
                    weather=weather,
                )
            )
            self.places[key] = _Place(found.name, time, light)
            self.added_places.append(f"the {found.name.lower()}")
        return self.places[key].name

    # --- shots ---------------------------------------------------------------------

    def _direction(self, clause: str) -> None:
        """A sentence that is not a command: people, a place, a shot or a line of dialogue."""
        text, introduced = self._introductions(clause)
        if not text.strip(" ,.;:!?"):
            self.understood = self.understood or introduced
            return
        after, text = self._position(text)
        cue = _CUE_RE.match(text)
        strong = bool(cue and cue.group("cue").strip())
        body = text[cue.end() :] if cue else text
        if (setting := _SETTING_PREFIX_RE.match(body)) and self._is_setting(setting.group(1)):
            body = body[setting.end() :]  # "At the harbour at dusk, ...": the fields say it
        fields, rest = _fields(body)
        light = fields.pop("key_light_side", None)
        time, names, dialogue = _time(text), self._names_in(text), self._dialogue(text)
        strangers = self._strangers(body)
        found = self._place_for(text)
        subject = self._has_subject(body, names, strangers)
        strong = strong or bool(re.search(r"\bshots?\s+of\b", body, re.I))
        if not (
            strong or fields or after is not None or (not introduced and (subject or dialogue))
        ):
            if found or time or light:
                self._scene(found, time or (found.time if found else None), light, text)
            elif not introduced:
                self.skipped.append(self._restore(clause))
            return
        cast, resolved = self._cast(text, names)
        action = self._action(rest, resolved, bool(dialogue))
        previous = self.edits[self.last_new] if self.last_new is not None else None
        if not (action or cast or found or fields or dialogue):
            self.skipped.append(self._restore(clause))  # a cue with nothing after it
            return None
        if not (strong or found or after is not None):
            if not action and not cast:
                return self._modify({**fields, **({"dialogue": dialogue} if dialogue else {})})
            joins = isinstance(previous, AddShot) and (
                set(cast) <= set(previous.characters) or not previous.characters  # a voice over
            )
            if dialogue and joins and not {"size", "angle", "movement"} & set(fields):
                return self._merge({**fields, "dialogue": dialogue})
        if not action:
            where = f"The {self.location.lower()}" if self.location else ""
            action = _join(cast) if cast else where or _tidy(self._restore(body, "")) or "A shot"
        shot = {**fields, "action": action, "characters": cast, "dialogue": dialogue or None}
        self._add_shot(shot, found, time, light, after, clause)
        if unknown := [s for s in strangers if s not in cast]:
            self.notes.append(
                f"I don't know {_join(unknown)} yet, so the shot is without them; tell me who "
                f'they are, e.g. "{unknown[0]} is a young sailor".'
            )

    def _is_setting(self, phrase: str) -> bool:
        """Is this phrase only a place and/or a time ("at the harbour at dusk")?"""
        camera = set(_fields(phrase)[0]) - {"key_light_side"}
        return not camera and bool(self._find_place(phrase) or _time(phrase))

    def _has_subject(self, body: str, names: list[str], strangers: list[str]) -> bool:
        """Does the sentence start with a person: a name, she/he/they, or a new name?"""
        starts = {n.split()[0].lower() for n in names} | {handle_of(n) for n in names}
        skip = {"and", "then", "now", "so", "later", "meanwhile", "outside", "inside"}
        lead = re.match(r"[^,]{1,40},", body)  # "Later that night, Tom sleeps."
        for part in (body, body[lead.end() :] if lead else ""):
            words = re.findall(r"[@\w'\-]+", part)
            while words and (words[0].lower() in skip or words[0].lower().endswith("ly")):
                words.pop(0)
            first = words[0].lstrip("@").lower() if words else ""
            if (
                first in {"she", "he", "they"}
                or first in starts
                or (words and words[0] in strangers)
            ):
                return True
        return False

    def _position(self, text: str) -> tuple[int | None, str]:
        """ "add a close-up of Mara after shot 2": the shot it follows, and the rest of the text."""
        if not re.match(r"\s*(?:please\s+)?(?:add|insert|put|place)\b", text, re.I):
            return None, text
        m = _rx(r"\s*\b(after|before|at\s+the\s+(?:start|beginning|end))\b(.*)$").search(text)
        if not m:
            return None, text
        where, head = m.group(1).lower(), text[: m.start()]
        if where.startswith("at"):
            return (None if where.endswith("end") else 0), head
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
        action = _tidy(rest)
        for person in self.people.values():
            action = re.sub(
                rf"@{re.escape(handle_of(person.name))}\b", person.name, action, flags=re.I
            )
        if m := re.match(r"(she|he|they|him|them|her|his)\b", action, re.I):
            word = m.group(1).lower()
            who = resolved.get(_GENDER_OF.get(word, "p")) or []
            preposition = re.match(_OBJECT_FOLLOWS, action[m.end() :], re.I)
            if who and (word in ("she", "he", "they", "him", "them") or preposition):
                action = _join(who) + action[m.end() :]
            elif len(who) == 1 and word in ("her", "his"):
                action = f"{who[0]}'s{action[m.end() :]}"
        return action

    def _scene(
        self, found: _Found | None, time: TimeOfDay | None, light: LightSide | None, text: str
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

    def _add_shot(
        self,
        shot: dict[str, Any],
        found: _Found | None,
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

    def _modify(self, fields: dict[str, Any]) -> None:
        """Camera words alone ("Slow push-in."): for the shot just made, else the next one."""
        self.understood = True
        if self.last_new is not None and fields.get("transition") != Transition.FADE_IN:
            self._merge(fields)
        else:
            self.carry.update(fields)

    def finish(self) -> None:
        """Camera words no new shot took change the shot talked about last, if any."""
        fields = {k: v for k, v in self.carry.items() if k != "transition"}
        if fields and not self.question:
            if (shot_id := self._it()) is not None:
                self._update_shots([shot_id], fields, [])
            else:
                self.notes.append('Which shot do you mean? Say e.g. "make shot 2 a close-up".')

    # --- shot references -----------------------------------------------------------

    def _refs(self, text: str) -> tuple[list[int], str]:
        """Shot ids a text names ("shot 3", "shots 2 and 5", "the last shot"), and the rest."""
        ids: list[int] = []

        def take(m: re.Match[str]) -> str:
            if m.group(1) and m.group(3):
                ids.extend(range(int(_number(m.group(1))), int(m.group(3)) + 1))
            elif m.group(1):
                more = re.findall(rf"\b{_N}\b", m.group(2) or "", re.I)
                ids.extend(int(_number(n)) for n in [m.group(1), *more])
            elif m.group(4) and self.order:
                word = m.group(4).lower()
                position = {"last": -1, "final": -1, "previous": -1, "opening": 1}.get(word)
                index = position if position == -1 else (position or _ORDINALS[word]) - 1
                if index < len(self.order):
                    ids.append(self.order[index])
            elif m.group(5) and (it := self._it()) is not None:
                ids.append(it)
            elif m.group(6):
                count = int(_number(m.group(7)))
                ids.extend(
                    self.order[:count] if m.group(6).lower() == "first" else self.order[-count:]
                )
            return " "

        return ids, _REF_RE.sub(take, text)

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

    def _existing(self, ids: list[int]) -> list[int]:
        """The ids that exist, with a note for the others."""
        ids = list(dict.fromkeys(ids))
        if missing := [i for i in ids if i not in self.order]:
            have = ", ".join(map(str, self.order)) or "none yet"
            self.notes.append(f"There is no {_ids(missing)} (shots: {have}).")
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

    # --- commands: each returns True when the clause was its kind ----------------------

    def _undo_redo(self, text: str) -> bool:
        """ "undo", "undo that", "undo the last 3 changes", "redo", "take that back"."""
        m = _rx(
            r"\s*(?:(?:please|ok(?:ay)?|oops|no)[,!]?\s+)*(undo|redo|go\s+back|revert",
            r"|take\s+(?:that|it)\s+back|scratch\s+that)\b(.*)",
        ).fullmatch(text.strip(" .!"))
        if not m:
            return False
        words = re.findall(r"[\w']+", m.group(2).lower())
        if any(w not in _UNDO_WORDS and w not in _NUMBERS and not w.isdigit() for w in words):
            return False
        numbers = [int(_number(w)) for w in words if w in _NUMBERS or w.isdigit()]
        steps = max(1, min(50, numbers[0] if numbers else 2 if "twice" in words else 1))
        what = "change" if steps == 1 else f"{steps} changes"
        if m.group(1).lower() == "redo":
            self.edits.append(RedoChange(steps=steps))
            return self._done(f"Redoing the last undone {what}.")
        self.edits.append(UndoChange(steps=steps))
        return self._done(f"Undoing the last {what}.")

    def _export(self, text: str) -> bool:
        """ "export", "export the film", "make the final cut"."""
        if not _rx(
            r"^\s*(?:please\s+|let'?s\s+|now\s+)?(?:export|(?:make|do|render)\s+the",
            r"\s+final\s+cut|final\s+cut|assemble\s+(?:the\s+)?(?:film|movie|cut)",
            r"|(?:put|cut)\s+it\s+(?:all\s+)?together)\b",
        ).search(text):
            return False
        self.edits.append(ExportFilm())
        return self._done("Exporting the final cut.")

    def _title(self, text: str) -> bool:
        """ "call the film The Letter", "title: The Letter", "let's call it Home"."""
        m = _rx(
            r"^\s*(?:please\s+|let'?s\s+)?(?:(?:call|name|title)\s+(?:the|this|our|my)\s+",
            r"(?:film|movie|story|video|short)|call\s+it|(?:the\s+)?(?:film|movie|story)",
            r"\s+is\s+(?:called|named|titled)|(?:the\s+)?title\s*(?:is|should\s+be|:|=))",
            r"\s*(.+)$",
        ).match(text)
        title = self._restore(m.group(1), "").strip(" .!'\"") if m else ""
        if not 0 < len(title) <= 120:
            return False
        self.edits.append(SetStyle(title=title))
        return self._done(f'The film is now called "{title}".')

    def _compare(self, text: str) -> bool:
        """ "compare shot 1 on previz and wan"; "try shot 1 on wan" renders it there."""
        if not re.match(r"\s*(?:please\s+|let'?s\s+|can\s+you\s+)?(?:compare|try)\b", text, re.I):
            return False
        ids, rest = self._shots_or_it(text.lower())
        names = [w for w in re.findall(r"[a-z][\w.\-]*", rest) if w in _BACKENDS]
        listed = _rx(
            r"\b(?:on|with|using|between|across|in)\s+([\w.\-]+(?:\s*(?:,|and|or",
            r"|vs\.?|versus|&|/)\s*[\w.\-]+)+)",
        ).search(rest)
        if len(names) < 2 and listed:
            names = re.split(r"\s*(?:,|\band\b|\bor\b|\bvs\.?|\bversus\b|&|/)\s*", listed.group(1))
        backends = list(dict.fromkeys(_BACKENDS.get(w, w) for w in names if w))
        if not ids or not backends:
            return False
        if not (ids := self._existing(ids[:1])):
            return True
        if len(backends) == 1:
            self.edits.append(RenderShots(shot_ids=ids, backend=backends[0], force=True))
            return self._done(f"Rendering shot {ids[0]} on {backends[0]}.", ids[0])
        self.edits.append(CompareBackends(shot_id=ids[0], backends=backends))
        return self._done(f"Comparing shot {ids[0]} on {_join(backends)}.", ids[0])

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
        self.edits.append(
            ReferenceFromTake(
                shot_id=ids[0], take=int(take) if take else None, frame=frame, entity=entity
            )
        )
        whose = f"{entity}'s reference" if entity else "a style reference"
        which_frame = f"frame {frame}" if frame.isdigit() else f"the {frame} frame"
        return self._done(f"Using {which_frame} of shot {ids[0]} as {whose}.", ids[0])

    def _select_take(self, text: str) -> bool:
        """ "use take 2 for shot 3", "select the second take of shot 3"."""
        low = text.lower()
        ordinal = "|".join(_ORDINALS)
        m = re.search(rf"\btake\s*(?:#|number\s+)?({_N})\b|\b({ordinal})\s+take\b", low)
        verb = _rx(
            r"\b(?:use|select|pick|choose|circle|keep|go\s+with|prefer|want|like)\b",
            r"|\bis\s+the\s+(?:one|best)\b|^\s*shot\s*#?\d+\s*,?\s*take",
        ).search(low)
        if not (m and verb):
            return False
        take = int(_number(m.group(1))) if m.group(1) else _ORDINALS[m.group(2)]
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
        m = _rx(r"\s*(?:please\s+)?(?:(un)lock|lock|freeze|(unfreeze)|keep)\b(.*)$").match(text)
        keep = text.lower().lstrip().startswith("keep")
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
            self._done(f"{'Locked' if locked else 'Unlocked'} {_ids(ids)}{tail}.", ids[-1])
        return True

    def _move(self, text: str) -> bool:
        """ "move shot 2 after shot 4", "... to the start", "... up", "swap shots 2 and 3"."""
        if m := _rx(r"\s*(?:please\s+)?(?:swap|switch|exchange)\s+(.+)$").match(text):
            ids = self._refs(m.group(1))[0]
            if len(ids) != 2 or len(ids := self._existing(ids)) != 2:
                return len(ids) == 2 or bool(self.notes)
            a, b = sorted(ids, key=self.order.index)
            before_a = self.order[self.order.index(a) - 1] if self.order.index(a) else 0
            self._place(a, b)
            self._place(b, before_a)
            return self._done(f"Swapped shots {a} and {b}.")
        m = _rx(
            r"\s*(?:please\s+|let'?s\s+)?(?:move|put|place|shift)\s+(.+?)\s+(?:(?:to\s+)?",
            r"(?:right\s+|just\s+|directly\s+)?(after|behind|before|in\s+front\s+of)\s+(.+)",
            r"|(?:to|at)\s+(?:the\s+)?(?:very\s+)?(start|beginning|front|top|end|back|first|last)",
            r"\b.*|(?:one\s+)?(up|earlier|forward|down|later)\b.*)$",
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
            if not (targets := self._existing(self._refs(m.group(3))[0][:1])):
                return True
            index = self.order.index(targets[0])
            before = m.group(2).lower() not in ("after", "behind")
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
        m = _rx(
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
        m = _rx(
            r"\s*(?:(?:please|now|ok(?:ay)?|let'?s|can\s+you|go\s+ahead\s+and)[,]?\s+)*",
            r"(re-?render|render|generate|preview|shoot|film|roll(?:\s+camera)?|action",
            r"|let\s+me\s+see|let'?s\s+see|show\s+me|play)\b(.*)$",
        ).match(text)
        if not m:
            return False
        ids, rest = self._refs(m.group(2).lower())
        backend = None
        if (on := re.search(r"\b(?:on|with|using|in)\s+([a-z][\w.\-]*)", rest)) and (
            backend := _BACKENDS.get(on.group(1))
        ):
            rest = rest.replace(on.group(0), " ")
        if not ids and re.search(r"\b(?:it|that|this)\b", rest) and self.touched is not None:
            ids = [self.touched]
        filler = _RENDER_FILLER
        if any(w not in filler for w in re.findall(r"[a-z']+", rest)):
            return False
        force = bool(re.search(r"\b(?:again|fresh|new\s+takes?)\b", rest)) or bool(
            re.match(r"re-?render", m.group(1), re.I)
        )
        asked = bool(ids)
        if asked and not (ids := self._unlocked(self._existing(ids), "re-render")):
            return True
        self.edits.append(RenderShots(shot_ids=ids, backend=backend, force=force))
        what = _ids(ids) if ids else "everything that changed"
        on_text = f" on {backend}" if backend else ""
        again = " again" if force and ids else ""
        return self._done(f"Rendering {what}{on_text}{again}.", ids[0] if len(ids) == 1 else None)

    def _retake(self, text: str) -> bool:
        """ "redo shot 4 at night" (change, then render), "retake shot 2", "try shot 2 again"."""
        m = _rx(
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
        return self._done(f"I'll render {_ids(ids)} again.", ids[-1])

    def _style(self, text: str) -> bool:
        """ "make it 16:9", "vertical", "720p", "24 fps", "the look is ..."."""
        low, style = text.lower(), {}
        ratio = re.search(r"\b(\d{1,2})\s*[:x/]\s*(\d{1,2})\b", low)
        context = r"\b(?:aspect|ratio|format|frame|make\s+it|go|switch|set|use|in)\b"
        if ratio and (re.search(context, low) or low.strip(" .") == ratio.group(0)):
            style["aspect"] = parse_aspect(ratio.group(0))
        named = {
            "9:16": r"\bvertical\b|\bportrait\s+(?:mode|format|video)\b",
            "1:1": r"\bsquare\b",
            "16:9": r"\bwidescreen\b|\blandscape\b",
            "21:9": r"\b(?:cinemascope|anamorphic)\b",
        }
        verb = re.match(r"\s*(?:please\s+)?(?:make|go|switch|set|use|shoot|do|film)\b", low)
        for aspect, pattern in named.items():
            if "aspect" not in style and verb and re.search(pattern, low):
                style["aspect"] = aspect
        if (res := re.search(r"\b(\d{3,4}p)\b", low)) and res.group(1) in RESOLUTIONS:
            style["resolution"] = res.group(1)
        fps = re.search(r"\b(\d{1,3})\s*(?:fps|frames?\s+(?:per|a)\s+second)\b", low)
        if fps and 1 <= int(fps.group(1)) <= 120:
            style["fps"] = int(fps.group(1))
        look = _rx(
            r"\s*(?:(?:the\s+)?(?:look|style|grade|colou?r\s+grade)\s*(?:is|should\s+be",
            r"|:|=)|give\s+it\s+(?:an?|the)|make\s+it\s+look(?:\s+like)?|in\s+the\s+style",
            r"\s+of)\s+(.+?)(?:\s+look)?\s*[.!]?$",
        ).match(text)
        if look:
            style["look"] = self._restore(look.group(1), "")
        if not style:
            return False
        self.edits.append(SetStyle(**style))
        return self._done("Style: " + ", ".join(f"{k} {v}" for k, v in style.items()) + ".")

    def _update(self, text: str) -> bool:
        """ "make shot 2 a close-up", "shot 4: at night", "add Tom to shot 3", "make it slower"."""
        if self._position(text)[0] is not None:
            return False
        ids, rest = self._refs(text)
        verb = _rx(
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
        """UpdateShot for each unlocked shot, and a plain sentence for each."""
        for shot_id in self._unlocked(ids, "change"):
            self.edits.append(UpdateShot(shot_id=shot_id, clear=clear, **changes))
            described = _describe(changes, clear)
            stop = "" if described.endswith(('."', '!"', '?"')) else "."
            self._done(f"Shot {shot_id} will be {described}{stop}", shot_id)

    def _changes(self, text: str, shot_id: int | None) -> tuple[dict[str, Any], list[str]]:
        """The shot fields a command asks for: camera words, time, a line, people, a place."""
        verbs = r"make|change|set|turn|switch|update|give|add|put|bring|remove|take|drop"
        body = re.sub(rf"^\s*(?:please\s+|can\s+you\s+)?(?:{verbs})\b", " ", text, flags=re.I)
        changes, _ = _fields(body)
        clear: list[str] = []
        shot = self.plan.find_shot(shot_id) if shot_id is not None else None
        changes = {**_relative(body.lower(), shot), **changes}
        if time := _time(body):
            changes["time_of_day"] = time
        if dialogue := self._dialogue(body):
            changes["dialogue"] = dialogue
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

    # --- the reply -----------------------------------------------------------------

    def reply(self) -> str:
        """Short and plain: what was added, what will happen, what needs an answer."""
        parts = [self.opening] if self.opening else []
        added = self.added + self.added_places
        if self.new_shots:
            added.append("a shot" if self.new_shots == 1 else f"{self.new_shots} shots")
        if added:
            parts.append(f"Added {_join(added)}.")
        parts += self.said
        if self.question:
            parts.append(self.question)
        parts += self.notes
        if self.vague and not any(getattr(e, "shot_id", None) == self.vague for e in self.edits):
            example = f'"make shot {self.vague} a close-up"'
            parts.append(f"What should change in shot {self.vague}? For example {example}.")
        if self.skipped and (parts or self.understood):
            parts.append(f'I didn\'t follow "{self.skipped[0]}".')
        if not parts and self.understood:
            where = (
                f" the next shots happen at the {self.location.lower()}" if self.location else ""
            )
            parts.append(f"Noted:{where}." if where else "Noted.")
        return " ".join(parts)


_SIZE_WORDS = {"ECU": "an extreme close-up", "CU": "a close-up", "MCU": "a medium close-up",
               "MS": "a medium shot", "MLS": "a medium-long shot", "LS": "a wide shot",
               "ELS": "an establishing shot"}  # fmt: skip
_ANGLE_WORDS = {"low": "from a low angle", "high": "from a high angle", "overhead": "from above",
                "worms_eye": "from the ground", "dutch": "at a tilted angle",
                "ots": "over the shoulder", "eye_level": "at eye level", "profile": "in profile",
                "back": "from behind"}  # fmt: skip
_MOVE_WORDS = {"static": "still frame", "dolly_in": "push-in", "dolly_out": "pull-back",
               "tracking": "tracking shot", "handheld": "handheld camera"}  # fmt: skip
_PHRASES = {"time_of_day": "at {}", "duration_s": "{:g} seconds long", "lens_mm": "shot on {} mm",
            "depth_of_field": "with {} focus", "dialogue": 'with the line "{}"',
            "location": "at the {}", "key_light_side": "lit from the {}",
            "transition": "with a {}", "continues_from": "continuing from shot {}"}  # fmt: skip


def _relative(low: str, shot: Shot | None) -> dict[str, Any]:
    """ "wider"/"tighter", "longer"/"shorter" (from the shot as it is), "slower"/"faster"."""
    changes: dict[str, Any] = {}
    if m := re.search(r"\b(slower|faster|quicker)\b", low):
        changes["movement_speed"] = "slow" if m.group(1) == "slower" else "fast"
    if shot is None:
        return changes
    index = _SIZE_ORDER.index(shot.size)
    if re.search(r"\b(?:wider|looser)\b", low):
        changes["size"] = _SIZE_ORDER[min(index + 1, len(_SIZE_ORDER) - 1)]
    elif re.search(r"\b(?:tighter|closer)\b", low):
        changes["size"] = _SIZE_ORDER[max(index - 1, 0)]
    if m := re.search(r"\b(longer|shorter)\b", low):
        seconds = shot.duration_s + (2 if m.group(1) == "longer" else -1)
        changes["duration_s"] = min(60.0, max(1.0, seconds))
    return changes


def _describe(changes: dict[str, Any], clear: list[str]) -> str:
    """A few plain words for an update ("a close-up, from a low angle, at night")."""
    bits = []
    for key in sorted(changes, key=list(AddShot.model_fields).index):
        value = getattr(changes[key], "value", changes[key])
        if key == "size":
            bits.append(_SIZE_WORDS[value])
        elif key == "angle":
            bits.append(_ANGLE_WORDS[value])
        elif key == "movement":
            words = f"{changes.get('movement_speed', '')} {_MOVE_WORDS.get(value, value)}".strip()
            bits.append(("an " if words[0] in "aeiou" else "a ") + words.replace("_", " "))
        elif key == "movement_speed" and "movement" not in changes:
            bits.append("slower" if value == "slow" else "faster")
        elif key == "characters":
            bits.append("with " + _join(value))
        elif key in _PHRASES:
            plain = key == "dialogue" or not isinstance(value, str)
            bits.append(_PHRASES[key].format(value if plain else value.replace("_", " ").lower()))
    bits += ["without dialogue" if c == "dialogue" else "without anyone" for c in clear]
    return ", ".join(bits) or "changed"


class OfflineDirector:
    """Reads direction with rules instead of a language model (see the module docstring)."""

    name = "offline"

    def direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Turn `text` into edits against `plan`; `memo` keeps context between messages."""
        try:
            reply = self._direct(text if isinstance(text, str) else "", plan, memo)
        except Exception:  # a rule bug must never end the conversation
            reply = DirectorReply(reply="Sorry, I got confused by that.\n" + HELP, edits=[])
        if not memo.get("told_offline") and OFFLINE_NOTICE not in reply.reply:
            reply = reply.model_copy(update={"reply": f"{reply.reply}\n{OFFLINE_NOTICE}"})
        memo["told_offline"] = True
        return reply

    def _direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Read a message: an answer to a pending question, thanks, or direction."""
        if len(text) > MAX_CHARS:
            return DirectorReply(
                reply=f"That is a lot at once ({len(text)} characters). I work best with a "
                "paragraph or two per message: please send the story in parts.",
                edits=[],
            )
        text, attached = _split_attached(text)
        if attached and (bound := _bind_attached(text, attached, plan)) is not None:
            return bound
        if attached and not text.strip():
            return DirectorReply(
                reply=f"Got it: {', '.join(attached)}. Tell me what it shows, e.g. "
                '"this is Mara", or use it in direction.',
                edits=[],
            )
        if (timed := _as_long_as(text, plan)) is not None:
            return timed
        turn = _Turn(plan, memo)
        pending = memo.pop("pending", None)
        if isinstance(pending, dict):
            if (answer := _answer(text, list(pending.get("choices") or []))) is not None:
                return self._resume(turn, pending, answer)
            turn.notes.append(f'(I left out "{pending.get("clause")}", the shot I asked about.)')
        thanks = r"(?:thanks?(?: you)?|cheers|great|perfect|nice|cool|lovely|awesome|ok(?:ay)?"
        if re.fullmatch(rf"\s*{thanks}|looks? (?:good|great)|love it)[.!\s]*", text, re.I):
            return DirectorReply(
                reply="Glad you like it. Tell me what to change next, or say "
                '"export" for the final cut.',
                edits=[],
            )
        held = memo.pop("held", None)
        turn.run(text)
        if isinstance(held, str):
            turn.run(held)
        reply = self._finish(turn)
        unknown = unknown_handles(f"{text} {held or ''}", plan, reply.edits)
        if not unknown:
            return reply
        if isinstance(held, str):  # asked once already: keep this message, drop the held one
            turn = _Turn(plan, memo)
            turn.run(text)
            still = ", ".join(unknown)
            turn.notes.append(f'(I left out "{held}": I still do not know {still}.)')
            reply = self._finish(turn)
            unknown = unknown_handles(text, plan, reply.edits)
            if not unknown:
                return reply
        memo["held"] = text
        return DirectorReply(reply="", edits=[ask_about(unknown, plan)])

    def _resume(self, turn: _Turn, pending: dict[str, Any], answer: list[str]) -> DirectorReply:
        """The person said whom they meant: finish the held-back shot, then the rest."""
        turn.location = turn._known_place(pending.get("location")) or turn.location
        if pending.get("time"):
            turn.par_time = parse_term(TimeOfDay, pending["time"])
        if pending.get("light"):
            turn.par_light = parse_term(LightSide, pending["light"])
        turn.forced = {str(pending.get("gender", "p")): answer}
        turn.opening = f"Got it: {_join(answer) if answer else 'nobody in particular'}."
        rest = [r for r in pending.get("rest") or [""] if isinstance(r, str)] or [""]
        text = "\n\n".join([f"{pending.get('clause', '')}; {rest[0]}", *rest[1:]])
        turn.run(text, keep_paragraph=True)
        return self._finish(turn)

    def _finish(self, turn: _Turn) -> DirectorReply:
        """The reply, or the help when nothing at all was understood."""
        text = turn.reply()
        if not turn.edits and not text:
            return DirectorReply(reply=f"{HELP}\n{OFFLINE_NOTICE}", edits=[])
        return DirectorReply(reply=text, edits=turn.edits)


_FRAME_REF_RE = _rx(
    r"\b(?:use|make|turn|take|keep|save|set)\b.*?\b(?:(first|last|final|opening|closing)\s+",
    r"frame|frame\s+(?:#|number\s+)?(\d+))\s+(?:of|from|in)\s+shot\s*#?(\d+)",
    r"(?:,?\s*\(?take\s*#?(\d+)\)?)?(.*\breference\b.*)$",
)

_ATTACHED_RE = re.compile(r"\n?\(Attached: (.*)\)\s*$", re.S)
_POINTS_AT_RE = _rx(
    r"^\s*(?:(?:this|that|these|here|it)(?:'s|\s+is|\s+are)\s+(?:(?:a|the)\s+",
    r"(?:photo|picture|image|clip|reference)\s+(?:of|for)\s+)?(?P<a>.+?)",
    r"|(?P<b>.+?)\s+looks?\s+like\s+(?:this|that|these)",
    r"|(?:use\s+)?(?:this|these|it|them)\s+(?:for|as)\s+(?P<c>.+?))\s*[.!]*\s*$",
)


def _split_attached(text: str) -> tuple[str, list[str]]:
    """The person's words and the handles of the files they attached (the agent's note)."""
    match = _ATTACHED_RE.search(text)
    if match is None:
        return text, []
    return text[: match.start()], re.findall(r"(@[a-z0-9][a-z0-9-]*) is ", match.group(1))


def _bind_attached(text: str, handles: list[str], plan: StoryPlan) -> DirectorReply | None:
    """ "this is Mara" / "Mara looks like this" / "use it for the harbour", with files attached."""
    match = _POINTS_AT_RE.match(text)
    if match is None:
        return None
    said = next(group for group in match.groups() if group)
    said = re.sub(r"(?:'s|s')\s+(?:look|face|reference|photo)$", "", said.strip(), flags=re.I)
    said = re.sub(r"^(?:the|our|my)\s+", "", said, flags=re.I)
    thing = plan.find_character(said) or plan.find_location(said)
    if thing is None:
        return None
    edits: list[EditModel] = [BindReference(handle=h, entity=thing.name) for h in handles]
    where = f"with {thing.name}" if plan.find_character(said) else f"at {thing.name.lower()}"
    return DirectorReply(
        reply=f"{' and '.join(handles)} {'is' if len(handles) == 1 else 'are'} now "
        f"{thing.name}'s reference: every shot {where} uses it.",
        edits=edits,
    )


_AS_LONG_AS = re.compile(
    r"^\s*(?:make|set|let)\s+shot\s+(\d+)\s+(?:be\s+)?(?:as\s+)?long\s+as\s+(@[\w-]+)\W*$", re.I
)


def _as_long_as(text: str, plan: StoryPlan) -> DirectorReply | None:
    """ "make shot 3 as long as @audio1": the shot takes the length of a sound or clip."""
    match = _AS_LONG_AS.match(text)
    if match is None:
        return None
    shot_id, handle = int(match.group(1)), match.group(2).lower()
    ref = next((r for r in plan.references if handle in (r.handle, r.name)), None)
    if ref is None or not ref.duration_s:
        known = ", ".join(r.handle for r in plan.references if r.duration_s) or "none yet"
        return DirectorReply(
            reply=f"I don't know a sound or clip called {handle} (ones with a length: {known}).",
            edits=[],
        )
    seconds = round(min(60.0, ref.duration_s), 2)
    return DirectorReply(
        reply=f"Shot {shot_id} will last {seconds:g} s, as long as {ref.handle}.",
        edits=[UpdateShot(shot_id=shot_id, duration_s=seconds)],
    )
