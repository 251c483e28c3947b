"""Translations: the English catalog is complete, compiled, and used by the pages.

The UI source strings are Simplified Chinese (the default language). English lives in
bangfu/locale/en/LC_MESSAGES/django.po and its compiled django.mo, which is kept in the
tree because production machines may lack gettext. After adding or changing strings:

    cd bangfu && ../.venv/bin/python ../manage.py makemessages -l en --ignore "static/*"
    # translate the new entries in locale/en/LC_MESSAGES/django.po, then
    ../.venv/bin/python ../manage.py compilemessages -l en
"""

import ast
import gettext
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.formats import date_format

from bangfu.core.permissions import Role

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "bangfu"
LOCALE_DIR = PACKAGE_DIR / "locale"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
FIX_HINT = (
    '\nRun `cd bangfu && ../.venv/bin/python ../manage.py makemessages -l en --ignore "static/*"`, '
    "translate the entries in locale/en/LC_MESSAGES/django.po, then "
    "`../.venv/bin/python ../manage.py compilemessages -l en`."
)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


# --- a tiny reader for .po files (no third-party dependency) -------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a PO string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which string a continuation line extends

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#"):
            if target is not None and target[0].startswith("msgstr"):
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            kind, index = target
            value = _unquote(line)
            if kind == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, kind, getattr(entry, kind) + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword != "msgid_plural" and not entry.line:
                entry.line = number
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, 0)
        elif keyword == "msgstr":
            entry.msgstr[0] = _unquote(rest)
            target = ("msgstr", 0)
        elif m := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            index = int(m.group(1))
            entry.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise ValueError(f"line {number}: cannot read {raw!r}")
    finish()
    return entries


def _messages() -> list[Entry]:
    return [e for e in parse_po(EN_PO.read_text(encoding="utf-8")) if e.msgid]


def _header() -> Entry:
    return next(e for e in parse_po(EN_PO.read_text(encoding="utf-8")) if not e.msgid)


def _bullets(items) -> str:
    return "\n".join(f"  - {item}" for item in items)


# --- (a) the English catalog is complete --------------------------------------------------


def test_parser_reads_multiline_plural_and_escaped_entries():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: en\\n"',
            "",
            "#: a.py:1",
            "#, fuzzy, python-format",
            'msgid ""',
            '"共 %(n)s "',
            '"条"',
            'msgid_plural "共 %(n)s 条"',
            'msgstr[0] "%(n)s \\"row\\""',
            'msgstr[1] "%(n)s rows"',
            "",
            'msgctxt "menu"',
            'msgid "保存"',
            'msgstr "Save"',
            "",
            '#~ msgid "旧"',
            '#~ msgstr "old"',
        ]
    )
    header, plural, saved = parse_po(sample)
    assert header.msgid == "" and header.msgstr == {0: "Language: en\n"}
    assert plural.msgid == "共 %(n)s 条" and plural.msgid_plural == "共 %(n)s 条"
    assert plural.msgstr == {0: '%(n)s "row"', 1: "%(n)s rows"}
    assert plural.flags == {"fuzzy", "python-format"} and plural.line == 7
    assert (saved.msgctxt, saved.msgid, saved.msgstr) == ("menu", "保存", {0: "Save"})


def test_english_catalog_is_complete():
    entries = _messages()
    assert entries, f"{EN_PO} holds no messages"
    header = _header()
    nplurals = int(re.search(r"nplurals=(\d+)", header.msgstr[0]).group(1))
    assert nplurals == 2, "English has two plural forms"

    untranslated, fuzzy = [], []
    for entry in entries:
        forms = range(nplurals) if entry.msgid_plural is not None else range(1)
        if any(not entry.msgstr.get(i, "").strip() for i in forms):
            untranslated.append(entry.label)
        if "fuzzy" in entry.flags:
            fuzzy.append(entry.label)
    if "fuzzy" in header.flags:
        fuzzy.append('the header (msgid "")')
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated msgid(s) in {EN_PO}:\n{_bullets(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy entr(y/ies) to review, then drop '#, fuzzy':\n{_bullets(fuzzy)}")
    assert not problems, "\n".join(problems) + FIX_HINT


def test_english_translations_keep_placeholders_and_chinese_out():
    wrong = []
    for entry in _messages():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        expected = {p for s in sources for p in PLACEHOLDER.findall(s) if p}
        expected_count = max(len(PLACEHOLDER.findall(s)) for s in sources)
        for index, text in entry.msgstr.items():
            if not text:
                continue  # reported by test_english_catalog_is_complete
            found = PLACEHOLDER.findall(text)
            if expected and set(filter(None, found)) != expected:
                wrong.append(
                    f"{entry.label} msgstr[{index}] {text!r}: placeholders should be {sorted(expected)}"
                )
            elif not expected and len(found) != expected_count:
                wrong.append(
                    f"{entry.label} msgstr[{index}] {text!r}: placeholder count differs from the msgid"
                )
            if CJK.search(text):
                wrong.append(
                    f"{entry.label} msgstr[{index}] {text!r}: Chinese text in the English translation"
                )
    assert not wrong, "English translations to fix:\n" + _bullets(wrong)


# --- (b) the compiled catalog matches the .po ---------------------------------------------


def _expected_catalog() -> dict:
    """What msgfmt would put into the .mo: the keys GNUTranslations uses for each message."""
    catalog = {}
    for entry in _messages():
        if "fuzzy" in entry.flags:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                catalog[msgid] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            for index, text in entry.msgstr.items():
                catalog[(msgid, index)] = text
    return catalog


def test_compiled_catalog_is_up_to_date():
    assert EN_MO.exists(), f"{EN_MO} is missing: it must be committed." + FIX_HINT
    with EN_MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    actual = {key: value for key, value in compiled._catalog.items() if key != ""}
    expected = _expected_catalog()

    stale = [
        f"{key!r}: .po has {value!r}, .mo has {actual.get(key)!r}"
        for key, value in expected.items()
        if actual.get(key) != value
    ]
    extra = [repr(key) for key in actual if key not in expected]
    problems = []
    if stale:
        problems.append(f"{len(stale)} message(s) missing or different in {EN_MO.name}:\n{_bullets(stale)}")
    if extra:
        problems.append(
            f"{len(extra)} message(s) in {EN_MO.name} that the .po no longer translates "
            f"(removed, emptied or fuzzy):\n{_bullets(extra)}"
        )
    assert not problems, "\n".join(problems) + FIX_HINT

    # The public API sees the same thing, plural rules included.
    for entry in _messages():
        if entry.msgctxt is None and entry.msgid_plural is not None:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0]
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr[1]


# --- (c) every marked string in the sources is in the catalog -----------------------------

_LITERAL = r"""(?:[rRuU]?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))"""
_LITERALS = rf"(?:{_LITERAL}\s*)+"
PY_CALL = re.compile(
    rf"(?<![\w.])(?:_|gettext|gettext_lazy|gettext_noop|ngettext|ngettext_lazy)\(\s*({_LITERALS})(?:,\s*({_LITERALS}))?"
)
PY_CONTEXT_CALL = re.compile(
    rf"(?<![\w.])(?:pgettext|pgettext_lazy|npgettext|npgettext_lazy)\(\s*{_LITERALS},\s*({_LITERALS})(?:,\s*({_LITERALS}))?"
)
TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*trans(?:late)?\s+("[^"]*"|'[^']*')""")
TEMPLATE_UNDERSCORE = re.compile(r"""(?<![\w.])_\(\s*("[^"]*"|'[^']*')\s*\)""")
TEMPLATE_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?\b([^%]*)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL
)
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _python_literal(source: str) -> str:
    return ast.literal_eval(f"({source})")


def _block_msgid(body: str, trimmed: bool) -> str:
    """The msgid makemessages writes for a {% blocktranslate %} body."""
    if trimmed:
        body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    body = body.replace("%", "%%")
    return TEMPLATE_VARIABLE.sub(lambda m: f"%({m.group(1)})s", body)


def marked_strings() -> dict[str, set[str]]:
    """msgid -> the files that mark it, from gettext calls and translate tags."""
    found: dict[str, set[str]] = {}

    def add(text: str, path: Path):
        if text:
            found.setdefault(text, set()).add(str(path.relative_to(PACKAGE_DIR)))

    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (PY_CALL, PY_CONTEXT_CALL):
            for match in pattern.finditer(source):
                for group in match.groups():
                    if group:
                        add(_python_literal(group), path)
    for path in sorted(PACKAGE_DIR.rglob("templates/**/*.html")):
        source = path.read_text(encoding="utf-8")
        for pattern in (TEMPLATE_TRANSLATE, TEMPLATE_UNDERSCORE):
            for match in pattern.finditer(source):
                add(match.group(1)[1:-1], path)
        for match in TEMPLATE_BLOCK.finditer(source):
            trimmed = "trimmed" in match.group(1).split()
            for part in re.split(r"\{%\s*plural\s*%\}", match.group(2)):
                add(_block_msgid(part, trimmed), path)
    return found


def test_source_scan_finds_marked_strings():
    found = marked_strings()
    assert "首页" in found  # Python: _("首页")
    assert "菜单" in found  # template: {% translate '菜单' %}
    assert "第 %(number)s / %(pages)s 页" in found  # template: {% blocktranslate with … %}
    assert "共 %(counter)s 条" in found  # template: {% blocktranslate count … %}
    assert "身份证号应为18位,实际为%(length)d位。" in found  # a call spread over lines


def test_every_marked_string_is_in_the_catalog():
    known = {e.msgid for e in _messages()} | {e.msgid_plural for e in _messages() if e.msgid_plural}
    missing = [
        f"{text!r}  (in {', '.join(sorted(paths))})"
        for text, paths in sorted(marked_strings().items())
        if text not in known
    ]
    assert not missing, (
        f"{len(missing)} marked string(s) missing from {EN_PO}:\n{_bullets(missing)}" + FIX_HINT
    )


# --- (d) pages switch language ------------------------------------------------------------


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it, chart data (JSON, escaped to ASCII) decoded."""
    page = re.sub(
        r'<script[^>]*type="application/json"[^>]*>(.*?)</script>',
        lambda m: " " + json.dumps(json.loads(m.group(1)), ensure_ascii=False) + " ",
        page,
        flags=re.DOTALL,
    )
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.DOTALL)
    return html.unescape(page)


def _chinese_fragments(text: str) -> list[str]:
    return sorted({m.group(0) for m in re.finditer(rf"\S*{CJK.pattern}\S*", text)})


@pytest.fixture
def office_client(make_user, make_org, client_for):
    # Organisation and region names are user data: keep them ASCII so any Chinese left
    # on the page can only come from an untranslated UI string.
    return client_for(make_user(Role.OFFICE, organization=make_org(name="Test Office")))


def _switch(client, language: str):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    return client.get("/")


def test_home_page_renders_in_english_after_switching(office_client):
    response = _switch(office_client, "en")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "<title>Home · bangfu</title>" in page
    assert ">Home</h2>" in page
    assert "Master data" in page and "Log out" in page and "Organizations by type" in page

    header = re.search(r"<header\b.*?</header>", page, flags=re.DOTALL).group(0)
    # The language selector names each language in that language.
    header = re.sub(r"<option\b[^>]*>简体中文</option>", "", header)
    assert not _chinese_fragments(_visible_text(header)), "untranslated text in the header/navigation"

    body = page.split("</header>", 1)[1]
    head = page.split("<body", 1)[0]
    # Region names (e.g. in links to region pages) would be data; the home page shows none.
    leftovers = _chinese_fragments(_visible_text(head + body))
    assert not leftovers, f"untranslated text on the English home page: {leftovers}"


def test_switching_back_to_chinese_needs_no_catalog_of_ours(office_client):
    """zh-hans is the source language: Django's own zh_Hans catalog makes it available."""
    assert translation.check_for_language("zh-hans")
    _switch(office_client, "en")
    response = _switch(office_client, "zh-hans")
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "<title>首页 · 帮扶</title>" in page and "退出登录" in page


def test_english_catalog_is_loaded_at_runtime():
    with translation.override("en"):
        assert translation.gettext("驻村干部") == "Stationed cadre"
        assert (
            translation.ngettext("共 %(counter)s 条", "共 %(counter)s 条", 1) % {"counter": 1} == "1 record"
        )
        assert (
            translation.ngettext("共 %(counter)s 条", "共 %(counter)s 条", 3) % {"counter": 3} == "3 records"
        )
        assert str(Role.OFFICE.label) == "Assistance office"
    with translation.override("zh-hans"):
        assert translation.gettext("驻村干部") == "驻村干部"


# --- (e) dates ----------------------------------------------------------------------------


def test_dates_use_each_languages_format():
    with translation.override("zh-hans"):
        assert date_format(date(2020, 3, 6), "DATE_FORMAT") == "2020年3月6日"
    with translation.override("en"):
        assert date_format(date(2020, 3, 6), "DATE_FORMAT") == "March 6, 2020"
