"""A template's `sheet` block (how its monthly sheet prints) is validated, round-trips, and
keeps the maintainers' notes out of print."""

from __future__ import annotations

import copy

import pytest
from marshmallow import ValidationError

from shared.domain.layout import printable
from shared.schemas.template import dump_template, load_template
from shared.templates import seed_template_documents

STAFF = next(d for d in seed_template_documents() if d["code"] == "cs-staff")


def with_sheet(**changes) -> dict:
    doc = copy.deepcopy(STAFF)
    doc["sheet"].update(changes)
    return doc


def errors(doc: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_template(doc)
    return caught.value.messages


def test_every_shipped_template_has_its_seed_form():
    assert all(d.get("sheet") for d in seed_template_documents())


def test_a_template_without_a_sheet_block_still_loads_and_dumps_without_one():
    doc = copy.deepcopy(STAFF)
    del doc["sheet"]
    template = load_template(doc)
    assert template.sheet is None and "sheet" not in dump_template(template)


def test_the_sheet_block_round_trips():
    template = load_template(STAFF)
    assert load_template(dump_template(template)).sheet == template.sheet
    assert dump_template(template)["sheet"] == STAFF["sheet"]


def test_an_unknown_column_is_refused_by_name():
    doc = with_sheet(columns=[{"key": "no", "label": "序号"}, {"key": "salary", "label": "工资"}])
    assert "sheet" in errors(doc)


def test_only_one_column_lists_the_records():
    cols = [{"key": "no", "label": "序号", "records": True}, {"key": "title", "label": "项目", "records": True}]
    assert "sheet" in errors(with_sheet(columns=cols))


def test_duplicate_columns_are_refused():
    cols = [{"key": "no", "label": "序号"}, {"key": "no", "label": "编号"}]
    assert "sheet" in errors(with_sheet(columns=cols))


def test_basis_must_name_items_of_the_template():
    assert "sheet" in errors(with_sheet(basis={"no_such_item": "现场检查"}))


def test_signature_labels_name_sign_off_stages():
    assert "sheet" in errors(with_sheet(signatures={"hr": "人事签字"}))


@pytest.mark.parametrize(("title", "printed"), [
    ("投诉处理(补名)", "投诉处理"),
    ("服务态度差、服务用语不文明(规则据制度条文归纳)", "服务态度差、服务用语不文明"),
    ("当月提出管理建议并有成效的(附加项;1-10分据种子003 4.9推定)", "当月提出管理建议并有成效的"),
    ("晨会未顺利进行(每项2分)", "晨会未顺利进行(每项2分)"),  # the seed's own bracket stays
    ("受到公司表扬(嘉奖以上)", "受到公司表扬(嘉奖以上)"),
])
def test_printable_strips_only_the_maintainers_notes(title, printed):
    assert printable(title) == printed
