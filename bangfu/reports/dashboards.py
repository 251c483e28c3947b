"""The home page's dashboards: per role, this year's figures that role acts on, from the scorecard.

Each role names the scorecard sections and figures it watches; the figures are the
scorecard's own (same numbers, same links to the records), built for the user's scope."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Role

from .scorecard import SECTIONS, Period, Scope, build_scorecard

# role -> (title, [(section, [figure keys])])
ROLE_DASHBOARDS: dict[str, tuple] = {
    Role.OFFICE: (
        _("帮扶办公室"),
        [
            ("registry", ["households", "lifted", "safety_net"]),
            ("assistance", ["projects", "invested", "spent"]),
            ("consumption", ["amount", "certified_share", "quota_met"]),
            ("supermarket", ["donation_value", "person_times"]),
            ("fieldwork", ["visits", "compliance_rate"]),
        ],
    ),
    Role.LEADER: (
        _("领导"),
        [
            ("registry", ["households", "lifted"]),
            ("assistance", ["invested", "coordinated"]),
            ("consumption", ["amount", "certified"]),
            ("supermarket", ["donation_value", "person_times"]),
        ],
    ),
    Role.BUYER: (_("采购单位"), [("consumption", ["purchases", "amount", "certified", "certified_share"])]),
    Role.SUPPLIER: (_("供应商"), [("consumption", ["purchases", "amount", "certified"])]),
    Role.STORE_KEEPER: (
        _("超市管理员"),
        [("supermarket", ["donations", "donation_value", "households_served", "person_times"])],
    ),
    Role.CADRE: (
        _("驻村干部"),
        [
            ("fieldwork", ["visits", "households_visited", "compliance_rate"]),
            ("registry", ["households", "safety_net"]),
        ],
    ),
}


def dashboard_for(user, today=None) -> list[dict]:
    """One panel per role the user holds: [{"title", "figures": [Figure]}], this year so far."""
    roles = [role for role in user.roles() if role in ROLE_DASHBOARDS] if user.is_authenticated else []
    if not roles:
        return []
    today = today or timezone.localdate()
    wanted = {key for role in roles for key, _figures in ROLE_DASHBOARDS[role][1] if key in SECTIONS}
    card = build_scorecard(
        user=user, scope=Scope(), period=Period(today.year, today.year), keys=wanted, today=today
    )
    sections = {section.key: section for section in card.sections}
    panels = []
    for role in roles:
        title, watched = ROLE_DASHBOARDS[role]
        figures = []
        for key, figure_keys in watched:
            section = sections.get(key)
            if section is None:
                continue
            for figure_key in figure_keys:
                try:
                    figures.append(section[figure_key])
                except KeyError:
                    continue
        if figures:
            panels.append({"role": role, "title": title, "figures": figures, "year": today.year})
    return panels
