"""Word tables of the offline director: numbers, people, clothes, places, fillers."""

from __future__ import annotations

from storyreel.tools.vocabulary import (
    ShotSize,
)


def _words(text: str) -> set[str]:
    """A word table written as one string."""
    return set(text.split())


_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS.split(" "))}
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth"
ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split(" "), start=1)}
N = "(?:" + "|".join([r"\d+", *sorted(NUMBERS, key=len, reverse=True)]) + ")"
FEMALE = _words(
    "woman women girl lady mother mom mum daughter sister wife grandmother grandma granny aunt "
    "queen princess actress waitress niece widow nun bride girlfriend heroine landlady"
)
MALE = _words(
    "man men boy father dad son brother husband grandfather grandpa uncle king prince waiter "
    "nephew widower monk groom boyfriend gentleman guy lad hero landlord"
)
NOT_MEN = {"human", "german", "roman", "shaman", "ottoman", "talisman", "caiman"}
_NEUTRAL_PEOPLE = _words(
    "person child kid teen teenager student sailor doctor nurse detective soldier artist "
    "painter writer musician stranger traveller traveler keeper farmer baker teacher officer "
    "pilot captain driver friend neighbour neighbor figure scientist chef cook singer dancer "
    "poet thief spy guard knight witch wizard robot fisher priest orphan baby youth maid "
    "butler clerk hermit dog cat"
)
PEOPLE = FEMALE | MALE | _NEUTRAL_PEOPLE
CLOTHES = _words(
    "coat raincoat jacket sweater jumper dress suit shirt t-shirt hat cap scarf boot jeans "
    "trousers pants skirt uniform hoodie cardigan gown robe overalls oilskin cloak vest blouse "
    "shoe apron parka tuxedo pyjamas pajamas sneaker glove helmet mac trench beanie tie "
    "waistcoat sari kimono mask glasses sunglasses"
)
PLACES = _words(
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
COMMON = _words(
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
UNDO_WORDS = _words(
    "that it this please the last change changes edit edits step steps thing time times twice again"
)
ANSWER_WORDS = _words(
    "i mean meant it's its it is was she he her him they them the one ones yes oh sorry that's "
    "please both all everyone everybody neither nobody none no first second last and of who"
)
RENDER_FILLER = _words(
    "it that this them everything all of the whole film movie story thing shots shot please now "
    "again for me out a new take takes fresh and so far what changed is there preview previews up"
)
BACKENDS = {"previz": "previz", "animatic": "previz", "wan": "wan", "ltx": "ltx",
             "ltx-video": "ltx", "cogvideox": "cogvideox", "cogvideo": "cogvideox"}  # fmt: skip
LENSES = {"wideangle": 24, "wide": 24, "fisheye": 12, "telephoto": 135, "long": 135,
           "portrait": 85, "macro": 100, "normal": 50, "standard": 50}  # fmt: skip
SIZE_ORDER = list(ShotSize)
GENDER_OF = {"she": "f", "her": "f", "hers": "f", "herself": "f",
              "he": "m", "him": "m", "his": "m", "himself": "m"}  # fmt: skip


SIZE_WORDS = {"ECU": "an extreme close-up", "CU": "a close-up", "MCU": "a medium close-up",
               "MS": "a medium shot", "MLS": "a medium-long shot", "LS": "a wide shot",
               "ELS": "an establishing shot"}  # fmt: skip
ANGLE_WORDS = {"low": "from a low angle", "high": "from a high angle", "overhead": "from above",
                "worms_eye": "from the ground", "dutch": "at a tilted angle",
                "ots": "over the shoulder", "eye_level": "at eye level", "profile": "in profile",
                "back": "from behind"}  # fmt: skip
MOVE_WORDS = {"static": "still frame", "dolly_in": "push-in", "dolly_out": "pull-back",
               "tracking": "tracking shot", "handheld": "handheld camera"}  # fmt: skip
PHRASES = {"time_of_day": "at {}", "duration_s": "{:g} seconds long", "lens_mm": "shot on {} mm",
            "depth_of_field": "with {} focus", "dialogue": 'with the line "{}"',
            "location": "at the {}", "key_light_side": "lit from the {}",
            "transition": "with a {}", "continues_from": "continuing from shot {}"}  # fmt: skip
