"""Staging for the previz animatic: where each figure stands, where it looks, what it does.

`plan_staging` reads a shot's directions (subjects with their planned `position` and
`facing`, the `action` text, the `speaker`, the shot size and angle) and returns a
`Staging`: for every figure its screen position (a fraction of the frame width), its
scale and its `Pose` in every frame, plus the props to draw and where. previz
(renderer/previz.py) draws it; this module does no drawing of figures.

Position and facing. A planned `position` ("left", "center", "right") puts the figure's
feet at 0.2, 0.5 or 0.8 of the frame width; a planned `facing` ("left", "right",
"camera", "away") turns it: left and right draw it in profile (left is the mirror image
of right), camera from the front, away from the back. Without a plan: one person stands
in the centre facing the camera, or on a third (1/3 or 2/3) leaving room in front when it
faces a side; two or more stand side by side in the order given, about half a height
apart (at most 0.3 and 0.7 of the width for two, 0.2 to 0.8 for more), and two face each
other (except in an establishing shot without action or dialogue, where they face the
camera). The angle "profile" or "back" turns
figures without a planned facing. Over the shoulder ("ots"): the second subject owns
the shoulder, drawn blurred in front at its planned side (left by default); the first
faces it from the other side of the frame. Eyelines: a figure that "looks at" (or talks
to, hands something to, hugs, turns to) someone faces that person; in a two-person
dialogue each faces the other.

Action verbs, found in the action text as whole words in their everyday forms, the way
tools/vocabulary.py finds camera moves (`VERBS`, tried in order, every match counts). The
doer is the last character named before the verb (else the first subject; "he", "she"
and "they" keep the last one named); the target is a character named after it.

==========  ================================================================  ==========
verb        everyday forms (each with -s, -ing, -ed or its irregular forms)      shows
==========  ================================================================  ==========
enter       enter, arrive; comes / walks / steps / runs in                      motion
exit        exit, leave, left, depart; walks / goes / steps / runs / heads      motion
            out, off or away
run         run, sprint, dash, race, rush, chase, flee                          motion
walk        walk, stroll, stride, step, pace, wander, head, go, come,           motion
            approach, cross, climb, hurry, limp, trudge, march
look_up     looks / glances / gazes / peers / stares up; raises her eyes         head
look_down   looks / glances / gazes / peers / stares down; lowers his head;     head
            bows
look_at     looks / glances / gazes / stares / smiles / nods / talks /          eyeline
            speaks / turns at, to or towards; watches, sees
turn        turn, spin, whirl, swivel (not "turned up", "turns on")            facing
sit         sit, sat, seated; takes a seat                                      body
stand       stands / gets up; rise, rose                                        body
kneel       kneel, knelt, crouch, squat; bends down                             body
hand        hand (over), give, pass, offer, deliver; holds out                  arm, prop
reach       reach, point, grab, take, hold; picks / lifts up                    arm, prop
hug         hug, embrace, cuddle                                                arms
wave        wave                                                                arm
read        read, open, study, unfold, scan                                     arms, prop
write       write, wrote, scribble, sign, jot                                   arm, prop
cry         cry, weep, wept, sob; tears up                                      head, arms
laugh       laugh, giggle, chuckle, grin, smile                                 head
==========  ================================================================  ==========

Verbs are tried in this order and a stretch of text matched once is not matched again
("walks in" is enter, "smiles at Tom" an eyeline, "smiles" a laugh). A verb right after
"sees her" / "watches him" is someone else's ("Tom sees her coming": Tom does not walk).

What they show, over a take of N frames (t from 0 to 1):

- walk / run: the figure moves in the direction it faces, a third of the frame (run:
  two thirds) - "across" the whole frame, from one side to the other - with a walking
  (running) stride; "toward(s)" / "to the camera" / "approaches" grows it from 0.75x to
  1.3x, "away" shrinks it. In a tracking or truck shot the camera follows: the figure
  stays and only strides.
- enter: it comes in from the side ("from the left"/"from the right", else the side
  it is nearer) to its place over the first 60 % of the take; exit: it leaves from its
  place out of the side it faces over the last 60 %.
- turn: it faces the other way (or away, for "turns away") until the middle, then as
  planned (or towards its target).
- look up / look down: the head tilts (eyes and face up or down); "looks up from" starts
  looking down and looks up at 35 %; look at: the figure faces its target.
- sit: seated on a stool (thighs forward, body lower); "sits down" stands until 40 %;
  stand ("stands up", "rises"): seated until 40 %, then standing; kneel: on one knee.
- hand / reach: the arm reaches out towards the target (or forward); handing over, the
  named prop (else a letter) is in the giver's hand until the middle, then in the
  receiver's, who reaches back; a figure facing the camera with no one in the frame to
  give to (over the shoulder) holds the prop out in both hands towards the lens.
- hug: arms forward; two figures close in on each other over the first half.
- wave: the arm raised, swinging every quarter second. read: both hands hold the named
  prop (else a book) at the chest, head down; write: one hand writes (a paper), head down.
- cry: hands to the face, head down; laugh: head back, mouth open, bobbing.

Props (renderer/props.py: `find_props`, `draw_prop`, `draw_card`): those the action names
are held at the hand of the figure doing a holding verb (read, write, hand, reach);
another small thing the action names (a phone, a cup) is carried by the figure that acts
(else the first); big things stand in the set beside the figures (table, lamp, boat,
tree...; not in an establishing shot without people, whose set shows the place). A prop
in a character's description after "carrying", "holding" or "with" ("with a bag") is
carried by that character; worn things (a cap, glasses) are not. A close-up (ECU, CU)
whose action names a prop and no person present fills the frame with that prop (a flat
one, like a letter, turned to fill a wide frame; on a desk top when it lies on a desk or
table); a close-up of something that is neither a prop nor a person gets a labelled card
with the object's noun.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

View = Literal["front", "profile", "back"]
Head = Literal["level", "up", "down", "laugh"]
Stance = Literal["stand", "sit", "kneel"]
Arm = tuple[float, float]  # (upper arm, forearm) angles from hanging, + outward / forward

HANG: Arm = (0.06, 0.06)
_ARMS: dict[str, tuple[Arm, Arm]] = {  # (near arm, far arm) by gesture
    "reach": ((1.45, 1.5), HANG),
    "hand": ((1.3, 1.5), HANG),
    "hug": ((1.35, 1.9), (1.35, 1.9)),
    "wave": ((2.5, 2.9), HANG),
    "wave2": ((2.5, 2.2), HANG),
    "read": ((-0.1, -2.2), (-0.1, -2.2)),
    "write": ((0.6, 1.45), HANG),
    "cry": ((-0.15, -2.75), (-0.15, -2.75)),
    "carry": ((0.12, 0.12), HANG),
}

POSITIONS = {"left": 0.2, "center": 0.5, "centre": 0.5, "right": 0.8}
"""Screen x of a planned position, as a fraction of the frame width."""


@dataclass(frozen=True)
class Pose:
    """How one figure is drawn in one frame (hashable: previz rasterises each pose once).

    view: front, profile or back; mirror: it faces screen-left (drawn as the mirror image);
    head: level, up, down or laugh (back, mouth open); near/far: arm angles (upper arm,
    forearm) in radians from hanging, positive outward (front) or forward (profile);
    stride: -1..1 leg swing; stance: stand, sit or kneel; held: the prop in its hand(s).
    """

    view: View = "front"
    mirror: bool = False
    head: Head = "level"
    near: Arm = HANG
    far: Arm = HANG
    stride: float = 0.0
    stance: Stance = "stand"
    held: str | None = None


@dataclass
class Figure:
    """One subject's staging: per frame its x (frame fraction), scale and pose index."""

    index: int
    name: str
    xs: np.ndarray
    scales: np.ndarray
    poses: list[Pose]
    pose_index: np.ndarray
    verbs: list[str] = field(default_factory=list)
    planned: bool = False  # its facing comes from the plan (an eyeline does not turn it)

    @property
    def moving(self) -> bool:
        """Whether the figure changes during the take (then previz draws it per frame)."""
        return (
            len(self.poses) > 1 or bool(np.ptp(self.xs) > 1e-9) or bool(np.ptp(self.scales) > 1e-9)
        )


@dataclass
class Staging:
    """The staged shot: figures (subject order), set props, a prop or card filling the
    frame (close-ups without a person), and where the ots shoulder is ("left"/"right")."""

    figures: list[Figure]
    set_props: list[str] = field(default_factory=list)
    fill_prop: str | None = None
    fill_card: str | None = None
    surface: str | None = None  # the desk or table a frame-filling prop lies on
    shoulder: Literal["left", "right"] = "left"

    def summary(self) -> dict[str, Any]:
        """What was staged, for the take's metadata."""
        return {
            "figures": [
                {
                    "name": f.name,
                    "x": [round(float(f.xs[0]), 3), round(float(f.xs[-1]), 3)],
                    "verbs": f.verbs,
                    "facing": _facing_name(f.poses[-1]),
                    "held": sorted({p.held for p in f.poses if p.held}),
                    "moving": f.moving,
                }
                for f in self.figures
            ],
            "set_props": self.set_props,
            "fill": self.fill_prop or (f"card:{self.fill_card}" if self.fill_card else None),
        }


def _facing_name(pose: Pose) -> str:
    """The planned-facing word a pose shows: left, right, camera or away."""
    if pose.view == "profile":
        return "left" if pose.mirror else "right"
    return "away" if pose.view == "back" else "camera"


# The verb table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verb:
    """One action verb: its name, the regex of its everyday forms, what it shows."""

    name: str
    pattern: str
    shows: str


def _forms(*stems: str) -> str:
    """Regex alternation of the regular forms of `stems` (walk: walk, walks, walking,
    walked) plus any irregular words given whole (a stem with a space or ending in '!')."""
    out: list[str] = []
    for stem in stems:
        if stem.endswith("!"):
            out.append(stem[:-1])
            continue
        base = stem[:-1] if stem.endswith("e") else stem
        plural = f"{stem}es" if stem.endswith(("s", "sh", "ch", "x")) else f"{stem}s"
        if stem.endswith("y") and stem[-2] not in "aeiou":
            plural, past = f"{stem[:-1]}ies", f"{stem[:-1]}ied"
        else:
            past = f"{base}ed"
        out += [stem, plural, f"{base}ing", past]
    return "|".join(sorted(set(out), key=len, reverse=True))


_PRON = r"(?:his|her|their|its|my)"
_LEFT = r"(?<!the )(?<!to )(?<!her )(?<!his )(?<!its )left(?!\s+(?:hand|arm|side|of))!"
"""Past of leave, not the side ("from the left", "her left hand")."""
VERBS: tuple[Verb, ...] = (
    Verb("enter", rf"(?:{_forms('enter', 'arrive')}|(?:{_forms('come', 'walk', 'step', 'came!', 'run', 'ran!')})\s+in\b)", "motion"),  # noqa: E501
    Verb("exit", rf"(?:{_forms('exit', 'leave', _LEFT, 'depart')}|(?:{_forms('walk', 'go', 'went!', 'gone!', 'step', 'run', 'ran!', 'head')})\s+(?:out|off|away)\b)", "motion"),  # noqa: E501
    Verb("run", _forms("run", "ran!", "running!", "sprint", "dash", "race", "rush", "chase", "flee", "fled!"), "motion"),  # noqa: E501
    Verb("walk", _forms("walk", "stroll", "stride", "strode!", "step", "stepping!", "pace", "wander", "head", "go", "goes!", "went!", "come", "came!", "approach", "cross", "climb", "hurry", "limp", "trudge", "march"), "motion"),  # noqa: E501
    Verb("look_up", rf"(?:{_forms('look', 'glance', 'gaze', 'peer', 'stare')})\s+up\b|(?:{_forms('raise')})\s+{_PRON}\s+(?:eyes|head|gaze)", "head"),  # noqa: E501
    Verb("look_down", rf"(?:{_forms('look', 'glance', 'gaze', 'peer', 'stare')})\s+down\b|(?:{_forms('lower')})\s+{_PRON}\s+(?:eyes|head|gaze)|{_forms('bow')}", "head"),  # noqa: E501
    Verb("look_at", rf"(?:{_forms('look', 'glance', 'gaze', 'stare', 'smile', 'peer', 'nod', 'talk', 'speak', 'spoke!', 'turn')})\s+(?:at|to|towards?)\b|{_forms('watch', 'see', 'saw!', 'seen!')}", "eyeline"),  # noqa: E501
    Verb("turn", rf"(?:{_forms('turn', 'spin', 'spun!', 'whirl', 'swivel')})(?!\s+(?:up|down|on|off|out|into|over)\b)", "facing"),  # noqa: E501
    Verb("sit", rf"{_forms('sit', 'sat!', 'sitting!', 'seated!')}|takes?\s+a\s+seat", "body"),
    Verb("stand", rf"(?:{_forms('stand', 'stood!', 'get', 'got!', 'getting!')})\s+up\b|{_forms('rise', 'rose!', 'risen!')}", "body"),  # noqa: E501
    Verb("kneel", rf"{_forms('kneel', 'knelt!', 'crouch', 'squat', 'squatting!')}|(?:{_forms('bend', 'bent!')})\s+down\b", "body"),  # noqa: E501
    Verb("hand", rf"(?:{_forms('hand')})(?:\s+over)?|{_forms('give', 'gave!', 'given!', 'pass', 'offer', 'deliver')}|(?:{_forms('hold', 'held!')})\s+out\b", "arm, prop"),  # noqa: E501
    Verb("reach", rf"{_forms('reach', 'point', 'grab', 'grabbing!', 'take', 'took!', 'taken!', 'hold', 'held!')}|(?:{_forms('pick', 'lift')})\s+up\b", "arm"),  # noqa: E501
    Verb("hug", _forms("hug", "hugging!", "hugged!", "embrace", "cuddle"), "arms"),
    Verb("wave", _forms("wave"), "arm"),
    Verb("read", rf"{_forms('read!', 'reads!', 'reading!', 'open', 'study', 'unfold', 'scan')}", "arms, prop"),  # noqa: E501
    Verb("write", _forms("write", "wrote!", "written!", "writing!", "scribble", "sign", "jot", "jotting!"), "arm, prop"),  # noqa: E501
    Verb("cry", rf"{_forms('cry', 'weep', 'wept!', 'sob', 'sobbing!')}|tears?\s+up\b", "head, arms"),  # noqa: E501
    Verb("laugh", _forms("laugh", "giggle", "chuckle", "grin", "grinning!", "smile"), "head"),
)  # fmt: skip
"""Action verbs, tried in this order; a stretch of text matched by one is not matched
again by a later one ("walks in" is enter, not walk)."""

_OBJECT_BEFORE = re.compile(
    r"\b(?:sees?|saw|watch(?:es)?|hears?|heard)\s+(?:her|him|them|it)\s+$", re.I
)
_COMPILED = [(v, re.compile(rf"\b(?:{v.pattern})\b", re.I)) for v in VERBS]
_HOLDING = {"read", "write", "hand", "reach"}
_SET_PROPS = {
    "table", "desk", "chair", "bed", "sofa", "lamp", "door", "window", "car", "bicycle",
    "boat", "tree", "bench", "house", "bus", "stairs", "ladder", "fire", "mirror", "clock",
    "piano", "fence", "wall", "bookshelf", "shelf", "wardrobe", "fountain", "statue",
    "dog", "cat", "horse", "bird", "cow", "sheep", "lighthouse", "tent", "well", "grave",
}  # fmt: skip
_SURFACES = {"desk", "table", "bed", "bench", "sofa"}
FLAT = {"letter", "envelope", "photo", "map", "newspaper", "book", "paper", "card", "note"}
"""Props that lie flat: a close-up turns them to fill a wide frame."""
_SIZE = {  # set prop height in subject heights (width from the prop's aspect)
    "table": 0.42, "desk": 0.45, "chair": 0.5, "bed": 0.38, "sofa": 0.45, "lamp": 0.35,
    "door": 1.15, "window": 0.6, "car": 0.8, "bicycle": 0.6, "boat": 1.1, "tree": 2.4,
    "bench": 0.45, "house": 2.4, "bus": 1.7, "stairs": 1.1, "ladder": 1.5, "fire": 0.35,
    "mirror": 0.7, "clock": 0.25, "dog": 0.35, "cat": 0.22, "bird": 0.12, "horse": 1.0,
}  # fmt: skip
_RAISED = {"window": 0.45, "clock": 0.55, "mirror": 0.3}  # bottom above the floor
_HELD_SIZE = 0.11  # a held prop's box, in subject heights


@dataclass(frozen=True)
class Deed:
    """One verb found in the action: who does it, to whom, and the words around it."""

    verb: str
    doer: int
    target: int | None
    start: int
    end: int
    tail: str  # the text from the verb to the next verb
    words: str  # the verb's own words ("holds out")


def find_deeds(action: str, names: list[str]) -> list[Deed]:
    """The action verbs in `action`, in text order, with their doer and target (indices
    into `names`). A verb's doer is the last name before it (else the first subject); its
    target the first other name after it in its clause."""
    spans: list[tuple[int, int, str]] = []
    for verb, pattern in _COMPILED:
        for m in pattern.finditer(action):
            if _OBJECT_BEFORE.search(action[: m.start()]):
                continue  # "sees her coming": what someone else does
            if not any(m.start() < e and s < m.end() for s, e, _ in spans):
                spans.append((m.start(), m.end(), verb.name))
    spans.sort()
    found = sorted(
        (m.start(), i)
        for i, name in enumerate(names)
        if name
        for m in re.finditer(rf"\b{re.escape(name)}\b", action)
    )
    deeds = []
    for k, (start, end, verb) in enumerate(spans):
        before = [i for s, i in found if s < start]
        doer = before[-1] if before else 0
        stop = spans[k + 1][0] if k + 1 < len(spans) else len(action)
        tail = action[end:stop]
        after = [i for s, i in sorted(found) if end <= s < stop and i != doer]
        target = after[0] if after else None
        deeds.append(Deed(verb, doer, target, start, end, tail, action[start:end].lower()))
    return deeds


# Props, through renderer/props.py --------------------------------------------------------------


def _props() -> Any:
    """renderer/props.py, or None while it does not exist (then nothing is found)."""
    try:
        from storyreel.renderer import props
    except ImportError:  # pragma: no cover - the props library ships with previz
        return None
    return props


def props_in(text: str) -> list[str]:
    """Canonical prop names `text` mentions (renderer/props.py `find_props`)."""
    props = _props()
    return list(props.find_props(text)) if props and text else []


def prop_aspect(name: str) -> float:
    """A prop's width / height (1.0 when the library does not say)."""
    props = _props()
    try:
        return float(props.prop_aspect(name)) if props else 1.0
    except (AttributeError, KeyError):
        return 1.0


def object_noun(text: str, names: list[str]) -> str | None:
    """The object a close-up shows when it is no prop: the library's `object_noun`, else
    the words after the first "the"/"a"; None for a person or nothing."""
    props = _props()
    noun = getattr(props, "object_noun", None) if props else None
    if noun is not None:
        found = noun(text)
    else:
        m = re.search(r"\b(?:the|a|an|his|her|their)\s+([a-z]+(?:\s+[a-z]+)?)", text, re.I)
        found = m.group(1).lower() if m else None
    if not found or any(found.lower() == n.lower() for n in names):
        return None
    return found


def draw_prop(draw: Any, name: str, box: tuple[float, float, float, float]) -> None:
    """Draw prop `name` in the pixel `box` (renderer/props.py), a card if it cannot."""
    props = _props()
    try:
        props.draw_prop(draw, name, box)
    except (AttributeError, KeyError):
        draw_card(draw, name, box)


def draw_card(draw: Any, label: str, box: tuple[float, float, float, float]) -> None:
    """A labelled placeholder card in the pixel `box` (renderer/props.py `draw_card`)."""
    props = _props()
    if props is not None:
        props.draw_card(draw, label, box)
        return
    draw.rounded_rectangle(box, min(box[2] - box[0], box[3] - box[1]) * 0.06, (240, 236, 224))
    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), label, (38, 34, 40), anchor="mm")


_CARRY = re.compile(
    r"\b(?:carr(?:y|ies|ying)|hold(?:s|ing)?|clutch(?:es|ing)?|grip(?:s|ping)?|with)\b", re.I
)
_WORN = {"hat", "spectacles", "glass", "ring", "clock", "coin"}  # worn or too small to carry


def carried_props(description: str) -> list[str]:
    """Props a character's description says it carries: named after "carrying", "holding",
    "clutching" or "with" ("an old man with a walking stick"), not worn things (a cap)."""
    m = _CARRY.search(description)
    if not m:
        return []
    return [p for p in props_in(description[m.end() :]) if p not in _SET_PROPS | _WORN]


def set_prop_size(name: str) -> tuple[float, float, float]:
    """(width, height, bottom above the floor) of a set prop, in subject heights."""
    h = _SIZE.get(name, 0.4)
    return h * prop_aspect(name), h, _RAISED.get(name, 0.0)


def held_prop_size(name: str) -> tuple[float, float]:
    """(width, height) of a prop held in the hand, in subject heights."""
    aspect = prop_aspect(name)
    return (_HELD_SIZE * math.sqrt(aspect), _HELD_SIZE / math.sqrt(aspect))


# Planning ------------------------------------------------------------------------------------


def _default_x(count: int, i: int, builds: list[float], window: float) -> float:
    """Side by side around the centre, about half a height apart (as far as the frame
    allows: 0.3 and 0.7 of the width for two, spread over 0.2 to 0.8 for more)."""
    if count == 1:
        return 0.5
    gap = 0.52 * max(builds)
    gap = min(gap, 0.6 * window / (count - 1)) / window if window > 0 else 0.6 / (count - 1)
    return 0.5 + (i - (count - 1) / 2) * gap


def _facing_pose(facing: str, angle: str) -> Pose:
    """The pose of a figure turned `facing` ("left", "right", "camera", "away")."""
    if facing in ("left", "right"):
        return Pose(view="profile", mirror=facing == "left")
    if facing == "away":
        return Pose(view="back")
    return Pose(view="front")


def _towards(x: float, other: float) -> str:
    """The side ("left"/"right") a figure at `x` turns to face one at `other`."""
    return "right" if other >= x else "left"


def plan_staging(d: Any, n: int, window: float = 0.0) -> Staging:
    """Stage directions `d` (a PrevizDirections) over `n` frames (the module docstring);
    `window` is the frame's width at the subjects, in subject units (0: unknown)."""
    subjects = list(d.subjects)
    ots = d.angle == "ots"
    shoulder: Literal["left", "right"] = "left"
    if len(subjects) > 1 and getattr(subjects[1], "position", None) == "right":
        shoulder = "right"
    drawn = subjects[:1] if ots else subjects
    names = [s.name for s in subjects]
    action = str(getattr(d, "action", "") or "")
    deeds = find_deeds(action, names) if drawn else []
    t = np.arange(n) / (n - 1) if n > 1 else np.zeros(1)

    # places and facings
    xs0: list[float] = []
    facing: list[str] = []
    for i, s in enumerate(drawn):
        planned = getattr(s, "position", None)
        builds = [b.build for b in drawn]
        x = POSITIONS.get(planned or "", _default_x(len(drawn), i, builds, window))
        if ots:
            x = 0.5  # the ots camera frames it off-centre, away from the shoulder
        xs0.append(x)
        facing.append(getattr(s, "facing", None) or "")
    for i, s in enumerate(drawn):
        if facing[i]:
            continue
        target = next((dd.target for dd in deeds if dd.doer == i and dd.target is not None), None)
        if ots:
            facing[i] = "camera"  # faces the shoulder, near the lens (reaching to it)
        elif target is not None and target < len(drawn) and target != i:
            facing[i] = _towards(xs0[i], xs0[target])
        elif d.angle in ("back", "profile"):
            facing[i] = "away" if d.angle == "back" else "right"
        elif len(drawn) == 2 and (d.size != "ELS" or deeds or d.subtitle or d.speaker):
            facing[i] = _towards(xs0[i], xs0[1 - i])  # an establishing shot keeps them out
        elif len(drawn) == 1 and any(dd.verb in ("walk", "run") for dd in deeds):
            tail = " ".join(dd.tail for dd in deeds)
            facing[i] = "left" if re.search(r"\bleft\b", tail, re.I) else "right"
        else:
            facing[i] = "camera"
        still = not any(dd.verb in ("walk", "run", "enter", "exit") for dd in deeds)
        alone = len(drawn) == 1 and getattr(s, "position", None) is None and not ots
        if alone and still and facing[i] in ("left", "right"):
            xs0[i] = 2 / 3 if facing[i] == "left" else 1 / 3  # room in front

    figures: list[Figure] = []
    for i, s in enumerate(drawn):
        base = _facing_pose(facing[i], d.angle)
        if ots and base.view == "front":
            base = replace(base, mirror=shoulder == "left")  # its near hand to the shoulder
        planned = bool(getattr(s, "facing", None))
        figures.append(
            Figure(i, s.name, np.full(n, xs0[i]), np.ones(n), [base], np.zeros(n, int), [], planned)
        )

    action_props = props_in(action)
    held_used: set[str] = set()
    tracking = d.movement in ("tracking", "truck_left", "truck_right")
    for deed in deeds:
        if deed.doer >= len(figures):
            continue
        fig = figures[deed.doer]
        fig.verbs.append(deed.verb)
        _apply(deed, fig, figures, t, tracking, action_props, held_used, facing)

    # small things the action names that no verb took: carried by whoever acts
    loose = [p for p in action_props if p not in _SET_PROPS | _WORN and p not in held_used]
    if loose and figures:
        actor = figures[deeds[0].doer if deeds and deeds[0].doer < len(figures) else 0]
        if all(p.held is None for p in actor.poses):
            held_used.add(loose[0])
            _set_all(actor, lambda p, c=loose[0]: _held(p, "carry", c, keep_arms=True))

    # props in a description ("carrying a bag"): carried at the hip
    for fig, s in zip(figures, drawn, strict=False):
        if all(p.held is None for p in fig.poses):
            carried = carried_props(str(getattr(s, "description", "") or ""))
            if carried:
                _set_all(fig, lambda p, c=carried[0]: _held(p, "carry", c, keep_arms=True))

    staging = Staging(figures, shoulder=shoulder)
    people_named = any(re.search(rf"\b{re.escape(nm)}\b", action) for nm in names if nm)
    if d.size in ("ECU", "CU") and action and not (drawn and people_named):
        loose = [p for p in action_props if p not in held_used]
        if loose:  # a close-up of a thing: the thing fills the frame
            staging.fill_prop = loose[0]
            under = [p for p in loose[1:] if p in _SURFACES]
            staging.surface = under[0] if under else None
        elif not drawn:
            staging.fill_card = object_noun(action, names)
        if staging.fill_prop or staging.fill_card:
            staging.figures = []
            return staging
    staging.set_props = [p for p in action_props if p in _SET_PROPS and p not in held_used]
    return staging


def _set_all(fig: Figure, change: Any) -> None:
    """Change every pose of `fig` with `change` (a function of a pose)."""
    fig.poses = [change(p) for p in fig.poses]


def _held(pose: Pose, gesture: str, prop: str | None, keep_arms: bool = False) -> Pose:
    """`pose` with the arms of `gesture` (`_ARMS`) holding `prop`; `keep_arms` keeps arms
    already raised by another verb."""
    near, far = _ARMS[gesture]
    if keep_arms and pose.near != HANG:
        near, far = pose.near, pose.far
    return replace(pose, near=near, far=far, held=prop)


def _switch(fig: Figure, t: np.ndarray, at: float, before: Any, after: Any) -> None:
    """From `at` on, frames use poses changed by `after`; before it, by `before`."""
    old = fig.poses
    fig.poses = [before(p) for p in old] + [after(p) for p in old]
    fig.pose_index = np.where(t >= at, fig.pose_index + len(old), fig.pose_index)


def _cycle(fig: Figure, t: np.ndarray, phases: list[Any], period: float) -> None:
    """Cycle the poses through `phases` (functions of a pose), one every `period` of t."""
    old = fig.poses
    fig.poses = [f(p) for f in phases for p in old]
    step = (np.floor(t / period).astype(int) % len(phases)) if period > 0 else 0 * fig.pose_index
    fig.pose_index = fig.pose_index + step * len(old)


def _apply(
    deed: Deed,
    fig: Figure,
    figures: list[Figure],
    t: np.ndarray,
    tracking: bool,
    action_props: list[str],
    held_used: set[str],
    facing: list[str],
) -> None:
    """Change `fig`'s track and poses for one deed."""
    verb, tail, n = deed.verb, deed.tail.lower(), len(t)
    right = not fig.poses[0].mirror if fig.poses[0].view == "profile" else fig.xs[0] <= 0.5
    sign = 1.0 if right else -1.0
    prop = next((p for p in action_props if p not in _SET_PROPS and p not in held_used), None)
    if verb in ("walk", "run"):
        fast = verb == "run"
        rate = (2.4 if fast else 1.6) * n / 24  # strides over the take (about 2 a second)
        stride = 1.0 if fast else 0.7
        _cycle(
            fig,
            t,
            [lambda p, k=k: replace(p, stride=k * stride) for k in (1, 0, -1, 0)],
            1 / (4 * max(rate, 0.5)),
        )
        if re.search(r"\b(?:toward|towards|to\s+(?:the\s+)?camera)", tail) or (
            "approach" in deed.words
        ):
            fig.scales = 0.75 + 0.55 * t
        elif re.search(r"\baway\b", tail):
            fig.scales = 1.25 - 0.5 * t
        elif not tracking:
            if "across" in tail:
                start = 0.15 if right else 0.85
                fig.xs = start + sign * 0.7 * t
            else:
                span = 0.6 if fast else 0.3
                fig.xs = fig.xs[0] - sign * span / 2 + sign * span * t
    elif verb == "enter":
        side = "left" if "left" in tail else "right" if "right" in tail else None
        side = side or ("left" if fig.xs[0] <= 0.5 else "right")
        start = -0.2 if side == "left" else 1.2
        k = np.clip(t / 0.6, 0, 1)
        fig.xs = start + (fig.xs[0] - start) * k
        if fig.poses[0].view != "back":
            fig.poses = [replace(p, view="profile", mirror=side == "right") for p in fig.poses]
        _cycle(fig, t, [lambda p, k=k: replace(p, stride=k * 0.7) for k in (1, 0, -1, 0)], 0.06)
    elif verb == "exit":
        side = "left" if "left" in tail else "right" if "right" in tail else None
        side = side or ("right" if right else "left")
        end = -0.2 if side == "left" else 1.2
        k = np.clip((t - 0.4) / 0.6, 0, 1)
        fig.xs = fig.xs[0] + (end - fig.xs[0]) * k
        fig.poses = [replace(p, view="profile", mirror=side == "left") for p in fig.poses]
        _cycle(fig, t, [lambda p, k=k: replace(p, stride=k * 0.7) for k in (1, 0, -1, 0)], 0.06)
    elif verb == "turn":
        if re.search(r"\baway\b", tail):
            _switch(fig, t, 0.5, lambda p: p, lambda p: replace(p, view="back", mirror=False))
        else:
            if deed.target is not None and deed.target < len(figures):
                goal = _towards(fig.xs[0], figures[deed.target].xs[0])
                end_pose = replace(fig.poses[0], view="profile", mirror=goal == "left")
                fig.poses = [end_pose]
            last = fig.poses[0]
            first = (
                replace(last, mirror=not last.mirror)
                if last.view == "profile"
                else replace(last, view="back")
            )
            _switch(
                fig,
                t,
                0.5,
                lambda p: replace(p, view=first.view, mirror=first.mirror),
                (lambda p: p),
            )
    elif verb == "look_up":
        if tail.lstrip().startswith("from"):
            _switch(
                fig, t, 0.35, lambda p: replace(p, head="down"), lambda p: replace(p, head="up")
            )
        else:
            _set_all(fig, lambda p: replace(p, head="up"))
    elif verb == "look_down":
        _set_all(fig, lambda p: replace(p, head="down"))
    elif verb == "look_at":
        if deed.target is not None and deed.target < len(figures) and not fig.planned:
            goal = _towards(fig.xs[0], figures[deed.target].xs[0])
            _set_all(fig, lambda p: replace(p, view="profile", mirror=goal == "left"))
    elif verb == "sit":
        if re.match(r"\s*down\b", tail):
            _switch(fig, t, 0.4, lambda p: p, lambda p: replace(p, stance="sit"))
        else:
            _set_all(fig, lambda p: replace(p, stance="sit"))
    elif verb == "stand":
        _switch(
            fig, t, 0.4, lambda p: replace(p, stance="sit"), lambda p: replace(p, stance="stand")
        )
    elif verb == "kneel":
        _set_all(fig, lambda p: replace(p, stance="kneel"))
    elif verb == "hand":
        thing = prop or "letter"
        held_used.add(thing)
        target = (
            figures[deed.target] if deed.target is not None and deed.target < len(figures) else None
        )
        if target is not None and not deed.words.startswith("hold"):
            _set_all(fig, lambda p: _held(p, "hand", None))
            _switch(fig, t, 0.5, lambda p: replace(p, held=thing), lambda p: p)
            _set_all(target, lambda p: _held(p, "reach", None))
            _switch(target, t, 0.5, lambda p: p, lambda p: replace(p, held=thing))
        elif fig.poses[0].view == "front" and target is None:
            _set_all(fig, lambda p: _held(p, "read", thing))  # held out to the lens
        else:
            _set_all(fig, lambda p: _held(p, "hand", thing))
    elif verb == "reach":
        thing = prop if prop and deed.start >= 0 and prop in tail else None
        if thing:
            held_used.add(thing)
        _set_all(fig, lambda p: _held(p, "reach", thing or p.held))
    elif verb == "hug":
        _set_all(fig, lambda p: _held(p, "hug", None))
        if deed.target is not None and deed.target < len(figures):
            other = figures[deed.target]
            _set_all(other, lambda p: _held(p, "hug", None))
            mid = (fig.xs[0] + other.xs[0]) / 2
            k = np.clip(t / 0.5, 0, 1)
            gap = 0.07
            for f in (fig, other):
                goal = mid - gap if f.xs[0] < mid else mid + gap
                f.xs = f.xs[0] + (goal - f.xs[0]) * k
    elif verb == "wave":
        _set_all(fig, lambda p: _held(p, "wave", p.held))
        _cycle(
            fig,
            t,
            [lambda p: p, lambda p: replace(p, near=_ARMS["wave2"][0])],
            max(1 / 8, 6 / max(len(t), 1)),
        )
    elif verb == "read":
        thing = prop or fig.poses[0].held or "book"
        held_used.add(thing)
        _set_all(fig, lambda p: replace(_held(p, "read", thing), head="down"))
    elif verb == "write":
        thing = prop or "paper"
        held_used.add(thing)
        _set_all(fig, lambda p: replace(_held(p, "write", thing), head="down"))
    elif verb == "cry":
        _set_all(fig, lambda p: replace(_held(p, "cry", None), head="down"))
    elif verb == "laugh":
        _set_all(fig, lambda p: replace(p, head="laugh"))
        _cycle(
            fig, t, [lambda p: p, lambda p: replace(p, head="up")], max(1 / 10, 4 / max(len(t), 1))
        )
