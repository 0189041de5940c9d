"""Light formatting of the fiches' long texts, sanitised with nh3.

Authors type plain text with a light syntax (no HTML):

- a blank line separates paragraphs, a single line break stays a line break;
- lines starting with ``-``, ``*`` or ``•`` make a bulleted list, ``1.`` or ``1)`` a numbered one;
- web addresses (``https://…``, ``www.…``) and e-mail addresses become links,
  ``[texte](https://adresse)`` puts a link on a text.

Two barriers keep HTML out of the pages:

- on input, :func:`clean_rich_text` strips every tag (nh3 with no allowed tag; the
  content of ``<script>`` and ``<style>`` goes too), so what is stored is text;
- on output, :func:`render_rich_text` escapes that text, turns the light syntax into
  ``<p>``, ``<ul>``/``<ol>``/``<li>``, ``<br>`` and ``<a>``, then passes the result
  through nh3 with exactly those tags allowed (links: http, https and mailto only).
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
# Links, found in the raw text: [label](url), bare web addresses, e-mail addresses.
LINK = re.compile(
    r"\[(?P<label>[^\]\n]{1,300})\]\((?P<target>(?:https?://|mailto:)[^\s)]{1,2000})\)"
    r"|(?P<url>(?:https?://|www\.)[^\s<>\"']{1,2000}[^\s<>\"'.,;:!?)\]»])"
    r"|(?P<email>[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+)",
    re.IGNORECASE,
)


def clean_rich_text(value: str | None) -> str:
    """What is stored: the text without any HTML tag, line endings normalised."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}, attributes={}))
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

    def flush_paragraph():
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def flush_list():
        nonlocal list_tag
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in text.split("\n"):
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            flush_paragraph()
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append(_linkify((bullet or numbered).group(1).strip()))
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
    """Safe HTML for a long text (escaped, lightly formatted, sanitised)."""
    text = clean_rich_text(value)
    if not text:
        return mark_safe("")
    return mark_safe(sanitize_html("".join(_blocks(text))))  # sanitised by nh3 just above


def plain_text(value: str | None) -> str:
    """The text without the light syntax's link targets: for search, diffs and exports."""
    text = clean_rich_text(value)
    return LINK.sub(lambda m: f"{m.group('label')} ({m.group('target')})" if m.group("label") else m.group(0), text)
