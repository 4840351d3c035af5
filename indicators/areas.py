"""The area tree (区 → 镇 → 村), read once per request and answered from memory."""

from collections import defaultdict

from .models import Area


class AreaTree:
    """All areas in one query, with parents and descendants answered from memory."""

    def __init__(self, areas=None):
        areas = list(Area.objects.all()) if areas is None else list(areas)
        self.by_id = {a.pk: a for a in areas}
        self.by_code = {a.code: a for a in areas}
        self.children = defaultdict(list)
        for a in areas:
            self.children[a.parent_id].append(a)

    def descendants(self, area) -> list[Area]:
        found, queue = [], list(self.children[area.pk])
        while queue:
            found += queue
            queue = [c for a in queue for c in self.children[a.pk]]
        return found

    def villages(self, area) -> list[Area]:
        return [a for a in self.descendants(area) if a.level == Area.Level.VILLAGE]

    def town_of(self, area) -> Area | None:
        """The town an area belongs to: itself for a town, its parent for a village."""
        while area is not None and area.level == Area.Level.VILLAGE:
            area = self.by_id.get(area.parent_id)
        return area if area is not None and area.level == Area.Level.TOWN else None
