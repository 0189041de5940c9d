"""A page as its reader sees it, for the tests' assertions on wording."""

from __future__ import annotations

import html
import re

# HTML's own white space (tab, line feed, form feed, carriage return, space): a no-break space is text.
HTML_SPACES = re.compile(r"[ \t\n\f\r]+")


def page_text(response, *, plain_spaces: bool = False) -> str:
    """The page's HTML, entities decoded and white space folded: a notice split over lines reads as one line.

    ``plain_spaces``: no-break spaces (U+00A0, U+202F) read as plain ones too, for the tests that check the
    wording and leave its French typography to others.
    """
    text = html.unescape(response.content.decode())
    if plain_spaces:
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return HTML_SPACES.sub(" ", text)
