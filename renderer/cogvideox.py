"""The CogVideoX backend: text-to-video and image-to-video with diffusers' CogVideoX pipelines.

Model card facts (THUDM/CogVideoX-5b): 720x480, 49 frames (6 s) at 8 fps, 50 steps, guidance 6.
Image-to-video needs its own weights, THUDM/CogVideoX-5b-I2V: its transformer takes the image
latents next to the noise (twice the VAE's latent channels), so a text-to-video model cannot
start from a picture and an image-to-video one cannot start from nothing. Its learned positional
embeddings also fix its size: 720x480 and 49 frames only.

Frames: the VAE compresses time by 4 (4k+1 frames), but its decoder works on pairs of latent
frames, so only an odd number of latent frames comes back at the asked length: 8k+1 frames
(9, 17, 33, 49; asking for 37 gives 40 in diffusers 0.42). Width and height are multiples of
16 (the VAE's 8 times the transformer's patch of 2).

What each request kind runs (diffusers 0.42):

    text-to-video   CogVideoXPipeline(prompt, negative_prompt, height, width, num_frames,
                    num_inference_steps, guidance_scale, generator, output_type="np",
                    max_sequence_length=the transformer's, callback_on_step_end)
    image-to-video  CogVideoXImageToVideoPipeline(image=first frame, same arguments) on an
                    image-to-video model
    references      not supported: CogVideoX takes no subject reference images, videos or sound;
                    they are dropped and listed in metadata["dropped"]

Which model: text-to-video uses options["model"], else `models.cogvideox` in the GPU
settings, else THUDM/CogVideoX-5b. Image-to-video uses options["i2v_model"], else
`models.cogvideox-i2v`, else the image-to-video partner of that model: the hub id with "-I2V"
appended (THUDM/CogVideoX-5b -> THUDM/CogVideoX-5b-I2V), or for a folder the folder next to it
named like it plus "-i2v" or "-I2V" (`build_tiny` writes both). The reverse holds for a
text-to-video request given an image-to-video model. One model is kept warm at a time, so
alternating text- and image-to-video shots reloads: group them when rendering many.

Options read from `request.options`: "model", "i2v_model", "steps" (default 50), "guidance"
(default 6.0). GPU use comes from `GpuSettings`, as for the other diffusers backends; a setting
the model cannot take is skipped and reported in metadata["gpu_notes"].

Cost: `gpu_seconds_per_frame` is a rough figure from the card (about 180 s for 49 frames at 50
steps on an A100, 90 s on an H100), not a measurement here.
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

DEFAULT_MODEL = "THUDM/CogVideoX-5b"
DEFAULT_I2V_MODEL = "THUDM/CogVideoX-5b-I2V"
LABEL = "CogVideoX"
FPS = 8
FRAME_STEP = 8  # frames must be 8k+1 (see the module docstring)
SIZE_STEP = 16  # width and height must be multiples of 16
CARD_SIZE = (720, 480)
MAX_FRAMES = 49
DEFAULT_STEPS = 50
DEFAULT_GUIDANCE = 6.0
ACCEPTED = {
    "CogVideoXPipeline",
    "CogVideoXImageToVideoPipeline",
    "CogVideoXVideoToVideoPipeline",
}  # model_index.json classes these pipelines load
PIPELINES = {"t2v": "CogVideoXPipeline", "i2v": "CogVideoXImageToVideoPipeline"}
KIND_NAMES = {"t2v": "text-to-video", "i2v": "image-to-video"}
# what is known of the default models without their files (from their configs)
KNOWN = {
    DEFAULT_MODEL: {"kinds": {"t2v"}, "fixed": None},
    DEFAULT_I2V_MODEL: {"kinds": {"i2v"}, "fixed": (720, 480, 49)},
}


class CogVideoXBackend:
    """CogVideoX through diffusers: text-to-video, and image-to-video with the I2V weights."""

    name = "cogvideox"
    DEFAULT_MODEL = DEFAULT_MODEL
    DEFAULT_I2V_MODEL = DEFAULT_I2V_MODEL
    capabilities = Capabilities(
        text_to_video=True,
        image_to_video=True,  # with the image-to-video weights (THUDM/CogVideoX-5b-I2V)
        max_reference_images=0,  # no subject references: only the first frame conditions
        max_reference_videos=0,
        max_audio=0,
        frame_rule="8k+1",
        max_frames=MAX_FRAMES,
        resolutions=[CARD_SIZE],
        fps=[FPS],
        needs_gpu=True,
        deterministic=True,
        gpu_seconds_per_frame=4.0,
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
        """The model a request renders with (the module docstring gives the order)."""
        options, models = request.options, self.settings.models
        kind = "i2v" if request.first_frame else "t2v"
        if kind == "i2v" and (options.get("i2v_model") or models.get(f"{self.name}-i2v")):
            return options.get("i2v_model") or models[f"{self.name}-i2v"]
        model = options.get("model") or models.get(self.name) or DEFAULT_MODEL
        if kind in _kinds(model):
            return model
        partner = _partner(model)
        return partner if partner and kind in _kinds(partner) else model

    def adapt(self, request: RenderRequest) -> tuple[RenderRequest, list[str]]:
        """The request snapped to CogVideoX's rules (8 fps, 8k+1 frames, sizes of 16), and why."""
        warnings: list[str] = []
        model = self.model_for(request)
        fixed = (_facts(model) or {}).get("fixed")
        seconds = request.frames / request.fps
        if request.fps != FPS:
            warnings.append(f"fps {request.fps} -> {FPS}: {LABEL} is made for {FPS} fps")
        if fixed:
            frames, rule = fixed[2], f"model {model} renders exactly {fixed[2]} frames"
        else:
            frames = _snap_frames(round(seconds * FPS), FRAME_STEP, MAX_FRAMES)
            rule = f"{LABEL} needs 8k+1 frames (at most {MAX_FRAMES})"
        if frames != request.frames:
            warnings.append(
                f"frames {request.frames} -> {frames}: {rule}; {frames / FPS:.2f} s at {FPS} fps"
            )
        size = {}
        for field, index in (("width", 0), ("height", 1)):
            value = getattr(request, field)
            if fixed:
                size[field] = fixed[index]
                why = f"model {model} renders {fixed[0]}x{fixed[1]} only"
            else:
                size[field] = max(SIZE_STEP, round(value / SIZE_STEP) * SIZE_STEP)
                why = f"{LABEL} needs multiples of {SIZE_STEP}"
            if size[field] != value:
                warnings.append(f"{field} {value} -> {size[field]}: {why}")
        if model in (DEFAULT_MODEL,) and (size["width"], size["height"]) != CARD_SIZE:
            warnings.append(
                f"{model} was trained at {CARD_SIZE[0]}x{CARD_SIZE[1]}: other sizes run but "
                f"usually look worse"
            )
        warnings += [
            f"{item['path']} ({item['kind']}, {item['role']}) will be dropped: {item['reason']}"
            for item in _dropped(request)
        ]
        adapted = request.model_copy(update={"fps": FPS, "frames": frames, **size}, deep=True)
        return adapted, warnings

    def check_request(self, request: RenderRequest) -> None:
        """Raise ValueError naming the field, the rule and the value CogVideoX cannot take."""
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
        model = self.model_for(request)
        facts = _facts(model)
        if facts is not None:
            _check_model_fits(request, model, facts["kinds"], facts["fixed"])

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
        _check_model_fits(request, model, *_pipeline_facts(pipe))  # the loaded model decides
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
            "num_inference_steps": steps,
            "guidance_scale": guidance,
            "generator": torch.Generator(device).manual_seed(request.seed),
            "output_type": "np",
            "max_sequence_length": pipe.transformer.config.max_text_seq_length,
        }
        if kind == "i2v":
            kwargs["image"] = _first_frame(request)
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
        """Save tiny random-weight CogVideoX pipelines: text-to-video in `folder`, and
        image-to-video next to it in `folder`-i2v, so `folder` is a valid --model for both kinds.

        The pictures are noise; the point is to run the real loading and inference code on a
        CPU in well under a second (16x16 or 32x32, 9 frames).
        """
        import torch
        from diffusers import (
            AutoencoderKLCogVideoX,
            CogVideoXImageToVideoPipeline,
            CogVideoXPipeline,
            CogVideoXTransformer3DModel,
            DDIMScheduler,
        )
        from transformers import ByT5Tokenizer, T5Config, T5EncoderModel

        folder = Path(folder)
        for cls, target, in_channels in (
            (CogVideoXPipeline, folder, 4),
            (CogVideoXImageToVideoPipeline, folder.with_name(folder.name + "-i2v"), 8),
        ):
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
            transformer = CogVideoXTransformer3DModel(
                num_attention_heads=4,
                attention_head_dim=8,
                in_channels=in_channels,  # image-to-video: noise and image latents side by side
                out_channels=4,
                time_embed_dim=2,
                text_embed_dim=32,
                num_layers=1,
                sample_width=2,
                sample_height=2,
                sample_frames=9,
                patch_size=2,
                temporal_compression_ratio=4,
                max_text_seq_length=16,
            )
            vae = AutoencoderKLCogVideoX(
                in_channels=3,
                out_channels=3,
                down_block_types=("CogVideoXDownBlock3D",) * 4,
                up_block_types=("CogVideoXUpBlock3D",) * 4,
                block_out_channels=(8, 8, 8, 8),
                latent_channels=4,
                layers_per_block=1,
                norm_num_groups=2,
                temporal_compression_ratio=4,
            )
            pipe = cls(
                transformer=transformer,
                vae=vae,
                scheduler=DDIMScheduler(),
                text_encoder=text_encoder,
                tokenizer=ByT5Tokenizer(),
            )
            pipe.save_pretrained(target)
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
    for key in ("model", "i2v_model"):
        model = options.get(key)
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise ValueError(f"`options['{key}']` must be a hub id or a folder, got {model!r}")


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


# What a model can do, from its configs ------------------------------------------------------------


def _read_config(model: str, name: str) -> dict[str, Any] | None:
    """`name` (e.g. "transformer/config.json") of a local folder or a cached hub model."""
    path = Path(model).expanduser() / name
    if not path.is_file():
        if _looks_like_path(model) or Path(model).expanduser().exists():
            return None
        try:
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(model, name)
        except (ImportError, ValueError):  # an id the hub would refuse
            return None
        if not isinstance(cached, str):
            return None
        path = Path(cached)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _facts_from(transformer: dict[str, Any], vae: dict[str, Any]) -> dict[str, Any]:
    """Kinds a model can render and its fixed (width, height, frames), if any, from configs."""
    latent = vae.get("latent_channels", 16)
    kinds = {"i2v"} if transformer.get("in_channels") == 2 * latent else {"t2v"}
    fixed = None
    if transformer.get("use_learned_positional_embeddings"):
        scale = 2 ** (len(vae.get("block_out_channels", (0, 0, 0, 0))) - 1)
        fixed = (
            transformer.get("sample_width", 90) * scale,
            transformer.get("sample_height", 60) * scale,
            transformer.get("sample_frames", 49),
        )
    return {"kinds": kinds, "fixed": fixed}


def _facts(model: str) -> dict[str, Any] | None:
    """What is known of `model` without loading it (None when its configs are not here)."""
    transformer = _read_config(model, "transformer/config.json")
    vae = _read_config(model, "vae/config.json")
    if transformer is not None and vae is not None:
        return _facts_from(transformer, vae)
    return KNOWN.get(model)


def _pipeline_facts(pipe: Any) -> tuple[set[str], tuple[int, int, int] | None]:
    facts = _facts_from(dict(pipe.transformer.config), dict(pipe.vae.config))
    return facts["kinds"], facts["fixed"]


def _kinds(model: str) -> set[str]:
    """The request kinds `model` renders: from its configs, else guessed from its name."""
    facts = _facts(model)
    if facts is not None:
        return facts["kinds"]
    return {"i2v"} if model.rstrip("/").lower().endswith("-i2v") else {"t2v"}


def _partner(model: str) -> str | None:
    """The image-to-video model of a text-to-video one (and back), by the hub's naming."""
    base = model.rstrip("/")
    i2v = base.lower().endswith("-i2v")
    candidates = [base[:-4]] if i2v else [base + "-i2v", base + "-I2V"]
    if _looks_like_path(model) or Path(model).expanduser().exists():
        found = [name for name in candidates if Path(name).expanduser().is_dir()]
        return found[0] if found else None
    return base[:-4] if i2v else base + "-I2V"


def _check_model_fits(
    request: RenderRequest, model: str, kinds: set[str], fixed: tuple[int, int, int] | None
) -> None:
    """A teaching error when `model` cannot render this kind of request or this size."""
    kind = "i2v" if request.first_frame else "t2v"
    if kind not in kinds and kind == "i2v":
        raise ValueError(
            f"`first_frame` needs an image-to-video model, but {LABEL} model {model!r} was "
            f"trained for text-to-video only (its transformer does not take image latents): use "
            f"{DEFAULT_I2V_MODEL} - set options['i2v_model'] or `cogvideox-i2v` under [models] "
            f"in storyreel-gpu.toml, or put an image-to-video folder next to it named "
            f"'{Path(model).name}-i2v'"
        )
    if kind not in kinds:
        raise ValueError(
            f"{LABEL} model {model!r} is an image-to-video model: it needs a `first_frame`; for "
            f"text-to-video use {DEFAULT_MODEL} (options['model'] or `cogvideox` under [models] "
            f"in storyreel-gpu.toml)"
        )
    if fixed is None:
        return
    width, height, frames = fixed
    if (request.width, request.height) != (width, height):
        raise ValueError(
            f"`width`x`height` must be {width}x{height} for {LABEL} model {model!r} (its "
            f"learned positional embeddings fix the size), got {request.width}x{request.height}"
        )
    if request.frames != frames:
        raise ValueError(
            f"`frames` must be {frames} for {LABEL} model {model!r} (its learned positional "
            f"embeddings fix the length), got {request.frames}"
        )
