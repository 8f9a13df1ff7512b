"""Shared fixtures: a project in a temporary folder and a CLI runner that checks exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.apps.cli import app
from storyreel.tools.project import Project

# One torch (OpenMP) thread per test process, and per `storyreel` process a test starts:
# the suite runs one xdist worker per core, so torch's default of a thread per core put
# two (or more) busy-waiting threads on each core and made every tiny-model test several
# times slower (test_wan + test_keyframe_backends side by side: 46 s, 18 s with this).
# Set before torch is first imported (it reads it then; the imports above do not import
# it); a value given from outside wins.
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if "torch" in sys.modules:  # imported by a plugin before this file: tell it directly
    sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

# The optional CLIP critic would change critiques on a machine that happens to have its
# weights cached; tests that exercise it turn it on themselves.
os.environ["STORYREEL_CLIP_MODEL"] = "off"


class Cli:
    """Runs `storyreel` in-process against one project folder."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int = 0, with_project: bool = True):
        argv = [*args, "-p", str(self.project)] if with_project else list(args)
        result = self.runner.invoke(app, argv)
        if result.exit_code != expect:
            raise AssertionError(
                f"storyreel {' '.join(argv)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n{result.exception!r}"
            )
        return result

    def plan(self) -> dict:
        return json.loads(self("show", "--json").stdout)

    def raw_plan(self) -> str:
        return self("show", "--json").stdout


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "film"
    Project.create(folder, title="Test Film").close()
    return folder


@pytest.fixture
def cli(project_dir: Path) -> Cli:
    return Cli(project_dir)


@pytest.fixture
def storyreel_exe() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `storyreel` console script in a separate process."""
    exe = Path(sys.executable).parent / "storyreel"
    assert exe.exists(), f"console script missing at {exe}: install with pip install -e ."

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "COLUMNS": "200"}
        return subprocess.run(
            [str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
        )

    return run


# The slowest test files, slowest first (roughly 20-45 s each on the 2-core machine; the
# rest take under 15 s). `--dist loadfile` hands whole files to the workers in collection
# order (pyproject turns off xdist's own reordering, which puts the files with the most
# tests first): starting the longest files first and ending on the short ones keeps both
# workers busy to the end, instead of one of them finishing a 40 s file alone. A file
# missing here only runs later; update the list when `--durations` shows a new slow file.
SLOWEST_FILES = (
    "test_tui.py",
    "test_render_lock.py",
    "test_cluster.py",
    "test_weightless.py",
    "test_studio_browser.py",
    "test_critic_moves.py",
    "test_cli.py",
    "test_guide.py",
    "test_slack.py",
    "test_bad_input.py",
    "test_director_set.py",
    "test_critic_photos.py",
    "test_keyframes.py",
    "test_references.py",
    "test_wan.py",
    "test_say_processes.py",
    "test_render_loop.py",
    "test_tui_redraw.py",
    "test_keyframes_conversation.py",
    "test_cli_startup.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest files first; the order of tests within a file is kept."""
    rank = {name: place for place, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
