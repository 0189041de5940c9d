"""Import of the national warehouse extract (format "P3-2011", docs/extract-format.md).

:class:`ExtractImporter` stages the files, checks them set-based and swaps the
facts in one transaction; see :mod:`dashboard.importer.core`. Call it through
:func:`dashboard.services.extract_import_run`, which records the outcome.
"""

from dashboard.importer.core import MAX_ERRORS, ExtractImporter, ImportOutcome

__all__ = ["MAX_ERRORS", "ExtractImporter", "ImportOutcome"]
