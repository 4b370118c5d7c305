"""Named caption style presets, kept as data in assets/caption_styles.json."""

from __future__ import annotations

import json
from functools import cache

from studio.assets import asset_path
from studio.errors import ProjectValidationError
from studio.project.model import CaptionStyle

STYLES_FILE = asset_path("caption_styles.json")
DEFAULT_CAPTION_STYLE = "bold_stroke"


@cache
def caption_style_presets() -> dict[str, CaptionStyle]:
    raw = json.loads(STYLES_FILE.read_text(encoding="utf-8"))
    return {name: CaptionStyle(preset=name, **fields) for name, fields in raw.items()}


def caption_style(name: str, **overrides: object) -> CaptionStyle:
    """A preset by name, with optional field overrides validated like any project field."""
    presets = caption_style_presets()
    if name not in presets:
        raise ProjectValidationError(f"unknown caption style {name!r}; choose one of: {', '.join(presets)}")
    if not overrides:
        return presets[name]
    return CaptionStyle.model_validate({**presets[name].model_dump(), **overrides})
