"""Exporting any listing to xlsx or csv: masked by default, a background job when large."""

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.encoding import force_str

from .jobs import Progress, job_files_dir, job_handler
from .listings import LISTINGS, Listing
from .permissions import Cap
from .scoping import scope
from .tables import display, excel_value

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SYNC_LIMIT = 5_000  # larger exports run as background jobs with a progress bar


def export_rows(listing: Listing, user, params, *, reveal: bool):
    # Export is a capability like any other: only rows where the user holds it, not every row
    # the listing's own capability shows (a leader here may be a read-only supplier elsewhere).
    rows = scope(listing.rows(user, params), user, Cap.EXPORT)
    if reveal:
        rows = scope(rows, user, Cap.SENSITIVE_REVEAL)
    return rows


def write_export(
    listing: Listing,
    rows: Iterable,
    target,
    fmt: str,
    *,
    reveal: bool,
    total: int,
    progress: Progress | None = None,
) -> int:
    """Write rows to ``target``: a text stream for csv; a path or a binary buffer for xlsx."""
    columns = listing.table.columns
    written = 0
    if fmt == "csv":
        writer = csv.writer(target)
        writer.writerow([force_str(c.label) for c in columns])
        for obj in rows:
            writer.writerow([display(c.value(obj, reveal=reveal)) for c in columns])
            written += 1
            if progress and written % 2000 == 0:
                progress(written, total)
    else:
        options = {"in_memory": True} if isinstance(target, io.BytesIO) else {"constant_memory": True}
        workbook = xlsxwriter.Workbook(target, options)
        sheet = workbook.add_worksheet(
            force_str(listing.title or listing.model._meta.verbose_name_plural)[:31]
        )
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        sheet.write_row(0, 0, [force_str(c.label) for c in columns], workbook.add_format({"bold": True}))
        for obj in rows:
            written += 1
            for col, column in enumerate(columns):
                value = excel_value(column.value(obj, reveal=reveal))
                if hasattr(value, "year"):
                    sheet.write_datetime(written, col, value, date_format)
                elif isinstance(value, float):
                    sheet.write_number(written, col, value, money)
                else:
                    sheet.write(written, col, value)
            if progress and written % 2000 == 0:
                progress(written, total)
        workbook.close()
    if progress:
        progress(written, total)
    return written


def filename(listing: Listing, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{listing.key.replace('.', '-')}-{stamp}.{fmt}"


def export_response(listing: Listing, rows, fmt: str, *, reveal: bool) -> HttpResponse:
    """A small export, written in the request."""
    total = rows.count()
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel reads UTF-8 CSV correctly only with a BOM
        write_export(listing, rows.iterator(chunk_size=2000), buffer, fmt, reveal=reveal, total=total)
        content = buffer.getvalue().encode("utf-8")
    else:
        binary = io.BytesIO()
        write_export(listing, rows.iterator(chunk_size=2000), binary, fmt, reveal=reveal, total=total)
        content = binary.getvalue()
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(listing, fmt)}"'
    return response


@job_handler("export")
def export_job(job, progress: Progress) -> dict:
    listing = LISTINGS[job.params["listing"]]
    params = QueryDict(mutable=True)
    for key, values in job.params.get("query", {}).items():
        params.setlist(key, values)
    fmt, reveal = job.params["format"], job.params.get("reveal", False)
    rows = export_rows(listing, job.created_by, params, reveal=reveal)
    total = rows.count()
    progress(0, total)
    name = filename(listing, fmt)
    path = Path(job_files_dir()) / f"{job.pk}-{name}"
    stream = rows.iterator(chunk_size=2000)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            count = write_export(listing, stream, handle, fmt, reveal=reveal, total=total, progress=progress)
    else:
        count = write_export(listing, stream, str(path), fmt, reveal=reveal, total=total, progress=progress)
    job.result_file = path.name
    job.save(update_fields=["result_file"])
    return {"rows": count, "filename": name}
