"""The hostile-input corpus (tests/helpers/hostile.py) through the CLI and the bundle importer: each case is
refused with exit code 2 or 3 and one line starting with "error:", no traceback, and nothing written outside
the case's own output folder (its inputs untouched, the output folder still empty)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from studio.errors import StudioError
from tests.helpers import hostile
from tests.helpers.media import make_image

CLI = [c for c in hostile.all_cases() if "cli" in c.surfaces]
CLI_KINDS = ("shot", "music", "voiceover", "project", "look", "idea", "llm_url", "script_model",
             "video_model")  # _argv's
BUNDLES = [c for c in hostile.all_cases() if "domain" in c.surfaces]
TEXT_SHOT = {"id": "t1", "visual_prompt": "a paper boat on a rainy street", "duration_ms": 1000}


def test_every_case_names_a_one_line_sentence_and_goes_only_where_its_kind_is_taken():
    cases = hostile.all_cases()
    assert len(cases) >= 50, len(cases)  # the corpus may grow, never shrink
    assert len({c.id for c in cases}) == len(cases), "case ids are unique"
    assert {c.kind for c in cases} == {*CLI_KINDS, "bundle"}
    for case in cases:
        assert case.needle.strip() and "\n" not in case.needle, f"{case.id}: no one-line sentence to look for"
        if case.kind == "bundle":
            assert case.surfaces == ("domain",), f"{case.id}: only the importer opens bundles"
        elif case.kind in ("llm_url", "script_model"):
            assert case.surfaces == ("cli",), f"{case.id}: no endpoint takes a URL or a script model from a visitor"
        else:
            assert case.surfaces and set(case.surfaces) <= {"cli", "api"}, case.id
    assert {c.kind for c in CLI} == set(CLI_KINDS), "every kind the CLI reads has cases"


@pytest.fixture()
def env(monkeypatch, tmp_path):
    for name, value in {**hostile.LIMITS, "STUDIO_MAX_MEDIA_MB": "1",
                        "STUDIO_DATA_DIR": str(tmp_path / "data")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # anything written to the working folder would show in the snapshot
    return tmp_path


def _argv(case: hostile.Case, value, folder: Path, out: Path) -> list[str]:
    good = make_image(folder.parent / "good.png", (64, 96))
    compose = ["compose", "--preset", "draft", "--shot-seconds", "0.5", "-o", str(out / "out.mp4")]
    if case.kind == "shot":
        return [*compose, "--shot", str(value)]
    if case.kind == "music":
        return [*compose, "--shot", str(good), "--music", str(value)]
    if case.kind == "voiceover":
        return [*compose, "--shot", str(good), "--voiceover", str(value)]
    if case.kind == "look":
        return [*compose, "--shot", str(good), "--look", str(value)]
    if case.kind == "project":
        if not (folder / "img.png").is_symlink():
            make_image(folder / "img.png", (64, 96))
        project = folder / "p.project.json"
        project.write_bytes(value)
        return ["render", str(project), "--video-backend", "still", "-o", str(out / "out.mp4")]
    if case.kind == "idea":
        return ["script", value, "--backend", "template", "-o", str(out / "board.json")]
    if case.kind == "llm_url":
        return ["script", "a kite", "--backend", "openai", "--llm-url", value, "--llm-model", "m",
                "-o", str(out / "board.json")]
    if case.kind == "script_model":
        return ["script", "a kite", "--backend", "local", "--model", value, "-o", str(out / "board.json")]
    if case.kind == "video_model":
        project = folder / "text.project.json"
        project.write_text(json.dumps(hostile.project_data([TEXT_SHOT])), encoding="utf-8")
        return ["render", str(project), "--video-backend", "ltx", "--video-model", value, "-o", str(out / "o.mp4")]
    raise AssertionError(case.kind)


@pytest.mark.parametrize("case", CLI, ids=[c.id for c in CLI])
def test_the_cli_refuses_each_case_in_one_line_and_writes_nothing(case, env, capsys):
    folder, out = env / "case", env / "out"
    folder.mkdir()
    out.mkdir()
    value = case.make(folder)
    argv = _argv(case, value, folder, out)
    before = hostile.tree(env)
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (2, 3), (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "unexpected" not in err
    assert case.needle in lines[0], lines[0]
    assert len(lines[0]) < 600
    assert hostile.tree(env) == before, "a refused command wrote or changed files"
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("case", BUNDLES, ids=[c.id for c in BUNDLES])
def test_the_bundle_importer_refuses_each_case_in_one_sentence_and_leaves_nothing(case, tmp_path):
    from studio.project.bundles import import_bundle

    folder = tmp_path / "in"
    folder.mkdir()
    bundle = case.make(folder)
    before = hostile.tree(tmp_path)
    with pytest.raises(StudioError) as raised:
        import_bundle(bundle, tmp_path / "user" / "opened", max_bytes=2**20)
    message = str(raised.value)
    assert "\n" not in message and case.needle in message, message
    after = {path: facts for path, facts in hostile.tree(tmp_path).items() if path != "user"}
    assert after == before, "the importer wrote outside its target or changed its input"
    assert not (tmp_path / "user").exists() or list((tmp_path / "user").iterdir()) == [], "no staging left"


@pytest.mark.parametrize("case", BUNDLES, ids=[c.id for c in BUNDLES])
def test_python_m_studio_bundle_open_refuses_each_case_in_one_line(case, env, capsys, monkeypatch):
    monkeypatch.setenv("STUDIO_MAX_BUNDLE_MB", "1")
    folder = env / "case"
    folder.mkdir()
    bundle = case.make(folder)
    before = hostile.tree(env)
    code = main(["bundle", "open", str(bundle), "-o", str(env / "opened")])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and case.needle in lines[0], err
    assert hostile.tree(env) == before, "a refused bundle wrote or changed files"


def test_a_bundle_round_trips_through_the_cli_and_renders(env, capsys):
    folder = env / "made"
    folder.mkdir()
    make_image(folder / "img.png", (320, 568), (40, 120, 200), "gradient")
    (folder / "p.project.json").write_text(json.dumps(hostile.project_data([{"media": "img.png",
                                                                                "duration_ms": 600}])))
    assert main(["bundle", "export", str(folder / "p.project.json"), "-o", str(env / "p.zip")]) == 0
    assert main(["bundle", "open", str(env / "p.zip"), "-o", str(env / "opened")]) == 0
    assert main(["render", str(env / "opened" / "project.json"), "--preset", "draft", "-o",
                 str(env / "out.mp4")]) == 0
    assert (env / "out.mp4").stat().st_size > 0
