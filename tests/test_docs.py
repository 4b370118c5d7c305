"""Documentation that must not drift: every setting is in the README, and so is every preset."""

from __future__ import annotations

import re
from pathlib import Path

from studio.project.presets import PresetName
from studio.settings import SETTINGS, settings_table

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_settings_table_is_the_one_the_declarations_make():
    """Every setting is declared once (studio/settings.py); the README's table is that declaration: the same
    variables, defaults and help, no more and no fewer."""
    readme = {row.split(" | ")[0]: row for row in README.splitlines() if row.startswith("| `STUDIO_")}
    made = {row.split(" | ")[0]: row for row in settings_table()}
    assert readme.keys() == made.keys(), f"only in README: {readme.keys() - made.keys()}; " \
                                         f"only in code: {made.keys() - readme.keys()}"
    differ = [f"README: {readme[k]}\ncode:   {made[k]}" for k in made if readme[k] != made[k]]
    assert not differ, "\n".join(differ)


def test_the_readme_licence_table_agrees_with_the_models_the_studio_knows():
    """The licences the Shots tab shows (studio/models.py) are the ones the README states, with their sources."""
    from studio.models import KNOWN_MODELS, Commercial

    rows = {row.split(" | ")[0].strip("| `"): row for row in README.splitlines() if row.startswith("| `") and
            "/" in row.split(" | ")[0]}
    for model in KNOWN_MODELS.values():
        row = rows.get(model.id)
        assert row is not None, f"{model.id} is missing from the README's licence table"
        assert model.licence in row, (model.id, model.licence)
        assert ("non-commercial" in row.lower()) == (model.commercial is Commercial.NO), model.id
        assert ("commercial use" in row.lower()) == (model.commercial is not Commercial.YES), model.id
    defaults = {spec.default for spec in SETTINGS if spec.env.endswith("_MODEL")} - {None}
    assert defaults <= KNOWN_MODELS.keys(), f"default models without known terms: {defaults - KNOWN_MODELS.keys()}"


def test_every_preset_is_documented_in_the_readme():
    missing = [p.value for p in PresetName if f"| {p.value} |" not in README]
    assert not missing, f"presets missing from README.md: {missing}"


def test_readme_names_the_two_commands():
    assert "./scripts/studio.sh" in README and "./scripts/test.sh" in README


def test_settings_come_only_from_the_mapping_given(monkeypatch):
    from studio.settings import Settings

    monkeypatch.setenv("XDG_DATA_HOME", "/from/the/real/environment")
    assert Settings.from_env({"XDG_DATA_HOME": "/given"}).data_dir.as_posix() == "/given/shortstudio"


def _front_matter() -> dict:
    import yaml  # PyYAML: a dependency of accelerate, transformers and huggingface_hub

    head, sep, _ = README.removeprefix("---\n").partition("\n---\n")
    assert README.startswith("---\n") and sep, "README.md must open with a --- YAML front matter block"
    return yaml.safe_load(head)


def test_the_space_front_matter_matches_the_code():
    """A Gradio Space reads the README's front matter: it must parse and name what this repository pins."""
    root = Path(__file__).resolve().parent.parent
    meta = _front_matter()
    pinned = re.search(r"^gradio(\[[\w,]+\])?==(\S+)", (root / "requirements.txt").read_text(), re.M).group(2)
    assert meta["sdk"] == "gradio" and str(meta["sdk_version"]) == pinned
    assert (root / meta["app_file"]).is_file() and meta["python_version"] == "3.11"
    assert {"title", "emoji", "colorFrom", "colorTo", "short_description", "tags"} <= meta.keys()
    assert len(meta["short_description"]) <= 60  # the Hub cuts longer ones
    defaults = {spec.env: spec.default for spec in SETTINGS}
    assert meta["models"] == [defaults[name] for name in ("STUDIO_SCRIPT_MODEL", "STUDIO_LTX_MODEL",
                                                          "STUDIO_WAN_MODEL", "STUDIO_WAN_BRIDGE_MODEL")]
    packages = (root / "packages.txt").read_text().split()
    assert {"ffmpeg", "fonts-noto-cjk", "fonts-noto-color-emoji"} <= set(packages)
    # a Space installs torch and xgrammar from pre-requirements.txt: the same pins as scripts/setup.sh uses
    pre = (root / "pre-requirements.txt").read_text()
    assert "torch==2.13.0" in pre and "pip_install torch==2.13.0" in (root / "scripts" / "setup.sh").read_text()
    xgrammar = next(line for line in (root / "requirements-nodeps.txt").read_text().splitlines()
                    if line.startswith("xgrammar=="))
    assert xgrammar in pre.splitlines()
