"""Platform presets: frame size, frame rate, the caption safe zone and the longest clip allowed.

Safe zones are the margins that a platform's own UI covers on a 1080x1920 phone screen (status and
search bar on top, the like/comment/share rail on the right, the account name and description at
the bottom). Captions, the hook title and the visible AI label are laid out inside what is left.
Margins are stored at the 1080x1920 reference and scaled to the preset's size. Sources are cited
beside each preset; where a platform publishes no figure, the comment says which figure stands in.
Encoder settings follow YouTube's recommended upload encoding (support.google.com/youtube/answer/1722171):
H.264 High, 4:2:0, closed GOP of half the frame rate, AAC-LC 48 kHz, moov atom first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

REFERENCE_WIDTH = 1080
REFERENCE_HEIGHT = 1920


class PresetName(StrEnum):
    DOUYIN = "douyin"
    TIKTOK = "tiktok"
    REELS = "reels"
    SHORTS = "shorts"
    XIAOHONGSHU = "xiaohongshu"
    BILIBILI = "bilibili"
    DRAFT = "draft"


@dataclass(frozen=True)
class SafeZone:
    """Margins in pixels at the 1080x1920 reference that the platform UI may cover."""

    top: int
    bottom: int
    left: int
    right: int

    def scaled(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the safe rectangle in a width x height frame."""
        sx, sy = width / REFERENCE_WIDTH, height / REFERENCE_HEIGHT
        return (
            round(self.left * sx),
            round(self.top * sy),
            width - round(self.right * sx),
            height - round(self.bottom * sy),
        )


@dataclass(frozen=True)
class EncoderSettings:
    """libx264 settings; CRF keeps quality constant, maxrate keeps uploads inside platform caps."""

    x264_preset: str
    crf: int
    maxrate_kbps: int
    audio_bitrate_kbps: int = 192


@dataclass(frozen=True)
class PlatformPreset:
    name: PresetName
    label: str
    width: int
    height: int
    fps: int
    max_duration_s: int
    safe_zone: SafeZone
    encoder: EncoderSettings
    # Loudness of the master. The four big platforms normalise playback near -14 LUFS (YouTube's
    # reference level; TikTok, Instagram and Douyin apply comparable normalisation), so mixing to
    # it keeps a clip from being turned down or up. True peak under -1 dBTP leaves room for the
    # platforms' own re-encode (AES TD1004 recommends -1 dBTP for lossy delivery).
    loudness_lufs: float = -14.0
    true_peak_dbtp: float = -1.0

    @property
    def safe_rect(self) -> tuple[int, int, int, int]:
        return self.safe_zone.scaled(self.width, self.height)

    @property
    def scale(self) -> float:
        """Size factor against the 1080-wide reference (caption sizes are given at the reference)."""
        return self.width / REFERENCE_WIDTH


_FINAL = EncoderSettings(x264_preset="medium", crf=20, maxrate_kbps=12_000)
_DRAFT = EncoderSettings(x264_preset="veryfast", crf=26, maxrate_kbps=3_000, audio_bitrate_kbps=128)

PRESETS: dict[PresetName, PlatformPreset] = {
    p.name: p
    for p in (
        # Douyin (抖音): no published safe-zone figure; its UI matches TikTok's, so TikTok's margins.
        # Longest upload 15 min (open.douyin.com, 抖音内容发布接入方案: 4 GB, 15 min).
        PlatformPreset(PresetName.DOUYIN, "Douyin 抖音", 1080, 1920, 30, 15 * 60,
                       SafeZone(top=130, bottom=460, left=60, right=160), _FINAL),
        # TikTok: no official numbers (it ships template files, ads.tiktok.com help); community
        # figures: top ~130, bottom 320-460, right 120-180, left ~60 -- we take the strict end.
        # In-app limit 10 min (uploads of up to 60 min exist but are not shorts).
        PlatformPreset(PresetName.TIKTOK, "TikTok", 1080, 1920, 30, 10 * 60,
                       SafeZone(top=130, bottom=460, left=60, right=160), _FINAL),
        # Instagram Reels: Meta's Reels guidance keeps 14 % top, 35 % bottom, 6 % each side free of
        # text (converted at 1080x1920). Reels up to 3 min since January 2025.
        PlatformPreset(PresetName.REELS, "Instagram Reels", 1080, 1920, 30, 3 * 60,
                       SafeZone(top=269, bottom=672, left=65, right=65), _FINAL),
        # YouTube Shorts: Google's vertical safe zone: top 288, bottom 672, left 48, right 192.
        # Shorts up to 3 min for uploads since 15 October 2024.
        PlatformPreset(PresetName.SHORTS, "YouTube Shorts", 1080, 1920, 30, 3 * 60,
                       SafeZone(top=288, bottom=672, left=48, right=192), _FINAL),
        # Xiaohongshu (小红书): no published figure or official length limit found; Douyin's margins
        # and its 15 min are assumptions, not sources.
        PlatformPreset(PresetName.XIAOHONGSHU, "Xiaohongshu 小红书", 1080, 1920, 30, 15 * 60,
                       SafeZone(top=130, bottom=460, left=60, right=160), _FINAL),
        # Bilibili vertical (竖屏): no published figure; Douyin's margins with a taller top for the
        # danmaku area (assumption). The open platform accepts videos under 5 h.
        PlatformPreset(PresetName.BILIBILI, "Bilibili 竖屏", 1080, 1920, 30, 5 * 60 * 60,
                       SafeZone(top=200, bottom=460, left=60, right=160), _FINAL),
        # Draft: a quarter of the pixels and a fast encoder, for previews. Its safe zone is the union
        # of the platforms': a caption that fits a draft fits on every platform (a final render then
        # places it by its own platform's zone, usually a little lower).
        PlatformPreset(PresetName.DRAFT, "Draft preview (540x960)", 540, 960, 30, 15 * 60,
                       SafeZone(top=288, bottom=672, left=65, right=192), _DRAFT),
    )
}


def get_preset(name: str | PresetName) -> PlatformPreset:
    from studio.errors import ProjectValidationError

    try:
        return PRESETS[PresetName(name)]
    except ValueError:
        known = ", ".join(p.value for p in PresetName)
        raise ProjectValidationError(f"unknown preset {name!r}; choose one of: {known}") from None
