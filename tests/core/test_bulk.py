"""core.bulk: COPY inserts keep the planner's statistics of a table they grow."""

import pytest
from django.db import connection

from bangfu.core import bulk
from bangfu.imports.models import ImportIssue, ImportRun


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_table_grown_from_empty_is_analyzed_inside_the_transaction(django_user_model):
    user = django_user_model.objects.create_user(username="loader", password="x")
    run = ImportRun.objects.create(
        kind="persons", original_name="a.csv", stored_name="a", size=1, sha256="0", created_by=user
    )
    bulk._inserted.clear()

    def estimate() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'imports_importissue'::regclass")
            return cursor.fetchone()[0]

    rows = ([run.pk, number, "姓名", "", "必填"] for number in range(bulk.ANALYZE_AFTER - 1))
    bulk.insert_rows(ImportIssue, ["run_id", "row", "column", "value", "reason"], rows)
    assert estimate() < bulk.ANALYZE_AFTER  # not yet: below the threshold
    bulk.insert_rows(
        ImportIssue, ["run_id", "row", "column", "value", "reason"], [[run.pk, 0, "", "", "x"]] * 2
    )
    assert estimate() >= bulk.ANALYZE_AFTER  # counted, though nothing is committed
    assert ImportIssue.objects.count() == bulk.ANALYZE_AFTER + 1
