"""Exports: the final cut, the storyboard sheet and the OTIO timeline, read back."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.video_io import VideoWriter, probe, read_all_frames
from storyreel.tools.cut import CutClip, write_cut
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.exports import export
from storyreel.tools.rendering import render_shots, take_file
from tests.render_helpers import small_demo


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    project = small_demo(tmp_path_factory.mktemp("exports") / "demo")
    render_shots(project, RenderExecutor())
    yield project
    project.close()


def test_default_export_writes_all_three(rendered) -> None:
    result = export(rendered)
    plan = rendered.memory.plan()
    planned = sum(shot.duration_s for shot in plan.shots)
    info = probe(result.cut)
    assert (info.width, info.height, info.fps) == (320, 180, 12.0)
    assert abs(info.duration_s - planned) <= 1 / 12
    assert info.frames == round(planned * 12)
    assert info.has_audio  # the demo's lines are spoken in their takes
    sheet = Image.open(result.sheet)
    assert sheet.size[0] > 900 and sheet.size[1] > 300
    timeline = otio.adapters.read_from_file(str(result.otio))
    clips = list(timeline.video_tracks()[0].find_clips())  # (and a track per speaker)
    assert len(clips) == len(plan.shots)
    for clip, shot in zip(clips, plan.ordered_shots(), strict=True):
        assert clip.name.startswith(f"Shot {shot.id}: ")
        assert clip.source_range.duration.to_seconds() == pytest.approx(shot.duration_s)
        assert Path(clip.media_reference.target_url.removeprefix("file://")).is_file()
    assert timeline.duration().to_seconds() == pytest.approx(planned)
    assert result.stale == []


def test_cut_honours_transitions(rendered, tmp_path: Path) -> None:
    result = export(rendered, cut=tmp_path / "cut.mp4")
    frames = read_all_frames(result.cut).astype(np.float32)
    plan = rendered.memory.plan()
    # shot 1 fades in from black
    assert frames[0].mean() < 8 and frames[12].mean() > 30
    # shot 6 dissolves in: around its start the frames are mixes of shots 5 and 6
    shots = plan.ordered_shots()
    boundary = round(sum(s.duration_s for s in shots[:5]) * 12)
    take5 = read_all_frames(take_file(rendered, rendered.memory.takes(5)[0])).astype(np.float32)
    take6 = read_all_frames(take_file(rendered, rendered.memory.takes(6)[0])).astype(np.float32)
    middle = frames[boundary]
    d5, d6 = np.abs(middle - take5[-1]).mean(), np.abs(middle - take6[0]).mean()
    gap = np.abs(take5[-1] - take6[0]).mean()
    assert d5 > 0.2 * gap and d6 > 0.2 * gap
    # shot 4 -> 5 is a hard cut: frames either side match their takes
    start5 = round(sum(s.duration_s for s in shots[:4]) * 12)
    assert np.abs(frames[start5 + 1] - take5[1]).mean() < 6


def test_partial_exports(rendered, tmp_path: Path) -> None:
    result = export(rendered, sheet=tmp_path / "board.png")
    assert result.sheet.is_file() and result.cut is None and result.otio is None
    assert not (tmp_path / "cut.mp4").exists()


def test_unwritable_paths_are_refused_before_work(rendered, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"folder .* does not exist"):
        export(rendered, cut=tmp_path / "nope" / "cut.mp4")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InvalidInputError, match="does not exist"):
        export(rendered, otio=tmp_path / "afile" / "t.otio")
    with pytest.raises(InvalidInputError, match=r"should end in \.mp4"):
        export(rendered, cut=tmp_path / "cut.mov")
    assert list(tmp_path.glob("*.mp4")) == []


def test_export_without_takes_names_the_shots(tmp_path: Path) -> None:
    project = small_demo(tmp_path / "demo")
    render_shots(project, RenderExecutor(), [1, 2])
    with pytest.raises(StoryreelError, match=r"no rendered take for shot\(s\) 3, 4, 5, 6, 7"):
        export(project)
    assert list(project.exports_dir.iterdir()) == []
    project.close()


def test_damaged_take_is_never_cut_into_the_film(tmp_path: Path) -> None:
    project = small_demo(tmp_path / "demo")
    render_shots(project, RenderExecutor())
    path = take_file(project, project.memory.takes(3)[0])
    path.write_bytes(b"\0" * 100)
    with pytest.raises(StoryreelError, match=r"shot 3 .* missing or damaged"):
        export(project)
    project.close()


def test_cut_with_a_soundtrack_has_aac_audio(tmp_path: Path) -> None:
    frames = np.zeros((24, 64, 96, 3), np.uint8)
    clip = tmp_path / "a.mp4"
    with VideoWriter(clip, 96, 64, 12) as writer:
        writer.write_all(frames)
    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        tone = (np.sin(np.arange(22050) * 2 * np.pi * 440 / 22050) * 8000).astype(np.int16)
        out.writeframes(tone.tobytes())
    cut = tmp_path / "cut.mp4"
    write_cut([CutClip(clip, 2.0)], cut, width=96, height=64, fps=12, soundtrack=sound)
    info = probe(cut)
    assert info.has_audio and info.frames == 24
