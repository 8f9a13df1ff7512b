"""The checker of the director measurement set (tests/director_set/*.toml).

Shared by the benchmark (bench/director.py) and the tests (tests/test_director_set.py):
it loads the conversations, validates them, and judges one turn at a time from the
plan before and after the turn (`storyreel show --json`) and the turn's events.

Conversation file (one per conversation, `tests/director_set/NN-slug.toml`)
---------------------------------------------------------------------------
    title = "..."                   the film's title (storyreel new --title)
    voice = "storyteller"           storyteller | storyboard | mixed
    setup = [["character", "add", "Mara", "-d", "..."], ...]
                                    CLI commands run first, each `storyreel ARGS -p DIR`
    [[turn]]
    say = "what the person types"
    category = "appearance"         one of CATEGORIES
    voice = "storyboard"            optional: overrides the conversation's voice
    repeat = 600                    optional: the message is `say` repeated this many times
    note = "..."                    optional: why the expectation is what it is
    [turn.expect]                   the checks (below); a turn is RIGHT when all pass

A "storyboard paragraph" is a turn whose voice is storyboard and that expects
shots_added >= 1.

Referring to shots
------------------
- an integer (or its digits as a string): a shot id, e.g. the setup's shots 1, 2, 3;
- "first" / "last": the first / last shot in film order BEFORE the turn, as the person
  sees the film (extra shots of earlier turns included), for "delete the last shot";
- "newK": the K-th shot this turn created, in film order;
- "tJ.newK": the K-th shot created by turn J (1-based) of this conversation, in film order.
  A label that the director never created fails the check that uses it.

Expectation keys ([turn.expect])
--------------------------------
- shots_added = N            exactly N new shots (default 0: a turn adds NO shot unless said).
                             A shot that existed before an earlier turn and comes back (an
                             undo of a removal) is not new.
- removed = [refs]           exactly these shots are gone. When neither `removed` nor `order`
                             is given, no shot may disappear.
- order = [refs]             the film order after the turn. Extra shots left by EARLIER turns
                             (beyond what those turns expected) are ignored, so one mistake is
                             not counted again in every later turn.
- [turn.expect.shots.<ref>]  field checks on one shot (table keys: `new1`, `2`, `"t3.new1"`).
- [turn.expect.all_shots]    the same field checks on every shot (extra shots of earlier
                             turns ignored, as for `order`).
- characters_added = [names] exactly these new characters (names matched by `names_match`).
- [turn.expect.character.<Name>]
    description_contains = [..]  each text is in the character's description or wardrobe;
    wardrobe_contains = [..]     each text is in the character's wardrobe or description;
    wardrobe_excludes = [..]     no text is in the description or wardrobe (a coat that is
                                 "green, not yellow" must not still be yellow anywhere).
                                 (Description and wardrobe are read together because either
                                 one goes into every prompt; all case-insensitive.)
- locations_added = [words]  exactly this many new locations; each word is in the name or
                             description of a different new one (case-insensitive); an entry
                             may be {one_of = ["ward", "hospital"]}.
- question = true            the director asked (a `question` event) AND the plan is unchanged.
- unchanged = true           the plan is identical to before the turn.
- same_as_before_turn = K    the plan equals the plan as it was before turn K (undo); shots
                             may disappear (the undone turn may have added some).
- style = {title, aspect, resolution, fps, look}
                             the story's style; `look` is "contains" (one_of allowed), the
                             rest are equal.
- reply_contains = "..."     the director's reply (reply/question/problem/notice events)
                             contains this text (case-insensitive).

Shot field checks
-----------------
size, angle, movement, time_of_day (the effective one, as `show --json` prints it),
key_light_side (the JSON `key_light`), lens_mm, duration_s, locked, continues_from (a shot
ref), location (the word is in the name or description of the shot's location,
case-insensitive: "dance" fits a location "Hall" described as "a dance hall"), characters
(exactly this set), characters_include (at least these), dialogue (the shot's dialogue
contains the text; case and punctuation ignored), speaker (that character is in the shot,
and equals the shot's `speaker`/`dialogue_speaker` field when the JSON has one),
action_contains (case-insensitive). Any value may be `{one_of = [...]}`; numbers may be
`{min = 2, max = 4}` (either bound optional).

Names (`names_match`): equal case-insensitively, or equal once leading titles and
adjectives (Old, Young, Little, Mr, Mrs, Dr, Nurse, Captain, Officer, Detective, ...,
see TITLES) are dropped from either: "Old Tom" matches "Tom", "Officer Reyes" matches
"Reyes", and "Captain" still matches "Captain".

Always checked: no Python traceback on stderr, exit code 0 or 1, shots_added (default 0),
and the "no shot disappears" rule above.

Plans are compared without each shot's `takes` and `selected_take`: those record renders,
which the CLI path makes and the in-process --fast path does not; they are not the plan.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SET_DIR = Path(__file__).resolve().parent / "director_set"

CATEGORIES = (
    "exposition",
    "introduction",
    "appearance",
    "shot_by_content",
    "many_shots",
    "segmentation",
    "relations",
    "dialogue",
    "camera",
    "bad_input",
    "command",
    "answer",
)
VOICES = ("storyteller", "storyboard", "mixed")

CONVERSATION_KEYS = frozenset({"title", "voice", "setup", "turn"})
TURN_KEYS = frozenset({"say", "category", "expect", "voice", "repeat", "note"})
EXPECT_KEYS = frozenset(
    {
        "shots_added",
        "removed",
        "order",
        "shots",
        "all_shots",
        "characters_added",
        "character",
        "locations_added",
        "question",
        "unchanged",
        "same_as_before_turn",
        "style",
        "reply_contains",
    }
)
SHOT_FIELDS = frozenset(
    {
        "size",
        "angle",
        "movement",
        "lens_mm",
        "duration_s",
        "time_of_day",
        "key_light_side",
        "location",
        "locked",
        "continues_from",
        "characters",
        "characters_include",
        "dialogue",
        "speaker",
        "action_contains",
    }
)
CHARACTER_KEYS = frozenset({"description_contains", "wardrobe_contains", "wardrobe_excludes"})
STYLE_KEYS = frozenset({"title", "aspect", "resolution", "fps", "look"})
MOVEMENT_CHECKS = frozenset({"movement"})
CHARACTER_CHECKS = frozenset({"characters", "characters_include", "speaker"})

# Leading words dropped before comparing names ("Old Tom" ~ "Tom", "Nurse B" ~ "B").
TITLES = frozenset(
    {
        "the",
        "my",
        "old",
        "young",
        "little",
        "big",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "doctor",
        "nurse",
        "captain",
        "commander",
        "engineer",
        "officer",
        "detective",
        "inspector",
        "professor",
        "sir",
        "lady",
        "uncle",
        "aunt",
        "auntie",
        "nonna",
        "granny",
        "grandma",
        "grandpa",
        "madame",
    }
)

TRACEBACK = "Traceback (most recent call last)"
_LABEL = re.compile(r"^(?:t(?P<turn>\d+)\.)?new(?P<index>\d+)$")
_SHOT_KEY_FIELDS = {"key_light_side": "key_light"}


class SetError(ValueError):
    """A conversation file is malformed (unknown key, bad category, bad value)."""


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Turn:
    """One message of a conversation and what it must do to the plan."""

    index: int  # 1-based
    say: str
    category: str
    voice: str
    expect: Mapping[str, Any]
    repeat: int = 1
    note: str = ""

    @property
    def text(self) -> str:
        """The message as sent (`say` repeated `repeat` times)."""
        return self.say * self.repeat

    @property
    def shots_expected(self) -> int:
        """How many new shots the turn must create."""
        return int(self.expect.get("shots_added", 0))

    @property
    def is_storyboard_paragraph(self) -> bool:
        """A storyboard-voice turn that describes at least one shot."""
        return self.voice == "storyboard" and self.shots_expected >= 1

    def preview(self, width: int = 100) -> str:
        """The message on one line, shortened."""
        flat = " ".join(self.text.split())
        if self.repeat > 1:
            flat = f"{' '.join(self.say.split())} (x{self.repeat})"
        return flat if len(flat) <= width else flat[: width - 3] + "..."


@dataclass(frozen=True)
class Conversation:
    """A conversation file: setup commands and turns."""

    path: Path
    title: str
    voice: str
    setup: tuple[tuple[str, ...], ...]
    turns: tuple[Turn, ...]

    @property
    def name(self) -> str:
        """The file name without .toml (used by -k filters and reports)."""
        return self.path.stem


def _fail(path: Path, where: str, message: str) -> SetError:
    return SetError(f"{path.name}: {where}: {message}")


def _check_keys(path: Path, where: str, given: Iterable[str], allowed: frozenset[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _check_ref(path: Path, where: str, ref: object, turn_index: int) -> None:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise _fail(path, where, f"shot reference must be an id or 'newK'/'tJ.newK': {ref!r}")
    if isinstance(ref, int) or ref.isdigit() or ref in ("first", "last"):
        return
    match = _LABEL.match(ref)
    if not match:
        raise _fail(path, where, f"bad shot reference {ref!r}")
    if match["turn"] and int(match["turn"]) >= turn_index:
        raise _fail(path, where, f"{ref!r} names a turn that is not earlier than this one")


def _check_value_spec(path: Path, where: str, value: object) -> None:
    if isinstance(value, dict):
        if "one_of" in value:
            _check_keys(path, where, value, frozenset({"one_of"}))
            if not isinstance(value["one_of"], list) or not value["one_of"]:
                raise _fail(path, where, "one_of must be a non-empty list")
        else:
            _check_keys(path, where, value, frozenset({"min", "max"}))
            if not value:
                raise _fail(path, where, "a range needs min and/or max")


def _validate_shot_checks(path: Path, where: str, checks: object, turn_index: int) -> None:
    if not isinstance(checks, dict):
        raise _fail(path, where, "must be a table of field checks")
    _check_keys(path, where, checks, SHOT_FIELDS)
    for key, value in checks.items():
        _check_value_spec(path, f"{where}.{key}", value)
        if key in ("characters", "characters_include") and not isinstance(value, list):
            raise _fail(path, f"{where}.{key}", "must be a list of names")
        if key == "continues_from":
            _check_ref(path, f"{where}.{key}", value, turn_index)


def _validate_expect(path: Path, index: int, expect: Mapping[str, Any]) -> None:
    where = f"turn {index} expect"
    _check_keys(path, where, expect, EXPECT_KEYS)
    for key in ("removed", "order"):
        if key in expect:
            if not isinstance(expect[key], list):
                raise _fail(path, f"{where}.{key}", "must be a list of shot references")
            for ref in expect[key]:
                _check_ref(path, f"{where}.{key}", ref, index)
    for ref, checks in expect.get("shots", {}).items():
        _check_ref(path, f"{where}.shots", ref, index)
        _validate_shot_checks(path, f"{where}.shots.{ref}", checks, index)
    if "all_shots" in expect:
        _validate_shot_checks(path, f"{where}.all_shots", expect["all_shots"], index)
    for name, checks in expect.get("character", {}).items():
        _check_keys(path, f"{where}.character.{name}", checks, CHARACTER_KEYS)
        for key, texts in checks.items():
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise _fail(path, f"{where}.character.{name}.{key}", "must be a list of text")
    for key in ("characters_added", "locations_added"):
        if key in expect and not isinstance(expect[key], list):
            raise _fail(path, f"{where}.{key}", "must be a list")
    for entry in expect.get("locations_added", []):
        _check_value_spec(path, f"{where}.locations_added", entry)
    if "style" in expect:
        _check_keys(path, f"{where}.style", expect["style"], STYLE_KEYS)
    for key in ("question", "unchanged"):
        if key in expect and expect[key] is not True:
            raise _fail(path, f"{where}.{key}", "only `true` is meaningful")
    if "shots_added" in expect:
        count = expect["shots_added"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _fail(path, f"{where}.shots_added", "must be a whole number >= 0")
    if "same_as_before_turn" in expect:
        k = expect["same_as_before_turn"]
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= index:
            raise _fail(path, f"{where}.same_as_before_turn", f"must be a turn 1..{index}")


def load_conversation(path: Path) -> Conversation:
    """Read and validate one conversation file; raise SetError on any mistake."""
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise _fail(path, "toml", str(error)) from None
    _check_keys(path, "conversation", data, CONVERSATION_KEYS)
    voice = data.get("voice", "storyteller")
    if voice not in VOICES:
        raise _fail(path, "voice", f"{voice!r} is not one of {VOICES}")
    setup = data.get("setup", [])
    if not all(isinstance(cmd, list) and all(isinstance(a, str) for a in cmd) for cmd in setup):
        raise _fail(path, "setup", "each command must be a list of strings")
    raw_turns = data.get("turn", [])
    if not raw_turns:
        raise _fail(path, "turn", "a conversation needs turns")
    turns = []
    for index, raw in enumerate(raw_turns, start=1):
        _check_keys(path, f"turn {index}", raw, TURN_KEYS)
        if not isinstance(raw.get("say"), str):
            raise _fail(path, f"turn {index}", "needs `say` (a string)")
        category = raw.get("category")
        if category not in CATEGORIES:
            raise _fail(path, f"turn {index}", f"category {category!r} not in {CATEGORIES}")
        turn_voice = raw.get("voice", voice)
        if turn_voice not in VOICES:
            raise _fail(path, f"turn {index}", f"voice {turn_voice!r} not in {VOICES}")
        expect = raw.get("expect", {})
        _validate_expect(path, index, expect)
        repeat = raw.get("repeat", 1)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
            raise _fail(path, f"turn {index}", "repeat must be a whole number >= 1")
        turns.append(
            Turn(
                index=index,
                say=raw["say"],
                category=category,
                voice=turn_voice,
                expect=expect,
                repeat=repeat,
                note=raw.get("note", ""),
            )
        )
    return Conversation(
        path=path,
        title=data.get("title", path.stem),
        voice=voice,
        setup=tuple(tuple(cmd) for cmd in setup),
        turns=tuple(turns),
    )


def load_set(directory: Path = SET_DIR, pattern: str = "") -> list[Conversation]:
    """Every conversation in `directory` (sorted), keeping those whose name contains `pattern`."""
    paths = sorted(directory.glob("*.toml"))
    return [load_conversation(p) for p in paths if pattern.lower() in p.stem.lower()]


# --------------------------------------------------------------------------- helpers


def _words(name: str) -> list[str]:
    return re.sub(r"[@_\-]+", " ", name).lower().split()


def strip_titles(name: str) -> str:
    """The name in lowercase without leading titles/adjectives (keeps at least one word)."""
    words = _words(name)
    while len(words) > 1 and words[0].rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def names_match(expected: str, actual: str) -> bool:
    """True when two character names mean the same person (see the module docstring)."""
    a, b = " ".join(_words(expected)), " ".join(_words(actual))
    return a == b or strip_titles(a) == strip_titles(b)


def _match_all_distinct(
    expected: Sequence[Any], actual: Sequence[str], match: Callable[[Any, str], bool]
) -> bool:
    """True when every expected item matches a different actual item."""

    def place(i: int, used: frozenset[int]) -> bool:
        if i == len(expected):
            return True
        return any(
            j not in used and match(expected[i], item) and place(i + 1, used | {j})
            for j, item in enumerate(actual)
        )

    return place(0, frozenset())


def same_people(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Exactly the same set of people (names matched by `names_match`)."""
    return len(expected) == len(actual) and _match_all_distinct(expected, actual, names_match)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def normalize_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan without render records (each shot's takes and selected_take)."""
    result = copy.deepcopy(dict(plan))
    for shot in result.get("shots", []):
        shot.pop("takes", None)
        shot.pop("selected_take", None)
    return result


def _shots_by_id(plan: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    return {shot["id"]: shot for shot in plan.get("shots", [])}


def _film_order(plan: Mapping[str, Any]) -> list[int]:
    return [shot["id"] for shot in sorted(plan.get("shots", []), key=lambda s: s["order"])]


def _value_matches(expected: object, actual: object) -> bool:
    if isinstance(expected, dict):
        if "one_of" in expected:
            return any(_value_matches(option, actual) for option in expected["one_of"])
        if not isinstance(actual, int | float) or isinstance(actual, bool):
            return False
        low, high = expected.get("min"), expected.get("max")
        return (low is None or actual >= low - 1e-9) and (high is None or actual <= high + 1e-9)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and abs(actual - expected) < 1e-6
    if isinstance(expected, str):
        return isinstance(actual, str) and expected.lower() == actual.lower()
    return expected == actual


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Observation:
    """What one turn did: the plan before and after, its events, how the process ended."""

    before: Mapping[str, Any]
    after: Mapping[str, Any]
    events: Sequence[Mapping[str, Any]] = ()
    exit_code: int = 0
    stderr: str = ""

    @property
    def reply(self) -> str:
        """Everything the director said this turn."""
        said = ("reply", "question", "problem", "notice")
        return "\n".join(str(e.get("text", "")) for e in self.events if e.get("type") in said)

    @property
    def asked(self) -> bool:
        """True when the turn ended on a question."""
        return any(event.get("type") == "question" for event in self.events)


@dataclass(frozen=True)
class Failure:
    """One check that did not pass."""

    check: str
    expected: object
    actual: object

    def __str__(self) -> str:
        return f"{self.check}: expected {self.expected!r}, got {self.actual!r}"


@dataclass
class Verdict:
    """The judgement of one turn."""

    conversation: str
    turn: Turn
    failures: list[Failure] = field(default_factory=list)
    shots_added: int = 0
    junk: int = 0
    movement: list[bool] = field(default_factory=list)
    character: list[bool] = field(default_factory=list)
    reply: str = ""

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.failures

    def key(self) -> tuple[str, int, bool, tuple[str, ...]]:
        """What two runs must agree on: which turn, right or not, and which checks failed."""
        return (self.conversation, self.turn.index, self.ok, tuple(f.check for f in self.failures))


class _TurnCheck:
    """Runs the checks of one turn and collects failures and metric counts."""

    def __init__(self, checker: ConversationChecker, turn: Turn, seen: Observation) -> None:
        self.checker = checker
        self.turn = turn
        self.seen = seen
        self.before = normalize_plan(seen.before)
        self.after = normalize_plan(seen.after)
        self.shots_before = _shots_by_id(self.before)
        self.shots_after = _shots_by_id(self.after)
        order_after = _film_order(self.after)
        earlier = {sid for plan in checker.plans_before for sid in _shots_by_id(plan)}
        self.created = [  # a shot an undo brings back is not a new one
            sid for sid in order_after if sid not in self.shots_before and sid not in earlier
        ]
        self.verdict = Verdict(conversation=checker.conversation, turn=turn, reply=seen.reply)
        self.verdict.shots_added = len(self.created)

    def fail(self, check: str, expected: object, actual: object) -> None:
        self.verdict.failures.append(Failure(check, expected, actual))

    def resolve(self, ref: int | str) -> int | None:
        """The shot id a reference names, or None when no such shot was created."""
        if isinstance(ref, int):
            return ref
        if ref.isdigit():
            return int(ref)
        if ref in ("first", "last"):
            ids = _film_order(self.before)
            return (ids[0] if ref == "first" else ids[-1]) if ids else None
        match = _LABEL.match(ref)
        if match is None:
            return None
        k = int(match["index"])
        if match["turn"] is None:
            return self.created[k - 1] if k <= len(self.created) else None
        return self.checker.labels.get(f"t{match['turn']}.new{k}")

    def visible(self, ids: Iterable[int]) -> list[int]:
        """Ids without the extra shots of earlier turns."""
        return [sid for sid in ids if sid not in self.checker.extra_ids]

    def run(self) -> Verdict:
        expect = self.turn.expect
        if TRACEBACK in self.seen.stderr:
            tail = self.seen.stderr.strip().splitlines()[-1:] or [""]
            self.fail("traceback", "no traceback", tail[0])
        if self.seen.exit_code not in (0, 1):
            self.fail("exit_code", "0 or 1", self.seen.exit_code)
        expected_count = self.turn.shots_expected
        if len(self.created) != expected_count:
            self.fail("shots_added", expected_count, len(self.created))
        if expected_count == 0:
            self.verdict.junk = len(self.created)
        self.check_removed(expect)
        if "order" in expect:
            wanted = [self.resolve(ref) for ref in expect["order"]]
            actual = self.visible(_film_order(self.after))
            if wanted != actual:
                self.fail("order", expect["order"], actual)
        for ref, checks in expect.get("shots", {}).items():
            sid = self.resolve(ref)
            if sid is None or sid not in self.shots_after:
                self.fail(f"shots.{ref}", "the shot exists", "no such shot")
                self.count_metrics(checks, passed=False)
                continue
            self.check_shot(f"shots.{ref}", self.shots_after[sid], checks)
        if "all_shots" in expect:
            for sid in self.visible(_film_order(self.after)):
                self.check_shot(f"all_shots[{sid}]", self.shots_after[sid], expect["all_shots"])
        self.check_bible(expect)
        self.check_state(expect)
        return self.verdict

    def check_removed(self, expect: Mapping[str, Any]) -> None:
        gone = sorted(set(self.shots_before) - set(self.shots_after))
        if "removed" in expect:
            wanted = sorted(
                sid for sid in (self.resolve(r) for r in expect["removed"]) if sid is not None
            )
            if len(wanted) != len(expect["removed"]) or wanted != gone:
                self.fail("removed", expect["removed"], gone)
        elif "order" not in expect and "same_as_before_turn" not in expect and gone:
            self.fail("removed", [], gone)

    def count_metrics(self, checks: Mapping[str, Any], passed: bool) -> None:
        for key in checks:
            if key in MOVEMENT_CHECKS:
                self.verdict.movement.append(passed)
            if key in CHARACTER_CHECKS:
                self.verdict.character.append(passed)

    def check_shot(self, where: str, shot: Mapping[str, Any], checks: Mapping[str, Any]) -> None:
        for key, expected in checks.items():
            passed, actual = self.shot_field(shot, key, expected)
            if key in MOVEMENT_CHECKS:
                self.verdict.movement.append(passed)
            if key in CHARACTER_CHECKS:
                self.verdict.character.append(passed)
            if not passed:
                self.fail(f"{where}.{key}", expected, actual)

    def shot_field(self, shot: Mapping[str, Any], key: str, expected: Any) -> tuple[bool, object]:
        people = list(shot.get("characters") or [])
        if key == "characters":
            return same_people(expected, people), people
        if key == "characters_include":
            return _match_all_distinct(expected, people, names_match), people
        if key == "speaker":
            passed = any(names_match(expected, name) for name in people)
            for extra in ("speaker", "dialogue_speaker"):
                if extra in shot:
                    passed = passed and names_match(expected, str(shot[extra] or ""))
            return passed, people
        if key == "dialogue":
            actual = str(shot.get("dialogue") or "")
            return bool(_plain(expected)) and _plain(expected) in _plain(actual), actual
        if key == "action_contains":
            actual = str(shot.get("action") or "")
            return expected.lower() in actual.lower(), actual
        if key == "location":
            name = str(shot.get("location") or "")
            places = [p for p in self.after.get("locations", []) if p["name"] == name]
            actual = f"{name} | {places[0].get('description', '')}" if places else name
            options = expected["one_of"] if isinstance(expected, dict) else [expected]
            return bool(name) and any(w.lower() in actual.lower() for w in options), actual
        if key == "continues_from":
            actual = shot.get("continues_from")
            target = self.resolve(expected)
            return target is not None and actual == target, actual
        actual = shot.get(_SHOT_KEY_FIELDS.get(key, key))
        return _value_matches(expected, actual), actual

    def check_bible(self, expect: Mapping[str, Any]) -> None:
        names_before = {c["name"].lower() for c in self.before.get("characters", [])}
        new_people = [
            c["name"]
            for c in self.after.get("characters", [])
            if c["name"].lower() not in names_before
        ]
        if "characters_added" in expect and not same_people(expect["characters_added"], new_people):
            self.fail("characters_added", expect["characters_added"], new_people)
        for name, checks in expect.get("character", {}).items():
            found = [c for c in self.after.get("characters", []) if names_match(name, c["name"])]
            if not found:
                self.fail(f"character.{name}", "the character exists", "no such character")
                continue
            person = found[0]
            text = f"{person.get('description', '')} | {person.get('wardrobe', '')}".lower()
            for key in ("description_contains", "wardrobe_contains"):
                missing = [t for t in checks.get(key, []) if t.lower() not in text]
                if missing:
                    self.fail(f"character.{name}.{key}", missing, text)
            present = [t for t in checks.get("wardrobe_excludes", []) if t.lower() in text]
            if present:
                self.fail(f"character.{name}.wardrobe_excludes", present, text)
        if "locations_added" in expect:
            places_before = {p["name"].lower() for p in self.before.get("locations", [])}
            new_places = [
                f"{p['name']} | {p.get('description', '')}"
                for p in self.after.get("locations", [])
                if p["name"].lower() not in places_before
            ]
            words = expect["locations_added"]
            fits = len(words) == len(new_places) and _match_all_distinct(
                words, new_places, _place_fits
            )
            if not fits:
                self.fail("locations_added", words, new_places)

    def check_state(self, expect: Mapping[str, Any]) -> None:
        same = self.before == self.after
        if expect.get("question"):
            if not self.seen.asked:
                self.fail("question", "a question", "no question")
            if not same:
                self.fail("question.unchanged", "plan unchanged", "plan changed")
        if expect.get("unchanged") and not same:
            self.fail("unchanged", "plan unchanged", _difference(self.before, self.after))
        if "same_as_before_turn" in expect:
            k = expect["same_as_before_turn"]
            earlier = self.checker.plans_before[k - 1]
            if self.after != earlier:
                self.fail(
                    "same_as_before_turn", f"plan before turn {k}", _difference(earlier, self.after)
                )
        for key, expected in expect.get("style", {}).items():
            actual = self.after.get("story", {}).get(key)
            if key == "look":
                options = expected["one_of"] if isinstance(expected, dict) else [expected]
                passed = any(str(o).lower() in str(actual or "").lower() for o in options)
            else:
                passed = _value_matches(expected, actual)
            if not passed:
                self.fail(f"style.{key}", expected, actual)
        if "reply_contains" in expect and expect["reply_contains"].lower() not in (
            self.seen.reply.lower()
        ):
            self.fail("reply_contains", expect["reply_contains"], self.seen.reply[:200])


def _place_fits(word: str | Mapping[str, Any], place: str) -> bool:
    options = word["one_of"] if isinstance(word, Mapping) else [word]
    return any(str(option).lower() in place.lower() for option in options)


def _difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """A short description of where two normalised plans differ."""
    parts = []
    for section in ("story", "characters", "locations", "references"):
        if a.get(section) != b.get(section):
            parts.append(section)
    shots_a, shots_b = _shots_by_id(a), _shots_by_id(b)
    if set(shots_a) != set(shots_b):
        parts.append(f"shots {sorted(shots_a)} -> {sorted(shots_b)}")
    for sid in sorted(set(shots_a) & set(shots_b)):
        changed = sorted(k for k in shots_a[sid] if shots_a[sid][k] != shots_b[sid].get(k))
        if changed:
            parts.append(f"shot {sid}: {', '.join(changed)}")
    return "; ".join(parts) or "no difference"


class ConversationChecker:
    """Judges the turns of one conversation in order, remembering what earlier turns made."""

    def __init__(self, conversation: str) -> None:
        self.conversation = conversation
        self.plans_before: list[dict[str, Any]] = []
        self.labels: dict[str, int] = {}
        self.extra_ids: set[int] = set()

    def check(self, turn: Turn, seen: Observation) -> Verdict:
        """Judge `turn` (the next one, in order) from what was observed."""
        if turn.index != len(self.plans_before) + 1:
            raise ValueError(f"turns must be checked in order; got turn {turn.index}")
        self.plans_before.append(normalize_plan(seen.before))
        step = _TurnCheck(self, turn, seen)
        verdict = step.run()
        for k, sid in enumerate(step.created, start=1):
            self.labels[f"t{turn.index}.new{k}"] = sid
            if k > turn.shots_expected:
                self.extra_ids.add(sid)
        return verdict


# --------------------------------------------------------------------------- summary


@dataclass
class Summary:
    """Accuracy figures over many verdicts."""

    by_category: dict[str, tuple[int, int]]
    right: int
    total: int
    junk: int
    one_shot: tuple[int, int]
    movement: tuple[int, int]
    character: tuple[int, int]

    @property
    def accuracy(self) -> float:
        """Share of turns that were right."""
        return self.right / self.total if self.total else 0.0


def summarize(verdicts: Sequence[Verdict]) -> Summary:
    """Per-category accuracy, junk shots, one-shot paragraphs, movement and character accuracy."""
    by_category: dict[str, tuple[int, int]] = {}
    for category in CATEGORIES:
        mine = [v for v in verdicts if v.turn.category == category]
        if mine:
            by_category[category] = (sum(v.ok for v in mine), len(mine))
    paragraphs = [
        v for v in verdicts if v.turn.is_storyboard_paragraph and v.turn.shots_expected == 1
    ]
    movement = [passed for v in verdicts for passed in v.movement]
    character = [passed for v in verdicts for passed in v.character]
    return Summary(
        by_category=by_category,
        right=sum(v.ok for v in verdicts),
        total=len(verdicts),
        junk=sum(v.junk for v in verdicts),
        one_shot=(sum(v.shots_added == 1 for v in paragraphs), len(paragraphs)),
        movement=(sum(movement), len(movement)),
        character=(sum(character), len(character)),
    )


def final_line(summary: Summary) -> str:
    """The benchmark's last line."""
    return (
        f"director accuracy: {summary.accuracy:.2f} ({summary.right}/{summary.total} turns), "
        f"junk shots: {summary.junk}"
    )
