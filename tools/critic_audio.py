"""The critic listens: weight-free checks of a take's sound (NumPy only).

A take whose shot has a spoken line carries it in `take.params["options"]["speech"]`
(`{"text", "speaker", "voice"}`) and in its file's audio track; a take may also carry a
slice of the film's soundtrack. Three checks, each a `Finding` in the critic's words:

1. a line that should be heard is not silent (`silent_line`, an error: a retake);
2. the line fits its shot: it is not cut off by the end of the take (`line_cut_off`, a
   warning that says how long the shot should be: a retake of the same length would cut
   it off again, the fix is a longer shot);
3. the sound does not clip (`sound_clipped`, a warning).

A take without a line and without sound gets no findings; a take with sound but no line
gets only the clipping check. The sound is decoded once (`tools.cut_audio.decode_audio`,
48 kHz, 16-bit stereo: about 11.5 MB for the longest 60 s take) and measured in chunks,
so no float copy of the whole take is made. Thresholds are the named constants below;
CALIBRATION.md records them with the critic's other checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.renderer.pace import LINE_PAUSE_S, words_seconds
from storyreel.tools.story import Finding, FindingKind, Take

# --- thresholds -----------------------------------------------------------------------------

RATE = 48_000
"""Samples per second of the decoded sound (`tools.cut_audio.decode_audio`)."""
FULL_SCALE = 32_768.0
"""dBFS are measured against this: a full-scale square wave is 0 dBFS, a full-scale sine -3."""
WINDOW_S = 0.05
"""Levels are RMS over 50 ms windows (both channels): long enough to hold a few periods of
the lowest voices (~80 Hz), short enough to see the pause between two words."""
SILENT_BELOW_DBFS = -45.0
"""A line is silent when every 50 ms window stays below -45 dBFS. Speech is read at about
-20 dBFS (EBU R 128's -23 LUFS programme level; a TTS voice peaks near -10), a quiet room tone
at -60 and below, AAC's own noise on digital silence under -90: -45 sits 25 dB under the
voice and 15 dB over a quiet room, so a whisper still counts as heard and hiss does not."""
ACTIVE_ABOVE_QUIET_DB = 15.0
"""A window is *active* (a voice or another sound is there) when it is at least 15 dB over
the take's quiet level and over `SILENT_BELOW_DBFS`. Speech over silence clears that by far;
dialogue mixed over a music bed sits 15-20 dB above the ducked bed (the bed is the quiet
level), while a bed's own swells over a few seconds stay under 15 dB, so music alone does
not read as a voice."""
QUIET_PERCENTILE = 10.0
"""The take's quiet level: the 10th percentile of its window levels (the pauses, the bed
before the line starts at ~0.25 s). A low percentile rather than the minimum, so one
dropout does not make everything else look loud."""
QUIET_FLOOR_DBFS = -100.0
"""Digital silence has no level (-inf dB): quiet levels are counted from -100 dBFS at least."""
TAIL_S = 0.08
"""The end of the take listened to for a line running off the end: the last 80 ms (two
frames at 24 fps; a word's last syllable lasts 100-200 ms, a fade-out padding ends silent)."""
TAIL_PART_S = 0.02
"""The tail's level is its loudest 20 ms: a line cut by the end of its shot is faded out
over the last 80 ms (renderer/speech.py `FADE_S`), which takes ~5 dB off the tail's mean
but only ~1 dB off its first 20 ms (measured on the demo's shot 4 cut to 1.5 s: mean -40,
loudest part -37 dBFS)."""
VOICE_BEFORE_S = 0.3
"""…and the voice must have been active just before it: in at least half of the 50 ms
windows of the 300 ms before the tail (speech pauses between words last ~100-200 ms).
A click or a door slam in the last frames alone is not a line running off the end."""
VOICE_BEFORE_SHARE = 0.5
LINE_BREATH_S = LINE_PAUSE_S
"""The pause a suggested shot length leaves after the line."""
NEAR_FULL_SCALE = 32_766
"""A sample is at full scale when |x| >= 32766, within 1 LSB of 32767. What the check sees is
the decoded AAC: sound mixed past full scale in floating point (voice and music summed without
normalising) is carried by AAC and clamped by the decoder into flat runs here. A source
already clipped to 16 bits before encoding is not: AAC rounds its flat tops off to ripples
near -0.5 dBFS (measured: a 220 Hz sine clipped at twice full scale decodes with 9 samples
at full scale and no run), so such a take is missed."""
CLIP_MIN_RUN = 3
"""Clipping is a run of at least 3 consecutive samples at full scale in one channel: a clean
full-scale peak touches it for one or two samples, a clipped wave stays there."""
CLIP_MAX_SHARE = 0.001
"""…or more than 0.1 % of all samples at full scale, in runs or not (a limiter's gritty
edge); below that an odd peak is inaudible."""
LINE_WORDS_SHOWN = 48
"""How much of a line's text the findings quote (characters)."""


@dataclass(frozen=True)
class Line:
    """The spoken line a take carries (`take.params["options"]["speech"]`)."""

    text: str
    speaker: str = ""
    voice: str = ""


def line_of(take: Take) -> Line | None:
    """The line `take` should speak, or None: no `speech` option, or one without text."""
    options = take.params.get("options")
    speech = options.get("speech") if isinstance(options, Mapping) else None
    if not isinstance(speech, Mapping):
        return None
    text = str(speech.get("text") or "").strip()
    if not text:
        return None
    return Line(text, str(speech.get("speaker") or ""), str(speech.get("voice") or ""))


@dataclass(frozen=True)
class SoundLevels:
    """What the checks need from a take's sound.

    `levels` is the RMS of every whole 50 ms window (both channels) in dBFS (-inf for
    digital silence); `tail_dbfs` the RMS of the loudest `TAIL_PART_S` of the last
    `TAIL_S`; `samples` the length in samples; the clipping numbers count both channels'
    samples at full scale (`near_full`), those in runs of `CLIP_MIN_RUN` or more
    (`clip_runs`; `first_clip` and `last_clip`: where the first run starts and the last
    one ends, in samples, or None).
    """

    samples: int
    levels: np.ndarray
    tail_dbfs: float
    near_full: int
    clip_runs: int
    first_clip: int | None
    last_clip: int | None

    @property
    def seconds(self) -> float:
        return self.samples / RATE

    @property
    def loudest_dbfs(self) -> float:
        return float(self.levels.max()) if self.levels.size else -math.inf

    @property
    def quiet_dbfs(self) -> float:
        """The take's quiet level (`QUIET_PERCENTILE` of the windows, floored)."""
        if not self.levels.size:
            return QUIET_FLOOR_DBFS
        floored = np.maximum(self.levels, QUIET_FLOOR_DBFS)
        return float(np.percentile(floored, QUIET_PERCENTILE))

    def active(self) -> np.ndarray:
        """Which windows hold a voice or another sound (`ACTIVE_ABOVE_QUIET_DB`)."""
        bar = max(self.quiet_dbfs + ACTIVE_ABOVE_QUIET_DB, SILENT_BELOW_DBFS)
        return self.levels >= bar


def _dbfs(mean_square: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(mean_square, np.float64) / FULL_SCALE**2)


def _runs(near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of the runs of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate(([0], near.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def measure_sound(samples: np.ndarray, chunk_s: float = 1.0) -> SoundLevels:
    """Levels and clipping of (n, channels) int16 samples at `RATE`.

    Levels are computed a chunk of whole windows at a time (so no float copy of the whole
    take is made, and they are the same however it is chunked); clipping on one boolean
    mask per channel (one byte a sample).
    """
    samples = samples.reshape(len(samples), -1)
    channels = samples.shape[1]
    window = round(WINDOW_S * RATE)
    chunk = max(1, round(chunk_s / WINDOW_S)) * window
    total = len(samples)
    levels: list[np.ndarray] = []
    for start in range(0, total // window * window, chunk):
        part = samples[start : min(start + chunk, total // window * window)]
        squares = part.astype(np.float32) ** 2
        levels.append(_dbfs(squares.reshape(-1, window * channels).mean(axis=1)))
    near_full = runs = 0
    first = last = None
    for channel in range(channels):
        column = samples[:, channel]
        near = (column >= NEAR_FULL_SCALE) | (column <= -NEAR_FULL_SCALE)
        near_full += int(near.sum())
        starts, lengths = _runs(near)
        long = lengths >= CLIP_MIN_RUN
        runs += int(long.sum())
        if long.any():
            begin, finish = int(starts[long][0]), int((starts + lengths)[long][-1])
            first = begin if first is None else min(first, begin)
            last = finish if last is None else max(last, finish)
    part = round(TAIL_PART_S * RATE)
    tail = samples[max(0, total - round(TAIL_S * RATE)) :].astype(np.float32)
    if len(tail) >= part:
        squares = (tail[: len(tail) // part * part] ** 2).reshape(-1, part * channels)
        tail_dbfs = float(_dbfs(squares.mean(axis=1).max()))
    else:
        tail_dbfs = float(_dbfs(np.mean(tail**2))) if len(tail) else -math.inf
    return SoundLevels(
        samples=total,
        levels=np.concatenate(levels) if levels else np.zeros(0),
        tail_dbfs=tail_dbfs,
        near_full=near_full,
        clip_runs=runs,
        first_clip=first,
        last_clip=last,
    )


def _quoted(line: Line) -> str:
    text = line.text if len(line.text) <= LINE_WORDS_SHOWN else line.text[:LINE_WORDS_SHOWN] + "…"
    return f'"{text}"' + (f" ({line.speaker})" if line.speaker else "")


def _frame(sample: int, fps: float | None) -> int | None:
    return int(sample / RATE * fps) if fps else None


def silent_line(
    line: Line, sound: SoundLevels | None, label: str, fps: float | None = None
) -> Finding | None:
    """`silent_line` when the take has a line but no sound, or every window of it is under
    `SILENT_BELOW_DBFS`; None when the line can be heard."""
    who = f"{label}'s line {_quoted(line)}"
    if sound is None or sound.samples == 0:
        message = f"{who} cannot be heard: the take has no sound."
    elif sound.loudest_dbfs < SILENT_BELOW_DBFS:
        loudest = (
            "digital silence"
            if sound.loudest_dbfs == -math.inf
            else (f"its loudest moment is {sound.loudest_dbfs:.0f} dBFS")
        )
        message = (
            f"{who} cannot be heard: the take's sound is silent ({loudest}, "
            f"under {SILENT_BELOW_DBFS:.0f} dBFS)."
        )
    else:
        return None
    last = _frame(sound.samples, fps) if sound and sound.samples else None
    return Finding(
        kind=FindingKind.SILENT_LINE,
        severity="error",
        frame_start=0 if last is not None else None,
        frame_end=max(0, last - 1) if last is not None else None,
        message=message,
    )


def spoken_seconds(text: str) -> float:
    """How long the words of a line take to say (the script supervisor's pace)."""
    return words_seconds(text)


def line_cut_off(
    line: Line, sound: SoundLevels, label: str, fps: float | None = None
) -> Finding | None:
    """`line_cut_off` when the line runs off the end of the take: the last `TAIL_S` (its
    loudest `TAIL_PART_S`) is `ACTIVE_ABOVE_QUIET_DB` over the quiet level (and over the
    silence floor), and the voice was active in at least `VOICE_BEFORE_SHARE` of the
    windows `VOICE_BEFORE_S` before it.

    The message gives where the voice starts, how much of the line was heard, the length
    the words need (`spoken_seconds`) and a shot length that would hold them: voice start
    + the longer of (heard + `LINE_BREATH_S`) and the words' length, rounded up to 0.5 s.
    """
    active = sound.active()
    window = WINDOW_S
    bar = max(sound.quiet_dbfs + ACTIVE_ABOVE_QUIET_DB, SILENT_BELOW_DBFS)
    if sound.tail_dbfs < bar:
        return None
    end = (sound.samples - round(TAIL_S * RATE)) / RATE
    first, stop = max(0, int((end - VOICE_BEFORE_S) / window)), int(end / window)
    before = active[first:stop]
    if not before.size or before.mean() < VOICE_BEFORE_SHARE:
        return None
    onset = float(np.argmax(active)) * window
    length = sound.seconds
    heard = length - onset
    words = spoken_seconds(line.text)
    needed = math.ceil((onset + max(heard + LINE_BREATH_S, words)) * 2) / 2
    said = f"; its words take about {words:.1f} s to say" if words > heard else ""
    message = (
        f"{label}'s line {_quoted(line)} does not fit: the voice starts at {onset:.1f} s and "
        f"is still speaking when the take ends at {length:.1f} s, so the line runs longer "
        f"than {heard:.1f} s{said}. The fix is a longer shot (about {needed:g} s), "
        "not another take."
    )
    last = _frame(sound.samples, fps)
    return Finding(
        kind=FindingKind.LINE_CUT_OFF,
        severity="warning",
        frame_start=_frame(round(end * RATE), fps),
        frame_end=max(0, last - 1) if last is not None else None,
        message=message,
    )


def sound_clipped(sound: SoundLevels, label: str, fps: float | None = None) -> Finding | None:
    """`sound_clipped` when a run of `CLIP_MIN_RUN` samples sits at full scale, or more than
    `CLIP_MAX_SHARE` of the samples do."""
    share = sound.near_full / max(1, sound.samples * 2)
    if sound.clip_runs == 0 and share <= CLIP_MAX_SHARE:
        return None
    first = sound.first_clip
    where = f" from {first / RATE:.1f} s" if first is not None else ""
    runs = f"{sound.clip_runs} time{'s' if sound.clip_runs != 1 else ''}" if sound.clip_runs else ""
    how = runs or f"on {share:.1%} of its samples"
    return Finding(
        kind=FindingKind.SOUND_CLIPPED,
        severity="warning",
        frame_start=_frame(first, fps) if first is not None else None,
        frame_end=_frame(sound.last_clip, fps) if sound.last_clip is not None else None,
        message=f"{label}'s sound clips (hits full scale {how}{where}): it will crackle; "
        "the voice or the music should be quieter.",
    )


def sound_findings(
    path: Path, line: Line | None, label: str = "This shot", fps: float | None = None
) -> list[Finding]:
    """The sound checks of one take file: `line` is what it should say (None: no line).

    No line and no sound: nothing to check. A file whose sound cannot be decoded counts as
    having none (the picture checks report an unreadable file).
    """
    from storyreel.renderer.video_io import media_header
    from storyreel.tools.cut_audio import decode_audio

    try:
        has_sound = media_header(Path(path)).has_audio
        samples = decode_audio(Path(path)) if has_sound else None
    except (ValueError, OSError):
        samples = None
    sound = measure_sound(samples) if samples is not None and len(samples) else None
    findings: list[Finding | None] = []
    if line is not None:
        silent = silent_line(line, sound, label, fps)
        findings.append(silent)
        if silent is None and sound is not None:
            findings.append(line_cut_off(line, sound, label, fps))
    if sound is not None:
        findings.append(sound_clipped(sound, label, fps))
    return [f for f in findings if f is not None]


def take_sound_findings(path: Path, take: Take, label: str) -> list[Finding]:
    """`sound_findings` of a take of the project: its line from its options, its frame rate."""
    return sound_findings(path, line_of(take), label, take.fps or None)
