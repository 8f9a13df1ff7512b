"""A guided session: the agent leads a group through a story with short questions.

Said with a word in any front end ("guide us"; `storyreel chat --guided`; the studio's
"Guide us" button), the guide asks, one at a time: who is the story about, what do they
look like, where does it happen, what happens first, what goes wrong, how does it end,
what should we hear. Each answer becomes the bible and a covered shot list: people and a
place first (no shots), then each part of the story becomes shots that frame the group's
own words (the beginning opens on an establishing shot of the place; the trouble gets a
close-up of the main character's face; the ending closes on a wide shot pulling away).
After each part the shots are rendered and the film so far is cut, so everyone watches
it take shape, and the guide asks what to change: any direction then goes to the
director as usual ("make the storm darker"), "go on" moves to the next part.

With the offline director the answers are read by rules (`guide_answers`) and turned
into edits here; with a language model, each answer goes to the director with the
question it answers and what that part of a film needs, and the model plans the shots.

"pause" stops the guide (the story stays as it is); "guide us" picks up at the same
question, in this process or after a restart (the guide's state is kept in agent.db,
table `guide`, one row per session; the answers are in the transcript). "skip" skips a
question. While the guide waits, a command ("undo", "lock shot 2", "export") is carried
out as usual and the same question is asked again.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyreel.agent.events import AgentEvent
from storyreel.agent.guide_answers import (
    everyone_in,
    gender_of,
    has_pronoun,
    is_nothing,
    narrator_in,
    people_in,
    read_events,
    read_looks,
    read_people,
    read_place,
    read_sounds,
    wears,
)
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    DirectorEdit,
    ExportFilm,
    UpdateCharacter,
    UpdateLocation,
    UpdateShot,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import StoryPlan
from storyreel.tools.supervisor import line_seconds

START_RE = re.compile(
    r"^\s*(?:(?:please|ok(?:ay)?|hi|hello|let'?s)\b[\s,]*)*(?:guide|lead|interview|walk)\s+"
    r"(?:us|me)\b|^\s*(?:start|begin|resume|continue)\s+(?:the\s+)?guid(?:e|ed|ing)\b|"
    r"^\s*guided\s+(?:mode|session|story)\b|^\s*help\s+(?:us|me)\s+(?:tell|make)\s+a\s+"
    r"(?:story|film|movie)\b",
    re.I,
)
"""What starts (or resumes) a guided session: "guide us", "guide me", "let's start the
guided mode", "help us make a film"."""
PAUSE_RE = re.compile(
    r"^\s*(?:pause|stop(?:\s+(?:the\s+)?guid\w*)?|let'?s\s+stop(?:\s+here)?|"
    r"(?:we'?ll\s+)?(?:continue|carry\s+on|finish)\s+(?:later|another\s+time|tomorrow)|"
    r"that'?s\s+enough\s+for\s+(?:now|today)|break|take\s+a\s+break|end\s+(?:the\s+)?guid\w*)"
    r"\W*$",
    re.I,
)
SKIP_RE = re.compile(r"^\s*(?:skip(?:\s+(?:it|this|that))?|next\s+question|pass)\W*$", re.I)
GO_ON_RE = re.compile(
    r"\b(?:go(?:\s+on|\s+ahead|\s+next)?|carry\s+on|continue|next|move\s+on|keep\s+going|"
    r"onwards?|ready|done|finished|happy|good|great|fine|lovely|perfect|nice|right|correct|"
    r"ok(?:ay)?|yes|yeah|yep|yup|sure|cool|sick|brilliant|wonderful|awesome|grand|amazing|"
    r"beautiful|works|love\s+it|like\s+it|that'?s\s+(?:it|her|him|them)|all\s+set|"
    r"no\s+changes?|nothing(?:\s+to\s+change|\s+else|\s+more)?|not\s+really|make\s+the\s+"
    r"film|k|kk|proceed|that'?ll\s+do|that'?s\s+(?:the\s+lot|all|enough)|enough|sorted|"
    r"spot\s+on|aye|export(?:\s+it)?|leave\s+it|keep\s+it)\b",
    re.I,
)
CHANGE_RE = re.compile(
    r"\b(?:make|made|change|should|could|can|would|but|instead|rather|more|less|longer|"
    r"shorter|darker|brighter|lighter|bigger|smaller|slower|faster|quieter|louder|add|remove|"
    r"delete|put|move|swap|wear|wears|wearing|give|take\s+out|cut|zoom|closer|further|"
    r"different|redo|again|too)\b|\d",
    re.I,
)
"""Words of a change ("make it darker", "shot 3 should be longer")."""


def goes_on(text: str) -> bool:
    """An answer to "what would you change?" that changes nothing: it says yes, next, good,
    happy or done in some words, and asks for no change ("make the film" and "no changes"
    included)."""
    if re.match(r"^\s*(?:make\s+the\s+film|export(?:\s+it)?|no\s+changes?)\W*$", text, re.I):
        return True
    return bool(GO_ON_RE.search(text)) and not _asks_change(text)


def _asks_change(text: str) -> bool:
    cleaned = re.sub(
        r"make\s+the\s+film|we\s+(?:can|could)\s+(?:go\s+on|continue|move\s+on)|"
        r"(?:can|could|shall)\s+we\s+(?:go\s+on|continue|move\s+on|"
        r"keep\s+going|see\s+the\s+next)|too\s+(?:good|great)|nothing\s+more|"
        r"(?:nothing|not\s+much)\s+to\s+change|no\s+changes?|(?:don'?t|do\s+not)\s+change",
        "",
        text,
        flags=re.I,
    )
    return bool(CHANGE_RE.search(cleaned))


COMMAND_RE = re.compile(
    r"^\s*(?:undo|redo|export|render|retake|lock|unlock|delete|remove|move|swap|select|"
    r"use\s+take|compare|make\s+shot|change\s+shot|shot\s+\d)\b",
    re.I,
)
"""Words that are commands to the director even while the guide waits for an answer."""

FILM_MADE = (
    "Your film is made! Watch it, download it, or keep changing it: say what to change, "
    'or "guide us" to tell another story.'
)
WEATHER_WORDS = (
    ("snow", r"\b(?:snow|snowy|snowing|blizzard)\b"),
    ("storm", r"\b(?:storm|stormy|thunder|lightning)\b"),
    ("rain", r"\b(?:rain|rainy|raining|pour(?:s|ing)?(?:\s+down)?|drizzl\w*|wet)\b"),
    ("fog", r"\b(?:fog|foggy|mist|misty|haze|hazy)\b"),
    ("overcast", r"\b(?:cloudy|overcast|grey\s+sky|gloomy)\b"),
    ("wind", r"\b(?:wind|windy|blowing)\b"),
    ("sunny", r"\b(?:sunny|sunnier|sunshine|sunlit|bright\s+sun)\b"),
)
"""Weather in everyday words, said of the part just shown: it goes to its place."""
LIGHT_RE = re.compile(
    r"\b(?:candle\s*light|candles?|candlelit|lamp\s*light|lamps?|fire\s*light|firelight|"
    r"torch\s*light|torches?|phone\s+screen|screen\s+light|neon|moon\s*light|moonlit|"
    r"spot\s*light|alarm\s+lights?|golden|warm(?:er)?|cool(?:er)?|cold(?:er)?|red|blue|green|"
    r"purple|orange|pink|darker|brighter|lighter|gloomier|light\s+(?:her|him|them|it)\s+up|"
    r"more\s+light|less\s+light)\b",
    re.I,
)
"""Light in everyday words ("more candles", "warmer, sort of golden", "red like the alarm
lights"): it becomes the lighting of the part's shots."""
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 99}
"""Shots of the part just shown named by their place in it ("the last one")."""
GUIDE_TABLE = "guide"
MAX_LOOKS = 3
"""People asked about one by one ("what does Rose look like?"); more are left as named."""


@dataclass(frozen=True)
class Step:
    """One question of the guide: its key, the part of the story, the words, an example."""

    key: str
    part: str
    question: str
    hint: str


STEPS: dict[str, Step] = {
    step.key: step
    for step in (
        Step(
            "who",
            "the people",
            "Who is the story about? Tell me their names and who they are.",
            "My grandmother Rose, and her little brother Tom.",
        ),
        Step(
            "look",
            "the people",
            "What does {name} look like? Hair, face, clothes: whatever you remember.",
            "Grey curly hair, round glasses, and she always wears a blue cardigan.",
        ),
        Step(
            "where",
            "the place",
            "Where does it happen? And when: morning, evening, night?",
            "A little fishing village by the sea, early in the morning.",
        ),
        Step("first", "the beginning", "What happens first?", "Rose walks down to the harbour."),
        Step(
            "wrong",
            "the trouble",
            "What goes wrong?",
            "A storm comes in and Tom's boat does not come back.",
        ),
        Step(
            "end",
            "the ending",
            "How does it end?",
            "Tom's boat comes home at dawn and Rose runs to hug him.",
        ),
        Step(
            "hear",
            "the sound",
            "What should we hear? A line someone says (in quotes), a narrator, music?",
            'Rose says "I knew you would come home." And gentle piano music.',
        ),
        Step(
            "review",
            "",
            "That was {part}: watch it in the film. What would you change? "
            'Say "go on" when you are happy with it.',
            "Make it darker. Tom should have a red hat. Go on.",
        ),
        Step(
            "review_all",
            "the whole film",
            'That is the whole film. Anything to change? Say "make the film" when it is ready.',
            "Make the last shot longer. Make the film.",
        ),
        Step("done", "the whole film", "The film is made.", ""),
    )
}
ORDER = ("who", "look", "where", "first", "wrong", "end", "hear", "review_all", "done")
REVIEWED = {"first", "wrong", "end"}
"""Parts that are shown and reviewed before the next question."""
FOR_THE_MODEL = {
    "who": "Add these people to the bible, each with a short description in their words. "
    "No shots yet.",
    "look": "Update {name}'s description and wardrobe with this. No shots.",
    "where": "Add this place to the bible (with its time of day and weather, if said). "
    "No shots yet.",
    "first": "Add the shots for the beginning of the story, with coverage a film director "
    "would give it: open on an establishing shot of the place, then closer shots of the "
    "action, the people named in each shot. Keep the group's words as the action.",
    "wrong": "Add the shots for the trouble, with coverage: the event, then a close-up of "
    "the main character's reaction.",
    "end": "Add the shots for the ending, with coverage: the resolution, then a closing wide "
    "shot pulling away, fading out.",
    "hear": "Give the spoken lines to the shots where their speakers are (a line with no "
    "speaker is a narrator over the first shots); a music mood becomes the soundtrack if a "
    "music model is set up, else say so.",
}


@dataclass(frozen=True)
class GuideStatus:
    """What the guide is asking now: the step's key, the question, an example answer,
    which question of how many, and the part of the story it is about."""

    step: str
    question: str
    hint: str
    number: int
    total: int
    part: str


@dataclass
class GuideState:
    """The guide's memory (kept in agent.db): where it is and what it has learnt."""

    active: bool = False
    step: str = "who"
    reviewing: str = ""
    """The part just shown ("first", "wrong", "end") while asking what to change."""
    people: list[str] = field(default_factory=list)
    looked: int = 0
    place: str = ""
    shots: dict[str, list[int]] = field(default_factory=dict)
    """The shots each part made (ids), for the sound step and the review."""
    answers: dict[str, str] = field(default_factory=dict)
    asked: int = 0
    """Questions asked so far (the progress shown)."""

    @classmethod
    def from_json(cls, text: str) -> GuideState:
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class GuideStore:
    """The guide's state for one session, in the project's agent.db (thread-safe)."""

    def __init__(self, db_path: Path, session: str) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(db_path), check_same_thread=False, timeout=30)
        with self._lock, self._conn:
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {GUIDE_TABLE} "
                "(session TEXT PRIMARY KEY, state TEXT NOT NULL)"
            )

    def load(self) -> GuideState | None:
        """The saved state, or None when this session was never guided (or it is unreadable)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT state FROM {GUIDE_TABLE} WHERE session = ?", (self.session,)
            ).fetchone()
        if row is None:
            return None
        try:
            return GuideState.from_json(row[0])
        except (ValueError, TypeError):
            return None

    def save(self, state: GuideState) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                f"INSERT OR REPLACE INTO {GUIDE_TABLE} (session, state) VALUES (?, ?)",
                (self.session, json.dumps(asdict(state))),
            )

    def close(self) -> None:
        self._conn.close()


RunText = Callable[[str], Iterator[AgentEvent]]
"""Runs a turn of the director on a text (the person's, or one the guide composed)."""
RunEdits = Callable[[Sequence[DirectorEdit], str], Iterator[AgentEvent]]
"""Runs a turn that carries out given edits with a reply (then render, critique, report)."""


def _about_a_thing(event: str) -> bool:
    """ "The boat sinks", "A storm comes in": a sentence whose subject is a thing."""
    return bool(
        re.match(
            r"^(?:the|a|an)\s+(?:\w+\s+)?(?:storm|wind|rain|snow|sea|boat|ship|"
            r"sun|moon|night|fire|flood|car|train|house|sky|waves?|door|letter)\b",
            event,
            re.I,
        )
    )


class Guide:
    """The guided interview of one session (see the module docstring).

    Args:
        store: where the state is kept.
        plan: reads the current plan (the guide decides from what is there now).
        offline: True when the director is the offline one (answers are read by rules).
        record: records what the guide says (the session's transcript).
        add_music: the edits that make a music bed of a mood the soundtrack; it returns
            None when no music model is set up (the guide then says so).
    """

    def __init__(
        self,
        store: GuideStore,
        plan: Callable[[], StoryPlan],
        *,
        offline: bool,
        record: Callable[[str], None] = lambda text: None,
        add_music: Callable[[str], list[Any] | None] | None = None,
    ) -> None:
        self.store = store
        self.plan = plan
        self.offline = offline
        self.record = record
        self.add_music = add_music
        self.state = store.load() or GuideState()

    # what front ends read -------------------------------------------------------

    def status(self) -> GuideStatus | None:
        """The question waiting for an answer, or None when the guide is not running."""
        if not self.state.active:
            return None
        return self._status()

    def wants(self, text: str) -> bool:
        """True when `text` is for the guide: it starts it, or the guide is running."""
        return self.state.active or bool(START_RE.match(text))

    # a turn --------------------------------------------------------------------

    def take(self, text: str, run_text: RunText, run_edits: RunEdits) -> Iterator[AgentEvent]:
        """Read `text` (a start word, an answer, pause/skip, a change or a command)."""
        state = self.state
        if not state.active:
            yield from self._start()
            return
        if START_RE.match(text):
            yield from self._ask(again=True)
            return
        if PAUSE_RE.match(text):
            state.active = False
            self._save()
            yield self._say(
                'Paused: the story stays as it is. Say "guide us" when you want to go on; '
                "I will pick up at the same question."
            )
            return
        if SKIP_RE.match(text) and state.step != "done":
            yield from self._advance()
            return
        if state.reviewing or state.step == "review_all":
            if goes_on(text):
                if state.step == "review_all":
                    yield from self._finish(run_edits)
                    return
                yield from self._advance()
                return
            change = self._review_change(text) if self.offline else None
            if change is not None:
                yield from run_edits(*change)
            else:
                yield from run_text(self._about_the_part(text))
            yield from self._ask(again=True, changed=True)
            return
        if COMMAND_RE.match(text):
            yield from run_text(text)
            yield from self._ask(again=True)
            return
        yield from self._answer(text, run_text, run_edits)

    def _review_change(self, text: str) -> tuple[list[DirectorEdit], str] | None:
        """A change of the part just shown that people say without naming shots: the
        weather ("make it snow a bit", "can it be sunny"), the light ("more candles",
        "warmer, sort of golden", "light her up with the phone screen"), or the length
        ("shorter pls", "a bit longer"). None: the director reads it."""
        if re.search(r"\bshots?\s+\d|\b(?:first|second|third|last)\s+(?:one|shot)\b", text, re.I):
            return None
        plan = self.plan()
        if wears(text) or any(
            re.search(rf"\b{re.escape(c.name)}\b", text, re.I) for c in plan.characters
        ):
            return None  # "Tom should have a red hat": looks, for the director
        ids = self.state.shots.get(self.state.reviewing or "", []) or [s.id for s in plan.shots]
        shots = [shot for shot in plan.shots if shot.id in ids]
        if not shots:
            return None
        named = self._named_shots(ids)
        weather = next((w for w, rx in WEATHER_WORDS if re.search(rx, text, re.I)), None)
        place = self._place()
        if weather is not None and place is not None:
            return (
                [UpdateLocation(name=place, weather=weather)],
                f"{place}: {weather} now, in every shot there.",
            )
        if LIGHT_RE.search(text):
            light = re.sub(
                r"^\s*(?:(?:can|could)\s+(?:we|you)\s+|please\s+)?(?:make\s+(?:it|them|that|"
                r"this|those)(?:\s+whole\s+bit)?\s+|it\s+should\s+(?:all\s+)?be\s+|"
                r"should\s+be\s+)?",
                "",
                text.strip().rstrip(".!?"),
                flags=re.I,
            )
            edits: list[DirectorEdit] = [UpdateShot(shot_id=s.id, lighting=light) for s in shots]
            return edits, f"{named}: lit {light}."
        seconds = re.search(r"\b(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds)\b", text, re.I)
        if re.search(r"\b(?:shorter|quicker|snappier|faster)\b", text, re.I) and not seconds:
            lengths = {s.id: max(1.5, round(s.duration_s * 0.7, 1)) for s in shots}
        elif re.search(r"\b(?:longer|more\s+(?:time|long)|slower)\b", text, re.I) and not seconds:
            lengths = {s.id: min(20.0, s.duration_s + 2.0) for s in shots}
        else:
            return None
        edits = [UpdateShot(shot_id=i, duration_s=d) for i, d in lengths.items()]
        said = ", ".join(f"{d:g} s" for d in lengths.values())
        return edits, f"{named}: now {said}."

    def _named_shots(self, ids: list[int]) -> str:
        positions = [str(self._position(i)) for i in ids]
        if len(positions) == 1:
            return f"Shot {positions[0]}"
        return f"Shots {', '.join(positions[:-1])} and {positions[-1]}"

    def _about_the_part(self, text: str) -> str:
        """A change said of the part just shown ("make it darker", "make them longer") is
        said of its shots ("make shots 4 and 5 darker"), so the director knows which."""
        shots = self.state.shots.get(self.state.reviewing or "", [])
        if not shots or re.search(r"\bshots?\s+\d", text, re.I):
            return text
        ids = [str(i) for i in shots]  # the director reads "shot N" as the shot's id
        ordinal = re.search(
            r"\b(?:the\s+)?(first|second|third|fourth|last)\s+(?:one|shot|bit|picture)\b",
            text,
            re.I,
        )
        if ordinal is not None:  # "the first one should be a close-up": of this part
            which = ORDINALS.get(ordinal.group(1).lower(), len(ids))
            position = ids[min(which, len(ids)) - 1]
            return text[: ordinal.start()] + f"shot {position}" + text[ordinal.end() :]
        named = "shot " + ids[0] if len(ids) == 1 else "shots " + ", ".join(ids[:-1])
        named += "" if len(ids) == 1 else f" and {ids[-1]}"
        return re.sub(
            r"\b(?:it|them|this(?:\s+part)?|that(?:\s+part)?|these|those|this\s+bit)\b",
            named,
            text,
            count=1,
            flags=re.I,
        )

    def film_made(self) -> Iterator[AgentEvent]:
        """The film was exported by a button while the guide asked for the last changes:
        the guided session is done (as if the group had said "make the film")."""
        if self.state.active and self.state.step == "review_all":
            self.state.step = "done"
            self.state.active = False
            self._save()
            yield self._say(FILM_MADE)

    def ask_again(self) -> Iterator[AgentEvent]:
        """Repeat the question (after an approval question interrupted the guide)."""
        if self.state.active:
            yield from self._ask(again=True)

    # the interview ---------------------------------------------------------------

    def _start(self) -> Iterator[AgentEvent]:
        state = self.state
        resuming = state.step not in ("who", "done") or state.asked > 0
        if state.step == "done":
            self.state = state = GuideState()
            resuming = False
        state.active = True
        self._save()
        if resuming:
            yield self._say("Welcome back! Let's pick up where we stopped.")
        else:
            yield self._say(
                "Let's make a film together. I will ask a few short questions: answer in "
                "your own words, and watch the film take shape after each part. "
                'Say "skip" to leave a question out, or "pause" to stop for now.'
            )
        yield from self._ask()

    def _answer(self, text: str, run_text: RunText, run_edits: RunEdits) -> Iterator[AgentEvent]:
        state = self.state
        step = state.step
        state.answers[step if step != "look" else f"look:{state.looked}"] = text
        if not self.offline:
            before = {shot.id for shot in self.plan().shots}
            name = self._looking_at() if step == "look" else ""
            asked = self._status().question
            goal = FOR_THE_MODEL.get(step, "").format(name=name)
            yield from run_text(
                f'(Guided session: I asked "{asked}" and the group answered: "{text}". {goal})'
            )
            self._learn_from_plan(step, before)
            yield from self._advance()
            return
        reader = getattr(self, f"_edits_{step}", None)
        if reader is None:
            yield from self._advance()
            return
        edits, reply, understood = reader(text)
        if not understood:
            yield self._say(reply)
            yield from self._ask(again=True)
            return
        if edits:
            before = {shot.id for shot in self.plan().shots}
            yield from run_edits(edits, reply)
            self._learn_from_plan(step, before)
        elif reply:
            yield self._say(reply)
        yield from self._advance()

    def _advance(self) -> Iterator[AgentEvent]:
        """The next question (or the review of the part just made)."""
        state = self.state
        if state.reviewing:
            state.reviewing = ""
            state.step = ORDER[ORDER.index(state.step) + 1]
        elif state.step in REVIEWED and state.shots.get(state.step):
            state.reviewing = state.step
        elif state.step == "look" and state.looked + 1 < min(len(state.people), MAX_LOOKS):
            state.looked += 1
        elif state.step == "review_all":
            state.step = "done"
        else:
            state.step = ORDER[ORDER.index(state.step) + 1]
            if state.step == "look" and not state.people:
                state.step = "where"
        self._save()
        yield from self._ask()

    def _finish(self, run_edits: RunEdits) -> Iterator[AgentEvent]:
        state = self.state
        yield from run_edits([ExportFilm()], "Making the film.")
        state.step = "done"
        state.active = False
        self._save()
        yield self._say(FILM_MADE)

    def _ask(self, again: bool = False, changed: bool = False) -> Iterator[AgentEvent]:
        state = self.state
        if state.step == "done":
            state.active = False
            self._save()
            return
        if not again and not state.reviewing and state.step != "review_all":
            state.asked += 1
            self._save()
        status = self._status()
        text = status.question
        if changed:
            text = "Anything else to change? " + (
                'Say "make the film" when it is ready.'
                if state.step == "review_all"
                else 'Say "go on" when you are happy with it.'
            )
        self.record(text)
        yield AgentEvent(type="question", text=text, data={"kind": "guide", **asdict(status)})

    def _status(self) -> GuideStatus:
        state = self.state
        key = "review" if state.reviewing else state.step
        step = STEPS[key]
        part = STEPS[state.reviewing].part if state.reviewing else step.part
        question = step.question.format(name=self._looking_at(), part=part)
        looks = min(len(state.people), MAX_LOOKS)
        total = 6 + max(looks, 1)
        number = min(max(state.asked, 1), total)
        return GuideStatus(key, question, step.hint, number, total, part)

    def _looking_at(self) -> str:
        people = self.state.people
        return people[self.state.looked] if self.state.looked < len(people) else "them"

    def _learn_from_plan(self, step: str, before: set[int]) -> None:
        """After a turn: the shots it added (for the review and the sound), and, with a
        language model, the people and place it put in the bible."""
        plan = self.plan()
        added = [shot.id for shot in plan.shots if shot.id not in before]
        if added:
            self.state.shots[step] = added
        if step == "who" and not self.offline:
            self.state.people = [c.name for c in plan.characters][:6]
        if step == "where" and not self.offline and plan.locations:
            self.state.place = plan.locations[-1].name
        self._save()

    # offline: answers read by rules --------------------------------------------------

    def _edits_who(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        plan = self.plan()
        if re.match(r"^\s*(?:the\s+)?same(?:\s+(?:people|ones|as\s+before))?\W*$", text, re.I):
            self.state.people = [c.name for c in plan.characters][:6]
            return [], f"Good: {', '.join(self.state.people) or 'nobody yet'}.", True
        people = read_people(text, plan)
        if not people:
            return [], "I did not catch a name there.", False
        known = {c.name.lower() for c in plan.characters}
        edits: list[DirectorEdit] = [
            AddCharacter(name=p.name, description=p.description)
            for p in people
            if p.name.lower() not in known
        ]
        self.state.people = [p.name for p in people]
        names = ", ".join(self.state.people)
        return edits, f"Lovely: {names} {'is' if len(people) == 1 else 'are'} in the story.", True

    def _edits_look(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        name = self._looking_at()
        looks = read_looks(text)
        character = self.plan().find_character(name)
        if looks is None or character is None:
            return [], "", True
        base = "" if character.description == "a person" else character.description
        description = ", ".join(x for x in (base, looks.description) if x) or None
        if not looks.description:
            description = None
        if description and looks.description.lower() in base.lower():
            description = None
        edit = UpdateCharacter(
            name=character.name, description=description, wardrobe=looks.wardrobe or None
        )
        if description is None and not looks.wardrobe:
            return [], "", True
        return [edit], f"Got it: that is how {character.name} will look in every shot.", True

    def _edits_where(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        plan = self.plan()
        place = read_place(text, plan)
        if place is None:
            return [], "I did not catch a place there.", False
        self.state.place = place.name
        fields: dict[str, Any] = {"description": place.description}
        if place.time_of_day is not None:
            fields["time_of_day"] = place.time_of_day
        if place.weather:
            fields["weather"] = place.weather
        edit: DirectorEdit
        if plan.find_location(place.name) is not None:
            edit = UpdateLocation(name=place.name, **fields)
        else:
            edit = AddLocation(name=place.name, **fields)
        when = f" ({place.time_of_day.value.replace('_', ' ')})" if place.time_of_day else ""
        return [edit], f"The story happens at {place.name.lower()}{when}.", True

    def _cast(self, event: str) -> list[str]:
        """Who is in a shot of `event`: the people it names (and the narrator when it says
        "I" or "we", everyone when it says "they" or "together"), else the main character
        (a sentence about a thing, "The boat sinks", has no one)."""
        plan = self.plan()
        known = [c.name for c in plan.characters]
        story = [n for n in self.state.people if n in known] or known
        cast = set(people_in(event, plan)) if event else set()
        cast |= self._spoken_of(event, plan, story)
        if event and everyone_in(event) and len(story) > 1:
            cast |= set(story[:4])
        if event and narrator_in(event):
            cast |= {c.name for c in plan.characters if "the narrator" in c.description}
        if cast:
            return [n for n in known if n in cast]
        if event and not has_pronoun(event) and _about_a_thing(event):
            return []  # "The boat sinks in a storm": no one is named or spoken of
        return story[:1]

    def _spoken_of(self, event: str, plan: StoryPlan, story: list[str]) -> set[str]:
        """The people "he" / "she" stand for: a pronoun before anyone of its gender is
        named means the first of the story's people of that gender who is not named
        ("She gets there in time and Gwen makes her tea": she is not Gwen)."""
        found: set[str] = set()
        named = people_in(event, plan) if event else []
        for match in re.finditer(r"\b(he|him|his|she|her|hers)\b", event, re.I):
            gender = "m" if match.group(1).lower() in ("he", "him", "his") else "f"
            before = [
                n
                for n in named
                if re.search(re.escape(n.split()[-1]), event[: match.start()], re.I)
            ]
            if any(gender_of(plan, n) == gender for n in before):
                continue
            others = [n for n in story if gender_of(plan, n) == gender and n not in named]
            unknown = [n for n in story if gender_of(plan, n) is None and n not in named]
            if others or unknown:  # "he goes for the diamond": the cat, if no man is there
                found.add((others or unknown)[0])
        return found

    def _place(self) -> str | None:
        plan = self.plan()
        if self.state.place and plan.find_location(self.state.place) is not None:
            return self.state.place
        return plan.locations[-1].name if plan.locations else None

    def _part_shots(
        self, text: str, sizes: Sequence[str]
    ) -> tuple[list[DirectorEdit], list[str]] | None:
        events = read_events(text)
        if not events:
            return None
        place = self._place()
        edits: list[DirectorEdit] = []
        for index, event in enumerate(events):
            edits.append(
                AddShot(
                    action=event,
                    characters=self._cast(event),
                    location=place,
                    size=sizes[min(index, len(sizes) - 1)],
                    ref=f"g{index + 1}",
                )
            )
        return edits, events

    def _edits_first(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        made = self._part_shots(text, ["MS", "MCU", "MS"])
        if made is None:
            return [], "Tell me what happens first, in a sentence or two.", False
        edits, _ = made
        place = self._place()
        if place is not None:
            location = self.plan().find_location(place)
            look = location.description if location else place.lower()
            edits.insert(
                0,
                AddShot(
                    action=f"Establishing shot: {look}",
                    characters=[],
                    location=place,
                    size="ELS",
                    movement="dolly_in",
                    movement_speed="slow",
                    duration_s=3.0,
                    transition="fade_in",
                    ref="g0",
                ),
            )
        edits.append(ExportFilm())
        return edits, "Here is the beginning.", True

    def _edits_wrong(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        made = self._part_shots(text, ["LS", "MS", "MS"])
        if made is None:
            return [], "Tell me what goes wrong, in a sentence or two.", False
        edits, events = made
        main = self._cast("")[:1]
        if main:
            event = events[0][:1].lower() + events[0][1:]
            edits.append(
                AddShot(
                    action=f"{main[0]}'s face as {event}",
                    characters=main,
                    location=self._place(),
                    size="CU",
                    ref="greact",
                )
            )
        edits.append(ExportFilm())
        return edits, "Here is the trouble.", True

    def _edits_end(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        made = self._part_shots(text, ["MS", "MCU", "MS"])
        if made is None:
            return [], "Tell me how it ends, in a sentence or two.", False
        edits, events = made
        place = self._place()
        closing = "the camera pulls away" + (f" to show the whole {place.lower()}" if place else "")
        edits.append(
            AddShot(
                action=f"{events[-1]}; {closing}",
                characters=self._cast(events[-1]),
                location=place,
                size="ELS",
                movement="crane_up",
                movement_speed="slow",
                duration_s=5.0,
                transition="fade_out",
                ref="gclose",
            )
        )
        edits.append(ExportFilm())
        return edits, "Here is the ending.", True

    def _edits_hear(self, text: str) -> tuple[list[DirectorEdit], str, bool]:
        plan = self.plan()
        sounds = read_sounds(text, plan)
        edits: list[DirectorEdit] = []
        said: list[str] = []
        taken: set[int] = {s.id for s in plan.shots if s.dialogue}
        for line in sounds.lines:
            shot_id = self._shot_for_line(line.speaker, taken)
            if shot_id is None:
                continue
            taken.add(shot_id)
            shot = plan.find_shot(shot_id)
            needed = round(line_seconds(line.text) + 0.5, 1)  # the line fits, with a breath
            longer = min(needed, 20.0) if shot is not None and needed > shot.duration_s else None
            edits.append(
                UpdateShot(
                    shot_id=shot_id,
                    dialogue=line.text,
                    dialogue_speaker=line.speaker,
                    duration_s=longer,
                    clear=[] if line.speaker else ["dialogue_speaker"],
                )
            )
            who = line.speaker or "the narrator"
            said.append(f'{who} says "{line.text}" in shot {self._position(shot_id)}')
        if sounds.music:
            try:
                music = self.add_music(sounds.music) if self.add_music is not None else None
            except StoryreelError as error:
                music, said = None, [*said, f"I could not make the music: {error}"]
            if music is not None:
                edits.extend(music)
                said.append(f"the music: {sounds.music}")
            elif not any(s.startswith("I could not make the music") for s in said):
                said.append(
                    f'I noted the music ("{sounds.music}"), but making music needs a music '
                    "model on this computer (see `storyreel music` in the README)"
                )
        if sounds.other:
            said.append(f'I cannot make sounds like "{sounds.other}" yet, only voices and music')
        if not said:
            if is_nothing(text):
                return [], "No sound then: the film stays quiet apart from the pictures.", True
            return [], 'Put a line someone says in quotes, e.g. Rose says "Welcome home."', False
        if edits:
            edits.append(ExportFilm())
        return edits, "; ".join(said)[:1].upper() + "; ".join(said)[1:] + ".", True

    def _shot_for_line(self, speaker: str | None, taken: set[int]) -> int | None:
        """The shot that carries a line: the speaker's closest shot (a close-up first) that
        has no line yet; for a narrator, the first free shot."""
        shots = [s for s in self.plan().shots if s.id not in taken]
        if speaker is not None:
            order = ["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"]
            theirs = [s for s in shots if speaker in s.characters]
            theirs.sort(key=lambda s: order.index(str(s.size)) if str(s.size) in order else 9)
            if theirs:
                return theirs[0].id
        return shots[0].id if shots else None

    def _position(self, shot_id: int) -> int:
        ids = [s.id for s in self.plan().shots]
        return ids.index(shot_id) + 1 if shot_id in ids else shot_id

    # helpers ------------------------------------------------------------------------

    def _say(self, text: str) -> AgentEvent:
        self.record(text)
        return AgentEvent(type="reply", text=text, data={"guide": True})

    def _save(self) -> None:
        self.store.save(self.state)

    def close(self) -> None:
        self.store.close()
