"""Spoken lines: the speech backend registry, the voice field, and a line placed in its take.

A shot with a line carries `options["speech"] = {"text", "speaker", "voice"}` in its render
request (tools/compiler.py); `write_take` (renderer/take_file.py) speaks it into the take's
sound, so the line is heard in the take and in the cut, at its place, under the subtitle.

Speech backends are registered like video backends (renderer/backend.py): a name, other
words for it, a class imported only when it is used, and a factory. Built in:

    espeak   eSpeak NG from the `espeakng-loader` wheel (the library and its voice data,
             no download, no model): offline, instant, robotic (renderer/speech_espeak.py)
    vits     a neural VITS / MMS-TTS model loaded with transformers from a folder on disk
             (renderer/speech_vits.py); never downloads

Third-party packages add one through the `storyreel.speech_backends` entry point group
(a zero-argument factory returning a `SpeechBackend`).

The voice field (a character's `voice`, copied into the request) chooses the backend and
the voice; `parse_voice` reads it:

    ""                        eSpeak, a stable voice of the character's own from its name
                              (a narrator voice when the line has no speaker)
    "espeak:en-gb+f3"         eSpeak, strictly: every word must be in its vocabulary
    "quiet, warm"             eSpeak, leniently: the words it knows are used, others ignored
    "vits:/models/mms-eng"    the neural voice from that folder ("mms:" says the same;
                              "vits:/models/x#3" picks speaker 3 of a multi-speaker model)
    "vits"                    the neural voice from the folder the settings name
                              (`models = {vits = "/models/mms-eng"}` in storyreel-gpu.toml)
    "/models/mms-eng"         a folder alone is a neural voice too

eSpeak's vocabulary is in renderer/speech_espeak.py (`VOCABULARY`).

A line in a take starts `LINE_LEAD_S` after the shot opens. A line that does not fit from
there starts earlier (down to the first frame); one longer than the shot is cut at the end
with a `FADE_S` fade and logged. Every line is levelled to the same loudness
(`LINE_RMS`, peaks under `LINE_PEAK`) and mixed over the request's own sound, if any.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import math
import os
import re
import secrets
import subprocess
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from storyreel.renderer.pace import LINE_LEAD_S, words_seconds
from storyreel.renderer.registry import Registry

log = logging.getLogger(__name__)

TAKE_RATE = 48_000
"""Sample rate of a take's sound track (the cut's rate, tools/cut_audio.RATE)."""
FADE_S = 0.08
"""A line cut at the end of its shot fades out over this long."""
LINE_RMS = 0.1
"""Loudness of every line: RMS of its voiced part (-20 dBFS)..."""
LINE_PEAK = 0.89
"""...with peaks no higher than this (-1 dBFS)."""
SILENCE_SHARE = 0.02
"""Samples under this share of a line's peak at its start and end are trimmed as silence."""


class VoiceUnavailable(RuntimeError):
    """A voice cannot speak here; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Voice:
    """One voice, read from a voice field: which backend speaks, and how.

    `spec` is the field without its backend prefix; `strict` says the field named its
    backend, so words the backend does not know are an error rather than ignored;
    `speaker` is the character speaking (None for a narrator) and `hint` the words that
    describe them (their description), which a backend may read for sex and age when
    the voice field does not say.
    """

    backend: str
    spec: str = ""
    strict: bool = False
    speaker: str | None = None
    hint: str = ""


@runtime_checkable
class SpeechBackend(Protocol):
    """A speaker: turns text into sound in a voice."""

    name: str

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """`text` spoken in `voice`: (float32 mono samples in [-1, 1], sample rate).

        Raises VoiceUnavailable (saying what is missing) when it cannot speak here, and
        ValueError for a voice it does not understand (strict voices only). The sound
        may have any level: it is levelled afterwards. A backend may also offer
        `loudness(voice) -> float`, the gain of its voice relative to every line."""


SpeechFactory = Callable[[], SpeechBackend]

_WARM: dict[str, SpeechBackend] = {}
_lock = threading.RLock()

SPEECH_BACKENDS = {
    "espeak": ("storyreel.renderer.speech_espeak", "EspeakBackend"),
    "vits": ("storyreel.renderer.speech_vits", "VitsBackend"),
}
"""The built-in speech backends: module and class, imported only when one is used."""

BUILTIN_SPEECH_ALIASES = {
    "espeak": ("espeak-ng", "espeakng", "espeak ng", "robot", "offline"),
    "vits": ("mms", "mms-tts", "neural"),
}
"""Other words people use for the built-in speech backends."""

DEFAULT_SPEECH_BACKEND = "espeak"
"""The backend of an empty voice field, or of words that name no backend."""


def _lazy_factory(name: str) -> SpeechFactory:
    def factory() -> SpeechBackend:
        module, attribute = SPEECH_BACKENDS[name]
        return getattr(importlib.import_module(module), attribute)()

    factory.__name__ = f"{name}_speech_factory"
    return factory


def _builtins(registry: Registry[SpeechBackend]) -> None:
    for name in SPEECH_BACKENDS:
        registry.register(name, _lazy_factory(name), BUILTIN_SPEECH_ALIASES[name])


SPEECH: Registry[SpeechBackend] = Registry("speech backend", "storyreel.speech_backends", _builtins)
"""The speech backends (renderer/registry.py, as for video): eSpeak, VITS and add-ons."""


def register_speech_backend(
    name: str, factory: SpeechFactory, aliases: tuple[str, ...] = ()
) -> None:
    """Make a speech backend available under `name` and each of `aliases` (a later
    registration replaces an earlier one, and its warm instance)."""
    with _lock:
        SPEECH.register(name, factory, aliases)
        _WARM.pop(name, None)


def speech_backend_names() -> list[str]:
    """Names of every registered speech backend, sorted."""
    return SPEECH.names()


def speech_backend_aliases() -> dict[str, str]:
    """Every word that names a speech backend (name or alias, lower case) -> its name."""
    return SPEECH.words()


def speech_backend_name(word: str) -> str:
    """The speech backend `word` stands for (a name or an alias, any case), or a
    ValueError listing the known ones."""
    return SPEECH.name(word)


def speech_backend(name: str) -> SpeechBackend:
    """The warm instance of speech backend `name` (made on first use, kept per process)."""
    name = speech_backend_name(name)
    with _lock:
        if name not in _WARM:
            _WARM[name] = SPEECH.factories[name]()
        return _WARM[name]


def parse_voice(voice: str, speaker: str | None = None, hint: str = "") -> Voice:
    """The `Voice` a voice field asks for (the module docstring lists the forms)."""
    field = (voice or "").strip()
    words = speech_backend_aliases()
    prefix, colon, rest = field.partition(":")
    if colon and prefix.strip().lower() in words:  # "espeak:en-us", "vits:/models/x"
        return Voice(words[prefix.strip().lower()], rest.strip(), True, speaker, hint)
    if field.lower() in words:  # "vits" alone: the folder the settings name
        return Voice(words[field.lower()], "", True, speaker, hint)
    if field.startswith(("/", "./", "../", "~")) or (field and Path(field).is_dir()):
        return Voice("vits", field, True, speaker, hint)
    return Voice(DEFAULT_SPEECH_BACKEND, field, False, speaker, hint)


def speech_voice(speech: dict[str, Any], hint: str = "") -> Voice:
    """The voice of a request's options["speech"] (`hint`: the speaker's description)."""
    return parse_voice(str(speech.get("voice") or ""), speech.get("speaker") or None, hint)


def synthesize(speech: dict[str, Any], hint: str = "") -> tuple[np.ndarray, int]:
    """Speak options["speech"] ({"text", "speaker", "voice"}): (float32 mono, rate).

    The sound is trimmed of silence at both ends and levelled (`level`); its length is
    remembered for `line_seconds`. Raises VoiceUnavailable or ValueError (see
    `SpeechBackend.synthesize`).
    """
    text = clean_text(str(speech.get("text") or ""))
    if not text:
        return np.zeros(0, np.float32), TAKE_RATE
    voice = speech_voice(speech, hint)
    backend = speech_backend(voice.backend)
    samples, rate = backend.synthesize(text, voice)
    loudness = getattr(backend, "loudness", None)
    gain = float(loudness(voice)) if loudness is not None else 1.0
    samples = level(trim_silence(np.asarray(samples, np.float32).reshape(-1), rate), gain)
    with _lock:
        _LENGTHS[_length_key(text, voice)] = len(samples) / rate
    return samples, rate


MAX_SPOKEN_WORDS = 400
"""A line of more words (over two minutes) is longer than any shot: its length is the
words rule of thumb, not spoken to measure it."""
FASTEST_WORDS_PER_SECOND = 5.0
"""Faster than any voice speaks: a take speaks at most the shot's length times this many
words of its line (the rest could not be heard before the cut anyway)."""


def clean_text(text: str) -> str:
    """A line as a voice reads it: one line, no control characters, no stage directions
    in brackets ("(softly) Come in." says "Come in.")."""
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """`samples` without the near-silence at both ends (under `SILENCE_SHARE` of the peak),
    keeping 10 ms either side."""
    if not len(samples):
        return samples
    peak = float(np.abs(samples).max())
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) >= peak * SILENCE_SHARE)
    pad = int(0.01 * rate)
    return samples[max(0, loud[0] - pad) : loud[-1] + 1 + pad]


def level(samples: np.ndarray, gain: float = 1.0) -> np.ndarray:
    """`samples` at the loudness of every line (`LINE_RMS` over its voiced part, peaks at
    most `LINE_PEAK`), times `gain` (a "quiet" voice is quieter)."""
    if not len(samples):
        return samples.astype(np.float32)
    magnitude = np.abs(samples)
    peak = float(magnitude.max())
    if peak <= 0:
        return samples.astype(np.float32)
    voiced = samples[magnitude >= peak * 0.05]
    rms = float(np.sqrt(np.mean(voiced.astype(np.float64) ** 2))) or peak
    scale = min(LINE_RMS / rms, LINE_PEAK / peak) * gain
    return (samples * scale).astype(np.float32)


# --- how long a line takes ------------------------------------------------------------

_LENGTHS: dict[tuple[str, str, str | None, str, str], float] = {}


def _length_key(text: str, voice: Voice) -> tuple[str, str, str | None, str, str]:
    return (voice.backend, voice.spec, voice.speaker, voice.hint, text)


def line_seconds(text: str, voice: str = "", speaker: str | None = None, hint: str = "") -> float:
    """How long `text` takes to say in the voice field `voice` (seconds of sound).

    Measured, not guessed, where it is cheap: an eSpeak line is synthesized (a few ms,
    remembered per text and voice). A neural voice is not loaded for this: its length
    is the one measured when the line was last spoken in this process, else the
    eSpeak length of the line (a planning estimate). With no voice available at all
    (eSpeak not installed), the words rule of thumb (`words_seconds`).
    """
    text = clean_text(text)
    if not text:
        return 0.0
    if len(text.split()) > MAX_SPOKEN_WORDS:  # longer than any shot: not worth speaking
        return words_seconds(text)
    chosen = parse_voice(voice, speaker, hint)
    with _lock:
        known = _LENGTHS.get(_length_key(text, chosen))
    if known is not None:
        return known
    if chosen.backend != "espeak":  # not loaded for planning: eSpeak's length instead
        voice = ""
        with _lock:
            known = _LENGTHS.get(_length_key(text, parse_voice(voice, speaker, hint)))
        if known is not None:
            return known
    try:
        samples, rate = synthesize({"text": text, "speaker": speaker, "voice": voice}, hint)
    except (VoiceUnavailable, ValueError) as error:
        log.debug("line length estimated from its words: %s", error)
        return words_seconds(text)
    return len(samples) / rate


# --- a line in its take ---------------------------------------------------------------


@dataclass
class PlacedLine:
    """A line placed in a take: its sound at `TAKE_RATE` (the take's length), where it
    starts and ends (seconds), how long it is spoken, and whether it was cut short."""

    samples: np.ndarray
    start_s: float
    end_s: float
    spoken_s: float
    cut: bool


def resample(samples: np.ndarray, rate: int, target: int = TAKE_RATE) -> np.ndarray:
    """`samples` at `target` Hz (linear interpolation: speech is upsampled to the take's
    rate, so nothing aliases; a rare downsampling is smoothed first)."""
    if rate == target or not len(samples):
        return samples.astype(np.float32)
    if target < rate:
        width = max(1, round(rate / target))
        samples = np.convolve(samples, np.ones(width) / width, mode="same")
    count = max(1, round(len(samples) * target / rate))
    positions = np.arange(count) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def place_line(samples: np.ndarray, rate: int, duration_s: float) -> PlacedLine:
    """A line's sound placed in a take of `duration_s`: from `LINE_LEAD_S` in when it fits,
    earlier when that makes it fit, else from the first frame and cut at the last one
    with a `FADE_S` fade."""
    line = resample(samples, rate)
    total = max(1, round(duration_s * TAKE_RATE))
    spoken = len(line) / TAKE_RATE
    start = min(LINE_LEAD_S, max(0.0, duration_s - spoken))
    first = round(start * TAKE_RATE)
    cut = first + len(line) > total
    if cut:
        line = line[: total - first].copy()
        fade = min(len(line), round(FADE_S * TAKE_RATE))
        if fade:
            line[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    track = np.zeros(total, np.float32)
    track[first : first + len(line)] = line
    return PlacedLine(track, start, start + len(line) / TAKE_RATE, spoken, cut)


def speaker_hint(options: dict[str, Any]) -> str:
    """The description of the line's speaker, where the request stages its people
    (options["previz"]["subjects"]); "" otherwise."""
    speaker = (options.get("speech") or {}).get("speaker")
    subjects = (options.get("previz") or {}).get("subjects") or []
    for subject in subjects:
        if isinstance(subject, dict) and speaker and subject.get("name") == speaker:
            return str(subject.get("description") or "")
    return ""


def read_sound(path: Path, duration_s: float) -> np.ndarray:
    """The sound of a file as (samples, 2) float32 at `TAKE_RATE`, cut or padded with
    silence to `duration_s` (a file without sound gives silence)."""
    from storyreel.renderer.video_io import ffmpeg_exe

    total = max(1, round(duration_s * TAKE_RATE))
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn"]
    command += ["-f", "s16le", "-ac", "2", "-ar", str(TAKE_RATE), "-"]
    result = subprocess.run(command, capture_output=True, timeout=600)
    if result.returncode != 0 and b"does not contain any stream" not in result.stderr:
        raise ValueError(f"could not read the sound of {path}: {result.stderr.decode()[-300:]}")
    sound = np.frombuffer(result.stdout, np.int16).reshape(-1, 2).astype(np.float32) / 32768
    out = np.zeros((total, 2), np.float32)
    out[: min(total, len(sound))] = sound[:total]
    return out


def write_wav(path: Path, sound: np.ndarray) -> None:
    """Write (samples, 2) float32 in [-1, 1] as a 16-bit stereo WAV at `TAKE_RATE`."""
    pcm = (np.clip(sound, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(TAKE_RATE)
        handle.writeframes(pcm.tobytes())


def take_sound(
    speech: dict[str, Any],
    duration_s: float,
    folder: Path,
    name: str,
    audio: Path | None = None,
    hint: str = "",
) -> tuple[Path, PlacedLine]:
    """Speak a take's line and write the take's sound track as a WAV in `folder`: the line
    in its place (`place_line`), over `audio` (the request's own sound) when given.

    The WAV is named like a partial file of this process (`.NAME-voice.PID-RANDOM.partial
    .wav`), so one left by a killed process is swept with the take's partials; the caller
    removes it after encoding. A line cut short is logged as a warning.
    """
    started = _clock()
    words = clean_text(str(speech.get("text") or "")).split()
    fits = int(duration_s * FASTEST_WORDS_PER_SECOND) + 1
    if len(words) > fits:  # what no voice could say in the shot is not spoken at all
        speech = {**speech, "text": " ".join(words[:fits])}
    samples, rate = synthesize(speech, hint)
    placed = place_line(samples, rate, duration_s)
    if placed.cut:
        log.warning(
            "the line %r takes %.1f s spoken but its shot lasts %g s: it is cut at the end",
            speech.get("text"),
            placed.spoken_s,
            round(duration_s, 2),
        )
    sound = placed.samples[:, None].repeat(2, axis=1)
    if audio is not None:
        sound = sound + read_sound(audio, duration_s)
        peak = float(np.abs(sound).max())
        if peak > 1.0:  # the bed and the line together would clip: lower both
            sound /= peak
    path = folder / f".{name}-voice.{os.getpid()}-{secrets.token_hex(4)}.partial.wav"
    write_wav(path, sound)
    log.debug("spoke %r in %.3f s", speech.get("text"), _clock() - started)
    return path, placed


def _clock() -> float:
    import time

    return time.perf_counter()


def stable_number(*parts: str) -> int:
    """A number that depends only on `parts` (the same in every process and run)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def ceil_half(seconds: float) -> float:
    """`seconds` rounded up to the next half second."""
    return math.ceil(seconds * 2 - 1e-9) / 2
