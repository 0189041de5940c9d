"""French typography of the product's own wording: a no-break space (U+00A0) before « : » and « » » and
after « « », a narrow no-break space (U+202F) before « ; », « ! » and « ? », written as the characters
themselves (not ``&nbsp;``) so that rendered text and tests compare simply.

The guard reads what a user reads in the source: the text of every template of the apps (outside
``{# #}``, comments, ``<script>``, ``<style>`` and HTML tags, but with the attributes people read:
``title``, ``aria-label``, ``placeholder``, ``alt``) and the quoted strings given to template tags and
filters; and every string literal of the apps' Python modules (migrations, docstrings, raw strings and
bytes apart) that reads as French (an accented letter, a guillemet, a French word, or a colon or a
semicolon after a space, which English never writes), which keeps English log lines, regexes, SQL and
identifiers out; and the translations of ``cnml/locale``. URLs, hours (« 10:30 »), ``?page=`` and format
specifications (``{x:>3}``) never count: punctuation counts only when a space precedes it, or when
a word does and a space or the end follows it. Text users type is not ours: ``fr_spacing`` prints it.

What it finds can be written in place, then reviewed in the diff:
``.venv/bin/python -c "from tests.test_every_french_punctuation import all_fixes, apply; apply(all_fixes())"``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cnml", "dashboard", "practices", "surveys", "mobility", "alternance")
NBSP = "\u00a0"
NARROW = "\u202f"

# Stand-ins that keep offsets: a value printed in the text ({{ }} or {x}) reads as a word, a tag or
# code as a boundary that is neither word nor space.
VALUE, HIDDEN = "\x00", "\x01"

# (path, the exact text) allowed with its reason; keep it short.
ALLOWED: dict[tuple[str, str], str] = {}

# A space (or no space after a word or a printed value) before high punctuation followed by a space or
# the end; a guillemet without its no-break space inside.
_WIDE = re.compile(r"[ \t\u202f]+(?=[:»])")
_OPENING = re.compile(r"(?<=«)[ \t\u202f]+")
_NARROW = re.compile(r"(?<!«)[ \t\u00a0]+(?=[;!?])")
_WORD = r"[\w\x00)’»]"
_MISSING_WIDE = re.compile(rf"(?<={_WORD})(?<!mailto)(?<!\btel)(?=:(?:[\s\x00]|$))")
# a semicolon glued to a word and to the end is a CSV row, not prose
_MISSING_NARROW = re.compile(rf"(?<={_WORD})(?=[;!?][\s\x00]|[!?]$)")
_MISSING_GUILLEMET_AFTER = re.compile(r"(?<=«)(?=[\w\x00])")
_MISSING_GUILLEMET_BEFORE = re.compile(r"(?<=[\w\x00.!?…])(?=»)")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_URL = re.compile(r"(?:https?|mailto|ftp)://?[^\s\x00\"'<>]*")

FRENCH = re.compile(
    r"[àâçéèêëîïôûùüÿœæ«»’]|\b(?:[cdjlmnst]|qu)'\w|\b(?:le|la|les|des|du|une|un|est|sont|pour|vous|votre|vos"
    r"|aucun|aucune|sur|avec|et|au|aux|cette|ces|dans|par|pas|ne|qui|que|ou|en|il|elle|ils|se|sa|son|ses|leur"
    r"|leurs|nous|invalide|inconnu|inconnue|attendu|fichier|ligne|colonne|erreur|erreurs|illisible|exemple)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fix:
    path: Path
    start: int  # offsets in the file's text
    end: int
    replacement: str
    line: int
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.excerpt!r}"


def _fixes_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) in ``text``, where stand-ins mark what is not wording."""
    found = []
    text = _mask(text, _ENTITY)  # « &gt; » is a character, not a semicolon
    for pattern, replacement in (
        (_WIDE, NBSP),
        (_OPENING, NBSP),
        (_NARROW, NARROW),
        (_MISSING_WIDE, NBSP),
        (_MISSING_NARROW, NARROW),
        (_MISSING_GUILLEMET_AFTER, NBSP),
        (_MISSING_GUILLEMET_BEFORE, NBSP),
    ):
        for match in pattern.finditer(text):
            if pattern in (_WIDE, _NARROW) and text[match.start() - 1 : match.start()] == "\n":
                continue  # punctuation opening a line: the spaces are the line's indentation
            found.append((match.start(), match.end(), replacement))
    # « : » gives one space to two rules that agree
    return sorted(set(found))


def _mask(text: str, pattern: re.Pattern, stand_in: str = HIDDEN) -> str:
    return pattern.sub(lambda m: re.sub(r"[^\n]", stand_in, m.group()), text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _excerpt(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[max(left, start - 40) : right if right != -1 and right - end < 40 else end + 40]


# --- Templates -----------------------------------------------------------------------------------

_TEMPLATE_HIDDEN = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<!--.*?-->"
    r"|<script\b.*?</script>|<style\b.*?</style>",
    re.DOTALL | re.IGNORECASE,
)
_TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_TAG = re.compile(r"<[!/a-zA-Z][^>]*>", re.DOTALL)
_READ_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', re.IGNORECASE)


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(p for folder in folders for p in folder.rglob("*") if p.suffix in (".html", ".txt", ".xml"))


def template_fixes(path: Path) -> list[Fix]:
    text = path.read_text()
    masked = _mask(text, _TEMPLATE_HIDDEN)
    spans = []
    # Strings given to tags and filters are read too (captions, callouts, defaults).
    for code in _TEMPLATE_CODE.finditer(masked):
        for quoted in _QUOTED.finditer(code.group()):
            body = quoted.group()[1:-1]
            if FRENCH.search(body):
                offset = code.start() + quoted.start() + 1
                spans += [(offset + s, offset + e, r) for s, e, r in _fixes_in(_mask(body, _URL))]
    masked = _TEMPLATE_CODE.sub(lambda m: (VALUE if m.group().startswith("{{") else HIDDEN) * len(m.group()), masked)
    if path.suffix != ".txt":
        tags = []
        for tag in _TAG.finditer(masked):
            for attribute in _READ_ATTRIBUTE.finditer(tag.group()):
                offset = tag.start() + attribute.start(1)
                spans += [(offset + s, offset + e, r) for s, e, r in _fixes_in(_mask(attribute.group(1), _URL))]
            tags.append(tag)
        masked = _mask(masked, _TAG)
    spans += _fixes_in(_mask(masked, _URL))
    return [
        Fix(path, s, e, r, _line(text, s), _excerpt(text, s, e))
        for s, e, r in sorted(set(spans))
        if (str(path.relative_to(ROOT)), _excerpt(text, s, e).strip()) not in ALLOWED
    ]


# --- Python --------------------------------------------------------------------------------------

_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
# f"{where} : {message}": only values and a spaced punctuation, which only French spaces so
_JOIN = re.compile(r"[\x00\x01 ,.()«»–—]*[ \u00a0\u202f][:;!?»][\x00\x01 ,.()«»–—:;!?]*")
# « Source : », « {label} : rang »: English never spaces a colon or a semicolon
_SPACED = re.compile(r"[^\s=?] [:;](?:[\s\x00]|$)")
_ESCAPES = {"\\u00a0": NBSP, "\\xa0": NBSP, "\\u202f": NARROW}
_ESCAPED_SPACE = re.compile(r"\\u00a0|\\xa0|\\u202f", re.IGNORECASE)
_PERCENT_FIELD = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def python_files() -> list[Path]:
    return sorted(
        p
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts and "demo_data" not in p.parts
    )


def _docstrings(tree: ast.AST) -> set[tuple[int, int]]:
    """Positions of docstrings and other bare strings: code's prose, in English, never shown."""
    return {
        (node.lineno, node.col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def python_fixes(path: Path) -> list[Fix]:
    text = path.read_text()
    skipped = _docstrings(ast.parse(text))
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    fixes = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING or token.start in skipped:
            continue
        prefix = re.match(r"[a-zA-Z]*", token.string).group().lower()
        if "r" in prefix or "b" in prefix:
            continue
        quote = token.string[len(prefix) : len(prefix) + 3]
        quote = quote if quote in ('"""', "'''") else quote[0]
        body = token.string[len(prefix) + len(quote) : -len(quote)]
        masked = _mask(body, _FORMAT_FIELD, VALUE) if "f" in prefix else body
        masked = _mask(masked, _PERCENT_FIELD, VALUE)
        masked = _mask(masked, re.compile(r"\\[nt]"), HIDDEN)
        # a space written as its escape is the right one: it reads as the character it stands for
        masked = _ESCAPED_SPACE.sub(lambda m: HIDDEN * (len(m.group()) - 1) + _ESCAPES[m.group().lower()], masked)
        masked = _mask(_mask(masked, _URL), _TAG)
        if not (
            FRENCH.search(masked.replace(VALUE, " ").replace(HIDDEN, " "))
            or _JOIN.fullmatch(masked)
            or _SPACED.search(masked)
        ):
            continue
        offset = line_starts[token.start[0] - 1] + token.start[1] + len(prefix) + len(quote)
        for s, e, r in _fixes_in(masked):
            excerpt = _excerpt(text, offset + s, offset + e)
            if (str(path.relative_to(ROOT)), excerpt.strip()) in ALLOWED:
                continue
            fixes.append(Fix(path, offset + s, offset + e, r, _line(text, offset + s), excerpt))
    return fixes


# --- Translations of the libraries' admins (ours: cnml/locale) -----------------------------------

_MSGSTR = re.compile(r'^(?:msgstr(?:\[\d+\])? )?"((?:[^"\\]|\\.)*)"$', re.MULTILINE)


def locale_files() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app / "locale").rglob("*.po"))


def locale_fixes(path: Path) -> list[Fix]:
    text = path.read_text()
    fixes, in_msgstr = [], False
    offset = 0
    for line in text.splitlines(keepends=True):
        in_msgstr = line.startswith("msgstr") or (in_msgstr and line.startswith('"'))
        match = _MSGSTR.match(line.rstrip("\n"))
        if in_msgstr and match and FRENCH.search(match.group(1)):
            body = _mask(_mask(match.group(1), _PERCENT_FIELD, VALUE), _URL)
            start = offset + match.start(1)
            fixes += [
                Fix(path, start + s, start + e, r, _line(text, start + s), _excerpt(text, start + s, start + e))
                for s, e, r in _fixes_in(body)
            ]
        offset += len(line)
    return fixes


def all_fixes() -> list[Fix]:
    return (
        [fix for path in template_files() for fix in template_fixes(path)]
        + [fix for path in python_files() for fix in python_fixes(path)]
        + [fix for path in locale_files() for fix in locale_fixes(path)]
    )


def apply(fixes: list[Fix]) -> None:
    """Writes the fixes in place, only the characters concerned (tools, not the tests, call it)."""
    by_path: dict[Path, list[Fix]] = {}
    for fix in fixes:
        by_path.setdefault(fix.path, []).append(fix)
    for path, path_fixes in by_path.items():
        text = path.read_text()
        for fix in sorted(path_fixes, key=lambda f: f.start, reverse=True):
            text = text[: fix.start] + fix.replacement + text[fix.end :]
        path.write_text(text)


# --- Tests ---------------------------------------------------------------------------------------


def test_templates_put_no_break_spaces_around_high_punctuation():
    fixes = [fix for path in template_files() for fix in template_fixes(path)]
    assert not fixes, "Plain or missing space before : ; ! ? » or after «:\n" + "\n".join(map(str, fixes))


def test_french_strings_of_the_python_modules_put_no_break_spaces_around_high_punctuation():
    fixes = [fix for path in python_files() for fix in python_fixes(path)]
    assert not fixes, "Plain or missing space before : ; ! ? » or after «:\n" + "\n".join(map(str, fixes))


def test_our_translations_of_the_libraries_admins_put_no_break_spaces_around_high_punctuation():
    fixes = [fix for path in locale_files() for fix in locale_fixes(path)]
    assert not fixes, "Plain or missing space before : ; ! ? » or after «:\n" + "\n".join(map(str, fixes))


def test_the_guard_sees_a_plain_space_a_missing_one_and_leaves_urls_hours_and_formats_alone():
    assert [r for _, _, r in _fixes_in("Statut : ouvert ; fermé ? « Bien »")] == [NBSP, NARROW, NARROW, NBSP, NBSP]
    assert [r for _, _, r in _fixes_in("Attention: fermé!")] == [NBSP, NARROW]
    assert _fixes_in(f"Statut{NBSP}: ouvert{NARROW}; à 10:30 «{NBSP}Bien{NBSP}»") == []
    assert _fixes_in(_mask("Voir https://cnml.fr/?page=2 et mailto:a@b.fr", _URL)) == []
    assert _fixes_in(_mask("Total {n:>3} : fin", _FORMAT_FIELD, VALUE)) == [(12, 13, NBSP)]
