"""Benchmark: `storyreel export` of the final cut for films of 10, 100 and 500 shots.

Builds one story per size (320x180, 12 fps, 3 s shots; hard cuts, dissolves and
fades in turn), each shot with a registered take: hard links to four tiny mp4
takes, made once. Then exports each film's cut twice, each time in a fresh
Python process: with the export code of the baseline commit (before issue 18
part 4: four ffmpeg processes per take, a film-long sound buffer in memory)
and with the current code; and once more the largest film with one take in
ten carrying sound (current code only). Per run it prints seconds, seconds per
shot, the ffmpeg processes started (one more than the export's own: the first
`ffmpeg_exe()` of a process checks the binary with `-version`), and memory:

- self MB: the Python process's peak resident memory (VmHWM);
- child MB: its largest ffmpeg child's (VmHWM, read from /proc while it runs);
- peak MB: self's peak plus the most its children held at one time, an upper
  bound of what the export held at once. It counts the ffmpeg program's own
  pages (about 28 MB, shared) once per ffmpeg process running;
- PSS MB: the most the export and its children held at one time, sampled,
  with shared pages divided among the processes that share them (Linux PSS):
  the memory the export actually took.

The last line is the 500-shot figure. Run: .venv/bin/python bench/export.py
(`--baseline REV` picks another baseline commit; `--sizes 10,100` fewer films;
`--no-sound` skips the film with sound). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "0c43282"  # the last commit before the streaming export
OLD_MODULES = ("tools/cut_audio.py", "tools/cut.py", "tools/exports.py")
TRANSITIONS = ["cut", "cut", "dissolve", "cut", "fade_in", "match_cut", "fade_out", "smash_cut"]
SHOT_S = 3.0
FPS = 12


def make_takes(folder: Path, count: int = 4, sound: bool = False) -> list[Path]:
    """`count` tiny takes (320x180, 12 fps, 3 s) with moving content, like previz ones;
    with `sound`, each has a tone under it."""
    from storyreel.renderer.video_io import VideoWriter

    tone = None
    if sound:
        tone = folder / "tone.wav"
        samples = np.arange(round(SHOT_S * 22050))
        wave_form = (np.sin(samples * 2 * np.pi * 440 / 22050) * 8000).astype(np.int16)
        with wave.open(str(tone), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(22050)
            out.writeframes(wave_form.tobytes())
    paths = []
    for number in range(count):
        path = folder / f"take{number}{'-sound' if sound else ''}.mp4"
        colour = np.array([60 + 50 * number, 120, 200 - 40 * number], np.uint8)
        with VideoWriter(path, 320, 180, FPS, audio=tone, duration_s=SHOT_S) as writer:
            for index in range(round(SHOT_S * FPS)):
                frame = np.empty((180, 320, 3), np.uint8)
                frame[...] = colour
                frame[60:120, (index * 8) % 280 : (index * 8) % 280 + 40] = 240
                writer.write(frame)
        paths.append(path)
    return paths


def build_story(folder: Path, shots: int, takes: list[Path], sounding: list[Path]) -> Path:
    """A story of `shots` shots, each with a selected take (a hard link to one of `takes`;
    every tenth one of `sounding`, if given)."""
    from storyreel.tools.edits import AddShot, SelectTake, SetStyle
    from storyreel.tools.project import Project
    from storyreel.tools.story import Take

    project = Project.create(folder, title=f"Bench {shots}")
    edits = [SetStyle(resolution="180p", fps=FPS)]
    edits += [
        AddShot(action=f"Shot {n}", duration_s=SHOT_S, transition=TRANSITIONS[n % len(TRANSITIONS)])
        for n in range(shots)
    ]
    project.memory.apply(edits, source="bench")
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in [*takes, *sounding]}
    selections = []
    for index, shot in enumerate(project.memory.plan().ordered_shots()):
        source = takes[index % len(takes)]
        if sounding and index % 10 == 5:
            source = sounding[index % len(sounding)]
        name = f"bench-{shot.id}.mp4"
        os.link(source, project.takes_dir / name)
        take = Take(
            shot_id=shot.id,
            number=1,
            backend="previz",
            seed=0,
            prompt=shot.action,
            request_hash=f"bench-{shot.id}",
            path=f"media/takes/{name}",
            file_sha256=digests[source],
            frames=round(SHOT_S * FPS),
            fps=FPS,
        )
        registered = project.memory.register_take(take)
        selections.append(SelectTake(shot_id=shot.id, take=registered.take.number))
    project.memory.apply(selections, source="bench")
    project.close()
    return folder


def baseline_sources(revision: str, folder: Path) -> Path:
    """The baseline's export modules, from git, in `folder`."""
    for module in OLD_MODULES:
        text = subprocess.run(
            ["git", "show", f"{revision}:{module}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (folder / Path(module).name).write_text(text)
    return folder


def measure(story: Path, out: Path, baseline: Path | None) -> dict:
    """Export the cut of `story` in this process; what it cost (run in a fresh process)."""
    import importlib.util
    import threading
    import time

    if baseline is not None:  # the old modules stand in for the current ones
        for module in OLD_MODULES:
            name = "storyreel.tools." + Path(module).stem
            spec = importlib.util.spec_from_file_location(name, baseline / Path(module).name)
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            spec.loader.exec_module(loaded)
    from storyreel.tools.exports import export
    from storyreel.tools.project import Project

    started: list[str] = []
    live: list[int] = []
    popen = subprocess.Popen

    class CountingPopen(popen):  # every subprocess.run and Popen goes through here
        def __init__(self, args, *rest, **options) -> None:
            super().__init__(args, *rest, **options)
            if "ffmpeg" in Path(str(args[0])).name:
                started.append(str(args[0]))
                live.append(self.pid)

    # RUSAGE_CHILDREN's maxrss counts this process's memory at the fork, so each ffmpeg's
    # own high-water mark is read from /proc while it runs
    peaks = {"child": 0, "children": 0, "pss": 0}
    done = threading.Event()

    def kilobytes(path: str, field: str) -> int:
        try:
            text = Path(path).read_text()
        except OSError:
            return -1
        line = next((ln for ln in text.splitlines() if ln.startswith(field)), None)
        return int(line.split()[1]) if line else 0

    def watch() -> None:
        while not done.is_set():
            together, pss = 0, kilobytes("/proc/self/smaps_rollup", "Pss:")
            for pid in list(live):
                mark = kilobytes(f"/proc/{pid}/status", "VmHWM:")
                if mark < 0:
                    live.remove(pid)
                    continue
                peaks["child"] = max(peaks["child"], mark)
                together += mark
                pss += max(0, kilobytes(f"/proc/{pid}/smaps_rollup", "Pss:"))
            peaks["children"] = max(peaks["children"], together)
            peaks["pss"] = max(peaks["pss"], pss)
            time.sleep(0.002)

    subprocess.Popen = CountingPopen
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    project = Project.open(story)
    clock = time.perf_counter()
    result = export(project, cut=out)
    seconds = time.perf_counter() - clock
    project.close()
    done.set()
    watcher.join()
    # VmHWM, not ru_maxrss: that would count the memory of the process that started this one
    self_mb = kilobytes("/proc/self/status", "VmHWM:") / 1024
    return {
        "seconds": seconds,
        "frames": result.frames,
        "ffmpeg": len(started),
        "self_mb": self_mb,
        "child_mb": peaks["child"] / 1024,
        "peak_mb": self_mb + peaks["children"] / 1024,
        "pss_mb": peaks["pss"] / 1024,
    }


def run_measure(story: Path, out: Path, baseline: Path | None) -> dict:
    command = [sys.executable, __file__, "--measure", str(story), str(out)]
    if baseline is not None:
        command += ["--old", str(baseline)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"measuring {story} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old export")
    parser.add_argument("--sizes", default="10,100,500", help="shot counts, comma separated")
    parser.add_argument("--no-sound", action="store_true", help="skip the film with sound")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--old", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure, args.old)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "baseline").mkdir()
        old = baseline_sources(args.baseline, folder / "baseline")
        takes, sounding = make_takes(folder), make_takes(folder, sound=True)
        for size in sizes:
            story = build_story(folder / f"story{size}", size, takes, [])
            for label, modules in ((f"baseline {args.baseline}", old), ("streaming", None)):
                cut = folder / f"cut{size}-{'old' if modules else 'new'}.mp4"
                rows.append((size, label, run_measure(story, cut, modules)))
                cut.unlink()
        if not args.no_sound:  # the sound path: a tenth of the takes have sound
            size = max(sizes)
            story = build_story(folder / f"story{size}-sound", size, takes, sounding)
            cut = folder / f"cut{size}-sound.mp4"
            rows.append((size, "streaming, sound", run_measure(story, cut, None)))
    print(f"export of the cut: 320x180, {FPS} fps, {SHOT_S:g} s shots, silent takes")
    print("(streaming, sound: one shot in ten has a take with sound, the rest silence)")
    header = f"{'shots':>6}  {'code':<18}{'seconds':>9}{'s/shot':>9}{'ffmpeg':>8}"
    print(header + f"{'self MB':>9}{'child MB':>10}{'peak MB':>9}{'PSS MB':>8}")
    for size, label, m in rows:
        print(
            f"{size:>6}  {label:<18}{m['seconds']:>9.2f}{m['seconds'] / size:>9.3f}"
            f"{m['ffmpeg']:>8}{m['self_mb']:>9.0f}{m['child_mb']:>10.0f}{m['peak_mb']:>9.0f}"
            f"{m['pss_mb']:>8.0f}"
        )
    largest = max(sizes)
    old_m, new_m = (m for size, label, m in rows if size == largest and "sound" not in label)
    old_per, new_per = old_m["seconds"] / largest, new_m["seconds"] / largest
    print(
        f"export {largest} shots: {new_per:.2f} s/shot (baseline {old_per:.2f}, "
        f"{old_per / new_per:.2f}x faster), peak {new_m['peak_mb']:.0f} MB"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
