"""The critic: measured checks of a take against its shot plan and its neighbours.

`critique_video` measures any video file against stated expectations;
`tools.review.review_take` also checks continuity with the rest of the film
(tools/continuity.py). Both listen to the take's sound too (tools/critic_audio.py: a line
that cannot be heard or does not fit, clipping). Every
finding has a kind, a severity, a frame range and a plain-language message;
the verdict is `retake` when anything is clearly broken (an error), else
`accept`. The agent turns repeated `retake`s into a question (`ask`).

Metrics and thresholds: tools/critic_metrics.py and CALIBRATION.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.video_io import read_frames
from storyreel.tools.critic_audio import sound_findings
from storyreel.tools.critic_metrics import CAMERA_MIN_SHIFT, TakeMetrics, measure_take
from storyreel.tools.story import Critique, Finding, FindingKind, Shot
from storyreel.tools.vocabulary import MOVES, Movement, MoveWords


def _words(name: str | None) -> MoveWords | None:
    """The vocabulary's words for a movement or measured label; None for "mixed", unknowns."""
    try:
        return MOVES[Movement(name)] if name else None
    except ValueError:
        return None


def expected_label(movement: str | None) -> Movement | None:
    """The main camera label a take of the planned `movement` should measure (None: none
    single, or not a known movement). The whole expectation is `MOVES[m].signature`."""
    words = _words(movement)
    return words.critic_label if words else None


def _seen(label: str) -> str:
    """ "the camera drifts to the left": what the camera meter measured, in words."""
    words = _words(label)
    return words.seen if words else "the picture moves"


MAX_FLASHES_PER_S = 3.0
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
    figures_cross: bool = False
    """A person crosses the frame (or comes at the camera) in an animatic take: on previz's
    flat sets that motion cannot be told from the camera's, so a still shot's camera is
    not checked (as for a tracking shot)."""

    @classmethod
    def for_shot(
        cls, shot: Shot, fps: float, backend: str = "", params: dict[str, Any] | None = None
    ) -> Expectation:
        """What a take of `shot` rendered at `fps` should be. Previz draws flat shapes on
        purpose, so its takes are not held to the sharpness of camera footage; diffusion
        models snap frame counts (4k+1, 8k+1), so they get a few frames of tolerance.
        `params` (the take's request) tell whether a previz take stages a moving person."""
        frames = round(shot.duration_s * fps)
        previz = backend in ("previz", "")
        crossing = previz and params is not None and _figures_cross(params, frames)
        return cls(
            shot.movement.value,
            frames,
            fps,
            f"Shot {shot.id}",
            not previz,
            1 if previz else 4,
            crossing,
        )


FIGURE_TRAVEL = 0.05
"""A previz figure whose feet travel more than this share of the frame's width, or whose
size changes by more than twice this share, moves enough to read as a camera move."""


def _figures_cross(params: dict[str, Any], frames: int) -> bool:
    """Whether a previz take's staging moves a person across or toward the frame."""
    import numpy as np

    from storyreel.renderer.previz import parse_directions
    from storyreel.renderer.previz_staging import plan_staging

    options = params.get("options")
    if not isinstance(options, dict) or not options.get("previz") or frames < 2:
        return False
    try:
        staging = plan_staging(parse_directions(options), frames)
    except ValueError:
        return False
    return any(
        float(np.ptp(f.xs)) > FIGURE_TRAVEL or float(np.ptp(f.scales)) > 2 * FIGURE_TRAVEL
        for f in staging.figures
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
                kind=FindingKind.CUT_INSIDE_SHOT,
                severity="error",
                frame_start=cut,
                frame_end=cut,
                message=f"{who} cuts to a different picture at {_at(metrics, cut)}; "
                "a shot should be one continuous take.",
            )
        )
    for start, end in metrics.dissolves:
        findings.append(
            Finding(
                kind=FindingKind.DISSOLVE_INSIDE_SHOT,
                severity="error",
                frame_start=start,
                frame_end=end,
                message=f"{who} dissolves into a different picture between {_at(metrics, start)} "
                f"and {_at(metrics, end)}; a shot should be one continuous take.",
            )
        )
    if metrics.flashes_per_second_max > MAX_FLASHES_PER_S:
        first = metrics.flashes[0] if metrics.flashes else 0
        findings.append(
            Finding(
                kind=FindingKind.FLASHES,
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
                kind=FindingKind.DURATION,
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
                kind=FindingKind.BLURRY,
                severity="warning",
                message=f"{who} looks soft or blurry (sharpness {metrics.sharpness:.0f}).",
            )
        )
    if metrics.clipped_median > CLIPPED_ABOVE:
        findings.append(
            Finding(
                kind=FindingKind.EXPOSURE,
                severity="warning",
                message=f"{who} has {metrics.clipped_median:.0%} of its picture burnt white or "
                "crushed black.",
            )
        )
    return findings


RETAKE_HINTS: dict[FindingKind, str] = {
    FindingKind.STATIC_MOVES: "still",
    FindingKind.NO_MOTION: "move",
    FindingKind.WRONG_DIRECTION: "move",
}
"""What a retake's prompt should stress after each movement error (tools/compiler.py
`hinted_prompt`): a steady camera after a still shot drifted, a clearer move otherwise."""

STATIC_MAX_SHAKE = 0.02  # a still camera wanders less than this share of the short side
HANDHELD_MIN_SHAKE = 0.005  # a handheld camera wanders at least this much…
HANDHELD_MAX_DRIFT = 0.15  # …and slides steadily less than this share of the short side


def retake_hint(findings: Iterable[Finding]) -> str | None:
    """The retake hint for a take's errors: "still" wins over "move"; None when no error has one."""
    hints = {RETAKE_HINTS.get(f.kind) for f in findings if f.severity == "error"}
    return "still" if "still" in hints else "move" if "move" in hints else None


def _movement_findings(metrics: TakeMetrics, expect: Expectation) -> list[Finding]:
    """The camera move of a take against the planned move's signature (tools/vocabulary.py).

    Static: no measured slide, scale or turn, and no shake beyond STATIC_MAX_SHAKE.
    Directional moves: the strongest expected part must be measured and be stronger than
    every part of the opposite move; a take with none of them moved another way
    (wrong_direction) or not at all (no_motion). Handheld: some shake and no steady slide
    (warnings only). Moves the meter cannot check say so (not_measured), as does a take
    it could not follow. Frozen stretches are errors in a planned move.
    """
    words = _words(expect.movement)
    if metrics.single_frame:
        return []
    if words is None:  # nothing planned: a freeze is only worth a warning
        return [
            Finding(
                kind=FindingKind.FROZEN,
                severity="warning",
                frame_start=start,
                frame_end=end,
                message=f"{expect.label} freezes from "
                f"{_at(metrics, start)} to {_at(metrics, end)}.",
            )
            for start, end in metrics.frozen
        ]
    who, sign = expect.label, words.signature
    short = min(metrics.width, metrics.height) or 1
    threshold = CAMERA_MIN_SHIFT * short
    parts = {k: v for k, v in metrics.camera_parts().items() if v > threshold}
    strongest = max(parts, key=lambda k: parts[k], default=None)
    last = metrics.frames - 1
    findings: list[Finding] = []

    def found(kind: FindingKind, severity: str, message: str) -> None:
        findings.append(
            Finding(kind=kind, severity=severity, frame_start=0, frame_end=last, message=message)
        )

    if metrics.camera_motion == "unknown":
        found(
            FindingKind.NOT_MEASURED,
            "info",
            f"{who}'s camera move could not be measured (too little texture to follow, "
            "or the picture keeps changing); not checked.",
        )
    elif expect.movement == Movement.STATIC:
        if strongest is not None or metrics.camera_shake > STATIC_MAX_SHAKE * short:
            drift = _seen(strongest) if strongest else "the camera shakes"
            if expect.figures_cross:  # the animatic's walking figure, not its camera
                found(
                    FindingKind.NOT_MEASURED,
                    "info",
                    f"{who}: a person moves across the animatic's flat set, which reads like "
                    "a camera move; whether the camera stayed still was not checked.",
                )
            else:
                found(
                    FindingKind.STATIC_MOVES,
                    "error",
                    f"{who} was planned as a still shot but {drift}.",
                )
    elif sign.shake:
        if strongest is None and metrics.camera_shake < HANDHELD_MIN_SHAKE * short:
            found(
                FindingKind.HANDHELD,
                "warning",
                f"{who} was planned handheld but the camera is perfectly still.",
            )
        elif strongest and parts[strongest] > max(
            HANDHELD_MAX_DRIFT * short, 2 * metrics.camera_shake
        ):
            found(
                FindingKind.HANDHELD,
                "warning",
                f"{who} was planned handheld but {_seen(strongest)} steadily rather than shaking.",
            )
    elif sign.any_move:
        if strongest is None and metrics.camera_shake < HANDHELD_MIN_SHAKE * short:
            found(
                FindingKind.NO_MOTION,
                "error",
                f"{who} was planned {words.planned} but the picture barely moves.",
            )
    elif sign.expect:
        best = max((parts.get(k, 0.0) for k in sign.expect), default=0.0)
        wrong = max(sign.wrong, key=lambda k: parts.get(k, 0.0), default=None)
        if wrong is not None and parts.get(wrong, 0.0) > best:
            found(
                FindingKind.WRONG_DIRECTION,
                "error",
                f"{who} was planned {words.planned} but {_seen(wrong)}.",
            )
        elif best == 0.0 and strongest is not None and parts[strongest] > 2 * threshold:
            found(
                FindingKind.WRONG_DIRECTION,
                "error",
                f"{who} was planned {words.planned} but {_seen(strongest)}.",
            )
        elif best == 0.0:
            found(
                FindingKind.NO_MOTION,
                "error",
                f"{who} was planned {words.planned} but the picture barely moves.",
            )
    if sign.note:
        found(FindingKind.NOT_MEASURED, "info", f"{who}: {sign.note}.")
    if expect.movement != Movement.STATIC and not any(
        f.kind == FindingKind.NO_MOTION for f in findings
    ):
        # a move over a plain surface (nothing the meter can follow) changes the picture too
        # little to tell from a freeze: then it is only a warning, not worth a retake
        untracked = metrics.camera_motion == "unknown"
        for start, end in metrics.frozen:
            findings.append(
                Finding(
                    kind=FindingKind.FROZEN,
                    severity="warning" if untracked else "error",
                    frame_start=start,
                    frame_end=end,
                    message=f"{who} freezes from {_at(metrics, start)} to {_at(metrics, end)}.",
                )
            )
    return findings


def verdict_sentence(label: str, critique: Critique) -> str:
    """The verdict in the words every front end uses: "Shot 3, take 2: looks right." or
    "...: needs a retake." and the errors; an accepted take whose camera move the critic
    could not check says so ("looks right, but its camera move was not checked.")."""
    if critique.verdict == "accept":
        unchecked = any(f.kind == FindingKind.NOT_MEASURED for f in critique.findings)
        return f"{label}: looks right" + (
            ", but its camera move was not checked." if unchecked else "."
        )
    errors = [f.message for f in critique.findings if f.severity == "error"]
    return " ".join([f"{label}: needs a retake.", *errors])


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
        critique = critique_frames(frames, fps or info.fps, expect)
        heard = sound_findings(Path(path), None, expect.label, fps or info.fps)  # clipping only
        findings = [*critique.findings, *heard]
        return critique.model_copy(update={"findings": findings, "verdict": verdict_of(findings)})
    except (ValueError, FileNotFoundError, OSError) as error:
        finding = Finding(
            kind=FindingKind.UNREADABLE,
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
