"""What an import kind declares: its columns, how rows are checked, how batches are written."""

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

    def headers(self) -> set[str]:
        return {normalize_header(h) for h in (force_str(self.label), self.name, *self.aliases)}


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
    cache: dict[str, Any] = field(default_factory=dict)


def register(spec: ImportSpec) -> ImportSpec:
    SPECS[spec.kind] = spec
    return spec


def normalize_header(value: Any) -> str:
    from .parsing import FULL_WIDTH

    text = force_str(value or "").translate(FULL_WIDTH).strip().lower()
    for junk in ("*", "＊", " ", "\u3000", "\n", "(必填)", "（必填）"):
        text = text.replace(junk, "")
    return text
