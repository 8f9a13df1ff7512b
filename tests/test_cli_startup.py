"""How `storyreel` starts: -p before or after the command, the help screen, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from storyreel.apps.cli import app
from storyreel.apps.cli.main import StoryreelGroup
from storyreel.tools.project import Project

HEAVY = (
    "torch",
    "diffusers",
    "transformers",
    "langgraph",
    "langchain_core",
    "langsmith",
    "openai",
    "cv2",
    "textual",
    "slack_bolt",
)
"""Packages that `storyreel --help` and `storyreel show` must not import."""

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None, expect: int = 0) -> str:
    """Run storyreel in-process; return its stdout (and check the exit code)."""
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == expect, f"{args}: {result.output}{result.stderr}"
    return result.stdout


@pytest.fixture
def films(tmp_path: Path) -> tuple[Path, Path]:
    """Two stories, so a test can tell which one a command worked on."""
    first, second = tmp_path / "first", tmp_path / "second"
    Project.create(first, title="First").close()
    Project.create(second, title="Second").close()
    return first, second


def title_of(folder: Path) -> str:
    return json.loads(run("show", "--json", "-p", str(folder)))["story"]["title"]


@pytest.mark.parametrize("flag", ["-p", "--project"])
def test_project_before_or_after_the_command(films: tuple[Path, Path], flag: str) -> None:
    first, _ = films
    folder = str(first)
    assert run(flag, folder, "show").startswith("First")
    assert run("show", flag, folder).startswith("First")
    run(flag, folder, "character", "add", "Mara", "-d", "red coat")
    run("location", "add", "Harbour", "-d", "stone quay", flag, folder)
    run(flag, folder, "shot", "add", "Mara waits", "-c", "Mara", "-l", "Harbour")
    run("shot", "lock", "1", flag, folder)
    run(flag, folder, "shot", "unlock", "1")
    assert "no references yet" in run(flag, folder, "ref", "list")
    assert "no references yet" in run("ref", "list", flag, folder)
    assert "Locked shot 1" in run(flag, folder, "history")
    plan = json.loads(run(flag, folder, "show", "--json"))
    assert [c["name"] for c in plan["characters"]] == ["Mara"]
    assert [s["action"] for s in plan["shots"]] == ["Mara waits"]


def test_project_after_the_command_wins(films: tuple[Path, Path]) -> None:
    first, second = films
    assert run("-p", str(first), "show", "-p", str(second)).startswith("Second")
    run("-p", str(first), "style", "--title", "Renamed", "--project", str(second))
    assert (title_of(first), title_of(second)) == ("First", "Renamed")


def test_project_before_the_command_beats_the_environment(films: tuple[Path, Path]) -> None:
    first, second = films
    env = {"STORYREEL_PROJECT": str(second)}
    assert run("show", env=env).startswith("Second")
    assert run("-p", str(first), "show", env=env).startswith("First")
    assert run("show", "-p", str(first), env=env).startswith("First")


def test_project_before_a_command_that_takes_none_is_refused(films: tuple[Path, Path]) -> None:
    first, _ = films
    result = runner.invoke(app, ["-p", str(first), "new", str(first.parent / "third")])
    assert result.exit_code == 2
    words = " ".join(result.stderr.replace("│", " ").split())  # unwrapped from the error box
    assert "storyreel new does not take a project folder" in words
    assert not (first.parent / "third").exists()


def test_project_before_the_command_in_the_installed_script(
    films: tuple[Path, Path], storyreel_exe: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    first, second = films
    before = storyreel_exe("-p", str(first), "show")
    assert before.returncode == 0, before.stderr
    assert before.stdout.startswith("First")
    both = storyreel_exe("--project", str(first), "shot", "add", "A pier", "-p", str(second))
    assert both.returncode == 0, both.stderr
    assert [s["action"] for s in json.loads(run("show", "--json", "-p", str(second)))["shots"]] == [
        "A pier"
    ]


def test_help_lists_the_commands_by_purpose() -> None:
    output = run("--help")
    for heading in StoryreelGroup.panels:
        assert f"─ {heading} " in output, heading
    assert "<bool>" not in output
    assert "--project" in output and "<path>" in output
    positions = [output.index(f"─ {heading} ") for heading in StoryreelGroup.panels]
    assert positions == sorted(positions)


def test_every_command_has_a_heading() -> None:
    listed = {name for names in StoryreelGroup.panels.values() for name in names}
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert commands - listed == set(), "give them a heading in StoryreelGroup.panels (main.py)"
    assert listed - commands == set(), "StoryreelGroup.panels names commands that do not exist"


@pytest.mark.parametrize("command", [["show"], ["render"], ["shot", "add"], ["ref", "from-take"]])
def test_flags_have_no_value_type_in_help(command: list[str]) -> None:
    output = run(*command, "--help")
    assert "<bool>" not in output
    assert "--help" in output


START = """
import json, sys
from typer.testing import CliRunner
from storyreel.apps.cli import app

runner = CliRunner()
for args in json.loads(sys.argv[1]):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (args, result.output, result.stderr)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in sys.argv[2:])))
"""


LLM_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "STORYREEL_MODEL")


def loaded_after(
    runs: list[list[str]], watched: tuple[str, ...], env: dict[str, str] | None = None
) -> list[str]:
    """The watched packages a fresh Python has imported after these storyreel runs (with
    no language model configured, unless `env` sets one)."""
    clean = {k: v for k, v in os.environ.items() if k not in LLM_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", START, json.dumps(runs), *watched],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_and_show_import_nothing_heavy(films: tuple[Path, Path]) -> None:
    first, _ = films
    runs = [["--help"], ["show", "-p", str(first)], ["-p", str(first), "show", "--json"]]
    assert loaded_after(runs, HEAVY) == []


def test_help_does_not_load_the_story_database() -> None:
    assert loaded_after([["--help"], ["shot", "--help"]], ("sqlite_utils",)) == []


def test_story_commands_do_not_load_the_agent(films: tuple[Path, Path]) -> None:
    """doctor checks agent.db without LangGraph; show and history read story.db only."""
    first, _ = films
    folder = str(first)
    runs = [["show", "-p", folder], ["history", "-p", folder], ["doctor", "-p", folder]]
    assert loaded_after(runs, HEAVY) == []


def test_reading_the_story_does_not_import_numpy(films: tuple[Path, Path]) -> None:
    """sqlite-utils' optional numpy import is skipped (tools/sqlite_db.py): a third of
    `show`'s start-up; numpy still loads where a command uses arrays."""
    first, _ = films
    folder = str(first)
    assert loaded_after([["show", "-p", folder], ["history", "-p", folder]], ("numpy",)) == []
    code = "import storyreel.tools.sqlite_db, numpy; print(numpy.zeros(2).sum())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "0.0", done.stderr


def test_an_offline_turn_does_not_import_the_llm_client(films: tuple[Path, Path]) -> None:
    """No endpoint, or --offline with one configured: openai is never imported (LangGraph
    is, to run the turn; it brings langsmith with it, see bench/startup.py)."""
    first, _ = films
    folder = str(first)
    endpoint = {
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # never contacted
        "OPENAI_API_KEY": "t",
        "STORYREEL_MODEL": "m",
    }
    no_change = ["say", "hello", "-p", folder]
    loaded = {name.split(".")[0] for name in loaded_after([no_change], ("openai", "langgraph"))}
    assert loaded == {"langgraph"}  # the turn ran, the offline director read it
    offline = ["say", "--offline", "hello", "-p", folder]
    assert loaded_after([offline], ("openai",), env=endpoint) == []


def test_an_offline_session_does_not_import_the_llm_client(films: tuple[Path, Path]) -> None:
    """What the chat app and the Slack bot run: a Session with the offline director."""
    first, _ = films
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import storyreel.apps.slack.app, storyreel.apps.tui.app\n"
        "from storyreel.agent.session import Session\n"
        "with Session(Path(sys.argv[1]), offline=True) as session:\n"
        "    list(session.send('hello'))\n"
        "print('openai' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(first)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]
