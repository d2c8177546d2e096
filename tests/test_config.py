"""sites.toml: errors name the file, the school and the key; the shipped file loads."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from tests.helpers import ROOT, run_cli


def write(tmp_path, text):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return str(info.value)


def test_shipped_sites_toml_loads():
    config = load_config(ROOT / "sites.toml")
    assert len(config.sites) >= 2
    assert all(site.start_urls[0].startswith("https://") for site in config.sites)


def test_bad_url_names_file_site_and_key(tmp_path):
    message = error_for(tmp_path, '[[sites]]\nname = "南湖中学"\nstart_urls = ["www.nhzx.cn/news"]\n')
    assert "sites.toml" in message and "南湖中学" in message and "start_urls" in message


def test_unknown_key_is_named(tmp_path):
    message = error_for(tmp_path, '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\nmax_page = 3\n')
    assert "甲校" in message and "'max_page'" in message


def test_missing_name_and_duplicates_and_bad_regex(tmp_path):
    assert "'name'" in error_for(tmp_path, '[[sites]]\nstart_urls = ["http://a.cn/l.htm"]\n')
    dup = '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\n' * 2
    assert "重名" in error_for(tmp_path, dup)
    assert "article_pattern" in error_for(
        tmp_path, '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\narticle_pattern = "(["\n')
    assert "max_pages" in error_for(
        tmp_path, '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\nmax_pages = 0\n')


def test_invalid_toml_and_missing_file(tmp_path):
    assert "不是有效的 TOML" in error_for(tmp_path, "[[sites]\n")
    with pytest.raises(ConfigError, match="找不到这个文件"):
        load_config(tmp_path / "nope.toml")


def test_allowed_domains_defaults_to_start_hosts_and_must_cover_them(tmp_path):
    config = load_config(write(tmp_path, '[[sites]]\nname = "甲校"\nstart_urls = ["http://News.A.cn/l.htm"]\n'))
    assert config.sites[0].allowed_domains == ("news.a.cn",)
    message = error_for(tmp_path, '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\nallowed_domains = ["b.cn"]\n')
    assert "allowed_domains" in message and "a.cn" in message


def test_cli_reports_config_error_and_exits_2(tmp_path):
    path = write(tmp_path, '[[sites]]\nname = "乙校"\nstart_urls = ["ftp://b.cn/x"]\n')
    result = run_cli("--once", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "配置错误" in result.stderr and "乙校" in result.stderr and "start_urls" in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("key, value", [
    ("concurrent_requests_per_domain", 0), ("concurrent_requests", 0), ("download_delay", -1), ("download_delay", 61),
    ("download_timeout", 0), ("download_timeout", 601), ("download_timeout", "nan"), ("retry_times", -1),
    ("retry_times", 11), ("extraction_processes", -1), ("max_pages", 0), ("recheck_days", -1), ("stop_grace_pages", -1),
    ("max_article_pages", 0), ("max_links_per_list", 0),
])
def test_every_number_of_crawl_has_a_range(tmp_path, key, value):
    value = "nan" if value == "nan" else repr(value)
    site = '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\n'
    message = error_for(tmp_path, f"{site}\n[crawl]\n{key} = {value}\n")
    assert "[crawl]" in message and repr(key) in message and "须是" in message


def test_the_edges_of_the_ranges_load_and_the_limits_have_defaults(tmp_path):
    site = '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\n'
    config = load_config(write(tmp_path, f"{site}\n[crawl]\ndownload_delay = 0\ndownload_timeout = 600\n"
                                         "retry_times = 0\nconcurrent_requests_per_domain = 1\nmax_article_pages = 1\n"))
    assert config.sites[0].max_article_pages == 1 and config.sites[0].max_links_per_list == 500
    assert load_config(write(tmp_path, site)).sites[0].max_article_pages == 20
    message = error_for(tmp_path, site + "max_links_per_list = 0\n")
    assert "甲校" in message and "'max_links_per_list'" in message


@pytest.mark.parametrize("url", ["http://[::1/x", "http://a.cn:99999/l.htm", "http://a.cn:-1/l.htm"])
def test_a_start_url_that_does_not_parse_is_a_config_error(tmp_path, url):
    message = error_for(tmp_path, f'[[sites]]\nname = "丙校"\nstart_urls = ["{url}"]\n')
    assert "丙校" in message and "start_urls" in message and url in message


def test_cli_reports_a_malformed_start_url_without_a_traceback(tmp_path):
    path = write(tmp_path, '[[sites]]\nname = "丁校"\nstart_urls = ["http://[::1/x"]\n')
    result = run_cli("--once", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "配置错误" in result.stderr and "丁校" in result.stderr and "Traceback" not in result.stderr


SITE = '[[sites]]\nname = "甲校"\nstart_urls = ["http://127.0.0.1:9/l.htm"]\n'
OUT_OF_RANGE = [  # values that pass a type check and that no date or delay arithmetic can take
    "[crawl]\nrecheck_days = 9223372036854775000\n", "[crawl]\nrediscover_days = 9223372036854775000\n",
    "[crawl]\nconcurrent_requests_per_domain = 100000\n", "[crawl]\nmax_pages = 9223372036854775807\n",
    "[alerts]\nmax_age_days = 9223372036854775000\n", "[alerts]\nfeed_entries = 9223372036854775807\n",
    "[schedule]\nmisfire_grace_minutes = 1e300\n", "[schedule]\ntimeout_minutes = 1e308\n",
]


@pytest.mark.parametrize("table", OUT_OF_RANGE)
@pytest.mark.parametrize("entry", ["--once", "nightly", "scrapy crawl"])
def test_every_out_of_range_setting_through_every_entry_point_is_one_line_and_exit_2(tmp_path, table, entry):
    config = write(tmp_path, SITE + table)
    db_path = tmp_path / "x.db"
    if entry == "scrapy crawl":
        result = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "crawl", "news", "-a", f"config={config}",
                                 "-a", f"db={db_path}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    else:
        result = run_cli(*(["--once"] if entry == "--once" else []), "--config", config, "--db", db_path, timeout=60)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    prefix = "配置错误"  # the same prefix whichever command read the config
    assert len(lines) == 1 and lines[0].startswith(prefix) and "须" in lines[0] and "现在是" in lines[0], lines
    assert not db_path.exists()


@pytest.mark.parametrize("setting", ["CONCURRENT_REQUESTS_PER_DOMAIN=-1", "CONCURRENT_REQUESTS=abc",
                                     "DOWNLOAD_DELAY=1e400", "DOWNLOAD_TIMEOUT=0", "ROBOTSTXT_OBEY=maybe",
                                     "EXTRACTION_PROCESSES=99999999999999999999", "RETRY_TIMES=2.5"])
def test_scrapy_settings_given_with_dash_s_are_checked_like_the_config(tmp_path, setting):
    config = write(tmp_path, SITE)
    result = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "crawl", "news", "-a", f"config={config}",
                             "-a", f"db={tmp_path / 'x.db'}", "-s", setting], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("配置错误") and setting.split("=")[0] in lines[0], lines


@pytest.mark.parametrize("entry", ["*", ".", "cn", ".cn", "edu.cn", "com.cn", "mp.weixin.qq.com:443", "a b.cn",
                                   "https://mp.weixin.qq.com", ""])
def test_a_follow_hosts_entry_that_cannot_match_or_matches_everything_is_refused(tmp_path, entry):
    message = error_for(tmp_path, f'{SITE}follow_hosts = ["{entry}"]\n')
    assert "follow_hosts" in message and repr(entry) in message


def test_follow_hosts_takes_host_names_and_a_schools_own_suffix(tmp_path):
    config = load_config(write(tmp_path, f'{SITE}follow_hosts = ["mp.weixin.qq.com", ".example.edu.cn", "127.0.0.4"]\n'))
    assert config.sites[0].follow_hosts == ("mp.weixin.qq.com", "example.edu.cn", "127.0.0.4")
    assert config.sites[0].follows("news.example.edu.cn") and not config.sites[0].follows("other.edu.cn")


def test_the_old_name_of_extraction_processes_is_still_read_with_a_warning(tmp_path, caplog):
    site = '[[sites]]\nname = "甲校"\nstart_urls = ["http://a.cn/l.htm"]\n'
    config = load_config(write(tmp_path, "[crawl]\nworkers = 0\n" + site))
    assert config.crawl["extraction_processes"] == 0
    assert "[crawl] workers 已改名为 extraction_processes" in caplog.text
    message = error_for(tmp_path, "[crawl]\nworkers = 0\nextraction_processes = 2\n" + site)
    assert "'workers'" in message and "'extraction_processes'" in message


def test_the_old_name_of_the_extraction_processes_setting_is_still_read(caplog):
    from scrapy.settings import Settings

    from crawler.config import check_settings

    settings = Settings({"CPU_WORKERS": 0})
    check_settings(settings)
    assert settings.getint("EXTRACTION_PROCESSES", 1) == 0
    assert "设置 CPU_WORKERS 已改名为 EXTRACTION_PROCESSES" in caplog.text
