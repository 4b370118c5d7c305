"""What a voice is given to say, and how the words it says map back to the words the user wrote.

Engines spell what they cannot read: espeak-ng reads "3" with odd, duplicated word events, "$5" as "dollar
five", a URL letter by letter and emoji as their Unicode names. So before synthesis a line becomes ``Spoken``:
pieces of (what was written, what is said), with numbers, dates, times, money, percentages and URLs read out in
the line's language and emoji dropped. Markup is never interpreted: no backend is handed SSML, and ``<``/``>``
are kept as plain text characters for the engine to read or skip.

Every backend reports its words as spans of the *said* text; ``caption_words`` folds them back onto the *written*
text, so a caption shows "1,250" (not "one thousand two hundred fifty") over the time those words were spoken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.voice.contract import WordTime
from studio.errors import VoiceError
from studio.project.model import Language

MAX_CHARS = 10_000  # one line of narration; longer text is a script, not a line
CHUNK_CHARS = 400  # what one synthesis call gets at most: long lines are split at sentences, then clauses
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
_PUNCT = "，。、,.!?;:！？；：…\"'“”‘’()（）[]【】《》<>「」-—~～ \t\n"

# -------------------------------------------------------------------------------------------- checking


def check_line(text: str, language: Language) -> tuple[str, Language]:
    """The line cleaned (control characters out, whitespace folded) and its language; VoiceError when it is
    empty, too long, or written in a language other than the one asked for."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text or ""))
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise VoiceError("the line to speak is empty; write what the voice should say")
    if len(cleaned) > MAX_CHARS:
        raise VoiceError(f"the line to speak has {len(cleaned)} characters; the limit is {MAX_CHARS}: split it "
                         "into shots")
    if language is Language.AUTO:
        language = Language.ZH if HAN.search(cleaned) else Language.EN
    if language is Language.EN and HAN.search(cleaned):
        raise VoiceError("the line is marked English but has Chinese characters; speak it as Chinese (--lang zh)")
    if not any(ch.isalnum() for ch in cleaned):
        raise VoiceError("the line to speak has no words, only symbols; write what the voice should say")
    return cleaned, language


# -------------------------------------------------------------------------------------------- reading out

_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()  # noqa: SIM905
_EN_BIG = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_EN_ORD = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
           "twelve": "twelfth"}
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def en_int(n: int) -> str:
    if n < 0:
        return "minus " + en_int(-n)
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        return _EN_TENS[n // 10] + ("-" + _EN_ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _EN_ONES[n // 100] + " hundred" + (" " + en_int(n % 100) if n % 100 else "")
    for size, word in _EN_BIG:
        if n >= size:
            if n // size >= 1000 and size == 10**12:
                return " ".join(en_digits(str(n)))
            return en_int(n // size) + " " + word + (" " + en_int(n % size) if n % size else "")
    raise AssertionError(n)


def en_digits(digits: str) -> list[str]:
    return [_EN_ONES[int(d)] for d in digits]


def en_year(n: int) -> str:
    if 2000 <= n < 2010 or n % 1000 == 0:
        return en_int(n)
    if n % 100 == 0:
        return en_int(n // 100) + " hundred"
    return en_int(n // 100) + " " + (en_int(n % 100) if n % 100 >= 10 else "oh " + en_int(n % 100))


def en_ordinal(n: int) -> str:
    words = en_int(n)
    cut = max(words.rfind(" "), words.rfind("-")) + 1
    head, last = words[:cut], words[cut:]
    if last in _EN_ORD:
        last = _EN_ORD[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + last


def en_number(text: str) -> str:
    """"1,250" -> "one thousand two hundred fifty", "3.14" -> "three point one four"; long runs digit by digit."""
    whole, _, frac = text.replace(",", "").partition(".")
    if len(whole) > 15 or (len(whole) > 1 and whole.startswith("0")):
        words = " ".join(en_digits(whole))
    else:
        words = en_int(int(whole or "0"))
    return words + (" point " + " ".join(en_digits(frac)) if frac else "")


_ZH_DIGITS = "零一二三四五六七八九"


def zh_int(n: int) -> str:
    if n < 0:
        return "负" + zh_int(-n)
    if n == 0:
        return "零"
    if n >= 10**16:
        return zh_digits(str(n))
    out = ""
    for size, unit in ((10**12, "万亿"), (10**8, "亿"), (10**4, "万")):
        if n >= size:
            head, n = divmod(n, size)
            out += zh_int(head) + unit
            if 0 < n < size // 10:
                out += "零"
    small = ""
    zero = False
    for size, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, size)
        if d:
            if zero and small:
                small += "零"
            small += _ZH_DIGITS[d] + unit
            zero = False
        else:
            zero = True
    if small.startswith("一十") and not out:
        small = small[1:]  # 十二, not 一十二
    words = out + small
    return "两" + words[1:] if words[:2] in ("二千", "二万", "二亿") else words


def zh_digits(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in digits)


def zh_number(text: str) -> str:
    whole, _, frac = text.replace(",", "").partition(".")
    if len(whole) > 15 or (len(whole) > 1 and whole.startswith("0")):
        words = zh_digits(whole)
    else:
        words = zh_int(int(whole or "0"))
    return words + ("点" + zh_digits(frac) if frac else "")


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RULES = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"'，。！？、；：）)】》]+)"
    r"|(?P<date>(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d))"
    r"|(?P<time>(?<![\d:])(?P<hh>\d{1,2}):(?P<mm>\d{2})(?![\d:]))"
    r"|(?P<zhyear>(?<!\d)(?P<zy>\d{4})(?=年))"
    r"|(?P<money>(?P<cur>[$¥￥€£])\s?(?P<amount>" + _NUM + r"))"
    r"|(?P<ord>\b(?P<on>\d+)(?:st|nd|rd|th)\b)"
    r"|(?P<num>(?P<sign>-)?(?P<n>" + _NUM + r")(?P<pct>\s?%)?)"
    r"|(?P<sym>[&@+=×÷#*_~^|\\/{}\[\]])"
)
_CUR_EN = {"$": "dollars", "¥": "yuan", "￥": "yuan", "€": "euros", "£": "pounds"}
_CUR_ZH = {"$": "美元", "¥": "元", "￥": "元", "€": "欧元", "£": "英镑"}
_SYM_EN = {"&": " and ", "@": " at ", "+": " plus ", "=": " equals ", "×": " times ", "÷": " divided by ",
           "#": " number "}
_SYM_ZH = {"&": "和", "@": "艾特", "+": "加", "=": "等于", "×": "乘", "÷": "除以", "#": "号"}


def _url_words(url: str, language: Language) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url).split("/")[0].split("?")[0].split(":")[0].strip(".")
    if language is Language.ZH:
        return " 链接 "
    return " link " + " dot ".join(p for p in host.split(".") if p) + " "


def _read(match: re.Match[str], language: Language) -> str:
    zh = language is Language.ZH
    g = match.groupdict()
    if g["url"]:
        return _url_words(g["url"], language)
    if g["date"]:
        y, m, d = int(g["y"]), int(g["m"]), int(g["d"])
        if not (1 <= m <= 12 and 1 <= d <= 31):
            return " ".join(_read_plain_number(part, language) for part in (g["y"], g["m"], g["d"]))
        if zh:
            return f"{zh_digits(g['y'])}年{zh_int(m)}月{zh_int(d)}日"
        return f" {_MONTHS_EN[m - 1]} {en_ordinal(d)}, {en_year(y)} "
    if g["zhyear"]:
        return zh_digits(g["zy"]) if zh else f" {en_year(int(g['zy']))} "
    if g["time"]:
        h, mi = int(g["hh"]), int(g["mm"])
        if h > 23 or mi > 59:
            return f" {_read_plain_number(g['hh'], language)} {_read_plain_number(g['mm'], language)} "
        if zh:
            return f"{zh_int(h)}点" + (f"{zh_int(mi)}分" if mi else "")
        return f" {en_int(h)} " + ("o'clock" if mi == 0 else ("oh " + en_int(mi) if mi < 10 else en_int(mi))) + " "
    if g["money"]:
        amount = g["amount"]
        if zh:
            return zh_number(amount) + _CUR_ZH[g["cur"]]
        whole, _, cents = amount.replace(",", "").partition(".")
        words = f" {en_number(whole)} {_CUR_EN[g['cur']]}"
        if cents and int(cents[:2].ljust(2, "0")):
            words += f" and {en_int(int(cents[:2].ljust(2, '0')))} cents"
        return words + " "
    if g["ord"]:
        return f" {en_ordinal(int(g['on']))} " if not zh else zh_int(int(g["on"]))
    if g["num"]:
        number = g["n"]
        if zh:
            words = ("负" if g["sign"] else "") + zh_number(number)
            return "百分之" + words if g["pct"] else words
        words = ("minus " if g["sign"] else "") + (
            en_year(int(number)) if _looks_like_year(number, match) else en_number(number))
        return f" {words}{' percent' if g['pct'] else ''} "
    sym = g["sym"]
    return (_SYM_ZH if zh else _SYM_EN).get(sym, " ")


def _read_plain_number(digits: str, language: Language) -> str:
    return zh_number(digits) if language is Language.ZH else en_number(digits)


def _looks_like_year(number: str, match: re.Match[str]) -> bool:
    """"in 1999", "2024's" read as years; "1999 people" too (a guess that mostly helps narration)."""
    if not re.fullmatch(r"1[1-9]\d\d|20\d\d", number):
        return False
    before = match.string[max(0, match.start() - 6):match.start()].lower()
    return bool(re.search(r"(in|since|of|by|from|year|until|to)\s*$", before)) or match.end() == len(match.string) \
        or not match.string[match.end():].strip()[:1].isalpha()


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (unicodedata.category(ch) == "So" or 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF
            or cp in (0x200D, 0xFE0F, 0xFE0E, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF)


@dataclass(frozen=True)
class Piece:
    written: str
    said: str
    literal: bool  # said == written, character for character


@dataclass(frozen=True)
class Spoken:
    """A line as written and as said, piece by piece (see the module's docstring)."""

    pieces: tuple[Piece, ...]

    @property
    def written(self) -> str:
        return "".join(p.written for p in self.pieces)

    @property
    def said(self) -> str:
        return "".join(p.said for p in self.pieces)


def spoken(text: str, language: Language) -> Spoken:
    """``text`` with numbers, dates, times, money, URLs and symbols read out and emoji dropped."""
    pieces: list[Piece] = []
    at = 0

    def literal(segment: str) -> None:
        buf = []
        for ch in segment:
            if _is_emoji(ch):
                if buf:
                    pieces.append(Piece("".join(buf), "".join(buf), True))
                    buf = []
                pieces.append(Piece(ch, " ", False))
            else:
                buf.append(ch)
        if buf:
            pieces.append(Piece("".join(buf), "".join(buf), True))

    for match in _RULES.finditer(text):
        literal(text[at:match.start()])
        pieces.append(Piece(match.group(0), _read(match, language), False))
        at = match.end()
    literal(text[at:])
    return Spoken(tuple(pieces))


# -------------------------------------------------------------------------------------------- long lines

_SENTENCE_END = re.compile(r"(?<=[.!?。！？…；;])\s*")
_CLAUSE_END = re.compile(r"(?<=[,，、:：])\s*")


def chunks(said: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """``said`` cut into pieces of at most ``limit`` characters at sentence ends, then clause ends, then spaces,
    each with its offset in ``said``; whitespace-only pieces are dropped. Joining them gives ``said`` back."""
    out: list[tuple[int, str]] = []

    def cut(start: int, part: str, splitters: Sequence[re.Pattern[str]]) -> None:
        if len(part) <= limit:
            if part.strip():
                out.append((start, part))
            return
        if splitters:
            bounds = [m.end() for m in splitters[0].finditer(part) if 0 < m.end() < len(part)]
            pieces, last = [], 0
            for b in [*bounds, len(part)]:
                pieces.append((last, part[last:b]))
                last = b
            if len(pieces) > 1:
                group_start, group = 0, ""
                for offset, piece in pieces:  # greedy: as many sentences per chunk as fit
                    if group and len(group) + len(piece) > limit:
                        cut(start + group_start, group, splitters[1:])
                        group_start, group = offset, ""
                    group += piece
                if group:
                    cut(start + group_start, group, splitters[1:])
                return
            cut(start, part, splitters[1:])
            return
        # no punctuation at all: spaces, else a hard cut
        at = 0
        while at < len(part):
            end = min(len(part), at + limit)
            if end < len(part):
                space = part.rfind(" ", at + 1, end)
                end = space + 1 if space > at else end
            if part[at:end].strip():
                out.append((start + at, part[at:end]))
            at = end

    cut(0, said, (_SENTENCE_END, _CLAUSE_END))
    return out


# -------------------------------------------------------------------------------------------- words back


def word_units(said: str) -> list[tuple[int, int]]:
    """Caption units of a said text as character spans: each Hanzi alone, other runs of letters/digits whole
    (with inner apostrophes and hyphens)."""
    return [m.span() for m in re.finditer(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+(?:['’-][^\W_]+)*",
                                          said)]


def caption_words(spoken_line: Spoken, spans: Sequence[tuple[int, int, int, int]]) -> tuple[WordTime, ...]:
    """Word times over the *said* text (``(said_start, said_end, start_ms, end_ms)``, in order) as words of the
    *written* text: units inside one read-out piece ("1,250") merge into it; punctuation around a unit is
    dropped; units that cover nothing written (an emoji's gap) vanish."""
    starts: list[int] = []  # written offset of each said character's piece (or of the character itself)
    ends: list[int] = []
    w_at = 0
    for piece in spoken_line.pieces:
        for i in range(len(piece.said)):
            if piece.literal:
                starts.append(w_at + i)
                ends.append(w_at + i + 1)
            else:
                starts.append(w_at)
                ends.append(w_at + len(piece.written))
        w_at += len(piece.written)
    written = spoken_line.written
    merged: list[list[int]] = []  # [w_start, w_end, start_ms, end_ms]
    for s, e, t0, t1 in spans:
        if e <= s or s >= len(starts):
            continue
        a, b = starts[s], ends[min(e, len(ends)) - 1]
        if merged and a < merged[-1][1]:  # inside the same read-out piece as the last unit
            merged[-1][1] = max(merged[-1][1], b)
            merged[-1][3] = max(merged[-1][3], t1)
            continue
        merged.append([a, b, t0, t1])
    words = []
    for a, b, t0, t1 in merged:
        text = written[a:b].strip(_PUNCT)
        if a < b and written[a] == "-" and text[:1].isdigit() and written[a + 1:b].strip(_PUNCT) == text:
            text = "-" + text  # a negative number keeps its sign
        if text and not all(_is_emoji(ch) for ch in text):
            words.append(WordTime(text, int(t0), int(max(t1, t0))))
    return tuple(words)
