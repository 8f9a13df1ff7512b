"""Calibration of the script supervisor on plans labelled by hand (tests/supervisor_plans.py).

Good plans must stay quiet; each bad plan names the checks that must speak. Prints, per
check, the notes it gave, how many were right (precision) and how many of the expected it
caught (recall); the last line is the overall precision.

    .venv/bin/python bench/supervisor.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storyreel.tools.supervisor import supervise
from tests.supervisor_plans import BAD, GOOD


def main() -> int:
    fired, right, expected = Counter(), Counter(), Counter()
    for plan in GOOD.values():
        for note in supervise(plan):
            fired[note.check] += 1
    for plan, labels in BAD.values():
        checks = {note.check for note in supervise(plan)}
        for note in supervise(plan):
            fired[note.check] += 1
            right[note.check] += note.check in labels
        for label in labels:
            expected[label] += 1
            right["_caught_" + label] += label in checks
    print(f"{len(GOOD)} good plans, {len(BAD)} bad plans")
    print(f"{'check':<16}{'notes':>6}{'right':>7}{'precision':>11}{'recall':>8}")
    for check in sorted(set(fired) | set(expected)):
        notes, good = fired[check], right[check]
        caught = right["_caught_" + check]
        precision = f"{good / notes:.2f}" if notes else "-"
        recall = f"{caught / expected[check]:.2f}" if expected[check] else "-"
        print(f"{check:<16}{notes:>6}{good:>7}{precision:>11}{recall:>8}")
    total = sum(fired.values())
    good_total = sum(v for k, v in right.items() if not k.startswith("_"))
    print(f"supervisor precision: {good_total / total:.2f} ({good_total}/{total} notes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
