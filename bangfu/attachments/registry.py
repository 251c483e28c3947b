"""Which models may carry attachments, and who may see, add and remove them.

An app registers its models in its AppConfig.ready():

    register(Project, view=Cap.ASSISTANCE_VIEW, edit=Cap.PROJECT_MANAGE,
             public_owners=lambda: public_projects(day=today()))

``view``/``edit``: the capabilities that reach the owner (through core scoping, so the
attachment is visible exactly to whoever can see the owner). ``append_only``: attachments
can be added but never removed (a ledger row's vouchers). ``public_owners``: the owners
whose public attachments anyone may see without logging in; None: never public.
``max_per_owner``: how many attachments one owner may carry at most (a visit's photos); None: no limit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import Http404


@dataclass(frozen=True)
class OwnerSpec:
    model: type[Model]
    view: str
    edit: str
    append_only: bool = False
    public_owners: Callable[[], QuerySet] | None = None
    max_per_owner: int | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def publishable(self) -> bool:
        return self.public_owners is not None


_SPECS: dict[str, OwnerSpec] = {}


def register(
    model: type[Model],
    *,
    view: str,
    edit: str,
    append_only: bool = False,
    public_owners: Callable[[], QuerySet] | None = None,
    max_per_owner: int | None = None,
) -> OwnerSpec:
    spec = OwnerSpec(model, view, edit, append_only, public_owners, max_per_owner)
    _SPECS[spec.key] = spec
    return spec


def spec_for(model_or_instance) -> OwnerSpec:
    """The registration of a model (or of an instance's model); LookupError if it has none."""
    key = model_or_instance._meta.label_lower
    try:
        return _SPECS[key]
    except KeyError as error:
        raise LookupError(f"{key} does not take attachments") from error


def spec_by_key(key: str) -> OwnerSpec:
    """The registration named in a URL (``assistance.project``); 404 for anything else."""
    try:
        return _SPECS[key]
    except KeyError as error:
        raise Http404 from error


def registered() -> list[OwnerSpec]:
    return list(_SPECS.values())
