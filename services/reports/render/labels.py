"""Chinese labels for codes shown on the printed records (shared by every renderer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATUS = {
    "draft": "草稿",
    "self_assessed": "已自评",
    "reviewed": "经理已初评",
    "approved": "总经理已审核",
    "acknowledged": "员工已签字",
}
AWARD = {"excellent": "优秀员工"}
IMPROVEMENT_STATUS = {"pending": "待提交", "filed": "已提交", "overdue": "已逾期"}
EVENT_TYPE = {
    "deduction": "扣分",
    "metric": "指标",
    "bonus": "加分",
    "self_assessment": "自评",
    "review": "审核",
    "acknowledgement": "员工签字",
    "improvement_plan": "整改方案",
    "appeal": "申诉",
    "appeal_resolved": "申诉处理",
    "revocation": "撤销",
    "inspection": "周检/月检",
    "year_end_review": "年终考评",
}
REVIEW_STAGE = {"manager": "经理初评", "gm": "总经理审核"}
FLAG = {
    "self_assessment_missing": "未自评",
    "appealed": "有申诉",
    "signature_lapsed": "已更正，待重新签字",
    "weights_redistributed": "权重已按比例重新分配",
    "no_data": "无数据",
}


COMPONENT = {"inspections": "周检/月检", "monthly": "月考核", "year_end": "年终考评"}
INSPECTION_KIND = {"weekly": "周检", "monthly": "月检"}


def status(code: str | None) -> str:
    return STATUS.get(code or "", code or "")


def awards(codes: list[str] | tuple[str, ...]) -> str:
    return "、".join(AWARD.get(c, c) for c in codes)


def flag(code: str) -> str:
    if code.startswith("event_ignored:"):
        return "事件未计分 " + code.split(":", 1)[1]
    if code.startswith("component_missing:"):
        part = code.split(":", 1)[1]
        return "缺少" + COMPONENT.get(part, part)
    return FLAG.get(code, code)


def yuan(amount: float | int) -> str:
    return f"{amount:g}"


def consequences(row: Mapping[str, Any]) -> list[str]:
    """A ranking row's consequences as printed (第一名奖励100元, 末位扣100元, ...); a row
    without its money (shown to those who need not know it) prints no amounts."""
    out: list[str] = []
    money = "payroll_adjustment" in row
    adjustment = float(row.get("payroll_adjustment") or 0)
    for code in row.get("consequences") or []:
        if code == "first_place":
            out.append(f"第一名奖励{yuan(abs(adjustment) or 100)}元" if money else "第一名")
        elif code == "last_place":
            out.append(f"末位扣{yuan(abs(adjustment) or 100)}元" if money else "末位")
        elif code == "improvement_plan":
            due = row.get("improvement_due") or "月结后确定"
            state = IMPROVEMENT_STATUS.get(row.get("improvement_status") or "", "")
            out.append(f"须提交整改方案 (截止 {due}, {state})" if state else f"须提交整改方案 (截止 {due})")
        elif code == "reassignment_review":
            out.append("调岗审查")
        else:
            out.append(str(code))
    return out


def payroll_reason(row: Mapping[str, Any]) -> str:
    reasons = [c for c in consequences(row) if c.startswith(("第一名", "末位"))]
    return "; ".join(reasons)

ROLE = {"employee": "员工", "lead": "客服领班", "supervisor": "客服主管", "manager": "管理处经理",
        "gm": "总经理", "auditor": "品质部", "admin": "系统管理员"}
