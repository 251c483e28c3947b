"""Demo households for the demo county: realistic shares of causes, ages, incomes and statuses."""

import datetime
from decimal import Decimal

from bangfu.core import idnumber
from bangfu.core.demo import DemoContext
from bangfu.registry.causes import causes_ensure

from . import bulk
from .models import (
    Education,
    Employment,
    Health,
    Household,
    HouseholdPairing,
    LaborCapacity,
    Person,
    Relation,
    SafetyNet,
    StatusKind,
)

# Shares seen in county reports: illness and lack of labour dominate, then disability and schooling.
CAUSE_WEIGHTS = {
    "01": 30,
    "04": 18,
    "03": 14,
    "09": 9,
    "10": 9,
    "11": 8,
    "0202": 3,
    "0201": 2,
    "05": 2,
    "15": 3,
    "99": 2,
}
LIFT_YEARS = {2016: 18, 2017: 22, 2018: 26, 2019: 22, 2020: 12}


def _weighted(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class IdentityFactory:
    """Checksum-valid fake ID numbers inside real region codes, never repeating."""

    def __init__(self, rng, county_code: str):
        self.rng, self.county = rng, county_code[:6]
        self.used: set[str] = set()

    def make(self, birth: datetime.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(0, 1000)
            if (sequence % 2 == 1) != male:
                sequence = (sequence + 1) % 1000
            number = idnumber.make(self.county, birth, sequence)
            if number not in self.used:
                self.used.add(number)
                return number


def _birth(rng, age: int) -> datetime.date:
    today = datetime.date(2026, 1, 1)
    return datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))


def _person(rng, fake, ids: IdentityFactory, *, age: int, male: bool, surname: str | None = None) -> dict:
    name = (surname or fake.last_name()) + (fake.first_name_male() if male else fake.first_name_female())
    elderly, child = age >= 65, age < 16
    health = rng.choices(
        [Health.HEALTHY, Health.CHRONIC, Health.SERIOUS, Health.DISABLED],
        weights=[60, 22, 8, 10] if elderly else [85, 7, 3, 5],
    )[0]
    if child:
        labor = LaborCapacity.NONE
    elif health in (Health.SERIOUS, Health.DISABLED) or elderly:
        labor = rng.choice([LaborCapacity.WEAK, LaborCapacity.LOST, LaborCapacity.NONE])
    else:
        labor = rng.choices(
            [LaborCapacity.ORDINARY, LaborCapacity.SKILLED, LaborCapacity.WEAK], weights=[70, 15, 15]
        )[0]
    works = labor in (LaborCapacity.ORDINARY, LaborCapacity.SKILLED) and rng.random() < 0.7
    return {
        "name": name[:50],
        "id_number": ids.make(_birth(rng, age), male),
        "health": health,
        "disability_grade": rng.randint(1, 4) if health == Health.DISABLED else None,
        "education": rng.choice([Education.ILLITERATE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR])
        if not child
        else Education.NONE,
        "school_stage": rng.choice(["primary", "junior", "preschool"]) if 3 <= age < 16 else "",
        "labor_capacity": labor,
        "employment": rng.choice(
            [
                Employment.TOWNSHIP,
                Employment.COUNTY,
                Employment.PROVINCE,
                Employment.OUTSIDE,
                Employment.PUBLIC_WELFARE,
            ]
        )
        if works
        else Employment.NONE,
        "employer": "",
        "medical_insurance": True,
        "pension_insurance": age >= 16 and rng.random() < 0.8,
        "serious_illness_insurance": rng.random() < 0.6,
    }


KEY_VILLAGES = 10
KEY_VILLAGE_HOUSEHOLDS = 40


def household_rows(context: DemoContext, count: int, villages: list):
    """Yield (household fields, head, members, causes, incomes, status steps) for ``count`` households."""
    rng, fake = context.rng, context.fake
    ids = IdentityFactory(rng, villages[0].code)
    # A county's poor households cluster: the first villages (where the cadre login lives and
    # the stationed teams work) hold a real village's worth each; the rest spread thinly.
    key = villages[:KEY_VILLAGES]
    clustered = min(KEY_VILLAGE_HOUSEHOLDS, count // 25) * len(key)
    for index in range(count):
        if index < clustered:
            village = key[index % len(key)]
        else:
            village = villages[(index - clustered) % len(villages)]
        head_age = rng.randint(28, 82)
        head_male = rng.random() < 0.82
        surname = fake.last_name()
        head = _person(rng, fake, ids, age=head_age, male=head_male, surname=surname)
        members = []
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[12, 22, 22, 24, 14, 6])[0]
        if size >= 2 and head_age < 75:
            members.append(
                (
                    Relation.SPOUSE,
                    _person(rng, fake, ids, age=max(20, head_age + rng.randint(-5, 3)), male=not head_male),
                )
            )
        for _ in range(size - 1 - len(members)):
            if head_age > 45 and rng.random() < 0.5:
                age, relation = rng.randint(1, 17), Relation.GRANDCHILD
            else:
                age, relation = (
                    rng.randint(1, max(2, head_age - 20)),
                    rng.choice([Relation.SON, Relation.DAUGHTER]),
                )
            male = relation == Relation.SON or (relation == Relation.GRANDCHILD and rng.random() < 0.5)
            members.append((relation, _person(rng, fake, ids, age=age, male=male, surname=surname)))
        registered_year = rng.choices([2014, 2015, 2016, 2017], weights=[60, 20, 12, 8])[0]
        lifted_year = _weighted(rng, LIFT_YEARS) if rng.random() < 0.93 else None
        if lifted_year is not None and lifted_year < registered_year:
            lifted_year = registered_year + 1
        causes = {_weighted(rng, CAUSE_WEIGHTS)}
        if rng.random() < 0.3:
            causes.add(_weighted(rng, CAUSE_WEIGHTS))
        weak = sum(1 for _, m in [(None, head), *members] if m["labor_capacity"] in ("lost", "none", "weak"))
        safety_net = ""
        if weak >= len(members) + 1 or (head_age > 70 and size <= 2):
            safety_net = rng.choice([SafetyNet.DIBAO, SafetyNet.DIBAO, SafetyNet.TEKUN])
        incomes = []
        base = rng.uniform(2300, 3800)
        for year in range(2019, 2026):
            base *= rng.uniform(1.04, 1.16)
            per_head = Decimal(str(round(base * (0.7 if safety_net else 1.0), 2)))
            total = per_head * (size)
            wage = (total * Decimal(str(rng.uniform(0.3, 0.65)))).quantize(Decimal("0.01"))
            transfer = (total * Decimal(str(rng.uniform(0.1, 0.35)))).quantize(Decimal("0.01"))
            production = total - wage - transfer + Decimal(500)
            incomes.append(
                {
                    "year": year,
                    "wage_income": wage,
                    "production_income": production.quantize(Decimal("0.01")),
                    "property_income": Decimal(str(round(rng.uniform(0, 700), 2))),
                    "transfer_income": transfer,
                    "production_cost": Decimal(500),
                }
            )
        steps = [
            (StatusKind.REGISTERED, datetime.date(registered_year, rng.randint(3, 11), rng.randint(1, 28)))
        ]
        if lifted_year:
            steps.append((StatusKind.LIFTED, datetime.date(lifted_year, 12, rng.randint(1, 28))))
        if lifted_year and rng.random() < 0.04:
            steps.append((StatusKind.MONITORED, datetime.date(2024, rng.randint(1, 12), rng.randint(1, 28))))
        yield {
            "code": f"{village.code}{index:05d}"[-17:],
            "village": village,
            "address": f"{village.name}{rng.randint(1, 200)}号",
            "registered_year": registered_year,
            "safety_net": safety_net,
            "head": head,
            "members": members,
            "causes": sorted(causes),
            "incomes": incomes,
            "steps": steps,
        }


def build(context: DemoContext) -> None:
    """Households through the bulk writer (the same rules as the services, in batches)."""
    causes_ensure()  # the code list its households point to, even in a database emptied by flush
    villages = list(context.made["villages"])
    count = context.sizes["households"]
    rows = household_rows(context, count, villages)
    done = 0
    while True:
        batch = [row for _, row in zip(range(bulk.BATCH), rows, strict=False)]
        if not batch:
            break
        for row in batch:
            row["approved_by"] = "鲁山县乡村振兴局"
        done += bulk.households_write(batch)
        if context.progress:
            context.progress(done, count)
    cadre = context.made["users"].get("cadre")
    village = villages[0]
    if cadre is not None:
        bulk.pairings_write(
            [
                HouseholdPairing(
                    household=h,
                    region_code=h.region_code,
                    helper=cadre,
                    helper_name=str(cadre),
                    organization=context.made["enterprises"][0],
                    start_date=datetime.date(2021, 3, 1),
                )
                for h in Household.objects.filter(region=village)
            ]
        )
    persons = Person.objects.filter(household__region__code__startswith=village.code[:6]).count()
    context.lines.append(f"registry: {done} households, {persons} persons in {len(villages)} villages")
