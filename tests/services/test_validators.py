"""Phone numbers (services/phone.py) and unified social credit codes (services/idnumber.py, GB 32100-2015),
and intake refusing what they refuse."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Matter
from app.models.case import ApplicantType
from app.services.case_flow import Application, CaseError, Clock, intake
from app.services.idnumber import credit_check_char, mask_phone, valid_credit_code
from app.services.phone import InvalidPhone, checked_phone, normalize_phone, phone_tail
from tests.services.test_case_flow import NOW, actor

# As written → as stored.
VALID_PHONES = {
    "13800001234": "13800001234",
    "19912345678": "19912345678",
    "138 0000 1234": "13800001234",
    "138-0000-1234": "13800001234",
    "+86 13800001234": "13800001234",
    "１３８００００１２３４": "13800001234",  # full-width digits from a Chinese input method
    "0396-2812345": "0396-2812345",
    "03962812345": "0396-2812345",
    "(0396)2812345": "0396-2812345",
    "（0396）2812345": "0396-2812345",
    "0396 2812345": "0396-2812345",
    "010-62345678": "010-62345678",
    "01062345678": "010-62345678",
    "021-12345678": "021-12345678",
    "0371-12345678": "0371-12345678",  # the matter import's example
    "0396-2812345-801": "0396-2812345-801",
    "0396-2812345转801": "0396-2812345-801",
    "03962812345转801": "0396-2812345-801",
    "(0396)2812345-801": "0396-2812345-801",
    "0396-2812345 分机 801": "0396-2812345-801",
    "0396-2812345#801": "0396-2812345-801",
    "0396-2812345 ext. 801": "0396-2812345-801",
}
INVALID_PHONES = [
    "2812345",  # no area code
    "12345",  # a hotline, not a number to call back
    "1380000123",  # a mobile one digit short
    "138000012345",  # one too many
    "12800001234",  # no mobile starts 12
    "0396-281234",  # local number of six digits
    "0396-281234567",  # of nine
    "396-2812345",  # area code without its 0
    "0396-0812345",  # local numbers do not start with 0
    "0396-2812345-1234567",  # extension of seven digits
    "0396-2812345转801转9",
    "13800001234转801",  # mobiles have no extension
    "0396-2812345-801-9",
    "abc",
    "0396-281234a",
    "1380000123４５",
    "-",
]


@pytest.mark.parametrize(("written", "stored"), VALID_PHONES.items())
def test_valid_phones_are_stored_in_one_form(written, stored):
    assert normalize_phone(written) == stored
    assert checked_phone(written) == stored
    assert normalize_phone(stored) == stored  # stable


@pytest.mark.parametrize("written", INVALID_PHONES)
def test_invalid_phones_are_refused_with_the_accepted_forms(app, written):
    assert normalize_phone(written) is None
    with app.test_request_context(), pytest.raises(InvalidPhone, match="0396-2812345"):
        checked_phone(written)


def test_blank_phone_is_none_unless_required(app):
    assert checked_phone("  ") is None and checked_phone(None) is None
    with app.test_request_context(), pytest.raises(InvalidPhone):
        checked_phone("", required=True)


@pytest.mark.parametrize(
    ("phone", "tail", "masked"),
    [
        ("13800001234", "1234", "138****1234"),
        ("0396-2812345", "2345", "039****2345"),
        ("0396-2812345-801", "2345", "039****2345"),  # the extension is not the number's end
    ],
)
def test_tail_and_mask_use_the_number_itself(phone, tail, masked):
    assert phone_tail(phone) == tail
    assert mask_phone(phone) == masked


# The first 17 characters → the check character, computed independently of the code under test
# for the first one: 91350100M000100Y4 is a published example whose check character is 3.
VALID_CODES = [
    "91350100M000100Y43",
    "91410102MA9XXXXX12",
    "91110000600037341L",
    "91410102MA45FFFF0J",
    "12410100005511234J",
    "914101020000000230",  # a check character of 0 (31 → 0)
]
INVALID_CODES = [
    "91410102MA9XXXXX1A",  # the example: check character wrong
    "91350100M000100Y44",
    "91350100M000100Y4",  # 17 characters
    "91350100M000100Y433",  # 19
    "91350100M000I00Y43",  # I is not in the code's set
    "91350100M000100O43",  # nor O
    "91ABCDEFM000100Y43",  # region code not digits
    "",
]


def test_the_check_character_of_zero():
    assert credit_check_char("91410102000000023") == "0"


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes(code):
    assert valid_credit_code(code) and valid_credit_code(code.lower())
    assert credit_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", INVALID_CODES)
def test_invalid_credit_codes(code):
    assert not valid_credit_code(code)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield db.session
        db.session.remove()


def _intake(world_ids, **fields):
    matter = db.session.get(Matter, world_ids["matter_a"])
    application = Application(
        matter_id=matter.id,
        applicant_name=fields.pop("name", "示范县某某食品有限公司"),
        received_material_ids=tuple(m.id for m in matter.materials),
        **fields,
    )
    return intake(db.session, actor("staff_a"), NOW, application, Clock.load(db.session))


def _cases():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"applicant_type": ApplicantType.organisation, "applicant_id_number": "91410102MA9XXXXX1A"},
            "统一社会信用代码",
        ),
        (
            {"applicant_type": ApplicantType.organisation, "applicant_id_number": "410102199001011234"},
            "统一社会信用代码",
        ),
        ({"applicant_id_number": "11010519491231002X", "applicant_phone": "2812345"}, "带区号的固定电话"),
    ],
)
def test_intake_refuses_a_wrong_code_or_phone_and_registers_nothing(ctx, world_ids, fields, message):
    before = _cases()
    with pytest.raises(CaseError, match=message):
        _intake(world_ids, **fields)
    db.session.rollback()
    assert _cases() == before


def test_intake_takes_a_valid_code_and_a_landline_with_extension(ctx, world_ids):
    case = _intake(
        world_ids,
        applicant_type=ApplicantType.organisation,
        applicant_id_number="91410102ma9xxxxx12",
        applicant_phone="(0396)2812345转801",
    ).case
    assert case.applicant_id_number == "91410102MA9XXXXX12"
    assert case.applicant_phone == "0396-2812345-801"
    db.session.rollback()
