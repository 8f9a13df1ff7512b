"""The optional CLIP critic: used when a model is on disk (a tiny random one here), else skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyreel.tools import embedding_critic
from storyreel.tools.embedding_critic import EmbeddingCritic, locate
from tests.conftest import Cli

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CLIP model with random weights and a 70-token vocabulary, saved like a real one."""
    out = tmp_path_factory.mktemp("clip")
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for char in "abcdefghijklmnopqrstuvwxyz-.,":
        vocab[char] = len(vocab)
        vocab[f"{char}</w>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab))
    (out / "merges.txt").write_text("#version: 0.2\n")
    text = {"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 37,
            "num_attention_heads": 2, "num_hidden_layers": 2, "max_position_embeddings": 77,
            "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}  # fmt: skip
    vision = {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 2,
              "num_hidden_layers": 2, "image_size": 32, "patch_size": 8}  # fmt: skip
    config = transformers.CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)
    torch.manual_seed(0)
    transformers.CLIPModel(config).save_pretrained(out)
    tokenizer = transformers.CLIPTokenizer(str(out / "vocab.json"), str(out / "merges.txt"))
    images = transformers.CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    transformers.CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(out)
    return out


def test_off_missing_or_not_downloaded_means_no_critic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_CLIP_MODEL", "off")
    assert EmbeddingCritic.from_env() is None
    monkeypatch.setenv("STORYREEL_CLIP_MODEL", str(tmp_path / "no-such-model"))
    assert EmbeddingCritic.from_env() is None
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert locate("nobody/not-a-downloaded-model") is None
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")  # a config without weights
    assert locate(str(tmp_path / "half")) is None


def test_takes_get_clip_metrics_and_plain_warnings(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYREEL_CLIP_MODEL", str(tiny_clip))
    cli = Cli(tmp_path / "film")
    cli("new", str(tmp_path / "film"), with_project=False)
    cli("style", "--resolution", "180p", "--fps", "12")
    cli("shot", "add", "Boats at dusk", "--duration", "1")
    cli("render")
    first = json.loads(cli("critique", "1", "--json").stdout.splitlines()[0])
    metrics = first["metrics"]
    assert -1.0 <= metrics["clip_alignment"] <= 1.0
    assert metrics["clip_consistency"] == pytest.approx(1.0, abs=1e-4)  # a still previz shot
    monkeypatch.setattr(embedding_critic, "ALIGNMENT_MIN", 1.01)  # nothing can pass now
    again = json.loads(cli("critique", "1", "--json").stdout.splitlines()[0])
    [warning] = [f for f in again["findings"] if f["kind"] == "weak_match"]
    assert warning["severity"] == "warning"
    assert warning["message"].startswith("Shot 1 may not show what was planned")
    assert again["verdict"] == "accept"  # warnings never force a retake
