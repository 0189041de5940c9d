"""The accepted types of an upload as users read them: the help of a file field and the file picker's filter."""

from __future__ import annotations

from cnml.uploads import DOCUMENT_KINDS, accept_attribute, upload_help


def test_the_help_of_a_file_field_names_the_accepted_types_and_the_size_limit_in_french():
    assert upload_help(DOCUMENT_KINDS) == "PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG\u202f; 10\u00a0Mo au plus."
    assert upload_help(["pdf"], max_bytes=5 * 1024 * 1024) == "PDF\u202f; 5\u00a0Mo au plus."
    assert upload_help(["pdf", "png"], several=True) == (
        "PDF ou PNG\u202f; 10\u00a0Mo au plus par fichier\u202f; plusieurs fichiers possibles."
    )


def test_the_file_picker_offers_the_accepted_types_under_each_of_their_extensions():
    assert accept_attribute(["pdf", "docx", "jpeg"]) == ".pdf,.docx,.jpg,.jpeg"
