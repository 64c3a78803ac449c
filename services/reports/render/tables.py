"""Records as plain tables (title, header lines, column heads, rows, footer): what CSV/XLSX print."""

from __future__ import annotations

from dataclasses import dataclass

from services.reports.models import (
    AnnualModel,
    ComplaintsModel,
    DepartmentModel,
    FollowupsModel,
    PayrollModel,
    SheetModel,
)
from services.reports.render import labels
from services.reports.yearend_model import YearEndModel

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    meta: tuple[tuple[str, Cell], ...] = ()  # label: value lines above the table (XLSX only)
    footer: tuple[tuple[Cell, ...], ...] = ()  # totals and statistics, after a blank line
    widths: tuple[int, ...] = ()


def sheet_table(m: SheetModel) -> Table:
    approved = m.supervisor if m.items and m.items[0].approved is not None else None
    footer: list[tuple[Cell, ...]] = [
        ("合计", "", "", m.total_points, m.self_total, m.supervisor, approved),
        ("自评分合计", m.self_total), ("主管评分 S", m.supervisor), ("加权 W", m.weighted), ("加分", m.bonus),
    ]
    footer += [("加分明细", b.title, b.points, b.evidence) for b in m.bonuses]
    footer += [("最终得分 T", m.final), ("优秀员工", "是" if m.excellent else "否"),
               ("名次", m.rank, m.rank_of), ("自评分影响因素分析", m.analysis)]
    footer += [(s.label, s.by, s.on, s.comment) for s in m.sign_offs]
    footer += [("已更正，待重新签字", what, old, new) for what, old, new in m.corrected]
    footer += [("申诉", f"{a.occurred_on} {a.record} {a.evidence}", a.reason, f"{a.decision}: {a.decision_reason}",
                a.decided) for a in m.appeals]
    return Table(
        title="员工月绩效考核记录表",
        meta=(("被考核人", m.name), ("工号", m.employee_no), ("项目", f"{m.project_name} ({m.project})"),
              ("部门", m.department), ("岗位", m.position), ("考核期间", m.period),
              ("考核表", f"{m.template_name} {m.template} v{m.template_version}"),
              ("状态", "已更正，待重新签字" if m.corrected else labels.status(m.status))),
        header=("序号", "考核项目", "考核内容/扣分记录", "标准分", "自评", "经理初评", "总经理审核"),
        rows=tuple((i.no, i.title, "\n".join(
            f"{d.occurred_on} {d.rule} 扣{d.amount:g}分 依据: {d.evidence} 记录人: {d.recorded_by} {d.recorded_at}"
            + (f" ({d.appeal})" if d.appeal else "")
            for d in i.deductions), i.points, i.self_score, i.supervisor, i.approved) for i in m.items),
        footer=tuple(footer),
        widths=(6, 30, 60, 8, 8, 10, 10),
    )


def department_table(m: DepartmentModel) -> Table:
    d = m.distribution
    return Table(
        title="员工月绩效考核情况统计表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("部门", m.department), ("考核期间", m.period)),
        header=("工号", "姓名", "岗位", "最终得分", "名次", "总人数", "优秀员工", "奖惩与整改", "考核表状态"),
        rows=tuple((r.employee_no, r.name, r.position, r.final, r.rank, r.rank_of, labels.awards(r.awards),
                    "; ".join(labels.consequences(r.ranking)), labels.status(r.status)) for r in m.rows),
        footer=(("人数", d.count), ("平均分", d.mean), ("中位数", d.median), ("最低分", d.min), ("最高分", d.max),
                *((f"分数段 {label}", n) for label, n in d.bins)),
        widths=(12, 12, 12, 10, 7, 7, 10, 48, 12),
    )


def annual_table(m: AnnualModel) -> Table:
    parts = [(p.code, p.title) for p in m.components] or [("inspections", ""), ("monthly", ""), ("year_end", "")]
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
    return Table(
        title="绩效考核薪资调整表",
        meta=(("项目", f"{m.project_name} ({m.project})"), ("考核期间", m.period)),
        header=("工号", "姓名", "部门", "名次", "参评人数", "最终得分", "调整金额(元)", "原因"),
        rows=tuple((r.employee_no, r.name, r.department, r.rank, r.rank_of, r.final, r.amount, r.reason)
                   for r in m.rows),
        footer=(("合计", "", "", "", "", "", m.total, f"{len(m.rows)} 人"),),
        widths=(12, 12, 12, 7, 9, 10, 13, 24),
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
