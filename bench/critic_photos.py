"""Benchmark: the critic on camera moves over photographs the tests never use.

The fixtures in tests/photo_fixtures.py calibrate the critic; this checks the rule,
not the fixtures: other photographs from scikit-image's wheel (graphics among them),
other frame sizes (portrait too), other frame rates (8, 16, 24, 30 fps: CogVideoX,
Wan and film rates) and eased moves at 0.5 and 1 frame width a second. Frames are
judged in memory (no codec), each planned as its own move and as the opposite one.

Prints one line per take that was not simply accepted, a table, and last the figure:
false cuts and wrong verdicts on camera moves.
Run: .venv/bin/python bench/critic_photos.py [TAKES]   (default 240, about 2 minutes)
"""

from __future__ import annotations

import itertools
import sys
from concurrent.futures import ProcessPoolExecutor

import cv2
import numpy as np
import skimage.data

from storyreel.tools.critic import Expectation, critique_frames

PHOTOS = (
    "horse", "clock", "coins", "moon", "page", "text", "logo", "microaneurysms", "cell",
    "checkerboard", "binary_blobs", "shepp_logan_phantom", "cat", "stereo_motorcycle",
)  # fmt: skip
"""The photographs and graphics in scikit-image's wheel that tests/photo_fixtures.py does
not use (cat and stereo_motorcycle it uses rarely); the others need a download."""
MOVES = ("pan_left", "tilt_down", "zoom_in", "roll")
OPPOSITE = {"pan_left": "pan_right", "tilt_down": "tilt_up", "zoom_in": "zoom_out"}
SIZES = ((640, 360), (360, 640), (854, 480))
RATES = (8, 16, 24, 30)
SPEEDS = (0.5, 1.0)


def photo(name: str) -> np.ndarray:
    """An RGB uint8 copy of a scikit-image sample photograph."""
    image = getattr(skimage.data, name)()
    image = image[0] if isinstance(image, tuple) else image
    image = np.asarray(image, dtype=np.float64) if image.dtype == bool else image
    if image.dtype != np.uint8:
        span = max(float(image.max() - image.min()), 1e-6)
        image = (255 * (image - image.min()) / span).astype(np.uint8)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, 2)
    return np.ascontiguousarray(image[..., :3])


def frames_for(image: np.ndarray, move: str, speed: float, size: tuple[int, int], fps: int):
    """2 s of an eased (smoothstep) camera move peaking at `speed` frame widths a second."""
    w, h = size
    n, seconds = int(2 * fps), 2.0
    need = 1 + speed * seconds * 1.6 * (w / min(w, h))
    scale = max(w * need / image.shape[1], h * need / image.shape[0])
    canvas = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)))
    cy, cx = canvas.shape[0] / 2, canvas.shape[1] / 2
    frames = []
    for i in range(n):
        t = i / (n - 1)
        eased = 3 * t * t - 2 * t**3
        travel = speed * w * seconds / 1.5 * (eased - 0.5)
        x = cx - travel if move == "pan_left" else cx
        y = cy + travel if move == "tilt_down" else cy
        zoom = np.exp(np.log(1 + speed * seconds / 1.5) * eased) if move == "zoom_in" else 1.0
        turn = 12 * eased if move == "roll" else 0.0
        matrix = cv2.getRotationMatrix2D((x, y), turn, zoom)
        matrix[0, 2] += w / 2 - x
        matrix[1, 2] += h / 2 - y
        frames.append(cv2.warpAffine(canvas, matrix, (w, h), borderMode=cv2.BORDER_REFLECT))
    return frames


def judge(job: tuple[str, str, float, tuple[int, int], int]) -> dict:
    name, move, speed, size, fps = job
    frames = frames_for(photo(name), move, speed, size, fps)
    own = critique_frames(frames, fps, Expectation(move, len(frames), fps, "Take", False))
    caught = None
    if move in OPPOSITE:
        other = Expectation(OPPOSITE[move], len(frames), fps, "Take", False)
        caught = "wrong_direction" in [f.kind for f in critique_frames(frames, fps, other).findings]
    return {
        "job": job,
        "verdict": own.verdict,
        "errors": [f.kind.value for f in own.findings if f.severity == "error"],
        "not_measured": any(f.kind == "not_measured" for f in own.findings),
        "opposite_caught": caught,
    }


def main(takes: int) -> None:
    grid = list(itertools.product(PHOTOS, MOVES, SPEEDS, SIZES, RATES))
    chosen = np.random.default_rng(1).choice(len(grid), size=min(takes, len(grid)), replace=False)
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(judge, [grid[i] for i in chosen]))
    for r in results:
        if r["verdict"] != "accept" or r["not_measured"] or r["opposite_caught"] is False:
            name, move, speed, (w, h), fps = r["job"]
            print(f"{name:<22}{move:<10}{speed:>4} {w}x{h} {fps:>2} fps  {r['verdict']:<7}"
                  f"{','.join(r['errors']) or '-':<24}"
                  f"{'not measured' if r['not_measured'] else ''}")  # fmt: skip
    cuts = sum("cut_inside_shot" in r["errors"] for r in results)
    rejected = sum(r["verdict"] != "accept" for r in results)
    unmeasured = sum(r["not_measured"] for r in results)
    with_opposite = [r for r in results if r["opposite_caught"] is not None]
    caught = sum(bool(r["opposite_caught"]) for r in with_opposite)
    print(f"\n{'takes':<34}{len(results):>6}")
    print(f"{'false cuts':<34}{cuts:>6}")
    print(f"{'rejected as planned':<34}{rejected:>6}")
    print(f"{'said not measured':<34}{unmeasured:>6}")
    print(f"{'opposite move caught':<34}{caught:>6} of {len(with_opposite)}")
    print(f"false cuts on camera moves: {cuts} of {len(results)}; rejected: {rejected}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 240)
