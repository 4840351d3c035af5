"""Areas and indicators named instead of coded (DOMAIN §8): "示例镇" for T01, "工业总产值" for JJ04.

A cell is taken as a code when one exists as written (after NFKC, so "ＪＪ０１" reads); else as
a name when exactly one area (indicator) has it. An ambiguous name is refused listing every
candidate with its code; an unknown one with the nearest names, never a guess.
"""

import difflib
from collections import defaultdict

from ..cells import CellError, code, text

WHAT = {"区域": "区域", "指标": "指标"}


class Resolver:
    """raw cell → code, for one kind of thing, cached per distinct cell."""

    def __init__(self, kind: str, known: dict[str, str], labels: dict[str, str] | None = None):
        self.kind = kind
        self.known = known  # code -> name
        self.labels = labels or {}  # code -> what tells two namesakes apart (the parent)
        self.by_name = defaultdict(list)
        for c, name in known.items():
            self.by_name[code(name)].append(c)
        self.cache = {}

    def __call__(self, value) -> str:
        try:
            found = self.cache[value]
        except (KeyError, TypeError):
            found = self._resolve(value)
            try:
                self.cache[value] = found
            except TypeError:
                pass
        if isinstance(found, CellError):
            raise found
        return found

    def _resolve(self, value):
        raw = code(value)
        if raw in self.known:
            return raw
        matches = self.by_name.get(raw, [])
        if len(matches) == 1:
            return matches[0]
        shown = text(value)
        if matches:
            listed = "、".join(f"{c}（{self._label(c)}）" for c in sorted(matches))
            return CellError(
                f"{self.kind}「{shown}」对应多个{self.kind}：{listed}：请改填{self.kind}编码"
            )
        near = difflib.get_close_matches(raw, list(self.by_name), n=3, cutoff=0.6)
        hint = ""
        if near:
            hint = "；相近的有：" + "、".join(
                f"{c} {self.known[c]}" for name in near for c in sorted(self.by_name[name])
            )
        return CellError(
            f"{self.kind}「{shown}」不存在：请填写{self.kind}编码或准确的{self.kind}名称，"
            f"或先在{self.kind}表中添加{hint}"
        )

    def _label(self, c: str) -> str:
        parent = self.labels.get(c)
        return f"{parent}{self.known[c]}" if parent else self.known[c]
