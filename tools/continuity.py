"""Continuity across shots: how a take fits the film around it, read against the plan.

`continuity_findings` compares a take's first and last frames with the shot
before it in film order, with the take it `continues_from`, and with the
running look of its location. Metrics: tools/critic_metrics.py
(`look_stats`, `look_distance`, `frame_match`); thresholds below and in
CALIBRATION.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyreel.tools.critic_metrics import frame_match, look_distance, look_stats
from storyreel.tools.story import Finding, FindingKind, Shot, StoryPlan

CONTINUITY_MAX_DIFF = 0.035  # mean |first - previous last| / 255 for continues_from
LOOK_MIN_SCORE = 50.0  # 100 - (Δgrey + Δcontrast + Δsaturation) between neighbours
LOOK_MAX_HELLINGER = 0.75  # HSV histogram distance between neighbours
LOOK_MAX_SIZE_STEPS = 2  # compare neighbours only when their framing is this close
PALETTE_MIN_SCORE = 30.0  # against the location's running palette
SIZE_ORDER = ["ECU", "CU", "MCU", "MS", "MLS", "LS", "ELS"]


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
                    kind=FindingKind.CONTINUITY_BREAK,
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
                    kind=FindingKind.LOOK_JUMP,
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
                    kind=FindingKind.PALETTE_DRIFT,
                    severity="warning",
                    message=f"{who} drifts away from the look the {shot.location.lower()} has "
                    f"had so far (look score {100 - delta:.0f}/100).",
                )
            )
    return findings
