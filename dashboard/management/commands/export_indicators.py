"""``python manage.py export_indicators --period 2011-T2 [--scope ...] [--format json|csv] [--validated]``.

The machine interface of the open-data publication: keep its output stable
(see :func:`dashboard.selectors.export_rows`). Its CSV is written by ``cnml.spreadsheets``.
Figures of the demo's invented extract are announced as « données de démonstration » on the
error output (never validated, ``--validated`` never reads them).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from cnml import spreadsheets
from dashboard import selectors
from dashboard.periods import Period, PeriodError
from dashboard.selectors import EXPORT_FIELDS, Scope, ScopeError


class Command(BaseCommand):
    help = (
        "Exporte les indicateurs d'une période pour la France entière, une région ou une structure "
        "(JSON ou CSV), depuis le dernier calcul (ou le dernier calcul validé avec --validated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Période, par exemple 2011-T2 (janvier-juin 2011).")
        parser.add_argument(
            "--scope",
            default=Scope.NATIONAL_TEXT,
            help="national (par défaut), region:CODE (ex. region:93) ou structure:CODE (ex. structure:ML93001).",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json", help="json (par défaut) ou csv.")
        parser.add_argument("--validated", action="store_true", help="Lire le dernier calcul validé pour publication.")

    def handle(self, *args, period: str, scope: str, format: str, validated: bool, **options):
        try:
            parsed_period = Period.parse(period)
            parsed_scope = Scope.parse(scope)
        except (PeriodError, ScopeError) as exc:
            raise CommandError(str(exc)) from exc
        if validated:
            snapshot = selectors.latest_validated_snapshot()
            if snapshot is None:
                raise CommandError(
                    "Aucun calcul validé pour publication : un relecteur CNML doit d'abord en valider un."
                )
        else:
            snapshot = selectors.latest_computed_snapshot()
            if snapshot is None:
                raise CommandError(
                    "Aucun calcul des indicateurs : importez une extraction puis lancez "
                    "« python manage.py recompute_indicators »."
                )
        try:
            rows = selectors.export_rows(snapshot, parsed_scope, parsed_period)
        except (PeriodError, ScopeError) as exc:
            raise CommandError(str(exc)) from exc
        if snapshot.data_demo:
            # Said on the error output: the published format of the figures does not change.
            self.stderr.write(
                f"Attention : données de démonstration (calcul n° {snapshot.pk}), inventées et non publiées : "
                "elles ne décrivent aucune mission locale réelle."
            )
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            # Points for decimals, line feeds, no BOM: a machine reads it (its format is published, keep it).
            spreadsheets.write_csv(
                self.stdout,
                ([row[name] for name in EXPORT_FIELDS] for row in rows),
                headers=EXPORT_FIELDS,
                decimal_comma=False,
                lineterminator="\n",
            )
