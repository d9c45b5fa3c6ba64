"""Shared test data and builders, in one place so that no test module imports another.

A test module that needs another module's data would otherwise import it, and pytest would
then see that module's tests twice, tie the two files' edits together, and hide where the
data comes from. What several test modules share lives here instead:

- the handmade day: ``DAY``, ``DAY_ARTICLES`` and ``make_stories()`` (ranked stories
  ``s1``, ``s2``, ... as the editor receives them);
- a well-behaved fake model: ``fake_editor`` (a ``tests.fakellm`` responder that reads
  only the user message, as a model following it would: plans, writes grounded facts
  and commentary that does not repeat them, and finalizes) with ``plan_for()``,
  ``SECTION_TITLES`` and ``asked_fields()``;
- the review page's home: ``build_home()`` with its articles, ``DRAFT`` (one ungrounded
  bullet, ``BAD_BULLET``; ``GOOD_BULLET`` fixes it) and review ``RECORD``;
- the fixture day's real pages fetched into a home: ``fetch_fixture_day()`` (the sites
  in ``DAY_SITES`` served from ``tests/fixtures/day`` by a mirror);
- a headless Chromium page (``chromium_page``; Debian's ``CHROMIUM`` driven by Playwright)
  for the browser tests of the review page;
- a throw-away PostgreSQL cluster: ``postgres_cluster()`` and ``new_postgres_database()``
  (the ``postgres`` fixture in ``conftest.py`` wraps them).

Servers (``tests.servers``, ``tests.fakellm``) stay in their own helper modules.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aidaily.config import Settings, load_settings
from aidaily.models import Article, Story
from aidaily.store.drafts import Drafts, text_hash
from aidaily.store.store import Store
from aidaily.text import zi_count
from tests.fakellm import FakeRequest, asked_fields, asked_range, model_facts, tightened

DAY = "2026-01-19"  # as the CLI takes it
DAY_DATE = date.fromisoformat(DAY)  # as the core takes it


# --------------------------------------------------------------------------- the handmade day
DAY_ARTICLES = [
    ("qbitai", "https://www.qbitai.com/2026/01/370077.html",
     "xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群",
     "量子位 | 公众号 QbitAI\nxAI 宣布 Colossus 2 上线，功率 1 GW，相当于一座核电站。集群已部署 55 万张 GPU，"
     "年内将扩至 2 GW。它专为 Grok 5 训练而生，配套 168 套特斯拉 Megapack。"),
    ("ithome", "https://www.ithome.com/0/914/178.htm",
     "特斯拉 AI5 芯片“接近完成”，AI6 已启动",
     "IT之家 1 月 19 日消息，马斯克表示特斯拉 AI5 芯片接近完成。目标是 9 个月完成一代芯片设计。"
     "若 2027 年中才能量产，Cybercab 或继续沿用 AI4。"),
    ("ithome", "https://www.ithome.com/0/914/192.htm",
     "Cursor 让数百个 AI 智能体 168 小时交付 300 万行浏览器",
     "IT之家 1 月 19 日消息，Cursor 基于 GPT-5.2-Codex 让数百个智能体连续开发 168 小时。"
     "新浏览器 FastRender 有 300 万行代码，已能渲染谷歌首页，源码已开源。"),
    ("ithome", "https://www.ithome.com/0/914/198.htm",
     "GPT-5.2 Pro 再解公开 Erdős 难题，获陶哲轩点赞",
     "IT之家 1 月 19 日消息，GPT-5.2 Pro 几乎独立完成一道 Erdős 组合数学证明。陶哲轩称其为 AI 解决开放问题最明确案例。"),
    ("ithome", "https://www.ithome.com/0/914/303.htm",
     "Anthropic 拟新融资 250 亿美元，估值 3500 亿美元",
     "IT之家 1 月 19 日消息，Anthropic 拟融资 250 亿美元，估值 3500 亿美元。红杉、GIC、Coatue 领投，"
     "距上一轮 1830 亿美元估值仅 4 个月。"),
    ("ithome", "https://www.ithome.com/0/914/232.htm",
     "优必选 Walker S2 进空客工厂",
     "IT之家 1 月 19 日消息，优必选人形机器人 Walker S2 进入空客工厂。它有 52 个自由度、15 kg 负载，"
     "2026 年产能规划万台，海外订单超 14 亿元。"),
    ("qbitai", "https://www.qbitai.com/2026/01/370085.html",
     "英伟达 2025 财年营收 1305 亿美元，一年翻倍",
     "英伟达 2025 财年营收 1305 亿美元。英伟达以 200 亿美元买下 Groq 技术与团队，90% 员工平均套现 500 万美元。"),
    ("ithome", "https://www.ithome.com/0/914/305.htm",
     "韩国 AI 订阅支出 803 亿韩元/月，已超 Netflix",
     "IT之家 1 月 19 日消息，韩国 AI 订阅支出达到每月 803 亿韩元，超过 Netflix。ChatGPT 占 71.5%，企业客单价 509 元。"),
    ("qbitai", "https://www.qbitai.com/2026/01/370136.html",
     "Berkeley 发布人形机器人全身协同方案 Choice Policy",
     "Berkeley 发布 Choice Policy，人形机器人洗碗机装载成功率 100%。"),
    ("ithome", "https://www.ithome.com/0/914/278.htm",
     "Hassabis 称 AGI 只差一两个 AlphaGo 级突破",
     "IT之家 1 月 19 日消息，Hassabis 称 AGI 只差一两个 AlphaGo 级突破，五年内可能实现。"),
    ("hubtoday", "https://ai.hubtoday.app/2026-01/2026-01-19/#4",
     "研究对比指出 Agentic RAG 成本高于传统 RAG",
     "一项研究对比 Agentic RAG 与传统 RAG，前者成本高出 3 倍，商业化仍需谨慎。"),
    ("ithome", "https://www.ithome.com/0/914/292.htm",
     "三星高管：不追噱头，专注有用的 Galaxy AI",
     "IT之家 1 月 19 日消息，三星高管表示 Galaxy AI 将专注“有用不唐突”，今年覆盖 4 亿台设备。"),
]


def make_stories(n: int | None = None, *, extra: list[Article] | None = None) -> list[Story]:
    """The handmade day as ranked stories ``s1``, ``s2``, …"""
    when = datetime(2026, 1, 18, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    articles = [
        Article(url=url, source=src, title=title, text=text, published=when,
                images=[f"https://img.example.com/{i}.png"] if i % 2 == 0 else [])
        for i, (src, url, title, text) in enumerate(DAY_ARTICLES)
    ]
    articles += extra or []
    return [Story(id=f"s{i + 1}", articles=[a]) for i, a in enumerate(articles[:n])]


#: A small digest (4-8 items in 2-4 sections, 2-4 one-liners): what the handmade day fills.
SMALL_DIGEST = """
[digest]
main_min = 4
main_max = 8
other_min = 2
other_max = 4
sections_min = 2
sections_max = 4
"""


def store_handmade_day(home: Path, config: str = SMALL_DIGEST) -> Path:
    """``home`` with ``config`` as its aidaily.toml and the handmade day's articles stored."""
    (home / "aidaily.toml").write_text(config, encoding="utf-8")
    Store.from_settings(load_settings(home)).upsert_articles(a for s in make_stories() for a in s.articles)
    return home


# --------------------------------------------------------------------------- a fake model
CARD_RE = re.compile(r'<card id="([^"]+)"')
ARTICLE_RE = re.compile(r'<article id="([^"]+)"[^\n]*\n标题：(.*?)\n正文：\n(.*?)\n</article>', re.S)
SENTENCE_RE = re.compile(r"[^。！？\n]{6,}")

SECTION_TITLES = ["超算与芯片：AI 军备竞赛进入“GW 时代”", "模型与推理：AI 开始“自己写代码”",
                  "资本与产业：估值进入“千亿美元俱乐部”"]


def plan_for(ids: list[str]) -> dict[str, Any]:
    """The fake model's plan: 3 sections (one with a shared commentary block, one story
    without a block), 3 one-liners."""
    return {
        "sections": [
            {"title": SECTION_TITLES[0], "groups": [
                {"story_ids": [ids[0]], "commentary": True},
                {"story_ids": [ids[1]], "commentary": False}]},
            {"title": SECTION_TITLES[1], "groups": [{"story_ids": [ids[2], ids[3]], "commentary": True}]},
            {"title": SECTION_TITLES[2], "groups": [
                {"story_ids": [ids[4]], "commentary": True},
                {"story_ids": [ids[5]], "commentary": True}]},
        ],
        "other_ids": ids[6:9],
    }


COMMENTARY = ["这类进展正在改写行业的竞争规则——谁先把能力变成稳定的产品，谁就先拿到下一轮的入场券",
              "对国内 AI 创业者：窗口期正在收窄，需要尽快想清楚自己的差异化位置，而不是跟在巨头后面追参数"]
FINAL = {"title": "GW 级超算与百万行浏览器：AI 边际成本归零日",
         "headline": "从 GW 级超算到“百万行浏览器”：AI 把算力推向极限",
         "summary": ["xAI 上线 Colossus 2 超算，功率 1 GW，相当于一座核电站",
                     "Anthropic 拟融资 250 亿美元，估值 3500 亿美元"],
         "seo": ["xAI", "Anthropic"]}


def fake_editor(request: FakeRequest) -> Any:
    """A well-behaved model that reads only the user message: it answers the fields the
    message names, with facts from the article (so they are grounded), headlines that
    are the articles' own (distinct), and commentary that interprets, never repeats."""
    user = first_user(request)
    fields = asked_fields(user)
    if "<card " in user:
        return plan_for(CARD_RE.findall(user))
    if "title" in fields:
        return {k: v for k, v in FINAL.items() if k in fields}
    articles = ARTICLE_RE.findall(user)
    answer: dict[str, Any] = {}
    if articles:
        ident, title, text = articles[0]
        if "headline" in fields:
            answer["headline"] = tightened(title, asked_range(user, "headline", (6, 30))[1])
        if "facts" in fields:
            answer["facts"] = model_facts(title, text)
        if "line" in fields:
            low, high = asked_range(user, "line", (12, 45))
            line = tightened(title, high)
            answer["line"] = line if zi_count(line) >= low else f"{line}，{model_facts(title, text, 1)[0]}"
    if "commentary" in fields:
        answer["commentary"] = list(COMMENTARY)
    return answer or None


def first_user(request: FakeRequest) -> str:
    """The task's user message (a repair request adds its own user turn after it)."""
    return next(m["content"] for m in request.messages if m["role"] == "user")


# --------------------------------------------------------------------------- the review page's home
SHANGHAI = ZoneInfo("Asia/Shanghai")
XAI_URL = "https://www.qbitai.com/2026/01/370077.html"
EVIL_URL = "https://www.ithome.com/0/914/192.htm"
BRIEF_URL = "https://www.ithome.com/0/914/228.htm"
BAD_BULLET = "功率 1 GW，已部署 99 万张 GPU"
GOOD_BULLET = "功率 1 GW，已部署 55 万张 GPU"
EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

ARTICLES = [
    Article(
        url=XAI_URL, source="qbitai", title="xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群",
        text=("xAI 宣布 Colossus 2 超算正式上线。\n"
              "该集群功率达到 1 GW，相当于一座核电站，目前已部署 55 万张 GPU。\n"
              "它专为 Grok 5 训练而建，年内将扩至 2 GW。"),
        published=datetime(2026, 1, 18, 10, 0, tzinfo=SHANGHAI), origin="量子位", ai_relevant=True,
    ),
    Article(
        url=EVIL_URL, source="ithome", title=f"Cursor 智能体写出浏览器 {EVIL}",
        text=(f"Cursor 让数百个 AI 智能体连续工作 7 天。\n页面里夹带了 {EVIL} 这样的代码。\n"
              "最终交付 300 万行代码的浏览器 FastRender。"),
        published=datetime(2026, 1, 18, 12, 0, tzinfo=SHANGHAI), origin="IT之家", ai_relevant=True,
    ),
    Article(
        url=BRIEF_URL, source="ithome", title="谷歌揭秘 Nano Banana 生图模型的命名由来",
        text="谷歌产品经理透露，Nano Banana 这个名字来自一次凌晨的灵感。",
        published=datetime(2026, 1, 18, 13, 0, tzinfo=SHANGHAI), origin="IT之家", ai_relevant=True,
    ),
]

FOOTER = """<div class="telegram-card">
  <div class="telegram-card__title">想第一时间获取最新内容？</div>
</div>"""

DRAFT = f"""---
title: GW 级超算与百万行浏览器：AI 边际成本归零日
date: {DAY}
category: AI 日报
tags: ["AI","AI 日报"]
seo: ["AI 日报","xAI"]
summary: "- xAI 上线 1 GW 超算 Colossus 2\\n- Cursor 智能体 7 天写出 300 万行浏览器"
draft: true
---
# GW 级超算与百万行浏览器：AI 边际成本归零日

## 从 GW 级超算到百万行浏览器

### 超算与芯片：AI 军备竞赛进入 GW 时代

[xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群]({XAI_URL})
- {BAD_BULLET}
- 专为 Grok 5 训练而建，年内将扩至 2 GW

**深度解读 & 洞察：**
- 训练算力从万卡跳到 GW 量级，AI 基础设施已和电网深度耦合
- 谁掌握电力，谁就掌握下一轮模型入场券

### 智能体：从聊天到动手

[Cursor 智能体 7 天写出 300 万行浏览器]({EVIL_URL})
- Cursor 让数百个 AI 智能体连续工作 7 天
- 交付 300 万行代码的浏览器 FastRender

### 其他动态

- 谷歌揭秘 Nano Banana 生图模型命名来自凌晨灵感（[ithome]({BRIEF_URL})）

---

{FOOTER}"""

RECORD = {
    "version": 1, "date": DAY, "run_id": "run-test", "generated_at": "2026-01-18T15:40:00+00:00",
    "mode": "llm", "draft_sha256": text_hash(DRAFT),
    "llm": {"sent": 7, "cached": 2, "failed": 0, "tokens_in": 12345, "tokens_out": 678, "cost_usd": 0.0123},
    "cost_usd": 0.0123, "notices": ["a notice for the editor"],
    "dropped": [{"story_id": "s9", "title": "被丢掉的故事", "url": "https://x.example/9", "reason": "LLMError: boom"}],
    "failed_sources": [{"source": "hubtoday", "error": "HTTP 503 <b>down</b>"}],
    "sources": {"qbitai": {"ok": True, "in_window": 1, "new": 1, "failed": []},
                "hubtoday": {"ok": False, "in_window": 0, "new": 0, "failed": [], "listing_failed": {"u": "HTTP 503"}}},
}


def build_home(home: Path, *, draft: str = DRAFT, machine_written: bool = True) -> Settings:
    """A home with the articles, the draft (as a run writes it) and its review record."""
    settings = load_settings(home)
    Store.from_settings(settings).upsert_articles(ARTICLES)
    drafts = Drafts(settings.drafts_dir)
    if machine_written:
        drafts.write(DAY, draft)
    else:
        settings.drafts_dir.mkdir(parents=True, exist_ok=True)
        drafts.current_path(DAY).write_text(draft, encoding="utf-8")
    (settings.drafts_dir / f"{DAY}.review.json").write_text(
        json.dumps(RECORD, ensure_ascii=False), encoding="utf-8")
    return settings


def untouched(settings: Settings) -> bool:
    """The draft is the one ``build_home`` wrote and nothing was published: what a refused
    request must leave behind."""
    return (Drafts(settings.drafts_dir).read_current(DAY) == DRAFT
            and not settings.post_path(DAY_DATE).exists())


# --------------------------------------------------------------------------- Chromium
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


PATIENCE_MS = 60_000


@contextmanager
def chromium_page(profile: Path) -> Iterator[Any]:
    """A Playwright page in a fresh headless ``CHROMIUM`` (``profile``: its user-data-dir);
    the caller skips when Chromium or the playwright package is missing.

    Actions and ``expect`` wait up to a minute: patience for a loaded 2-core machine (a
    live lint once took more than Playwright's default 5 s there), not a time under test;
    what they wait for happens or the test fails."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PATIENCE_MS)

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1360, "height": 1000}, locale="zh-CN",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(PATIENCE_MS)
            yield page
        finally:
            context.close()


# --------------------------------------------------------------------------- PostgreSQL
def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """``host:port`` of a throw-away PostgreSQL cluster on 127.0.0.1, removed on exit.

    Made with the machine's ``initdb`` / ``pg_ctl`` (as the ``postgres`` user when run as
    root). Skips the calling test where the binaries, psycopg or that user are missing,
    or the server does not start.
    """
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and (not shutil.which("runuser") or subprocess.run(["id", "postgres"], capture_output=True).returncode):
        pytest.skip("running as root without a postgres user to run the server as")
    # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="aidaily-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    try:
        subprocess.run(_as_postgres([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
                       check=True, capture_output=True)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
                       check=True, capture_output=True, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_postgres_database(host: str) -> str:
    """A fresh, empty database on the cluster at ``host`` (``host:port``), as a store URL."""
    import psycopg  # only where PostgreSQL tests run; postgres_cluster() skipped otherwise

    name = f"aidaily_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"postgresql://postgres@{host}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}/{name}"


# --- several processes opening one store at once ---------------------------------------------

_OPENER = """
import sys
from aidaily.store.store import Store
sys.stdin.readline()  # every process is started and has imported SQLAlchemy: go at once
Store(sys.argv[1]).update_source(sys.argv[2], ok=True, items=1)
"""


def open_at_once(url: str, processes: int = 3) -> None:
    """Start ``processes`` interpreters that each open the store at ``url`` and write a
    row, release them together, and assert that every one succeeded."""
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent), *sys.path])}
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, url, f"site{k}"], stdin=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, text=True) for k in range(processes)]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * processes, errors


# --- the command line ----------------------------------------------------------------------


@dataclass
class CliResult:
    """What ``aidaily ARGS`` did: its exit code and what it printed on stdout and stderr."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def cli_runner(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """A function running ``aidaily ARGS`` in this process through the console entry point
    (``aidaily.cli.app.main``: library errors printed as ``error: …``, exit 1) as a user
    types it; an exception other than the exit escapes (and fails the test)."""
    import sys

    from aidaily.cli.app import main

    monkeypatch.setenv("COLUMNS", "400")  # one line per message: nothing wrapped mid-phrase

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["aidaily", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


# --- the fixture day's real pages ---------------------------------------------------------
DAY_SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app",
             "https://raw.githubusercontent.com")


def fetch_fixture_day(monkeypatch: pytest.MonkeyPatch, day: str = DAY) -> tuple[int, str]:
    """``aidaily fetch --date DAY`` of the home in ``AIDAILY_HOME`` over the fixture
    day's pages (a mirror on 127.0.0.1 through ``AIDAILY_URL_MAP``): (exit code, output)."""
    from typer.testing import CliRunner

    from aidaily.cli.app import app
    from tests.servers import MirrorServer

    with MirrorServer(Path(__file__).parent / "fixtures" / "day") as mirror:
        monkeypatch.setenv("AIDAILY_URL_MAP", json.dumps(mirror.url_map(*DAY_SITES)))
        result = CliRunner().invoke(app, ["fetch", "--date", day])
    return result.exit_code, result.output


# --------------------------------------------------------------------------- the fixture day
FIXTURE_DAY = Path(__file__).parent / "fixtures" / "day"


def fixture_day_articles() -> list[Article]:
    """Every article of the fixture day (tests/fixtures/day) as the source adapters read
    its pages: 26 ithome, 6 qbitai, 6 hubtoday items."""
    from sources.hubtoday import HubtodaySource
    from sources.ithome import IthomeSource
    from sources.qbitai import QbitaiSource

    articles = []
    for path in sorted((FIXTURE_DAY / "www.ithome.com" / "0").rglob("*.htm")):
        url = "https://www.ithome.com/" + path.relative_to(FIXTURE_DAY / "www.ithome.com").as_posix()
        headers = path.parent / (path.name + ".headers.json")
        charset = "gbk" if headers.exists() and "gbk" in headers.read_text() else "utf-8"
        articles.append(IthomeSource().parse_article(url, path.read_bytes().decode(charset)))
    for path in sorted((FIXTURE_DAY / "www.qbitai.com" / "2026" / "01").glob("*.html")):
        url = f"https://www.qbitai.com/2026/01/{path.name}"
        articles.append(QbitaiSource().parse_article(url, path.read_text(encoding="utf-8")))
    (page,) = (FIXTURE_DAY / "raw.githubusercontent.com").rglob("*.md")
    articles += HubtodaySource().parse_listing(
        "https://raw.githubusercontent.com/x/2026-01-18.md", page.read_text(encoding="utf-8")).articles
    return articles
