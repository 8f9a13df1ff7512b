"""A render killed midway leaves no half-written take; the next render picks up."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from storyreel.renderer.request import file_digest
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import SetStyle, UpdateShot
from storyreel.tools.project import Project


def _slow_demo(folder: Path, resolution: str | None = None) -> None:
    """The demo at 640x360 (or `resolution`) with long shots (8 s each), so a render takes
    several seconds: after its first take, six more shots."""
    project = Project.create(folder, title="The Letter")
    project.memory.apply(
        [*demo_edits(), *([SetStyle(resolution=resolution)] if resolution else [])]
    )
    project.memory.apply([UpdateShot(shot_id=shot_id, duration_s=8) for shot_id in range(2, 8)])
    project.close()


def _start_render(folder: Path) -> subprocess.Popen[str]:
    exe = Path(sys.executable).parent / "storyreel"
    return subprocess.Popen(
        [str(exe), "render", "-p", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_takes(folder: Path, count: int, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "render finished before it could be interrupted"
        with sqlite3.connect(folder / "story.db") as db:
            done = db.execute("select count(*) from takes").fetchone()[0]
        if done >= count:
            return done
        time.sleep(0.01)
    raise AssertionError("no take appeared in time")


def _check_intact(folder: Path) -> int:
    with sqlite3.connect(folder / "story.db") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        rows = db.execute("select path, file_sha256 from takes").fetchall()
    for path, digest in rows:
        assert file_digest(folder / path) == digest, f"registered take {path} is incomplete"
    return len(rows)


def test_killed_render_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    # at 320x180: SIGKILL lands within 10 ms of the first take, and the render that picks
    # up renders the other shots whole (at 640x360 that second render took most of the time)
    _slow_demo(folder, "180p")
    process = _start_render(folder)
    _wait_for_takes(folder, 1, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done = _check_intact(folder)
    assert 1 <= done < 7
    exe = Path(sys.executable).parent / "storyreel"
    again = subprocess.run(
        [str(exe), "render", "--no-critique", "-p", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert f"{7 - done} shot(s) rendered" in again.stdout
    assert _check_intact(folder) == 7
    assert not [p for p in (folder / "media" / "takes").iterdir() if ".partial" in p.name]


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    for attempt in range(3):  # on a busy machine the render may finish before Ctrl-C lands
        folder = tmp_path / f"demo{attempt}"
        _slow_demo(folder)
        process = _start_render(folder)
        _wait_for_takes(folder, 1, process)
        os.kill(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        if not (process.returncode == 0 and _check_intact(folder) == 7):
            break
    # (a rare failure under heavy load exited 0: say everything the render said, to find why)
    assert process.returncode == 130, (
        f"attempt {attempt + 1}: exit {process.returncode}, {_check_intact(folder)} takes\n"
        f"stdout: {stdout[-1500:]}\nstderr: {stderr[-1500:]}"
    )
    assert "Stopped. Finished takes are kept" in stderr
    assert "Traceback" not in stderr
    done = _check_intact(folder)
    assert 1 <= done < 7
    assert not [p for p in (folder / "media" / "takes").iterdir() if ".partial" in p.name]
    with sqlite3.connect(folder / "story.db") as db:  # the finished takes were selected
        selected = db.execute("select count(*) from shots where selected_take is not null")
        assert selected.fetchone()[0] == done
