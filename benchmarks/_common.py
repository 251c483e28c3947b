"""What every benchmark script shares: a scratch PostgreSQL database, Django set up on it,
timing helpers and the one-line JSON result."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"

# The person columns the registry benchmarks COPY, in the order their row generators yield them.
PERSON_COLUMNS = [
    "household_id",
    "region_code",
    "name",
    "name_pinyin",
    "name_initials",
    "id_number",
    "id_number_hash",
    "id_number_masked",
    "gender",
    "birth_date",
    "relation",
    "health",
    "education",
    "school_stage",
    "labor_capacity",
    "employment",
    "employer",
    "medical_insurance",
    "pension_insurance",
    "serious_illness_insurance",
    "is_active",
    "created_at",
]


def arguments(description: str, **flags: str) -> argparse.Namespace:
    """The shared options, plus a boolean ``--name`` for each of ``flags`` (name -> help)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="reduced size, under a minute")
    for name, text in flags.items():
        parser.add_argument(f"--{name}", action="store_true", help=text)
    parser.add_argument("--repeat", type=int, default=None, help="timed repetitions (median reported)")
    return parser.parse_args()


def setup_django(name: str) -> str:
    """Point Django at DATABASE_URL, or at a fresh scratch database on the local server."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL")
    if not url:
        import psycopg

        database = f"bangfu_bench_{name}"
        with psycopg.connect(f"{DEFAULT_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
            connection.execute(f'CREATE DATABASE "{database}"')
        url = f"{DEFAULT_SERVER}/{database}"
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    os.environ.setdefault("BANGFU_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages are rendered without collectstatic: serve assets without the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0, interactive=False)
    return url


def timed(function, repeat: int) -> tuple[float, list[float]]:
    """Median seconds of ``repeat`` runs of ``function()``, and all the runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def report(name: str, figures: dict, goals: dict, met: bool) -> None:
    print(
        json.dumps(
            {"benchmark": name, "figures": figures, "goals": goals, "met": bool(met)}, ensure_ascii=False
        )
    )
