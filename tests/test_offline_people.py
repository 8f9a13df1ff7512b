"""The offline director and people: introductions in everyday shapes, changes of looks,
people meant by a description ("the girl", "his daughter") and who says a line."""

from __future__ import annotations

import re
from typing import Any

import pytest

from storyreel.agent.offline.text import QUOTE_RE
from storyreel.agent.offline.turn import Turn
from storyreel.tools.edits import AddCharacter, AskPerson
from storyreel.tools.story import StoryPlan
from tests.test_offline_director import apply, build_plan, direct


@pytest.fixture(scope="module")
def plan() -> StoryPlan:
    """Mara (a woman), Tom (an old fisherman), Lena (Tom's teenage daughter), the Harbour."""
    lena = AddCharacter(
        name="Lena", description="Tom's daughter, a teenager", wardrobe="a yellow raincoat"
    )
    return apply(build_plan(), [lena])


def fits(edit: Any, want: dict[str, Any]) -> bool:
    """The edit has the fields of `want`; a key ending in "~" means "the text contains",
    one ending in ">" "the list holds"."""
    got = edit.model_dump(mode="json")
    for key, value in want.items():
        if key.endswith(">"):
            if value not in (got.get(key[:-1]) or []):
                return False
        elif key.endswith("~"):
            if str(value).lower() not in str(got.get(key[:-1]) or "").lower():
                return False
        elif got.get(key) != value:
            return False
    return True


def person(name: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "add_character", "name": name, **fields}


def change(name: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "update_character", "name": name, **fields}


SHOT, NO_SHOT, EITHER = True, False, None

CASES: list[tuple[str, list[dict[str, Any]], bool | None]] = [
    # he/she is called ..., his name is ...
    ("He's called Jonas: a fisherman with a white beard", [
        person("Jonas", **{"description": "a fisherman with a white beard"})], NO_SHOT),
    ("She's named Zoe, sixteen, always in a yellow raincoat", [
        person("Zoe", **{"description~": "sixteen", "wardrobe": "a yellow raincoat"})], NO_SHOT),
    ("His name is Jonas.", [person("Jonas", description="a man")], NO_SHOT),
    ("Her name's Ines, a baker in her forties", [
        person("Ines", **{"description~": "baker in her forties"})], NO_SHOT),
    ("she is called Ruth, she was tiny, in a grey cardigan", [
        person("Ruth", **{"description~": "tiny", "wardrobe": "a grey cardigan"})], NO_SHOT),
    ("grandpa was called Winston, he was skinny with a pencil moustache and a sharp blue suit", [
        person("Winston", **{"description~": "pencil moustache",
                             "wardrobe": "a sharp blue suit"})], NO_SHOT),
    ("and grandma was Hyacinth, she was 19, in a yellow dress with a big skirt", [
        person("Hyacinth", **{"description~": "19", "wardrobe~": "yellow dress"})], NO_SHOT),
    ("her teacher is Mrs Okafor, tall, with big red glasses", [
        person("Okafor", **{"description~": "teacher", "wardrobe~": "glasses"})], NO_SHOT),
    # named later in the sentence, with an aside, or added "to the cast"
    ("the postman was her only friend, everyone called him Dai: tall, bald, a red van", [
        person("Dai", **{"description~": "postman"})], NO_SHOT),
    ("the cook is the loudest of them all, she's called Bisi, round face, huge laugh", [
        person("Bisi", **{"description~": "cook"})], NO_SHOT),
    ("the goat is called Nneka (it means mother is supreme), white with one black ear", [
        person("Nneka", **{"description~": "black ear"})], NO_SHOT),
    ("please add Tom's nephew Kit to the cast: ten, muddy knees, a green cap", [
        person("Kit", **{"description~": "nephew", "wardrobe~": "green cap"})], NO_SHOT),
    ("Yara, the ferry cook, 60ish, sings to the pans all day", [
        person("Yara", **{"description~": "sings to the pans all day"})], NO_SHOT),
    # lists
    ("and the twins: Ada, 7, missing a front tooth; and Obi, the quiet one", [
        person("Ada"), person("Obi", **{"description~": "quiet one"})], NO_SHOT),
    ("This summer she has two lodgers: Piet, a Dutch cyclist with a beard, and Sanne, his "
     "sister, 20, earbuds in", [
        person("Piet", **{"description~": "beard"}),
        person("Sanne", **{"description~": "Piet's sister"})], NO_SHOT),
    ("The crew. Bo: the skipper, sixty, a wool hat. Ines: the cook, thirties.", [
        person("Bo", **{"description~": "skipper"}),
        person("Ines", **{"description~": "cook"})], NO_SHOT),
    ("Three people: Ana, a nurse in blue scrubs, Ben, a porter with a limp, and Carl, a surgeon", [
        person("Ana", description="a nurse", wardrobe="blue scrubs"),
        person("Ben", description="a porter with a limp"),
        person("Carl", description="a surgeon")], NO_SHOT),
    ("The cast: Ines (30s, red coat) and Jonas (old fisherman)", [
        person("Ines", description="30s", wardrobe="red coat"),
        person("Jonas", description="old fisherman")], NO_SHOT),
    ("- Ana: a night nurse", [person("Ana", description="a night nurse")], NO_SHOT),
    ("* Ben: a porter, fifties, grey overalls", [
        person("Ben", **{"description~": "porter", "wardrobe": "grey overalls"})], NO_SHOT),
    ("Characters: OLD JONAS, seventies, white beard, oilskins.", [
        person("Jonas", description="seventies, white beard", wardrobe="oilskins")], NO_SHOT),
    ("ZOE, his daughter, sixteen, yellow raincoat.", [
        person("Zoe", **{"description~": "daughter", "wardrobe": "yellow raincoat"})], NO_SHOT),
    ("Detective Moss: fifties, rumpled brown suit, nicotine-yellow fingers.", [
        person("Moss", **{"description~": "detective", "wardrobe": "rumpled brown suit"})],
     NO_SHOT),
    ("Commander Ito, fifties, shaved head, navy flight suit.", [
        person("Ito", **{"description~": "shaved head", "wardrobe": "navy flight suit"})],
     NO_SHOT),
    ("Our characters are Ines, a baker, and Jonas, a fisherman", [
        person("Ines", description="a baker"), person("Jonas", description="a fisherman")],
     NO_SHOT),
    # role names as names
    ("Nurse B is a tired night nurse in her fifties", [
        person("Nurse B", description="a tired night nurse in her fifties")], NO_SHOT),
    ("Dr Patel is a surgeon in her forties", [
        person("Patel", **{"description~": "surgeon in her forties"})], NO_SHOT),
    ("Grandma Rose is tiny, with white hair", [
        person("Rose", **{"description~": "white hair"})], NO_SHOT),
    ("the Captain, a grey-bearded man in a peaked cap, slams the door", [
        person("Captain", **{"description~": "grey-bearded man", "wardrobe": "a peaked cap"}),
        {"kind": "add_shot", "characters": ["Captain"]}], SHOT),
    ("Mrs Holloway, the landlady, opens the door.", [
        person("Holloway", description="the landlady"),
        {"kind": "add_shot", "characters": ["Holloway"]}], SHOT),
    # X is ..., there's ..., meet ..., X, who is ...
    ("Ines is sixteen, with freckles", [person("Ines", **{"description~": "freckles"})], NO_SHOT),
    ("Jonas was a sailor in his youth", [person("Jonas", **{"description~": "sailor"})],
     NO_SHOT),
    ("there's a girl called Zoe", [person("Zoe", description="a girl")], NO_SHOT),
    ("meet Sam", [person("Sam")], NO_SHOT),
    ("Sam, who is a young sailor, waits on the pier", [
        person("Sam", description="a young sailor"),
        {"kind": "add_shot", "characters": ["Sam"], "action": "Sam waits on the pier"}], SHOT),
    # people inside a shot sentence
    ("a crow and an old farmer called Jonas argue in a wheat field", [
        person("Jonas", description="an old farmer"), person("Crow", description="a crow"),
        {"kind": "add_shot", "characters": ["Crow", "Jonas"]}], SHOT),
    ("Wide shot. A stranger in a wet trench coat waits at the bar.", [
        person("Stranger", **{"wardrobe~": "trench coat"})], SHOT),
    ("Zoe, a teenager in a yellow raincoat, climbs onto the boat", [
        person("Zoe", description="a teenager", wardrobe="a yellow raincoat"),
        {"kind": "add_shot", "characters": ["Zoe"]}], SHOT),
    ("Ana and Ben, two nurses in green scrubs, run down the corridor.", [
        person("Ana", description="a nurse", wardrobe="green scrubs"),
        person("Ben", description="a nurse", wardrobe="green scrubs"),
        {"kind": "add_shot", "characters": ["Ana", "Ben"]}], SHOT),
    ("Pip is Lena's little brother, eight years old", [
        person("Pip", **{"description~": "Lena's little brother"})], NO_SHOT),
    ("The villain: Count Orlov, tall, pale, in a long black cloak.", [
        person("Orlov", **{"description~": "pale", "wardrobe": "a long black cloak"})], EITHER),
    # the narrator's family
    ("my uncle kept a lighthouse", [person("Uncle", description="my uncle")], NO_SHOT),
    ("my grandma ran a bakery in Lyon for forty years", [
        person("Grandma", description="my grandma")], NO_SHOT),
    ("so my daughter Priya is seven and she's playing a sheep in the nativity lol", [
        person("Priya", **{"description~": "sheep"})], NO_SHOT),
    # changes of looks: never a shot
    ("Tom should have a red scarf", [
        change("Tom", wardrobe="a navy sweater and a red scarf")], NO_SHOT),
    ("give Mara a green hat", [change("Mara", wardrobe="a red raincoat and a green hat")],
     NO_SHOT),
    ("Mara's coat should be green, not red", [change("Mara", wardrobe="a green raincoat")],
     NO_SHOT),
    ("Lena's raincoat should be blue", [change("Lena", wardrobe="a blue raincoat")], NO_SHOT),
    ("make the old fisherman's beard grey", [
        change("Tom", description="an old fisherman with a grey beard")], NO_SHOT),
    ("Tom wears glasses now", [change("Tom", wardrobe="a navy sweater and glasses")], NO_SHOT),
    ("Mara changes into a black dress", [change("Mara", wardrobe="a black dress")], NO_SHOT),
    ("put Tom in a suit", [change("Tom", wardrobe="a suit")], NO_SHOT),
    ("Mara has long hair now", [
        change("Mara", description="a woman in her thirties with long hair")], NO_SHOT),
    ("Tom should look older", [change("Tom", **{"description~": "looks older"})], NO_SHOT),
    ("Give his daughter a red woollen hat.", [
        change("Lena", wardrobe="a yellow raincoat and a red woollen hat")], NO_SHOT),
    ("the girl should wear a green coat", [change("Lena", wardrobe="a green coat")], NO_SHOT),
    ("Tom should wear a black sweater, not navy", [change("Tom", wardrobe="a black sweater")],
     NO_SHOT),
    ("make Tom look older, white hair and a flat cap", [
        change("Tom", **{"description~": "white hair", "wardrobe~": "a flat cap"})], NO_SHOT),
    ("Tom should have a grey moustache", [change("Tom", **{"description~": "grey moustache"})],
     NO_SHOT),
    ("please make Mara's raincoat yellow instead", [change("Mara", wardrobe="a yellow raincoat")],
     NO_SHOT),
    ("dress Lena in a school uniform", [change("Lena", wardrobe="a school uniform")], NO_SHOT),
    ("Mara wears a hat in this shot", [change("Mara", wardrobe="a red raincoat and a hat")],
     NO_SHOT),
    # people meant by a description, in shots
    ("Close-up of the woman's hands.", [{"kind": "add_shot", "characters": ["Mara"]}], SHOT),
    ("the girl looks back at the harbour one last time, close up", [
        {"kind": "add_shot", "characters": ["Lena"], "size": "CU"}], SHOT),
    ("Close-up of the old fisherman.", [{"kind": "add_shot", "characters": ["Tom"]}], SHOT),
    ("Wide shot: his daughter waves from the quay.", [
        {"kind": "add_shot", "characters>": "Lena"}], SHOT),
    # the name after the person: "my grandma, her name was Rosa", "my uncle who was called"
    ("theres my grandma, her name was Rosa, tiny with white hair in a bun", [
        person("Rosa", **{"description~": "grandma"})], NO_SHOT),
    ("and my uncle who was called Bert, a big man in overalls", [
        person("Bert", **{"description~": "uncle", "wardrobe~": "overalls"})], NO_SHOT),
    ("this is our neighbour, his name's Piotr", [person("Piotr", **{"description~": "neighbour"})],
     NO_SHOT),
    # named between commas, the screenplay way, inside a shot
    ("WIDE, at the harbour. A girl of about eight, NELL, in a yellow raincoat over pyjama "
     "bottoms, waits with a shoebox.", [
        person("Nell", **{"description~": "girl", "wardrobe~": "pyjama bottoms"}),
        {"kind": "add_shot", "characters>": "Nell", "size": "LS"}], SHOT),
    ("An old ferryman, Bogdan, rows across the bay", [
        person("Bogdan", **{"description~": "ferryman"}),
        {"kind": "add_shot", "characters>": "Bogdan"}], SHOT),
    # names typed in lower case, where only a name can stand
    ("ok so my aunt priya runs a tiny cake shop, shes like 50, round glasses", [
        person("Priya", **{"description~": "aunt"})], NO_SHOT),
    ("and theres her nephew sunny who drives the van for her", [person("Sunny")], NO_SHOT),
    ("the brides mum, helen, in a massive purple hat, storms over", [
        person("Helen", **{"wardrobe~": "purple hat"})], EITHER),
    ("Cast for the rest of the sequence: MAYA, 14, serious, braces; her father DEV, 40s", [
        person("Maya", **{"description~": "14"}), person("Dev", **{"description~": "father"})],
     NO_SHOT),
    ("people: rafi the postie, 20s, skinny. the vicar, a young woman in wellies.", [
        person("Rafi", **{"description~": "postie"}),
        person("Vicar", **{"description~": "young woman", "wardrobe~": "wellies"})], NO_SHOT),
    ("oh and theres the DJ, Marcus, a bald guy with massive headphones", [
        person("Marcus", **{"description~": "the DJ"})], NO_SHOT),
    ("Introduce Greta: a sunburnt Dutch backpacker in her twenties, a camera bag on her shoulder",
     [person("Greta", **{"description~": "backpacker"})], NO_SHOT),
    ("a snowplough driver called halvard and his old husky bjorn are crawling down the road", [
        person("Halvard"), person("Bjorn")], SHOT),
    ("his neighbour dot, tiny lady in a pink dressing gown, leans out of the window", [
        person("Dot", **{"wardrobe~": "pink dressing gown"})], SHOT),
    ("Tom's sweater shouldnt be navy, make it a bright yellow one", [
        change("Tom", **{"wardrobe~": "yellow"})], NO_SHOT),
    ("Mara should be in a flat cap and a cardigan — cosy, not a red raincoat.", [
        change("Mara", **{"wardrobe": "a flat cap and a cardigan"})], NO_SHOT),
    # a header says it is a person: habits are description, not a shot
    ("New character: MR ACHEBE, seventies, immaculate three-piece suit, carries a violin case.",
     [person("Achebe", **{"description~": "violin case"})], NO_SHOT),
    # lower-case names pointed out, listed after "people:" or a semicolon
    ("and theres dariusz who ran the bar, big bloke about 50", [
        person("Dariusz", **{"description~": "ran the bar"})], NO_SHOT),
    ("meet rosa, a retired teacher with a walking frame", [
        person("Rosa", **{"description~": "retired teacher"})], NO_SHOT),
    ("a few people: ines, the cook, 40s, and kai, 12, skateboard under his arm", [
        person("Ines", **{"description~": "cook"}), person("Kai", **{"description~": "12"})],
     NO_SHOT),
    ("two in the flat: mrs ogun, retired midwife, 70; petra, a student, bike helmet on", [
        person("Ogun", **{"description~": "midwife"}), person("Petra")], NO_SHOT),
    ("my son Ben, 6, in pyjamas", [
        person("Ben", **{"description~": "my son", "wardrobe": "pyjamas"})], NO_SHOT),
    ("Three more faces: the trumpet player, Cornelius, lanky; Mrs. Kessler, a rich widow in "
     "black lace; and the Doorman, a giant with a shaved head.", [
        person("Cornelius", **{"description~": "trumpet player"}),
        person("Kessler", **{"description~": "widow"}),
        person("Doorman", **{"description~": "giant"})], NO_SHOT),
    ("her crew is dayo, her cousin, in a bucket hat, and kemi, short, big glasses", [
        person("Dayo", **{"description~": "cousin"}), person("Kemi", **{"description~": "short"})],
     NO_SHOT),
    ("main character is tolu, shes 16, still in her school uniform", [
        person("Tolu", **{"description~": "16"})], NO_SHOT),
    ("the hero is a hedgehog. hes called Pip: tiny, round, one ear bent over", [
        person("Pip", **{"description~": "hedgehog"})], NO_SHOT),
    ("and the villain is the Count, everyone calls him that, tall man, black cape", [
        person("Count", **{"description~": "tall man"})], NO_SHOT),
    ("my nan ran the shop. everybody called her Auntie Pat, tiny, always in a pinny", [
        person("Pat", **{"description~": "my nan"})], NO_SHOT),
    ("my son is Tane hes 8, curly hair, missing his front teeth", [
        person("Tane", **{"description~": "my son"})], NO_SHOT),
    ("the mover is in this too. his names Tiny: six foot five, shaved head, tool belt", [
        person("Tiny", **{"description~": "shaved head"})], NO_SHOT),
    ("mum is rosa, 63, short curly grey hair. dad is manny, tall and bald with glasses", [
        person("Rosa", **{"description~": "63"}), person("Manny", **{"description~": "bald"})],
     NO_SHOT),
    ("pip has three friends: mrs hoot, a fat sleepy brown owl with round glasses, barnaby, a "
     "badger in a stripy scarf, and dot, a tiny field mouse", [
        person("Hoot", **{"description~": "owl"}), person("Barnaby", **{"description~": "badger"}),
        person("Dot", **{"description~": "mouse"})], NO_SHOT),
    ("Adding a fourth person: the Attendant, who runs the laundrette at night.", [
        person("Attendant")], NO_SHOT),
    ("then my baby brother Joon, hes 2, crawls over and sits on the rug", [
        person("Joon", **{"description~": "baby brother"})], SHOT),
    ("theres also a dragon called Grumbleweed who lives in a cave. hes super old and mossy "
     "green with droopy whiskers", [
        person("Grumbleweed", **{"description": "a dragon"}),
        change("Grumbleweed", **{"description~": "mossy green"})], NO_SHOT),
    # a role, then the name ("The batsman on strike is Big Sid: ...")
    ("The keeper on duty is Aled: the lighthouse man, grey beard, oilskins.", [
        person("Aled", **{"description~": "keeper"})], NO_SHOT),
    ("the woman in the green coat is Nadia", [
        person("Nadia", **{"wardrobe~": "green coat"})], NO_SHOT),
    ("Harold is the referee: man, 70s, in a long white coat.", [
        person("Harold", **{"description~": "referee", "wardrobe~": "white coat"})], NO_SHOT),
    ("Gail is the shift leader, woman, 50s, loud laugh", [
        person("Gail", **{"description~": "shift leader"})], NO_SHOT),
    # "Harcourt House", "Rose Cottage": a place's name is never a person
    ("Setting: Rose Cottage, a tumbledown house at the end of the lane.", [
        {"kind": "add_location", "name": "Rose Cottage"}], NO_SHOT),
    # commands stay commands
    ("make shot 2 a close-up", [{"kind": "update_shot", "shot_id": 2, "size": "CU"}], NO_SHOT),
    ("add Tom to shot 2", [{"kind": "update_shot", "shot_id": 2,
                            "characters": ["Mara", "Tom"]}], NO_SHOT),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "shot"), CASES, ids=[c[0][:40] for c in CASES])
def test_people_in_everyday_words(
    plan: StoryPlan, text: str, expected: list[dict[str, Any]], shot: bool | None
) -> None:
    reply = direct(text, plan)
    got = [e.model_dump(mode="json") for e in reply.edits]
    for want in expected:
        assert any(fits(e, want) for e in reply.edits), f"{text!r}: no {want} in {got}"
    shots = [e for e in reply.edits if e.kind == "add_shot"]
    if shot is not None:
        assert bool(shots) == shot, f"{text!r}: shots {got}"
    assert not any(isinstance(e, AskPerson) for e in reply.edits), got
    apply(plan, reply.edits)
    assert reply.reply.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Tom has a letter in his hand.",
        "Mara is at the harbour.",
        "Tom is mending a net.",
        "Mara, in the rain, waits for the boat.",
        "make it slower",
        "Mara should walk slower in shot 2",
        "the old man turns away",
    ],
)
def test_never_a_change_of_looks(plan: StoryPlan, text: str) -> None:
    reply = direct(text, plan)
    assert not [e for e in reply.edits if e.kind in ("update_character", "add_character")]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Salvo hangs the knight marionettes on their hooks", "marionettes"),
        ("MCU on Tom in the passenger seat, 85mm", "seat"),
        ("my dad always wore a flat cap", "always"),
        ("our guide, huge, red beard", "huge"),
        ("her mum was tall", "was"),
    ],
)
def test_lower_case_words_that_are_not_names_keep_their_case(text: str, kept: str) -> None:
    from storyreel.agent.offline.lowercase import capitalize_names

    assert kept in capitalize_names(text, ["Tom"]).split(" ") or kept + "," in capitalize_names(
        text, ["Tom"]
    )


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 50


def test_a_description_that_fits_two_people_asks(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = apply(plan, direct("Ana is a young woman in a green dress.", plan, memo).edits)
    asked = direct("the woman should wear a hat", plan, memo)
    assert [e.kind for e in asked.edits] == ["ask"]
    assert asked.edits[0].choices == ["Mara", "Ana"]
    answer = direct("Ana", plan, memo)
    assert [(e.kind, e.name, e.wardrobe) for e in answer.edits] == [
        ("update_character", "Ana", "a green dress and a hat")
    ]


def test_a_pronoun_in_a_change_asks_only_when_it_is_a_change(plan: StoryPlan) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    asked = direct("she should wear a hat", plan, memo)
    assert isinstance(asked.edits[-1], AskPerson) and asked.edits[-1].choices == ["Mara", "Lena"]
    answer = direct("Lena", plan, memo)
    assert [(e.kind, e.name) for e in answer.edits] == [("update_character", "Lena")]
    # "She's named Zoe" names someone new; no question about "she"
    reply = direct("She's named Zoe, sixteen.", plan, {"told_offline": True})
    assert [e.kind for e in reply.edits] == ["add_character"]


def test_an_unnamed_person_named_later_in_the_message_is_renamed(plan: StoryPlan) -> None:
    reply = direct("A fisherman mends his nets. He's called Jonas.", plan)
    assert [(e.kind, getattr(e, "name", None)) for e in reply.edits] == [
        ("add_character", "Jonas"),
        ("add_shot", None),
    ]
    assert reply.edits[0].description == "a fisherman"
    assert reply.edits[1].characters == ["Jonas"] and reply.edits[1].action.startswith("Jonas")
    apply(plan, reply.edits)


def test_the_narrators_family_across_turns() -> None:
    plan, memo = build_plan(), {"told_offline": True}
    for text in (
        "my uncle kept a lighthouse on the cornish coast",
        "he was a big quiet man with a grey beard and he always wore this huge yellow oilskin",
        "he had a little dog too, a scruffy terrier called Biscuit who followed him everywhere",
    ):
        reply = direct(text, plan, memo)
        assert not [e for e in reply.edits if e.kind == "add_shot"], text
        plan = apply(plan, reply.edits)
    uncle, biscuit = plan.find_character("Uncle"), plan.find_character("Biscuit")
    assert uncle is not None and biscuit is not None
    assert "grey beard" in uncle.description and uncle.wardrobe == "a huge yellow oilskin"
    assert biscuit.description == "a scruffy terrier"
    shot = direct("then my uncle climbing the stairs, low angle", plan, memo)
    assert [e.characters for e in shot.edits if e.kind == "add_shot"] == [["Uncle"]]


def test_role_names_are_found_without_their_title(plan: StoryPlan) -> None:
    plan = apply(plan, [AddCharacter(name="Officer Reyes", description="a police officer")])
    reply = direct("Close-up of Reyes.", plan)
    assert [e.characters for e in reply.edits if e.kind == "add_shot"] == [["Officer Reyes"]]


@pytest.mark.parametrize(
    "text", ["Then", "Cut to the harbour.", "Wide shot of the quay.", "Harbour: at dusk"]
)
def test_shot_words_and_places_never_become_people(plan: StoryPlan, text: str) -> None:
    reply = direct(text, plan)
    assert not [e for e in reply.edits if e.kind == "add_character"], reply.edits


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Tom: We sail at dawn.", "Tom"),
        ('"Come home," Lena says.', "Lena"),
        ('"Come home," says Lena.', "Lena"),
        ('Mara looks at Tom. "Come home," she whispers.', "Mara"),
        ('he walks right over and asks "would you like to dance?"', "Tom"),
        ("the girl says 'Wait for me.'", "Lena"),
        ("in the close up of her she says 'Come home,' really quietly", "Mara"),
        ('"Not for much longer." He turns away.', "Tom"),
        ("shot 2, Lena: where's the milk?", "Lena"),
        (
            'then at the quay lena peers at toms nets and says "well. they\'re certainly big."',
            "Lena",
        ),
        ('then Tom leans over to Mara and goes "ninety? you dont look a day over eighty"', "Tom"),
        ("The harbour at dusk.", None),
    ],
)
def test_speaker_of(plan: StoryPlan, text: str, speaker: str | None) -> None:
    turn = Turn(plan, {})
    turn._mention(["Tom"] if re.search(r"\b(?:he|He)\b", text) else ["Mara"])
    marked = QUOTE_RE.sub(turn._stash_quote, text)
    assert turn.speaker_of(marked) == speaker


def fits_all(edit: Any, want: dict[str, Any]) -> bool:
    """`fits`, and a key ending in "!~" means "the text does not contain"."""
    got = edit.model_dump(mode="json")
    for key, value in want.items():
        if key.endswith("!~") and str(value).lower() in str(got.get(key[:-2]) or "").lower():
            return False
    return fits(edit, {k: v for k, v in want.items() if not k.endswith("!~")})


# Introductions in the shapes of a cast list, "there's ...", "X is called Y, ..." and
# "he belongs to ...": every person named, with description and wardrobe, no shot.
INTRODUCTIONS: list[tuple[str, list[dict[str, Any]], bool | None]] = [
    # a header, then entries (".", ":" or ";" between them); CAPS names and "THE X" roles
    ("Characters. DELE, 19, lightweight, shaved head, grey hoodie. THE COACH, 60s, heavy, "
     "broken nose, black tracksuit, a towel always over one shoulder.", [
        person("Dele", **{"description~": "shaved head", "wardrobe~": "grey hoodie"}),
        person("Coach", **{"description~": "broken nose", "wardrobe~": "black tracksuit"})],
     NO_SHOT),
    ("Cast: MARTA, 40s, stocky, grey bun. THE BAKER'S BOY, 15, skinny, paper hat.", [
        person("Marta", **{"description~": "grey bun"}),
        person("Boy", **{"description~": "baker's boy", "wardrobe": "paper hat"})], NO_SHOT),
    ("Characters:\nRAFA, 30, tall, tattooed forearms, white vest\n"
     "THE LANDLORD, 70s, bald, cardigan with leather patches", [
        person("Rafa", **{"description~": "tattooed", "wardrobe": "white vest"}),
        person("Landlord", **{"description~": "bald", "wardrobe~": "cardigan"})], NO_SHOT),
    ("The family: Amal, the mother, thirty-five, dark green headscarf; Yusuf, her son, twelve, "
     "in an army jacket three sizes too big; and their grandmother, Hala, who walks with a cane.", [
        person("Amal", **{"description~": "mother", "wardrobe": "dark green headscarf"}),
        person("Yusuf", **{"description~": "son", "wardrobe~": "army jacket"}),
        person("Hala", **{"description~": "grandmother"})], NO_SHOT),
    ("Family: Omar, the father, forties, neat beard, grey suit; Layla, his daughter, eight, "
     "pink backpack; and his mother, Samira, who wears a black abaya.", [
        person("Omar", **{"description~": "neat beard", "wardrobe": "grey suit"}),
        person("Layla", **{"description~": "Omar's daughter"}),
        person("Samira", **{"description~": "mother", "wardrobe": "a black abaya"})], NO_SHOT),
    ("The crew: Captain Wells, fifties, grey beard, peaked cap; Ida, the cook, twenties, "
     "striped apron; and the cabin boy, Pip, who never stops whistling.", [
        person("Wells", **{"description~": "grey beard", "wardrobe": "peaked cap"}),
        person("Ida", **{"description~": "cook", "wardrobe": "striped apron"}),
        person("Pip", **{"description~": "cabin boy"})], NO_SHOT),
    ("then the passengers: a teenage girl, Lotte, with a cello case bigger than she is, and an "
     "old couple, Hans and Greta, sharing a flask of coffee", [
        person("Lotte", **{"description~": "teenage girl"}),
        person("Hans", **{"description~": "old couple"}),
        person("Greta", **{"description~": "old couple"})], NO_SHOT),
    ("The regulars: an old man, Bert, with a flat cap; and two sisters, Jo and Sal, in "
     "matching red coats.", [
        person("Bert", **{"description~": "old man", "wardrobe": "a flat cap"}),
        person("Jo", **{"wardrobe~": "red coats"}), person("Sal", **{"wardrobe~": "red coats"})],
     NO_SHOT),
    ("Team: Dr Ribeiro, the volcanologist, forties, orange helmet, a respirator round her neck; "
     "Kenji, the drone pilot, twenties, yellow jacket, headphones.", [
        person("Ribeiro", **{"description~": "volcanologist", "wardrobe~": "respirator"}),
        person("Kenji", **{"description~": "drone pilot", "wardrobe~": "yellow jacket"})],
     NO_SHOT),
    # "ROLE: description"
    ("THE ARBITER: a bald man in his fifties, bow tie, reading glasses on a chain.", [
        person("Arbiter", **{"description~": "bald man", "wardrobe~": "bow tie"})], NO_SHOT),
    ("THE DEALER: a thin woman in her thirties, green visor, sleeve garters.", [
        person("Dealer", **{"description~": "thin woman", "wardrobe~": "green visor"})],
     NO_SHOT),
    ("THE PROJECTIONIST: seventies, cardigan with elbow patches, thick glasses.", [
        person("Projectionist", **{"description~": "seventies", "wardrobe~": "cardigan"})],
     NO_SHOT),
    # "there's X, description": a habitual "who never smiles" is description
    ("and then there's the Owner, a big man in a white dinner jacket who never smiles", [
        person("Owner", **{"description~": "never smiles", "wardrobe": "a white dinner jacket"})],
     NO_SHOT),
    ("There's also the pianist, Mr Albescu, an old man in a cardigan who never looks up from "
     "the music.", [
        person("Albescu", **{"description~": "pianist", "wardrobe": "a cardigan"})], NO_SHOT),
    ("and there's me when i was little, Cerys, about seven, with two plaits and wellies that "
     "were way too big for me", [
        person("Cerys", **{"description~": "about seven", "wardrobe~": "wellies"})], NO_SHOT),
    ("there's the barman too, a huge bearded guy called Olaf who hardly speaks", [
        person("Olaf", **{"description~": "barman"})], NO_SHOT),
    ("and there's my brother Kit, who was nine then, always in his football shirt", [
        person("Kit", **{"description~": "brother", "wardrobe": "a football shirt"})], NO_SHOT),
    ("There was also the neighbour, Mrs Pike, a nosy woman in curlers and a dressing gown.", [
        person("Pike", **{"description~": "neighbour", "wardrobe~": "dressing gown"})], NO_SHOT),
    # "X is called Y, he's ..., bare clothing items"
    ("my grandad is called Emrys, he's about seventy five, big white beard, always in his old "
     "brown tweed jacket", [
        person("Emrys", **{"description~": "white beard",
                           "wardrobe": "an old brown tweed jacket"})], NO_SHOT),
    ("the ferryman is called Anselm, he's in his sixties, grey moustache, navy wool coat and a "
     "captain's cap", [
        person("Anselm", description="the ferryman, in his sixties, grey moustache",
               wardrobe="navy wool coat and a captain's cap")], NO_SHOT),
    ("my nan is called Peg, she's about eighty, tiny, white perm, always in her pink cardigan", [
        person("Peg", **{"description~": "about eighty", "wardrobe": "a pink cardigan"})],
     NO_SHOT),
    ("the postman is called Stan, he's fifty, red face, blue shorts and a satchel", [
        person("Stan", **{"description~": "fifty", "wardrobe~": "blue shorts"})], NO_SHOT),
    # "he belongs to ...", "his wife wears ..."
    ("he belongs to Noor, she's nine, big curly hair, yellow raincoat, and her dad Sami who is "
     "really tall with glasses", [
        person("Noor", **{"description~": "nine", "wardrobe~": "yellow raincoat"}),
        person("Sami", **{"description~": "Noor's dad", "wardrobe~": "glasses"})], NO_SHOT),
    ("she belongs to Lily, she's six, freckles, blue dungarees, and her mum Ruth who is always "
     "in a nurse's uniform", [
        person("Lily", **{"description~": "freckles", "wardrobe": "blue dungarees"}),
        person("Ruth", **{"description~": "Lily's mum", "wardrobe~": "nurse's uniform"})],
     NO_SHOT),
    ("his wife wears a purple headscarf", [
        person("Wife", **{"description~": "wife", "wardrobe": "a purple headscarf"})], NO_SHOT),
    ("a ferryman called Anselm rows across the harbour", [
        person("Anselm", description="a ferryman")], SHOT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected", "shot"), INTRODUCTIONS, ids=[c[0][:40] for c in INTRODUCTIONS]
)
def test_introductions_in_lists_and_asides(
    plan: StoryPlan, text: str, expected: list[dict[str, Any]], shot: bool | None
) -> None:
    test_people_in_everyday_words(plan, text, expected, shot)


_EMRYS = "my grandad is called Emrys, he's about seventy five, always in his old brown tweed jacket"
_PEG = "my nan is called Peg, she's about eighty, tiny, always in her pink cardigan"
_DELE = (
    "Characters. DELE, 19, shaved head, grey hoodie, red gloves. THE COACH, 60s, black tracksuit."
)
_KENJI = "Kenji is the drone pilot, twenties, yellow jacket, headphones."
_TOMASZ = "A boy called Tomasz, ten, in a grey jumper."

# Changes of looks after an introduction: (the introductions, the change, the edits, a shot?)
CHANGES: list[tuple[list[str], str, list[dict[str, Any]], bool]] = [
    # "X's GARMENT is/was COLOUR, not COLOUR2", and a reason after it
    ([_EMRYS], "grandad's jacket was green, not brown", [
        change("Emrys", wardrobe="an old green tweed jacket")], NO_SHOT),
    ([_PEG], "nan's cardigan is lilac, not pink", [
        change("Peg", wardrobe="a lilac cardigan")], NO_SHOT),
    ([_DELE], "Wardrobe note: Dele's hoodie is red, not grey.", [
        change("Dele", **{"wardrobe~": "red hoodie", "wardrobe!~": "grey"})], NO_SHOT),
    ([_KENJI], "Kenji's jacket is blue, not yellow. Yellow disappears against the sulphur.", [
        change("Kenji", **{"wardrobe~": "blue jacket", "wardrobe!~": "yellow"})], NO_SHOT),
    ([_PEG], "Peg's cardigan is blue now. Blue reads better on camera.", [
        change("Peg", wardrobe="a blue cardigan")], NO_SHOT),
    ([_DELE], "Dele's hoodie is red, not grey. Red pops against the concrete.", [
        change("Dele", **{"wardrobe~": "red hoodie"})], NO_SHOT),
    ([_KENJI], "Kenji's jacket is blue. Yellow smoke pours from the vent.", [
        change("Kenji", **{"wardrobe~": "blue jacket"})], SHOT),
    (["Mara is a woman in her thirties in a red raincoat."],
     "Costume note: Mara's raincoat is green, not red.", [
        change("Mara", wardrobe="a green raincoat")], NO_SHOT),
    ([], "Wardrobe note: Tom's sweater is black, not navy.", [
        change("Tom", wardrobe="a black sweater")], NO_SHOT),
    # "..., a red one"
    ([_TOMASZ], "the boy should have a woollen hat too, a red one", [
        change("Tomasz", wardrobe="a grey jumper and a red woollen hat")], NO_SHOT),
    ([_DELE], "the coach should have a whistle too, a silver one", [
        change("Coach", **{"wardrobe~": "a silver whistle"})], NO_SHOT),
    ([], "the girl should have a scarf as well, a green one", [
        change("Lena", wardrobe="a yellow raincoat and a green scarf")], NO_SHOT),
    # two changes in one sentence
    (["Dolores is a singer in her forties, in a red dress."],
     "Dolores's dress should be emerald, and she wears long white gloves", [
        change("Dolores", wardrobe="an emerald dress and long white gloves")], NO_SHOT),
    ([_PEG], "Peg's cardigan should be blue, and she wears pearl earrings", [
        change("Peg", wardrobe="a blue cardigan and pearl earrings")], NO_SHOT),
    # notes on someone: "NEW not OLD", more looks
    (["Ray is a retired boxer in his seventies, bald, in a grey cardigan."],
     "Note on Ray: older, eighties not seventies, and a white stubble beard.", [
        change("Ray", **{"description~": "eighties", "description!~": "seventies"}),
        change("Ray", **{"description~": "white stubble beard"})], NO_SHOT),
    ([_DELE], "Note on the coach: older, seventies not sixties, and a grey moustache.", [
        change("Coach", **{"description~": "seventies", "description!~": "60s"})], NO_SHOT),
    ([], "Hair note: Lena's hair is shorter, a bob not long.", [
        change("Lena", **{"description~": "short"})], NO_SHOT),
    # "should be in X, not the Y one"
    (["Sofia is a dancer, eight years old, in a pink leotard."],
     "Sofia should be in a black leotard, not the pink one", [
        change("Sofia", **{"wardrobe": "a black leotard", "description!~": "pink"})], NO_SHOT),
    ([_DELE], "Dele should be in blue shorts, not the black ones", [
        change("Dele", **{"wardrobe~": "blue shorts"})], NO_SHOT),
    # a known person meant by a kin word
    ([_EMRYS, "his wife is called Nia, she's seventy"], "his wife wears a purple headscarf", [
        change("Nia", **{"wardrobe~": "purple headscarf"})], NO_SHOT),
    # swap / replace
    ([_TOMASZ], "Wardrobe, Tomasz: swap the grey jumper for a navy school blazer, too big in "
     "the shoulders.", [
        change("Tomasz", **{"wardrobe~": "a navy school blazer", "wardrobe!~": "jumper"})],
     NO_SHOT),
    ([], "Change for Lena: replace the yellow raincoat with a denim jacket.", [
        change("Lena", wardrobe="a denim jacket")], NO_SHOT),
    # "it gets muddy, can it be ... from now on"
    (["Noor is nine, big curly hair, yellow raincoat."],
     "noor's raincoat gets all muddy, can it be a muddy yellow raincoat from now on", [
        change("Noor", wardrobe="a muddy yellow raincoat")], NO_SHOT),
    ([_DELE], "Dele's gloves get all scuffed, can they be scuffed red gloves from now on", [
        change("Dele", **{"wardrobe~": "scuffed red gloves"})], NO_SHOT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "text", "expected", "shot"), CHANGES, ids=[c[1][:40] for c in CHANGES]
)
def test_changes_of_looks_after_an_introduction(
    plan: StoryPlan, before: list[str], text: str, expected: list[dict[str, Any]], shot: bool
) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    for said in before:
        plan = apply(plan, direct(said, plan, memo).edits)
    reply = direct(text, plan, memo)
    got = [e.model_dump(mode="json") for e in reply.edits]
    for want in expected:
        assert any(fits_all(e, want) for e in reply.edits), f"{text!r}: no {want} in {got}"
    assert bool([e for e in reply.edits if e.kind == "add_shot"]) == shot, got
    assert not [e for e in reply.edits if e.kind == "add_character"], got
    apply(plan, reply.edits)


def test_new_case_tables_are_large_enough() -> None:
    assert len(INTRODUCTIONS) + len(CHANGES) >= 45


# Families: a description after the name ("X from Y, a tall guy ...", "..., hes a chubby
# kid ..."), the narrator as a character ("my name is Lily"), cast lists opened by "Also in
# this:" / "Plus:" with habits in them, and changes of looks asked or said with a kin word.
FAMILIES: list[tuple[str, list[dict[str, Any]], bool | None]] = [
    # a description after the name, in the same clause
    ("his neighbour Piet from the flat upstairs, a short bald man with a ginger beard and "
     "braces, knocks on the door", [
        person("Piet", **{"description~": "ginger beard", "wardrobe~": "braces"})], SHOT),
    ("her cousin Noa from the farm down the road, a lanky teenager with freckles, waves", [
        person("Noa", **{"description~": "freckles"})], SHOT),
    ("the boy is my nephew Arlo and his friend Kofi helps him, hes a skinny kid with big "
     "glasses and a striped jumper", [
        person("Kofi", **{"description~": "skinny kid", "wardrobe~": "striped jumper"})],
     NO_SHOT),
    ("the main lady is my gran Edna, shes 85 and has bright white curls and laughs at "
     "everything, she always wears a lilac cardigan", [
        person("Edna", **{"description~": "white curls", "wardrobe": "a lilac cardigan"})],
     NO_SHOT),
    ("the big guy is my uncle Ray, he's huge and has a bushy black beard, he always wears "
     "a leather waistcoat", [
        person("Ray", **{"description~": "bushy black beard", "wardrobe~": "waistcoat"})],
     NO_SHOT),
    ("Ines is a tall woman with short grey hair and she always wears a long green coat", [
        person("Ines", **{"description~": "short grey hair", "wardrobe": "a long green coat"})],
     NO_SHOT),
    ("my grandad is called Alun, he's about seventy, always in his old tweed jacket with a "
     "pipe in the pocket", [
        person("Alun", **{"wardrobe~": "old tweed jacket"})], NO_SHOT),
    # the narrator as a character
    ("and me, i was like 9, my name is Lily and i had a pink puffy coat and bangs", [
        person("Lily", **{"description~": "bangs", "wardrobe~": "pink puffy coat"})], NO_SHOT),
    ("and then me, i was about twelve, my name's Jess and i always wore a red beanie", [
        person("Jess", **{"description~": "narrator", "wardrobe~": "red beanie"})], NO_SHOT),
    ("oh and me, my name is Sam, i had braces and a yellow raincoat", [
        person("Sam", **{"description~": "narrator", "wardrobe~": "raincoat"})], NO_SHOT),
    ("theres also Mara's little sister Pia who is like six, she's got a teddy glued to her "
     "arm all day", [person("Pia", **{"description~": "little sister"})], NO_SHOT),
    ("there's Tom's old friend Gus who is about eighty, he's got a walking stick and a "
     "flat cap", [person("Gus", **{"description~": "old friend", "wardrobe~": "flat cap"})],
     NO_SHOT),
    # lists opened by "Also in this:", "Plus:"; a habit in an entry is description
    ("Also in this: BRIDGET, the postwoman, 50s, red anorak, rides a rusty bicycle.", [
        person("Bridget", **{"description~": "rides a rusty bicycle",
                             "wardrobe": "red anorak"})], NO_SHOT),
    ("Plus: OLD PADDY, the landlord, 80s, flat cap, runs the pub on the square.", [
        person("Paddy", **{"description~": "runs the pub", "wardrobe": "flat cap"})], NO_SHOT),
    ("Also: KEMAL, 40s, the baker, flour on his apron, sings all day.", [
        person("Kemal", **{"description~": "baker"})], NO_SHOT),
    ("Characters: WEN, 24, delivery rider, short bleached hair, black rain jacket. "
     "AUNTIE HSU, 60s, runs the pepper bun stall, floral apron, sun visor.", [
        person("Wen", **{"wardrobe~": "rain jacket"}),
        person("Hsu", **{"description~": "runs the pepper bun stall", "wardrobe~": "apron"})],
     NO_SHOT),
    ("Cast: DOUGIE, the neighbouring farmer, 70s, flat tweed cap, drives a red tractor.", [
        person("Dougie", **{"wardrobe": "flat tweed cap"})], NO_SHOT),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "shot"), FAMILIES, ids=[c[0][:40] for c in FAMILIES])
def test_descriptions_after_names_narrators_and_cast_lists(
    plan: StoryPlan, text: str, expected: list[dict[str, Any]], shot: bool | None
) -> None:
    test_people_in_everyday_words(plan, text, expected, shot)


_ZHOU = "the main guy is my grandpa Zhou, hes 80"
_BRAM = "her neighbour Bram, a tall skinny guy with a grey beard, comes in"
_SAMI = "SAMI, 19, her student, gangly, sunburnt nose, Real Madrid shirt."
_MARGIT = "Margit is a small round woman with white hair and she always wears a mustard cardigan"

# Changes of looks with a kin word, asked as a question, or a garment replaced by another
FAMILY_CHANGES: list[tuple[list[str], str, list[dict[str, Any]], bool]] = [
    ([_ZHOU], "oh and grandpa had a red scarf that day, my grandma knitted it for him", [
        change("Zhou", **{"wardrobe~": "red scarf", "wardrobe!~": "that day"})], NO_SHOT),
    ([_ZHOU], "grandpa had a straw hat on that day", [
        change("Zhou", **{"wardrobe~": "straw hat"})], NO_SHOT),
    ([_ZHOU], "and grandpa wore a grey flat cap that morning", [
        change("Zhou", **{"wardrobe~": "grey flat cap"})], NO_SHOT),
    ([_BRAM], "actually can Bram have a green scarf too, its cold out", [
        change("Bram", **{"wardrobe~": "green scarf"})], NO_SHOT),
    ([_BRAM], "could Bram wear a woolly hat as well", [
        change("Bram", **{"wardrobe~": "woolly hat"})], NO_SHOT),
    ([_ZHOU], "can grandpa have a woolly scarf too", [
        change("Zhou", **{"wardrobe~": "woolly scarf"})], NO_SHOT),
    ([_SAMI], "Continuity: Sami's shirt should be a plain white vest instead. No football "
     "shirt.", [
        change("Sami", **{"wardrobe~": "plain white vest", "wardrobe!~": "real madrid"})],
     NO_SHOT),
    ([_SAMI], "Sami's shirt should be a grey hoodie instead", [
        change("Sami", **{"wardrobe~": "grey hoodie", "wardrobe!~": "madrid"})], NO_SHOT),
    ([_MARGIT], "oh wait her cardigan should be blue not mustard, she hated yellow actually", [
        change("Margit", **{"wardrobe~": "blue cardigan", "wardrobe!~": "mustard"})], NO_SHOT),
    ([_MARGIT], "Margit should have glasses too, thick round ones", [
        change("Margit", **{"wardrobe~": "thick round glasses"})], NO_SHOT),
    ([_BRAM], "Give Bram a hat \u2014 a grey felt fedora.", [
        change("Bram", **{"wardrobe~": "grey felt fedora"})], NO_SHOT),
    # a change asked with the garment before its verb, said with "got", as a habit, as a label
    ([_MARGIT], "could margits cardigan be blue instead", [
        change("Margit", **{"wardrobe~": "blue cardigan", "wardrobe!~": "mustard"})], NO_SHOT),
    ([_MARGIT], "her cardigan should be blue not mustard, and shes got a pearl necklace on", [
        change("Margit", **{"wardrobe~": "pearl necklace"})], NO_SHOT),
    ([_PEG], "peg always wore white gloves to church, like the queen lol", [
        change("Peg", **{"wardrobe~": "white gloves"})], NO_SHOT),
    ([_KENJI], "Kenji's jacket: red, not yellow.", [
        change("Kenji", **{"wardrobe~": "red jacket", "wardrobe!~": "yellow"})], NO_SHOT),
    (["Rosa is a deckhand in an orange hi-vis jacket."], "Rosa's hi-vis is yellow, not orange.", [
        change("Rosa", **{"wardrobe~": "yellow hi-vis", "wardrobe!~": "orange"})], NO_SHOT),
    (["Pickle is a small brindle dog."], "pickle needs a red collar with a bone shaped tag", [
        change("Pickle", **{"wardrobe~": "red collar"})], NO_SHOT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "text", "expected", "shot"), FAMILY_CHANGES, ids=[c[1][:40] for c in FAMILY_CHANGES]
)
def test_changes_of_looks_by_kin_word_question_or_replacement(
    plan: StoryPlan, before: list[str], text: str, expected: list[dict[str, Any]], shot: bool
) -> None:
    test_changes_of_looks_after_an_introduction(plan, before, text, expected, shot)


def test_the_narrator_is_me_in_later_shots() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    plan = apply(
        plan, direct("and me, i was like 9, my name is Lily and i had a red coat", plan, memo).edits
    )
    reply = direct("then Tom and me walking up the hill with a kite", plan, memo)
    shots = [e for e in reply.edits if e.kind == "add_shot"]
    assert shots and shots[0].characters == ["Tom", "Lily"]
    reply = direct("show me a close-up of Tom", plan, memo)
    assert all("Lily" not in getattr(e, "characters", []) for e in reply.edits)


def test_family_tables_are_large_enough() -> None:
    assert len(FAMILIES) + len(FAMILY_CHANGES) >= 20


@pytest.mark.parametrize(
    ("said", "gender"),
    [("his granddaughter, twelve", "f"), ("her grandson, a toddler", "m"), ("a nonna", "f")],
)
def test_the_kin_noun_says_the_gender_before_the_owner_does(said: str, gender: str) -> None:
    from storyreel.agent.offline.cast import _gender

    assert _gender(said) == gender


# Where someone is from and how old they are describe them: never a name of their own
NOT_NAMES: list[tuple[str, dict[str, str]]] = [
    ("His grandad Clement, tall, Trinidadian, black trilby and a cardigan, walks Tom in.",
     {"Clement": "trinidadian"}),
    ("The crew: Ines, Portuguese, 40s, straw hat and a red bandana; Kofi, a student; and the "
     "Foreman, a big bearded Breton.", {"Ines": "bandana", "Kofi": "student", "Foreman": "breton"}),
    ("The Postman is the main character, we never learn his name. Fifties, weathered, red "
     "cheeks, huge cracked leather satchel.", {"Postman": "satchel"}),
    ("The climber's name is Ilse. Eighties, tiny, long white plait, a hand-knitted jumper.",
     {"Ilse": "plait"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "people"), NOT_NAMES, ids=[c[0][:40] for c in NOT_NAMES])
def test_nationalities_and_decades_are_descriptions_not_names(
    plan: StoryPlan, text: str, people: dict[str, str]
) -> None:
    reply = direct(text, plan)
    added = {e.name: e for e in reply.edits if isinstance(e, AddCharacter)}
    assert set(added) == set(people), reply.edits
    for name, word in people.items():
        said = f"{added[name].description} {added[name].wardrobe}".lower()
        assert word in said, (name, said)


def test_a_known_person_described_again_keeps_what_was_said() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    said = "ok so my aunts, twin sisters called Dot and Lou, ran the ferris wheel"
    plan = apply(plan, direct(said, plan, memo).edits)
    for text in ("dot's the bossy one, short grey bob, always in overalls.",
                 "lou is the dreamy one with a long braid and a white sun hat"):  # fmt: skip
        reply = direct(text, plan, memo)
        assert not [e for e in reply.edits if e.kind in ("add_shot", "add_character")]
        plan = apply(plan, reply.edits)
    dot, lou = plan.find_character("Dot"), plan.find_character("Lou")
    assert dot and "bossy" in dot.description and "twin" in dot.description
    assert "overalls" in dot.wardrobe
    assert lou and "braid" in lou.description and "sun hat" in lou.wardrobe


# Names typed in lower case in the places only a name can stand
LOWER_CASE_NAMES: list[tuple[str, str]] = [
    ("his arch enemy was beryl from plot 9, tiny woman with a white perm", "Beryl"),
    ("the judge was this posh bloke everyone called the major, tweed jacket", "Major"),
    ("leannes nan is doreen, 88, tiny, in a wheelchair", "Doreen"),
    ("oh and the bloke from the chippy, big dave, bald, white apron", "Dave"),
    ("the newsagent was this woman everyone called mrs b, pink cardigan", "B"),
    ("me, i was danny back then. skinny, massive orange bag", "Danny"),
    ("my mum isa obviously, in her pinny", "Isa"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name"), LOWER_CASE_NAMES, ids=[c[1] for c in LOWER_CASE_NAMES])
def test_names_typed_in_lower_case_are_people(text: str, name: str) -> None:
    reply = direct(text, build_plan())
    added = [e.name for e in reply.edits if isinstance(e, AddCharacter)]
    assert any(n == name or n.endswith(f" {name}") for n in added), (added, reply.reply)
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits


@pytest.mark.parametrize("text", ["i was so tired that day", "im the dad", "i was there too"])
def test_the_narrator_says_i_was_without_a_name(text: str) -> None:
    reply = direct(text, build_plan())
    assert not [e for e in reply.edits if isinstance(e, AddCharacter) and e.name[0].isupper()
                and e.name.lower() in ("so", "the", "there")]  # fmt: skip


def test_a_role_said_alone_then_its_looks_is_one_new_person() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    reply = direct(
        "New character: the Purser. Woman, 60s, navy uniform with gold braid, reading glasses "
        "on a chain.",
        plan,
        memo,
    )
    added = [e for e in reply.edits if isinstance(e, AddCharacter)]
    assert [e.name for e in added] == ["Purser"], reply.edits
    assert "60s" in added[0].description and "navy uniform" in added[0].wardrobe
    assert not [e for e in reply.edits if e.kind == "add_shot"]  # "60s" is an age, not 60 s


def test_a_line_after_a_colon_by_someone_not_in_the_last_shot_is_their_own_shot() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    plan = apply(plan, direct("Mara waits on the quay.", plan, memo).edits)
    last = plan.shots[-1].id
    reply = direct("and tom just says: come home. the boats are in", plan, memo)
    new = [e for e in reply.edits if e.kind == "add_shot"]
    assert len(new) == 1 and new[0].characters == ["Tom"], reply.edits
    assert "come home" in (new[0].dialogue or "").lower()
    assert not [e for e in reply.edits if getattr(e, "shot_id", None) == last]
    reply = direct("and mara says: i know", plan, memo)  # she is in it: the line is hers there
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits


@pytest.mark.parametrize(
    ("text", "who"),
    [("her fingers winding the little key on the back", "Mara"),
     ("his hands shaking on the tiller", "Tom")],
)  # fmt: skip
def test_a_part_of_someone_just_talked_about_is_a_shot_of_them(text: str, who: str) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    plan = apply(plan, direct(f"{who} sits alone on the quay.", plan, memo).edits)
    reply = direct(text, plan, memo)
    new = [e for e in reply.edits if e.kind == "add_shot"]
    assert len(new) == 1 and new[0].characters == [who], reply.edits


def test_theres_also_someone_with_a_role_and_a_name_is_no_shot() -> None:
    text = (
        "theres also the bee inspector from the council, mr achterberg, tall dutch bloke in a hat"
    )
    reply = direct(text, build_plan())
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)] == ["Achterberg"]
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits


@pytest.mark.parametrize(
    "text",
    ["One more: the Bosun. Big Geordie, 60s, tattooed forearms, blue boiler suit.",
     "leannes nan is doreen, 88, tiny, in a wheelchair, shes been waiting all night for her song"],
)  # fmt: skip
def test_introductions_that_make_no_shot(text: str) -> None:
    reply = direct(text, build_plan())
    assert len([e for e in reply.edits if isinstance(e, AddCharacter)]) == 1, reply.edits
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits


def test_a_name_and_a_colon_before_clothes_is_a_wardrobe_note_not_a_line() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    plan = apply(plan, direct("Kofi is a student, earbuds in, sunburnt neck.", plan, memo).edits)
    reply = direct("Kofi: white linen shirt, no earbuds.", plan, memo)
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
    plan = apply(plan, reply.edits)
    kofi = plan.find_character("Kofi")
    assert kofi and "linen shirt" in kofi.wardrobe and "earbuds" not in kofi.wardrobe.lower()
    reply = direct("Tom: We sail at dawn.", plan, memo)  # a line is still a line
    assert any("sail at dawn" in (getattr(e, "dialogue", "") or "") for e in reply.edits)


def test_a_role_said_in_a_description_names_that_person() -> None:
    """ "the team leader" means the one person described as the team leader; a garment
    wanted or needed round the neck is a change of their clothes, never a shot."""
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    for text in ("Gail is the shift leader, woman, 50s, loud laugh", "Ray: 30s, the sound man"):
        plan = apply(plan, direct(text, plan, memo).edits)
    for text, who, worn in (
        ("the shift leader wants a whistle round her neck lol", "Gail", "whistle"),
        ("the sound man needs a lanyard round his neck", "Ray", "lanyard"),
    ):
        reply = direct(text, plan, memo)
        assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
        plan = apply(plan, reply.edits)
        character = plan.find_character(who)
        assert character and worn in character.wardrobe, (text, character)
    reply = direct("the shift leader waves from the window", plan, memo)
    assert [e.characters for e in reply.edits if e.kind == "add_shot"] == [["Gail"]]


def test_the_boy_is_the_child_of_the_story_not_a_big_lad() -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = build_plan()
    for text in ("Sol is the porter, big lad, overalls", "and her son Eli, 6, in a onesie"):
        plan = apply(plan, direct(text, plan, memo).edits)
    reply = direct("the little boy should be in wellies too", plan, memo)
    plan = apply(plan, reply.edits)
    eli, sol = plan.find_character("Eli"), plan.find_character("Sol")
    assert eli and "wellies" in eli.wardrobe and sol and "wellies" not in sol.wardrobe


def test_a_garment_changed_with_another_added() -> None:
    plan = apply(build_plan(), [AddCharacter(name="Ana", description="a nurse", wardrobe="scrubs")])
    reply = direct("Ana's scrubs should be green, with a white cardigan over them.", plan)
    ana = apply(plan, reply.edits).find_character("Ana")
    assert ana and "green scrubs" in ana.wardrobe and "white cardigan" in ana.wardrobe


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        (
            "the detective should lose the fedora \u2014 give him a flat cap instead",
            "flat cap",
            "fedora",
        ),
        ("Doyle should lose the trench coat", "fedora", "trench"),
        (
            "I have been thinking that Doyle's fedora ought to be grey rather than brown, for that "
            "is how I always saw him",
            "grey fedora",
            "brown",
        ),
        ("Doyle fedora should be black, not brown.", "black fedora", "brown"),
        ("the detective needs a fresh buzzcut", "", ""),
    ],
)
def test_clothes_lost_swapped_or_recoloured(text: str, has: str, lacks: str) -> None:
    doyle = AddCharacter(
        name="Doyle",
        description="a police detective, 50s",
        wardrobe="a rumpled trench coat and a brown fedora",
    )
    plan = apply(build_plan(), [doyle])
    reply = direct(text, plan)
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
    after = apply(plan, reply.edits).find_character("Doyle")
    assert after is not None and after != plan.find_character("Doyle"), reply.reply
    assert has.lower() in after.wardrobe.lower()
    assert not lacks or lacks not in after.wardrobe.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Tom's grandson Tyler, a scrawny kid, sneaks a slice of pie. Wide shot.",
        "toms grandson tyler, a scrawny kid, sneaks a slice of pie. wide shot",
    ],
)
def test_someone_new_named_by_a_known_persons_kin_inside_a_shot(text: str) -> None:
    reply = direct(text, build_plan())
    added = [e for e in reply.edits if isinstance(e, AddCharacter)]
    assert [e.name for e in added] == ["Tyler"] and "Tom's grandson" in added[0].description
    shots = [e for e in reply.edits if e.kind == "add_shot"]
    assert len(shots) == 1 and "Tyler" in shots[0].characters, reply.edits


@pytest.mark.parametrize(
    ("setup", "text", "who", "has", "lacks"),
    [
        ("Cass is a singer in a leopard-print coat",
         "Wardrobe change for Cass: silver puffer jacket instead of the leopard coat.",
         "Cass", "silver puffer jacket", "leopard"),
        ("Roux is a baker in a long blue apron",
         "the apron of Monsieur Roux is not blue, is white, like all the bakers",
         "Roux", "white apron", "blue"),
        ("Priya is a florist in a green apron and a mustard yellow jumper",
         "priya doesnt wear the yellow jumper anymore, its a lilac one now",
         "Priya", "lilac jumper", "yellow"),
        ("Andre is her son, 40s, in a raptors cap and a grey hoodie",
         "no cap on andre pls", "Andre", "hoodie", "cap"),
        ("Gordon is the narrator, 78, in a flat cap and an old navy pea coat",
         "Correction.  My pea coat is not navy,,  it is dark green.  Always has been.",
         "Gordon", "dark green pea coat", "navy"),
        ("Henk is a tall man in blue overalls",
         "oh his overalls were more dark green than blue actually", "Henk", "dark green", "blue"),
        ("Graeme is my husband, big beard, in a green swanndri",
         "actually graemes swanndri should be the red and black check one, not the green",
         "Graeme", "red and black check swanndri", "green"),
        ("Aarav is a boy, 11, in black-rimmed spectacles and a school shirt",
         "Aarav should not be wearing spectacles in the film. He has contact lenses now.",
         "Aarav", "school shirt", "spectacles"),
    ],
)  # fmt: skip
def test_looks_changed_in_everyday_shapes(
    setup: str, text: str, who: str, has: str, lacks: str
) -> None:
    memo: dict[str, Any] = {"told_offline": True}
    plan = apply(build_plan(), direct(setup, build_plan(), memo).edits)
    reply = direct(text, plan, memo)
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
    person = apply(plan, reply.edits).find_character(who)
    assert person is not None
    assert has in person.wardrobe.lower() and lacks not in person.wardrobe.lower(), person


def test_a_numbered_list_under_a_people_heading_is_people() -> None:
    text = (
        "Good evening. Kindly add the following persons:\n"
        "1. Meera, Aarav's opponent, 12 years, two long plaits with ribbons.\n"
        "2. Myself, Dadaji, 74 years, white kurta and Gandhi cap."
    )
    reply = direct(text, build_plan())
    assert [e.name for e in reply.edits if isinstance(e, AddCharacter)] == ["Meera", "Dadaji"]
    assert not [e for e in reply.edits if e.kind == "add_shot"], reply.edits
    dadaji = next(e for e in reply.edits if getattr(e, "name", "") == "Dadaji")
    assert "narrator" in dadaji.description
