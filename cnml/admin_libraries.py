"""The libraries' admins as the project's: in French (the headings they give no translation for; their
messages are in cnml/locale) and searching without accents nor case (cnml/adminsearch.py).

Imported by cnml/admin.py: the libraries come before ``cnml`` in INSTALLED_APPS, so their admins are
registered by then, and are registered again here.
"""

from django.contrib import admin
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

from cnml.adminsearch import FrenchSearchMixin, with_french_search


class TaskNameFilter(admin.AllValuesFieldListFilter):
    """celery-beat's task field is named « Task Name » without a translation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "nom de la tâche"


admin.site.unregister([PeriodicTask, CrontabSchedule])


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(FrenchSearchMixin, celery_beat_admin.PeriodicTaskAdmin):
    """celery-beat's, with French headings where the library gives none to translate."""

    list_filter = ["enabled", "one_off", ("task", TaskNameFilter), "start_time", "last_run_at"]

    @admin.display(description="planification")
    def scheduler(self, task: PeriodicTask):
        return task.scheduler

    @admin.display(description="crontab en clair")
    def crontab_translation(self, task: PeriodicTask) -> str:
        return super().crontab_translation(task)


class PeriodicTaskInline(celery_beat_admin.PeriodicTaskInline):
    """The tasks of a schedule, their task's field headed in French (« Task Name » in the library)."""

    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description="nom de la tâche")
    def task_name(self, task: PeriodicTask) -> str:
        return task.task


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(celery_beat_admin.CrontabScheduleAdmin):
    inlines = [PeriodicTaskInline]

    @admin.display(description="en clair")
    def human_readable(self, crontab: CrontabSchedule) -> str:
        return crontab.human_readable


for _schedule in (ClockedSchedule, IntervalSchedule, SolarSchedule):
    _library_admin = type(admin.site.get_model_admin(_schedule))
    admin.site.unregister(_schedule)
    admin.site.register(_schedule, type(_library_admin.__name__, (_library_admin,), {"inlines": [PeriodicTaskInline]}))


# The libraries' admins, registered before this module (auth's groups, celery-beat's tasks, axes'
# logs), search the same way; the project's own declare FrenchSearchMixin (tests/cnml/test_admin_search.py).
for _model, _model_admin in list(admin.site._registry.items()):
    if _model_admin.search_fields and not isinstance(_model_admin, FrenchSearchMixin):
        admin.site.unregister(_model)
        admin.site.register(_model, with_french_search(type(_model_admin)))
