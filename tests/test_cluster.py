"""Rendering on a local Ray cluster (num_cpus=2, on the CPU): the same takes as this
process, shots in parallel, chains in order, a killed worker's take rendered elsewhere,
cancel reaching the workers, and what a person is told when Ray or the cluster is wrong."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.request import CancelToken, RenderCancelled
from storyreel.renderer.video_io import read_frames
from storyreel.tools.cluster import LOOPBACK, ClusterExecutor, ClusterSettings
from storyreel.tools.edits import AddShot, SetStyle
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from storyreel.tools.rendering import RenderProgress, ShotOutcome, render_shots, take_file
from tests.cluster_helpers import register
from tests.conftest import Cli
from tests.render_helpers import small_demo

os.environ[LOOPBACK] = "0"  # the test cluster listens on 127.0.0.1 only
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_cluster() -> Iterator[None]:
    """One local Ray cluster for the module; each test starts (and stops) its own workers."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        object_store_memory=200 * 1024 * 1024,
    )
    register()
    yield
    ray.shutdown()


@pytest.fixture
def cluster() -> Iterator[ClusterExecutor]:
    executor = ClusterExecutor(ClusterSettings("local:2"))
    yield executor
    executor.close()


def takes_of(project: Project) -> dict[int, list]:
    return project.memory.takes_by_shot()


def hold_story(
    folder: Path,
    shots: int,
    continues: dict[int, int] | None = None,
    duration_s: float = 0.5,
    resolution: str | None = None,
) -> Project:
    """A story of `shots` short shots (shot i+1 continues from continues[i+1], if given)."""
    project = Project.create(folder, title="Hold")
    continues = continues or {}
    edits: list[Any] = [SetStyle(resolution=resolution)] if resolution else []
    edits += [
        AddShot(
            action=f"Shot {n}: the tide comes in",
            duration_s=duration_s,
            continues_from=continues.get(n),
        )
        for n in range(1, shots + 1)
    ]
    project.memory.apply(edits, source="test")
    return project


def test_cli_render_on_a_cluster_makes_the_same_takes_as_this_process(tmp_path: Path) -> None:
    here = small_demo(tmp_path / "here")
    render_shots(here, RenderExecutor())
    there_folder = tmp_path / "there"
    small_demo(there_folder).close()

    result = Cli(there_folder)("render", "--cluster", "local:2", "--no-critique")
    assert "Rendering on 2 cluster worker(s) at local:2" in result.stderr
    assert "7 shot(s) rendered" in result.stdout

    there = Project.open(there_folder)
    mine, theirs = takes_of(here), takes_of(there)
    assert sorted(mine) == sorted(theirs) == list(range(1, 8))
    for shot_id in mine:
        (a,), (b,) = mine[shot_id], theirs[shot_id]
        assert (a.request_hash, a.file_sha256, a.frames) == (
            b.request_hash,
            b.file_sha256,
            b.frames,
        )
    chained = next(s for s in there.memory.plan().shots if s.continues_from)
    assert theirs[chained.id][0].params["first_frame"]  # it opened on the previous last frame
    leftovers = [p.name for p in there.takes_dir.iterdir() if "partial" in p.name]
    assert leftovers == []
    here.close()
    there.close()


def test_tiny_wan_renders_the_same_frames_on_a_cluster_worker(tmp_path: Path) -> None:
    from storyreel.renderer.wan import WanBackend

    cluster = ClusterExecutor(ClusterSettings("local:2", workers=1))  # one warm pipeline

    model = WanBackend.build_tiny(tmp_path / "wan")
    projects = []
    for name in ("here", "there"):
        # 180p drafts (160x96) of 0.1 s (5 frames at 16 fps), not 360p ones of 0.5 s: the
        # comparison is frame for frame, and fewer, smaller frames show a difference as well
        project = hold_story(tmp_path / name, 2, {2: 1}, duration_s=0.1, resolution="180p")
        (project.root / "storyreel-gpu.toml").write_text(f'[models]\nwan = "{model}"\n')
        projects.append(project)
    here, there = projects
    options = {"steps": 2}
    render_shots(here, RenderExecutor(), backend="wan", options=options, quality="draft")
    report = render_shots(there, cluster, backend="wan", options=options, quality="draft")
    assert report.with_status("rendered") == [1, 2]
    for shot_id in (1, 2):
        (a,), (b,) = takes_of(here)[shot_id], takes_of(there)[shot_id]
        assert a.request_hash == b.request_hash and b.model == a.model
        frames_a = np.stack(list(read_frames(take_file(here, a))))
        frames_b = np.stack(list(read_frames(take_file(there, b))))
        assert np.array_equal(frames_a, frames_b)
    assert cluster.loads == {}  # the driver loaded no model: the worker did
    cluster.close()
    here.close()
    there.close()


def test_independent_shots_render_at_once_and_a_chain_waits_for_its_take(
    tmp_path: Path, cluster: ClusterExecutor
) -> None:
    project = hold_story(tmp_path / "film", 3, {3: 2})
    events: list[tuple[float, str, int]] = []

    def progress(event: RenderProgress) -> None:
        events.append((time.monotonic(), "step", event.shot_id))

    def outcome(event: ShotOutcome) -> None:
        events.append((time.monotonic(), "done", event.shot_id))

    report = render_shots(
        project,
        cluster,
        backend="hold",
        options={"hold_s": 1.0},
        on_progress=progress,
        on_outcome=outcome,
    )
    assert [o.shot_id for o in report.outcomes] == [1, 2, 3]  # film order
    assert report.with_status("rendered") == [1, 2, 3]

    def first(kind: str, shot_id: int) -> float:
        return next(t for t, k, s in events if k == kind and s == shot_id)

    assert first("step", 2) < first("done", 1)  # shots 1 and 2 rendered side by side
    assert first("step", 3) > first("done", 2)  # shot 3 opens on shot 2's take
    (take3,) = takes_of(project)[3]
    assert take3.params["first_frame"]
    project.close()


def test_two_conversations_share_one_cluster_each_getting_its_own_takes(
    tmp_path: Path, cluster: ClusterExecutor
) -> None:
    """The Slack bot's turns run on threads of their own over one executor."""
    projects = [hold_story(tmp_path / f"film{n}", 2) for n in (1, 2)]
    reports: dict[int, object] = {}

    def turn(n: int) -> None:
        reports[n] = render_shots(projects[n], cluster, backend="hold", options={"hold_s": 0.6})

    threads = [threading.Thread(target=turn, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for n, project in enumerate(projects):
        assert reports[n].with_status("rendered") == [1, 2]  # type: ignore[attr-defined]
        takes = takes_of(project)
        assert [len(takes[1]), len(takes[2])] == [1, 1]
        assert all((project.root / t.path).is_file() for ts in takes.values() for t in ts)
        project.close()


def _kill_worker_of(shot_id: int, killed: list[int]) -> object:
    def progress(event: RenderProgress) -> None:
        if event.shot_id == shot_id and not killed and event.message.startswith("pid "):
            pid = int(event.message.split()[1])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    return progress


def test_a_killed_worker_s_take_is_rendered_again_on_another_and_the_person_is_told(
    tmp_path: Path, cluster: ClusterExecutor
) -> None:
    project = hold_story(tmp_path / "film", 2)
    killed: list[int] = []
    report = render_shots(
        project,
        cluster,
        backend="hold",
        options={"hold_s": 1.5},
        on_progress=_kill_worker_of(1, killed),  # type: ignore[arg-type]
    )
    assert killed
    assert report.with_status("rendered") == [1, 2]
    assert any(
        "was lost while rendering shot 1" in note and "rendered again on another worker" in note
        for note in report.notes
    ), report.notes
    assert cluster.slots == 1 and len(cluster.lost) == 1
    takes = takes_of(project)
    assert [len(takes[1]), len(takes[2])] == [1, 1]
    files = sorted(p.name for p in project.takes_dir.glob("*.mp4"))
    assert files == sorted(Path(t.path).name for ts in takes.values() for t in ts)
    project.close()


def test_a_take_lost_more_often_than_its_retries_is_not_registered(tmp_path: Path) -> None:
    executor = ClusterExecutor(ClusterSettings("local:2", retries=0))
    project = hold_story(tmp_path / "film", 1)
    killed: list[int] = []
    try:
        with pytest.raises(StoryreelError, match="shot 1 was lost with 1 render worker"):
            render_shots(
                project,
                executor,
                backend="hold",
                options={"hold_s": 1.5},
                on_progress=_kill_worker_of(1, killed),  # type: ignore[arg-type]
            )
    finally:
        executor.close()
    assert takes_of(project) == {}
    assert list(project.takes_dir.glob("*.mp4")) == []
    project.close()


def test_cancel_from_the_driver_stops_the_workers(tmp_path: Path, cluster: ClusterExecutor) -> None:
    project = hold_story(tmp_path / "film", 2)
    cancel = CancelToken()
    started = time.monotonic()
    with pytest.raises(RenderCancelled):
        render_shots(
            project,
            cluster,
            backend="hold",
            options={"hold_s": 60},
            on_progress=lambda event: cancel.cancel(),
            cancel=cancel,
        )
    assert time.monotonic() - started < 20  # not the 60 s the takes would hold
    assert takes_of(project) == {}
    # the workers stopped the 60 s takes: a short one renders at once on them
    started = time.monotonic()
    report = render_shots(project, cluster, [1], backend="hold", options={"hold_s": 0.2})
    assert report.with_status("rendered") == [1]
    assert time.monotonic() - started < 20
    project.close()


def test_storyreel_gpu_toml_cluster_is_used_by_a_conversation(tmp_path: Path) -> None:
    from storyreel.agent.session import Session

    folder = tmp_path / "film"
    Cli(folder)("new", str(folder), "--title", "Harbour", with_project=False)
    (folder / "storyreel-gpu.toml").write_text('[cluster]\naddress = "local:2"\n')
    with Session(folder, offline=True, autopilot=True) as session:
        assert isinstance(session.context.executor, ClusterExecutor)
        list(session.send("A wide shot of the harbour at dusk, 1 second."))
        workers = session.context.executor.workers
        assert len(workers) == 2
    project = Project.open(folder)
    assert [len(takes) for takes in takes_of(project).values()] == [1]
    project.close()


def test_without_ray_the_cluster_option_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "film"
    small_demo(folder).close()
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    result = Cli(folder)("render", "--cluster", "local:2", expect=1)
    assert 'pip install "storyreel[cluster]"' in result.stderr
    project = Project.open(folder)
    assert takes_of(project) == {}
    project.close()


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[cluster]\naddress = "local:two"\n', "local:N needs a number of workers"),
        ('[cluster]\naddress = "auto"\nspeed = 3\n', "unknown [cluster] setting(s) speed"),
        ('[cluster]\naddress = "auto"\nworkers = 0\n', "workers must be a whole number"),
        ("cluster = 3\n", "must be a table [cluster]"),
    ],
)
def test_a_wrong_cluster_setting_is_said_before_anything_renders(
    tmp_path: Path, toml: str, words: str
) -> None:
    folder = tmp_path / "film"
    small_demo(folder).close()
    (folder / "storyreel-gpu.toml").write_text(toml)
    result = Cli(folder)("render", expect=1)
    assert words in result.stderr
    assert not list((folder / "media" / "takes").glob("*.mp4"))


def test_off_renders_in_this_process(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    small_demo(folder).close()
    (folder / "storyreel-gpu.toml").write_text('[cluster]\naddress = "local:2"\n')
    result = Cli(folder)("render", "1", "--cluster", "off", "--no-critique")
    assert "cluster worker" not in result.stderr
    assert "1 shot(s) rendered" in result.stdout
    shutil.rmtree(folder)
