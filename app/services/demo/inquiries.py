"""Demo first-inquiry register (首问登记, issue 18.1): about thirty inquiries over the last six weeks,
received by staff of the county hall at the counter, on the phone or from portal messages; most
answered on the spot, the others referred to another department, whose chief representative replies, and closed
in time — one closed late, one still open in time, and two left open past their deadline for the
replayed feedback scan to flag (the first responders are told and lose a point under 首问负责). A few
callers call again, so
the phone history has something to show. Written through app/services/inquiries.py; skipped when any
inquiry exists.
"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.models.inquiry import Inquiry
from app.services import inquiries

CALLERS = (
    ("王秀英", "13837601234"),
    ("李建国", "0396-2812345"),
    ("张伟", "15938765432"),
    ("刘芳", "13603961122"),
    ("陈明", "18739601567"),
    ("杨丽", "0396-3826688"),
    ("赵磊", "13939612345"),
    ("黄敏", "15003967788"),
)
TOPICS = (
    ("办理营业执照需要哪些材料", "带身份证原件和经营场所证明，到市场监管窗口办理"),
    ("新生儿落户在哪个窗口", "公安户籍窗口，需出生医学证明和父母户口簿"),
    ("社保卡丢失怎么补办", "人社窗口可当场补办，需本人身份证"),
    ("不动产登记预约怎么操作", "可在网上预约，也可到不动产窗口现场取号"),
    ("食品经营许可证延续需要多久", "承诺 10 个工作日办结，材料齐全可提前"),
    ("公积金提取需要带什么", "身份证、银行卡和购房合同或租房证明"),
    ("残疾人证办理流程", "残联窗口受理，需到指定医院评定"),
    ("企业注销能不能网上办", "可以，通过网上服务平台提交简易注销申请"),
    ("开具无犯罪记录证明", "公安窗口当场开具，需本人身份证"),
    ("医保异地备案怎么办", "医保窗口或手机上均可备案，即时生效"),
)
REFERRED = (
    "农村宅基地审批进度查询",
    "个体工商户变更经营范围涉及前置许可",
    "建筑工程施工许可所需图审意见",
    "特种设备使用登记的现场核查安排",
    "跨省迁移户口的具体要求",
)
CHANNELS = ("walk_in", "walk_in", "phone", "phone", "portal")
# The referrals left open (the inquiries are numbered 0–29 from six weeks ago to yesterday).
OPEN = (19, 23, 29)


def seed_inquiries(session, cast, now: datetime, rng) -> int:
    """The register; returns the inquiries written (the caller commits)."""
    if session.scalar(sa.select(sa.func.count()).select_from(Inquiry)):
        return 0
    staff = [actor for actor in cast.staff if actor.department_id is not None]
    if len(staff) < 2:
        return 0
    written = 0
    for number in range(30):
        who = staff[rng.randrange(len(staff))]
        # Six weeks back to yesterday, on working days, in office hours.
        day = now.date() - timedelta(days=42 - number * 41 // 29)
        day -= timedelta(days=max(0, day.weekday() - 4))  # a weekend day: the Friday before
        at = datetime.combine(day, time(rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((5, 20, 35, 50))))
        name, phone = CALLERS[rng.randrange(len(CALLERS))]
        channel = CHANNELS[number % len(CHANNELS)]
        if number % 4 != 3 and number != 29:
            topic, answer = TOPICS[rng.randrange(len(TOPICS))]
            inquiries.record(
                session, who, at, channel=channel, inquirer_name=name, phone=phone, topic=topic, answer=answer
            )
            written += 1
            continue
        # Referred to another department (its chief representatives hear of it and reply).
        departments = sorted(
            {a.department_id for a in staff if a.department_id != who.department_id} & set(cast.chiefs)
        )
        if not departments:
            continue
        department_id = departments[rng.randrange(len(departments))]
        inquiry = inquiries.record(
            session,
            who,
            at,
            channel=channel,
            inquirer_name=name,
            phone=phone,
            topic=REFERRED[number // 4 % len(REFERRED)],
            referred_department_id=department_id,
        )
        written += 1
        if number in OPEN:
            continue  # left open: two past their deadline by now, the last not yet due
        replied = at + timedelta(days=1, hours=2)
        inquiries.reply(
            session,
            cast.chiefs[department_id],
            inquiry,
            inquiry.version,
            replied,
            note="已核实，答复意见已电话告知首问人",
        )
        closed = inquiry.due_at + timedelta(days=2) if number == 11 else replied + timedelta(hours=1)
        inquiries.close(session, who, inquiry, inquiry.version, closed, note="已将答复意见电话告知群众")
    return written
