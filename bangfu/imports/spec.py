"""What an import kind declares: its columns, how rows are checked, how batches are written."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.encoding import force_str

SPECS: dict[str, "ImportSpec"] = {}


@dataclass
class Column:
    name: str  # key in the cleaned row
    label: Any  # the Chinese header in templates
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers people use, Chinese or English
    example: str = ""
    help: Any = ""
    max_length: int | None = None  # of the text the column's field holds: longer is a cell error

    def headers(self) -> set[str]:
        """The label in every language, the field name and the aliases: a template downloaded
        in English imports as well as one in Chinese."""
        from django.conf import settings
        from django.utils import translation

        labels = set()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                labels.add(force_str(self.label))
        return {normalize_header(h) for h in (*labels, self.name, *self.aliases)}


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSpec:
    kind: str
    title: Any
    capability: str  # what the importing user must hold, within the scope of every row
    columns: list[Column]
    key: tuple[str, ...]  # the natural key columns: re-importing a file updates, never duplicates
    check: Callable[
        [list[tuple[int, dict]], "Context"], dict[int, dict[str, str]]
    ]  # DB-aware checks, per batch
    write: Callable[[list[dict], "Context"], WriteResult]
    finish: Callable[["Context"], dict[int, dict[str, str]]] | None = None  # whole-file checks at the end
    unique: tuple[str, ...] = ()  # columns whose values may appear once per file (besides the key)
    description: Any = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Context:
    """State an import keeps while it runs: the user, caches, what earlier batches saw."""

    user: Any
    spec: ImportSpec
    dry_run: bool
    mode: str = "all"  # imports.models.Mode
    cache: dict[str, Any] = field(default_factory=dict)


def register(spec: ImportSpec) -> ImportSpec:
    SPECS[spec.kind] = spec
    return spec


def normalize_header(value: Any) -> str:
    """A header as compared: NFKC folds full-width letters and marks (ＩＤ＿Ｎｏ → ID_No), case and spaces ignored."""
    text = unicodedata.normalize("NFKC", force_str(value or "")).strip().lower()
    for junk in ("(必填)", "*", " ", "\t", "\r", "\n"):
        text = text.replace(junk, "")
    return text
