"""Roles and capabilities: the one table that says who may do what.

A user holds roles through memberships (accounts.Membership); each membership
carries region scopes. A capability is granted within the scopes of the
memberships whose role has it, so an office user in one county and a leader in
another can edit in the first and only read in the second.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    OFFICE = "office", _("帮扶办公室")
    CADRE = "cadre", _("驻村干部")
    BUYER = "buyer", _("采购单位")
    SUPPLIER = "supplier", _("供应商")
    MEMBER = "member", _("工会会员")
    STORE_KEEPER = "store_keeper", _("超市管理员")
    LEADER = "leader", _("领导(只读)")
    AUDITOR = "auditor", _("审计")


class Cap:
    """Capability names. Views, API operations and services ask for one of these."""

    DASHBOARD_VIEW = "dashboard.view"
    REGION_VIEW = "region.view"
    ORGANIZATION_VIEW = "organization.view"
    ORGANIZATION_MANAGE = "organization.manage"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"
    SENSITIVE_REVEAL = "sensitive.reveal"
    EXPORT = "export"
    JOB_VIEW = "job.view"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    IMPORT = "import"
    CONSUMPTION_VIEW = "consumption.view"
    SUPPLIER_MANAGE = "supplier.manage"
    PRODUCT_MANAGE = "product.manage"
    PURCHASE_RECORD = "purchase.record"
    QUOTA_MANAGE = "quota.manage"
    CAMPAIGN_MANAGE = "campaign.manage"
    CAMPAIGN_ORDER = "campaign.order"
    PICKUP_SCAN = "pickup.scan"
    SUPERMARKET_VIEW = "supermarket.view"
    SUPERMARKET_MANAGE = "supermarket.manage"
    SUPERMARKET_COUNTER = "supermarket.counter"
    DONATION_RECORD = "donation.record"
    POINTS_AWARD = "points.award"
    DELIVERY_REQUEST = "delivery.request"
    FIELDWORK_VIEW = "fieldwork.view"
    TEAM_MANAGE = "team.manage"
    ATTENDANCE_CHECKIN = "attendance.checkin"
    LEAVE_APPROVE = "leave.approve"
    VISIT_RECORD = "visit.record"
    ASSISTANCE_VIEW = "assistance.view"
    PROJECT_MANAGE = "project.manage"
    FUNDS_RECORD = "funds.record"
    FUNDS_OVERRIDE = "funds.override"
    MONITORING_VIEW = "monitoring.view"
    RISK_RECORD = "risk.record"
    THRESHOLD_MANAGE = "threshold.manage"
    CASE_VILLAGE = "case.village"  # home verification, democratic review, public notice, measures
    CASE_TOWNSHIP = "case.township"  # township preliminary check (scope must cover the township)
    CASE_COUNTY = "case.county"  # county decision (scope must cover the county)


ALL = frozenset(v for k, v in vars(Cap).items() if k.isupper())
_READ = {Cap.DASHBOARD_VIEW, Cap.REGION_VIEW, Cap.ORGANIZATION_VIEW, Cap.JOB_VIEW}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: ALL,
    Role.OFFICE: frozenset(
        _READ
        | {
            Cap.ORGANIZATION_MANAGE,
            Cap.USER_VIEW,
            Cap.AUDIT_VIEW,
            Cap.SENSITIVE_REVEAL,
            Cap.EXPORT,
            Cap.REGISTRY_VIEW,
            Cap.REGISTRY_EDIT,
            Cap.IMPORT,
            Cap.CONSUMPTION_VIEW,
            Cap.SUPPLIER_MANAGE,
            Cap.PRODUCT_MANAGE,
            Cap.PURCHASE_RECORD,
            Cap.QUOTA_MANAGE,
            Cap.CAMPAIGN_MANAGE,
            Cap.PICKUP_SCAN,
            Cap.SUPERMARKET_VIEW,
            Cap.SUPERMARKET_MANAGE,
            Cap.SUPERMARKET_COUNTER,
            Cap.DONATION_RECORD,
            Cap.POINTS_AWARD,
            Cap.DELIVERY_REQUEST,
            Cap.FIELDWORK_VIEW,
            Cap.TEAM_MANAGE,
            Cap.LEAVE_APPROVE,
            Cap.VISIT_RECORD,
            Cap.ASSISTANCE_VIEW,
            Cap.PROJECT_MANAGE,
            Cap.FUNDS_RECORD,
            Cap.FUNDS_OVERRIDE,
            Cap.MONITORING_VIEW,
            Cap.RISK_RECORD,
            Cap.THRESHOLD_MANAGE,
            Cap.CASE_VILLAGE,
            Cap.CASE_TOWNSHIP,
            Cap.CASE_COUNTY,
        }
    ),
    Role.CADRE: frozenset(
        _READ
        | {
            Cap.SENSITIVE_REVEAL,
            Cap.REGISTRY_VIEW,
            Cap.REGISTRY_EDIT,
            Cap.SUPERMARKET_VIEW,
            Cap.POINTS_AWARD,
            Cap.DELIVERY_REQUEST,
            Cap.FIELDWORK_VIEW,
            Cap.ATTENDANCE_CHECKIN,
            Cap.VISIT_RECORD,
            Cap.ASSISTANCE_VIEW,
            Cap.MONITORING_VIEW,
            Cap.RISK_RECORD,
            Cap.CASE_VILLAGE,
        }
    ),
    Role.BUYER: frozenset(
        _READ
        | {
            Cap.EXPORT,
            Cap.IMPORT,
            Cap.CONSUMPTION_VIEW,
            Cap.PURCHASE_RECORD,
            Cap.CAMPAIGN_MANAGE,
            Cap.PICKUP_SCAN,
        }
    ),
    Role.SUPPLIER: frozenset(_READ | {Cap.CONSUMPTION_VIEW, Cap.PRODUCT_MANAGE, Cap.PICKUP_SCAN}),
    Role.MEMBER: frozenset({Cap.DASHBOARD_VIEW, Cap.JOB_VIEW, Cap.CAMPAIGN_ORDER}),
    Role.STORE_KEEPER: frozenset(
        _READ
        | {
            Cap.REGISTRY_VIEW,
            Cap.SUPERMARKET_VIEW,
            Cap.SUPERMARKET_COUNTER,
            Cap.DONATION_RECORD,
            Cap.DELIVERY_REQUEST,
        }
    ),
    Role.LEADER: frozenset(
        _READ
        | {
            Cap.USER_VIEW,
            Cap.EXPORT,
            Cap.REGISTRY_VIEW,
            Cap.CONSUMPTION_VIEW,
            Cap.SUPERMARKET_VIEW,
            Cap.FIELDWORK_VIEW,
            Cap.ASSISTANCE_VIEW,
            Cap.MONITORING_VIEW,
        }
    ),
    Role.AUDITOR: frozenset(
        _READ
        | {
            Cap.USER_VIEW,
            Cap.AUDIT_VIEW,
            Cap.AUDIT_VERIFY,
            Cap.EXPORT,
            Cap.REGISTRY_VIEW,
            Cap.CONSUMPTION_VIEW,
            Cap.SUPERMARKET_VIEW,
            Cap.FIELDWORK_VIEW,
            Cap.ASSISTANCE_VIEW,
            Cap.MONITORING_VIEW,
        }
    ),
}


def role_has(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
