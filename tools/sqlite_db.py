"""sqlite-utils, imported without numpy.

`sqlite_utils.db` imports numpy when it is installed, only to map numpy scalar
types to column types when a table is created from Python values. storyreel
creates its tables from explicit column types and stores only plain Python
values, so that mapping is never used, and numpy costs commands that use no
array (`show`, `history`, `undo`) about a third of their start-up. Importing
sqlite-utils through this module hides numpy from that one import; numpy stays
importable for everything else, and a process that imported numpy already is
left as it is.

Every module of storyreel imports `Database`, `Migrations` and `NotFoundError`
from here, never from `sqlite_utils` directly.
"""

from __future__ import annotations

import sys

if "sqlite_utils.db" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
    try:
        import sqlite_utils.db  # noqa: F401  # its optional numpy import finds none
    finally:
        del sys.modules["numpy"]

from sqlite_utils import Database, Migrations
from sqlite_utils.db import NotFoundError

__all__ = ["Database", "Migrations", "NotFoundError"]
