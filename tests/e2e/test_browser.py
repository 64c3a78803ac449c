"""The people's web app in a real browser (headless chromium), against a real `jixiao serve`:
a whole month from a lead's phone to the gm's 审核, and the refusals people must see.

Every main page is kept as a screenshot under tests/screenshots/ (ignored by git).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.integration.distributed import wait_for

EVIDENCE = "11/12 业主投诉服务用语不文明（录音在案）"


def settled(page) -> None:
    """htmx has swapped and processed what it fetched (new selects answer to changes only then)."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def within_phone(person, name: str) -> None:
    """The page never scrolls sideways on a 375-pixel phone; keep its screenshot."""
    person.shot(name)
    assert person.scroll_width() <= 375, f"{name}: {person.scroll_width()} px wide"


def test_a_whole_month_from_the_leads_phone_to_the_gms_approval(site, people):
    lead = people("lead-jrj")
    lead.goto("/record")
    within_phone(lead, "01-lead-record")
    lead.page.fill("#q", "张")  # htmx searches as the lead types
    lead.page.wait_for_selector("#people >> text=张三")
    lead.page.click("#people >> text=为TA记录")
    assert lead.page.input_value("[name=employee]") == "JRJ-0001"
    assert lead.page.input_value("[name=occurred_on]") == "2026-11-20"  # today by default
    lead.page.select_option("[name=item]", "civility")
    expect(lead.page.locator("#rule option")).to_have_count(4)  # htmx: only civility's 3 rules now
    settled(lead.page)
    lead.page.select_option("[name=rule]", "rude")
    lead.page.wait_for_selector("label[for=count] .hint >> text=每次扣2分")
    assert lead.page.locator("[name=points]").count() == 0  # a fixed rule: count, not points
    lead.page.fill("[name=count]", "2")
    lead.page.fill("[name=occurred_on]", "2026-11-12")
    lead.page.fill("[name=evidence]", EVIDENCE)
    within_phone(lead, "02-lead-record-filled")
    lead.page.click("#record-form button[type=submit]")
    lead.page.wait_for_selector("text=已保存")
    lead.page.wait_for_selector("#month >> text=96")  # 2 × 2 off civility: T = 96, as it now stands
    within_phone(lead, "03-lead-recorded")

    employee = people("JRJ-0001")
    employee.goto("/me")
    assert EVIDENCE in employee.text() and "雷" not in employee.text("#sign")
    assert employee.page.locator("#sign button").count() == 0  # 签字 only when the order allows it
    assert "月结" in employee.text("#sign")
    within_phone(employee, "04-employee-month")
    for field in employee.page.locator("input[name^='scores.']").all():
        field.fill(field.get_attribute("max"))
    employee.page.fill("[name=analysis]", "本月服务用语不规范，已整改")
    employee.page.click("#self button[type=submit]")
    employee.page.wait_for_selector("text=自评已保存")
    within_phone(employee, "05-employee-self-assessed")

    manager = people("mgr-jrj", phone=False)
    manager.goto("/months?project=JRJ")
    manager.shot("06-manager-months")
    manager.page.click("text=结账 2026-11")
    manager.page.wait_for_selector("#progress >> text=已完成")  # htmx follows the task to its end
    manager.shot("07-manager-close-done")
    manager.page.click("#progress >> text=去初评")
    assert manager.page.locator("input[name=employee]").count() == 3
    manager.shot("08-manager-review-queue")
    manager.page.click("text=初评通过")
    manager.page.wait_for_selector("text=已记录初评")

    gm = people("gm-jrj", phone=False)
    gm.goto("/reviews?project=JRJ&period=2026-11")
    assert gm.page.locator("input[name=employee]").count() == 3
    gm.page.click("text=审核通过")
    gm.page.wait_for_selector("text=已记录审核")
    gm.shot("09-gm-approved")

    employee.goto("/me/2026-11")
    summary = employee.text("#summary")
    # F = 100 (full marks), S = 96: W = 0.15 × 100 + 0.85 × 96 = 96.6, last of three: 末位, 整改方案
    assert "96.6" in summary and "末位扣100元" in summary and "须提交整改方案" in summary
    assert "2026-11-27" in employee.text("#plan")  # closed on the 20th, due 7 days later
    employee.page.click("#sign button[type=submit]")
    employee.page.wait_for_selector("#sign >> text=已签字")
    within_phone(employee, "10-employee-signed")


def test_a_refused_record_shows_beside_its_field_and_writes_nothing(site, people):
    lead = people("lead-jrj")
    lead.goto("/record?employee=JRJ-0002&occurred_on=2026-10-15")
    lead.page.select_option("[name=item]", "civility")
    expect(lead.page.locator("#rule option")).to_have_count(4)
    settled(lead.page)
    lead.page.select_option("[name=rule]", "complaint")  # a range rule: 3–5 points
    # exactly "3–5分": before the swap the hint reads "区间扣分的规则必填 (如 3–5分)", which contains it
    lead.page.wait_for_selector('label[for=points] .hint >> text="3–5分"')
    settled(lead.page)
    expect(lead.page.locator("[name=count]")).to_have_count(0)
    lead.page.fill("[name=points]", "9")
    lead.page.fill("[name=occurred_on]", "2026-10-15")
    lead.page.fill("[name=evidence]", "10/15 有效投诉")
    before = site.events()
    lead.page.click("#record-form button[type=submit]")
    error = lead.page.locator("[name=points] + small.error")
    assert "3" in error.inner_text() and "5" in error.inner_text()
    assert lead.page.input_value("[name=evidence]") == "10/15 有效投诉"  # what was typed is kept
    within_phone(lead, "11-lead-refused")
    assert site.events() == before


def test_a_lead_of_one_project_cannot_find_or_open_another_projects_people(site, people):
    lead = people("lead-jrj")
    lead.goto("/record")
    lead.page.fill("#q", "赵")
    lead.page.wait_for_selector("#people >> text=没有找到")
    assert "赵六" not in lead.text("#people")
    assert lead.goto("/staff/BSQ-0001").status == 404
    lead.goto("/record?employee=BSQ-0001")
    assert "赵六" not in lead.text() and "没有工号为 BSQ-0001 的员工" in lead.text()
    other = people("lead-bsq")
    other.goto("/record?q=赵")
    assert "赵六" in other.text("#people")


def test_a_form_posted_without_its_csrf_token_is_refused(site, people):
    lead = people("lead-jrj")
    lead.goto("/record?employee=JRJ-0003")
    lead.page.select_option("[name=item]", "attendance")
    expect(lead.page.locator("#rule option")).to_have_count(4)
    settled(lead.page)
    lead.page.select_option("[name=rule]", "late")
    lead.page.fill("[name=occurred_on]", "2026-10-16")
    lead.page.fill("[name=evidence]", "迟到")
    lead.page.evaluate("document.querySelector('#record-form [name=csrf_token]').remove()")
    before = site.events()
    with lead.page.expect_navigation() as nav:
        lead.page.click("#record-form button[type=submit]")
    assert nav.value.status == 400 and "表单已过期" in lead.text()
    assert site.events() == before


def test_evidence_containing_a_script_is_shown_as_text(site, people):
    lead = people("lead-jrj")
    lead.goto("/record?employee=JRJ-0002")
    lead.page.select_option("[name=item]", "image")
    expect(lead.page.locator("#rule option")).to_have_count(4)
    settled(lead.page)
    lead.page.select_option("[name=rule]", "dress")
    lead.page.fill("[name=occurred_on]", "2026-10-09")
    script = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
    lead.page.fill("[name=evidence]", script)
    lead.page.click("#record-form button[type=submit]")
    lead.page.wait_for_selector("text=已保存")
    assert script in lead.text() and lead.page.evaluate("window.pwned") is None
    employee = people("JRJ-0002")
    employee.goto("/me/2026-10")
    wait_for(lambda: script in employee.text() or employee.page.reload(), 30, "the deduction to be scored")
    assert employee.page.evaluate("window.pwned") is None
    within_phone(employee, "12-employee-script-as-text")


def test_the_leads_and_employees_pages_never_scroll_sideways_at_375px(site, people):
    lead = people("lead-jrj")
    for path in ("/", "/record", "/record?type=bonus&employee=JRJ-0001", "/record?q=李", "/staff",
                 "/staff/JRJ-0001?period=2026-11"):
        lead.goto(path)
        within_phone(lead, "13-lead" + (re.sub(r"\W+", "-", path) if path != "/" else "-home"))
    employee = people("JRJ-0001")
    for path in ("/", "/me", "/me/2026-11", "/me/2026-10"):
        employee.goto(path)
        within_phone(employee, "14-employee" + (re.sub(r"\W+", "-", path) if path != "/" else "-home"))
    lead.page.goto(site.web + "/login")
    within_phone(lead, "15-login")


def test_the_desk_registers_a_complaint_on_a_phone_and_a_supervisor_confirms_what_is_overdue(site, people):
    # BSQ: the first test closes JRJ's November, after which only a manager may add a deduction there
    lead = people("lead-bsq")
    lead.goto("/complaints/new")
    within_phone(lead, "16-lead-complaint-new")
    lead.page.check("input[name=channel][value=visit]")
    lead.page.check("input[name=severity][value=major]")
    lead.page.select_option("[name=category]", "安全")
    lead.page.fill("[name=received_at]", "2026-11-16T09:30")
    lead.page.fill("[name=location]", "5栋地下车库")
    lead.page.fill("[name=summary]", "车库入口道闸夹伤业主车辆，要求赔偿")
    lead.page.fill("[name=responsible]", "BSQ-0001")
    lead.page.click("#complaint-form button[type=submit]")
    lead.page.wait_for_selector("text=已记录投诉登记")
    assert "重大投诉" in lead.text() and "赵六 (BSQ-0001)" in lead.text()
    lead.page.fill("details[open] [name=text]", "已致电业主，约定今日查看道闸")  # a lead's next step: the reply
    lead.page.fill("details[open] [name=at]", "2026-11-16T10:05")
    lead.page.click("details[open] button[type=submit]")
    lead.page.wait_for_selector("#timeline >> text=已致电业主")
    within_phone(lead, "17-lead-complaint-timeline")
    lead.goto("/complaints?view=overdue")
    assert "逾期：重大投诉未及时上报 · 期限 2026-11-16 11:30" in lead.text("#complaints")
    within_phone(lead, "18-lead-complaints-overdue")

    sup = people("sup-bsq", phone=False)
    sup.goto("/record/suggestions")
    card = sup.page.locator("#suggestions > li", has_text="赵六 (BSQ-0001)")
    expect(card).to_contain_text("重大投诉未及时上报")
    sup.shot("19-supervisor-suggestions")
    before = site.events()
    card.locator("button", has_text="确认扣分").click()
    sup.page.wait_for_selector("text=已确认并记为扣分")
    assert site.events() == before + 2  # the deduction and the ledger's note
    sup.goto("/record/suggestions?status=confirmed")
    assert "赵六 (BSQ-0001)" in sup.text("#suggestions")


def test_a_supervisor_records_an_inspection_and_a_manager_the_year_end_review_on_a_phone(site, people):
    # BSQ for the inspection: the first test closes JRJ's November (then only managers add to it)
    sup = people("sup-bsq")
    sup.goto("/")
    sup.page.click("main >> text=录入周检/月检")
    sup.page.fill("#q", "赵")
    sup.page.wait_for_selector("#people >> text=为TA记录")
    sup.page.click("#people >> text=为TA记录")
    assert "赵六 (BSQ-0001)" in sup.text()
    within_phone(sup, "18-supervisor-inspection-form")
    sup.page.fill("[name=score]", "101")
    before = site.events()
    sup.page.click("#inspection-form button[type=submit]")
    sup.page.wait_for_selector("small.error")
    assert "0–100" in sup.text("small.error") and site.events() == before
    within_phone(sup, "19-supervisor-inspection-refused")
    sup.page.select_option("[name=kind]", "monthly")
    sup.page.fill("[name=score]", "93.5")
    sup.page.fill("[name=note]", "月检：工作区整洁")
    sup.page.click("#inspection-form button[type=submit]")
    sup.page.wait_for_selector("text=已保存")
    assert "月检" in sup.text("#entries") and site.events() == before + 1
    sup.page.wait_for_selector("#composite >> text=年终考核记录表", timeout=30_000)  # htmx asks until scored
    within_phone(sup, "20-supervisor-inspection-done")
    mgr = people("mgr-jrj")
    mgr.goto("/record/year-end-review?employee=JRJ-0001")
    within_phone(mgr, "21-manager-year-end-review-form")
    mgr.page.fill("[name=score]", "88")
    mgr.page.fill("[name=comment]", "年终考评：服务意识强")
    mgr.page.click("#year-end-review-form button[type=submit]")
    mgr.page.wait_for_selector("#composite >> text=年终考核记录表", timeout=30_000)
    assert "年终考评" in mgr.text("#composite")
    within_phone(mgr, "22-manager-year-end-review-done")
