"""The critic: measured checks of a take against its shot plan and its neighbours.

`critique_video` measures any video file against stated expectations;
`critique_take` also checks continuity with the rest of the film (the
previous shot's last frame for `continues_from`, the look of consecutive
shots in the same location, and the location's running palette). Every
finding has a kind, a severity, a frame range and a plain-language message;
the verdict is `retake` when anything is clearly broken (an error), else
`accept`. The agent turns repeated `retake`s into a question (`ask`).

Metrics and thresholds: tools/critic_metrics.py and CALIBRATION.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import read_frames
from storyreel.tools.critic_metrics import (
    TakeMetrics,
    frame_match,
    look_distance,
    look_stats,
    measure_take,
)
from storyreel.tools.story import Critique, Finding, Shot, StoryPlan
from storyreel.tools.vocabulary import MEASURABLE_MOVES, MOVES, Movement, MoveWords


def _words(name: str | None) -> MoveWords | None:
    """The vocabulary's words for a movement or measured label; None for "mixed", unknowns."""
    try:
        return MOVES[Movement(name)] if name else None
    except ValueError:
        return None


def expected_label(movement: str | None) -> Movement | None:
    """The camera label a take of the planned `movement` should measure (None: not checked,
    or not a known movement)."""
    words = _words(movement)
    return words.critic_label if words else None


def _planned(label: Movement | None) -> str:
    """ "to pan left": what was planned in the critic's words, from the expected label."""
    return MOVES[label].planned if label else "to move"


def _seen(label: str) -> str:
    """ "the camera drifts to the left": what the camera meter measured, in words."""
    words = _words(label)
    return words.seen if words else "the picture moves"


MAX_FLASHES_PER_S = 3.0
CONTINUITY_MAX_DIFF = 0.035  # mean |first - previous last| / 255 for continues_from
LOOK_MIN_SCORE = 50.0  # 100 - (Δgrey + Δcontrast + Δsaturation) between neighbours
LOOK_MAX_HELLINGER = 0.75  # HSV histogram distance between neighbours
LOOK_MAX_SIZE_STEPS = 2  # compare neighbours only when their framing is this close
PALETTE_MIN_SCORE = 30.0  # against the location's running palette
SIZE_ORDER = ["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"]
BLURRY_BELOW = 100.0
CLIPPED_ABOVE = 0.01


@dataclass(frozen=True)
class Expectation:
    """What a take should be: its planned movement, frame count and frame rate."""

    movement: str | None = None
    frames: int | None = None
    fps: float | None = None
    label: str = "This shot"
    check_sharpness: bool = True
    frame_tolerance: int = 1

    @classmethod
    def for_shot(cls, shot: Shot, fps: float, backend: str = "") -> Expectation:
        """What a take of `shot` rendered at `fps` should be. Previz draws flat shapes on
        purpose, so its takes are not held to the sharpness of camera footage; diffusion
        models snap frame counts (4k+1, 8k+1), so they get a few frames of tolerance."""
        frames = round(shot.duration_s * fps)
        previz = backend in ("previz", "")
        return cls(
            shot.movement.value, frames, fps, f"Shot {shot.id}", not previz, 1 if previz else 4
        )


def _at(metrics: TakeMetrics, frame: int) -> str:
    return f"{frame / metrics.fps:.1f} s" if metrics.fps else f"frame {frame}"


def plan_findings(metrics: TakeMetrics, expect: Expectation) -> list[Finding]:
    """Findings from one take's metrics against what was planned."""
    findings: list[Finding] = []
    who = expect.label
    for cut in metrics.cuts:
        findings.append(
            Finding(
                kind="cut_inside_shot",
                severity="error",
                frame_start=cut,
                frame_end=cut,
                message=f"{who} cuts to a different picture at {_at(metrics, cut)}; "
                "a shot should be one continuous take.",
            )
        )
    if metrics.flashes_per_second_max > MAX_FLASHES_PER_S:
        first = metrics.flashes[0] if metrics.flashes else 0
        findings.append(
            Finding(
                kind="flashes",
                severity="error",
                frame_start=first,
                frame_end=metrics.flashes[-1] if metrics.flashes else first,
                message=f"{who} flashes brightly about {metrics.flashes_per_second_max:.0f} "
                f"times a second from {_at(metrics, first)}; that can hurt people sensitive "
                "to flashing light.",
            )
        )
    findings.extend(_movement_findings(metrics, expect))
    if expect.frames is not None and abs(metrics.frames - expect.frames) > expect.frame_tolerance:
        planned = expect.frames / (expect.fps or metrics.fps or 1)
        findings.append(
            Finding(
                kind="duration",
                severity="error",
                frame_start=0,
                frame_end=metrics.frames - 1,
                message=f"{who} lasts {metrics.duration_s:.1f} s ({metrics.frames} frames) but was "
                f"planned for {planned:g} s ({expect.frames} frames).",
            )
        )
    if expect.check_sharpness and not metrics.single_frame and metrics.sharpness < BLURRY_BELOW:
        findings.append(
            Finding(
                kind="blurry",
                severity="warning",
                message=f"{who} looks soft or blurry (sharpness {metrics.sharpness:.0f}).",
            )
        )
    if metrics.clipped_median > CLIPPED_ABOVE:
        findings.append(
            Finding(
                kind="exposure",
                severity="warning",
                message=f"{who} has {metrics.clipped_median:.0%} of its picture burnt white or "
                "crushed black.",
            )
        )
    return findings


def _movement_findings(metrics: TakeMetrics, expect: Expectation) -> list[Finding]:
    if metrics.single_frame:
        return []
    who, planned = expect.label, expect.movement
    wanted = expected_label(planned)
    seen = metrics.camera_motion
    findings: list[Finding] = []
    last = metrics.frames - 1
    if planned == "static" and (metrics.moving or seen in MEASURABLE_MOVES):
        drift = _seen(seen)
        findings.append(
            Finding(
                kind="static_moves",
                severity="error",
                frame_start=0,
                frame_end=last,
                message=f"{who} was planned as a still shot but {drift}.",
            )
        )
    elif planned not in (None, "static", "handheld") and not metrics.moving and seen == "static":
        findings.append(
            Finding(
                kind="no_motion",
                severity="error",
                frame_start=0,
                frame_end=last,
                message=f"{who} was planned {_planned(wanted)} but the picture barely moves.",
            )
        )
    elif wanted in MEASURABLE_MOVES and seen in MEASURABLE_MOVES and seen != wanted:
        findings.append(
            Finding(
                kind="wrong_direction",
                severity="error",
                frame_start=0,
                frame_end=last,
                message=f"{who} was planned {_planned(wanted)} but {_seen(seen)}.",
            )
        )
    if not any(f.kind == "no_motion" for f in findings) and planned != "static":
        for start, end in metrics.frozen:
            findings.append(
                Finding(
                    kind="frozen",
                    severity="error" if planned else "warning",
                    frame_start=start,
                    frame_end=end,
                    message=f"{who} freezes from {_at(metrics, start)} to {_at(metrics, end)}.",
                )
            )
    return findings


def verdict_of(findings: Iterable[Finding]) -> str:
    """retake when anything is an error, else accept."""
    return "retake" if any(f.severity == "error" for f in findings) else "accept"


def critique_frames(frames: Iterable[np.ndarray], fps: float, expect: Expectation) -> Critique:
    """Measure frames and check them against `expect`."""
    metrics = measure_take(frames, fps)
    findings = plan_findings(metrics, expect)
    return Critique(metrics=_numbers(metrics), findings=findings, verdict=verdict_of(findings))


def critique_video(path: Path, expect: Expectation, fps: float | None = None) -> Critique:
    """Critique any video file; unreadable or empty files become a finding, not a crash."""
    from storyreel.renderer.video_io import probe

    try:
        info = probe(Path(path))
        frames = read_frames(Path(path), info.width, info.height)
        return critique_frames(frames, fps or info.fps, expect)
    except (ValueError, FileNotFoundError, OSError) as error:
        finding = Finding(
            kind="unreadable",
            severity="error",
            message=f"{expect.label} could not be checked: {error}",
        )
        return Critique(metrics={}, findings=[finding], verdict="retake")


def _numbers(metrics: TakeMetrics) -> dict[str, float]:
    """The numeric metrics, for storing with the take."""
    return {
        key: float(value)
        for key, value in metrics.as_dict().items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    } | {"moving": float(metrics.moving)}


# --- continuity across shots ----------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """The shot before (in film order) and its take's last frame."""

    shot: Shot
    last_frame: np.ndarray


def continuity_findings(
    plan: StoryPlan,
    shot: Shot,
    first_frame: np.ndarray,
    last_frame: np.ndarray,
    previous: Neighbour | None,
    source_last_frame: np.ndarray | None,
    palette: dict[str, float] | None,
) -> list[Finding]:
    """Findings about how this take fits the film.

    Args:
        previous: the shot just before in film order, with its take's last frame.
        source_last_frame: the last frame of the take `shot.continues_from` points at.
        palette: the location's running look (mean_grey, std_grey, mean_saturation).
    """
    findings = []
    who = f"Shot {shot.id}"
    if shot.continues_from is not None and source_last_frame is not None:
        difference = frame_match(first_frame, source_last_frame)
        if difference > CONTINUITY_MAX_DIFF:
            findings.append(
                Finding(
                    kind="continuity_break",
                    severity="error",
                    frame_start=0,
                    frame_end=0,
                    message=f"{who} should open exactly where shot {shot.continues_from} ends, "
                    f"but it starts on a different picture ({difference:.0%} different).",
                )
            )
    elif (
        previous is not None
        and shot.location
        and previous.shot.location == shot.location
        and shot.continues_from is None
        and abs(SIZE_ORDER.index(previous.shot.size.value) - SIZE_ORDER.index(shot.size.value))
        <= LOOK_MAX_SIZE_STEPS
    ):
        score, hellinger = look_distance(look_stats(previous.last_frame), look_stats(first_frame))
        if score < LOOK_MIN_SCORE or hellinger > LOOK_MAX_HELLINGER:
            findings.append(
                Finding(
                    kind="look_jump",
                    severity="warning",
                    frame_start=0,
                    frame_end=0,
                    message=f"The light and colour jump between shot {previous.shot.id} and "
                    f"{who.lower()} although both are at the {shot.location.lower()} "
                    f"(look score {score:.0f}/100).",
                )
            )
    if palette and shot.location:
        stats = look_stats(last_frame)
        delta = (
            abs(stats.mean_grey - palette["mean_grey"])
            + abs(stats.std_grey - palette["std_grey"])
            + abs(stats.mean_saturation - palette["mean_saturation"])
        )
        if 100 - delta < PALETTE_MIN_SCORE:
            findings.append(
                Finding(
                    kind="palette_drift",
                    severity="warning",
                    message=f"{who} drifts away from the look the {shot.location.lower()} has "
                    f"had so far (look score {100 - delta:.0f}/100).",
                )
            )
    return findings
