"""Benchmark of the guided session ("guide us") on the blind set in tests/guide_sessions/.

Each session runs in a fresh project through a real Session (offline director,
autopilot, no rendering): "guide us", then the answer to whatever question
`Session.guide_status()` says is waiting, by its `step`:

    who         the group's `who_answers`
    look        the `looks` answer for the person the question names (else the next
                unused one)
    where, first, wrong, end, hear
                that answer
    review      each change said for the part just shown, then a go-on phrase
                (`go_on`, one per part; "go on" when the file gives none)
    review_all  "make the film"

A question asked again right after it was answered (the guide did not read the answer)
is answered with "skip"; at most 40 messages per session. Then every expectation of the
file is scored against the plan (see tests/guide_sessions/README.md):

    python bench/guide.py              # every session: a table, the failures, the figure
    python bench/guide.py -k bazaar    # only sessions whose file name has "bazaar"
    python bench/guide.py -q           # the table and the last line only

The last line: `guide: N/M checks (P%), K/S sessions finished`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SET_DIR = ROOT / "tests" / "guide_sessions"
MAX_MESSAGES = 40
KINDS = ("who", "looks", "where", "events", "lines", "changes", "flow")
PARTS = ("first", "wrong", "end")
NUMERIC = {"duration_s", "lens_mm", "key_light_kelvin"}


# --------------------------------------------------------------------------- data


@dataclass
class Check:
    """One scored expectation: its kind, what was expected, and, when it failed, the
    group's words that should have given it and what the plan holds instead."""

    kind: str
    what: str
    ok: bool
    said: str = ""
    got: str = ""


@dataclass
class Run:
    """What happened in one session."""

    name: str
    checks: list[Check] = field(default_factory=list)
    messages: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)
    reasked: list[tuple[str, str]] = field(default_factory=list)
    """(step, answer) pairs the guide asked again (it did not read the answer)."""
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(check.ok for check in self.checks)


def load_sessions(folder: Path, only: str = "") -> list[tuple[str, dict[str, Any]]]:
    """The set's sessions (file stem, data), in file order."""
    found = []
    for path in sorted(folder.glob("*.json")):
        if only and only.lower() not in path.stem.lower():
            continue
        found.append((path.stem, json.loads(path.read_text(encoding="utf-8"))))
    return found


# --------------------------------------------------------------------------- matching


def _norm(text: str) -> str:
    """Lower case, curly quotes straightened, punctuation dropped, spaces collapsed."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)
    return " ".join(text.split())


def _options(expected: str) -> list[str]:
    """The alternatives of an expectation ("Agnes Muir|Agnes")."""
    return [option.strip() for option in expected.split("|") if option.strip()]


def _name_key(name: str) -> str:
    return _norm(name.replace(".", ""))


def _same_name(expected: str, actual: str | None) -> bool:
    if actual is None:
        return False
    return any(_name_key(option) == _name_key(actual) for option in _options(expected))


def _has_words(expected: str, text: str) -> bool:
    """Any alternative occurs in `text` from a word start ("wrapper" finds "wrappers")."""
    haystack = _norm(text)
    return any(
        re.search(r"(?<!\w)" + re.escape(_norm(option)), haystack) is not None
        for option in _options(expected)
    )


def _find_character(plan: Any, expected: str) -> Any | None:
    for character in plan.characters:
        if _same_name(expected, character.name):
            return character
    return None


def _person_asked(question: str) -> str:
    found = re.search(r"what does (.+?) look like", question, re.I)
    return found.group(1).strip() if found else ""


def _names_match(asked: str, key: str) -> bool:
    asked_key = _name_key(asked)
    if not asked_key:
        return False
    for option in _options(key):
        option_key = _name_key(option)
        if (
            option_key == asked_key
            or re.search(rf"\b{re.escape(option_key)}\b", asked_key)
            or re.search(rf"\b{re.escape(asked_key)}\b", option_key)
        ):
            return True
    return False


def _look_for(asked: str, looks: dict[str, str], used: set[str]) -> str | None:
    """The key of `looks` for the person the question names (an unused one first, else
    the one already given: people repeat themselves), else the next unused one."""
    named = [key for key in looks if _names_match(asked, key)]
    for key in named:
        if key not in used:
            return key
    if named:
        return named[0]
    return next((key for key in looks if key not in used), None)


# --------------------------------------------------------------------------- running


class Runner:
    """Drives one guided session and remembers what each part made."""

    def __init__(self, name: str, data: dict[str, Any], session: Any) -> None:
        self.data = data
        self.session = session
        self.run = Run(name)
        self.part_shots: dict[str, list[int]] = {}
        self.before_changes: dict[str, dict[int, Any]] = {}
        self.heard = ""
        self.go_on_failed: list[tuple[str, str]] = []
        self.go_on_sent: dict[str, str] = {}
        self.looks_given: list[tuple[str, str]] = []
        """(the person a look question named, the `looks` answer given to it)."""

    def plan(self) -> Any:
        return self.session.project.memory.plan()

    def send(self, text: str) -> str:
        """One message; returns what the agent said (replies, questions, problems)."""
        self.run.messages += 1
        said: list[str] = []
        try:
            for event in self.session.send(text):
                if event.type in ("reply", "question", "problem", "notice") and event.text:
                    said.append(event.text)
        except Exception as error:  # the bench reports every crash, it never stops on one
            last = traceback.format_exc().strip().splitlines()[-1]
            self.run.errors.append(f"{text!r}: {type(error).__name__}: {last}")
        reply = " ".join(said)
        self.run.transcript.append((text, reply))
        return reply

    def drive(self) -> None:
        data = self.data
        looks: dict[str, str] = data.get("looks", {})
        used_looks: set[str] = set()
        changes: dict[str, list[str]] = {
            part: list(data.get("changes", {}).get(part, [])) for part in PARTS
        }
        go_on: list[str] = list(data.get("go_on", []))
        reviewed: list[str] = []
        last: tuple[str, str] | None = None  # (step, question) just answered
        parts = self._part_names()
        self.send("guide us")
        while self.run.messages < MAX_MESSAGES:
            status = self.session.guide_status()
            if status is None:
                break
            step, question = status.step, status.question
            if step == "review":
                part = parts.get(status.part, "")
                self._review(part, changes, go_on, reviewed)
                continue
            if step == "review_all":
                if last == ("review_all", question):
                    self.go_on_failed.append(("review_all", "make the film"))
                    break
                last = ("review_all", question)
                self.send("make the film")
                continue
            if last == (step, question):
                self.run.reasked.append((step, self.run.transcript[-1][0]))
                self.send("skip")
                last = None
                continue
            last = (step, question)
            if step == "look":
                asked = _person_asked(question)
                key = _look_for(asked, looks, used_looks)
                self.looks_given.append((asked, key or "skip"))
                if key is None:
                    self.send("skip")
                    continue
                used_looks.add(key)
                self.send(looks[key])
            elif step == "who":
                self.send(data["who_answers"])
            elif step in PARTS:
                before = {shot.id for shot in self.plan().shots}
                self.send(data[step])
                self.part_shots[step] = [
                    shot.id for shot in self.plan().shots if shot.id not in before
                ]
            elif step in ("where", "hear"):
                reply = self.send(data[step])
                if step == "hear":
                    self.heard = reply
            else:
                self.send("skip")
        status = self.session.guide_status()
        self.run.finished = (
            status is None
            and not self.run.errors
            and any(text == "make the film" for text, _ in self.run.transcript)
        )

    def _part_names(self) -> dict[str, str]:
        from storyreel.agent.guide import STEPS

        return {STEPS[part].part: part for part in PARTS}

    def _review(
        self, part: str, changes: dict[str, list[str]], go_on: list[str], reviewed: list[str]
    ) -> None:
        if part and part not in self.before_changes:
            shots = {shot.id: shot for shot in self.plan().shots}
            self.before_changes[part] = {
                i: shots[i].model_copy() for i in self.part_shots.get(part, []) if i in shots
            }
        if changes.get(part):
            self.send(changes[part].pop(0))
            return
        if part in self.go_on_sent:
            # the go-on phrase was taken as a change: say it plainly
            phrase = self.go_on_sent[part]
            if phrase != "go on":
                self.go_on_failed.append((part, phrase))
                self.go_on_sent[part] = "go on"
                self.send("go on")
            else:
                self.go_on_failed.append((part, "go on"))
                self.send("skip")
            return
        phrase = go_on[len(reviewed)] if len(reviewed) < len(go_on) else "go on"
        reviewed.append(part)
        self.go_on_sent[part] = phrase
        self.send(phrase)


# --------------------------------------------------------------------------- scoring


def _effective_time(shot: Any, plan: Any) -> str:
    if shot.time_of_day is not None:
        return str(shot.time_of_day)
    location = plan.find_location(shot.location) if shot.location else None
    return str(location.time_of_day) if location is not None else ""


def _value(shot: Any, plan: Any, name: str) -> Any:
    if name == "time_of_day":
        return _effective_time(shot, plan)
    if name == "weather":  # a shot has no weather of its own: its place's is what it shows
        location = plan.find_location(shot.location) if shot.location else None
        return location.weather if location is not None else ""
    value = getattr(shot, name, None)
    return value.value if hasattr(value, "value") else value


def _change_ok(expected: Any, now: Any, before: Any, name: str) -> bool:
    if name in NUMERIC:
        if expected in ("longer", "shorter", "more", "less"):
            if now is None or before is None:
                return False
            return now > before if expected in ("longer", "more") else now < before
        try:
            return now is not None and abs(float(now) - float(expected)) < 0.05
        except (TypeError, ValueError):
            return False
    text = "" if now is None else str(now)
    if name in ("lighting", "action", "weather"):
        return _has_words(str(expected), text)
    return any(option.lower() == text.lower() for option in _options(str(expected)))


def _music_mood(reply: str) -> str:
    """The music mood the guide's reply to the sound answer names (made, or noted for lack
    of a music model), or "" when it names none."""
    found = re.search(r'music \("(.*?)"\)', reply) or re.search(r"the music: ([^;]*)", reply)
    return found.group(1) if found else ""


def score(runner: Runner) -> list[Check]:
    data, plan = runner.data, runner.plan()
    expect: dict[str, Any] = data.get("expect", {})
    checks: list[Check] = []
    bible = ", ".join(c.name for c in plan.characters) or "(nobody)"
    who = data.get("who_answers", "")

    for name in expect.get("characters", []):
        found = _find_character(plan, name)
        checks.append(Check("who", f"character {name}", found is not None, who, bible))

    expected = expect.get("characters", [])
    extra = [c.name for c in plan.characters if not any(_same_name(e, c.name) for e in expected)]
    checks.append(Check("who", "no other people", not extra, who, f"also: {', '.join(extra)}"))

    looks: dict[str, str] = data.get("looks", {})
    given = "; ".join(f"asked {asked or '?'} -> {key}" for asked, key in runner.looks_given)
    for field_name, kind in (("descriptions", "description"), ("wardrobe", "wardrobe")):
        for name, words in expect.get(field_name, {}).items():
            character = _find_character(plan, name)
            said = next((looks[k] for k in looks if k == name or _same_name(k, name)), "")
            for word in words:
                if character is None:
                    checks.append(
                        Check("looks", f"{name} {kind}: {word}", False, said, f"no {name}; {given}")
                    )
                    continue
                text = character.wardrobe
                if kind == "description":
                    text = f"{character.description} | {character.wardrobe}"
                got = (
                    f"description={character.description!r} wardrobe={character.wardrobe!r}"
                    f" ({given})"
                )
                checks.append(
                    Check("looks", f"{name} {kind}: {word}", _has_words(word, text), said, got)
                )

    where = data.get("where", "")
    places = "; ".join(f"{loc.name} ({loc.time_of_day})" for loc in plan.locations) or "(none)"
    location = None
    for word in expect.get("place_words", []):
        match = next((loc for loc in plan.locations if _has_words(word, loc.name)), None)
        location = location or match
        checks.append(Check("where", f"place name has {word}", match is not None, where, places))
    time_of_day = expect.get("time_of_day")
    if time_of_day:
        location = location or (plan.locations[0] if plan.locations else None)
        now = str(location.time_of_day) if location is not None else ""
        ok = now in _options(time_of_day)
        checks.append(Check("where", f"time of day {time_of_day}", ok, where, places))

    shots = {shot.id: shot for shot in plan.shots}
    for part in PARTS:
        ids = [i for i in runner.part_shots.get(part, []) if i in shots]
        mine = [shots[i] for i in ids]
        actions = " / ".join(s.action for s in mine) or "(none)"
        casts = " / ".join(f"{_short(s.action, 40)} [{', '.join(s.characters)}]" for s in mine)
        checks.append(Check("events", f"{part}: made shots", bool(mine), data.get(part, ""), ""))
        for word in expect.get("events", {}).get(part, []):
            ok = any(_has_words(word, s.action) for s in mine)
            checks.append(Check("events", f"{part}: action has {word}", ok, data[part], actions))
        for name in expect.get("cast", {}).get(part, []):
            ok = any(any(_same_name(name, c) for c in s.characters) for s in mine)
            checks.append(Check("events", f"{part}: {name} in a shot", ok, data[part], casts))

    hear = data.get("hear", "")
    spoken = [s for s in plan.shots if s.dialogue]
    said_lines = "; ".join(f"{s.dialogue_speaker or 'narrator'}: {s.dialogue}" for s in spoken)
    for line in expect.get("lines", []):
        speaker = line.get("speaker")
        ok = any(
            _norm(s.dialogue) == _norm(line["text"])
            and (
                s.dialogue_speaker is None
                if speaker is None
                else _same_name(speaker, s.dialogue_speaker)
            )
            for s in spoken
        )
        who_says = speaker or "narrator"
        checks.append(
            Check("lines", f"{who_says}: {line['text']}", ok, hear, said_lines or "(no lines)")
        )
    if expect.get("music"):
        mood = _music_mood(runner.heard)
        # a quote mark in the mood: a spoken line was taken for the music
        leaked = re.search(r"[\"\u201c\u201d]|'(?!\w)|(?<!\w)'", mood) is not None
        ok = (
            _has_words(expect["music"], mood)
            and not leaked
            and not any(_norm(line["text"]) in _norm(mood) for line in expect.get("lines", []))
        )
        got = f"music: {mood!r}" if mood else f"no music in the reply: {runner.heard}"
        checks.append(Check("lines", f"music {expect['music']} heard", ok, hear, got))

    for change in expect.get("changes_apply", []):
        part, name, value = change["part"], change["field"], change["value"]
        said = " / ".join(data.get("changes", {}).get(part, []))
        before = runner.before_changes.get(part, {})
        mine = [shots[i] for i in runner.part_shots.get(part, []) if i in shots]
        ok = bool(mine) and all(
            _change_ok(
                value,
                _value(s, plan, name),
                _value(before[s.id], plan, name) if s.id in before else None,
                name,
            )
            for s in mine
        )
        got = ", ".join(f"shot {s.order}: {_value(s, plan, name)}" for s in mine) or "(no shots)"
        checks.append(Check("changes", f"{part}: {name} = {value}", ok, said, got))

    for part, phrase in runner.go_on_failed:
        checks.append(Check("flow", f"go-on understood ({part})", False, phrase, ""))
    failed_phrases = {phrase for _, phrase in runner.go_on_failed}
    for part, phrase in runner.go_on_sent.items():
        if phrase not in failed_phrases and phrase != "go on":
            checks.append(Check("flow", f"go-on understood ({part})", True, phrase, ""))
    errors = "; ".join(runner.run.errors)
    checks.append(Check("flow", "finished", runner.run.finished, "make the film", errors))
    return checks


def run_session(name: str, data: dict[str, Any]) -> Run:
    """Run one guided session in a fresh project and score it."""
    from storyreel.agent.session import Session
    from storyreel.tools.project import Project

    with tempfile.TemporaryDirectory(prefix="guide-bench-") as tmp:
        folder = Path(tmp) / "film"
        Project.create(folder, title=name).close()
        session = Session(folder, offline=True, autopilot=True, auto_render=False)
        try:
            runner = Runner(name, data, session)
            try:
                runner.drive()
            except Exception:
                runner.run.errors.append(traceback.format_exc().strip().splitlines()[-1])
                runner.run.finished = False
            runner.run.checks = score(runner)
            return runner.run
        finally:
            session.close()


# --------------------------------------------------------------------------- report


def _short(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(runs: Sequence[Run]) -> Iterator[str]:
    yield f"{'session':<30} {'checks':>7} {'msgs':>4} {'done':>4}  failed"
    for run in runs:
        failed = [check for check in run.checks if not check.ok]
        kinds = ", ".join(
            f"{k} {sum(c.kind == k for c in failed)}"
            for k in KINDS
            if any(c.kind == k for c in failed)
        )
        yield (
            f"{run.name:<30} {run.passed:>3}/{len(run.checks):<3} {run.messages:>4} "
            f"{'yes' if run.finished else 'NO':>4}  {kinds or '-'}"
        )


def failures(runs: Sequence[Run]) -> Iterator[str]:
    """The failed checks grouped by kind, each with the group's words and what was made."""
    for kind in KINDS:
        rows = [(run, c) for run in runs for c in run.checks if c.kind == kind and not c.ok]
        reasked = [(run, step, text) for run in runs for step, text in run.reasked]
        if kind == "flow" and reasked:
            rows_text = [
                f"  {run.name}: asked again after the {step} answer {_short(text)!r}"
                for run, step, text in reasked
            ]
        else:
            rows_text = []
        if not rows and not rows_text:
            continue
        again = f", and {len(rows_text)} answers not read (asked again)" if rows_text else ""
        yield f"[{kind}] {len(rows)} failed{again}"
        for run, check in rows:
            yield f"  {run.name}: {check.what}"
            if check.said:
                yield f"      said: {_short(check.said)!r}"
            if check.got:
                yield f"      got:  {_short(check.got)}"
        yield from rows_text


def final_line(runs: Sequence[Run]) -> str:
    passed = sum(run.passed for run in runs)
    total = sum(len(run.checks) for run in runs)
    share = 100 * passed / total if total else 0.0
    finished = sum(run.finished for run in runs)
    return (
        f"guide: {passed}/{total} checks ({share:.0f}%), {finished}/{len(runs)} sessions finished"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only sessions whose file name has this")
    parser.add_argument("--set", type=Path, default=SET_DIR, help="the folder of sessions")
    parser.add_argument("-q", "--quiet", action="store_true", help="no failure list")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each transcript")
    args = parser.parse_args(argv)
    sessions = load_sessions(args.set, args.k)
    if not sessions:
        print(f"no sessions in {args.set}", file=sys.stderr)
        return 2
    runs = [run_session(name, data) for name, data in sessions]
    if args.verbose:
        for run in runs:
            print(f"== {run.name}")
            for text, reply in run.transcript:
                print(f"  > {_short(text, 200)}")
                print(f"    {_short(reply, 400)}")
        print()
    for line in table(runs):
        print(line)
    if not args.quiet:
        print()
        for line in failures(runs):
            print(line)
        print()
    print(final_line(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
