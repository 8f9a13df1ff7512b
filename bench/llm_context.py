"""The LLM director's request size against its context budget, and agent.db growth per turn.

    .venv/bin/python bench/llm_context.py            # 50 turns for agent.db
    .venv/bin/python bench/llm_context.py --turns 20

1. Request tokens (estimated as characters / 4, like the budget itself) for plans of
   10, 20, 100 and 500 shots built with storyreel.tools.edits, with 20 exchanges of
   history and the message "make shot 7 a close-up". The request is built exactly as the
   director builds it (`request_messages`, then `ChatEndpoint.request_body` with the
   context, which picks the schema's form and caps max_tokens); the baseline is the
   request as it was built before the budget (the whole plan, history trimmed to 24,000
   characters, the whole schema in JSON mode). Both response formats: `json_schema` (the
   schema is the response format and is not counted) and `json_object` (the schema is a
   message: whole at 32k, the compact listing at 8k). `max_tokens` is what the request
   sends; `OVER` marks a request over its budget or whose prompt + max_tokens exceed the
   context. Contexts: 32768 (the default) and 8192 (a small local model), through
   STORYREEL_LLM_CONTEXT. No network: nothing is sent.
2. agent.db bytes per turn (with its -wal file) over N turns of a Session with the
   offline director (autopilot, auto_render=False), with checkpoint pruning and, as the
   baseline, without it (Session.prune_checkpoints = False).

Last line: `request tokens at 500 shots: N (budget B of C), json mode at 8k with 20 shots:
N2 + max_tokens M (budget B2), agent.db per turn: K bytes` (the first: json_object at the
default context, the larger of the two formats).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storyreel.agent.llm_client import Adaptations, LLMSettings  # noqa: E402
from storyreel.agent.llm_context import (  # noqa: E402
    DEFAULT_CONTEXT_TOKENS,
    Budget,
    request_messages,
    request_tokens,
)
from storyreel.agent.llm_director import LLMDirector, trim_history  # noqa: E402
from storyreel.agent.llm_schema import director_schema  # noqa: E402
from storyreel.tools.edits import (  # noqa: E402
    AddCharacter,
    AddLocation,
    AddShot,
    EditContext,
    EditModel,
    apply_edits,
)
from storyreel.tools.story import StoryPlan  # noqa: E402

SHOT_COUNTS = (10, 20, 100, 500)
CONTEXTS = (DEFAULT_CONTEXT_TOKENS, 8192)
FORMATS = ("json_schema", "json_object")
MESSAGE = "make shot 7 a close-up"
PEOPLE = [
    ("Mara", "a tall woman in her thirties with short dark hair", "red raincoat"),
    ("Tom", "an old fisherman with a white beard", "blue wool sweater"),
    ("Lena", "a teenager with freckles", "yellow raincoat"),
    ("Ana", "a harbour master with grey hair", "navy uniform"),
]
PLACES = ["Harbour", "Lighthouse", "Boat", "Market", "Kitchen", "Cliff", "Pier", "Church"]
SIZES = ["LS", "MS", "CU", "MCU", "WS", "ECU"]
MOVES = ["static", "dolly_in", "pan_left", "handheld", "crane_up", "tracking"]


def build_plan(shots: int) -> StoryPlan:
    """A plan of `shots` shots in scenes of 10, with four people and eight places."""
    edits: list[EditModel] = [
        AddCharacter(name=name, description=description, wardrobe=wardrobe)
        for name, description, wardrobe in PEOPLE
    ]
    edits += [
        AddLocation(name=place, description=f"the {place.lower()} on the cold northern coast")
        for place in PLACES
    ]
    for i in range(shots):
        scene = i // 10
        people = [PEOPLE[(i + k) % len(PEOPLE)][0] for k in range(1 + i % 2)]
        edits.append(
            AddShot(
                action=f"{people[0]} crosses the {PLACES[scene % len(PLACES)].lower()} and "
                f"stops to look at the grey sea, shot {i + 1} of scene {scene + 1}",
                scene=f"scene {scene + 1}",
                characters=people,
                location=PLACES[scene % len(PLACES)],
                size=SIZES[i % len(SIZES)],
                movement=MOVES[i % len(MOVES)],
                duration_s=3 + i % 4,
            )
        )
    counter = iter(range(1, 10**6))
    plan, _ = apply_edits(StoryPlan(title="Harbour"), edits, EditContext(lambda: next(counter)))
    return plan


def history(exchanges: int = 20) -> list[dict[str, str]]:
    """A conversation of `exchanges` turns, as the director's memo keeps it."""
    said: list[dict[str, str]] = []
    for i in range(exchanges):
        said.append({"role": "user", "content": f"make shot {i + 1} a close-up of Mara, 3 s"})
        answer = {
            "reply": f"Shot {i + 1} is now a close-up of Mara, 3 seconds.",
            "edits": [{"kind": "update_shot", "shot_id": i + 1, "size": "CU", "duration_s": 3}],
        }
        said.append({"role": "assistant", "content": json.dumps(answer)})
    return said


def _director() -> LLMDirector:
    settings = LLMSettings(base_url="http://127.0.0.1:9/v1", api_key="bench", model="bench")
    return LLMDirector(settings)


def request_sizes() -> tuple[list[str], dict[tuple[int, str, int], tuple[int, int, int, int]]]:
    """The table of request tokens, and {(context, format, shots): (before, after, budget,
    max_tokens)}."""
    director = _director()
    schema = director_schema()
    said = history()
    figures: dict[tuple[int, str, int], tuple[int, int, int, int]] = {}
    lines = [
        f"{'context':>7}  {'format':<11} {'shots':>5}  {'before':>6}  {'after':>6}  "
        f"{'budget':>6}  max_tokens"
    ]
    plans = {n: build_plan(n) for n in SHOT_COUNTS}
    for context in CONTEXTS:
        os.environ["STORYREEL_LLM_CONTEXT"] = str(context)
        budget = Budget.for_context(context, director.settings.max_tokens).prompt
        for fmt in FORMATS:
            baseline = Adaptations(response_format=fmt)
            adapt = Adaptations(response_format=fmt, context_tokens=context)
            for shots, plan in plans.items():
                old = [
                    {"role": "system", "content": director.system_prompt(plan)},
                    *trim_history(said),
                    {"role": "user", "content": MESSAGE},
                ]
                new = request_messages(director, MESSAGE, plan, said, {}, fmt)
                before = request_tokens(director.endpoint.request_body(old, schema, baseline))
                body = director.endpoint.request_body(new, schema, adapt)
                after, answer = request_tokens(body), int(body["max_tokens"])
                figures[(context, fmt, shots)] = (before, after, budget, answer)
                over = after > budget or after + answer > context
                lines.append(
                    f"{context:>7}  {fmt:<11} {shots:>5}  {before:>6}  {after:>6}  {budget:>6}  "
                    f"{answer:>10}{'  OVER' if over else ''}"
                )
    os.environ.pop("STORYREEL_LLM_CONTEXT", None)
    return lines, figures


TURNS = [
    "Mara, a woman in a red raincoat. At the harbour at dusk: wide shot of Mara walking "
    "along the quay, 4 seconds.",
    "Close-up of Mara looking at the sea, 2 seconds.",
    "make shot 1 a close-up",
    "Wide shot of the boats in the harbour, the camera creeps in, 3 seconds.",
    "make all the shots 3 seconds",
]


def db_bytes(folder: Path) -> int:
    """agent.db and its WAL file, in bytes."""
    return sum(
        (folder / name).stat().st_size
        for name in ("agent.db", "agent.db-wal")
        if (folder / name).exists()
    )


def db_growth(turns: int, prune: bool) -> tuple[float, int, int]:
    """(bytes per turn after the first, final bytes, transcript text bytes) over `turns`."""
    from storyreel.agent.session import Session
    from storyreel.tools.project import Project

    with tempfile.TemporaryDirectory(prefix="llm-context-bench-") as tmp:
        folder = Path(tmp) / "film"
        Project.create(folder, title="Bench").close()
        Session.prune_checkpoints = prune
        try:
            with Session(folder, offline=True, autopilot=True, auto_render=False) as session:
                sizes = []
                for turn in range(turns):
                    list(session.send(TURNS[turn % len(TURNS)]))
                    sizes.append(db_bytes(folder))
                text = sum(len(line.text.encode()) for line in session.transcript.recent(10**6))
        finally:
            Session.prune_checkpoints = True
        per_turn = (sizes[-1] - sizes[0]) / max(1, len(sizes) - 1)
        return per_turn, sizes[-1], text


def main(argv: Sequence[str] | None = None) -> int:
    """Print both measurements; exit 0 (it measures, it does not judge)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50, help="turns for agent.db (default 50)")
    args = parser.parse_args(argv)
    lines, figures = request_sizes()
    print("request tokens (estimated: characters / 4), before the budget and after")
    print("\n".join(lines))
    print()
    print(f"agent.db over {args.turns} turns (offline director, no rendering)")
    print(f"{'checkpoints':<12} {'bytes/turn':>10} {'final bytes':>12} {'transcript bytes':>17}")
    results = {}
    for prune in (False, True):
        per_turn, final, text = db_growth(args.turns, prune)
        results[prune] = per_turn
        label = "pruned" if prune else "all kept"
        print(f"{label:<12} {per_turn:>10.0f} {final:>12} {text:>17}")
    print()
    after, budget, _answer = figures[(DEFAULT_CONTEXT_TOKENS, "json_object", 500)][1:]
    small, small_budget, small_answer = figures[(8192, "json_object", 20)][1:]
    print(
        f"request tokens at 500 shots: {after} (budget {budget} of {DEFAULT_CONTEXT_TOKENS}), "
        f"json mode at 8k with 20 shots: {small} + max_tokens {small_answer} (budget "
        f"{small_budget}), agent.db per turn: {results[True]:.0f} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
