"""``batch``: a list of ideas to one draft each with the template writer and the still backend (no model, no
network); a rerun skips what is finished, a bad row or a failed item does not stop the others, and a cancel
keeps what was done."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import pipelines.make
from cli.main import main
from pipelines.batch import (
    BatchDefaults,
    BatchError,
    BatchProgress,
    BatchStatus,
    item_seed,
    parse_ideas,
    read_ideas,
    run_batch_text,
)
from pipelines.make import MakeOptions, MakeProgress, MakeStage
from pipelines.script.contract import ScriptRequest
from pipelines.services import Services
from pipelines.shots import VideoOptions
from studio.project.files import load_project
from studio.project.model import Language
from studio.project.presets import PresetName
from studio.settings import Settings
from tests.helpers.hostile import tree

OFFLINE = ("--backend", "template", "--video-backend", "still")
DRAFT = ("--preset", "draft", "--seconds", "15", *OFFLINE)
pytestmark = pytest.mark.usefixtures("offline_env")  # tests/conftest.py, on this module's data_dir


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("batch-data")  # one shot cache for the module, as on a user's machine


def _batch(capsys, ideas: Path, out: Path, *flags: str) -> tuple[int, str, dict]:
    code = main(["batch", str(ideas), *flags, "-o", str(out)])
    stdout, stderr = capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8")) if (out / "summary.json").exists() else {}
    return code, stdout + stderr, summary


def _shot_media(out: Path, entry: dict) -> list[str]:
    video = out / entry["video"]
    project, _ = load_project(video.with_name(f"{video.stem}.project.json"))
    return [shot.media for shot in project.shots]


def _without_summary(snapshot: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {path: facts for path, facts in snapshot.items() if path != "summary.json"}


def test_a_text_list_becomes_one_draft_per_idea_and_a_rerun_resumes(capsys, tmp_path, data_dir, monkeypatch):
    ideas = tmp_path / "ideas.txt"
    ideas.write_text("# ideas for this week\nA tiny robot finds one living flower\n\n一只橘猫在海边学冲浪\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    code, text, summary = _batch(capsys, ideas, out, *DRAFT)
    assert code == 0, text
    assert summary["counts"]["ok"] == 2 and not summary["cancelled"]
    assert [(e["line"], e["status"]) for e in summary["items"]] == [(2, "ok"), (4, "ok")]
    assert re.search(r"2 ideas: 2 ok in [\d.]+ s", text)
    for entry, han in zip(summary["items"], (False, True), strict=True):
        video = out / entry["video"]
        assert video.parent.name.startswith(f"{entry['index']:03d}-") and abs(entry["duration_s"] - 15) <= 0.5
        assert bool(re.search(r"[\u4e00-\u9fff]", video.with_suffix(".srt").read_text(encoding="utf-8"))) == han
    assert summary["items"][1]["folder"] == "002-一只橘猫在海边学冲浪"
    first = out / summary["items"][0]["video"]
    probe = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(first)]
    streams = json.loads(subprocess.run(probe, capture_output=True, check=True).stdout)["streams"]
    assert [(s["codec_name"], s.get("width"), s.get("height")) for s in streams][0] == ("h264", 540, 960)

    # the same command again: nothing is made, nothing is touched (only the summary is rewritten)
    videos = [out / e["video"] for e in summary["items"]]
    stamps = [v.stat().st_mtime_ns for v in videos]
    outputs, cache = _without_summary(tree(out)), tree(data_dir)
    made: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(pipelines.make, "make_short", lambda request, *a, **k: made.append(request.idea))
        code, text, again = _batch(capsys, ideas, out, *DRAFT)
    assert code == 0 and [e["status"] for e in again["items"]] == ["skipped", "skipped"]
    assert made == [], "a finished item was made again"
    assert _without_summary(tree(out)) == outputs and tree(data_dir) == cache, "a skipped item touched its files"
    assert [e["video"] for e in again["items"]] == [e["video"] for e in summary["items"]] and "2 skipped" in text

    # a lost clip is made again from the same seed: every shot comes from the cache
    shots_before = _shot_media(out, summary["items"][0])
    videos[0].unlink()
    code, text, third = _batch(capsys, ideas, out, *DRAFT)
    assert code == 0 and [e["status"] for e in third["items"]] == ["ok", "skipped"]
    remade = third["items"][0]
    assert remade["seed"] == summary["items"][0]["seed"] and remade["shots_generated"] == 0
    assert remade["shots_cached"] == len(shots_before) and _shot_media(out, remade) == shots_before

    # other settings make another clip: a finished item is not skipped (here make refuses the music at once)
    code, text, changed = _batch(capsys, ideas, out, *DRAFT, "--music", "no_such_track")
    assert code == 1 and [e["status"] for e in changed["items"]] == ["failed", "failed"]
    assert [v.stat().st_mtime_ns for v in videos][1:] == stamps[1:]  # and the old clip is left as it was


def test_csv_rows_carry_their_own_settings_and_a_bad_row_does_not_stop_the_others(capsys, tmp_path):
    ideas = tmp_path / "ideas.csv"
    ideas.write_text(
        "idea,seconds,lang,preset,style,seed,music\n"
        '"A cat, a dog and a very long walk",abc,en,draft,,,\n'
        '一只橘猫在海边学冲浪,15,zh,draft,anime,4,\n'
        "A storm over the harbour,15,,draft,,,no_such_track\n",
        encoding="utf-8")
    out = tmp_path / "out"
    code, text, summary = _batch(capsys, ideas, out, *OFFLINE)
    assert code == 1, text
    bad, good, missing = summary["items"]
    assert (bad["status"], bad["line"]) == ("failed", 2)
    assert bad["error"] == "line 2: the seconds must be a whole number, not 'abc'"
    assert bad["idea"] == "A cat, a dog and a very long walk"
    assert good["status"] == "ok" and good["seed"] == 4 and abs(good["duration_s"] - 15) <= 0.5
    assert missing["status"] == "failed" and "no_such_track" in missing["error"] and missing["video"] is None
    assert not (out / missing["folder"]).exists()  # bad input writes nothing
    project, _ = load_project(out / good["folder"] / f"{good['folder']}.project.json")
    assert project.preset is PresetName.DRAFT and project.language is Language.ZH
    assert project.shots[0].seed == 4 and "anime" in project.storyboard.bible.look.lower()
    assert "line 2: the seconds must be a whole number, not 'abc'" in text and "1 ok, 2 failed" in text


@pytest.mark.parametrize("content, message", [
    ("idea,colour\nA cat,red\n", "ideas.csv, line 1: unknown column 'colour'"),
    ("seconds,lang\n15,en\n", "ideas.csv, line 1: no 'idea' column"),
    ("# nothing yet\n\n", "ideas.csv has no ideas"),
    ("idea\n" + "x\n" * 1000, "has 1000 ideas; one batch takes at most 999"),
])
def test_an_ideas_file_that_cannot_be_read_is_refused_with_its_reason(tmp_path, content, message):
    path = tmp_path / "ideas.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BatchError, match=re.escape(message)):
        read_ideas(path)


def test_a_file_that_is_not_utf8_exits_2_before_anything_runs(capsys, tmp_path):
    path = tmp_path / "ideas.csv"
    path.write_bytes("idea\n一只橘猫\n".encode("gbk"))
    assert main(["batch", str(path), "-o", str(tmp_path / "out")]) == 2
    assert "is not UTF-8 text; save it as UTF-8" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_pasted_text_is_csv_only_when_it_starts_with_a_header():
    plain = parse_ideas("A cat, a dog\n\n# skip me\nidea two")
    assert [(i.index, i.line, i.idea) for i in plain] == [(1, 1, "A cat, a dog"), (2, 4, "idea two")]
    rows = parse_ideas("\ufeffIdea,Seconds,Language,beat_sync\n\n# a comment\n\"a, b\",20,zh,yes\n"
                       "c,,,maybe\n\"multi\nline\",,,\n")
    assert [(i.line, i.idea, i.seconds, i.language, i.beat_sync, i.error) for i in rows] == [
        (4, "a, b", 20, Language.ZH, True, None),
        (5, "c", None, None, None, "line 5: beat_sync 'maybe' is not yes or no"),
        (6, "multi\nline", None, None, None, None),
    ]
    assert parse_ideas("idea,preset\nx,tiktokk\n")[0].error.startswith(
        "line 2: unknown preset 'tiktokk'; choose one of: douyin")
    assert [i.idea for i in parse_ideas("Idea\nA boat\n")] == ["A boat"]  # a one-column CSV is still CSV
    assert parse_ideas("idea,seconds\nx,15,extra\n")[0].error.startswith("line 2: 3 cells but the header names 2")


def test_seeds_come_from_the_row_or_the_idea_text():
    first, same, other, seeded = parse_ideas("idea,seed\nA boat,\nA boat,\nA car,\nA boat,77\n")
    assert item_seed(first) == item_seed(same) != item_seed(other) and item_seed(seeded) == 77
    assert item_seed(first, 1) != item_seed(first)  # --seed gives the whole batch other takes


def _defaults() -> BatchDefaults:
    return BatchDefaults(request=ScriptRequest(idea="", seconds=15, preset=PresetName.DRAFT),
                         options=MakeOptions(script_backend="template"))


def _settings(data_dir: Path, tmp_path: Path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(data_dir), "STUDIO_SCRIPT_MODEL": str(tmp_path / "none")})


def test_a_cancel_between_items_keeps_the_finished_clip(tmp_path, data_dir):
    finished: list[BatchStatus] = []
    result = run_batch_text("A paper boat sails down a rainy street\nA kite over the dunes\nA lantern festival",
                            tmp_path / "out", Services(_settings(data_dir, tmp_path)), defaults=_defaults(),
                            video_options=VideoOptions(backend="still"),
                            progress=BatchProgress(finished=lambda r, total: finished.append(r.status)),
                            cancel=lambda: bool(finished))
    assert result.cancelled and not result.succeeded and finished == [BatchStatus.OK]
    assert [r.status for r in result.items] == [BatchStatus.OK, BatchStatus.CANCELLED, BatchStatus.CANCELLED]
    assert result.items[0].video.is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [result.items[0].folder.name, "summary.json"]
    summary = json.loads(result.summary_file.read_text(encoding="utf-8"))
    assert summary["cancelled"] and summary["counts"] == {"ok": 1, "skipped": 0, "failed": 0, "cancelled": 2}


def test_a_cancel_inside_make_stops_the_batch_with_the_storyboard_saved(tmp_path, data_dir):
    stages: list[MakeStage] = []

    def make_progress(item) -> MakeProgress:
        return MakeProgress(stage=lambda result: stages.append(result.stage))

    result = run_batch_text("A kite over the dunes\nA lantern festival", tmp_path / "out",
                            Services(_settings(data_dir, tmp_path)), defaults=_defaults(),
                            video_options=VideoOptions(backend="still"),
                            progress=BatchProgress(make=make_progress),
                            cancel=lambda: MakeStage.PROJECT in stages)
    first, second = result.items
    assert result.cancelled and stages == [MakeStage.SCRIPT, MakeStage.PROJECT]
    assert first.status is BatchStatus.CANCELLED and "make was cancelled after the project stage" in first.error
    assert second.error == "not finished: the batch was cancelled" and not second.folder.exists()
    assert (first.folder / f"{first.folder.name}.project.json").is_file() and first.video is None


def test_ctrl_c_exits_130_and_says_how_to_resume(capsys, tmp_path, monkeypatch):
    import pipelines.make

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipelines.make, "make_short", interrupted)
    ideas = tmp_path / "ideas.txt"
    ideas.write_text("one idea\nanother idea\n", encoding="utf-8")
    code = main(["batch", str(ideas), *DRAFT, "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 130 and "run the same command again to resume" in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["cancelled"] and [e["status"] for e in summary["items"]] == ["cancelled", "cancelled"]


def test_the_readme_csv_example_parses():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", readme, re.S).group(1)
    first, second = parse_ideas(example, csv_format=True)
    assert (first.error, second.error) == (None, None)
    assert (first.preset, first.music, first.beat_sync) == (PresetName.DOUYIN, "sunny_pop", True)
    assert (second.idea, second.seconds, second.seed) == ("A tiny robot finds a flower, and keeps it", 15, 7)


def test_pasted_ideas_may_name_bundled_music_but_not_server_files(tmp_path, monkeypatch):
    from pipelines.batch import BatchStatus, run_batch_text

    secret = tmp_path / "someone_elses.wav"
    secret.write_bytes(b"RIFF")
    text = f"idea,music\nA kite over the sea,{secret}\n"
    calls = []
    monkeypatch.setattr("pipelines.make.make_short", lambda *a, **k: calls.append(a))
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    result = run_batch_text(text, tmp_path / "out", Services(settings))
    (item,) = result.items
    assert item.status is BatchStatus.FAILED and "is not a bundled track" in item.error and not calls
