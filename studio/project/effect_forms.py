"""The other forms of an effects list: MoviePy's call syntax, as a person types it (the Storyboard tab's text box,
``compose --effect``), and the JSON Schema the project file publishes (``python -m studio schema``).

``GammaCorrection(0.8)``, ``SlideIn(0.5, side="left")``, ``vfx.Rotate(angle=10)`` or a bare ``MirrorX``: one a line
(or separated by ``;``), positional parameters in MoviePy's order, values as Python literals only (read with
``ast.literal_eval``: nothing typed here runs). Both forms end in ``studio.project.effects.parse_effects``, so a typed
effect meets exactly the rules of one in a project file.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import MISSING
from typing import Any

from studio.project.effects import (
    CLIP_WIDE,
    MAX_EFFECT_SECONDS,
    MAX_EFFECTS,
    OURS,
    Effect,
    Param,
    effect_dict,
    moviepy_names,
    moviepy_parameters,
    parse_effect,
    parse_effects,
    unfreeze,
)


def _call(line: str) -> dict[str, Any]:
    """``GammaCorrection(0.8)``, ``SlideIn(0.5, side="left")``, ``vfx.Rotate(angle=10)`` or a bare ``MirrorX``."""
    try:
        node = ast.parse(line, mode="eval").body
    except SyntaxError:
        raise ValueError(f"{line[:60]!r} is not an effect; write it as MoviePy does, e.g. GammaCorrection(0.8)") \
            from None
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call else node
    parts = []
    while isinstance(target, ast.Attribute):
        parts.append(target.attr)
        target = target.value
    if not isinstance(target, ast.Name):
        raise ValueError(f"{line[:60]!r} is not an effect; write it as MoviePy does, e.g. GammaCorrection(0.8)")
    name = (parts[0] if parts else target.id)
    try:
        args = [ast.literal_eval(a) for a in call.args] if call else []
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords} if call else {}
    except ValueError:
        raise ValueError(f"{line[:60]!r}: parameters must be plain values (numbers, words in quotes, lists)") \
            from None
    if None in kwargs:
        raise ValueError(f"{line[:60]!r}: write each parameter as name=value")
    if args:
        if name in OURS:
            order = [f.name for f in dataclasses.fields(OURS[name])]
        elif name in moviepy_names():
            order = list(moviepy_parameters(name))
        else:
            parse_effect({"name": name})  # an unknown name: its own sentence
            order = []
        if len(args) > len(order):
            raise ValueError(f"{name} takes at most {len(order)} parameters, got {len(args)}")
        for key, value in zip(order, args, strict=False):
            if key in kwargs:
                raise ValueError(f"{name} got {key} twice")
            kwargs[key] = value
    return {"name": name, **kwargs}


def effects_from_text(text: str | None, *, clip_wide: bool = False,
                      check_file: Callable[[str], str] | None = None) -> tuple[Effect, ...]:
    """Effects typed by a person: a JSON list (the project-file form) or one MoviePy call a line (or ``;``)."""
    text = (text or "").strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"the effects are not valid JSON ({err.msg})") from None
    else:
        lines = [part.strip() for line in text.splitlines() for part in line.split(";")]
        raw = [_call(line) for line in lines if line]
    return parse_effects(raw, clip_wide=clip_wide, check_file=check_file)


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(unfreeze(value))


def effects_text(effects: Sequence[Effect]) -> str:
    """The effects as MoviePy calls, one a line (what ``effects_from_text`` reads back)."""
    lines = []
    for effect in effects:
        data = effect_dict(effect)
        name = data.pop("name")
        lines.append(f"{name}({', '.join(f'{k}={_literal(v)}' for k, v in data.items())})")
    return "\n".join(lines)


# -- the JSON Schema of an effects list -------------------------------------------------------------------------

def _param_schema(param: Param) -> dict[str, Any]:
    number = {"type": "number"}
    if param.kind in ("seconds", "number"):
        schema = {**number, "minimum": param.low, "maximum": param.high}
    elif param.kind == "bool":
        schema = {"type": "boolean"}
    elif param.kind in ("side", "choice"):
        schema = {"enum": list(param.choices)}
    elif param.kind in ("color", "rgb"):
        triple = {"type": "array", "items": {**number, "minimum": 0, "maximum": 255 if param.kind == "color" else 10},
                  "minItems": 3, "maxItems": 3}
        schema = {"anyOf": [triple, {"const": "CRT_phosphor"}]} if param.kind == "rgb" else triple
    elif param.kind == "apply_to":
        word = {"enum": ["mask", "audio"]}
        schema = {"anyOf": [word, {"type": "array", "items": word}]}
    elif param.kind == "when":
        schema = {"anyOf": [{**number, "minimum": 0, "maximum": MAX_EFFECT_SECONDS}, {"const": "end"}]}
    elif param.kind == "look":
        schema = {"type": "string", "pattern": r"^[a-z0-9_]{1,40}$"}
    else:
        schema = {"type": "string", "pattern": r"(?i)\.cube$"}
    return {"anyOf": [schema, {"type": "null"}]} if param.optional else schema


def effects_schema(*, clip_wide: bool = False) -> dict[str, Any]:
    """The JSON Schema of an effects list: one object schema per effect of the studio's own, plus, per shot,
    any other moviepy.video.fx name (checked when the project is loaded)."""
    options = []
    for name, cls in OURS.items():
        if clip_wide and cls.KIND not in CLIP_WIDE:
            continue
        specs = dataclasses.fields(cls)
        options.append({
            "type": "object", "title": name, "additionalProperties": False,
            "properties": {"name": {"const": name}, **{f.name: _param_schema(f.metadata["param"]) for f in specs}},
            "required": ["name", *(f.name for f in specs if f.default is MISSING)],
        })
    if not clip_wide:
        options.append({"type": "object", "title": "any other moviepy.video.fx effect (through MoviePy, slow)",
                        "properties": {"name": {"type": "string", "pattern": r"^[A-Z][A-Za-z]{1,39}$",
                                                "not": {"enum": list(OURS)}}},
                        "required": ["name"]})
    return {"type": "array", "maxItems": MAX_EFFECTS, "items": {"anyOf": options}}
