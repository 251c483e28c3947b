"""Photos and documents on projects, activities and fund entries: scope, public pages, append-only
vouchers, the audit trail, the panel on each page, and the API."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance import services
from bangfu.assistance.models import ActivityKind, FundEntry
from bangfu.attachments import services as attachments
from bangfu.attachments.models import Attachment
from bangfu.audit.models import Action, ChangeRecord
from bangfu.core.permissions import Role
from tests.attachments.files import HTML, PDF, image_bytes, upload, zip_bomb
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def panel_url(key: str, pk: int) -> str:
    return reverse("attachments:panel", args=[key, pk])


def add_photo(world, owner=None, *, public=False, name="cattle.jpg"):
    owner = owner or world.project
    return attachments.attachments_add(
        actor=world.office, owner=owner, files=[upload(image_bytes("JPEG"), name)], public=public
    )[0]


@pytest.fixture
def activity(world, region):
    return services.activity_record(
        actor=world.office,
        kind=ActivityKind.CLINIC,
        title="义诊进村",
        date=datetime.date(2020, 5, 1),
        region=region(DEMO_VILLAGE),
        person_times=120,
        project=world.project,
    )


def test_upload_through_the_page_stores_checks_and_audits(world, client_for, media):
    client = client_for(world.office)
    response = client.post(
        panel_url("assistance.project", world.project.pk),
        {"files": [upload(image_bytes("PNG"), "牛舍.png"), upload(PDF, "验收报告.pdf")], "caption": "竣工"},
    )
    assert response.status_code == 302
    made = list(Attachment.objects.order_by("pk"))
    assert [(a.original_name, a.kind, a.caption, a.created_by) for a in made] == [
        ("牛舍.png", "photo", "竣工", world.office),
        ("验收报告.pdf", "document", "竣工", world.office),
    ]
    assert all(a.region_code == DEMO_VILLAGE for a in made)
    for a in made:
        content = Path(a.file.path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == a.sha256
        assert a.size == len(content)
        assert not a.file.name.endswith(a.original_name)  # stored under a name of our own
    assert made[0].thumbnail and not made[1].thumbnail
    assert len(stored_files(media)) == 3  # two files and one thumbnail
    created = ChangeRecord.objects.filter(action=Action.CREATE, object_repr__in=["牛舍.png", "验收报告.pdf"])
    assert created.count() == 2
    on_project = ChangeRecord.objects.filter(object_id=str(world.project.pk), changes__has_key="attachment")
    assert on_project.count() == 2


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (HTML, "photo.jpg", "类型不支持"),
        (image_bytes("JPEG")[:300], "cut.jpg", "不是有效的图片"),
        (zip_bomb(), "report.docx", "压缩炸弹"),
    ],
)
def test_a_hostile_file_among_good_ones_writes_nothing(world, client_for, media, data, name, message):
    before = ChangeRecord.objects.count()
    response = client_for(world.office).post(
        panel_url("assistance.project", world.project.pk),
        {"files": [upload(image_bytes("PNG"), "good.png"), upload(data, name)]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert name in response.content.decode()
    assert Attachment.objects.count() == 0
    assert ChangeRecord.objects.count() == before
    assert stored_files(media) == []


def test_htmx_upload_answers_with_the_panel(world, client_for):
    client = client_for(world.office)
    url = panel_url("assistance.project", world.project.pk)
    ok = client.post(url, {"files": [upload(image_bytes("WEBP"), "a.webp")]}, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    assert 'data-testid="attachment-photo"' in ok.content.decode()
    refused = client.post(url, {"files": [upload(HTML, "x.jpg")]}, headers={"HX-Request": "true"})
    assert 'data-testid="attachment-error"' in refused.content.decode()
    assert Attachment.objects.count() == 1
    empty = client.post(url, {}, headers={"HX-Request": "true"})
    assert "请选择要上传的文件" in empty.content.decode()


def test_someone_outside_the_region_gets_404_everywhere(world, client_for):
    photo = add_photo(world)
    client = client_for(world.outsider)
    for url in (
        panel_url("assistance.project", world.project.pk),
        reverse("attachments:file", args=[photo.pk]),
        reverse("attachments:thumbnail", args=[photo.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("attachments:delete", args=[photo.pk])).status_code == 404
    response = client.post(
        panel_url("assistance.project", world.project.pk), {"files": [upload(image_bytes(), "x.jpg")]}
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1
    with pytest.raises(ValidationError):
        attachments.attachments_add(actor=world.outsider, owner=world.project, files=[upload(PDF, "a.pdf")])
    assert Attachment.objects.count() == 1


def test_a_reader_sees_files_but_cannot_add_or_remove(world, client_for, make_user):
    photo = add_photo(world)
    leader = client_for(make_user(Role.LEADER, DEMO_COUNTY))
    page = leader.get(panel_url("assistance.project", world.project.pk)).content.decode()
    assert "cattle.jpg" in page and 'data-testid="attachment-form"' not in page
    response = leader.get(reverse("attachments:file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == Path(photo.file.path).read_bytes()
    assert leader.post(reverse("attachments:delete", args=[photo.pk])).status_code == 403  # no edit role
    assert (
        leader.post(
            panel_url("assistance.project", world.project.pk), {"files": [upload(PDF, "a.pdf")]}
        ).status_code
        == 403
    )
    assert Attachment.objects.count() == 1


def test_an_unknown_owner_kind_is_404(world, client_for):
    client = client_for(world.office)
    assert client.get(panel_url("accounts.user", world.office.pk)).status_code == 404
    assert client.get(panel_url("assistance.project", 999_999)).status_code == 404


def test_documents_download_and_never_render_inline(world, client_for):
    document = attachments.attachments_add(
        actor=world.office, owner=world.project, files=[upload(PDF, "报告.pdf")]
    )[0]
    response = client_for(world.office).get(reverse("attachments:file", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def _disclose(world, days_ago=3):
    today = timezone.localdate()
    services.project_disclose(
        actor=world.office,
        project=world.project,
        disclosed_from=today - datetime.timedelta(days=days_ago),
        disclosed_until=today + datetime.timedelta(days=10),
    )


def test_private_files_are_never_reachable_logged_out(world):
    _disclose(world)
    private = add_photo(world, public=False, name="inside.jpg")
    voucher = attachments.attachments_add(
        actor=world.office,
        owner=FundEntry.objects.filter(project=world.project).last(),
        files=[upload(PDF, "v.pdf")],
    )[0]
    anonymous = Client()
    for attachment in (private, voucher):
        for name in ("attachments:public-file", "attachments:public-thumbnail"):
            assert anonymous.get(reverse(name, args=[attachment.pk])).status_code == 404
        for name in ("attachments:file", "attachments:thumbnail"):
            response = anonymous.get(reverse(name, args=[attachment.pk]))
            assert response.status_code == 302 and "/accounts/login" in response["Location"]
    page = anonymous.get(reverse("assistance:public-project", args=[world.project.pk])).content.decode()
    assert f"/attachments/public/{private.pk}/" not in page
    assert 'data-testid="public-photos"' not in page


def test_public_photos_show_on_the_public_pages_once_disclosed(world):
    photo = add_photo(world, public=True, name="square.jpg")
    anonymous = Client()
    public_url = reverse("attachments:public-file", args=[photo.pk])
    assert anonymous.get(public_url).status_code == 404  # the project is not disclosed yet
    _disclose(world)
    response = anonymous.get(public_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(photo.file.path).read_bytes()
    assert anonymous.get(reverse("attachments:public-thumbnail", args=[photo.pk])).status_code == 200
    project_page = anonymous.get(
        reverse("assistance:public-project", args=[world.project.pk])
    ).content.decode()
    assert reverse("attachments:public-thumbnail", args=[photo.pk]) in project_page
    village_page = anonymous.get(reverse("assistance:public-region", args=[DEMO_VILLAGE])).content.decode()
    assert reverse("attachments:public-thumbnail", args=[photo.pk]) in village_page
    assert "square.jpg" not in project_page  # the original file name stays inside


def test_public_photos_of_a_disclosed_projects_activities_show_too(world, activity):
    shown = add_photo(world, activity, public=True, name="clinic.jpg")
    hidden = add_photo(world, activity, public=False, name="inside.jpg")
    anonymous = Client()
    assert anonymous.get(reverse("attachments:public-file", args=[shown.pk])).status_code == 404
    _disclose(world)
    page = anonymous.get(reverse("assistance:public-project", args=[world.project.pk])).content.decode()
    assert reverse("attachments:public-thumbnail", args=[shown.pk]) in page
    assert f"/attachments/public/{hidden.pk}/" not in page
    assert anonymous.get(reverse("attachments:public-file", args=[shown.pk])).status_code == 200
    assert anonymous.get(reverse("attachments:public-file", args=[hidden.pk])).status_code == 404


def test_vouchers_are_append_only(world, client_for):
    entry = FundEntry.objects.filter(project=world.project).order_by("seq").last()
    first = attachments.attachments_add(actor=world.office, owner=entry, files=[upload(PDF, "发票.pdf")])[0]
    second = attachments.attachments_add(
        actor=world.office, owner=entry, files=[upload(image_bytes(), "收据.jpg")]
    )[0]
    with pytest.raises(ValidationError) as caught:
        attachments.attachment_delete(actor=world.office, attachment=first)
    assert "只能追加" in str(caught.value)
    response = client_for(world.office).post(reverse("attachments:delete", args=[second.pk]))
    assert response.status_code == 400
    assert Attachment.objects.count() == 2
    assert not ChangeRecord.objects.filter(action=Action.DELETE).exists()
    with pytest.raises(ValidationError):
        attachments.attachments_add(
            actor=world.office, owner=entry, files=[upload(PDF, "a.pdf")], public=True
        )
    page = client_for(world.office).get(panel_url("assistance.fundentry", entry.pk)).content.decode()
    assert first.sha256 in page and "只能追加,不能删除" in page
    assert 'hx-post="/attachments/' + str(first.pk) not in page  # no delete button


def test_vouchers_are_sealed_and_audit_verify_reports_a_changed_one(world, media):
    from django.db import IntegrityError, transaction

    from bangfu.attachments.models import AttachmentSeal
    from bangfu.audit.ledger import verify

    def problems():
        return [p for p in verify() if not isinstance(p, int)]

    entry = FundEntry.objects.filter(project=world.project).order_by("seq").last()
    voucher = attachments.attachments_add(actor=world.office, owner=entry, files=[upload(PDF, "发票.pdf")])[0]
    photo = add_photo(world)  # a project photo may be removed: it is not sealed
    seal = AttachmentSeal.objects.get()
    assert (seal.attachment, seal.owner_key, seal.owner_id) == (voucher, "assistance.fundentry", entry.pk)
    assert seal.sha256 == voucher.sha256 == hashlib.sha256(PDF).hexdigest()
    assert not hasattr(photo, "seal") or not AttachmentSeal.objects.filter(attachment=photo).exists()
    assert problems() == []

    # the stored file replaced on disk
    path = Path(voucher.file.path)
    path.write_bytes(PDF.replace(b"%PDF-1.", b"%PDF-2."))
    found = problems()
    assert [(p.ledger, p.kind) for p in found] == [("attachments.seal", "edited")]
    assert "was changed" in found[0].message
    path.write_bytes(PDF)
    # the row's recorded digest edited to match another file
    Attachment.objects.filter(pk=voucher.pk).update(sha256="0" * 64)
    assert "no longer matches its seal" in problems()[0].message
    Attachment.objects.filter(pk=voucher.pk).update(sha256=seal.sha256)
    # the seal itself edited: its hash no longer matches
    AttachmentSeal.objects.filter(pk=seal.pk).update(size=1)
    assert {p.kind for p in problems()} == {"edited"}
    AttachmentSeal.objects.filter(pk=seal.pk).update(size=voucher.size)
    assert problems() == []
    # and a sealed attachment cannot be deleted, even behind the services' back
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(pk=voucher.pk).delete()
    assert Attachment.objects.filter(pk=voucher.pk).exists()


def test_deleting_a_project_photo_is_audited_and_removes_the_file(
    world, client_for, media, django_capture_on_commit_callbacks
):
    photo = add_photo(world)
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.office).post(reverse("attachments:delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    deleted = ChangeRecord.objects.get(action=Action.DELETE)
    assert deleted.object_repr == "cattle.jpg"
    assert deleted.changes["sha256"][0] == photo.sha256
    assert deleted.actor == world.office
    assert ChangeRecord.objects.filter(object_id=str(world.project.pk), changes__attachment__1=None).exists()
    assert stored_files(media) == []


def test_the_panel_is_on_the_project_fund_and_activity_pages(world, client_for, activity):
    entry = FundEntry.objects.filter(project=world.project).order_by("seq").last()
    add_photo(world, name="project.jpg")
    add_photo(world, activity, name="clinic.jpg")
    attachments.attachments_add(actor=world.office, owner=entry, files=[upload(PDF, "voucher.pdf")])
    client = client_for(world.office)
    project_page = client.get(world.project.get_absolute_url()).content.decode()
    assert 'data-testid="attachments"' in project_page and "project.jpg" in project_page
    assert panel_url("assistance.fundentry", entry.pk) in project_page
    activity_page = client.get(activity.get_absolute_url()).content.decode()
    assert 'data-testid="attachments"' in activity_page and "clinic.jpg" in activity_page
    assert 'data-testid="attachment-form"' in activity_page
    form = activity_page.split('data-testid="attachment-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form  # the include keeps the page's CSRF token
    entry_page = client.get(panel_url("assistance.fundentry", entry.pk)).content.decode()
    assert "voucher.pdf" in entry_page


def test_api_lists_uploads_and_refuses(world, client_for):
    client = client_for(world.office)
    base = f"/api/v1/attachments/assistance.project/{world.project.pk}"
    created = client.post(
        base, {"files": [upload(image_bytes(), "a.jpg"), upload(PDF, "b.pdf")], "caption": "x"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [item["original_name"] for item in body] == ["a.jpg", "b.pdf"]
    assert body[0]["thumbnail_url"] and body[1]["thumbnail_url"] is None
    listed = client.get(base).json()
    assert [item["sha256"] for item in listed] == [item["sha256"] for item in body]
    refused = client.post(base, {"files": [upload(HTML, "c.jpg")]})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "file_type_unsupported"
    assert Attachment.objects.count() == 2
    assert client_for(world.outsider).get(base).status_code == 404
    entry = FundEntry.objects.filter(project=world.project).last()
    voucher = attachments.attachments_add(actor=world.office, owner=entry, files=[upload(PDF, "v.pdf")])[0]
    gone = client.delete(f"/api/v1/attachments/{voucher.pk}")
    assert gone.status_code == 422 and gone.json()["error"]["code"] == "append_only"
    assert client.delete(f"/api/v1/attachments/{body[0]['id']}").status_code == 204
    assert Attachment.objects.count() == 2


def _demo_attachments(world, seed: int) -> list[tuple[str, str, str, bool]]:
    import random
    from types import SimpleNamespace

    from django.db import transaction

    from bangfu.assistance.demo_attachments import build_attachments

    with transaction.atomic():  # each build rolled back: vouchers, once sealed, stay
        made = build_attachments(SimpleNamespace(rng=random.Random(seed)), office=world.office)
        rows = list(
            Attachment.objects.order_by("pk").values_list(
                "owner_type__model", "original_name", "sha256", "public"
            )
        )
        transaction.set_rollback(True)
    assert len(rows) == made
    return rows


def test_demo_attaches_photos_and_vouchers_deterministically(world):
    first = _demo_attachments(world, seed=5)
    models = [row[0] for row in first]
    assert models.count("project") == 2 and models.count("fundentry") == 1  # the one payment: a PDF voucher
    assert [row[3] for row in first if row[0] == "project"] == [True, False]
    assert first[-1][1] == "PZ-2019-001.pdf"
    assert _demo_attachments(world, seed=5) == first
    assert [row[2] for row in _demo_attachments(world, seed=6)] != [row[2] for row in first]


def test_vouchers_can_be_attached_when_the_entry_is_recorded(world, client_for, media):
    from bangfu.audit.models import LedgerChain

    client = client_for(world.office)
    url = reverse("assistance:fund-entry-create", args=[world.project.pk])
    form = {"kind": "spent", "amount": "1000", "date": "2019-06-01", "voucher_number": "PZ-2019-009"}
    chain = list(LedgerChain.objects.values_list("pk", "last_seq", "last_hash"))
    entries = FundEntry.objects.count()
    refused = client.post(url, {**form, "vouchers": [upload(PDF, "ok.pdf"), upload(HTML, "发票.pdf")]})
    assert refused.status_code == 400
    assert "发票.pdf" in refused.content.decode()
    assert FundEntry.objects.count() == entries  # no entry without its vouchers
    assert list(LedgerChain.objects.values_list("pk", "last_seq", "last_hash")) == chain
    assert Attachment.objects.count() == 0 and stored_files(media) == []
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    done = client.post(
        url, {**form, "vouchers": [upload(PDF, "发票.pdf"), upload(image_bytes(), "收据.jpg")]}
    )
    assert done.status_code == 302
    entry = FundEntry.objects.get(voucher_number="PZ-2019-009")
    names = list(Attachment.objects.order_by("pk").values_list("original_name", "owner_id"))
    assert names == [("发票.pdf", entry.pk), ("收据.jpg", entry.pk)]
