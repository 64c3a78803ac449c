"""How a template's monthly sheet prints: the seed form's own columns, rows and footer.

A template may carry a ``sheet`` block (an additive part of SPEC §7.3); without one the
sheet prints in the generic layout below. Titles in a template may hold notes for the
people who maintain it, in brackets (``(补名)``, ``(规则据制度条文归纳)``, ``(推定)``);
`printable` strips them from anything printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What a column of the item table shows, per item (the labels are the seed form's own).
COLUMN_KEYS: tuple[str, ...] = (
    "no",        # 序号
    "category",  # 考核项目 (one cell spanning the category's items)
    "title",     # the item's wording
    "content",   # the item's wording with its deduction rules in brackets (seed 000 篇2)
    "criteria",  # 评分标准 / 检查考核细则: the rules, one a line
    "points",    # 标准分 / 分值
    "self",      # 自评分
    "score",     # the evidence-based item score s_i (主管评分, 得分)
    "review",    # 经理初评: as recorded by the manager's review, blank until then
    "approval",  # 总经理审核: as recorded by the gm's review, blank until then
    "basis",     # 考核评分依据 (per item, from the layout)
    "remarks",   # 备注: nothing of its own; holds the deduction records when marked so
)
# A bracketed note meant for the template's maintainers, not for the printed form.
_INTERNAL = re.compile(r"[(（][^()（）]*(?:补名|据|推定|归纳|种子|seed|未收录)[^()（）]*[)）]")


def printable(text: str) -> str:
    """A title as printed: maintainers' bracketed notes removed."""
    return _INTERNAL.sub("", text).strip()


@dataclass(frozen=True)
class Column:
    """One column of the item table: what it shows (`key`) under the form's own heading."""

    key: str
    label: str
    width: int = 0  # percent of the table width; 0: share what is left
    records: bool = False  # this column also lists the item's deductions, evidence and appeals


@dataclass(frozen=True)
class SheetLayout:
    """The printed form of one template's monthly sheet."""

    title: str
    columns: tuple[Column, ...]
    total_row: str = "合计"
    bonus_row: str = ""  # label of the row for bonuses (加分, 附加项, 其他奖惩分); "" prints none
    footer: tuple[str, ...] = ()  # lines printed under the table (评分说明 ...)
    signatures: dict[str, str] = field(default_factory=dict)  # sign-off stage → the seed's label
    analysis_in_signature: bool = False  # 被考核人签字及对本月自评分影响因素分析 as one line
    basis: dict[str, str] = field(default_factory=dict)  # item code → 考核评分依据

    @property
    def records_column(self) -> str | None:
        return next((c.key for c in self.columns if c.records), None)


GENERIC = SheetLayout(
    title="员工月绩效考核记录表",
    columns=(Column("no", "序号", 6), Column("title", "考核项目", 24), Column("remarks", "扣分记录", 0, True),
             Column("points", "标准分", 7), Column("self", "自评", 7), Column("score", "主管评分", 8),
             Column("review", "经理初评", 9), Column("approval", "总经理审核", 9)),
    total_row="合计", bonus_row="加分",
)
