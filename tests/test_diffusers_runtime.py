"""The diffusers runtime's policies, checked once for every diffusers backend.

Each backend holds a `DiffusersRuntime`; these tests render on the tiny random-weight pipelines
of Wan, LTX-Video and CogVideoX (CPU, offline, no download) and check that the runtime behaves
the same under all three: a setting the machine cannot use is skipped with the same note, the
warm cache reads weights once, running out of GPU memory is retried once with model offload
and the same noise, and cancelling stops between denoising steps. Out-of-memory is simulated
at the edge of the machine: the transformer's forward raises torch.OutOfMemoryError.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")
pytest.importorskip("ftfy")  # Wan's text cleaning

from storyreel.renderer import backend as registry  # noqa: E402
from storyreel.renderer.availability import model_problem  # noqa: E402
from storyreel.renderer.cogvideox import CogVideoXBackend  # noqa: E402
from storyreel.renderer.diffusers_runtime import DiffusersRuntime  # noqa: E402
from storyreel.renderer.gpu import GpuSettings  # noqa: E402
from storyreel.renderer.ltx import LTXBackend  # noqa: E402
from storyreel.renderer.request import (  # noqa: E402
    CancelToken,
    RenderCancelled,
    RenderRequest,
    no_progress,
)
from storyreel.renderer.wan import WanBackend  # noqa: E402
from tests.test_ltx_cogvideox import offline_single_thread  # noqa: E402, F401  (no hub, 1 thread)


class Family(NamedTuple):
    backend: type
    size: int
    fps: int
    transformer: str  # the diffusers class whose forward runs every denoising step
    scheduler: str
    vae: str


FAMILIES = {
    "wan": Family(
        WanBackend,
        32,
        16,
        "WanVACETransformer3DModel",
        "FlowMatchEulerDiscreteScheduler",
        "AutoencoderKLWan",
    ),
    "ltx": Family(
        LTXBackend,
        32,
        24,
        "LTXVideoTransformer3DModel",
        "FlowMatchEulerDiscreteScheduler",
        "AutoencoderKLLTXVideo",
    ),
    "cogvideox": Family(
        CogVideoXBackend,
        16,
        8,
        "CogVideoXTransformer3DModel",
        "DDIMScheduler",
        "AutoencoderKLCogVideoX",
    ),
}
CPU = GpuSettings(device="cpu")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny pipeline of every diffusers backend, saved once."""
    root = tmp_path_factory.mktemp("tiny")
    return {name: family.backend.build_tiny(root / name) for name, family in FAMILIES.items()}


def make(family: str, settings: GpuSettings = CPU) -> Any:
    return FAMILIES[family].backend(settings)


def request(tiny: dict[str, Path], family: str, steps: int = 2, seed: int = 3) -> RenderRequest:
    size, fps = FAMILIES[family].size, FAMILIES[family].fps
    return RenderRequest(
        prompt="a lighthouse at dusk",
        width=size,
        height=size,
        frames=9,
        fps=fps,
        seed=seed,
        options={"model": str(tiny[family]), "steps": steps},
    )


def render(backend: Any, job: RenderRequest) -> Any:
    return backend.render(job, no_progress, CancelToken())


def count_calls(monkeypatch: pytest.MonkeyPatch, cls: type, method: str) -> list[int]:
    """Count calls of `cls.method` (the method still runs)."""
    calls: list[int] = []
    real = getattr(cls, method)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, counted)
    return calls


# One policy for a setting the machine cannot use --------------------------------------------------


def test_a_setting_the_machine_cannot_use_gives_the_same_note_on_every_backend(
    tiny: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # offload needs a GPU; a hub attention kernel needs a download, which is off
    settings = GpuSettings(device="cpu", offload="model", attention="flash_hub", vae_tiling=True)
    notes = {}
    for family in FAMILIES:
        result = render(make(family, settings), request(tiny, family))
        assert result.frames.shape[0] == 9, "the take renders without the setting"
        assert result.metadata["offload"] == "none"
        notes[family] = result.metadata["gpu_notes"]
    assert (
        notes["wan"]
        == notes["ltx"]
        == notes["cogvideox"]
        == [
            "offload 'model' skipped: it needs a GPU",
            "attention 'flash_hub' skipped: it fetches a kernel from the hub, and storyreel "
            "downloads nothing unless download = true",
        ]
    )
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for label in ("Wan", "LTX-Video", "CogVideoX"):  # said where a person running it sees it
        assert f"{label}: offload 'model' skipped: it needs a GPU" in warned


# The warm cache -----------------------------------------------------------------------------------


@pytest.fixture
def from_pretrained_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pipeline classes `from_pretrained` is called on (the load still runs)."""
    calls: list[str] = []
    real = diffusers.DiffusionPipeline.from_pretrained.__func__

    def counted(cls: type, *args: Any, **kwargs: Any) -> Any:
        calls.append(cls.__name__)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(diffusers.DiffusionPipeline, "from_pretrained", classmethod(counted))
    return calls


@pytest.mark.parametrize("family", FAMILIES)
def test_the_warm_cache_loads_a_model_once_for_two_renders(
    family: str, tiny: dict[str, Path], from_pretrained_calls: list[str]
) -> None:
    backend = make(family)
    first = render(backend, request(tiny, family, seed=1))
    second = render(backend, request(tiny, family, seed=2))
    assert len(from_pretrained_calls) == 1
    assert (first.metadata["loaded"], second.metadata["loaded"]) == (True, False)
    assert not np.array_equal(first.frames, second.frames)
    backend.unload()
    render(backend, request(tiny, family))
    assert len(from_pretrained_calls) == 2, "unload frees the model: the next render loads it"


def test_one_model_is_warm_at_a_time(tiny: dict[str, Path], tmp_path: Path) -> None:
    other = shutil.copytree(tiny["ltx"], tmp_path / "other-ltx")
    backend = make("ltx")
    render(backend, request(tiny, "ltx"))
    job = request(tiny, "ltx").model_copy(update={"options": {"model": str(other), "steps": 2}})
    render(backend, job)
    assert [source for source, _ in backend.runtime.pipelines] == [str(other)]
    assert backend.loads == 2


# Running out of GPU memory ----------------------------------------------------------------------


def run_out_of_memory(monkeypatch: pytest.MonkeyPatch, family: str, times: int) -> list[str]:
    """The first `times` denoising steps run out of GPU memory (after the noise is drawn);
    model offload is recorded instead of installed. Returns the event log."""
    events: list[str] = []
    transformer = getattr(diffusers, FAMILIES[family].transformer)
    forward = transformer.forward

    def runs_out(self: Any, *args: Any, **kwargs: Any) -> Any:
        if events.count("oom") < times:
            events.append("oom")
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(transformer, "forward", runs_out)
    monkeypatch.setattr(
        diffusers.DiffusionPipeline,
        "enable_model_cpu_offload",
        lambda self, device=None, **_: events.append(f"offload on {device}"),
    )
    return events


@pytest.mark.parametrize("family", FAMILIES)
def test_out_of_memory_is_retried_once_with_model_offload_and_the_same_seed(
    family: str, tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = render(make(family), request(tiny, family)).frames
    events = run_out_of_memory(monkeypatch, family, times=1)
    result = render(make(family), request(tiny, family))
    assert events == ["oom", "offload on cpu"]
    assert result.metadata["oom_retry"] is True
    assert result.metadata["offload"] == "model"
    assert result.metadata["gpu_notes"] == ["ran out of GPU memory: retried with offload 'model'"]
    assert np.array_equal(result.frames, expected), "the retry draws the same noise"


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    ("retry", "times", "advice"),
    [(False, 1, 'offload = "model"'), (True, 2, 'offload = "sequential"')],
    ids=["retry off", "out of memory again"],
)
def test_out_of_memory_with_nothing_left_to_try_names_the_settings_that_help(
    family: str,
    retry: bool,
    times: int,
    advice: str,
    tiny: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = run_out_of_memory(monkeypatch, family, times)
    backend = make(family, GpuSettings(device="cpu", retry_oom_with_offload=retry))
    with pytest.raises(RuntimeError, match=f"ran out of GPU memory rendering .*{advice}"):
        render(backend, request(tiny, family))
    assert events.count("oom") == times


# Cancelling --------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_cancel_stops_between_steps(
    family: str, tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = count_calls(monkeypatch, getattr(diffusers, FAMILIES[family].scheduler), "step")
    decodes = count_calls(monkeypatch, getattr(diffusers, FAMILIES[family].vae), "decode")
    token, seen = CancelToken(), []

    def progress(step: int, total: int, message: str) -> None:
        seen.append((step, total, message))
        if step == 2:
            token.cancel()

    with pytest.raises(RenderCancelled):
        make(family).render(request(tiny, family, steps=4), progress, token)
    assert seen == [(1, 4, "denoising step 1/4"), (2, 4, "denoising step 2/4")]
    assert len(steps) == 2, "the third step never ran"
    assert decodes == [], "nor the VAE decode"


# Locating a model: offline unless asked ---------------------------------------------------------


def test_a_hub_id_is_read_from_the_local_cache_unless_download_is_asked_for(
    tiny: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub_id = "storyreel-tests/no-such-model"
    asked: list[tuple[str, str]] = []

    def download(repo_id: str, filename: str, **_: Any) -> str:
        asked.append((repo_id, filename))
        return str(tiny["ltx"] / filename)

    monkeypatch.setattr("huggingface_hub.hf_hub_download", download)
    offline = DiffusersRuntime("ltx", "LTX-Video", LTXBackend.DEFAULT_MODEL, CPU)
    with pytest.raises(FileNotFoundError, match=f"hf download {hub_id}.*download = true"):
        offline.locate(hub_id)
    assert "is not on this machine" in (model_problem("ltx", hub_id, tmp_path) or "")
    assert asked == []

    asking = GpuSettings(device="cpu", download=True)
    online = DiffusersRuntime("ltx", "LTX-Video", LTXBackend.DEFAULT_MODEL, asking)
    found = online.locate(hub_id)
    assert asked == [(hub_id, "model_index.json")]
    assert (found.source, found.folder, found.class_name) == (hub_id, hub_id, "LTXPipeline")
    (tmp_path / "storyreel-gpu.toml").write_text("download = true\n")
    assert model_problem("ltx", hub_id, tmp_path) is None, "the front ends let it through"


# The registry: backends and their aliases in one place ------------------------------------------


def test_backends_and_their_aliases_come_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    words = registry.backend_aliases()
    assert {"previz", "wan", "ltx", "cogvideox"} <= set(words.values())
    assert (words["animatic"], words["ltx-video"], words["cogvideo"]) == (
        "previz",
        "ltx",
        "cogvideox",
    )
    assert registry.backend_name("LTX-Video") == "ltx"
    with pytest.raises(ValueError, match=r"unknown backend 'sora'.*also understood: animatic"):
        registry.backend_name("sora")
    monkeypatch.setattr(registry.BACKENDS, "factories", dict(registry.BACKENDS.factories))
    monkeypatch.setattr(registry.BACKENDS, "aliases", dict(registry.BACKENDS.aliases))
    registry.register_backend("dream", LTXBackend, aliases=("reverie",))
    assert registry.backend_name("reverie") == "dream"
    assert "dream" in registry.backend_names()


def test_the_offline_director_knows_every_backend_and_alias_of_the_registry() -> None:
    """agent/offline/words.py keeps its own table (built into regexes at import, without
    importing the renderers); it must say exactly what the registry says."""
    from storyreel.agent.offline.words import BACKENDS
    from storyreel.renderer.backend import GPU_BACKENDS, backend_aliases

    built_in = {"previz", *GPU_BACKENDS}  # other tests may register backends of their own
    assert {w: n for w, n in backend_aliases().items() if n in built_in} == BACKENDS
