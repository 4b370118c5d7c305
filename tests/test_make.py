"""``make``: one idea to a postable clip with the template writer and the still draft backend (no network,
no model), judged by ffprobe and the saved project; bad input and a cancel leave nothing half-written."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from cli.main import main
from pipelines.make import MakeOptions, MakeProgress, MakeStage, make_short
from pipelines.script.contract import ScriptRequest
from pipelines.services import Services
from pipelines.shots import VideoOptions
from studio.errors import RenderCancelled
from studio.project.files import load_project
from studio.project.model import ShotStatus
from studio.project.presets import PresetName
from studio.project.timeline import build_timeline
from studio.settings import Settings
from tests.helpers.media import make_tone

DRAFT = ("--preset", "draft", "--seconds", "15", "--backend", "template", "--video-backend", "still")
pytestmark = pytest.mark.usefixtures("offline_env")  # tests/conftest.py, on this module's data_dir


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("make-data")  # one shot cache for the module, as on a user's machine


def _make(capsys, out: Path, idea: str, *flags: str) -> tuple[int, str, str]:
    code = main(["make", idea, *flags, "-o", str(out)])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


def _probe(video: Path) -> tuple[dict[str, dict], float]:
    info = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                                      "-show_streams", str(video)], capture_output=True, check=True).stdout)
    return {s["codec_type"]: s for s in info["streams"]}, float(info["format"]["duration"])


def _assert_rendered_project(out: Path) -> None:
    project, root = load_project(out.with_name(f"{out.stem}.project.json"))
    assert project.shots and project.preset is PresetName.DRAFT
    for shot in project.shots:
        assert shot.status is ShotStatus.RENDERED and shot.media and shot.seed is not None
        assert shot.media.startswith(f"{out.stem}.project.media/shots/") and (root / shot.media).is_file()
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")], "temporary files were left"


@pytest.mark.parametrize("idea, han", [("A tiny robot finds one living flower and protects it from a storm", False),
                                       ("一只橘猫在海边学冲浪，第一次就站上了浪尖", True)])
def test_an_idea_becomes_a_postable_draft_clip(capsys, tmp_path, idea, han):
    out = tmp_path / "short.mp4"
    code, stdout, stderr = _make(capsys, out, idea, *DRAFT, "--seed", "3")
    assert code == 0, stderr
    streams, duration = _probe(out)
    video = streams["video"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 540, 960)
    assert "audio" in streams and abs(duration - 15) <= 0.5
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    assert bool(re.search(r"[\u4e00-\u9fff]", srt)) == han
    _assert_rendered_project(out)
    stages = [line for line in stderr.splitlines() if re.match(r"\d/5 ", line)]
    assert [s.split(":")[0] for s in stages] == ["1/5 script", "2/5 project", "3/5 narration", "4/5 shots",
                                                 "5/5 compose"]
    assert "backend template" in stages[0] and "draft: still-image motion" in stages[3]
    assert f"wrote {out}" in stdout and "script: backend template" in stdout
    assert re.search(r"shots: \d+ generated, 0 from the cache \(draft: still-image motion\)", stdout)


def test_bundled_music_with_beat_sync(capsys, tmp_path):
    out = tmp_path / "beat.mp4"
    code, stdout, stderr = _make(capsys, out, "Morning coffee in a quiet city", *DRAFT, "--music", "sunny_pop",
                                 "--beat-sync", "--caption-style", "bold_stroke", "--no-visible-label")
    assert code == 0, stderr
    assert "beat sync: 112 BPM" in stdout
    streams, duration = _probe(out)
    assert "audio" in streams and abs(duration - 15) <= 1.0
    project, _ = load_project(out.with_name("beat.project.json"))
    assert project.music.library == "sunny_pop" and project.music.beat_sync and not project.label.visible
    # the project file is the one the MP4 was rendered from: the beat-snapped cuts, not the script's
    assert abs(build_timeline(project).duration_ms - duration * 1000) <= 40
    _assert_rendered_project(out)


def _settings(data_dir: Path, tmp_path: Path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(data_dir), "STUDIO_SCRIPT_MODEL": str(tmp_path / "none")})


def _request(seed: int) -> ScriptRequest:
    return ScriptRequest(idea="A paper boat sails down a rainy street", seconds=15, preset=PresetName.DRAFT,
                         seed=seed)


def test_making_again_with_the_same_seed_reuses_every_shot(tmp_path, data_dir):
    settings, video = _settings(data_dir, tmp_path), VideoOptions(backend="still")
    options = MakeOptions(script_backend="template", stop_after=MakeStage.SHOTS)
    first = make_short(_request(41), tmp_path / "a.mp4", video, Services(settings), options=options)
    again = make_short(_request(41), tmp_path / "b.mp4", video, Services(settings), options=options)
    other = make_short(_request(42), tmp_path / "c.mp4", video, Services(settings), options=options)
    count = len(first.project.shots)
    assert first.shots.draft and (len(first.shots.generated), len(first.shots.cached)) == (count, 0)
    assert (len(again.shots.generated), len(again.shots.cached)) == (0, count)
    assert (len(other.shots.generated), len(other.shots.cached)) == (count, 0)  # the seed is in the cache key
    assert again.stage is MakeStage.SHOTS and not (tmp_path / "b.mp4").exists()
    assert load_project(again.paths.project_file)[0] == again.project


def test_the_storyboard_is_saved_before_shots_and_a_cancel_keeps_it(tmp_path, data_dir):
    stages: list[MakeStage] = []

    def cancel() -> bool:
        return MakeStage.PROJECT in stages  # the user presses stop once the project is saved

    with pytest.raises(RenderCancelled, match="project so far is in"):
        make_short(_request(5), tmp_path / "stop.mp4", VideoOptions(backend="still"),
                   Services(_settings(data_dir, tmp_path)), options=MakeOptions(script_backend="template"),
                   cancel=cancel,
                   progress=MakeProgress(stage=lambda result: stages.append(result.stage)))
    project, _ = load_project(tmp_path / "stop.project.json")
    assert stages == [MakeStage.SCRIPT, MakeStage.PROJECT]
    assert project.shots and all(s.media is None and s.seed is not None for s in project.shots)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stop.project.json"]  # no MP4, no shots folder


def test_a_music_file_is_linked_beside_the_project(tmp_path, data_dir):
    song = make_tone(tmp_path / "elsewhere" / "song.wav", seconds=1.5)
    result = make_short(_request(7), tmp_path / "out" / "tune.mp4", VideoOptions(backend="still"),
                        Services(_settings(data_dir, tmp_path)),
                        options=MakeOptions(script_backend="template", music=song, stop_after=MakeStage.PROJECT))
    project, root = load_project(result.paths.project_file)
    assert project.music.path.startswith("tune.project.media/") and (root / project.music.path).is_file()


def test_ctrl_c_during_shots_says_how_to_finish(capsys, tmp_path, monkeypatch):
    import pipelines.shots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipelines.shots, "render_shots", interrupted)
    out = tmp_path / "ctrl.mp4"
    code, _, stderr = _make(capsys, out, "A kite over the sea", *DRAFT)
    last = stderr.strip().splitlines()[-1]
    assert code == 130 and last.startswith("error: cancelled;") and "studio render" in last
    assert "--video-backend still" in last  # the resume renders with the same backend, so the cache hits
    # the storyboard and its narration (kept for the resume), no shots
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctrl.project.json", "ctrl.project.media"]
    assert [p.name for p in (tmp_path / "ctrl.project.media").iterdir()] == ["voice"]


@pytest.mark.parametrize("idea, flags, needle", [
    ("", (), "the idea is empty"),
    ("A cat surfs", ("--seconds", "5"), "length 5 s is out of range"),
    ("A cat surfs", ("--music", "no_such_track"), "neither a file nor a bundled track"),
    ("A cat surfs", ("--beat-sync",), "beat sync needs music"),
    ("A cat surfs", ("--caption-style", "comic_sans"), "unknown caption style 'comic_sans'"),
    ("A cat surfs", ("--frames", "0"), "--frames must be a positive number"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, data_dir, idea, flags, needle):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cache_before = sorted(data_dir.rglob("*"))
    code, stdout, stderr = _make(capsys, out_dir / "bad.mp4", idea, *DRAFT, *flags)
    lines = stderr.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], stderr
    assert list(out_dir.iterdir()) == [] and sorted(data_dir.rglob("*")) == cache_before and not stdout


def test_output_must_be_an_mp4(capsys, tmp_path):
    code, _, stderr = _make(capsys, tmp_path / "clip.mov", "A cat surfs", *DRAFT)
    assert code == 2 and "must end in .mp4" in stderr and list(tmp_path.iterdir()) == []
