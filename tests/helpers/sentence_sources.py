"""The English sentences the domain writes for users, found in the source by AST, as the template keys of
``ui/sentences_zh.py``.

A template is a message's string literal or f-string with each ``{expression}`` replaced by ``{0}``, ``{1}``, ... in
order of appearance (literal braces doubled, as ``str.format`` writes them); a concatenation (``+``) of such parts
is one template, numbered on; a conditional (``a if c else b``, ``a or b``) gives each literal branch; a template
starting with a clause separator (``"; ..."``, added with ``+=``) loses it, since ``ui.sentences`` splits joined
clauses there. A message held in a local variable is every value assigned to that variable in the function.

Where messages are found (the sinks):

* the first argument of every construction of a ``studio.errors.StudioError`` subclass (raised, returned or kept),
  and of ``type(err)(...)`` (an error re-raised with a prefix);
* ``super().__init__(message)`` (an exception class that words its own message, e.g. ``MissingGlyphs``);
* ``ValueError`` built in the modules whose ValueErrors become ``ProjectValidationError``
  messages (pydantic validators and the parsers they call) or a batch row's error (``VALIDATOR_MODULES``);
* what the doctor reports (``StageReport``, ``_stage_not_here``), what beat sync and beat analysis say
  (``BeatSyncReport``, ``BeatAnalysis``), and the functions whose returned text is shown (``SENTENCE_RETURNS``);
* notes and warnings: ``<...notes>.append(x)`` / ``<...warnings>.append(x)`` and ``notes=[...]`` outside
  ``studio/export`` (export notes go into the hand-off's README, an English file);
* the pieces sentences embed: ``what=`` / ``where=`` / ``who=`` arguments and values assigned to ``where``,
  ``who`` and ``unit`` (e.g. "shot 3 caption", "video model", "downbeat").
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("studio", "pipelines", "actions", "ui")
VALIDATOR_MODULES = ("studio/project/", "studio/values.py", "studio/safety/", "pipelines/script/storyboard.py",
                     "pipelines/video/contract.py", "pipelines/batch.py", "studio/text/layout.py")
SENTENCE_CALLS = {  # callee -> (first positional argument that is a sentence, keyword arguments that are)
    "StageReport": (2, {"backend", "why", "found", "missing", "action"}),
    "_stage_not_here": (1, {"backend", "why"}),
    "BeatSyncReport": (4, {"message"}),
    "BeatAnalysis": (5, {"note"}),
    "KnownModel": (6, {"adds"}),  # what a model adds, in the Models panel
}
SENTENCE_RETURNS = {"describe_model", "label_warnings", "choose_backend", "gpu_line", "summary", "_where",
                    "commercial_refusal", "transition_problem", "download_notes"}
PIECE_KEYWORDS = {"what", "where", "who"}
PIECE_NAMES = {"where", "who", "unit"}
NOT_SHOWN = ("studio/export/",)  # notes written into an export's README


@dataclass(frozen=True)
class Site:
    template: str
    path: str
    line: int


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _renumber(template: str, offset: int) -> str:
    return re.sub(r"(?<!\{)\{(\d+)\}", lambda m: f"{{{int(m.group(1)) + offset}}}", template)


def _count(template: str) -> int:
    return len(re.findall(r"(?<!\{)\{\d+\}", template))


def templates_of(node: ast.AST | None) -> list[str] | None:
    """The template keys an expression can produce, or None when it is not made of literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        parts, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(_escape(value.value))
            else:
                parts.append(f"{{{n}}}")
                n += 1
        return ["".join(parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = templates_of(node.left), templates_of(node.right)
        if left is None or right is None:
            return None
        return [a + _renumber(b, _count(a)) for a in left for b in right]
    if isinstance(node, ast.IfExp):
        branches = [t for branch in (node.body, node.orelse) for t in (templates_of(branch) or [])]
        return branches or None
    if isinstance(node, ast.BoolOp):
        operands = [t for value in node.values for t in (templates_of(value) or [])]
        return operands or None
    return None


def key(template: str) -> str:
    """A template as a catalogue key: without surrounding blanks or a leading clause separator."""
    return re.sub(r"^[;,]\s+", "", template.strip())


def _enclosing(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """Each node's innermost enclosing function (or the module)."""
    owner: dict[ast.AST, ast.AST] = {}

    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            owner[child] = scope
            visit(child, child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else scope)

    visit(tree, tree)
    return owner


def _assigned(scope: ast.AST, name: str) -> list[ast.AST]:
    values = []
    for node in ast.walk(scope):
        assigned = isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        updated = isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) \
            and node.target.id == name and node.value is not None
        if assigned or updated:
            values.append(node.value)
    return values


def _message_templates(node: ast.AST, scope: ast.AST) -> list[str]:
    """The templates of a sentence argument; a local variable's are those of every value assigned to it."""
    if isinstance(node, ast.Name):
        return [t for value in _assigned(scope, node.id) for t in (templates_of(value) or [])]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [t for element in node.elts for t in _message_templates(element, scope)]
    return templates_of(node) or []


def _error_names() -> set[str]:
    import studio.errors

    names = {n for n, c in vars(studio.errors).items()
             if isinstance(c, type) and issubclass(c, studio.errors.StudioError)}
    return names | {"BatchError"}  # pipelines.batch's own ProjectValidationError


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _sites_in(path: Path, errors: set[str]) -> Iterator[tuple[str, int]]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner = _enclosing(tree)
    value_errors = rel.startswith(VALIDATOR_MODULES)
    shown = not rel.startswith(NOT_SHOWN)
    for node in ast.walk(tree):
        scope = owner.get(node, tree)
        found: list[str] = []
        if isinstance(node, ast.Call):
            name = _callee(node)
            retyped = isinstance(node.func, ast.Call) and _callee(node.func) == "type"
            own = name == "__init__" and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Call) and _callee(node.func.value) == "super"  # its own message
            if node.args and (name in errors or retyped or own or (value_errors and name == "ValueError")):
                found += _message_templates(node.args[0], scope)
            if name in SENTENCE_CALLS:
                first, keywords = SENTENCE_CALLS[name]
                for arg in node.args[first:]:
                    found += _message_templates(arg, scope)
                for kw in node.keywords:
                    if kw.arg in keywords:
                        found += _message_templates(kw.value, scope)
            if shown and name == "append" and isinstance(node.func, ast.Attribute) and node.args:
                receiver = node.func.value
                receiver_name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
                if receiver_name.endswith(("notes", "warnings")):
                    found += _message_templates(node.args[0], scope)
            for kw in node.keywords:
                if kw.arg in PIECE_KEYWORDS or (shown and kw.arg in {"notes", "warnings"}
                                                and isinstance(kw.value, (ast.List, ast.Tuple))):
                    found += _message_templates(kw.value, scope)
        elif isinstance(node, ast.Return) and node.value is not None \
                and getattr(scope, "name", None) in SENTENCE_RETURNS:
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for value in values:
                found += _message_templates(value, scope)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in PIECE_NAMES
                                                  for t in node.targets):
            found += templates_of(node.value) or []
        for template in found:
            yield template, node.lineno


@cache
def source_sentences() -> tuple[Site, ...]:
    """Every sentence (and piece of one) the domain shows a user, as catalogue keys, with where it is made."""
    errors = _error_names()
    sites = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for template, line in _sites_in(path, errors):
                sites.append(Site(key(template), path.relative_to(ROOT).as_posix(), line))
    return tuple(s for s in sites if needs_words(s.template))


def needs_words(template: str) -> bool:
    """A template with English words in its own text (not only placeholders, numbers and punctuation)."""
    return re.search(r"[A-Za-z]{2,}", re.sub(r"\{\d+\}", "", template)) is not None


@cache
def all_source_templates() -> frozenset[str]:
    """Every string literal and f-string of the scanned folders as a key: a catalogue entry must be one of them."""
    keys = set()
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.IfExp)):
                    keys.update(key(t) for t in templates_of(node) or [])
    return frozenset(keys)
