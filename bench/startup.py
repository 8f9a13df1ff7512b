"""Benchmark: how long `storyreel` takes to start, per command, and who imports what.

Runs each command N times in a fresh process (after one untimed run) on a small
story in a temporary folder and prints its median wall time, as a ratio to
`python -c pass` and to `storyreel show` (the machine's noise, large on a shared
2-core machine, mostly cancels out in the ratios), then the packages whose
imports cost most in that command (self time from `python -X importtime`,
summed per top-level package).

Commands: `python -c pass`, LangGraph's own import (the floor of a turn that runs the
graph: it imports langchain_core, and langchain_core's tracers import langsmith at
module level), what a turn imports besides LangGraph (the command line, the Session
module and the offline director: the floor of a turn that does not run the graph),
`--help`, `show`, `doctor`, `say --offline` with a message that changes nothing (the
Session answers it without the graph: agent/thread_status.py), and the same
`say` with an LLM endpoint configured (a scripted server on 127.0.0.1 answering "no
change" at once: the openai client is imported and used, nothing leaves the machine).

The last line is `startup: say/show X.XX, show Y.YY s, help Z.ZZ s` (targets:
say/show <= 2, show and help < 0.3 s).
Run: .venv/bin/python bench/startup.py [N]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, SetStyle  # noqa: E402
from storyreel.tools.project import Project  # noqa: E402
from tests.fake_llm import FakeLLM, reply  # noqa: E402

EXE = str(Path(sys.executable).parent / "storyreel")
NO_CHANGE = "hello"
LLM_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL")
LANGGRAPH = "import langgraph.graph, langgraph.checkpoint.sqlite"
"""What running the graph imports at least (it brings langchain_core and langsmith)."""
NO_GRAPH = "import storyreel.apps.cli.main, storyreel.agent.session, storyreel.agent.offline"
"""What an offline turn imports besides LangGraph (importing the Session module does not
load LangGraph; making a Session does)."""
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def small_story(folder: Path) -> Path:
    project = Project.create(folder, title="Startup")
    project.memory.apply(
        [
            SetStyle(resolution="180p", fps=12),
            AddCharacter(name="Mara", description="a tall woman in a red raincoat"),
            AddLocation(name="Harbour", description="a stone quay at dusk"),
            *[
                AddShot(action=f"Mara waits {i}", characters=["Mara"], location="Harbour")
                for i in range(5)
            ],
        ]
    )
    project.close()
    return folder


def run(args: list[str], env: dict[str, str], importtime: bool = False) -> tuple[float, str]:
    """Wall time of one run, and its stderr."""
    if importtime:
        env = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # doctor exits 1 when it finds problems
        raise RuntimeError(f"{args}: exit {done.returncode}\n{done.stderr}")
    return elapsed, done.stderr


def top_importers(stderr: str, count: int = 5) -> list[tuple[str, float]]:
    """Top-level packages by the self time of their modules' imports (ms)."""
    by_package: dict[str, float] = defaultdict(float)
    for match in IMPORT_LINE.finditer(stderr):
        by_package[match.group(4).split(".")[0]] += int(match.group(1)) / 1000
    return sorted(by_package.items(), key=lambda item: -item[1])[:count]


def main(runs: int) -> None:
    base_env = {k: v for k, v in os.environ.items() if k not in LLM_VARIABLES}
    base_env.pop("PYTHONPROFILEIMPORTTIME", None)
    with tempfile.TemporaryDirectory() as temporary, FakeLLM().running() as llm:
        folder = str(small_story(Path(temporary) / "film"))
        llm_env = {
            **base_env,
            "OPENAI_BASE_URL": llm.url,
            "OPENAI_API_KEY": "t",
            "STORYREEL_MODEL": "m",
            "STORYREEL_LLM_TIMEOUT": "10",
        }
        commands: list[tuple[str, list[str], dict[str, str]]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], base_env),
            ("import LangGraph", [sys.executable, "-c", LANGGRAPH], base_env),
            ("import turn w/o graph", [sys.executable, "-c", NO_GRAPH], base_env),
            ("--help", [EXE, "--help"], base_env),
            ("show", [EXE, "show", "-p", folder], base_env),
            ("doctor", [EXE, "doctor", "-p", folder], base_env),
            ("say --offline", [EXE, "say", "--offline", NO_CHANGE, "-p", folder], base_env),
            ("say (LLM endpoint)", [EXE, "say", NO_CHANGE, "-p", folder], llm_env),
        ]
        llm.script = [reply("Nothing to change.", []) for _ in range(3 * runs + 10)]
        times: dict[str, list[float]] = defaultdict(list)
        importers: dict[str, list[tuple[str, float]]] = {}
        for name, args, env in commands:  # warm the file cache; one import profile each
            run(args, env)
            importers[name] = top_importers(run(args, env, importtime=True)[1])
        for _ in range(runs):  # interleaved: a burst of load hits every command alike
            for name, args, env in commands:
                times[name].append(run(args, env)[0])
    median = {name: statistics.median(values) for name, values in times.items()}
    bare, show = median["python -c pass"], median["show"]
    print(f"storyreel start-up, median of {runs} runs (wall time)\n")
    print(f"{'command':<21} {'seconds':>8} {'x pass':>7} {'x show':>7}  top imports (self ms)")
    for name, _, _ in commands:
        top = ", ".join(f"{package} {ms:.0f}" for package, ms in importers[name])
        print(
            f"{name:<21} {median[name]:>8.3f} {median[name] / bare:>7.1f} "
            f"{median[name] / show:>7.2f}  {top}"
        )
    print(
        f"\nstartup: say/show {median['say --offline'] / show:.2f}, show {show:.2f} s, "
        f"help {median['--help']:.2f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
