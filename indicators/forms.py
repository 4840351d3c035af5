"""Forms of the monthly entry pages. The grid's cells are read in views/entry.py: their number
depends on the department and the month, and their checks are the services' (indicators/entry.py).
"""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .formatting import month_label
from .models import Department, Layout

MONTHS = [(m, lazy(month_label, str)(m)) for m in range(1, 13)]


class PeriodForm(forms.Form):
    """Which department and month a page shows (query string)."""

    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("部门不存在或您无权查看，请从列表中选择。")},
    )
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={"invalid": _("年度应为数字，例如 2025。")},
    )
    month = forms.TypedChoiceField(
        label=_("月份"),
        choices=MONTHS,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("月份应为1至12。")},
    )

    def __init__(self, data, *, departments, default_year, default_month):
        super().__init__(data)
        self.fields["department"].queryset = departments
        self.defaults = {"year": default_year, "month": default_month}
        self.first = departments.first()

    def period(self):
        """(department, year, month), or None with `errors` filled."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return (
            data["department"] or self.first,
            data["year"] or self.defaults["year"],
            data["month"] or self.defaults["month"],
        )

    def error_text(self) -> str:
        return "；".join(str(e) for errors in self.errors.values() for e in errors)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("填报表文件"),
        help_text=_("下载的填报表（.xlsx），或旧版 .xls，或另存为 CSV（UTF-8 或 GBK）。"),
        error_messages={"required": _("请选择要上传的文件。")},
    )
    confirm_outliers = forms.BooleanField(
        label=_("疑似单位错误的数值已核对无误（须在备注中写明原因）"), required=False
    )
    layout = forms.ModelChoiceField(
        label=_("表样"),
        queryset=Layout.objects.all(),
        required=False,
        empty_label=_("下载的填报表（不用表样）"),
        error_messages={"invalid_choice": _("表样不存在：请从列表中选择。")},
    )


class ReviewForm(forms.Form):
    """One review action: approve the ticked figures, or return / reopen one with a comment."""

    action = forms.ChoiceField(
        choices=[("approve", _("审核通过")), ("return", _("退回")), ("reopen", _("重新打开"))]
    )
    figure = forms.IntegerField(required=False, min_value=1)
    version = forms.IntegerField(required=False, min_value=0)
    comment = forms.CharField(required=False, max_length=255)
