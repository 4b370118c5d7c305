"""One shape for every kind of backend: a registry from a name (an enum in ``studio.backends``) to the class
that implements it, as ``"module:Class"`` so that nothing heavy is imported until a backend is used.

Every backend class has a ``from_settings`` constructor; the service of its kind (``ScriptWriters``,
``VideoBackends``, and next voice, image and scorer services) asks the registry for the class and builds it
once. Adding a backend is one file plus one line in its kind's registry (and its name in the enum).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Generic, TypeVar

from studio.errors import StudioError

N = TypeVar("N", bound=StrEnum)


class BackendRegistry(Generic[N]):
    """Names to ``"module:Class"`` targets for one kind of backend (``kind`` names it in messages)."""

    def __init__(self, kind: str, entries: Mapping[N, str]):
        self.kind = kind
        self._entries = dict(entries)

    def names(self) -> tuple[N, ...]:
        return tuple(self._entries)

    def target(self, name: N) -> str:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(n.value for n in self._entries)
            raise StudioError(f"no {self.kind} backend is named {name!r}; choose one of: {known}") from None

    def load(self, name: N) -> Any:
        """The backend class, imported now (its module may import torch)."""
        module, _, attribute = self.target(name).partition(":")
        return getattr(importlib.import_module(module), attribute)
