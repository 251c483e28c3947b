from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """A published scorecard, frozen: who published it, when, for which scope and period,
    every figure, and a hash of the figures. Later corrections of the records show as
    differences between these figures and the current ones."""

    title = models.CharField(_("标题"), max_length=200)
    scope_label = models.CharField(_("范围"), max_length=200)
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True, editable=False)
    query = models.JSONField(_("范围与期间参数"), default=dict, blank=True)
    period_label = models.CharField(_("期间"), max_length=100)
    figures = models.JSONField(_("指标"), default=dict)
    labels = models.JSONField(_("指标名称"), default=dict)
    digest = models.CharField(_("校验码"), max_length=64, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("已发布成绩单")
        verbose_name_plural = _("已发布成绩单")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:snapshot-detail", args=[self.pk])


class RollupCell(models.Model):
    """One cell of a rollup cube (``reports.rollups``): the count and sums of a cube's source
    rows in one region (a township, or a county for coarse cubes; 12-digit padded), year and
    combination of the cube's other dimensions. Derived data, rebuilt from the records."""

    cube = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12)
    region_code2 = models.CharField(max_length=12, blank=True, default="")
    year = models.IntegerField(default=0)
    d1 = models.CharField(max_length=40, blank=True, default="")
    d2 = models.CharField(max_length=40, blank=True, default="")
    d3 = models.CharField(max_length=40, blank=True, default="")
    n = models.BigIntegerField(default=0)
    a = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    b = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["cube", "region_code"], name="rollup_cube_region")]

    def __str__(self) -> str:
        return f"{self.cube} {self.region_code} {self.year} {self.d1}/{self.d2}/{self.d3}: {self.n}"


class RollupDirty(models.Model):
    """A region whose cells of a cube may no longer match the records: appended by database
    triggers in the writing transaction (plain inserts, so writers never wait on each other),
    recomputed and cleared before the cube is next read. A refresh clears only the marks it
    has read, so a mark committed meanwhile waits for the next one."""

    id = models.BigAutoField(primary_key=True)
    cube = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.cube} {self.region_code}"


class RollupState(models.Model):
    """A cube whose cells are complete for its definition (``signature``); a cube without one,
    or with another definition, is rebuilt whole before it is read."""

    cube = models.CharField(max_length=40, unique=True)
    signature = models.CharField(max_length=64)
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.cube
