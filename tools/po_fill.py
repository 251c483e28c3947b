"""List or fill the untranslated entries of the English catalogue.

    python tools/po_fill.py --list           # print untranslated msgids, one per line
    python tools/po_fill.py < pairs.tsv      # fill from lines "msgid<TAB>msgstr"

Non-plural entries only (plural ones are few: edit them by hand).
Run `make compile-messages` afterwards.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "bangfu" / "locale" / "en" / "LC_MESSAGES" / "django.po"
FUZZY = re.compile(
    r'^#, ([\w, -]*?)\bfuzzy\b([\w, -]*)\n(?:#\| .*\n)*(msgid (?:"(?:[^"\\]|\\.)*"\n)+)msgstr (?:".*"\n)+',
    re.MULTILINE,
)


def _unfuzz(match: re.Match) -> str:
    flags = [flag.strip() for flag in (match.group(1) + match.group(2)).split(",") if flag.strip()]
    kept = f"#, {', '.join(flags)}\n" if flags else ""
    return kept + match.group(3) + 'msgstr ""\n'


# msgid on one line, or wrapped: msgid "" followed by one quoted line per piece
ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ""\n(?!")', re.MULTILINE)
PIECE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main() -> int:
    # makemessages guesses a translation from a similar message and marks it fuzzy: the
    # guess is usually wrong ("品名" became "Full name"), so a fuzzy entry counts as empty.
    text = FUZZY.sub(_unfuzz, PO.read_text(encoding="utf-8"))
    PO.write_text(text, encoding="utf-8")
    if sys.argv[1:] == ["--list"]:
        for match in ENTRY.finditer(text):
            msgid = "".join(PIECE.findall(match.group(1)))
            if msgid:
                print(msgid)
        return 0
    pairs = {}
    for line in sys.stdin.read().splitlines():
        if line.strip():
            msgid, _tab, msgstr = line.partition("\t")
            pairs[escape(msgid)] = escape(msgstr)

    def fill(match: re.Match) -> str:
        msgid = "".join(PIECE.findall(match.group(1)))
        if msgid in pairs and pairs[msgid]:
            return f'msgid {match.group(1)}msgstr "{pairs.pop(msgid)}"\n'
        return match.group(0)

    PO.write_text(ENTRY.sub(fill, text), encoding="utf-8")
    for msgid in pairs:
        print(f"not found or already translated: {msgid}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
