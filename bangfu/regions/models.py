from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")


class Region(models.Model):
    """An administrative division; its 12-digit code is the key, its prefix covers its subtree."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    # Regions are reference data written only by the loader, from a dataset whose parents
    # the tests check; without a database constraint the whole country loads in seconds.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="children",
    )

    scope_field = "code"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:region-detail", args=[self.code])

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    @property
    def county_code(self) -> str:
        return self.code[:6]


class RegionDataset(models.Model):
    """Which published dataset the regions table was loaded from, and when."""

    source = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    rows = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.version}"
