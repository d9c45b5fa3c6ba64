"""Secrets never leave the process whole: the one redaction every outgoing text goes
through (stderr, logs, ``--json``, the review record, the databases, Prefect artifacts).

Two kinds of secret reach aidaily: the model endpoint's API key and the notification
URLs of ``[notify] urls`` (apprise URLs, whose tokens may sit anywhere: in the password,
the user, the host — ``dingtalk://<token>/``, ``slack://TokenA/…`` — or the path).

- ``redact(text, secrets)`` masks each secret in ``text`` in any form an endpoint may echo
  it: whole, without a ``sk-`` style prefix, or any stretch of it long enough to be
  useful (``PARTIAL`` characters); plus ``Bearer …`` credentials and ``sk-…`` keys.
- ``notification_target(url)`` names an apprise URL for reports by apprise's own privacy
  form (``url(privacy=True)``), which knows, scheme by scheme, which parts are secret.
- ``notification_secrets(url)`` lists the parts of a URL that privacy form hides, so an
  error text that quotes them (an HTTP library's message) can be redacted too.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

MASK = "***"
MIN_SECRET = 4  # shorter "secrets" (a 2-letter password) would mask ordinary words
PARTIAL = 8  # a run of text sharing this many characters with a secret quotes it

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',}]+")
_SK_TOKEN = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")
# A "word" a secret could be quoted as: anything between URL/JSON/prose delimiters.
_RUN = re.compile(r"[^\s/\\:@?&=#,;\"'()<>\[\]{}|*]+")
_URL_PART = re.compile(r"[/\\:@?&=#,;\s]+")
_KEY_PREFIX = re.compile(r"^(?:sk|pk|rk)-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?", re.I)


def secret_forms(secret: str) -> list[str]:
    """The exact strings ``secret`` may be echoed as: itself, URL-decoded, and without a
    ``sk-`` style prefix (an endpoint that strips it still shows the key)."""
    forms = {secret, unquote(secret), _KEY_PREFIX.sub("", secret)}
    return sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True)


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every form of each secret masked, ``Bearer …`` credentials and
    ``sk-…`` keys too. A stretch of ``PARTIAL`` or more characters of a secret (a
    truncated echo, a key split by an ellipsis) masks the whole word it sits in."""
    windows: set[str] = set()
    for secret in secrets:
        for form in secret_forms(secret):
            text = text.replace(form, MASK)
            windows.update(form[i:i + PARTIAL] for i in range(len(form) - PARTIAL + 1))
    if windows:
        text = _RUN.sub(lambda m: MASK if _quotes(m.group(), windows) else m.group(), text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    return _SK_TOKEN.sub(f"sk-{MASK}", text)


def _quotes(word: str, windows: set[str]) -> bool:
    return any(word[i:i + PARTIAL] in windows for i in range(len(word) - PARTIAL + 1))


class _Silence(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _private_form(url: str) -> str | None:
    """apprise's privacy form of ``url``, or None when apprise cannot read it."""
    import apprise  # loaded only where a notification URL is named

    quiet = logging.getLogger("apprise")
    silence = _Silence()
    quiet.addFilter(silence)  # apprise's complaints about a URL quote the URL whole
    try:
        plugin = apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True)
        private = plugin.url(privacy=True) if plugin else None
    except Exception:  # a plugin that cannot describe itself names nothing
        return None
    finally:
        quiet.removeFilter(silence)
    return private if isinstance(private, str) else None


def notification_target(url: str) -> str:
    """An apprise URL as reports may name it: apprise's privacy form (``dingtalk://t...4``,
    ``json://user:****@host:8080/hook``); ``scheme://***`` when apprise cannot read it."""
    private = _private_form(url)
    if private:  # the query left out: apprise's defaults, and masked values at most
        return private.split("?", 1)[0].rstrip("/")
    scheme = urlsplit(url.strip()).scheme
    return f"{scheme or '?'}://{MASK}"


def notification_secrets(urls: Iterable[str]) -> list[str]:
    """The parts of ``urls`` that apprise's privacy form hides (every part but the scheme
    when apprise cannot read a URL): what a redacted text must not quote."""
    out: list[str] = []
    for url in urls:
        scheme, _, rest = url.strip().partition("://")
        shown = set(_URL_PART.split(unquote(_private_form(url) or "")))
        out += [p for p in _URL_PART.split(unquote(rest)) if len(p) >= MIN_SECRET and p not in shown]
    return out
