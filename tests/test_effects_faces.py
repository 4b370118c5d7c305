"""Effects, transitions and looks at every face: the command line (``compose --transition --look --effect``,
``render`` of a project with per-shot effects, ``effects``), the API (``compose_media``'s new optional inputs) and the
editor's pickers (the Storyboard and Finish tabs' pure functions); bad input is one sentence at each."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from studio.compose.looks import identity_lut, write_cube
from studio.errors import ProjectValidationError
from studio.project.effects import Look, MultiplySpeed, TimeMirror, parse_effects
from studio.project.model import Project, Shot
from tests.helpers.media import make_clip, make_image


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fx-media")
    return {"a": make_image(folder / "a.png", (360, 640), (200, 60, 40), "gradient"),
            "b": make_image(folder / "b.png", (360, 640), (30, 90, 200), "checker"),
            "clip": make_clip(folder / "clip.mp4", seconds=2.0, size=(320, 240), fps=25),
            "cube": write_cube(folder / "mine.cube", identity_lut(5))}


@pytest.fixture()
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


# -- the command line -------------------------------------------------------------------------------------------

def test_compose_takes_a_transition_a_look_and_effects(env, media, capsys):
    out = env / "fx.mp4"
    code = main(["compose", "--shot", str(media["a"]), "--shot", str(media["b"]), "--shot-seconds", "1",
                 "--preset", "draft", "--transition", "whip_left", "--transition-seconds", "0.4",
                 "--look", "teal_orange", "--effect", "GammaCorrection(0.9)", "--effect", "MirrorX", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    project = json.loads((env / "fx.project.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in project["effects"]] == ["Look", "GammaCorrection", "MirrorX"]
    assert project["storyboard"]["shots"][1]["transition"] == "whip_left"
    assert project["storyboard"]["shots"][1]["transition_ms"] == 400
    assert project["schema_version"] == 2


def test_compose_takes_your_own_cube_file_and_saves_it_with_the_project(env, media, capsys):
    assert main(["compose", "--shot", str(media["a"]), "--shot-seconds", "0.5", "--preset", "draft",
                 "--look", str(media["cube"]), "-o", str(env / "own.mp4")]) == 0, capsys.readouterr().err
    look = json.loads((env / "own.project.json").read_text(encoding="utf-8"))["effects"][0]
    assert look["file"].startswith("own.project.media/") and (env / look["file"]).is_file()


@pytest.mark.parametrize(("args", "needle"), [
    (["--effect", "FadeIn(1)"], "FadeIn works on one shot; the clip-wide effects are looks and colour effects"),
    (["--effect", "Blurry(3)"], "unknown effect 'Blurry'"),
    (["--effect", "GammaCorrection(gamma='x')"], "GammaCorrection gamma must be a number, not 'x'"),
    (["--look", "sepia"], "no bundled look is called 'sepia'"),
    (["--transition", "crossfade", "--transition-seconds", "0.9"], "shot 2: its 0.9 s crossfade transition is "
                                                                  "longer than shot 1 (0.5 s)"),
    (["--transition-seconds", "7"], "the transition length must be 0 to 3 s, not 7"),
])
def test_bad_effects_on_the_command_line_are_one_line(env, media, capsys, args, needle):
    out = env / "out"
    out.mkdir()
    code = main(["compose", "--shot", str(media["a"]), "--shot", str(media["b"]), "--shot-seconds", "0.5",
                 "--preset", "draft", *args, "-o", str(out / "x.mp4")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("error: ") and needle in err, err
    assert list(out.iterdir()) == []


def test_a_corrupt_cube_file_on_the_command_line_is_one_line(env, media, capsys):
    bad = env / "bad.cube"
    bad.write_text("LUT_3D_SIZE 4\n0 0 0\n", encoding="utf-8")
    code = main(["compose", "--shot", str(media["a"]), "--shot-seconds", "0.5", "--preset", "draft", "--look",
                 str(bad), "-o", str(env / "x.mp4")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "shot 1: bad.cube has 1 colour rows; a 4-point LUT has 64" in err, err


def test_render_takes_per_shot_effects_from_the_project_file(env, media, capsys):
    project = Project(preset="draft").with_shots([
        Shot(media=str(media["clip"]), duration_ms=800, effects=[{"name": "MultiplySpeed", "factor": 2},
                                                                  {"name": "TimeMirror"}]),
        Shot(media=str(media["a"]), duration_ms=1000, transition="slide_up", transition_ms=300,
             effects=[{"name": "Painting"}, {"name": "FadeOut", "duration": 0.4}, {"name": "InvertColors"}]),
        Shot(media=str(media["b"]), duration_ms=800, transition="flash", effects=[{"name": "Rotate", "angle": 8}]),
    ])
    from studio.project.files import save_project

    path = env / "p.project.json"
    save_project(project, path)
    assert main(["render", str(path), "--video-backend", "still", "-o", str(env / "r.mp4")]) == 0
    out, err = capsys.readouterr()
    assert "slow path" in err  # Rotate ran through MoviePy itself, and the render says so
    assert (env / "r.mp4").stat().st_size > 0


def test_the_effects_command_lists_effects_transitions_and_looks(capsys):
    assert main(["effects"]) == 0
    out = capsys.readouterr().out
    assert "MultiplySpeed(factor=None, final_duration=None)" in out and "slide_left" in out
    assert "teal_orange" in out and "Rotate" in out and "slow path" in out


# -- the API -----------------------------------------------------------------------------------------------------

def test_compose_media_takes_transition_look_and_effects_and_refuses_a_path(studio_app, media):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    client = Client(studio_app.url, verbose=False, download_files=str(studio_app.settings.data_dir / "fx-dl"))
    files = [handle_file(str(media["a"])), handle_file(str(media["b"]))]
    video, out_files, status = client.predict(
        media=files, preset="draft", shot_seconds=1, transition="zoom_in", transition_seconds=0.4,
        look="warm_film", effects="LumContrast(lum=10)", api_name="/compose_media")
    saved = json.loads(Path(next(f for f in out_files if f.endswith(".project.json"))).read_text(encoding="utf-8"))
    assert [e["name"] for e in saved["effects"]] == ["Look", "LumContrast"]
    assert saved["storyboard"]["shots"][1]["transition"] == "zoom_in" and "Done:" in status
    _, out_files, _ = client.predict(media=files, preset="draft", shot_seconds=1, look_file=handle_file(
        str(media["cube"])), api_name="/compose_media")
    saved = json.loads(Path(next(f for f in out_files if f.endswith(".project.json"))).read_text(encoding="utf-8"))
    assert saved["effects"][0]["file"].endswith(".cube")
    for effects, needle in (("Look(file='/etc/passwd.cube')", "a look file cannot be named here"),
                            ("MultiplySpeed(1000)", "MultiplySpeed factor must be between 0.1 and 10, not 1000")):
        with pytest.raises(AppError) as raised:
            client.predict(media=files, preset="draft", effects=effects, api_name="/compose_media")
        assert needle in str(raised.value), str(raised.value)
    with pytest.raises(AppError, match="no bundled look is called 'x.cube'"):  # paths never reach a visitor
        client.predict(media=files, preset="draft", look="/etc/x.cube", api_name="/compose_media")


# -- the editor's pickers ------------------------------------------------------------------------------------------

def test_the_pickers_own_the_tail_and_save_back_unchanged():
    from ui.effects import OWN_LOOK, effect_controls, effects_from_controls

    effects = parse_effects([{"name": "FadeIn", "duration": 0.5}, {"name": "Look", "look": "cool_night"},
                             {"name": "MultiplySpeed", "factor": 1.5}, {"name": "TimeMirror"}])
    text, look, speed, reverse = effect_controls(effects)
    assert (text, look, speed, reverse) == ("FadeIn(duration=0.5)", "cool_night", 1.5, True)
    assert effects_from_controls(text, look, speed, reverse, None, effects) == effects
    odd = parse_effects([{"name": "MultiplySpeed", "factor": 2}, {"name": "FadeIn", "duration": 0.5}])
    assert effect_controls(odd)[2] == 1.0  # a speed before a fade stays in the text: moving it would change the fade
    assert effects_from_controls(*effect_controls(odd), None, odd) == odd
    own = (Look(file="shots/mine.cube"),)
    assert effect_controls(own)[1] == OWN_LOOK
    assert effects_from_controls("", OWN_LOOK, 1, False, None, own) == own
    assert effects_from_controls("", "", 0.5, False, "/tmp/upload/x.cube", ()) == (
        Look(file="/tmp/upload/x.cube"), MultiplySpeed(factor=0.5))
    assert effects_from_controls("", "", 1, True, None, ()) == (TimeMirror(),)
    with pytest.raises(ProjectValidationError, match="a look file cannot be named here"):
        effects_from_controls("Look(file='/etc/x.cube')", "", 1, False, None, own)
    with pytest.raises(ProjectValidationError, match="upload a .cube file"):
        effects_from_controls("", OWN_LOOK, 1, False, None, ())
    with pytest.raises(ProjectValidationError, match="FadeIn works on one shot"):
        effects_from_controls("FadeIn(1)", "", None, False, None, (), clip_wide=True)


def test_the_storyboard_saves_effects_speed_and_transition_length(media):
    from ui.effects import effects_from_controls
    from ui.storyboard import cut_time_ms, update_shot

    project = Project(preset="draft").with_shots([Shot(media=str(media["a"]), duration_ms=2000),
                                                  Shot(media=str(media["b"]), duration_ms=2000)])
    second = project.shots[1].id
    effects = effects_from_controls("BlackAndWhite()", "vivid_pop", 2, False, None, ())
    edited = update_shot(project, second, effects=effects, transition="slide_left", transition_ms=600,
                         speed_audio="mute")
    shot = edited.shots[1]
    assert [e.name for e in shot.effects] == ["BlackAndWhite", "Look", "MultiplySpeed"]
    assert shot.speed_audio.value == "mute" and shot.transition_ms == 600
    assert cut_time_ms(edited, second) == (1700, 2400)  # the slide's middle; the shot's middle
    with pytest.raises(ProjectValidationError, match="shot 2 effects: MultiplySpeed factor must be between"):
        update_shot(project, second, effects=[{"name": "MultiplySpeed", "factor": 1000}])


def test_the_finish_tab_sets_the_clip_wide_look_and_its_preview_shows_it(media, tmp_path):
    from studio.settings import Settings
    from ui.effects import effects_from_controls
    from ui.finish import finish_project, preview_frame

    project = Project(preset="draft").with_shots([Shot(media=str(media["a"]), duration_ms=1000,
                                                       camera_move="none")])
    plain = dict(style="", music_library=None, music_file=None, beat_sync=False, visible_label=False, hook="",
                 cover_s=0.5)
    graded = finish_project(project, **plain, effects=effects_from_controls("", "mono_noir", None, False, None, (),
                                                                            clip_wide=True))
    assert graded.effects == (Look(look="mono_noir"),)
    assert finish_project(graded, **plain).effects == graded.effects  # unchanged when the tab gives none
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)})
    before = np.asarray(preview_frame(finish_project(project, **plain), None, settings, 0.5), dtype=np.int16)
    after = np.asarray(preview_frame(graded, None, settings, 0.5), dtype=np.int16)
    assert before.std(axis=2).mean() > 20 and after.std(axis=2).max() <= 2  # colour in, black and white out


def test_a_preview_clip_around_a_transition(media, tmp_path):
    from studio.compose.preview import preview_clip
    from studio.settings import Settings

    project = Project(preset="douyin").with_shots([Shot(media=str(media["a"]), duration_ms=1500),
                                                   Shot(media=str(media["b"]), duration_ms=1500,
                                                        transition="whip_right", transition_ms=500)])
    out = preview_clip(project, Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "d")}), None,
                       tmp_path / "p" / "preview.mp4", around_ms=1250)
    import subprocess

    info = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                                      "-show_format", str(out)], capture_output=True, check=True).stdout)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (540, 960) and abs(float(info["format"]["duration"]) - 1.6) < 0.1
    assert "AIGC" in info["format"]["tags"] and list((tmp_path / "p").iterdir()) == [out]
