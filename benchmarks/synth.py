"""A synthetic but realistic day in the mirror layout (``aidaily/mirror.py``).

    from benchmarks.synth import write_day
    day = write_day(tmp_dir, ithome=300, qbitai=30)     # -> SynthDay (counts, sites, day)
    with MirrorServer(tmp_dir) as server: ...           # tests/servers.py serves it

The HTML/XML structure is the one of the test fixtures (``tests/fixtures/day/``), which
are real pages reduced: ithome's site RSS (full content in ``<description>``) and
article pages (``h1``, ``#pubtime_baidu``, ``div#paragraph.post_content`` with the 投稿
thanks, 参考地址 list and 广告声明 boilerplate), qbitai's WordPress feeds
(``content:encoded``), date archive (``/2026/01/18/``) and article pages (``.article``,
``.article_info .date/.time``, 参考链接, copyright, tags, related), and hubtoday's
markdown (GitHub raw) and rendered page for the day before the digest date.

What the day holds (digest date ``2026-01-19``: the window is 2026-01-18 in Beijing):

- ``ithome`` articles, most of them not about AI (phones, cars, games, appliances …;
  ``ai_share`` of them are AI news), a few dated before the window (not fetched);
- ``qbitai`` articles, all AI; about ``dup_share`` of them re-report an ithome AI story
  (paraphrased title, shared lead: near-duplicates across sources);
- one hubtoday page of ``hubtoday`` items, half of them digests of an ithome or qbitai
  story that link its URL (dedup merges them by the link), half items of their own.

Text is built from random word sequences, not from a few fixed sentences: templated
text would make every story a near-duplicate of every other one. Deterministic for a
given seed.
"""

from __future__ import annotations

import html
import json
import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aidaily.ingest.mirror import HEADERS_SUFFIX, url_to_relpath

DAY = "2026-01-19"
WINDOW_DAY = "2026-01-18"  # the window of the digest dated DAY (Beijing)
SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app",
         "https://raw.githubusercontent.com")
TZ = ZoneInfo("Asia/Shanghai")
HUB_RAW = ("https://raw.githubusercontent.com/justlovemaki/Hextra-AI-Insight-Daily/main/content/cn/"
           "2026-01/2026-01-18.md")
HUB_PAGE = "https://ai.hubtoday.app/2026-01/2026-01-18/"

# --- vocabulary ------------------------------------------------------------------------

AI_COMPANIES = ["OpenAI", "Anthropic", "谷歌", "英伟达", "xAI", "Meta", "微软", "阿里", "腾讯",
                "字节跳动", "百度", "智谱", "月之暗面", "DeepSeek", "华为", "商汤", "科大讯飞", "优必选"]
AI_KINDS = ["大模型", "智能体", "AI 芯片", "推理服务", "人形机器人", "编程助手", "多模态模型",
            "AI 搜索", "语音模型", "视频生成模型", "算力集群", "具身智能平台"]
AI_ACTIONS = ["发布", "开源", "上线", "推出", "升级", "曝光", "测试", "交付"]
AI_WORDS = ["模型", "训练", "推理", "算力", "数据", "开源", "用户", "企业", "开发者", "平台", "接口", "成本", "价格", "性能", "基准", "参数", "上下文", "多模态", "视频", "语音", "图像", "代码", "搜索", "安全", "合规", "监管", "融资", "估值", "收入", "市场", "份额", "合作", "生态", "插件", "终端", "集群", "能耗", "电力", "延迟", "吞吐", "精度", "幻觉", "对齐", "评测", "论文", "团队", "实验室", "高校", "专利", "供应链", "订单", "日活", "订阅", "工作流", "自动化", "客服", "翻译", "写作", "量化", "蒸馏", "微调", "检索", "知识库"]

# Not about AI: phones, cars, games (the relevance classifier judges them not AI).
BRANDS = ["荣耀", "小米", "OPPO", "vivo", "一加", "三星", "索尼", "联想", "戴尔", "比亚迪", "理想",
          "蔚来", "小鹏", "吉利", "任天堂", "育碧", "海尔", "美的", "格力", "大疆", "魅族", "真我",
          "红米", "惠普", "华硕", "宏碁", "长城", "奇瑞", "极氪", "零跑", "卡普空", "西部数据"]
SERIES = ["Note", "Pro", "Ultra", "Max", "Neo", "Turbo", "Pad", "Book", "Buds", "Watch", "Find",
          "Mate", "Magic", "Reno", "Ace", "Civi", "Mix", "Flip", "Fold", "Air"]
PRODUCTS = ["手机", "平板", "笔记本", "耳机", "手表", "电视", "路由器", "显示器", "电动车", "游戏",
            "空调", "洗衣机", "冰箱", "充电宝", "固态硬盘", "机械键盘", "投影仪", "无人机", "相机", "音箱"]
EVENTS = ["官宣", "开售", "降价", "曝光", "发布", "开启预约", "推送更新", "公布销量", "召回", "上市",
          "获认证", "入网", "跑分曝光", "渲染图曝光", "首销", "停产"]
PLAIN_WORDS = ["续航", "屏幕", "电池", "快充", "配色", "机身", "重量", "厚度", "像素", "镜头", "影像", "外观", "材质", "价格", "售价", "补贴", "国补", "门店", "渠道", "销量", "库存", "订单", "预约", "首发", "系统", "固件", "补丁", "版本", "兼容", "接口", "蓝牙", "信号", "散热", "风扇", "噪音", "功耗", "亮度", "刷新率", "分辨率", "存储", "内存", "容量", "尺寸", "座椅", "底盘", "悬挂", "续航里程", "充电桩", "换电", "车机", "座舱", "玩家", "关卡", "剧情", "画面", "帧率", "手柄", "主机", "会员", "优惠", "保修", "售后", "维修", "物流", "包装", "配件", "保护壳", "贴膜", "表带", "耳塞", "噪声", "音质", "防水", "防尘", "认证", "工信部", "入网", "专利"]
FILLER = ("业内人士认为，这一进展将推动相关产品在更多场景的落地，同时也带来新的挑战。"
          "此前，多家厂商已在相关方向布局，市场竞争日趋激烈。")
AD_TIPS = ("广告声明：文内含有的对外跳转链接（包括不限于超链接、二维码、口令等形式），用于传递更多信息，"
           "节省甄选时间，结果仅供参考，IT之家所有文章均包含本声明。")
AUTHORS = ["清源", "汪淼", "故渊", "问舟", "远洋", "沛霖", "孤城", "浩渺", "归泷", "溯波"]
QBIT_AUTHORS = ["西风", "梦晨", "克雷西", "一水", "衡宇", "鹭羽", "明敏", "金磊", "杨净", "白交"]
HUB_SECTIONS = ["产品与功能更新", "前沿研究", "行业展望与社会影响", "开源TOP项目", "社媒分享"]


@dataclass
class Story:
    """One generated article (before it is written as a page)."""

    source: str
    url: str
    title: str
    paragraphs: list[str]
    published: datetime  # aware, Beijing
    ai: bool
    author: str = ""
    duplicate_of: str | None = None  # URL of the article it re-reports
    tags: list[str] = field(default_factory=list)


@dataclass
class SynthDay:
    """What ``write_day`` wrote: the counts, the files, where to point the fetcher."""

    root: Path
    day: str
    ithome: int
    qbitai: int
    hubtoday: int
    ai_ithome: int
    duplicates: int  # qbitai re-reports + hubtoday items linking a fetched article
    out_of_window: int
    files: list[str]
    sites: tuple[str, ...] = SITES

    @property
    def articles(self) -> int:
        return self.ithome + self.qbitai + self.hubtoday

    def to_dict(self) -> dict[str, object]:
        return {"day": self.day, "ithome": self.ithome, "qbitai": self.qbitai,
                "hubtoday": self.hubtoday, "articles": self.articles, "ai_ithome": self.ai_ithome,
                "duplicates": self.duplicates, "out_of_window": self.out_of_window,
                "files": len(self.files)}


# --- text -------------------------------------------------------------------------------


def _sentence(rng: random.Random, words: list[str], lo: int = 6, hi: int = 12) -> str:
    body = "".join(rng.sample(words, rng.randint(lo, hi)))
    return f"{body}达到 {rng.randint(2, 9000)} 个" if rng.random() < 0.5 else body


def _paragraphs(rng: random.Random, lead: str, words: list[str], n: int) -> list[str]:
    paras = [lead]
    for _ in range(n):
        paras.append("，".join(_sentence(rng, words) for _ in range(rng.randint(2, 4))) + "。")
    if rng.random() < 0.5:
        paras.append(FILLER)
    return paras


def _ai_story(rng: random.Random, i: int, source: str, url: str, when: datetime) -> Story:
    company, kind, action = rng.choice(AI_COMPANIES), rng.choice(AI_KINDS), rng.choice(AI_ACTIONS)
    product = f"{rng.choice('BCDFGHJKLMNPQSTVWXZ')}{rng.choice('aeou')}{rng.choice('nrstlx')}-{i}"
    title = (f"{company}{action}{kind} {product}，"
             f"{''.join(rng.sample(AI_WORDS, 3))}提升 {rng.randint(2, 900)}%")
    lead = (f"{company}今天{action}了{kind} {product}，{''.join(rng.sample(AI_WORDS, 5))}"
            f"提升 {rng.randint(2, 900)}%，{''.join(rng.sample(AI_WORDS, 4))}。")
    paras = _paragraphs(rng, lead, AI_WORDS, rng.randint(4, 9))
    return Story(source, url, title, paras, when, True, tags=[company, kind.replace(" ", "")])


def _plain_story(rng: random.Random, i: int, url: str, when: datetime) -> Story:
    brand, series, product, event = (rng.choice(BRANDS), rng.choice(SERIES), rng.choice(PRODUCTS),
                                     rng.choice(EVENTS))
    model = f"{brand} {series}{rng.randint(2, 99)}"
    title = f"{model} {product}{event}，{''.join(rng.sample(PLAIN_WORDS, 3))}升级 {i % 97 + 3} 项"
    lead = (f"IT之家 1 月 18 日消息，{model} {product}今日{event}，"
            f"{''.join(rng.sample(PLAIN_WORDS, 5))}，售价 {rng.randint(199, 19999)} 元。")
    paras = _paragraphs(rng, lead, PLAIN_WORDS, rng.randint(3, 8))
    return Story("ithome", url, title, paras, when, False, tags=[brand, product])


def _rereport(rng: random.Random, base: Story, source: str, url: str, when: datetime) -> Story:
    """Another source's report of ``base``: paraphrased title, the same lead and facts."""
    title = base.title.replace("，", "：", 1) + rng.choice(["", "，官方回应", "，网友热议"])
    keep = max(2, len(base.paragraphs) * 2 // 3)
    paras = [base.paragraphs[0], *rng.sample(base.paragraphs[1:], keep - 1)]
    return Story(source, url, title, paras, when, True, duplicate_of=base.url, tags=base.tags)


# --- pages ------------------------------------------------------------------------------


def _h(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _gmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _ithome_body(story: Story, rng: random.Random) -> str:
    out = []
    if rng.random() < 0.2:
        out.append('<div class="tougao-user">感谢IT之家网友 <a href="https://m.ithome.com/html/app/open.html" '
                   f'rel="nofollow">{rng.choice(AUTHORS)}</a> 的线索投递！</div>')
    for k, para in enumerate(story.paragraphs):
        out.append(f'<p data-vmark="{k:04x}">{html.escape(para)}</p>')
        if k == 1 and rng.random() < 0.5:
            out.append(f'<p data-vmark="im{k}"><img src="//img.ithome.com/images/v2/t.png" class="lazy" '
                       f'data-original="https://img.ithome.com/newsuploadfiles/2026/1/{_h(story.url) % 10**8}.jpg" '
                       'w="1440" h="810" width="1440" height="810" /></p>')
    if rng.random() < 0.4:
        out.append('<p data-vmark="ref0">IT之家附上参考地址</p>')
        out.append(f'<ul><li><p><a href="https://example.com/ref/{_h(story.title) % 10**6}" '
                   'target="_blank">原文报道</a></p></li></ul>')
    out.append(f'<p class="ad-tips">{AD_TIPS}</p>')
    return "\n".join(out)


def _ithome_page(story: Story, body: str) -> str:
    t = story.published
    title = html.escape(story.title)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<title>{title} - IT之家</title>
<meta name="keywords" content="{html.escape(','.join(story.tags))}" />
<meta name="description" content="{html.escape(story.paragraphs[0][:80])}" />
<link rel="canonical" href="{story.url}" />
<script>var _hmt = _hmt || [];</script>
</head>
<body>
<div id="top"><a href="https://www.ithome.com">首页</a> <a href="https://quan.ithome.com">IT圈</a> <a href="https://www.ithome.com/rss/">RSS订阅</a></div>
<div id="nav"><a href="https://www.ithome.com/业界/">业界</a> <a href="https://www.ithome.com/手机/">手机</a> <a href="https://www.ithome.com/游戏/">游戏</a></div>
<div id="wrapper"><div class="content fl" id="dt">
<div class="crumb">首页 &gt; IT资讯 &gt; 业界</div>
<div class="fl"><h1>{title}</h1>
<div class="cv"><span id="pubtime_baidu">{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}</span> <span id="source_baidu">来源：<a href="{story.url}" target="_blank">IT之家</a></span> <span id="author_baidu">作者：<strong>{story.author}</strong></span> <span id="editor_baidu">责编：{story.author}</span></div>
</div>
<div class="post_content" id="paragraph">
{body}
</div>
<div class="shareto"><a class="tswsw">投诉水文</a> <a class="wyjc">我要纠错</a></div>
<div class="dl-app"><a href="https://m.ithome.com/ithome/download/?popqr">下载IT之家APP，签到赚金币兑豪礼</a></div>
<div class="related_post"><h3>相关文章</h3><ul><li><a href="https://www.ithome.com/0/913/001.htm">更早的一篇文章</a></li></ul></div>
</div></div>
<div id="ft">软媒旗下网站： <a href="https://www.ithome.com/">IT之家</a></div>
</body>
</html>
"""


def _ithome_feed(items: list[tuple[Story, str]], content: str = "full") -> str:
    parts = [('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n<title>IT之家</title>\n'
              '<link>https://www.ithome.com/</link>\n<description>IT之家 - 软媒旗下网站</description>\n'
              '<language>zh-cn</language>\n<lastBuildDate>Sun, 18 Jan 2026 16:30:00 GMT</lastBuildDate>\n')]
    for story, body in items:
        if content == "lead":  # the lead paragraph only: keeps a feed of thousands under fetch.max_bytes
            body = f"<p>{html.escape(story.paragraphs[0])}</p>"
        parts.append(f"<item>\n<title>{html.escape(story.title)}</title>\n<link>{story.url}</link>\n"
                     f"<guid>{story.url}</guid>\n<pubDate>{_gmt(story.published)}</pubDate>\n"
                     f"<description><![CDATA[{body}]]></description>\n</item>\n")
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


def _qbitai_body(story: Story) -> str:
    paras = [f"<p>{html.escape(p)}</p>" for p in story.paragraphs]
    byline = (f"<blockquote><p>{story.author} 发自 凹非寺<br />量子位 | 公众号 QbitAI</p></blockquote>")
    pid = story.url.rsplit("/", 1)[-1].split(".")[0]
    image = (f'<p><img decoding="async" class="aligncenter" src="https://i.qbitai.com/wp-content/uploads/'
             f'2026/01/{pid}_2.png" alt="" width="1080" height="608" /></p>')
    return "\n".join([paras[0], byline, *paras[1:3], image, "<h1>细节</h1>", *paras[3:]])


def _qbitai_page(story: Story) -> str:
    t = story.published
    title = html.escape(story.title)
    tags = "".join(f'<a href="https://www.qbitai.com/tag/{quote(tag)}" rel="tag">{html.escape(tag)}</a>'
                   for tag in story.tags)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>{title} &#8211; 量子位</title>
<meta property="og:title" content="{title}" />
<meta property="article:published_time" content="{t.isoformat()}" />
<link rel="canonical" href="{story.url}" />
</head>
<body class="post-template-default single single-post">
<div class="header"><div class="nav"><ul><li><a href="http://www.qbitai.com/">首页</a></li><li><a href="https://www.qbitai.com/category/%e8%b5%84%e8%ae%af">资讯</a></li></ul></div>
<div class="biaojiwei">扫码关注量子位</div>
<script>
            $('.biaojiwei').click(function(event){{
                $('#pophead').show();
            }})
</script>
<div class="weixin_pop" id="pophead"><img id="wx_img" src="https://www.qbitai.com/wp-content/uploads/imgs/qbitai-logo-1.png" width="400" height="400"></div>
</div>
<div class="main"><div class="content">
<div class="article">
<h1>{title}</h1>
<div class="article_info"><span class="author"><img src="http://www.qbitai.com/wp-content/themes/liangziwei/imagesnew/head.jpg"><a href="https://www.qbitai.com/author/x">{story.author}</a></span> <span class="date">{t:%Y-%m-%d}</span> <span class="time">{t:%H:%M:%S}</span> <span class="source">来源：<a href="http://www.qbitai.com/">量子位</a></span></div>
{_qbitai_body(story)}
<p>参考链接：<br />[1]https://example.com/paper/{_h(story.url) % 10**6}</p>
<p><em>版权所有，未经授权不得以任何形式转载及使用，违者必究。</em></p>
<div class="tags">{tags}</div>
<div class="person_box"><a href="https://www.qbitai.com/author/x">{story.author}</a></div>
<div class="related"><h3>相关阅读</h3><ul><li><h4><a href="https://www.qbitai.com/2024/04/136662.html">更早的一篇文章</a></h4></li></ul></div>
</div>
</div>
<div class="sidebar"><h3>热门文章</h3><ul><li><a href="https://www.qbitai.com/2025/12/361234.html">热门旧文</a><span>2025-12-24</span></li></ul></div>
</div>
<div class="footer"><p>量子位 QbitAI 版权所有©北京极客伙伴科技有限公司</p></div>
</body>
</html>
"""


def _qbitai_feed(stories: list[Story], self_url: str) -> str:
    parts = [('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
              '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
              '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
              '\txmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n\t<title>量子位</title>\n'
              f'\t<atom:link href="{self_url}" rel="self" type="application/rss+xml" />\n'
              '\t<link>https://www.qbitai.com</link>\n\t<description>追踪人工智能新趋势，关注科技行业新突破</description>\n'
              '\t<language>zh-CN</language>\n')]
    for s in stories:
        pid = s.url.rsplit("/", 1)[-1].split(".")[0]
        cats = "".join(f"<category><![CDATA[{t}]]></category>" for t in s.tags)
        parts.append(
            f"\t<item>\n\t\t<title>{html.escape(s.title)}</title>\n\t\t<link>{s.url}</link>\n"
            f"\t\t<dc:creator><![CDATA[{s.author}]]></dc:creator>\n\t\t<pubDate>{_gmt(s.published)}</pubDate>\n"
            f"\t\t{cats}\n\t\t<guid isPermaLink=\"false\">https://www.qbitai.com/?p={pid}</guid>\n"
            f"\t\t<description><![CDATA[{s.paragraphs[0]}]]></description>\n"
            f"\t\t<content:encoded><![CDATA[{_qbitai_body(s)}]]></content:encoded>\n\t</item>\n")
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


def _qbitai_archive(stories: list[Story]) -> str:
    boxes = []
    for s in stories:
        boxes.append(
            f'<div class="picture_text">\n<div class="picture"><a href="{s.url}" target="_blank"></a></div>\n'
            f'<div class="text_box"><h4><a href="{s.url}" target="_blank">{html.escape(s.title)}</a></h4>'
            f'<p>{html.escape(s.paragraphs[0][:30])}</p>\n<div class="info"><span class="author">'
            f'<a href="https://www.qbitai.com/author/x">{s.author}</a></span> '
            f'<span class="time">{s.published:%Y-%m-%d %H:%M:%S}</span></div></div>\n</div>')
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="UTF-8"><title>2026年1月18日 &#8211; 量子位'
            '</title></head>\n<body class="archive date">\n<div class="main"><div class="content">'
            '<div class="article_list">\n' + "\n".join(boxes) + '\n</div></div>\n<div class="sidebar"><h3>热门文章'
            '</h3><ul><li><a href="https://www.qbitai.com/2025/12/361234.html">热门旧文</a></li></ul></div>\n'
            '</div>\n<div class="footer"><p>追踪人工智能新趋势</p></div>\n</body></html>\n')


def _hub_items(rng: random.Random, n: int, pool: list[Story]) -> list[tuple[str, str, str]]:
    """(section, title, paragraph with inline links) — half digests of ``pool`` stories."""
    items = []
    linked = rng.sample(pool, min(len(pool), n // 2))
    for k in range(n):
        section = HUB_SECTIONS[k % len(HUB_SECTIONS)]
        if k < len(linked):
            base = linked[k]
            title = base.title.split("，")[0]
            text = (f"{base.paragraphs[0]}这项🔍[最新进展(AI资讯)]({base.url})"
                    f"{base.paragraphs[1][:80]}")
        else:
            s = _ai_story(rng, 90000 + k, "hubtoday", "", datetime(2026, 1, 18, 8, tzinfo=TZ))
            title = s.title.split("，")[0]
            text = (f"{s.paragraphs[0]}🚀[开源项目(AI资讯)](https://github.com/example/p{k}){s.paragraphs[1][:80]}"
                    f"<br/><br/>![AI资讯：示意图](https://source.hubtoday.app/images/2026/01/n{k}.avif)<br/>")
        items.append((section, title, text))
    return items


def _hub_markdown(items: list[tuple[str, str, str]]) -> str:
    out = ["---\nlinkTitle: 01-18-日报\ntitle: 01-18-日报-AI资讯日报\nweight: 14\nbreadcrumbs: false\n---\n",
           "## AI资讯日报 2026/1/18\n", ">  `AI资讯` | `每日早读` | `全网数据聚合`\n",
           "### **今日摘要**\n\n```\n" + "\n".join(t for _, t, _ in items[:5]) + "\n```\n"]
    section, number = None, 0
    for sec, title, text in items:
        if sec != section:
            section, number = sec, 0
            out.append(f"\n### {sec}\n")
        number += 1
        out.append(f"{number}. **{title}。**\n{text}\n")
    out.append("\n---\n\n## **AI资讯日报语音版**\n\n| 🎙️ **小宇宙** | 📹 **抖音** |\n| --- | --- |\n")
    return "\n".join(out)


def _hub_page(items: list[tuple[str, str, str]]) -> str:
    import re

    link = re.compile(r"\[([^\]]*)\]\((\S+?)\)")
    image = re.compile(r"!\[([^\]]*)\]\((\S+?)\)")
    body, section = [], None
    for sec, title, text in items:
        if sec != section:
            if section is not None:
                body.append("</ol>")
            section = sec
            body.append(f"<h3>{sec}</h3>\n<ol>")
        t = image.sub(r'<img src="\2" alt="\1">', html.escape(text, quote=False))
        t = link.sub(r'<a href="\2" target="_blank" rel="noopener">\1</a>', t).replace("&lt;br/&gt;", "<br>")
        body.append(f"<li><p><strong>{html.escape(title)}。</strong><br>{t}</p></li>")
    body.append("</ol>")
    return ('<!DOCTYPE html>\n<html lang="zh-cn" dir="ltr"><head><meta charset="utf-8" />\n'
            '<title>AI资讯日报 2026/1/18 – AI资讯日报</title>\n'
            f'<link rel="canonical" href="{HUB_PAGE}" itemprop="url" />\n</head>\n<body dir="ltr">\n'
            '<article class="hx-w-full"><main class="hx-w-full"><h1>01-18-日报-AI资讯日报</h1>\n'
            '<div class="content">\n<h2>AI资讯日报 2026/1/18</h2>\n' + "\n".join(body) +
            '\n</div></main></article>\n</body></html>\n')


# --- the day ----------------------------------------------------------------------------


def write_day(root: Path | str, *, ithome: int = 300, qbitai: int = 30, hubtoday: int = 12,
              ai_share: float = 0.2, dup_share: float = 0.3, out_of_window: float = 0.03,
              seed: int = 7, feed_content: str = "full") -> SynthDay:
    """Write the synthetic day into ``root`` (mirror layout) and say what it holds.

    ``feed_content``: "full" puts each article's whole body in the ithome RSS, as ithome
    does; "lead" only its first paragraph (a feed of thousands of full articles would
    exceed ``fetch.max_bytes``, 8 MB).
    """
    root = Path(root)
    rng = random.Random(seed)
    files: list[str] = []

    def put(url: str, body: str, headers: dict[str, str] | None = None) -> None:
        path = root / url_to_relpath(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        if headers:
            path.with_name(path.name + HEADERS_SUFFIX).write_text(json.dumps(headers), encoding="utf-8")
        files.append(url)

    start = datetime(2026, 1, 18, 0, 3, tzinfo=TZ)
    span = 24 * 3600 - 400

    def when(k: int, n: int) -> datetime:  # spread over the window, latest first in feeds
        return start + timedelta(seconds=int(span * (n - k) / (n + 1)) + rng.randint(0, 59))

    # ithome: ai_share about AI, a few before the window
    ith: list[Story] = []
    n_old = int(ithome * out_of_window)
    for k in range(ithome):
        num = 915000 + k
        url = f"https://www.ithome.com/0/{num // 1000}/{num % 1000:03d}.htm"
        t = when(k, ithome) if k < ithome - n_old else start - timedelta(hours=6, minutes=k)
        story = (_ai_story(rng, k, "ithome", url, t) if rng.random() < ai_share
                 else _plain_story(rng, k, url, t))
        story.author = rng.choice(AUTHORS)
        ith.append(story)
    ith_items = []
    for story in ith:
        body = _ithome_body(story, rng)
        ith_items.append((story, body))
        put(story.url, _ithome_page(story, body))  # old entries' pages exist, are not fetched
    put("https://www.ithome.com/rss/", _ithome_feed(ith_items, feed_content),
        {"Content-Type": "application/xml; charset=utf-8"})

    # qbitai: all AI, dup_share re-reports of ithome AI stories
    ai_ith = [s for s in ith if s.ai and s.published >= start]
    qb: list[Story] = []
    for k in range(qbitai):
        url = f"https://www.qbitai.com/2026/01/{380000 + k * 17}.html"
        t = when(k, qbitai)
        if ai_ith and rng.random() < dup_share:
            story = _rereport(rng, rng.choice(ai_ith), "qbitai", url, t)
        else:
            story = _ai_story(rng, 50000 + k, "qbitai", url, t)
        story.author = rng.choice(QBIT_AUTHORS)
        qb.append(story)
        put(url, _qbitai_page(story))
    put("https://www.qbitai.com/feed/", _qbitai_feed(qb, "https://www.qbitai.com/feed/"),
        {"Content-Type": "application/rss+xml; charset=UTF-8"})
    news = [s for s in qb if rng.random() < 0.5][:20]
    news_url = "https://www.qbitai.com/category/%E8%B5%84%E8%AE%AF/feed/"
    put(news_url, _qbitai_feed(news, news_url), {"Content-Type": "application/rss+xml; charset=UTF-8"})
    put("https://www.qbitai.com/2026/01/18/", _qbitai_archive(qb))

    # hubtoday: half of the items digest an ithome / qbitai story and link it
    items = _hub_items(rng, hubtoday, ai_ith + qb)
    put(HUB_RAW, _hub_markdown(items), {"Content-Type": "text/plain; charset=utf-8"})
    put(HUB_PAGE, _hub_page(items))

    dups = sum(1 for s in qb if s.duplicate_of) + min(len(ai_ith + qb), hubtoday // 2)
    return SynthDay(root=root, day=DAY, ithome=ithome, qbitai=qbitai, hubtoday=hubtoday,
                    ai_ithome=sum(s.ai for s in ith), duplicates=dups, out_of_window=n_old,
                    files=files)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="write a synthetic day in the mirror layout")
    parser.add_argument("root", type=Path)
    parser.add_argument("--ithome", type=int, default=300)
    parser.add_argument("--qbitai", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    day = write_day(args.root, ithome=args.ithome, qbitai=args.qbitai, seed=args.seed)
    print(json.dumps(day.to_dict(), ensure_ascii=False))


if __name__ == "__main__":
    main()
