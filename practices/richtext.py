"""Light formatting of the fiches' long texts, sanitised with nh3.

Authors type plain text with a light syntax (no HTML):

- a blank line separates paragraphs, a single line break stays a line break;
- lines starting with ``-``, ``*`` or ``•`` make a bulleted list, ``1.`` or ``1)`` a numbered one;
- web addresses (``https://…``, ``www.…``) and e-mail addresses become links,
  ``[texte](https://adresse)`` puts a link on a text.

What is stored is what was typed (:func:`clean_rich_text` only normalises line
endings and blank lines): an author writing ``16<x<25 ans``, ``a<b et c>d`` or
``<jean.dupont@ml.fr>`` means those characters, and stripping "tags" on input would
delete their words. HTML is kept out of the pages on output, where every reader of the
text goes through: :func:`render_rich_text` escapes the text, turns the light syntax into
``<p>``, ``<ul>``/``<ol>``/``<li>``, ``<br>`` and ``<a>``, then passes the result through
nh3 with exactly those tags allowed (links: http, https and mailto only). The other
readers take the text as text: :func:`plain_text` for version diffs (escaped by
:func:`practices.versions.diff_html`), search and census exports; templates (escaped) for
the admin. A text that looks like HTML is therefore shown as typed, never run.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
# Links, found in the raw text: [label](url), bare web addresses, e-mail addresses.
LINK = re.compile(
    r"\[(?P<label>[^\]\n]{1,300})\]\((?P<target>(?:https?://|mailto:)[^\s)]{1,2000})\)"
    r"|(?P<url>(?:https?://|www\.)[^\s<>\"']{1,2000}[^\s<>\"'.,;:!?)\]»])"
    r"|(?P<email>[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+)",
    re.IGNORECASE,
)


def clean_rich_text(value: str | None) -> str:
    """What is stored: the text as typed, line endings normalised, trailing blanks and extra blank lines removed."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def _linkify(raw: str) -> str:
    """Escaped HTML of one line of text, its links turned into anchors."""
    parts: list[str] = []
    position = 0
    for match in LINK.finditer(raw):
        parts.append(escape(raw[position : match.start()]))
        if match.group("label"):
            href, label = match.group("target"), match.group("label")
        elif match.group("url"):
            label = match.group("url")
            href = label if label.lower().startswith("http") else f"https://{label}"
        else:
            label = match.group("email")
            href = f"mailto:{label}"
        parts.append(f'<a href="{escape(href)}">{escape(label)}</a>')
        position = match.end()
    parts.append(escape(raw[position:]))
    return "".join(parts)


def _blocks(text: str) -> list[str]:
    """HTML blocks (paragraphs and lists) of a cleaned text."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""
    list_start = 1

    def flush_paragraph():
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def flush_list():
        nonlocal list_tag
        if items:
            # A numbered list shows the number its first line was typed with.
            start = f' start="{list_start}"' if list_tag == "ol" and list_start != 1 else ""
            blocks.append(f"<{list_tag}{start}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in text.split("\n"):
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            flush_paragraph()
            if list_tag and list_tag != tag:
                flush_list()
            if not list_tag and numbered:
                list_start = int(numbered.group(1))
            list_tag = tag
            items.append(_linkify((bullet.group(1) if bullet else numbered.group(2)).strip()))
        elif not raw.strip():
            flush_paragraph()
            flush_list()
        else:
            if items and raw.startswith(("  ", "\t")):
                # An indented line continues the previous item.
                items[-1] += "<br>" + _linkify(raw.strip())
                continue
            flush_list()
            paragraph.append(_linkify(raw.strip()))
    flush_paragraph()
    flush_list()
    return blocks


def sanitize_html(fragment: str) -> str:
    """The last barrier: only paragraphs, lists, line breaks and http(s)/mailto links survive."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
    )


def render_rich_text(value: str | None) -> SafeString:
    """Safe HTML for a long text (escaped, lightly formatted, sanitised): every character typed is shown."""
    text = clean_rich_text(value)
    if not text:
        return mark_safe("")
    return mark_safe(sanitize_html("".join(_blocks(text))))  # sanitised by nh3 just above


def plain_text(value: str | None) -> str:
    """The text without the light syntax's link targets: for search, diffs and exports."""
    text = clean_rich_text(value)
    return LINK.sub(lambda m: f"{m.group('label')} ({m.group('target')})" if m.group("label") else m.group(0), text)
