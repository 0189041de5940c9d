"""Reading and checking what a respondent typed, question by question, from the compiled spec.

The public form keeps *raw* values (exactly what was typed or ticked) in the
session between screens, so a screen shown again — after an error or with
« Précédent » — shows the answers as typed. Only the final submission turns
the raw values of every section into clean values stored with the response.

Raw values: a string for most questions, a list of choice codes for a
multiple choice, a {choice code: string} mapping for a points question.
Clean values: an int (scales, numbers), ``"na"`` (« ne s'applique pas »), a
choice code, a list of choice codes, a text, or {choice code: int}.
"""

from __future__ import annotations

from django.http import QueryDict

from cnml.formatting import format_number

YES_NO_CHOICES = [("oui", "Oui"), ("non", "Non"), ("nsp", "Je ne sais pas")]
NOT_APPLICABLE = "na"
NOT_APPLICABLE_LABEL = "Ne s'applique pas"
HONEYPOT_FIELD = "site_internet"
REQUIRED_MESSAGE = "Veuillez répondre à cette question."


def field_name(code: str) -> str:
    return f"q-{code}"


def raw_from_post(questions: list[dict], post: QueryDict) -> dict:
    """The raw values of ``questions`` as posted (an unticked multiple choice is an empty list)."""
    raw = {}
    for question in questions:
        name = field_name(question["code"])
        kind = question["kind"]
        if kind == "multiple":
            raw[question["code"]] = [value for value in post.getlist(name) if value]
        elif kind == "points":
            raw[question["code"]] = {
                choice["code"]: post.get(f"{name}-{choice['code']}", "").strip() for choice in question["choices"]
            }
        elif kind == "text":
            raw[question["code"]] = post.get(name, "").replace("\r\n", "\n").strip()
        else:
            raw[question["code"]] = post.get(name, "").strip()
    return raw


def _parse_int(text: str) -> int | None:
    text = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if text.startswith(("+", "-")):
        sign, digits = text[0], text[1:]
    else:
        sign, digits = "", text
    if not digits.isdigit() or len(digits) > 9:
        return None
    return int(sign + digits)


def clean_answer(question: dict, raw) -> tuple[object, str | None]:
    """(clean value or None when unanswered, error message or None)."""
    kind = question["kind"]
    if kind == "multiple":
        return _clean_multiple(question, raw)
    if kind == "points":
        return _clean_points(question, raw or {})
    raw = raw or ""
    if raw == "":
        return None, REQUIRED_MESSAGE if question["required"] else None
    if kind in ("likert5", "likert7", "likert10"):
        return _clean_scale(question, raw)
    if kind == "single":
        codes = [choice["code"] for choice in question["choices"]]
        return (raw, None) if raw in codes else (None, "Choisissez parmi les réponses proposées.")
    if kind == "yes_no":
        return (raw, None) if raw in dict(YES_NO_CHOICES) else (None, "Répondez par oui, non ou je ne sais pas.")
    if kind == "number":
        return _clean_number(question, raw)
    if kind == "text":
        if len(raw) > question["max_length"]:
            return None, (
                f"Votre texte dépasse {format_number(question['max_length'])} caractères "
                f"({format_number(len(raw))} actuellement)."
            )
        return raw, None
    return None, "Type de question inconnu."


def _clean_multiple(question: dict, raw: list | None) -> tuple[list | None, str | None]:
    values = list(dict.fromkeys(raw or []))
    if not values:
        return None, "Cochez au moins une réponse." if question["required"] else None
    codes = [choice["code"] for choice in question["choices"]]
    if any(value not in codes for value in values):
        return None, "Choisissez parmi les réponses proposées."
    return values, None


def points_left(question: dict, raw: dict) -> int:
    """What is left to give of a points question's total: the whole positive numbers typed are counted.

    Shown beside the question as it is typed (``surveys/static/surveys/points.js`` counts alike);
    ``_clean_points`` stays the judge of the answer.
    """
    given = 0
    for choice in question["choices"]:
        number = _parse_int(raw.get(choice["code"], "") or "0")
        given += number if number is not None and number > 0 else 0
    return question["total"] - given


def _clean_points(question: dict, raw: dict) -> tuple[dict | None, str | None]:
    """Points shared between the choices: whole, positive or nil, adding up to the question's total."""
    if not any(raw.values()):
        return None, REQUIRED_MESSAGE if question["required"] else None
    values = {}
    for choice in question["choices"]:
        number = _parse_int(raw.get(choice["code"], "") or "0")
        if number is None or number < 0:
            return None, "Indiquez un nombre entier de points, positif ou nul, pour chaque ligne."
        values[choice["code"]] = number
    total = sum(values.values())
    if total != question["total"]:
        return None, (
            f"Le total doit faire {format_number(question['total'])} points : "
            f"il fait actuellement {format_number(total)} points."
        )
    return values, None


def _clean_scale(question: dict, raw: str) -> tuple[int | str | None, str | None]:
    if raw == NOT_APPLICABLE and question["na"]:
        return NOT_APPLICABLE, None
    low, high = question["scale"]
    number = _parse_int(raw)
    if number is None or not low <= number <= high:
        return None, f"Choisissez une note de {low} à {high}."
    return number, None


def _clean_number(question: dict, raw: str) -> tuple[int | None, str | None]:
    number = _parse_int(raw)
    low, high = question["min"], question["max"]
    if number is None:
        return None, "Saisissez un nombre entier, par exemple 4."
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return None, f"Saisissez un nombre entier entre {format_number(low)} et {format_number(high)}."
        if low is not None:
            return None, f"Saisissez un nombre entier supérieur ou égal à {format_number(low)}."
        return None, f"Saisissez un nombre entier inférieur ou égal à {format_number(high)}."
    return number, None


def clean_section(questions: list[dict], raw: dict) -> tuple[dict, dict]:
    """(clean values of the answered questions, {code: error}) for one section."""
    values, errors = {}, {}
    for question in questions:
        value, error = clean_answer(question, raw.get(question["code"]))
        if error:
            errors[question["code"]] = error
        elif value is not None:
            values[question["code"]] = value
    return values, errors


def clean_all(spec: dict, raw: dict) -> tuple[dict, int | None, dict]:
    """Check every section: (values, index of the first section with errors or None, its errors)."""
    values = {}
    for index, section in enumerate(spec["sections"]):
        section_values, errors = clean_section(section["questions"], raw)
        if errors:
            return values, index, errors
        values.update(section_values)
    return values, None, {}
