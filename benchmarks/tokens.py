"""Tokens per digest: the editor's plan -> write -> finalize against a naive baseline.

A synthetic day of ``--articles`` (default 320) Chinese AI articles, with near-duplicates
across sources, goes through the real selection (relevance, dedup, ranking) and the real
editor, whose LLM client talks to the fake OpenAI-compatible server on 127.0.0.1
(``tests/fakellm.py``; answers are well-formed and article-grounded). Measured on the
same day and with the same token estimate (``aidaily.llm.budget.estimate_tokens``, the client's: ~1 token per
CJK character, ~4 characters per token otherwise):

- **editor**: the prompt of every request the server received, and every answer it sent.
- **naive baseline**: one prompt holding the system prompts of all steps and the full
  text of every candidate story; its completion is the digest body itself.

The provider-reported usage (the fake server counts 2 characters per token) is printed
too. Prints a table and writes ``benchmarks/results/tokens.json``.

    python benchmarks/tokens.py [--articles 320] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidaily.config import Settings  # noqa: E402
from aidaily.editor.draft import write_digest  # noqa: E402
from aidaily.stories.select import candidate_stories  # noqa: E402
from aidaily.llm.client import LLMClient  # noqa: E402
from aidaily.models import Article  # noqa: E402
from aidaily.llm.budget import estimate_tokens  # noqa: E402
from benchmarks.day import BenchEditor  # noqa: E402
from tests.fakellm import FakeLLM, FakeRequest  # noqa: E402

DAY = "2026-01-19"
RESULTS = Path(__file__).resolve().parent / "results" / "tokens.json"
CONTEXT_WINDOW = 128_000  # a common long context, to say whether the baseline even fits

COMPANIES = ["OpenAI", "Anthropic", "谷歌", "英伟达", "xAI", "Meta", "微软", "阿里", "腾讯",
             "字节跳动", "百度", "智谱", "月之暗面", "DeepSeek", "华为", "苹果", "特斯拉", "优必选"]
KINDS = ["大模型", "智能体", "AI 芯片", "推理服务", "人形机器人", "编程助手", "多模态模型", "AI 搜索",
         "语音模型", "视频生成模型", "数据中心", "自动驾驶系统"]
ACTIONS = ["发布", "开源", "上线", "推出", "升级", "曝光", "测试", "交付"]
# words for random sentences: templated text would make every story a near-duplicate
WORDS = ("模型 训练 推理 芯片 算力 数据 开源 发布 用户 企业 开发者 平台 接口 成本 价格 性能 基准 "
         "参数 上下文 多模态 视频 语音 图像 代码 搜索 安全 合规 监管 融资 估值 收入 市场 份额 "
         "合作 生态 插件 终端 手机 汽车 机器人 工厂 医疗 教育 金融 政务 云服务 集群 能耗 "
         "电力 延迟 吞吐 精度 幻觉 对齐 评测 论文 团队 实验室 高校 专利 供应链 出货 订单 "
         "用户量 日活 订阅 广告 分发 入口 浏览器 操作系统 智能体 工作流 自动化 客服 翻译 "
         "写作 设计 游戏 硬件 存储 网络 带宽 显存 量化 蒸馏 微调 检索 知识库 隐私 版权").split()
FILLER = ("业内人士认为，这一进展将推动相关技术在企业场景的落地，同时也带来新的安全与合规挑战。"
          "此前，多家厂商已在相关方向布局，市场竞争日趋激烈。")
CARD_RE = re.compile(r'<card id="([^"]+)"')


def synthetic_day(n: int, seed: int) -> list[Article]:
    """``n`` articles published the day before ``DAY``; about one in five is a second
    report of an earlier story by another source."""
    rng = random.Random(seed)
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 1, 18, 0, 5, tzinfo=tz)
    sources = [("ithome", "https://www.ithome.com/0/915/{}.htm"),
               ("qbitai", "https://www.qbitai.com/2026/01/{}.html")]
    articles: list[Article] = []
    for i in range(n):
        source, pattern = sources[i % 2]
        if articles and rng.random() < 0.2:  # another source's report of an earlier story
            base = rng.choice(articles)
            title, body = base.title, base.text[: len(base.text) * 2 // 3]
        else:
            company, kind = rng.choice(COMPANIES), rng.choice(KINDS)
            product = f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.choice('aeiou')}{rng.choice('nrstlx')}-{i}"
            title = (f"{company}{rng.choice(ACTIONS)}{kind} {product}，"
                     f"{''.join(rng.sample(WORDS, 3))}提升 {rng.randint(2, 900)}%")
            sentences = [f"{''.join(rng.sample(WORDS, rng.randint(6, 12)))} {rng.randint(2, 9000)} 个"
                         for _ in range(rng.randint(12, 40))]
            body = (f"{company}今天{rng.choice(ACTIONS)}了{kind} {product}，"
                    + "。".join(sentences) + "。" + FILLER * rng.randint(2, 6))
        articles.append(Article(
            url=pattern.format(100000 + i), source=source, title=title, text=body,
            published=start + timedelta(minutes=4 * i % 1430),
            images=[f"https://img.example.com/{i}.png"],
        ))
    return articles


def answer(request: FakeRequest) -> Any:
    """Well-formed answers: this plan (12 stories, each with its block), then what
    ``benchmarks.day.BenchEditor`` writes (facts are news sentences of the article)."""
    kind = (request.schema or {}).get("title")
    user = next(m["content"] for m in request.messages if m["role"] == "user")
    if kind == "Plan":
        ids = CARD_RE.findall(user)
        groups = [{"story_ids": [sid], "commentary": True} for sid in ids[:12]]
        return {"sections": [{"title": f"主题{k}：AI 进入“新阶段”", "groups": groups[3 * k: 3 * k + 3]}
                             for k in range(4)], "other_ids": ids[12:18]}
    return BenchEditor.answer(request)  # the write, one-liner and finalize answers of day.py


def measure(n_articles: int, seed: int) -> dict[str, Any]:
    articles = synthetic_day(n_articles, seed)
    replies: list[str] = []

    def recording(request: FakeRequest) -> Any:
        out = answer(request)
        replies.append(json.dumps(out, ensure_ascii=False))
        return out

    with tempfile.TemporaryDirectory() as tmp, FakeLLM() as fake:
        fake.responder = recording
        settings = Settings.model_validate({
            "home": tmp,
            "llm": {"base_url": fake.base_url, "api_key": "sk-bench", "token_budget": 0},
        })
        t0 = time.perf_counter()
        stories = candidate_stories(articles, settings.ai_keywords)
        t_select = time.perf_counter() - t0

        async def run() -> Any:
            async with LLMClient(settings.llm, db_url=None, run_id="bench") as client:
                return await write_digest(date.fromisoformat(DAY), stories, settings, client)

        t0 = time.perf_counter()
        result = asyncio.run(run())
        t_edit = time.perf_counter() - t0
        requests = list(fake.requests)

    prompt = sum(estimate_tokens(m["content"]) for r in requests for m in r.messages)
    completion = sum(estimate_tokens(c) for c in replies)

    # the naive baseline: every candidate's full text, all instructions, one prompt. The
    # instructions are the system prompts the editor itself sent (plan, write, finalize: each
    # distinct one once), so the baseline follows the prompts as they change.
    systems = list(dict.fromkeys(m["content"] for r in requests for m in r.messages if m["role"] == "system"))
    system = "\n\n".join(systems)
    corpus = "\n".join(f'<article id="{s.id}">\n{a.title}\n{a.text}\n</article>'
                       for s in stories for a in s.articles)
    base_prompt = estimate_tokens(system) + estimate_tokens(corpus)
    base_completion = estimate_tokens(result.text.split("\n---\n\n<div")[0])
    return {
        "articles": n_articles,
        "candidate_stories": len(stories),
        "digest": {"sections": len(result.digest.sections), "items": len(result.digest.items),
                   "briefs": len(result.digest.briefs)},
        "editor": {"requests": len(requests), "prompt_tokens": prompt,
                   "completion_tokens": completion, "total_tokens": prompt + completion,
                   "provider_reported": {"prompt_tokens": result.usage.tokens_in,
                                         "completion_tokens": result.usage.tokens_out},
                   "seconds_select": round(t_select, 3), "seconds_edit": round(t_edit, 3)},
        "naive": {"requests": 1, "prompt_tokens": base_prompt, "completion_tokens": base_completion,
                  "total_tokens": base_prompt + base_completion,
                  "fits_context": base_prompt + base_completion <= CONTEXT_WINDOW},
        "ratio_total": round((prompt + completion) / (base_prompt + base_completion), 4),
        "ratio_prompt": round(prompt / base_prompt, 4),
        "estimator": "aidaily.llm.budget.estimate_tokens (1/CJK char, 1 per 4 other chars)",
        "context_window": CONTEXT_WINDOW,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=320)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    res = measure(args.articles, args.seed)
    e, b = res["editor"], res["naive"]
    print(f"synthetic day: {res['articles']} articles -> {res['candidate_stories']} candidate stories; "
          f"digest {res['digest']['items']} stories + {res['digest']['briefs']} one-liners")
    print(f"{'':24}{'requests':>10}{'prompt':>12}{'completion':>12}{'total':>12}")
    print(f"{'editor (plan/write/fin.)':24}{e['requests']:>10}{e['prompt_tokens']:>12}"
          f"{e['completion_tokens']:>12}{e['total_tokens']:>12}")
    print(f"{'naive (one prompt)':24}{b['requests']:>10}{b['prompt_tokens']:>12}"
          f"{b['completion_tokens']:>12}{b['total_tokens']:>12}")
    print(f"editor / naive: total {res['ratio_total']:.3f}, prompt {res['ratio_prompt']:.3f}; "
          f"naive fits a {CONTEXT_WINDOW // 1000}k context: {b['fits_context']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
