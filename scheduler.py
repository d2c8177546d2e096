"""Command line of the school news monitor.

    python scheduler.py [--config sites.toml] [--db db/reports.db]          run the nightly schedule until stopped
    python scheduler.py once [--config sites.toml] [--db db/reports.db]     one refresh of every school, then alerts
    python scheduler.py demo                                                 the same, on the bundled demo site
    python scheduler.py try URL                                              try a news column before adding it
    python scheduler.py discover URL | discover --from schools.csv          find news columns from homepages
    python scheduler.py worker [--config cluster.toml]                       crawl for the runs of a [cluster]

Each subcommand opens what it needs and calls one function of crawler/runtime; a config
error is one line and exit 2, from one place. The flags of earlier releases (--once,
--demo, --try URL, --discover, --worker) still work, as aliases, for this release.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from crawler.config import ConfigError
from crawler.runtime.stop import hold_stop_signals

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "sites.toml"
# the flags of earlier releases -> their subcommand (kept for one release)
OLD_FLAGS = {"--once": "once", "--demo": "demo", "--try": "try", "--discover": "discover", "--worker": "worker"}


class ChineseHelp(argparse.HelpFormatter):
    """argparse's own words (usage, the section titles) in Chinese: --help is read by a person."""

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


# argparse's own messages, as a person reads them
_ARGPARSE_WORDS = (
    (re.compile(r"the following arguments are required: (.+)"), r"缺少参数：\1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"不认识的参数：\1"),
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), r"不认识的子命令 \2（可用：\3）"),
    (re.compile(r"argument (.+?): expected one argument"), r"参数 \1 后面需要一个值"),
)


class ChineseParser(argparse.ArgumentParser):
    """A command line error in Chinese, with the usage above it, exit 2 (as argparse does)."""

    def error(self, message: str):
        for pattern, words in _ARGPARSE_WORDS:
            message = pattern.sub(words, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{message}\n")


def _chinese(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command._positionals.title = "子命令与参数"
    command._optionals.title = "选项"
    command.add_argument("-h", "--help", action="help", help="显示这段说明后退出")
    return command


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given before or after the subcommand, the one given wins and the default stays
    common.add_argument("--config", default=argparse.SUPPRESS, help="学校配置文件（默认：sites.toml）")
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="SQLite 数据库文件（默认：db/reports.db；demo 用 db/demo.db）")
    common.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="不显示进度，只显示最后的汇总")
    main = _chinese(ChineseParser(
        prog="scheduler.py", parents=[common], add_help=False, formatter_class=ChineseHelp,
        description="学校新闻监测：每晚采集各学校网站的新闻栏目。不带子命令时，按配置中的 [schedule] 定时运行，直到停止。",
        epilog="旧版本的参数在本版本仍可使用：--once、--demo、--try URL、--discover [URL]（可加 --from）、--worker。"))
    commands = main.add_subparsers(dest="command", metavar="{once,demo,try,discover,worker}",
                                   parser_class=ChineseParser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return _chinese(commands.add_parser(name, parents=[common], help=help_text, description=help_text,
                                            add_help=False, formatter_class=ChineseHelp))

    command("once", "采集一次所有配置的学校，然后发出提醒")
    command("demo", "启动自带的演示学校网站，采集到 db/demo.db（两晚）")
    trial = command("try", "试采一个新闻栏目（不保存）：列出找到的文章链接和前两篇文章")
    trial.add_argument("url", metavar="URL", help="栏目网址（可以不写 http://）")
    trial.add_argument("--json", action="store_true", help="输出一个 JSON 对象，供程序读取")
    discover = command("discover", "从学校首页找出新闻栏目，输出可直接放进 sites.toml 的 [[sites]] 表")
    discover.add_argument("url", metavar="URL", nargs="?", help="一所学校的首页网址")
    discover.add_argument("--from", dest="from_csv", metavar="CSV", help="学校列表文件（每行：学校名称,首页网址）")
    command("worker", "为配置中 [cluster] 的采集干活，直到停止（只需要 Redis）")
    return main


def old_flags_as_subcommands(argv: list[str]) -> list[str]:
    """``--once …`` -> ``once …``, ``--try URL`` -> ``try URL``, ``--discover=URL`` -> ``discover URL``."""
    for index, arg in enumerate(argv):
        flag, equals, value = arg.partition("=")
        if flag in OLD_FLAGS:
            return [OLD_FLAGS[flag], *([value] if equals else []), *argv[:index], *argv[index + 1:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    argv = old_flags_as_subcommands(list(sys.argv[1:] if argv is None else argv))
    command_line = parser()
    args = command_line.parse_args(argv)
    config_path = getattr(args, "config", str(DEFAULT_CONFIG))
    log_level = "WARNING" if getattr(args, "quiet", False) else "INFO"
    if args.command in ("once", "demo"):
        hold_stop_signals()  # a stop before the crawl starts is handed to Scrapy's graceful stop
    if args.command == "discover" and bool(args.url) == bool(args.from_csv):
        command_line.error("discover 需要一个首页网址，或 --from 学校列表.csv")
    try:
        return run(args, config_path, log_level)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2


def run(args, config_path: str, log_level: str) -> int:
    """The subcommand: each one function of crawler/runtime."""
    db_path = getattr(args, "db", None)
    if args.command == "discover":
        from crawler.runtime.discover import discover

        return discover(args.from_csv or args.url, bool(args.from_csv), log_level)
    if args.command == "try":
        from crawler.runtime.trial import try_column

        return try_column(args.url, log_level, as_json=args.json)
    if args.command == "demo":
        from demo.run import run_demo

        return run_demo(db_path, log_level)
    if args.command == "worker":
        from crawler.runtime.worker import serve_from_config

        return serve_from_config(config_path, log_level)
    from crawler.config import load_config
    from crawler.runtime.once import DEFAULT_DB

    config = load_config(config_path)
    if args.command == "once":
        from crawler.runtime.once import refresh_and_report

        return refresh_and_report(config, db_path or DEFAULT_DB, log_level)
    from crawler.runtime.nightly import run_schedule

    return run_schedule(config, config_path, db_path or DEFAULT_DB, log_level)


if __name__ == "__main__":
    sys.exit(main())
