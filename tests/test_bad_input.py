"""Bad input through the CLI: one line that says what was wrong and how to fix it, exit 1,
and nothing changed (the plan's JSON and every file under media/ are as they were).

Real files: PNGs and mp4s made here (the 30000x30000 PNG is one solid colour, under
3 MB). No network: a GPU backend's model is looked for on disk only.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
import wave
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.renderer.video_io import VideoWriter
from tests.conftest import Cli


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story every test starts from, made once per module (each test gets a copy)."""
    folder = tmp_path_factory.mktemp("bad-input-template") / "film"
    cli = Cli(folder)
    cli("new", str(folder), with_project=False)
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("character", "add", "Mara", "-d", "a tall woman", "--wardrobe", "red raincoat")
    cli("location", "add", "Harbour", "-d", "stone quay", "-t", "noon")
    cli("shot", "add", "Mara walks the quay", "-c", "Mara", "-l", "Harbour", "--duration", "1")
    return folder


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Cli:
    """A fresh copy of the template story in this test's folder."""
    shutil.copytree(template, tmp_path / "film")
    return Cli(tmp_path / "film")


def png(path: Path, size: tuple[int, int] = (64, 48), colour=(200, 30, 30)) -> Path:
    Image.new("RGB", size, colour).save(path, optimize=True)
    return path


_BOMBS: dict[tuple[int, int], Path] = {}
"""The first file made of each size (pytest keeps every test's folder until the session ends)."""


def bomb_png(path: Path, size: tuple[int, int] = (30000, 30000)) -> Path:
    """A huge one-colour (white) PNG made cheaply: 1 bit a pixel, 112 MB of rows at 30000x30000
    but 150 kB on disk, as Pillow saves such an image.

    The file is written here, a thousand identical rows to each zlib call (under a second):
    Pillow would draw it first at a byte a pixel (900 MB) and take 5 s. Each size is written
    once and later ones are copies of that file (the same bytes)."""
    made = _BOMBS.get(size)
    if made is not None and made.is_file():
        shutil.copyfile(made, path)
        return path
    width, height = size
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter "none", then every pixel white
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row * min(1000, height - n)) for n in range(0, height, 1000))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", rows + packer.flush())
        + chunk(b"IEND", b"")
    )
    _BOMBS[size] = path
    return path


def clip(path: Path, frames: int = 72) -> Path:
    """A 64x48 mp4 of noise (so its frames do not compress to nothing) at 24 fps."""
    rng = np.random.default_rng(0)
    with VideoWriter(path, 64, 48, 24) as writer:
        for _ in range(frames):
            writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    return path


def tone(path: Path, seconds: float = 0.5) -> Path:
    t = np.arange(int(22050 * seconds)) / 22050
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes((np.sin(2 * np.pi * 440 * t) * 12000).astype(np.int16).tobytes())
    return path


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in, also as root (where chmod is ignored)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    for folder in (Path("/sys/kernel"), Path("/sys")):  # sysfs: root may not create files
        try:
            (folder / "storyreel-probe").touch()
        except OSError:
            return folder
        (folder / "storyreel-probe").unlink()
    pytest.skip("no folder that root cannot write into on this machine")


def media_listing(cli: Cli) -> list[str]:
    media = cli.project / "media"
    return sorted(str(p.relative_to(media)) for p in media.rglob("*"))


def state(cli: Cli) -> tuple[str, list[str]]:
    return cli.raw_plan(), media_listing(cli)


def replace_with_link(folder: Path, target: Path) -> None:
    shutil.rmtree(folder)
    folder.symlink_to(target, target_is_directory=True)


Setup = Callable[[Cli, Path], list[str]]
"""Prepares the project for a case and returns the argv of the bad command."""


def _bomb(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(bomb_png(tmp / "bomb.png"))]


def _over_limit(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(bomb_png(tmp / "big.png", (8000, 6000)))]


def _cut_unwritable(cli: Cli, tmp: Path) -> list[str]:
    cli("render")
    return ["export", "--cut", str(unwritable_folder(tmp) / "cut.mp4")]


def _sheet_missing_folder(cli: Cli, tmp: Path) -> list[str]:
    cli("render")
    return ["export", "--sheet", str(tmp / "nowhere" / "sheet.png")]


def _compare_bad_name(cli: Cli, tmp: Path) -> list[str]:
    return ["compare", "1", "--backends", "previz,../../etc"]


def _compare_missing_model(cli: Cli, tmp: Path) -> list[str]:
    return ["compare", "1", "--backends", "previz,wan:/etc/passwd"]


def _wan_model_is_a_file(cli: Cli, tmp: Path) -> list[str]:
    return ["render", "--backend", "wan", "--model", "/etc/passwd"]


def _wan_model_folder_not_a_pipeline(cli: Cli, tmp: Path) -> list[str]:
    return ["render", "--backend", "wan", "--model", str(tmp)]


def _wan_without_weights(cli: Cli, tmp: Path) -> list[str]:
    return ["render", "--backend", "wan"]


def _refs_unwritable(cli: Cli, tmp: Path) -> list[str]:
    replace_with_link(cli.project / "media" / "refs", unwritable_folder(tmp))
    return ["ref", "add", str(png(tmp / "a.png"))]


def _takes_unwritable(cli: Cli, tmp: Path) -> list[str]:
    replace_with_link(cli.project / "media" / "takes", unwritable_folder(tmp))
    return ["render"]


def _unknown_entity(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(png(tmp / "a.png")), "--entity", "Nobody"]


def _unknown_shot(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(png(tmp / "a.png")), "--shot", "99"]


def _taken_name(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(png(tmp / "a.png")), "--name", "mara"]


def _name_taken_by_another_reference(cli: Cli, tmp: Path) -> list[str]:
    cli("ref", "add", str(tone(tmp / "t.wav")), "--name", "theme")
    return ["ref", "add", str(png(tmp / "a.png")), "--name", "theme"]


def _name_with_newline(cli: Cli, tmp: Path) -> list[str]:
    return ["ref", "add", str(png(tmp / "a.png")), "--name", "evil\n"]


def _truncated_mp4(cli: Cli, tmp: Path) -> list[str]:
    data = clip(tmp / "full.mp4").read_bytes()
    (tmp / "cut-short.mp4").write_bytes(data[: len(data) // 4])
    return ["ref", "add", str(tmp / "cut-short.mp4")]


def _truncated_png(cli: Cli, tmp: Path) -> list[str]:
    noise = np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    Image.fromarray(noise).save(tmp / "full.png")
    data = (tmp / "full.png").read_bytes()
    (tmp / "half.png").write_bytes(data[: len(data) // 2])
    return ["ref", "add", str(tmp / "half.png")]


def _existing_file_new_entity(cli: Cli, tmp: Path) -> list[str]:
    cli("ref", "add", str(png(tmp / "a.png")))
    return ["ref", "add", str(tmp / "a.png"), "--entity", "Mara"]


def _existing_file_new_name(cli: Cli, tmp: Path) -> list[str]:
    cli("ref", "add", str(png(tmp / "a.png")))
    return ["ref", "add", str(tmp / "a.png"), "--name", "mara-face"]


def _existing_file_new_shot(cli: Cli, tmp: Path) -> list[str]:
    cli("ref", "add", str(png(tmp / "a.png")), "--entity", "Mara")
    return ["ref", "add", str(tmp / "a.png"), "--shot", "1"]


CASES: dict[str, tuple[Setup, list[str]]] = {
    "30000x30000 png": (_bomb, ["30000x30000 pixels", "at most 40 megapixels", "scale it down"]),
    "48 megapixel png": (_over_limit, ["8000x6000 pixels", "at most 40 megapixels"]),
    "export --cut unwritable": (_cut_unwritable, ["cannot write", "choose another folder"]),
    "export --sheet missing folder": (
        _sheet_missing_folder,
        ["nowhere does not exist (create it first)"],
    ),
    "compare bad backend name": (
        _compare_bad_name,
        ["unknown backend '../../etc' in --backends", "previz"],
    ),
    "compare model not here": (_compare_missing_model, ["is a file", "nothing was rendered"]),
    "wan --model a file": (_wan_model_is_a_file, ["/etc/passwd is a file", "hf download"]),
    "wan --model not a pipeline": (
        _wan_model_folder_not_a_pipeline,
        ["has no model_index.json", "hf download"],
    ),
    "wan without weights": (
        _wan_without_weights,
        ["is not on this machine", "hf download Wan-AI/", "--model /path/to/folder"],
    ),
    "media/refs unwritable": (_refs_unwritable, ["cannot copy a.png into", "writable"]),
    "media/takes unwritable": (_takes_unwritable, ["cannot write takes into", "writable"]),
    "ref add unknown entity": (_unknown_entity, ["'Nobody'"]),
    "ref add unknown shot": (_unknown_shot, ["99"]),
    "ref add taken name": (_taken_name, ["the handle @mara is already taken"]),
    "ref add name of another reference": (
        _name_taken_by_another_reference,
        ["the handle @theme is already taken"],
    ),
    "ref add name with a newline": (_name_with_newline, ["is not usable as a handle"]),
    "ref add truncated mp4": (_truncated_mp4, ["cut-short.mp4 is damaged or cut short"]),
    "ref add truncated png": (_truncated_png, ["half.png is a damaged image"]),
    "ref add again with --entity": (
        _existing_file_new_entity,
        ["already the reference @image1", "storyreel ref bind @image1 --entity Mara"],
    ),
    "ref add again with --name": (
        _existing_file_new_name,
        ["already the reference @image1", "cannot be renamed", "storyreel ref remove @image1"],
    ),
    "ref add again with --shot": (
        _existing_file_new_shot,
        ["already the reference @image1", "storyreel ref bind @image1 --shot 1"],
    ),
}


@pytest.fixture
def no_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty Hugging Face cache and no network for the hub: models are found on disk only."""
    import huggingface_hub.constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("STORYREEL_GPU_MODELS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no user gpu.toml


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Cli, tmp_path: Path, case: str, no_hub: None
) -> None:
    setup, words = CASES[case]
    work = tmp_path / "files"
    work.mkdir()
    argv = setup(cli, work)
    before = state(cli)
    started = time.monotonic()
    result = cli(*argv, expect=1)
    elapsed = time.monotonic() - started
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.output
    assert state(cli) == before
    assert elapsed < 10  # said at once: no downloads tried, nothing decoded or rendered


def test_probing_a_bomb_reads_its_header_only(tmp_path: Path) -> None:
    import subprocess
    import sys

    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 1_000_000
    code = (
        "import re, sys; from pathlib import Path;"
        "from storyreel.tools.references import _probe;"
        "from storyreel.tools.errors import InvalidInputError;\n"
        "try: _probe(Path(sys.argv[1]))\n"
        "except InvalidInputError as error: print(error)\n"
        "print(re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text())[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].startswith("bomb.png is 30000x30000 pixels (900 megapixels)")
    assert int(out[1]) < 300_000  # KB at most: the 2.7 GB of pixels are never decoded


def test_an_automatic_handle_skips_a_name_already_taken(cli: Cli, tmp_path: Path) -> None:
    cli("ref", "add", str(tone(tmp_path / "t.wav")), "--name", "image1")
    out = cli("ref", "add", str(png(tmp_path / "a.png"))).stdout
    assert "Added image reference @image2" in out
    out = cli("ref", "add", str(png(tmp_path / "b.png", colour=(1, 2, 3)))).stdout
    assert "Added image reference @image3" in out
    listing = cli("ref", "list").stdout
    assert len(listing.strip().splitlines()) == 3


def test_adding_the_same_file_with_what_it_already_has_is_fine(cli: Cli, tmp_path: Path) -> None:
    image = png(tmp_path / "a.png")
    cli("ref", "add", str(image), "--entity", "Mara", "--name", "mara-face")
    out = cli("ref", "add", str(image), "--entity", "mara", "--name", "@mara-face").stdout
    assert "already a reference: @image1" in out


def test_a_megabyte_of_dialogue_renders_a_bounded_subtitle(cli: Cli) -> None:
    line = ("Come home " * 30) + "x" * 1_000_000
    cli("shot", "update", "1", "--dialogue", line)
    cli("render")
    take = cli.plan()["shots"][0]
    assert take["selected_take"] == 1


def test_an_oversized_image_reference_is_left_out_by_previz_not_decoded(tmp_path: Path) -> None:
    """A reference stored before the limit (an older storyreel) never reaches the decoder."""
    from storyreel.renderer.previz import PrevizBackend
    from storyreel.renderer.request import CancelToken, ReferenceInput, RenderRequest, no_progress

    big = bomb_png(tmp_path / "big.png", (12000, 12000))
    request = RenderRequest(prompt="x", width=64, height=36, fps=12, frames=2)
    request.references = [ReferenceInput(path=str(big), kind="image", role="location")]
    result = PrevizBackend().render(request, no_progress, CancelToken())
    (ignored,) = result.metadata["ignored_references"]
    assert ignored["reason"] == "the image is 12000x12000 pixels, over the limit of 40 megapixels"


def test_show_removes_escape_sequences(cli: Cli) -> None:
    cli("shot", "add", "Gulls \x1b[2J\x1b]0;pwned\x07cry\u202e loudly\x1b[31m")
    out = cli("show").stdout
    assert "Gulls cry loudly" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    history = cli("history").stdout
    assert "\x1b" not in history


def test_json_output_escapes_control_characters_without_changing_the_data(cli: Cli) -> None:
    action = "Gulls \x1b[2Jcry\u202e loudly\x85 at the café"
    cli("shot", "add", action)
    out = cli("show", "--json").stdout
    assert not any(c in out for c in "\x1b\u202e\x85"), "raw control characters reach the terminal"
    stored = json.loads(out)["shots"][-1]["action"]
    assert "\u202e" in stored and "café" in stored  # the data itself is unchanged
    check = cli("check", "--json").stdout
    assert not any(c in check for c in "\x1b\u202e\x85")
