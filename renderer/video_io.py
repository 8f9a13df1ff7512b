"""Video files in and out, through the ffmpeg binary that `imageio-ffmpeg` ships.

No system ffmpeg is assumed. Writing streams raw RGB frames into an ffmpeg
process (so encoding runs on another core while frames are produced);
reading streams decoded RGB frames back out.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

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
