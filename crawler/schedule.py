"""When the nightly refresh runs: the cron of ``[schedule]`` and the catch-up rule.

Pure time arithmetic on APScheduler's CronTrigger, so the rules are testable without
waiting for a clock: a refresh is due at start when a scheduled time passed since the
last successful run (the machine was off, or the scheduler was not running).
"""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

CRON_FIELDS_5 = ("minute", "hour", "day", "month", "day_of_week")
CRON_FIELDS_6 = ("second", *CRON_FIELDS_5)


def parse_cron(expression: str, timezone: tzinfo | str) -> CronTrigger:
    """A crontab line ("0 2 * * *"), or six fields with seconds first ("*/5 * * * * *").

    Raises ValueError with the cron's own words when a field is wrong.
    """
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"{expression!r} 有 {len(fields)} 段；请写 5 段（分 时 日 月 星期），"
                         "或 6 段（秒在最前）")
    names = CRON_FIELDS_5 if len(fields) == 5 else CRON_FIELDS_6
    # crontab weekdays count from Sunday = 0; APScheduler's day_of_week from Monday = 0, so
    # names are the only unambiguous way: 0-6 and 7 become sun..sat
    values = dict(zip(names, fields))
    values["day_of_week"] = _crontab_weekdays(values["day_of_week"])
    return CronTrigger(timezone=timezone, **values)


_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_weekdays(field: str) -> str:
    def one(token: str) -> str:
        return _WEEKDAY_NAMES[int(token)] if token.isdigit() and int(token) <= 7 else token

    parts = []
    for part in field.split(","):
        step = ""
        if "/" in part:
            part, step = part.split("/", 1)
            step = "/" + step
        parts.append("-".join(one(t) for t in part.split("-")) + step)
    return ",".join(parts)


def catch_up_due(trigger: CronTrigger, last_success: datetime | None, now: datetime) -> bool:
    """True when a scheduled time fell between the last successful refresh and now.

    Never refreshed at all counts as due: a new install fills its store at once instead of
    waiting for the first night.
    """
    if last_success is None:
        return True
    # the trigger's search is inclusive: a run that started on the dot is not a missed one
    missed = trigger.get_next_fire_time(None, last_success + timedelta(seconds=1))
    return missed is not None and missed <= now
