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
(default 6.0). Loading, keeping warm, GPU settings and the call are the `DiffusersRuntime`'s
(renderer/diffusers_runtime.py), as for the other diffusers backends: a setting the machine
cannot use is skipped and listed in metadata["gpu_notes"].

Cost: `gpu_seconds_per_frame` is a rough figure from the card (about 180 s for 49 frames at 50
steps on an A100, 90 s on an H100), not a measurement here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from storyreel.renderer.backend import Capabilities, QualityTier
from storyreel.renderer.diffusers_runtime import (
    DiffusersRuntime,
    cached_file,
    check_common,
    dropped_inputs,
    first_frame_image,
    looks_like_path,
    snap_frames,
    tiny_text_encoder,
    video_arguments,
)
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

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
        final=QualityTier(steps=DEFAULT_STEPS, multiple=SIZE_STEP),
        # Draft: the card's size and 20 of its 50 steps (0.4 of the final's GPU time). The
        # size stays: CogVideoX-5b was trained at 720x480 only, and the image-to-video model
        # cannot render any other size (its learned positional embeddings fix it). Same
        # size also means same noise: a draft shows what the final of its seed will be.
        draft=QualityTier(scale=1.0, steps=20, multiple=SIZE_STEP),
    )

    def __init__(self, settings: GpuSettings | None = None) -> None:
        self.runtime = DiffusersRuntime(self.name, LABEL, DEFAULT_MODEL, settings)

    @property
    def loads(self) -> int:
        """How many times weights were read (`from_pretrained` calls)."""
        return self.runtime.loads

    # The backend protocol ------------------------------------------------------------------------

    def load(self) -> None:
        """Check that torch and diffusers are installed; weights load on the first render."""
        self.runtime.require()

    def unload(self) -> None:
        """Drop every warm pipeline and free GPU memory."""
        self.runtime.unload()

    def model_for(self, request: RenderRequest) -> str:
        """The model a request renders with (the module docstring gives the order)."""
        options, models = request.options, self.runtime.settings.models
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
            frames = snap_frames(round(seconds * FPS), FRAME_STEP, MAX_FRAMES)
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
            for item in dropped_inputs(request, LABEL)
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
        check_common(request, ("model", "i2v_model"))
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
        with self.runtime.lock:
            started = time.perf_counter()
            # 2. prepare: the warm pipeline for this model and kind, and the call's arguments
            kind = "i2v" if request.first_frame else "t2v"
            model, pipe = self.runtime.prepare(self.model_for(request), PIPELINES[kind], ACCEPTED)
            # the loaded model decides whether it can render this kind and size
            _check_model_fits(request, model.source, *_pipeline_facts(pipe))
            steps = int(request.options.get("steps", DEFAULT_STEPS))
            arguments = video_arguments(request, DEFAULT_GUIDANCE)
            arguments["max_sequence_length"] = pipe.transformer.config.max_text_seq_length
            if kind == "i2v":
                arguments["image"] = first_frame_image(request)
            # 3. denoise with progress and a cancel check every step; 4. decode to uint8
            run = self.runtime.call(pipe, arguments, request, steps, progress, cancel, started)
        # 5. a typed result
        dropped = dropped_inputs(request, LABEL)
        return run.result(request.fps, model=model.source, kind=kind, dropped=dropped)

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

        folder = Path(folder)
        for cls, target, in_channels in (
            (CogVideoXPipeline, folder, 4),
            (CogVideoXImageToVideoPipeline, folder.with_name(folder.name + "-i2v"), 8),
        ):
            torch.manual_seed(0)
            tokenizer, text_encoder = tiny_text_encoder()
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
                tokenizer=tokenizer,
            )
            pipe.save_pretrained(target)
        return folder


# What a model can do, from its configs ------------------------------------------------------------


def _read_config(model: str, name: str) -> dict[str, Any] | None:
    """`name` (e.g. "transformer/config.json") of a local folder or a cached hub model."""
    path = cached_file(model, name)
    if path is None:
        return None
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
    if looks_like_path(model) or Path(model).expanduser().exists():
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
