"""Benchmark of rendering on a Ray cluster: how much faster K workers render a story.

A local Ray cluster (this machine) renders with the stand-in backend of
tests/cluster_helpers.py, which holds each take for a fixed time without using the CPU,
as a GPU would: so the machine's two cores do not decide the result, and K workers stand
for K GPUs. Measured, each in a fresh story:

- independent shots (none continues from another) on this process's executor, on 1
  cluster worker and on K workers: the speedup of K workers over 1 (ideal K);
- a chain (each shot continues from the one before) on K workers: it cannot go faster
  than one shot at a time, and every shot must start after the take it opens on exists.

    python bench/cluster.py                  # K=4 workers, 16 shots held 2 s, chain of 4
    python bench/cluster.py --workers 2 --shots 8 --hold 1

Prints a table and, as the last line, `cluster speedup: X.XX with K workers (ideal K)`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storyreel.tools.cluster import LOOPBACK  # noqa: E402

os.environ[LOOPBACK] = "0"  # a cluster of this machine alone, on 127.0.0.1
import ray  # noqa: E402

from storyreel.renderer.executor import RenderExecutor  # noqa: E402
from storyreel.tools.cluster import ClusterExecutor, ClusterSettings  # noqa: E402
from storyreel.tools.edits import AddShot, SetStyle  # noqa: E402
from storyreel.tools.project import Project  # noqa: E402
from storyreel.tools.rendering import RenderProgress, ShotOutcome, render_shots  # noqa: E402
from tests.cluster_helpers import register  # noqa: E402


def story(folder: Path, shots: int, chain: bool) -> Project:
    project = Project.create(folder, title="Bench")
    edits: list = [SetStyle(resolution="180p", fps=12)]
    edits += [
        AddShot(
            action=f"Shot {n}: boats leave the harbour",
            duration_s=0.5,
            continues_from=n - 1 if chain and n > 1 else None,
        )
        for n in range(1, shots + 1)
    ]
    project.memory.apply(edits, source="bench")
    return project


def timed(
    folder: Path, executor: RenderExecutor, shots: int, hold: float, chain: bool
) -> tuple[float, bool]:
    """Seconds to render a fresh story, and whether every chained shot started after the
    take it opens on was registered."""
    project = story(folder, shots, chain)
    first_step: dict[int, float] = {}
    done: dict[int, float] = {}

    def progress(event: RenderProgress) -> None:
        first_step.setdefault(event.shot_id, time.monotonic())

    def outcome(event: ShotOutcome) -> None:
        done[event.shot_id] = time.monotonic()

    started = time.perf_counter()
    report = render_shots(
        project,
        executor,
        backend="hold",
        options={"hold_s": hold},
        on_progress=progress,
        on_outcome=outcome,
    )
    seconds = time.perf_counter() - started
    assert len(report.rendered) == shots, report.outcomes
    in_order = all(
        first_step[shot.id] > done[shot.continues_from]
        for shot in project.memory.plan().shots
        if shot.continues_from is not None
    )
    project.close()
    return seconds, in_order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="K, the cluster's workers")
    parser.add_argument("--shots", type=int, default=16, help="independent shots")
    parser.add_argument("--chain", type=int, default=4, help="shots in the chain")
    parser.add_argument("--hold", type=float, default=2.0, help="seconds each take holds")
    args = parser.parse_args()
    k = args.workers

    ray.init(num_cpus=k, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    register()
    rows: list[tuple[str, int, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seconds, _ = timed(root / "local", RenderExecutor(), args.shots, args.hold, False)
        rows.append(("independent, this process", 1, seconds, ""))
        times: dict[int, float] = {}
        for workers in (1, k):
            executor = ClusterExecutor(ClusterSettings(f"local:{k}", workers=workers))
            executor.open()  # workers start before the clock: a session keeps them warm
            try:
                seconds, _ = timed(
                    root / f"independent-{workers}", executor, args.shots, args.hold, False
                )
                times[workers] = seconds
                rows.append(("independent, cluster", workers, seconds, ""))
                if workers == k:
                    seconds, in_order = timed(root / "chain", executor, args.chain, args.hold, True)
                    order = "kept" if in_order else "BROKEN"
                    rows.append((f"chain of {args.chain}, cluster", workers, seconds, order))
            finally:
                executor.close()
    ray.shutdown()

    ideal_chain = args.chain * args.hold
    print(
        f"{args.shots} independent shots and a chain of {args.chain}, each take held "
        f"{args.hold:g} s (a stand-in for GPU time)"
    )
    print(f"{'run':<28} {'workers':>7} {'seconds':>8}  {'chain order':<11}")
    for name, workers, seconds, order in rows:
        print(f"{name:<28} {workers:>7} {seconds:>8.2f}  {order:<11}")
    speedup = times[1] / times[k]
    print(
        f"ideal: {args.shots * args.hold / k:.2f} s on {k} workers; the chain "
        f"cannot beat {ideal_chain:.2f} s"
    )
    print(f"cluster speedup: {speedup:.2f} with {k} workers (ideal {k})")


if __name__ == "__main__":
    main()
