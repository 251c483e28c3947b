"""The cause-of-poverty code list (致贫原因 / 风险类型), kept as data so it can be updated.

Codes 01-09 and 99 follow the national relapse-monitoring list (02xx: natural disasters
by kind). Codes 10-15 carry the registry's older causes that the monitoring list folds
into "other"; they are local extensions, kept so that old records keep their meaning.
"""

CAUSES = [
    ("01", "因病", None),
    ("02", "因灾", None),
    ("0201", "干旱", "02"),
    ("0202", "洪涝", "02"),
    ("0203", "风雹", "02"),
    ("0204", "地震", "02"),
    ("0205", "地质灾害", "02"),
    ("0206", "台风", "02"),
    ("0207", "低温冷冻和雪灾", "02"),
    ("0299", "其他自然灾害", "02"),
    ("03", "因残", None),
    ("04", "缺劳动力", None),
    ("05", "因意外事故", None),
    ("06", "因产业项目失败", None),
    ("07", "因务工就业不稳", None),
    ("09", "因学", None),
    ("10", "缺技术", None),
    ("11", "缺资金", None),
    ("12", "缺土地", None),
    ("13", "缺水", None),
    ("14", "交通条件落后", None),
    ("15", "自身发展动力不足", None),
    ("99", "其他", None),
]


def causes_ensure() -> int:
    """Insert the code list where it is missing (a database emptied by ``flush`` has none,
    as data migrations do not run again); returns how many were added."""
    from .models import PovertyCause

    present = set(PovertyCause.objects.values_list("code", flat=True))
    missing = [(code, name, parent) for code, name, parent in CAUSES if code not in present]
    for code, name, parent in sorted(missing, key=lambda cause: len(cause[0])):  # parents first
        PovertyCause.objects.create(code=code, name=name, parent_id=parent)
    return len(missing)
