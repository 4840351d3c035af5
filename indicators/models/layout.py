"""表样 (DOMAIN §8): the Layout model, kept apart from the core's figures and targets."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Layout(models.Model):
    """表样 (DOMAIN §8): how one wide sheet maps to (indicator, measure) cells.

    A township's own table or a county's report form has indicators as rows (by name or code)
    and measures as columns (本月, 1—n月累计, 上年同期, 同比增长%, 全年目标, 完成率%, or 1月…12月).
    `rows` is [{"row": 5, "label": "一般公共预算收入", "code": "JJ01"}] ("" where the row maps to
    no indicator; an entry sheet's rows also name their "area"), `columns` is
    [{"col": "C", "label": "本月", "measure": "month_value"}]. The blank form it was detected
    from is kept in `form`, so it can be filled again every month.
    """

    class Kind(models.TextChoices):
        WIDE_YTD = "wide-ytd", _("指标×完成情况")
        WIDE_MONTHS = "wide-months", _("指标×月份")
        # The department's month entry sheet: one row per indicator and area, each row naming
        # both in its own cells (built for the month from the entry grid, never saved).
        ENTRY = "entry", _("指标×区域（填报表）")

    class Measure(models.TextChoices):
        MONTH_VALUE = "month_value", _("本月")
        YTD = "ytd", _("1—n月累计")
        LAST_YEAR = "last_year", _("上年同期")
        YOY_PCT = "yoy_pct", _("同比增长%")
        TARGET = "target", _("全年目标")
        COMPLETION_PCT = "completion_pct", _("完成率%")
        UNIT = "unit", _("单位")
        NAME = "name", _("指标名称")
        CODE = "code", _("指标编码")
        IGNORE = "ignore", _("不读取")
        # The entry sheet's own columns (Kind.ENTRY).
        AREA = "area", _("区域编码")
        AREA_NAME = "area_name", _("区域名称")
        YEAR = "year", _("年度")
        MONTH = "month", _("月份")
        VALUE = "value", _("数值")
        NOTE = "note", _("备注")
        PREVIOUS = "previous", _("上期累计")
        STATUS = "status", _("状态")

    name = models.CharField(_("名称"), max_length=64, unique=True)
    sheet = models.CharField(_("工作表"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.WIDE_YTD)
    title_cell = models.CharField(_("标题单元格"), max_length=8, blank=True)
    header_rows = models.JSONField(_("表头行"), default=list)
    rows = models.JSONField(_("指标行"), default=list)
    columns = models.JSONField(_("数据列"), default=list)
    form = models.BinaryField(_("空白表"), blank=True, default=b"")
    form_name = models.CharField(_("空白表文件名"), max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表样")
        verbose_name_plural = _("表样")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def mapped_rows(self) -> list[dict]:
        return [r for r in self.rows if r.get("code")]
