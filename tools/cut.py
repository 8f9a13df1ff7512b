"""The final cut: selected takes in film order, with their transitions, as one H.264 file.

Transitions (the `transition` field of the shot they belong to):

- `cut`, `match_cut`, `smash_cut`: a hard cut at the start of the shot.
- `dissolve`: a crossfade centred on the boundary with the previous shot,
  about half a second long. The previous shot's tail and this shot's head
  blend; nothing is added, so the cut's length does not change.
- `fade_in`: the shot fades up from black over its first half second.
- `fade_out`: the shot fades down to black over its last half second.

The cut lasts exactly the sum of the planned shot durations: each shot gets
the frames between the rounded running totals of the durations (a take one
frame short is held on its last frame; one frame long is trimmed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.renderer.video_io import VideoWriter, probe, read_frames
from storyreel.tools.partial_files import partial_path

TRANSITION_S = 0.5
HARD_CUTS = {"cut", "match_cut", "smash_cut"}


@dataclass(frozen=True)
class CutClip:
    """One shot in the cut: its take file, planned duration and transition."""

    path: Path
    duration_s: float
    transition: str = "cut"


def frame_counts(clips: Sequence[CutClip], fps: int) -> list[int]:
    """Frames per clip so the running total never drifts from the planned durations."""
    counts, total_s, done = [], 0.0, 0
    for clip in clips:
        total_s += clip.duration_s
        target = round(total_s * fps)
        counts.append(max(1, target - done))
        done += counts[-1]
    return counts


def _load(clip: CutClip, count: int, fps: int, size: tuple[int, int]) -> np.ndarray:
    """`count` frames of a take at the film's rate and size.

    A take made at another rate (Wan 16 fps, CogVideoX 8 fps) is retimed by
    picking the frame shown at each film frame's time; another size is scaled.
    """
    frames = list(read_frames(clip.path))
    if not frames:
        raise ValueError(f"{clip.path} has no frames")
    rate = probe(clip.path).fps or fps
    picked = [frames[min(len(frames) - 1, int(i * rate / fps))] for i in range(count)]
    height, width = picked[0].shape[:2]
    if (width, height) != size:
        picked = [
            np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BILINEAR)) for f in picked
        ]
    return np.stack(picked)


def _size_of(clip: CutClip) -> tuple[int, int]:
    info = probe(clip.path)
    return info.width, info.height


def _ramp(count: int, rising: bool) -> np.ndarray:
    weights = np.arange(count, dtype=np.float32) / count
    return weights if rising else weights[::-1]


def _fade(frames: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (frames.astype(np.float32) * weights[:, None, None, None]).round().astype(np.uint8)


def dissolve_half(count_a: int, count_b: int, fps: int) -> int:
    """Frames on each side of the boundary that a dissolve blends."""
    return max(1, min(round(TRANSITION_S * fps / 2), count_a // 3, count_b // 3))


def cut_frames(
    clips: Sequence[CutClip], fps: int, size: tuple[int, int] | None = None
) -> Iterator[np.ndarray]:
    """The frames of the cut at `size` (width, height), one at a time, with transitions."""
    counts = frame_counts(clips, fps)
    fade_length = max(1, round(TRANSITION_S * fps))
    tail: np.ndarray | None = None
    for index, (clip, count) in enumerate(zip(clips, counts, strict=True)):
        frames = _load(clip, count, fps, size or _size_of(clip))
        length = min(fade_length, count)
        if clip.transition == "fade_in":
            frames[:length] = _fade(frames[:length], _ramp(length, rising=True))
        if clip.transition == "fade_out":
            frames[count - length :] = _fade(frames[count - length :], _ramp(length, rising=False))
        start = 0
        if tail is not None:
            half = len(tail)
            for i in range(2 * half):
                a = tail[min(i, half - 1)] if i < half else tail[-1]
                b = frames[0] if i < half else frames[i - half]
                weight = (i + 0.5) / (2 * half)
                mixed = a.astype(np.float32) * (1 - weight) + b.astype(np.float32) * weight
                yield mixed.round().astype(np.uint8)
            start = half
        following = clips[index + 1] if index + 1 < len(clips) else None
        hold = 0
        if following is not None and following.transition == "dissolve":
            hold = dissolve_half(count, counts[index + 1], fps)
        yield from frames[start : count - hold]
        tail = frames[count - hold :] if hold else None


def write_cut(
    clips: Sequence[CutClip],
    out: Path,
    *,
    width: int,
    height: int,
    fps: int,
    soundtrack: Path | None = None,
    on_frame: Callable[[int, int], None] | None = None,
) -> int:
    """Encode the cut to `out` (H.264, plus AAC when a soundtrack is given).

    Returns the number of frames written. The file appears only when complete.
    """
    total = sum(frame_counts(clips, fps))
    partial = partial_path(out)
    written = 0
    try:
        with VideoWriter(
            partial, width, height, fps, audio=soundtrack, duration_s=total / fps
        ) as writer:
            for frame in cut_frames(clips, fps, (width, height)):
                if frame.shape[:2] != (height, width):
                    raise ValueError(
                        f"a take is {frame.shape[1]}x{frame.shape[0]}, the film is "
                        f"{width}x{height}: re-render it (storyreel render --force ID)"
                    )
                writer.write(frame)
                written += 1
                if on_frame is not None:
                    on_frame(written, total)
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
