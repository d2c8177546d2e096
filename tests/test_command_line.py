"""``scheduler.py`` as subcommands (once, demo, try, discover, worker; none: the nightly loop),
the flags of earlier releases as aliases, one error path for a config error."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import DEMO_ARTICLES, ROOT, count_articles, run_cli


def test_help_names_the_subcommands_and_the_old_flags():
    result = run_cli("--help", timeout=60)
    assert result.returncode == 0
    for command in ("once", "demo", "try", "discover", "worker"):
        assert command in result.stdout
    assert "--once" in result.stdout and "旧版本的参数" in result.stdout


@pytest.mark.parametrize("order", ["subcommand first", "options first", "old flag"])
def test_once_takes_its_options_before_or_after_and_the_old_flag_still_works(demo_config, tmp_path, order):
    db_path = tmp_path / "reports.db"
    args = {"subcommand first": ["once", "--config", demo_config, "--db", db_path, "--quiet"],
            "options first": ["--config", demo_config, "--db", db_path, "--quiet", "once"],
            "old flag": ["--once", "--config", demo_config, "--db", db_path, "--quiet"]}[order]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)


@pytest.mark.parametrize("args", [["once"], [], ["worker"]])
def test_a_config_error_is_one_line_and_exit_2_whatever_the_subcommand(tmp_path, args):
    config = tmp_path / "sites.toml"
    config.write_text("[crawl\n", encoding="utf-8")
    result = run_cli(*args, "--config", config, "--db", tmp_path / "x.db", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "配置错误" in result.stderr


def test_the_worker_child_is_an_internal_module():
    result = subprocess.run([sys.executable, "-m", "crawler.runtime.worker", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "--key-prefix" in result.stdout
