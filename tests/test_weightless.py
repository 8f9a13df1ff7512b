"""GPU backends without real weights: tiny models at every preset, and missing weights refused.

Issue 17. `storyreel dev tiny-models` makes models that render at every resolution preset of
the style (the tiny Wan used to fail beyond 180p), and says every folder it writes. A backend
whose weights are not on this machine is refused at once, in one line with the `hf download`
command, by `render`, `compare` and the agent alike, before anything renders; the model hub
is never asked (a guard fails any connection that leaves 127.0.0.1).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.request import CancelToken, RenderRequest, no_progress
from storyreel.tools.story import RESOLUTIONS, Style
from tests.conftest import Cli
from tests.render_helpers import small_demo

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

CPU = GpuSettings(device="cpu")
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(scope="module", autouse=True)
def keep_freed_memory() -> Iterator[None]:
    """Let glibc keep the memory of freed tensors in the process for this module.

    By default every large block goes back to the kernel when it is freed (munmap) and the
    next tensor of that size faults its pages in again: at 480p that was a third of this
    module's CPU time, all of it system time. Nothing rendered changes; at the end the
    defaults are set back and the kept memory is returned.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt, malloc_trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to tune
        yield
        return
    trim_threshold, mmap_threshold, default = -1, -3, 128 * 1024  # M_TRIM_, M_MMAP_THRESHOLD
    mallopt(mmap_threshold, 1 << 30)
    mallopt(trim_threshold, 2**31 - 1)
    yield
    mallopt(mmap_threshold, default)
    mallopt(trim_threshold, default)
    malloc_trim(0)


# -- tiny models -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`storyreel dev tiny-models` run once (offline, one torch thread): folder and output."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors gain nothing from more on a busy machine
    folder = tmp_path_factory.mktemp("weightless") / "models"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        out = Cli(folder)("dev", "tiny-models", str(folder), with_project=False).stdout
        yield folder, out
    torch.set_num_threads(threads)


def test_tiny_models_names_every_folder_it_writes(tiny: tuple[Path, str]) -> None:
    folder, out = tiny
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["cogvideox", "cogvideox-i2v", "ltx", "wan"]
    for name in written:
        assert str(folder / name) in out
    assert [line.split()[0] for line in out.splitlines()] == ["wan", "ltx", "cogvideox"]
    assert f"(first frame: {folder / 'cogvideox-i2v'}" in out


def test_tiny_models_help_documents_every_folder() -> None:
    out = Cli(Path("."))("dev", "tiny-models", "--help", with_project=False).stdout
    for name in ("wan", "ltx", "cogvideox", "cogvideox-i2v"):
        assert f"FOLDER/{name}" in " ".join(out.split())


def _preset_request(backend: Any, model: Path, preset: str) -> RenderRequest:
    """The shortest take at `preset`'s 16:9 frame size, snapped to the backend's rules."""
    width, height = Style(resolution=preset).frame_size()
    request = RenderRequest(
        prompt="boats at dusk",
        width=width,
        height=height,
        frames=1,
        fps=24,
        seed=1,
        options={"model": str(model), "steps": 1},
    )
    return backend.adapt(request)[0]


@pytest.fixture(scope="module")
def warm(tiny: tuple[Path, str]) -> dict[str, Any]:
    """One backend per family, kept warm across the preset renders."""
    from storyreel.renderer.cogvideox import CogVideoXBackend
    from storyreel.renderer.ltx import LTXBackend
    from storyreel.renderer.wan import WanBackend

    backends = {"wan": WanBackend(CPU), "ltx": LTXBackend(CPU), "cogvideox": CogVideoXBackend(CPU)}
    for backend in backends.values():
        backend.load()
    return backends


def _render_preset(warm: dict[str, Any], tiny: tuple[Path, str], name: str, preset: str) -> None:
    request = _preset_request(warm[name], tiny[0] / name, preset)
    result = warm[name].render(request, no_progress, CancelToken())
    assert result.frames.shape == (request.frames, request.height, request.width, 3)


def test_every_preset_of_tiny_wan_is_a_size_these_tests_render(warm, tiny) -> None:
    """Wan scales a frame to its card's 832x480 area: 720p and 1080p render as 480p does."""
    sizes = {
        preset: (r.width, r.height)
        for preset in RESOLUTIONS
        for r in [_preset_request(warm["wan"], tiny[0] / "wan", preset)]
    }
    assert sizes["180p"] == (320, 176) and sizes["360p"] == (640, 368)
    assert sizes["480p"] == sizes["720p"] == sizes["1080p"] == (832, 464)


def test_tiny_wan_renders_at_480p_so_at_720p_and_1080p(warm, tiny) -> None:
    """It failed beyond 180p with "shape '[1, 1, 40, -1]' is invalid": its rotary position
    table had 32 places per axis (360p is 40 patches wide). 360p: the CLI test below."""
    _render_preset(warm, tiny, "wan", "480p")


@pytest.mark.parametrize("preset", list(RESOLUTIONS))
def test_tiny_ltx_renders_at_every_preset(warm, tiny, preset: str) -> None:
    _render_preset(warm, tiny, "ltx", preset)


@pytest.mark.parametrize("preset", ["180p", "360p", "480p"])
def test_tiny_cogvideox_renders_at_the_preset(warm, tiny, preset: str) -> None:
    """720p and 1080p work too, in about a minute each on a CPU: see README, GPU video models."""
    _render_preset(warm, tiny, "cogvideox", preset)


def test_a_model_too_small_for_the_frame_is_said_before_rendering(tiny, tmp_path: Path) -> None:
    """A Wan folder whose position table is too short (the old tiny one) teaches at once."""
    import json
    import shutil

    from storyreel.renderer.wan import WanBackend

    folder = tmp_path / "short-wan"
    shutil.copytree(tiny[0] / "wan", folder)
    config_path = folder / "transformer" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "rope_max_seq_len": 32}))
    backend = WanBackend(CPU)
    request = _preset_request(backend, folder, "360p")
    with pytest.raises(ValueError, match=r"`width` is too large .* at most 32 patches"):
        backend.render(request, no_progress, CancelToken())


def test_the_default_360p_renders_on_tiny_wan_from_the_cli(tiny, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("shot", "add", "Boats at dusk", "--duration", "0.3")
    model = str(tiny[0] / "wan")
    wan = ("--backend", "wan", "--model", model, "--steps", "1")
    out = cli("render", *wan, "--quality", "final", "--no-critique")  # a draft: half the size
    assert "1 shot(s) rendered" in out.stdout
    from storyreel.renderer.video_io import probe

    take = cli.plan()["shots"][0]["takes"][0]
    video = probe(cli.project / take["path"])
    assert (take["backend"], video.width, video.height) == ("wan", 640, 368)


# -- no weights on this machine -----------------------------------------------------------------


@pytest.fixture
def no_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty Hugging Face home, hub access not switched off, and no network: every
    connection that would leave this machine fails at once and is recorded here."""
    import huggingface_hub.constants as hub

    home = tmp_path / "hf-home"
    (home / "hub").mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # the code must not lean on it
    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("STORYREEL_GPU_MODELS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no user gpu.toml
    attempts: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL_HOSTS:
            attempts.append(str(host))
            raise OSError(f"tests never reach the network ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in LOCAL_HOSTS:
            attempts.append(str(address[0]))
            raise OSError(f"tests never reach the network ({address[0]})")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def demo(tmp_path: Path) -> Cli:
    small_demo(tmp_path / "demo").close()
    return Cli(tmp_path / "demo")


def _takes_and_files(cli: Cli) -> tuple[list[list[int]], list[str]]:
    shots = cli.plan()["shots"]
    folders = [cli.project / "media" / "takes", cli.project / "exports"]
    files = sorted(p.name for folder in folders if folder.is_dir() for p in folder.iterdir())
    return [[t["number"] for t in shot["takes"]] for shot in shots], files


@pytest.mark.parametrize(
    "argv",
    [["compare", "1", "--backends", "previz,wan"], ["render", "--backend", "wan"]],
    ids=["compare previz,wan", "render --backend wan"],
)
def test_a_backend_without_weights_is_refused_at_once(
    demo: Cli, no_weights: list[str], argv: list[str]
) -> None:
    before = _takes_and_files(demo)
    started = time.monotonic()
    result = demo(*argv, expect=1)
    elapsed = time.monotonic() - started
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "hf download Wan-AI/Wan2.1-VACE-1.3B-diffusers" in lines[0]
    assert "Traceback" not in result.output
    assert elapsed < 2, f"{elapsed:.1f} s"
    assert _takes_and_files(demo) == before  # previz did not render first: nothing at all
    assert no_weights == []


def test_the_agent_says_in_one_sentence_that_wan_has_no_weights(
    demo: Cli, no_weights: list[str]
) -> None:
    from storyreel.agent.session import Session

    before = _takes_and_files(demo)
    with Session(demo.project, offline=True, autopilot=True, backend="wan") as agent:
        started = time.monotonic()
        events = list(agent.send("render shot 1"))
        elapsed = time.monotonic() - started
    said = " ".join(e.text for e in events)
    assert "hf download Wan-AI/Wan2.1-VACE-1.3B-diffusers" in said
    assert "Traceback" not in said and "nothing was rendered" in said
    assert elapsed < 2, f"{elapsed:.1f} s"
    assert _takes_and_files(demo) == before
    assert no_weights == []


@pytest.mark.parametrize("name", ["wan", "ltx", "cogvideox"])
def test_a_backend_asked_directly_never_asks_the_hub(name: str, no_weights: list[str]) -> None:
    """Below the checks of the front ends, the backends read the local cache only."""
    from storyreel.renderer.backend import backend_class

    backend = backend_class(name)(CPU)
    request = RenderRequest(prompt="boats", width=64, height=64, frames=9, fps=8)
    request = backend.adapt(request)[0]
    started = time.monotonic()
    with pytest.raises((OSError, RuntimeError), match="hf download"):
        backend.render(request, no_progress, CancelToken())
    assert time.monotonic() - started < 2
    assert no_weights == []


@pytest.mark.parametrize("name", ["wan", "ltx", "cogvideox"])
def test_a_model_folder_loads_and_renders_without_the_network(
    name: str, tiny: tuple[Path, str], no_weights: list[str]
) -> None:
    from storyreel.renderer.backend import backend_class

    backend = backend_class(name)(CPU)  # loads here, with the network guarded
    options = {"model": str(tiny[0] / name), "steps": 1}
    request = RenderRequest(prompt="boats", width=64, height=64, frames=9, fps=8, options=options)
    request = backend.adapt(request)[0]
    assert backend.render(request, no_progress, CancelToken()).frames.shape[0] == request.frames
    assert no_weights == []
