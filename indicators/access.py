"""Who may read or write what: one helper per object type, used by every view and the API.

Reading follows the area tree: a user reads their own area and everything below it (a town's
users read the town and its villages; district users read every town). Administrators without
an area read everything.
"""

from .models import Area
from .selectors import AreaTree


def readable_area_ids(user, tree: AreaTree) -> set[int]:
    if not user.is_authenticated:
        return set()
    membership = getattr(user, "membership", None)
    if membership is None:
        return set(tree.by_id) if user.is_superuser else set()
    home = tree.by_id.get(membership.area_id)
    if home is None:
        return set()
    return {home.pk} | {a.pk for a in tree.descendants(home)}


def can_read_area(user, area: Area, tree: AreaTree) -> bool:
    return area.pk in readable_area_ids(user, tree)
