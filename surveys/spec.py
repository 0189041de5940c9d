"""A questionnaire compiled into plain data (its "spec"), and the immutable version answers point to.

The public form, validation and aggregation all work on the spec, never on the
models: it is what a :class:`~surveys.models.QuestionnaireVersion` stores, so an
answer is always read with the questions (codes, texts, choices) its
respondent saw. Compiled specs are cached per process, keyed on the
questionnaire's revision.
"""

from __future__ import annotations

import hashlib
import json
import threading

from django.db import IntegrityError, transaction

from surveys.models import LIKERT_BOUNDS, Questionnaire, QuestionnaireVersion

_cache: dict[tuple[int, int], tuple[int, dict]] = {}
_lock = threading.Lock()


def compile_spec(questionnaire: Questionnaire) -> dict:
    sections = []
    for section in questionnaire.sections.prefetch_related("questions__choices").order_by("order", "pk"):
        questions = []
        for question in section.questions.all():
            bounds = LIKERT_BOUNDS.get(question.kind)
            questions.append(
                {
                    "code": question.code,
                    "text": question.text,
                    "help": question.help_text,
                    "kind": question.kind,
                    "required": question.required,
                    "dimension": question.dimension,
                    "servqual_role": question.servqual_role,
                    "servqual_item": question.servqual_item,
                    "role": question.analysis_role,
                    "scale": list(bounds) if bounds else None,
                    "min_label": question.min_label,
                    "max_label": question.max_label,
                    "na": question.allow_not_applicable,
                    "max_length": question.max_length,
                    "min": question.min_value,
                    "max": question.max_value,
                    "total": question.points_total,
                    "choices": [
                        {"code": c.code, "label": c.label, "key": c.is_key, "dimension": c.dimension}
                        for c in question.choices.all()
                    ],
                }
            )
        sections.append({"title": section.title, "description": section.description, "questions": questions})
    return {
        "code": questionnaire.code,
        "title": questionnaire.title,
        "instrument": questionnaire.instrument,
        "audience": questionnaire.audience,
        "description": questionnaire.description,
        "sections": sections,
    }


def digest_of(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def current_version(questionnaire: Questionnaire, *, trust_cache: bool = False) -> tuple[int, dict]:
    """(version id, spec) of the questionnaire as it stands; creates the version row when new.

    The cached id is checked against the database (a primary-key lookup): the row
    may be gone (a rolled-back transaction, a restored database), and a stale id
    would attach answers to nothing. ``trust_cache=True`` skips that query: for
    the answer path, whose insert fails on a stale id (foreign key) — the caller
    then calls :func:`forget_version` and asks again.
    """
    key = (questionnaire.pk, questionnaire.revision)
    cached = _cache.get(key)
    if cached is not None and (
        trust_cache or QuestionnaireVersion.objects.filter(pk=cached[0], questionnaire=questionnaire).exists()
    ):
        return cached
    spec = compile_spec(questionnaire)
    digest = digest_of(spec)
    version = QuestionnaireVersion.objects.filter(questionnaire=questionnaire, digest=digest).only("pk").first()
    if version is None:
        try:
            with transaction.atomic():
                version = QuestionnaireVersion.objects.create(
                    questionnaire=questionnaire, revision=questionnaire.revision, digest=digest, spec=spec
                )
        except IntegrityError:  # created meanwhile by another process
            version = QuestionnaireVersion.objects.get(questionnaire=questionnaire, digest=digest)
    with _lock:
        _cache[key] = (version.pk, spec)
    return version.pk, spec


def forget_version(questionnaire: Questionnaire) -> None:
    """Drop the cached version of the questionnaire (its row turned out to be gone)."""
    with _lock:
        _cache.pop((questionnaire.pk, questionnaire.revision), None)
