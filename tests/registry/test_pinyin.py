"""Pinyin of names: initials for search, surnames read as surnames, compound surnames."""

import pytest

from bangfu.core import pinyin
from bangfu.registry.models import Person

HOUSEHOLDS = "/registry/households/"
PERSONS = "/registry/persons/"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("周耀伟", "zhou yao wei", "zyw"),
        ("王芳", "wang fang", "wf"),
        ("李建国", "li jian guo", "ljg"),
        ("张秀英", "zhang xiu ying", "zxy"),
    ],
)
def test_ordinary_names(name, full, initials):
    assert pinyin.full(name) == full
    assert pinyin.initials(name) == initials


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        # pypinyin alone reads these as dan, ceng, chou, jie
        ("单田芳", "shan tian fang", "stf"),
        ("曾国藩", "zeng guo fan", "zgf"),
        ("仇英", "qiu ying", "qy"),
        ("解缙", "xie jin", "xj"),
    ],
)
def test_surnames_are_read_as_surnames(name, full, initials):
    assert pinyin.full(name) == full
    assert pinyin.initials(name) == initials


def test_surname_reading_applies_to_the_first_character_only():
    # 单 as a given name keeps its common reading: 王单 is wang dan
    assert pinyin.full("王单") == "wang dan"
    assert pinyin.full("曾曾") == "zeng ceng"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("欧阳修", "ou yang xiu", "oyx"),
        ("司马光", "si ma guang", "smg"),
        ("尉迟恭", "yu chi gong", "ycg"),
    ],
)
def test_compound_surnames(name, full, initials):
    assert pinyin.full(name) == full
    assert pinyin.initials(name) == initials


def test_the_service_stores_pinyin_and_initials(household):
    home = household(head_name="单田芳")
    head = Person.objects.get(pk=home.head_id)
    assert (head.name_pinyin, head.name_initials) == ("shan tian fang", "stf")


def test_initials_find_the_household_in_the_list(household, office, client_for):
    household(head_name="周耀伟")
    household(head_name="赵雅文")  # zhao ya wen: the same initials
    household(head_name="王芳")
    client = client_for(office)

    def found(query: str) -> set[str]:
        response = client.get(HOUSEHOLDS, {"q": query})
        assert response.status_code == 200
        return {h.head_name for h in response.context["page"].object_list}

    assert found("zyw") == {"周耀伟", "赵雅文"}
    assert "周耀伟" in client.get(HOUSEHOLDS, {"q": "zyw"}).content.decode()
    # upper case and a prefix of the initials work too; other initials do not match
    assert found("ZYW") == {"周耀伟", "赵雅文"}
    assert found("zy") == {"周耀伟", "赵雅文"}
    assert found("wf") == {"王芳"}
    assert found("xyz") == set()


def test_surname_initials_find_the_person(household, office, client_for):
    household(head_name="单田芳")
    household(head_name="曾国藩")
    client = client_for(office)
    assert [p.name for p in client.get(PERSONS, {"q": "stf"}).context["page"].object_list] == ["单田芳"]
    assert [p.name for p in client.get(PERSONS, {"q": "zgf"}).context["page"].object_list] == ["曾国藩"]
    # pypinyin's common readings (dan, ceng) must not be what is stored
    assert list(client.get(PERSONS, {"q": "dtf"}).context["page"].object_list) == []
    assert list(client.get(PERSONS, {"q": "cgf"}).context["page"].object_list) == []
