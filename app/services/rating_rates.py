"""The three rating figures (好差评), defined once: the dashboard, the monthly report, the bulletins
and the quarterly disqualification count with these expressions and print these definitions.

004 第十三条 guarantees the applicant's 自愿自主评价. A default rating (the `feedback_scan` job rates
a finished case nobody rated within `evaluation_default_days`) is no one's opinion, so it never
enters the satisfaction or the bad-review rate and is reported as a figure of its own:
- 好评率 (satisfaction rate): voluntary ratings at levels 3–5 ÷ voluntary ratings;
- 差评率 (bad-review rate): voluntary ratings at levels 1–2 ÷ voluntary ratings — the rate
  000 第二十二条(四) disqualifies a quarter at ("信息反馈结果季度内差评率达到10%");
- 默认评价占比 (default-rating share): default ratings ÷ all ratings (voluntary + default).
"""

from collections.abc import Mapping

import sqlalchemy as sa

from app.models.feedback import BAD_LEVELS, SATISFIED_LEVELS, Evaluation

VOLUNTARY = Evaluation.is_default.is_(False)
# A voluntary rating at level 1–2: what the rates, the `bad_review` deduction and the quarter count.
BAD_REVIEW = sa.and_(VOLUNTARY, Evaluation.level.in_(BAD_LEVELS))


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# Aggregates over a selection of Evaluation rows, by name; group them by whatever the caller needs.
COUNTS = {
    "voluntary": _count_if(VOLUNTARY),
    "satisfied": _count_if(sa.and_(VOLUNTARY, Evaluation.level.in_(SATISFIED_LEVELS))),
    "bad": _count_if(BAD_REVIEW),
    "defaults": _count_if(Evaluation.is_default.is_(True)),
}
RATES = ("satisfaction_rate", "bad_review_rate", "default_share")

LABELS = {
    "voluntary": "自愿评价数",
    "satisfied": "好评数",
    "bad": "差评数",
    "defaults": "默认评价数",
    "satisfaction_rate": "好评率",
    "bad_review_rate": "差评率",
    "default_share": "默认评价占比",
}
DEFINITIONS = {
    "satisfaction_rate": "服务对象自愿评价中“基本满意”及以上（3–5级）的件数 ÷ 自愿评价件数；逾期未评价的默认评价不计",
    "bad_review_rate": (
        "服务对象自愿评价中“不满意”“非常不满意”（1–2级）的件数 ÷ 自愿评价件数；默认评价不计"
        "（季度考核按此差评率取消参评资格，见分中心管理办法第二十二条(四)）"
    ),
    "default_share": "办结后逾期未评价、由系统记为默认评价的件数 ÷ 全部评价件数（自愿评价＋默认评价）",
}


def ratio(numerator, denominator, kind=float):
    """numerator ÷ denominator as `kind` (float for reports, Decimal for thresholds); None over nothing."""
    return kind(numerator) / kind(denominator) if denominator else None


def rates(counts: Mapping, kind=float) -> dict:
    """The three rates from the four COUNTS of one group."""
    voluntary, defaults = int(counts["voluntary"] or 0), int(counts["defaults"] or 0)
    return {
        "satisfaction_rate": ratio(counts["satisfied"] or 0, voluntary, kind),
        "bad_review_rate": ratio(counts["bad"] or 0, voluntary, kind),
        "default_share": ratio(defaults, voluntary + defaults, kind),
    }


def notes() -> list[str]:
    """The definitions as printed lines (page footnotes, workbook notes)."""
    return [f"{LABELS[key]}：{DEFINITIONS[key]}" for key in RATES]
