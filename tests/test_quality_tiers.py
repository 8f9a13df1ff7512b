"""Quality tiers: draft and final takes, `finalize`, the export's note and the estimate per tier.

On the tiny random-weight Wan pipeline (CPU, offline, one torch thread) and on previz. The Wan
pipeline's calls are watched: each call's asked size and steps are recorded, then it runs with
2 steps, so a final (the card's 30 steps) costs this machine no more than a draft.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")
pytest.importorskip("ftfy")  # Wan's text cleaning

from storyreel.renderer.backend import backend_factory  # noqa: E402
from storyreel.renderer.gpu import GpuSettings  # noqa: E402
from storyreel.renderer.video_io import probe  # noqa: E402
from storyreel.renderer.wan import WanBackend  # noqa: E402
from storyreel.tools.migrations import migrations  # noqa: E402
from storyreel.tools.project import Project  # noqa: E402
from storyreel.tools.quality import default_quality  # noqa: E402
from storyreel.tools.rendering import _Run, base_seed  # noqa: E402
from storyreel.tools.story import Take  # noqa: E402
from tests.conftest import Cli  # noqa: E402

RUN_STEPS = 2  # what every tiny Wan call really denoises, whatever it was asked
WAN = WanBackend.capabilities


@pytest.fixture(scope="module", autouse=True)
def offline_single_thread() -> Iterator[None]:
    """No model hub, and one torch thread (tiny tensors gain nothing from more)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def calls() -> Iterator[list[dict[str, Any]]]:
    """The asked width, height, frames and steps of every Wan VACE call; each then runs with
    RUN_STEPS steps."""
    from diffusers import WanVACEPipeline

    recorded: list[dict[str, Any]] = []
    real_call = WanVACEPipeline.__call__

    def watched(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked = ("width", "height", "num_frames", "num_inference_steps")
        recorded.append({name: kwargs.get(name) for name in asked})
        kwargs["num_inference_steps"] = RUN_STEPS
        return real_call(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WanVACEPipeline, "__call__", watched)
        yield recorded


@dataclass
class Drafted:
    folder: Path
    model: Path
    draft_call: dict[str, Any]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory, calls: list[dict[str, Any]]) -> Drafted:
    """A story with a draft in it: shot 1 on previz (asked as a draft: previz has one tier, so
    it is final), shot 2 on tiny Wan continuing from shot 1, at the default tier (a draft)."""
    root = tmp_path_factory.mktemp("tiers")
    model = WanBackend.build_tiny(root / "wan")
    folder = root / "film"
    cli = Cli(folder)
    cli("new", str(folder), with_project=False)
    cli("style", "--resolution", "180p")
    cli("shot", "add", "Boats at dusk", "--duration", "0.5")
    cli("shot", "add", "The same boats", "--duration", "0.5", "--continues-from", "1")
    out = cli("render", "1", "--quality", "draft", "--no-critique").stdout
    assert "shot 1: rendered take 1 (previz," in out  # not "previz draft"
    before = len(calls)
    out = cli("render", "2", "--backend", "wan", "--model", str(model), "--no-critique").stdout
    assert "shot 2: rendered take 1 (wan draft 160x96," in out, out
    assert len(calls) == before + 1
    return Drafted(folder, model, calls[-1])


def copy_of(drafted: Drafted, tmp_path: Path) -> Cli:
    """A copy of the drafted story of one's own."""
    folder = tmp_path / "film"
    shutil.copytree(drafted.folder, folder)
    return Cli(folder)


def takes_of(folder: Path, shot_id: int) -> list[Take]:
    project = Project.open(folder)
    try:
        return project.memory.takes(shot_id)
    finally:
        project.close()


def test_finalize_makes_a_larger_final_with_more_steps_from_the_draft(
    drafted: Drafted, calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    cli = copy_of(drafted, tmp_path)
    (previz,) = takes_of(cli.project, 1)
    assert (previz.quality, previz.source) == ("final", None)
    assert "quality" not in previz.params["options"]  # previz renders its one tier

    before = len(calls)
    out = cli("finalize", "--no-critique").stdout
    assert "shot 1 is already final (take 1)" in out
    assert "shot 2: finalized draft take 1 as take 2 (wan," in out
    assert "1 shot(s) finalized, 0 reused, 1 already final, 0 skipped, 0 locked." in out
    assert len(calls) == before + 1

    draft, final = takes_of(cli.project, 2)
    assert (draft.quality, draft.source) == ("draft", None)
    assert (final.quality, final.source) == ("final", 1)
    assert final.seed == draft.seed
    assert cli.plan()["shots"][1]["selected_take"] == 2
    # the same first frame: the last frame of shot 1's take, which finalize left alone
    # (requests hold absolute paths, and the draft was made before this copy)
    first = Path(final.params["first_frame"])
    assert (
        first.name == Path(draft.params["first_frame"]).name == f"{Path(previz.path).stem}.last.png"
    )
    # the draft is smaller and asked for the draft's steps; the final the card's
    assert draft.params["options"]["quality"] == "draft"
    assert draft.params["options"]["steps"] == WAN.draft.steps
    assert "quality" not in final.params["options"] and "steps" not in final.params["options"]
    assert (draft.params["width"], draft.params["height"]) == (160, 96)
    assert (final.params["width"], final.params["height"]) == (320, 176)
    assert drafted.draft_call["num_inference_steps"] == WAN.draft.steps < WAN.final.steps
    assert calls[-1]["num_inference_steps"] == WAN.final.steps
    assert (drafted.draft_call["width"], calls[-1]["width"]) == (160, 320)
    for take, size in ((draft, (160, 96)), (final, (320, 176))):
        video = probe(cli.project / take.path)
        assert (video.width, video.height) == size
    assert draft.request_hash != final.request_hash

    # asking for drafts again keeps the final: it shows the shot at a better tier
    model = str(drafted.model)
    out = cli("render", "2", "--backend", "wan", "--model", model, "--no-critique").stdout
    assert "shot 2 is up to date (take 2)" in out and len(calls) == before + 1
    # and the cut is all final now: no note
    export = cli("export", "--json")
    assert '"drafts": []' in export.stdout and '"tier_note": null' in export.stdout
    assert "draft" not in cli("export").stderr


def test_finalize_renders_nothing_without_an_approved_draft(
    drafted: Drafted, calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    cli = copy_of(drafted, tmp_path)
    cli("shot", "add", "The harbour empty", "--duration", "0.5")
    before = len(calls)
    out = cli("finalize", "1", "3", "--no-critique").stdout
    assert "shot 1 is already final (take 1)" in out
    assert "shot 3 has no take yet: render a draft first (storyreel render 3)" in out
    assert "0 shot(s) finalized, 0 reused, 1 already final, 1 skipped, 0 locked." in out
    # a draft made before its shot changed is not the approved one
    cli("shot", "update", "2", "--action", "Two boats leave the harbour")
    out = cli("finalize", "2", "--no-critique").stdout
    assert "shot 2: its draft (take 1) no longer shows the shot" in out
    assert f"(storyreel render 2 --backend wan --model {drafted.model})" in out
    assert len(calls) == before
    assert [len(takes_of(cli.project, i)) for i in (1, 2, 3)] == [1, 1, 0]


def test_the_export_says_when_the_cut_mixes_tiers(drafted: Drafted, tmp_path: Path) -> None:
    cli = copy_of(drafted, tmp_path)
    result = cli("export")
    assert (
        "note: the cut mixes draft and final takes: shot 2 is a draft; run storyreel finalize"
        in result.stderr
    )
    document = cli("export", "--json").stdout
    assert '"drafts": [\n    2\n  ]' in document and '"mixed_tiers": true' in document
    assert "shot 2 is a draft; run storyreel finalize" in document


def test_the_export_of_an_all_final_cut_has_no_note(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p")
    cli("shot", "add", "Boats at dusk", "--duration", "0.5")
    cli("render", "--no-critique")
    result = cli("export")
    assert "draft" not in result.stderr and "finalize" not in result.stderr
    document = cli("export", "--json").stdout
    assert '"mixed_tiers": false' in document and '"tier_note": null' in document


def test_the_tier_changes_the_request_hash_where_the_backend_has_two(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("shot", "add", "Boats at dusk", "--duration", "1")
    project = Project.open(cli.project)
    try:
        shot = project.memory.plan().shots[0]
        seed = base_seed(shot)

        def compiled(backend: str, quality: str | None, steps: int | None = None) -> Any:
            options: dict[str, object] = {"quality": quality} if quality else {}
            options |= {"steps": steps} if steps else {}
            return _Run(project, backend, options=options).compiled(shot, seed)

        draft, final = compiled("wan", "draft"), compiled("wan", "final")
        assert draft.request_hash != final.request_hash
        assert draft.content_hash != final.content_hash
        assert final.request_hash == compiled("wan", None).request_hash  # final: the default
        assert draft.request.width * 2 == final.request.width
        assert draft.request.options["steps"] == WAN.draft.steps
        assert compiled("wan", "draft", steps=3).request.options["steps"] == 3  # asked wins
        # previz has one tier: a draft is its final request
        previz = compiled("previz", "draft")
        assert previz.request_hash == compiled("previz", "final").request_hash
        assert "quality" not in previz.request.options
    finally:
        project.close()


def test_tiers_per_backend_and_the_default_setting(tmp_path: Path) -> None:
    previz = backend_factory("previz")().capabilities
    assert previz.draft is None and previz.tier("draft") == "final"
    assert previz.cost_of("draft") == 1.0
    assert WAN.cost_of("draft") == pytest.approx(10 / 30 * 0.25)
    for name in ("wan", "ltx", "cogvideox"):
        capabilities = backend_factory(name).__call__().capabilities
        assert 0 < capabilities.cost_of("draft") < capabilities.cost_of("final") == 1.0
    assert default_quality("previz", tmp_path) == "final"
    assert default_quality("wan", tmp_path) == "draft"
    (tmp_path / "storyreel-gpu.toml").write_text('[quality]\ndefault = "final"\n')
    assert default_quality("wan", tmp_path) == "final"
    assert default_quality("previz", tmp_path) == "final"
    with pytest.raises(ValueError, match=r'default = "draft" or "final"'):
        GpuSettings(quality={"default": "best"})


def test_the_approval_estimate_shows_gpu_time_per_tier(tmp_path: Path) -> None:
    from storyreel.agent.session import Session

    folder = tmp_path / "film"
    cli = Cli(folder)
    cli("new", str(folder), with_project=False)
    for number in range(3):
        cli("shot", "add", f"Boats at dusk {number}", "--duration", "10")
    # 3 shots x 240 frames x 3 s a frame at final quality: 36 minutes; a draft 1/12 of it
    with Session(folder, "drafts", offline=True, backend="wan") as session:
        question = list(session.send("render"))[-1]
        assert question.type == "question"
        assert (
            "render 3 shot(s) as drafts, about 3 minutes of GPU time "
            "(about 36 minutes at final quality)"
        ) in question.text
        list(session.send("no"))
    (folder / "storyreel-gpu.toml").write_text('[quality]\ndefault = "final"\n')
    with Session(folder, "finals", offline=True, backend="wan") as session:
        question = list(session.send("render"))[-1]
        assert (
            "render 3 shot(s) at final quality, about 36 minutes of GPU time "
            "(about 3 minutes as drafts)"
        ) in question.text
        list(session.send("no"))
    assert takes_of(folder, 1) == []  # nothing rendered before the answer


def _as_before_m011(folder: Path) -> None:
    """Rewrite story.db as a storyreel from before m011 left it: takes without a tier."""
    conn = sqlite3.connect(folder / "story.db")
    with conn:
        conn.execute("alter table takes drop column quality")
        conn.execute("alter table takes drop column source")
        conn.execute("delete from _sqlite_migrations where name = 'm011_take_quality'")
    conn.close()


def test_an_old_project_opens_and_its_takes_read_as_final(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p")
    cli("shot", "add", "Boats at dusk", "--duration", "0.5")
    cli("render", "--no-critique")
    _as_before_m011(cli.project)
    with sqlite3.connect(cli.project / "story.db") as old:
        columns = [row[1] for row in old.execute("pragma table_info(takes)")]
        assert "quality" not in columns and "source" not in columns
    (take,) = takes_of(cli.project, 1)  # opening migrates in place
    assert (take.quality, take.source) == ("final", None)
    project = Project.open(cli.project)
    try:
        assert "m011_take_quality" in [m.name for m in migrations.applied(project.memory.db)]
    finally:
        project.close()
    assert "1 up to date" in cli("render", "--no-critique").stdout  # its hash is unchanged
    assert "already final" in cli("finalize").stdout
