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

The cut streams: one ffmpeg process decodes every take in turn (each once),
where each take ends is known from its file's header, and only the few frames
a transition blends are held in memory, so memory does not grow with the
film's length. Should that shared decoding fail or come out with other frame
counts than the headers list, the cut is made again with one ffmpeg process
per take, which also names a take that cannot be read. Sound is encoded
beside the pictures (`tools.cut_audio`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import (
    MediaInfo,
    VideoWriter,
    media_header,
    read_take,
    read_takes,
)
from storyreel.tools.cut_audio import CutSound, UnreadableTake
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


class _SharedDecodingFailed(Exception):
    """The one-process decoding of all takes failed or lost its place: decode take by take."""


def _header(path: Path) -> MediaInfo:
    try:
        return media_header(path)
    except (OSError, ValueError) as error:
        raise UnreadableTake(path, str(error)) from error


def _has_sound(path: Path) -> bool:
    try:
        return media_header(path).has_audio
    except (OSError, ValueError):
        return False


def _retimed(
    frames: Iterator[np.ndarray], count: int, rate: float, fps: int
) -> Iterator[np.ndarray]:
    """`count` frames at the film's rate from a take's frames at `rate` (all of them read).

    A take made at another rate (Wan 16 fps, CogVideoX 8 fps) is retimed by
    picking the frame shown at each film frame's time; a take that is short
    is held on its last frame.
    """
    frame, position = None, -1
    for index in range(count):
        wanted = int(index * rate / fps)
        while position < wanted:
            following = next(frames, None)
            if following is None:
                break
            frame, position = following, position + 1
        assert frame is not None  # the readers raise for a take without frames
        yield frame
    for _ in frames:  # read to the take's end: the decoder's place in a shared stream
        pass


def _own_decoding(
    clip: CutClip, count: int, rate: float, fps: int, size: tuple[int, int]
) -> Iterator[np.ndarray]:
    """A take's frames from an ffmpeg process of its own, only as many as the clip shows."""
    needed = int((count - 1) * rate / fps) + 1
    try:
        yield from read_take(clip.path, *size, max_frames=needed)
    except ValueError as error:
        raise UnreadableTake(clip.path, str(error)) from error


def _share(shared: Iterator[np.ndarray], frames: int, path: Path) -> Iterator[np.ndarray]:
    """The next `frames` frames of the shared decoding: one take's."""
    got = 0
    try:
        for frame in itertools.islice(shared, frames):
            got += 1
            yield frame
    except ValueError as error:
        raise _SharedDecodingFailed(str(error)) from error
    if got < frames:
        raise _SharedDecodingFailed(f"{path}: {got} of the {frames} frames its header lists")


def can_share_decoding(clips: Sequence[CutClip], headers: Sequence[MediaInfo]) -> bool:
    """True when one ffmpeg process can decode all the takes: every header lists its frame
    count, all use one video codec, and no file name holds a line break."""
    codecs = {header.codec for header in headers}
    return (
        all(header.frames for header in headers)
        and len(codecs) == 1
        and None not in codecs
        and not any("\n" in str(clip.path) or "\r" in str(clip.path) for clip in clips)
    )


def _ramp(count: int, rising: bool) -> np.ndarray:
    weights = np.arange(count, dtype=np.float32) / count
    return weights if rising else weights[::-1]


def _fade(frame: np.ndarray, weight: float) -> np.ndarray:
    return (frame.astype(np.float32) * np.float32(weight)).round().astype(np.uint8)


def dissolve_half(count_a: int, count_b: int, fps: int) -> int:
    """Frames on each side of the boundary that a dissolve blends."""
    return max(1, min(round(TRANSITION_S * fps / 2), count_a // 3, count_b // 3))


def _faded(
    frames: Iterator[np.ndarray], transition: str, count: int, fps: int
) -> Iterator[np.ndarray]:
    """A clip's frames with its own fade in or fade out applied."""
    length = min(max(1, round(TRANSITION_S * fps)), count)
    rising, falling = _ramp(length, rising=True), _ramp(length, rising=False)
    for index, frame in enumerate(frames):
        if transition == "fade_in" and index < length:
            frame = _fade(frame, rising[index])
        if transition == "fade_out" and index >= count - length:
            frame = _fade(frame, falling[index - (count - length)])
        yield frame


def _streamed_cut(
    clips: Sequence[CutClip],
    fps: int,
    size: tuple[int, int] | None,
    headers: Sequence[MediaInfo] | None = None,
    shared: bool = False,
) -> Iterator[np.ndarray]:
    """The cut's frames, one at a time; only a dissolve's frames are held in memory.

    With `shared` (and a `size`), one ffmpeg process decodes all the takes.
    """
    counts = frame_counts(clips, fps)
    headers = headers if headers is not None else [_header(clip.path) for clip in clips]
    stream = read_takes([clip.path for clip in clips], *size) if shared and size else None
    tail: list[np.ndarray] = []
    for index, (clip, count, header) in enumerate(zip(clips, counts, headers, strict=True)):
        rate = header.fps or fps
        if stream is not None:
            taken = _share(stream, header.frames or 0, clip.path)
        else:
            frame_size = size or (header.width or 0, header.height or 0)
            taken = _own_decoding(clip, count, rate, fps, frame_size)
        frames = _faded(_retimed(taken, count, rate, fps), clip.transition, count, fps)
        following = clips[index + 1] if index + 1 < len(clips) else None
        hold = 0
        if following is not None and following.transition == "dissolve":
            hold = dissolve_half(count, counts[index + 1], fps)
        head: list[np.ndarray] = []
        if tail:  # this clip dissolves in: blend the previous tail with this head
            half = len(tail)
            head = [next(frames) for _ in range(half)]
            for i in range(2 * half):
                a = tail[min(i, half - 1)] if i < half else tail[-1]
                b = head[0] if i < half else head[i - half]
                weight = (i + 0.5) / (2 * half)
                mixed = a.astype(np.float32) * (1 - weight) + b.astype(np.float32) * weight
                yield mixed.round().astype(np.uint8)
        start, tail = len(head), []
        for position, frame in enumerate(itertools.chain(head, frames)):
            if position >= count - hold:
                tail.append(frame)  # the next clip dissolves over these
            elif position >= start:
                yield frame
    if stream is not None:
        try:
            extra = next(stream, None)
        except ValueError as error:
            raise _SharedDecodingFailed(str(error)) from error
        if extra is not None:
            raise _SharedDecodingFailed("more frames than the takes' headers list")


def cut_frames(
    clips: Sequence[CutClip], fps: int, size: tuple[int, int] | None = None
) -> Iterator[np.ndarray]:
    """The frames of the cut at `size` (width, height), one at a time, with transitions."""
    yield from _streamed_cut(clips, fps, size)


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
    """Encode the cut to `out` (H.264, plus AAC when there is sound).

    The sound is each take's own sound at its place in the cut, mixed with
    `soundtrack` (an audio file laid under the whole film, trimmed or padded).
    Without either, the cut has no audio track.
    Returns the number of frames written. The file appears only when complete.
    Raises UnreadableTake (a ValueError) naming a take that cannot be read.
    """
    if soundtrack is not None and not _has_sound(soundtrack):
        soundtrack = None  # as before: a soundtrack without sound adds nothing
    headers = [_header(clip.path) for clip in clips]  # from the files' headers: cheap
    job = _CutJob(clips, headers, out, width, height, fps, soundtrack, on_frame)
    if can_share_decoding(clips, headers):
        try:
            return job.encode(shared=True)
        except _SharedDecodingFailed:
            pass  # again, take by take: slower, and a take that cannot be read is named
    return job.encode(shared=False)


@dataclass
class _CutJob:
    """One cut to encode: pictures (and sound) to a partial file renamed into place."""

    clips: Sequence[CutClip]
    headers: Sequence[MediaInfo]
    out: Path
    width: int
    height: int
    fps: int
    soundtrack: Path | None
    on_frame: Callable[[int, int], None] | None

    def encode(self, shared: bool) -> int:
        counts = frame_counts(self.clips, self.fps)
        total = sum(counts)
        pairs = zip(self.clips, self.headers, strict=True)
        sources = [clip.path if header.has_audio else None for clip, header in pairs]
        with_sound = self.soundtrack is not None or any(sources)
        partial = partial_path(self.out)
        picture = partial_path(self.out) if with_sound else partial
        sound = None
        written = 0
        try:
            if with_sound:
                sound = CutSound(self.out, counts, self.fps, sources, self.soundtrack)
            size = (self.width, self.height)
            frames = _streamed_cut(self.clips, self.fps, size, self.headers, shared)
            with (
                VideoWriter(picture, self.width, self.height, self.fps) as writer,
                contextlib.closing(frames),
            ):
                for frame in frames:
                    writer.write(frame)
                    written += 1
                    if self.on_frame is not None:
                        self.on_frame(written, total)
            if sound is not None:
                sound.mux(picture, partial, total / self.fps)
            partial.replace(self.out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            if sound is not None:
                sound.remove()
            picture.unlink(missing_ok=True)
        return written
