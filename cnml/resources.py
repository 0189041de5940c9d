"""django-import-export resources: the network as CSV/XLSX, with codes not ids."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from cnml.models import Region, Structure


class RegionResource(resources.ModelResource):
    class Meta:
        model = Region
        import_id_fields = ("code",)
        fields = ("code", "name")
        skip_unchanged = True
        report_skipped = True


class StructureResource(resources.ModelResource):
    """Columns follow the extract's structures.csv; codes identify rows (upsert)."""

    code_structure = fields.Field(attribute="code", column_name="code_structure")
    nom = fields.Field(attribute="name", column_name="nom")
    type = fields.Field(attribute="kind", column_name="type")
    code_region = fields.Field(
        attribute="region", column_name="code_region", widget=ForeignKeyWidget(Region, field="code")
    )
    code_parent = fields.Field(
        attribute="parent", column_name="code_parent", widget=ForeignKeyWidget(Structure, field="code")
    )
    active = fields.Field(attribute="active", column_name="active")

    class Meta:
        model = Structure
        import_id_fields = ("code_structure",)
        fields = ("code_structure", "nom", "type", "code_region", "code_parent", "active")
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        # Empty "active" in a file means the structure is active.
        if row.get("active") in (None, ""):
            row["active"] = "1"
