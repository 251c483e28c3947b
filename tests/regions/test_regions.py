"""Administrative divisions: loading the shipped dataset, and the region pages."""

from collections import Counter

import pytest
from django.db.models import Exists, OuterRef
from django.urls import reverse

from bangfu.core.permissions import Role
from bangfu.regions.models import Region, RegionDataset
from bangfu.regions.services import DATA_FILE, dataset_rows, regions_complete, regions_load
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

# The shipped dataset, level by level (SOURCE.md explains 2,975 counties rather than 2,978).
COUNTRY = {"province": 31, "city": 342, "county": 2_975, "township": 41_351, "village": 620_572}
HENAN, PINGDINGSHAN = "410000000000", "410400000000"


def _rows() -> list[tuple]:
    return list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))


def _file_codes(prefix: str) -> set[str]:
    return {code for code, *_rest in dataset_rows(DATA_FILE, prefix) if code.startswith(prefix)}


# Loading ------------------------------------------------------------------------------------------------


def test_load_a_county_brings_its_subtree_and_ancestors(db):
    assert Region.objects.count() == 0

    loaded = regions_load(prefix="410423")

    subtree = _file_codes("410423")
    codes = set(Region.objects.values_list("code", flat=True))
    assert codes == subtree | {HENAN, PINGDINGSHAN}
    assert loaded == len(codes)
    assert len(subtree) > 500  # townships and villages of 鲁山县, not just the county row
    assert OTHER_COUNTY not in codes
    county = Region.objects.get(code=DEMO_COUNTY)
    assert (county.name, county.level, county.parent_id) == ("鲁山县", "county", PINGDINGSHAN)
    village = Region.objects.get(code=DEMO_VILLAGE)
    assert (village.level, village.parent_id) == ("village", DEMO_TOWNSHIP)
    assert Region.objects.get(code=HENAN).parent_id is None
    assert RegionDataset.objects.get().rows == loaded


def test_load_reports_progress(db):
    calls = []
    total = regions_load(prefix="410423101", progress=lambda done, of: calls.append((done, of)))
    assert calls
    assert calls[-1] == (total, total)


@pytest.mark.django_db(transaction=True)
def test_loading_twice_leaves_identical_rows():
    """Each load commits, as it does from the CLI; the second one changes nothing."""
    regions_load(prefix="410423")
    first = _rows()
    Region.objects.filter(code=DEMO_VILLAGE).update(name="改过的名字")  # a second load repairs this

    regions_load(prefix="410423")

    assert _rows() == first
    assert RegionDataset.objects.count() == 2


@pytest.mark.parametrize("prefix", ["41a", "x", "4104230000001", "41-04", " 41", "41 "])
def test_bad_prefix_is_refused_and_writes_nothing(db, prefix):
    with pytest.raises(ValueError, match="region prefix"):
        regions_load(prefix=prefix)
    assert Region.objects.count() == 0
    assert RegionDataset.objects.count() == 0


def test_complete(db):
    """Each call reads the shipped file once (about a second), so the checks are few."""
    assert not regions_complete("410423")
    regions_load(prefix="410423")

    assert regions_complete("410423")
    assert not regions_complete("4104")  # only one county of the city is here

    Region.objects.filter(code=DEMO_VILLAGE).delete()
    assert not regions_complete("410423")


def test_shipped_file_has_the_documented_counts():
    """No database needed: the file itself, level by level."""
    rows = list(dataset_rows(DATA_FILE, ""))
    codes = [code for code, *_rest in rows]

    assert Counter(level for _code, _name, level, _parent in rows) == COUNTRY
    assert len(codes) == len(set(codes)) == sum(COUNTRY.values())
    known = set(codes)
    orphans = [code for code, _name, level, parent in rows if level != "province" and parent not in known]
    assert orphans == []
    assert all(parent is None for _code, _name, level, parent in rows if level == "province")
    assert all(len(code) == 12 and code.isdigit() for code in codes)


@pytest.mark.postgres
def test_whole_country_loads_with_exact_counts(db):
    loaded = regions_load()

    assert _level_counts() == COUNTRY
    assert loaded == sum(COUNTRY.values())
    non_provinces = Region.objects.exclude(level="province")
    assert not non_provinces.filter(parent__isnull=True).exists()
    # NOT EXISTS, an anti-join: NOT IN over 665k codes would be a nested scan
    parent = Region.objects.filter(code=OuterRef("parent_id"))
    assert not non_provinces.filter(~Exists(parent)).exists()
    assert not Region.objects.filter(level="province", parent__isnull=False).exists()
    # a parent's code is a prefix of its children's, so scoping by prefix finds the whole subtree
    assert not non_provinces.exclude(code__startswith=_parent_prefix()).exists()
    assert regions_complete()


def _level_counts() -> dict[str, int]:
    from django.db.models import Count

    return {row["level"]: row["n"] for row in Region.objects.values("level").annotate(n=Count("code"))}


def _parent_prefix():
    """The parent's own prefix (its code cut to its level's length), as a query expression."""
    from django.db.models import Case, F, IntegerField, Value, When
    from django.db.models.functions import Left

    from bangfu.regions.models import PREFIX_LENGTH

    length = Case(
        *[When(parent__level=level, then=Value(size)) for level, size in PREFIX_LENGTH.items()],
        output_field=IntegerField(),
    )
    return Left(F("parent__code"), length)


# Pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def browser(make_user, client_for):
    return client_for(make_user(Role.CADRE, DEMO_COUNTY))


def test_list_page_shows_only_the_scope(browser):
    response = browser.get(reverse("regions:region-list"), {"level": "county"})
    assert response.status_code == 200
    assert [row[0].code for row in response.context["rows"]] == [DEMO_COUNTY]

    everything = browser.get(reverse("regions:region-list")).context["page"].paginator.count
    assert everything == Region.objects.filter(code__startswith="410423").count()


def test_list_page_filters(browser, regions):
    def codes(params):
        return [row[0].code for row in browser.get(reverse("regions:region-list"), params).context["rows"]]

    assert DEMO_TOWNSHIP in codes({"parent": DEMO_COUNTY})
    assert {r.level for r in regions.filter(code__in=codes({"parent": DEMO_COUNTY}))} == {"township"}
    assert codes({"q": "下汤镇"}) == [DEMO_TOWNSHIP]
    assert codes({"q": DEMO_VILLAGE}) == [DEMO_VILLAGE]
    assert codes({"q": "新华区"}) == []


def test_drill_down_from_county_to_village(browser, regions):
    county = browser.get(reverse("regions:region-detail", args=[DEMO_COUNTY]))
    assert county.status_code == 200
    children = [child.code for child in county.context["children"]]
    assert children == sorted(regions.filter(parent_id=DEMO_COUNTY).values_list("code", flat=True))
    assert county.context["children_count"] == len(children)
    township_link = reverse("regions:region-detail", args=[DEMO_TOWNSHIP])
    assert f'href="{township_link}"' in county.content.decode()

    township = browser.get(township_link)
    assert township.status_code == 200
    assert ("所属", "河南省 / 平顶山市 / 鲁山县") in [(str(k), v) for k, v in township.context["field_rows"]]
    village_link = reverse("regions:region-detail", args=[DEMO_VILLAGE])
    assert f'href="{village_link}"' in township.content.decode()

    village = browser.get(village_link)
    assert village.status_code == 200
    assert village.context["children_count"] == 0
    assert "无下级区划" in village.content.decode()


def test_detail_outside_scope_or_unknown_is_missing(browser, regions):
    for code in (OTHER_COUNTY, PINGDINGSHAN, "999999999999", "not-a-code"):
        assert browser.get(reverse("regions:region-detail", args=[code])).status_code == 404
