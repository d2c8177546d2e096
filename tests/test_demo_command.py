"""``scheduler.py --demo`` shows a newcomer every feature working: a baseline night, then the
next day's new reports, an edit, a deletion and a repost, announced in the feed."""
from __future__ import annotations

import yaml

from tests.helpers import ROOT, query, run_cli

QUERIES = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))["databases"]["reports"]["queries"]


def test_the_demo_runs_two_nights_and_every_view_has_rows(tmp_path):
    db_path = tmp_path / "demo.db"
    result = run_cli("--demo", "--db", db_path, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "第 1 次采集：成功，新文章 17 篇" in result.stdout and "第 2 次采集：成功，新文章 3 篇" in result.stdout
    for name in ("new_in_last_run", "announced", "reposts"):
        assert query(db_path, QUERIES[name]["sql"]), f"the {name} query is empty after --demo"
    assert query(db_path, "SELECT COUNT(*) FROM article_versions") == [(1,)]  # the edit
    assert query(db_path, "SELECT COUNT(*) FROM articles WHERE gone_at IS NOT NULL") == [(1,)]  # the deletion
    feed = (tmp_path / "demo.atom").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 2 and "我校召开2023年度党建工作述职评议会" in feed
