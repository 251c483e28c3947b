import json
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import DateTimeField

from bangfu.accounts.models import Membership, Organization, User
from bangfu.cli import build_parser, main
from bangfu.core import demo as demo_module
from bangfu.core.demo import DEMO_PASSWORD, build_demo
from bangfu.registry.models import Household, Person
from tests.conftest import DEMO_SEED, shared_demo

SUBCOMMANDS = [
    ["serve"],
    ["migrate"],
    ["demo"],
    ["createuser"],
    ["regions"],
    ["regions", "load"],
    ["worker"],
    ["backup"],
    ["restore"],
    ["audit"],
    ["audit", "verify"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w))
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*words, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: bangfu " + " ".join(words))


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_createuser_with_role_and_scope(regions, make_org, capsys):
    organization = make_org()
    code = main(
        [
            "createuser",
            "wanglei",
            "--password",
            "Strong-pass-2026",
            "--name",
            "王磊",
            "--role",
            "office",
            "--organization",
            str(organization.pk),
            "--region",
            "410423",
        ]
    )
    assert code == 0
    user = User.objects.get(username="wanglei")
    assert user.check_password("Strong-pass-2026")
    membership = Membership.objects.get(user=user)
    assert [r.code for r in membership.regions.all()] == ["410423000000"]
    assert user.scope_prefixes("organization.view") == ["410423"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["createuser", "weak", "--password", "123"], "password"),
        (["createuser", "norole", "--password", "Strong-pass-2026", "--role", "office"], "organization"),
    ],
)
def test_createuser_rejects_bad_input_and_writes_nothing(argv, message, regions, capsys):
    users, memberships = User.objects.count(), Membership.objects.count()
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


class _Rollback(Exception):
    pass


# Columns that differ from build to build by design: drawn from ``secrets`` (password salts,
# pickup tokens and codes, receipt numbers), random stored file names (an attachment's content
# is compared through its SHA-256), or holding keys and recording times (the change history; a
# ledger's hashes, which cover each entry's creation time and creator key).
NOT_REPEATABLE = {
    "accounts.User.password",
    "attachments.Attachment.file",
    "attachments.Attachment.thumbnail",
    "campaigns.Order.token",
    "campaigns.Order.short_code",
    "supermarket.Redemption.receipt_number",
    "audit.ChangeRecord.changes",
}
LEDGER_HASHES = {"prev_hash", "entry_hash", "last_hash"}
# Columns that hold keys the database assigns (a changed row's key, a ledger chain or a flag
# named after one, a receipt numbered by its store's key): the same in both builds on SQLite,
# which gives a rolled-back build's keys again, not on PostgreSQL, whose sequences go on.
KEYED = {
    "attachments.Attachment.owner_id",
    "attachments.AttachmentSeal.owner_id",
    "audit.ChangeRecord.object_id",
    "audit.ChangeRecord.object_repr",
    "audit.LedgerChain.key",
    "monitoring.Flag.key",
    "supermarket.Donation.lines_digest",
    "supermarket.Donation.receipt_number",
}


def _hashable(value):
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict | list) else value


def _every_row() -> dict[str, dict]:
    """Every row the demo wrote, model by model: its own columns, without the ones the
    database assigns (keys, and so foreign keys: PostgreSQL sequences go on after a rollback)
    or the clock (date-times): each column's values (to name the one that differs), and the rows."""
    rows = {}
    skipped = NOT_REPEATABLE | (KEYED if connection.vendor == "postgresql" else set())
    for model in apps.get_models():
        if not model.__module__.startswith("bangfu.") or model._meta.app_label == "regions":
            continue
        label = model._meta.label
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not (f.primary_key or f.is_relation or isinstance(f, DateTimeField))
            and f"{label}.{f.name}" not in skipped
            and f.name not in LEDGER_HASHES
        ]
        if names:
            values = [tuple(map(_hashable, row)) for row in model.objects.values_list(*names)]
            rows[label] = {
                "columns": {name: Counter(row[i] for row in values) for i, name in enumerate(names)},
                "rows": Counter(values),
            }
    return rows


def _snapshot() -> dict:
    return {
        "organizations": tuple(
            Organization.objects.order_by("name").values_list("name", "kind", "region_id", "contact_name")
        ),
        "users": tuple(User.objects.order_by("username").values_list("username", "display_name")),
        "households": tuple(
            Household.objects.order_by("code").values_list(
                "code",
                "region_code",
                "address",
                "head_name",
                "members_count",
                "registered_year",
                "lifted_year",
                "safety_net",
                "status",
                "latest_per_capita",
            )
        ),
        "persons": tuple(
            (p.household.code, p.name, p.id_number, p.relation, p.health, p.labor_capacity)
            for p in Person.objects.select_related("household").order_by("household__code", "pk")
        ),
        "causes": tuple(
            Household.causes.through.objects.order_by("household__code", "povertycause_id").values_list(
                "household__code", "povertycause_id"
            )
        ),
        "rows": _every_row(),
    }


def _rolled_back_build(seed: int, builders: int | None = None) -> dict:
    """The snapshot of a build (of the first ``builders`` builders only, if given), rolled back."""
    every = demo_module.BUILDERS
    demo_module.BUILDERS = every[:builders] if builders else every
    try:
        with transaction.atomic():
            build_demo(scale="small", seed=seed)
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        return snapshot
    finally:
        demo_module.BUILDERS = every


@pytest.fixture(scope="module")
def fresh_demo(django_db_setup, django_db_blocker):
    """Two builds of ``DEMO_SEED`` from an empty database (the first rolled back, the second
    kept as the shared demo), and the accounts and households of another seed, rolled back."""

    def before():
        first = _rolled_back_build(DEMO_SEED)
        other = _rolled_back_build(DEMO_SEED + 1, builders=2)  # accounts and registry
        return first, other, Household.objects.count()

    _context, (first, other, left) = shared_demo.ensure(django_db_blocker, DEMO_SEED, first=before)
    with django_db_blocker.unblock():
        second = _snapshot()
    return first, second, other, left


@pytest.mark.django_db
def test_demo_is_deterministic_and_has_a_user_per_role(fresh_demo):
    first, second, other, left = fresh_demo
    assert left == 0  # the first build was rolled back
    assert len(first["households"]) == 600
    for key in ("organizations", "users", "households", "persons", "causes"):
        assert first[key] == second[key], key
    differ = sorted(
        f"{label}.{name}"
        for label, made in first["rows"].items()
        for name, values in made["columns"].items()
        if values != second["rows"][label]["columns"][name]
    )
    assert not differ, differ
    assert all(made["rows"] == second["rows"][label]["rows"] for label, made in first["rows"].items())
    # every builder's rows are compared, down to the last ones
    assert all(
        first["rows"][label]["rows"] for label in ("supermarket.Redemption", "monitoring.MonitoredCase")
    )
    # another seed, other data
    assert (first["organizations"], first["users"]) != (other["organizations"], other["users"])
    assert first["households"] != other["households"] and first["persons"] != other["persons"]
    usernames = {u for u, _ in first["users"]}
    assert {
        "admin",
        "office",
        "cadre",
        "buyer",
        "supplier",
        "member",
        "keeper",
        "leader",
        "auditor",
    } <= usernames
    kinds = {kind for _, kind, _, _ in first["organizations"]}
    assert kinds >= {"enterprise", "union", "government", "hospital", "school", "cooperative", "supplier"}


@pytest.mark.django_db
def test_demo_logins_work(demo, client):
    for username in ("office", "cadre", "leader"):
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert client.get("/").status_code == 200
        client.logout()
    again = build_demo(scale="small", seed=DEMO_SEED)
    assert "already present" in again.report()


def test_serve_starts_gunicorn_that_answers(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "BANGFU_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bangfu.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-collectstatic",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                    assert response.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
