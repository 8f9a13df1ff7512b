"""`storyreel render`, `takes`, `select` and `export` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.render_helpers import small_demo


@pytest.fixture
def demo_cli(tmp_path: Path) -> Cli:
    small_demo(tmp_path / "demo").close()
    return Cli(tmp_path / "demo")


def test_render_takes_select_export(demo_cli: Cli, tmp_path: Path) -> None:
    out = demo_cli("render").stdout
    assert "shot 1: rendered take 1 (previz" in out
    assert "7 shot(s) rendered, 0 reused, 0 up to date, 0 locked." in out
    out = demo_cli("render", "3", "--force").stdout
    assert "1 shot(s) rendered" in out
    listing = demo_cli("takes", "3").stdout.splitlines()
    assert listing[0].startswith("  take 1") and listing[1].startswith("* take 2")
    demo_cli("select", "3", "1")
    assert demo_cli.plan()["shots"][2]["selected_take"] == 1
    assert [t["number"] for t in demo_cli.plan()["shots"][2]["takes"]] == [1, 2]
    demo_cli("undo")
    assert demo_cli.plan()["shots"][2]["selected_take"] == 2
    out = demo_cli("export", "--cut", str(tmp_path / "film.mp4")).stdout
    assert f"cut         {tmp_path / 'film.mp4'}" in out and "length      26 s (312 frames)" in out
    assert (tmp_path / "film.mp4").is_file()


def test_render_reports_locked_and_up_to_date(demo_cli: Cli) -> None:
    demo_cli("shot", "lock", "1")
    assert "6 shot(s) rendered, 0 reused, 0 up to date, 1 locked." in demo_cli("render").stdout
    assert "0 shot(s) rendered, 0 reused, 6 up to date, 1 locked." in demo_cli("render").stdout


def test_a_backend_alias_renders_on_its_backend(demo_cli: Cli) -> None:
    out = demo_cli("render", "1", "--backend", "Animatic").stdout
    assert "shot 1: rendered take 1 (previz" in out
    assert demo_cli.plan()["shots"][0]["takes"][0]["backend"] == "previz"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "99"], "no shot with id 99"),
        (["render", "--backend", "sora"], "unknown backend 'sora': use one of "),
        (["render", "5"], "render shot 4 first"),
        (["select", "3", "9"], "shot 3 has no take 9"),
        (["takes", "42"], "no shot with id 42"),
        (["export"], "no rendered take for shot(s) 1, 2, 3, 4, 5, 6, 7"),
        (["export", "--cut", "/nonexistent-dir/x.mp4"], "folder /nonexistent-dir does not exist"),
    ],
)
def test_render_errors_are_one_line(demo_cli: Cli, args: list[str], message: str) -> None:
    before = demo_cli.raw_plan()
    result = demo_cli(*args, expect=1)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert demo_cli.raw_plan() == before
