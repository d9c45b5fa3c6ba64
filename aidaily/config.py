"""Configuration: one home directory, one ``aidaily.toml``, environment overrides.

Lookup order for every setting: an explicit argument (CLI flag) > environment
variable > ``aidaily.toml`` in the home directory > the defaults below.

All state lives under the home directory (``--home`` / ``AIDAILY_HOME``, default the
current directory for the CLI; a flow run has no default, see ``flows.daily``): the database, the raw-response archive, drafts, published posts and
the configuration file itself. Tests point ``AIDAILY_HOME`` at a temporary directory.

Environment variables:

    AIDAILY_HOME            the home directory
    AIDAILY_DB_URL          SQLAlchemy URL (default: sqlite file aidaily.db in the home)
    AIDAILY_URL_MAP         JSON object {"https://site": "http://127.0.0.1:8000/site"}
    AIDAILY_ALLOW_LOOPBACK  "1": let sites point at loopback addresses (tests only)
    OPENAI_API_KEY, OPENAI_BASE_URL
    AIDAILY_LLM             "none" forces the extractive mode
    AIDAILY_LLM_REPLAY      a replay file: answers replayed from it (provider "replay")
    AIDAILY_LLM_API_KEY, AIDAILY_LLM_BASE_URL, AIDAILY_LLM_MODEL  override OPENAI_*
    AIDAILY_LLM_JSON_MODE   json_schema | json_object
    AIDAILY_LLM_CONCURRENCY, AIDAILY_LLM_TIMEOUT, AIDAILY_TOKEN_BUDGET
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from aidaily import __version__
from aidaily.errors import ConfigError
from aidaily.stories.window import MAX_WINDOW_HOURS

CONFIG_FILE = "aidaily.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Section(BaseModel):
    """A part of the configuration: a key it does not know is an error (a misspelt
    setting must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


def known_timezone(name: str) -> str:
    """``name`` when it is an IANA time zone (``Asia/Shanghai``); ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found, malformed key, a directory
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as 'Asia/Shanghai')") from None
    return name


class FetchSettings(Section):
    timeout: float = 20.0  # seconds per request
    per_host_concurrency: int = 2  # requests in flight per host (1 under a Crawl-delay)
    per_host_delay: float = 0.25  # politeness delay between requests to one host
    retries: int = 3
    backoff: float = 0.5  # first retry delay; doubles each time
    max_bytes: int = 8_000_000
    max_redirects: int = 5
    # Who is asking, in every request: "Mozilla/5.0 (compatible; aidaily/<version>; +<contact_url>)"
    # (``user_agent_string``); a site's operator can read what aidaily is and whom to ask.
    contact_url: str = ""
    user_agent: str = ""  # the whole User-Agent instead (empty: the one above)
    # Read each host's robots.txt once per run: disallowed paths are skipped (and reported),
    # a Crawl-delay / Request-rate raises the spacing between requests to that host.
    obey_robots: bool = True
    allow_loopback: bool = False
    url_map: dict[str, str] = Field(default_factory=dict)
    max_articles_per_source: int = 400
    # Skip pages whose full feed text shows they are not about AI (general-tech feeds).
    prefilter_by_feed: bool = True

    def user_agent_string(self) -> str:
        """The User-Agent sent to every site: honest, naming aidaily and whom to contact."""
        if self.user_agent:
            return self.user_agent
        contact = f"; +{self.contact_url}" if self.contact_url else ""
        return f"Mozilla/5.0 (compatible; aidaily/{__version__}{contact})"


class FeedSource(Section):
    """A generic RSS/Atom source configured without code."""

    name: str
    url: str
    enabled: bool = True
    selector: str | None = None  # CSS selector of the article body; trafilatura when None
    title_selector: str | None = None
    time_selector: str | None = None
    ai_only: bool = False  # True: everything it publishes is about AI


class SourceToggle(Section):
    enabled: bool = True


class WindowSettings(Section):
    hours: int = Field(default=24, ge=1, le=MAX_WINDOW_HOURS)
    timezone: str = "Asia/Shanghai"

    zone_known = field_validator("timezone")(known_timezone)


class StepSettings(Section):
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None


class LLMSettings(Section):
    # "replay": answers read from the file ``replay`` names (recorded answers, keyed by what
    # each request is about; see aidaily.llm.replay): nothing is sent, nothing is paid
    provider: Literal["openai", "replay", "none"] = "openai"
    replay: str | None = None  # a replay file, relative to the home unless absolute
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.4
    json_mode: Literal["json_schema", "json_object"] = "json_schema"
    concurrency: int = 8
    timeout: float = 120.0
    max_retries: int = 3
    token_budget: int = 400_000
    article_chars: int = 2400  # article text per write call, trimmed to this
    price_in_per_mtok: float = 0.15  # USD per million prompt tokens (cost estimate)
    price_out_per_mtok: float = 0.60
    on_unreachable: Literal["fail", "extractive"] = "extractive"
    plan: StepSettings = Field(default_factory=StepSettings)
    write: StepSettings = Field(default_factory=StepSettings)
    finalize: StepSettings = Field(default_factory=StepSettings)

    @model_validator(mode="after")
    def _replay_named(self) -> LLMSettings:
        if self.provider == "replay" and not self.replay:
            raise ValueError('provider "replay" needs replay = PATH (a replay file)')
        return self

    @property
    def configured(self) -> bool:
        if self.provider == "replay":
            return True
        return self.provider != "none" and (self.api_key is not None or self.base_url is not None)


class DigestSettings(Section):
    """``[digest]``: what an issue holds and how it is written.

    The figures are the house's, measured on its archive by ``benchmarks/house.py``
    (P10–P90 of the issues whose stories sit under themed headings, 2026-02-01 …
    2026-08-22, 155 issues; the table is in ``benchmarks/README.md``); lengths and
    bullets per story depend on the layout, so they default to the figures of the
    chosen ``layout`` (``LAYOUT_FIGURES``) unless set."""

    # "2026-01": the seed's (## subtitle, ### theme, [headline](url) + fact bullets,
    # 深度解读 & 洞察 bullets, ### 其他动态 "text（[site](url)）"); "2026-02": the house's
    # since February (### [headline](url), a lead paragraph, "- **label**：fact" bullets,
    # 深度解读 & 洞察 as paragraphs, ## 更多动态 "- [headline](url)：comment").
    layout: Literal["2026-01", "2026-02"] = "2026-01"
    main_min: int = 10
    main_max: int = 26
    other_min: int = 2
    other_max: int = 28
    sections_min: int = 4
    sections_max: int = 7
    # Median characters of a fact bullet / of commentary (a bullet or a paragraph) in an
    # issue; ``aidaily eval`` measures drafts against them, prompts ask for them.
    fact_chars: tuple[int, int] = (21, 64)
    commentary_chars: tuple[int, int] = (33, 124)
    title_chars: tuple[int, int] = (19, 39)  # the title; lint warns outside it
    fact_bullets: tuple[int, int] = (2, 4)  # fact bullets per story; lint warns above the top
    cover_image: str | None = None  # a fixed cover picture for every issue ([cover] is unused)
    tags: list[str] = Field(default_factory=lambda: ["AI", "AI 日报"])
    seo_prefix: list[str] = Field(default_factory=lambda: ["AI 日报", "最新 AI 咨询"])
    category: str = "AI 日报"
    memory_days: int = Field(default=3, ge=0)  # a story run in the last N issues is not run again (0: off)
    # The figures the prompts state and the answer schemas enforce: one place for both
    # (``aidaily.editor.schema.house_schemas``, the ``prompts/`` templates). Lengths in 字
    # (``aidaily.text.zi_count``: a Latin word or a number is one 字), from the house's 208
    # issues (``python -m benchmarks.editorial --figures``): where a schema enforces a
    # length, the range is what the house has published (p3 to about its longest: a
    # capable model's good answers run to 36 字 for a headline, 34 for the ## line, and
    # must not be sent back); bullet lengths, only stated, are p3–p97. Counts as the
    # reference runs them (the archive's issues carry 7 seo entries: 2 prefixes, 5 names).
    # The title's length (``title_chars``, in characters) and the fact bullets per story
    # (``fact_bullets``) are the figures above, used by the prompts and schemas alike.
    headline_zi: tuple[int, int] = (6, 40)  # an item's headline (its link text); p3–p97 7–27, max 43
    thesis_zi: tuple[int, int] = (8, 36)  # the ## line under it; 8–26, max 32
    summary_zi: tuple[int, int] = (12, 45)  # one summary line; 14–41
    brief_zi: tuple[int, int] = (12, 45)  # one 其他动态 line (the reference: 20–45)
    fact_zi: tuple[int, int] = (11, 63)  # one fact bullet (stated, not enforced); 11–63
    commentary_zi: tuple[int, int] = (17, 90)  # one commentary bullet (stated, not enforced); 17–90
    summary_lines: tuple[int, int] = (5, 12)  # fewer on a day with fewer stories; median 9
    seo_keywords: tuple[int, int] = (5, 8)  # names after seo_prefix
    commentary_per_block: tuple[int, int] = (2, 3)

    @field_validator("headline_zi", "thesis_zi", "summary_zi", "brief_zi", "fact_zi",
                     "commentary_zi", "summary_lines", "seo_keywords",
                     "commentary_per_block")
    @classmethod
    def _a_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 0 < value[0] <= value[1]:
            raise ValueError(f"a range [low, high] with 0 < low <= high, got {list(value)}")
        return value

    @model_validator(mode="after")
    def _layout_figures(self) -> DigestSettings:
        """Lengths and bullets per story not set in ``[digest]`` follow the layout."""
        for name, value in LAYOUT_FIGURES[self.layout].items():
            if name not in self.model_fields_set:
                object.__setattr__(self, name, value)
        return self


#: The figures that depend on the layout, measured by ``benchmarks/house.py`` (P10–P90
#: of per-issue medians): "2026-01" on the themed issues of 2025-12-15 … 2026-01-07 (23,
#: the seed's own month is held out of the archive), "2026-02" on those of 2026-02-01 …
#: 2026-08-22 (155).
LAYOUT_FIGURES: dict[str, dict[str, tuple[int, int]]] = {
    "2026-01": {"fact_chars": (21, 64), "commentary_chars": (33, 124), "fact_bullets": (2, 4)},
    "2026-02": {"fact_chars": (25, 60), "commentary_chars": (50, 155), "fact_bullets": (2, 5)},
}


class ScheduleSettings(Section):
    cron: str = "30 23 * * *"
    timezone: str = "Asia/Shanghai"
    deployment: str = "serve"  # what ``aidaily serve`` registers (prefect.yaml's workers own "nightly")

    zone_known = field_validator("timezone")(known_timezone)


#: The longest file name most file systems take (bytes): a longer one fails to write.
NAME_MAX = 255
_DATE_FIELDS = {"date": "2026-01-19", "year": "2026", "month": "01", "day": "19"}
# What git reads as a bad ref name (``git check-ref-format``), besides a leading "-".
_BAD_REF = re.compile(r"\.\.|@\{|//|[\x00-\x20\x7f~^:?*\[\\]|^[/.]|[/.]$|\.lock$|/\.|^@$")


def fill_date_fields(pattern: str, setting: str) -> str:
    """``pattern`` filled with an example date ({date}, {year}, {month}, {day}); a
    ValueError naming ``setting`` for any other placeholder or a broken one."""
    try:
        return pattern.format(**_DATE_FIELDS)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise ValueError(f"{setting} {pattern!r}: only {{date}}, {{year}}, {{month}}, {{day}} "
                         f"can be filled in ({type(exc).__name__}: {exc})") from None


def _check_name_lengths(path: str, setting: str) -> None:
    for part in Path(path).parts:
        if len(part.encode("utf-8")) > NAME_MAX:
            raise ValueError(f"{setting} makes a file name of {len(part.encode('utf-8'))} bytes "
                             f"(at most {NAME_MAX}): {part[:40]}…")


class PublishSettings(Section):
    """``[publish]``: where a post goes, and whether it is committed and pushed there."""

    dir: str = "output"  # relative to the home directory unless absolute; may be in a git work tree
    # the post's path under ``dir``: {date} (2026-01-19), {year}, {month}, {day}
    # e.g. Hexo/Hugo/Astro all take "ai-daily-{date}.md"; Jekyll "{date}-ai-daily.md"
    filename: str = "ai-daily-{date}.md"
    git_commit: bool = False  # commit the post (and its cover) in the repository of ``dir``
    git_push: bool = False  # then push to git_remote (needs git_commit)
    git_remote: str = "origin"
    git_branch: str | None = None  # default: the checked-out branch
    commit_message: str = "AI 日报 {date}"  # {date}, {year}, {month}, {day}
    # permissions of the post and cover written (e.g. 0o644 or "644"); default: the umask's
    mode: int | None = None

    @field_validator("filename")
    @classmethod
    def _filename_stays_inside(cls, value: str) -> str:
        probe = fill_date_fields(value, "[publish] filename")
        parts = Path(probe).parts
        if not parts or Path(probe).is_absolute() or ".." in parts:
            raise ValueError(f"must be a relative path inside [publish] dir, got {value!r}")
        _check_name_lengths(probe, "[publish] filename")
        return value

    @field_validator("commit_message")
    @classmethod
    def _message_fills(cls, value: str) -> str:
        if not fill_date_fields(value, "[publish] commit_message").strip():
            raise ValueError("[publish] commit_message is empty")
        return value

    @field_validator("git_remote")
    @classmethod
    def _remote_is_no_option(cls, value: str) -> str:
        if not value.strip() or value.startswith("-") or any(c.isspace() or ord(c) < 32 for c in value):
            raise ValueError(f"[publish] git_remote {value!r} is not a remote name or URL "
                             "(it must not start with '-' or hold spaces)")
        return value

    @field_validator("git_branch")
    @classmethod
    def _branch_is_a_ref(cls, value: str | None) -> str | None:
        if value is not None and (not value or value.startswith("-") or _BAD_REF.search(value)):
            raise ValueError(f"[publish] git_branch {value!r} is not a branch name git accepts "
                             "(no leading '-', spaces, '..', '~^:?*[\\')")
        return value

    @field_validator("mode", mode="before")
    @classmethod
    def _octal_mode(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                value = int(value.removeprefix("0o"), 8)
            except ValueError:
                raise ValueError(f"[publish] mode {value!r} is not an octal mode such as \"644\"") from None
        if isinstance(value, int) and not (0o600 <= value <= 0o777 and value & 0o600 == 0o600):
            raise ValueError(f"[publish] mode {value:o} must be between 600 and 777 and let the "
                             "owner read and write")
        return value

    def fill(self, pattern: str, day: date) -> str:
        """``pattern`` (``filename``, ``commit_message``) filled for ``day``."""
        return pattern.format(date=day.isoformat(), year=f"{day.year:04d}",
                              month=f"{day.month:02d}", day=f"{day.day:02d}")


NotifyEvent = Literal["draft", "published", "failed"]
NOTIFY_EVENTS: tuple[NotifyEvent, ...] = ("draft", "published", "failed")


class NotifySettings(Section):
    """``[notify]``: apprise URLs to tell, on which events (see aidaily.delivery.notify)."""

    urls: list[str] = Field(default_factory=list)  # secrets inside: never printed whole
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NOTIFY_EVENTS))
    review_url: str | None = None  # e.g. "https://review.example.com": links to /d/DATE
    timeout: float = Field(default=20.0, gt=0, le=300)  # seconds for one notice, all URLs


class CoverSettings(Section):
    """The issue's cover picture (``coverImage``); ``digest.cover_image`` overrides it all.

    ``render`` (default): drawn locally from the issue's title, date and leading names
    (``aidaily.editor.cover``), saved as ``output/drafts/covers/<filename>`` and copied
    into ``<publish dir>/<dir>`` on publishing; ``coverImage`` is ``url_prefix`` +
    the file name. ``openai``: the same, asked of an OpenAI-compatible images endpoint
    (the ``[llm]`` endpoint and key), the rendered cover when that fails. ``source``: the
    first main story's lead picture (a site's own, hotlinked). ``none``: no cover.
    """

    provider: Literal["render", "openai", "source", "none"] = "render"
    url_prefix: str = "/images/covers/"  # public URL of the covers folder, e.g. https://blog/x/
    filename: str = "{date}.png"
    dir: str = "images/covers"  # where publishing copies it: relative to the publish dir
    width: int = Field(default=1200, ge=1200, le=4000)
    height: int = Field(default=630, ge=630, le=4000)
    series: str = "AI 日报"  # the series name drawn on the cover
    names: int = Field(default=4, ge=0, le=8)  # leading names drawn (from the main headlines)
    font: str | None = None  # a font file with CJK glyphs; default: the shipped Noto Sans CJK SC
    font_index: int | None = None  # the face of a .ttc collection; default: the SC face
    model: str = "gpt-image-1"  # provider "openai": the images model
    size: str = "1536x1024"  # provider "openai": the size asked for
    timeout: float = 120.0  # provider "openai": seconds

    @field_validator("filename")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        try:
            name = value.format(date="2026-01-19")
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ValueError(f"only {{date}} may be filled in: {exc}") from None
        _check_name_lengths(name, "[cover] filename")
        if "{date}" not in value or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError("a file name with {date} in it, e.g. \"{date}.png\"")
        return value

    def file_name(self, day: date) -> str:
        return self.filename.format(date=day.isoformat())

    def url(self, day: date) -> str:
        """``coverImage`` of the cover made for ``day``."""
        return self.url_prefix + self.file_name(day)

    @property
    def made_here(self) -> bool:
        """The cover is a picture the project makes (a file to write and publish)."""
        return self.provider in ("render", "openai")


class Settings(Section):
    home: Path = Path(".")
    db_url: str | None = None
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    window: WindowSettings = Field(default_factory=WindowSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    cover: CoverSettings = Field(default_factory=CoverSettings)
    sources: dict[str, SourceToggle] = Field(
        default_factory=lambda: {n: SourceToggle() for n in ("ithome", "qbitai", "hubtoday")}
    )
    feeds: list[FeedSource] = Field(default_factory=lambda: [f.model_copy() for f in SHIPPED_FEEDS])
    # Names the editor wants counted as AI news whatever the relevance classifier says
    # (a title naming one is AI; ``aidaily.stories.select.relevance``). Empty by default:
    # the classifier, learned from the archive, decides.
    ai_keywords: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _replay_under_home(self) -> Settings:
        """A relative ``llm.replay`` names a file in the home, like every other path."""
        if self.llm.replay and not Path(self.llm.replay).is_absolute():
            self.llm.replay = str(self.home / self.llm.replay)
        return self

    # Paths under the home directory --------------------------------------------------
    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{(self.home / 'aidaily.db').resolve()}"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def drafts_dir(self) -> Path:
        return self.home / "output" / "drafts"

    @property
    def publish_dir(self) -> Path:
        p = Path(self.publish.dir)
        return p if p.is_absolute() else self.home / p

    def post_path(self, day: date) -> Path:
        """Where the post of ``day`` goes: ``[publish] dir`` / ``filename`` (its pattern)."""
        return self.publish_dir / self.publish.fill(self.publish.filename, day)

    @property
    def covers_dir(self) -> Path:
        """The covers made for the drafts (``[cover]``), one file per issue."""
        return self.drafts_dir / "covers"

    def cover_file(self, day: date) -> Path:
        """The cover made for the draft of ``day`` (``[cover]``: render / openai)."""
        return self.covers_dir / self.cover.file_name(day)

    @property
    def published_covers_dir(self) -> Path:
        """Where publishing copies the covers (``cover.dir``, relative to the publish dir)."""
        p = Path(self.cover.dir)
        return p if p.is_absolute() else self.publish_dir / p

    @property
    def locks_dir(self) -> Path:
        return self.home / ".locks"

    @property
    def prompts_dir(self) -> Path:
        """Operator overrides in ``<home>/prompts`` win over the shipped templates."""
        own = self.home / "prompts"
        return own if own.is_dir() else self.shipped_prompts_dir

    @property
    def shipped_prompts_dir(self) -> Path:
        """The templates shipped as package data (``aidaily.prompts``, from ``prompts/``)."""
        return Path(str(files("aidaily.prompts")))


SHIPPED_FEEDS: list[FeedSource] = [
    FeedSource(name="aibase", url="https://news.aibase.com/rss", enabled=False, ai_only=True),
    FeedSource(name="oschina", url="https://www.oschina.net/news/rss", enabled=False),
]


def load_settings(home: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings for ``home`` from its ``aidaily.toml`` and the environment.

    Raises:
        ConfigError: the file is not valid TOML, a key is unknown or a value is invalid
            (one line per problem; the values themselves are never shown: they may be
            secrets).
    """
    home_path = named_home(home) or Path(".")
    data: dict[str, Any] = {}
    config_path = home_path / CONFIG_FILE
    if config_path.is_file():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: {exc}") from exc
    _apply_env(data)
    data["home"] = home_path
    for key, value in overrides.items():
        if value is not None:
            data[key] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{config_path}: {describe(exc)}") from None


def describe(exc: ValidationError) -> str:
    """The problems of a ``ValidationError``, ``where: what`` each, without the values
    (an ``api_key`` of the wrong type must not be echoed) or pydantic's links."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        what = ("unknown key (not a setting)" if error["type"] == "extra_forbidden"
                else error["msg"].removeprefix("Value error, "))
        lines.append(f"{where}: {what}")
    return "; ".join(lines)


def named_home(home: str | Path | None = None) -> Path | None:
    """The home directory ``home`` or else ``AIDAILY_HOME`` names; None when neither does
    (``load_settings`` then takes the current directory; a flow run refuses)."""
    named = home or os.environ.get("AIDAILY_HOME")
    return Path(named).expanduser() if named else None


def _apply_env(data: dict[str, Any]) -> None:
    env = os.environ
    fetch = data.setdefault("fetch", {})
    llm = data.setdefault("llm", {})
    if "AIDAILY_DB_URL" in env:
        data["db_url"] = env["AIDAILY_DB_URL"]
    if "AIDAILY_URL_MAP" in env:
        try:
            mapping = json.loads(env["AIDAILY_URL_MAP"])
        except json.JSONDecodeError as exc:
            raise ConfigError(f"AIDAILY_URL_MAP is not a JSON object: {exc}") from exc
        if not isinstance(mapping, dict):
            raise ConfigError("AIDAILY_URL_MAP must be a JSON object of prefix -> prefix")
        fetch["url_map"] = {**fetch.get("url_map", {}), **mapping}
    if env.get("AIDAILY_ALLOW_LOOPBACK", "").lower() in ("1", "true", "yes"):
        fetch["allow_loopback"] = True
    for name, key in (("OPENAI_API_KEY", "api_key"), ("OPENAI_BASE_URL", "base_url")):
        if env.get(name):
            llm[key] = env[name]
    overrides = {
        "AIDAILY_LLM_API_KEY": "api_key",
        "AIDAILY_LLM_BASE_URL": "base_url",
        "AIDAILY_LLM_MODEL": "model",
        "AIDAILY_LLM_JSON_MODE": "json_mode",
        "AIDAILY_LLM_CONCURRENCY": "concurrency",
        "AIDAILY_LLM_TIMEOUT": "timeout",
        "AIDAILY_TOKEN_BUDGET": "token_budget",
    }
    for name, key in overrides.items():
        if env.get(name):
            llm[key] = env[name]
    if env.get("AIDAILY_LLM_REPLAY"):
        llm["provider"], llm["replay"] = "replay", str(Path(env["AIDAILY_LLM_REPLAY"]).resolve())
    if env.get("AIDAILY_LLM", "").lower() == "none":
        llm["provider"] = "none"
