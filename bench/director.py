"""Benchmark of the offline director on the measurement set in tests/director_set/.

Each conversation runs in a fresh project: `storyreel new`, the setup commands, then
every turn. The checker (tests/director_check.py, shared with the tests) judges each
turn from the plan before and after it (`storyreel show --json`) and its events.

    python bench/director.py            # the real path: `storyreel say --offline --yes --json`
                                        # as subprocesses (previz renders), 2 conversations
                                        # at a time
    python bench/director.py --fast     # the same turns in-process through Session
                                        # (offline, autopilot, no rendering): for development
    python bench/director.py -k cafe -v # only conversations whose file name has "cafe";
                                        # print every failed turn
    python bench/director.py --fast --set tests/director_holdout
                                        # another set of conversations (here the blind
                                        # hold-out set: measure only, never tune to it)
    python bench/director.py --check-modes
                                        # run both ways and list the turns whose verdicts
                                        # differ (there should be none)

Prints accuracy per category, junk shots (shots added by turns that should add none),
one-shot paragraphs, movement and character accuracy, and as the last line:
`director accuracy: X.XX (N/M turns), junk shots: K`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.director_check import (  # noqa: E402
    SET_DIR,
    Conversation,
    ConversationChecker,
    Observation,
    Verdict,
    final_line,
    load_set,
    summarize,
)

WORKERS = 2


class SetupError(RuntimeError):
    """A conversation's setup command failed (the data is wrong, not the director)."""


def storyreel_command() -> list[str]:
    """How to run the CLI: the venv's script next to this Python, else `python -m`."""
    script = Path(sys.executable).with_name("storyreel")
    if script.exists():
        return [str(script)]
    found = shutil.which("storyreel")
    return [found] if found else [sys.executable, "-m", "storyreel.apps.cli"]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_PROJECT"):
        env.pop(name, None)
    return env


# --------------------------------------------------------------------------- CLI mode


def _cli(args: Sequence[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*storyreel_command(), *args],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=timeout,
        check=False,
    )


def _cli_plan(project: Path) -> dict[str, Any]:
    result = _cli(["show", "--json", "-p", str(project)])
    if result.returncode != 0:
        raise RuntimeError(f"storyreel show --json failed: {result.stderr.strip()}")
    return json.loads(result.stdout)


def _json_lines(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def run_cli_conversation(conversation: Conversation) -> list[Verdict]:
    """Run a conversation through the real CLI (subprocesses) and judge every turn."""
    with tempfile.TemporaryDirectory(prefix="director-bench-") as tmp:
        project = Path(tmp) / "film"
        created = _cli(["new", str(project), "--title", conversation.title])
        if created.returncode != 0:
            raise SetupError(f"{conversation.name}: storyreel new: {created.stderr.strip()}")
        for args in conversation.setup:
            done = _cli([*args, "-p", str(project)])
            if done.returncode != 0:
                raise SetupError(f"{conversation.name}: setup {args}: {done.stderr.strip()}")
        checker = ConversationChecker(conversation.name)
        verdicts = []
        for turn in conversation.turns:
            before = _cli_plan(project)
            said = _cli(
                ["say", "--offline", "--yes", "--json", "-p", str(project), "--", turn.text]
            )
            seen = Observation(
                before=before,
                after=_cli_plan(project),
                events=_json_lines(said.stdout),
                exit_code=said.returncode,
                stderr=said.stderr,
            )
            verdicts.append(checker.check(turn, seen))
        return verdicts


# --------------------------------------------------------------------------- fast mode


def _fast_events(session: Any, text: str) -> tuple[list[dict[str, Any]], int, str]:
    """Send one message in-process; errors map to what the CLI would do (exit 1)."""
    from pydantic import ValidationError

    from storyreel.tools.errors import StoryreelError

    events: list[dict[str, Any]] = []
    try:
        for event in session.send(text):
            events.append(event.model_dump(mode="json"))
    except (StoryreelError, ValidationError) as error:
        return events, 1, f"error: {error}\n"
    except Exception:
        return events, 1, traceback.format_exc()
    return events, 0, ""


def run_fast_conversation(conversation: Conversation) -> list[Verdict]:
    """Run a conversation in-process (Session, offline, autopilot, no render) and judge it."""
    from typer.testing import CliRunner

    from storyreel.agent.session import Session
    from storyreel.apps.cli import app
    from storyreel.tools.plan_view import plan_json

    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="director-fast-") as tmp:
        project = Path(tmp) / "film"
        created = runner.invoke(app, ["new", str(project), "--title", conversation.title])
        if created.exit_code != 0:
            raise SetupError(f"{conversation.name}: storyreel new: {created.output.strip()}")
        for args in conversation.setup:
            done = runner.invoke(app, [*args, "-p", str(project)])
            if done.exit_code != 0:
                raise SetupError(f"{conversation.name}: setup {args}: {done.output.strip()}")
        session = Session(project, offline=True, autopilot=True, auto_render=False)
        try:

            def plan() -> dict[str, Any]:
                memory = session.project.memory
                return json.loads(plan_json(memory.plan(), memory.takes_by_shot()))

            checker = ConversationChecker(conversation.name)
            verdicts = []
            for turn in conversation.turns:
                before = plan()
                events, code, stderr = _fast_events(session, turn.text)
                seen = Observation(before, plan(), events, code, stderr)
                verdicts.append(checker.check(turn, seen))
            return verdicts
        finally:
            session.close()


def run_set(conversations: Sequence[Conversation], fast: bool) -> list[Verdict]:
    """Judge every turn of `conversations`: in-process when `fast`, else through the CLI."""
    if fast:
        return [v for c in conversations for v in run_fast_conversation(c)]
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        return [v for verdicts in pool.map(run_cli_conversation, conversations) for v in verdicts]


# --------------------------------------------------------------------------- report


def _ratio(pair: tuple[int, int]) -> str:
    right, total = pair
    share = right / total if total else 0.0
    return f"{right:>3}/{total:<3}  {share:5.2f}"


def failure_lines(verdict: Verdict) -> Iterator[str]:
    """A failed turn for people: where, what was said, what failed, what the director said."""
    turn = verdict.turn
    yield f"FAIL {verdict.conversation} turn {turn.index} [{turn.category}]: {turn.preview()}"
    for failure in verdict.failures:
        yield f"     - {failure}"
    reply = " ".join(verdict.reply.split())
    if reply:
        yield f"     reply: {reply[:300]}"


def report(verdicts: Sequence[Verdict], verbose: bool) -> list[str]:
    """The benchmark's output lines; the last is the `director accuracy` line."""
    lines: list[str] = []
    if verbose:
        for verdict in verdicts:
            if not verdict.ok:
                lines.extend(failure_lines(verdict))
        lines.append("")
    summary = summarize(verdicts)
    lines.append(f"{'category':<16} right/total  share")
    for category, pair in summary.by_category.items():
        lines.append(f"{category:<16} {_ratio(pair)}")
    lines.append("")
    lines.append(f"{'one-shot paragraphs':<22}{_ratio(summary.one_shot)}")
    lines.append(f"{'movement accuracy':<22}{_ratio(summary.movement)}")
    lines.append(f"{'character accuracy':<22}{_ratio(summary.character)}")
    lines.append(f"{'junk shots':<22}{summary.junk}")
    lines.append(final_line(summary))
    return lines


def mode_disagreements(conversations: Sequence[Conversation]) -> list[str]:
    """Run the set both ways; one line per turn whose verdict differs between them."""
    cli = {(v.conversation, v.turn.index): v for v in run_set(conversations, fast=False)}
    fast = {(v.conversation, v.turn.index): v for v in run_set(conversations, fast=True)}
    lines = []
    for where in sorted(set(cli) | set(fast)):
        a, b = cli.get(where), fast.get(where)
        if a is None or b is None or a.key() != b.key():
            said_a = [str(f) for f in a.failures] if a else "missing"
            said_b = [str(f) for f in b.failures] if b else "missing"
            lines.append(f"{where[0]} turn {where[1]}: cli {said_a} / fast {said_b}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit code 0 (it measures, it does not judge pass/fail)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="run in-process, without rendering")
    parser.add_argument("-k", default="", help="only conversations whose file name has this")
    parser.add_argument(
        "--set",
        type=Path,
        default=SET_DIR,
        help="folder of conversation files (default: tests/director_set)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failed turn")
    parser.add_argument(
        "--check-modes", action="store_true", help="run both ways and list verdicts that differ"
    )
    args = parser.parse_args(argv)
    conversations = load_set(args.set, pattern=args.k)
    if not conversations:
        print(f"no conversation in {args.set} matches {args.k!r}", file=sys.stderr)
        return 2
    if args.check_modes:
        differences = mode_disagreements(conversations)
        print("\n".join(differences) or "cli and fast modes agree on every turn")
        return 1 if differences else 0
    started = time.monotonic()
    verdicts = run_set(conversations, fast=args.fast)
    mode = (
        "fast (in-process, no render)"
        if args.fast
        else f"cli (say --offline --yes, {WORKERS} at a time)"
    )
    print(f"{len(conversations)} conversations, {mode}, {time.monotonic() - started:.1f} s")
    print("\n".join(report(verdicts, args.verbose)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
