"""The LTX-Video backend: text-to-video and image-to-video with diffusers' LTX pipelines.

Model card facts (Lightricks/LTX-Video): 704x480 by default, width and height multiples of 32,
frame counts 8k+1 (e.g. 97 or 161), 24-25 fps; works best under 720x1280 and 257 frames.

What each request kind runs (diffusers 0.42):

    text-to-video   LTXPipeline(prompt, negative_prompt, height, width, num_frames, frame_rate,
                    num_inference_steps, guidance_scale, generator, output_type="np",
                    callback_on_step_end)
    image-to-video  LTXImageToVideoPipeline(image=first frame, same arguments), built over
                    the text-to-video pipeline's modules: the same weights serve both kinds,
                    so switching kinds never loads again (`loads` stays 1)
    references      not supported: LTX-Video takes no subject reference images, videos or
                    sound; they are dropped and listed in metadata["dropped"]

Options read from `request.options`: "model" (hub id or folder), "steps" (default 50),
"guidance" (default 3.0), "decode_timestep" and "decode_noise_scale" (only for the
timestep-aware VAEs of LTX-Video 0.9.1+, defaults 0.05 and 0.025 from the diffusers docs).

Locating and loading the model, keeping it warm, the GPU settings, the call with progress,
cancel and the out-of-memory retry, and frame conversion are the `DiffusersRuntime`'s
(renderer/diffusers_runtime.py): a setting the machine cannot use is skipped and listed in
metadata["gpu_notes"].

Cost: `gpu_seconds_per_frame` is a rough figure for budgets, not a measurement here: the card
claims faster than real time on an H100 at 768x512; a 24 GB consumer card at 50 steps needs
very roughly a quarter of a second per frame.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.renderer.backend import Capabilities, QualityTier
from storyreel.renderer.diffusers_runtime import (
    DiffusersRuntime,
    check_common,
    dropped_inputs,
    first_frame_image,
    one_frame,
    snap_frames,
    tiny_text_encoder,
    video_arguments,
)
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

if TYPE_CHECKING:
    import numpy as np

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
        final=QualityTier(steps=DEFAULT_STEPS, multiple=SIZE_STEP),
        # Draft: half each side (704x480 -> 352x256 in multiples of 32) and 20 steps, about
        # 1/10 of the final's GPU time. The card's model was trained on many resolutions
        # (any multiple of 32 under 720x1280), so a smaller frame is in its range, and 20
        # of the card's 50 steps already give its layout and motion.
        draft=QualityTier(scale=0.5, steps=20, multiple=SIZE_STEP),
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
        """The model a request renders with: options["model"], then settings, then the default."""
        return self.runtime.model_for(request)

    def adapt(self, request: RenderRequest) -> tuple[RenderRequest, list[str]]:
        """The request snapped to LTX-Video's rules (24 fps, 8k+1 frames, sizes of 32), and why."""
        warnings: list[str] = []
        seconds = request.frames / request.fps
        if request.fps != FPS:
            warnings.append(f"fps {request.fps} -> {FPS}: {LABEL} is made for {FPS} fps")
        frames = snap_frames(round(seconds * FPS), FRAME_STEP, MAX_FRAMES)
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
            for item in dropped_inputs(request, LABEL)
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
        check_common(request)

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
            steps = int(request.options.get("steps", DEFAULT_STEPS))
            arguments = video_arguments(request, DEFAULT_GUIDANCE) | {"frame_rate": request.fps}
            if kind == "i2v":
                arguments["image"] = first_frame_image(request)
            if pipe.vae.config.get("timestep_conditioning"):
                options = request.options
                arguments["decode_timestep"] = float(
                    options.get("decode_timestep", DECODE_TIMESTEP)
                )
                arguments["decode_noise_scale"] = float(
                    options.get("decode_noise_scale", DECODE_NOISE_SCALE)
                )
            # 3. denoise with progress and a cancel check every step; 4. decode to uint8
            run = self.runtime.call(pipe, arguments, request, steps, progress, cancel, started)
        # 5. a typed result
        dropped = dropped_inputs(request, LABEL)
        return run.result(request.fps, model=model.source, kind=kind, dropped=dropped)

    def still(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> np.ndarray:
        """A keyframe candidate (tools/keyframes.py): `request` rendered as ONE frame (1 is
        8k+1) by this model through `render` (text-to-video, or image-to-video from a first
        frame, with the take's prompt and seed), as (H, W, 3) uint8 at the request's size."""
        return one_frame(self, request, progress, cancel)

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

        torch.manual_seed(0)
        tokenizer, text_encoder = tiny_text_encoder()
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
            tokenizer=tokenizer,
        )
        folder = Path(folder)
        pipe.save_pretrained(folder)
        return folder
