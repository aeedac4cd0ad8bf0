"""The demo county: a realistic, deterministic service center network.

Sized like the seeds' county (33 departments, ~100 windows, ~110 staff, ~365
matters). Used by `flask seed-demo` and the first start of `run.py`.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from app.models.matter import CaseKind, MaterialForm, Matter, MatterCategory, MatterMaterial, MatterStep
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind

COUNTY_CODE = "XZ"

# (name, short name, windows, matters): sizes follow a typical county hall.
DEPARTMENTS = [
    ("县行政审批服务局", "审批局", 4, 20),
    ("县发展和改革局", "发改", 2, 12),
    ("县公安局", "公安", 6, 30),
    ("县民政局", "民政", 4, 14),
    ("县人力资源和社会保障局", "人社", 6, 28),
    ("县自然资源局", "自然资源", 3, 16),
    ("县住房和城乡建设局", "住建", 5, 22),
    ("县交通运输局", "交通", 3, 14),
    ("县水利局", "水利", 2, 10),
    ("县农业农村局", "农业农村", 3, 14),
    ("县商务局", "商务", 2, 8),
    ("县文化和旅游局", "文旅", 2, 10),
    ("县卫生健康委员会", "卫健", 3, 16),
    ("县市场监督管理局", "市场监管", 7, 30),
    ("县税务局", "税务", 6, 16),
    ("县医疗保障局", "医保", 4, 10),
    ("县住房公积金管理中心", "公积金", 3, 8),
    ("县不动产登记中心", "不动产", 6, 12),
    ("县生态环境分局", "生态环境", 2, 8),
    ("县教育局", "教育", 2, 8),
    ("县司法局", "司法", 2, 6),
    ("县财政局", "财政", 2, 6),
    ("县应急管理局", "应急", 2, 6),
    ("县林业局", "林业", 2, 6),
    ("县城市管理局", "城管", 2, 6),
    ("县退役军人事务局", "退役军人", 2, 5),
    ("县残疾人联合会", "残联", 1, 4),
    ("县消防救援大队", "消防", 1, 4),
    ("县气象局", "气象", 1, 3),
    ("县烟草专卖局", "烟草", 1, 3),
    ("县供电公司", "供电", 2, 5),
    ("县供水公司", "供水", 1, 3),
    ("县燃气公司", "燃气", 1, 3),
]
SMALL = ("气象", "烟草", "残联", "消防")  # served at the comprehensive window, not their own

SUB_CENTERS = [("XZ-F1", "县不动产登记分中心"), ("XZ-F2", "县公安户籍分中心")]
TOWNS = ["城关镇", "东湖镇", "西山乡", "南河镇", "北岭乡"]
VILLAGES = ["东关村", "西街社区", "王庄村", "李家村", "河口村", "柳树湾村", "新华社区", "张寨村", "白果村", "槐树岭村"]

# Matter names by department short name; other departments use generic templates.
MATTER_TEMPLATES = {
    "市场监管": [
        "食品经营许可（新办）",
        "食品经营许可（变更）",
        "食品经营许可（延续）",
        "食品经营许可（注销）",
        "个体工商户设立登记",
        "个体工商户变更登记",
        "个体工商户注销登记",
        "有限责任公司设立登记",
        "药品零售企业许可",
        "医疗器械经营备案",
        "特种设备使用登记",
        "食品小作坊登记",
    ],
    "公安": [
        "居民身份证申领",
        "居民身份证换领",
        "居民身份证补领",
        "户口迁入",
        "户口迁出",
        "出生登记",
        "临时身份证明开具",
        "机动车驾驶证换证",
        "无犯罪记录证明",
        "居住证申领",
    ],
    "人社": [
        "社会保障卡申领",
        "社会保障卡补换",
        "职工养老保险参保登记",
        "失业保险金申领",
        "就业创业证申领",
        "城乡居民养老保险参保登记",
        "工伤认定申请",
        "劳动合同备案",
    ],
    "住建": [
        "建筑工程施工许可",
        "商品房预售许可",
        "建设工程竣工验收备案",
        "建筑业企业资质核准",
        "房屋建筑工程质量监督登记",
        "城镇污水排入排水管网许可",
    ],
    "民政": ["结婚登记", "离婚登记", "社会团体成立登记", "最低生活保障审批", "临时救助审批", "殡葬服务备案"],
    "不动产": [
        "国有建设用地使用权首次登记",
        "房屋所有权转移登记",
        "抵押权登记",
        "不动产登记资料查询",
        "更正登记",
        "预告登记",
    ],
    "税务": ["发票领用", "税务登记信息变更", "纳税证明开具", "增值税一般纳税人登记", "个人所得税汇算清缴"],
    "审批局": [
        "企业投资项目备案",
        "企业投资项目核准",
        "社会团体成立登记",
        "民办非企业单位登记",
        "建设项目用地预审",
        "建设工程规划许可",
        "人防工程建设审批",
        "公共场所卫生许可",
        "出版物零售单位设立",
        "旅馆业特种行业许可证核发",
    ],
    "发改": ["固定资产投资项目节能审查", "企业投资项目备案", "价格认定", "粮食收购资格认定", "政府投资项目审批"],
    "自然资源": ["建设用地规划许可", "乡村建设规划许可", "临时用地审批", "采矿权登记", "土地复垦方案审查"],
    "交通": ["道路运输经营许可", "道路运输从业人员资格证核发", "公路超限运输许可", "出租汽车经营许可", "涉路施工许可"],
    "卫健": ["医疗机构执业登记", "医师执业注册", "护士执业注册", "母婴保健技术服务许可", "放射诊疗许可"],
    "医保": ["医保关系转移接续", "异地就医备案", "门诊慢特病待遇认定", "医疗费用手工报销", "参保信息变更"],
    "公积金": ["住房公积金提取", "住房公积金贷款", "住房公积金缴存登记", "公积金账户转移", "贷款结清证明开具"],
    "农业农村": ["农药经营许可", "兽药经营许可", "动物防疫条件合格证核发", "农作物种子生产经营许可", "拖拉机登记"],
    "文旅": ["娱乐场所经营许可", "互联网上网服务营业场所许可", "营业性演出许可", "旅行社设立许可"],
    "水利": ["取水许可", "河道管理范围内建设项目审批", "水土保持方案审批", "洪水影响评价审批"],
}
GENERIC = [
    "{dept}许可",
    "{dept}备案",
    "{dept}资质认定",
    "{dept}证明开具",
    "{dept}变更登记",
    "{dept}注销登记",
    "{dept}年度报告",
    "{dept}补贴申领",
    "{dept}信息查询",
    "{dept}证书补办",
]
BASES = [
    "《中华人民共和国行政许可法》第十二条",
    "《中华人民共和国食品安全法》第三十五条",
    "《中华人民共和国户口登记条例》第六条",
    "《社会保险法》第五十八条",
    "《不动产登记暂行条例》第十四条",
    "《建筑法》第七条",
    "《优化营商环境条例》第三十五条",
]
MATERIALS = [
    ("申请表", MaterialForm.original, True),
    ("居民身份证", MaterialForm.original_and_copy, True),
    ("营业执照", MaterialForm.copy, True),
    ("授权委托书", MaterialForm.original, False),
    ("场所使用证明", MaterialForm.copy, True),
    ("相关资质证明", MaterialForm.copy, True),
    ("照片（电子版）", MaterialForm.electronic, True),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "红梅",
    "国庆",
    "文博",
    "雨欣",
    "子涵",
    "浩然",
]


@dataclass
class DemoSummary:
    centers: int = 0
    departments: int = 0
    windows: int = 0
    staff: int = 0
    matters: int = 0
    created: bool = False
    logins: dict[str, str] = field(default_factory=dict)


def _centers():
    county = Center(
        code=COUNTY_CODE,
        name="示范县政务服务中心",
        level=CenterLevel.county,
        sort_order=0,
        address="示范县人民路88号",
        phone="0371-12345000",
    )
    centers = [county]
    centers += [
        Center(code=code, name=name, level=CenterLevel.sub_center, parent=county, sort_order=i)
        for i, (code, name) in enumerate(SUB_CENTERS, 1)
    ]
    towns = [
        Center(
            code=f"XZ-T{i}", name=f"{town}便民服务中心", level=CenterLevel.township, parent=county, sort_order=10 + i
        )
        for i, town in enumerate(TOWNS, 1)
    ]
    villages = [
        Center(
            code=f"XZ-V{i:02d}",
            name=f"{name}便民服务站",
            level=CenterLevel.village,
            parent=towns[(i - 1) // 2],
            sort_order=20 + i,
        )
        for i, name in enumerate(VILLAGES, 1)
    ]
    return county, centers + towns + villages


def _matters(rng, department, count, number):
    names = MATTER_TEMPLATES.get(department.short_name) or [g.format(dept=department.short_name) for g in GENERIC]
    matters = []
    for i in range(count):
        name = names[i % len(names)] + (f"（{i // len(names) + 1}）" if i >= len(names) else "")
        kind = rng.choices([CaseKind.immediate, CaseKind.promised, CaseKind.joint, CaseKind.escalated], [45, 45, 5, 5])[
            0
        ]
        if kind is CaseKind.immediate:
            legal, promised = rng.choice([0, 1, 3, 5]), 0
        else:
            legal = rng.choice([10, 15, 20, 20, 30]) if kind is not CaseKind.joint else 45
            promised = max(1, legal * rng.choice([4, 5, 6, 7]) // 10)
        fee = rng.choices([Decimal("0"), Decimal("10"), Decimal("20"), Decimal("50")], [80, 8, 8, 4])[0]
        picked = rng.sample(MATERIALS, rng.randint(2, 5))
        step_names = ["受理", "审查", "决定", "送达"][: rng.randint(3, 4)] if promised else ["受理办结"]
        shares = _split(promised, len(step_names))
        matters.append(
            Matter(
                code=f"{COUNTY_CODE}-{department.code}-{number + i:04d}",
                name=name,
                category=rng.choices(
                    [
                        MatterCategory.licensing,
                        MatterCategory.public_service,
                        MatterCategory.confirmation,
                        MatterCategory.payment,
                    ],
                    [45, 35, 12, 8],
                )[0],
                department=department,
                case_kind=kind,
                legal_limit_days=legal,
                promised_limit_days=promised,
                fee_standard=fee,
                fee_max=fee * 2 if fee and rng.random() < 0.2 else None,
                fee_basis="《行政事业性收费标准管理办法》" if fee else None,
                legal_basis=rng.choice(BASES),
                online_available=rng.random() < 0.7,
                place=f"县政务服务中心{department.short_name}窗口",
                phone=f"0371-1234{rng.randint(5000, 5999)}",
                materials=[
                    MatterMaterial(
                        name=m,
                        form=form,
                        original_count=0 if form in (MaterialForm.copy, MaterialForm.electronic) else 1,
                        copy_count=0 if form in (MaterialForm.original, MaterialForm.electronic) else 1,
                        required=req,
                        sort_order=k,
                    )
                    for k, (m, form, req) in enumerate(picked, 1)
                ],
                steps=[
                    MatterStep(seq=k, name=n, limit_days=d)
                    for k, (n, d) in enumerate(zip(step_names, shares, strict=True), 1)
                ],
            )
        )
    return matters


def _split(days, parts):
    """Share `days` over `parts` steps, review getting the remainder."""
    base = [days // parts] * parts
    base[min(1, parts - 1)] += days - sum(base)
    return base


def seed_demo(session, *, password_hash: str, roles: dict, progress=None, seed: int = 2026) -> DemoSummary:
    """Create the demo county unless it exists; the caller commits."""
    report = progress or (lambda *_: None)
    summary = DemoSummary()
    if session.scalar(sa.select(Center.id).where(Center.code == COUNTY_CODE)) is None:
        _create(session, rng=random.Random(seed), password_hash=password_hash, roles=roles, report=report)
        summary.created = True
    for model, name in (
        (Center, "centers"),
        (Department, "departments"),
        (Window, "windows"),
        (Staff, "staff"),
        (Matter, "matters"),
    ):
        setattr(summary, name, session.scalar(sa.select(sa.func.count()).select_from(model)))
    summary.logins = _logins(session)
    return summary


def _create(session, *, rng, password_hash, roles, report):
    county, centers = _centers()
    session.add_all(centers)
    report("服务中心", len(centers), len(centers))

    departments = [
        Department(
            code=f"D{i:02d}", name=name, short_name=short, center=county, sort_order=i, phone=f"0371-1234{5000 + i}"
        )
        for i, (name, short, _w, _m) in enumerate(DEPARTMENTS, 1)
    ]
    session.add_all(departments)
    report("进驻部门", len(departments), len(departments))

    windows, number = [], 0
    for department, (_name, short, window_count, _m) in zip(departments, DEPARTMENTS, strict=True):
        if short in SMALL:
            continue
        for k in range(window_count):
            number += 1
            at = centers[1] if short == "不动产" and k >= 3 else centers[2] if short == "公安" and k >= 4 else county
            windows.append(
                Window(
                    code=f"A{number:02d}",
                    name=f"{short}窗口{k + 1}",
                    kind=WindowKind.dedicated,
                    center=at,
                    department=department,
                )
            )
    approval = departments[0]
    small = [d for d in departments if d.short_name in SMALL]
    windows += [
        Window(
            code="Z01",
            name="综合受理窗口1",
            kind=WindowKind.comprehensive,
            center=county,
            department=approval,
            member_departments=small[:2],
        ),
        Window(
            code="Z02",
            name="综合受理窗口2",
            kind=WindowKind.comprehensive,
            center=county,
            department=approval,
            member_departments=small[2:],
        ),
        Window(code="G01", name="绿色通道窗口", kind=WindowKind.green, center=county, department=approval),
        Window(code="G02", name="企业开办绿色通道", kind=WindowKind.green, center=county, department=departments[13]),
        Window(code="C01", name="综合出件窗口1", kind=WindowKind.delivery, center=county, department=approval),
        Window(code="C02", name="综合出件窗口2", kind=WindowKind.delivery, center=county, department=approval),
    ]
    session.add_all(windows)
    session.flush()
    report("窗口", len(windows), len(windows))

    _create_staff(session, rng, departments, windows, password_hash, roles, report)

    matter_total = sum(m for *_rest, m in DEPARTMENTS)
    done = 0
    for department, (*_rest, count) in zip(departments, DEPARTMENTS, strict=True):
        session.add_all(_matters(rng, department, count, number=1))
        done += count
        report("政务服务事项", done, matter_total)
    session.flush()


def _create_staff(session, rng, departments, windows, password_hash, roles, report):
    by_department = {}
    for window in windows:
        by_department.setdefault(window.department_id, []).append(window)
    people = []
    for department in departments:
        own = by_department.get(department.id, [])
        # As in most county halls, the chief representative staffs the first window himself.
        people.append((department, own[0] if own else None, StaffPosition.chief_rep))
        for k, window in enumerate(own):
            if k == 0:
                if len(own) >= 3:
                    people.append((department, window, StaffPosition.b_post))
                continue
            if window.kind is not WindowKind.delivery or k == 1:
                people.append((department, window, StaffPosition.a_post))
    for department in departments[:2]:
        people.append((department, None, StaffPosition.leader))
    today = date(2026, 11, 1)
    for number, (department, window, position) in enumerate(people, 1):
        username = f"s{number:04d}"
        role = roles["ChiefRep"] if position is StaffPosition.chief_rep else roles["WindowStaff"]
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.4 else "")
        user = User(
            username=username,
            first_name=given,
            last_name=surname,
            email=f"{username}@demo.gov.cn",
            active=True,
            password=password_hash,
            roles=[role],
        )
        session.add(
            Staff(
                staff_no=f"S{number:04d}",
                name=surname + given,
                department=department,
                window=window,
                position=position,
                user=user,
                phone=f"1{rng.choice('35789')}{rng.randint(10**8, 10**9 - 1)}",
                joined_on=today - timedelta(days=rng.randint(60, 8 * 365)),
            )
        )
    for username, role, surname, given in (
        ("admin", "Admin", "系统", "管理员"),
        ("manager", "CenterManager", "刘", "建国"),
        ("supervisor", "Supervisor", "陈", "静"),
        ("leader", "Leader", "王", "志强"),
    ):
        if session.scalar(sa.select(User.id).where(User.username == username)) is None:
            session.add(
                User(
                    username=username,
                    first_name=given,
                    last_name=surname,
                    active=True,
                    email=f"{username}@demo.gov.cn",
                    password=password_hash,
                    roles=[roles[role]],
                )
            )
    session.flush()
    report("工作人员", len(people), len(people))


def _logins(session) -> dict[str, str]:
    logins = {}
    for role in ("Admin", "CenterManager", "Supervisor", "Leader", "ChiefRep", "WindowStaff"):
        username = session.scalar(
            sa.select(User.username)
            .where(User.roles.any(name=role), User.username != "system")
            .order_by(User.username)
            .limit(1)
        )
        if username:
            logins[role] = username
    return logins
