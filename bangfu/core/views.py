"""Generic pages every domain app reuses: list, detail, create/edit, reveal, jobs, home."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import exports
from .jobs import job_enqueue, job_files_dir, jobs_sweep
from .listings import Listing
from .models import Job
from .permissions import Cap
from .scoping import get_scoped_or_404, scope
from .tables import display


class CapabilityRequiredMixin(AccessMixin):
    """Refuses (403) users who hold ``capability`` nowhere; scope narrows the rest."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.capability or not request.user.has_capability(self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def requires(capability: str) -> Callable:
    """The same check for function views."""

    def decorate(view):
        def wrapped(request, *args, **kwargs):
            if not request.user.has_capability(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


class ObjectListView(CapabilityRequiredMixin, TemplateView):
    """A scoped, filterable, sortable, paginated list with xlsx/csv export."""

    listing: Listing
    template_name = "core/object_list.html"
    partial_template_name = "core/_object_table.html"
    paginate_by = 50
    create_url_name: str | None = None
    create_capability: str | None = None

    @property
    def capability(self) -> str:  # type: ignore[override]
        return self.listing.capability

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt:
            return self.export(request, fmt)
        return super().get(request, *args, **kwargs)

    def export(self, request, fmt: str):
        if fmt not in exports.FORMATS:
            raise Http404
        if not request.user.has_capability(Cap.EXPORT):
            raise PermissionDenied
        reveal = request.GET.get("reveal") == "1" and self.listing.table.has_sensitive()
        if reveal and not request.user.has_capability(Cap.SENSITIVE_REVEAL):
            raise PermissionDenied
        params = request.GET.copy()
        for key in ("export", "reveal", "page"):
            params.pop(key, None)
        rows = exports.export_rows(self.listing, request.user, params, reveal=reveal)
        if reveal:
            from bangfu.audit.services import record_access

            record_access(
                actor=request.user,
                instance=None,
                field=f"export:{self.listing.key}",
                purpose=_("导出明文 %(count)d 行") % {"count": rows.count()},
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        if rows.count() <= exports.SYNC_LIMIT:
            return exports.export_response(self.listing, rows, fmt, reveal=reveal)
        job = job_enqueue(
            kind="export",
            title=_("导出:%(title)s") % {"title": self.listing.title},
            user=request.user,
            params={
                "listing": self.listing.key,
                "format": fmt,
                "reveal": reveal,
                "query": dict(params.lists()),
            },
        )
        return redirect("core:job-detail", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        filterset = self.listing.filterset(request.GET, request.user)
        rows = self.listing.rows(request.user, request.GET, filterset=filterset)
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        columns = self.listing.table.columns
        sort = request.GET.get("sort", "")
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            listing=self.listing,
            title=self.listing.title,
            filterset=filterset,
            columns=columns,
            sort=sort,
            page=page,
            rows=[(obj, [(c, display(c.value(obj))) for c in columns]) for obj in page.object_list],
            querystring=query.urlencode(),
            extra_filters=[(f.name, f.label, value) for f, value in self.listing.extra_values(request.GET)],
            column_sum=self.listing.column_sum(rows, request.GET.get("sum", "")),
            can_export=request.user.has_capability(Cap.EXPORT),
            can_reveal=self.listing.table.has_sensitive()
            and request.user.has_capability(Cap.SENSITIVE_REVEAL),
            create_url=reverse(self.create_url_name)
            if self.create_url_name and request.user.has_capability(self.create_capability or "")
            else None,
        )
        return context

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return [self.template_name]


class ObjectDetailView(CapabilityRequiredMixin, TemplateView):
    """One object in scope (404 outside it), its fields, and its change history."""

    model: type[Model]
    queryset: Callable[[], QuerySet] | None = None
    fields: list[tuple[Any, str | Callable]] = []
    template_name = "core/object_detail.html"
    edit_url_name: str | None = None
    edit_capability: str | None = None

    def get_object(self) -> Model:
        base = self.queryset() if self.queryset else self.model._default_manager.all()
        user = self.request.user
        if self.edit_url_name and self.edit_capability and user.has_capability(self.edit_capability):
            # whether the user may edit it, read with the object instead of by a second query
            editable = scope(
                self.model._default_manager.filter(pk=OuterRef("pk")), user, self.edit_capability
            )
            base = base.annotate(_editable=Exists(editable))
        return get_scoped_or_404(base, user, self.capability, pk=self.kwargs["pk"])

    def field_rows(self, obj) -> list[tuple[Any, str]]:
        rows = []
        for label, accessor in self.fields:
            value = accessor(obj) if callable(accessor) else _resolve(obj, accessor)
            rows.append((label, display(value)))
        return rows

    def get_context_data(self, **kwargs):
        from bangfu.audit.selectors import history_for

        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        context.update(
            object=obj,
            title=str(obj),
            model_name=self.model._meta.verbose_name,
            field_rows=self.field_rows(obj),
            history=history_for(obj)[:200],
            edit_url=reverse(self.edit_url_name, args=[obj.pk]) if self._editable(obj) else None,
        )
        return context

    def _editable(self, obj: Model) -> bool:
        if not (self.edit_url_name and self.edit_capability):
            return False
        # None: not read with the object (the user lacks the capability, or a subclass's get_object)
        editable = getattr(obj, "_editable", None)
        if editable is None:
            return _allowed_on(self.request.user, self.edit_capability, obj)
        return editable


def _allowed_on(user, capability: str | None, obj: Model) -> bool:
    if not capability:
        return False
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        display_method = getattr(value, f"get_{part}_display", None)
        value = display_method() if display_method else getattr(value, part)
    return value


class ObjectEditView(CapabilityRequiredMixin, TemplateView):
    """Create or edit through a form whose ``save(actor=…)`` calls the app's service.

    Validation errors raised by the service are shown on the form's fields;
    nothing is written unless the whole service succeeds.
    """

    model: type[Model]
    form_class: type
    template_name = "core/object_form.html"
    success_url_name: str = ""

    def get_object(self) -> Model | None:
        if "pk" not in self.kwargs:
            return None
        return get_scoped_or_404(
            self.model._default_manager.all(), self.request.user, self.capability, pk=self.kwargs["pk"]
        )

    def get_form(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data=data, instance=instance, user=self.request.user)

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.render_form(self.get_form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_object()
        form = self.get_form(instance)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(self.success_url_name, pk=saved.pk)
        return self.render_form(form, instance, status=400)

    def render_form(self, form, instance, status=200):
        verbose = self.model._meta.verbose_name
        title = _("编辑%(name)s") % {"name": verbose} if instance else _("新建%(name)s") % {"name": verbose}
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": instance, "title": title},
            status=status,
        )


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RevealView(View):
    """Show one sensitive value in clear to a user allowed to, and log that they saw it."""

    capability = Cap.SENSITIVE_REVEAL
    registry: dict[str, tuple[type[Model], str]] = {}

    @classmethod
    def register(cls, key: str, model: type[Model], field: str) -> None:
        cls.registry[key] = (model, field)

    def post(self, request, key: str, pk: int):
        from bangfu.audit.services import record_access

        if key not in self.registry:
            raise Http404
        if not request.user.has_capability(self.capability):
            raise PermissionDenied
        model, field = self.registry[key]
        obj = get_scoped_or_404(model._default_manager.all(), request.user, self.capability, pk=pk)
        record_access(
            actor=request.user,
            instance=obj,
            field=field,
            purpose=request.POST.get("purpose", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return HttpResponse(f'<span class="font-monospace">{_escape(getattr(obj, field))}</span>')


def _escape(value) -> str:
    from django.utils.html import escape

    return escape(value or "")


class JobDetailView(CapabilityRequiredMixin, TemplateView):
    capability = Cap.JOB_VIEW
    template_name = "core/job_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs_sweep(Job.objects.filter(pk=self.kwargs["pk"]))
        job = get_object_or_404(Job, pk=self.kwargs["pk"], created_by=self.request.user)
        context.update(job=job, title=job.title)
        return context

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["core/_job_progress.html"]
        return [self.template_name]


class JobListView(CapabilityRequiredMixin, TemplateView):
    capability = Cap.JOB_VIEW
    template_name = "core/job_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs_sweep(Job.objects.filter(created_by=self.request.user))
        context.update(jobs=Job.objects.filter(created_by=self.request.user)[:100], title=_("后台任务"))
        return context


@requires(Cap.JOB_VIEW)
def job_download(request, pk: int):
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    if not job.result_file:
        raise Http404
    path = job_files_dir() / job.result_file
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename", path.name))


class ObjectActionView(CapabilityRequiredMixin, TemplateView):
    """A form that acts on one object in scope (404 outside it): GET shows the form,
    POST calls ``form.save(actor=…)`` (which calls one service) and returns to the object.

    ``parent_kwarg`` names the keyword the form receives the object under; override
    ``form_kwargs`` for more. Service ValidationErrors become field errors, status 400.
    """

    model: type[Model]
    form_class: type
    title: Any = ""
    template_name = "core/object_form.html"
    parent_kwarg: str | None = None
    pass_user = False

    def get_object(self) -> Model:
        return get_scoped_or_404(
            self.model._default_manager.all(), self.request.user, self.capability, pk=self.kwargs["pk"]
        )

    def form_kwargs(self, obj) -> dict:
        kwargs = {self.parent_kwarg: obj} if self.parent_kwarg else {}
        if self.pass_user:
            kwargs["user"] = self.request.user
        return kwargs

    def success_url(self, obj, saved) -> str:
        return obj.get_absolute_url()

    def render_form(self, form, obj, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": obj, "title": self.title},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_form(self.form_class(**self.form_kwargs(obj)), obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.form_class(data=request.POST, files=request.FILES, **self.form_kwargs(obj))
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(self.success_url(obj, saved))
        return self.render_form(form, obj, status=400)
