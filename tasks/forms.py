import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.formatting import month_label

from . import attachments
from .models import Attachment, Task, TaskLight


class DateInput(forms.DateInput):
    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several optional files; each is checked for size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Attachments are optional (DOMAIN §1: no mandatory photos); each one is checked.
        given = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in given]
        for upload in cleaned:
            if attachments.extension(upload.name) not in Attachment.EXTENSIONS:
                raise forms.ValidationError(
                    _("「%(name)s」的类型不支持：只能上传 %(types)s 文件。"),
                    params={"name": upload.name, "types": "、".join(Attachment.EXTENSIONS)},
                )
            if upload.size > Attachment.MAX_BYTES:
                raise forms.ValidationError(
                    _("「%(name)s」超过10MB，请压缩后再上传。"), params={"name": upload.name}
                )
            # The content must be what the name says (a renamed program is refused), and the
            # type recorded is the checked one, not the browser's claim.
            if why := attachments.problem(upload):
                raise forms.ValidationError(why)
            upload.content_type = attachments.CONTENT_TYPES[attachments.extension(upload.name)]
        return cleaned


class ProgressForm(forms.Form):
    """The month's progress report, as the 台账 columns name it."""

    month = forms.TypedChoiceField(label=_("月份"), coerce=int)
    percent = forms.IntegerField(
        label=_("完成进度%"),
        min_value=0,
        max_value=100,
        help_text=_("0—100的整数，占年度目标的比例。"),
    )
    situation = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=_("下步打算"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    coordination = forms.CharField(
        label=_("需协调事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(
        label=_("附件（可不传）"),
        help_text=_("可选：PDF、图片、Word、Excel，每个不超过10MB。不要求上传照片。"),
    )

    def __init__(self, *args, task: Task, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        last = 12 if today.year > task.year else today.month
        months = range(1, last + 1) if today.year >= task.year else []
        self.fields["month"].choices = [(m, month_label(m, task.year)) for m in reversed(months)]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("点评"), widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DateInput)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("申请延至"), widget=DateInput)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=255)


class LedgerFilterForm(forms.Form):
    """The ledger's filters; an empty field means "all"."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    as_of = forms.DateField(label=_("查看日期"), required=False, widget=DateInput)
    section = forms.TypedChoiceField(label=_("板块"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label=_("牵头单位"), required=False, coerce=int, empty_value=None
    )
    leader = forms.TypedChoiceField(
        label=_("牵头领导"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Task.Status.choices]
    )
    light = forms.ChoiceField(
        label=_("亮灯"),
        required=False,
        choices=[("", _("全部")), *TaskLight.choices],
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, sections=(), departments=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["section"].choices = everything + [
            (s.pk, ("　" if s.parent_id else "") + s.title) for s in sections
        ]
        self.fields["department"].choices = everything + [(d.pk, d.name) for d in departments]
        self.fields["leader"].choices = everything + list(leaders)
