"""Music and sound: a generated music bed (tiny MusicGen), ducking under lines, OTIO tracks.

The MusicGen here is random weights of a megabyte saved by `build_tiny` and loaded from
its folder on the CPU; it makes noise, which is all the plumbing needs. Ducking is
measured by band: the music bed is a 200 Hz sine, the "line" a loud 1 kHz tone in one
take's sound, and the 200 Hz level is read by FFT per window.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from storyreel.renderer.video_io import VideoWriter, probe
from storyreel.tools.cut_audio import DUCK_DB, RATE, decode_audio
from storyreel.tools.exports import export
from storyreel.tools.music import (
    MusicModelMissing,
    build_tiny,
    generate,
    load_model,
    resolve_model,
)
from storyreel.tools.project import Project
from storyreel.tools.references import prepare_reference
from tests.conftest import Cli
from tests.render_helpers import story_with_takes

FPS = 12


def sine(path: Path, seconds: float, hertz: float, amplitude: int = 8000) -> Path:
    """A mono 48 kHz sine as WAV."""
    samples = np.arange(round(seconds * RATE))
    wave_form = (np.sin(samples * 2 * np.pi * hertz / RATE) * amplitude).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(wave_form.tobytes())
    return path


def grey_take(path: Path, seconds: float, sound: Path | None = None) -> Path:
    frame = np.full((64, 96, 3), 90, np.uint8)
    with VideoWriter(path, 96, 64, FPS, audio=sound, duration_s=seconds) as writer:
        for _ in range(round(seconds * FPS)):
            writer.write(frame)
    return path


def story(folder: Path, shots: list[tuple[Path, float, dict | None]]) -> Project:
    """A story with one shot per (take file, duration, the take's speech option)."""
    return story_with_takes(
        folder,
        [(source, duration, None) for source, duration, _ in shots],
        FPS,
        [{"options": {"speech": speech}} if speech else None for _, _, speech in shots],
        title="Music",
    )


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("musicgen") / "tiny")


def test_tiny_musicgen_makes_sound_of_the_asked_length(tiny_model: Path) -> None:
    assert (tiny_model / "config.json").is_file()
    started = time.perf_counter()
    model, _, _ = load_model(tiny_model, "cpu")
    assert time.perf_counter() - started < 5
    assert sum(p.numel() for p in model.parameters()) < 1_000_000
    bed = generate("gentle piano, melancholic", 1.0, tiny_model, seed=3, device="cpu")
    assert bed.rate == 16000 and len(bed.samples) == 16000
    assert float(np.sqrt(np.mean(bed.samples**2))) > 0.01  # levelled, not silent
    assert np.abs(bed.samples).max() <= 1.0
    longer = generate("drums", 1.5, tiny_model, seed=3, device="cpu")
    assert len(longer.samples) == 24000


def test_music_command_makes_the_films_soundtrack(tmp_path: Path, tiny_model: Path) -> None:
    take = grey_take(tmp_path / "t.mp4", 1.0)
    story(tmp_path / "film", [(take, 1.0, None), (take, 0.5, None)]).close()
    cli = Cli(tmp_path / "film")
    first = cli("music", "gentle piano, melancholic", "--model", str(tiny_model), "--seed", "1")
    assert "(@music)" in first.stdout and "film's soundtrack" in first.stdout
    references = cli.plan()["references"]
    assert [(r["name"], r["role"], r["shot"], r["entity"]) for r in references] == [
        ("@music", "soundtrack", None, None)
    ]
    assert references[0]["duration_s"] == pytest.approx(1.5, abs=0.05)  # the film's length
    # again: the new bed replaces the old one (in one revision, undoable)
    second = cli("music", "drums", "--model", str(tiny_model), "--seconds", "1", "--seed", "2")
    assert "replaces" in second.stdout
    references = cli.plan()["references"]
    assert len(references) == 1 and references[0]["duration_s"] == pytest.approx(1.0, abs=0.05)
    assert references[0]["name"] == "@music2"
    cut = tmp_path / "cut.mp4"
    cli("export", "--cut", str(cut))
    assert probe(cut).has_audio
    sound = decode_audio(cut).astype(np.float32)
    assert np.sqrt(np.mean(sound[:RATE] ** 2)) > 100  # the bed is heard
    cli("undo")
    assert len(cli.plan()["references"]) == 1  # the first bed is back


def test_a_missing_model_folder_says_how_to_get_one(tmp_path: Path, cli: Cli) -> None:
    result = cli("music", "piano", "--model", str(tmp_path / "nowhere"), expect=1)
    text = result.stdout + result.stderr
    assert "does not exist" in text and "hf download facebook/musicgen-small" in text
    assert "--model" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MusicModelMissing, match=r"missing config\.json"):
        resolve_model(empty)
    with pytest.raises(MusicModelMissing, match="no MusicGen model is set"):
        resolve_model(None, tmp_path)
    assert cli.plan()["references"] == []  # nothing was added


def band_level(sound: np.ndarray, start_s: float, end_s: float, hertz: float) -> float:
    """The level (dB) of one frequency in a window of the (mono-mixed) sound, by FFT."""
    window = sound[round(start_s * RATE) : round(end_s * RATE)].mean(axis=1)
    taper = np.hanning(len(window))
    spectrum = np.abs(np.fft.rfft(window * taper)) / taper.sum()
    frequencies = np.fft.rfftfreq(len(window), 1 / RATE)
    near = np.abs(frequencies - hertz) < 15
    return float(20 * np.log10(spectrum[near].max() + 1e-9))


def test_the_music_is_ducked_under_a_line(tmp_path: Path) -> None:
    quiet = grey_take(tmp_path / "quiet.mp4", 1.5)
    line = grey_take(tmp_path / "line.mp4", 1.0, sound=sine(tmp_path / "line.wav", 1.0, 1000))
    project = story(tmp_path / "film", [(quiet, 1.5, None), (line, 1.0, None), (quiet, 1.5, None)])
    music = sine(tmp_path / "bed.wav", 10.0, 200, amplitude=4000)
    cut = export(project, cut=tmp_path / "cut.mp4", soundtrack=music).cut
    project.close()
    sound = decode_audio(cut).astype(np.float32)
    assert len(sound) == pytest.approx(4 * RATE, abs=RATE / FPS)  # in sync to a frame
    before = band_level(sound, 0.5, 1.4, 200)
    during = band_level(sound, 1.65, 2.45, 200)
    after = band_level(sound, 3.2, 3.95, 200)
    assert before - during >= 6 and during < after - 6  # down under the line, back after
    assert abs(before - after) < 1.5
    assert before - during == pytest.approx(DUCK_DB, abs=2)
    # the line itself sits at its shot (1.5 s to 2.5 s), as loud outside as before
    assert band_level(sound, 1.6, 2.4, 1000) - band_level(sound, 0.5, 1.4, 1000) > 30


def test_the_timeline_has_dialogue_and_music_tracks(tmp_path: Path) -> None:
    take = grey_take(tmp_path / "t.mp4", 2.0)
    mara = {"text": "Where were you?", "speaker": "Mara", "voice": ""}
    tom = {"text": "Out.", "speaker": "Tom", "voice": "espeak:en"}
    again = {"text": "All night?", "speaker": "Mara", "voice": ""}
    project = story(
        tmp_path / "film",
        [(take, 1.0, mara), (take, 2.0, tom), (take, 1.0, None), (take, 1.5, again)],
    )
    edit, reference = prepare_reference(
        project, sine(tmp_path / "bed.wav", 3.0, 200), role="soundtrack"
    )
    project.memory.apply([edit], source="test")
    out = export(project, otio=tmp_path / "film.otio").otio
    project.close()
    timeline = otio.adapters.read_from_file(str(out))
    names = [track.name for track in timeline.tracks]
    assert names == ["Video 1", "Dialogue: Mara", "Dialogue: Tom", "Music"]
    mara_track = timeline.tracks[1]
    clips = list(mara_track.find_clips())
    assert [clip.name for clip in clips] == ["Where were you?", "All night?"]
    places = [mara_track.range_of_child(clip) for clip in clips]
    assert [p.start_time.to_seconds() for p in places] == [0.0, 4.0]
    assert [p.duration.to_seconds() for p in places] == [1.0, 1.5]
    assert clips[0].metadata["storyreel"]["speaker"] == "Mara"
    assert clips[0].metadata["storyreel"]["shot_id"] == 1
    tom_clip = next(iter(timeline.tracks[2].find_clips()))
    assert timeline.tracks[2].range_of_child(tom_clip).start_time.to_seconds() == 1.0
    assert tom_clip.metadata["storyreel"]["voice"] == "espeak:en"
    music = list(timeline.tracks[3].find_clips())
    assert len(music) == 1 and music[0].metadata["storyreel"]["handle"] == reference.handle
    assert music[0].duration().to_seconds() == 3.0  # the music is shorter than the film
    assert music[0].media_reference.target_url.endswith(Path(reference.path).name)
    assert all(t.kind == otio.schema.TrackKind.Audio for t in timeline.tracks[1:])
