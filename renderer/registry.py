"""A registry of named factories, shared by the video backends and the speech backends.

Each kind has its built-ins (registered on first use, their modules imported only when
one is made), add-ons from a Python entry-point group, and other words people use for a
name (aliases, any case). An unknown word is a ValueError that lists the known names and
the other words understood.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories of one kind of thing ("backend", "speech backend") by name."""

    def __init__(self, kind: str, group: str, builtins: Callable[[Registry[T]], None]) -> None:
        """`group` is the entry-point group of add-ons; `builtins(registry)` registers the
        built-in ones (called once, before any name is looked up)."""
        self.kind, self.group, self._builtins = kind, group, builtins
        self.factories: dict[str, Callable[[], T]] = {}
        self.aliases: dict[str, str] = {}
        """Another word for a name -> the name."""
        self._ready = False
        self._lock = threading.RLock()

    def register(self, name: str, factory: Callable[[], T], aliases: tuple[str, ...] = ()) -> None:
        """Make `factory` available under `name` and each of `aliases` (a later
        registration replaces an earlier one)."""
        with self._lock:
            self.factories[name] = factory
            for alias in aliases:
                self.aliases[alias] = name

    def names(self) -> list[str]:
        """Every registered name, sorted (built-ins and add-ons included)."""
        with self._lock:
            if not self._ready:
                self._ready = True
                self._builtins(self)
                for entry in entry_points(group=self.group):
                    self.factories.setdefault(entry.name, entry.load())
            return sorted(self.factories)

    def words(self) -> dict[str, str]:
        """Every word that names one (a name or an alias, lower case) -> its name."""
        names = self.names()
        words = {alias: name for alias, name in self.aliases.items() if name in self.factories}
        return {**words, **{name.lower(): name for name in names}}

    def name(self, word: str) -> str:
        """The name `word` stands for (a name or an alias, any case), or a ValueError
        listing the known ones."""
        words = self.words()
        found = words.get(word) or words.get(word.strip().lower())
        if found is None:
            aliases = ", ".join(f"{alias} ({name})" for alias, name in sorted(self.aliases.items()))
            raise ValueError(
                f"unknown {self.kind} {word!r}: use one of {', '.join(self.names())}"
                + (f"; also understood: {aliases}" if aliases else "")
            )
        return found

    def factory(self, name: str) -> Callable[[], T]:
        """The factory of `name`, or a ValueError listing the known ones."""
        names = self.names()
        if name not in self.factories:
            raise ValueError(f"unknown {self.kind} {name!r}: use one of {', '.join(names)}")
        return self.factories[name]
