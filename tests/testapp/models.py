"""Test-only models for the core mechanisms: sensitive fields and hash-chained ledgers."""

from django.db import models

from bangfu.audit.models import ChainedEntry
from bangfu.core.fields import EncryptedTextField, LookupHashField


class Secret(models.Model):
    """A row with a sensitive value, scoped by its region like a domain row."""

    name = models.CharField(max_length=50)
    region_code = models.CharField(max_length=12)
    id_number = EncryptedTextField(blank=True)
    id_number_hash = LookupHashField(blank=True)
    extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class PointEntry(ChainedEntry):
    """A points ledger in miniature."""

    ledger_name = "test-points"
    hash_fields = ("household", "points", "memo")

    household = models.CharField(max_length=50)
    points = models.IntegerField()
    memo = models.CharField(max_length=100, blank=True)


class MoneyEntry(ChainedEntry):
    """A money ledger in miniature: amounts are Decimal with 2 places."""

    ledger_name = "test-money"
    hash_fields = ("project", "amount")

    project = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
