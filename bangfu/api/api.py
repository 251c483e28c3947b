"""The REST API at /api/v1: one router per domain app, the same scoping as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bangfu import __version__
from bangfu.accounts.api import router as accounts_router
from bangfu.assistance.api import router as assistance_router
from bangfu.attachments.api import router as attachments_router
from bangfu.consumption.api import router as consumption_router
from bangfu.consumption.campaigns.api import router as campaigns_router
from bangfu.core.api import AUTH
from bangfu.fieldwork.api import router as fieldwork_router
from bangfu.monitoring.api import router as monitoring_router
from bangfu.regions.api import router as regions_router
from bangfu.reports.api import router as reports_router
from bangfu.supermarket.api import router as supermarket_router

api = NinjaAPI(
    title="bangfu API",
    version=f"1 ({__version__})",
    description="Targeted rural assistance: every list is narrowed to the caller's region scope. "
    "Authenticate with `Authorization: Bearer <personal token>` (create one on your account page).",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", accounts_router)
api.add_router("/regions", regions_router)
api.add_router("/consumption", consumption_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/supermarket", supermarket_router)
api.add_router("/fieldwork", fieldwork_router)
api.add_router("/assistance", assistance_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/attachments", attachments_router)
api.add_router("/reports", reports_router)


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def django_validation_error(request, exc: ValidationError):
    fields = (
        {k: [str(m) for m in v] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else None
    )
    return _error(request, 422, "invalid", "; ".join(exc.messages), fields)


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [
            str(part) for part in item.get("loc", []) if part not in ("body", "payload", "query", "path")
        ]
        fields.setdefault(".".join(location) or "__all__", []).append(item.get("msg", "invalid"))
    return _error(request, 422, "invalid", "request data is invalid", fields)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "not found")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, "forbidden", "your roles do not allow this operation")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "a valid API token is required")


# Errors ninja raises itself (an unparseable body, a session caller's failed CSRF check)
# answer in the same shape as ours instead of ninja's {"detail": …}.
HTTP_ERROR_CODES = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "error"), str(exc))
