"""What is still English in a text a Chinese page shows: the check of 'the page reads in Chinese'.

Names stay as they are in Chinese too (model ids, licences, products, platforms, settings, commands, file names,
units), so they are left out first; a line with English words left after that is untranslated.
"""

from __future__ import annotations

import re

_NAMES = re.compile(
    r"""
    [\w.+-]+/[\w./+-]+                       # model ids, paths and URLs: Qwen/Qwen2.5-1.5B-Instruct
    | \b\d[\w.+-]*                           # versions and ids: 2.13.0+cpu, 4B
    | `[^`]*`                                # code: `python -m studio models download ...`
    | '[^'\n]*'                               # a value quoted: 'push_in'
    | \bpip\ install\ \S+                    # an install line: pip install ".[gpu]"
    | \bpython\ -m\ studio\ [^\n；，。（）]*     # a command shown as code (the page drops the backticks)
    | --[\w-]+                               # command-line flags: --voiceover
    | \b[\w-]+(?:\.[\w-]+)+\b | \.[a-z0-9]{2,6}\b   # file names and their parts: short.cover.jpg, .srt
    | \b[A-Za-z]+[-.]\d[\w.-]*               # versioned names: Apache-2.0, CC-BY-4.0, FLUX.2-klein
    | \b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b         # a project's id (hex)
    | \b[A-Z]\w*-[A-Z]\w*\b                 # hyphenated product names: SD-Turbo, LTX-Video
    | (?:\b[A-Z][\w-]*\ )+Licen[cs]e\b       # licence names: LTXV Open Weights License
    | \b[A-Z][A-Z0-9_]+(?:\\_[A-Z0-9_]+)*\b  # settings and acronyms (Markdown may escape the _): STUDIO_VIDEO_BACKEND
    | \b[a-z]{2,3}\\?_[A-Z]{2}-[\w\\-]+      # Piper voice names (Markdown may escape the _): en_US-joe-medium
    | \bcmn-latn-pinyin\b                    # espeak-ng's Mandarin voice
    | \b(?:Wan|Qwen|Lightricks|OpenAI|Hugging\s?Face|Hub|Gradio|Ray|TikTok|Douyin|Reels|Shorts|Instagram
         |YouTube|Bilibili|Xiaohongshu|Chromium|Shotcut|Kdenlive|Resolve|Premiere|Final\s?Cut|CapCut|FFmpeg|ffmpeg
         |espeak-ng|faster-whisper|Whisper|Piper|Kokoro|NVIDIA|GeForce|torch|diffusers|transformers|Space|MoviePy
         |Pillow|fps|dB|KiB|MiB|GiB|ms|px|true|false|on|off|auto|manage|view|wan|ltx|still|template|local|openai
         |espeak|piper|flux2|flux|sd-turbo)\b
    """,
    re.VERBOSE,
)
_ENGLISH = re.compile(r"[A-Za-z]{3,}")
# Gradio's own transient queue line on a busy server (its front end has no Chinese for it; not the studio's text)
_GRADIO_OWN = re.compile(r"^In queue: \d+ of \d+$|^queue: \d+/\d+$")


def zh_untranslated(text: str) -> list[str]:
    """The lines of ``text`` that still have English words once names are left out."""
    return [line for line in text.splitlines() if _ENGLISH.search(_NAMES.sub(" ", line))]


def page_untranslated(page, allowed: list[str] = ()) -> list[str]:
    """What a Chinese page still shows in English: its visible text and the values of its text boxes, less the
    Chinese table's own lines (their English is deliberate: examples of effects, names) and the ``allowed`` texts
    (the user's own: ideas, captions, file names). A line cut short on the page ("…") matches its beginning."""
    from ui.i18n import ZH

    known = [*(v for v in ZH.values() if _ENGLISH.search(v)), *allowed]
    values = page.eval_on_selector_all("textarea, input[type=text]", "els => els.map(e => e.value)")
    lines = [line.strip() for text in (page.inner_text("body"), *values) for line in text.splitlines()]

    def is_known(line: str) -> bool:
        stem = line.rstrip("…").strip()
        return any(stem in text for text in known)

    return [line for line in dict.fromkeys(zh_untranslated("\n".join(lines)))
            if not is_known(line) and not _GRADIO_OWN.match(line)]
