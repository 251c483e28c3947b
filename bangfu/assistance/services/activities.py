"""Activities (free clinics, trainings, education aid, donations of goods, visits, party-building
events) and the model workers and honoured units who run them, with their yearly results."""

import datetime

from django.db import IntegrityError, transaction

from bangfu.audit.models import Action
from bangfu.audit.services import acting_user, record_change, snapshot
from bangfu.core.permissions import Cap

from ..errors import AssistanceError
from ..errors import AssistanceErrorCode as Code
from ..models import (
    RESULT_FIELDS,
    Activity,
    ActivityKind,
    Helper,
    HelperKind,
    HelperLevel,
    HelperResult,
    Project,
)
from .funds import _check_scope, _today
from .people import EARLIEST_YEAR, _value, _year


def activity_record(
    *,
    actor,
    kind: str,
    title: str,
    date: datetime.date,
    region,
    person_times: int,
    distinct_people: int | None = None,
    value_given=0,
    organization=None,
    organiser: str = "",
    helper: Helper | None = None,
    project: Project | None = None,
    description: str = "",
) -> Activity:
    """One activity in a region: date, organiser, person-times, distinct people where known,
    value given (yuan). A project's activity happens in its regions and within its dates."""
    _check_scope(actor, Cap.PROJECT_MANAGE, region.code, "region")
    if kind not in ActivityKind.values:
        raise AssistanceError(Code.INVALID_KIND, "kind")
    if not title.strip():
        raise AssistanceError(Code.TITLE_REQUIRED, "title")
    if date > _today():
        raise AssistanceError(Code.FUTURE_DATE, "date")
    if date.year < EARLIEST_YEAR:
        raise AssistanceError(Code.INVALID_YEAR, "date")
    if (
        person_times is None
        or person_times <= 0
        or (distinct_people is not None and not 0 <= distinct_people <= person_times)
    ):
        raise AssistanceError(Code.INVALID_PEOPLE, "distinct_people")
    value = _value(value_given or 0, "value_given")
    if project is not None:
        from .people import _check_in_project

        _check_in_project(project, region.code, "region")
        if date < project.start_date or (project.end_date is not None and date > project.end_date):
            raise AssistanceError(
                Code.DATE_OUTSIDE_PROJECT, "date", start=project.start_date, end=project.end_date or "—"
            )
    activity = Activity(
        kind=kind,
        title=title.strip(),
        date=date,
        region=region,
        region_code=region.code,
        organization=organization,
        organiser=organiser.strip(),
        helper=helper,
        project=project,
        person_times=person_times,
        distinct_people=distinct_people,
        value_given=value,
        description=description.strip(),
    )
    with transaction.atomic():
        activity.save(force_insert=True)
        record_change(actor=acting_user(actor), instance=activity, action=Action.CREATE)
    return activity


def helper_create(
    *,
    actor,
    kind: str,
    name: str,
    level: str,
    region,
    honours: str = "",
    organization=None,
    studio: str = "",
    description: str = "",
) -> Helper:
    """A model worker (劳动模范) or an honoured unit (先进集体) helping in ``region``."""
    _check_scope(actor, Cap.PROJECT_MANAGE, region.code, "region")
    if kind not in HelperKind.values:
        raise AssistanceError(Code.INVALID_KIND, "kind")
    if level not in HelperLevel.values:
        raise AssistanceError(Code.INVALID_KIND, "level")
    if not name.strip():
        raise AssistanceError(Code.TITLE_REQUIRED, "name")
    helper = Helper(
        kind=kind,
        name=name.strip(),
        level=level,
        region=region,
        region_code=region.code,
        honours=honours.strip(),
        organization=organization,
        studio=studio.strip(),
        description=description.strip(),
    )
    with transaction.atomic():
        helper.save(force_insert=True)
        record_change(actor=acting_user(actor), instance=helper, action=Action.CREATE)
    return helper


def helper_result_record(*, actor, helper: Helper, year: int, **counts: int) -> HelperResult:
    """A helper's results of one year; recording the year again replaces its numbers."""
    _check_scope(actor, Cap.PROJECT_MANAGE, helper.region_code)
    unknown = set(counts) - set(RESULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown results {sorted(unknown)}")
    year = _year(year)
    values = {}
    for name in RESULT_FIELDS:
        value = counts.get(name) or 0
        if int(value) < 0:
            raise AssistanceError(Code.INVALID_VALUE, name)
        values[name] = int(value)
    actor = acting_user(actor)
    with transaction.atomic():
        result = HelperResult.objects.select_for_update().filter(helper=helper, year=year).first()
        if result is None:
            result = HelperResult(helper=helper, year=year, region_code=helper.region_code, **values)
            try:
                with transaction.atomic():
                    result.save(force_insert=True)
            except IntegrityError as error:
                raise AssistanceError(Code.OUTCOME_EXISTS, "year") from error
            record_change(actor=actor, instance=result, action=Action.CREATE)
        else:
            before = snapshot(result)
            for name, value in values.items():
                setattr(result, name, value)
            result.save(update_fields=list(values))
            record_change(actor=actor, instance=result, action=Action.UPDATE, before=before)
    return result
