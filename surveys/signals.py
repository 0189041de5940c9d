"""Keep questionnaires consistent: refuse breaking changes once answered, count revisions.

Signals rather than service calls: the parts of a questionnaire (sections, questions,
choices) are written by the admin (its forms, inlines and delete action, including
cascades) and by :func:`surveys.services.questionnaire_copy`, so no single service sees
every write. The receivers are connected to those three models only (``sender=``):
saving an answer, a campaign or anything else notifies nobody. Data migrations use
historical models, which are other senders: they ship questionnaires without the lock.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from surveys.models import Choice, Question, Questionnaire, Section, check_not_breaking, questionnaire_of

PARTS = (Section, Question, Choice)


def refuse_breaking_change(sender, instance, raw=False, **kwargs):
    if not raw:
        check_not_breaking(instance)


def refuse_breaking_delete(sender, instance, **kwargs):
    check_not_breaking(instance, deleting=True)


def bump_questionnaire_revision(sender, instance, raw=False, **kwargs):
    if raw:
        return
    try:
        questionnaire = questionnaire_of(instance)
    except Questionnaire.DoesNotExist:  # deleted along with its questionnaire
        return
    if questionnaire is not None and questionnaire.pk:
        questionnaire.bump_revision()


for part in PARTS:
    pre_save.connect(refuse_breaking_change, sender=part, dispatch_uid=f"surveys-lock-save-{part.__name__}")
    pre_delete.connect(refuse_breaking_delete, sender=part, dispatch_uid=f"surveys-lock-delete-{part.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(bump_questionnaire_revision, sender=part, dispatch_uid=f"surveys-revision-{part.__name__}")
