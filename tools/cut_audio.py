"""The cut's sound: each take's own audio at its place in the cut, plus a film-wide soundtrack.

Sound is laid out sample-exactly on the same running totals as the pictures
(so it stays in sync however many shots there are) and streamed into an AAC
encoder that runs beside the picture encoder: a thread sends each clip's part
in turn (the take's sound, decoded by ffmpeg and trimmed to the clip, then
silence to the clip's end), so nothing the length of the film is held in
memory. The soundtrack, if there is one, is mixed in by that encoder. The
pictures and the sound are then put together without encoding again.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import ffmpeg_exe, probe_media
from storyreel.tools.partial_files import partial_path

RATE = 48_000
SAMPLE_BYTES = 4  # 16-bit stereo
CHUNK_BYTES = 1 << 20


def decode_audio(path: Path) -> np.ndarray:
    """A file's sound as (samples, 2) int16 at 48 kHz; empty when it has no sound."""
    try:
        if not probe_media(path).has_audio:
            return np.zeros((0, 2), np.int16)
    except ValueError:
        return np.zeros((0, 2), np.int16)
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        str(path),
        "-vn",
        "-f",
        "s16le",
        "-ac",
        "2",
        "-ar",
        str(RATE),
        "-",
    ]
    result = subprocess.run(command, capture_output=True, timeout=600)
    if result.returncode != 0:
        raise ValueError(f"could not decode the sound of {path}: {result.stderr.decode()[-300:]}")
    return np.frombuffer(result.stdout, np.int16).reshape(-1, 2)


def sample_bounds(frame_counts: Sequence[int], fps: int) -> list[tuple[int, int]]:
    """(first sample, end sample) of each clip, on the pictures' running totals."""
    bounds, done_frames, start = [], 0, 0
    for count in frame_counts:
        done_frames += count
        end = round(done_frames / fps * RATE)
        bounds.append((start, end))
        start = end
    return bounds


class UnreadableTake(ValueError):
    """A take (or sound) file the cut cannot read; `path` says which, `reason` what was wrong."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} could not be read: {reason}")
        self.path, self.reason = Path(path), reason


class CutSound:
    """The cut's sound, encoded by a thread of its own while the pictures are.

    `sources` holds, per clip, the take whose sound plays there (None: silence).
    The AAC goes to a partial file of `out`, so a killed export's leftovers are
    swept like its half-written cut. `mux` waits for it and puts pictures and
    sound together; call `remove()` in every case when done.
    """

    def __init__(
        self,
        out: Path,
        frame_counts: Sequence[int],
        fps: int,
        sources: Sequence[Path | None],
        soundtrack: Path | None = None,
    ) -> None:
        self.bounds = sample_bounds(frame_counts, fps)
        self.sources = list(sources)
        self.encoded = partial_path(out).with_suffix(".m4a")
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by remove())
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
        command += ["-f", "s16le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]
        if soundtrack is None:
            command += ["-map", "0:a:0"]
        else:
            # summed, as the takes' sound and the music are heard together (no ducking)
            graph = (
                f"[1:a:0]aresample={RATE},aformat=channel_layouts=stereo[music];"
                "[0:a:0][music]amix=inputs=2:duration=first:normalize=0[sound]"
            )
            command += ["-i", str(soundtrack), "-filter_complex", graph, "-map", "[sound]"]
        command += ["-c:a", "aac", "-b:a", "160k", "-y", "-f", "mp4", str(self.encoded)]
        self._encoder = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
        )
        self._thread = threading.Thread(target=self._feed, name="cut sound", daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        """Send every clip's part to the encoder, then end its input."""
        assert self._encoder.stdin is not None
        try:
            silence = bytes(CHUNK_BYTES)
            for (start, end), source in zip(self.bounds, self.sources, strict=True):
                left = (end - start) * SAMPLE_BYTES
                if source is not None:
                    left = self._send_sound_of(source, left)
                while left > 0 and not self._stop.is_set():
                    self._encoder.stdin.write(memoryview(silence)[: min(CHUNK_BYTES, left)])
                    left -= min(CHUNK_BYTES, left)
            self._encoder.stdin.close()
        except BaseException as error:  # raised again by mux(); remove() stops quietly
            self._failure = error

    def _send_sound_of(self, path: Path, left: int) -> int:
        """Send up to `left` bytes of the take's sound; returns what is left to fill."""
        assert self._encoder.stdin is not None
        seconds = left / SAMPLE_BYTES / RATE + 0.05
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
        command += ["-i", str(path), "-map", "0:a:0", "-ac", "2", "-ar", str(RATE)]
        command += ["-t", f"{seconds:.6f}", "-f", "s16le", "pipe:1"]
        if self._stop.is_set():
            return 0
        with tempfile.TemporaryFile() as errors:
            decoder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
            assert decoder.stdout is not None
            try:
                while left > 0 and (data := decoder.stdout.read(min(CHUNK_BYTES, left))):
                    self._encoder.stdin.write(data)
                    left -= len(data)
            finally:
                decoder.stdout.close()
                if decoder.poll() is None:
                    decoder.kill()  # enough of it (or stopping)
                code = decoder.wait(timeout=600)
            if code not in (0, -signal.SIGKILL) and not self._stop.is_set():
                errors.seek(0)
                lines = [ln.strip() for ln in errors.read().decode(errors="replace").splitlines()]
                raise UnreadableTake(path, next((ln for ln in lines if ln), f"ffmpeg {code}"))
        return left

    def _message(self) -> str:
        self._errors.seek(0)
        return self._errors.read().decode(errors="replace").strip()[-500:] or "(no message)"

    def mux(self, picture: Path, out: Path, duration_s: float) -> None:
        """Write `out`: the `picture` file's video and the encoded sound, both copied."""
        self._thread.join()
        if isinstance(self._failure, UnreadableTake):
            raise self._failure
        if self._failure is not None:
            raise RuntimeError(f"ffmpeg could not encode the sound: {self._message()}") from (
                self._failure
            )
        if self._encoder.wait(timeout=3600) != 0:
            raise RuntimeError(f"ffmpeg could not encode the sound: {self._message()}")
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        command += ["-i", str(picture), "-i", str(self.encoded)]
        command += ["-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-t", f"{duration_s:.6f}"]
        command += ["-movflags", "+faststart", "-f", "mp4", str(out)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            message = result.stderr.strip()[-500:]
            raise RuntimeError(f"ffmpeg could not add the sound to {out}: {message}")

    def remove(self) -> None:
        """Stop the thread and the encoder if they still run and delete the sound's file."""
        self._stop.set()
        if self._encoder.poll() is None:
            self._encoder.kill()  # the thread's next write fails and it ends
        self._thread.join(timeout=60)
        self._encoder.wait(timeout=60)
        if self._encoder.stdin is not None:
            with contextlib.suppress(OSError):  # a broken pipe to a killed ffmpeg
                self._encoder.stdin.close()
        self._errors.close()
        self.encoded.unlink(missing_ok=True)
