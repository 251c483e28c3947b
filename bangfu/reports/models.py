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
