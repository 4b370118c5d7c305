"""The effect pickers the Storyboard tab (per shot) and the Finish tab (the whole clip) share: a colour look (bundled,
or the user's uploaded .cube file), speed and reverse, and a text box of effects written as MoviePy writes them.

The pickers own a tail of the effects list in their own order (look, speed, reverse); the text box holds the rest,
so an effects list made anywhere (a project file, the API) shows in the editor and saves back unchanged. A browser
never names a file on the server: a look file comes in as an upload, or is one the list already has.
"""

from __future__ import annotations

from studio.errors import ProjectValidationError
from studio.project.effect_forms import effects_from_text, effects_text
from studio.project.effects import Effect, Look, MultiplySpeed, TimeMirror, bundled_looks
from ui.i18n import choices, t

OWN_LOOK = "own"  # the look choice meaning "the .cube file uploaded for this shot (or clip)"
LOOK_CHOICES = [(t("finish.none"), ""), *choices("look", [OWN_LOOK, *bundled_looks()])]


def effect_controls(effects: tuple[Effect, ...]) -> tuple[str, str, float, bool]:
    """(the effects as MoviePy calls, the look choice, speed, reverse) for the editor. Only a tail of the list in the
    pickers' own order (look, then speed, then reverse) goes to the pickers, so saving it back changes nothing."""
    rest = list(effects)
    reverse = bool(rest) and isinstance(rest[-1], TimeMirror)
    if reverse:
        rest.pop()
    speed = 1.0
    if rest and isinstance(rest[-1], MultiplySpeed) and rest[-1].factor is not None:
        speed = float(rest.pop().factor)
    look = ""
    if rest and isinstance(rest[-1], Look) and rest[-1].strength == 1.0 and rest[-1].interpolation == "tetrahedral":
        last = rest.pop()
        look = last.look if last.look is not None else OWN_LOOK
    return effects_text(rest), look, speed, reverse


def known_files(previous: tuple[Effect, ...]):
    """A check for look files typed in the text box: only the files the shot's effects already name (uploads are the
    way in for new ones; a browser never names a file on the server)."""
    allowed = {e.file for e in previous if isinstance(e, Look) and e.file}

    def check(path: str) -> str:
        if path not in allowed:
            raise ValueError(f"a look file cannot be named here ({path[:40]!r}); upload it under the look instead")
        return path

    return check


def effects_from_controls(text: str | None, look: str | None, speed: float | None, reverse: bool,
                          look_file: str | None, previous: tuple[Effect, ...], *,
                          clip_wide: bool = False) -> tuple[Effect, ...]:
    """The shot's effects from the editor: the text box's, then the look, the speed and reverse (the Finish tab's
    clip-wide list the same way, with ``clip_wide``: no speed, no reverse)."""
    try:
        effects = list(effects_from_text(text, clip_wide=clip_wide, check_file=known_files(previous)))
    except ValueError as err:
        raise ProjectValidationError(str(err)) from None
    if look_file:
        effects.append(Look(file=str(look_file)))
    elif look == OWN_LOOK:
        own = next((e for e in reversed(previous) if isinstance(e, Look) and e.file), None)
        if own is None:
            raise ProjectValidationError("upload a .cube file for your own look, or choose a bundled one")
        effects.append(own)
    elif look:
        if look not in bundled_looks():
            raise ProjectValidationError(f"no bundled look is called {look!r}")
        effects.append(Look(look=look))
    if speed not in (None, "") and float(speed) != 1.0:
        effects.append(MultiplySpeed(factor=float(speed)))
    if reverse:
        effects.append(TimeMirror())
    return tuple(effects)
