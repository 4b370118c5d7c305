"""The offline template writer and the contract every backend shares: pacing, limits, sanitising, planning."""

from __future__ import annotations

import re

import pytest

from pipelines.script.contract import ScriptRequest
from pipelines.script.prompts import STYLE_LOOKS, ScriptStyle
from pipelines.script.storyboard import Sanitizer, caption_limit, fit_durations, plan_shots
from pipelines.script.template import split_sentences
from pipelines.script.writers import ScriptWriters, choose_backend
from studio.backends import ScriptBackendName
from studio.errors import ScriptInputError
from studio.project.model import CameraMove, Language, Project, Transition
from studio.project.presets import PresetName
from studio.project.timeline import build_timeline
from studio.settings import Settings

HAN = re.compile(r"[\u4e00-\u9fff]")
IDEAS = {
    "zh_short": "一只橘猫在海边学冲浪",
    "zh_long": "清晨六点，城市慢慢醒来。街角的早餐店第一个亮灯。老板娘已经在揉面了！她做了三十年的包子；"
               "每天只卖三百个。卖完就关门，谁来都不多做。这是她对味道的坚持。",
    "en_short": "A cat learns to surf at sunrise",
    "en_long": "A tiny robot wakes up in an abandoned greenhouse. It finds one living flower. It decides to protect "
               "it. Storms come, and it shields the flower with its own body. Spring arrives, and the greenhouse "
               "is full of flowers again.",
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    # no local weights (the model is a folder that does not exist) and no endpoint: auto means template
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data")),
                              "STUDIO_SCRIPT_MODEL": str(tmp_path_factory.mktemp("empty") / "no-model")})


@pytest.mark.parametrize("key", list(IDEAS))
@pytest.mark.parametrize("seconds, preset", [(15, PresetName.DOUYIN), (30, PresetName.SHORTS),
                                             (60, PresetName.REELS), (90, PresetName.DRAFT)])
def test_template_storyboard_fits_length_limits_and_language(settings, key, seconds, preset):
    request = ScriptRequest(idea=IDEAS[key], seconds=seconds, preset=preset)
    result = ScriptWriters(settings).write(request)
    board = result.storyboard
    assert result.backend_used is ScriptBackendName.TEMPLATE
    assert build_timeline(Project(storyboard=board, preset=preset)).duration_ms == seconds * 1000
    assert all(request.min_shot_ms <= s.duration_ms <= request.max_shot_ms for s in board.shots)
    plan = plan_shots(request)
    assert plan.fewest_shots <= len(board.shots) <= plan.shots  # fewer shots rather than wordless ones
    zh = key.startswith("zh")
    limit = caption_limit(preset, Language.ZH if zh else Language.EN)
    assert all(s.caption and len(s.caption) <= limit for s in board.shots), "every shot has a caption"
    assert board.shots[0].transition is Transition.CUT and board.shots[0].caption
    assert all(isinstance(s.camera_move, CameraMove) and s.camera_move is not CameraMove.AUTO for s in board.shots)
    assert all(STYLE_LOOKS[ScriptStyle.CINEMATIC] in s.visual_prompt for s in board.shots)
    assert board.title and board.hook and board.bible.look and board.bible.characters and board.hashtags
    spoken = "".join(s.voiceover for s in board.shots)
    assert bool(HAN.search(spoken)) == zh
    assert len({s.id for s in board.shots}) == len(board.shots)


@pytest.mark.parametrize("idea", ["周末带狗狗去海边玩，它第一次看到大海，先是害怕，后来开心地追浪花",
                                  "A cat learns to surf", "一只橘猫在海边学冲浪"])
def test_short_ideas_give_every_shot_words_and_hashtags_are_whole_words(settings, idea):
    board = ScriptWriters(settings).write(ScriptRequest(idea=idea, seconds=30)).storyboard
    assert all(s.caption for s in board.shots), [s.caption for s in board.shots]
    assert "".join(s.voiceover for s in board.shots).replace(" ", "") == idea.replace(" ", "")  # all of it, once
    assert not any(s.caption in ("Follow for more.", "关注我，看下一集") for s in board.shots)
    if HAN.search(idea):
        from studio.text.segment import words

        vocabulary = set(words(idea))
        topic = [t for t in board.hashtags if HAN.search(t) and t not in ("电影感", "AI短片")]
        assert topic and all(t in vocabulary for t in topic), board.hashtags  # 狗狗, not 周末带狗狗去海边玩它


@pytest.mark.parametrize(("idea", "seconds"), [("一只猫在上海开了一家小咖啡店", 15),
                                             ("A lighthouse keeper's last night before the light goes automatic", 20)])
def test_a_one_sentence_idea_splits_between_phrases(settings, idea, seconds):
    """Shots narrate their piece aloud: no piece starts with a particle that closes the one before (了一家…), none
    ends with a word that opens the next (…before the)."""
    board = ScriptWriters(settings).write(ScriptRequest(idea=idea, seconds=seconds)).storyboard
    pieces = [s.voiceover for s in board.shots]
    assert len(pieces) > 1 and "".join(pieces).replace(" ", "") == idea.replace(" ", "")
    for piece in pieces:
        assert piece[0] not in "了的地得着过", pieces
        assert piece.split()[-1].lower() not in ("the", "a", "before", "of"), pieces


def test_long_ideas_keep_every_sentence_in_order_in_the_voiceover(settings):
    board = ScriptWriters(settings).write(ScriptRequest(idea=IDEAS["zh_long"], seconds=30)).storyboard
    assert "".join(s.voiceover for s in board.shots) == IDEAS["zh_long"]


def test_template_is_deterministic(settings):
    # its speed is bench/script.py's (a ratio against validating the storyboard's JSON, target < 50 ms)
    request = ScriptRequest(idea=IDEAS["en_long"], seconds=60, style=ScriptStyle.ANIME)
    first = ScriptWriters(settings).write(request).storyboard
    second = ScriptWriters(settings).write(request).storyboard
    assert first == second
    assert STYLE_LOOKS[ScriptStyle.ANIME] == first.bible.look


def test_user_script_is_split_into_shots_not_rewritten(settings):
    script = "第一句，猫看见了海。第二句，它跳上冲浪板！第三句，浪来了。第四句，它站住了。"
    result = ScriptWriters(settings).write(ScriptRequest(idea="猫学冲浪", script=script, seconds=20))
    board = result.storyboard
    assert len(board.shots) == 4
    assert [s.voiceover for s in board.shots] == split_sentences(script)


def test_reference_notes_become_the_bible_and_reach_every_prompt(settings):
    notes = "orange tabby cat with a white chest and a red collar"
    board = ScriptWriters(settings).write(
                             ScriptRequest(idea="A cat learns to surf", reference_notes=notes, seconds=15)).storyboard
    assert board.bible.characters[0].description == notes
    assert all(notes in s.visual_prompt for s in board.shots)


def test_english_voiceover_paces_the_shots(settings):
    # one long sentence and two short ones: the long one's shot must be the longest of the three spoken ones
    idea = ("Go. The old lighthouse keeper climbs the hundred and twelve steps every single night to light the lamp "
            "for ships that no longer come. Stop.")
    board = ScriptWriters(settings).write(ScriptRequest(idea=idea, seconds=15, shots=3)).storyboard
    durations = [s.duration_ms for s in board.shots]
    assert durations[1] == max(durations)


@pytest.mark.parametrize("kwargs, needle", [
    ({"idea": "x", "seconds": 10}, "length 10 s is out of range"),
    ({"idea": "x", "seconds": 91}, "length 91 s is out of range"),
    ({"idea": "   \x00 "}, "the idea is empty"),
    ({"idea": "x", "seconds": 30, "shots": 40}, "40 shots cannot make 30 s"),
    ({"idea": "x", "seconds": 30, "shots": 2}, "choose 4 to 20 shots"),
    ({"idea": "x", "style": "vaporwave"}, "vaporwave"),
    ({"idea": "x", "min_shot_ms": 5000, "max_shot_ms": 2000}, "5000-2000 ms are invalid"),
])
def test_bad_requests_are_refused_with_the_value(settings, kwargs, needle):
    with pytest.raises(ScriptInputError, match=re.escape(needle)):
        ScriptWriters(settings).write(ScriptRequest(**kwargs))


def test_fit_durations_meets_total_and_bounds():
    parts = fit_durations([1, 1, 10, 1], 20_000, 2000, 8000)
    assert sum(parts) == 20_000 and parts[2] == 8000 and all(2000 <= p <= 8000 for p in parts)
    assert fit_durations([0.001, 5, 5], 9000, 2000, 8000)[0] == 2000
    with pytest.raises(ValueError):
        fit_durations([1, 1], 20_000, 2000, 8000)


def test_caption_limits_follow_the_preset_and_language():
    assert caption_limit(PresetName.REELS, Language.ZH) > caption_limit(PresetName.SHORTS, Language.ZH)
    assert caption_limit(PresetName.DOUYIN, Language.EN) == 2 * caption_limit(PresetName.DOUYIN, Language.ZH)


@pytest.mark.parametrize("hostile, forbidden", [
    ("Look at /etc/passwd now", "/etc/passwd"),
    ("see ../../secrets/key.pem", "../"),
    ("set STUDIO_DATA_DIR=/tmp/evil please", "STUDIO_DATA_DIR"),
    ("visit https://evil.example/x?y=1", "evil.example"),
    ("run $(rm -rf ~) and `curl x`", "rm -rf"),
    ("<script>alert(1)</script>**bold**", "<"),
    ("C:\\Windows\\system32 is here", "Windows"),
    ("text\u202eevil\x07bell", "\u202e"),
])
def test_sanitizer_strips_paths_urls_settings_commands_and_markup(hostile, forbidden):
    clean = Sanitizer()
    out = clean(hostile, 200)
    assert forbidden not in out
    assert clean.removed == (0 if forbidden == "\u202e" else 1)


def test_sanitizer_keeps_ordinary_text():
    clean = Sanitizer()
    assert clean("50/50 odds, and/or 24/7: 猫/狗 都行！", 200) == "50/50 odds, and/or 24/7: 猫/狗 都行！"
    assert clean.removed == 0


def test_auto_never_picks_a_model_it_cannot_load_offline(settings, tmp_path):
    assert choose_backend(settings)[0] is ScriptBackendName.TEMPLATE
    with_url = Settings.from_env({"STUDIO_SCRIPT_MODEL": str(tmp_path / "none"), "STUDIO_LLM_URL": "http://x:1/v1"})
    assert choose_backend(with_url)[0] is ScriptBackendName.OPENAI
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    local = Settings.from_env({"STUDIO_SCRIPT_MODEL": str(folder), "STUDIO_LLM_URL": "http://x:1/v1"})
    assert choose_backend(local)[0] is ScriptBackendName.LOCAL
    # a hub id that is not in the (offline) cache is not "available"
    hub = Settings.from_env({"STUDIO_SCRIPT_MODEL": "nobody/not-a-cached-model-xyz"})
    assert choose_backend(hub)[0] is ScriptBackendName.TEMPLATE
    assert choose_backend(hub, "openai")[0] is ScriptBackendName.OPENAI


def test_api_key_setting_falls_back_and_stays_out_of_reprs():
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-secret-1"})
    assert settings.llm_api_key == "sk-secret-1" and "sk-secret-1" not in repr(settings)
    assert Settings.from_env({"OPENAI_API_KEY": "a", "STUDIO_LLM_API_KEY": "b"}).llm_api_key == "b"
