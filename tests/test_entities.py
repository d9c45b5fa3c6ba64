"""What a name, a product and a version are in real Chinese news text (``checks/entities``).

Grounding asks whether a bullet's names occur in its sources, and dedup takes shared
product names as evidence that two articles tell one story: both read the spans and names
below. Every sentence here is copied from the corpus (IT之家/量子位 feed items or a
published issue) unless a comment says it was written for the case.
"""

from __future__ import annotations

import pytest

from aidaily.checks.entities import (
    canonical_name,
    canonicalize_text,
    entity_kind,
    entity_variants,
    extract_entities,
    find_entities,
    normalize_entities,
)


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(start, end, entity.name) for start, end, entity in find_entities(text)]


# --- the table: one canonical name per company, person, product ---------------------------


@pytest.mark.parametrize(("written", "name", "kind"), [
    ("英伟达", "Nvidia", "org"), (" ＮＶＩＤＩＡ ", "Nvidia", "org"),  # full width, spaces around
    ("nvidia", "Nvidia", "org"), ("黄仁勋", "Jensen Huang", "person"), ("豆包", "Doubao", "product"),
    ("Colossus", "Colossus", None),  # not in the table: unchanged, no kind
])
def test_a_written_name_has_one_canonical_name_and_kind(written: str, name: str, kind: str | None) -> None:
    assert canonical_name(written) == name
    assert entity_kind(written) == kind


def test_the_variants_of_a_name_are_every_spelling_of_its_entity() -> None:
    assert entity_variants("字节") == ("ByteDance", "字节跳动", "字节")
    assert entity_variants("Colossus") == ("Colossus",)


# --- find_entities: spans of known names -------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # Latin names at the start of the text, in their own case or any case
    ("GitHub：", [(0, 6, "GitHub")]),
    ("Github：", [(0, 6, "GitHub")]),
    ("Meta 启动大规模重组：", [(0, 4, "Meta")]),
    ("AMD 新品专题活动页", [(0, 3, "AMD")]),
    # two names in a row, the second in another case than the table's
    ("兼容 Qwen、Deepseek 等主流模型", [(3, 7, "Qwen"), (8, 16, "DeepSeek")]),
    # a name after a Latin word that is none
    ("### [印度政府勒令X平台紧急整改Grok！涉生成女性篡改色情图像，72小时内提交合规报告",
     [(18, 22, "Grok")]),
    # two-word names are one span, not a first name and a surname
    ("Sam Altman 在 X 平台确认了此次更新。", [(0, 10, "Sam Altman")]),
    ("Google DeepMind 表示这仅仅是开始。", [(0, 15, "Google")]),
    # a known surname after another given name is a relative or namesake (the archive, 2026-06-13)
    ("其CEO Dario Amodei只有一名直属下级。日常运营交给联合创始人（也是他妹妹）Daniela Amodei。",
     [(5, 17, "Dario Amodei")]),
    ("总裁 Daniela Amodei 表示", []),
    ("Anthropic CEO Amodei 表示", [(0, 9, "Anthropic"), (14, 20, "Dario Amodei")]),
    ("Jack Altman 与 Sam Altman", [(14, 24, "Sam Altman")]),
    ("稳健的财务状况是 Hugging Face 敢于拒绝英伟达的底气所在。", [(9, 21, "Hugging Face"), (26, 29, "Nvidia")]),
    # a known name before a hyphen is the span (the model after it is a name of its own,
    # see extract_entities below)
    ("| 指标 | DeepSeek-V4-Flash | DeepSeek-V4-Pro |", [(7, 15, "DeepSeek"), (27, 35, "DeepSeek")]),
    ("### 阿里Qwen-Audio-3.0拿下语音赛道全球大满贯", [(4, 6, "Alibaba"), (6, 10, "Qwen")]),
    # Chinese names are substrings; 字节 next to 豆包 is ByteDance
    ("字节豆包也在内测类似功能，支持抖音电商内购买。", [(0, 2, "ByteDance"), (2, 4, "Doubao")]),
])
def test_known_names_and_their_spans(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize("text", [
    "XAI 可解释性",  # written for the case: explainable AI, not Musk's xAI
    "一个 meta 标签",  # written for the case: the word, not the company
    "meta-learning",  # nor before a hyphen
])
def test_a_name_whose_case_carries_meaning_is_not_found_in_another_case(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize("text", [
    # byte counts and byte words are not ByteDance
    "- [Retropad：2749字节的纯C语言记事本复刻](https://www.qbitai.com/2026/06/432425.html)",
    "远程控制接口升级至 JSON-RPC 2.0 标准，新增节点流量统计、下载进度字节数等数据字段；",
    # written for the cases the corpus has no sentence of (the guard's other words, a count
    # at the very start of a text)
    "1 字节等于 8 比特",
    "Java 源码先编译为字节码再运行",
    "网络传输统一使用大端字节序",
    "以字节流的方式读取文件",
])
def test_bytes_are_not_bytedance(text: str) -> None:
    assert "ByteDance" not in [name for _, _, name in spans(text)]
    assert "ByteDance" not in extract_entities(text)


def test_canonical_text_names_every_entity_by_its_canonical_name() -> None:
    # dedup shingles this text: 苹果 and Apple must shingle alike, nothing else may change
    assert canonicalize_text("## 苹果、谷歌隐私策略分化") == "## Apple、Google隐私策略分化"
    assert canonicalize_text("### 英特尔上线 AI 客服 Ask Intel") == "### Intel上线 AI 客服 Ask Intel"


# --- extract_entities: names, products and their versions --------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # a product takes its model and edition words, up to three; a score after it is no version
    ("在 SWE-bench Pro 上领先 Claude Opus 4.6 Max 8.3 分，OSWorld-Verified（电脑操作）84.3 分对 72.7 分",
     ["SWE-bench Pro", "Claude", "Claude Opus 4.6 Max", "OSWorld-Verified"]),
    ("- 通过Claude Cowork平台交付，首批支持QuickBooks、PayPal、HubSpot、Canva、DocuSign等工具",
     ["Claude", "Claude Cowork", "QuickBooks", "PayPal", "HubSpot", "Canva", "DocuSign"]),
    ("月之暗面开源2.8万亿参数Kimi K3模型，华为昇腾、阿里云、海光DCU同日完成适配",
     ["Moonshot", "Kimi", "Kimi K3", "Huawei", "Alibaba", "DCU"]),
    # a generic word (API) ends a product; a date after it is no version
    ("### Gemini API 引入 Webhooks 功能", ["Gemini", "Webhooks"]),
    ("数据显示，Claude 2月27日下载量环比增长37%", ["Claude"]),
    # a name never absorbs a known name after it (IDE Cursor is Cursor)
    ("AI编程IDE Cursor宣布收购代码审查工具Graphite，后者以“堆叠式PR”（Stacked PRs）流程著称。",
     ["IDE", "Cursor", "Graphite", "PR", "Stacked PRs"]),
    # the words of a known name are not names of their own
    ("Sam Altman 在 X 平台确认了此次更新。", ["Sam Altman"]),
    ("Anthropic 总裁 Daniela Amodei 表示", ["Anthropic", "Daniela", "Amodei"]),
    ("Google DeepMind 表示这仅仅是开始。", ["Google"]),
    # ... but a model joined to one by a hyphen is a name of its own
    ("| 指标 | DeepSeek-V4-Flash | DeepSeek-V4-Pro |", ["DeepSeek", "DeepSeek-V4-Flash", "DeepSeek-V4-Pro"]),
    ("### 阿里Qwen-Audio-3.0拿下语音赛道全球大满贯", ["Alibaba", "Qwen", "Qwen-Audio-3.0"]),
    ("- **价格优势明显**：每百万Tokens输入不到0.8元，约为Gemini-3.1 Pro定价的1/10，这将大幅降低企业级AI应用的门槛。",
     ["Gemini", "Gemini-3.1 Pro"]),
    # a Latin name right after a Chinese one, and at the start of the text
    ("- [字节Trae调整计费方式，由按次收费改为按Token计费](https://www.ithome.com/0/923/234.htm)",
     ["ByteDance", "Trae"]),
    ("Retropad：2749字节的纯C语言记事本复刻", ["Retropad", "C"]),
    # a Chinese product name is the canonical name only
    ("字节豆包也在内测类似功能，支持抖音电商内购买。", ["ByteDance", "Doubao"]),
    # in order of first occurrence, each once whatever its spelling
    ("兼容 Qwen、Deepseek 等主流模型", ["Qwen", "DeepSeek"]),
    # lower-case words are English, not names, unless joined by "_" (an identifier)
    ("- 仅支持 thinking 模式，可通过 reasoning_effort 调节推理深度。", ["reasoning_effort"]),
    # written for the case: the canonical name comes before the phrase it starts
    ("KIMI K2 发布", ["Kimi", "KIMI K2"]),
])
def test_names_products_and_versions(text: str, expected: list[str]) -> None:
    assert extract_entities(text) == expected


def test_the_set_of_names() -> None:
    assert normalize_entities("兼容 Qwen、Deepseek 等主流模型") == {"Qwen", "DeepSeek"}


@pytest.mark.parametrize(("text", "surname", "person", "namesake"), [
    ("Daniela Amodei", "Amodei", "Dario Amodei", True),  # a given name at the very start
    ("联合创始人 Daniela Amodei", "Amodei", "Dario Amodei", True),
    ("Dario Amodei", "Amodei", "Dario Amodei", False),  # the person's own given name
    ("CEO Amodei", "Amodei", "Dario Amodei", False),  # a title, not a given name
    ("DANIELA Amodei", "Amodei", "Dario Amodei", False),
    ("Daniela  Amodei", "Amodei", "Dario Amodei", False),  # not one space: not one name
    ("x" * 60 + " Amodei", "Amodei", "Dario Amodei", False),
    ("Jack Dario", "Dario", "Dario Amodei", False),  # the person's given name itself
    ("Kimbal Musk", "Musk", "Musk", False),  # a one-word name has no surname of its own
    ("Jack Nvidia", "Nvidia", "Nvidia", False),  # not a person
    ("Jack Face", "Face", "Hugging Face", False),  # not a person, though two words
    ("Daniela 阿莫迪", "阿莫迪", "Dario Amodei", True),  # the surname in Chinese after her given name
])
def test_a_surname_after_another_given_name_is_a_namesake(text: str, surname: str, person: str,
                                                          namesake: bool) -> None:
    from aidaily.checks.entities import entity_named, namesake_at

    entity = entity_named(person)
    assert entity is not None
    start = text.rindex(surname)
    assert namesake_at(text, start, start + len(surname), entity) is namesake
