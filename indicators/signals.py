"""What keeps the cached summaries and the stored roll-up true when a model changes outside
the services (the admin, a shell, a test's builders): each save or delete of something a
summary reads tells `versions`. Inside a service's `changing()` block these only collect what
changed, and the block refreshes and bumps once; the services do not rely on them for
anything else (CONVENTIONS: no hidden side effects)."""

from django.db.models.signals import post_delete, post_save, pre_save

from . import versions
from .models import (
    Area,
    Category,
    Department,
    Figure,
    FigureQuerySet,
    Indicator,
    LightScheme,
    ReportingWindow,
    Schedule,
    ScheduleAnchor,
    Target,
)

# Read by the summary, but neither a figure nor the tree nor a 达标村数 threshold.
CATALOGUE = (Category, Department, Target, Schedule, ScheduleAnchor, LightScheme, ReportingWindow)


def figure_changed(sender, instance, **kwargs):
    versions.figures_touched(
        [(instance.area_id, instance.indicator_id, instance.year, instance.month)]
    )


def catalogue_changed(sender, **kwargs):
    versions.changed()


def remember_before(sender, instance, **kwargs):
    """The stored parent (areas) or 达标村数 rule (indicators) before a save changes it."""
    if instance.pk is None:
        instance._stored = None
        return
    fields = ("parent_id", "level") if sender is Area else ("source_id", "rollup", "threshold")
    instance._stored = sender.objects.filter(pk=instance.pk).values_list(*fields).first()


def area_changed(sender, instance, created=False, **kwargs):
    stored = getattr(instance, "_stored", None)
    if stored is not None and stored != (instance.parent_id, instance.level):
        # Moved or re-levelled: the towns it left and joined are summed again.
        versions.towns_touched([instance.pk, stored[0], instance.parent_id])
    versions.changed()


def indicator_changed(sender, instance, **kwargs):
    stored = getattr(instance, "_stored", None)
    now = (instance.source_id, instance.rollup, instance.threshold)
    if instance.source_id or (stored and stored[0]):
        if stored != now:
            versions.reach_touched([instance.source_id, stored[0] if stored else None])
    versions.changed()


def indicator_deleted(sender, instance, **kwargs):
    if instance.source_id:
        versions.reach_touched([instance.source_id])
    versions.changed()


def connect() -> None:
    post_save.connect(figure_changed, sender=Figure, dispatch_uid="versions-figure-save")
    post_delete.connect(figure_changed, sender=Figure, dispatch_uid="versions-figure-delete")
    # A queryset delete sends one post_delete per figure: collect them, refresh once.
    FigureQuerySet.batch = staticmethod(versions.changing)
    for model in (Area, Indicator):
        pre_save.connect(
            remember_before, sender=model, dispatch_uid=f"versions-before-{model.__name__}"
        )
    post_save.connect(area_changed, sender=Area, dispatch_uid="versions-area-save")
    post_delete.connect(catalogue_changed, sender=Area, dispatch_uid="versions-area-delete")
    post_save.connect(indicator_changed, sender=Indicator, dispatch_uid="versions-indicator-save")
    post_delete.connect(
        indicator_deleted, sender=Indicator, dispatch_uid="versions-indicator-delete"
    )
    for model in CATALOGUE:
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                catalogue_changed, sender=model, dispatch_uid=f"versions-{model.__name__}-{name}"
            )
