"""Side-by-side comparison of one shot on several backends, with identical inputs.

Each backend renders the same compiled shot (same references, seed and
duration; each model's own frame rules applied), the critic scores each take,
and two files are written: a side-by-side video and a comparison sheet
(first/middle/last keyframes per backend, with the critic's verdict). The
selection is left alone: the person picks the winner with `select`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from storyreel.renderer.availability import model_problem
from storyreel.renderer.backend import backend_aliases, backend_names
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken
from storyreel.renderer.video_io import VideoWriter, read_all_frames
from storyreel.tools.edits import require_shot
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.partial_files import remove_dead_partials, replaced_when_written
from storyreel.tools.project import Project
from storyreel.tools.render_lock import WaitListener
from storyreel.tools.rendering import ProgressListener, base_seed, render_shots, take_file
from storyreel.tools.review import review_take
from storyreel.tools.story import Take

PANEL_HEIGHT = 180


@dataclass
class Contender:
    """One backend's take in a comparison."""

    backend: str
    model: str | None
    take: Take
    verdict: str


@dataclass
class Comparison:
    """The takes compared and the files written."""

    shot_id: int
    contenders: list[Contender]
    video: Path
    sheet: Path


def parse_specs(text: str) -> list[tuple[str, str | None]]:
    """ "previz,wan,ltx:/m/ltx" -> [("previz", None), ("wan", None), ("ltx", "/m/ltx")]."""
    specs = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, model = part.partition(":")
        specs.append((name.strip(), model.strip() or None))
    if len(specs) < 2:
        raise StoryreelError("compare needs at least two backends, e.g. --backends previz,wan")
    names = backend_names()
    known = backend_aliases()
    unknown = [name for name, _ in specs if name.lower() not in known]
    if unknown:
        raise InvalidInputError(
            f"unknown backend {unknown[0]!r} in --backends: use some of {', '.join(names)}, "
            "comma-separated, each optionally with :MODEL (e.g. previz,wan)"
        )
    return [(known[name.lower()], model) for name, model in specs]


def check_specs(project: Project, specs: list[tuple[str, str | None]]) -> None:
    """Refuse, before anything renders, a backend whose model is not on this machine."""
    for name, model in specs:
        problem = model_problem(name, model, project.root)
        if problem is not None:
            raise InvalidInputError(f"{problem}; nothing was rendered")


def compare_shot(
    project: Project,
    executor: RenderExecutor,
    shot_id: int,
    specs: list[tuple[str, str | None]],
    on_progress: ProgressListener | None = None,
    cancel: CancelToken | None = None,
    wait: bool = True,
    on_wait: WaitListener | None = None,
) -> Comparison:
    """Render `shot_id` on every (backend, model) with one seed, critique, write the outputs.

    `cancel` stops the comparison between (or inside) renders; finished takes stay.
    The project's render lock is held throughout; `wait` and `on_wait` are as for
    `render_shots` (wait False: ProjectBusyError at once when another process renders).
    """
    require_shot(project.memory.plan(), shot_id)
    check_specs(project, specs)
    with project.render_lock.holding(wait=wait, on_wait=on_wait, cancel=cancel):
        plan = project.memory.plan()
        shot = require_shot(plan, shot_id)
        seed = max([t.seed for t in project.memory.takes(shot_id)] + [base_seed(shot)]) + 1
        contenders = []
        for backend, model in specs:
            report = render_shots(
                project,
                executor,
                [shot_id],
                backend=backend,
                model=model,
                force=True,
                seed=seed,
                select=False,
                on_progress=on_progress,
                cancel=cancel,
            )
            outcome = report.outcomes[0]
            if outcome.take is None:
                raise StoryreelError(
                    f"shot {shot_id} did not render on {backend}: {outcome.message}"
                )
            review = review_take(project, project.memory.plan(), shot, outcome.take)
            contenders.append(Contender(backend, model, outcome.take, review.verdict))
        out = project.exports_dir / f"compare-shot{shot_id}"
        video, sheet = out.with_suffix(".mp4"), Path(f"{out}.png")
        remove_dead_partials(project.exports_dir)
        _side_by_side(project, contenders, video, plan.style.fps)
        _sheet(project, contenders, sheet, shot_id)
    return Comparison(shot_id, contenders, video, sheet)


def _scaled(frames: np.ndarray) -> list[np.ndarray]:
    height, width = frames.shape[1:3]
    size = (max(2, round(width * PANEL_HEIGHT / height / 2) * 2), PANEL_HEIGHT)
    return [np.asarray(Image.fromarray(f).resize(size)) for f in frames]


def _side_by_side(project: Project, contenders: list[Contender], out: Path, fps: int) -> None:
    """Every take next to the others, retimed to the film's rate, as long as the longest."""
    clips = []
    for contender in contenders:
        frames = read_all_frames(take_file(project, contender.take))
        rate = contender.take.fps or fps
        count = round(len(frames) / rate * fps)
        clips.append(
            _scaled(frames[[min(len(frames) - 1, int(i * rate / fps)) for i in range(count)]])
        )
    length = max(len(c) for c in clips)
    width = sum(c[0].shape[1] for c in clips)
    with (
        replaced_when_written(out) as partial,
        VideoWriter(partial, width, PANEL_HEIGHT, fps) as writer,
    ):
        for index in range(length):
            writer.write(np.concatenate([c[min(index, len(c) - 1)] for c in clips], axis=1))


def _sheet(project: Project, contenders: list[Contender], out: Path, shot_id: int) -> None:
    """First, middle and last keyframes of each take in a row, with backend and verdict."""
    rows = []
    for contender in contenders:
        frames = read_all_frames(take_file(project, contender.take))
        picks = _scaled(frames[[0, len(frames) // 2, len(frames) - 1]])
        rows.append((contender, np.concatenate(picks, axis=1)))
    label_width, gap = 220, 8
    width = label_width + max(r.shape[1] for _, r in rows)
    sheet = Image.new("RGB", (width, 40 + len(rows) * (PANEL_HEIGHT + gap)), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    draw.text(
        (10, 8),
        f"Shot {shot_id}: one seed, one plan",
        fill=(235, 235, 235),
        font=ImageFont.load_default(size=20),
    )
    font = ImageFont.load_default(size=15)
    for index, (contender, row) in enumerate(rows):
        y = 40 + index * (PANEL_HEIGHT + gap)
        sheet.paste(Image.fromarray(row), (label_width, y))
        label = [contender.backend, f"take {contender.take.number}", contender.verdict]
        for line, text in enumerate(label):
            draw.text((10, y + 10 + 20 * line), text, fill=(235, 235, 235), font=font)
    with replaced_when_written(out) as partial:
        sheet.save(partial, format="PNG")
