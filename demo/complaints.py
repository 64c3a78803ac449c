"""The demo's 用户投诉 ledger (seed 004): every project's complaints, month by month.

Most are replied to within the day and closed within two, and followed up by the 服务中心
主任 within three days; some are replied to late or followed up late, a few are major and
escalated to the company's leadership (one of them too late), some follow-ups find the
owner unsatisfied and book the next one. The latest month still has open complaints. The
month close turns the ledger into the 客服主管's 回访率 metric (SPEC §7.7).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from demo.data import Cast, Member, members_in
from shared.domain.periods import TZ, first_day, last_day

CATEGORIES = (("维修", ("{room} 卫生间漏水,报修两天无人处理", "{room} 门禁卡失灵,多次报修未修好",
                       "{building} 电梯异响,担心安全")),
              ("清洁", ("{building} 楼道垃圾未及时清运,有异味", "地下车库积水未清理")),
              ("安全", ("{building} 单元门常开,陌生人随意进出", "夜间巡逻不到位,电动车被盗")),
              ("服务态度", ("前台接待态度冷淡,咨询物业费问题不耐烦", "管家电话长期无人接听")),
              ("其他", ("装修噪音影响休息,物业未制止", "小区公告未及时张贴,停水未通知")))
CHANNELS = ("phone", "phone", "visit", "online", "written")


@dataclass(frozen=True)
class Step:
    role: str  # who records it: "lead" or "manager"
    body: dict[str, Any]


def _moment(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _working(moment: datetime) -> datetime:
    """Within office hours (08:00–20:00): later than that is the next morning."""
    local = moment.astimezone(TZ)
    if local.hour >= 20:
        local = datetime.combine(local.date() + timedelta(days=1), time(8, local.minute), TZ)
    elif local.hour < 8:
        local = datetime.combine(local.date(), time(8, local.minute), TZ)
    return local


def plan(seed: int, cast: Cast, months: list[str], today: date) -> list[list[Step]]:
    """Each month's complaints as ledger steps, in order; nothing after `today`."""
    rng = random.Random(f"{seed}:complaints")
    out = []
    for index, period in enumerate(months):
        steps: list[Step] = []
        for code in sorted({m.project for m in cast.roster}):
            staff = [m for m in members_in(cast, index) if m.project == code and m.template == "cs-staff"]
            for n in range(rng.randint(4, 8)):
                steps += _complaint(rng, code, period, n + 1, rng.choice(staff), index == len(months) - 1)
        limit = datetime.combine(today, time(0), TZ)
        out.append([s for s in steps if datetime.fromisoformat(
            str(s.body.get("at") or s.body.get("received_at"))) < limit])
    return out


def _complaint(rng: random.Random, code: str, period: str, n: int, who: Member, latest: bool) -> list[Step]:
    start, end = first_day(period), last_day(period)
    day = start + timedelta(days=rng.randint(0, (end - start).days - (6 if latest else 0)))
    received = _moment(day, rng.randint(8, 18), rng.choice((0, 12, 25, 40, 55)))
    category, texts = rng.choice(CATEGORIES)
    major = rng.random() < 0.12
    no = f"TS-{period.replace('-', '')}-{code}-{n:02d}"
    base = {"project": code, "complaint": no}
    steps = [Step("lead", {**base, "type": "complaint_received", "received_at": _iso(received),
                           "channel": rng.choice(CHANNELS), "severity": "major" if major else "general",
                           "category": category, "location": f"{rng.randint(1, 18)}栋",
                           "summary": rng.choice(texts).format(room=f"{rng.randint(1, 18)}栋{rng.randint(2, 28)}01",
                                                              building=f"{rng.randint(1, 18)}号楼"),
                           "responsible": who.no})]
    if major:  # seed 004: 重大投诉 goes to the company's leadership at once; now and then too late
        late = rng.random() < 0.25
        steps.append(Step("manager", {**base, "type": "complaint_escalated", "to": "公司领导",
                                      "at": _iso(received + timedelta(minutes=rng.randint(150, 300) if late
                                                                      else rng.randint(15, 90))),
                                      "note": "超出部门处理权限,移交公司领导处理"}))
    reply = _working(received + (timedelta(hours=rng.randint(26, 40)) if rng.random() < 0.15
                                 else timedelta(minutes=rng.randint(20, 300))))
    steps.append(Step("lead", {**base, "type": "complaint_replied", "at": _iso(max(reply, _last(steps))),
                               "text": "已向业主说明情况,派工处理,并确定回复时间"}))
    if latest and rng.random() < 0.5:
        return steps  # the month in progress: still open
    closed = _working(max(reply, _last(steps)) + timedelta(hours=rng.randint(3, 40)))
    steps.append(Step("manager", {**base, "type": "complaint_closed", "at": _iso(closed),
                                  "resolution": "问题已处理完毕,业主确认"}))
    if rng.random() < 0.05:
        return steps  # no follow-up at all: it shows as overdue and lowers the 回访率
    follow = _working(closed + (timedelta(days=rng.randint(4, 6)) if rng.random() < 0.06
                                else timedelta(hours=rng.randint(4, 60))))
    result = rng.choices(("satisfied", "fairly_satisfied", "unsatisfied"), (70, 22, 8))[0]
    body: dict[str, Any] = {**base, "type": "followup", "at": _iso(follow), "result": result,
                            "note": "电话回访业主" if result != "unsatisfied" else "业主对处理结果仍不满意"}
    if result == "unsatisfied":
        body["next_at"] = _iso(follow + timedelta(days=3))
    steps.append(Step("manager", body))
    if result == "unsatisfied" and rng.random() < 0.7:
        steps.append(Step("manager", {**base, "type": "followup", "at": _iso(follow + timedelta(days=2)),
                                      "result": "fairly_satisfied", "note": "再次回访,已整改完毕"}))
    return steps


def _last(steps: list[Step]) -> datetime:
    return max(datetime.fromisoformat(str(s.body.get("at") or s.body.get("received_at"))) for s in steps)
