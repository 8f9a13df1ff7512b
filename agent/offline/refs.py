"""Which shots a command means: "shot 3", "shots 2 and 5", "the last shot", "it"."""

from __future__ import annotations

import re

from storyreel.agent.offline.text import parse_number, rx, shots_text
from storyreel.agent.offline.words import ORDINALS, N

_NOT_A_SECOND = r"(?!\s*(?:s\b|secs?\b|seconds?\b|mm\b|fps\b|:\s*\d|p\b))"
REF_RE = rx(
    rf"\bshots?\s*(?:#|no\.?\s*|number\s+)?({N})\b{_NOT_A_SECOND}",
    rf"((?:\s*(?:,|and|&|\+|or)\s*(?:shot\s*)?#?{N}\b{_NOT_A_SECOND})*)",
    rf"(?:\s*(?:-|\u2013|to|through|thru)\s*(\d+)\b{_NOT_A_SECOND})?",
    r"|\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last",
    r"|final|opening|previous)\s+(?:shot|one)\b|\b(this|that|the\s+same)\s+(?:shot|one)\b",
    rf"|\b(?:the\s+)?(first|last)\s+({N})\s+shots\b",
)


class RefMixin:
    """The shot-reference side of a Turn."""

    def _refs(self, text: str) -> tuple[list[int], str]:
        """Shot ids a text names ("shot 3", "shots 2 and 5", "the last shot"), and the rest."""
        ids: list[int] = []

        def take(m: re.Match[str]) -> str:
            if m.group(1) and m.group(3):
                ids.extend(range(int(parse_number(m.group(1))), int(m.group(3)) + 1))
            elif m.group(1):
                more = re.findall(rf"\b{N}\b", m.group(2) or "", re.I)
                ids.extend(int(parse_number(n)) for n in [m.group(1), *more])
            elif m.group(4) and self.order:
                word = m.group(4).lower()
                position = {"last": -1, "final": -1, "previous": -1, "opening": 1}.get(word)
                index = position if position == -1 else (position or ORDINALS[word]) - 1
                if index < len(self.order):
                    ids.append(self.order[index])
            elif m.group(5) and (it := self._it()) is not None:
                ids.append(it)
            elif m.group(6):
                count = int(parse_number(m.group(7)))
                ids.extend(
                    self.order[:count] if m.group(6).lower() == "first" else self.order[-count:]
                )
            return " "

        return ids, REF_RE.sub(take, text)

    def _it(self) -> int | None:
        """The shot "it" means: the one this message last touched, else the last one discussed."""
        value = self.touched if self.touched is not None else self.memo.get("last_shot")
        if value == -1 and self.order:
            return self.order[-1]
        return value if isinstance(value, int) and value in self.order else None

    def _shots_or_it(self, text: str) -> tuple[list[int], str]:
        """Shot ids named in the text, or the shot "it"/"that" means."""
        ids, rest = self._refs(text)
        m = re.search(r"\b(?:it|that|this)\b", rest, re.I)
        if not ids and m and (it := self._it()) is not None:
            return [it], rest[: m.start()] + rest[m.end() :]
        return ids, rest

    def _existing(self, ids: list[int]) -> list[int]:
        """The ids that exist, with a note for the others."""
        ids = list(dict.fromkeys(ids))
        if missing := [i for i in ids if i not in self.order]:
            have = ", ".join(map(str, self.order)) or "none yet"
            self.notes.append(f"There is no {shots_text(missing)} (shots: {have}).")
        return [i for i in ids if i in self.order]

    def _unlocked(self, ids: list[int], doing: str) -> list[int]:
        """The ids that are not locked, with a note for the others."""
        for i in (locked := [i for i in ids if i in self.locked]):
            self.notes.append(f'Shot {i} is locked, so I can\'t {doing} it: say "unlock shot {i}".')
        return [i for i in ids if i not in locked]

    def _done(self, sentence: str, shot_id: int | None = None) -> bool:
        """Say what will happen; remember the shot for a later "it"."""
        self.said.append(sentence)
        if shot_id is not None:
            self.touched = self.memo["last_shot"] = shot_id
        return True
