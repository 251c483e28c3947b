"""The import engine: one pass over the file, every bad row reported, all or nothing.

The whole import runs in one database transaction. Rows are parsed and checked in
batches; good rows are written as they come (so the checks of later batches see them,
and a dry run reports exactly what a real run would create or update); at the end the
transaction commits only for a real run that may write (no errors, or "skip bad rows").
A dry run always rolls back. Killing the process rolls back too: nothing is ever half
written, and running the same file again finishes the job (upserts by natural key, so
rows already imported are "unchanged").
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.jobs import Progress, job_enqueue, job_handler, this_worker, worker_gone
from bangfu.core.text import join_list

from .models import ImportIssue, ImportRun, Mode, RunStatus
from .parsing import CellError
from .readers import ReadError, detect_kind, open_table
from .spec import SPECS, Context, ImportSpec, WriteResult, normalize_header

BATCH = 2000
MAX_STORED_ISSUES = 50_000
ROW_NUMBER_HEADERS = {"序号", "行号", "编号序号", "no", "no.", "#", "seq"}
MAX_FILE_BYTES = 200 * 1024 * 1024


class ImportRejected(Exception):
    """Raised inside the transaction to roll it back."""


@dataclass
class Tally:
    total: int = 0
    blank: int = 0
    bad_rows: set[int] = field(default_factory=set)
    issues: list[tuple[int, str, str, str]] = field(default_factory=list)
    issue_count: int = 0
    result: WriteResult = field(default_factory=WriteResult)

    def add(self, row: int, column: str, value: Any, reason: str) -> None:
        self.bad_rows.add(row)
        self.issue_count += 1
        if len(self.issues) < MAX_STORED_ISSUES:
            shown = "" if value is None else str(value)
            self.issues.append((row, str(column)[:100], shown[:200], str(reason)[:300]))


def imports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_file(source, original_name: str) -> tuple[str, int, str]:
    """Copy an upload (or a local file) into var/media/imports; returns stored name, size, sha256."""
    digest = hashlib.sha256()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    suffix = Path(original_name).suffix.lower()[:8]
    stored = f"{stamp}{suffix}"
    target = imports_dir() / stored
    size = 0
    with target.open("wb") as out:
        chunks = source.chunks() if isinstance(source, UploadedFile) else _file_chunks(Path(source))
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise ReadError(
                    _("文件超过%(mb)dMB,请拆分后导入。") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
                )
            digest.update(chunk)
            out.write(chunk)
    return stored, size, digest.hexdigest()


def _file_chunks(path: Path, size: int = 1 << 20):
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def import_create(
    *, user, kind: str, source, original_name: str, mode: str = Mode.ALL_OR_NOTHING, dry_run: bool = True
) -> ImportRun:
    if kind not in SPECS:
        raise ValueError(f"unknown import kind {kind!r}")
    if mode not in Mode.values:
        raise ValueError(f"unknown mode {mode!r}")
    stored, size, sha = store_file(source, original_name)
    return ImportRun.objects.create(
        kind=kind,
        original_name=original_name[:255],
        stored_name=stored,
        size=size,
        sha256=sha,
        mode=mode,
        dry_run=dry_run,
        created_by=user,
    )


def import_enqueue(run: ImportRun) -> ImportRun:
    spec = SPECS[run.kind]
    job = job_enqueue(
        kind="import",
        title=_("导入:%(title)s %(name)s") % {"title": spec.title, "name": run.original_name},
        user=run.created_by,
        params={"run": run.pk},
    )
    run.job = job
    run.save(update_fields=["job"])
    return run


def import_rerun(*, run: ImportRun, dry_run: bool, mode: str | None = None) -> ImportRun:
    """The same stored file again (typically: apply after a dry run)."""
    if not (imports_dir() / run.stored_name).exists():
        raise ReadError(_("原文件已不存在,请重新上传。"))
    return ImportRun.objects.create(
        kind=run.kind,
        original_name=run.original_name,
        stored_name=run.stored_name,
        size=run.size,
        sha256=run.sha256,
        mode=mode or run.mode,
        dry_run=dry_run,
        created_by=run.created_by,
    )


def runs_sweep(queryset) -> int:
    """Mark runs whose process was killed as failed (their transaction was rolled back)."""
    running = queryset.filter(status=RunStatus.RUNNING).exclude(worker="").only("pk", "worker")
    gone = [run.pk for run in running if worker_gone(run.worker)]
    if not gone:
        return 0
    return ImportRun.objects.filter(pk__in=gone, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        message=_("导入进程已中断,未写入任何数据;可重新运行同一文件。"),
        finished_at=timezone.now(),
    )


@job_handler("import")
def import_job(job, progress: Progress) -> dict:
    run = ImportRun.objects.get(pk=job.params["run"])
    run = import_execute(run, progress=progress)
    return {"run": run.pk, "status": run.status}


def _count_lines(path: Path) -> int | None:
    if detect_kind(path) != "csv":
        return None
    lines = 0
    for chunk in _file_chunks(path):
        lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def _header_lookup(spec: ImportSpec) -> dict[str, Any]:
    return {header: column for column in spec.columns for header in column.headers()}


def above_header(spec: ImportSpec, cells: list[Any]) -> bool:
    """Rows to pass over while looking for the header: blank ones, and a title in one cell
    (often merged across the sheet, "鲁山县2024年建档立卡户花名册") that names no column."""
    filled = [cell for cell in cells if not _blank([cell])]
    return not filled or (len(filled) == 1 and normalize_header(filled[0]) not in _header_lookup(spec))


def _match_header(spec: ImportSpec, number: int, cells: list[Any], tally: Tally) -> dict[int, Any] | None:
    lookup = _header_lookup(spec)
    mapping, unknown, seen = {}, [], set()
    for index, cell in enumerate(cells):
        header = normalize_header(cell)
        if not header:
            continue
        column = lookup.get(header)
        if column is None and header in ROW_NUMBER_HEADERS:
            continue  # a running number column (序号) is common in registers and carries nothing
        if column is None:
            unknown.append(str(cell))
        elif column.name in seen:
            tally.add(number, str(cell), "", _("重复的列"))
        else:
            mapping[index] = column
            seen.add(column.name)
    missing = [str(c.label) for c in spec.columns if c.required and c.name not in seen]
    if unknown:
        allowed = join_list(str(c.label) for c in spec.columns)
        tally.add(
            number,
            join_list(unknown),
            "",
            _("无法识别的列:%(unknown)s。可用的列:%(allowed)s")
            % {"unknown": join_list(unknown), "allowed": allowed},
        )
    if missing:
        tally.add(
            number, join_list(missing), "", _("缺少必填列:%(missing)s") % {"missing": join_list(missing)}
        )
    return None if unknown or missing or tally.bad_rows else mapping


def _parse_row(number: int, cells: list[Any], mapping, tally: Tally) -> dict | None:
    values, ok = {}, True
    for index, column in mapping.items():
        raw = cells[index] if index < len(cells) else None
        try:
            value = column.parse(raw)
        except CellError as error:
            tally.add(number, column.label, raw, str(error))
            ok = False
            continue
        if column.required and (value is None or value == ""):
            tally.add(number, column.label, raw, _("必填"))
            ok = False
            continue
        if column.max_length and isinstance(value, str) and len(value) > column.max_length:
            tally.add(number, column.label, raw, _("最多%(count)d个字符") % {"count": column.max_length})
            ok = False
            continue
        values[column.name] = value
    return values if ok else None


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def import_execute(run: ImportRun, *, progress: Progress | None = None) -> ImportRun:
    """Run an import (or a dry run) to the end and record the outcome on ``run``."""
    spec = SPECS[run.kind]
    path = imports_dir() / run.stored_name
    tally = Tally()
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker=this_worker())
    status, message = RunStatus.FAILED, ""
    try:
        total = _count_lines(path)
        with transaction.atomic():
            _passes(run, spec, path, progress, total, tally)
            if run.dry_run:
                status = RunStatus.CHECKED
                raise ImportRejected
            if tally.bad_rows and run.mode == Mode.ALL_OR_NOTHING:
                status = RunStatus.REJECTED
                raise ImportRejected
            status = RunStatus.IMPORTED
    except ImportRejected:
        pass
    except ReadError as error:
        status, message = RunStatus.FAILED, str(error)
    except DatabaseError as error:
        status, message = RunStatus.FAILED, _("写入数据库时出错,已全部撤销:%(error)s") % {"error": error}
    except Exception:
        # A bug rather than bad input: the transaction is rolled back; record that the run is over
        # (so that its page stops waiting for it), then let the error surface.
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, message=_("导入程序出错,已全部撤销。"), finished_at=timezone.now()
        )
        raise
    if status == RunStatus.FAILED:
        tally.result = WriteResult()
    ImportIssue.objects.bulk_create(
        [ImportIssue(run=run, row=r, column=c, value=v, reason=why) for r, c, v, why in tally.issues],
        batch_size=5000,
    )
    if status == RunStatus.REJECTED and not message:
        message = _("发现%(count)d行有错误,按“全部成功才写入”模式未写入任何数据。") % {
            "count": len(tally.bad_rows)
        }
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        message=message,
        total_rows=tally.total,
        blank_rows=tally.blank,
        error_rows=len(tally.bad_rows),
        created_count=tally.result.created,
        updated_count=tally.result.updated,
        unchanged_count=tally.result.unchanged,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


class _Again(Exception):
    def __init__(self, problems: dict[int, dict[str, str]]):
        self.problems = problems


def _passes(run, spec: ImportSpec, path: Path, progress, total, tally: Tally) -> None:
    """One pass over the file, or two when skipping bad rows left whole-file problems.

    A whole-file check (a household left without its head because the head's row was
    bad) can only run at the end, when the other rows are written. Skipping bad rows
    then means skipping those rows too: the first pass is rolled back to its savepoint
    and the file is read again with them set aside, so what is written always passes
    every rule.
    """
    excluded: dict[int, dict[str, str]] = {}
    for attempt in (1, 2):
        tally.__dict__.update(Tally().__dict__)  # the second pass counts afresh
        context = Context(user=run.created_by, spec=spec, dry_run=run.dry_run, mode=run.mode)
        try:
            with transaction.atomic():
                late = _process(run, spec, path, context, tally, progress, total, excluded)
                if late and run.mode == Mode.SKIP_BAD_ROWS and attempt == 1:
                    raise _Again(late)
        except _Again as again:
            excluded = again.problems
            continue
        for number, errors in late.items():
            for column, reason in errors.items():
                tally.add(number, _label(spec, column), "", reason)
        return


def _process(
    run, spec: ImportSpec, path: Path, context: Context, tally: Tally, progress, total, excluded
) -> dict[int, dict[str, str]]:
    """Read, check and write every row; returns the problems of the whole-file check."""
    mapping = None
    batch: list[tuple[int, dict]] = []
    keys = [spec.key, *((name,) for name in spec.unique)]
    seen: dict[tuple[str, ...], dict[str, int]] = {names: {} for names in keys}
    rows = open_table(path)
    for number, cells, merged in rows:
        if mapping is None:
            if above_header(spec, cells):
                continue
            mapping = _match_header(spec, number, cells, tally)
            if mapping is None:
                return {}
            continue
        if _blank(cells):
            tally.blank += 1
            continue
        tally.total += 1
        if number in excluded:
            for column, reason in excluded[number].items():
                tally.add(number, _label(spec, column), "", reason)
            continue
        if merged:
            tally.add(number, "", "", _("含有合并单元格,请取消合并后逐行填写"))
            continue
        values = _parse_row(number, cells, mapping, tally)
        if values is None:
            continue
        duplicate = False
        for names, first_rows in seen.items():
            value = tuple(values.get(name) for name in names)
            if any(part in (None, "") for part in value):
                continue
            # Kept for the whole file: one short string per row, not the parsed values.
            compact = "\x1f".join(str(part) for part in value)
            if compact in first_rows:
                label = "+".join(str(spec.column(name).label) for name in names)
                shown = " ".join(str(part) for part in value)
                tally.add(number, label, shown, _("与第%(row)d行重复") % {"row": first_rows[compact]})
                duplicate = True
            else:
                first_rows[compact] = number
        if duplicate:
            continue
        batch.append((number, values))
        if len(batch) >= BATCH:
            _flush(run, spec, batch, context, tally)
            batch = []
            if progress:
                progress(tally.total, total)
    if mapping is None and not tally.bad_rows:
        raise ReadError(_("文件中没有表头和数据。"))
    if tally.total == 0:
        raise ReadError(_("文件只有表头,没有数据行。"))
    _flush(run, spec, batch, context, tally)
    if progress:
        progress(tally.total, tally.total)
    return spec.finish(context) if spec.finish is not None else {}


def _flush(run, spec: ImportSpec, batch: list[tuple[int, dict]], context: Context, tally: Tally) -> None:
    if not batch:
        return
    problems = spec.check(batch, context)
    good = []
    for number, values in batch:
        if number in problems:
            for column, reason in problems[number].items():
                tally.add(number, _label(spec, column), values.get(column, ""), reason)
        else:
            good.append(values)
    writing = run.mode == Mode.SKIP_BAD_ROWS or not tally.bad_rows or run.dry_run
    if good and writing:
        result = spec.write(good, context)
        tally.result.created += result.created
        tally.result.updated += result.updated
        tally.result.unchanged += result.unchanged


def _label(spec: ImportSpec, name: str) -> str:
    try:
        return str(spec.column(name).label)
    except StopIteration:
        return name
