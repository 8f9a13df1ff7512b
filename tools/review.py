"""Reviewing takes in the project: the critic run on a shot's take, in context, and recorded.

`review_take` measures the take, checks it against its shot (and its picked
still, when it has one) and against the film around it, stores the critique on
the take, and - when it is accepted - adds its look to the location's running
palette, labelled with the light it was planned in (time of day and the shot's
own lighting), so that later takes are compared only with looks taken in the
same light.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from storyreel.renderer.video_io import read_frames
from storyreel.tools.compiler import compose_prompt
from storyreel.tools.continuity import Neighbour, continuity_findings, planned_light
from storyreel.tools.critic import (
    Expectation,
    plan_findings,
    verdict_of,
)
from storyreel.tools.critic_audio import take_sound_findings
from storyreel.tools.critic_metrics import look_stats, measure_take
from storyreel.tools.embedding_critic import EmbeddingCritic
from storyreel.tools.project import Project
from storyreel.tools.rendering import ensure_stills, keyframe_path, last_frame_path, take_file
from storyreel.tools.story import Critique, Finding, Shot, StoryPlan, Take
from storyreel.tools.vision_critic import VisionCritic


def _selected(project: Project, shot: Shot) -> Take | None:
    return next((t for t in project.memory.takes(shot.id) if t.number == shot.selected_take), None)


def _last_frame(project: Project, shot: Shot | None) -> np.ndarray | None:
    """The last frame of a shot's selected take (None if it has none)."""
    take = _selected(project, shot) if shot else None
    if take is None or not take_file(project, take).is_file():
        return None
    ensure_stills(project, take)
    return np.asarray(Image.open(last_frame_path(project, take)).convert("RGB"))


def _picked_still(project: Project, shot: Shot) -> np.ndarray | None:
    """The shot's picked still as RGB pixels (None: no pick, the shot continues from another,
    or the still's file is gone or damaged: the render refuses that already)."""
    if shot.keyframe is None or shot.continues_from is not None:
        return None
    still = next((k for k in project.memory.keyframes(shot.id) if k.number == shot.keyframe), None)
    if still is None:
        return None
    path = project.file_of(still.path)
    if not path.is_file():
        return None
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _plan_words(plan: StoryPlan, shot: Shot) -> str:
    """The shot and its bible in words, for the vision critic."""
    return f"Shot {shot.id} as planned: {compose_prompt(plan, shot)}"


def review_take(
    project: Project,
    plan: StoryPlan,
    shot: Shot,
    take: Take,
    vision: VisionCritic | None = None,
) -> Critique:
    """Critique one take of `shot` in the context of `plan`, and record the result.

    `vision` (optional, see tools/vision_critic.py) adds a vision-language model's
    findings as warnings; by default it comes from STORYREEL_VISION_MODEL.
    """
    expect = Expectation.for_shot(shot, take.fps or plan.style.fps, take.backend, take.params)
    try:
        metrics = measure_take(read_frames(take_file(project, take)), take.fps)
    except (ValueError, OSError) as error:
        finding = Finding(
            kind="unreadable",
            severity="error",
            message=f"Shot {shot.id} take {take.number} could not be read: {error}",
        )
        critique = Critique(findings=[finding], verdict="retake")
        project.memory.set_take_critique(shot.id, take.number, critique)
        return critique
    findings = plan_findings(metrics, expect)
    findings += take_sound_findings(take_file(project, take), take, expect.label)
    ordered = plan.ordered_shots()
    index = next(i for i, s in enumerate(ordered) if s.id == shot.id)
    before = ordered[index - 1] if index > 0 else None
    before_last = _last_frame(project, before)
    previous = (
        Neighbour(before, before_last) if before is not None and before_last is not None else None
    )
    source = plan.find_shot(shot.continues_from) if shot.continues_from else None
    light = planned_light(plan, shot)
    palette = (
        project.memory.location_palette(
            shot.location, shot.id, light=(light.time_of_day, light.lighting)
        )
        if shot.location
        else None
    )
    findings += continuity_findings(
        plan,
        shot,
        metrics.first_frame,
        metrics.last_frame,
        previous,
        _last_frame(project, source),
        palette,
        keyframe=_picked_still(project, shot),
    )
    weighted = EmbeddingCritic.from_env()
    extra: dict[str, float] = {}
    if weighted is not None:
        ensure_stills(project, take)
        middle = np.asarray(Image.open(keyframe_path(project, take)).convert("RGB"))
        frames = [metrics.first_frame, middle, metrics.last_frame]
        extra = weighted.measure(compose_prompt(plan, shot), frames)
        findings += weighted.findings(shot.id, extra)
    vision = vision or VisionCritic.from_env()
    if vision is not None:
        keyframes = [metrics.first_frame, metrics.last_frame]
        seen, _note = vision.findings(_plan_words(plan, shot), keyframes)
        findings += seen
    critique = Critique(
        metrics={
            k: float(v)
            for k, v in metrics.as_dict().items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        | extra,
        findings=findings,
        verdict=verdict_of(findings),
    )
    project.memory.set_take_critique(shot.id, take.number, critique)
    if critique.verdict == "accept" and shot.location:
        stats = look_stats(metrics.last_frame)
        project.memory.record_take_look(
            shot.id,
            take.number,
            shot.location,
            {
                "mean_grey": stats.mean_grey,
                "std_grey": stats.std_grey,
                "mean_saturation": stats.mean_saturation,
            },
            time_of_day=light.time_of_day,
            lighting=light.lighting,
        )
    return critique
