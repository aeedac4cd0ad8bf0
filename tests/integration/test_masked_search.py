"""The case list masks applicants' ID numbers and phones; no search, sort or export gives them back.

With "starts with" on the masked column one could find the hidden digits one at a time, so
these columns are searched by their whole value only (issue 12 item 14).
"""

import io
import json
import re

import openpyxl
import pytest

from tests.conftest import login
from tests.integration.test_case_views import ID_A, intake

PHONE = "13912345678"  # intake()'s applicant phone
# column: (a prefix of the real value past the visible part, the same length but wrong)
PREFIXES = {
    "applicant_id_number": (ID_A[:10], ID_A[:9] + "0"),
    "applicant_phone": (PHONE[:5], PHONE[:4] + "0"),
}


@pytest.fixture
def chief_a_with_case(client, world_ids):
    # The chief representative: window staff may not export.
    login(client, "chief_a")
    return client, intake(client, world_ids)


def _listed(client, query):
    response = client.get(f"/caseview/list/?{query}")
    if response.status_code != 200:
        return response.status_code
    return sorted(set(re.findall(r"/caseview/show/(\d+)", response.get_data(as_text=True))))


def _exported(client, query):
    response = client.get(f"/caseview/export/?{query}")
    if response.status_code == 400:
        return 400
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))


def _operators(page):
    """The search form's operators per column, as FAB's filter script gets them."""
    lines = page.split("new AdminFilters(", 1)[1].split(");", 1)[0].splitlines()
    dicts = [json.loads(line.strip().rstrip(",")) for line in lines if line.strip().startswith("{")]
    return next(d for d in dicts if all(isinstance(v, list) for v in d.values()))


def test_masked_columns_offer_only_equal_to(chief_a_with_case):
    client, _pk = chief_a_with_case
    operators = _operators(client.get("/caseview/list/").get_data(as_text=True))
    assert operators["applicant_id_number"] == ["等于"]
    assert operators["applicant_phone"] == ["等于"]
    assert len(operators["applicant_name"]) > 1  # other text columns keep their operators


@pytest.mark.parametrize("column", sorted(PREFIXES))
@pytest.mark.parametrize("read", [_listed, _exported], ids=["list", "export"])
def test_no_filter_on_a_masked_column_tells_a_right_prefix_from_a_wrong_one(chief_a_with_case, column, read):
    client, _pk = chief_a_with_case
    right, wrong = PREFIXES[column]
    for index in range(10):
        assert read(client, f"_flt_{index}_{column}={right}") == read(client, f"_flt_{index}_{column}={wrong}"), index


@pytest.mark.parametrize("column", sorted(PREFIXES))
def test_a_masked_column_finds_its_whole_value(chief_a_with_case, column):
    client, pk = chief_a_with_case
    whole = {"applicant_id_number": ID_A, "applicant_phone": PHONE}[column]
    assert _listed(client, f"_flt_0_{column}={whole}") == [str(pk)]
    assert _listed(client, f"_flt_0_{column}={PREFIXES[column][0]}") == []


@pytest.mark.parametrize("column", sorted(PREFIXES))
def test_the_list_is_not_sorted_by_a_masked_column(chief_a_with_case, column):
    client, _pk = chief_a_with_case
    assert client.get(f"/caseview/list/?_oc_CaseView={column}&_od_CaseView=asc").status_code == 400


@pytest.mark.parametrize("column", sorted(PREFIXES))
@pytest.mark.parametrize("operator", ["sw", "ew", "ct", "in"])
def test_the_api_does_not_filter_a_masked_column_by_part(chief_a_with_case, column, operator):
    client, _pk = chief_a_with_case
    right, wrong = PREFIXES[column]

    def answer(value):
        response = client.get(f"/api/v1/case/?q=(filters:!((col:{column},opr:{operator},value:'{value}')))")
        return response.status_code, response.get_json().get("ids")

    assert answer(right)[0] == 400
    assert answer(right) == answer(wrong)
