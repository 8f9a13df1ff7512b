"""The director conversation set through any OpenAI-compatible endpoint, to compare models.

    .venv/bin/python bench/director_llm.py --base-url http://127.0.0.1:11434/v1 --model qwen2.5
    .venv/bin/python bench/director_llm.py --base-url URL --model NAME --set tests/director_holdout
    .venv/bin/python bench/director_llm.py --base-url URL --model NAME -k cafe -v

Every conversation of the set (tests/director_set by default) runs in-process exactly as
`bench/director.py --fast` runs it (that file's `run_fast_conversation`, imported by path:
a fresh project, the setup commands, a Session on autopilot without rendering, the
checker of tests/director_check.py), but the Session's director is the LLM director for
this endpoint and model (OPENAI_BASE_URL, OPENAI_API_KEY and STORYREEL_MODEL are set in
this process). Then each premise (one line, `--premise` to give your own) goes to a fresh
project as one message, and the script supervisor's notes on the plan it made are
printed (`storyreel.tools.supervisor.supervise`).

Prints the premises' plans and notes, then accuracy per category as bench/director.py
does; the last line is `director accuracy: X.XX (N/M turns), junk shots: K`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.director_check import SET_DIR, Verdict, load_set  # noqa: E402

PREMISES = (
    "A lighthouse keeper finds a message in a bottle on the night of a storm.",
    "Two old friends meet again at a night market and argue about a debt.",
    "A girl teaches her grandfather to ride a bicycle in a sunny park.",
)


def director_bench() -> ModuleType:
    """bench/director.py, imported by path (bench/ is not a package)."""
    path = ROOT / "bench" / "director.py"
    spec = importlib.util.spec_from_file_location("storyreel_bench_director", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def use_endpoint(base_url: str, model: str, api_key: str, timeout_s: float | None) -> None:
    """Point this process's LLM settings at the endpoint (the variables storyreel reads)."""
    os.environ["OPENAI_BASE_URL"] = base_url
    os.environ["OPENAI_API_KEY"] = api_key
    os.environ["STORYREEL_MODEL"] = model
    if timeout_s is not None:
        os.environ["STORYREEL_LLM_TIMEOUT"] = f"{timeout_s:g}"


def llm_director() -> Any:
    """The LLM director for the endpoint set by `use_endpoint`."""
    from storyreel.agent.llm_director import LLMDirector, LLMSettings
    from storyreel.renderer.backend import backend_names

    settings = LLMSettings.from_env()
    if settings is None:
        raise SystemExit("no endpoint: give --base-url")
    return LLMDirector(settings, backends=backend_names())


@contextmanager
def sessions_use_the_llm() -> Iterator[None]:
    """While inside, every `Session(...)` made through storyreel.agent.session directs with
    the LLM (bench/director.py's fast runner asks for `offline=True`)."""
    from storyreel.agent import session as module

    original = module.Session

    class LLMSession(original):  # type: ignore[misc, valid-type]
        def __init__(self, project_dir: Path, *args: Any, **options: Any) -> None:
            options.pop("offline", None)
            options.setdefault("director", llm_director())
            super().__init__(project_dir, *args, **options)

    module.Session = LLMSession  # type: ignore[misc]
    try:
        yield
    finally:
        module.Session = original  # type: ignore[misc]


def run_premise(premise: str) -> tuple[list[str], list[str]]:
    """Send `premise` to a fresh project; (the plan's shots in one line each, the notes)."""
    from storyreel.agent.session import Session
    from storyreel.tools.project import Project
    from storyreel.tools.supervisor import supervise

    with tempfile.TemporaryDirectory(prefix="director-llm-premise-") as tmp:
        folder = Path(tmp) / "film"
        Project.create(folder, title="Premise").close()
        with Session(folder, director=llm_director(), autopilot=True, auto_render=False) as session:
            said = [e for e in session.send(premise) if e.type in ("reply", "problem", "question")]
            plan = session.project.memory.plan()
        shots = [
            f"shot {s.id}: {s.size.value} {s.movement.value}, {s.duration_s:g} s: {s.action[:80]}"
            for s in plan.ordered_shots()
        ]
        if not shots:
            shots = [f"(no shots) {' '.join(e.text for e in said)[:200]}"]
        notes = [f"[{note.check}] {note.message}" for note in supervise(plan)]
        return shots, notes


def premise_lines(premises: Sequence[str]) -> list[str]:
    """Each premise's plan and the supervisor's notes on it."""
    lines = []
    for premise in premises:
        shots, notes = run_premise(premise)
        lines.append(f"premise: {premise}")
        lines.extend(f"  {shot}" for shot in shots)
        lines.append(f"  supervisor notes: {len(notes)}")
        lines.extend(f"    - {note}" for note in notes)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the set and the premises through the endpoint; exit 0 (it measures)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the endpoint, usually ending in /v1")
    parser.add_argument("--model", required=True, help="the model name")
    parser.add_argument(
        "--api-key", default=os.environ.get("OPENAI_API_KEY") or "local", help="default: local"
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds per turn")
    parser.add_argument("--set", type=Path, default=SET_DIR, help="folder of conversation files")
    parser.add_argument("-k", default="", help="only conversations whose file name has this")
    parser.add_argument(
        "--premise",
        action="append",
        default=None,
        help="a one-line premise (repeat for more; default: three built-in ones)",
    )
    parser.add_argument("--no-premises", action="store_true", help="run the conversation set only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failed turn")
    args = parser.parse_args(argv)
    conversations = load_set(args.set, pattern=args.k)
    if not conversations:
        print(f"no conversation in {args.set} matches {args.k!r}", file=sys.stderr)
        return 2
    use_endpoint(args.base_url, args.model, args.api_key, args.timeout)
    bench = director_bench()
    started = time.monotonic()
    with sessions_use_the_llm():
        verdicts: list[Verdict] = bench.run_set(conversations, fast=True)
    took = time.monotonic() - started
    premises = [] if args.no_premises else args.premise or PREMISES
    started = time.monotonic()
    print("\n".join(premise_lines(premises)))
    premise_took = time.monotonic() - started
    print()
    turns = max(1, len(verdicts))
    print(
        f"{len(conversations)} conversations, {len(verdicts)} turns, {args.model} at "
        f"{args.base_url}: {took:.1f} s ({took / turns:.1f} s a turn); {len(premises)} "
        f"premises: {premise_took:.1f} s"
    )
    print("\n".join(bench.report(verdicts, args.verbose)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
