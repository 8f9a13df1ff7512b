"""The render loop: takes, reuse, partial re-rendering, locks, repairs, continuity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.renderer.executor import RenderExecutor
from storyreel.renderer.video_io import probe, read_all_frames
from storyreel.tools.edits import SetLock, UpdateShot
from storyreel.tools.errors import NotFoundError, StoryreelError
from storyreel.tools.rendering import last_frame_path, render_shots, take_file
from tests.render_helpers import small_demo


@pytest.fixture
def project(tmp_path: Path):
    project = small_demo(tmp_path / "demo")
    yield project
    project.close()


@pytest.fixture
def executor() -> RenderExecutor:
    return RenderExecutor()


def test_first_render_makes_one_selected_take_per_shot(project, executor) -> None:
    report = render_shots(project, executor)
    assert report.rendered == [1, 2, 3, 4, 5, 6, 7]
    plan = project.memory.plan()
    for shot in plan.shots:
        assert shot.selected_take == 1
        (take,) = project.memory.takes(shot.id)
        info = probe(take_file(project, take))
        assert (info.width, info.height) == (320, 180)
        assert info.frames == round(shot.duration_s * 12) == take.frames
    assert report.revision is not None and "Rendered shot(s) 1, 2" in report.revision.description
    assert executor.loads == {"previz": 1}


def test_nothing_changed_renders_nothing(project, executor) -> None:
    render_shots(project, executor)
    again = render_shots(project, executor)
    assert again.rendered == []
    assert again.with_status("up_to_date") == [1, 2, 3, 4, 5, 6, 7]
    assert again.revision is None


def test_changing_one_shot_renders_it_and_its_continuation_only(project, executor) -> None:
    render_shots(project, executor)
    project.memory.apply([UpdateShot(shot_id=3, size="CU")])
    assert render_shots(project, executor).rendered == [3]
    project.memory.apply([UpdateShot(shot_id=4, movement="dolly_in")])
    # shot 5 continues from shot 4: its first frame changed, so it renders too
    assert render_shots(project, executor).rendered == [4, 5]
    project.memory.apply([UpdateShot(shot_id=7, dialogue="Come home, Mara.")])
    assert render_shots(project, executor).rendered == [7]


def test_continuation_opens_on_the_previous_last_frame(project, executor) -> None:
    render_shots(project, executor)
    take4 = project.memory.takes(4)[0]
    take5 = project.memory.takes(5)[0]
    last4 = np.asarray(Image.open(last_frame_path(project, take4)), dtype=np.float32)
    first5 = read_all_frames(take_file(project, take5))[0].astype(np.float32)
    assert np.abs(last4 - first5).mean() < 6.0  # identical up to H.264 coding
    other = read_all_frames(take_file(project, project.memory.takes(6)[0]))[0]
    assert np.abs(last4 - other.astype(np.float32)).mean() > 20.0


def test_identical_request_reuses_its_take(project, executor) -> None:
    render_shots(project, executor)
    project.memory.apply([UpdateShot(shot_id=3, size="CU")])
    render_shots(project, executor, [3])
    project.memory.apply([UpdateShot(shot_id=3, size="MS")])  # back to the first version
    report = render_shots(project, executor, [3])
    assert report.with_status("reused") == [3]
    assert report.rendered == []
    assert [t.number for t in project.memory.takes(3)] == [1, 2]
    assert project.memory.plan().find_shot(3).selected_take == 1


def test_force_makes_a_new_take_with_a_new_seed_but_not_for_locked(project, executor) -> None:
    render_shots(project, executor)
    project.memory.apply([SetLock(shot_id=2, locked=True)])
    report = render_shots(project, executor, force=True)
    assert report.with_status("locked") == [2]
    assert 2 not in report.rendered and len(report.rendered) == 6
    takes = project.memory.takes(3)
    assert [t.number for t in takes] == [1, 2] and takes[0].seed != takes[1].seed
    assert len(project.memory.takes(2)) == 1


def test_locked_shot_is_never_rendered_even_if_it_has_no_take(project, executor) -> None:
    project.memory.apply([SetLock(shot_id=1, locked=True)])
    report = render_shots(project, executor)
    assert report.with_status("locked") == [1]
    assert project.memory.takes(1) == []


def test_render_only_the_ids_given(project, executor) -> None:
    report = render_shots(project, executor, [2, 6])
    assert report.rendered == [2, 6]
    assert project.memory.takes(1) == []


def test_unknown_shot_id(project, executor) -> None:
    with pytest.raises(NotFoundError, match=r"no shot with id 99 \(shots: 1, 2, 3, 4, 5, 6, 7\)"):
        render_shots(project, executor, [99])


def test_continuation_without_a_source_take_says_what_to_do(project, executor) -> None:
    with pytest.raises(StoryreelError, match="render shot 4 first"):
        render_shots(project, executor, [5])
    assert project.memory.takes(5) == []


def test_damaged_take_is_rendered_again(project, executor) -> None:
    render_shots(project, executor)
    take = project.memory.takes(2)[0]
    path = take_file(project, take)
    original = path.read_bytes()
    path.write_bytes(original[: len(original) // 2])
    report = render_shots(project, executor)
    assert report.with_status("repaired") == [2]
    assert path.read_bytes() == original  # deterministic: the same bytes come back
    assert len(project.memory.takes(2)) == 1
