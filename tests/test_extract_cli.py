"""``python -m crawler.extract FILE [FILE...] [--url URL]``: one JSON line per file, decoded as browsers do."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import PAGES, ROOT


def extract_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.extract", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_one_json_object_per_file_with_its_path():
    files = [str(PAGES / "007.html"), str(PAGES / "025.html")]  # UTF-8, and GB2312-labelled
    result = extract_cli(*files)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == files
    assert records[0]["title"] == "江南大学来我校调研信息化工作"
    assert records[1]["title"] == "第四届中国经济学年会会议议程"
    for record in records:
        assert set(record) >= {"title", "text", "published_at", "author", "source", "editor", "views",
                               "images", "attachments"}


def test_url_makes_links_absolute(tmp_path):
    page = tmp_path / "a.html"
    page.write_text('<html><head><meta charset="utf-8"><title>通知</title></head><body><h1>关于举办技能大赛的通知</h1>'
                    '<p>发布时间：2023-04-19</p><div class="v_news_content"><p>为提高学生实践能力，学校定于五月举办技能大赛，请各学院组织报名。</p>'
                    '<p><img src="../img/1.jpg"> <a href="/files/报名表.doc">报名表</a></p></div></body></html>',
                    encoding="utf-8")
    record = json.loads(extract_cli(str(page), "--url", "https://jw.example.edu.cn/info/1045/2301.htm").stdout)
    assert record["images"] == ["https://jw.example.edu.cn/info/img/1.jpg"]
    assert record["attachments"] == ["https://jw.example.edu.cn/files/报名表.doc"]
    assert record["published_at"] == "2023-04-19"


def test_decodes_like_a_browser(tmp_path):
    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>通知</title></head>'
            '<body><h1>朱镕同学获省技能大赛一等奖</h1><p>作者：王堃 发布时间：2023-04-19</p>'
            '<div class="v_news_content"><p>近日，我校汽车运用与维修专业朱镕同学在省职业院校技能大赛中获得一等奖。</p></div>'
            '</body></html>')
    gbk = tmp_path / "gbk.html"  # 镕 and 堃 are not in GB2312: read as GB18030, like browsers do
    gbk.write_bytes(body.encode("gb18030"))
    bom = tmp_path / "bom.html"  # a UTF-8 BOM wins over a wrong <meta charset>
    bom.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    broken = tmp_path / "missing.html"
    result = extract_cli(str(gbk), str(broken), str(bom))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["title"], r["author"]) for r in records] == [("朱镕同学获省技能大赛一等奖", "王堃")] * 2
    assert result.returncode == 1 and "missing.html" in result.stderr
