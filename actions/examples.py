"""What a first visit can try before any model is on the machine: example ideas in Chinese and English, and the
sample project (pictures drawn by ``scripts/make_sample.py``, CC0) that shows what a finished clip looks like."""

from __future__ import annotations

import uuid
from pathlib import Path

from pipelines.services import Services
from studio.assets import asset_path
from studio.project.files import load_project
from studio.project.model import Language, Project

# (idea, seconds, platform preset, style, caption language): what the Idea tab's fields are filled with.
EXAMPLE_IDEAS: tuple[tuple[str, int, str, str, str], ...] = (
    ("周末带狗狗去海边玩，它第一次看到大海，先是害怕，后来开心地追浪花", 30, "douyin", "vlog", "zh"),
    ("一只橘猫在上海开了一家小咖啡店，每天只卖三杯咖啡", 30, "xiaohongshu", "3d_cartoon", "zh"),
    ("清晨六点，城市慢慢醒来。街角的早餐店第一个亮灯。老板娘已经在揉面了。", 45, "douyin", "documentary", "zh"),
    ("A tiny robot finds the last living flower in a dusty city and protects it from a storm", 30, "tiktok",
     "cinematic", "en"),
    ("Three ways to make cold brew at home, ranked from lazy to perfect", 30, "reels", "product_ad", "en"),
    ("A day in the life of a lighthouse keeper, told by the lighthouse", 45, "shorts", "watercolor", "en"),
)


def open_sample(services: Services, language: Language | str) -> tuple[Project, Path]:
    """The sample project in ``language`` (Chinese, else English) and the folder its media is in; it gets a fresh
    id each time, so opening it again never overwrites a copy the user has edited."""
    name = "zh" if Language(language) is Language.ZH else "en"
    project, root = load_project(asset_path("sample", f"sample.{name}.json"), settings=services.settings)
    return project.model_copy(update={"id": uuid.uuid4().hex}), root
