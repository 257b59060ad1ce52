"""What the demo dataset looks like: its plan, its mixes, and the draws that make one report's story.

Everything here is plain Python over a `random.Random`, so a seed always gives the same dataset. The mixes are
estimates of the real service (Zalo OA since 2023, iHanoi, the web), not measurements: violations outnumber
infrastructure faults about six to one, parking and riding on the sidewalk dominate what gets fined, and people report
on their way to and from work.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from core.clock import HANOI_TIME
from models.enums import CategoryKind, Channel


@dataclass(frozen=True)
class DemoPlan:
    """The published figures by default: 16,000 received, 4,758 accepted, 3,161 fined, 132 vehicles impounded."""

    reports: int = 16_000
    accepted: int = 4_758
    penalized: int = 3_161
    impounded: int = 132
    first_day: date = date(2023, 1, 1)
    last_day: date = date(2026, 10, 31)
    open_share: float = 0.025
    directly_fixed_share: float = 0.044


class Fate(StrEnum):
    """How a demo report's story ends; each maps to a path through the workflow's state machine."""

    ROUTED = "ROUTED"
    ASSIGNED = "ASSIGNED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PENALIZED = "PENALIZED"
    WARNED = "WARNED"  # violation accepted, then resolved with a warning
    FIXED = "FIXED"  # infrastructure fault accepted, then fixed
    FIXED_DIRECTLY = "FIXED_DIRECTLY"  # infrastructure fault fixed without a separate acceptance


VIOLATION_SHARE = 0.85
VIOLATION_WEIGHTS = {
    "ILLEGAL_PARKING": 36,
    "SIDEWALK_RIDING": 24,
    "NO_HELMET": 8,
    "WRONG_LANE": 8,
    "ILLEGAL_U_TURN": 5,
    "TOO_MANY_PASSENGERS": 4,
    "RED_LIGHT": 4,
    "WRONG_WAY": 4,
    "PHONE_WHILE_DRIVING": 4,
    "SPEEDING": 2,
    "OVERLOAD": 2,
    "RECKLESS_RIDING": 1,
}
INFRASTRUCTURE_WEIGHTS = {
    "ROAD_DAMAGE": 30,
    "FLOODING": 16,
    "BROKEN_SIGNAL": 12,
    "SIGNS_MARKINGS": 12,
    "ENCROACHMENT": 12,
    "TRAFFIC_ORGANISATION": 10,
    "GUARDRAIL_DAMAGE": 8,
}
CAR_SHARE = {"ILLEGAL_PARKING": 0.45, "WRONG_LANE": 0.25, "ILLEGAL_U_TURN": 0.3, "PHONE_WHILE_DRIVING": 0.3}
DEFAULT_CAR_SHARE = 0.15
CHANNEL_WEIGHTS = {Channel.ZALO: 58, Channel.IHANOI: 36, Channel.WEB: 6}
# Reports per hour of the day in Hanoi: morning and evening rush hours.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 5, 10, 11, 8, 6, 6, 5, 5, 6, 7, 9, 11, 10, 7, 5, 4, 3, 2)
URBAN_DENSITY = 12.0  # people per km² in a ward relative to a commune, as a proxy for population
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh", "Hữu", "Phương")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Trang",
)
STREETS = (
    "Đinh Tiên Hoàng",
    "Tràng Tiền",
    "Giải Phóng",
    "Nguyễn Trãi",
    "Láng",
    "Cầu Giấy",
    "Kim Mã",
    "Xã Đàn",
    "Tây Sơn",
    "Minh Khai",
    "Nguyễn Văn Cừ",
    "Phạm Văn Đồng",
    "Lê Văn Lương",
    "Trường Chinh",
)
REJECTIONS = (
    "Hình ảnh không rõ biển số, chưa đủ căn cứ xác minh. Cảm ơn bạn đã phản ánh.",
    "Hình ảnh không thể hiện được thời điểm vi phạm, chưa đủ căn cứ xử lý.",
    "Nội dung này đã được xử lý theo một phản ánh trước đó.",
    "Kiểm tra hiện trường không phát hiện sự việc như phản ánh.",
)


def uuid_from(rng: random.Random) -> uuid.UUID:
    """Ids drawn from the seed, so that two runs with one seed write the same rows."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def category_code(rng: random.Random) -> str:
    weights = VIOLATION_WEIGHTS if rng.random() < VIOLATION_SHARE else INFRASTRUCTURE_WEIGHTS
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def channel(rng: random.Random) -> Channel:
    return rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]


def ward_weights(wards: list[Any]) -> list[float]:
    return [ward.area_km2 * (URBAN_DENSITY if ward.kind.value == "WARD" else 1.0) for ward in wards]


def submitted_at(plan: DemoPlan, rng: random.Random) -> datetime:
    """Use grows over the period (density rising linearly), at the hours people travel."""
    days = (plan.last_day - plan.first_day).days + 1
    day = plan.first_day + timedelta(days=min(days - 1, int(days * math.sqrt(rng.random()))))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), HANOI_TIME)
    return local.astimezone(UTC)


def hours(rng: random.Random, median: float, spread: float, longest: float) -> timedelta:
    """A log-normal duration: most decisions come within days, a long tail takes weeks."""
    drawn = rng.lognormvariate(math.log(median), spread)
    return timedelta(hours=min(max(drawn, 0.25), longest))


def plate(rng: random.Random, car: bool) -> str:
    province = rng.choice(("29", "30", "31", "33", "40", "88", "99"))
    letters = "ABCDEFGHKLMNPSTUVX"
    if car:
        return f"{province}{rng.choice(letters)}-{rng.randrange(100, 1000)}.{rng.randrange(100):02d}"
    return f"{province}{rng.choice(letters)}{rng.randrange(1, 10)}-{rng.randrange(100, 1000)}.{rng.randrange(100):02d}"


def is_car(rng: random.Random, code: str, ranges: dict[str, Any]) -> bool:
    if "car" not in ranges or "motorbike" not in ranges:
        return "car" in ranges
    return rng.random() < CAR_SHARE.get(code, DEFAULT_CAR_SHARE)


def fine(rng: random.Random, ranges: dict[str, Any], car: bool) -> int:
    """Within the decree's range for the vehicle: usually its middle (the law's default), sometimes an end of it
    for mitigating or aggravating circumstances."""
    low, high = ranges["car" if car else "motorbike"]
    draw = rng.random()
    if draw < 0.7:
        return int((low + high) // 2)
    return int(low if draw < 0.9 else high)


def assign_fates(plan: DemoPlan, kinds: list[CategoryKind], rng: random.Random) -> list[Fate]:
    """Fates for reports listed oldest first, with exactly the plan's counts: the newest are still open (or accepted
    and awaiting the fine), older ones were decided."""
    total = len(kinds)
    fates = [Fate.REJECTED] * total
    open_count = round(total * plan.open_share)
    for index in range(total - open_count, total):
        fates[index] = Fate.ROUTED if rng.random() < 0.5 else Fate.ASSIGNED
    older = range(total - open_count)
    violations = [i for i in older if kinds[i] is CategoryKind.VIOLATION]
    faults = [i for i in older if kinds[i] is CategoryKind.INFRASTRUCTURE]
    extra = plan.accepted - plan.penalized
    waiting, warned = round(extra * 0.3), round(extra * 0.35)
    fixed = extra - waiting - warned
    directly_fixed = round(total * plan.directly_fixed_share)
    violations_waiting = waiting // 2
    if len(violations) < plan.penalized + warned + violations_waiting or len(faults) < fixed + directly_fixed + (
        waiting - violations_waiting
    ):
        raise ValueError("This plan asks for more decided reports than it has.")
    for index in violations[len(violations) - violations_waiting :]:
        fates[index] = Fate.ACCEPTED
    for index in faults[len(faults) - (waiting - violations_waiting) :]:
        fates[index] = Fate.ACCEPTED
    decided_violations = violations[: len(violations) - violations_waiting]
    decided_faults = faults[: len(faults) - (waiting - violations_waiting)]
    rng.shuffle(decided_violations)
    rng.shuffle(decided_faults)
    for index in decided_violations[: plan.penalized]:
        fates[index] = Fate.PENALIZED
    for index in decided_violations[plan.penalized : plan.penalized + warned]:
        fates[index] = Fate.WARNED
    for index in decided_faults[:fixed]:
        fates[index] = Fate.FIXED
    for index in decided_faults[fixed : fixed + directly_fixed]:
        fates[index] = Fate.FIXED_DIRECTLY
    return fates
