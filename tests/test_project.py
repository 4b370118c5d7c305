"""The project model and project files: validation names the field, files round-trip atomically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from studio.errors import ProjectError, ProjectValidationError, SchemaVersionError, UnsafePathError
from studio.project.files import load_project, project_schema, save_project, validate_project
from studio.project.model import SCHEMA_VERSION, Language, Project, Shot, clean_text

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _minimal(media: str = "a.png", **shot: object) -> dict:
    return {"schema_version": SCHEMA_VERSION, "storyboard": {"shots": [{"media": media, **shot}]}}


def test_clean_text_removes_controls_but_keeps_newlines_and_emoji_joiners():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text("a\x00b\x07c\u202e\nline2 " + family) == "abc\nline2 " + family
    assert clean_text("\ufeffhi\r\nthere") == "hi\nthere"


def test_caption_is_cleaned_when_a_shot_is_built():
    assert Shot(caption="Hello\x1b[31m world").caption == "Hello[31m world"


def test_too_long_caption_is_refused_naming_the_shot():
    with pytest.raises(ProjectValidationError, match=r"shot 2 caption: is 5000 characters long; the limit is 200"):
        validate_project({"storyboard": {"shots": [{}, {"caption": "字" * 5000}]}})


def test_unknown_field_is_named():
    with pytest.raises(ProjectValidationError, match=r"shot 1 colour: is not a known field"):
        validate_project({"storyboard": {"shots": [{"colour": "red"}]}})


def test_word_timing_after_shot_end_is_refused():
    with pytest.raises(ProjectValidationError, match="after the shot ends"):
        validate_project({"storyboard": {"shots": [{"duration_ms": 1000, "caption": "hi",
                                                    "caption_words": [{"text": "hi", "start_ms": 1500,
                                                                       "end_ms": 1800}]}]}})


def test_duplicate_shot_ids_are_refused():
    with pytest.raises(ProjectValidationError, match="reuses the id"):
        validate_project({"storyboard": {"shots": [{"id": "s1"}, {"id": "s1"}]}})


def test_language_auto_reads_the_captions():
    assert Project().with_shots([Shot(caption="今天吃什么")]).resolved_language() is Language.ZH
    assert Project().with_shots([Shot(caption="what to eat")]).resolved_language() is Language.EN


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.png", "media/../../x.png", "C:\\x.png", "\\\\srv\\x"])
def test_project_file_refuses_paths_that_leave_its_folder(tmp_path, path):
    with pytest.raises(UnsafePathError, match="shot 1 media"):
        load_project(_write(tmp_path / "p.json", _minimal(path)))


def test_music_path_is_checked_too(tmp_path):
    data = _minimal() | {"music": {"path": "../song.mp3"}}
    with pytest.raises(UnsafePathError, match="music path"):
        load_project(_write(tmp_path / "p.json", data))


def test_newer_schema_version_is_refused_with_advice(tmp_path):
    with pytest.raises(SchemaVersionError, match=r"newer studio \(schema_version 99\).*update the studio"):
        load_project(_write(tmp_path / "p.json", _minimal() | {"schema_version": 99}))


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[1, 2]", "must hold a JSON object"),
    (b'{"schema_version": "1"}', "schema_version must be a positive integer"),
])
def test_malformed_project_files_get_one_clear_error(tmp_path, content, message):
    path = tmp_path / "p.json"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        load_project(path)


def test_missing_project_file(tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "nope.json")


def test_save_and_load_round_trip_with_relative_paths(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"png")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(b"other")
    project = Project().with_shots([Shot(media=str(tmp_path / "media" / "a.png"), caption="一"),
                                    Shot(media=str(outside), caption="二")])
    saved = save_project(project, tmp_path / "proj.json")
    assert saved.shots[0].media == "media/a.png"
    assert saved.shots[1].media.startswith("proj.media/")  # bundled beside the file, not pointing outside
    assert (tmp_path / saved.shots[1].media).read_bytes() == b"other"
    loaded, root = load_project(tmp_path / "proj.json")
    assert root == tmp_path.resolve()
    assert loaded == saved
    assert oct((tmp_path / "proj.json").stat().st_mode & 0o777) != oct(0o600)
    outside.unlink()


def test_save_is_atomic_and_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "p.json"
    target.write_text("old", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        save_project(Project(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def test_symlink_inside_the_folder_pointing_outside_is_refused(tmp_path):
    from studio.project.files import resolve_media

    (tmp_path / "link.png").symlink_to("/etc/hostname")
    with pytest.raises(UnsafePathError, match="resolves outside the project folder"):
        resolve_media("link.png", tmp_path)


def test_published_schema_validates_a_saved_project_and_rejects_a_bad_one(tmp_path):
    schema = project_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = json.loads(Project().with_shots([Shot(media="a.png", caption="hi")]).model_dump_json())
    jsonschema.validate(good, schema)
    bad = good | {"preset": "myspace"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_cli_prints_the_schema():
    out = subprocess.run([sys.executable, "-m", "studio", "schema"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out)["properties"]["schema_version"]["default"] == SCHEMA_VERSION
