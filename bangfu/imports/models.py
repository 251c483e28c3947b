from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部成功才写入")
    SKIP_BAD_ROWS = "skip", _("跳过错误行")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    CHECKED = "checked", _("试运行完成")
    IMPORTED = "imported", _("已导入")
    REJECTED = "rejected", _("有错误,未写入")
    FAILED = "failed", _("失败")


class ImportRun(models.Model):
    """One upload of one file for one kind of record, and what became of it."""

    kind = models.CharField(_("类型"), max_length=40)
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=255)
    size = models.BigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    mode = models.CharField(_("模式"), max_length=4, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    dry_run = models.BooleanField(_("试运行"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("数据行"), default=0)
    blank_rows = models.PositiveIntegerField(_("空行"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    message = models.TextField(_("说明"), blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, editable=False)  # host:pid that runs it

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:run-detail", args=[self.pk])

    @property
    def written(self) -> bool:
        return self.status == RunStatus.IMPORTED


class ImportIssue(models.Model):
    """One problem with one cell (or row) of an uploaded file."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    value = models.CharField(_("值"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["run_id", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.reason}"
