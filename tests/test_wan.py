"""The Wan backend on tiny random-weight pipelines (CPU, offline), plus one real-weight test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")
pytest.importorskip("ftfy")

from storyreel.renderer.gpu import GpuSettings  # noqa: E402
from storyreel.renderer.request import (  # noqa: E402
    CancelToken,
    ReferenceInput,
    RenderCancelled,
    RenderRequest,
    no_progress,
)
from storyreel.renderer.wan import WanBackend  # noqa: E402

STEPS = 2


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Tiny VACE, plain T2V and TI2V-style (expand_timesteps) pipelines, saved once; offline."""
    root = tmp_path_factory.mktemp("wan-models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        vace = WanBackend.build_tiny(root / "vace")
        t2v = WanBackend.build_tiny_t2v(root / "t2v")
        # Wan2.2-TI2V-style: a WanPipeline whose config says it can start from a frame.
        ti2v = WanBackend.build_tiny_t2v(root / "ti2v")
        index_path = ti2v / "model_index.json"
        index = json.loads(index_path.read_text())
        index["expand_timesteps"] = True
        index_path.write_text(json.dumps(index))
        images = root / "images"
        images.mkdir()
        _image((255, 30, 30)).save(images / "red.png")
        _image((30, 60, 255)).save(images / "blue.png")
        yield {
            "vace": vace,
            "t2v": t2v,
            "ti2v": ti2v,
            "red": images / "red.png",
            "blue": images / "blue.png",
        }


@pytest.fixture(scope="module")
def backend(models: dict[str, Path]) -> WanBackend:
    """One warm backend shared by the tests that only render."""
    wan = WanBackend()
    wan.load()
    return wan


def _image(colour: tuple[int, int, int]) -> Image.Image:
    """A 32x32 image: a flat colour with a white square, so it has structure."""
    pixels = np.zeros((32, 32, 3), np.uint8)
    pixels[:] = colour
    pixels[8:20, 10:22] = 255
    return Image.fromarray(pixels)


def _request(model: Path, frames: int = 9, seed: int = 0, **fields: Any) -> RenderRequest:
    options = {"model": str(model), "steps": STEPS, **fields.pop("options", {})}
    return RenderRequest(
        prompt="a red kite over a grey harbour",
        width=32,
        height=32,
        frames=frames,
        fps=16,
        seed=seed,
        options=options,
        **fields,
    )


def _ref(path: Path, role: str = "subject", handle: str = "@mara") -> ReferenceInput:
    return ReferenceInput(path=str(path), kind="image", role=role, handle=handle)


def test_text_to_video_gives_uint8_frames_at_16_fps(backend: WanBackend, models) -> None:
    result = backend.render(_request(models["vace"]), no_progress, CancelToken())
    assert result.frames.shape == (9, 32, 32, 3)
    assert result.frames.dtype == np.uint8
    assert result.fps == 16
    assert result.metadata["pipeline"] == "WanVACEPipeline"
    assert result.metadata["mode"] == "text"
    assert result.metadata["steps"] == STEPS
    assert result.metadata["dropped"] == []
    assert result.frames.std() > 0


def test_same_seed_same_frames_other_seed_other_frames(backend: WanBackend, models) -> None:
    first = backend.render(_request(models["vace"], seed=7), no_progress, CancelToken())
    again = backend.render(_request(models["vace"], seed=7), no_progress, CancelToken())
    other = backend.render(_request(models["vace"], seed=8), no_progress, CancelToken())
    assert np.array_equal(first.frames, again.frames)
    assert not np.array_equal(first.frames, other.frames)


@pytest.fixture
def pipeline_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every WanVACEPipeline call (the call itself still runs)."""
    from diffusers import WanVACEPipeline

    calls: list[dict[str, Any]] = []
    real_call = WanVACEPipeline.__call__

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(WanVACEPipeline, "__call__", spy)
    return calls


def test_first_frame_goes_through_vace_video_and_mask(
    backend: WanBackend, models, pipeline_calls: list[dict[str, Any]]
) -> None:
    started = backend.render(
        _request(models["vace"], first_frame=str(models["red"])), no_progress, CancelToken()
    )
    assert started.metadata["pipeline"] == "WanVACEPipeline"
    assert started.metadata["mode"] == "first_frame"
    assert started.metadata["first_frame"] is True
    assert started.frames.shape == (9, 32, 32, 3)
    # Random weights do not copy the frame; check what the model was given instead:
    # frame 0 is the image and kept (mask black), frames 1-8 are generated (grey, mask white).
    (kwargs,) = pipeline_calls
    video, mask = kwargs["video"], kwargs["mask"]
    assert len(video) == len(mask) == 9
    assert np.array_equal(np.asarray(video[0]), np.asarray(Image.open(models["red"])))
    assert {np.asarray(frame).mean() for frame in video[1:]} == {128.0}
    assert np.asarray(mask[0]).max() == 0
    assert all(np.asarray(frame).min() == 255 for frame in mask[1:])
    assert "reference_images" not in kwargs


def test_reference_images_reach_the_vace_pipeline(
    backend: WanBackend, models, pipeline_calls: list[dict[str, Any]]
) -> None:
    refs = [_ref(models["red"]), _ref(models["blue"], role="location", handle="@harbour")]
    result = backend.render(_request(models["vace"], references=refs), no_progress, CancelToken())
    assert result.metadata["mode"] == "references"
    assert result.metadata["references_used"] == ["@mara", "@harbour"]
    assert result.metadata["dropped"] == []
    assert result.frames.shape == (9, 32, 32, 3)
    (kwargs,) = pipeline_calls
    given = [np.asarray(image) for image in kwargs["reference_images"]]
    assert np.array_equal(given[0], np.asarray(Image.open(models["red"])))
    assert np.array_equal(given[1], np.asarray(Image.open(models["blue"])))
    assert "video" not in kwargs and "mask" not in kwargs


def test_style_reference_is_dropped_and_reported_on_vace(backend: WanBackend, models) -> None:
    refs = [_ref(models["red"]), _ref(models["blue"], role="style", handle="@look")]
    result = backend.render(
        _request(models["vace"], first_frame=str(models["blue"]), references=refs),
        no_progress,
        CancelToken(),
    )
    assert result.metadata["mode"] == "first_frame+references"
    assert result.metadata["references_used"] == ["@mara"]
    assert len(result.metadata["dropped"]) == 1
    assert "@look" in result.metadata["dropped"][0]


def test_three_kinds_of_request_load_the_weights_once(models) -> None:
    wan = WanBackend()
    wan.load()
    kinds = [
        _request(models["vace"]),
        _request(models["vace"], first_frame=str(models["red"])),
        _request(models["vace"], references=[_ref(models["blue"])]),
    ]
    for request in kinds:
        wan.render(request, no_progress, CancelToken())
    assert wan.loads == 1
    wan.unload()
    wan.render(kinds[0], no_progress, CancelToken())
    assert wan.loads == 2


def test_start_frame_on_a_ti2v_model_shares_the_loaded_modules(models) -> None:
    wan = WanBackend()
    text = wan.render(_request(models["ti2v"]), no_progress, CancelToken())
    started = wan.render(
        _request(models["ti2v"], first_frame=str(models["red"])), no_progress, CancelToken()
    )
    assert text.metadata["pipeline"] == "WanPipeline"
    assert started.metadata["pipeline"] == "WanImageToVideoPipeline"
    assert started.frames.shape == (9, 32, 32, 3)
    assert wan.loads == 1
    t2v_pipe, i2v_pipe = wan.runtime.pipelines.values()
    assert i2v_pipe.transformer is t2v_pipe.transformer
    assert i2v_pipe.vae is t2v_pipe.vae


def test_progress_is_called_every_step(backend: WanBackend, models) -> None:
    calls: list[tuple[int, int, str]] = []
    request = _request(models["vace"], options={"steps": 3})
    backend.render(request, lambda *call: calls.append(call), CancelToken())
    assert [(step, total) for step, total, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert calls[0][2] == "denoising step 1/3"


def test_cancel_from_the_progress_callback_stops_the_render(
    backend: WanBackend, models, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import AutoencoderKLWan

    decodes: list[int] = []
    decode = AutoencoderKLWan.decode

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        decodes.append(1)
        return decode(self, *args, **kwargs)

    monkeypatch.setattr(AutoencoderKLWan, "decode", counted)
    cancel = CancelToken()
    steps: list[int] = []

    def progress(step: int, total: int, message: str) -> None:
        steps.append(step)
        if step == 1:
            cancel.cancel()

    with pytest.raises(RenderCancelled):
        backend.render(_request(models["vace"], options={"steps": 4}), progress, cancel)
    assert steps == [1]
    assert decodes == []  # stopped before the VAE decode: no wasted GPU time


def test_adapt_snaps_duration_fps_and_size() -> None:
    wan = WanBackend()
    for fps, frames in ((24, 96), (30, 120), (16, 64)):
        request = RenderRequest(prompt="x", width=640, height=360, frames=frames, fps=fps)
        adapted, warnings = wan.adapt(request)
        assert (adapted.frames, adapted.fps) == (65, 16)
        assert (adapted.width, adapted.height) == (640, 368)
        assert any(
            "Wan makes 4k+1 frames at 16 fps: 4 s" in w and "65 frames" in w for w in warnings
        )
        assert any("multiples of 16" in w and "640x368" in w for w in warnings)
        wan.check_request(adapted)

    big = RenderRequest(prompt="x", width=1920, height=1080, frames=81, fps=16)
    adapted, warnings = wan.adapt(big)
    assert adapted.width % 16 == 0 and adapted.height % 16 == 0
    assert adapted.width * adapted.height <= 832 * 480
    assert abs(adapted.width / adapted.height - 16 / 9) < 0.05
    assert adapted.frames == 81 and len(warnings) == 1  # frames were already right

    adapted.options["adapted"] = warnings  # what the caller does; the original stays clean
    assert "adapted" not in big.options

    large = big.model_copy(update={"options": {"allow_large": True}})
    assert wan.adapt(large)[0].width == 1920


def test_adapt_cuts_long_shots_and_drops_what_wan_cannot_take(tmp_path: Path) -> None:
    wan = WanBackend()
    refs = [
        ReferenceInput(path=f"r{i}.png", kind="image", role="subject", handle=f"@i{i}")
        for i in range(4)
    ]
    refs.append(ReferenceInput(path="m.mp4", kind="video", role="motion", handle="@video1"))
    request = RenderRequest(
        prompt="x", width=832, height=480, frames=240, fps=24, references=refs, audio="a.wav"
    )
    adapted, warnings = wan.adapt(request)
    assert adapted.frames == 81
    assert [r.handle for r in adapted.references] == ["@i0", "@i1", "@i2"]
    assert adapted.audio is None
    text = "\n".join(warnings)
    assert "at most 81 frames" in text and "@i3" in text and "@video1" in text
    assert "audio" in text
    assert (adapted.width, adapted.height) == (832, 480)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"frames": 64}, ["`frames`", "4k+1", "64"]),
        ({"frames": 85}, ["`frames`", "at most 81", "85"]),
        ({"fps": 24}, ["`fps`", "16", "24"]),
        ({"width": 40}, ["`width`", "multiple of 16", "40"]),
        ({"width": 1280, "height": 720}, ["`width` x `height`", "832x480", "1280x720"]),
        ({"first_frame": "/nowhere/frame.png"}, ["`first_frame`", "/nowhere/frame.png"]),
        ({"audio": "song.wav"}, ["`audio`", "song.wav"]),
        ({"options": {"steps": 0}}, ["`options['steps']`", "0"]),
        ({"options": {"guidance": "high"}}, ["`options['guidance']`", "'high'"]),
    ],
)
def test_check_request_names_field_rule_and_value(fields: dict, words: list[str]) -> None:
    values = {"prompt": "x", "width": 32, "height": 32, "frames": 9, "fps": 16, **fields}
    with pytest.raises(ValueError) as error:
        WanBackend().check_request(RenderRequest(**values))
    for word in words:
        assert word in str(error.value)


def test_check_request_refuses_video_references(models) -> None:
    video = ReferenceInput(path=str(models["red"]), kind="video", role="motion")
    with pytest.raises(ValueError, match="`references` may hold images only"):
        WanBackend().check_request(_request(models["vace"], references=[video]))


def test_folder_without_model_index_is_not_a_pipeline(tmp_path: Path) -> None:
    (tmp_path / "weights.safetensors").write_bytes(b"")
    with pytest.raises(ValueError) as error:
        WanBackend().render(_request(tmp_path), no_progress, CancelToken())
    assert "has no model_index.json, so it is not a diffusers pipeline" in str(error.value)
    assert "save_pretrained" in str(error.value)


@pytest.mark.parametrize(
    ("class_name", "words"),
    [
        ("StableDiffusionPipeline", ["is a StableDiffusionPipeline folder, not a Wan pipeline"]),
        ("WanImageToVideoPipeline", ["image-to-video only", "`first_frame`", "--model"]),
    ],
)
def test_model_kind_is_read_before_any_weights(
    tmp_path: Path, class_name: str, words: list[str]
) -> None:
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    wan = WanBackend()
    with pytest.raises(ValueError) as error:
        wan.render(_request(tmp_path), no_progress, CancelToken())
    for word in words:
        assert word in str(error.value)
    assert wan.loads == 0


def test_hub_id_not_on_this_machine_says_how_to_get_it(
    models, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    request = _request(models["vace"], options={"model": "storyreel-test/not-a-model"})
    with pytest.raises(OSError) as error:
        WanBackend().render(request, no_progress, CancelToken())
    message = str(error.value)
    assert "storyreel-test/not-a-model is not on this machine" in message
    assert "huggingface-cli download storyreel-test/not-a-model" in message
    assert "--model /path/to/folder" in message


def test_model_comes_from_options_then_settings_then_default(models) -> None:
    request = RenderRequest(prompt="x")
    assert WanBackend().model_for(request) == WanBackend.DEFAULT_MODEL
    configured = WanBackend(GpuSettings(models={"wan": str(models["t2v"])}))
    assert configured.model_for(request) == str(models["t2v"])
    chosen = request.model_copy(update={"options": {"model": str(models["vace"])}})
    assert configured.model_for(chosen) == str(models["vace"])


def test_plain_t2v_model_cannot_start_from_a_frame(models) -> None:
    wan = WanBackend()
    request = _request(models["t2v"], first_frame=str(models["red"]))
    with pytest.raises(ValueError, match="cannot start from a frame") as error:
        wan.render(request, no_progress, CancelToken())
    assert "Wan-AI/Wan2.1-VACE-1.3B-diffusers" in str(error.value)
    assert "--model" in str(error.value)
    assert wan.loads == 0  # refused before any weights were read


def test_plain_t2v_model_drops_reference_images_and_says_so(models) -> None:
    wan = WanBackend()
    result = wan.render(
        _request(models["t2v"], references=[_ref(models["red"])]), no_progress, CancelToken()
    )
    assert result.metadata["pipeline"] == "WanPipeline"
    assert result.metadata["references_used"] == []
    assert len(result.metadata["dropped"]) == 1
    assert "@mara" in result.metadata["dropped"][0]
    assert "VACE" in result.metadata["dropped"][0]
    assert result.frames.shape == (9, 32, 32, 3)


def _fail_once_with_oom(monkeypatch: pytest.MonkeyPatch, wan: WanBackend) -> list[str]:
    """Make the first pipeline call raise CUDA out-of-memory; returns the event log."""
    from diffusers import WanVACEPipeline

    events: list[str] = []
    real_call = WanVACEPipeline.__call__

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not events:
            events.append("oom")
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(WanVACEPipeline, "__call__", call)
    return events


def test_out_of_memory_retries_once_with_model_offload(models, monkeypatch) -> None:
    wan = WanBackend()
    events = _fail_once_with_oom(monkeypatch, wan)
    monkeypatch.setattr(
        "diffusers.WanVACEPipeline.enable_model_cpu_offload",
        lambda self, **_: events.append("offload"),
    )
    result = wan.render(_request(models["vace"]), no_progress, CancelToken())
    assert events == ["oom", "offload"]
    assert result.metadata["oom_retry"] is True
    assert result.metadata["offload"] == "model"


def test_out_of_memory_without_retry_names_the_settings_that_help(models, monkeypatch) -> None:
    wan = WanBackend(GpuSettings(retry_oom_with_offload=False))
    _fail_once_with_oom(monkeypatch, wan)
    with pytest.raises(RuntimeError) as error:
        wan.render(_request(models["vace"]), no_progress, CancelToken())
    message = str(error.value)
    assert "out of GPU memory" in message
    assert 'offload = "model"' in message and "vae_tiling = true" in message
    assert "smaller size" in message


@pytest.mark.parametrize(
    "settings",
    [
        GpuSettings(cache="first_block"),
        GpuSettings(cache="pab"),
        GpuSettings(attention="native", vae_tiling=True, vae_slicing=True),
    ],
    ids=["first_block", "pab", "attention+vae"],
)
def test_gpu_settings_apply_on_cpu(models, settings: GpuSettings) -> None:
    wan = WanBackend(settings)
    result = wan.render(_request(models["vace"]), no_progress, CancelToken())
    assert result.frames.shape == (9, 32, 32, 3)
    pipe = next(iter(wan.runtime.pipelines.values()))
    assert pipe.transformer.is_cache_enabled == bool(settings.cache)
    assert pipe.vae.use_tiling == settings.vae_tiling


def test_bf16_keeps_the_vae_in_float32(models) -> None:
    wan = WanBackend(GpuSettings(dtype="bf16"))
    result = wan.render(_request(models["vace"]), no_progress, CancelToken())
    pipe = next(iter(wan.runtime.pipelines.values()))
    assert pipe.transformer.dtype == torch.bfloat16
    assert pipe.vae.dtype == torch.float32
    assert result.frames.dtype == np.uint8


def test_offload_without_a_gpu_is_skipped_with_a_note(models) -> None:
    wan = WanBackend(GpuSettings(device="cpu", offload="model"))
    result = wan.render(_request(models["vace"]), no_progress, CancelToken())
    assert result.metadata["offload"] == "none"
    assert result.metadata["gpu_notes"] == ["offload 'model' skipped: it needs a GPU"]


@pytest.mark.gpu
@pytest.mark.weights
def test_real_default_model_renders_on_a_gpu() -> None:
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    from huggingface_hub import snapshot_download

    try:
        snapshot_download(WanBackend.DEFAULT_MODEL, local_files_only=True)
    except Exception:
        pytest.skip(f"needs {WanBackend.DEFAULT_MODEL} in the Hugging Face cache")
    wan = WanBackend()
    request = RenderRequest(
        prompt="a woman in a red raincoat reads a letter on a harbour quay at dusk",
        width=832,
        height=480,
        frames=33,
        fps=16,
        seed=1,
        options={"steps": 20},
    )
    result = wan.render(request, no_progress, CancelToken())
    assert result.frames.shape == (33, 480, 832, 3)
    assert result.frames.std() > 5
