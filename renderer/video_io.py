"""Video files in and out, through the ffmpeg binary that `imageio-ffmpeg` ships.

No system ffmpeg is assumed. Writing streams raw RGB frames into an ffmpeg
process (so encoding runs on another core while frames are produced);
reading streams decoded RGB frames back out.
"""

from __future__ import annotations

import contextlib
import re
import signal
import struct
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np

MAX_IMAGE_PIXELS = 40_000_000
"""Largest image storyreel reads (width x height): bigger ones are refused when added and
left out of renders, so a small file can never decode to gigabytes."""

# x264 settings shared by takes, cuts and the bench, so the bench measures what users get.
H264_OPTIONS = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"]


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[list[int]]:
    """Hold back Ctrl-C (SIGINT) for a block; the list says whether one came.

    Only in the main thread (the only one Python delivers signals to); elsewhere
    the block runs as it is.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


class VideoWriter:
    """Encode RGB frames (H, W, 3 uint8) to an H.264 mp4, optionally with an audio track.

    Use as a context manager; the file is complete only after a clean exit.
    With `audio`, the sound is encoded as AAC and cut or padded with silence
    to the video's length (`duration_s`, when known, makes that exact).
    """

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        fps: int,
        audio: Path | None = None,
        threads: int = 0,
        duration_s: float | None = None,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"H.264 needs even frame sizes, got {width}x{height}")
        self.path, self.width, self.height, self.fps = Path(path), width, height, fps
        self.frames_written = 0
        command = [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{width}x{height}",
            "-r",
            str(fps),
            "-i",
            "-",
        ]
        if audio is not None:
            command += ["-i", str(audio)]
        command += [*H264_OPTIONS, "-threads", str(threads), "-movflags", "+faststart"]
        if audio is not None:
            # the sound is padded with silence and cut at the picture's exact length
            # (-shortest alone lets an AAC frame or two run past the last picture)
            length = ["-t", f"{duration_s:.6f}"] if duration_s else ["-shortest"]
            command += ["-c:a", "aac", "-b:a", "160k", "-af", "apad", *length]
            command += ["-map", "0:v:0", "-map", "1:a:0"]
        command += ["-f", "mp4", str(self.path)]
        # Ctrl-C while ffmpeg starts must not leave it running unseen (it would write the
        # file after the caller deleted it): the interrupt is raised once it can be stopped
        with _interrupt_deferred() as interrupted:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
            )
        if interrupted:
            self.abort()
            raise KeyboardInterrupt

    def write(self, frame: np.ndarray) -> None:
        """Append one frame; it must be uint8 of shape (height, width, 3)."""
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"frame must be uint8 ({self.height}, {self.width}, 3), "
                f"got {frame.dtype} {frame.shape}"
            )
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError as error:
            raise RuntimeError(
                f"ffmpeg stopped while writing {self.path}: {self._errors()}"
            ) from error
        self.frames_written += 1

    def write_all(self, frames: Iterable[np.ndarray]) -> None:
        for frame in frames:
            self.write(frame)

    def close(self) -> None:
        """Finish the file; raises RuntimeError with ffmpeg's message if encoding failed."""
        assert self._process.stdin is not None
        try:
            if not self._process.stdin.closed:
                self._process.stdin.close()  # flushes the last frame: Ctrl-C can land here too
            code = self._process.wait(timeout=600)
        except BaseException:
            # interrupted while ffmpeg finishes (Ctrl-C reaches both): stop it before the
            # caller deletes the file, or its +faststart pass would write the file again
            self.abort()
            raise
        if code != 0:
            raise RuntimeError(f"ffmpeg could not write {self.path}: {self._errors()}")

    def abort(self) -> None:
        """Stop ffmpeg without finishing the file (the caller deletes it)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait(timeout=60)
        for pipe in (self._process.stdin, self._process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a broken pipe to a killed ffmpeg
                    pipe.close()

    def _errors(self) -> str:
        assert self._process.stderr is not None
        try:
            return self._process.stderr.read().decode(errors="replace").strip()[-500:]
        except ValueError:
            return "(no message)"

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


@dataclass(frozen=True)
class VideoInfo:
    """What `probe` reads from a video file."""

    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    has_audio: bool


def probe(path: Path) -> VideoInfo:
    """Size, frame rate, frame count, duration and audio presence of a video file.

    Decodes the video stream once (ffmpeg has no ffprobe here), so it is exact.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at {path}")
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    text = result.stderr
    video = re.search(r"Stream #\S+.*Video: .*?(\d{2,5})x(\d{2,5})", text)
    fps = re.search(r"(\d+(?:\.\d+)?) fps", text)
    frames = re.findall(r"frame=\s*(\d+)", text)
    if result.returncode != 0 or not video or not frames:
        raise ValueError(f"{path} is not a readable video: {text.strip()[-300:]}")
    frame_rate = float(fps.group(1)) if fps else 0.0
    count = int(frames[-1])
    return VideoInfo(
        width=int(video.group(1)),
        height=int(video.group(2)),
        fps=frame_rate,
        frames=count,
        duration_s=count / frame_rate if frame_rate else 0.0,
        has_audio=bool(re.search(r"Stream #\S+.*Audio:", text)),
    )


def read_frames(
    path: Path, width: int | None = None, height: int | None = None
) -> Iterator[np.ndarray]:
    """Decode a video to RGB frames (H, W, 3 uint8), one at a time."""
    if width is None or height is None:
        info = probe(path)
        width, height = info.width, info.height
    decode = ["-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:v:0"]
    yield from _raw_rgb([ffmpeg_exe(), *decode], width, height)


def read_small_frames(
    path: Path, width: int, height: int, fps: float, max_seconds: float
) -> Iterator[np.ndarray]:
    """The first `max_seconds` of a video, resampled to `fps` and scaled to width x height."""
    decode = ["-hide_banner", "-loglevel", "error", "-t", str(max_seconds), "-i", str(path)]
    scale = ["-map", "0:v:0", "-vf", f"fps={fps},scale={width}:{height}"]
    yield from _raw_rgb([ffmpeg_exe(), *decode, *scale], width, height)


def _raw_rgb(command: list[str], width: int, height: int) -> Iterator[np.ndarray]:
    """Run an ffmpeg decode `command` (without its output part) and yield its RGB frames."""
    output = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    process = subprocess.Popen(
        [*command, *output], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    size = width * height * 3
    try:
        while len(data := process.stdout.read(size)) == size:
            yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def decode_problem(path: Path, stream: str = "v") -> str | None:
    """Why the file's first video ("v") or audio ("a") stream cannot be decoded, or None.

    Decodes the first frame (or 0.2 s of sound) and returns ffmpeg's first error line.
    """
    limit = ["-frames:v", "1"] if stream == "v" else ["-t", "0.2"]
    command = [
        ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(path),
        "-map", f"0:{stream}:0", *limit, "-f", "null", "-",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    return lines[0] if lines else f"ffmpeg exited with {result.returncode}"


def damage_problem(path: Path, stream: str = "v") -> str | None:
    """Why the file's first video ("v") or audio ("a") stream is damaged or cut short, or None.

    Reads every packet of the stream without decoding it (a stream copy into nothing), so
    a file whose end is missing ("partial file") is caught at the cost of reading it once.
    Returns ffmpeg's first error line.
    """
    command = [
        ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(path),
        "-map", f"0:{stream}:0", "-c", "copy", "-f", "null", "-",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    if result.returncode == 0 and not lines:
        return None
    partial = next((line for line in lines if "partial file" in line), None)
    return partial or (lines[0] if lines else f"ffmpeg exited with {result.returncode}")


def read_all_frames(path: Path) -> np.ndarray:
    """Every frame of a video as one (N, H, W, 3) uint8 array."""
    frames = list(read_frames(path))
    if not frames:
        raise ValueError(f"{path} has no frames")
    return np.stack(frames)


def image_header_size(path: Path) -> tuple[int, int, int] | None:
    """(width, height, frame count) of an image from its header, or None if it is no image.

    Nothing is decoded. Pillow refuses to even open an image of more than ~179
    megapixels (a decompression bomb); its size then comes from ffmpeg's header read.
    The frame count is 1 for such an image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return image.width, image.height, getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        size = _size_past_the_bomb_check(path)
        return (*size, 1) if size else None
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _size_past_the_bomb_check(path: Path) -> tuple[int, int] | None:
    """The size in an image's header, read the way `Image.open` does but without its
    decompression-bomb check (which raises before the size can be read); nothing is
    decoded, and changing Pillow's process-wide limit is avoided (other threads)."""
    from PIL import Image

    Image.init()
    with open(path, "rb") as handle:
        prefix = handle.read(16)
        for name in Image.ID:
            factory, accept = Image.OPEN[name]
            if accept is not None and not accept(prefix):
                continue
            handle.seek(0)
            try:
                image = factory(handle, str(path))
            except Exception:  # not this format (plugins raise SyntaxError and others)
                continue
            return image.size
    return None


def oversized_image(path: Path) -> str | None:
    """Why the image at `path` is too large to read ("12000x12000 pixels, over the limit
    of 40 megapixels"), or None; from the header only."""
    size = image_header_size(path)
    if size is None or size[0] * size[1] <= MAX_IMAGE_PIXELS:
        return None
    return (
        f"{size[0]}x{size[1]} pixels, over the limit of {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
    )


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about any media file (header only, nothing decoded)."""

    has_video: bool
    has_audio: bool
    width: int | None
    height: int | None
    fps: float | None
    duration_s: float | None
    sample_rate: int | None
    frames: int | None = None
    """Video frames the header lists (`mp4_header` only; None when unknown)."""
    codec: str | None = None
    """The video sample entry's four characters ("avc1" for H.264; `mp4_header` only)."""


def probe_media(path: Path) -> MediaInfo:
    """Streams, size, frame rate, duration and sample rate from the file's header.

    Raises ValueError when ffmpeg cannot read the file as media.
    """
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=60
    )
    text = result.stderr
    video = re.search(r"Stream #\S+.*Video: .*?(\d{2,5})x(\d{2,5})", text)
    audio = re.search(r"Stream #\S+.*Audio: .*?(\d{3,6}) Hz", text)
    if not video and not audio:
        raise ValueError(f"{path} is not an image, video or audio file ffmpeg can read")
    duration = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    seconds = None
    if duration:
        hours, minutes, secs = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    fps = re.search(r"(\d+(?:\.\d+)?) fps", text)
    return MediaInfo(
        has_video=bool(video),
        has_audio=bool(audio),
        width=int(video.group(1)) if video else None,
        height=int(video.group(2)) if video else None,
        fps=float(fps.group(1)) if fps else None,
        duration_s=seconds,
        sample_rate=int(audio.group(1)) if audio else None,
    )


def mp4_header(path: Path) -> MediaInfo | None:
    """Streams, size, frame rate and duration from an MP4/MOV file's `moov` box, in Python.

    No process is started and no media is decoded: only the box headers and the
    sample tables are read. Returns None for anything this reader does not follow
    (another container, a rotated or odd-sized picture, a damaged header); ask
    `probe_media` then.
    """
    try:
        with open(path, "rb") as handle:
            moov = _top_level_box(handle, b"moov")
    except OSError:
        return None
    if moov is None:
        return None
    try:
        tracks = [_mp4_track(body) for kind, body in _boxes(moov) if kind == b"trak"]
    except (ValueError, IndexError, struct.error):
        return None
    video = next((t for t in tracks if t["handler"] == b"vide"), None)
    audio = next((t for t in tracks if t["handler"] == b"soun"), None)
    if video is None and audio is None:
        return None
    if video is not None and not video["plain"]:
        return None
    fps = duration = None
    if video is not None:
        width, height, delta = video["width"], video["height"], video["delta"]
        if not (width and height and video["frames"] and delta) or width % 2 or height % 2:
            return None
        fps = video["timescale"] / delta
        duration = video["duration"] / video["timescale"]
    elif audio is not None and audio["timescale"]:
        duration = audio["duration"] / audio["timescale"]
    return MediaInfo(
        has_video=video is not None,
        has_audio=audio is not None,
        width=video["width"] if video else None,
        height=video["height"] if video else None,
        fps=fps,
        duration_s=duration,
        sample_rate=audio["rate"] if audio else None,
        frames=video["frames"] if video else None,
        codec=video["codec"] if video else None,
    )


def media_header(path: Path) -> MediaInfo:
    """`mp4_header` where it can read the file, else `probe_media` (one ffmpeg header read)."""
    return mp4_header(path) or probe_media(path)


_CONTAINERS = {b"trak", b"mdia", b"minf", b"stbl"}
_IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _top_level_box(handle: BinaryIO, wanted: bytes, limit: int = 64_000_000) -> bytes | None:
    """The body of the first top-level box of type `wanted` (None if absent or too big)."""
    while header := handle.read(8):
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        skip = size - 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            skip = size - 16
        elif size == 0:
            skip = -1  # the box runs to the end of the file
        if kind == wanted:
            if skip < 0 or skip > limit:
                return None
            body = handle.read(skip)
            return body if len(body) == skip else None
        if skip < 0:
            return None
        handle.seek(skip, 1)
    return None


def _boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of each box laid end to end in `data`."""
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        start = offset + 8
        if size == 1:
            size = struct.unpack_from(">Q", data, start)[0]
            start += 8
        elif size == 0:
            size = len(data) - offset
        if size < start - offset or offset + size > len(data):
            raise ValueError("box runs past its parent")
        yield kind, data[start : offset + size]
        offset += size


def _mp4_track(trak: bytes) -> dict:
    """What one `trak` box says: handler, picture size, timing, frame count, sample rate."""
    found: dict[bytes, bytes] = {}

    def walk(data: bytes) -> None:
        for kind, body in _boxes(data):
            if kind in _CONTAINERS:
                walk(body)
            else:
                found.setdefault(kind, body)

    walk(trak)
    track = {"handler": found[b"hdlr"][8:12], "plain": True, "width": 0, "height": 0}
    tkhd = found[b"tkhd"]
    matrix_at = 40 if tkhd[0] == 0 else 52
    track["plain"] = struct.unpack_from(">9i", tkhd, matrix_at) == _IDENTITY
    mdhd = found[b"mdhd"]
    if mdhd[0] == 1:
        track["timescale"], track["duration"] = struct.unpack_from(">IQ", mdhd, 20)
    else:
        track["timescale"], track["duration"] = struct.unpack_from(">II", mdhd, 12)
    entries = struct.unpack_from(">I", found[b"stts"], 4)[0]
    runs = [struct.unpack_from(">II", found[b"stts"], 8 + 8 * i) for i in range(entries)]
    track["frames"] = sum(count for count, _ in runs)
    track["delta"] = max(runs)[1] if runs else 0  # the delta of the longest run
    stsd = found[b"stsd"]
    entry = stsd[8 + 8 :]  # past the full-box header, entry count and the entry's box header
    if track["handler"] == b"vide":
        track["width"], track["height"] = struct.unpack_from(">HH", entry, 24)
        track["codec"] = stsd[12:16].decode("latin-1")
    if track["handler"] == b"soun":
        track["rate"] = struct.unpack_from(">I", entry, 24)[0] >> 16
    return track


def read_take(
    path: Path, width: int, height: int, *, max_frames: int | None = None
) -> Iterator[np.ndarray]:
    """A video's frames scaled to width x height, from one ffmpeg process.

    `max_frames` stops decoding after that many frames. Raises ValueError with
    ffmpeg's first error line when the file cannot be decoded or has no frames.
    """
    limit = ["-frames:v", str(max_frames)] if max_frames is not None else []
    yield from _decoded(["-i", str(path), *limit], str(path), width, height)


def read_takes(paths: Sequence[Path], width: int, height: int) -> Iterator[np.ndarray]:
    """Every frame of several videos, one after another, scaled to width x height.

    One ffmpeg process reads them all in turn (its concat demuxer, the list
    given on its standard input), so a long list costs one process, not one
    each. The frames carry no marks of where a file ends: count them with
    `mp4_header(path).frames`. Files of other sizes and frame rates are fine
    (each frame comes out once); the video codec must be the same. Raises
    ValueError when a file cannot be decoded.
    """
    lines = ["ffconcat version 1.0"]
    for path in paths:
        name = str(Path(path).resolve())
        if "\n" in name or "\r" in name:
            raise ValueError(f"{name!r}: a file name with a line break cannot be listed")
        lines.append("file 'file:" + name.replace("'", "'\\''") + "'")
    listing = ("\n".join(lines) + "\n").encode()
    concat = ["-protocol_whitelist", "file,pipe", "-f", "concat", "-safe", "0", "-i", "pipe:0"]
    concat += ["-fps_mode", "passthrough"]
    yield from _decoded(concat, f"{len(paths)} takes", width, height, listing)


def _decoded(
    source: list[str], what: str, width: int, height: int, stdin: bytes | None = None
) -> Iterator[np.ndarray]:
    """Run ffmpeg on `source` (input options and -i) and yield its frames as RGB.

    `stdin` is written to its standard input first (and closed).
    """
    # one decoding thread: the encoder beside it has the other cores, and a short take
    # decodes faster than more threads would start
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
    command += ["-threads", "1", *source, "-map", "0:v:0", "-filter_threads", "1"]
    command += ["-vf", f"scale={width}:{height}:flags=bilinear"]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    size = width * height * 3
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty decoder never blocks
        given = subprocess.PIPE if stdin is not None else subprocess.DEVNULL
        process = subprocess.Popen(command, stdin=given, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        finished, count = False, 0
        try:
            if process.stdin is not None:
                with contextlib.suppress(OSError):  # a broken pipe: its message says why
                    try:
                        process.stdin.write(stdin)
                    finally:
                        process.stdin.close()
            while len(data := process.stdout.read(size)) == size:
                count += 1
                yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
            finished = True
        finally:
            process.stdout.close()
            if not finished and process.poll() is None:
                process.kill()
            code = process.wait(timeout=600)
        if code != 0 or count == 0:
            errors.seek(0)
            lines = [ln.strip() for ln in errors.read().decode(errors="replace").splitlines()]
            first = next((ln for ln in lines if ln), "it has no frames")[:300]
            raise ValueError(f"{what} could not be decoded: {first}")
