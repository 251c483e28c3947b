"""Pinyin of personal names, for search by initials ("zyw" finds 周耀伟).

pypinyin reads characters by their most common reading, which is wrong for many
surnames (单 is shan, not dan; 曾 is zeng, not ceng). The first one or two characters
of a name are read as a surname when they are in SURNAMES; the rest by pypinyin.
Readings are cached per character: names are made of a few thousand characters, so
a million names cost a dictionary lookup per character.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's common reading (and compound surnames).
SURNAMES: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "翟": "zhai",
    "召": "shao",
    "折": "she",
    "种": "chong",
    "繁": "po",
    "员": "yun",
    "祭": "zhai",
    "黑": "he",
    "秘": "bi",
    "宓": "fu",
    "冼": "xian",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "燕": "yan",
    "葛": "ge",
    "沈": "shen",
    "石": "shi",
    "柏": "bai",
    "薄": "bo",
    "卜": "bu",
    "长": "chang",
    "重": "chong",
    "都": "du",
    "谌": "chen",
    "盛": "sheng",
    "万": "wan",
    "藏": "zang",
    "莘": "shen",
    "隗": "wei",
    "阚": "kan",
    "逄": "pang",
    "佴": "nai",
    "句": "gou",
    "能": "nai",
    "过": "guo",
    "那": "na",
    "应": "ying",
    "贲": "ben",
    "郇": "huan",
    "眭": "sui",
    "訾": "zi",
    "厍": "she",
    "褚": "chu",
    "朝": "chao",
    "曲": "qu",
    "令狐": "linghu",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "单于": "chanyu",
    "长孙": "zhangsun",
    "澹台": "tantai",
    "皇甫": "huangfu",
    "欧阳": "ouyang",
    "司马": "sima",
    "上官": "shangguan",
    "诸葛": "zhuge",
    "东方": "dongfang",
    "夏侯": "xiahou",
    "宇文": "yuwen",
    "慕容": "murong",
    "公孙": "gongsun",
    "轩辕": "xuanyuan",
    "令": "ling",
    "乜": "nie",
}
COMPOUND = {k for k in SURNAMES if len(k) == 2}


@lru_cache(maxsize=50_000)
def _char(ch: str) -> str:
    reading = lazy_pinyin(ch, style=Style.NORMAL, errors="default")
    return reading[0].lower() if reading else ch.lower()


def syllables(name: str) -> list[str]:
    """One pinyin syllable per character of ``name`` (surname read as a surname)."""
    name = (name or "").strip()
    if not name:
        return []
    if name[:2] in COMPOUND:
        surname, rest = SURNAMES[name[:2]], name[2:]
        parts = _split_compound(name[:2], surname)
    elif name[0] in SURNAMES:
        parts, rest = [SURNAMES[name[0]]], name[1:]
    else:
        parts, rest = [], name
    return parts + [_char(ch) for ch in rest if not ch.isspace() and ch != "·"]


def _split_compound(chars: str, reading: str) -> list[str]:
    first = _char(chars[0])
    if reading.startswith(first):
        return [first, reading[len(first) :]]
    # readings like 万俟 (moqi) or 尉迟 (yuchi) where the first syllable is unusual
    second = _char(chars[1])
    return [reading[: len(reading) - len(second)], second]


def readings(name: str) -> tuple[str, str]:
    """Both forms at once, ``("zhou yao wei", "zyw")``: what a person row stores."""
    parts = syllables(name)
    return " ".join(parts), "".join(s[0] for s in parts if s)


def full(name: str) -> str:
    """``周耀伟`` -> ``zhou yao wei``."""
    return " ".join(syllables(name))


def initials(name: str) -> str:
    """``周耀伟`` -> ``zyw``; ``单田芳`` -> ``stf``."""
    return "".join(s[0] for s in syllables(name) if s)


def looks_like_initials(query: str) -> bool:
    return query.isascii() and query.isalpha() and len(query) <= 10
