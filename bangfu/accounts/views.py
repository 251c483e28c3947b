from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.core.permissions import Cap
from bangfu.core.views import ObjectDetailView, ObjectEditView, ObjectListView, _attach_errors

from . import listings, services
from .forms import LoginForm, OrganizationForm, PasswordChangeForm, TokenForm
from .models import ApiToken, Organization, User


@login_not_required
def login_view(request):
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        target = request.POST.get("next") or request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "title": _("登录")}, status=status)


class Logout(LogoutView):
    pass


def profile(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=request.user, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("密码已修改,请重新登录。"))
            return redirect("accounts:login")
    memberships = request.user.memberships.select_related("organization").prefetch_related("regions")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships, "title": _("我的账户")},
        status=400 if form.errors else 200,
    )


def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=request.user),
            "title": _("API令牌"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request, pk: int):
    """Another user's token is missing (404), like any object outside the user's reach."""
    try:
        services.token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")


class OrganizationListView(ObjectListView):
    listing = listings.organizations
    create_url_name = "accounts:organization-create"
    create_capability = Cap.ORGANIZATION_MANAGE


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    capability = Cap.ORGANIZATION_VIEW
    # whether it has child units is read with it: most have none, and then no query lists them
    queryset = staticmethod(
        lambda: Organization.objects.select_related("region", "parent").annotate(
            has_children=Exists(Organization.objects.filter(parent=OuterRef("pk")))
        )
    )
    edit_url_name = "accounts:organization-edit"
    edit_capability = Cap.ORGANIZATION_MANAGE
    fields = [
        (gettext_lazy("名称"), "name"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("上级单位"), "parent"),
        (gettext_lazy("所在地区"), lambda o: f"{o.region.name} ({o.region_code})"),
        (gettext_lazy("统一社会信用代码"), "credit_code"),
        (gettext_lazy("联系人"), "contact_name"),
        (gettext_lazy("地址"), "address"),
        (gettext_lazy("有效"), "is_active"),
        (
            gettext_lazy("下级单位"),
            lambda o: _("、").join(c.name for c in o.children.all()[:50]) if o.has_children else "",
        ),
    ]
    template_name = "accounts/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # assistance: the organisation's partnerships and projects within the user's scope
        from bangfu.assistance.selectors import organization_assistance

        context["assistance"] = organization_assistance(
            user=self.request.user, organization=context["object"]
        )
        # end assistance
        return context


class OrganizationCreateView(ObjectEditView):
    model = Organization
    form_class = OrganizationForm
    capability = Cap.ORGANIZATION_MANAGE
    success_url_name = "accounts:organization-detail"


class OrganizationEditView(OrganizationCreateView):
    pass


class UserListView(ObjectListView):
    listing = listings.users


class UserDetailView(ObjectDetailView):
    model = User
    capability = Cap.USER_VIEW
    fields = [
        (gettext_lazy("用户名"), "username"),
        (gettext_lazy("姓名"), "display_name"),
        (gettext_lazy("有效"), "is_active"),
        (gettext_lazy("最近登录"), "last_login"),
        (
            gettext_lazy("角色与管辖范围"),
            lambda u: ";".join(
                f"{m.organization} · {m.get_role_display()} · {_('、').join(r.name for r in m.regions.all())}"
                for m in u.memberships.select_related("organization").prefetch_related("regions")
            ),
        ),
    ]
