"""The ``bangfu`` command: serve, migrate, demo, createuser, regions, worker, backup, restore, audit, rollups."""

import argparse
import getpass
import os
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()


class ProgressBar:
    """A text progress bar on stderr: ``regions  [#########.........]  45%  300000/665276``."""

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and (total is None or done < total):
            return
        self.last = now
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r{self.label}  [{bar}] {done * 100 // total:3d}%  {done}/{total}")
        else:
            self.stream.write(f"\r{self.label}  {done}")
        if total is not None and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_serve(args) -> int:
    from django.core.management import call_command

    if not args.no_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "bangfu.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    print(f"bangfu serving on http://{args.host}:{args.port}", flush=True)
    os.execv(argv[0], argv)  # noqa: S606 - replaces this process with gunicorn from the same environment
    return 0


def cmd_migrate(args) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("database is up to date")
    return 0


def cmd_regions_load(args) -> int:
    from bangfu.regions.services import regions_complete, regions_load

    if args.if_missing and regions_complete(args.prefix):
        print("regions already loaded")
        return 0
    started = time.monotonic()
    count = regions_load(prefix=args.prefix, progress=ProgressBar("regions"))
    print(f"loaded {count} regions in {time.monotonic() - started:.1f}s")
    return 0


def cmd_demo(args) -> int:
    from bangfu.core.demo import build_demo

    summary = build_demo(scale=args.scale, seed=args.seed, progress=ProgressBar("demo"))
    print(summary.report())
    return 0


def cmd_createuser(args) -> int:
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from bangfu.accounts import services
    from bangfu.accounts.models import Organization
    from bangfu.regions.models import Region

    password = args.password or os.environ.get("BANGFU_PASSWORD") or getpass.getpass("password: ")
    try:
        with transaction.atomic():  # a user without the role asked for is not created at all
            user = services.user_create(
                actor=None,
                username=args.username,
                password=password,
                display_name=args.name or "",
                is_superuser=args.superuser,
            )
            if args.role:
                organization = Organization.objects.filter(pk=args.organization).first()
                if organization is None:
                    raise ValidationError(
                        {"organization": "--organization ID of an existing organisation is required"}
                    )
                regions = list(Region.objects.filter(code__in=[c.ljust(12, "0") for c in args.region]))
                services.membership_create(
                    actor=None, user=user, organization=organization, role=args.role, regions=regions
                )
    except ValidationError as error:
        for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
            print(f"error: {field}: {'; '.join(messages)}", file=sys.stderr)
        return 2
    print(f"created user {user.username}")
    return 0


def cmd_import(args) -> int:
    from pathlib import Path

    from bangfu.accounts.models import User
    from bangfu.imports import engine
    from bangfu.imports.readers import ReadError

    user = (
        User.objects.filter(username=args.user).first()
        if args.user
        else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if user is None:
        print("error: --user must name an existing user (or create a superuser first)", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file at {path}", file=sys.stderr)
        return 2
    try:
        run = engine.import_create(
            user=user,
            kind=args.kind,
            source=path,
            original_name=path.name,
            mode=args.mode,
            dry_run=args.dry_run,
        )
    except ReadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    run = engine.import_execute(run, progress=ProgressBar(f"import {args.kind}"))
    seconds = time.monotonic() - started
    for issue in run.issues.all()[: args.show]:
        column = f" [{issue.column}]" if issue.column else ""
        print(f"row {issue.row}{column} {issue.value!r}: {issue.reason}")
    if run.error_rows > args.show:
        print(f"... {run.error_rows} bad rows in all")
    print(
        f"{run.get_status_display()}: {run.total_rows} rows, {run.error_rows} bad, {run.created_count} created, "
        f"{run.updated_count} updated, {run.unchanged_count} unchanged, {run.blank_rows} blank "
        f"in {seconds:.1f}s ({run.total_rows / max(seconds, 1e-9):.0f} rows/s)"
    )
    if run.message:
        print(run.message)
    return 0 if run.status in ("imported", "checked") else 1


def cmd_worker(args) -> int:
    from django.core.management import call_command

    options = {"batch": args.once, "interval": args.interval}
    call_command("db_worker", **options)
    return 0


def cmd_backup(args) -> int:
    from bangfu.core.backup import backup

    path = backup(args.output)
    print(f"backup written to {path}")
    return 0


def cmd_restore(args) -> int:
    from bangfu.core.backup import restore

    if not args.yes:
        answer = input(f"replace the whole database with {args.file}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("restore cancelled")
            return 1
    restore(args.file)
    print(f"database restored from {args.file}")
    return 0


def cmd_audit_verify(args) -> int:
    from bangfu.audit.ledger import verify

    problems, checked = [], 0
    bar = ProgressBar("verify")
    for item in verify():
        if isinstance(item, int):
            checked = item
            bar(checked)
        else:
            problems.append(item)
    sys.stderr.write("\n")
    for problem in problems:
        seq = problem.seq if problem.seq is not None else "-"
        print(
            f"{problem.kind.upper():9} ledger={problem.ledger} chain={problem.chain} entry={seq}: {problem.message}"
        )
    if problems:
        print(f"{len(problems)} problem(s) in {checked} ledger entries")
        return 1
    print(f"ok: {checked} ledger entries verified")
    return 0


def cmd_rollups(args) -> int:
    from bangfu.reports.rollups import rebuild

    counts = rebuild(progress=ProgressBar("rollups"))
    for name, cells in sorted(counts.items()):
        print(f"{name}: {cells} cells")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bangfu", description="bangfu: targeted rural assistance platform")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve bangfu with gunicorn (static files by whitenoise)")
    serve.add_argument("--host", default=os.environ.get("BANGFU_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("BANGFU_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("BANGFU_WORKERS", "2")))
    serve.add_argument("--no-collectstatic", action="store_true", help="skip collecting static files first")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the database tables")
    migrate.add_argument("-v", "--verbose", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = commands.add_parser("demo", help="build a deterministic synthetic demo county")
    demo.add_argument("--scale", choices=["small", "county", "province"], default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=cmd_demo)

    createuser = commands.add_parser(
        "createuser", help="create a user, optionally with a role and region scope"
    )
    createuser.add_argument("username")
    createuser.add_argument("--password", help="or set BANGFU_PASSWORD, or be asked")
    createuser.add_argument("--name", help="display name")
    createuser.add_argument("--superuser", action="store_true", help="nationwide administrator")
    createuser.add_argument("--role", choices=[r.value for r in _roles()])
    createuser.add_argument("--organization", type=int, help="organisation id for the role")
    createuser.add_argument(
        "--region", action="append", default=[], help="region code of the scope (repeatable)"
    )
    createuser.set_defaults(func=cmd_createuser)

    regions = commands.add_parser("regions", help="administrative divisions")
    regions_commands = regions.add_subparsers(dest="regions_command", required=True, metavar="ACTION")
    load = regions_commands.add_parser("load", help="load (or refresh) the shipped division codes")
    load.add_argument("--prefix", default="", help="only this code prefix and its ancestors, e.g. 410423")
    load.add_argument(
        "--if-missing", action="store_true", help="do nothing when the regions are already loaded"
    )
    load.set_defaults(func=cmd_regions_load)

    imports = commands.add_parser("import", help="import households, persons or incomes from xlsx or CSV")
    imports.add_argument("kind", choices=_import_kinds())
    imports.add_argument("file")
    imports.add_argument(
        "--mode",
        choices=["all", "skip"],
        default="all",
        help="all: write nothing if any row is bad (default); skip: write the good rows",
    )
    imports.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imports.add_argument(
        "--user", help="the importing user, whose region scope applies (default: first superuser)"
    )
    imports.add_argument("--show", type=int, default=50, help="how many problems to print")
    imports.set_defaults(func=cmd_import)

    worker = commands.add_parser("worker", help="run queued background jobs")
    worker.add_argument("--once", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
    worker.set_defaults(func=cmd_worker)

    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("-o", "--output", help="file to write (default: var/backups/bangfu-TIMESTAMP.*)")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=cmd_restore)

    audit = commands.add_parser("audit", help="audit tools")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify", help="check every hash-chained ledger for edits, inserts, deletes"
    )
    verify.set_defaults(func=cmd_audit_verify)

    rollups = commands.add_parser(
        "rollups", help="rebuild the scorecards' rollup cells from the records (after a bulk load)"
    )
    rollups.set_defaults(func=cmd_rollups)
    return parser


def _import_kinds():
    from bangfu.imports.spec import SPECS

    return sorted(SPECS)


def _roles():
    from bangfu.core.permissions import Role

    return list(Role)


def main(argv: list[str] | None = None) -> int:
    _setup()
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
