"""``python -m crawler.extract FILE [FILE...] [--url URL] [--pretty|--json]``: one JSON line per file (or an
article to read, on a terminal), the bytes decoded as the crawl does: BOM, a declaration the bytes fit, detection."""
from __future__ import annotations

import codecs
import json
import os
import pty
import re
import subprocess
import sys

import pytest

from tests.helpers import PAGES, ROOT, saved_page


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


# ---------------------------------------------------------------- saved pages with a wrong or missing charset
META_CHARSET = re.compile(r"<meta\b[^>]*charset[^>]*>", re.I)


def page_text(name: str) -> tuple[str, dict]:
    """A saved real page as text (read with the encoding its manifest names), and its ground truth."""
    data, entry = saved_page(name)
    return data.decode("gb18030" if entry["encoding"].startswith("gb") else "utf-8"), entry


def relabelled(html: str, label: str) -> str:
    return META_CHARSET.sub(lambda m: re.sub(r"(charset\s*=\s*[\"']?)[\w-]+", rf"\g<1>{label}", m[0], flags=re.I), html)


def gbk(html: str) -> bytes:
    return html.encode("gbk", "xmlcharrefreplace")  # as CMSs save what GBK lacks (©): &#169;


def gbk_article_in_utf8(html: str, truth: dict) -> bytes:
    """A UTF-8 template around an article pasted as GBK: its body's bytes GBK, the rest UTF-8."""
    start = html.index(truth["body_first_sentence"][:10])  # the sentences' ends may be split by tags
    end = html.index(truth["body_last_sentence"][:10]) + len(truth["body_last_sentence"])
    return html[:start].encode("utf-8") + gbk(html[start:end]) + html[end:].encode("utf-8")


def as_saved(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.fixture(scope="module")
def wrong_charsets(tmp_path_factory):
    """Saved pages whose declaration is missing or wrong, all read in one run: file -> (record, truth)."""
    tmp = tmp_path_factory.mktemp("charsets")
    speech, speech_truth = page_text("017.html")  # 绍兴一中, UTF-8
    party, party_truth = page_text("013.html")  # 绍兴一中, UTF-8
    surgery, surgery_truth = page_text("020.html")  # 北医新闻网, GB2312
    contest, contest_truth = page_text("010.html")  # 杭电教务处, UTF-8
    files = {
        # an old CMS's GBK page whose template carries no <meta charset>
        "gbk without meta": (as_saved(tmp, "gbk-no-meta.html", gbk(META_CHARSET.sub("", speech))), speech_truth),
        # a site moved to UTF-8, its templates still saying gb2312
        "utf-8 declared gb2312": (as_saved(tmp, "utf8-says-gb2312.html", surgery.encode("utf-8")), surgery_truth),
        # a UTF-8 template's declaration over an article saved as GBK
        "gbk declared utf-8": (as_saved(tmp, "gbk-says-utf8.html", gbk(relabelled(party, "utf-8"))), party_truth),
        # the same template in UTF-8, only the article's body GBK: each passage in its own charset
        "gbk article in utf-8": (as_saved(tmp, "gbk-in-utf8.html", gbk_article_in_utf8(party, party_truth)),
                                 party_truth),
        # Notepad's "Unicode": UTF-16 with a BOM, the meta still saying utf-8
        "utf-16 bom": (as_saved(tmp, "utf16-bom.html", codecs.BOM_UTF16_LE + contest.encode("utf-16-le")),
                       contest_truth),
        # a UTF-8 BOM over a meta saying gb2312
        "utf-8 bom": (as_saved(tmp, "utf8-bom.html", codecs.BOM_UTF8 + relabelled(speech, "gb2312").encode("utf-8")),
                      speech_truth),
    }
    result = extract_cli(*(path for path, _ in files.values()), "--json")
    assert result.returncode == 0, result.stderr
    records = {record["file"]: record for record in map(json.loads, result.stdout.splitlines())}
    return {case: (records[path], truth) for case, (path, truth) in files.items()}, result.stderr


@pytest.mark.parametrize("case", ["gbk without meta", "utf-8 declared gb2312", "gbk declared utf-8",
                                  "gbk article in utf-8", "utf-16 bom",
                                  "utf-8 bom"])
def test_a_saved_page_reads_right_whatever_it_declares(wrong_charsets, case):
    record, truth = wrong_charsets[0][case]
    author = truth.get("author_byline") or truth["author"]  # a closing （袁源） byline is the author
    assert (record["title"], record["author"], record["source"]) == (truth["title"], author, truth["source"])
    assert truth["body_first_sentence"] in record["text"] and truth["body_last_sentence"] in record["text"]
    assert "\ufffd" not in record["title"] + record["text"]


def test_a_wrong_declaration_is_told_on_stderr(wrong_charsets):
    stderr = wrong_charsets[1]
    assert "utf8-says-gb2312.html: declared GBK/GB18030 but is UTF-8" in stderr
    assert "gbk-says-utf8.html: declared UTF-8 but is GBK/GB18030" in stderr
    assert "gbk-in-utf8.html: declared UTF-8 but is UTF-8 with GBK passages" in stderr
    assert "gbk-no-meta.html" not in stderr  # nothing declared, nothing overruled


def test_short_gbk_pages_without_meta_are_not_read_as_korean_or_thai(tmp_path):
    # charset_normalizer (3.5) guesses CP949, CP949 and CP874 for these GBK bytes
    pages = {"speech.html": "<html><body><h1>校长讲话</h1><p>同学们好</p></body></html>",
             "notice.html": "<p>关于2023年寒假放假安排的通知</p>",
             "info.html": "<p>来源：党委宣传部 作者：付梦婕 俞佩忠</p>"}
    result = extract_cli(*(as_saved(tmp_path, name, gbk(html)) for name, html in pages.items()), "--json")
    speech, notice, info = map(json.loads, result.stdout.splitlines())
    assert (speech["title"], speech["text"]) == ("校长讲话", "同学们好")
    assert notice["text"] == "关于2023年寒假放假安排的通知"
    assert (info["source"], info["author"]) == ("党委宣传部", "付梦婕、俞佩忠")


def test_one_bad_byte_is_replaced_not_the_whole_page_misread(tmp_path):
    html, truth = page_text("017.html")
    data = gbk(META_CHARSET.sub("", html))
    cut = data.rindex(gbk("讲话")) + 1  # a CMS cut a character in half
    record = json.loads(extract_cli(as_saved(tmp_path, "cut.html", data[:cut] + data[cut + 1:]), "--json").stdout)
    assert (record["title"], record["author"]) == (truth["title"], truth.get("author_byline") or truth["author"])
    assert truth["body_first_sentence"] in record["text"]


# ---------------------------------------------------------------- --pretty
def test_pretty_is_for_reading(tmp_path):
    path = str(PAGES / "017.html")
    result = extract_cli(path, "--pretty")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "2024学年第二学期开学典礼讲话" in lines
    assert "来源：本站原创" in lines and "作者：蒋明" in lines
    assert any(line.startswith("日期：2025-02-28") for line in lines)
    assert not result.stdout.lstrip().startswith("{")
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])


def test_pretty_is_the_default_on_a_terminal_and_json_into_a_pipe():
    path = str(PAGES / "007.html")
    assert json.loads(extract_cli(path).stdout)["title"] == "江南大学来我校调研信息化工作"
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "crawler.extract", path], cwd=ROOT,
                                   stdout=follower, stderr=subprocess.PIPE)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=120) == 0
    finally:
        os.close(leader)
    text = shown.decode("utf-8").replace("\r\n", "\n")
    assert "江南大学来我校调研信息化工作\n" in text and "浏览：1590" in text and '"title"' not in text
