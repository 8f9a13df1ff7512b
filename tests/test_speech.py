"""Spoken lines: the speech backends, the voice field, a line in its take at the right time
(loud in its window, silent outside, measured on the take's decoded sound), and the script
supervisor's note when a line does not fit its shot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyreel.renderer import speech
from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import RenderRequest
from storyreel.renderer.speech_espeak import espeak_settings
from storyreel.renderer.speech_vits import VitsBackend
from storyreel.tools.cut_audio import decode_audio
from storyreel.tools.edits import EditContext, apply_edits
from storyreel.tools.supervisor import supervise
from tests.supervisor_plans import build, shot

pytest.importorskip("espeakng_loader")

LINE = "This came for you. It's from the lighthouse."
WINDOW_S = 0.05
RATE = 48_000


def spoken(text: str = LINE, speaker: str | None = "Tom", voice: str = "") -> dict[str, Any]:
    return {"text": text, "speaker": speaker, "voice": voice}


def window_rms(path: Path) -> np.ndarray:
    """RMS of the take's sound (left channel, -1..1) in each 50 ms window."""
    sound = decode_audio(path)[:, 0].astype(np.float64) / 32768
    width = round(WINDOW_S * RATE)
    count = len(sound) // width
    return np.sqrt((sound[: count * width].reshape(count, width) ** 2).mean(axis=1))


def pitch_hz(sound: tuple[np.ndarray, int]) -> float:
    """The median pitch of a voice (autocorrelation of its loud 40 ms frames, 60-400 Hz)."""
    samples, rate = sound
    size = round(0.04 * rate)
    frames = samples[: len(samples) // size * size].reshape(-1, size).astype(np.float64)
    loud = frames[np.sqrt((frames**2).mean(axis=1)) > 0.3 * np.abs(samples).max() / 2]
    shortest, longest = rate // 400, rate // 60
    found = []
    for frame in loud:
        frame = frame - frame.mean()
        correlation = np.correlate(frame, frame, "full")[size - 1 :]
        found.append(rate / (shortest + np.argmax(correlation[shortest:longest])))
    return float(np.median(found))


def take(folder: Path, line: dict[str, Any], seconds: float = 4.0) -> Path:
    """A small previz take of `seconds` with `line` spoken in it."""
    request = RenderRequest(
        prompt="a shot",
        width=128,
        height=72,
        frames=round(seconds * 24),
        fps=24,
        options={
            "previz": {"time_of_day": "noon", "key_light": "front", "subtitle": line["text"]},
            "speech": line,
        },
    )
    made = RenderExecutor().make_take("previz", request, folder / "take.mp4")
    assert made.frames == request.frames
    assert sorted(p.name for p in folder.iterdir()) == ["take.mp4"]  # the WAV is gone
    return made.path


def assert_heard_in_its_window(path: Path, line: dict[str, Any]) -> None:
    """Loud while the line is spoken (from 0.25 s for its length), near-silent outside."""
    samples, rate = speech.synthesize(line)
    start, end = speech.LINE_LEAD_S, speech.LINE_LEAD_S + len(samples) / rate
    rms = window_rms(path)
    times = np.arange(len(rms)) * WINDOW_S
    inside = rms[(times >= start) & (times + WINDOW_S <= end)]
    outside = rms[(times + WINDOW_S <= start - 0.02) | (times >= end + 0.05)]
    assert len(inside) >= 10 and len(outside) >= 10
    assert np.mean(inside > 0.01) >= 0.7, inside.round(3)  # speech has short gaps
    assert inside.max() > 0.05
    assert outside.max() < 0.003, outside.round(4)


def test_espeak_speaks_a_line_of_a_plausible_length() -> None:
    samples, rate = speech.synthesize(spoken())
    assert samples.dtype == np.float32 and samples.ndim == 1 and rate == 22_050
    seconds = len(samples) / rate
    assert 1.5 < seconds < 4.5  # eight words
    assert np.sqrt(np.mean(samples**2)) > 0.03 and np.abs(samples).max() <= speech.LINE_PEAK
    assert speech.line_seconds(LINE, "", "Tom") == pytest.approx(seconds)


def test_two_characters_with_empty_voices_sound_different() -> None:
    mara, tom = (speech.parse_voice("", name) for name in ("Mara", "Tom"))
    assert espeak_settings(mara) != espeak_settings(tom)
    assert espeak_settings(mara) == espeak_settings(speech.parse_voice("", "Mara"))  # stable

    # as in the demo: the voice fields empty, the descriptions say who is a woman
    described = {"Mara": "a woman in her thirties", "Tom": "an old fisherman"}
    low, high = sorted(
        pitch_hz(speech.synthesize(spoken(speaker=n), d)) for n, d in described.items()
    )
    assert low > 60 and high > low * 1.5, (low, high)
    # two people of one sex (described alike) still differ in pitch, pace or melody
    ines, sami = (speech.parse_voice("", n, "a man") for n in ("Ines", "Sami"))
    assert espeak_settings(ines) != espeak_settings(sami)
    narrator = speech.parse_voice("", None)
    assert espeak_settings(narrator) not in (espeak_settings(mara), espeak_settings(tom))


def test_the_voice_field_chooses_backend_and_voice() -> None:
    assert {"espeak", "vits"} <= set(speech.speech_backend_names())
    assert speech.speech_backend_name("MMS") == "vits"
    assert speech.parse_voice("vits:/models/x").backend == "vits"
    assert speech.parse_voice("espeak:en-gb+f3") == speech.Voice("espeak", "en-gb+f3", True)
    settings = espeak_settings(speech.parse_voice("espeak:en-gb+f3"))
    assert (settings.language, settings.variant) == ("en", "f3")
    described = speech.parse_voice("low, gravelly, a voice like the sea", "Tom", "an old man")
    assert espeak_settings(described).pitch < 30 and espeak_settings(described).variant == "croak"
    woman = espeak_settings(speech.parse_voice("quiet, warm", "Mara", "a woman in her thirties"))
    assert woman.variant.startswith("f") and woman.gain < 1
    with pytest.raises(ValueError, match="does not know: purple"):
        speech.synthesize(spoken(voice="espeak:purple"))


def test_a_previz_take_speaks_its_line_in_its_window(tmp_path: Path) -> None:
    line = spoken(voice="low, gravelly")
    assert_heard_in_its_window(take(tmp_path, line), line)


def test_a_tiny_vits_voice_saved_and_loaded_from_a_folder_speaks_in_its_window(
    tmp_path: Path,
) -> None:
    folder = VitsBackend.build_tiny(tmp_path / "voice")
    line = spoken(voice=f"vits:{folder}")
    samples, rate = speech.synthesize(line)
    assert rate == 16_000 and 0.5 < len(samples) / rate < 3.5
    assert np.array_equal(samples, speech.synthesize(line)[0])  # the same every time
    (tmp_path / "take").mkdir()
    assert_heard_in_its_window(take(tmp_path / "take", line), line)


def test_a_missing_model_folder_says_what_is_missing_and_how_to_get_it(tmp_path: Path) -> None:
    missing = tmp_path / "mms-tts-eng"
    with pytest.raises(speech.VoiceUnavailable) as caught:
        speech.synthesize(spoken(voice=f"vits:{missing}"))
    message = str(caught.value)
    assert str(missing) in message and "save_pretrained" in message and "espeak" in message
    (tmp_path / "takes").mkdir()
    with pytest.raises(speech.VoiceUnavailable):  # the take fails; nothing is left behind
        take(tmp_path / "takes", spoken(voice=f"vits:{missing}"))
    assert list((tmp_path / "takes").iterdir()) == []
    missing.mkdir()
    with pytest.raises(speech.VoiceUnavailable, match=r"config\.json, vocab\.json"):
        speech.synthesize(spoken(voice=f"vits:{missing}"))


def test_a_line_longer_than_its_shot_is_cut_with_a_fade() -> None:
    rate = 22_050
    line = np.full(rate * 3, 0.5, np.float32)  # 3 s of sound in a 2 s shot
    placed = speech.place_line(line, rate, 2.0)
    assert placed.cut and placed.start_s == 0 and placed.end_s == pytest.approx(2.0)
    assert len(placed.samples) == 2 * RATE and abs(placed.samples[-1]) < 0.01
    fits = speech.place_line(line[: rate // 2], rate, 2.0)  # half a second: 0.25 s in
    assert not fits.cut and fits.start_s == speech.LINE_LEAD_S
    assert np.all(fits.samples[: round(0.24 * RATE)] == 0)


def test_the_supervisor_says_when_a_spoken_line_does_not_fit_its_shot() -> None:
    words = "We sail at dawn when the tide turns, not before, and not after."
    seconds = speech.line_seconds(words, "", "Tom", "an old fisherman")  # Tom's own voice
    tight = build([
        shot("Tom speaks", size="MCU", characters=["Tom"], duration_s=2, dialogue=words,
             dialogue_speaker="Tom"),
    ])  # fmt: skip
    (note,) = supervise(tight)
    assert note.check == "dialogue_time"
    assert note.message.startswith(f"Shot 1's line takes about {seconds:.1f} s spoken; the shot ")
    (fix,) = note.fix
    assert fix.duration_s >= seconds + speech.LINE_LEAD_S and fix.duration_s % 0.5 == 0
    assert f"make it at least {fix.duration_s:g} s" in note.message
    counter = iter(range(100, 200))
    fixed, _ = apply_edits(tight, note.fix, EditContext(lambda: next(counter), lambda _id: ()))
    assert supervise(fixed) == []
    roomy = build([
        shot("Tom speaks", size="MCU", characters=["Tom"], duration_s=seconds + 0.5,
             dialogue=words, dialogue_speaker="Tom"),
    ])  # fmt: skip
    assert supervise(roomy) == []
