"""The domain's sentences in Chinese at the UI edge (``ui.sentences``): every sentence the source shows a user has a
Chinese entry and every entry still has its sentence (found by AST: tests/helpers/sentence_sources.py); a Chinese
template keeps its values; and the texts users meet (a storyboard that does not validate, a failed batch row, an
error inside an error, joined warnings, the doctor's report) come out in Chinese, while English stays as it is."""

from __future__ import annotations

import re

import pydantic
import pytest

from studio.errors import ProjectValidationError, StudioError
from tests.helpers.sentence_sources import all_source_templates, source_sentences
from tests.helpers.zh import zh_untranslated
from ui.i18n import EN, ZH
from ui.sentences import to_chinese, translate
from ui.sentences_zh import FIELDS, PYDANTIC, SENTENCES

_FIELD = re.compile(r"\{\{|\}\}|\{(\d+)\}")  # as str.format reads a template: doubled braces are literal


def _values(template: str) -> set[str]:
    return {m.group(1) for m in _FIELD.finditer(template) if m.group(1) is not None}


def test_every_sentence_the_source_shows_has_a_chinese_entry():
    missing = sorted({f"{s.path}:{s.line}: {s.template!r}" for s in source_sentences()
                      if s.template not in SENTENCES})
    assert not missing, "add these to ui/sentences_zh.py:\n" + "\n".join(missing)


def test_every_entry_still_has_its_sentence():
    own = set(SENTENCES) - set(PYDANTIC) - set(FIELDS)
    gone = sorted(own - all_source_templates())
    assert not gone, "no longer in the source (reworded or removed): " + "; ".join(map(repr, gone))


def test_the_sentence_finder_sees_the_kinds_of_sentences_it_claims():
    """Guards the finder itself: a change that made it blind would pass the two tests above."""
    sites = {s.template: s.path for s in source_sentences()}
    assert len(sites) > 300
    for template, where in [
        ("choose a shot first", "ui/storyboard.py"),  # a StudioError raised
        ("auto: no NVIDIA GPU, so shots are still-image drafts with a camera move", "pipelines/machine.py"),
        ("storyboards written for the idea by a chat model, offline", "studio/models.py"),  # KnownModel.adds
    ]:
        assert template in sites and sites[template].startswith(where), (template, sites.get(template))


@pytest.mark.parametrize(("key", "target"), sorted(SENTENCES.items()))
def test_a_chinese_template_keeps_every_value(key, target):
    wanted = _values(key)
    got = _values(target)
    if key in PYDANTIC:  # pydantic's plural "character{1}" has no place in Chinese
        assert got <= wanted, (key, target)
    else:
        assert got == wanted, (key, target)
    target.format(*(f"v{i}" for i in range(len(wanted))))  # a well-formed template


def test_field_names_are_fields_of_the_project():
    from studio.project import model

    fields = {name.replace("_", " ") for cls in vars(model).values()
              if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel) for name in cls.model_fields}
    assert set(FIELDS) - {"shots"} <= fields, set(FIELDS) - fields


def test_pydantics_messages_are_the_ones_it_writes():
    class Probe(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        whole: int = pydantic.Field(ge=1, le=3)
        number: float = pydantic.Field(gt=0, lt=10, allow_inf_nan=False)
        text: str = pydantic.Field(min_length=2, max_length=4, pattern="^[a-z]+$")
        flag: bool = False

    bad = [{}, {"whole": 0}, {"whole": 9}, {"whole": "x"}, {"whole": 1.5}, {"number": 0}, {"number": 10},
           {"number": "x"}, {"number": float("inf")}, {"text": 3}, {"text": "a"}, {"text": "abcdef"},
           {"text": "AB"}, {"flag": "maybe"}, {"extra": 1}]
    messages = set()
    for values in bad:
        try:
            Probe(**{"whole": 2, "number": 1, "text": "ab", **values})
        except pydantic.ValidationError as err:
            messages.update(e["msg"] for e in err.errors())
    untranslated = {m for m in messages if zh_untranslated(to_chinese(m))}
    assert not untranslated, untranslated


def test_english_stays_english_at_no_cost():
    text = "shot 2: the caption is empty"
    assert translate(text, EN) is text


def test_a_storyboard_that_does_not_validate_reads_in_chinese():
    from studio.project.files import validate_project

    with pytest.raises(ProjectValidationError) as caught:
        validate_project({"storyboard": {"shots": [{"caption": "a", "duration_ms": -5},
                                                                 {"caption": "b", "camera_move": "spin"}]}})
    zh = to_chinese(str(caught.value))
    assert "镜头 1" in zh and not zh_untranslated(zh), (str(caught.value), zh)


def test_an_error_inside_an_error_and_joined_clauses():
    inner = next(k for k in SENTENCES if "{" not in k and " " in k and k[0].islower() and len(k) > 25)
    nested = to_chinese(f"{inner}: {inner}")
    assert nested == f"{SENTENCES[inner]}：{SENTENCES[inner]}"
    joined = to_chinese(f"{inner}; {inner}")
    assert joined == f"{SENTENCES[inner]}；{SENTENCES[inner]}"


def test_text_the_catalogue_does_not_know_comes_back_unchanged():
    for unknown in ("[Errno 28] No space left on device", "CUDA out of memory. Tried to allocate 2.00 GiB"):
        assert to_chinese(unknown) == unknown
    long = " ".join(["shot 1 caption"] * 400)  # many ways to split: the budget ends the reading
    assert to_chinese(long)


def test_values_stay_as_they_were():
    key = next(k for k in SENTENCES if k.count("{0}") == 1 and "{1}" not in k and len(k) > 30)
    value = "我的视频_final (2).mp4"
    assert value in to_chinese(key.format(value).replace("{{", "{").replace("}}", "}"))


def test_the_gradio_error_is_chinese_without_server_paths(tmp_path):
    from ui.session import as_gr_error

    inner = next(k for k in SENTENCES if k.count("{0}") == 1 and "{1}" not in k and "file" in k)
    secret = tmp_path / "srv" / "data" / "users" / "u1" / "projects" / "p1" / "media" / "clip.mp4"
    err = StudioError(inner.format(str(secret)).replace("{{", "{").replace("}}", "}"))
    shown = as_gr_error(err, ZH).message
    assert str(tmp_path) not in shown and "clip.mp4" in shown and not zh_untranslated(shown), shown
