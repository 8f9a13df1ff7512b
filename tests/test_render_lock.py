"""One rendering process per project: real `storyreel` processes on one project at once.

Every case synchronises on what can be seen, never on sleeps: a renderer is frozen
(SIGSTOP) while its partial file is being written and it holds the render lock (its
pid in render.lock); the other process is started and its "waiting" line awaited;
then the first one is let go (SIGCONT). Afterwards every registered take decodes to
its recorded frame count and matches its hash, no request is registered twice, no
partial file is left, and every shot's selected take shows its current plan.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import file_digest
from storyreel.renderer.video_io import probe
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import SetStyle
from storyreel.tools.errors import ProjectBusyError
from storyreel.tools.partial_files import is_partial, partial_path, remove_dead_partials
from storyreel.tools.plan_view import plan_json as plan_document_json
from storyreel.tools.project import Project
from storyreel.tools.render_lock import LOCK_NAME
from storyreel.tools.rendering import render_shots, takes_needing_render

EXE = str(Path(sys.executable).parent / "storyreel")
WAITING = "is rendering this story; waiting…"
DEADLINE_S = 120


class Proc:
    """A `storyreel` process whose output lines are collected as they come."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "COLUMNS": "200"}
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):  # the offline director only
            env.pop(name, None)
        self.args = args
        self.process = subprocess.Popen(
            [EXE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.pid = self.process.pid
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, pipe, into: list[str]) -> None:
        for line in pipe:
            into.append(line)
            self.lines.put(line)

    def wait_for_line(self, text: str) -> str:
        """The first output line (stdout or stderr) containing `text`."""
        seen = [line for line in [*self.out, *self.err] if text in line]
        deadline = time.monotonic() + DEADLINE_S
        while not seen:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise AssertionError(f"{self.args} never said {text!r}: {self.text()}") from None
            if text in line:
                return line
        return seen[0]

    def finish(self) -> tuple[int, str, str]:
        code = self.process.wait(timeout=DEADLINE_S)
        for reader in self._readers:
            reader.join(timeout=10)
        return code, "".join(self.out), "".join(self.err)

    def text(self) -> str:
        return f"stdout: {''.join(self.out)}\nstderr: {''.join(self.err)}"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=30)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    env["COLUMNS"] = "200"
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=DEADLINE_S, env=env)


def make_story(folder: Path) -> Path:
    """The first three shots of the demo at 320x180, 24 fps (11 s, 264 frames): a fraction
    of a second a shot to render (the lock is what these tests are about, not the pixels)."""
    project = Project.create(folder, title="The Letter")
    project.memory.apply([*demo_edits()[:8], SetStyle(resolution="180p")])
    project.close()
    return folder


def own_partials(folder: Path, pid: int, sub: str = "media/takes") -> list[Path]:
    return [p for p in (folder / sub).glob(f".*.{pid}-*.partial.mp4")]


def lock_pid(folder: Path) -> str:
    path = folder / LOCK_NAME
    return path.read_text().strip() if path.exists() else ""


def freeze_while_rendering(proc: Proc, folder: Path, sub: str = "media/takes") -> None:
    """SIGSTOP `proc` while it writes a take (partial file there, render lock held).

    Then it holds no database transaction (it streams frames), only the lock.
    With `sub` "exports": while it writes the cut (no lock: exports do not take it).
    """
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise AssertionError(f"{proc.args} ended before it was caught writing: {proc.text()}")
        if own_partials(folder, proc.pid, sub):
            os.kill(proc.pid, signal.SIGSTOP)
            locked = sub != "media/takes" or lock_pid(folder) == str(proc.pid)
            if own_partials(folder, proc.pid, sub) and locked:
                return
            os.kill(proc.pid, signal.SIGCONT)  # it had just finished that file: next one
        time.sleep(0.002)
    raise AssertionError(f"{proc.args} was never seen writing")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, f"processes {pids} did not end"
        time.sleep(0.01)


def carry_on(proc: Proc) -> None:
    os.kill(proc.pid, signal.SIGCONT)


def check_project(folder: Path) -> dict[int, list[tuple[int, str]]]:
    """Every registered take intact and decodable, no request twice, no partial left.

    Returns each shot's takes as (number, backend).
    """
    with sqlite3.connect(folder / "story.db") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        takes = db.execute(
            "select shot_id, number, backend, request_hash, path, file_sha256, frames from takes"
        ).fetchall()
        selected = dict(db.execute("select id, selected_take from shots").fetchall())
    requests = [(shot, backend, request) for shot, _, backend, request, *_ in takes]
    assert len(requests) == len(set(requests)), f"a request was registered twice: {requests}"
    paths = [path for *_, path, _, _ in takes]
    assert len(paths) == len(set(paths)), f"two takes share a file: {paths}"
    for shot, number, _, _, path, digest, frames in takes:
        assert file_digest(folder / path) == digest, f"take {number} of shot {shot} was changed"
        assert probe(folder / path).frames == frames, f"take {number} of shot {shot} is damaged"
    by_shot: dict[int, list[tuple[int, str]]] = {}
    for shot, number, backend, *_ in takes:
        by_shot.setdefault(shot, []).append((number, backend))
    for shot, number in selected.items():
        assert number in [n for n, _ in by_shot.get(shot, [])], f"shot {shot} selects no take"
    leftovers = [
        p for sub in ("media/takes", "media/refs", "exports") for p in (folder / sub).iterdir()
    ]
    assert not [p.name for p in leftovers if is_partial(p)], "partial files were left behind"
    project = Project.open(folder)
    try:
        plan = project.memory.plan()
        assert takes_needing_render(project, plan.ordered_shots()) == []
    finally:
        project.close()
    return by_shot


def plan_json(folder: Path) -> str:
    """What `storyreel show --json` prints (read here: a process more costs a second)."""
    project = Project.open(folder)
    try:
        return plan_document_json(project.memory.plan(), project.memory.takes_by_shot())
    finally:
        project.close()


def state_of(folder: Path) -> tuple[str, list, list[str], int]:
    """The plan, the take rows, the files and the revision count: what must not change."""
    with sqlite3.connect(folder / "story.db") as db:
        takes = db.execute("select * from takes order by shot_id, number").fetchall()
        revisions = db.execute("select count(*) from revisions").fetchone()[0]
    files = sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not is_partial(p) and not p.name.startswith(("agent.db", "story.db-"))
    )
    return plan_json(folder), takes, files, revisions


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return make_story(tmp_path / "film")


@pytest.fixture(scope="module")
def rendered_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story with every shot rendered here (take 1 each), made once per module. Its
    takes hold no absolute path (no shot continues from another), so a copy is complete."""
    folder = make_story(tmp_path_factory.mktemp("render-lock") / "film")
    project = Project.open(folder)
    render_shots(project, RenderExecutor())
    project.close()
    return folder


@pytest.fixture
def rendered_story(rendered_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the rendered story."""
    return Path(shutil.copytree(rendered_template, tmp_path / "film"))


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


def start(procs: list[Proc], *args: str) -> Proc:
    proc = Proc(*args)
    procs.append(proc)
    return proc


@pytest.mark.parametrize("second", ["render", "render --force"])
def test_two_renders_at_once(story: Path, procs: list[Proc], second: str) -> None:
    first = start(procs, "render", "-p", str(story))
    freeze_while_rendering(first, story)
    other = start(procs, *second.split(), "-p", str(story))
    line = other.wait_for_line(WAITING)
    assert f"Another storyreel (pid {first.pid}) is rendering this story; waiting…" in line
    # plan edits from other processes keep working while a render runs
    edit = run("character", "add", "Lena", "-d", "a girl in a yellow coat", "-p", str(story))
    assert edit.returncode == 0, edit.stderr
    carry_on(first)
    code, out, err = first.finish()
    assert code == 0, err
    assert "3 shot(s) rendered" in out
    code, out, err = other.finish()
    assert code == 0, err
    assert err.count(WAITING) == 1  # said once
    takes = check_project(story)
    if second == "render":
        assert "0 shot(s) rendered" in out  # what the first one rendered is not rendered again
        assert all(len(numbers) == 1 for numbers in takes.values())
    else:  # a forced render after the first one: one new take each, selected
        assert "3 shot(s) rendered" in out
        assert all([n for n, _ in numbers] == [1, 2] for numbers in takes.values())
        with sqlite3.connect(story / "story.db") as db:
            assert {n for (n,) in db.execute("select selected_take from shots")} == {2}


@pytest.mark.parametrize("order", ["say_first", "render_first"])
def test_say_and_render_at_once(story: Path, procs: list[Proc], order: str) -> None:
    say = ["say", "make shot 2 a close-up", "--offline", "--yes", "--json", "-p", str(story)]
    render = ["render", "-p", str(story)]
    first = start(procs, *(say if order == "say_first" else render))
    freeze_while_rendering(first, story)
    other = start(procs, *(render if order == "say_first" else say))
    line = other.wait_for_line(WAITING)
    assert f"(pid {first.pid})" in line
    if order == "render_first":  # the say changed the plan while the render was frozen
        event = json.loads(line)
        assert event["type"] == "notice" and event["data"]["waiting"] is True
        assert shot_size(story, 2) == "CU"
    carry_on(first)
    outputs = {}
    for proc in (first, other):
        code, outputs[proc.pid], err = proc.finish()
        assert code == 0, proc.text()
        assert "Traceback" not in err
    takes = check_project(story)
    assert shot_size(story, 2) == "CU"
    assert set(takes) == {1, 2, 3}
    if order == "say_first":  # the render found everything done by the say
        assert "0 shot(s) rendered" in outputs[other.pid]


def shot_size(folder: Path, shot_id: int) -> str:
    plan = json.loads(plan_json(folder))
    return next(shot for shot in plan["shots"] if shot["id"] == shot_id)["size"]


def test_two_sessions_at_once(story: Path, procs: list[Proc]) -> None:
    said = "render"
    first = start(procs, "say", said, "--offline", "--yes", "-s", "one", "-p", str(story))
    freeze_while_rendering(first, story)
    other = start(procs, "say", said, "--offline", "--yes", "--json", "-s", "two", "-p", str(story))
    line = other.wait_for_line(WAITING)
    assert json.loads(line)["text"].startswith(f"Another storyreel (pid {first.pid})")
    carry_on(first)
    for proc in (first, other):
        code, _, _ = proc.finish()
        assert code == 0, proc.text()
    events = [json.loads(line) for line in other.out]
    rendered = [e for e in events if e["type"] == "take" and e["data"]["status"] == "rendered"]
    assert rendered == []  # the second session renders nothing the first one made
    assert sum(e["type"] == "notice" and WAITING in e["text"] for e in events) == 1
    check_project(story)


def test_no_wait_refuses_and_changes_nothing(story: Path, procs: list[Proc]) -> None:
    project = Project.open(story)
    render_shots(project, RenderExecutor(), [1])  # a take, so there is a selection to keep
    project.close()
    first = start(procs, "render", "--force", "-p", str(story))
    freeze_while_rendering(first, story)
    before = state_of(story)
    refused = [
        run("render", "--no-wait", "-p", str(story)),
        run("render", "2", "--force", "--no-wait", "-p", str(story)),
        run("say", "make shot 3 a close-up", "--offline", "--yes", "--no-wait", "-p", str(story)),
        run("compare", "1", "--backends", "previz,previz", "--no-wait", "-p", str(story)),
    ]
    line = f"error: Another storyreel (pid {first.pid}) is rendering this story; not waiting"
    for result in refused:
        assert result.returncode == 3, result
        assert result.stderr.startswith(line), result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert state_of(story) == before
    carry_on(first)
    code, _, err = first.finish()
    assert code == 0, err
    check_project(story)


def test_killed_forced_render_keeps_its_takes_selected_and_continues(rendered_story: Path) -> None:
    story = rendered_story
    forced = Proc("render", "--force", "-p", str(story))
    try:
        deadline = time.monotonic() + DEADLINE_S
        while True:  # one forced take registered, and the next one being written
            assert time.monotonic() < deadline, forced.text()
            with sqlite3.connect(story / "story.db") as db:
                done = db.execute("select count(*) from takes where number = 2").fetchone()[0]
            if done >= 1:
                break
            time.sleep(0.005)
        freeze_while_rendering(forced, story)
        with sqlite3.connect(story / "story.db") as db:
            done = db.execute("select count(*) from takes where number = 2").fetchone()[0]
        assert 1 <= done < 3
        encoders = children(forced.pid)
        os.kill(forced.pid, signal.SIGKILL)
    finally:
        forced.kill()
    wait_gone(encoders)  # its ffmpeg finishes the half-written file, then exits
    assert own_partials(story, forced.pid)  # the killed one's half-written take
    with sqlite3.connect(story / "story.db") as db:  # finished forced takes are selected
        selected = dict(db.execute("select id, selected_take from shots").fetchall())
        newest = dict(db.execute("select shot_id, max(number) from takes group by shot_id"))
    assert selected == newest and sorted(selected.values()).count(2) == done

    plain = run("render", "-p", str(story))  # a plain render says how to finish it
    assert plain.returncode == 0, plain.stderr
    assert "0 shot(s) rendered" in plain.stdout
    assert "was stopped before it finished; run storyreel render --force again" in plain.stderr
    assert not own_partials(story, forced.pid)  # the dead process's partial is swept

    again = run("render", "--force", "-p", str(story))
    assert again.returncode == 0, again.stderr
    assert f"{3 - done} shot(s) rendered, {done} reused" in again.stdout
    assert "continued the forced render that was stopped" in again.stderr
    takes = check_project(story)
    assert all([n for n, _ in numbers] == [1, 2] for numbers in takes.values())
    with sqlite3.connect(story / "story.db") as db:
        assert {n for (n,) in db.execute("select selected_take from shots")} == {2}
        # finished: the next forced render starts afresh
        assert db.execute("select count(*) from state where key = 'forced_run'").fetchone()[0] == 0


def test_killed_export_leaves_nothing_after_the_next_export(rendered_story: Path) -> None:
    story = rendered_story
    exporting = Proc("export", "-p", str(story))
    try:
        freeze_while_rendering(exporting, story, "exports")
        assert lock_pid(story) == ""  # exporting does not hold the render lock
        encoders = children(exporting.pid)
        os.kill(exporting.pid, signal.SIGKILL)
    finally:
        exporting.kill()
    wait_gone(encoders)
    assert own_partials(story, exporting.pid, "exports")  # the killed export's half cut
    assert not (story / "exports" / "the-letter.mp4").exists()
    again = run("export", "-p", str(story))
    assert again.returncode == 0, again.stderr
    assert not own_partials(story, exporting.pid, "exports")
    assert probe(story / "exports" / "the-letter.mp4").frames == 264
    check_project(story)


def test_lock_in_one_process_refuses_and_waits(story: Path) -> None:
    """Two Project objects of one folder (two sessions in one process) exclude each other."""
    holder, waiter = Project.open(story), Project.open(story)
    try:
        holder.render_lock.acquire()
        assert lock_pid(story) == str(os.getpid())
        with pytest.raises(ProjectBusyError) as refused:
            render_shots(waiter, RenderExecutor(), wait=False)
        assert refused.value.pid == os.getpid()
        said: list[str] = []
        done = threading.Event()

        def render() -> None:
            render_shots(waiter, RenderExecutor(), [1], on_wait=said.append)
            done.set()

        thread = threading.Thread(target=render)
        thread.start()
        deadline = time.monotonic() + DEADLINE_S
        while not said and time.monotonic() < deadline:
            time.sleep(0.005)
        assert said == [f"Another storyreel (pid {os.getpid()}) {WAITING}"]
        assert not done.is_set()
        with holder.render_lock.holding():  # reentrant for its holder
            pass
        assert holder.render_lock.held
        holder.render_lock.release()
        thread.join(timeout=DEADLINE_S)
        assert done.is_set() and waiter.memory.takes(1)
        assert lock_pid(story) == ""  # released: no stale pid
    finally:
        holder.close()
        waiter.close()


def test_dead_partials_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = tmp_path / "cut.mp4"
    mine = partial_path(target)
    theirs = tmp_path / f".cut.mp4.{dead.pid}-0123abcd.partial.mp4"
    other_name = tmp_path / f".other.mp4.{dead.pid}-0123abcd.partial.mp4"
    for path in (mine, theirs, other_name):
        path.write_bytes(b"x")
    assert mine != partial_path(target)  # unique per call
    assert remove_dead_partials(tmp_path, "cut.mp4") == [theirs]
    assert mine.exists() and other_name.exists()
    assert remove_dead_partials(tmp_path) == [other_name]
