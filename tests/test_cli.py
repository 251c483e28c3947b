import pytest
from django.db import transaction

from bangfu.accounts.models import Membership, Organization, User
from bangfu.cli import build_parser, main
from bangfu.core.demo import DEMO_PASSWORD, build_demo

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


def _demo_snapshot(seed: int) -> tuple:
    try:
        with transaction.atomic():
            build_demo(scale="small", seed=seed)
            snapshot = (
                tuple(
                    Organization.objects.order_by("name").values_list(
                        "name", "kind", "region_id", "contact_name"
                    )
                ),
                tuple(User.objects.order_by("username").values_list("username", "display_name")),
            )
            raise _Rollback
    except _Rollback:
        return snapshot


def test_demo_is_deterministic_and_has_a_user_per_role(regions):
    first = _demo_snapshot(7)
    assert first == _demo_snapshot(7)
    assert first != _demo_snapshot(8)
    usernames = {u for u, _ in first[1]}
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
    kinds = {kind for _, kind, _, _ in first[0]}
    assert kinds >= {"enterprise", "union", "government", "hospital", "school", "cooperative", "supplier"}


def test_demo_logins_work(regions, client):
    build_demo(scale="small", seed=1)
    for username in ("office", "cadre", "leader"):
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert client.get("/").status_code == 200
        client.logout()
    again = build_demo(scale="small", seed=1)
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
