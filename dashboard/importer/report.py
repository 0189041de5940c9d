"""5. Report: the import's outcome and its data-quality report.

Errors are collected without stopping at the first: every one is counted (by file
and by reason), the first ``max_errors`` (by file, then line) are kept as French
sentences naming file, line and column. A successful import also reports its
suspicious rows (counted while checking, or on the new fact tables on PostgreSQL)
and the structures without data.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import connection

from cnml.models import Structure, StructureKind
from dashboard.importer import spec as specs
from dashboard.importer.state import ImportOutcome, ImportState


class ReportPhase(ImportState):
    """The outcome of the import, and the counts of its quality report."""

    def _outcome(self, succeeded: bool) -> ImportOutcome:
        kept = self.errors.first()
        return ImportOutcome(
            succeeded=succeeded,
            row_counts=dict(self.row_counts),
            error_count=self.errors.total,
            error_details=[[error.file, error.line, error.column, error.value, error.message] for error in kept],
            quality_report=self.quality_report(succeeded),
            extracted_on=self.extracted_on,
            first_contact_on=self.first_contact_on if succeeded else None,
            has_certification=self._has_certification(),
            timings=dict(self.timings),
        )

    def _has_certification(self) -> bool | None:
        young = self.states.get(specs.YOUNG_PEOPLE.key)
        if young is None or not young.columns:
            return None
        return young.columns.get("niveau_certification", "NULL") != "NULL"

    def quality_report(self, succeeded: bool) -> dict:
        """Rejected rows by reason and file, suspicious rows by reason, structures without data."""
        report = {
            "rejected": {
                "total": self.errors.total,
                "by_reason": [
                    {"code": reason, "label": specs.REJECT_REASONS.get(reason, reason), "count": count}
                    for reason, count in self.errors.by_reason.most_common()
                ],
                "by_file": dict(self.errors.by_file),
            },
        }
        if succeeded:
            report["suspicious"] = self.suspicious
            report["structures_without_data"] = [
                {"code": row["code_structure"], "name": row["nom"]}
                for row in self.structure_rows
                if row["type"] in (StructureKind.ML, StructureKind.PAIO)
                and not self.young_per_structure.get(row["code_structure"])
            ]
        return report

    def _count_suspicious_young_people(self, cursor, table: str) -> list[dict]:
        """Per structure (the structures without young people, in the same scan), then in all."""
        as_of = (self.extracted_on or date.max).isoformat()
        suspicions = specs.YOUNG_PEOPLE.suspicions(as_of)
        sums = [f"COUNT(*) FILTER (WHERE {suspicion.fact_condition})" for suspicion in suspicions]
        cursor.execute(
            f"SELECT st.code, COUNT(*), {', '.join(sums)} FROM {table} f "
            f"JOIN {Structure._meta.db_table} st ON st.id = f.structure_id GROUP BY st.code"
        )
        rows = cursor.fetchall()
        self.young_per_structure = Counter({row[0]: row[1] for row in rows})
        totals = [sum(row[2 + index] for row in rows) for index in range(len(suspicions))]
        return self._suspicious_items(specs.YOUNG_PEOPLE, suspicions, totals)

    @staticmethod
    def _suspicious_items(spec: specs.FileSpec, suspicions: list, counts) -> list[dict]:
        return [
            {"code": suspicion.code, "label": suspicion.label, "file": spec.name, "count": int(count or 0)}
            for suspicion, count in zip(suspicions, counts, strict=True)
        ]

    @staticmethod
    def _young_people_without_contact(cursor, young_table: str, young_id: str, contact_table: str) -> dict:
        if connection.vendor == "postgresql":  # a hash anti-join
            absent = f"NOT EXISTS (SELECT 1 FROM {contact_table} c WHERE c.young_person_id = y.{young_id})"
        else:
            # SQLite runs a correlated NOT EXISTS as a scan of the (unindexed) contacts per young
            # person: 185 s for 20 000 young people and 100 000 contacts, the write lock held all
            # along. NOT IN reads the contacts once into a temporary index (0,1 s); young_person_id
            # is never NULL, so NOT IN and NOT EXISTS agree.
            absent = f"y.{young_id} NOT IN (SELECT c.young_person_id FROM {contact_table} c)"
        cursor.execute(f"SELECT COUNT(*) FROM {young_table} y WHERE {absent}")
        return {
            "code": "young_people_without_contact",
            "label": "Jeunes sans aucun contact",
            "file": specs.YOUNG_PEOPLE.name,
            "count": int(cursor.fetchone()[0]),
        }
