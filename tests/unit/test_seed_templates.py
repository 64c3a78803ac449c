"""The shipped seed templates load through `load_template` and match their seed documents.

Every expected number below is written out by hand from the seed text
(`/work/shared/seeds/*.txt`), quoted in the comment next to it; nothing is read
back from the JSON files being tested.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from shared.domain.template import Item, Template
from shared.schemas.template import dump_template, load_template
from shared.templates import SEED_DIR, seed_template_documents, seed_templates

SEED_CODES = {
    "cs-staff",
    "cs-supervisor-monthly",
    "cs-supervisor-standard",
    "service-center-director",
    "cs-deqinnengji",
    "cs-online",
}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def tpl() -> dict[str, Template]:
    return {t.code: t for t in seed_templates()}


def points(t: Template) -> list[Decimal]:
    return [i.points for i in t.items]


def rule_map(item: Item) -> dict[str, tuple]:
    """code -> (kind, points, min, max, target) for compact assertions."""
    return {r.code: (r.kind, r.points, r.min, r.max, r.target) for r in item.rules}


# ---------------------------------------------------------------- the package itself


def test_all_six_seed_templates_ship() -> None:
    docs = seed_template_documents()
    assert {d["code"] for d in docs} == SEED_CODES
    assert len(docs) == 6


def test_documents_are_sorted_by_filename_and_named_by_code() -> None:
    files = sorted(p.name for p in SEED_DIR.glob("*.json"))
    assert [d["code"] + ".json" for d in seed_template_documents()] == files


def test_files_are_utf8_two_space_json_without_ascii_escapes() -> None:
    for path in sorted(SEED_DIR.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
        assert text == json.dumps(doc, ensure_ascii=False, indent=2) + "\n", path.name
        assert "\\u" not in text, path.name


@pytest.mark.parametrize("doc", seed_template_documents(), ids=lambda d: d["code"])
def test_every_seed_loads_and_is_well_formed(doc: dict) -> None:
    t = load_template(doc)
    assert t.effective_from == "2026-01"
    assert t.period == "month"
    assert t.version == 1
    assert t.source.startswith("seed 00"), "source must name the seed file and section"
    for item in t.items:
        assert SNAKE.match(item.code), item.code
        assert item.rules, f"{t.code}.{item.code} has no rule, incidents could not be recorded"
        for r in item.rules:
            assert SNAKE.match(r.code), f"{item.code}.{r.code}"
    for b in t.bonuses:
        assert SNAKE.match(b.code), b.code
        assert Decimal(1) <= b.min <= b.max <= Decimal(10)  # seed 003 4.9: 加1~10分


def _numbers_are_json_numbers(node: object, path: str = "") -> None:
    numeric_keys = {"points", "min", "max", "target", "weight", "excellent_above",
                    "first_reward", "last_penalty", "self", "supervisor"}
    if isinstance(node, dict):
        for k, v in node.items():
            if k in numeric_keys:
                assert isinstance(v, int | float) and not isinstance(v, bool), f"{path}.{k}={v!r}"
            _numbers_are_json_numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for n, v in enumerate(node):
            _numbers_are_json_numbers(v, f"{path}.{n}")


@pytest.mark.parametrize("doc", seed_template_documents(), ids=lambda d: d["code"])
def test_numbers_are_json_numbers(doc: dict) -> None:
    _numbers_are_json_numbers(doc)


@pytest.mark.parametrize("doc", seed_template_documents(), ids=lambda d: d["code"])
def test_dump_load_round_trip(doc: dict) -> None:
    first = load_template(doc)
    dumped = dump_template(first)
    json.dumps(dumped, ensure_ascii=False)  # JSON-ready
    again = load_template(json.loads(json.dumps(dumped)))
    assert again == first


def test_total_points(tpl: dict[str, Template]) -> None:
    assert tpl["cs-staff"].total_points == 100  # seed 001: 序号1-11 标准分合计100
    assert tpl["cs-supervisor-monthly"].total_points == 100  # seed 000 篇2: "总分 | 100分 | 100"
    # seed 000 篇1 gives no item points; they are allotted to total 100
    assert tpl["cs-supervisor-standard"].total_points == 100
    assert tpl["service-center-director"].total_points == 86  # seed 004: 13 items, 6+6+7+...=86
    assert tpl["cs-deqinnengji"].total_points == 100  # seed 003 4.5.3: 20+20+30+30
    assert tpl["cs-online"].total_points == 100  # seed 003 篇2: "总分为100分"


# ---------------------------------------------------------------- seed 001 客服人员考核表


def test_cs_staff_items_match_seed_001(tpl: dict[str, Template]) -> None:
    t = tpl["cs-staff"]
    # seed 001: "序号项目标准分 ... 1是否文明用语,积极、主动、热情地为业主服务10 2能否耐心...10
    #  3...10 4...10 5...10 6能否正确对待领导或同事的批评教育5 7...10 8...10
    #  9是否能利用业余时间学习其它与物业相关知识5 10...10 11...10"
    assert len(t.items) == 11
    assert points(t) == [10, 10, 10, 10, 10, 5, 10, 10, 5, 10, 10]
    assert [i.title for i in t.items] == [
        "是否文明用语,积极、主动、热情地为业主服务",
        "能否耐心解答业主问题,与业主保持良好关系",
        "工作是否与同事配合认真完成指定任务",
        "上、值、加班认真负责,记录登记情况完整清楚",
        "自觉维护公司利益和形象、着装是否整齐及个人卫生",
        "能否正确对待领导或同事的批评教育",
        "上班时细心,发现可疑情况并跟踪处理",
        "考勤是否齐全,出勤是否认真、上班是否迟到、早退",
        "是否能利用业余时间学习其它与物业相关知识",
        "上、值、加班时是否开小差",
        "服从领导工作分派,认真完成领导分派的各项工作",
    ]


def test_cs_staff_raters_bonuses_ranking(tpl: dict[str, Template]) -> None:
    t = tpl["cs-staff"]
    # seed 001: "自评分占评分比重的15%,主管评分占评分比重的85%"
    assert t.raters == {"self": Decimal("0.15"), "supervisor": Decimal("0.85")}
    assert t.has_self_rater
    # seed 003 4.9: "应受嘉獎以上獎勵時……加1~10分"
    b = t.bonus("commendation")
    assert b is not None and (b.min, b.max) == (1, 10)
    assert b.title == "受到公司表扬(嘉奖以上)"
    assert len(t.bonuses) == 2 and all((x.min, x.max) == (1, 10) for x in t.bonuses)
    # seed 003 篇2 六: "第一名,獎勵100元;最后一名,提成中扣100元"; "后兩名……一周內,提交整改方案";
    # "連續3個月……最后一名,考慮調崗"
    r = t.ranking
    assert (r.scope, r.min_group_size) == ("department", 3)
    assert (r.first_reward, r.last_penalty) == (100, 100)
    assert (r.bottom_n, r.improvement_due_days, r.reassign_after_consecutive_last) == (2, 7, 3)
    assert t.excellent_above == 100


def test_cs_staff_rules(tpl: dict[str, Template]) -> None:
    t = tpl["cs-staff"]
    civility = rule_map(t.item("civility"))
    assert civility["rude"] == ("fixed", 2, None, None, None)  # 服务用语不文明 fixed 2
    assert civility["complaint"] == ("range", None, 3, 5, None)  # seed 000: 有效投诉,扣5-3分/项·次
    dress = rule_map(t.item("image"))["dress"]
    assert dress == ("fixed", 1, None, None, None)  # seed 000: 违反着装规定,1次扣1分
    att = rule_map(t.item("attendance"))
    # seed 000: 违反考勤制度、请休假制度,1次扣2分
    assert att["late"] == att["early_leave"] == att["absence"] == ("fixed", 2, None, None, None)
    # every rule here is inferred from 考核制度 prose, and each item says so
    assert all("规则据制度条文归纳" in i.note for i in t.items)


# ------------------------------------------- seed 000 篇2 主管/管家月度工作绩效考核表


def test_cs_supervisor_monthly_categories(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-monthly"]
    assert len(t.items) == 17
    qual = [i.points for i in t.items if i.category == "综合素质"]
    perf = [i.points for i in t.items if i.category == "工作表现"]
    # seed 000 篇2: "综合素质 (20分) | 1.尊重领导、团结协作 … | 6 |"
    #   "2.礼仪礼貌、办公纪律 … | 6 |", "3.出勤情况 … | 8 |"
    assert qual == [6, 6, 8]
    assert sum(qual) == 20
    # seed 000 篇2: "工作表现 (80分)": rows 1..14 = 10,4,5,10,3,5,3,3,3,15,3,10,2,4
    assert perf == [10, 4, 5, 10, 3, 5, 3, 3, 3, 15, 3, 10, 2, 4]
    assert sum(perf) == 80
    assert t.raters == {"supervisor": Decimal(1)}  # 自评/经理初评/总经理审核, no weighting given


def test_cs_supervisor_monthly_untitled_rows_are_marked(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-monthly"]
    perf = [i for i in t.items if i.category == "工作表现"]
    # seed 000 篇2: rows 4,5,6,7,9,10 of 工作表现 are "|\n10 |", "|\n3 |", ... with no text
    untitled = {4, 5, 6, 7, 9, 10}
    for n, item in enumerate(perf, start=1):
        marked = item.title.endswith("(补名)") and "种子表此行无标题,据岗位职责补名" in item.note
        assert marked == (n in untitled), (n, item.title, item.note)
    assert [perf[n - 1].points for n in sorted(untitled)] == [10, 3, 5, 3, 3, 15]


def test_cs_supervisor_monthly_rules(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-monthly"]
    respect = rule_map(t.item("respect"))
    assert respect["disobey"] == ("fixed", 2, None, None, None)  # 不服从上级领导工作安排每次扣2分
    assert respect["fight"] == ("range", None, 2, 6, None)  # 与同事争执打架事件视情节轻重扣2-6分
    # 违反员工手册相关规定每次扣2分
    assert rule_map(t.item("etiquette"))["handbook"] == ("fixed", 2, None, None, None)
    # "日常出勤事假一次扣1分、病假一次扣0.5分、打卡异常一次扣0.5分、
    #  培训无故缺勤一次扣1分,会议无故缺勤一次扣1分"
    att = {code: r[1] for code, r in rule_map(t.item("attendance")).items()}
    assert att == {
        "personal_leave": Decimal(1),
        "sick_leave": Decimal("0.5"),
        "clock_anomaly": Decimal("0.5"),
        "training_absence": Decimal(1),
        "meeting_absence": Decimal(1),
    }
    # 1.保证部门各项工作顺利进行,(晨会、巡查、登记、接待、培训)每项2分
    ops = t.item("dept_operations")
    assert len(ops.rules) == 5 and all(r.kind == "fixed" and r.points == 2 for r in ops.rules)
    # 12.按规定完成物业公司上级领导交待的各项工作任务(未按要求每次扣5分)
    assert t.item("assigned_tasks").rules[0].points == 5
    # 14.部门员工绩效考核平均得分均在90分以上(未按要求每次扣2分)
    assert t.item("staff_performance").rules[0].points == 2
    # 2,3,8,11,13: (未按要求每次扣1分)
    for code in ("developer_liaison", "coordination", "staff_discipline", "rectification",
                 "rules_compliance"):
        assert rule_map(t.item(code)) == {"not_as_required": ("fixed", 1, None, None, None)}
    # 附加项:当月提出管理建议并有成效的
    assert [b.code for b in t.bonuses] == ["management_suggestion"]


# --------------------------------------------------- seed 000 篇1 客服主管绩效考核标准


def _rules_of_kind(t: Template, kind: str) -> list[tuple[str, str]]:
    return [(i.code, r.code) for i in t.items for r in i.rules if r.kind == kind]


def test_cs_supervisor_standard_items(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-standard"]
    # seed 000 篇1 rows: 着装考勤; 重要工作任务/计划; 二装管理过失; 严重违规装修跟踪; 制止报告职责;
    # 客户投诉; 装修档案; 岗位职责; 物业知识运用; 应急预案; 上级交办任务
    assert len(t.items) == 11
    assert all("种子未给分值,按扣分权重分配" in i.note for i in t.items)
    assert t.item_cap is False  # a deduction list: total = 100 minus all deductions
    # "附加项:当月提出管理建议并有成效的"
    assert [b.code for b in t.bonuses] == ["management_suggestion"]


def test_cs_supervisor_standard_per_percent_below(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-standard"]
    got = {
        (i.code, r.code): (r.target, r.points)
        for i in t.items for r in i.rules if r.kind == "per_percent_below"
    }
    assert got == {
        ("task_plan", "plan_rate"): (100, 5),  # "月工作计划(培训计划),每低于1%扣5分" (完成率100%)
        ("complaints", "handling_rate"): (100, 2),  # "处理率、回访率不达标,每低于1%扣2分"
        ("complaints", "revisit_rate"): (100, 2),  # (same line, the second rate)
    }


def test_cs_supervisor_standard_ranges(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-standard"]
    got = sorted(
        (r.min, r.max) for i in t.items for r in i.rules if r.kind == "range"
    )
    assert got == sorted([
        (3, 5),  # "有效投诉,扣5-3分/项·次"
        (5, 10),  # "未完成重要工作任务,每项扣5-10分"
        (2, 5),  # "除已明确纳入本表考核内容外的不符合项,扣2-5分/项·次"
        (5, 20),  # "未落实预案实施,视后果扣5-20分/项·次"
        (2, 10),  # "未完成上级交办的其他工作任务,扣2-10分/项·次"
    ])
    assert rule_map(t.item("complaints"))["valid_complaint"] == ("range", None, 3, 5, None)


def test_cs_supervisor_standard_fixed(tpl: dict[str, Template]) -> None:
    t = tpl["cs-supervisor-standard"]
    got = {(i.code, r.code): r.points for i in t.items for r in i.rules if r.kind == "fixed"}
    assert got == {
        ("attire_attendance", "dress"): 1,  # "违反着装规定,1次扣1分"
        ("attire_attendance", "attendance"): 2,  # "违反考勤制度、请休假制度,1次扣2分"
        ("renovation_oversight", "undetected"): 3,  # "…造成不良后果的,扣3分/项·次"
        ("renovation_oversight", "not_handled"): 3,  # "发现行为过失未按制度处理的,扣3分/项·次"
        ("renovation_oversight", "no_accountability"): 5,  # "…未予以责任追究的,扣5分/项·次"
        ("serious_renovation", "not_rectified"): 10,  # "…未予以跟踪处理和有效整改的,每件扣10分"
        ("stop_and_report", "not_reported"): 15,  # "…未按规定履行告知、报告职责的,每件扣15分"
        ("complaints", "media"): 10,  # "媒体负面报道,每项/次扣10分"
        ("records", "nonconformity"): 3,  # "检查发现不符合项,扣3分/项·次"
        ("knowledge", "misunderstanding"): 2,  # "造成客户误解的,扣2分/项·次"
        ("knowledge", "reputation"): 10,  # "造成公司声誉或工作受损的,扣10分/项·次"
    }


# ------------------------------------------------------ seed 004 服务中心主任考核细则


def test_service_center_director_items(tpl: dict[str, Template]) -> None:
    t = tpl["service-center-director"]
    # seed 004 "分值" column, rows 1-13: 6,6,7,7,8,8,7,6,5,7,7,6,6
    assert len(t.items) == 13
    assert points(t) == [6, 6, 7, 7, 8, 8, 7, 6, 5, 7, 7, 6, 6]
    assert t.total_points == 86  # not padded to 100
    assert t.raters == {"supervisor": Decimal(1)}
    assert t.items[0].title == "熟悉岗位业务知识及技能,正确指导下属员工开展工作。"
    assert t.items[8].title == "下班时整理办公桌面"


def test_service_center_director_numbered_rules(tpl: dict[str, Template]) -> None:
    t = tpl["service-center-director"]
    # count of ①②③… per row in seed 004:
    # 1 ①②③  2 ①②  3 ①②③④  4 ①②③  5 ①②③④⑤  6 ①②③  7 ①②③  8 ①②③  9 ①②
    # 10 ①②③  11 ①②③④  12 ①②③  13 ①②
    assert [len(i.rules) for i in t.items] == [3, 2, 4, 3, 5, 3, 3, 3, 2, 3, 4, 3, 2]
    assert all(r.kind == "fixed" for i in t.items for r in i.rules)
    assert [[r.points for r in i.rules] for i in t.items] == [
        [2, 2, 1],  # ①…每次扣2分 ②…每次扣2分 ③对用户情况不了解、不熟悉每次扣1分
        [4, 1],  # ①未检查扣4分 ②已检查但卫生差、不整洁每次扣1分
        [4, 1, 2, 2],  # ①未检查扣4分 ②未按时检查每次扣1分 ③…教育每次扣2分 ④…处分每次扣2分
        [4, 2, 2],  # ①未阅读投诉记录扣4分 ②…未签署意见每次扣2分 ③…引起用户投诉两次扣2分
        [6, 3, 2, 3, 2],  # ①…监督扣6分 ②缺每次检查扣3分 ③…每次扣2分 ④姑息…每次扣3分 ⑤…每次扣2分
        [2, 1, 2],  # ①未及时处理投诉每次扣2分 ②处理方法欠佳每次扣1分 ③…事态扩大每次扣2分
        [2, 1, 1],  # ①违反工作规程每次扣2分 ②未按时完成每次扣1分 ③完成质量差每次扣1分
        [4, 1, 1],  # ①不服从、未完成公司领导安排的工作扣4分 ②…1分 ③…1分
        [2, 1],  # ①未整理扣2分 ②整理后仍不整洁每次扣1分
        [4, 2, 2],  # ①不按时召开例会扣4分 ②缺例会每次扣2分 ③例会流于形式…扣2分
        # ①缺培训计划每次扣2分 ②缺培训每次扣2分 ③缺培训小结每次扣1分 ④…75分以下每次扣1分
        [2, 2, 1, 1],
        [3, 1, 1],  # ①未统计扣3分 ②不按时完成每次扣1分 ③统计不全每次扣1分
        [2, 1],  # ①未制订工作计划扣2分 ②不按时完成每次扣1分
    ]
    # each rule keeps its ①②③ number
    circled = "①②③④⑤"
    for item in t.items:
        assert [r.title[0] for r in item.rules] == list(circled[: len(item.rules)])


def test_service_center_director_bonuses(tpl: dict[str, Template]) -> None:
    t = tpl["service-center-director"]
    # seed 004 "14 加分": 1 工作认真负责受到公司(口)头或书面表扬 2 服务态度和服务工作出色受用户表扬
    # 3 提出合理化建议被公司采纳
    assert [b.title for b in t.bonuses] == [
        "工作认真负责受到公司口头或书面表扬",
        "服务态度和服务工作出色受用户表扬",
        "提出合理化建议被公司采纳",
    ]
    assert all((b.min, b.max) == (1, 10) for b in t.bonuses)  # seed 003 4.9: 加1~10分


# ------------------------------------------------------------ seed 003 德勤能绩 scheme


def test_deqinnengji(tpl: dict[str, Template]) -> None:
    t = tpl["cs-deqinnengji"]
    # seed 003 4.5.3: "德"20分,"勤"20分,"能"30分,"績"30分
    assert [(i.code, i.points) for i in t.items] == [
        ("de", 20), ("qin", 20), ("neng", 30), ("ji", 30)
    ]
    # seed 003 4.5.1: "德"包括:思想道德、服務態度、紀律作風、人際關系 (and likewise 勤/能/績)
    assert t.item("de").title == "德:思想道德、服务态度、纪律作风、人际关系"
    assert t.item("qin").title == "勤:工作出勤、参与性、主动性、协调性"
    assert t.item("neng").title == "能:业务能力、组织能力、管理能力、创新能力"
    assert t.item("ji").title == "绩:工作效率、培训效果、工作效果、其它成绩"
    assert t.raters == {"supervisor": Decimal(1)}
    assert [(b.min, b.max) for b in t.bonuses] == [(1, 10)]  # 4.9: 加1~10分


def test_deqinnengji_annual_block(tpl: dict[str, Template]) -> None:
    a = tpl["cs-deqinnengji"].annual
    # seed 003 4.6: A 周檢和月檢 … 20%; B 月考核 … 30%; C 年終考評結果占50%
    assert [(c.code, c.title, c.weight, c.template) for c in a.components] == [
        ("inspections", "周检、月检", Decimal("0.2"), "cs-inspection"),
        ("monthly", "月考核", Decimal("0.3"), None),
        ("year_end", "年终考评", Decimal("0.5"), "cs-year-end"),
    ]
    assert a.excellent_above == 100  # 4.9: 經加權平均后仍超過100分者 … "優秀員工"


# ------------------------------------------------------------ seed 003 网店客服组


def test_cs_online(tpl: dict[str, Template]) -> None:
    t = tpl["cs-online"]
    # seed 003 篇2 五: "被考核人本人30%" / "店長70%"
    assert t.raters == {"self": Decimal("0.3"), "supervisor": Decimal("0.7")}
    assert t.total_points == 100  # "網店客服組人員績效考核表見表二,總分為100分"
    assert {i.category for i in t.items} == {"服务类", "管理类"}  # 四(一) 1、服務類 2、管理類
    titles = "".join(i.title for i in t.items)
    for indicator in ("咨询转化率", "平均响应时间", "客户流失率", "订单", "顾客投诉比重",
                      "报表上交及时性", "报表数据真实性", "报表整体质量"):
        assert indicator in titles, indicator
    assert _rules_of_kind(t, "per_percent_below")  # rates are metric-driven
    assert all("推定" in i.note for i in t.items)  # 表二 is not in the seed: points inferred
    r = t.ranking  # 篇2 六: 第一名獎勵100元; 最后一名扣100元; 后兩名整改; 連續3個月調崗
    assert (r.first_reward, r.last_penalty, r.bottom_n, r.reassign_after_consecutive_last) == (
        100, 100, 2, 3
    )
