"""Documentation that must not drift: every setting is in the README, and so is every preset."""

from __future__ import annotations

from pathlib import Path

from studio.presets import PresetName
from studio.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    missing = [spec.env for spec in SETTINGS if f"| `{spec.env}` |" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_preset_is_documented_in_the_readme():
    missing = [p.value for p in PresetName if f"| {p.value} |" not in README]
    assert not missing, f"presets missing from README.md: {missing}"


def test_readme_names_the_two_commands():
    assert "./scripts/studio.sh" in README and "./scripts/test.sh" in README


def test_settings_come_only_from_the_mapping_given(monkeypatch):
    from studio.settings import Settings

    monkeypatch.setenv("XDG_DATA_HOME", "/from/the/real/environment")
    assert Settings.from_env({"XDG_DATA_HOME": "/given"}).data_dir.as_posix() == "/given/shortstudio"
