"""The demo county: deterministic synthetic data for every module.

``build_demo(scale, seed)`` loads the regions it needs, then runs each app's
builder in dependency order. Builders receive one DemoContext: a seeded random
generator and Faker, the demo county, the scale's sizes, and what earlier
builders made. Each builder gets its own random stream seeded from
(seed, builder), so builders stay independent of each other. Names are generated and ID numbers are checksum-valid fakes
inside real region codes: no real person's data is used.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from faker import Faker

DEMO_COUNTY = "410423000000"  # 鲁山县, Henan (the county of seed 002)
DEMO_CITY_PREFIX = "4104"  # 平顶山市, for the province scale
DEMO_PASSWORD = "Bangfu-demo-2026"  # noqa: S105 - printed demo logins, synthetic data only

SCALES: dict[str, dict[str, int]] = {
    "small": {"counties": 1, "grassroots_unions": 6, "enterprises": 4, "cooperatives": 6, "households": 600},
    "county": {
        "counties": 1,
        "grassroots_unions": 40,
        "enterprises": 12,
        "cooperatives": 30,
        "households": 30_000,
    },
    "province": {
        "counties": 10,
        "grassroots_unions": 120,
        "enterprises": 30,
        "cooperatives": 120,
        "households": 300_000,
    },
}

# Each app adds its builder here (dotted path), in dependency order.
BUILDERS: list[str] = [
    "bangfu.accounts.demo.build",
    "bangfu.registry.demo.build",
    "bangfu.consumption.demo.build",
    "bangfu.consumption.campaigns.demo.build",
    "bangfu.supermarket.demo.build",
    "bangfu.fieldwork.demo.build",
    "bangfu.assistance.demo.build",
    "bangfu.monitoring.demo.build",
]


@dataclass
class DemoContext:
    scale: str
    seed: int
    sizes: dict[str, int]
    rng: random.Random
    fake: Faker
    progress: Callable[[int, int | None], None] | None = None
    made: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def report(self) -> str:
        return "\n".join(self.lines)


def build_demo(*, scale: str = "small", seed: int = 1, progress=None) -> DemoContext:
    from bangfu.accounts.models import User
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load

    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    prefix = DEMO_CITY_PREFIX if scale == "province" else DEMO_COUNTY[:6]
    if not Region.objects.filter(code__startswith=prefix, level="village").exists():
        regions_load(prefix=prefix, progress=progress)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    context = DemoContext(
        scale=scale, seed=seed, sizes=SCALES[scale], rng=random.Random(seed), fake=fake, progress=progress
    )
    if User.objects.filter(username="office").exists():
        context.lines.append("demo data already present; nothing changed")
        context.lines.extend(demo_logins())
        return context
    with transaction.atomic():
        for path in BUILDERS:
            # Each builder draws from its own stream, seeded by the demo seed and
            # its name: a change in one builder never shifts another's data.
            context.rng = random.Random(f"{seed}:{path}")
            context.fake.seed_instance(f"{seed}:{path}")
            import_string(path)(context)
    context.lines.extend(demo_logins())
    return context


def demo_logins() -> list[str]:
    from bangfu.accounts.demo import DEMO_USERS

    lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, role, label in DEMO_USERS:
        lines.append(f"  {username:<14} {role:<13} {label}")
    return lines
