"""The admin as a town's administrator sees it: only their own town's records.

A superuser keeps the whole district. A town's administrator (staff, 管理员 role, a town area;
`access.admin_area_ids`) sees in lists, searches, filters, choices and autocompletes only the
records of their town and its villages; another town's record asked for by its URL answers 404
(403 for its history), never the record. They may view, add and change what their town keeps
(`town_admin_may`), and view the shared catalogue (indicators, categories, departments,
schedules) that their forms choose from; district-wide settings stay with the superuser.

The ledger's admin uses the same mixins, naming how its models reach an area (`area_path`).
"""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from . import access
from .areas import AreaTree

VIEW_ADD_CHANGE = frozenset({"view", "add", "change"})
VIEW = frozenset({"view"})


def admin_scope(request) -> set[int] | None:
    """The request user's admin areas (None: all), read once per request."""
    if not hasattr(request, "_admin_scope"):
        request._admin_scope = access.admin_area_ids(request.user, AreaTree())
    return request._admin_scope


def _area_id(obj, path: str):
    """The area id an object reaches by `path` ("area", "task__area", "pk" for an Area)."""
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class KeptAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which redraws a refused form with the value that was
    posted: one that is no id at all (" ", "x") or beyond the column's range it looks up anyway
    and fails with a 500. Such a value is simply not shown; the form's own error says what is
    wrong."""

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        kept = []
        for v in value:
            try:
                pk.run_validators(pk.to_python(v))  # the validators hold the column's range
            except ValidationError:
                continue
            kept.append(v)
        return super().optgroups(name, kept, attr)


class Scoped:
    """What ScopedAdmin and ScopedInline share: the queryset, the choices and the permissions.

    `area_path` is the lookup from the model to its Area (None: a shared catalogue model,
    never narrowed); `town_admin_may` is what a town's administrator may do with the records
    of their town.
    """

    area_path: str | None = None
    town_admin_may = VIEW_ADD_CHANGE

    def scoped_queryset(self, request, queryset):
        areas = admin_scope(request)
        if areas is None or self.area_path is None:
            return queryset
        return queryset.filter(**{f"{self.area_path}__in": areas})

    def in_scope(self, request, obj) -> bool:
        areas = admin_scope(request)
        if areas is None or obj is None or self.area_path is None:
            return True
        return _area_id(obj, self.area_path) in areas

    def town_admin(self, request) -> bool:
        """A town's (or district's) administrator who is not a superuser."""
        return admin_scope(request) is not None and bool(admin_scope(request))

    def _may(self, request, action, obj, default) -> bool:
        if not self.in_scope(request, obj):
            return False
        return default or (self.town_admin(request) and action in self.town_admin_may)

    def narrowed_choices(self, db_field, request, kwargs):
        """Foreign keys offer only the records the user may see."""
        if admin_scope(request) is None or "queryset" in kwargs:
            return kwargs
        model = db_field.related_model
        related = self.admin_site._registry.get(model)
        if isinstance(related, Scoped) and related.area_path is not None:
            kwargs["queryset"] = related.get_queryset(request)
        elif model is get_user_model():
            # People are named by the town they belong to, like everything else.
            kwargs["queryset"] = model.objects.filter(
                membership__area__in=admin_scope(request)
            ).order_by("username")
        return kwargs


class ScopedAdmin(Scoped, admin.ModelAdmin):
    def get_queryset(self, request):
        return self.scoped_queryset(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and admin_scope(request) is not None:
            # The same answer for a record of another town and one that does not exist.
            raise Http404(_("找不到该记录，或它不属于您管理的区域。"))
        return obj

    def get_autocomplete_fields(self, request):
        # An autocomplete asks the related model's admin; where the user may not view that
        # model, the field is a plain choice among the records they may see.
        fields = super().get_autocomplete_fields(request)
        if admin_scope(request) is None:
            return fields
        opts = self.model._meta
        return [
            name
            for name in fields
            if (related := self.admin_site._registry.get(opts.get_field(name).related_model))
            and related.has_view_permission(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self.narrowed_choices(db_field, request, kwargs)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeptAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.town_admin(request)

    def has_view_permission(self, request, obj=None):
        default = super().has_view_permission(request, obj)
        return self._may(request, "view", obj, default) or self._may(request, "change", obj, False)

    def has_add_permission(self, request):
        return self._may(request, "add", None, super().has_add_permission(request))

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", obj, super().has_delete_permission(request, obj))


class ScopedInline(Scoped):
    """For inlines: the rows of the parent's town only; the parent's permissions decide."""

    def in_scope(self, request, obj) -> bool:
        # `obj` is the parent, which its own admin has already checked; rows are narrowed by
        # the queryset.
        return True

    def get_queryset(self, request):
        return self.scoped_queryset(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self.narrowed_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", obj, super().has_view_permission(request, obj))

    def has_add_permission(self, request, obj=None):
        return self._may(request, "add", obj, super().has_add_permission(request, obj))

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", obj, super().has_delete_permission(request, obj))
