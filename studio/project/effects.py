"""Effects in MoviePy's shape: the values a project names in ``shots[i].effects`` and the clip-wide ``effects``.

Each effect is a small frozen dataclass with the class name and the parameter names of ``moviepy.video.fx``
(``FadeIn(duration, initial_color)``, ``GammaCorrection(gamma)``, ``MultiplySpeed(factor, final_duration)``...), so
whoever knows MoviePy reads a project file without a manual. In the file an effect is
``{"name": "<class>", <parameter>: value, ...}``; durations and times are seconds, as in MoviePy, and a list is
applied in order, as ``clip.with_effects([...])`` does. One name is the studio's own: ``Look``, a 3D LUT (bundled,
or the user's ``.cube`` file). Any *other* effect of ``moviepy.video.fx`` (``Rotate``, ``Blink``, ``Crop``...) is
accepted under its own name and runs through MoviePy itself on that shot's frames (``MoviePyFx``: the slow path,
and labelled so).

These are values only. ``studio.compose.effects`` applies them with Pillow/numpy kernels in the frame path,
``studio.project.timemap`` turns the time effects (speed, reverse, freeze) into source times for picture and sound,
and ``studio.project.effect_forms`` reads and writes them as MoviePy calls and publishes their JSON Schema.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar

MAX_EFFECTS = 16
MAX_EFFECT_SECONDS = 120.0  # the longest shot
SIDES = ("left", "right", "top", "bottom")
INTERPOLATIONS = ("tetrahedral", "trilinear")
SPEED_RANGE = (0.1, 10.0)  # slower than 1/10 or faster than 10x is not a speed change but a freeze or a skip


class Kind(StrEnum):
    """What an effect changes, which decides where the compositor applies it."""

    PICTURE = "picture"  # each pixel's colour on its own (applied once to a still picture, per frame to a clip)
    SHAPE = "shape"  # where pixels go or what their neighbours are (mirrors; painting)
    FADE = "fade"  # a blend with a colour over the shot's first or last seconds
    LAYER = "layer"  # how the shot lies over what is under it (cross-fades, slides)
    TIME = "time"  # which moment of the source is shown (speed, reverse, freeze)
    MOVIEPY = "moviepy"  # any other moviepy.video.fx effect, applied by MoviePy itself (slow)


@dataclass(frozen=True)
class Param:
    """How one parameter is checked: a kind and, for numbers, a closed range."""

    kind: str  # seconds, number, color, side, bool, rgb, apply_to, when, choice, look, file
    low: float | None = None
    high: float | None = None
    optional: bool = False  # None is a value
    choices: tuple[str, ...] = ()


def _p(kind: str, default: Any = MISSING, *, low: float | None = None, high: float | None = None,
       optional: bool = False, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"param": Param(kind, low, high, optional, choices)})


def _seconds(default: Any = MISSING, *, optional: bool = False, low: float = 0.0) -> Any:
    return _p("seconds", default, low=low, high=MAX_EFFECT_SECONDS, optional=optional)


class Effect:
    """Base of the studio's effect values: ``NAME`` is the MoviePy class name (the ``name`` in a project file)."""

    KIND: ClassVar[Kind]
    ONCE_ON_STILLS: ClassVar[bool] = False  # applied once to a still picture instead of to every frame

    @property
    def name(self) -> str:
        return type(self).__name__

    def check(self) -> str | None:
        """A problem no single parameter shows (two that exclude each other), in words; None when fine."""
        return None

    def seconds(self) -> float:
        """How long the effect works for (fades, slides), 0 for the rest."""
        return float(getattr(self, "duration", 0) or 0)


@dataclass(frozen=True)
class FadeIn(Effect):
    KIND: ClassVar[Kind] = Kind.FADE
    duration: float = _seconds(low=0.01)
    initial_color: tuple[float, float, float] | None = _p("color", None, optional=True)


@dataclass(frozen=True)
class FadeOut(Effect):
    KIND: ClassVar[Kind] = Kind.FADE
    duration: float = _seconds(low=0.01)
    final_color: tuple[float, float, float] | None = _p("color", None, optional=True)


@dataclass(frozen=True)
class CrossFadeIn(Effect):
    KIND: ClassVar[Kind] = Kind.LAYER
    duration: float = _seconds(low=0.01)


@dataclass(frozen=True)
class CrossFadeOut(Effect):
    KIND: ClassVar[Kind] = Kind.LAYER
    duration: float = _seconds(low=0.01)


@dataclass(frozen=True)
class SlideIn(Effect):
    KIND: ClassVar[Kind] = Kind.LAYER
    duration: float = _seconds(low=0.01)
    side: str = _p("side", choices=SIDES)


@dataclass(frozen=True)
class SlideOut(Effect):
    KIND: ClassVar[Kind] = Kind.LAYER
    duration: float = _seconds(low=0.01)
    side: str = _p("side", choices=SIDES)


@dataclass(frozen=True)
class BlackAndWhite(Effect):
    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True
    RGB: str | tuple[float, float, float] | None = _p("rgb", None, optional=True)
    preserve_luminosity: bool = _p("bool", True)

    def check(self) -> str | None:
        if isinstance(self.RGB, tuple) and self.preserve_luminosity and sum(self.RGB) <= 0:
            return "RGB weights must add up to more than 0 to preserve luminosity"
        return None


@dataclass(frozen=True)
class GammaCorrection(Effect):
    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True
    gamma: float = _p("number", low=0.05, high=20.0)


@dataclass(frozen=True)
class LumContrast(Effect):
    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True
    lum: float = _p("number", 0, low=-255.0, high=255.0)
    contrast: float = _p("number", 0, low=-1.0, high=10.0)
    contrast_threshold: float = _p("number", 127, low=0.0, high=255.0)


@dataclass(frozen=True)
class MultiplyColor(Effect):
    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True
    factor: float = _p("number", low=0.0, high=20.0)


@dataclass(frozen=True)
class InvertColors(Effect):
    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True


@dataclass(frozen=True)
class MirrorX(Effect):
    KIND: ClassVar[Kind] = Kind.SHAPE
    apply_to: str | tuple[str, ...] = _p("apply_to", "mask")


@dataclass(frozen=True)
class MirrorY(Effect):
    KIND: ClassVar[Kind] = Kind.SHAPE
    apply_to: str | tuple[str, ...] = _p("apply_to", "mask")


@dataclass(frozen=True)
class Painting(Effect):
    KIND: ClassVar[Kind] = Kind.SHAPE
    ONCE_ON_STILLS: ClassVar[bool] = True  # the camera move then travels over the painted picture
    saturation: float = _p("number", 1.4, low=0.0, high=10.0)
    black: float = _p("number", 0.006, low=0.0, high=1.0)


@dataclass(frozen=True)
class MultiplySpeed(Effect):
    KIND: ClassVar[Kind] = Kind.TIME
    factor: float | None = _p("number", None, low=SPEED_RANGE[0], high=SPEED_RANGE[1], optional=True)
    final_duration: float | None = _seconds(None, optional=True, low=0.05)

    def check(self) -> str | None:
        if (self.factor is None) == (self.final_duration is None):
            return "give either factor or final_duration (not both, not neither)"
        return None


@dataclass(frozen=True)
class TimeMirror(Effect):
    KIND: ClassVar[Kind] = Kind.TIME


@dataclass(frozen=True)
class Freeze(Effect):
    KIND: ClassVar[Kind] = Kind.TIME
    t: float | str = _p("when", 0)
    freeze_duration: float | None = _seconds(None, optional=True, low=0.01)
    total_duration: float | None = _seconds(None, optional=True, low=0.01)
    padding_end: float = _seconds(0)
    update_start_end: bool = _p("bool", True)

    def check(self) -> str | None:
        if (self.freeze_duration is None) == (self.total_duration is None):
            return "give either freeze_duration or total_duration (not both, not neither)"
        return None

    def seconds(self) -> float:
        return float(self.freeze_duration or 0)


@dataclass(frozen=True)
class Look(Effect):
    """A colour look: a 3D LUT, bundled (``look``) or the user's ``.cube`` file (``file``, relative to the project
    folder), mixed with the picture by ``strength``."""

    KIND: ClassVar[Kind] = Kind.PICTURE
    ONCE_ON_STILLS: ClassVar[bool] = True
    look: str | None = _p("look", None, optional=True)
    file: str | None = _p("file", None, optional=True)
    interpolation: str = _p("choice", "tetrahedral", choices=INTERPOLATIONS)
    strength: float = _p("number", 1.0, low=0.0, high=1.0)

    def check(self) -> str | None:
        if (self.look is None) == (self.file is None):
            return "give either a bundled look or a .cube file (not both, not neither)"
        return None


@dataclass(frozen=True)
class MoviePyFx(Effect):
    """Any other effect of ``moviepy.video.fx``, by its class name and parameters, applied through MoviePy."""

    KIND: ClassVar[Kind] = Kind.MOVIEPY
    effect: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def name(self) -> str:
        return self.effect

    def moviepy_effect(self):
        """The MoviePy effect object itself (imports MoviePy)."""
        return moviepy_class(self.effect)(**{key: unfreeze(value) for key, value in self.params})


OURS: dict[str, type[Effect]] = {cls.__name__: cls for cls in (
    FadeIn, FadeOut, CrossFadeIn, CrossFadeOut, SlideIn, SlideOut, BlackAndWhite, GammaCorrection, LumContrast,
    MultiplyColor, InvertColors, MirrorX, MirrorY, Painting, MultiplySpeed, TimeMirror, Freeze, Look)}
CLIP_WIDE = (Kind.PICTURE, Kind.SHAPE)  # the clip-wide list: looks and colour effects applied to every shot
# moviepy.video.fx classes that cannot work on one shot's frames alone: they need another clip, functions, or
# change only a mask the studio does not have.
NOT_FOR_SHOTS = {"MasksAnd": "needs a second clip", "MasksOr": "needs a second clip",
                 "HeadBlur": "needs functions for the head's position", "MaskColor": "changes only a mask"}
# Escape-hatch parameters that would make one frame cost unbounded work.
MOVIEPY_CAPS = {("SuperSample", "n_frames"): 16, ("Loop", "n"): 100}


# -- looks ---------------------------------------------------------------------------------------------------

@cache
def bundled_looks() -> dict[str, dict[str, str]]:
    """The bundled looks (assets/looks/looks.json): id -> its entry (file, title, description, licence)."""
    from studio.assets import asset_path

    data = json.loads(asset_path("looks", "looks.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["looks"]}


# -- MoviePy's own classes (the escape hatch) -----------------------------------------------------------------

@cache
def moviepy_names() -> tuple[str, ...]:
    """The moviepy.video.fx effects the escape hatch takes: all of them but ours and those listed above."""
    import moviepy.video.fx as vfx

    return tuple(n for n in vfx.__all__ if n not in OURS and n not in NOT_FOR_SHOTS)


def moviepy_class(name: str):
    import moviepy.video.fx as vfx

    return getattr(vfx, name)


def moviepy_parameters(name: str) -> dict[str, inspect.Parameter]:
    params = inspect.signature(moviepy_class(name)).parameters
    return {key: p for key, p in params.items() if key != "self" and p.kind is p.POSITIONAL_OR_KEYWORD}


# -- parsing ---------------------------------------------------------------------------------------------------

def unfreeze(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _format(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(unfreeze(value))[:40]


def _check_param(effect: str, key: str, param: Param, value: Any, check_file: Callable[[str], str] | None) -> Any:
    """The parameter's value in its stored form, or ValueError with one sentence naming it."""
    what = f"{effect} {key}"
    if value is None:
        if param.optional:
            return None
        raise ValueError(f"{what} needs a value")
    if param.kind in ("seconds", "number"):
        if not _number(value):
            unit = "a number of seconds" if param.kind == "seconds" else "a number"
            raise ValueError(f"{what} must be {unit}, not {_format(value)}")
        if (param.low is not None and value < param.low) or (param.high is not None and value > param.high):
            raise ValueError(f"{what} must be between {param.low:g} and {param.high:g}, not {value:g}")
        return value
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{what} must be true or false, not {_format(value)}")
        return value
    if param.kind in ("side", "choice"):
        if value not in param.choices:
            raise ValueError(f"{what} must be one of {', '.join(param.choices)}, not {_format(value)}")
        return value
    if param.kind == "color":
        if not (isinstance(value, list | tuple) and len(value) == 3 and all(_number(v) and 0 <= v <= 255
                                                                              for v in value)):
            raise ValueError(f"{what} must be three numbers from 0 to 255 (red, green, blue), not {_format(value)}")
        return tuple(value)
    if param.kind == "rgb":
        if value == "CRT_phosphor":
            return value
        if not (isinstance(value, list | tuple) and len(value) == 3 and all(_number(v) and 0 <= v <= 10
                                                                              for v in value)):
            raise ValueError(f"{what} must be 'CRT_phosphor' or three weights from 0 to 10, not {_format(value)}")
        return tuple(value)
    if param.kind == "apply_to":
        items = [value] if isinstance(value, str) else value
        if not (isinstance(items, list | tuple) and all(v in ("mask", "audio") for v in items)):
            raise ValueError(f"{what} must be 'mask', 'audio' or a list of them, not {_format(value)}")
        return value if isinstance(value, str) else tuple(value)
    if param.kind == "when":
        if value == "end" or (_number(value) and 0 <= value <= MAX_EFFECT_SECONDS):
            return value
        raise ValueError(f"{what} must be a time in seconds (0 to {MAX_EFFECT_SECONDS:g}) or 'end', "
                         f"not {_format(value)}")
    if param.kind == "look":
        if not isinstance(value, str) or value not in bundled_looks():
            raise ValueError(f"{what}: no bundled look is called {_format(value)}; the bundled looks are "
                             f"{', '.join(bundled_looks())} (or give a .cube file)")
        return value
    if param.kind == "file":
        if not isinstance(value, str) or not value.lower().endswith(".cube"):
            raise ValueError(f"{what} must be a .cube file, not {_format(value)}")
        return check_file(value) if check_file is not None else value
    raise AssertionError(param.kind)


def _moviepy_value(effect: str, key: str, value: Any) -> Any:
    what = f"{effect} {key}"
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > 64:
            raise ValueError(f"{what} is {len(value)} characters long; at most 64")
        return value
    if _number(value):
        cap = MOVIEPY_CAPS.get((effect, key), 10_000)
        if abs(value) > cap:
            raise ValueError(f"{what} must be between {-cap} and {cap}, not {value:g}")
        return value
    if isinstance(value, list | tuple) and len(value) <= 8 and all(_number(v) and abs(v) <= 10_000 for v in value):
        return tuple(value)
    raise ValueError(f"{what} must be a number, a word, true/false or a short list of numbers, not {_format(value)}")


def _moviepy_effect(name: str, raw: dict[str, Any]) -> MoviePyFx:
    if name in NOT_FOR_SHOTS:
        raise ValueError(f"{name} {NOT_FOR_SHOTS[name]}, so it cannot be applied to one shot")
    params = moviepy_parameters(name)
    unknown = [key for key in raw if key not in params]
    if unknown:
        raise ValueError(f"{name} has no parameter {unknown[0]!r}; its parameters are: {', '.join(params) or 'none'}")
    missing = [key for key, p in params.items() if p.default is inspect.Parameter.empty and key not in raw]
    if missing:
        raise ValueError(f"{name} needs {', '.join(missing)}")
    values = tuple((key, _moviepy_value(name, key, raw[key])) for key in params if key in raw)
    effect = MoviePyFx(effect=name, params=values)
    try:
        effect.moviepy_effect()
    except (TypeError, ValueError) as err:
        raise ValueError(f"MoviePy's {name} refuses these parameters: {err}") from None
    return effect


def parse_effect(raw: Any, *, check_file: Callable[[str], str] | None = None) -> Effect:
    """One effect from its project-file form ``{"name": ..., <parameters>}`` (an effect value is checked the same
    way, so no value skips the rules a file's effects meet)."""
    if isinstance(raw, Effect):
        raw = effect_dict(raw)
    if not isinstance(raw, dict):
        raise ValueError(f"an effect is an object with a name, like {{\"name\": \"FadeIn\", \"duration\": 0.5}}, "
                         f"not {_format(raw)}")
    name = raw.get("name")
    rest = {k: v for k, v in raw.items() if k != "name"}
    if not isinstance(name, str) or not name:
        raise ValueError("an effect needs a name, one of moviepy.video.fx's class names")
    cls = OURS.get(name)
    if cls is None:
        if name.isidentifier() and name[0].isupper() and name in moviepy_names() + tuple(NOT_FOR_SHOTS):
            return _moviepy_effect(name, rest)
        raise ValueError(f"unknown effect {name[:40]!r}; the studio's effects are {', '.join(OURS)}, and any "
                         "other moviepy.video.fx effect runs through MoviePy itself")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [key for key in rest if key not in fields]
    if unknown:
        raise ValueError(f"{name} has no parameter {unknown[0][:40]!r}; its parameters are: "
                         f"{', '.join(fields) or 'none'}")
    values = {}
    for key, spec in fields.items():
        if key not in rest:
            if spec.default is MISSING:
                raise ValueError(f"{name} needs {key}")
            continue
        values[key] = _check_param(name, key, spec.metadata["param"], rest[key], check_file)
    effect = cls(**values)
    problem = effect.check()
    if problem:
        raise ValueError(f"{name}: {problem}")
    return effect


def parse_effects(raw: Any, *, clip_wide: bool = False,
                  check_file: Callable[[str], str] | None = None) -> tuple[Effect, ...]:
    """A list of effects, checked one by one (the first problem is the error, naming the effect)."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise ValueError(f"effects must be a list, not {_format(raw)}")
    if len(raw) > MAX_EFFECTS:
        raise ValueError(f"{len(raw)} effects; at most {MAX_EFFECTS}")
    effects = []
    for number, item in enumerate(raw, start=1):
        try:
            effect = parse_effect(item, check_file=check_file)
        except ValueError as err:
            raise ValueError(f"{err} (effect {number})" if len(raw) > 1 else str(err)) from None
        if clip_wide and effect.KIND not in CLIP_WIDE:
            raise ValueError(f"{effect.name} works on one shot; the clip-wide effects are looks and colour effects "
                             f"({', '.join(n for n, c in OURS.items() if c.KIND in CLIP_WIDE)})")
        effects.append(effect)
    return tuple(effects)


def effect_dict(effect: Effect) -> dict[str, Any]:
    """The project-file form: ``{"name": ..., <each parameter that is not its default>}``."""
    if isinstance(effect, MoviePyFx):
        return {"name": effect.effect, **{k: unfreeze(v) for k, v in effect.params}}
    data: dict[str, Any] = {"name": effect.name}
    for spec in dataclasses.fields(effect):
        value = getattr(effect, spec.name)
        if spec.default is MISSING or value != spec.default:
            data[spec.name] = unfreeze(value)
    return data


def effect_files(effects: Sequence[Effect]) -> list[str]:
    """The user's .cube files the effects name."""
    return [e.file for e in effects if isinstance(e, Look) and e.file]


def map_effect_files(effects: tuple[Effect, ...], change: Callable[[str], str]) -> tuple[Effect, ...]:
    return tuple(dataclasses.replace(e, file=change(e.file)) if isinstance(e, Look) and e.file else e
                 for e in effects)
