"""Where the bundled assets (caption styles, music, safety rules) are: one answer for every way the studio runs.

In a checkout (and an editable install) they are the repository's ``assets/`` folder, beside ``studio/``; an
installed wheel carries the same files as ``studio/assets/`` (``pyproject.toml`` maps the folder into the
package), so ``pip install .`` works from any directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def assets_dir() -> Path:
    for folder in (_HERE / "assets", _HERE.parent / "assets"):
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"the studio's assets folder is missing (looked in {_HERE} and beside it); "
                            "reinstall the package")


def asset_path(*parts: str) -> Path:
    """A file among the bundled assets, e.g. ``asset_path("music", "library.json")``."""
    return assets_dir().joinpath(*parts)
