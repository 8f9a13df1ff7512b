"""The architecture document lives in the repository and names only files that exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def test_every_path_the_architecture_names_exists() -> None:
    text = DOC.read_text().split("## Planned")[0]  # planned parts do not exist yet
    named = set(
        re.findall(r"`((?:agent|tools|renderer|apps|prompts|tests|bench)/[\w/.<>-]+)`", text)
    )
    named = {n for n in named if "<" not in n}
    assert len(named) > 30
    missing = sorted(n for n in named if not (ROOT / n.rstrip("/")).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_the_readme_links_the_architecture_and_nothing_points_outside() -> None:
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    here = Path(__file__).name
    for name in tracked:
        if name.endswith((".py", ".md", ".toml")) and not name.endswith(here):
            text = (ROOT / name).read_text(errors="replace")
            assert "DESIGN.md" not in text, f"{name} refers to DESIGN.md, outside the repository"
            assert "../shared/" not in text, f"{name} refers to a folder outside the repository"
