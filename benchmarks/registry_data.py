"""Synthetic registry files for the import and search benchmarks (checksum-valid fake IDs)."""

import csv
import datetime
import random
from pathlib import Path

from faker import Faker

COUNTY = "410423"
HOUSEHOLD_HEADER = [
    "户编号",
    "村代码",
    "住址",
    "建档立卡户",
    "建档年度",
    "脱贫年度",
    "兜底保障",
    "致贫原因",
    "当前状态",
]
PERSON_HEADER = [
    "户编号",
    "姓名",
    "身份证号",
    "与户主关系",
    "性别",
    "出生日期",
    "健康状况",
    "劳动能力",
    "文化程度",
    "务工状况",
]


def generate(persons: int, villages: list[str], seed: int = 1):
    """Yield (household row, [person rows]) until ``persons`` persons are made."""
    from bangfu.core import idnumber

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = [fake.last_name() for _ in range(300)]
    given = [fake.first_name() for _ in range(3000)]
    made, index, used = 0, 0, set()
    while made < persons:
        village = villages[index % len(villages)]
        code = f"{village}{index:06d}"
        household = [
            code,
            village,
            f"{index}号",
            "是",
            rng.choice([2014, 2015, 2016]),
            rng.choice(["", 2018, 2019, 2020]),
            rng.choice(["", "", "", "低保", "特困供养"]),
            rng.choice(["因病", "因残", "缺劳动力", "因学、因病"]),
            "已脱贫",
        ]
        size = min(rng.choice([1, 2, 3, 3, 4, 4, 5]), persons - made)
        people = []
        for member in range(size):
            age = rng.randint(30, 80) if member == 0 else rng.randint(1, 60)
            birth = datetime.date(2025 - age, rng.randint(1, 12), rng.randint(1, 28))
            male = rng.random() < 0.5
            while True:
                sequence = rng.randrange(0, 999, 2) + (1 if male else 0)
                number = idnumber.make(COUNTY, birth, sequence)
                if number not in used:
                    used.add(number)
                    break
            relation = "户主" if member == 0 else rng.choice(["配偶", "之子", "之女", "之孙子女"])
            people.append(
                [
                    code,
                    rng.choice(surnames) + rng.choice(given),
                    number,
                    relation,
                    "男" if male else "女",
                    birth.isoformat(),
                    rng.choice(["健康", "健康", "健康", "长期慢性病", "残疾"]),
                    rng.choice(["普通劳动力", "弱劳动力或半劳动力", "无劳动力"]),
                    rng.choice(["小学", "初中"]),
                    rng.choice(["", "县内乡外务工", "省外务工"]),
                ]
            )
        # a disabled person needs a grade: keep the benchmark rows valid by not using 残疾
        for row in people:
            if row[6] == "残疾":
                row[6] = "患有大病"
        made += size
        index += 1
        yield household, people


def write_csv(path: Path, header: list[str], rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path, header: list[str], rows) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, header)
    count = 0
    for count, row in enumerate(rows, 1):
        sheet.write_row(count, 0, row)
    workbook.close()
    return count


def make_files(folder: Path, persons: int, villages: list[str], *, xlsx: bool = True) -> dict:
    households, people = [], []
    for household, members in generate(persons, villages):
        households.append(household)
        people.extend(members)
    files = {"households": folder / "households.csv", "persons_csv": folder / "persons.csv"}
    write_csv(files["households"], HOUSEHOLD_HEADER, households)
    write_csv(files["persons_csv"], PERSON_HEADER, people)
    if xlsx:
        files["persons_xlsx"] = folder / "persons.xlsx"
        write_xlsx(files["persons_xlsx"], PERSON_HEADER, people)
    return {"files": files, "households": len(households), "persons": len(people)}
