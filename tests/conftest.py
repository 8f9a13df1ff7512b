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
