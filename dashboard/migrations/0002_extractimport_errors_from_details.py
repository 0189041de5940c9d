from django.db import migrations


def keep_reasons_as_rows(apps, schema_editor):
    """Errors without detail (a failure's reason, or an import from before the details) become rows without file."""
    ExtractImport = apps.get_model("dashboard", "ExtractImport")
    for record in ExtractImport.objects.only("errors", "error_details").iterator():
        if record.errors and not record.error_details:
            record.error_details = [["", None, "", "", error] for error in record.errors]
            record.save(update_fields=["error_details"])


def sentences_from_rows(apps, schema_editor):
    ExtractImport = apps.get_model("dashboard", "ExtractImport")
    for record in ExtractImport.objects.only("error_details").iterator():
        sentences = []
        for file, line, column, _value, message in record.error_details:
            where = [file, *([f"ligne {line}"] if line is not None else []), *([f"colonne {column}"] if column else [])]
            sentences.append(f"{', '.join(where)}\u00a0: {message}" if file else message)
        record.errors = sentences
        record.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_squashed"),
    ]

    operations = [
        migrations.RunPython(keep_reasons_as_rows, sentences_from_rows),
        migrations.RemoveField(
            model_name="extractimport",
            name="errors",
        ),
    ]
