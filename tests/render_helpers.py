"""Helpers for render-loop tests: a small, fast demo project."""

from __future__ import annotations

from pathlib import Path

from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project


def small_demo(folder: Path, fps: int = 12) -> Project:
    """The demo story at 320x180 and a low frame rate, so it renders in about a second."""
    project = Project.create(folder, title="The Letter")
    project.memory.apply(demo_edits(), source="test")
    project.memory.apply([SetStyle(resolution="180p", fps=fps)], source="test")
    return project
