"""The LTX-Video and CogVideoX backends, on tiny random-weight pipelines built in a temp folder.

The tiny models are saved with `save_pretrained` and loaded back with `from_pretrained`, so
the real loading and inference code runs on the CPU in well under a second per render. The
pictures are noise: the tests check shapes, determinism, sharing, progress, cancelling, the
rules and the errors that teach. Real weights run only behind the gpu/weights markers.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from storyreel.renderer.cogvideox import CogVideoXBackend
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.ltx import LTXBackend
from storyreel.renderer.request import (
    CancelToken,
    ReferenceInput,
    RenderCancelled,
    RenderRequest,
    no_progress,
)

CPU = GpuSettings(device="cpu")
# family -> (backend class, tiny size, fps)
FAMILIES = {"ltx": (LTXBackend, 32, 24), "cogvideox": (CogVideoXBackend, 16, 8)}


@pytest.fixture(scope="module", autouse=True)
def offline_single_thread() -> Iterator[None]:
    """No model hub (an uncached hub id must fail fast with a teaching error), and one torch
    thread: tiny tensors gain nothing from more, and a busy machine slowed them five-fold."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny pipelines, built once: ltx, and cogvideox (with cogvideox-i2v next to it)."""
    root = tmp_path_factory.mktemp("tiny")
    return {name: cls.build_tiny(root / name) for name, (cls, _, _) in FAMILIES.items()}


@pytest.fixture(scope="module")
def warm(tiny: dict[str, Path]) -> dict[str, Any]:
    """One warm backend per family, shared by the tests that do not count loads."""
    return {name: cls(CPU) for name, (cls, _, _) in FAMILIES.items()}


@pytest.fixture(scope="module")
def first_frame(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 32x32 picture: a red left half and a blue right half."""
    pixels = np.zeros((32, 32, 3), np.uint8)
    pixels[:, :16, 0] = 230
    pixels[:, 16:, 2] = 230
    path = tmp_path_factory.mktemp("frames") / "first.png"
    Image.fromarray(pixels).save(path)
    return str(path)


def tiny_request(tiny: dict[str, Path], family: str, **changes: Any) -> RenderRequest:
    _, size, fps = FAMILIES[family]
    options = {"model": str(tiny[family]), "steps": 2, **changes.pop("options", {})}
    fields = {"width": size, "height": size, "frames": 9, "fps": fps, "seed": 3, **changes}
    return RenderRequest(prompt="a lighthouse at dusk", options=options, **fields)


def render(backend: Any, request: RenderRequest, progress: Any = no_progress) -> Any:
    return backend.render(request, progress, CancelToken())


# Text-to-video, determinism, progress and cancelling ----------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_text_to_video_gives_uint8_frames_at_the_request_size(
    family: str, tiny: dict[str, Path]
) -> None:
    backend = FAMILIES[family][0](CPU)
    backend.load()
    assert backend.loads == 0, "load() is cheap: weights load on the first render"
    request = tiny_request(tiny, family)
    result = render(backend, request)
    size = FAMILIES[family][1]
    assert result.frames.shape == (9, size, size, 3)
    assert result.frames.dtype == np.uint8
    assert result.fps == request.fps == FAMILIES[family][2]
    assert result.metadata["pipeline"] in ("LTXPipeline", "CogVideoXPipeline")
    assert result.metadata["model"] == str(tiny[family])
    assert result.metadata["steps"] == 2
    assert result.frames.std() > 0, "random weights still draw something, not a flat frame"
    assert set(result.timings) >= {"load_s", "denoise_s", "decode_s", "total_s"}
    render(backend, request)
    assert backend.loads == 1, "a second take must not reload the weights"
    backend.unload()
    render(backend, request)
    assert backend.loads == 2


def test_cogvideox_renders_32x32_too(tiny: dict[str, Path], warm: dict[str, Any]) -> None:
    request = tiny_request(tiny, "cogvideox", width=32, height=32)
    assert render(warm["cogvideox"], request).frames.shape == (9, 32, 32, 3)


@pytest.mark.parametrize("family", FAMILIES)
def test_same_seed_same_frames_other_seed_other_frames(
    family: str, tiny: dict[str, Path], warm: dict[str, Any]
) -> None:
    backend = warm[family]
    first = render(backend, tiny_request(tiny, family, seed=7)).frames
    again = render(backend, tiny_request(tiny, family, seed=7)).frames
    other = render(backend, tiny_request(tiny, family, seed=8)).frames
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("family", FAMILIES)
def test_progress_is_reported_once_per_step(
    family: str, tiny: dict[str, Path], warm: dict[str, Any]
) -> None:
    calls: list[tuple[int, int, str]] = []
    request = tiny_request(tiny, family, options={"steps": 3})
    result = render(warm[family], request, lambda *call: calls.append(call))
    assert [(step, total) for step, total, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert "denoising step 3/3" in calls[-1][2]
    assert result.metadata["steps"] == 3


@pytest.mark.parametrize("family", FAMILIES)
def test_cancel_after_the_first_step_stops_the_render(
    family: str, tiny: dict[str, Path], warm: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import diffusers

    vae = {"ltx": diffusers.AutoencoderKLLTXVideo, "cogvideox": diffusers.AutoencoderKLCogVideoX}
    decodes: list[int] = []
    decode = vae[family].decode

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        decodes.append(1)
        return decode(self, *args, **kwargs)

    monkeypatch.setattr(vae[family], "decode", counted)
    token, steps = CancelToken(), []

    def progress(step: int, total: int, message: str) -> None:
        steps.append(step)
        token.cancel()

    with pytest.raises(RenderCancelled):
        warm[family].render(tiny_request(tiny, family, options={"steps": 4}), progress, token)
    assert steps == [1], "cancel stops the denoising loop at once"
    assert decodes == [], "and skips the VAE decode"


# Image-to-video -----------------------------------------------------------------------------------


def test_ltx_image_to_video_shares_the_text_to_video_weights(
    tiny: dict[str, Path], first_frame: str
) -> None:
    backend = LTXBackend(CPU)
    plain = render(backend, tiny_request(tiny, "ltx"))
    opened = render(backend, tiny_request(tiny, "ltx", first_frame=first_frame))
    assert opened.metadata["pipeline"] == "LTXImageToVideoPipeline"
    assert opened.metadata["kind"] == "i2v"
    assert opened.frames.shape == plain.frames.shape
    assert not np.array_equal(opened.frames, plain.frames), "the first frame conditions it"
    render(backend, tiny_request(tiny, "ltx"))
    assert backend.loads == 1, "from_pipe shares every module: switching kinds loads nothing"


def test_cogvideox_image_to_video_runs_on_the_i2v_partner(
    tiny: dict[str, Path], first_frame: str
) -> None:
    backend = CogVideoXBackend(CPU)
    render(backend, tiny_request(tiny, "cogvideox"))
    request = tiny_request(tiny, "cogvideox", first_frame=first_frame, width=32, height=32)
    assert backend.model_for(request) == f"{tiny['cogvideox']}-i2v"
    result = render(backend, request)
    assert result.metadata["pipeline"] == "CogVideoXImageToVideoPipeline"
    assert result.metadata["model"] == f"{tiny['cogvideox']}-i2v"
    assert result.frames.shape == (9, 32, 32, 3)
    render(backend, request)
    assert backend.loads == 2, "image-to-video has its own weights: one load each, then warm"


def test_cogvideox_says_which_model_can_do_which_kind(
    tiny: dict[str, Path], first_frame: str, tmp_path: Path
) -> None:
    backend = CogVideoXBackend(CPU)
    t2v_only = {"i2v_model": str(tiny["cogvideox"])}
    with pytest.raises(ValueError, match=r"trained for text-to-video only.*CogVideoX-5b-I2V"):
        backend.check_request(
            tiny_request(tiny, "cogvideox", first_frame=first_frame, options=t2v_only)
        )
    lonely = tmp_path / "lonely-i2v"  # an image-to-video model without a text-to-video partner
    shutil.copytree(f"{tiny['cogvideox']}-i2v", lonely)
    with pytest.raises(ValueError, match="is an image-to-video model: it needs a `first_frame`"):
        backend.render(
            tiny_request(tiny, "cogvideox", options={"model": str(lonely)}),
            no_progress,
            CancelToken(),
        )
    assert backend.loads == 0, "the configs decide before any weights load"


def test_cogvideox_default_models_pair_up() -> None:
    backend = CogVideoXBackend(CPU)
    assert backend.model_for(RenderRequest(prompt="x")) == "THUDM/CogVideoX-5b"
    opened = RenderRequest(prompt="x", first_frame="/somewhere/first.png")
    assert backend.model_for(opened) == "THUDM/CogVideoX-5b-I2V"
    chosen = CogVideoXBackend(GpuSettings(models={"cogvideox-i2v": "/models/my-i2v"}))
    assert chosen.model_for(opened) == "/models/my-i2v"


# Adapting and checking requests -------------------------------------------------------------------


def test_ltx_adapt_snaps_to_24_fps_8k_plus_1_frames_and_sizes_of_32() -> None:
    backend = LTXBackend(CPU)
    adapted, warnings = backend.adapt(
        RenderRequest(prompt="x", frames=48, fps=12, width=640, height=360)
    )
    assert (adapted.frames, adapted.fps, adapted.width, adapted.height) == (97, 24, 640, 352)
    assert any(w.startswith("fps 12 -> 24") for w in warnings)
    assert any(w.startswith("frames 48 -> 97") and "8k+1" in w for w in warnings)
    assert any(w.startswith("height 360 -> 352") for w in warnings)
    backend.check_request(adapted)
    same, none = backend.adapt(adapted)
    assert same == adapted and none == []


def test_cogvideox_adapt_snaps_to_8_fps_and_its_frame_rule() -> None:
    backend = CogVideoXBackend(CPU)
    four_seconds = RenderRequest(prompt="x", frames=96, fps=24, width=640, height=360)
    adapted, warnings = backend.adapt(four_seconds)
    assert (adapted.frames, adapted.fps, adapted.width, adapted.height) == (33, 8, 640, 352)
    assert any(w.startswith("frames 96 -> 33") for w in warnings)
    assert any("trained at 720x480" in w for w in warnings)
    backend.check_request(adapted)
    opened, warnings = backend.adapt(four_seconds.model_copy(update={"first_frame": "f.png"}))
    assert (opened.frames, opened.width, opened.height) == (49, 720, 480), "the I2V size is fixed"
    assert any("CogVideoX-5b-I2V renders 720x480 only" in w for w in warnings)


@pytest.mark.parametrize(
    ("family", "changes", "message"),
    [
        ("ltx", {"frames": 48}, "`frames` must be 8k+1 for LTX-Video, got 48"),
        ("ltx", {"width": 48}, "`width` must be a multiple of 32 for LTX-Video, got 48"),
        ("cogvideox", {"frames": 13}, "`frames` must be 8k+1 for CogVideoX, got 13"),
        ("cogvideox", {"height": 24}, "`height` must be a multiple of 16 for CogVideoX, got 24"),
        ("ltx", {"first_frame": "/no/such.png"}, "`first_frame` must be an existing image"),
        ("cogvideox", {"options": {"steps": 0}}, "`options['steps']` must be a whole number"),
    ],
)
def test_check_request_names_the_field_the_rule_and_the_value(
    family: str, changes: dict[str, Any], message: str, tiny: dict[str, Path]
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        FAMILIES[family][0](CPU).check_request(tiny_request(tiny, family, **changes))


# Errors that teach --------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_a_folder_without_model_index_is_not_a_pipeline(family: str, tmp_path: Path) -> None:
    backend = FAMILIES[family][0](CPU)
    request = tiny_request({family: tmp_path}, family)
    with pytest.raises(ValueError, match=r"has no model_index\.json, so it is not a diffusers"):
        render(backend, request)


@pytest.mark.parametrize("family", FAMILIES)
def test_an_uncached_hub_id_says_how_to_download_it(family: str) -> None:
    backend = FAMILIES[family][0](CPU)
    model = "storyreel-tests/no-such-model"
    request = tiny_request({family: Path(model)}, family, options={"model": model})
    with pytest.raises(FileNotFoundError) as error:
        render(backend, request)
    assert f"hf download {model}" in str(error.value)
    assert f"huggingface-cli download {model}" in str(error.value)
    assert "--model /path" in str(error.value)


def test_a_folder_of_another_family_names_it(tiny: dict[str, Path]) -> None:
    request = tiny_request(tiny, "ltx", options={"model": str(tiny["cogvideox"])})
    with pytest.raises(ValueError, match="is a CogVideoXPipeline folder, not a LTX-Video pipeline"):
        render(LTXBackend(CPU), request)


@pytest.mark.parametrize("family", FAMILIES)
def test_reference_images_are_dropped_and_listed(
    family: str, tiny: dict[str, Path], warm: dict[str, Any], first_frame: str
) -> None:
    mara = ReferenceInput(path=first_frame, kind="image", role="subject", subject="Mara")
    request = tiny_request(tiny, family, references=[mara])
    _, warnings = warm[family].adapt(request)
    assert any("will be dropped" in w and first_frame in w for w in warnings)
    result = render(warm[family], request)
    assert [item["path"] for item in result.metadata["dropped"]] == [first_frame]
    assert "no reference images" in result.metadata["dropped"][0]["reason"]


# GPU settings and running out of memory -----------------------------------------------------------


def test_gpu_settings_the_model_cannot_take_are_skipped_and_noted(tiny: dict[str, Path]) -> None:
    settings = GpuSettings(device="cpu", cache="first_block", attention="no-such", vae_tiling=True)
    result = render(LTXBackend(settings), tiny_request(tiny, "ltx"))
    notes = " ".join(result.metadata["gpu_notes"])
    assert "cache 'first_block' skipped" in notes and "2 or more blocks" in notes
    assert "attention 'no-such' skipped" in notes
    pab = LTXBackend(GpuSettings(device="cpu", cache="pab"))
    assert render(pab, tiny_request(tiny, "ltx")).metadata["gpu_notes"] == []
    assert pab.runtime.pipelines[(str(tiny["ltx"]), "LTXPipeline")].transformer.is_cache_enabled


class _RunsOutOfMemoryOnce:
    """Stands in for a loaded pipeline: the first call runs out of GPU memory."""

    def __init__(self, failures: int) -> None:
        self.failures, self.offloaded = failures, []
        self.vae = SimpleNamespace(config={})

    def enable_model_cpu_offload(self, device: str) -> None:
        self.offloaded.append(device)

    def __call__(self, **kwargs: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        frames = np.zeros((1, kwargs["num_frames"], kwargs["height"], kwargs["width"], 3))
        return SimpleNamespace(frames=frames)


@pytest.mark.parametrize(("retry", "failures"), [(True, 1), (True, 2), (False, 1)])
def test_running_out_of_memory_retries_once_with_offload(
    retry: bool, failures: int, tiny: dict[str, Path]
) -> None:
    backend = LTXBackend(GpuSettings(device="cpu", retry_oom_with_offload=retry))
    fake = _RunsOutOfMemoryOnce(failures)
    request = tiny_request(tiny, "ltx")
    backend.runtime.pipelines[(str(tiny["ltx"]), "LTXPipeline")] = fake
    if retry and failures == 1:
        result = render(backend, request)
        assert fake.offloaded == ["cpu"] and result.metadata["offload"] == "model"
        assert "ran out of GPU memory" in result.metadata["gpu_notes"][-1]
        return
    advice = 'offload = "sequential"' if retry else 'offload = "model"'
    with pytest.raises(RuntimeError, match=f"ran out of GPU memory.*{advice}"):
        render(backend, request)


# Real weights (skipped without a CUDA GPU and the downloaded model) -------------------------------


def _real_weights_or_skip(model: str) -> None:
    import torch
    from huggingface_hub import try_to_load_from_cache

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    if not isinstance(try_to_load_from_cache(model, "model_index.json"), str):
        pytest.skip(f"needs {model}: hf download {model}")


@pytest.mark.gpu
@pytest.mark.weights
def test_ltx_real_model_renders_a_short_take() -> None:
    _real_weights_or_skip(LTXBackend.DEFAULT_MODEL)
    backend = LTXBackend(GpuSettings(device="cuda", vae_tiling=True))
    request, _ = backend.adapt(
        RenderRequest(prompt="a red sailboat on a calm sea, golden hour", width=704, height=480)
    )
    request = request.model_copy(update={"frames": 41, "options": {"steps": 20}})
    result = render(backend, request)
    assert result.frames.shape == (41, 480, 704, 3)
    assert result.frames.std() > 10


@pytest.mark.gpu
@pytest.mark.weights
def test_cogvideox_real_model_renders_a_short_take() -> None:
    _real_weights_or_skip(CogVideoXBackend.DEFAULT_MODEL)
    backend = CogVideoXBackend(GpuSettings(device="cuda", offload="model", vae_tiling=True))
    request = RenderRequest(
        prompt="a red sailboat on a calm sea, golden hour",
        width=720,
        height=480,
        frames=17,
        fps=8,
        options={"steps": 20},
    )
    result = render(backend, request)
    assert result.frames.shape == (17, 480, 720, 3)
    assert result.frames.std() > 10
