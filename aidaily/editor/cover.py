"""The issue's cover: a picture of the series' own, drawn from the issue's title, date and
leading names, instead of a source's picture hotlinked from its site.

    render_cover(CoverText, font) -> PNG bytes      pure: plain data in, bytes out
    cover_text(digest, day, settings) -> CoverText   what a draft or post shows on it
    make_cover(settings, day, text) -> Cover         the edge: draws and writes the file

``[cover]`` in ``aidaily.toml`` (``config.CoverSettings``) chooses the provider and where
the files go: ``output/drafts/covers/<YYYY-MM-DD>.png`` beside the drafts, copied to
``<publish dir>/images/covers/`` on publishing, named ``coverImage: "/images/covers/…"``.
A cover is the project's when the text's ``coverImage`` is ``cover.url(day)``; a fixed
``digest.cover_image`` or the ``source`` / ``none`` providers make no file.

The font is Noto Sans CJK SC from the ``noto-cjk-sans-otc`` package (a declared
dependency, SIL OFL 1.1), found through its ``FONT_PATH``; ``cover.font`` may name another.
With ``provider = "openai"`` an OpenAI-compatible images endpoint paints the background
(kept as ``covers/backgrounds/<name>``, so a re-run asks once) and the title is drawn over
it; when the endpoint fails the rendered cover stands, with a notice.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from aidaily.atomic import atomic_write_bytes
from aidaily.checks.entities import extract_entities
from aidaily.errors import CoverError, DigestParseError
from aidaily.format.parse import parse
from aidaily.redaction import redact

if TYPE_CHECKING:
    from aidaily.config import CoverSettings, Settings
    from aidaily.format.digest import Digest

COVER_KEY = "coverImage"
WEEKDAYS = "一二三四五六日"
# Characters a line may not start with (they stay at the end of the line before).
NO_LINE_START = set("，。、；：！？）》」』”’】〕…%,.;:!?)]")
# Characters a line may not end with (they go down with what they open).
NO_LINE_END = set("“‘（《「『【〔([")
_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_/%'’-]*|\s+|.", re.DOTALL)
#: The longest title drawn (characters; a longer one is cut with "…"): house titles
#: run 16-39, three lines at the smallest size hold about 75.
MAX_TITLE_CHARS = 120
_NOTDEF_PROBE = "\U000f0000"  # a private-use code point no font draws: its .notdef glyph

# Colours (RGB): a dark blue field, a sky-blue accent, white title.
BACKGROUND_TOP = (11, 18, 38)
BACKGROUND_BOTTOM = (26, 48, 110)
ACCENT = (56, 189, 248)
TITLE = (255, 255, 255)
MUTED = (203, 213, 225)
CHIP_FILL = (15, 23, 42)


@dataclass(frozen=True)
class CoverText:
    """What a cover shows."""

    title: str
    day: date
    names: tuple[str, ...] = ()
    series: str = "AI 日报"


@dataclass
class Cover:
    """What ``make_cover`` did: the file (None: the issue's cover is not the project's)
    and anything the editor should know."""

    path: Path | None
    notices: list[str] = field(default_factory=list)


# --- what the cover says ------------------------------------------------------------------


def leading_names(headlines: Iterable[str], limit: int = 4) -> list[str]:
    """A few names from the headlines (``checks.entities.extract_entities``), the first
    story's first: in turn, each headline gives its first name not taken yet, so the
    names span the stories. A product's longer name wins (``Claude Cowork`` over
    ``Claude``); a name inside one already taken, or around it, is skipped."""
    pools = []
    for headline in headlines:
        names = extract_entities(headline)
        pools.append([n for n in names if not any(o.startswith(n + " ") for o in names)])
    chosen: list[str] = []

    def taken(name: str) -> bool:
        low = name.lower()
        return any(low in c.lower() or c.lower() in low for c in chosen)

    while len(chosen) < limit:
        added = False
        for pool in pools:
            fresh = next((n for n in pool if not taken(n)), None)
            if fresh is not None and len(chosen) < limit:
                chosen.append(fresh)
                added = True
        if not added:
            break
    return chosen


def cover_text(digest: Digest, day: date, settings: CoverSettings) -> CoverText:
    """The cover of a parsed draft or post: its title, ``day`` and the leading names of
    its main stories' headlines."""
    title = digest.front_matter.get("title")
    if not isinstance(title, str) or not title.strip():
        title = digest.title or ""
    names = leading_names((item.title for item in digest.items), settings.names)
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:  # the house's run 16-39; three lines hold no more
        title = title[:MAX_TITLE_CHARS].rstrip() + "…"
    return CoverText(title, day, tuple(names), settings.series)


def date_line(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日 · 星期{WEEKDAYS[day.weekday()]}"


# --- fonts --------------------------------------------------------------------------------


def font_file(settings: CoverSettings) -> Path:
    """The configured font, else the shipped Noto Sans CJK collection.

    Raises:
        CoverError: the configured file does not exist.
    """
    if settings.font:
        path = Path(settings.font).expanduser()
        if not path.is_file():
            raise CoverError(f"cover.font: no font file at {path}")
        return path
    # deferred: the Noto CJK font package, only when this runs (`aidaily run`, `serve` load the
    # module)
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@lru_cache(maxsize=8)
def face_index(path: Path) -> int:
    """The face of ``path`` to draw with: in a collection, the Simplified Chinese one
    (``… SC``, not the monospaced), else the first."""
    faces: list[tuple[int, str]] = []
    for index in range(64):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        faces.append((index, family))
    for index, family in faces:
        if family.endswith(" SC") and "Mono" not in family:
            return index
    return 0


def load_font(path: Path, size: int, index: int | None = None) -> ImageFont.FreeTypeFont:
    """``path`` at ``size`` px (basic layout: the same drawing on every machine).

    Raises:
        CoverError: the file is not a font Pillow can read.
    """
    try:
        return _font(path, size, face_index(path) if index is None else index)
    except OSError as exc:
        raise CoverError(f"cannot read the cover font {path}: {exc}") from None


@lru_cache(maxsize=32)
def _font(path: Path, size: int, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.BASIC)


def glyph_bitmap(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    """The size and pixels of ``char`` as ``font`` draws it (for comparing glyphs)."""
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def tofu(text: str, font: ImageFont.FreeTypeFont) -> list[str]:
    """The characters of ``text`` that ``font`` would draw as its .notdef box."""
    notdef = glyph_bitmap(font, _NOTDEF_PROBE)
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and char not in seen and glyph_bitmap(font, char) == notdef:
            seen[char] = None
    return list(seen)


# --- drawing --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _length(font: ImageFont.FreeTypeFont, token: str) -> float:
    return float(font.getlength(token))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: breaks between CJK characters or Latin
    words, never before closing or after opening punctuation; a word wider than a line
    is cut.

    Linear in ``text``: a line's width is the sum of its tokens' (each distinct token
    measured once), never the whole line measured again per token — a line that never
    widens (a letter and 10,000 combining marks) would make that quadratic."""
    lines: list[str] = []
    line, line_w, visible = "", 0.0, False  # visible: the line holds more than spaces
    for token in _TOKEN_RE.findall(text):
        if token.isspace():
            if line:
                line += " "
                line_w += _length(font, " ")
            continue
        token_w = _length(font, token)
        if line_w + token_w <= width or not visible and len(token) == 1 or token[0] in NO_LINE_START:
            line += token
            line_w, visible = line_w + token_w, True
        elif token_w > width:  # a very long word: cut it
            for char in token:
                char_w = _length(font, char)
                if line_w + char_w > width and visible:
                    lines.append(line.rstrip())
                    line, line_w = "", 0.0
                line += char
                line_w, visible = line_w + char_w, True
        else:
            carried = ""
            while line and line[-1] in NO_LINE_END:
                line, carried = line[:-1], line[-1] + carried
            if visible and line.strip():
                lines.append(line.rstrip())
            line = carried + token
            line_w, visible = sum(_length(font, c) for c in carried) + token_w, True
    if visible and line.strip():
        lines.append(line.rstrip())
    return lines


def balance(text: str, font: ImageFont.FreeTypeFont, width: float, count: int) -> list[str]:
    """``text`` wrapped in ``count`` lines of even length: at the narrowest width that
    still takes no more lines (no last line of one lone character)."""
    low, high = 0.0, width
    while high - low > 4:
        middle = (low + high) / 2
        if len(wrap(text, font, middle)) <= count:
            high = middle
        else:
            low = middle
    return wrap(text, font, high)


def fit_title(title: str, font_path: Path, index: int | None, width: float, max_lines: int,
              sizes: Sequence[int]) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of ``sizes`` at which ``title`` fits in ``max_lines`` (balanced); at
    the smallest, the lines that fit, the last ending in "…"."""
    for size in sizes:
        font = load_font(font_path, size, index)
        lines = wrap(title, font, width)
        if len(lines) <= max_lines:
            return font, balance(title, font, width, len(lines)) if len(lines) > 1 else lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip().rstrip("，、；：,;:") + "…"
    return font, lines


def _background(size: tuple[int, int], picture: bytes | None) -> Image.Image:
    w, h = size
    if picture is not None:
        with Image.open(io.BytesIO(picture)) as raw:
            image = raw.convert("RGB")
        scale = max(w / image.width, h / image.height)
        image = image.resize((max(w, round(image.width * scale)), max(h, round(image.height * scale))),
                             Image.Resampling.LANCZOS)
        left, top = (image.width - w) // 2, (image.height - h) // 2
        image = image.crop((left, top, left + w, top + h))
        shade = Image.new("RGB", size, BACKGROUND_TOP)
        return Image.blend(image, shade, 0.55)  # dark enough for white text
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, BACKGROUND_BOTTOM),
                            Image.new("RGB", size, BACKGROUND_TOP), gradient)
    glow = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(glow)
    for radius, alpha in ((h * 0.9, 18), (h * 0.62, 26), (h * 0.36, 34)):
        cx, cy = w * 0.92, h * 0.05
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*ACCENT, alpha))
    return Image.alpha_composite(image.convert("RGBA"), glow).convert("RGB")


def render_cover(text: CoverText, font_path: Path, *, size: tuple[int, int] = (1200, 630),
                 font_index: int | None = None, background: bytes | None = None) -> bytes:
    """The cover as PNG bytes: the series name and date on top, the title large in the
    middle (up to three lines, shrunk to fit), the leading names as tags at the bottom.
    ``background`` (an image file's bytes) replaces the drawn gradient.

    Raises:
        CoverError: the font cannot be read, or ``background`` is not a picture.
    """
    w, h = size
    unit = h / 630  # every measure below is for 630 px high, scaled
    margin = round(72 * unit)
    try:
        image = _background(size, background)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CoverError(f"the cover background is not a picture: {exc}") from None
    draw = ImageDraw.Draw(image)

    series_font = load_font(font_path, round(36 * unit), font_index)
    top = round(64 * unit)
    draw.text((margin, top), text.series, font=series_font, fill=ACCENT,
              stroke_width=max(1, round(unit)), stroke_fill=ACCENT)
    date_font = load_font(font_path, round(28 * unit), font_index)
    when = date_line(text.day)
    draw.text((w - margin - date_font.getlength(when), top + round(6 * unit)), when,
              font=date_font, fill=MUTED)
    bar_y = top + round(62 * unit)
    draw.rectangle((margin, bar_y, margin + round(96 * unit), bar_y + round(6 * unit)), fill=ACCENT)

    names_top = h - margin - round(52 * unit)
    title_top, title_bottom = bar_y + round(40 * unit), names_top - round(28 * unit)
    sizes = [round(s * unit) for s in (68, 62, 56, 50, 46, 42)]
    title_font, lines = fit_title(text.title, font_path, font_index, w - 2 * margin, 3, sizes)
    line_height = round(title_font.size * 1.3)
    y = title_top + max(0, (title_bottom - title_top - line_height * len(lines)) // 2)
    for line in lines:
        draw.text((margin, y), line, font=title_font, fill=TITLE,
                  stroke_width=max(1, round(unit)), stroke_fill=TITLE)
        y += line_height

    chip_font = load_font(font_path, round(26 * unit), font_index)
    pad_x, chip_h, gap = round(18 * unit), round(52 * unit), round(14 * unit)
    x = margin
    for name in text.names:
        chip_w = round(chip_font.getlength(name)) + 2 * pad_x
        if x + chip_w > w - margin:
            break
        draw.rounded_rectangle((x, names_top, x + chip_w, names_top + chip_h), radius=chip_h // 2,
                               fill=CHIP_FILL, outline=ACCENT, width=max(1, round(2 * unit)))
        draw.text((x + pad_x, names_top + chip_h / 2), name, font=chip_font, fill=MUTED, anchor="lm")
        x += chip_w + gap

    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the edge: files and the images endpoint ----------------------------------------------


def is_own_cover(digest: Digest, day: date, settings: Settings) -> bool:
    """The text's ``coverImage`` names the cover the project makes for ``day``."""
    return digest.front_matter.get(COVER_KEY) == settings.cover.url(day)


def make_cover(settings: Settings, day: date, text: str) -> Cover:
    """Draw the cover of the draft or post ``text`` dated ``day`` and write it atomically
    to ``covers_dir`` (unchanged bytes are not rewritten), when its ``coverImage`` is the
    project's (see the module docstring).

    Raises:
        CoverError: the font or the background cannot be used.
        DigestParseError: ``text`` is not a digest.
    """
    digest = parse(text)
    if not is_own_cover(digest, day, settings):
        return Cover(None)
    spec = cover_text(digest, day, settings.cover)
    font = font_file(settings.cover)
    notices: list[str] = []
    background = None
    if settings.cover.provider == "openai":
        background, notices = painted_background(settings, day, spec)
    data = render_cover(spec, font, size=(settings.cover.width, settings.cover.height),
                        font_index=settings.cover.font_index, background=background)
    path = settings.cover_file(day)
    if not (path.is_file() and path.read_bytes() == data):
        atomic_write_bytes(path, data)
    missing = tofu(spec.title + "".join(spec.names), load_font(font, 32, settings.cover.font_index))
    if missing:
        notices.append(f"the cover font has no glyph for {''.join(missing)!r}: drawn as boxes")
    return Cover(path, notices)


def try_make_cover(settings: Settings, day: date, text: str) -> Cover:
    """``make_cover`` for the pipeline: a failure is a notice, not an error (the draft is
    written all the same; publishing tries again)."""
    try:
        return make_cover(settings, day, text)
    except (CoverError, DigestParseError, OSError) as exc:
        return Cover(None, [f"cover not made: {exc}"])


def image_prompt(spec: CoverText) -> str:
    about = "、".join(spec.names) if spec.names else "人工智能"
    return (f"一张科技新闻日报的封面背景插图，主题：{spec.title}。涉及：{about}。"
            "抽象、现代、深蓝色调，左侧留出大块安静的暗色区域用于叠加文字；"
            "画面中不要出现任何文字、字母、数字或标志。")


def painted_background(settings: Settings, day: date, spec: CoverText) -> tuple[bytes | None, list[str]]:
    """The background the images endpoint painted for ``day`` (asked once, then kept
    in ``covers/backgrounds/``), or None and a notice when it cannot be had."""
    kept = settings.covers_dir / "backgrounds" / settings.cover.file_name(day)
    if kept.is_file():
        return kept.read_bytes(), []
    try:
        picture = generate_image(settings, image_prompt(spec))
        with Image.open(io.BytesIO(picture)) as probe:
            probe.verify()
    except (CoverError, UnidentifiedImageError, OSError, SyntaxError) as exc:
        return None, [f"cover: the images endpoint gave no picture ({exc}); the drawn cover is used"]
    atomic_write_bytes(kept, picture)
    return picture, []


def generate_image(settings: Settings, prompt: str) -> bytes:
    """One picture from the OpenAI-compatible images endpoint of ``[llm]``.

    Raises:
        CoverError: no endpoint configured, the call failed, or no ``b64_json`` came back.
    """
    if not settings.llm.configured:
        raise CoverError("no model endpoint configured ([llm] base_url / api_key)")
    import openai  # lazily: the CLI starts without it

    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else "sk-no-key"
    try:
        # No retries: a picture costs; the drawn cover stands in and the next run asks again.
        with openai.OpenAI(api_key=key, base_url=settings.llm.base_url, max_retries=0,
                           timeout=settings.cover.timeout) as client:
            answer = client.images.generate(model=settings.cover.model, prompt=prompt,
                                            size=settings.cover.size, n=1)  # type: ignore[arg-type]
    except openai.OpenAIError as exc:
        raise CoverError(redact(str(exc), [key])) from None
    encoded = answer.data[0].b64_json if answer.data else None
    if not encoded:
        raise CoverError("the answer has no b64_json picture")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CoverError(f"the b64_json picture does not decode: {exc}") from None
