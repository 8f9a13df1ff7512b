"""The LTX-Video backend: text-to-video and image-to-video with diffusers' LTX pipelines.

Model card facts (Lightricks/LTX-Video): 704x480 by default, width and height multiples of 32,
frame counts 8k+1 (e.g. 97 or 161), 24-25 fps; works best under 720x1280 and 257 frames.

What each request kind runs (diffusers 0.42):

    text-to-video   LTXPipeline(prompt, negative_prompt, height, width, num_frames, frame_rate,
                    num_inference_steps, guidance_scale, generator, output_type="np",
                    callback_on_step_end)
    image-to-video  LTXImageToVideoPipeline(image=first frame, same arguments), made with
                    `from_pipe` from the text-to-video pipeline: the same weights serve both
                    kinds, so switching kinds never loads again (`loads` stays 1)
    references      not supported: LTX-Video takes no subject reference images, videos or
                    sound; they are dropped and listed in metadata["dropped"]

Options read from `request.options`: "model" (hub id or folder), "steps" (default 50),
"guidance" (default 3.0), "decode_timestep" and "decode_noise_scale" (only for the
timestep-aware VAEs of LTX-Video 0.9.1+, defaults 0.05 and 0.025 from the diffusers docs).

GPU use comes from `GpuSettings` (dtype, device or CPU offload, VAE tiling/slicing, attention
backend, first-block cache or pyramid attention broadcast); a setting the model cannot take is
skipped and reported in metadata["gpu_notes"]. Running out of GPU memory retries once with
model offload when `retry_oom_with_offload` allows it.

Cost: `gpu_seconds_per_frame` is a rough figure for budgets, not a measurement here: the card
claims faster than real time on an H100 at 768x512; a 24 GB consumer card at 50 steps needs
very roughly a quarter of a second per frame.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.backend import Capabilities
from storyreel.renderer.gpu import GpuSettings, load_settings
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Lightricks/LTX-Video"
LABEL = "LTX-Video"
FPS = 24
FRAME_STEP = 8  # frames must be 8k+1
SIZE_STEP = 32  # width and height must be multiples of 32
MAX_FRAMES = 257
DEFAULT_STEPS = 50
DEFAULT_GUIDANCE = 3.0
DECODE_TIMESTEP = 0.05
DECODE_NOISE_SCALE = 0.025
ACCEPTED = {
    "LTXPipeline",
    "LTXImageToVideoPipeline",
    "LTXConditionPipeline",
}  # model_index.json classes these pipelines load
PIPELINES = {"t2v": "LTXPipeline", "i2v": "LTXImageToVideoPipeline"}


class LTXBackend:
    """LTX-Video through diffusers: text-to-video, and image-to-video from a first frame."""

    name = "ltx"
    DEFAULT_MODEL = DEFAULT_MODEL
    capabilities = Capabilities(
        text_to_video=True,
        image_to_video=True,
        max_reference_images=0,  # no subject references: only the first frame conditions
        max_reference_videos=0,
        max_audio=0,
        frame_rule="8k+1",
        max_frames=MAX_FRAMES,
        resolutions=[(704, 480)],
        fps=[FPS],
        needs_gpu=True,
        deterministic=True,
        gpu_seconds_per_frame=0.25,
        prompt_style="prose",
    )

    def __init__(self, settings: GpuSettings | None = None) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.loads = 0
        self._pipes: dict[tuple[str, str], Any] = {}
        self._notes: list[str] = []
        self._offload = self.settings.offload
        self._hooked: Any = None  # the pipeline whose offload hooks are installed
        self._running: Any = None  # the pipeline rendering now (for the PAB timestep callback)

    # The backend protocol ------------------------------------------------------------------------

    def load(self) -> None:
        """Check that torch and diffusers are installed; weights load on the first render."""
        _require_diffusers(self.name)

    def unload(self) -> None:
        """Drop every warm pipeline and free GPU memory."""
        self._pipes.clear()
        self._hooked = self._running = None
        _free_memory()

    def model_for(self, request: RenderRequest) -> str:
        """The model a request renders with: options["model"], then settings, then the default."""
        return request.options.get("model") or self.settings.models.get(self.name) or DEFAULT_MODEL

    def adapt(self, request: RenderRequest) -> tuple[RenderRequest, list[str]]:
        """The request snapped to LTX-Video's rules (24 fps, 8k+1 frames, sizes of 32), and why."""
        warnings: list[str] = []
        seconds = request.frames / request.fps
        if request.fps != FPS:
            warnings.append(f"fps {request.fps} -> {FPS}: {LABEL} is made for {FPS} fps")
        frames = _snap_frames(round(seconds * FPS), FRAME_STEP, MAX_FRAMES)
        if frames != request.frames:
            warnings.append(
                f"frames {request.frames} -> {frames}: {LABEL} needs 8k+1 frames "
                f"(at most {MAX_FRAMES}); {frames / FPS:.2f} s at {FPS} fps"
            )
        size = {}
        for field in ("width", "height"):
            value = getattr(request, field)
            size[field] = max(SIZE_STEP, round(value / SIZE_STEP) * SIZE_STEP)
            if size[field] != value:
                warnings.append(
                    f"{field} {value} -> {size[field]}: {LABEL} needs multiples of {SIZE_STEP}"
                )
        warnings += [
            f"{item['path']} ({item['kind']}, {item['role']}) will be dropped: {item['reason']}"
            for item in _dropped(request)
        ]
        adapted = request.model_copy(update={"fps": FPS, "frames": frames, **size}, deep=True)
        return adapted, warnings

    def check_request(self, request: RenderRequest) -> None:
        """Raise ValueError naming the field, the rule and the value LTX-Video cannot take."""
        if (request.frames - 1) % FRAME_STEP:
            low = (request.frames - 1) // FRAME_STEP * FRAME_STEP + 1
            raise ValueError(
                f"`frames` must be 8k+1 for {LABEL}, got {request.frames}: the nearest are {low} "
                f"and {low + FRAME_STEP} (adapt() snaps it)"
            )
        for field in ("width", "height"):
            value = getattr(request, field)
            if value % SIZE_STEP:
                raise ValueError(
                    f"`{field}` must be a multiple of {SIZE_STEP} for {LABEL}, got {value} "
                    f"(adapt() snaps it)"
                )
        _check_common(request)

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        """Render one take: check, load (once), denoise with progress and cancel, decode."""
        # 1. check inputs
        self.check_request(request)
        cancel.check()
        started = time.perf_counter()
        # 2. prepare: the warm pipeline for this model and kind, the generator and arguments
        kind = "i2v" if request.first_frame else "t2v"
        model = self.model_for(request)
        loads = self.loads
        pipe = self._pipeline(model, kind)
        loaded = time.perf_counter()
        import torch

        steps = int(request.options.get("steps", DEFAULT_STEPS))
        guidance = float(request.options.get("guidance", DEFAULT_GUIDANCE))
        device = self._device()
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "height": request.height,
            "width": request.width,
            "num_frames": request.frames,
            "frame_rate": request.fps,
            "num_inference_steps": steps,
            "guidance_scale": guidance,
            "generator": torch.Generator(device).manual_seed(request.seed),
            "output_type": "np",
        }
        if kind == "i2v":
            kwargs["image"] = _first_frame(request)
        if pipe.vae.config.get("timestep_conditioning"):
            options = request.options
            kwargs["decode_timestep"] = float(options.get("decode_timestep", DECODE_TIMESTEP))
            kwargs["decode_noise_scale"] = float(
                options.get("decode_noise_scale", DECODE_NOISE_SCALE)
            )
        # 3. the denoising loop (inside diffusers): progress and a cancel check every step
        last_step = [loaded]

        def on_step_end(pipeline: Any, step: int, timestep: Any, tensors: dict) -> dict:
            last_step[0] = time.perf_counter()
            progress(step + 1, steps, f"{LABEL} denoising step {step + 1}/{steps}")
            cancel.check()  # raises RenderCancelled: no more steps and no VAE decode
            return {}

        kwargs["callback_on_step_end"] = on_step_end
        output = self._run(pipe, kwargs, request)
        cancel.check()
        # 4. decode (done by the pipeline) -> uint8 frames
        frames = _to_uint8(output.frames)
        done = time.perf_counter()
        # 5. a typed result
        timings = {
            "load_s": loaded - started,
            "denoise_s": last_step[0] - loaded,
            "decode_s": done - last_step[0],
            "total_s": done - started,
        }
        metadata = {
            "backend": self.name,
            "model": model,
            "pipeline": type(pipe).__name__,
            "kind": kind,
            "steps": steps,
            "guidance": guidance,
            "seed": request.seed,
            "device": device,
            "dtype": str(self.settings.torch_dtype()).removeprefix("torch."),
            "offload": self._offload,
            "loaded": self.loads > loads,
            "dropped": _dropped(request),
            "gpu_notes": list(self._notes),
        }
        return RenderResult(frames, fps=request.fps, timings=timings, metadata=metadata)

    # Tiny pipelines for tests and smoke runs -----------------------------------------------------

    @staticmethod
    def build_tiny(folder: Path) -> Path:
        """Save a tiny random-weight LTX pipeline to `folder` (a valid --model for t2v and i2v).

        The pictures are noise; the point is to run the real loading and inference code on a
        CPU in well under a second (32x32, 9 frames). The tiny VAE is narrow but compresses
        like the real one (32x in space: 4x4 patches and three halvings; 8x in time), so a
        frame of any resolution preset makes as few latent tokens as it would on LTX-Video:
        with 4x it made 78,000 at 480p, and attention over them took minutes.
        """
        import torch
        from diffusers import (
            AutoencoderKLLTXVideo,
            FlowMatchEulerDiscreteScheduler,
            LTXPipeline,
            LTXVideoTransformer3DModel,
        )
        from transformers import ByT5Tokenizer, T5Config, T5EncoderModel

        torch.manual_seed(0)
        text_encoder = T5EncoderModel(
            T5Config(
                vocab_size=384,
                d_model=32,
                d_kv=8,
                d_ff=37,
                num_layers=2,
                num_heads=4,
                relative_attention_num_buckets=8,
                dropout_rate=0.0,
                is_encoder_decoder=False,
            )
        )
        transformer = LTXVideoTransformer3DModel(
            in_channels=8,
            out_channels=8,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=4,
            attention_head_dim=8,
            cross_attention_dim=32,
            num_layers=1,
            caption_channels=32,
        )
        vae = AutoencoderKLLTXVideo(
            in_channels=3,
            out_channels=3,
            latent_channels=8,
            block_out_channels=(8, 8, 8, 8),
            decoder_block_out_channels=(8, 8, 8, 8),
            layers_per_block=(1, 1, 1, 1, 1),
            decoder_layers_per_block=(1, 1, 1, 1, 1),
            spatio_temporal_scaling=(True, True, True, False),
            decoder_spatio_temporal_scaling=(True, True, True, False),
            decoder_inject_noise=(False, False, False, False, False),
            upsample_residual=(False, False, False, False),
            upsample_factor=(1, 1, 1, 1),
            timestep_conditioning=False,
            patch_size=4,
            patch_size_t=1,
            encoder_causal=True,
            decoder_causal=False,
        )
        vae.use_framewise_encoding = False
        vae.use_framewise_decoding = False
        pipe = LTXPipeline(
            transformer=transformer,
            vae=vae,
            scheduler=FlowMatchEulerDiscreteScheduler(),
            text_encoder=text_encoder,
            tokenizer=ByT5Tokenizer(),
        )
        folder = Path(folder)
        pipe.save_pretrained(folder)
        return folder

    # Loading and running -------------------------------------------------------------------------

    def _device(self) -> str:
        return self.settings.resolved_device()

    def _pipeline(self, model: str, kind: str) -> Any:
        """The warm pipeline for (model, kind); the other kind of a model shares its weights."""
        if (model, kind) in self._pipes:
            return self._pipes[(model, kind)]
        import diffusers

        cls = getattr(diffusers, PIPELINES[kind])
        same_model = [pipe for (name, _), pipe in self._pipes.items() if name == model]
        if same_model:
            pipe = cls.from_pipe(same_model[0])  # shares every module: nothing is loaded
        else:
            if self._pipes:  # one model warm at a time: free the other before loading
                self.unload()
            pipe = self._from_pretrained(cls, model)
            self._configure(pipe)
        pipe.set_progress_bar_config(disable=True)
        self._pipes[(model, kind)] = pipe
        return pipe

    def _from_pretrained(self, cls: Any, model: str) -> Any:
        """Load `model` with `cls`, turning a missing folder or download into a teaching error."""
        local, cached = _locate(model, LABEL)
        _check_pipeline_class(local, model)
        self.loads += 1
        try:
            return cls.from_pretrained(str(local), dtype=self.settings.torch_dtype())
        except Exception as error:
            if not cached:
                raise  # a folder of the user's: its own error says what is wrong
            raise _not_downloaded(model, LABEL, error) from error

    def _configure(self, pipe: Any) -> None:
        """Apply the GPU settings to a freshly loaded pipeline, each one guarded."""
        self._notes = []
        settings, device = self.settings, self._device()
        if device == "cpu" and self._offload != "none":
            self._notes.append(f"offload {self._offload!r} skipped: it needs a GPU")
            self._offload = "none"
        if self._offload == "none":
            try:
                pipe.to(device)
            except Exception as error:
                if not _is_oom(error):
                    raise
                if not self.settings.retry_oom_with_offload:
                    raise RuntimeError(
                        f"{LABEL} model does not fit in GPU memory: {_oom_advice('none')}"
                    ) from error
                self._notes.append("the model did not fit in GPU memory: using offload 'model'")
                self._offload = "model"
                pipe.to("cpu")
                _free_memory()
        if settings.vae_tiling:
            self._guard("vae_tiling", pipe.vae.enable_tiling)
        if settings.vae_slicing:
            self._guard("vae_slicing", pipe.vae.enable_slicing)
        if settings.attention:
            self._guard(
                f"attention {settings.attention!r}",
                lambda: pipe.transformer.set_attention_backend(settings.attention),
            )
        if settings.cache:
            self._guard(f"cache {settings.cache!r}", lambda: self._enable_cache(pipe.transformer))

    def _enable_cache(self, transformer: Any) -> None:
        from diffusers import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

        if self.settings.cache == "first_block":
            blocks = len(getattr(transformer, "transformer_blocks", ()))
            if blocks < 2:
                raise ValueError(
                    f"first-block cache needs 2 or more blocks, this model has {blocks}"
                )
            config: Any = FirstBlockCacheConfig(threshold=0.05)
        else:
            config = PyramidAttentionBroadcastConfig(
                spatial_attention_block_skip_range=2,
                spatial_attention_timestep_skip_range=(100, 800),
                current_timestep_callback=lambda: self._running.current_timestep,
            )
        transformer.enable_cache(config)

    def _guard(self, setting: str, apply: Any) -> None:
        try:
            apply()
        except Exception as error:  # a speed-up the model cannot take must not stop a render
            note = f"{setting} skipped: {type(error).__name__}: {error}"
            log.warning("%s: %s", LABEL, note)
            self._notes.append(note)

    def _place(self, pipe: Any) -> None:
        """Install CPU-offload hooks for `pipe` (pipelines sharing modules take turns)."""
        if self._offload == "none" or self._hooked is pipe:
            return
        if self._offload == "model":
            pipe.enable_model_cpu_offload(device=self._device())
        else:
            pipe.enable_sequential_cpu_offload(device=self._device())
        self._hooked = pipe

    def _run(self, pipe: Any, kwargs: dict[str, Any], request: RenderRequest) -> Any:
        """Call the pipeline; on running out of GPU memory retry once with model offload."""
        self._running = pipe
        try:
            self._place(pipe)
            return pipe(**kwargs)
        except Exception as error:
            if not _is_oom(error):
                raise
            if not (self.settings.retry_oom_with_offload and self._offload == "none"):
                raise _oom_error(request, self._offload, LABEL) from error
            log.warning("%s ran out of GPU memory: retrying once with model offload", LABEL)
            self._notes.append("ran out of GPU memory: retried with offload 'model'")
            self._offload = "model"
            try:
                self._place(pipe)
                _free_memory()
                return pipe(**kwargs)
            except Exception as again:
                if _is_oom(again):
                    raise _oom_error(request, self._offload, LABEL) from again
                raise
        finally:
            self._running = None


# Helpers (each backend file keeps its own: one backend, one file) --------------------------------


def _require_diffusers(name: str) -> None:
    """A teaching error when a package the backend imports is not installed (nothing imported)."""
    import importlib.util

    missing = [
        package
        for package in ("torch", "diffusers", "transformers")
        if importlib.util.find_spec(package) is None
    ]
    if missing:
        raise RuntimeError(
            f"the {name} backend needs torch, diffusers and transformers ({', '.join(missing)} "
            f"missing): pip install -e '.[gpu]' (or pip install torch diffusers transformers "
            f"accelerate)"
        )


def _snap_frames(frames: int, step: int, maximum: int) -> int:
    """The nearest count of the form step*k+1 (k >= 1, ties go up), at most `maximum`."""
    k = max(1, int((frames - 1) / step + 0.5))
    return min(k * step + 1, (maximum - 1) // step * step + 1)


def _check_common(request: RenderRequest) -> None:
    """Rules shared by the diffusers backends: the first frame exists, options are sane."""
    if request.first_frame and not Path(request.first_frame).is_file():
        raise ValueError(
            f"`first_frame` must be an existing image file, got {request.first_frame!r}"
        )
    options = request.options
    steps = options.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"`options['steps']` must be a whole number >= 1, got {steps!r}")
    guidance = options.get("guidance", 1.0)
    if isinstance(guidance, bool) or not isinstance(guidance, int | float) or guidance < 0:
        raise ValueError(f"`options['guidance']` must be a number >= 0, got {guidance!r}")
    model = options.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise ValueError(f"`options['model']` must be a hub id or a folder, got {model!r}")


def _dropped(request: RenderRequest) -> list[dict[str, str]]:
    """Inputs this backend does not use, each with the reason."""
    reason = f"{LABEL} takes no reference images, videos or sound (only a first frame)"
    items = [
        {"path": ref.path, "kind": ref.kind, "role": ref.role, "reason": reason}
        for ref in request.references
    ]
    for path, kind, role in (
        (request.motion_video, "video", "motion"),
        (request.audio, "audio", "sound"),
    ):
        if path:
            items.append({"path": path, "kind": kind, "role": role, "reason": reason})
    return items


def _first_frame(request: RenderRequest) -> Any:
    """The first frame as an RGB image of the request's size (centre-cropped, not stretched)."""
    from PIL import Image, ImageOps

    with Image.open(request.first_frame) as image:
        rgb = image.convert("RGB")
    return ImageOps.fit(rgb, (request.width, request.height), Image.Resampling.LANCZOS)


def _to_uint8(frames: Any) -> np.ndarray:
    """Pipeline output (batch, N, H, W, 3) floats in [0, 1] -> (N, H, W, 3) uint8."""
    video = np.asarray(frames[0] if len(np.shape(frames)) == 5 else frames, dtype=np.float32)
    return np.clip(np.rint(video * 255.0), 0, 255).astype(np.uint8)


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", ".", "~")) or model.count("/") != 1 or "\\" in model


def _locate(model: str, label: str) -> tuple[Path, bool]:
    """(local folder, whether it is in the hub cache); a teaching error if impossible.

    A folder must exist and hold model_index.json. A hub id is looked up in the local cache
    only: an uncached id is an error at once that says how to download it (storyreel never
    asks the hub, so no download and no half a minute of retries without network).
    """
    path = Path(model).expanduser()
    if path.exists() or _looks_like_path(model):
        if not path.is_dir():
            raise ValueError(
                f"model {model!r} is not a folder: pass a diffusers pipeline folder (one saved "
                f"with save_pretrained, with model_index.json) or a hub id like {DEFAULT_MODEL}"
            )
        if not (path / "model_index.json").is_file():
            raise ValueError(
                f"model folder {model!r} is not a diffusers pipeline (no model_index.json): "
                f"pass a folder saved with save_pretrained or downloaded with "
                f"`hf download {DEFAULT_MODEL} --local-dir FOLDER`"
            )
        return path, False
    from huggingface_hub import try_to_load_from_cache

    index = try_to_load_from_cache(model, "model_index.json")
    if isinstance(index, str):
        return Path(index).parent, True
    raise _not_downloaded(model, label, None)


def _not_downloaded(model: str, label: str, error: Exception | None) -> RuntimeError:
    why = f" ({type(error).__name__}: {error})" if error else ""
    return RuntimeError(
        f"{label} model {model!r} is not on this machine (storyreel never downloads weights)"
        f"{why}: run `hf download {model}` (`huggingface-cli download {model}` before "
        f"huggingface_hub 1.0) where there is network - the files go to the Hugging Face cache - "
        f"or pass --model /path/to/a/diffusers/folder"
    )


def _check_pipeline_class(local: Path | None, model: str) -> None:
    """A folder of another family (e.g. Wan) is an error that says so."""
    if local is None:
        return
    try:
        name = json.loads((local / "model_index.json").read_text()).get("_class_name", "")
    except (OSError, ValueError):
        return
    if name and name not in ACCEPTED:
        raise ValueError(
            f"model {model!r} is a {name} folder, not a {LABEL} pipeline "
            f"({', '.join(sorted(ACCEPTED))}): pick the backend of that family or pass a "
            f"{LABEL} model"
        )


def _is_oom(error: BaseException) -> bool:
    if "out of memory" in str(error).lower():
        return True
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(error, torch.cuda.OutOfMemoryError)


def _oom_advice(offload: str) -> str:
    """Which GPU setting would help after running out of memory with `offload`."""
    steps = {"none": '"model" (or "sequential")', "model": '"sequential"'}
    advice = (
        f"set offload = {steps[offload]} in storyreel-gpu.toml (or STORYREEL_GPU_OFFLOAD) and/or "
        if offload in steps
        else ""
    )
    return f"{advice}vae_tiling = true; fewer frames or a smaller size also help"


def _oom_error(request: RenderRequest, offload: str, label: str) -> RuntimeError:
    size = f"{request.width}x{request.height}x{request.frames}"
    return RuntimeError(
        f"{label} ran out of GPU memory rendering {size} with offload {offload!r}: "
        f"{_oom_advice(offload)}"
    )


def _free_memory() -> None:
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
