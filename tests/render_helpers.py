"""Helpers for render-loop tests: a small, fast demo project."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import AddShot, SelectTake, SetStyle
from storyreel.tools.project import Project
from storyreel.tools.story import Take


def small_demo(folder: Path, fps: int = 12) -> Project:
    """The demo story at 320x180 and a low frame rate, so it renders in about a second."""
    project = Project.create(folder, title="The Letter")
    project.memory.apply(demo_edits(), source="test")
    project.memory.apply([SetStyle(resolution="180p", fps=fps)], source="test")
    return project


def story_with_takes(
    folder: Path,
    shots: Sequence[tuple[Path, float, str | None]],
    fps: int,
    params: Sequence[dict[str, Any] | None] = (),
    title: str = "Stream",
) -> Project:
    """A 320x180 story: one shot per (take file, duration, transition or None), each take
    registered (hard-linked into media/takes) and selected; `params`, per shot, the take's
    request params (e.g. {"options": {"speech": ...}})."""
    project = Project.create(folder, title=title)
    edits: list[Any] = [SetStyle(resolution="180p", fps=fps)]
    edits += [
        AddShot(action=f"Shot {n}", duration_s=duration, transition=transition)
        for n, (_, duration, transition) in enumerate(shots)
    ]
    project.memory.apply(edits, source="test")
    selections = []
    ordered = project.memory.plan().ordered_shots()
    for index, (shot, (source, _, _)) in enumerate(zip(ordered, shots, strict=True)):
        name = f"take-{shot.id}.mp4"
        os.link(source, project.takes_dir / name)
        take = Take(
            shot_id=shot.id,
            number=1,
            backend="previz",
            seed=0,
            prompt=shot.action,
            request_hash=f"test-{shot.id}",
            path=f"media/takes/{name}",
            file_sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
            params=(params[index] if index < len(params) else None) or {},
        )
        number = project.memory.register_take(take).take.number
        selections.append(SelectTake(shot_id=shot.id, take=number))
    project.memory.apply(selections, source="test")
    return project
