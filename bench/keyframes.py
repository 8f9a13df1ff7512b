"""Benchmark: what keyframe stills cost against a video take, on the tiny Wan model.

On the tiny random-weight Wan VACE pipeline (`WanBackend.build_tiny`, built into a
temporary folder; CPU, offline), for one 2 s shot at 180p (320x180, snapped by Wan to
320x176 and 33 frames at 16 fps), times:

- 4 candidate stills (`WanBackend.still`: the request rendered as one frame, seeds 1-4),
- one video take of the same shot with the same steps (10),
- a draft take against a final take (tools/quality.py's tiers through `with_quality`:
  Wan's draft is half each side and 10 steps, its final the full frame and 30 steps).

The model is loaded and warmed before anything is timed. The tiny model shows the RATIO,
not real time: its transformer is a few thousand weights and its VAE a sliver, so the
decode weighs more here than on the real model. Real-model figures come from published
numbers: Wan2.1-1.3B makes 5 s of 480p video in about 4 minutes on an RTX 4090, by its
authors (the model card; `WanBackend.capabilities.gpu_seconds_per_frame`), so four
one-frame stills at ~3 s a frame cost seconds where a take costs minutes.

The last line reads
`keyframes: 4 stills X.XX s vs one take Y.YY s (ratio R.RR); draft/final cost D.DD`
(ratio = stills / take; cost = draft seconds / final seconds).
Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/keyframes.py
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from storyreel.renderer.backend import with_quality
from storyreel.renderer.request import CancelToken, RenderRequest, no_progress
from storyreel.renderer.wan import DEFAULT_STEPS, WanBackend

STILLS = 4
STEPS = 10  # the stills and the take compared with them
WIDTH, HEIGHT = 320, 180  # 180p
DURATION_S = 2.0


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        model = WanBackend.build_tiny(Path(folder) / "wan")
        wan = WanBackend()
        wan.load()
        fps = 16
        shot = RenderRequest(
            prompt="a woman in a red coat walks along a stone quay at dusk, wide shot",
            width=WIDTH,
            height=HEIGHT,
            frames=round(DURATION_S * fps),
            fps=fps,
            seed=1,
            options={"model": str(model), "steps": STEPS},
        )
        take, _ = wan.adapt(shot)
        still = shot.model_copy(update={"frames": 1})
        wan.still(still, no_progress, CancelToken())  # load and warm up, untimed

        stills_s = _timed(
            lambda: [
                wan.still(still.model_copy(update={"seed": seed}), no_progress, CancelToken())
                for seed in range(1, STILLS + 1)
            ]
        )
        take_s = _timed(lambda: wan.render(take, no_progress, CancelToken()))

        # the tiers set their own steps: the take's request without options["steps"]
        untiered = take.model_copy(
            update={"options": {k: v for k, v in take.options.items() if k != "steps"}}
        )
        tiers = {}
        for quality in ("draft", "final"):
            request = with_quality(untiered, wan.capabilities, quality)
            seconds = _timed(lambda r=request: wan.render(r, no_progress, CancelToken()))
            tiers[quality] = (request, seconds)
        wan.unload()

    rows = [
        (f"{STILLS} stills", f"{WIDTH}x{HEIGHT}", 1, STEPS, stills_s),
        ("one take", f"{take.width}x{take.height}", take.frames, STEPS, take_s),
    ]
    for quality, (request, seconds) in tiers.items():
        rows.append(
            (
                f"{quality} take",
                f"{request.width}x{request.height}",
                request.frames,
                int(request.options.get("steps", DEFAULT_STEPS)),
                seconds,
            )
        )
    print(f"{'what':<12} {'size':>9} {'frames':>6} {'steps':>5} {'seconds':>8}")
    for what, size, frames, steps, seconds in rows:
        print(f"{what:<12} {size:>9} {frames:>6} {steps:>5} {seconds:>8.2f}")
    ratio = stills_s / take_s
    cost = tiers["draft"][1] / tiers["final"][1]
    print(
        f"(tiny model: the ratio, not real time; the tier model says draft/final = "
        f"{wan.capabilities.cost_of('draft'):.2f})"
    )
    print(
        f"keyframes: {STILLS} stills {stills_s:.2f} s vs one take {take_s:.2f} s "
        f"(ratio {ratio:.2f}); draft/final cost {cost:.2f}"
    )


if __name__ == "__main__":
    main()
