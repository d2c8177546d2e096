"""One test per extraction rule, on small pages built the way school CMS templates build them.

The saved real pages (test_extract_corpus.py) show the rules work together; these pin
each rule down, so a regex change that breaks one case fails here by name.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.dates import SHANGHAI
from crawler.extract import extract

URL = "https://www.example.edu.cn/info/1045/2301.htm"
TITLE = "我校召开党史学习教育动员大会"
BODY = [
    "3月18日下午，我校召开党史学习教育动员大会，全面启动党史学习教育，全体校领导和中层干部参加会议。",
    "图为动员大会现场",
    "一、提高政治站位",
    "党委书记在讲话中指出，开展党史学习教育是党中央作出的重大决策部署，各级党组织要把思想和行动统一到中央决策部署上来。",
    "会议要求，要把党史学习教育同推动学校高质量发展结合起来，切实为师生办实事、解难题，确保学习教育取得实效。",
]
FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)


def page(info: str, *, title_tag: str = f"{TITLE}-嘉禾职业技术学院", heading: str = TITLE,
         body: list[str] | None = None, before_body: str = "", after_body: str = "", head: str = "",
         top: str = "") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in (BODY if body is None else body))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title_tag}</title>{head}</head>
<body>{top}
<div class="nav"><a href="/">首页</a> <a href="/xwdt/list.htm">新闻动态</a> <a href="/djgz/list.htm">党建工作</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xwdt/list.htm">新闻动态</a> &gt; 正文</div>
<div class="main"><div class="left">
<h1 class="arti_title">{heading}</h1>
<div class="arti_metas">{info}</div>
{before_body}
<div class="v_news_content">{paragraphs}</div>
{after_body}
<div class="prenext"><p>上一篇：<a href="/info/1045/2302.htm">学校举行春季运动会</a></p>
<p>下一篇：<a href="/info/1045/2299.htm">我校学子获技能大赛一等奖</a></p></div>
</div>
<div class="right"><h3>热点新闻</h3><ul>
<li><a href="/info/1045/2288.htm">学校召开教学工作会议</a><span>2024-03-01</span></li>
<li><a href="/info/1045/2280.htm">我校举行开学典礼</a><span>2024-02-26</span></li></ul></div></div>
<div class="footer">友情链接：<a href="http://www.moe.gov.cn/">教育部</a>
<p>版权所有 Copyright 2012-2024 嘉禾职业技术学院 浙ICP备05012345号</p></div>
</body></html>"""


def run(html: str, **kwargs):
    kwargs.setdefault("fetched_at", FETCHED)
    return extract(html, kwargs.pop("url", URL), **kwargs)


# ------------------------------------------------------------------ info line labels
@pytest.mark.parametrize("info, field, want", [
    ("发布时间：2021-07-16浏览次数：1590", "views", 1590),
    ("<span>来源：</span><span>发布时间：2021-07-16</span>", "source", None),
    ("来源：党委宣传部 作者：付梦婕 俞佩忠 发布时间：2021-07-16", "author", "付梦婕、俞佩忠"),
    ("作者：陈晓、刘洋 来源：团委 日期：2021-07-16", "author", "陈晓、刘洋"),
    ("文章来源：本站原创 作者：佚名 发布时间：2018年07月02日 点击数： 次", "author", "佚名"),
    ("文章来源：本站原创 作者：佚名 发布时间：2018年07月02日 点击数： 次", "source", "本站原创"),
    ("文章来源： 作者： 发布时间：2024年07月02日 点击数： 次", "author", None),
    ("文章来源： 作者： 发布时间：2024年07月02日 点击数： 次", "source", None),
    ("信息来源：教务处 撰稿：王敏 摄影：李强 发布日期：2021-07-16", "author", "王敏"),
    ("信息来源：教务处 撰稿：王敏 摄影：李强 发布日期：2021-07-16", "source", "教务处"),
    ("稿源：宣传部 记者：周洁 时间：2021-07-16", "source", "宣传部"),
    ("供稿：马克思主义学院 通讯员：陈敏 时间：2021-07-16", "author", "陈敏"),
    ("发布者：颜曰越发布时间：2026-03-26浏览次数：10", "author", None),
    ("发布单位：组织部 | 发布时间：2021-07-16 | 阅读：88", "source", "组织部"),
    ("发布单位：组织部 | 发布时间：2021-07-16 | 阅读：88", "views", 88),
    ("来源: | 发布时间: 2018-05-17 | 浏览次数: 2168", "source", None),
    ("作者：张三 来源：学生处 发布时间：2021-07-16 责任编辑：李四", "editor", "李四"),
    ("作者：张三 来源：学生处 发布时间：2021-07-16 责任编辑：李四", "source", "学生处"),
], ids=lambda v: str(v)[:24])
def test_info_line_fields(info, field, want):
    assert getattr(run(page(info)), field) == want


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("shown, want", [
    ("2023-04-19", "2023-04-19"),
    ("2023/4/19", "2023-04-19"),
    ("2023.04.19", "2023-04-19"),
    ("2023年4月19日", "2023-04-19"),
    ("2023年4月19日 09:17", "2023-04-19T09:17:00+08:00"),
    ("2023-04-19 09:17:32", "2023-04-19T09:17:32+08:00"),
])
def test_date_formats(shown, want):
    assert run(page(f"来源：宣传部 发布时间：{shown}")).published_at == want


def test_sidebar_and_copyright_dates_are_not_the_publish_date():
    article = run(page("来源：宣传部"), url="https://www.example.edu.cn/content.jsp?id=7")
    assert article.published_at not in ("2024-03-01", "2024-02-26")
    assert not (article.published_at or "").startswith("2012")


def test_today_header_is_not_the_publish_date():
    top = '<div class="top">今天是：2024年5月30日 星期四</div>'
    assert run(page("来源：宣传部 发布时间：2021-03-18", top=top)).published_at == "2021-03-18"
    article = run(page("来源：宣传部", top=top), list_date="2021-03-18")
    assert article.published_at == "2021-03-18"


def test_page_generated_meta_is_not_the_publish_date():
    head = '<meta name="页面生成时间" content="2024-05-30 10:00:00">'
    article = run(page("来源：宣传部", head=head), url="https://www.example.edu.cn/show.aspx?id=7")
    assert article.published_at is None or not article.published_at.startswith("2024-05-30")


def test_date_after_the_fetch_is_rejected():
    article = run(page("来源：宣传部 发布时间：2031-03-18"), list_date="2021-03-18")
    assert article.published_at == "2021-03-18"


def test_list_date_then_url_date_are_fallbacks():
    assert run(page("来源：宣传部"), list_date="2021-03-18").published_at == "2021-03-18"
    url = "https://www.example.edu.cn/2021/0318/c1234a56789/page.htm"
    assert run(page("来源：宣传部"), url=url).published_at == "2021-03-18"


def test_cms_pubdate_meta_is_used():
    head = '<meta name="PubDate" content="2021-03-18 16:20">'
    assert run(page("", head=head)).published_at == "2021-03-18T16:20:00+08:00"


# ------------------------------------------------------------------ title
def test_title_is_the_heading_not_the_title_tag_or_breadcrumb():
    assert run(page("来源：宣传部 发布时间：2021-03-18")).title == TITLE


def test_decorations_in_the_heading_are_dropped():
    assert run(page("来源：宣传部 发布时间：2021-03-18", heading=f"★{TITLE}★")).title == TITLE


def test_title_falls_back_to_title_tag_without_site_suffix():
    html = page("来源：宣传部 发布时间：2021-03-18", heading="")
    assert run(html).title == TITLE


def test_title_when_title_tag_is_only_the_site_name():
    html = page("来源：宣传部 发布时间：2021-03-18", title_tag="嘉禾职业技术学院")
    assert run(html).title == TITLE


# ------------------------------------------------------------------ body
def test_body_keeps_every_paragraph_caption_and_subheading_in_order():
    assert run(page("来源：宣传部 发布时间：2021-03-18")).text == "\n".join(BODY)


@pytest.mark.parametrize("noise", [
    "★★★★★★★★★★",
    "首页 | 典型经验 | 正文",
    "首页 > 新闻动态 > 正文",
    "【打印本页】【关闭窗口】",
    "分享到：",
    "扫一扫在手机打开当前页",
    "推荐访问：党建网",
    "6225615.png",
    "下面是小编为大家整理的党史学习教育动员大会讲话，供大家参考。",
    "责任编辑：李四",
    "审核：王五",
    "来源：宣传部 作者：张三 发布时间：2021-03-18",
], ids=lambda v: v[:10])
def test_noise_lines_inside_the_body_are_removed(noise):
    body = [BODY[0], noise, *BODY[1:]] if "编辑" not in noise and "审核" not in noise else [*BODY, noise]
    assert run(page("来源：宣传部 发布时间：2021-03-18", body=body)).text == "\n".join(BODY)


def test_decorations_inserted_into_sentences_are_removed():
    decorated = [p[:10] + "★" + p[10:20] + "☆●" + p[20:] for p in BODY]
    assert run(page("来源：宣传部 发布时间：2021-03-18", body=decorated)).text == "\n".join(BODY)


def test_heading_inside_the_body_container_is_not_repeated_as_first_line():
    html = page("", heading="", before_body=f'<div class="v_news_content"><h2>{TITLE}</h2>'
                                            f'<p>来源：宣传部 发布时间：2021-03-18</p>' + "".join(
                                                f"<p>{p}</p>" for p in BODY) + "</div>", body=[])
    article = run(html)
    assert article.title == TITLE
    assert article.text == "\n".join(BODY)


def test_a_speech_that_repeats_its_title_keeps_it_once():
    # shared/corpus 017: the body starts with the speech's title again; that line is the author's
    article = run(page("来源：宣传部 发布时间：2021-03-18", body=[TITLE, *BODY]))
    assert article.text == "\n".join([TITLE, *BODY])


def test_editor_line_goes_to_editor():
    article = run(page("来源：宣传部 发布时间：2021-03-18", after_body="<p>（责任编辑：朱镕）</p>"))
    assert article.editor == "朱镕"
    assert "朱镕" not in article.text


def test_images_are_the_bodys_photos_and_links_are_absolute():
    body = [BODY[0], '<img src="/__local/A/B/photo.jpg" width="600">', '<img data-src="/__local/A/B/lazy.jpg">',
            '<img src="/images/icon_print.gif"> <img src="/img/erweima.png"> <img src="/x/dot.png" width="8">',
            *BODY[1:]]
    html = page("来源：宣传部 发布时间：2021-03-18", body=body, top='<img src="/images/logo.png">',
                after_body='<div class="footer"><img src="/images/gongan.png"><img src="/count/1.gif"></div>'
                           '<p>附件：<a href="../../system/_content/download.jsp?id=1">报名表.docx</a>'
                           '<a href="/uploads/通知.pdf">通知.pdf</a></p>')
    article = run(html)
    assert article.images == ["https://www.example.edu.cn/__local/A/B/photo.jpg",
                              "https://www.example.edu.cn/__local/A/B/lazy.jpg"]  # not the logo, icons, QR, counter
    assert "https://www.example.edu.cn/uploads/通知.pdf" in article.attachments


def test_pages_of_a_split_article_are_joined():
    first = page("来源：宣传部 发布时间：2021-03-18", body=BODY[:3])
    second = page("来源：宣传部 发布时间：2021-03-18", body=BODY[3:])
    assert run(first, more_pages=[second]).text == "\n".join(BODY)


# ---------------------------------------------------------------- labels seen on real pages (issue 18)
@pytest.mark.parametrize("info, author, source", [
    ("投稿：王小明 发布时间：2023-04-19", "王小明", None),
    ("撰稿：李华 审核：张强 发布时间：2023-04-19", "李华", None),
    ("部门：教务处 发布时间：2023-04-19", None, "教务处"),
    ("发布部门：党委宣传部 发布时间：2023-04-19", None, "党委宣传部"),
    ("供稿单位：学生工作部（处） 发布时间：2023-04-19", None, "学生工作部（处）"),
    # 发布者 / 发布人: an office is the 来源; a person or an account uploaded it, and is neither
    ("发布者：党委宣传部 发布时间：2023-04-19", None, "党委宣传部"),
    ("发布者：颜曰越 发布时间：2023-04-19", None, None),
    ("发布人：admin 发布时间：2023-04-19", None, None),
    ("来源：学校办公室 发布者：颜曰越 发布时间：2023-04-19", None, "学校办公室"),
    # a widget's words glued to a value
    ("来源：科技处 分享至 发布时间：2023-04-19", None, "科技处"),
    ("作者：王小明 打印 关闭 发布时间：2023-04-19", "王小明", None),
])
def test_labels_of_real_templates(info, author, source):
    article = extract(page(info), URL, fetched_at=FETCHED)
    assert (article.author, article.source) == (author, source)


@pytest.mark.parametrize("last, author, kept", [
    ("（张三）", "张三", False),  # the byline alone on the last line: read, and removed
    ("（记者 张三 李四）", "张三、李四", False),
    ("文/图 王小明", "王小明", False),
    ("（文/张三 图/李四）", "张三", False),
    ("确保学习教育取得实效。（张三）", "张三", True),  # glued to the last sentence: read, kept
    ("（有删节）", None, True),  # not a name
    ("（宣传部）", None, True),  # an office, not a person
    ("（完）", None, True),
])
def test_a_closing_byline_names_the_author(last, author, kept):
    article = extract(page("发布时间：2023-04-19", body=[*BODY, last]), URL, fetched_at=FETCHED)
    assert article.author == author
    assert (article.text.splitlines()[-1] == last) is kept


def test_a_labelled_author_wins_over_a_byline():
    article = extract(page("作者：赵六 发布时间：2023-04-19", body=[*BODY, "（张三）"]), URL, fetched_at=FETCHED)
    assert article.author == "赵六"
    assert article.text.splitlines()[-1] == "（张三）"


def test_a_wechat_account_article():
    """A school's WeChat article (mp.weixin.qq.com/s/…): body in #js_content, the date in a
    script (var ct), the account's name as the 来源, photos lazy-loaded (data-src)."""
    from tests.helpers import PAGES

    html = (PAGES / "wechat" / "jiahe-20231013.html").read_text(encoding="utf-8")
    article = extract(html, "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp", fetched_at=FETCHED)
    assert article.title == "我校在省职业院校技能大赛中获一等奖3项"
    assert article.published_at == "2023-10-13T16:00:00+08:00"
    assert (article.source, article.author, article.editor) == ("嘉禾职业技术学院", "王晓燕", "李想")
    assert article.text.startswith("近日，2023年浙江省职业院校技能大赛落下帷幕。")
    assert article.text.endswith("全面提升人才培养质量。")
    assert not any(word in article.text for word in ("预览时标签不可点", "关注该公众号", "阅读", "嘉禾职院团委"))
    assert article.images == ["https://mmbiz.qpic.cn/mmbiz_jpg/abc123/640?wx_fmt=jpeg"]


def test_texts_are_made_safe_once_in_extraction_so_the_workers_index_terms_fit_the_stored_row():
    """A demo article whose title and text carry ESC, BEL and a bidi override."""
    from crawler.items import ArticleItem
    from crawler.prepare import prepare_article
    from demo.site import load_schools, site_pages
    from pipelines.apply import article_row

    school = load_schools()["jiahe"]
    first = school.articles[0]
    html = site_pages(school)[school.article_path(first)].body.decode("utf-8")
    html = html.replace(first["title"], first["title"][:4] + "\x1b[31m" + first["title"][4:] + "\u202e")
    html = html.replace("</p>", "\x07\x1b[2J</p>", 1)
    article, terms = prepare_article(html, "http://127.0.0.1" + school.article_path(first))
    assert article.title == first["title"] and terms is not None
    for value in (article.title, article.text):
        assert not any(ch in value for ch in "\x1b\x07\u202e"), value
    row = article_row(ArticleItem(url=article.url, site=school.name, title=article.title, text=article.text,
                                  published_at=article.published_at, author=None, source=article.source, editor=None,
                                  views=None, fetched_at="2023-10-09T00:00:00+08:00", list_url=None, images=[],
                                  attachments=[], etag=None, last_modified=None, aliases=[], index_terms=terms),
                      1, "2023-10-09T00:00:00+08:00")
    assert terms.fits(row["title"], row["text"])  # pipelines/index.py uses them as they are


@pytest.mark.parametrize("closing, author, editor", [
    ("（机电工程学院 张三报道）", "张三", None),
    ("（某某电大李四 报道）", "李四", None),
    ("文/王五 图/信息中心", "王五", None),
    ("图、文/赵六", "赵六", None),
    ("文字：钱七", "钱七", None),
    ("撰稿：孙八", "孙八", None),
    ("药剂科供稿 摄影/张艳 编辑/苏芳", None, "苏芳"),
    ("摄影：周九 审核：吴十", None, None),  # a photo credit and a reviewer are not the author
    ("（学院办公室 报道）", None, None),  # an office reporting names no person
])
def test_closing_credits_name_the_author_and_the_editor_only(closing, author, editor):
    article = extract(page("发布时间：2023-04-19", body=[*BODY, closing]), URL, fetched_at=FETCHED)
    assert (article.author, article.editor) == (author, editor)


TRS_URL = "https://www.example.edu.cn/xwzx/202305/t20230512_123.html"


@pytest.mark.parametrize("line, date, source", [
    ("2023-05-08", "2023-05-08", None),
    ("[发布时间2023年5月8日]", "2023-05-08", None),
    ("【2023-05-08】", "2023-05-08", None),
    ("2023-05-08 10:20 机电工程学院", "2023-05-08T10:20", "机电工程学院"),
])
def test_a_date_standing_alone_under_the_title_beats_the_date_in_the_url(line, date, source):
    article = extract(page(line), TRS_URL, fetched_at=FETCHED)
    assert article.published_at.startswith(date) and article.source == source
    assert line not in article.text


def test_a_date_inside_the_body_is_not_taken_for_the_page_date():
    body = ["2023-05-08，学院召开党建工作推进会，总结前期工作，部署下一阶段重点任务，全体中层干部参加会议。", *BODY[1:]]
    article = extract(page("", body=body), TRS_URL, fetched_at=FETCHED)
    assert article.published_at.startswith("2023-05-12")  # no date line: the URL's


def test_an_events_time_and_place_under_the_title_is_no_publish_date():
    article = extract(page("2023年5月25日 14:30 图书馆报告厅"), "https://www.example.edu.cn/2023/0510/c1a2/page.htm",
                      fetched_at=FETCHED)
    assert article.published_at.startswith("2023-05-10") and article.source is None


def test_a_notices_closing_date_is_body_not_a_sidebar_item():
    """A notice ends with its unit and date (落款): 人文学院 / 2022.4.13 stay in the text; a
    sidebar headline ending in a date is still noise."""
    body = BODY + ["人文学院", "2022.4.13"]
    article = run(page("发布时间：2023-04-13", body=body))
    assert article.text.endswith("人文学院\n2022.4.13")
    assert "学校召开教学工作会议" not in article.text


def test_a_copied_page_whose_title_tag_names_another_site_takes_the_heading_above_the_body():
    """<title> says the copier's brand; the body (pasted from WeChat) has h1 subheadings of its
    own; a 推荐阅读 box below lists other headlines. The heading right above the body is the
    title, and the date alone under it is the date."""
    html = ('<html><head><meta charset="utf-8"><title>某某教育集团-K12教育</title></head><body>'
            '<div class="header"><h3>龙图教育园校膳食管理再升级，守护师生“舌尖上的安全”</h3><p><span>2020.10.29</span></p></div>'
            '<div class="bjb"><p>学生时期，是否总是担心阿姨打饭“手抖”？在园校的食堂里，这些都不是问题，学生们自主选择喜欢的菜品。</p>'
            '<h1 class="pgc-h">推行食堂自助就餐，营养美味不负“粮”心</h1>'
            '<p>食堂推行自助就餐以来，饭菜浪费明显减少，学生们吃得满意，家长们也更加放心，营养配餐得到了认可。</p>'
            '<h1 class="pgc-h">践行标准化膳食管理，守护“舌尖上的安全”</h1>'
            '<p>园校严格执行食品留样制度，每一餐都有专人负责，确保师生饮食安全，让家长放心满意。</p></div>'
            '<div class="tj"><h3>推荐阅读</h3><h4><a href="1.html">龙图教育开展“名校长面对面”培训</a></h4></div></body></html>')
    article = run(html, url="http://www.example.cn/contents/10/4126.html")
    assert article.title == "龙图教育园校膳食管理再升级，守护师生“舌尖上的安全”"
    assert article.published_at.startswith("2020-10-29")


def test_a_page_without_its_address_is_read():
    article = extract(page("发布时间：2021-03-18"), None)
    assert article.title == TITLE and article.published_at.startswith("2021-03-18")


def test_subheadings_and_photos_with_captions_keep_their_place():
    """The text stays paragraphs; the layout says which are subheadings (an h2, a bold line)
    and where each photo stands, with the caption under it (图为…, a centred line); a table's
    bold header cells and a bold sentence are no subheadings."""
    body = ('<p>近日，学校召开党建工作推进会，总结上半年工作，部署下半年重点任务。</p>'
            '<p style="text-align:center"><img src="/__local/A/1.jpg" width="600"></p>'
            '<p style="text-align:center">图为会议现场</p>'
            '<h2>一、提高政治站位</h2>'
            '<p>会议要求，各支部要把学习教育同推动学校高质量发展结合起来，切实为师生办实事。</p>'
            '<p><strong>二、压实工作责任</strong></p>'
            '<p><strong>各支部书记要切实履行第一责任人职责。</strong></p>'
            '<table><tr><td><b>序号</b></td><td><b>支部</b></td></tr><tr><td>1</td><td>第一党支部</td></tr></table>'
            '<p><img src="/__local/A/2.jpg" width="600"></p>')
    html = page("发布时间：2021-03-18", body=[]).replace('<div class="v_news_content"></div>',
                                                        f'<div class="v_news_content">{body}</div>')
    article = run(html)
    paragraphs = article.text.split("\n")
    headings = [paragraphs[n] for n in article.layout["headings"]]
    assert headings == ["一、提高政治站位", "二、压实工作责任"]
    first, second = article.layout["photos"]
    assert first["src"].endswith("/1.jpg") and paragraphs[first["after"]].startswith("近日")
    assert paragraphs[first["caption"]] == "图为会议现场"
    assert second["src"].endswith("/2.jpg") and second["caption"] is None


def test_a_link_or_photo_that_is_a_script_is_never_kept():
    """A hostile page's javascript: links, however spelt, are no attachments and no photos (the
    reading room shows these as links)."""
    body = ('<p>会议总结了前期工作，部署了下一阶段的党建重点任务，要求各支部认真落实，推动工作取得实效。</p>'
            '<p><a href=" javascript:alert(document.domain)//a.pdf">甲</a><a href="java&#10;script:alert(1)//b.doc">乙</a>'
            '<a href="/files/c.pdf">丙</a><img src="javascript:alert(2)//x.png" width="600"></p>')
    html = page("发布时间：2021-03-18", body=[]).replace('<div class="v_news_content"></div>',
                                                        f'<div class="v_news_content">{body}</div>')
    article = run(html)
    assert article.attachments == ["https://www.example.edu.cn/files/c.pdf"] and article.images == []


def test_a_subheading_wrapped_in_a_section_and_a_title_box_above_the_body():
    """Pasted WeChat text wraps headings in <section>; a sidebar's <h3>学院新闻 is no title when a
    title box stands above the body."""
    html = ('<html><head><meta charset="utf-8"><title>某某大学</title></head><body>'
            '<div class="side"><h3>学院新闻</h3><ul><li><a href="/1.htm">甲</a></li></ul></div>'
            '<div class="article-title">学院召开2023年党建工作推进会</div><div class="v_news_content">'
            '<p>会议总结了前期工作，部署了下一阶段的党建重点任务，要求各支部认真落实，推动工作取得实效。</p>'
            '<section><h2>二、深入调研</h2></section>'
            '<p>调研组先后走访了三个学院，听取意见建议，形成了调研报告，提出了改进措施和具体办法。</p></div></body></html>')
    article = run(html)
    assert article.title == "学院召开2023年党建工作推进会"
    assert [article.text.split("\n")[n] for n in article.layout["headings"]] == ["二、深入调研"]
