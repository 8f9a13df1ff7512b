"""The GPU path from the command line, on tiny random-weight pipelines (CPU, no download)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import Cli

pytest.importorskip("diffusers")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["HF_HUB_OFFLINE"] = "1"
    folder = tmp_path_factory.mktemp("tiny")
    out = Cli(folder)("dev", "tiny-models", str(folder / "models"), with_project=False).stdout
    assert [line.split()[0] for line in out.splitlines()] == ["wan", "ltx", "cogvideox"]
    return folder / "models"


def test_tiny_models_are_diffusers_pipelines(tiny: Path) -> None:
    for name in ("wan", "ltx", "cogvideox"):
        index = json.loads((tiny / name / "model_index.json").read_text())
        assert index["_class_name"].endswith("Pipeline")


def test_render_a_story_on_tiny_wan_with_continuity(tiny: Path, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p")
    cli("shot", "add", "Boats at dusk", "--duration", "0.5")
    cli("shot", "add", "The same boats", "--duration", "0.5", "--continues-from", "1")
    out = cli("render", "--backend", "wan", "--model", str(tiny / "wan"), "--steps", "2").stdout
    assert "shot 1: rendered take 1 (wan" in out and "65 frames" not in out
    assert "2 shot(s) rendered" in out
    shots = cli.plan()["shots"]
    assert [s["takes"][0]["backend"] for s in shots] == ["wan", "wan"]
    again = cli("render", "--backend", "wan", "--model", str(tiny / "wan"), "--steps", "2").stdout
    assert "0 shot(s) rendered" in again and "2 up to date" in again
    cut = tmp_path / "cut.mp4"
    cli("export", "--cut", str(cut))
    assert cut.is_file()


def test_backends_reports_why_a_gpu_backend_is_not_ready(tmp_path: Path) -> None:
    rows = json.loads(Cli(tmp_path)("backends", "--json", with_project=False).stdout)
    wan = next(r for r in rows if r["name"] == "wan")
    assert wan["available"] is False
    assert "no CUDA GPU" in wan["why"] and "hf download" in wan["why"]
    assert wan["capabilities"]["frame_rule"] == "4k+1"


def test_the_projects_gpu_config_applies_from_any_folder(tiny: Path, tmp_path: Path) -> None:
    """storyreel-gpu.toml in the project (not the current folder) chooses the model."""
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p")
    cli("shot", "add", "Boats at dusk", "--duration", "0.5")
    (tmp_path / "film" / "storyreel-gpu.toml").write_text(f'[models]\nwan = "{tiny / "wan"}"\n')
    assert Path.cwd() != tmp_path / "film"
    out = cli("render", "--backend", "wan", "--steps", "2").stdout
    assert "shot 1: rendered take 1 (wan" in out
    take = cli.plan()["shots"][0]["takes"][0]
    assert take["backend"] == "wan"
