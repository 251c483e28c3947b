"""Encryption and keyed lookup hashes for sensitive personal data, and the fields built on them."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from bangfu.core import crypto
from bangfu.core.crypto import DecryptionError
from tests.conftest import DEMO_VILLAGE
from tests.testapp.models import Secret

ID_NUMBER = "41042319900106123X"


@pytest.fixture
def other_key(settings):
    """Switch BANGFU_DATA_KEY to a fresh key for the rest of the test; returns the old one."""
    old = settings.BANGFU_DATA_KEY

    def switch() -> str:
        settings.BANGFU_DATA_KEY = crypto.generate_key()
        crypto._keys.cache_clear()
        return old

    yield switch
    crypto._keys.cache_clear()


def test_round_trip():
    token = crypto.encrypt(ID_NUMBER)
    assert token.startswith("v1:")
    assert ID_NUMBER not in token
    assert crypto.decrypt(token) == ID_NUMBER


def test_round_trip_unicode_and_empty():
    assert crypto.decrypt(crypto.encrypt("张三 · 因病致贫")) == "张三 · 因病致贫"
    assert crypto.decrypt(crypto.encrypt("")) == ""


def test_nonce_is_random():
    first, second = crypto.encrypt(ID_NUMBER), crypto.encrypt(ID_NUMBER)
    assert first != second
    assert base64.b64decode(first[3:])[:12] != base64.b64decode(second[3:])[:12]
    assert crypto.decrypt(first) == crypto.decrypt(second) == ID_NUMBER


def test_decrypt_with_another_key_fails(other_key):
    token = crypto.encrypt(ID_NUMBER)
    other_key()
    with pytest.raises(DecryptionError):
        crypto.decrypt(token)


def test_tampered_ciphertext_fails():
    token = crypto.encrypt(ID_NUMBER)
    blob = bytearray(base64.b64decode(token[3:]))
    for index in (0, 12, len(blob) - 1):  # the nonce, the ciphertext, the tag
        altered = blob.copy()
        altered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            crypto.decrypt("v1:" + base64.b64encode(bytes(altered)).decode())


@pytest.mark.parametrize("token", ["", ID_NUMBER, "v2:AAAA", "v1:not base64!", "v1:" + "A" * 8])
def test_malformed_tokens_fail(token):
    with pytest.raises(DecryptionError):
        crypto.decrypt(token)


def test_lookup_hash_is_stable():
    first = crypto.lookup_hash(ID_NUMBER)
    assert first == crypto.lookup_hash(ID_NUMBER)
    assert len(first) == 64 and int(first, 16) >= 0
    assert crypto.lookup_hash(ID_NUMBER[:-1] + "1") != first


def test_lookup_hash_is_keyed(other_key):
    import hashlib

    before = crypto.lookup_hash(ID_NUMBER)
    assert before != hashlib.sha256(ID_NUMBER.encode()).hexdigest()
    other_key()
    after = crypto.lookup_hash(ID_NUMBER)
    assert after != before
    assert after == crypto.lookup_hash(ID_NUMBER)


def test_encryption_and_lookup_keys_differ():
    encryption, lookup = crypto._keys(crypto.generate_key())
    assert encryption != lookup and len(encryption) == len(lookup) == 32


@pytest.mark.parametrize("key", ["not base64 at all!", base64.urlsafe_b64encode(b"short").decode()])
def test_bad_master_key_is_refused(settings, key):
    settings.BANGFU_DATA_KEY = key
    crypto._keys.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured):
            crypto.encrypt(ID_NUMBER)
    finally:
        crypto._keys.cache_clear()


# The fields ------------------------------------------------------------------------------------


def raw_row(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM testapp_secret WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_encrypted_field_stores_ciphertext():
    secret = Secret.objects.create(
        name="张三",
        region_code=DEMO_VILLAGE,
        id_number=ID_NUMBER,
        id_number_hash=crypto.lookup_hash(ID_NUMBER),
    )
    stored, stored_hash = raw_row(secret.pk)
    assert stored.startswith("v1:")
    assert ID_NUMBER not in stored and ID_NUMBER[:6] not in stored
    assert crypto.decrypt(stored) == ID_NUMBER
    assert stored_hash == crypto.lookup_hash(ID_NUMBER)
    assert Secret.objects.get(pk=secret.pk).id_number == ID_NUMBER


@pytest.mark.django_db
def test_encrypted_field_reencrypts_on_every_save():
    secret = Secret.objects.create(name="张三", region_code=DEMO_VILLAGE, id_number=ID_NUMBER)
    first, _ = raw_row(secret.pk)
    secret.save()
    second, _ = raw_row(secret.pk)
    assert first != second
    assert Secret.objects.get(pk=secret.pk).id_number == ID_NUMBER


@pytest.mark.django_db
def test_encrypted_field_keeps_empty_values():
    secret = Secret.objects.create(name="空", region_code=DEMO_VILLAGE, id_number="")
    assert raw_row(secret.pk)[0] == ""
    assert Secret.objects.get(pk=secret.pk).id_number == ""


@pytest.mark.django_db
def test_lookup_by_hash_finds_the_row():
    Secret.objects.create(
        name="甲", region_code=DEMO_VILLAGE, id_number="x", id_number_hash=crypto.lookup_hash("x")
    )
    wanted = Secret.objects.create(
        name="乙", region_code=DEMO_VILLAGE, id_number=ID_NUMBER, id_number_hash=crypto.lookup_hash(ID_NUMBER)
    )
    assert list(Secret.objects.filter(id_number_hash=crypto.lookup_hash(ID_NUMBER))) == [wanted]


@pytest.mark.django_db
def test_reading_with_another_key_fails(other_key):
    secret = Secret.objects.create(name="张三", region_code=DEMO_VILLAGE, id_number=ID_NUMBER)
    other_key()
    with pytest.raises(DecryptionError):
        Secret.objects.get(pk=secret.pk)


def test_lookup_hash_field_deconstructs_to_its_defaults():
    from bangfu.core.fields import LookupHashField

    field = LookupHashField(blank=True)
    assert field.max_length == 64 and not field.editable
    _name, _path, _args, kwargs = field.deconstruct()
    assert kwargs == {"blank": True}
