"""Reference media: adding, dedup, handles, limits, scoping, previz use, sound in sync."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.agent.session import Session
from storyreel.renderer.video_io import VideoWriter, read_all_frames
from storyreel.tools.compiler import compile_request, select_references
from storyreel.tools.cut_audio import RATE, decode_audio
from storyreel.tools.project import Project
from storyreel.tools.rendering import backend_capabilities, take_file
from tests.conftest import Cli


def png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def tone(path: Path, seconds: float, freq: float = 440.0) -> Path:
    t = np.arange(int(22050 * seconds)) / 22050
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes((np.sin(2 * np.pi * freq * t) * 12000).astype(np.int16).tobytes())
    return path


def clip(path: Path, seconds: float = 1.0) -> Path:
    with VideoWriter(path, 64, 48, 12) as writer:
        for i in range(int(seconds * 12)):
            writer.write(np.full((48, 64, 3), i * 10 % 255, np.uint8))
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("character", "add", "Mara", "-d", "a tall woman", "--wardrobe", "red raincoat")
    cli("character", "add", "Tom", "-d", "an old fisherman")
    cli("location", "add", "Harbour", "-d", "stone quay", "-t", "noon")
    return cli


def test_each_kind_gets_a_stable_handle_and_is_probed(cli: Cli, tmp_path: Path) -> None:
    out = cli("ref", "add", str(png(tmp_path / "a.png", (200, 30, 30)))).stdout
    assert "Added image reference @image1" in out
    cli("ref", "add", str(clip(tmp_path / "move.mp4")))
    cli("ref", "add", str(tone(tmp_path / "t.wav", 1.5)), "--name", "theme")
    refs = {r["handle"]: r for r in cli.plan()["references"]}
    assert set(refs) == {"@image1", "@video1", "@audio1"}
    assert (refs["@image1"]["width"], refs["@image1"]["height"]) == (64, 48)
    assert refs["@video1"]["duration_s"] == pytest.approx(1.0, abs=0.1)
    assert refs["@video1"]["role"] == "motion" and refs["@audio1"]["role"] == "soundtrack"
    assert refs["@audio1"]["sample_rate"] == 22050 and refs["@audio1"]["name"] == "@theme"
    stored = cli.project / refs["@image1"]["path"]
    assert stored.is_file() and stored.parent.name == "refs"
    listing = cli("ref", "list").stdout
    assert "@image1" in listing and "@theme" in listing


def test_same_bytes_give_the_existing_handle(cli: Cli, tmp_path: Path) -> None:
    first = png(tmp_path / "a.png", (10, 200, 10))
    cli("ref", "add", str(first))
    copy = tmp_path / "copy.png"
    copy.write_bytes(first.read_bytes())
    out = cli("ref", "add", str(copy)).stdout
    assert "already a reference: @image1" in out
    assert len(cli.plan()["references"]) == 1


def _bad_file(kind: str, folder: Path) -> Path:
    """A file that must be refused: missing, empty, not media, or a broken image."""
    path = (
        folder
        / {
            "missing": "missing.png",
            "empty": "empty.png",
            "text": "notes.txt",
            "broken": "bad.png",
            "codec": "odd-codec.mp4",
        }[kind]
    )
    if kind == "codec":  # a real MP4 whose video codec is one no decoder knows
        clip(folder / "good.mp4")
        path.write_bytes((folder / "good.mp4").read_bytes().replace(b"avc1", b"zzzz"))
    contents = {"empty": b"", "text": b"hello", "broken": b"\x89PNG\r\n\x1a\n" + b"\0" * 40}
    if kind in contents:
        path.write_bytes(contents[kind])
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no file at"),
        ("empty", "is empty"),
        ("text", "is not an image, video or audio file"),
        ("broken", "is not an image, video or audio file"),
        ("codec", "odd-codec.mp4: its video cannot be decoded here"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    cli: Cli, tmp_path: Path, kind: str, message: str
) -> None:
    before = cli.raw_plan()
    result = cli("ref", "add", str(_bad_file(kind, tmp_path)), expect=1)
    assert message in result.stderr
    assert cli.raw_plan() == before
    assert list((cli.project / "media" / "refs").iterdir()) == []


def test_bad_names_and_taken_handles(cli: Cli, tmp_path: Path) -> None:
    image = png(tmp_path / "a.png", (1, 2, 3))
    result = cli("ref", "add", str(image), "--name", "../../etc/passwd", expect=1)
    assert "not usable as a handle" in result.stderr
    result = cli("ref", "add", str(image), "--name", "mara", expect=1)
    assert "the handle @mara is already taken" in result.stderr
    assert cli.plan()["references"] == []


def test_handles_in_direction_text_are_resolved(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(clip(tmp_path / "move.mp4")))
    cli("shot", "add", "@mara walks the quay like @video1", "-l", "Harbour")
    shot = cli.plan()["shots"][0]
    assert shot["characters"] == ["Mara"] and shot["references"] == ["@video1"]
    result = cli("shot", "add", "Gulls like @nowhere", expect=1)
    assert (
        "mentions @nowhere, which is not a known handle (known: @mara, @tom, @harbour, "
        "@video1)" in result.stderr
    )


def test_references_are_scoped_per_shot(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(png(tmp_path / "m.png", (200, 0, 0))), "--entity", "Mara")
    cli("ref", "add", str(png(tmp_path / "t.png", (0, 0, 200))), "--entity", "Tom")
    cli("ref", "add", str(png(tmp_path / "s.png", (0, 200, 0))))
    cli("shot", "add", "Mara waits", "-c", "Mara")
    cli("shot", "add", "Tom waits", "-c", "Tom")
    cli("ref", "bind", "@image3", "--shot", "2")
    with _open(cli.project) as project:
        plan = project.memory.plan()
        handles = {
            shot.id: [r.handle for r in select_references(plan, shot)[0]] for shot in plan.shots
        }
    assert handles == {1: ["@image1"], 2: ["@image3", "@image2"]}


class _open:
    def __init__(self, folder: Path) -> None:
        self.project = Project.open(folder)

    def __enter__(self) -> Project:
        return self.project

    def __exit__(self, *exc: object) -> None:
        self.project.close()


def test_limits_per_shot_and_priority(cli: Cli, tmp_path: Path) -> None:
    cli("shot", "add", "Mara waits", "-c", "Mara")
    for i in range(9):
        cli("ref", "add", str(png(tmp_path / f"s{i}.png", (i, 0, 0))), "--shot", "1")
    before = cli.raw_plan()
    result = cli("ref", "add", str(png(tmp_path / "s9.png", (9, 9, 9))), "--shot", "1", expect=1)
    assert "shot 1 would use 10 image references; at most 9 images" in result.stderr
    assert cli.raw_plan() == before
    cli("ref", "add", str(png(tmp_path / "m.png", (200, 0, 0))), "--entity", "Mara")
    with _open(cli.project) as project:
        plan = project.memory.plan()
        chosen, left_out = select_references(plan, plan.shots[0])
    assert len(chosen) == 9 and all(r.shot == 1 for r in chosen)
    assert left_out == ["@image10 (at most 9 image reference(s) here)"]


def test_previz_uses_a_location_image(cli: Cli, tmp_path: Path) -> None:
    cli(
        "ref",
        "add",
        str(png(tmp_path / "g.png", (0, 255, 0), (320, 180))),
        "--role",
        "location",
        "--entity",
        "Harbour",
    )
    cli("shot", "add", "The empty quay", "-s", "ELS", "-l", "Harbour", "--duration", "1")
    cli("render")
    with _open(cli.project) as project:
        take = project.memory.takes(1)[0]
        frames = read_all_frames(take_file(project, take)).astype(int)
    green = (frames[..., 1] > frames[..., 0] + 40) & (frames[..., 1] > frames[..., 2] + 40)
    assert green.mean() > 0.5


def test_sound_goes_into_the_take_and_plays_in_sync_in_the_cut(cli: Cli, tmp_path: Path) -> None:
    cli("shot", "add", "Quiet harbour", "--duration", "1")
    cli("shot", "add", "Mara sings", "-c", "Mara", "--duration", "1")
    cli("ref", "add", str(tone(tmp_path / "song.wav", 3.0)), "--role", "voice", "--shot", "2")
    cli("render")
    out = tmp_path / "cut.mp4"
    cli("export", "--cut", str(out))
    sound = decode_audio(out).astype(np.float32)
    level = lambda a, b: np.abs(sound[int(a * RATE) : int(b * RATE)]).mean()  # noqa: E731
    assert level(0.05, 0.9) < 50  # shot 1 is silent
    assert level(1.1, 1.9) > 2000  # shot 2 carries its voice, starting at 1 s
    assert len(sound) == pytest.approx(2 * RATE, abs=RATE * 0.05)  # cut at the shot's end


def test_frame_of_a_take_becomes_a_reference(cli: Cli) -> None:
    cli("shot", "add", "Mara waits", "-c", "Mara", "--duration", "1")
    cli("render")
    out = cli(
        "ref", "from-take", "1", "1", "--frame", "last", "--entity", "Mara", "--name", "mara-look"
    ).stdout
    assert "Added image reference @image1 (@mara-look): the last frame of shot 1 (take 1)" in out
    ref = cli.plan()["references"][0]
    assert ref["entity"] == "Mara" and (ref["width"], ref["height"]) == (320, 180)
    assert ref["role"] == "subject"
    result = cli("ref", "from-take", "1", "7", expect=1)
    assert "shot 1 has no take 7" in result.stderr


def test_removing_a_reference_keeps_the_takes_record(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(png(tmp_path / "m.png", (200, 0, 0))), "--entity", "Mara")
    cli("shot", "add", "Mara waits", "-c", "Mara", "--duration", "1")
    cli("render")
    cli("ref", "remove", "@image1")
    assert cli.plan()["references"] == []
    with _open(cli.project) as project:
        take = project.memory.takes(1)[0]
    assert take.params["references"][0]["handle"] == "@image1"


def test_say_attachments_become_references(cli: Cli, tmp_path: Path) -> None:
    image = png(tmp_path / "harbour.png", (30, 60, 90))
    out = cli("say", "this is the harbour", "--attach", str(image), "--offline", "--json").stdout
    events = [json.loads(line) for line in out.splitlines()]
    notice = next(e for e in events if e["type"] == "notice")
    assert notice["text"] == "harbour.png is now @image1"
    assert cli.plan()["references"][0]["handle"] == "@image1"


def test_offline_direction_with_a_handle_binds_it_to_the_shot(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(clip(tmp_path / "move.mp4")))
    with Session(cli.project, offline=True, auto_render=False) as agent:
        list(agent.send("Close-up of Mara, moving like @video1."))
        shot = agent.project.memory.plan().shots[0]
    assert "@video1" in shot.references and shot.characters == ["Mara"]


def test_compiler_respects_backend_limits(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(clip(tmp_path / "move.mp4")), "--shot", "1", expect=1)
    cli("shot", "add", "Mara waits", "-c", "Mara")
    cli("ref", "add", str(clip(tmp_path / "move.mp4")), "--shot", "1")
    with _open(cli.project) as project:
        plan = project.memory.plan()
        request = compile_request(
            plan,
            plan.shots[0],
            seed=1,
            project_root=project.root,
            first_frame_of=lambda _: None,
            capabilities=backend_capabilities("previz"),
        )
    assert request.motion_video is None
    assert request.options["references_left_out"] == ["@video1 (at most 0 video reference(s) here)"]


def test_a_shot_can_take_the_length_of_a_sound(cli: Cli, tmp_path: Path) -> None:
    cli("shot", "add", "Mara sings", "-c", "Mara")
    cli("ref", "add", str(tone(tmp_path / "song.wav", 2.5)))
    with Session(cli.project, offline=True, auto_render=False) as agent:
        events = list(agent.send("make shot 1 as long as @audio1"))
        assert agent.project.memory.plan().shots[0].duration_s == 2.5
        assert "as long as @audio1" in events[-1].text
        events = list(agent.send("make shot 1 as long as @audio9"))
        assert "I don't know a sound or clip called @audio9" in events[-1].text


def test_a_reference_longer_than_the_limit_is_refused(cli: Cli, tmp_path: Path) -> None:
    long_clip = tmp_path / "long.mp4"
    with VideoWriter(long_clip, 16, 16, 1) as writer:
        for _ in range(125):
            writer.write(np.zeros((16, 16, 3), np.uint8))
    before = cli.raw_plan()
    result = cli("ref", "add", str(long_clip), expect=1)
    assert "lasts 125 s; references may last at most 120 s" in result.stderr
    assert cli.raw_plan() == before


def test_a_motion_clip_gives_its_camera_move_to_the_still_shot_that_names_it(
    cli: Cli, tmp_path: Path
) -> None:
    from tests.critic_fixtures import previz_take

    pan = tmp_path / "pan.mp4"
    pan.write_bytes(previz_take("pan_left").read_bytes())  # content slides right: a pan left
    cli("ref", "add", str(pan))
    [ref] = cli.plan()["references"]
    assert (ref["role"], ref["motion"]) == ("motion", "pan_left")
    assert "camera: pan_left" in cli("ref", "list").stdout
    out = cli("shot", "add", "Open on the quay like @video1", "--duration", "2").stdout
    assert "Added shot 1 (MS, pan_left, 2 s)" in out
    cli("shot", "add", "The boats, tilting up like @video1", "--movement", "tilt up")
    cli("shot", "add", "Mara waits", "-c", "Mara", "--duration", "1")
    bound = cli("ref", "bind", "@video1", "--shot", "3").stdout
    assert "Bound @video1 to shot 3 (it moves pan left, as @video1 does)" in bound
    moves = [shot["movement"] for shot in cli.plan()["shots"]]
    assert moves == ["pan_left", "tilt_up", "pan_left"]  # a planned move is kept
    rendered = cli("render", "1").stdout
    assert "left out" not in rendered  # previz takes no clip, but the shot carries its move
    review = json.loads(cli("critique", "1", "--json").stdout.splitlines()[0])
    assert review["metrics"]["camera_dx"] > 0  # content moves right: the camera pans left
    assert review["verdict"] == "accept" and review["findings"] == []  # as planned
