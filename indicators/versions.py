"""The data version, and the caches keyed by it.

Every write that can change a summary (a figure saved, submitted, approved, returned, reopened
or imported; a target, an indicator, a category, an area, a schedule, the light rules or the
deadlines changed) replaces the token of the one `DataVersion` row. A cached summary's key
holds the token it was computed under, so after a write no reader can reach an older entry:
nothing has to be deleted, and a write in one worker process is seen by all.

The services wrap their writes in `changing()`: the stored roll-up is refreshed and the token
replaced once, at the end, inside the service's transaction (a rolled-back write changes
neither). Model signals (`apps.py`) catch every other save and delete, the admin's and a
shell's included; outside a `changing()` block they do their part at once. A bulk write
(`bulk_create`, `update()`) sends no signal: its caller says what it touched (`figures_touched`).
"""

import threading
import uuid
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from .models import DataVersion

_state = threading.local()
# Entries live a day at most: a version nobody reads any more just expires.
TIMEOUT = 24 * 60 * 60


def _pending() -> dict:
    if not hasattr(_state, "depth"):
        _state.depth, _state.dirty, _state.figures, _state.areas, _state.reach = (
            0,
            False,
            set(),
            set(),
            set(),
        )
    return _state.__dict__


def current() -> str:
    """The token of the data as this connection sees it now (one indexed one-row read)."""
    token = DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or "0"


def bump() -> None:
    """A new token (random: a rolled-back write can never bring an older one back)."""
    token = uuid.uuid4().hex
    if not DataVersion.objects.filter(pk=1).update(token=token):
        DataVersion.objects.update_or_create(pk=1, defaults={"token": token})


@contextmanager
def changing():
    """Writes inside refresh the roll-up and bump the version once, when the block ends well."""
    state = _pending()
    state["depth"] += 1
    try:
        yield
    except BaseException:
        state["depth"] -= 1
        if not state["depth"]:
            _forget(state)
        raise
    state["depth"] -= 1
    if not state["depth"]:
        _flush(state)


def _forget(state) -> None:
    state["dirty"] = False
    state["figures"], state["areas"], state["reach"] = set(), set(), set()


def _flush(state) -> None:
    from . import rollup

    figures, areas, reach = state["figures"], state["areas"], state["reach"]
    dirty = state["dirty"] or figures or areas or reach
    _forget(state)
    if not dirty:
        return
    if connection.needs_rollback:
        return  # the transaction is lost anyway; nothing it wrote will be read
    rollup.refresh(figures=figures, towns=areas, sources=reach)
    bump()


def changed() -> None:
    """Something a summary reads changed (the version only)."""
    state = _pending()
    state["dirty"] = True
    if not state["depth"]:
        _flush(state)


def figures_touched(keys) -> None:
    """(area_id, indicator_id, year, month) of figures written, deleted or changed in bulk."""
    state = _pending()
    state["figures"].update(keys)
    if not state["depth"]:
        _flush(state)


def towns_touched(area_ids) -> None:
    """Areas whose place in the tree changed: their towns' roll-up is rebuilt."""
    state = _pending()
    state["areas"].update(a for a in area_ids if a is not None)
    if not state["depth"]:
        _flush(state)


def reach_touched(source_ids) -> None:
    """Sources of 达标村数 indicators whose threshold or source changed."""
    state = _pending()
    state["reach"].update(s for s in source_ids if s is not None)
    if not state["depth"]:
        _flush(state)


def cached(name: str, parts: tuple, compute, *, tree=None):
    """`compute()`, or what it returned for the same `name`, `parts`, data version, day and
    language (overdue flags move with the date; a few words are in the page's language).
    A `tree` from `area_tree()` carries the version it was read under: no second read."""
    version = getattr(tree, "version", None) or current()
    day = timezone.localdate().isoformat()
    key = ":".join(map(str, (name, version, day, translation.get_language(), *parts)))
    # This process's last few results first: unpickling a summary costs more than using it.
    found = _recent.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = compute()
            cache.set(key, found, TIMEOUT)
        with _recent_lock:  # threaded workers share this memo
            _recent[key] = found
            while len(_recent) > RECENT:
                _recent.pop(next(iter(_recent)))
    return found


# Results kept unpickled per process. They are shared read-only between requests and threads:
# summaries are frozen dataclasses, and django-tables2 sorts a copy of a table's rows.
RECENT = 64
_recent: dict = {}
_recent_lock = threading.Lock()


_trees: dict = {}


def forget_local() -> None:
    """Drop this process's memo (tests: a rolled-back test database may repeat a token)."""
    _trees.clear()
    _recent.clear()


def area_tree():
    """The area tree of the current version, built once per process and version."""
    from .areas import AreaTree

    version = current()
    found = _trees.get("tree")
    if found is None or found[0] != version:
        tree = AreaTree()
        tree.version = version
        found = (version, tree)
        _trees["tree"] = found
    return found[1]
