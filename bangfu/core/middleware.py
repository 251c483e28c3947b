from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

PUBLIC_PREFIXES = ("/api/", "/static/", "/public/", "/i18n/", "/healthz", "/supermarket/honour/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login except the API (its own token auth) and public pages."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(PUBLIC_PREFIXES) or request.path_info.startswith(settings.STATIC_URL):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
