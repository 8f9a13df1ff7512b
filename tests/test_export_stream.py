"""The streamed export: each take decoded once, its sound in sync, memory flat in the film's length.

Stories here are built through the project's API with takes made directly
(solid colours, a tone), so what each frame and each second of the cut should
hold is known exactly.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from storyreel.renderer.video_io import VideoWriter, ffmpeg_exe, probe, read_all_frames
from storyreel.tools.cut_audio import RATE, decode_audio
from storyreel.tools.errors import StoryreelError
from storyreel.tools.exports import export
from storyreel.tools.project import Project
from tests import render_helpers

FPS = 12
RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)


def tone(path: Path, seconds: float, hertz: float = 440.0) -> Path:
    """A mono 22.05 kHz sine tone as WAV."""
    samples = np.arange(round(seconds * 22050))
    wave_form = (np.sin(samples * 2 * np.pi * hertz / 22050) * 8000).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(wave_form.tobytes())
    return path


def solid_take(
    path: Path, colour: tuple[int, int, int], seconds: float, fps: int = FPS, sound=None
) -> Path:
    """A 320x180 take of one colour (with a WAV under it if `sound` is given)."""
    frame = np.empty((180, 320, 3), np.uint8)
    frame[...] = colour
    with VideoWriter(path, 320, 180, fps, audio=sound, duration_s=seconds) as writer:
        for _ in range(round(seconds * fps)):
            writer.write(frame)
    return path


def story_with_takes(folder: Path, shots: list[tuple[Path, float, str]], fps: int = FPS) -> Project:
    """A 320x180 story: one shot per (take file, duration, transition), each take selected."""
    return render_helpers.story_with_takes(folder, shots, fps)


def colour_distance(frame: np.ndarray, colour: tuple[int, int, int]) -> float:
    return float(np.abs(frame.astype(np.float32) - np.array(colour, np.float32)).mean())


class FfmpegCount:
    """Every ffmpeg process an export starts, and which files each one decodes.

    subprocess.run goes through Popen too. A decoder given its list of files on
    its standard input (ffmpeg's concat demuxer) has that list read as it is written.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.commands: list[list[str]] = []
        self.listed: list[bytearray] = []
        counter = self

        class Listing:
            def __init__(self, pipe, sink: bytearray) -> None:
                self.pipe, self.sink = pipe, sink

            def write(self, data) -> int:
                self.sink.extend(bytes(data))
                return self.pipe.write(data)

            def __getattr__(self, name: str):
                return getattr(self.pipe, name)

        class CountingPopen(subprocess.Popen):
            def __init__(self, args, *rest, **options) -> None:
                super().__init__(args, *rest, **options)
                if "ffmpeg" in Path(str(args[0])).name:
                    counter.commands.append([str(a) for a in args])
                    if "concat" in args and self.stdin is not None:
                        counter.listed.append(bytearray())
                        self.stdin = Listing(self.stdin, counter.listed[-1])

        monkeypatch.setattr(subprocess, "Popen", CountingPopen)

    def _inputs(self, sound: bool) -> list[str]:
        found = []
        for command in self.commands:
            if ("0:a:0" in command) != sound or "-c" in command or command[-2] == "-i":
                continue  # neither the copying pass nor a header read decode anything
            found += [b for a, b in itertools.pairwise(command) if a == "-i" and b != "pipe:0"]
        for listing in self.listed if not sound else []:
            for line in listing.decode().splitlines()[1:]:
                found.append(line.removeprefix("file 'file:").removesuffix("'"))
        return found

    def picture_decodes(self, path: Path) -> int:
        """How many times an ffmpeg process decoded the pictures of `path`."""
        return self._inputs(sound=False).count(str(path.resolve()))

    def sound_decodes(self, path: Path) -> int:
        """How many times an ffmpeg process decoded the sound of `path`."""
        return [str(Path(p).resolve()) for p in self._inputs(sound=True)].count(str(path.resolve()))


def test_cut_frames_match_the_takes_and_differ_where_they_must(tmp_path: Path) -> None:
    red = solid_take(tmp_path / "red.mp4", RED, 2.0)
    blue = solid_take(tmp_path / "blue.mp4", BLUE, 2.0)
    green = solid_take(tmp_path / "green.mp4", GREEN, 2.0, fps=16)  # retimed to 12 fps
    project = story_with_takes(
        tmp_path / "story",
        [
            (red, 2.0, "fade_in"),
            (blue, 2.0, "cut"),
            (green, 2.0, "dissolve"),
            (red, 1.5, "fade_out"),
        ],
    )
    cut = export(project, cut=tmp_path / "cut.mp4").cut
    project.close()
    frames = read_all_frames(cut)
    assert len(frames) == round(7.5 * FPS) and not probe(cut).has_audio
    assert frames[0].mean() < 8  # fades in from black
    assert colour_distance(frames[12], RED) < 6
    # the hard cut: the last red frame and the first blue one are themselves
    assert colour_distance(frames[23], RED) < 6 and colour_distance(frames[24], BLUE) < 6
    # the dissolve is centred on frame 48: blue before it, green after, mixes in between
    assert colour_distance(frames[44], BLUE) < 6 and colour_distance(frames[52], GREEN) < 6
    middle = frames[48].astype(np.float32)
    halfway = (np.array(BLUE, np.float32) + np.array(GREEN, np.float32)) / 2
    assert np.abs(middle - halfway).mean() < 25
    assert colour_distance(frames[48], BLUE) > 40 and colour_distance(frames[48], GREEN) > 40
    assert colour_distance(frames[71], GREEN) < 6 and colour_distance(frames[72], RED) < 6
    assert frames[-1].mean() < 20  # fades out to black


def test_a_takes_sound_sits_at_its_shot_in_the_cut(tmp_path: Path) -> None:
    quiet = solid_take(tmp_path / "quiet.mp4", RED, 1.5)
    singing = solid_take(
        tmp_path / "singing.mp4", BLUE, 1.0, sound=tone(tmp_path / "tone.wav", 1.0)
    )
    project = story_with_takes(
        tmp_path / "story", [(quiet, 1.5, "cut"), (singing, 1.0, "cut"), (quiet, 1.5, "cut")]
    )
    cut = export(project, cut=tmp_path / "cut.mp4").cut
    info = probe(cut)
    assert info.has_audio and info.frames == 48
    sound = decode_audio(cut).astype(np.float32)
    level = lambda a, b: np.abs(sound[int(a * RATE) : int(b * RATE)]).mean()  # noqa: E731
    assert level(0.05, 1.45) < 50  # shot 1 is silent
    assert level(1.55, 2.45) > 2000  # shot 2 sings, from 1.5 s to 2.5 s
    assert level(2.55, 3.95) < 50  # and shot 3 is silent again
    assert len(sound) == pytest.approx(4 * RATE, abs=RATE * 0.05)
    # a soundtrack lies under the whole film, the take's sound still on top of it
    music = tone(tmp_path / "music.wav", 10.0, hertz=220)
    cut = export(project, cut=tmp_path / "scored.mp4", soundtrack=music).cut
    project.close()
    sound = decode_audio(cut).astype(np.float32)
    assert level(0.05, 1.45) > 2000 and level(2.55, 3.95) > 2000
    assert len(sound) == pytest.approx(4 * RATE, abs=RATE * 0.05)
    assert not [p.name for p in tmp_path.glob(".*partial*")]  # no track or piece left


def test_each_take_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    colours = [RED, BLUE, GREEN, (200, 200, 30)]
    takes = [solid_take(tmp_path / f"t{n}.mp4", c, 1.0) for n, c in enumerate(colours)]
    sound = solid_take(tmp_path / "s.mp4", RED, 1.0, sound=tone(tmp_path / "s.wav", 1.0))
    transitions = ["fade_in", "dissolve", "cut", "fade_out", "dissolve"]
    project = story_with_takes(
        tmp_path / "story",
        [(take, 1.0, t) for take, t in zip([*takes, sound], transitions, strict=True)],
    )
    shots = project.memory.plan().ordered_shots()
    files = [project.takes_dir / f"take-{shot.id}.mp4" for shot in shots]
    count = FfmpegCount(monkeypatch)
    export(project, cut=tmp_path / "cut.mp4")
    project.close()
    assert [count.picture_decodes(path) for path in files] == [1] * 5
    assert [count.sound_decodes(path) for path in files] == [0, 0, 0, 0, 1]
    # one decoder for every take's pictures, the picture encoder, one decoder for the take
    # with sound, the sound encoder, and one pass (copying) that puts the two together
    assert len(count.commands) == 5


def test_a_silent_film_starts_two_ffmpeg_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take = solid_take(tmp_path / "t.mp4", RED, 1.0)
    project = story_with_takes(tmp_path / "story", [(take, 1.0, "cut")] * 6)
    count = FfmpegCount(monkeypatch)
    result = export(project, cut=tmp_path / "cut.mp4")
    project.close()
    assert len(count.commands) == 2  # the decoder of all six takes, and the encoder
    assert [len(listing.decode().splitlines()) for listing in count.listed] == [1 + 6]
    assert not probe(result.cut).has_audio


def test_takes_one_decoder_cannot_read_in_turn_are_decoded_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A take in another container has no frame count in a header this reads: the cut is
    then decoded take by take, still once each, with the same pictures."""
    red = solid_take(tmp_path / "red.mp4", RED, 1.0)
    blue = tmp_path / "blue.mkv"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(solid_take(tmp_path / "b.mp4", BLUE, 1.0)),
         "-c", "copy", str(blue)],
        check=True,
    )  # fmt: skip
    project = story_with_takes(
        tmp_path / "story", [(red, 1.0, "fade_in"), (blue, 1.0, "dissolve"), (red, 1.0, "cut")]
    )
    files = [project.takes_dir / f"take-{shot.id}.mp4" for shot in project.memory.plan().shots]
    count = FfmpegCount(monkeypatch)
    cut = export(project, cut=tmp_path / "cut.mp4").cut
    project.close()
    assert [count.picture_decodes(path) for path in files] == [1, 1, 1]
    assert count.listed == []
    frames = read_all_frames(cut)
    assert len(frames) == 36 and frames[0].mean() < 8
    assert colour_distance(frames[15], BLUE) < 6 and colour_distance(frames[30], RED) < 6
    assert colour_distance(frames[12], BLUE) > 40 and colour_distance(frames[12], RED) > 40


def zeroed_pictures(good: Path) -> bytes:
    """The file with its header intact and its coded pictures zeroed."""
    data = bytearray(good.read_bytes())
    start = data.find(b"mdat") + 4
    data[start:] = bytes(len(data) - start)
    return bytes(data)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda good: b"not a video at all" * 100, "not an image, video or audio file"),
        (zeroed_pictures, "could not be decoded"),
    ],
    ids=["not-a-video", "pictures-zeroed"],
)
def test_an_unreadable_take_is_named_and_nothing_is_left(tmp_path: Path, damage, reason) -> None:
    good = solid_take(tmp_path / "good.mp4", RED, 1.0)
    broken = tmp_path / "broken.mp4"  # registered as it is: its digest matches
    broken.write_bytes(damage(good))
    project = story_with_takes(tmp_path / "story", [(good, 1.0, "cut"), (broken, 1.0, "cut")])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StoryreelError, match=r"take of shot 2 could not be read .*--force 2") as e:
        export(project, cut=out / "cut.mp4")
    project.close()
    assert reason in str(e.value)
    assert list(out.iterdir()) == []


MEASURE = textwrap.dedent(
    """
    import json, subprocess, sys, threading, time
    from pathlib import Path
    from storyreel.tools.exports import export
    from storyreel.tools.project import Project

    # ru_maxrss of the children counts the parent's memory at the fork: read each ffmpeg's
    # own high-water mark from /proc instead, while it runs
    children, peaks, done = [], {}, threading.Event()
    popen = subprocess.Popen
    class Watched(popen):
        def __init__(self, *args, **options):
            super().__init__(*args, **options)
            children.append(self.pid)
    subprocess.Popen = Watched
    def watch():
        while not done.is_set():
            for pid in list(children):
                try:
                    text = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    children.remove(pid)
                    continue
                for line in text.splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
            time.sleep(0.002)
    threading.Thread(target=watch, daemon=True).start()
    project = Project.open(Path(sys.argv[1]))
    export(project, cut=Path(sys.argv[2]))
    project.close()
    done.set()
    # (ru_maxrss of this process too would count the test process's memory, as it was
    # when it started this one: VmHWM is this program's own)
    mark = next(ln for ln in Path("/proc/self/status").read_text().splitlines()
                if ln.startswith("VmHWM:"))
    print(json.dumps({
        "self_mb": int(mark.split()[1]) / 1024,
        "child_mb": max(peaks.values(), default=0) / 1024,
    }))
    """
)


def test_a_long_films_export_does_not_grow_in_memory(tmp_path: Path) -> None:
    """200 shots of 8 s at 1 fps: 27 minutes of film (its sound would be 300 MB if held)."""
    take = solid_take(tmp_path / "t.mp4", RED, 8.0, fps=1)
    project = story_with_takes(tmp_path / "story", [(take, 8.0, "cut")] * 200, fps=1)
    project.close()
    out = tmp_path / "cut.mp4"
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "story"), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert measured.returncode == 0, measured.stderr
    peak = json.loads(measured.stdout.strip().splitlines()[-1])
    assert probe(out).frames == 1600
    # the process with its imports takes about 70 MB; the export before the streaming one
    # held a silent sound track of the film's length (and a copy): 700 MB here
    assert 0 < peak["self_mb"] < 150, peak
    assert 0 < peak["child_mb"] < 100, peak
