"""The cut's sound: each take's own audio at its place in the cut, plus a film-wide soundtrack.

Sound is laid out sample-exactly on the same running totals as the pictures
(so it stays in sync however many shots there are) and streamed into an AAC
encoder that runs beside the picture encoder: a thread sends each clip's part
in turn (the take's sound, decoded by ffmpeg and trimmed to the clip, then
silence to the clip's end), so nothing the length of the film is held in
memory. The pictures and the sound are then put together without encoding again.

The soundtrack (music bed), if there is one, is decoded by an ffmpeg process of
its own, read piece by piece beside the takes' sound and mixed in by that
thread, ducked under the takes' sound (which carries the spoken lines): the
takes' sound is the sidechain. Per 10 ms block, where the takes' sound is
louder than `DUCK_THRESHOLD_DB` (RMS, dBFS) the music falls `DUCK_DB` dB in
`DUCK_ATTACK_S`, stays down while it lasts and `DUCK_HOLD_S` after (so the
gaps between words do not pump), then comes back up in `DUCK_RELEASE_S`; the
gain moves linearly in dB, smoothly from sample to sample. Only the current
piece (a megabyte of sound) and a few numbers of state are held.
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

DUCK_DB = 12.0
"""How far the soundtrack falls under the takes' sound (a line), in dB."""
DUCK_THRESHOLD_DB = -40.0
"""The takes' sound ducks the soundtrack where louder than this (RMS per block, dBFS)."""
DUCK_ATTACK_S = 0.04
"""How long the soundtrack takes to fall by `DUCK_DB`."""
DUCK_RELEASE_S = 0.4
"""How long it takes to come back up."""
DUCK_HOLD_S = 0.25
"""How long it stays down after the takes' sound falls quiet."""
DUCK_BLOCK = RATE // 100
"""Samples per block the sidechain's level is measured on (10 ms)."""


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


class Ducker:
    """Mixes a soundtrack under the takes' sound, ducked by it (see the module docstring).

    `mix(voice)` takes the next piece of the takes' sound (int16 stereo bytes at
    `RATE`) and returns the same length of sound (float32 stereo bytes, full
    scale 1.0) with the next piece of the soundtrack mixed in. The soundtrack is
    decoded by an ffmpeg process of its own; after its end, silence. `gains`
    optionally records each block's gain (for tests and measurements).
    """

    def __init__(self, soundtrack: Path, duck_db: float = DUCK_DB) -> None:
        self.path = Path(soundtrack)
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
        command += ["-i", str(soundtrack), "-map", "0:a:0", "-ac", "2", "-ar", str(RATE)]
        command += ["-f", "s16le", "pipe:1"]
        self._decoder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self._errors)
        self._ended = False
        self.low = 10 ** (-duck_db / 20)
        self.threshold = 32768.0 * 10 ** (DUCK_THRESHOLD_DB / 20)
        blocks_per_s = RATE / DUCK_BLOCK
        self._fall = duck_db / max(1.0, DUCK_ATTACK_S * blocks_per_s)  # dB per block
        self._rise = duck_db / max(1.0, DUCK_RELEASE_S * blocks_per_s)
        self._hold_blocks = round(DUCK_HOLD_S * blocks_per_s)
        self._gain_db = 0.0
        self._held = 0
        self._carry = b""  # a pipe may hand over part of a sample: kept for the next piece
        self._closed = False
        self.gains: list[float] | None = None

    def _music(self, samples: int) -> np.ndarray:
        """The soundtrack's next `samples` (stereo int16), silence after its end."""
        wanted, pieces, got = samples * SAMPLE_BYTES, [], 0
        assert self._decoder.stdout is not None
        while got < wanted and not self._ended:
            data = self._decoder.stdout.read(wanted - got)
            if not data:
                self._ended = True
                break
            pieces.append(data)
            got += len(data)
        data = b"".join(pieces)
        data += bytes(wanted - len(data))
        return np.frombuffer(data, np.int16).reshape(-1, 2)

    def _block_gains(self, voice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each block's gain (linear) at its end, and the blocks' lengths."""
        count = len(voice)
        edges = np.arange(0, count, DUCK_BLOCK)
        lengths = np.diff(np.append(edges, count))
        squares = np.add.reduceat(voice.astype(np.float32) ** 2, edges, axis=0)
        loud = (np.sqrt(squares.max(axis=1) / lengths) > self.threshold).tolist()
        gains_db = np.empty(len(edges), np.float64)
        gain, held, duck_db = self._gain_db, self._held, -20 * np.log10(self.low)
        for index, is_loud in enumerate(loud):
            held = self._hold_blocks if is_loud else max(0, held - 1)
            if is_loud or held:
                gain = max(-duck_db, gain - self._fall)
            else:
                gain = min(0.0, gain + self._rise)
            gains_db[index] = gain
        self._gain_db, self._held = gain, held
        return 10 ** (gains_db / 20), lengths

    def mix(self, voice_bytes: bytes | memoryview) -> bytes:
        """The takes' sound with the ducked soundtrack under it (see the class)."""
        data = self._carry + bytes(voice_bytes)
        whole = len(data) - len(data) % SAMPLE_BYTES
        self._carry = data[whole:]
        voice = np.frombuffer(data[:whole], np.int16).reshape(-1, 2)
        if not len(voice):
            return b""
        start_db = self._gain_db
        gains, lengths = self._block_gains(voice)
        if self.gains is not None:
            self.gains.extend(gains.tolist())
        starts = np.concatenate([[10 ** (start_db / 20)], gains[:-1]])
        block = np.repeat(np.arange(len(gains)), lengths)
        within = np.arange(len(voice)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        ramp = (within + 1) / np.repeat(lengths, lengths)
        per_sample = (starts[block] + (gains[block] - starts[block]) * ramp).astype(np.float32)
        mixed = voice.astype(np.float32)
        mixed += self._music(len(voice)).astype(np.float32) * per_sample[:, None]
        mixed *= np.float32(1 / 32768)
        return mixed.tobytes()

    def close(self) -> None:
        """Stop the soundtrack's decoder; raise if it failed before its sound ended."""
        if self._closed:
            return
        self._closed = True
        running = self._decoder.poll() is None
        if running:
            self._decoder.kill()  # the film is shorter than the soundtrack
        if self._decoder.stdout is not None:
            self._decoder.stdout.close()
        code = self._decoder.wait(timeout=60)
        self._errors.seek(0)
        message = self._errors.read().decode(errors="replace").strip()[-300:]
        self._errors.close()
        if not running and code != 0:
            raise RuntimeError(f"ffmpeg could not decode the soundtrack {self.path}: {message}")


class CutSound:
    """The cut's sound, encoded by a thread of its own while the pictures are.

    `sources` holds, per clip, the take whose sound plays there (None: silence);
    `soundtrack`, a file laid under the whole film (trimmed, or silence after its
    end), ducked under the takes' sound by `duck_db` dB (0: not ducked).
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
        duck_db: float = DUCK_DB,
    ) -> None:
        self.bounds = sample_bounds(frame_counts, fps)
        self.sources = list(sources)
        self.encoded = partial_path(out).with_suffix(".m4a")
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by remove())
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
        # with a soundtrack, the thread mixes it in and sends float samples (no clipping)
        self._ducker = Ducker(soundtrack, duck_db) if soundtrack is not None else None
        sample_format = "s16le" if self._ducker is None else "f32le"
        command += ["-f", sample_format, "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]
        command += [
            "-map",
            "0:a:0",
            "-c:a",
            "aac",
            "-b:a",
            "160k",
            "-y",
            "-f",
            "mp4",
            str(self.encoded),
        ]
        self._encoder = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
        )
        self._thread = threading.Thread(target=self._feed, name="cut sound", daemon=True)
        self._thread.start()

    def _write(self, data: bytes | memoryview) -> None:
        """Send a piece of the takes' sound (with the soundtrack mixed in, if any)."""
        assert self._encoder.stdin is not None
        self._encoder.stdin.write(data if self._ducker is None else self._ducker.mix(data))

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
                    self._write(memoryview(silence)[: min(CHUNK_BYTES, left)])
                    left -= min(CHUNK_BYTES, left)
            if self._ducker is not None:
                self._ducker.close()
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
                    self._write(data)
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
        if self._ducker is not None:
            with contextlib.suppress(RuntimeError, OSError):  # a stopped export: quietly
                self._ducker.close()
        if self._encoder.stdin is not None:
            with contextlib.suppress(OSError):  # a broken pipe to a killed ffmpeg
                self._encoder.stdin.close()
        self._errors.close()
        self.encoded.unlink(missing_ok=True)
