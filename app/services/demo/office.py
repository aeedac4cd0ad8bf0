"""Instants inside the centers' office hours on working days (makeup Saturdays included), for
the demo's acceptances: a window takes cases in only while it is open."""

import random
from datetime import date, datetime, timedelta


def office_time(rng: random.Random, day: date, hours) -> datetime:
    """A random instant inside office hours of `day`."""
    start, end = rng.choice(hours.periods)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    offset = rng.randint(0, minutes - 1)
    return datetime.combine(day, start) + timedelta(minutes=offset, seconds=rng.randint(0, 59))


def taken_in(rng: random.Random, sent: datetime, clock) -> datetime:
    """When a window takes in what was sent at `sent` (an online application, a village
    request): within the hour if the window is open, else in the first hour of its next period."""
    day = sent.date()
    while True:
        if clock.calendar.is_workday(day):
            for start, end in clock.hours.periods:
                opens, closes = datetime.combine(day, start), datetime.combine(day, end)
                if sent < closes - timedelta(minutes=2):
                    begin = max(sent, opens)
                    room = int((closes - begin).total_seconds()) - 1
                    return begin + timedelta(seconds=rng.randint(60, max(60, min(room, 3600))))
        day += timedelta(days=1)
        sent = datetime.combine(day, datetime.min.time())


def latest_before(rng: random.Random, now: datetime, clock) -> datetime:
    """A random instant of the last office period that began before `now`, and before `now`."""
    day = now.date()
    while True:
        if clock.calendar.is_workday(day):
            for start, end in reversed(clock.hours.periods):
                opens = datetime.combine(day, start)
                if opens < now - timedelta(minutes=1):
                    until = min(datetime.combine(day, end), now)
                    return opens + timedelta(seconds=rng.randint(0, int((until - opens).total_seconds()) - 1))
        day -= timedelta(days=1)
