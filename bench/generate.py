"""Fast, deterministic bulk data for benchmarks (Core executemany, not ORM objects).

Organisation and catalogue at any size; cases join when the case engine lands.
"""

import random

import sqlalchemy as sa

from app.models import Center, Department, Matter, Staff, Window
from app.services.id_sequences import reset_id_sequences

CATEGORIES = ["licensing", "public_service", "confirmation", "payment", "levy", "other_power"]
KINDS = ["immediate", "promised", "promised", "immediate", "joint", "escalated"]
VERBS = ["许可", "登记", "备案", "审批", "核准", "证明", "变更", "注销", "延续", "补办"]
SUBJECTS = [
    "食品经营",
    "药品零售",
    "建筑施工",
    "道路运输",
    "户口迁移",
    "社会保障卡",
    "不动产",
    "排污",
    "林木采伐",
    "取水",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def build(conn, *, departments=35, matters=50_000, staff=5_000, batch=5_000, seed=7):
    rng = random.Random(seed)
    conn.execute(
        sa.insert(Center.__table__),
        [{"id": 1, "code": "BX", "name": "基准县政务服务中心", "level": "county", "sort_order": 0, "version": 1}],
    )
    conn.execute(
        sa.insert(Department.__table__),
        [
            {
                "id": d,
                "code": f"D{d:03d}",
                "name": f"县第{d}局",
                "short_name": f"{d}局",
                "center_id": 1,
                "status": "active",
                "sort_order": d,
                "version": 1,
            }
            for d in range(1, departments + 1)
        ],
    )
    conn.execute(
        sa.insert(Window.__table__),
        [
            {
                "id": w,
                "code": f"W{w:03d}",
                "name": f"{w}号窗口",
                "kind": "dedicated",
                "center_id": 1,
                "department_id": (w - 1) % departments + 1,
                "status": "active",
                "version": 1,
            }
            for w in range(1, departments * 3 + 1)
        ],
    )
    for start in range(0, matters, batch):
        rows = []
        for i in range(start, min(start + batch, matters)):
            legal = rng.choice([0, 5, 10, 15, 20, 30])
            rows.append(
                {
                    "id": i + 1,
                    "code": f"BX-{i + 1:08d}",
                    "name": f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{i}",
                    "category": rng.choice(CATEGORIES),
                    "department_id": rng.randint(1, departments),
                    "handling_level": "county",
                    "case_kind": rng.choice(KINDS),
                    "legal_limit_days": legal,
                    "promised_limit_days": legal * 7 // 10,
                    "fee_standard": 0,
                    "online_available": rng.random() < 0.7,
                    "status": "active",
                    "version": 1,
                }
            )
        conn.execute(sa.insert(Matter.__table__), rows)
    conn.execute(
        sa.insert(Staff.__table__),
        [
            {
                "id": s,
                "staff_no": f"S{s:06d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "department_id": rng.randint(1, departments),
                "center_id": 1,
                "window_id": rng.randint(1, departments * 3),
                "position": "a_post",
                "status": "active",
                "version": 1,
            }
            for s in range(1, staff + 1)
        ],
    )
    # Every row above carries its own id; PostgreSQL's sequences must move past them.
    reset_id_sequences(
        conn, [Center.__table__, Department.__table__, Window.__table__, Matter.__table__, Staff.__table__]
    )
