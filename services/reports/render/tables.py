"""Records as plain tables (title, header lines, column heads, rows, footer): what CSV/XLSX print."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.reports.models import (
    AnnualModel,
    ComplaintsModel,
    DepartmentModel,
    Distribution,
    FollowupsModel,
    PayrollChangesModel,
    PayrollModel,
    SheetItem,
    SheetModel,
    SignOff,
)
from services.reports.models.yearend import YearEndModel
from services.reports.render import labels
from shared.domain.layout import Column
from shared.domain.template import default_annual_components

Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Section:
    """A block of a sectioned table: a heading, its rows and its own statistics."""

    heading: str
    rows: tuple[tuple[Cell, ...], ...]
    footer: tuple[tuple[Cell, ...], ...] = ()


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    meta: tuple[tuple[str, Cell], ...] = ()  # label: value lines above the table (XLSX only)
    footer: tuple[tuple[Cell, ...], ...] = ()  # totals and statistics, after a blank line
    widths: tuple[int, ...] = ()
    sections: tuple[Section, ...] = ()  # instead of `rows`: one block per heading (XLSX: merged)


def _records(i: SheetItem) -> str:
    return "\n".join(
        f"{d.occurred_on} {d.rule} 扣{d.amount:g}分" + (f" ({d.metric})" if d.metric else "")
        + f" 依据: {d.evidence} 记录人: {d.recorded_by} {d.recorded_at}" + (f" ({d.appeal})" if d.appeal else "")
        for d in i.deductions)


def _item_cell(key: str, i: SheetItem) -> Cell:
    content = f"{i.title}({','.join(i.criteria)})" if i.criteria else i.title
    cells: dict[str, Cell] = {
        "no": i.no, "category": i.category, "title": i.title, "content": content, "criteria": "\n".join(i.criteria),
        "points": i.points, "self": i.self_score, "score": i.supervisor, "basis": i.basis}
    return cells.get(key)  # review, approval: per item only as recorded (never copied from S)


def _with_records(column: Column, value: Cell, records: str) -> Cell:
    if not column.records or not records:
        return value
    return f"{value}\n{records}" if value not in (None, "") else records


def _lead(columns: tuple[Column, ...]) -> int:
    n = 0
    for c in columns:
        if c.key not in ("no", "category", "title", "content"):
            break
        n += 1
    return max(n, 1)


def _bonus_row(m: SheetModel) -> tuple[Cell, ...]:
    cols, lead = m.layout.columns, _lead(m.layout.columns)
    lines = "\n".join(f"{b.title} +{b.points:g}分 {b.evidence}".strip() for b in m.bonuses)
    row: list[Cell] = [m.layout.bonus_row, *[""] * (lead - 1)]
    for c in cols[lead:]:
        value: Cell = m.bonus if c.key == "score" else ("\n".join(m.bonus_rules) if c.key == "criteria" else "")
        row.append(_with_records(c, value, lines))
    return tuple(row)


def _total_row(m: SheetModel) -> tuple[Cell, ...]:
    cols, lead = m.layout.columns, _lead(m.layout.columns)
    by_key: dict[str, Cell] = {"points": m.total_points, "self": m.self_total, "score": m.supervisor,
                               "review": _signer(m.review), "approval": _signer(m.approval)}
    row: list[Cell] = [m.layout.total_row, *[""] * (lead - 1)]
    row += [by_key.get(c.key, f"最终得分 {m.final:g}" if c.records else "") for c in cols[lead:]]
    return tuple(row)


def _signer(s: SignOff) -> str:
    return f"{s.by} {s.on}" if s.signed else ""


def sheet_table(m: SheetModel) -> Table:
    """The sheet in its template's printed form: the seed form's columns, 加分 and total rows, footer."""
    layout = m.layout
    rows = [tuple(_with_records(c, _item_cell(c.key, i), _records(i)) for c in layout.columns) for i in m.items]
    if layout.bonus_row:
        rows.append(_bonus_row(m))
    rows.append(_total_row(m))
    footer: list[tuple[Cell, ...]] = [(line,) for line in layout.footer]
    footer += [("自评分合计", m.self_total), ("主管评分 S", m.supervisor), ("加权 W", m.weighted), ("加分", m.bonus)]
    if not layout.bonus_row:
        footer += [("加分明细", b.title, b.points, b.evidence) for b in m.bonuses]
    footer += [("最终得分 T", m.final), ("优秀员工", "是" if m.excellent else "否"),
               ("名次", m.rank, m.rank_of, *(("暂定,月结后确定",) if m.provisional else ())),
               ("考核结果", "; ".join(m.consequences) or "无"),
               ("自评分影响因素分析", m.analysis)]
    if not layout.records_column:
        footer += [(f"{i.no}. {i.title}", _records(i)) for i in m.items if i.deductions]
    footer += [(layout.signatures.get(s.stage, s.label), s.by, s.on, s.comment) for s in m.sign_offs]
    footer += [("已更正，待重新签字", what, old, new) for what, old, new in m.corrected]
    footer += [("申诉", f"{a.occurred_on} {a.record} {a.evidence}", a.reason, f"{a.decision}: {a.decision_reason}",
                a.decided) for a in m.appeals]
    return Table(
        title=layout.title,
        meta=(("记录表", "员工月绩效考核记录表"), ("被考核人", m.name), ("工号", m.employee_no),
              ("考核期间", m.period), ("项目", f"{m.project_name} ({m.project})"),
              ("部门", m.department), ("岗位", m.position),
              ("考核表", f"{m.template_name} {m.template} v{m.template_version}"),
              ("状态", "已更正，待重新签字" if m.corrected else labels.status(m.status))),
        header=tuple(c.label for c in layout.columns),
        rows=tuple(rows),
        footer=tuple(footer),
        widths=tuple(max(6, round(c.width * 1.2)) if c.width else 50 for c in layout.columns),
    )


def _statistics(d: Distribution) -> tuple[tuple[Cell, ...], ...]:
    return (("人数", d.count), ("平均分", d.mean), ("中位数", d.median), ("最低分", d.min), ("最高分", d.max),
            *((f"分数段 {label}", n) for label, n in d.bins))


def department_table(m: DepartmentModel) -> Table:
    """One section per rubric (考核表), each with its own ranking and statistics."""
    return Table(
        title="员工月绩效考核情况统计表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("部门", m.department), ("考核期间", m.period)),
        header=("考核表", "工号", "姓名", "岗位", "最终得分", "名次", "总人数", "优秀员工", "奖惩与整改",
                "考核表状态"),
        rows=(),
        sections=tuple(Section(s.template_name, tuple(
            (s.template_name, r.employee_no, r.name, r.position, r.final, r.rank, r.rank_of,
             labels.awards(r.awards), "; ".join(labels.consequences(r.ranking)), labels.status(r.status))
            for r in s.rows), _statistics(s.distribution)) for s in m.sections),
        widths=(16, 12, 12, 12, 10, 7, 7, 10, 44, 12),
    )


def annual_table(m: AnnualModel) -> Table:
    parts = [(p.code, p.title) for p in (m.components or default_annual_components())]
    weights = {p.code: f"{p.weight * 100:g}%" for p in m.components}
    heads = [f"{'月均' if code == 'monthly' else labels.COMPONENT.get(code, title) + '均分'}({weights.get(code, '')})"
             for code, title in parts]
    return Table(
        title="年度员工绩效考核情况统计表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("年度", m.year),
              *((("未结账", "、".join(f"{n}月" for n in m.open_months)),) if m.open_months else ())),
        header=("工号", "姓名", "部门", *(f"{n}月" + ("(未结账)" if n in m.open_months else "") for n in range(1, 13)),
                *heads, "年度综合", "优秀员工", "月度优秀次数", "说明"),
        rows=tuple((r.employee_no, r.name, r.department, *r.months, *(r.mean(code) for code, _ in parts),
                    r.composite, "优秀员工" if r.excellent else "", r.excellent_months,
                    "、".join(labels.flag(f) for f in r.flags)) for r in m.rows),
        footer=(("年度综合 A = Σ 权重 × 各部分均分;各均分与 A 各只四舍五入一次;缺少的部分按比例重新分配权重",),
                ("制表人", ""), ("审核人", ""), ("日期", "")),
        widths=(12, 10, 12, *(7,) * 12, *(10,) * len(parts), 9, 10, 8, 24),
    )


def yearend_table(m: YearEndModel) -> Table:
    review = m.review
    footer: list[tuple[Cell, ...]] = [
        ("月考核", *(x.period for x in m.months)),
        ("最终得分", *(x.final for x in m.months)),
        ("结账", *("" if x.final is None else "已结账" if x.closed else "未结账" for x in m.months)),
        ("年终考评得分", review.score if review else None, review.comment if review else "尚未进行年终考评",
         review.recorded_by if review else "", review.recorded_on if review else ""),
        *((labels.COMPONENT.get(p.code, p.title), f"规定权重 {p.weight * 100:g}%", f"实际权重 {p.weight_applied * 100:g}%",
           "均分", p.mean) for p in m.parts),
        ("年度综合得分 A", m.composite), ("计算", m.formula),
        ("年度优秀员工", "是" if m.excellent else "否"), ("月度优秀员工次数", m.excellent_months),
        *(("说明", labels.flag(f)) for f in m.flags),
        ("考评人(客户经理)", "", "日期", ""), ("审核人(总经理)", "", "日期", ""), ("被考核人签字", "", "日期", ""),
    ]
    return Table(
        title="员工年终绩效考核记录表",
        meta=(("被考核人", m.name), ("工号", m.employee_no), ("项目", f"{m.project_name} ({m.project})"),
              ("部门", m.department), ("岗位", m.position), ("考核年度", m.year)),
        header=("周检/月检日期", "类型", "得分", "检查人", "检查记录"),
        rows=tuple((i.occurred_on, labels.INSPECTION_KIND.get(i.kind, i.kind), i.score, i.recorded_by, i.note)
                   for i in m.inspections),
        footer=tuple(footer),
        widths=(16, 12, 10, 14, 50),
    )


def payroll_table(m: PayrollModel) -> Table:
    """Rewards (奖励) and deductions (扣款) in columns of their own, each totalled: a reward
    and a deduction never net to nothing."""
    return Table(
        title="绩效考核薪资调整表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("考核期间", m.period)),
        header=("工号", "姓名", "部门", "名次", "参评人数", "最终得分", "奖励(元)", "扣款(元)", "原因"),
        rows=tuple((r.employee_no, r.name, r.department, r.rank, r.rank_of, r.final, r.reward or None,
                    r.deduction or None, r.reason) for r in m.rows),
        footer=(("合计", "", "", "", "", "", m.rewards, m.deductions, f"{len(m.rows)} 人"),),
        widths=(12, 12, 12, 7, 9, 10, 10, 10, 24),
    )


def payroll_changes_table(m: PayrollChangesModel) -> Table:
    return Table(
        title="薪资调整变更表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("考核期间", m.period), ("首次月结", m.closed_on)),
        header=("工号", "姓名", "部门", "原调整(元)", "新调整(元)", "变更时间", "更正人", "原因"),
        rows=tuple((c.employee_no, c.name, c.department, c.old, c.new, c.at, c.by, c.cause) for c in m.rows),
        widths=(12, 12, 12, 11, 11, 18, 18, 40),
    )


def complaints_table(m: ComplaintsModel) -> Table:
    s = m.stats
    return Table(
        title="用户意见受理表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("期间", m.period)),
        header=("编号", "受理时间", "渠道", "级别", "类别", "投诉内容", "地点", "责任人", "回复", "上报",
                "处理结果", "经办人", "回访"),
        rows=tuple((r.id, r.received_at, r.channel, r.severity, r.category, r.summary, r.location, r.responsible,
                    r.replied, r.escalated, r.closed, r.handler, r.followups) for r in m.rows),
        footer=(("受理", s.received), ("办结", s.closed), ("按时回复", s.replied_in_time),
                ("处理及时率(%)", float(s.rates["handling_rate"])), ("回访率(%)", float(s.rates["followup_rate"])),
                ("满意率(%)", float(s.rates["satisfaction_rate"]))),
        widths=(14, 16, 6, 6, 8, 30, 12, 14, 26, 20, 26, 12, 26),
    )


def followups_table(m: FollowupsModel) -> Table:
    s = m.stats
    return Table(
        title="回访用户月统计表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("期间", m.period),
              ("受理投诉", s.received), ("已办结", s.closed), ("按时回访", s.followed_up_in_time),
              ("回访次数", s.followups), ("满意", s.satisfied), ("较满意", s.fairly_satisfied),
              ("不满意", s.unsatisfied), ("处理及时率(%)", float(s.rates["handling_rate"])),
              ("回访率(%)", float(s.rates["followup_rate"])), ("满意率(%)", float(s.rates["satisfaction_rate"]))),
        header=("投诉编号", "投诉内容", "回访时间", "回访人", "回访记录", "下次回访"),
        rows=tuple((u.complaint, u.summary, u.at, u.by, u.note, u.next_at) for u in m.unsatisfied),
        widths=(16, 36, 16, 16, 30, 16),
    )
