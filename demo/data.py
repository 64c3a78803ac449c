"""The demo group's people and the Chinese texts of what happens to them.

Rules and bonuses are the seed templates' own codes (shared/templates/seeds/*.json);
`by` is who records an incident in the seeds' division of work: 客服领班 the daily
checks, 客服主管 complaints and the monthly assessment, 管理处经理 the spot checks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import NamedTuple

TRANSFER_AT = 3  # month index from which the transferred employee works in the other project

# (code, name, departments: (department, ((position, head count), ...)))
PROJECTS: tuple[tuple[str, str, tuple[tuple[str, tuple[tuple[str, int], ...]], ...]], ...] = (
    ("JRJ", "金融街项目", (
        ("客服部", (("服务中心主任", 1), ("客服主管", 1), ("客服领班", 1), ("客服专员", 9))),
        ("管家部", (("管家", 5),)))),
    ("BSQ", "碧水湾项目", (
        ("客服部", (("服务中心主任", 1), ("客服主管", 1), ("客服领班", 1), ("客服专员", 6))),
        ("管家部", (("管家", 4),)))),
    ("YHY", "悦湖苑项目", (
        ("客服部", (("服务中心主任", 1), ("客服主管", 1), ("客服领班", 1), ("客服专员", 5))),
        ("客服中心", (("线上客服专员", 4),)))),
)

POSITION_TEMPLATES: dict[str, str] = {
    "服务中心主任": "service-center-director",
    "客服主管": "cs-supervisor-monthly",
    "客服领班": "cs-staff",
    "客服专员": "cs-staff",
    "管家": "cs-staff",
    "线上客服专员": "cs-online",
}

# Who holds which role token in each project: the employee in that position.
ROLE_POSITIONS: dict[str, str] = {"lead": "客服领班", "supervisor": "客服主管", "manager": "服务中心主任"}

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹熊白孟秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔汤")
GIVEN_NAMES = (
    "静", "伟", "芳", "娜", "敏", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞",
    "平", "刚", "凯", "鹏", "颖", "倩", "琳", "秀英", "桂英", "晓燕", "婷婷", "文博", "子涵", "思远",
    "雨欣", "佳怡", "浩然", "欣怡", "梓萱", "宇航", "晨曦", "嘉怡", "俊杰", "梦瑶", "志强", "海燕",
    "建华", "丽娟", "春梅", "玉兰", "晓东", "红霞", "文静", "雪梅", "慧敏", "立新", "秀梅", "亚楠",
    "一鸣", "诗琪", "家豪", "雅婷", "振华", "美玲", "国栋", "若曦", "天宇", "心怡", "少华", "永红",
)

# Deduction draws per template (cs-staff as sample weights; `cap` bounds a range rule).
PROFILES: dict[str, tuple[int, int]] = {  # points lost in a month (before item caps)
    "star": (0, 2), "solid": (0, 5), "average": (3, 10), "weak": (6, 15), "doomed": (27, 33),
}
PROFILE_MIX = ("star", "star", "solid", "solid", "solid", "average", "average", "average", "weak")
MANAGER_MIX = ("star", "solid", "solid", "average")
BONUS_CHANCE: dict[str, tuple[float, int, int]] = {  # probability, min and max points
    "star": (0.2, 2, 5), "solid": (0.1, 1, 3), "average": (0.08, 1, 2), "weak": (0.0, 0, 0),
    "doomed": (0.0, 0, 0),
}


class Incident(NamedTuple):
    item: str
    rule: str
    weight: float
    by: str
    source: str
    texts: tuple[str, ...]
    cap: int = 0  # a range rule's highest demo amount


class Praise(NamedTuple):
    bonus: str
    by: str
    source: str
    texts: tuple[str, ...]


INCIDENTS: dict[str, tuple[Incident, ...]] = {
    "cs-staff": (
        Incident("attendance", "late", 4, "lead", "考勤记录", (
            "{md} 考勤记录显示 8:{late2} 到岗,迟到{late}分钟", "{md} 早班迟到{late}分钟,未提前向领班报备")),
        Incident("attendance", "early_leave", 2, "lead", "考勤记录", ("{md} 晚班 17:{min} 提前离岗,未办理请假手续",)),
        Incident("attendance", "absence", 1, "supervisor", "考勤记录", (
            "{md} 事假未经审批擅自休假", "{md} 打卡异常(漏打下班卡)未按规定补签")),
        Incident("image", "dress", 4, "lead", "现场检查", (
            "{md} 巡查发现未佩戴工号牌", "{md} 晨会检查工服不整,衬衣未扎入", "{md} 前台值班未按规定穿着工装")),
        Incident("image", "hygiene", 1, "lead", "现场检查", ("{md} 检查发现前台桌面杂乱,个人物品未归位",)),
        Incident("image", "harm_image", 0.4, "manager", "现场检查", ("{md} 在业主群内发表不当言论,影响公司形象",), 4),
        Incident("civility", "rude", 1.5, "supervisor", "录音抽查", ("{md} 电话录音抽查:接听未使用规范用语",)),
        Incident("civility", "passive", 1, "lead", "现场检查", ("{md} 业主到前台办事,未主动起身问候",)),
        Incident("civility", "complaint", 1.5, "supervisor", "投诉记录", (
            "{md} 业主({room})投诉报修登记后无人回复,经核实为有效投诉",
            "{md} 业主({room})投诉接待态度生硬,回访核实属实")),
        Incident("patience", "impatient", 1.5, "supervisor", "投诉记录", ("{md} 业主咨询装修审批流程,解答不耐心",)),
        Incident("patience", "quarrel", 0.3, "supervisor", "投诉记录", ("{md} 因临时停车收费与业主({room})发生争执",), 4),
        Incident("teamwork", "uncooperative", 0.8, "lead", "现场检查", ("{md} 交接班时拒绝协助同事接待来访业主",)),
        Incident("teamwork", "task_unfinished", 1, "lead", "任务跟踪记录", ("{md} 空置房巡查任务未按时完成",), 4),
        Incident("duty_records", "incomplete_record", 2, "lead", "现场检查", (
            "{md} 值班记录表交接事项漏记", "{md} 来访登记本信息填写不全")),
        Incident("duty_records", "not_reported", 1, "lead", "现场检查", ("{md} 发现{building}电梯异响未及时上报",)),
        Incident("criticism", "not_corrected", 0.5, "supervisor", "工作记录", ("{md} 上月指出的登记不规范问题仍未改正",)),
        Incident("vigilance", "missed", 1, "manager", "现场检查", ("{md} 经理抽查:{building}消防通道堆放杂物未发现",)),
        Incident("vigilance", "no_follow_up", 0.5, "lead", "现场检查", ("{md} 发现陌生人员尾随进入单元门,未跟踪处理",)),
        Incident("learning", "training_absence", 1, "lead", "培训签到表", ("{md} 《物业管理条例》专题培训无故缺勤",)),
        Incident("focus", "distracted", 2, "lead", "现场检查", (
            "{md} 当班期间长时间使用手机", "{md} 巡查发现值班时间闲聊,未关注来访业主")),
        Incident("obedience", "assignment_unfinished", 0.8, "supervisor", "任务跟踪记录", (
            "{md} 主管安排的业主满意度回访未按期完成",), 5),
    ),
    "cs-online": (
        Incident("response_time", "slow", 3, "supervisor", "系统统计", ("{md} 抽查在线咨询平均响应 {sec} 秒,超过 30 秒时限",)),
        Incident("other_service", "complaint", 1, "supervisor", "投诉记录", ("{md} 业主在小程序投诉回复敷衍,经核实为有效投诉",), 5),
        Incident("other_service", "abnormal_order", 2, "supervisor", "系统统计", ("{md} 家政服务工单异常未跟进",)),
        Incident("report_timeliness", "late", 2, "supervisor", "工作记录", ("{md} 线上服务周报逾期上交",)),
        Incident("report_accuracy", "error", 2, "supervisor", "工作记录", ("{md} 周报缴费数据差错",)),
        Incident("report_quality", "incomplete", 1, "supervisor", "工作记录", ("{md} 月报缺少投诉分类统计",)),
    ),
    "cs-supervisor-monthly": (
        Incident("attendance", "personal_leave", 2, "manager", "考勤记录", ("{md} 事假一天(已审批)",)),
        Incident("attendance", "sick_leave", 2, "manager", "考勤记录", ("{md} 病假半天",)),
        Incident("attendance", "clock_anomaly", 2, "manager", "考勤记录", ("{md} 打卡异常(下班漏打卡)",)),
        Incident("attendance", "meeting_absence", 1, "manager", "会议签到表", ("{md} 项目周例会无故缺席",)),
        Incident("dept_operations", "morning_meeting", 1, "manager", "现场检查", ("{md} 客服部晨会未按时召开",)),
        Incident("dept_operations", "patrol", 1, "manager", "现场检查", ("{md} 当日巡查记录缺失",)),
        Incident("complaint_handling", "valid_complaint", 1, "manager", "投诉记录",
                 ("{md} 业主({room})投诉处理超时,引发二次投诉",), 4),
        Incident("archives", "not_as_required", 1, "manager", "现场检查", ("{md} 装修档案归档不及时",)),
        Incident("etiquette", "handbook", 1, "manager", "现场检查", ("{md} 会议期间接听私人电话,违反员工手册",)),
    ),
    "service-center-director": (
        Incident("attendance_check", "late_check", 2, "gm", "现场检查", ("{md} 8:30 未按时检查员工签到",)),
        Incident("spot_checks", "missed_check", 1, "gm", "现场检查", ("{md} 下午岗位抽查缺失",)),
        Incident("weekly_meeting", "missed", 1, "gm", "会议记录", ("{md} 当周部门例会未召开",)),
        Incident("training", "no_summary", 2, "gm", "培训记录", ("{md} 业务培训后未做小结",)),
        Incident("monthly_report", "late", 2, "gm", "工作记录", ("{md} 上月工作指标统计延迟上报",)),
        Incident("complaint_log", "not_signed", 1, "gm", "投诉记录", ("{md} 投诉记录阅后未签署意见",)),
        Incident("desk_hygiene", "untidy", 1, "gm", "现场检查", ("{md} 服务中心桌面卫生检查不合格",)),
    ),
}

PRAISES: dict[str, tuple[Praise, ...]] = {
    "cs-staff": (
        Praise("owner_praise", "supervisor", "表扬信", (
            "{md} 业主({room})送来锦旗,表扬其协助处理家中漏水", "{md} 业主来信表扬其耐心帮助办理车位登记",
            "{md} 业主({room})电话表扬其帮助行动不便老人代缴水电费")),
        Praise("commendation", "manager", "公司通报", (
            "{md} 协助寻回走失儿童,获公司通报表扬", "{md} 台风期间连续值守,获公司书面表扬")),
    ),
    "cs-online": (Praise("commendation", "manager", "公司通报", ("{md} 线上缴费推广成绩突出,获公司表扬",)),),
    "cs-supervisor-monthly": (Praise("management_suggestion", "manager", "工作记录", (
        "{md} 提出的装修巡查分区管理建议被采纳,违规装修明显下降",)),),
    "service-center-director": (
        Praise("company_praise", "gm", "公司通报", ("{md} 组织业主消防演练,获公司书面表扬",)),
        Praise("user_praise", "gm", "表扬信", ("{md} 业委会来函表扬服务中心服务出色",)),
        Praise("suggestion_adopted", "gm", "工作记录", ("{md} 提出的报修派单流程优化建议被公司采纳",)),
    ),
}

# (item, rule, lowest value, highest value, lowest base, highest base, evidence) of the
# per_percent_below rules the demo reports: value = done / base, as in the monthly statistics.
METRICS: dict[str, tuple[tuple[str, str, float, float, int, int, str], ...]] = {
    "cs-supervisor-monthly": (
        ("work_plan", "plan_rate", 96.0, 100.0, 18, 30, "月工作计划 {n} 项,完成 {done} 项"),
        ("customer_revisit", "revisit_rate", 98.0, 100.0, 40, 90, "应回访 {n} 户,实际回访 {done} 户"),
    ),
    "cs-online": (
        ("conversion_rate", "below_target", 46.0, 57.0, 300, 600, "线上咨询 {n} 人次,转化 {done} 人次"),
        ("churn_rate", "retention_below", 87.0, 96.0, 200, 400, "服务客户 {n} 户,留存 {done} 户"),
        ("orders", "sales_rate", 94.0, 104.0, 80, 150, "增值服务订单目标 {n} 千元,完成 {done} 千元"),
        ("orders", "valid_order_rate", 93.0, 99.0, 150, 300, "订单 {n} 单,有效 {done} 单"),
        ("orders", "payment_rate", 88.0, 97.0, 150, 300, "订单 {n} 单,已付款 {done} 单"),
    ),
}

ANALYSIS_BY_ITEM: dict[str, str] = {
    "attendance": "本月有考勤扣分,情况属实,今后提前出门、按时打卡。",
    "image": "着装和工号牌佩戴不够规范,已当场整改。",
    "civility": "有业主投诉,反映出沟通方式需要改进。",
    "patience": "解答业主问题时耐心不足,需加强服务意识。",
    "teamwork": "与同事配合不够主动。",
    "duty_records": "值班记录不够完整,今后交接班逐项核对。",
    "focus": "值班时有分心情况,已认识到问题。",
    "obedience": "主管分派任务完成不及时,今后每日列清单跟进。",
    "response_time": "高峰时段响应偏慢,需提高打字和检索速度。",
    "report_timeliness": "报表上交不及时。",
}
ANALYSIS_GOOD = ("本月按时出勤,服务用语规范,无有效投诉。", "本月认真完成主管分派的各项工作,值班记录完整。",
                 "本月积极主动为业主服务,与同事配合良好。")
ANALYSIS_NEXT = ("下月重点学习《民法典》物业服务合同相关条款。", "下月将主动跟进业主报修回访。",
                 "下月争取零投诉。", "下月加强装修管理流程学习。")
MANAGER_REVIEWS = ("同意主管评分。", "扣分有据,同意。", "本月表现良好,继续保持。", "投诉处理需加强,同意扣分。")
GM_REVIEWS = ("同意。", "审核通过。", "同意经理初评意见。")
ACKNOWLEDGEMENTS = ("本人已阅,认可考核结果。", "已阅,认可。", "认可扣分,下月改进。")
PLANS = (
    "整改方案:1. 每天提前15分钟到岗;2. 每周学习一项服务规程并向领班复述;3. 投诉件当日回访。",
    "整改方案:1. 交接班逐项核对值班记录;2. 着装、工号牌每日自查;3. 月底前完成欠缺的培训补课。",
    "整改方案:1. 分析本月扣分原因并建立台账;2. 请领班每周抽查一次;3. 下月争取零投诉。",
)
REASONS = {
    "clock": "考勤机故障:{md} 考勤机断电,当日打卡数据无效,经监控核实按时到岗",
    "wrong_person": "误录:{md} 未佩戴工号牌的是同组另一名管家,已改记",
    "appeal_upheld": "申诉成立:经回访核实,该投诉系业主对物业费调整不满,非本人服务问题,属误录",
    "late_correction": "考勤机故障(结账后更正):{md} 考勤机记录异常,经监控核实正常出勤",
}
DECISIONS = {
    "upheld": "经回访核实,该投诉系业主对物业费调整不满,非本人服务问题,撤销扣分。",
    "rejected": "电梯故障不影响步行到岗,迟到属实,维持扣分。",
}
# The demo's sign-in accounts (password DEMO_PASSWORD, for trying the demo only): who holds
# each role; leads, supervisors and managers sign in with their 工号.
DEMO_PASSWORD = "jixiao-demo"
GMS = {"JRJ": "赵建国", "BSQ": "孙立新", "YHY": "周海涛"}
AUDITOR = ("qc-audit", "品质部 吴敏")
APPEALS = {
    "upheld": "该投诉系业主对物业费调整不满,与本人接待无关,申请复核。",
    "rejected": "当日因小区电梯故障晚到,申请免予扣分。",
}


@dataclass(frozen=True)
class Member:
    no: str
    name: str
    project: str
    department: str
    position: str
    template: str
    profile: str = "solid"


@dataclass(frozen=True)
class Cast:
    """The roster and the fixed parts of the story: who ends up in 调岗审查, who is the
    spotless 优秀员工, and who moves to which project and department."""

    roster: list[Member]
    doomed: str
    exemplar: str
    transferee: str
    transfer_to: tuple[str, str]


def plan_roster(rng: random.Random) -> Cast:
    """Everyone, numbered per project (JRJ-0001 …), with a drawn name and a profile."""
    members: list[Member] = []
    names: set[str] = set()
    for code, _name, departments in PROJECTS:
        n = 0
        for department, positions in departments:
            for position, count in positions:
                for _ in range(count):
                    n += 1
                    template = POSITION_TEMPLATES[position]
                    mix = PROFILE_MIX if template in ("cs-staff", "cs-online") else MANAGER_MIX
                    members.append(Member(f"{code}-{n:04d}", _new_name(rng, names), code, department,
                                          position, template, rng.choice(mix)))
    clerks = [m for m in members if m.project == "JRJ" and m.position == "客服专员"]
    exemplar, doomed = clerks[0], clerks[-1]
    transferee = [m for m in members if m.project == "BSQ" and m.position == "客服专员"][1]
    fixed = {exemplar.no: "star", doomed.no: "doomed"}
    roster = [replace(m, profile=fixed.get(m.no, m.profile)) for m in members]
    return Cast(roster, doomed.no, exemplar.no, transferee.no, ("YHY", "客服部"))


def _new_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in taken:
            taken.add(name)
            return name


def members_in(cast: Cast, index: int) -> list[Member]:
    """The roster as it stands in month `index` (after the transfer, in its new place)."""
    project, department = cast.transfer_to
    return [replace(m, project=project, department=department)
            if m.no == cast.transferee and index >= TRANSFER_AT else m for m in cast.roster]
