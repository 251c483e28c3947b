from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.core.permissions import Cap
from bangfu.core.views import requires

from . import engine
from .forms import ImportForm
from .models import ImportRun, Mode, RunStatus
from .readers import ReadError
from .spec import SPECS
from .templates_xlsx import annotated_errors_bytes, template_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ISSUES = 500  # on the page; the error workbook has them all


def _own_run(request, pk: int) -> ImportRun:
    engine.runs_sweep(ImportRun.objects.filter(pk=pk))
    return get_object_or_404(ImportRun, pk=pk, created_by=request.user)


@requires(Cap.IMPORT)
def run_list(request):
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None, user=request.user)
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = engine.import_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                source=upload,
                original_name=upload.name,
                mode=form.cleaned_data["mode"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ReadError as error:
            form.add_error("file", str(error))
        else:
            engine.import_enqueue(run)
            return redirect(run)
    engine.runs_sweep(ImportRun.objects.filter(created_by=request.user))
    runs = ImportRun.objects.filter(created_by=request.user).select_related("job")[:50]
    runs = [(run, SPECS[run.kind].title if run.kind in SPECS else run.kind) for run in runs]
    specs = [(kind, spec) for kind, spec in SPECS.items() if request.user.has_capability(spec.capability)]
    return render(
        request,
        "imports/run_list.html",
        {"form": form, "runs": runs, "specs": specs, "title": _("数据导入")},
        status=400 if form.errors else 200,
    )


@requires(Cap.IMPORT)
def run_detail(request, pk: int):
    run = _own_run(request, pk)
    issues = list(run.issues.all()[: SHOWN_ISSUES + 1])
    context = {
        "run": run,
        "job": run.job,
        "issues": issues[:SHOWN_ISSUES],
        "more_issues": len(issues) > SHOWN_ISSUES,
        "title": str(run.original_name),
        "spec": SPECS.get(run.kind),
    }
    if getattr(request, "htmx", False):
        return render(request, "imports/_run_status.html", context)
    return render(request, "imports/run_detail.html", context)


@require_POST
@requires(Cap.IMPORT)
def run_apply(request, pk: int):
    """Import for real a file whose dry run came back clean (or with skippable rows)."""
    run = _own_run(request, pk)
    if run.status != RunStatus.CHECKED:
        messages.error(request, _("只有试运行完成的导入可以正式写入。"))
        return redirect(run)
    try:
        # Rows the dry run found bad are skipped: the button says so.
        mode = Mode.SKIP_BAD_ROWS if run.error_rows else run.mode
        real = engine.import_rerun(run=run, dry_run=False, mode=mode)
    except ReadError as error:
        messages.error(request, str(error))
        return redirect(run)
    engine.import_enqueue(real)
    return redirect(real)


@requires(Cap.IMPORT)
def template_download(request, kind: str):
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    if not request.user.has_capability(spec.capability):
        raise PermissionDenied
    response = HttpResponse(template_bytes(spec), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bangfu-{kind}-template.xlsx"'
    return response


@requires(Cap.IMPORT)
def errors_download(request, pk: int):
    run = _own_run(request, pk)
    if not run.error_rows:
        raise Http404
    path = engine.imports_dir() / run.stored_name
    if not path.exists():
        raise Http404
    response = HttpResponse(annotated_errors_bytes(run, path), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="errors-{run.pk}.xlsx"'
    return response
