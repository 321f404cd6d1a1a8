"""The console's message catalogs: gettext `.po` files, zh-CN first, English second.

Every label, message, field name and export header on screen is a msgid (its English
text) in `locale/<locale>/LC_MESSAGES/console.po`; Babel reads the catalogs once and the
gateway serves each as JSON (`/console/i18n/<locale>.json`) to the pages, which fall back
to the msgid (English) for a message a catalog lacks. Nothing is compiled at run time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("zh-CN", "en")  # the first is the default
DIRECTORY = Path(__file__).parent / "locale"


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for one of `LOCALES` (untranslated messages left out)."""
    path = DIRECTORY / locale.replace("-", "_") / "LC_MESSAGES" / "console.po"
    with path.open("rb") as po:
        messages = read_po(po, locale=locale.replace("-", "_"))
    return {
        str(message.id): str(message.string)
        for message in messages
        if message.id and message.string and not message.fuzzy
    }
