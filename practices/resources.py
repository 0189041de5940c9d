"""Export of the fiches for the annual census (CSV / XLSX, django-import-export; export only).

The admin writes it through the one writer of spreadsheets (``cnml.spreadsheets``, ``EXPORT_FORMATS``),
which keeps a title typed as ``=...`` from running as a formula.
"""

from __future__ import annotations

from django.utils import timezone
from import_export import fields, resources

from practices.models import Fiche
from practices.richtext import plain_text


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


class FicheResource(resources.ModelResource):
    """One row per fiche; codes for structures and regions, French column names."""

    numero = fields.Field(attribute="pk", column_name="numero")
    titre = fields.Field(column_name="titre")
    statut = fields.Field(column_name="statut")
    code_structure = fields.Field(column_name="code_structure")
    structure = fields.Field(column_name="structure")
    comite = fields.Field(column_name="comite_de_pilotage")
    autres_structures = fields.Field(column_name="autres_structures")
    code_region = fields.Field(column_name="code_region")
    region = fields.Field(column_name="region")
    echelle = fields.Field(column_name="echelle")
    themes = fields.Field(column_name="themes")
    partenaires = fields.Field(column_name="partenaires")
    types_partenaires = fields.Field(column_name="types_partenaires")
    date_debut = fields.Field(column_name="date_debut")
    date_fin = fields.Field(column_name="date_fin")
    soumise_le = fields.Field(column_name="soumise_le")
    publiee_le = fields.Field(column_name="publiee_le")
    file_relecture = fields.Field(column_name="file_relecture")
    relecture_attendue_le = fields.Field(column_name="relecture_attendue_le")
    versions_soumises = fields.Field(column_name="versions_soumises")
    pieces_jointes = fields.Field(column_name="pieces_jointes")
    objectifs = fields.Field(column_name="objectifs")
    resultats = fields.Field(column_name="resultats")

    class Meta:
        model = Fiche
        fields = (
            "numero",
            "titre",
            "statut",
            "code_structure",
            "structure",
            "comite",
            "autres_structures",
            "code_region",
            "region",
            "echelle",
            "themes",
            "partenaires",
            "types_partenaires",
            "date_debut",
            "date_fin",
            "soumise_le",
            "publiee_le",
            "file_relecture",
            "relecture_attendue_le",
            "versions_soumises",
            "pieces_jointes",
            "objectifs",
            "resultats",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("structure", "committee", "region").prefetch_related(
            "themes", "partners", "other_structures", "attachments", "versions"
        )

    def dehydrate_titre(self, fiche: Fiche) -> str:
        return fiche.title

    def dehydrate_statut(self, fiche: Fiche) -> str:
        return fiche.get_status_display()

    # A fiche is carried by a structure or by a comité de pilotage: the other columns stay empty.
    def dehydrate_code_structure(self, fiche: Fiche) -> str:
        return fiche.structure.code if fiche.structure_id else ""

    def dehydrate_structure(self, fiche: Fiche) -> str:
        return fiche.structure.name if fiche.structure_id else ""

    def dehydrate_comite(self, fiche: Fiche) -> str:
        return fiche.committee.name if fiche.committee_id else ""

    def dehydrate_autres_structures(self, fiche: Fiche) -> str:
        return " ; ".join(structure.code for structure in fiche.other_structures.all())

    def dehydrate_code_region(self, fiche: Fiche) -> str:
        return fiche.region.code

    def dehydrate_region(self, fiche: Fiche) -> str:
        return fiche.region.name

    def dehydrate_echelle(self, fiche: Fiche) -> str:
        return fiche.get_scale_display() if fiche.scale else ""

    def dehydrate_themes(self, fiche: Fiche) -> str:
        return " ; ".join(theme.name for theme in fiche.themes.all())

    def dehydrate_partenaires(self, fiche: Fiche) -> str:
        return " ; ".join(partner.name for partner in fiche.partners.all())

    def dehydrate_types_partenaires(self, fiche: Fiche) -> str:
        return " ; ".join(sorted({partner.get_kind_display() for partner in fiche.partners.all()}))

    def dehydrate_date_debut(self, fiche: Fiche) -> str:
        return _date(fiche.start_date)

    def dehydrate_date_fin(self, fiche: Fiche) -> str:
        return _date(fiche.end_date)

    def dehydrate_soumise_le(self, fiche: Fiche) -> str:
        return _date(fiche.submitted_at)

    def dehydrate_publiee_le(self, fiche: Fiche) -> str:
        return _date(fiche.published_at)

    def dehydrate_file_relecture(self, fiche: Fiche) -> str:
        return fiche.get_queue_display() if fiche.queue else ""

    def dehydrate_relecture_attendue_le(self, fiche: Fiche) -> str:
        return _date(fiche.review_due_on)

    def dehydrate_versions_soumises(self, fiche: Fiche) -> int:
        return len(fiche.versions.all())

    def dehydrate_pieces_jointes(self, fiche: Fiche) -> int:
        return len(fiche.attachments.all())

    def dehydrate_objectifs(self, fiche: Fiche) -> str:
        return plain_text(fiche.objectives)

    def dehydrate_resultats(self, fiche: Fiche) -> str:
        return plain_text(fiche.results)
