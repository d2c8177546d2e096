"""Rebuild ``demo/articles.json`` from the user's sample articles in ``../shared/seeds``.

Run once by hand when the seeds change (``python demo/make_articles.py``); the JSON is
committed so the demo site and its tests need nothing outside the project. The seeds'
scraper noise (★, breadcrumbs, 责任编辑, comment widgets, image names, content-farm
lead-ins) is removed here: what is written is the ground truth the crawl must reproduce.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
OUT = Path(__file__).with_name("articles.json")


def seed_lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(prefix + "_*.txt"))
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = re.sub("[★]", "", line).strip()
        if line:
            lines.append(line)
    return lines


def pick(lines: list[str], starts: list[str]) -> list[str]:
    """The paragraphs that start with each of ``starts``, in that order."""
    chosen = []
    for start in starts:
        matches = [line for line in lines if line.startswith(start)]
        if not matches:
            sys.exit(f"no paragraph starts with {start!r}")
        chosen.append(matches[0])
    return chosen


def between(lines: list[str], first: str, last_exclusive: str | None) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = len(lines) if last_exclusive is None else next(
        i for i, line in enumerate(lines) if line.startswith(last_exclusive))
    return [line for line in lines[start:end] if not re.fullmatch(r"\d+\.png", line)]


def main() -> None:
    s000, s001, s002, s003, s004 = (seed_lines(p) for p in ("000", "001", "002", "003", "004"))
    articles = [
        # ---- 嘉禾职业技术学院 (WebPlus look, UTF-8)
        dict(school="jiahe", id="a1", title="坚持党建引领 培养红船工匠 高质量打造新时代党建高地",
             date="2022-02-24 09:17", source="党委宣传部", author="付梦婕、俞佩忠", author_shown="付梦婕 俞佩忠",
             editor="王涛立", views=1590, paragraphs=between(s002, "作为中国革命红船起航地", "锻造“红船铁军”")),
        dict(school="jiahe", id="a2", title="锻造“红船铁军” 推动蝶变跃升",
             date="2022-02-25 10:02", source="党委组织部", author="俞佩忠", editor="王涛立", views=876,
             paragraphs=between(s002, "学校党委始终坚持以政治建设为统领", "建设“红船堡垒”")),
        dict(school="jiahe", id="a3", title="建设“红船堡垒” 夯实党建之基",
             date="2022-03-02 16:40", source="党委组织部", author="付梦婕", editor="王涛立", views=702,
             paragraphs=between(s002, "按照“党的一切工作到支部”", "培养“红船工匠”")),
        dict(school="jiahe", id="a4", title="培养“红船工匠” 铸就担当之能",
             date="2022-03-09 08:30", source="教务处", author="付梦婕", editor="王涛立", views=655,
             paragraphs=between(s002, "学校党委坚持以红船精神为立德树人的鲜明底色", "责任编辑")),
        dict(school="jiahe", id="a5", title="学校党委五年工作回顾：聚焦六大工程 全面加强党的建设",
             date="2023-05-06", source="党委办公室", author=None, editor="林晓", views=1203,
             paragraphs=pick(s000, ["(一)聚焦“领航工程", "(二)聚焦“铸魂工程", "(三)聚焦“强基工程",
                                    "(四)聚焦“先锋工程", "(五)聚焦“清廉工程", "(六)聚焦“规范工程"])),
        dict(school="jiahe", id="a6", title="以高质量党建引领学校高质量发展",
             date="2023-05-12 15:20", source="党委办公室", author="林晓", editor="林晓", views=988,
             paragraphs=pick(s000, ["党的二十大擘画了", "一是模范执行党组织领导的校长负责制", "(一)党建与教育教学相融合",
                                    "(二)党建与育人相融合", "(三)党建与联系群众相融合", "(四)党建与改革发展相融合"])),
        # ---- 南湖交通运输职业学校 (VSB look, GBK labelled gb2312)
        dict(school="nanhu", id="b1", title="南湖交校召开学习贯彻习近平新时代中国特色社会主义思想主题教育动员部署会",
             date="2023-04-19", source="党委办公室", author="王堃", editor="朱镕", views=None,
             paragraphs=between(s003, "4月18日下午", "友情链接")),
        dict(school="nanhu", id="b2", title="“三同三力”实现学校党建与发展双融双促",
             date="2023-08-28 14:44", source="党委宣传部", author="陈晓、刘洋", author_shown="陈晓、刘洋",
             editor="朱镕", views=None,
             paragraphs=between(s001, "广东科学技术职业学院党委以开展", None), split_at="坚持主题教育与学校事业发展同落实"),
        # ---- 红船中学 (PowerEasy look, UTF-8)
        dict(school="hongchuan", id="c1", title="关于红旗党支部创建经验与思考",
             date="2023-06-30", source="本站原创", author="佚名", editor=None, views=None,
             paragraphs=between(s004, "作为党全部工作和战斗力的基础", "推荐访问")),
    ]
    articles += SHORT_NEWS
    for article in articles:
        article.setdefault("author_shown", article.get("author"))
        article.setdefault("split_at", None)
    OUT.write_text(json.dumps(articles, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(articles)} articles to {OUT}")


# Short news items (简讯) written for the demo: fictional events at the fictional schools.
SHORT_NEWS = [
    dict(school="jiahe", id="a7", title="我校举行第十九届田径运动会", date="2023-10-20 17:05", source="体育部",
         author="周文杰", editor="林晓", views=432, paragraphs=[
             "10月19日至20日，嘉禾职业技术学院第十九届田径运动会在东区田径场举行，来自各二级学院的一千二百余名运动员参加了三十六个项目的角逐。",
             "开幕式上，各学院方阵依次入场，展示了青年学子昂扬向上的精神风貌。校长在致辞中勉励同学们赛出风格、赛出水平，把运动场上的拼搏精神带到学习和实训中去。",
             "经过两天的激烈比拼，共有五人次打破校运会纪录，智能制造学院获得团体总分第一名，信息工程学院和商贸学院分获二、三名。",
         ]),
    dict(school="nanhu", id="b3", title="我校学子在全省职业院校技能大赛中获一等奖", date="2023-05-22 11:30",
         source="教务科", author="王堃", editor="朱镕", views=None, paragraphs=[
             "5月20日，全省职业院校技能大赛汽车运用与维修赛项在省城落下帷幕，我校汽车运用与维修专业代表队获得一等奖，指导教师王堃被评为优秀指导教师。",
             "备赛期间，学校坚持“以赛促教、以赛促学”，组织专业教师与合作企业技师组成教练团队，利用课余和假期开展集中训练，完成了发动机故障诊断、底盘检修等模块的反复演练。",
             "下一步，学校将总结备赛经验，把大赛标准融入课程教学，推动人才培养质量持续提升。",
         ]),
    dict(school="nanhu", id="b4", title="我校开展秋季学期校园安全教育周活动", date="2023-09-11 09:00",
         source="学生科", author="李昇", editor="朱镕", views=None, paragraphs=[
             "9月4日至8日，我校开展秋季学期校园安全教育周活动，内容涵盖交通安全、消防安全、防范电信网络诈骗和心理健康等方面。",
             "活动期间，学校邀请辖区派出所民警和消防救援站指战员来校授课，组织全体新生进行了应急疏散演练，并在各班召开安全教育主题班会。",
             "学生科负责人表示，安全教育要常抓不懈，学校将把安全教育贯穿学生在校学习生活全过程。",
         ]),
    dict(school="nanhu", id="b5", title="我校与南湖公交集团签订校企合作协议", date="2023-11-02 15:45",
         source="招生就业科", author="陈晓", editor="朱镕", views=None, paragraphs=[
             "11月1日，我校与南湖公交集团校企合作签约仪式在学校行政楼举行，双方将在订单培养、实习就业、员工培训和新能源车辆维修技术研究等方面开展深度合作。",
             "根据协议，公交集团将在校内共建新能源客车实训室，每年接收学生顶岗实习，并选派技术骨干担任兼职教师；学校则为集团员工提供学历提升和技能培训服务。",
             "此次签约是学校深化产教融合、推进校企协同育人的又一举措。",
         ]),
    dict(school="hongchuan", id="c2", title="我校各支部开展“七一”主题党日活动", date="2023-07-02",
         source="本站原创", author="党政办", editor=None, views=None, paragraphs=[
             "为庆祝中国共产党成立102周年，7月1日，我校各党支部分别开展了形式多样的主题党日活动。",
             "第一党支部组织党员赴南湖革命纪念馆参观学习，重温入党誓词；第二党支部开展“三会一课”专题学习，围绕立德树人根本任务交流研讨；离退休党支部走访慰问了老党员。",
             "党员们纷纷表示，要传承红船精神，立足教育教学岗位，以实际行动诠释共产党员的初心使命。",
         ]),
    dict(school="hongchuan", id="c3", title="红船中学举行2023学年第一学期开学典礼", date="2023-09-01",
         source="本站原创", author="蒋明", editor=None, views=None, paragraphs=[
             "9月1日上午，红船中学2023学年第一学期开学典礼在学校大操场隆重举行，全体师生参加典礼。",
             "校长蒋明在讲话中回顾了学校上一学年取得的成绩，勉励同学们立鸿鹄志、做奋斗者，以饱满的热情投入新学期的学习生活。",
             "典礼上，学校为上一学年获评的优秀学生和优秀班集体颁奖，高一新生代表和教师代表分别发言。",
         ]),
    dict(school="hongchuan", id="c4", title="我校举办“立德树人 铸魂育人”专题讲座", date="2023-10-12",
         source="德育处", author=None, editor=None, views=None, paragraphs=[
             "10月11日下午，我校邀请市教育局专家来校举办“立德树人 铸魂育人”专题讲座，全体教职工参加。",
             "专家结合新时代学校思想政治工作的要求，从课程育人、文化育人、实践育人等方面作了深入浅出的讲解，并分享了多所学校的经验做法。",
         ]),
    dict(school="hongchuan", id="c5", title="我校举行秋季运动会", date="2023-10-27",
         source="本站原创", author="佚名", editor=None, views=None, paragraphs=[
             "10月26日至27日，红船中学秋季运动会在学校田径场举行，近两千名学生参加了田径和趣味项目的比赛。",
             "运动会设男女100米、400米、跳高、跳远、4×100米接力等项目，并增设了集体跳绳、拔河等趣味项目，高二（3）班获得团体总分第一名。",
             "本届运动会展现了我校学生积极向上、团结拼搏的精神风貌。",
         ]),
]

if __name__ == "__main__":
    main()
