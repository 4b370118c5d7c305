"""Values from a face (a form field, an API argument, a CLI flag) into the domain's types, one way for all faces.

Blank and ``None`` mean "the default"; a value outside the choices is refused with the choices named; a number
must be a whole number where one is asked for. The request types' ``from_values`` constructors
(``ScriptRequest``, ``VideoOptions``, ``MakeOptions``, ``QuickOptions``) are built from these.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, TypeVar

from studio.errors import ProjectValidationError, StudioError

E = TypeVar("E", bound=StrEnum)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def choice(what: str, kind: type[E], value: Any, default: E, *,
           error: type[StudioError] = ProjectValidationError) -> E:
    """``value`` as a member of ``kind``; blank is ``default``."""
    if blank(value):
        return default
    try:
        return kind(str(value).strip())
    except ValueError:
        raise error(f"unknown {what} {value!r}; choose one of: {', '.join(kind)}") from None


def whole(what: str, value: Any, default: int | None = None, *, zero_is_default: bool = False, signed: bool = False,
          error: type[StudioError] = ProjectValidationError) -> int | None:
    """``value`` as a whole number (``2.0`` is 2; ``2.5`` and ``"x"`` are refused); positive unless ``signed``."""
    if blank(value) or (zero_is_default and value == 0):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise error(f"the {what} must be a whole number, not {value!r}") from None
    if not math.isfinite(number) or number != int(number) or (number <= 0 and not signed):
        raise error(f"the {what} must be a {'' if signed else 'positive '}whole number, not {value!r}")
    return int(number)


def number(what: str, value: Any, default: float | None = None, *,
           error: type[StudioError] = ProjectValidationError) -> float | None:
    """``value`` as a finite number; blank is ``default``."""
    if blank(value):
        return default
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise error(f"the {what} must be a number, not {value!r}") from None
    if not math.isfinite(result):
        raise error(f"the {what} must be a finite number, not {value!r}")
    return result
