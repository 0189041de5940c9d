"""The public questionnaire behind a short link ``/e/<code>/``: no login, one section per screen.

``<code>`` is a distribution point's code (open link, rate-limited per client,
with a honeypot field) or a single-use code printed on a slip (answers once).
What was typed is kept in the session, per code, until the answer is sent or
abandoned (``surveys.drafts``: the survey's time-out): going back, or an error,
shows the answers as typed. Nothing identifying is stored: not the IP address
(the rate limit keys on a keyed hash of it, in the cache only), not the session,
not the code of a slip. A complete answer sent in one final POST (every screen
at once) touches no session row: one SELECT reads the link, one INSERT stores
the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cnml.formatting import format_count, french_spacing
from surveys import drafts, ratelimit
from surveys.answering import (
    HONEYPOT_FIELD,
    NOT_APPLICABLE,
    NOT_APPLICABLE_LABEL,
    YES_NO_CHOICES,
    clean_all,
    clean_section,
    field_name,
    points_left,
    raw_from_post,
)
from surveys.link_reader import read_link
from surveys.models import AccessCode, AccessMode, Campaign, CampaignStatus, DistributionPoint
from surveys.services import (
    ACCESS_CODE_LENGTH,
    POINT_CODE_LENGTH,
    CampaignNotAccepting,
    CodeAlreadyUsed,
    normalize_code,
    response_submit,
)
from surveys.spec import current_version, forget_version

SCALES = ("likert5", "likert7", "likert10")


@dataclass
class Target:
    code: str
    point: DistributionPoint
    campaign: Campaign
    access_code: AccessCode | None = None


def _resolve(code: str) -> Target | None:
    code = normalize_code(code)
    if len(code) not in (POINT_CODE_LENGTH, ACCESS_CODE_LENGTH):
        return None
    found = read_link(code, by_access_code=len(code) == ACCESS_CODE_LENGTH)
    if found is None:
        return None
    point, access = found
    return Target(code, point, point.campaign, access)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"surveys/public/{template}", context, status=status)


def _unavailable(request: HttpRequest, code: str, target: Target | None) -> HttpResponse | None:
    """The clear page to show instead of the questionnaire, or None when it can be answered."""
    if target is None:
        return _page(request, "unknown.html", {"title": "Lien d'enquête inconnu", "code": code}, status=404)
    campaign = target.campaign
    context = {"campaign": campaign, "point": target.point}
    today = timezone.localdate()
    if campaign.status == CampaignStatus.DRAFT or (
        campaign.status == CampaignStatus.OPEN and today < campaign.opens_on
    ):
        return _page(request, "not_open.html", context | {"title": "Enquête pas encore ouverte"})
    if not campaign.is_accepting_answers(today):
        return _page(request, "closed.html", context | {"title": "Enquête terminée"})
    if target.access_code is not None and target.access_code.used_at is not None:
        return _page(request, "code_used.html", context | {"title": "Code déjà utilisé"})
    return None


def _answerable(request: HttpRequest, code: str) -> tuple[Target | None, HttpResponse | None]:
    """The target of the code, and the page to show instead of the questionnaire (None if none)."""
    target = _resolve(code)
    return target, _unavailable(request, code, target)


@never_cache
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, code: str) -> HttpResponse:
    target, unavailable = _answerable(request, code)
    if unavailable:
        return unavailable
    campaign = target.campaign
    if campaign.access_mode == AccessMode.CODES_ONLY and target.access_code is None:
        error = ""
        if request.method == "POST":
            typed = normalize_code(request.POST.get("code", ""))
            typed_target = _resolve(typed) if len(typed) == ACCESS_CODE_LENGTH else None
            if typed_target and typed_target.point.pk == target.point.pk:
                return redirect("surveys_public:entry", code=typed)
            error = "Ce code n'est pas valable pour cette enquête. Vérifiez-le sur votre ticket."
        return _page(
            request,
            "code_form.html",
            {
                "title": "Saisissez votre code",
                "campaign": campaign,
                "point": target.point,
                "error": error,
                "typed": request.POST.get("code", ""),
            },
        )
    _, spec = current_version(campaign.questionnaire)
    return _page(
        request,
        "intro.html",
        {
            "title": campaign.title,
            "campaign": campaign,
            "point": target.point,
            "spec": spec,
            "steps": len(spec["sections"]),
            "start_url": reverse("surveys_public:step", args=[target.code, 1]),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    """The address printed on single-use code slips, for whoever cannot scan the QR code: type the code."""
    error = ""
    if request.method == "POST":
        typed = normalize_code(request.POST.get("code", ""))
        if _resolve(typed) is not None:
            return redirect("surveys_public:entry", code=typed)
        error = "Ce code ne correspond à aucune enquête. Vérifiez-le sur votre ticket."
    return _page(
        request,
        "code_form.html",
        {"title": "Saisissez votre code", "error": error, "typed": request.POST.get("code", "")},
    )


def _options(question: dict) -> list[tuple[str, str, str]]:
    """(value, label, hint) of the radio buttons or checkboxes of a question."""
    kind = question["kind"]
    if kind in ("likert5", "likert7", "likert10"):
        low, high = question["scale"]
        options = [(str(value), str(value), "") for value in range(low, high + 1)]
        options[0] = (options[0][0], options[0][1], question["min_label"])
        options[-1] = (options[-1][0], options[-1][1], question["max_label"])
        return options
    if kind == "yes_no":
        return [(value, label, "") for value, label in YES_NO_CHOICES]
    return [(choice["code"], choice["label"], "") for choice in question["choices"]]


def _shown(question: dict) -> dict:
    """The question as the form shows it: its texts, typed as data, with the spaces French puts before « : ; ! ? »."""
    return question | {
        "text": french_spacing(question["text"]),
        "help": french_spacing(question["help"]),
        "choices": [choice | {"label": french_spacing(choice["label"])} for choice in question["choices"]],
    }


def _fields(questions: list[dict], raw: dict, errors: dict) -> list[dict]:
    shared_hint = _shared_scale_hint(questions)
    fields = []
    for question in map(_shown, questions):
        code = question["code"]
        name = field_name(code)
        value = raw.get(code)
        field = {
            "q": question,
            "name": name,
            "id": f"champ-{code}",
            "error": errors.get(code, ""),
            "value": value if isinstance(value, str) else "",
            "scale_hint": "" if shared_hint else _scale_hint(question),
        }
        if question["kind"] in ("likert5", "likert7", "likert10", "single", "yes_no", "multiple"):
            selected = set(value) if isinstance(value, list) else {value}
            field["options"] = [
                {"value": v, "label": label, "hint": hint, "checked": v in selected, "id": f"champ-{code}-{v}"}
                for v, label, hint in _options(question)
            ]
            field["inline"] = question["kind"] == "yes_no"
            field["scale"] = question["kind"] in SCALES
            if field["scale"] and question["na"]:
                # « Ne s'applique pas » under the scale, not at its end: the scale keeps one line.
                field["na_option"] = {
                    "value": NOT_APPLICABLE,
                    "label": NOT_APPLICABLE_LABEL,
                    "checked": NOT_APPLICABLE in selected,
                    "id": f"champ-{code}-{NOT_APPLICABLE}",
                }
        if question["kind"] == "points":
            field.update(_points(question, name, value if isinstance(value, dict) else {}))
        fields.append(field)
    return fields


def _points(question: dict, name: str, values: dict) -> dict:
    """The inputs of a points question and what is left to give (``points.js`` keeps it up to date)."""
    code = question["code"]
    return {
        "parts": [
            {
                "name": f"{name}-{choice['code']}",
                "id": f"champ-{code}-{choice['code']}",
                "label": choice["label"],
                "value": values.get(choice["code"], ""),
            }
            for choice in question["choices"]
        ],
        "left_text": points_left_text(points_left(question, values)),
    }


def points_left_text(left: int) -> str:
    """« Reste à répartir : 40 points. » (``points.js`` says the same as it is typed).

    The count is the project's one French count (``format_count``: no-break space, an s from 2 on);
    ``left`` is never 0 there, which has its own sentence.
    """
    if left > 0:
        return f"Reste à répartir : {format_count(left, 'point')}."
    if left == 0:
        return "Tous les points sont répartis."
    return f"{format_count(-left, 'point')} de trop : retirez-en pour arriver au total."


def _shared_scale_hint(questions: list[dict]) -> str:
    """« 1 = pas du tout d'accord ; 7 = tout à fait d'accord » when every scale of a screen reads so.

    Said once above the questions rather than under each of them (a SERVQUAL screen has 13).
    """
    hints = {_scale_hint(question) for question in questions if question["kind"] in SCALES}
    return hints.pop() if len(hints) == 1 else ""


def _scale_hint(question: dict) -> str:
    if not question["min_label"]:
        return ""
    low, high = question["scale"]
    return f"{low} = {question['min_label'].lower()} ; {high} = {question['max_label'].lower()}"


def _render_step(request, target: Target, spec: dict, step: int, raw: dict, errors: dict) -> HttpResponse:
    sections = spec["sections"]
    titles = [french_spacing(section["title"]) for section in sections]
    section = sections[step - 1] | {"title": titles[step - 1]}
    fields = _fields(section["questions"], raw, errors)
    return _page(
        request,
        "step.html",
        {
            "title": f"{section['title']} — étape {step} sur {len(sections)}" + (" — erreur" if errors else ""),
            "campaign": target.campaign,
            "point": target.point,
            "section": section,
            "scale_hint": _shared_scale_hint(section["questions"]),
            "fields": fields,
            "errors": [field for field in fields if field["error"]],
            "step": step,
            "steps": len(sections),
            "next_title": titles[step] if step < len(sections) else "",
            "is_last": step == len(sections),
            "honeypot": HONEYPOT_FIELD,
            "action_url": reverse("surveys_public:step", args=[target.code, step]),
            "previous_url": reverse("surveys_public:step", args=[target.code, step - 1]) if step > 1 else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, code: str, step: int) -> HttpResponse:
    target, unavailable = _answerable(request, code)
    if unavailable:
        return unavailable
    campaign = target.campaign
    if campaign.access_mode == AccessMode.CODES_ONLY and target.access_code is None:
        return redirect("surveys_public:entry", code=target.code)
    version_id, spec = current_version(campaign.questionnaire, trust_cache=request.method == "POST")
    if not 1 <= step <= len(spec["sections"]):
        return redirect("surveys_public:entry", code=target.code)
    key = drafts.key_for(target.code)

    if request.method == "GET":
        raw = drafts.read(request, key)
        errors = {}
        if request.GET.get("verifier"):
            _, errors = clean_section(spec["sections"][step - 1]["questions"], raw)
        return _render_step(request, target, spec, step, raw, errors)
    if request.POST.get(HONEYPOT_FIELD):
        # A robot filled the hidden field: thank it, keep nothing.
        drafts.drop(request, key)
        return redirect("surveys_public:thanks", code=target.code)
    return _post_step(request, target, spec, version_id, step, key)


def _posted_raw(request: HttpRequest, sections: list[dict], step: int, key: str) -> dict:
    """The draft, updated with what this POST sends: its own screen and any other listed in « ecrans »."""
    raw = drafts.read(request, key)
    posted_steps = {step}
    for part in request.POST.get("ecrans", "").split(","):
        if part.strip().isdigit() and 1 <= int(part) <= len(sections):
            posted_steps.add(int(part))
    for index in sorted(posted_steps):
        raw.update(raw_from_post(sections[index - 1]["questions"], request.POST))
    return raw


def _post_step(request: HttpRequest, target: Target, spec: dict, version_id: int, step: int, key: str) -> HttpResponse:
    """A screen sent: back, the same screen with its errors, the next screen, or (the last one) the answer stored."""
    sections = spec["sections"]
    raw = _posted_raw(request, sections, step, key)
    if request.POST.get("action") == "precedent" and step > 1:
        drafts.keep(request, key, raw)
        return redirect("surveys_public:step", code=target.code, step=step - 1)

    _, errors = clean_section(sections[step - 1]["questions"], raw)
    if errors:
        drafts.keep(request, key, raw)
        return _render_step(request, target, spec, step, raw, errors)
    if step < len(sections):
        drafts.keep(request, key, raw)
        return redirect("surveys_public:step", code=target.code, step=step + 1)

    values, first_invalid, _ = clean_all(spec, raw)
    if first_invalid is not None:
        drafts.keep(request, key, raw)
        url = reverse("surveys_public:step", args=[target.code, first_invalid + 1])
        return redirect(f"{url}?verifier=1")
    return _submit(request, target, version_id, values, key)


def _submit(request: HttpRequest, target: Target, version_id: int, values: dict, key: str) -> HttpResponse:
    """Store the complete answer (within the rate limit of an open link), then thank the respondent."""
    campaign = target.campaign
    context = {"campaign": campaign, "point": target.point}
    if target.access_code is None and not ratelimit.allow_submission(request, campaign.pk):
        return _page(
            request, "rate_limited.html", context | {"title": "Trop de réponses depuis cette connexion"}, status=429
        )
    access_code_id = target.access_code.pk if target.access_code else None
    try:
        try:
            response_submit(point=target.point, version_id=version_id, answers=values, access_code_id=access_code_id)
        except IntegrityError:
            # The cached questionnaire version is gone (foreign key): nothing was stored
            # (the transaction rolled back, the code is not spent); store it once more
            # against the version as it stands now.
            forget_version(campaign.questionnaire)
            version_id, _ = current_version(campaign.questionnaire)
            response_submit(point=target.point, version_id=version_id, answers=values, access_code_id=access_code_id)
    except CodeAlreadyUsed:
        drafts.drop(request, key)
        return _page(request, "code_used.html", context | {"title": "Code déjà utilisé"})
    except CampaignNotAccepting:
        return _page(request, "closed.html", context | {"title": "Enquête terminée"})
    drafts.drop(request, key)
    return redirect("surveys_public:thanks", code=target.code)


@never_cache
@require_GET
def thanks(request: HttpRequest, code: str) -> HttpResponse:
    target = _resolve(code)
    if target is None:
        return _page(request, "unknown.html", {"title": "Lien d'enquête inconnu", "code": code}, status=404)
    return _page(request, "thanks.html", {"title": "Merci", "campaign": target.campaign, "point": target.point})
