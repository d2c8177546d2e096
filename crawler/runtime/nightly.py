"""The nightly schedule in the foreground (``scheduler.py`` with no mode flag).

APScheduler fires the cron of ``[schedule]``; each refresh runs as a child
``scheduler.py --once`` (crawler.runtime.child), never two at once, with catch-up at
start when a scheduled time passed while the machine was off.
"""
from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime
from pathlib import Path

from crawler.runtime.once import EXIT_BUSY



def run_schedule(config, config_path: str, db_path: str, log_level: str) -> int:
    """The nightly schedule in the foreground: each refresh a child process, never two at once."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.schedulers.blocking import BlockingScheduler

    from crawler.runtime.child import SCHEDULER_SCRIPT, ChildRunner
    from crawler.runtime.lock import Busy, exclusive, lock_path
    from crawler.schedule import catch_up_due, parse_cron
    from db.known import last_success
    from crawler.notify.outbox import usable_channels

    plan = config.schedule
    log = scheduler_log(log_path_for(config, db_path), log_level)
    _, unusable = usable_channels(config)
    for label, reason in unusable.items():
        log.error("[alerts] url %s: %s", label, reason)
    if unusable:
        log.error("not started: fix the alert channels above (secrets come from environment variables)")
        return 2
    from db.schema import NotOurStore, check_ours

    try:
        check_ours(db_path)  # every night's refresh would refuse it
    except NotOurStore as exc:
        log.error("not started: %s", exc)
        return 2
    try:
        with exclusive(lock_path(db_path, "scheduler")):
            trigger = parse_cron(plan.cron, plan.timezone)
            command = [sys.executable, str(SCHEDULER_SCRIPT), "once", "--config", config_path, "--db", db_path]
            if log_level != "INFO":
                command.append("--quiet")
            runner = ChildRunner(command, timeout_s=plan.timeout_minutes * 60, grace_s=plan.stop_grace_seconds,
                                 log=log)
            scheduler = BlockingScheduler(timezone=plan.timezone)
            now = datetime.now(trigger.timezone)
            last = last_success(db_path)
            last = datetime.fromisoformat(last) if last else None
            first_run = now if catch_up_due(trigger, last, now) else None
            scheduler.add_job(runner.run, trigger, id="refresh", name="nightly refresh", coalesce=True,
                              max_instances=1, misfire_grace_time=int(plan.misfire_grace_minutes * 60),
                              **({"next_run_time": first_run} if first_run else {}))
            scheduler.add_listener(lambda event: log.warning(
                "a scheduled refresh was skipped: %s", "the previous one is still running"
                if event.code == EVENT_JOB_MAX_INSTANCES else "it was missed by more than misfire_grace_minutes"),
                EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)

            def stop(signum, _frame):
                log.info("%s received: stopping after the running refresh has finished its writes",
                         signal.Signals(signum).name)
                runner.stop()
                scheduler.shutdown(wait=False)

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            log.info("schedule %r (%s) for %d school(s) into %s; last successful refresh: %s",
                     plan.cron, plan.timezone, len(config.sites), db_path, last.isoformat() if last else "never")
            if first_run:
                log.info("a scheduled time passed since the last successful refresh: refreshing now")
            else:
                log.info("next refresh at %s", trigger.get_next_fire_time(None, now).isoformat(timespec="seconds"))
            scheduler.start()  # returns after stop()
            runner.wait_stopped()
            log.info("scheduler stopped")
    except Busy as exc:
        log.error("not started: another scheduler for %s is running (process %s)", db_path, exc.holder or "?")
        return EXIT_BUSY
    return 0


def log_path_for(config, db_path: str) -> str:
    """``[schedule] log_file``, else ``<database name>.scheduler.log`` beside the database
    (two databases in one folder, two logs)."""
    path = Path(db_path)
    return config.schedule.log_file or str(path.with_name(f"{path.stem}.scheduler.log"))


def scheduler_log(path: str, log_level: str) -> logging.Logger:
    """Log to stderr and to a rotating file (5 × 5 MB)."""
    from logging.handlers import RotatingFileHandler

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("scheduler")
    log.setLevel(logging.INFO)
    log.propagate = False
    from crawler.extensions import SafeLogValues
    from crawler.settings import LOG_FORMAT, LOG_VALUE_MAX_CHARS

    formatter = logging.Formatter(LOG_FORMAT)
    # a refresh's lines come through here whole (values already made safe by the child): room for a few values
    safe = SafeLogValues(4 * LOG_VALUE_MAX_CHARS)
    for handler in (logging.StreamHandler(sys.stderr), RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5,
                                                                          encoding="utf-8")):
        handler.setFormatter(formatter)
        if LOG_VALUE_MAX_CHARS:
            handler.addFilter(safe)
        log.addHandler(handler)
    logging.getLogger("apscheduler").addHandler(log.handlers[0])
    logging.getLogger("apscheduler").addHandler(log.handlers[1])
    return log
