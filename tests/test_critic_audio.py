"""The critic listens (tools/critic_audio.py): take files made here from NumPy frames and WAV
sound, encoded as a render encodes them (H.264 + AAC), then checked as the critic does."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from storyreel.renderer.video_io import VideoWriter
from storyreel.tools.critic import Expectation, critique_video, verdict_sentence
from storyreel.tools.critic_audio import (
    RATE,
    Line,
    line_of,
    measure_sound,
    sound_findings,
)
from storyreel.tools.story import Take
from tests.render_helpers import small_demo

FPS = 12
LINE = Line("Where were you last night?", "Mara", "en-gb")


def _wav(path: Path, mono: np.ndarray, float32: bool = False) -> Path:
    """A stereo WAV at 48 kHz: 16-bit PCM, or 32-bit float (which can go past full scale)."""
    kind, width = (3, 4) if float32 else (1, 2)
    sound = np.asarray(mono, "<f4" if float32 else "<i2")
    data = np.repeat(sound[:, None], 2, axis=1).tobytes()
    fmt = struct.pack("<HHIIHH", kind, 2, RATE, RATE * 2 * width, 2 * width, 8 * width)
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def _take(path: Path, sound: np.ndarray | None, seconds: float = 1.0, **wav: bool) -> Path:
    """A take file of `seconds` at 12 fps, 64x36, with `sound` (None: no audio track)."""
    frames = round(seconds * FPS)
    audio = _wav(path.with_suffix(".wav"), sound, **wav) if sound is not None else None
    with VideoWriter(path, 64, 36, FPS, audio, duration_s=frames / FPS) as writer:
        for i in range(frames):
            writer.write(np.full((36, 64, 3), (40 + 5 * i) % 256, np.uint8))
    return path


def _time(seconds: float = 1.0) -> np.ndarray:
    return np.arange(round(seconds * RATE)) / RATE


def _tone(t: np.ndarray, start: float, end: float, level: float = 8000.0) -> np.ndarray:
    """A 220 Hz tone (a voice's stand-in) between `start` and `end` seconds, else silence."""
    return np.where((t >= start) & (t < end), level * np.sin(2 * np.pi * 220 * t), 0.0)


def _kinds(findings: list) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in findings]


def test_a_line_whose_sound_is_silent_cannot_be_heard(tmp_path: Path) -> None:
    path = _take(tmp_path / "silent.mp4", np.zeros(RATE))
    findings = sound_findings(path, LINE, "Shot 3", FPS)
    assert _kinds(findings) == [("silent_line", "error")]
    message = findings[0].message
    assert message.startswith('Shot 3\'s line "Where were you last night?" (Mara) cannot be')
    assert "silent" in message and (findings[0].frame_start, findings[0].frame_end) == (0, 11)


def test_a_line_under_the_floor_or_without_a_sound_track_cannot_be_heard(tmp_path: Path) -> None:
    whisper = _tone(_time(), 0.25, 0.75, level=100.0)  # about -53 dBFS
    quiet = sound_findings(_take(tmp_path / "quiet.mp4", whisper), LINE, "Shot 3", FPS)
    assert _kinds(quiet) == [("silent_line", "error")] and "dBFS" in quiet[0].message
    none = sound_findings(_take(tmp_path / "none.mp4", None), LINE, "Shot 3", FPS)
    assert _kinds(none) == [("silent_line", "error")] and "has no sound" in none[0].message


def test_a_line_running_to_the_last_frame_does_not_fit(tmp_path: Path) -> None:
    path = _take(tmp_path / "long.mp4", _tone(_time(), 0.25, 2.0))
    findings = sound_findings(path, LINE, "Shot 3", FPS)
    assert _kinds(findings) == [("line_cut_off", "warning")]
    message = findings[0].message
    assert "does not fit" in message and "longer shot" in message
    assert "starts at 0.2 s" in message and "ends at 1.0 s" in message
    assert "about 3 s" in message  # 5 words at 2.5 a second + a breath, from 0.2 s
    faded = _tone(_time(), 0.25, 2.0)  # cut as renderer/speech.py cuts: an 80 ms fade-out
    faded[-3840:] *= np.linspace(1.0, 0.0, 3840)
    cut = sound_findings(_take(tmp_path / "faded.mp4", faded), LINE, "Shot 3", FPS)
    assert _kinds(cut) == [("line_cut_off", "warning")]


def test_a_sine_pushed_past_full_scale_clips(tmp_path: Path) -> None:
    loud = 1.5 * np.sin(2 * np.pi * 220 * _time())  # float sound: the decoder clamps it
    path = _take(tmp_path / "clipped.mp4", loud, float32=True)
    assert _kinds(sound_findings(path, None, "Shot 3", FPS)) == [("sound_clipped", "warning")]
    with_line = sound_findings(path, LINE, "Shot 3", FPS)  # a line heard to the very end, too
    assert ("sound_clipped", "warning") in _kinds(with_line)
    assert "clips" in with_line[-1].message


def test_clipping_is_a_run_at_full_scale_not_a_clean_peak() -> None:
    t = _time(0.5)
    clipped = np.clip(2 * 32767 * np.sin(2 * np.pi * 220 * t), -32768, 32767).astype(np.int16)
    clean = (32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)  # touches full scale only
    two = np.stack([clipped, clipped], axis=1)
    assert measure_sound(two).clip_runs > 100 and measure_sound(two).first_clip is not None
    assert measure_sound(np.stack([clean, clean], axis=1)).clip_runs == 0


def test_a_clean_line_in_the_middle_has_no_finding(tmp_path: Path) -> None:
    t = _time()
    voice = _tone(t, 0.25, 0.7) + 30 * np.sin(2 * np.pi * 50 * t)  # over a faint hum
    path = _take(tmp_path / "clean.mp4", voice)
    assert sound_findings(path, LINE, "Shot 3", FPS) == []


def test_music_to_the_last_frame_is_not_a_line_but_a_voice_over_it_is(tmp_path: Path) -> None:
    t = _time()
    music = 1000 * np.sin(2 * np.pi * 330 * t) + _tone(t, 0.25, 0.7)
    assert sound_findings(_take(tmp_path / "bed.mp4", music), LINE, "Shot 3", FPS) == []
    over = 1000 * np.sin(2 * np.pi * 330 * t) + _tone(t, 0.25, 2.0)
    cut = sound_findings(_take(tmp_path / "over.mp4", over), LINE, "Shot 3", FPS)
    assert _kinds(cut) == [("line_cut_off", "warning")]  # the voice over the bed runs off


def test_no_line_and_no_sound_nothing_to_hear(tmp_path: Path) -> None:
    assert sound_findings(_take(tmp_path / "mute.mp4", None), None, "Shot 3", FPS) == []
    silent = _take(tmp_path / "silent.mp4", np.zeros(RATE))
    assert sound_findings(silent, None, "Shot 3", FPS) == []  # sound, no line: clipping only
    long = _take(tmp_path / "music.mp4", _tone(_time(), 0.0, 2.0))
    assert sound_findings(long, None, "Shot 3", FPS) == []


def test_the_line_comes_from_the_take_options() -> None:
    def take(options: dict) -> Take:
        return Take(shot_id=1, number=1, backend="previz", seed=1, prompt="p", request_hash="h",
                    path="media/takes/x.mp4", params={"options": options})  # fmt: skip

    speech = {"text": "Hello.", "speaker": "Mara", "voice": "en"}
    assert line_of(take({"speech": speech})) == Line("Hello.", "Mara", "en")
    assert line_of(take({})) is None and line_of(take({"speech": {"text": " "}})) is None


def test_critique_video_listens_for_clipping(tmp_path: Path) -> None:
    loud = 1.5 * np.sin(2 * np.pi * 220 * _time())
    path = _take(tmp_path / "clipped.mp4", loud, float32=True)
    result = critique_video(path, Expectation(label="Take"))
    assert ("sound_clipped", "warning") in _kinds(result.findings)


def test_review_take_says_a_silent_line_in_its_words(tmp_path: Path) -> None:
    """End to end: the agent's and the CLI's review (`review_take`) of a take whose line is
    silent asks for a retake and says why."""
    from storyreel.tools.review import review_take

    project = small_demo(tmp_path / "demo")
    try:
        plan = project.memory.plan()
        shot = plan.ordered_shots()[0]
        frames = round(shot.duration_s * FPS)
        silence = np.zeros(frames * RATE // FPS)
        path = _take(project.takes_dir / "silent-line.mp4", silence, seconds=frames / FPS)
        speech = {"text": "Where were you last night?", "speaker": "Mara", "voice": "en"}
        take = Take(
            shot_id=shot.id,
            number=1,
            backend="previz",
            seed=1,
            prompt="p",
            request_hash="silent",
            path=path.relative_to(project.root).as_posix(),
            frames=frames,
            fps=FPS,
            params={"options": {"speech": speech}},
        )
        take = project.memory.register_take(take).take
        critique = review_take(project, plan, shot, take)
        stored = next(t for t in project.memory.takes(shot.id) if t.number == take.number)
    finally:
        project.close()
    assert critique.verdict == "retake"
    assert "silent_line" in [f.kind for f in critique.findings]
    said = verdict_sentence(f"Shot {shot.id}, take {take.number}", critique)
    assert f'Shot {shot.id}\'s line "Where were you last night?" (Mara) cannot be heard' in said
    assert stored.critique is not None and stored.critique.verdict == "retake"
