"""Props for the previz animatic: simple, legible vector drawings of everyday things.

Each prop is a silhouette plus one or two details in plain colours (a default palette per
prop; `tint` replaces its main colour), drawn with PIL `ImageDraw` inside a pixel box,
keeping its aspect ratio (`prop_aspect`). Anything without a drawing gets `draw_card`, a
plain labelled card, rather than an empty frame; `object_noun` finds the label for it.

Words name props the way `tools/vocabulary.py` names camera moves: each canonical name has
the words people write for it (plurals and everyday forms), matched as whole words,
case-insensitively, longest phrase first ("desk lamp" is a lamp, not a desk):

============  =================================================================
prop          words (besides the name itself)
============  =================================================================
apple         apples, fruit
bag           bags, handbag, handbags, purse, backpack, rucksack, satchel
ball          balls, football, soccer ball, beach ball, basketball, tennis ball
basket        baskets, hamper, picnic basket
bed           beds, cot, bunk, crib
bell          bells, doorbell, church bell
bench         benches, park bench, pew
bicycle       bicycles, bike, bikes
bird          birds, gull, seagull, crow, pigeon, sparrow, robin, raven, owl,
              parrot (and their plurals)
boat          boats, rowing boat, rowboat, dinghy, dinghies, canoe, skiff, ship,
              ships, yacht, ferry
book          books, novel, diary, diaries, journal, notebook (and plurals)
bottle        bottles, wine bottle, flask
box           boxes, parcel, package, crate, cardboard box
bread         loaf, loaves, baguette, baguettes
bus           buses, busses, tram, trams, minibus
cake          cakes, birthday cake, cupcake, cupcakes
candle        candles, candlestick, candlesticks, candlelight
car           cars, taxi, taxis, cab, cabs, automobile, jeep
cat           cats, kitten, kittens
coin          coins
chair         chairs, armchair, armchairs, stool, stools, rocking chair
clock         clocks, wall clock, alarm clock, wristwatch, pocket watch,
              a/the/his/her/my/your watch
cup           cups, mug, mugs, teacup, teacups, coffee cup, tea cup
desk          desks, writing desk
dog           dogs, puppy, puppies, pup, pups, hound, hounds
door          doors, doorway, doorways, front door
envelope      envelopes
fire          fires, campfire, bonfire, fireplace, hearth
fish          fishes, salmon, trout, herring, mackerel
flashlight    flashlights, torch, torches
flower        flowers, rose, roses, tulip, tulips, daisy, daisies, lily, lilies,
              bouquet, posy, blossom
glass         glasses, wine glass, tumbler, tumblers
guitar        guitars, ukulele, lute
gun           guns, pistol, revolver, rifle, shotgun, handgun
hat           hats, cap, caps, fedora, bowler hat, top hat
house         houses, cottage, cabin, hut
kettle        kettles, teapot, teapots
key           keys, keyring
knife         knives, dagger, daggers, penknife
ladder        ladders
lamp          lamps, desk lamp, floor lamp, lampshade
lantern       lanterns, oil lamp, storm lantern
laptop        laptops, computer, computers
letter        letters, love letter, note, notes
map           maps, atlas
mirror        mirrors
net           nets, fishing net
newspaper     newspapers, gazette
pen           pens, pencil, pencils, quill, biro
phone         phones, telephone, telephones, mobile, mobile phone, cellphone,
              cell phone, smartphone
photo         photos, photograph, photographs, picture, pictures, polaroid,
              snapshot, portrait
plate         plates, dish, dishes, bowl, bowls, saucer, saucers
ring          rings, wedding ring, engagement ring
rope          ropes, coil of rope
sofa          sofas, couch, couches, settee
spectacles    eyeglasses, sunglasses, reading glasses
stairs        stair, staircase, stairway, stairwell, the steps, stone steps,
              front steps, porch steps, church steps, flight of steps
suitcase      suitcases, luggage, valise
table         tables, kitchen table, dining table, coffee table
television    televisions, tv, tvs, telly
tree          trees, oak, oaks, willow, willows
umbrella      umbrellas, parasol, parasols, brolly
window        windows, windowpane, windowsill
============  =================================================================

Rules (a screenplay's words, not a parser's; rare misses are accepted):

- Names: a word written Capitalised in the middle of a sentence is a name, not a prop
  ("she hands Rose the cup" finds only the cup; "the World Cup" finds nothing). At the
  start of a sentence, or in SCREENPLAY CAPITALS, it is a prop ("Roses fill the vase",
  "she opens the LETTER"), except for the singular words that are also given names
  (Rose, Lily, Daisy, Robin, Willow, ...), which are names whenever Capitalised.
- Verbs: the words that are also verbs (book, ring, note, phone, picture, map, fire, pen,
  box, dog, fish, bag, net, rope, house, mirror, table, chair, cup, bottle, ...) are
  skipped after a subject pronoun, "to" or a modal ("she rings", "to book", "will fire"),
  and in their -s form after a name or a prop word ("Mara notes the time", "the phone
  rings": the phone, no ring). "book a table/room/flight/..." is a verb too, but the
  table is still found: "they book a table" draws a table (an accepted miss).
- "steps" and "watch" are verbs too often to count alone: only "the steps", "stone steps",
  ..., and "a/his/her watch" name a prop. "key light" (lighting) is not a key;
  "glass door/window/table/..." is a material, not a glass; "glasses" is a drinking glass
  (spectacles need "eyeglasses", "sunglasses" or "reading glasses"). "note" is a letter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PIL import ImageDraw, ImageFont

Colour = tuple[int, int, int]
Box = tuple[float, float, float, float]

INK: Colour = (38, 34, 40)
PAPER: Colour = (246, 240, 226)
WHITE: Colour = (248, 248, 244)
CARD: Colour = (240, 236, 224)


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    """`a` moved a fraction `t` toward `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@dataclass(frozen=True)
class _Colours:
    """The colours of one drawing: `main` (tinted), `accent`, and shades of `main`."""

    main: Colour
    accent: Colour

    @property
    def dark(self) -> Colour:
        return _mix(self.main, INK, 0.35)

    @property
    def light(self) -> Colour:
        return _mix(self.main, WHITE, 0.45)


class _Pen:
    """Draws in unit coordinates: (0, 0) is the top left of the prop's box, (1, 1) the
    bottom right. An inset margin keeps outlines and wide lines inside the box."""

    def __init__(self, draw: ImageDraw.ImageDraw, x: float, y: float, w: float, h: float):
        self.draw = draw
        unit = min(w, h)
        self.pad = unit * 0.04 + 1.0
        self.x, self.y = x + self.pad, y + self.pad
        self.w, self.h = max(w - 2 * self.pad, 1.0), max(h - 2 * self.pad, 1.0)
        self.unit = min(self.w, self.h)
        self.ow = max(1, round(self.unit * 0.018))

    def pt(self, u: float, v: float) -> tuple[float, float]:
        return (self.x + u * self.w, self.y + v * self.h)

    def box(self, u0: float, v0: float, u1: float, v1: float) -> list[float]:
        (x0, y0), (x1, y1) = self.pt(u0, v0), self.pt(u1, v1)
        x0, x1 = round(min(x0, x1)), round(max(x0, x1))
        y0, y1 = round(min(y0, y1)), round(max(y0, y1))
        return [x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)]

    def px(self, f: float) -> int:
        """A line width, a fraction `f` of the smaller side, never wider than the margin."""
        return max(1, min(round(f * self.unit), math.floor(2 * self.pad - 1)))

    def rect(
        self,
        u0: float,
        v0: float,
        u1: float,
        v1: float,
        fill: Colour,
        r: float = 0.0,
        line: bool = True,
    ) -> None:
        b = self.box(u0, v0, u1, v1)
        outline = INK if line and min(b[2] - b[0], b[3] - b[1]) > 2 * self.ow + 1 else None
        radius = min(r * self.unit, (b[2] - b[0]) / 2 - 1, (b[3] - b[1]) / 2 - 1)
        if radius >= 1:
            self.draw.rounded_rectangle(b, radius=radius, fill=fill, outline=outline, width=self.ow)
        else:
            self.draw.rectangle(b, fill=fill, outline=outline, width=self.ow)

    def ell(
        self, u0: float, v0: float, u1: float, v1: float, fill: Colour, line: bool = True
    ) -> None:
        self.draw.ellipse(
            self.box(u0, v0, u1, v1), fill=fill, outline=INK if line else None, width=self.ow
        )

    def ring(self, u0: float, v0: float, u1: float, v1: float, colour: Colour, w: float) -> None:
        self.draw.ellipse(self.box(u0, v0, u1, v1), outline=colour, width=self.px(w))

    def poly(self, pts: list[tuple[float, float]], fill: Colour, line: bool = True) -> None:
        self.draw.polygon(
            [self.pt(u, v) for u, v in pts],
            fill=fill,
            outline=INK if line else None,
            width=self.ow,
        )

    def line(self, pts: list[tuple[float, float]], fill: Colour, w: float = 0.03) -> None:
        self.draw.line([self.pt(u, v) for u, v in pts], fill=fill, width=self.px(w))

    def arc(
        self,
        u0: float,
        v0: float,
        u1: float,
        v1: float,
        start: float,
        end: float,
        fill: Colour,
        w: float = 0.05,
    ) -> None:
        self.draw.arc(self.box(u0, v0, u1, v1), start, end, fill=fill, width=self.px(w))

    def pie(
        self,
        u0: float,
        v0: float,
        u1: float,
        v1: float,
        start: float,
        end: float,
        fill: Colour,
        line: bool = True,
    ) -> None:
        self.draw.pieslice(
            self.box(u0, v0, u1, v1),
            start,
            end,
            fill=fill,
            outline=INK if line else None,
            width=self.ow,
        )

    def chord(
        self, u0: float, v0: float, u1: float, v1: float, start: float, end: float, fill: Colour
    ) -> None:
        self.draw.chord(self.box(u0, v0, u1, v1), start, end, fill=fill, outline=INK, width=self.ow)


Drawing = Callable[[_Pen, _Colours], None]


@dataclass(frozen=True)
class _Prop:
    name: str
    aspect: float
    main: Colour
    accent: Colour
    words: tuple[str, ...]
    draw: Drawing


_PROPS: dict[str, _Prop] = {}


def _prop(
    name: str, aspect: float, main: Colour, accent: Colour, words: str = ""
) -> Callable[[Drawing], Drawing]:
    """Register a drawing under `name` with its aspect (w/h), palette and words (comma
    separated; the name itself is always a word)."""

    def register(fn: Drawing) -> Drawing:
        extra = tuple(w.strip() for w in words.split(",") if w.strip())
        _PROPS[name] = _Prop(name, aspect, main, accent, (name, *extra), fn)
        return fn

    return register


# --- paper and small things ---------------------------------------------------------


@_prop("letter", 0.78, PAPER, (70, 80, 130), "letters, love letter, note, notes")
def _letter(p: _Pen, c: _Colours) -> None:
    p.poly([(0, 0), (0.78, 0), (1, 0.18), (1, 1), (0, 1)], c.main)
    p.poly([(0.78, 0), (0.78, 0.18), (1, 0.18)], c.dark)
    p.line([(0.12, 0.12), (0.45, 0.12)], c.accent, 0.035)
    for i in range(7):
        v = 0.28 + i * 0.09
        p.line([(0.12, v), (0.88 if i < 6 else 0.55, v)], c.accent, 0.025)
    p.line([(0, 0.5), (1, 0.5)], c.dark, 0.01)


@_prop("envelope", 1.6, (232, 214, 176), (180, 30, 40), "envelopes")
def _envelope(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0, 1, 1, c.main)
    p.poly([(0, 1), (0.5, 0.45), (1, 1)], c.light)
    p.poly([(0, 0), (0.5, 0.6), (1, 0)], c.dark)
    p.ell(0.43, 0.48, 0.57, 0.7, c.accent)


@_prop(
    "book",
    0.78,
    (150, 40, 45),
    (220, 180, 80),
    "books, novel, novels, diary, diaries, journal, journals, notebook, notebooks",
)
def _book(p: _Pen, c: _Colours) -> None:
    p.rect(0.06, 0.02, 1, 0.98, PAPER)
    p.rect(0, 0, 0.92, 1, c.main, r=0.04)
    p.rect(0, 0, 0.14, 1, c.dark)
    p.rect(0.28, 0.2, 0.8, 0.4, c.accent)
    p.line([(0.34, 0.3), (0.74, 0.3)], INK, 0.02)


@_prop(
    "phone",
    0.5,
    (40, 42, 50),
    (110, 170, 225),
    "phones, telephone, telephones, mobile, mobile phone, cellphone, cell phone, smartphone, "
    "smartphones",
)
def _phone(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0, 1, 1, c.main, r=0.2)
    p.rect(0.1, 0.1, 0.9, 0.86, c.accent, line=False)
    p.line([(0.38, 0.05), (0.62, 0.05)], c.light, 0.04)
    p.ell(0.42, 0.885, 0.58, 0.965, c.light, line=False)
    for i in range(3):
        p.rect(0.2 + i * 0.22, 0.2, 0.36 + i * 0.22, 0.28, WHITE, line=False)


@_prop("cup", 1.25, (200, 80, 60), WHITE, "cups, mug, mugs, teacup, teacups, coffee cup, tea cup")
def _cup(p: _Pen, c: _Colours) -> None:
    p.arc(0.55, 0.3, 1, 0.8, 270, 90, c.dark, 0.1)
    p.poly([(0, 0.12), (0.76, 0.12), (0.7, 1), (0.06, 1)], c.main)
    p.ell(0, 0.04, 0.76, 0.2, c.dark)
    p.rect(0.03, 0.45, 0.73, 0.58, c.accent, line=False)


@_prop("bread", 1.7, (205, 145, 75), (245, 215, 160), "loaf, loaves, baguette, baguettes")
def _bread(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0.1, 1, 1, c.main, r=0.45)
    for i in range(4):
        u = 0.22 + i * 0.18
        p.line([(u, 0.3), (u + 0.1, 0.62)], c.accent, 0.07)


@_prop("knife", 3.0, (205, 210, 215), (95, 60, 40), "knives, dagger, daggers, penknife")
def _knife(p: _Pen, c: _Colours) -> None:
    p.poly([(0.36, 0.22), (0.82, 0.22), (1, 0.55), (0.36, 0.78)], c.main)
    p.line([(0.38, 0.4), (0.85, 0.4)], c.light, 0.04)
    p.rect(0, 0.22, 0.4, 0.78, c.accent, r=0.2)
    for u in (0.1, 0.2, 0.3):
        p.ell(u - 0.025, 0.42, u + 0.025, 0.58, c.main, line=False)


@_prop("key", 2.2, (200, 160, 60), (150, 110, 30), "keys, keyring")
def _key(p: _Pen, c: _Colours) -> None:
    p.rect(0.36, 0.4, 1, 0.6, c.main)
    p.rect(0.72, 0.58, 0.8, 0.9, c.main)
    p.rect(0.86, 0.58, 0.94, 0.8, c.main)
    p.ell(0, 0.05, 0.42, 0.95, c.main)
    p.ell(0.11, 0.3, 0.25, 0.7, c.accent)


@_prop("ring", 1.0, (220, 180, 60), (120, 210, 235), "rings, wedding ring, engagement ring")
def _ring(p: _Pen, c: _Colours) -> None:
    p.ring(0.08, 0.28, 0.92, 1, INK, 0.15)
    p.ring(0.1, 0.3, 0.9, 0.98, c.main, 0.12)
    p.poly(
        [(0.36, 0.34), (0.3, 0.18), (0.4, 0.04), (0.6, 0.04), (0.7, 0.18), (0.64, 0.34)], c.accent
    )
    p.line([(0.3, 0.18), (0.7, 0.18)], WHITE, 0.02)


@_prop(
    "photo",
    1.25,
    (130, 180, 225),
    (90, 150, 80),
    "photos, photograph, photographs, picture, pictures, polaroid, snapshot, portrait",
)
def _photo(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0, 1, 1, WHITE)
    p.rect(0.07, 0.07, 0.93, 0.78, c.main)
    p.poly([(0.07, 0.78), (0.35, 0.35), (0.55, 0.6), (0.7, 0.45), (0.93, 0.78)], c.accent)
    p.ell(0.68, 0.14, 0.82, 0.31, (245, 205, 70))


@_prop("newspaper", 1.4, (228, 226, 218), (60, 60, 66), "newspapers, gazette")
def _newspaper(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0, 1, 1, c.main)
    p.rect(0.06, 0.06, 0.94, 0.2, c.accent)
    p.rect(0.06, 0.28, 0.45, 0.62, (150, 150, 155))
    for i in range(8):
        v = 0.3 + i * 0.08
        p.line([(0.52, v), (0.94, v)], c.accent, 0.02)
    for i in range(3):
        v = 0.72 + i * 0.08
        p.line([(0.06, v), (0.45, v)], c.accent, 0.02)


@_prop("map", 1.4, (228, 210, 160), (190, 40, 40), "maps, atlas")
def _map(p: _Pen, c: _Colours) -> None:
    for k in range(3):
        u0, u1 = k / 3, (k + 1) / 3
        top = 0.0 if k % 2 == 0 else 0.06
        bottom = 0.94 if k % 2 == 0 else 1.0
        p.poly(
            [(u0, top), (u1, 0.06 - top), (u1, 1.94 - bottom - 0.0), (u0, bottom)],
            c.main if k % 2 == 0 else c.dark,
        )
    p.ell(0.12, 0.2, 0.4, 0.45, (120, 170, 100), line=False)
    p.line([(0.15, 0.75), (0.35, 0.55), (0.55, 0.65), (0.75, 0.35)], c.accent, 0.03)
    p.line([(0.72, 0.28), (0.84, 0.42)], c.accent, 0.04)
    p.line([(0.84, 0.28), (0.72, 0.42)], c.accent, 0.04)


@_prop("pen", 4.0, (30, 60, 120), (215, 175, 70), "pens, pencil, pencils, quill, biro")
def _pen(p: _Pen, c: _Colours) -> None:
    p.poly([(0.74, 0.25), (1, 0.5), (0.74, 0.75)], c.accent)
    p.rect(0.08, 0.22, 0.76, 0.78, c.main, r=0.3)
    p.rect(0, 0.25, 0.12, 0.75, c.dark, r=0.2)
    p.line([(0.14, 0.1), (0.45, 0.1)], c.accent, 0.12)


@_prop("spectacles", 2.4, (40, 40, 45), (190, 215, 235), "eyeglasses, sunglasses, reading glasses")
def _spectacles(p: _Pen, c: _Colours) -> None:
    p.ell(0.02, 0.15, 0.44, 0.95, c.accent, line=False)
    p.ell(0.56, 0.15, 0.98, 0.95, c.accent, line=False)
    p.ring(0.02, 0.15, 0.44, 0.95, c.main, 0.08)
    p.ring(0.56, 0.15, 0.98, 0.95, c.main, 0.08)
    p.arc(0.4, 0.25, 0.6, 0.65, 200, 340, c.main, 0.08)
    p.line([(0.03, 0.45), (0.0, 0.05)], c.main, 0.06)
    p.line([(0.97, 0.45), (1.0, 0.05)], c.main, 0.06)


@_prop(
    "clock",
    1.0,
    (120, 70, 40),
    PAPER,
    "clocks, wall clock, alarm clock, wristwatch, pocket watch, a watch, the watch, his watch, "
    "her watch, my watch, your watch",
)
def _clock(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0, 1, 1, c.main)
    p.ell(0.1, 0.1, 0.9, 0.9, c.accent)
    for i in range(12):
        a = math.tau * i / 12
        r0 = 0.3 if i % 3 else 0.26
        p.line(
            [
                (0.5 + r0 * math.cos(a), 0.5 + r0 * math.sin(a)),
                (0.5 + 0.36 * math.cos(a), 0.5 + 0.36 * math.sin(a)),
            ],
            INK,
            0.03,
        )
    p.line([(0.5, 0.5), (0.5, 0.2)], INK, 0.05)
    p.line([(0.5, 0.5), (0.7, 0.58)], INK, 0.06)
    p.ell(0.46, 0.46, 0.54, 0.54, (190, 40, 40), line=False)


@_prop("bell", 0.9, (215, 170, 60), (120, 90, 40), "bells, doorbell, church bell")
def _bell(p: _Pen, c: _Colours) -> None:
    p.ell(0.42, 0.82, 0.58, 1, c.accent)
    p.arc(0.4, 0, 0.6, 0.16, 180, 360, c.accent, 0.05)
    p.poly([(0.3, 0.16), (0.7, 0.16), (0.8, 0.66), (1, 0.86), (0, 0.86), (0.2, 0.66)], c.main)
    p.ell(0.3, 0.06, 0.7, 0.3, c.main)
    p.line([(0.1, 0.78), (0.9, 0.78)], c.dark, 0.03)


@_prop("coin", 1.0, (215, 175, 70), (160, 120, 40), "coins")
def _coin(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0, 1, 1, c.main)
    p.ring(0.1, 0.1, 0.9, 0.9, c.accent, 0.04)
    p.line([(0.5, 0.25), (0.5, 0.75)], c.accent, 0.08)
    p.arc(0.32, 0.3, 0.68, 0.52, 90, 360, c.accent, 0.06)


# --- kitchen and table ---------------------------------------------------------------


@_prop("bottle", 0.36, (50, 120, 70), PAPER, "bottles, wine bottle, flask")
def _bottle(p: _Pen, c: _Colours) -> None:
    p.rect(0.36, 0, 0.64, 0.08, INK)
    p.rect(0.38, 0.06, 0.62, 0.34, c.main)
    p.poly([(0.38, 0.3), (0.62, 0.3), (0.95, 0.44), (0.05, 0.44)], c.main)
    p.rect(0.05, 0.4, 0.95, 1, c.main, r=0.15)
    p.rect(0.05, 0.58, 0.95, 0.8, c.accent)
    p.line([(0.18, 0.46), (0.18, 0.54)], c.light, 0.1)


@_prop("glass", 0.6, (205, 222, 235), (150, 30, 50), "glasses, wine glass, tumbler, tumblers")
def _glass(p: _Pen, c: _Colours) -> None:
    p.rect(0.44, 0.5, 0.56, 0.92, c.main)
    p.ell(0.12, 0.88, 0.88, 1, c.main)
    p.chord(0, -0.35, 1, 0.58, 0, 180, c.main)
    p.chord(0.07, -0.12, 0.93, 0.52, 20, 160, c.accent)
    p.line([(0.18, 0.16), (0.22, 0.34)], WHITE, 0.04)


@_prop(
    "plate",
    1.5,
    (242, 242, 236),
    (90, 140, 200),
    "plates, dish, dishes, bowl, bowls, saucer, saucers",
)
def _plate(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0.08, 1, 0.92, c.main)
    p.ring(0.03, 0.11, 0.97, 0.89, c.accent, 0.05)
    p.ell(0.18, 0.26, 0.82, 0.74, _mix(c.main, INK, 0.08))


@_prop("kettle", 1.3, (190, 60, 50), INK, "kettles, teapot, teapots")
def _kettle(p: _Pen, c: _Colours) -> None:
    p.poly([(0.26, 0.6), (0.0, 0.3), (0.08, 0.26), (0.34, 0.5)], c.main)
    p.arc(0.3, 0.02, 0.8, 0.6, 180, 360, c.accent, 0.08)
    p.ell(0.18, 0.22, 0.92, 1.0, c.main)
    p.rect(0.24, 0.82, 0.86, 1, c.main)
    p.ell(0.48, 0.16, 0.62, 0.28, c.accent)
    p.line([(0.3, 0.48), (0.8, 0.48)], c.light, 0.03)


@_prop("cake", 1.25, (235, 150, 170), WHITE, "cakes, birthday cake, cupcake, cupcakes")
def _cake(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0.42, 1, 1, c.main, r=0.05)
    p.rect(0, 0.4, 1, 0.55, c.accent, r=0.05)
    for i in range(5):
        u = 0.1 + i * 0.2
        p.ell(u - 0.07, 0.5, u + 0.07, 0.64, c.accent, line=False)
    for u in (0.25, 0.5, 0.75):
        p.rect(u - 0.03, 0.16, u + 0.03, 0.4, (120, 170, 230))
        p.ell(u - 0.04, 0.0, u + 0.04, 0.14, (250, 180, 40), line=False)
    p.line([(0.05, 0.8), (0.95, 0.8)], c.dark, 0.03)


@_prop("apple", 1.0, (200, 40, 40), (80, 150, 60), "apples, fruit")
def _apple(p: _Pen, c: _Colours) -> None:
    p.line([(0.5, 0.26), (0.55, 0.02)], (100, 70, 40), 0.05)
    p.ell(0.55, 0.02, 0.85, 0.18, c.accent)
    p.ell(0.04, 0.2, 0.62, 0.98, c.main)
    p.ell(0.38, 0.2, 0.96, 0.98, c.main)
    p.ell(0.12, 0.25, 0.88, 0.95, c.main, line=False)
    p.ell(0.2, 0.35, 0.3, 0.5, c.light, line=False)


@_prop("fish", 2.0, (120, 150, 175), (230, 235, 240), "fishes, salmon, trout, herring, mackerel")
def _fish(p: _Pen, c: _Colours) -> None:
    p.poly([(0.7, 0.5), (1, 0.1), (0.93, 0.5), (1, 0.9)], c.dark)
    p.poly([(0.3, 0.25), (0.45, 0.02), (0.58, 0.25)], c.dark)
    p.ell(0, 0.15, 0.8, 0.85, c.main)
    p.chord(0.05, 0.2, 0.75, 0.8, 20, 160, c.accent)
    p.ell(0.12, 0.36, 0.2, 0.48, INK, line=False)
    p.arc(0.18, 0.25, 0.4, 0.75, 300, 60, c.dark, 0.03)


# --- light ---------------------------------------------------------------------------


@_prop("lamp", 0.75, (240, 200, 110), (70, 60, 55), "lamps, desk lamp, floor lamp, lampshade")
def _lamp(p: _Pen, c: _Colours) -> None:
    p.rect(0.45, 0.4, 0.55, 0.9, c.accent)
    p.rect(0.12, 0.86, 0.88, 1, c.accent, r=0.05)
    p.poly([(0.22, 0), (0.78, 0), (1, 0.46), (0, 0.46)], c.main)
    p.line([(0.05, 0.42), (0.95, 0.42)], c.dark, 0.03)


@_prop("lantern", 0.6, (45, 45, 50), (250, 205, 90), "lanterns, oil lamp, storm lantern")
def _lantern(p: _Pen, c: _Colours) -> None:
    p.arc(0.25, 0, 0.75, 0.24, 180, 360, c.main, 0.05)
    p.poly([(0.3, 0.12), (0.7, 0.12), (0.9, 0.24), (0.1, 0.24)], c.main)
    p.rect(0.14, 0.24, 0.86, 0.86, c.accent)
    p.ell(0.38, 0.38, 0.62, 0.72, (250, 140, 40), line=False)
    for u in (0.14, 0.5, 0.86):
        p.line([(u, 0.24), (u, 0.86)], c.main, 0.05)
    p.rect(0.06, 0.86, 0.94, 1, c.main)


@_prop(
    "candle",
    0.4,
    (242, 232, 205),
    (250, 150, 40),
    "candles, candlestick, candlesticks, candlelight",
)
def _candle(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0.88, 1, 1, (200, 170, 80))
    p.rect(0.2, 0.34, 0.8, 0.94, c.main)
    p.line([(0.5, 0.26), (0.5, 0.36)], INK, 0.06)
    p.ell(0.3, 0.02, 0.7, 0.3, c.accent)
    p.ell(0.4, 0.12, 0.6, 0.28, (255, 230, 120), line=False)


@_prop("flashlight", 2.4, (50, 55, 65), (255, 225, 110), "flashlights, torch, torches")
def _flashlight(p: _Pen, c: _Colours) -> None:
    p.poly([(0.84, 0.12), (1, 0), (1, 1), (0.84, 0.88)], _mix(c.accent, WHITE, 0.5), line=False)
    p.rect(0, 0.3, 0.62, 0.7, c.main, r=0.1)
    p.poly([(0.6, 0.28), (0.8, 0.1), (0.8, 0.9), (0.6, 0.72)], c.main)
    p.rect(0.78, 0.1, 0.86, 0.9, c.accent)
    p.rect(0.3, 0.22, 0.42, 0.32, (190, 50, 50))


@_prop("fire", 1.2, (240, 120, 30), (255, 215, 80), "fires, campfire, bonfire, fireplace, hearth")
def _fire(p: _Pen, c: _Colours) -> None:
    p.poly([(0.05, 0.78), (0.1, 0.7), (0.95, 0.92), (0.9, 1)], (110, 70, 40))
    p.poly([(0.95, 0.78), (0.9, 0.7), (0.05, 0.92), (0.1, 1)], (95, 60, 35))
    p.poly(
        [
            (0.2, 0.85),
            (0.15, 0.5),
            (0.3, 0.55),
            (0.35, 0.15),
            (0.5, 0.4),
            (0.58, 0.0),
            (0.7, 0.45),
            (0.8, 0.3),
            (0.85, 0.85),
        ],
        c.main,
    )
    p.poly(
        [(0.35, 0.85), (0.35, 0.6), (0.45, 0.65), (0.55, 0.35), (0.62, 0.62), (0.7, 0.85)],
        c.accent,
        line=False,
    )


# --- furniture and rooms -------------------------------------------------------------


@_prop("door", 0.5, (140, 90, 50), (215, 175, 70), "doors, doorway, doorways, front door")
def _door(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0, 1, 1, c.main)
    for v0, v1 in ((0.07, 0.45), (0.53, 0.93)):
        p.rect(0.12, v0, 0.46, v1, c.dark)
        p.rect(0.54, v0, 0.88, v1, c.dark)
    p.ell(0.72, 0.47, 0.88, 0.55, c.accent)


@_prop("window", 0.85, WHITE, (150, 195, 230), "windows, windowpane, windowsill")
def _window(p: _Pen, c: _Colours) -> None:
    p.rect(0.04, 0, 0.96, 0.92, c.main)
    p.rect(0.12, 0.07, 0.88, 0.85, c.accent)
    p.rect(0.46, 0.07, 0.54, 0.85, c.main, line=False)
    p.rect(0.12, 0.42, 0.88, 0.5, c.main, line=False)
    p.line([(0.18, 0.35), (0.32, 0.15)], WHITE, 0.03)
    p.rect(0, 0.9, 1, 1, c.main)


@_prop(
    "table", 1.7, (150, 100, 60), (120, 75, 45), "tables, kitchen table, dining table, coffee table"
)
def _table(p: _Pen, c: _Colours) -> None:
    for u in (0.06, 0.2, 0.8, 0.94):
        p.rect(u - 0.035, 0.3, u + 0.035, 1, c.accent if u in (0.2, 0.8) else c.main)
    p.rect(0.02, 0.3, 0.98, 0.42, c.dark)
    p.rect(0, 0.12, 1, 0.3, c.main)


@_prop("desk", 1.6, (120, 80, 50), (215, 175, 70), "desks, writing desk")
def _desk(p: _Pen, c: _Colours) -> None:
    p.rect(0.03, 0.22, 0.42, 1, c.main)
    for i in range(3):
        v0 = 0.28 + i * 0.24
        p.rect(0.07, v0, 0.38, v0 + 0.2, c.light)
        p.rect(0.19, v0 + 0.08, 0.26, v0 + 0.12, c.accent)
    p.rect(0.88, 0.22, 0.96, 1, c.main)
    p.rect(0.42, 0.22, 0.88, 0.4, c.dark)
    p.rect(0, 0.1, 1, 0.24, c.main)


@_prop(
    "chair",
    0.7,
    (160, 100, 55),
    (120, 70, 40),
    "chairs, armchair, armchairs, stool, stools, rocking chair",
)
def _chair(p: _Pen, c: _Colours) -> None:
    p.rect(0.08, 0, 0.2, 0.55, c.main)
    p.rect(0.8, 0, 0.92, 0.55, c.main)
    for v in (0.06, 0.2, 0.34):
        p.rect(0.2, v, 0.8, v + 0.08, c.accent)
    p.rect(0.06, 0.6, 0.18, 1, c.dark)
    p.rect(0.82, 0.6, 0.94, 1, c.dark)
    p.poly([(0.04, 0.5), (0.96, 0.5), (1, 0.64), (0, 0.64)], c.main)


@_prop("bed", 1.8, (70, 110, 170), (150, 100, 60), "beds, cot, bunk, crib")
def _bed(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0.05, 0.1, 1, c.accent, r=0.02)
    p.rect(0.92, 0.35, 1, 1, c.accent)
    p.rect(0.06, 0.62, 0.96, 0.86, c.accent)
    p.ell(0.12, 0.22, 0.36, 0.48, WHITE)
    p.rect(0.3, 0.32, 0.96, 0.66, c.main, r=0.05)
    p.line([(0.34, 0.42), (0.92, 0.42)], c.light, 0.03)


@_prop("sofa", 2.2, (150, 70, 80), (110, 80, 60), "sofas, couch, couches, settee")
def _sofa(p: _Pen, c: _Colours) -> None:
    p.rect(0.08, 0.88, 0.14, 1, c.accent)
    p.rect(0.86, 0.88, 0.92, 1, c.accent)
    p.rect(0.08, 0.05, 0.92, 0.6, c.main, r=0.1)
    p.rect(0.06, 0.5, 0.94, 0.9, c.main, r=0.05)
    p.rect(0.12, 0.48, 0.5, 0.64, c.light, r=0.05)
    p.rect(0.5, 0.48, 0.88, 0.64, c.light, r=0.05)
    p.rect(0, 0.32, 0.14, 0.9, c.dark, r=0.2)
    p.rect(0.86, 0.32, 1, 0.9, c.dark, r=0.2)


@_prop("mirror", 0.7, (210, 170, 70), (195, 215, 230), "mirrors")
def _mirror(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0, 1, 1, c.main)
    p.ell(0.12, 0.08, 0.88, 0.92, c.accent)
    p.line([(0.3, 0.35), (0.5, 0.2)], WHITE, 0.05)
    p.line([(0.32, 0.5), (0.62, 0.28)], WHITE, 0.03)


@_prop(
    "stairs",
    1.0,
    (170, 160, 150),
    (110, 80, 55),
    "stair, staircase, stairway, stairwell, the steps, stone steps, front steps, porch steps, "
    "church steps, flight of steps",
)
def _stairs(p: _Pen, c: _Colours) -> None:
    steps = [(0, 1)]
    for k in range(5):
        steps += [(k * 0.2, 1 - (k + 1) * 0.2 + 0.15), ((k + 1) * 0.2, 1 - (k + 1) * 0.2 + 0.15)]
    steps += [(1, 1)]
    p.poly(steps, c.main)
    for k in range(5):
        v = 1 - (k + 1) * 0.2 + 0.15
        p.line([(k * 0.2, v + 0.02), ((k + 1) * 0.2, v + 0.02)], c.light, 0.03)
    for k in range(4):
        u = k * 0.2 + 0.1
        p.line([(u, 1 - (k + 1) * 0.2 + 0.14), (u, 0.62 - k * 0.2)], c.accent, 0.03)
    p.line([(0.02, 0.7), (0.78, 0.0)], c.accent, 0.05)


@_prop("ladder", 0.45, (170, 120, 70), (140, 95, 55), "ladders")
def _ladder(p: _Pen, c: _Colours) -> None:
    for i in range(6):
        v = 0.08 + i * 0.17
        p.rect(0.16, v, 0.84, v + 0.06, c.accent)
    p.rect(0.02, 0, 0.18, 1, c.main)
    p.rect(0.82, 0, 0.98, 1, c.main)


@_prop("bench", 2.2, (140, 95, 55), (55, 60, 65), "benches, park bench, pew")
def _bench(p: _Pen, c: _Colours) -> None:
    for u in (0.1, 0.9):
        p.rect(u - 0.03, 0.08, u + 0.03, 1, c.accent)
    p.rect(0.02, 0.1, 0.98, 0.22, c.main)
    p.rect(0.02, 0.28, 0.98, 0.4, c.main)
    p.rect(0, 0.52, 1, 0.64, c.main)
    p.rect(0, 0.66, 1, 0.74, c.dark)
    p.line([(0.04, 0.5), (0.16, 0.5)], c.accent, 0.08)
    p.line([(0.84, 0.5), (0.96, 0.5)], c.accent, 0.08)


@_prop("television", 1.35, (120, 85, 55), (60, 80, 95), "televisions, tv, tvs, telly")
def _television(p: _Pen, c: _Colours) -> None:
    p.line([(0.45, 0.14), (0.28, 0.0)], INK, 0.03)
    p.line([(0.5, 0.14), (0.68, 0.0)], INK, 0.03)
    p.rect(0.1, 0.9, 0.18, 1, INK)
    p.rect(0.82, 0.9, 0.9, 1, INK)
    p.rect(0, 0.12, 1, 0.92, c.main, r=0.06)
    p.rect(0.06, 0.2, 0.72, 0.84, c.accent, r=0.1)
    p.ell(0.79, 0.28, 0.93, 0.44, c.dark)
    p.ell(0.79, 0.52, 0.93, 0.68, c.dark)
    p.line([(0.14, 0.32), (0.26, 0.26)], _mix(c.accent, WHITE, 0.5), 0.03)


@_prop("laptop", 1.5, (60, 62, 70), (120, 170, 220), "laptops, computer, computers")
def _laptop(p: _Pen, c: _Colours) -> None:
    p.rect(0.12, 0, 0.88, 0.72, c.main, r=0.03)
    p.rect(0.16, 0.05, 0.84, 0.66, c.accent, line=False)
    p.poly([(0.1, 0.72), (0.9, 0.72), (1, 0.96), (0, 0.96)], (190, 192, 198))
    for v in (0.78, 0.84, 0.9):
        p.line([(0.12 - (v - 0.72) * 0.4, v), (0.88 + (v - 0.72) * 0.4, v)], c.main, 0.015)
    p.rect(0.4, 0.92, 0.6, 1, c.main)


@_prop(
    "box",
    1.2,
    (200, 160, 110),
    (230, 205, 150),
    "boxes, parcel, parcels, package, packages, crate, crates, cardboard box",
)
def _box(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0.3, 0.75, 1, c.main)
    p.poly([(0, 0.3), (0.25, 0.02), (1, 0.02), (0.75, 0.3)], c.light)
    p.poly([(0.75, 0.3), (1, 0.02), (1, 0.72), (0.75, 1)], c.dark)
    p.poly([(0.3, 0.3), (0.55, 0.02), (0.65, 0.02), (0.42, 0.3)], c.accent)
    p.rect(0.3, 0.3, 0.42, 0.6, c.accent)


# --- carried things ------------------------------------------------------------------


@_prop(
    "bag",
    1.0,
    (150, 60, 50),
    (215, 175, 70),
    "bags, handbag, handbags, purse, purses, backpack, backpacks, rucksack, rucksacks, satchel, "
    "satchels",
)
def _bag(p: _Pen, c: _Colours) -> None:
    p.arc(0.22, 0.0, 0.78, 0.66, 180, 360, c.dark, 0.08)
    p.poly([(0.08, 0.33), (0.92, 0.33), (1, 1), (0, 1)], c.main)
    p.poly([(0.08, 0.33), (0.92, 0.33), (0.88, 0.58), (0.12, 0.58)], c.dark)
    p.rect(0.43, 0.52, 0.57, 0.66, c.accent)


@_prop("suitcase", 1.35, (130, 85, 55), (215, 175, 70), "suitcases, luggage, valise")
def _suitcase(p: _Pen, c: _Colours) -> None:
    p.arc(0.36, 0.0, 0.64, 0.36, 180, 360, INK, 0.07)
    p.rect(0, 0.18, 1, 1, c.main, r=0.06)
    p.rect(0.22, 0.18, 0.3, 1, c.dark)
    p.rect(0.7, 0.18, 0.78, 1, c.dark)
    for u in (0.26, 0.74):
        p.rect(u - 0.05, 0.34, u + 0.05, 0.42, c.accent)


@_prop("umbrella", 1.0, (190, 40, 50), (60, 50, 45), "umbrellas, parasol, parasols, brolly")
def _umbrella(p: _Pen, c: _Colours) -> None:
    p.line([(0.5, 0.0), (0.5, 0.08)], c.accent, 0.04)
    p.line([(0.5, 0.45), (0.5, 0.88)], c.accent, 0.04)
    p.arc(0.5, 0.76, 0.74, 0.98, 0, 180, c.accent, 0.04)
    p.pie(0, 0.04, 1, 0.86, 180, 360, c.main)
    for u in (0.18, 0.82):
        p.line([(0.5, 0.06), (u, 0.44)], c.dark, 0.02)


@_prop(
    "hat", 1.6, (60, 55, 55), (170, 40, 40), "hats, cap, caps, fedora, fedoras, bowler hat, top hat"
)
def _hat(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0.62, 1, 0.98, c.main)
    p.rect(0.22, 0.05, 0.78, 0.8, c.main, r=0.15)
    p.rect(0.22, 0.56, 0.78, 0.7, c.accent)
    p.line([(0.4, 0.1), (0.5, 0.2), (0.6, 0.1)], c.dark, 0.03)


@_prop("basket", 1.3, (195, 150, 90), (150, 105, 60), "baskets, hamper, hampers, picnic basket")
def _basket(p: _Pen, c: _Colours) -> None:
    p.arc(0.14, 0.0, 0.86, 0.86, 180, 360, c.accent, 0.07)
    p.poly([(0, 0.42), (1, 0.42), (0.86, 1), (0.14, 1)], c.main)
    for v in (0.56, 0.7, 0.84):
        p.line([(0.05, v), (0.95, v)], c.accent, 0.03)
    for i in range(1, 6):
        u = i / 6
        p.line([(u, 0.44), (0.14 + u * 0.72, 0.98)], c.accent, 0.02)


@_prop("rope", 1.0, (190, 160, 110), (130, 100, 60), "ropes, coil of rope")
def _rope(p: _Pen, c: _Colours) -> None:
    p.ell(0, 0.34, 1, 1, c.main)
    for k in range(1, 4):
        d = k * 0.11
        p.ring(d, 0.34 + d * 0.66, 1 - d, 1 - d * 0.66, c.accent, 0.03)
    p.line([(0.55, 0.62), (0.7, 0.3), (0.62, 0.12), (0.82, 0.02)], c.main, 0.09)
    p.line([(0.55, 0.62), (0.7, 0.3), (0.62, 0.12), (0.82, 0.02)], c.accent, 0.02)


@_prop("net", 1.2, (120, 150, 120), (235, 140, 50), "nets, fishing net")
def _net(p: _Pen, c: _Colours) -> None:
    p.poly(
        [(0.02, 0.1), (0.98, 0.1), (0.85, 0.9), (0.5, 1), (0.15, 0.9)],
        _mix(c.main, WHITE, 0.6),
        line=False,
    )
    for i in range(-5, 11):
        u = i * 0.1
        p.line(
            [
                (max(u, 0.02), 0.1 + max(0.0, 0.02 - u)),
                (min(u + 0.9, 0.98), 0.1 + 0.9 - max(0, u + 0.9 - 0.98)),
            ],
            c.main,
            0.025,
        )
    for i in range(11):
        u = i * 0.1
        p.line([(min(max(u, 0.02), 0.98), 0.1), (0.15 + u * 0.7, 0.95)], c.main, 0.025)
    p.line([(0.02, 0.1), (0.98, 0.1)], c.dark, 0.05)
    for u in (0.15, 0.5, 0.85):
        p.ell(u - 0.06, 0.02, u + 0.06, 0.18, c.accent)


@_prop(
    "ball",
    1.0,
    (200, 50, 50),
    (50, 100, 190),
    "balls, football, footballs, soccer ball, beach ball, basketball, tennis ball",
)
def _ball(p: _Pen, c: _Colours) -> None:
    colours = (c.main, WHITE, c.accent, (245, 200, 60), c.main, WHITE)
    for i, col in enumerate(colours):
        p.pie(0, 0, 1, 1, i * 60 - 90, i * 60 - 30, col)
    p.ell(0.38, 0.38, 0.62, 0.62, WHITE)
    p.ring(0, 0, 1, 1, INK, 0.02)


@_prop("guitar", 0.42, (200, 130, 60), (80, 50, 30), "guitars, ukulele, ukuleles, lute")
def _guitar(p: _Pen, c: _Colours) -> None:
    p.rect(0.42, 0.02, 0.58, 0.52, c.accent)
    p.rect(0.32, 0, 0.68, 0.1, c.accent, r=0.2)
    p.ell(0.1, 0.32, 0.9, 0.66, c.main)
    p.ell(0, 0.54, 1, 1, c.main)
    p.ell(0.12, 0.36, 0.88, 0.64, c.main, line=False)
    p.ell(0.3, 0.55, 0.7, 0.7, INK)
    p.rect(0.3, 0.82, 0.7, 0.86, c.accent)
    for u in (0.46, 0.5, 0.54):
        p.line([(u, 0.06), (u, 0.84)], PAPER, 0.01)


@_prop(
    "gun",
    1.6,
    (60, 62, 68),
    (110, 75, 50),
    "guns, pistol, pistols, revolver, revolvers, rifle, rifles, shotgun, handgun",
)
def _gun(p: _Pen, c: _Colours) -> None:
    p.arc(0.3, 0.28, 0.56, 0.62, 0, 180, c.main, 0.05)
    p.poly([(0.12, 0.38), (0.4, 0.38), (0.32, 1), (0.02, 1)], c.accent)
    p.rect(0.08, 0.08, 1, 0.38, c.main, r=0.04)
    p.rect(0.9, 0.02, 0.96, 0.1, c.main)
    p.line([(0.2, 0.23), (0.85, 0.23)], c.light, 0.03)


# --- outside -------------------------------------------------------------------------


@_prop(
    "car",
    2.3,
    (190, 45, 45),
    (170, 210, 235),
    "cars, taxi, taxis, cab, cabs, automobile, automobiles, jeep",
)
def _car(p: _Pen, c: _Colours) -> None:
    p.poly([(0.2, 0.42), (0.32, 0.06), (0.7, 0.06), (0.82, 0.42)], c.main)
    p.poly([(0.27, 0.4), (0.35, 0.14), (0.49, 0.14), (0.49, 0.4)], c.accent)
    p.poly([(0.53, 0.4), (0.53, 0.14), (0.67, 0.14), (0.75, 0.4)], c.accent)
    p.rect(0, 0.38, 1, 0.8, c.main, r=0.12)
    p.rect(0.94, 0.46, 1, 0.56, (250, 230, 150), line=False)
    for u in (0.22, 0.78):
        p.ell(u - 0.11, 0.6, u + 0.11, 1, INK)
        p.ell(u - 0.05, 0.72, u + 0.05, 0.88, (190, 190, 195), line=False)


@_prop("bus", 2.4, (230, 180, 40), (160, 200, 230), "buses, busses, tram, trams, minibus")
def _bus(p: _Pen, c: _Colours) -> None:
    p.rect(0, 0.02, 1, 0.86, c.main, r=0.06)
    for i in range(6):
        u0 = 0.04 + i * 0.135
        p.rect(u0, 0.12, u0 + 0.11, 0.46, c.accent)
    p.rect(0.86, 0.12, 0.96, 0.8, c.accent)
    p.rect(0, 0.58, 0.84, 0.64, c.dark, line=False)
    for u in (0.18, 0.72):
        p.ell(u - 0.07, 0.7, u + 0.07, 1, INK)
        p.ell(u - 0.03, 0.8, u + 0.03, 0.9, (190, 190, 195), line=False)


@_prop("bicycle", 1.7, (40, 110, 170), (45, 45, 50), "bicycles, bike, bikes")
def _bicycle(p: _Pen, c: _Colours) -> None:
    for u0 in (0.0, 0.58):
        p.ring(u0, 0.33, u0 + 0.42, 1, c.accent, 0.07)
        p.ring(u0 + 0.18, 0.63, u0 + 0.24, 0.72, c.accent, 0.03)
    rear, front, crank = (0.21, 0.67), (0.79, 0.67), (0.45, 0.7)
    seat, head = (0.38, 0.3), (0.72, 0.3)
    p.line([rear, crank, seat, rear], c.main, 0.05)
    p.line([seat, head, crank], c.main, 0.05)
    p.line([head, front], c.main, 0.05)
    p.line([head, (0.7, 0.14), (0.82, 0.12)], c.accent, 0.04)
    p.poly([(0.3, 0.22), (0.46, 0.22), (0.42, 0.28), (0.32, 0.28)], c.accent)
    p.ell(0.41, 0.66, 0.49, 0.74, c.accent)


@_prop(
    "boat",
    2.2,
    (60, 110, 160),
    (230, 225, 210),
    "boats, rowing boat, rowboat, rowboats, dinghy, dinghies, canoe, canoes, skiff, ship, ships, "
    "yacht, yachts, ferry",
)
def _boat(p: _Pen, c: _Colours) -> None:
    p.line([(0.22, 0.08), (0.42, 0.96)], (140, 100, 60), 0.05)
    p.line([(0.78, 0.08), (0.58, 0.96)], (140, 100, 60), 0.05)
    p.poly([(0, 0.36), (1, 0.36), (0.86, 0.96), (0.14, 0.96)], c.main)
    p.rect(0.01, 0.36, 0.99, 0.5, c.accent)
    p.line([(0.1, 0.72), (0.9, 0.72)], c.dark, 0.03)
    for u in (0.22, 0.78):
        p.ell(u - 0.04, 0.06, u + 0.04, 0.16, (140, 100, 60))


@_prop(
    "house",
    1.1,
    (225, 205, 165),
    (170, 60, 45),
    "houses, cottage, cottages, cabin, cabins, hut, huts",
)
def _house(p: _Pen, c: _Colours) -> None:
    p.rect(0.68, 0.06, 0.8, 0.4, c.accent)
    p.rect(0.1, 0.44, 0.9, 1, c.main)
    p.poly([(0, 0.5), (0.5, 0.04), (1, 0.5)], c.accent)
    p.rect(0.42, 0.66, 0.58, 1, (110, 75, 45))
    for u in (0.16, 0.66):
        p.rect(u, 0.6, u + 0.18, 0.78, (150, 195, 230))


@_prop("tree", 0.8, (70, 140, 60), (110, 75, 45), "trees, oak, oaks, willow, willows")
def _tree(p: _Pen, c: _Colours) -> None:
    p.rect(0.4, 0.55, 0.6, 1, c.accent)
    p.ell(0, 0.22, 0.6, 0.72, c.main)
    p.ell(0.4, 0.22, 1, 0.72, c.main)
    p.ell(0.15, 0, 0.85, 0.55, c.main)
    p.ell(0.1, 0.25, 0.9, 0.65, c.main, line=False)
    p.ell(0.3, 0.12, 0.45, 0.26, c.light, line=False)


@_prop(
    "flower",
    0.55,
    (220, 60, 90),
    (250, 210, 60),
    "flowers, rose, roses, tulip, tulips, daisy, daisies, lily, lilies, bouquet, bouquets, posy, "
    "blossom",
)
def _flower(p: _Pen, c: _Colours) -> None:
    green = (70, 140, 60)
    p.line([(0.5, 0.4), (0.5, 1)], green, 0.08)
    p.ell(0.5, 0.62, 0.98, 0.78, green)
    p.ell(0.02, 0.72, 0.5, 0.88, green)
    cx, cy, r = 0.5, 0.26, 0.16
    for i in range(6):
        a = math.tau * i / 6
        u, v = cx + 0.29 * math.cos(a), cy + 0.29 * 0.55 * math.sin(a)
        p.ell(u - 0.21, v - 0.115, u + 0.21, v + 0.115, c.main)
    p.ell(cx - r * 1.6, cy - r * 0.9, cx + r * 1.6, cy + r * 0.9, c.accent)


@_prop("dog", 1.4, (160, 110, 60), (90, 60, 35), "dogs, puppy, puppies, pup, pups, hound, hounds")
def _dog(p: _Pen, c: _Colours) -> None:
    p.line([(0.2, 0.45), (0.06, 0.15)], c.main, 0.07)
    for u in (0.24, 0.36, 0.64, 0.74):
        p.rect(u - 0.04, 0.55, u + 0.04, 1, c.main)
    p.ell(0.14, 0.32, 0.82, 0.72, c.main)
    p.ell(0.62, 0.06, 0.92, 0.46, c.main)
    p.ell(0.8, 0.24, 1, 0.42, c.main)
    p.ell(0.94, 0.25, 1, 0.32, INK, line=False)
    p.poly([(0.66, 0.08), (0.74, 0.08), (0.7, 0.46), (0.62, 0.4)], c.accent)
    p.ell(0.8, 0.14, 0.85, 0.21, INK, line=False)


@_prop("cat", 1.0, (95, 95, 105), (140, 200, 90), "cats, kitten, kittens")
def _cat(p: _Pen, c: _Colours) -> None:
    p.arc(0.5, 0.45, 1.0, 1.0, 270, 90, c.main, 0.07)
    p.ell(0.18, 0.42, 0.78, 1, c.main)
    p.poly([(0.24, 0.22), (0.26, 0.0), (0.42, 0.12)], c.main)
    p.poly([(0.72, 0.22), (0.7, 0.0), (0.54, 0.12)], c.main)
    p.ell(0.22, 0.06, 0.74, 0.5, c.main)
    p.ell(0.32, 0.2, 0.42, 0.3, c.accent)
    p.ell(0.54, 0.2, 0.64, 0.3, c.accent)
    p.poly([(0.45, 0.34), (0.51, 0.34), (0.48, 0.38)], (230, 150, 160))
    p.line([(0.3, 0.38), (0.1, 0.34)], INK, 0.015)
    p.line([(0.66, 0.38), (0.86, 0.34)], INK, 0.015)


@_prop(
    "bird",
    1.3,
    (80, 90, 110),
    (240, 170, 40),
    "birds, gull, gulls, seagull, seagulls, crow, crows, pigeon, pigeons, sparrow, sparrows, "
    "robin, robins, raven, ravens, owl, owls, parrot, parrots",
)
def _bird(p: _Pen, c: _Colours) -> None:
    p.line([(0.45, 0.78), (0.43, 1)], c.accent, 0.03)
    p.line([(0.55, 0.78), (0.57, 1)], c.accent, 0.03)
    p.poly([(0.3, 0.48), (0.0, 0.62), (0.04, 0.74), (0.36, 0.66)], c.dark)
    p.ell(0.2, 0.3, 0.8, 0.82, c.main)
    p.poly([(0.84, 0.2), (1, 0.28), (0.84, 0.34)], c.accent)
    p.ell(0.56, 0.08, 0.88, 0.44, c.main)
    p.ell(0.3, 0.44, 0.64, 0.66, c.dark)
    p.ell(0.73, 0.18, 0.79, 0.25, INK, line=False)


PROP_NAMES: frozenset[str] = frozenset(_PROPS)
"""The canonical names of every drawn prop."""


# --- drawing -------------------------------------------------------------------------


def _get(name: str) -> _Prop:
    try:
        return _PROPS[name]
    except KeyError:
        known = ", ".join(sorted(_PROPS))
        raise KeyError(f"unknown prop {name!r}; known props: {known}") from None


def prop_aspect(name: str) -> float:
    """The prop's width / height, for layout. Raises KeyError for an unknown prop."""
    return _get(name).aspect


def fit_box(aspect: float, box: Box) -> Box:
    """The largest box of width/height `aspect` centred inside `box`."""
    x0, y0, x1, y1 = box
    w, h = max(x1 - x0, 0.0), max(y1 - y0, 0.0)
    if h <= 0 or w <= 0:
        return (x0, y0, x0, y0)
    if w / h > aspect:
        fw, fh = h * aspect, h
    else:
        fw, fh = w, w / aspect
    fx, fy = x0 + (w - fw) / 2, y0 + (h - fh) / 2
    return (fx, fy, fx + fw, fy + fh)


def draw_prop(
    draw: ImageDraw.ImageDraw,
    name: str,
    box: Box,
    tint: tuple[int, int, int] | None = None,
) -> None:
    """Draw prop `name` fitted inside the pixel `box` (x0, y0, x1, y1).

    The prop keeps its aspect (`prop_aspect`), centred, and fills the box's larger fitting
    dimension, so a box the size of the frame gives a prop that fills most of the frame.
    Nothing is drawn outside the box. `tint` replaces the prop's main colour. Colours are
    opaque, so it works on RGB and RGBA images alike. Raises KeyError naming the known
    props for an unknown `name`.
    """
    prop = _get(name)
    x0, y0, x1, y1 = fit_box(prop.aspect, box)
    w, h = x1 - x0, y1 - y0
    colours = _Colours(tuple(tint) if tint else prop.main, prop.accent)  # type: ignore[arg-type]
    if min(w, h) < 6:  # too small for detail: a dab of its colour
        rx0, ry0 = math.floor(x0), math.floor(y0)
        draw.rectangle(
            [rx0, ry0, max(rx0, math.ceil(x1) - 1), max(ry0, math.ceil(y1) - 1)],
            fill=colours.main,
        )
        return
    prop.draw(_Pen(draw, x0, y0, w, h), colours)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _card_lines(label: str) -> list[list[str]]:
    """The ways to set `label`: on one line, or split into two at each word boundary."""
    words = label.split()
    options = [[" ".join(words)]]
    for i in range(1, len(words)):
        options.append([" ".join(words[:i]), " ".join(words[i:])])
    return options


def draw_card(draw: ImageDraw.ImageDraw, label: str, box: Box) -> None:
    """Draw a plain placeholder card for something without a drawing: a light card
    filling `box` (slightly inset), with a dark border and `label` centred on it in the
    largest font that fits (on one line or two). An empty label shows "?"."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < 4 or h < 4:
        return
    inset = max(1.0, min(w, h) * 0.03)
    bx = [x0 + inset, y0 + inset, x1 - inset, y1 - inset]
    unit = min(w, h)
    border = max(1, round(unit * 0.02))
    draw.rounded_rectangle(bx, radius=unit * 0.06, fill=CARD, outline=INK, width=border)
    text = " ".join(label.split()) or "?"
    tw, th = (bx[2] - bx[0]) * 0.84, (bx[3] - bx[1]) * 0.7
    best: tuple[int, list[str]] = (0, [text])
    for lines in _card_lines(text):
        probe = _font(100)
        longest = max(probe.getlength(line) for line in lines) or 1.0
        size = int(min(tw * 100 / longest, th / (1.25 * len(lines))))
        if size > best[0]:
            best = (size, lines)
    size, lines = best
    if size < 4:
        return
    font = _font(size)
    cx, cy = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
    draw.multiline_text(
        (cx, cy),
        "\n".join(lines),
        font=font,
        fill=INK,
        anchor="mm",
        align="center",
        spacing=round(size * 0.2),
    )


# --- words ---------------------------------------------------------------------------

# Also given names: Capitalised, they are names even at the start of a sentence.
_NAME_WORDS = frozenset(
    [
        "rose",
        "lily",
        "daisy",
        "robin",
        "willow",
        "holly",
        "ivy",
        "iris",
        "poppy",
        "violet",
        "jasmine",
        "heather",
        "kitty",
    ]
)
# Words that are also verbs (see the module docstring).
_VERB_WORDS = frozenset(
    [
        "book",
        "books",
        "ring",
        "rings",
        "note",
        "notes",
        "phone",
        "phones",
        "telephone",
        "telephones",
        "picture",
        "pictures",
        "map",
        "maps",
        "fire",
        "fires",
        "pen",
        "pens",
        "box",
        "boxes",
        "dog",
        "dogs",
        "fish",
        "fishes",
        "bag",
        "bags",
        "net",
        "nets",
        "rope",
        "ropes",
        "house",
        "houses",
        "mirror",
        "mirrors",
        "table",
        "tables",
        "chair",
        "chairs",
        "cup",
        "cups",
        "bottle",
        "bottles",
        "bowl",
        "bowls",
        "knife",
        "ship",
        "ships",
        "cab",
        "cabs",
        "crate",
        "crates",
        "dish",
        "dishes",
        "cap",
        "caps",
        "pictures",
        "plate",
        "plates",
    ]
)
_SUBJECTS = frozenset(
    [
        "i",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "to",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "can't",
        "cannot",
        "please",
    ]
)
# Phrases after a word that make it something else.
_NOT_AFTER: dict[str, str] = {
    "key": r"(?![\s-]+(?:lights?|moments?|figures?|questions?|witness|scenes?|players?))",
    "glass": (
        r"(?![\s-]+(?:doors?|windows?|tables?|walls?|roofs?|ceilings?|case|cases|jars?|eyes?"
        r"|bottles?|balls?|houses?|panes?|shards?|shelf|shelves))"
    ),
    "book": r"(?!\s+(?:a|an|the)\s+(?:\w+\s+)?(?:tables?|rooms?|flights?|tickets?|seats?|cabs?"
    r"|taxis?|hotels?|trips?|appointments?))",
    "books": r"(?!\s+(?:a|an|the)\s+(?:\w+\s+)?(?:tables?|rooms?|flights?|tickets?|seats?|cabs?"
    r"|taxis?|hotels?|trips?|appointments?))",
}

_WORDS: dict[str, str] = {
    " ".join(word.lower().split()): prop.name for prop in _PROPS.values() for word in prop.words
}


def _alternative(phrase: str) -> str:
    body = r"[\s-]+".join(re.escape(part) for part in phrase.split())
    return body + _NOT_AFTER.get(phrase, "")


_PATTERN = re.compile(
    r"(?<![\w'-])(?:"
    + "|".join(_alternative(w) for w in sorted(_WORDS, key=lambda w: (-len(w), w)))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_PREVIOUS_WORD = re.compile(r"([A-Za-z][\w']*)[ \t]+$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(\[*-]\s*)$")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _is_name(matched: str, before: str) -> bool:
    if not _is_capitalised(matched):
        return False
    if matched.lower() in _NAME_WORDS:
        return True
    return _SENTENCE_START.search(before) is None


def _is_verb(matched: str, before: str) -> bool:
    word = matched.lower()
    if word not in _VERB_WORDS:
        return False
    prev = _PREVIOUS_WORD.search(before)
    if prev is None:
        return False
    previous = prev.group(1)
    if previous.lower() in _SUBJECTS:
        return True
    if word.endswith("s") and not previous.endswith("'s"):
        if _is_capitalised(previous) and _SENTENCE_START.search(before[: prev.start()]):
            return True  # "Mara notes the time": a name, then a verb
        if previous.lower() in _WORDS:
            return True  # "the phone rings"
    return False


def find_props(text: str) -> list[str]:
    """The canonical prop names `text` mentions, in order of first mention, no duplicates.

    Whole words, case-insensitive, longest phrase first ("desk lamp" is a lamp). A
    Capitalised word mid-sentence is a name ("hands Rose the cup" → cup), and so are the
    given names among the words (Rose, Lily, Daisy, Robin, ...) whenever Capitalised; a
    word that is also a verb is skipped in a verb's place ("she rings", "to book"). See the
    module docstring for the words and the accepted misses.

    >>> find_props("Mara folds the letters into an envelope beside the mug")
    ['letter', 'envelope', 'cup']
    """
    found: list[str] = []
    for m in _PATTERN.finditer(text):
        matched = m.group(0)
        before = text[: m.start()]
        if _is_name(matched, before) or _is_verb(matched, before):
            continue
        name = _WORDS[" ".join(matched.lower().replace("-", " ").split())]
        if name not in found:
            found.append(name)
    return found


# --- the object of an unknown close-up -----------------------------------------------

_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "its",
        "my",
        "your",
        "our",
        "this",
        "that",
        "these",
        "those",
        "some",
        "one",
    ]
)
_LEADS = frozenset(
    [
        "of",
        "on",
        "at",
        "onto",
        "upon",
        "to",
        "into",
        "toward",
        "towards",
        "with",
        "from",
        "in",
        "under",
        "over",
        "near",
        "beside",
    ]
)
_STOPS = _LEADS | frozenset(
    [
        "and",
        "or",
        "but",
        "as",
        "while",
        "that",
        "which",
        "who",
        "where",
        "when",
        "then",
        "against",
        "behind",
        "by",
        "for",
        "is",
        "are",
        "was",
        "were",
        "be",
        "has",
        "have",
        "had",
        "it",
        "he",
        "she",
        "they",
    ]
)
_NOT_OBJECTS = frozenset(
    [
        "camera",
        "shot",
        "frame",
        "lens",
        "scene",
        "close",
        "closeup",
        "close-up",
        "ecu",
        "cu",
        "insert",
        "detail",
        "view",
        "angle",
        "face",
        "faces",
        "eye",
        "eyes",
        "hand",
        "hands",
        "mouth",
        "lips",
        "finger",
        "fingers",
        "head",
        "shoulder",
        "shoulders",
        "arm",
        "arms",
        "man",
        "woman",
        "men",
        "women",
        "boy",
        "girl",
        "child",
        "children",
        "person",
        "people",
        "crowd",
        "him",
        "them",
        "it",
        "us",
        "me",
        "moment",
        "light",
        "shadow",
        "shadows",
        "way",
        "end",
        "side",
    ]
)
_SOFT_ADJECTIVES = frozenset(
    [
        "old",
        "new",
        "small",
        "little",
        "big",
        "large",
        "tiny",
        "huge",
        "single",
        "lone",
        "same",
        "other",
        "only",
        "very",
    ]
)
_TOKEN = re.compile(r"[A-Za-z][\w'-]*|[^\sA-Za-z]")


def object_noun(text: str) -> str | None:
    """The main object noun phrase of a short action, lower-case, or None.

    For the close-up of something without a drawing: the words after the first
    determiner ("the", "a", "her", ...) or, without one, after a preposition ("of", "on",
    "at", ...), up to the next preposition, conjunction or punctuation, at most three
    words; leading size words ("old", "small", ...) are dropped. Camera words, body parts
    and people ("face", "hands", "man") are not objects, and a Capitalised word without a
    determiner is a name.

    >>> object_noun("close on the harpoon on the wall")
    'harpoon'
    >>> object_noun("ECU of her grandmother's silver locket")
    'silver locket'
    """
    tokens = _TOKEN.findall(text)
    n = len(tokens)
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in _DETERMINERS:
            start = i + 1
        elif low in _LEADS and i + 1 < n and tokens[i + 1].lower() not in _DETERMINERS:
            start = i + 1
            if start < n and _is_capitalised(tokens[start]):
                continue  # "close on Mara": a name
        else:
            continue
        words: list[str] = []
        j = start
        while j < n and len(words) < 3:
            word = tokens[j].lower()
            if not tokens[j][0].isalpha() or word in _STOPS or word in _DETERMINERS:
                break
            if (
                words
                and word.endswith("s")
                and not word.endswith("ss")
                and (j + 1 >= n or tokens[j + 1].lower() in _STOPS | _DETERMINERS)
                and j + 1 < n
            ):
                break  # "the harpoon hangs on ...": a verb
            j += 1
            if word.endswith("'s"):
                words = []  # "her grandmother's locket": the locket
                continue
            words.append(word)
        while words and words[0] in _SOFT_ADJECTIVES and len(words) > 1:
            words.pop(0)
        if not words or words[-1] in _NOT_OBJECTS or words[0] in _NOT_OBJECTS:
            continue
        if words[-1].endswith("'s"):
            continue
        return " ".join(words)
    return None
