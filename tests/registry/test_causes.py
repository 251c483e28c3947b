"""The cause-of-poverty code list comes back where a database was emptied by flush."""

import pytest

from bangfu.registry.causes import CAUSES, causes_ensure
from bangfu.registry.models import PovertyCause

pytestmark = pytest.mark.django_db


def test_the_code_list_is_there_after_migrating_and_is_restored_once_emptied():
    assert causes_ensure() == 0  # the data migration wrote it
    PovertyCause.objects.filter(parent__isnull=False).delete()
    PovertyCause.objects.all().delete()
    assert causes_ensure() == len(CAUSES)
    assert sorted(PovertyCause.objects.values_list("code", "name", "parent_id")) == sorted(CAUSES)
    assert causes_ensure() == 0
