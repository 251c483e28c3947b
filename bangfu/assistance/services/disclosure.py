"""Public disclosure (公示): a project's disclosure period, and the public's feedback on it.

Feedback comes from people without an account, so it is guarded twice: a hidden field that
people never see and form-filling robots do (the honeypot: such a message is dropped without
saying so), and a limit of FEEDBACK_LIMIT messages per client per FEEDBACK_WINDOW, counted
from the stored messages, so every server process sees the same count (on PostgreSQL one
sender's messages take a transaction-level advisory lock, so a burst cannot slip past it).
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bangfu.audit.models import Action
from bangfu.audit.services import acting_user, record_change, snapshot
from bangfu.core.permissions import Cap

from ..errors import AssistanceError
from ..errors import AssistanceErrorCode as Code
from ..models import Feedback, FeedbackStatus, Project
from .funds import _check_scope, _today

FEEDBACK_LIMIT = 3
FEEDBACK_WINDOW = datetime.timedelta(minutes=10)
MESSAGE_LENGTH = 1000


def project_disclose(
    *, actor, project: Project, disclosed_from: datetime.date, disclosed_until: datetime.date | None
) -> Project:
    """Publish a project on the public pages from ``disclosed_from``; feedback is taken until
    ``disclosed_until`` (inclusive; none: open-ended)."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code)
    if disclosed_until is not None and disclosed_until < disclosed_from:
        raise AssistanceError(Code.INVALID_DATES, "disclosed_until")
    with transaction.atomic():
        before = snapshot(project)
        project.disclosed_from, project.disclosed_until = disclosed_from, disclosed_until
        project.save(update_fields=["disclosed_from", "disclosed_until"])
        record_change(actor=acting_user(actor), instance=project, action=Action.UPDATE, before=before)
    return project


def client_key(address: str | None) -> str:
    """A keyed hash of the sender's address: enough to count, not enough to recover it."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def feedback_submit(
    *, project: Project, message: str, contact: str = "", address: str | None, honeypot: str = ""
) -> Feedback | None:
    """Store a public message on a disclosed project for the office's queue. Returns None (and
    stores nothing) when the honeypot field was filled."""
    if honeypot.strip():
        return None
    if not project.takes_feedback(_today()):
        raise AssistanceError(Code.FEEDBACK_CLOSED)
    message = message.strip()
    if not message or len(message) > MESSAGE_LENGTH:
        raise AssistanceError(Code.MESSAGE_REQUIRED, "message")
    key = client_key(address)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One sender's messages queue here, so a burst cannot all pass the count before any is stored.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        recent = Feedback.objects.filter(
            client_key=key, created_at__gte=timezone.now() - FEEDBACK_WINDOW
        ).count()
        if recent >= FEEDBACK_LIMIT:
            raise AssistanceError(Code.FEEDBACK_TOO_MANY)
        feedback = Feedback(
            project=project,
            region_code=project.region_code,
            message=message,
            contact=contact.strip()[:100],
            client_key=key,
        )
        feedback.save(force_insert=True)
        record_change(actor=None, instance=feedback, action=Action.CREATE)
    return feedback


def feedback_handle(*, actor, feedback: Feedback, reply: str) -> Feedback:
    """The office answers a message and closes it."""
    _check_scope(actor, Cap.PROJECT_MANAGE, feedback.region_code)
    if not reply.strip():
        raise AssistanceError(Code.MESSAGE_REQUIRED, "reply")
    with transaction.atomic():
        before = snapshot(feedback)
        feedback.reply, feedback.status = reply.strip()[:500], FeedbackStatus.HANDLED
        feedback.save(update_fields=["reply", "status"])
        record_change(actor=acting_user(actor), instance=feedback, action=Action.UPDATE, before=before)
    return feedback
