"""Prompt safety: text is checked against data-driven rules before any model sees it.

The rules live in ``assets/safety/rules.json`` (a file named by ``STUDIO_SAFETY_RULES`` adds to them):

- ``terms``: named term lists per language. English terms match as whole words (a plural s/es
  allowed), Chinese terms as substrings.
- ``patterns``: named regular expressions per language; ``{list}`` stands for any term of that list.
- ``allow``: regular expressions whose spans are blanked before matching (e.g. "sex education").
- ``rules``: in order, each with an ``id``, a ``category`` and an ``advice`` sentence; a rule refuses a
  text when every group of ``all_of`` and one group of ``any_of`` is present (and, for a generation,
  one group of ``negative_any_of`` in the negative prompt).

Text is normalised first so trivial evasions fail: NFKC (full-width letters), case-fold, zero-width and
other format characters and combining marks removed, Cyrillic/Greek look-alikes mapped to Latin,
leetspeak inside words (``s3xy``), separators between Chinese characters removed (``色 情``), and
spaced-out single letters joined (``n u d e``).

A refusal is a ``SafetyRefusal`` naming the rule and its category, never the text; the log records
the rule, where the text came from and a short SHA-256 of the text, never the text itself. The
pipeline calls ``check_script_request`` (idea, script, notes), ``check_storyboard`` (every text a
writer produced), ``check_fields`` (one prompt, e.g. an enhanced one) and ``check_generation`` (a
shot's full prompt with the bible, and the negative prompt) before any backend runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.assets import asset_path
from studio.errors import SafetyRefusal, StudioError
from studio.settings import Settings

logger = logging.getLogger("studio.safety.prompts")

RULES_FILE = asset_path("safety", "rules.json")
LANGUAGES = ("en", "zh")

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "к": "k",
    "м": "m", "т": "t", "в": "b", "н": "h", "α": "a", "ε": "e", "ο": "o", "ρ": "p", "κ": "k", "ν": "v", "τ": "t",
    "ι": "i", "υ": "u",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_TOKEN = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_HAN_GAP = re.compile(rf"(?<=[{_HAN}])[\s·・•‧*_\-.~/|]+(?=[{_HAN}])")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?:[\s.*_\-·~/|]+[a-z](?![a-z0-9])){2,}")
_SEPARATORS = re.compile(r"[^a-z]")


def normalise(text: str) -> str:
    """The text as the rules see it; see the module docstring for each step."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).translate(_CONFUSABLES)
    text = _LEET_TOKEN.sub(lambda m: m.group(0).translate(_LEET) if re.search(r"[0-9@$]", m.group(0))
                           else m.group(0), text)
    text = _HAN_GAP.sub("", text)
    return " ".join(text.split())


def _spaced_runs(text: str) -> tuple[str, list[str]]:
    """Join spaced-out single letters ("s e x y" -> "sexy"); also return each run squashed, for substring search."""
    runs: list[str] = []

    def join(match: re.Match[str]) -> str:
        runs.append(_SEPARATORS.sub("", match.group(0)))
        return runs[-1]

    return _SPACED.sub(join, text), runs


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    advice: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    negative_any_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Group:
    regex: re.Pattern[str] | None
    squashed: frozenset[str]  # English terms without separators, looked for inside spaced-out runs

    def found(self, text: str, runs: list[str]) -> bool:
        if self.regex is not None and self.regex.search(text):
            return True
        return any(term in run for run in runs for term in self.squashed)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    groups: dict[str, _Group]
    allow: re.Pattern[str] | None

    def match(self, text: str, negative: str = "") -> Rule | None:
        """The first rule that refuses ``text`` (with ``negative``, the negative prompt of a generation)."""
        prepared = self._prepare(text)
        prepared_negative = self._prepare(negative) if negative else None
        for rule in self.rules:
            if rule.all_of and not all(self.groups[g].found(*prepared) for g in rule.all_of):
                continue
            if rule.any_of and not any(self.groups[g].found(*prepared) for g in rule.any_of):
                continue
            if rule.negative_any_of and (prepared_negative is None or not any(
                    self.groups[g].found(*prepared_negative) for g in rule.negative_any_of)):
                continue
            return rule
        return None

    def _prepare(self, text: str) -> tuple[str, list[str]]:
        text = normalise(text)
        if self.allow is not None:
            text = self.allow.sub(" ", text)
        return _spaced_runs(text)


def _terms_regex(terms: dict[str, list[str]]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    parts, squashed = [], set()
    english = sorted({normalise(t) for t in terms.get("en", ()) if normalise(t)}, key=len, reverse=True)
    if english:
        words = "|".join(r"[\s_-]+".join(re.escape(w) for w in re.split(r"[\s_-]+", t)) for t in english)
        parts.append(rf"(?<![a-z0-9])(?:{words})(?:e?s)?(?![a-z0-9])")
        squashed = {s for s in (_SEPARATORS.sub("", t) for t in english) if len(s) >= 3}
    chinese = sorted({normalise(t) for t in terms.get("zh", ()) if normalise(t)}, key=len, reverse=True)
    if chinese:
        parts.append("|".join(re.escape(t) for t in chinese))
    return (re.compile("|".join(parts)) if parts else None), frozenset(squashed)


def _alternation(terms: dict[str, list[str]]) -> str:
    every = sorted({normalise(t) for lang in LANGUAGES for t in terms.get(lang, ()) if normalise(t)}, key=len,
                   reverse=True)
    return "(?:" + "|".join(re.escape(t) for t in every) + ")" if every else "(?!)"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Lists of terms, patterns and allow spans are extended; rules are added or replaced by id."""
    merged = json.loads(json.dumps(base))
    for section in ("terms", "patterns"):
        for name, by_lang in (extra.get(section) or {}).items():
            target = merged.setdefault(section, {}).setdefault(name, {})
            for lang, items in by_lang.items():
                target.setdefault(lang, []).extend(items)
    for lang, items in (extra.get("allow") or {}).items():
        merged.setdefault("allow", {}).setdefault(lang, []).extend(items)
    rules = {r["id"]: r for r in merged.get("rules", [])}
    for rule in extra.get("rules") or []:
        rules[rule["id"]] = {**rules.get(rule["id"], {}), **rule}
    merged["rules"] = list(rules.values())
    return merged


def build_rules(data: dict[str, Any]) -> RuleSet:
    """Compile rule data; ``ValueError`` names what is wrong."""
    terms: dict[str, dict[str, list[str]]] = data.get("terms") or {}
    groups: dict[str, _Group] = {name: _Group(*_terms_regex(by_lang)) for name, by_lang in terms.items()}
    for name, by_lang in (data.get("patterns") or {}).items():
        sources = []
        for source in (p for lang in LANGUAGES for p in by_lang.get(lang, ())):
            for ref in re.findall(r"\{(\w+)\}", source):
                if ref not in terms:
                    raise ValueError(f"pattern group {name!r} refers to an unknown term list {{{ref}}}")
                source = source.replace(f"{{{ref}}}", _alternation(terms[ref]))
            sources.append(source)
        try:
            groups[name] = _Group(re.compile("|".join(f"(?:{s})" for s in sources)) if sources else None, frozenset())
        except re.error as err:
            raise ValueError(f"pattern group {name!r} is not a valid regular expression ({err})") from None
    rules = []
    for raw in data.get("rules") or []:
        if raw.get("enabled", True) is False:
            continue
        rule = Rule(id=str(raw["id"]), category=str(raw.get("category", raw["id"])), advice=str(raw.get("advice", "")),
                    all_of=tuple(raw.get("all_of", ())), any_of=tuple(raw.get("any_of", ())),
                    negative_any_of=tuple(raw.get("negative_any_of", ())))
        unknown = [g for g in rule.all_of + rule.any_of + rule.negative_any_of if g not in groups]
        if unknown:
            raise ValueError(f"rule {rule.id!r} refers to unknown lists {unknown}")
        if not rule.all_of and not rule.any_of:
            raise ValueError(f"rule {rule.id!r} needs all_of or any_of")
        rules.append(rule)
    allow = [a for lang in LANGUAGES for a in (data.get("allow") or {}).get(lang, ())]
    try:
        allow_regex = re.compile("|".join(f"(?:{a})" for a in allow)) if allow else None
    except re.error as err:
        raise ValueError(f"an allow entry is not a valid regular expression ({err})") from None
    return RuleSet(tuple(rules), groups, allow_regex)


@functools.lru_cache(maxsize=8)
def _load(extra: str | None, _stamp: tuple[int, int] | None) -> RuleSet:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    if extra is None:
        return build_rules(data)
    try:
        user = json.loads(Path(extra).read_text(encoding="utf-8"))
        if not isinstance(user, dict):
            raise ValueError("it must hold a JSON object")
        return build_rules(_merge(data, user))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise StudioError(f"setting STUDIO_SAFETY_RULES={extra!r} cannot be used: {err}") from None


def load_rules(extra: Path | None = None) -> RuleSet:
    """The shipped rules, plus ``extra`` (``STUDIO_SAFETY_RULES``); reloaded when that file changes."""
    if extra is None:
        return _load(None, None)
    try:
        stat = Path(extra).stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None
    return _load(str(extra), stamp)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _refuse(rule: Rule, where: str, text: str) -> SafetyRefusal:
    logger.warning("safety refusal: rule=%s category=%r where=%s text_sha256=%s chars=%d", rule.id, rule.category,
                   where, _digest(text), len(text))
    advice = f": {rule.advice}" if rule.advice else ""
    return SafetyRefusal(f"the {where} was refused by safety rule {rule.id!r} ({rule.category}){advice}; "
                         "nothing was generated", rule_id=rule.id, category=rule.category)


def enabled(settings: Settings) -> bool:
    return settings.safety != "off"


def check_fields(fields: Iterable[tuple[str, str]], settings: Settings) -> None:
    """Refuse the first ``(where, text)`` a rule matches; ``where`` names the field in the message and log."""
    if not enabled(settings):
        return
    rules = load_rules(settings.safety_rules)
    for where, text in fields:
        if text and (rule := rules.match(text)) is not None:
            raise _refuse(rule, where, text)


def check_generation(prompt: str, negative_prompt: str, settings: Settings, *, where: str) -> None:
    """A generation request: the full prompt (with the bible) alone, and with its negative prompt."""
    if not enabled(settings):
        return
    rule = load_rules(settings.safety_rules).match(prompt, negative=negative_prompt)
    if rule is not None:
        raise _refuse(rule, where, prompt)


def check_script_request(request: Any, settings: Settings) -> None:
    """The user's own text of a script request: idea, script and reference notes."""
    check_fields((("idea", request.idea), ("script", request.script), ("reference notes", request.reference_notes)),
                 settings)


def check_storyboard(storyboard: Any, settings: Settings) -> None:
    """Every text of a written storyboard, each shot's prompt with the bible it carries."""
    bible = storyboard.bible
    fields = [("storyboard title", storyboard.title), ("hook", storyboard.hook),
              ("storyboard description", storyboard.description), ("hashtags", " ".join(storyboard.hashtags)),
              ("look", bible.look)]
    fields += [(f"character {i + 1}", f"{c.name}: {c.description}") for i, c in enumerate(bible.characters)]
    for i, shot in enumerate(storyboard.shots, start=1):
        fields += [(f"shot {i} visual prompt", shot.visual_prompt), (f"shot {i} caption", shot.caption),
                   (f"shot {i} voice-over", shot.voiceover)]
    check_fields(fields, settings)


__all__ = ["RuleSet", "check_fields", "check_generation", "check_script_request", "check_storyboard", "load_rules",
           "normalise"]
