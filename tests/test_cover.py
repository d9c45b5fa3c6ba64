"""The issue's cover: a picture the project draws (title, date, leading names) with a CJK
font it installs, written beside the draft, named by ``coverImage`` and published with
the post; a fixed cover, a source's picture or an images endpoint when configured so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pydantic import SecretStr
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import CoverSettings, Settings, load_settings
from aidaily.editor.cover import (
    CoverText,
    cover_text,
    font_file,
    glyph_bitmap,
    leading_names,
    load_font,
    make_cover,
    render_cover,
    tofu,
    wrap,
)
from aidaily.errors import ConfigError, PublishError
from aidaily.review.publish import publish_draft
from aidaily.format.parse import parse
from tests.factories import DAY, DAY_DATE, DRAFT, SMALL_DIGEST, make_stories, store_handmade_day
from tests.fakellm import FakeLLM, Reply

TITLE = "GW 级超算与百万行浏览器：AI 边际成本归零日"
COVER_URL = f"/images/covers/{DAY}.png"


@pytest.fixture
def day_home(home: Path) -> Path:
    """A home with the handmade day stored and a small digest configured."""
    return store_handmade_day(home)


def configure(home: Path, extra: str) -> None:
    (home / "aidaily.toml").write_text(SMALL_DIGEST + extra, encoding="utf-8")


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def draft_path(home: Path) -> Path:
    return home / "output" / "drafts" / f"{DAY}.md"


def cover_file(home: Path) -> Path:
    return home / "output" / "drafts" / "covers" / f"{DAY}.png"


def white_pixels(png: bytes, box: tuple[int, int, int, int]) -> int:
    with Image.open(io.BytesIO(png)) as image:
        band = image.convert("L").crop(box)
        return sum(band.histogram()[236:])


# --- the font -----------------------------------------------------------------------------


def test_the_installed_font_draws_chinese_characters_not_tofu() -> None:
    path = font_file(CoverSettings())
    assert path.is_file()  # found through the font package, not a path of this machine
    font = load_font(path, 48)
    assert font.getname()[0] == "Noto Sans CJK SC"
    notdef = glyph_bitmap(font, "\U000f0000")  # a private-use code point: the .notdef box
    chars = "级超算与百万行浏览器边际成本归零日"
    glyphs = [glyph_bitmap(font, c) for c in chars]
    assert all(any(pixels) for _, pixels in glyphs)  # ink
    assert notdef not in glyphs  # no box
    assert len(set(glyphs)) == len(chars)  # each character its own glyph
    assert tofu(TITLE, font) == []
    assert tofu("算\U000f0001", font) == ["\U000f0001"]  # the check sees a box when there is one


def test_a_configured_font_that_is_missing_is_a_clear_error(tmp_path: Path) -> None:
    from aidaily.errors import CoverError

    with pytest.raises(CoverError, match="no font file"):
        font_file(CoverSettings(font=str(tmp_path / "nope.ttf")))
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(CoverError, match="cannot read the cover font"):
        load_font(bad, 20, 0)


# --- the pure parts -------------------------------------------------------------------------


def test_leading_names_span_the_main_stories() -> None:
    headlines = ["xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群", "GPT-5.2 Pro 再解公开 Erdős 难题",
                 "Claude Cowork 下放 20 美元档", "Anthropic 拟新融资，Claude 用户翻倍",
                 "英伟达 2025 财年营收 1305 亿美元"]
    assert leading_names(headlines, 4) == ["xAI", "GPT-5.2 Pro", "Claude Cowork", "Anthropic"]
    assert leading_names(headlines[:1], 4) == ["xAI", "Colossus 2"]  # then each one's next
    assert leading_names(["英伟达与微软合作"], 4) == ["Nvidia", "Microsoft"]
    assert leading_names(["没有名字的标题"], 4) == [] and leading_names(headlines, 0) == []


def test_wrap_breaks_between_characters_keeps_words_and_punctuation() -> None:
    font = load_font(font_file(CoverSettings()), 40)
    lines = wrap("英伟达发布 Blackwell Ultra 芯片，“算力”再翻倍。", font, 240)
    assert "".join(lines).replace(" ", "") == "英伟达发布BlackwellUltra芯片，“算力”再翻倍。"
    assert all(font.getlength(line) <= 240 + font.getlength("，") for line in lines)
    assert any("Blackwell" in line for line in lines)  # a word is never split
    assert not any(line[0] in "，。”" for line in lines)  # no line starts with closing marks
    assert not any(line[-1] == "“" for line in lines)  # none ends with an opening one


def test_render_cover_is_a_large_png_with_the_title_drawn() -> None:
    font = font_file(CoverSettings())
    text = CoverText(TITLE, DAY_DATE, ("xAI", "Cursor", "Anthropic"))
    png = render_cover(text, font)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)
    assert render_cover(text, font) == png  # the same issue, the same bytes
    title_band = (60, 180, 1140, 480)
    blank = render_cover(CoverText("", DAY_DATE, text.names), font)
    assert white_pixels(blank, title_band) == 0
    assert white_pixels(png, title_band) > 5000  # the title's strokes
    other = render_cover(CoverText(TITLE.replace("超算", "芯片"), DAY_DATE, text.names), font)
    assert other != png
    bigger = render_cover(text, font, size=(1600, 900))
    with Image.open(io.BytesIO(bigger)) as image:
        assert image.size == (1600, 900)


def test_a_title_too_long_for_three_lines_ends_with_an_ellipsis() -> None:
    from aidaily.editor.cover import fit_title

    path = font_file(CoverSettings())
    font, lines = fit_title("人工智能" * 60, path, None, 1056, 3, [68, 42])
    assert font.size == 42 and len(lines) == 3 and lines[-1].endswith("…")


def test_cover_settings_refuse_a_file_name_that_leaves_the_folder(home: Path) -> None:
    (home / "aidaily.toml").write_text('[cover]\nfilename = "../{date}.png"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="filename"):
        load_settings(home)
    (home / "aidaily.toml").write_text('[cover]\nwidth = 800\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="width"):
        load_settings(home)


# --- a run writes it, publishing copies it ---------------------------------------------------


def test_write_makes_the_cover_its_draft_names(day_home: Path) -> None:
    code, out = cli("write", "--date", DAY)
    assert code == 0, out
    digest = parse(draft_path(day_home).read_text(encoding="utf-8"))
    assert digest.front_matter.get("coverImage") == COVER_URL  # not a source's picture
    png = cover_file(day_home).read_bytes()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width >= 1200 and image.height >= 630
    settings = load_settings(day_home)
    spec = cover_text(digest, DAY_DATE, settings.cover)
    assert spec.title == digest.front_matter.get("title") and spec.names  # the draft's own
    assert png == render_cover(spec, font_file(settings.cover))
    assert tofu(spec.title + "".join(spec.names), load_font(font_file(settings.cover), 48)) == []
    assert "│ cover " in out  # the run's summary names it


def test_the_url_prefix_is_configurable(day_home: Path) -> None:
    configure(day_home, '[cover]\nurl_prefix = "https://blog.example.com/images/covers/"\n')
    assert cli("write", "--date", DAY)[0] == 0
    digest = parse(draft_path(day_home).read_text(encoding="utf-8"))
    assert digest.front_matter.get("coverImage") == f"https://blog.example.com/images/covers/{DAY}.png"
    assert cover_file(day_home).is_file()


def test_publish_copies_the_cover_beside_the_post(day_home: Path) -> None:
    assert cli("write", "--date", DAY)[0] == 0
    code, out = cli("publish", DAY, "--force")  # an extractive draft has placeholders
    assert code == 0, out
    post = (day_home / "output" / f"ai-daily-{DAY}.md").read_text(encoding="utf-8")
    assert f'coverImage: "{COVER_URL}"' in post
    published = day_home / "output" / "images" / "covers" / f"{DAY}.png"
    assert published.read_bytes() == cover_file(day_home).read_bytes()
    assert "cover" in out


def test_publish_draws_a_missing_cover_from_the_post_into_the_configured_folder(
    day_home: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site" / "static" / "covers"
    configure(day_home, f'[cover]\ndir = "{site}"\n')
    assert cli("write", "--date", DAY)[0] == 0
    before = cover_file(day_home).read_bytes()
    cover_file(day_home).unlink()
    assert cli("publish", DAY, "--force")[0] == 0
    assert (site / f"{DAY}.png").read_bytes() == before == cover_file(day_home).read_bytes()


def test_a_hand_edited_title_is_drawn_on_the_cover(day_home: Path) -> None:
    assert cli("write", "--date", DAY)[0] == 0
    machine = cover_file(day_home).read_bytes()
    path = draft_path(day_home)
    text = path.read_text(encoding="utf-8")
    title = parse(text).front_matter.get("title")
    edited = text.replace(f"title: {title}\n", "title: 编辑改过的标题：算力与智能体\n", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    code, out = cli("write", "--date", DAY)
    assert code == 0 and "edited by hand" in out
    settings = load_settings(day_home)
    spec = cover_text(parse(edited), DAY_DATE, settings.cover)
    assert spec.title == "编辑改过的标题：算力与智能体"
    assert cover_file(day_home).read_bytes() == render_cover(spec, font_file(settings.cover)) != machine


def test_a_cover_that_cannot_be_made_is_a_notice_and_publishing_refuses(day_home: Path) -> None:
    configure(day_home, '[cover]\nfont = "/nonexistent/font.ttf"\n')
    code, out = cli("write", "--date", DAY)
    assert code == 0 and draft_path(day_home).is_file()
    assert "cover not made" in out and not cover_file(day_home).exists()
    with pytest.raises(PublishError, match="cover of 2026-01-19 cannot be made.*no font file"):
        publish_draft(load_settings(day_home), DAY_DATE, force=True)
    assert not (day_home / "output" / f"ai-daily-{DAY}.md").exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [  # appended to the [digest] table of SMALL_DIGEST
        ('cover_image = "https://cdn.example.com/cover.png"\n', "https://cdn.example.com/cover.png"),
        ('[cover]\nprovider = "source"\n', "first main story's picture"),
        ('[cover]\nprovider = "none"\n', None),
    ],
)
def test_a_fixed_cover_a_sources_picture_or_none_makes_no_file(
    day_home: Path, extra: str, expected: str | None
) -> None:
    configure(day_home, extra)
    assert cli("write", "--date", DAY)[0] == 0
    digest = parse(draft_path(day_home).read_text(encoding="utf-8"))
    if expected == "first main story's picture":  # whichever story the ranking put first
        pictures = {a.url: a.lead_image for s in make_stories() for a in s.articles}
        expected = next(pictures[i.url] for i in digest.items if pictures.get(i.url))
        assert expected and expected.startswith("https://img.example.com/")
    assert digest.front_matter.get("coverImage") == expected
    assert not cover_file(day_home).exists()
    assert cli("publish", DAY, "--force")[0] == 0
    assert not (day_home / "output" / "images").exists()


# --- an images endpoint paints the background ---------------------------------------------


def own_draft(settings: Settings) -> str:
    return DRAFT.replace('seo: ["AI 日报","xAI"]\n',
                         f'seo: ["AI 日报","xAI"]\ncoverImage: "{settings.cover.url(DAY_DATE)}"\n')


def openai_settings(home: Path, fake: FakeLLM) -> Settings:
    settings = load_settings(home)
    return settings.model_copy(update={
        "llm": settings.llm.model_copy(update={"base_url": fake.base_url, "api_key": SecretStr("sk-img-secret"),
                                               "max_retries": 0}),
        "cover": settings.cover.model_copy(update={"provider": "openai", "model": "img-model",
                                                   "size": "1024x1024", "timeout": 5.0}),
    })


def test_an_images_endpoint_paints_the_background_once(home: Path) -> None:
    with FakeLLM() as fake:
        settings = openai_settings(home, fake)
        text = own_draft(settings)
        made = make_cover(settings, DAY_DATE, text)
        assert made.path == settings.cover_file(DAY_DATE) and made.notices == []
        assert len(fake.image_requests) == 1 and fake.calls == 0
        request = fake.image_requests[0]
        assert request["model"] == "img-model" and request["size"] == "1024x1024"
        assert "GW 级超算" in request["prompt"]
        painted = made.path.read_bytes()
        drawn = render_cover(cover_text(parse(text), DAY_DATE, settings.cover), font_file(settings.cover))
        assert painted != drawn  # the endpoint's picture behind the title
        with Image.open(made.path) as image:
            assert image.size == (1200, 630)
        assert make_cover(settings, DAY_DATE, text).path == made.path
        assert len(fake.image_requests) == 1  # kept: asked once
        assert made.path.read_bytes() == painted


def test_when_the_images_endpoint_fails_the_drawn_cover_stands(home: Path) -> None:
    with FakeLLM() as fake:
        fake.image_reply = Reply.error(500, "no images today")
        settings = openai_settings(home, fake)
        text = own_draft(settings)
        made = make_cover(settings, DAY_DATE, text)
        assert made.path is not None and len(made.notices) == 1
        assert "images endpoint gave no picture" in made.notices[0]
        assert "sk-img-secret" not in made.notices[0]
        drawn = render_cover(cover_text(parse(text), DAY_DATE, settings.cover), font_file(settings.cover))
        assert made.path.read_bytes() == drawn
        fake.image_reply = b"not a picture"
        assert "no picture" in make_cover(settings, DAY_DATE, text).notices[0]  # asked again
        assert len(fake.image_requests) == 2
