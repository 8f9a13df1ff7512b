"""The cut's sound: each take's own audio at its place in the cut, plus a film-wide soundtrack.

Sound is decoded to 48 kHz stereo PCM with the bundled ffmpeg, laid out
sample-exactly on the same running totals as the pictures (so it stays in
sync however many shots there are), mixed with the soundtrack if there is
one, and written as a WAV file for the cut's encoder.
"""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import ffmpeg_exe, probe_media

RATE = 48_000


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


def _fit(samples: np.ndarray, length: int) -> np.ndarray:
    """Trim or pad with silence to exactly `length` samples."""
    if len(samples) >= length:
        return samples[:length]
    return np.concatenate([samples, np.zeros((length - len(samples), 2), np.int16)])


def build_cut_audio(
    takes: Sequence[Path],
    frame_counts: Sequence[int],
    fps: int,
    out: Path,
    soundtrack: Path | None = None,
) -> bool:
    """Write the cut's sound to `out` (WAV). Returns False (nothing written) when silent."""
    pieces, done_frames, done_samples, heard = [], 0, 0, False
    for path, count in zip(takes, frame_counts, strict=True):
        done_frames += count
        end = round(done_frames / fps * RATE)
        sound = decode_audio(path)
        heard = heard or len(sound) > 0
        pieces.append(_fit(sound, end - done_samples))
        done_samples = end
    track = np.concatenate(pieces) if pieces else np.zeros((0, 2), np.int16)
    if soundtrack is not None:
        music = _fit(decode_audio(soundtrack), len(track))
        heard = heard or len(music) > 0
        track = np.clip(track.astype(np.int32) + music, -32768, 32767).astype(np.int16)
    if not heard:
        return False
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(track.tobytes())
    return True
