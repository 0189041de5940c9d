"""Keep questionnaires consistent: refuse breaking changes once answered, count revisions."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from surveys.models import Choice, Question, Questionnaire, Section, check_not_breaking, questionnaire_of

PARTS = (Section, Question, Choice)


@receiver(pre_save)
def refuse_breaking_change(sender, instance, raw=False, **kwargs):
    if sender in PARTS and not raw:
        check_not_breaking(instance)


@receiver(pre_delete)
def refuse_breaking_delete(sender, instance, **kwargs):
    if sender in PARTS:
        check_not_breaking(instance, deleting=True)


@receiver(post_save)
@receiver(post_delete)
def bump_questionnaire_revision(sender, instance, raw=False, **kwargs):
    if sender not in PARTS or raw:
        return
    try:
        questionnaire = questionnaire_of(instance)
    except Questionnaire.DoesNotExist:  # deleted along with its questionnaire
        return
    if questionnaire is not None and questionnaire.pk:
        questionnaire.bump_revision()
