"""The task commitments ledger (重点工作任务台账, DOMAIN §6).

A task belongs to one section of the work report, has exactly one lead department and one lead
leader, dated milestones and monthly progress reports. Its light is computed by `lights.py` from
dates, milestones and status; `light` below is only the last *recorded* light, kept so that a
change can be written to `TaskLightChange`. Overdue (逾期) is derived, never a status.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.formatting import month_label
from indicators.models import Area, Department, Indicator, figure_field

from . import lights


class TaskLight(models.TextChoices):
    """A task's light: the indicators' values, the ledger's words (red is 逾期)."""

    BLUE = lights.Light.BLUE, _(lights.LABELS[lights.Light.BLUE])
    GREEN = lights.Light.GREEN, _(lights.LABELS[lights.Light.GREEN])
    YELLOW = lights.Light.YELLOW, _(lights.LABELS[lights.Light.YELLOW])
    RED = lights.Light.RED, _(lights.LABELS[lights.Light.RED])

    @classmethod
    def label_of(cls, value) -> str:
        return str(cls(value).label) if value in cls.values else "—"


class Section(models.Model):
    """A heading of a town's work report (三、紧盯产镇融合发展…), optionally under another.

    Each town has its own report, so two towns may both have a "加强政府自身建设" in a year.
    """

    area = models.ForeignKey(
        Area,
        verbose_name=_("区域"),
        null=True,  # headings made before they belonged to a town and used by none of them
        on_delete=models.PROTECT,
        related_name="sections",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级板块"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("板块")
        verbose_name_plural = _("板块")
        ordering = ["year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "parent", "title"], name="section_unique_title_per_parent"
            ),
            models.UniqueConstraint(
                fields=["area", "year", "title"],
                condition=Q(parent__isnull=True),
                name="section_unique_top_title_per_area",
            ),
        ]

    def __str__(self):
        return self.title


class TaskQuerySet(models.QuerySet):
    def for_ledger(self):
        """Everything a ledger row shows, in a fixed number of queries."""
        return self.select_related(
            "section", "section__parent", "lead_department", "lead_leader", "indicator", "area"
        ).prefetch_related("cooperating", "milestones", "reports")


class Task(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = lights.Status.NOT_STARTED, _("未启动")
        IN_PROGRESS = lights.Status.IN_PROGRESS, _("推进中")
        CLOSE_REQUESTED = lights.Status.CLOSE_REQUESTED, _("申请销号")
        CLOSED = lights.Status.CLOSED, _("已销号")
        EXTENDED = lights.Status.EXTENDED, _("延期")
        CANCELLED = lights.Status.CANCELLED, _("已取消")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("一般")
        HIGH = "high", _("重要")
        URGENT = "urgent", _("紧急")

    number = models.CharField(_("编号"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="tasks"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("板块"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("具体内容"), blank=True)
    target_text = models.CharField(_("量化目标"), max_length=255, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("关联指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text=_("填写后，完成进度按该指标的月度数据 ÷ 下面的目标值计算。"),
    )
    target_value = figure_field(verbose_name=_("指标目标值"), null=True, blank=True)
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tasks",
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    cooperating = models.ManyToManyField(
        Department, verbose_name=_("配合单位"), blank=True, related_name="cooperating_tasks"
    )
    contact = models.CharField(_("联系人"), max_length=64, blank=True)
    deadline = models.DateField(_("完成时限"))
    original_deadline = models.DateField(
        _("原完成时限"), null=True, blank=True, help_text=_("批准延期后保留的最初时限。")
    )
    priority = models.CharField(
        _("优先级"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    close_requested_on = models.DateField(_("申请销号日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=255, blank=True)
    # Only the last *recorded* light, so a change can be written to TaskLightChange; pages
    # judge the light afresh for their own date (lights.judge).
    light = models.CharField(
        _("最近记录的亮灯"), max_length=8, choices=TaskLight.choices, blank=True, editable=False
    )
    is_demo = models.BooleanField(_("示例数据"), default=False)
    order = models.PositiveIntegerField(_("排序"), default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["year", "number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=lights.Status.CANCELLED) | ~Q(cancel_reason=""),
                name="task_cancel_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=lights.Status.EXTENDED) | Q(original_deadline__isnull=False),
                name="task_extension_keeps_original_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def clean(self):
        # A task is filed under a heading of its own town's report (the admin asks this).
        section = self.section if self.section_id else None
        if section is not None and section.area_id and section.area_id != self.area_id:
            raise ValidationError({"section": _("板块属于其他区域：请选择本镇工作报告的板块。")})

    @property
    def is_active(self) -> bool:
        """Still being worked on: progress may be written, an extension asked for."""
        return self.status in (
            self.Status.NOT_STARTED,
            self.Status.IN_PROGRESS,
            self.Status.EXTENDED,
        )


class Milestone(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones"
    )
    content = models.CharField(_("节点内容"), max_length=255)
    due = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("节点目标")
        verbose_name_plural = _("节点目标")
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "content"], name="milestone_unique_content")
        ]

    def __str__(self):
        return self.content


class ProgressReport(models.Model):
    """The lead department's report for one month; writing the month again replaces it."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    situation = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度%"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    coordination = models.TextField(_("需协调事项"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_on = models.DateField(_("填报日期"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "year", "month"], name="progress_one_per_task_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="progress_month_1_12"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_0_100"),
        ]

    def __str__(self):
        return f"{month_label(self.month, self.year)} {self.percent}%"


def attachment_path(instance, filename):
    return f"tasks/{instance.report.task_id}/{filename}"


class Attachment(models.Model):
    """An optional file on a progress report (never required: DOMAIN §1, no mandatory photos)."""

    MAX_BYTES = 10 * 1024 * 1024
    EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx")

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("月度进展"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class TaskEvent(models.Model):
    """The task's trail: comments, progress, 销号 and extension requests and decisions."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("点评")
        PROGRESS = "progress", _("报送进展")
        MILESTONE = "milestone", _("完成节点")
        CLOSE_REQUESTED = "close_requested", _("申请销号")
        CLOSED = "closed", _("同意销号")
        CLOSE_REJECTED = "close_rejected", _("退回销号申请")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("同意延期")
        EXTENSION_REJECTED = "extension_rejected", _("不同意延期")
        CANCELLED = "cancelled", _("取消任务")

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    text = models.TextField(_("内容"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务动态")
        verbose_name_plural = _("任务动态")
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.on} {self.get_kind_display()}"


class ExtensionRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("不同意")

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="extensions"
    )
    new_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_on = models.DateField(_("申请日期"))
    decision = models.CharField(
        _("审批结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(decision="pending"),
                name="extension_one_pending_per_task",
            )
        ]

    def __str__(self):
        return f"{self.task_id} → {self.new_deadline}"


class TaskLightRule(models.Model):
    """Editable thresholds of the task lights (DOMAIN §6); the active row applies."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    warn_days = models.PositiveSmallIntegerField(
        _("临近时限天数"),
        default=lights.Rule.warn_days,
        help_text=_("距完成时限不超过这么多天仍未销号的任务亮黄灯。"),
    )
    milestone_grace_days = models.PositiveSmallIntegerField(
        _("节点宽限天数"),
        default=lights.Rule.milestone_grace_days,
        help_text=_("节点过期超过这么多天仍未完成，任务亮黄灯。"),
    )

    class Meta:
        verbose_name = _("任务亮灯规则")
        verbose_name_plural = _("任务亮灯规则")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="tasklightrule_one_active"
            )
        ]

    def __str__(self):
        return self.name

    def rule(self) -> lights.Rule:
        return lights.Rule(warn_days=self.warn_days, milestone_grace_days=self.milestone_grace_days)


class TaskLightChange(models.Model):
    """One change of a task's light: automatic (dates) or caused by someone's action."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="light_changes"
    )
    old = models.CharField(_("原亮灯"), max_length=8, choices=TaskLight.choices, blank=True)
    new = models.CharField(_("新亮灯"), max_length=8, choices=TaskLight.choices, blank=True)
    reason = models.CharField(_("原因"), max_length=255)
    automatic = models.BooleanField(_("自动"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    as_of = models.DateField(_("按日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("亮灯变化")
        verbose_name_plural = _("亮灯变化")
        ordering = ["-as_of", "-pk"]

    def __str__(self):
        return f"{self.as_of} {self.old or '—'}→{self.new or '—'}"
