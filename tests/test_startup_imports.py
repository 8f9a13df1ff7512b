"""What the installed `storyreel` imports, per command, read from `python -X importtime`.

`show` imports neither the LLM client (openai) nor a tracing library (langsmith); an
offline `say` never imports openai nor the LLM director's modules, and the only way
langsmith gets in is LangGraph's own import chain (langchain_core's tracers import it
at module level: it loads where the graph runs, and nowhere else). The front ends'
modules import the Session and its events without loading LangGraph. bench/startup.py
measures the times.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storyreel.tools.edits import AddCharacter, AddLocation, AddShot
from storyreel.tools.project import Project

EXE = str(Path(sys.executable).parent / "storyreel")
LLM_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL")
ENDPOINT = {
    "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # configured, never contacted
    "OPENAI_API_KEY": "t",
    "STORYREEL_MODEL": "m",
}
LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)")


def imports(args: list[str], env: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """Every module the command imported, with the chain of modules that imported it
    (innermost first), from `-X importtime` (children are listed before their parent)."""
    clean = {k: v for k, v in os.environ.items() if k not in LLM_VARIABLES}
    done = subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {}), "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [(len(m.group(1)), m.group(2)) for m in LINE.finditer(done.stderr)]
    found = []
    for index, (depth, name) in enumerate(rows):
        chain, level = [], depth
        for later_depth, later in rows[index + 1 :]:
            if later_depth < level:
                chain.append(later)
                level = later_depth
        found.append((name, chain))
    return found


def packages(found: list[tuple[str, list[str]]]) -> set[str]:
    return {name.split(".")[0] for name, _ in found}


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("startup") / "film"
    project = Project.create(folder, title="Startup")
    project.memory.apply(
        [
            AddCharacter(name="Mara", description="a tall woman in a red raincoat"),
            AddLocation(name="Harbour", description="a stone quay at dusk"),
            AddShot(action="Mara waits", characters=["Mara"], location="Harbour"),
        ]
    )
    project.close()
    return str(folder)


def test_show_imports_no_llm_client_and_no_tracing(film: str) -> None:
    loaded = packages(imports(["show", "-p", film]))
    assert loaded & {"openai", "langsmith", "langchain_core", "langgraph"} == set()


@pytest.mark.parametrize("endpoint", [False, True], ids=["no endpoint", "endpoint, --offline"])
def test_an_offline_say_that_changes_nothing_imports_no_llm_client_and_no_langgraph(
    film: str, endpoint: bool
) -> None:
    """A no-change offline turn: no openai, no LLM director (with no endpoint only the
    settings' reader looks at the environment), and, once a turn has run the graph and
    recorded the thread's status, no LangGraph, langchain_core or langsmith either."""
    imports(["say", "--offline", "Mara sits down.", "-p", film])  # a turn through the graph
    args = ["say", "--offline", "hello", "-p", film] if endpoint else ["say", "hello", "-p", film]
    found = imports(args, ENDPOINT if endpoint else None)
    names = {name for name, _ in found}
    assert "openai" not in packages(found)
    assert "storyreel.agent.llm_director" not in names
    if endpoint:  # --offline: the endpoint's settings are not even read
        assert not {name for name in names if name.startswith("storyreel.agent.llm_")}
    assert packages(found) & {"langgraph", "langchain_core", "langsmith"} == set()
    assert "storyreel.agent.offline" in names  # the director read the message


def test_the_front_ends_modules_do_not_load_langgraph() -> None:
    """The chat app, the Slack bot and the studio import Session and the event types at
    module level; LangGraph loads when a Session is made (it runs the graph)."""
    code = (
        "import sys\n"
        "import storyreel.agent.session, storyreel.agent.events\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & "
        "{'langgraph', 'langchain_core', 'langsmith', 'openai'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
