"""Campaign load: members ordering and staff scanning against bangfu under gunicorn.

    python benchmarks/campaign_load.py [--quick]

Builds a campaign in a scratch database (members of a grassroots union, one package whose
stock is 80 % of the members, slots with room for everyone, two staffed pickup sites),
starts bangfu under gunicorn on 127.0.0.1 (a free port, 2 sync workers, as `bangfu serve`
runs it), and drives it over HTTP with concurrent clients (several processes of threads,
new connection per request, as sync workers close them):

1. the bare ``/healthz`` view (the framework's limit on this server and this client),
2. every member placing one order through the API (Bearer token, Idempotency-Key),
3. every order that was placed scanned and handed over through the API.

Counts and time are bounded (--quick: 300 members; else 2,000; each phase at most 90 s).
Prints requests/s and p50/p99 latency of each phase beside hello, and oversell (boxes
ordered beyond the stock; must be 0). Goals (issue 4): orders/s >= 0.25 x hello/s,
scans/s >= 0.5 x hello/s.
"""

import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

from _common import ROOT, arguments, report, setup_django

PROCESSES = 4
THREADS = 4
PHASE_LIMIT = 90.0
WORKERS = int(os.environ.get("BANGFU_WORKERS", "2"))  # as `bangfu serve`


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(base, request):
    method, path, body, headers = request
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    if data is not None:
        req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return time.perf_counter() - started, status


def _client(job):
    base, requests, start_at, deadline = job
    results = []
    lock = threading.Lock()
    queue = list(reversed(requests))

    def run():
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < deadline:
            with lock:
                if not queue:
                    return
                request = queue.pop()
            outcome = _call(base, request)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def drive(base, requests) -> dict:
    """Send ``requests`` from PROCESSES x THREADS concurrent clients; throughput and latencies."""
    start_at = time.time() + 1.0
    chunks = [requests[p::PROCESSES] for p in range(PROCESSES)]
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        parts = pool.map(_client, [(base, chunk, start_at, start_at + PHASE_LIMIT) for chunk in chunks])
    elapsed = time.time() - start_at
    results = [r for part in parts for r in part]
    latencies = sorted(r[0] for r in results)
    statuses: dict[int, int] = {}
    for _latency, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "requests": len(results),
        "seconds": round(elapsed, 2),
        "per_second": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    args = arguments(__doc__)
    members_count = 300 if args.quick else 2000
    url = setup_django("campaign_load")
    import datetime

    from django.db import connections
    from django.utils import timezone

    from bangfu.accounts import services as accounts
    from bangfu.accounts.models import Membership, User
    from bangfu.consumption.campaigns import services
    from bangfu.consumption.campaigns.models import CampaignItem, Order, PickupSlot
    from bangfu.consumption.campaigns.tokens import PickupToken
    from bangfu.consumption.models import Product, Supplier
    from bangfu.core.permissions import Role
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load

    if not Region.objects.filter(code="410423000000").exists():
        regions_load(prefix="410423")
    county = Region.objects.get(code="410423000000")
    now = timezone.now()
    federation = accounts.organization_create(actor=None, name="鲁山县总工会", kind="union", region=county)
    union = accounts.organization_create(
        actor=None, name="鲁山县第一中学工会", kind="union", region=county, parent=federation
    )
    supplier = Supplier.objects.create(
        name="杂粮合作社", kind="cooperative", region=county, region_code=county.code
    )
    product = Product.objects.create(
        supplier=supplier,
        region_code=county.code,
        name="小米",
        category="grain_oil",
        unit="袋",
        price=Decimal("20"),
    )
    stock = members_count * 8 // 10
    campaign = services.campaign_create(
        actor=None,
        organizer=federation,
        name="杂粮礼盒预订(压测)",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        pickup_closes_at=now + datetime.timedelta(days=2),
        per_member_limit=2,
        eligible_organizations=[federation],
        status="published",
    )
    item = services.item_create(
        actor=None, campaign=campaign, name="杂粮礼盒", price=Decimal("88"), stock=stock, lines=[(product, 2)]
    )
    staff = []
    for n in range(2):
        user = accounts.user_create(actor=None, username=f"bench-staff-{n}", password="bench-password-2026")
        accounts.membership_create(
            actor=None, user=user, organization=federation, role=Role.BUYER, regions=[county]
        )
        staff.append(user)
    sites = [
        services.site_create(
            actor=None,
            campaign=campaign,
            name=f"领取点{n + 1}",
            address="服务站",
            region=county,
            staff=[staff[n]],
        )
        for n in range(2)
    ]
    slots = [
        services.slot_create(
            actor=None,
            site=site,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=6),
            capacity=members_count,
        )
        for site in sites
    ]
    User.objects.bulk_create(
        [User(username=f"bench-member-{i:05d}", password="!") for i in range(members_count)]
    )
    members = list(User.objects.filter(username__startswith="bench-member-").order_by("username"))
    Membership.objects.bulk_create(
        [Membership(user=u, organization=union, role=Role.MEMBER) for u in members]
    )
    through = Membership.regions.through
    through.objects.bulk_create(
        [
            through(membership_id=m.pk, region_id=county.pk)
            for m in Membership.objects.filter(role=Role.MEMBER)
        ]
    )
    member_tokens = [accounts.token_create(user=u, name="bench")[1] for u in members]
    staff_tokens = [accounts.token_create(user=u, name="bench")[1] for u in staff]
    connections.close_all()

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bangfu.settings",
        "BANGFU_VAR_DIR": os.environ.get("BANGFU_VAR_DIR", str(ROOT / "var" / "bench")),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bangfu.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(WORKERS), "--timeout", "120", "--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(base, ("GET", "/healthz", None, {}))[1] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        # warm both workers (imports, connections) before timing
        drive(base, [("GET", "/healthz", None, {})] * 50)

        hello = drive(base, [("GET", "/healthz", None, {})] * max(2000, members_count * 2))
        order_path = f"/api/v1/campaigns/{campaign.pk}/orders"
        order_requests = [
            (
                "POST",
                order_path,
                {"item_id": item.pk, "slot_id": slots[i % 2].pk, "quantity": 1},
                {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{i}"},
            )
            for i, token in enumerate(member_tokens)
        ]
        orders = drive(base, order_requests)
        placed = list(Order.objects.filter(campaign=campaign).select_related("site"))
        scan_requests = [
            (
                "POST",
                "/api/v1/campaigns/scan/confirm",
                {"site_id": order.site_id, "code": PickupToken(order.token).signed()},
                {"Authorization": f"Bearer {staff_tokens[sites.index(order.site)]}"},
            )
            for order in placed
        ]
        scans = drive(base, scan_requests)
    finally:
        server.terminate()
        server.wait(timeout=30)

    item = CampaignItem.objects.get(pk=item.pk)
    boxes = sum(o.quantity for o in Order.objects.filter(campaign=campaign))
    oversell = max(0, boxes - stock) + (1 if item.remaining < 0 else 0)
    oversell += sum(1 for s in PickupSlot.objects.filter(pk__in=[s.pk for s in slots]) if s.remaining < 0)
    collected = Order.objects.filter(campaign=campaign, status="collected").count()
    order_ratio = orders["per_second"] / hello["per_second"]
    scan_ratio = scans["per_second"] / hello["per_second"]
    figures = {
        "members": members_count,
        "stock": stock,
        "boxes_ordered": boxes,
        "collected": collected,
        "oversell": oversell,
        "hello": hello,
        "orders": orders,
        "scans": scans,
        "orders_vs_hello": round(order_ratio, 3),
        "scans_vs_hello": round(scan_ratio, 3),
        "client": f"{PROCESSES} processes x {THREADS} threads; gunicorn {WORKERS} sync workers",
    }
    goals = {"orders_vs_hello_min": 0.25, "scans_vs_hello_min": 0.5, "oversell": 0}
    met = (
        order_ratio >= 0.25
        and scan_ratio >= 0.5
        and oversell == 0
        and boxes == stock
        and collected == len(placed)
    )
    report("campaign_load", figures, goals, met)


if __name__ == "__main__":
    main()
