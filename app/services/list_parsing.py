"""Read a list of people from an uploaded CSV or XLSX file or from pasted lines.

Files arrive as schools make them: CSV from Dutch Excel (``;`` separated, in
Windows-1252 or UTF-8 with or without a byte-order mark), headings in Dutch or
English in any order, or no headings at all. Cell values are kept as plain text
and never evaluated, so ``=HYPERLINK(...)`` stays a string.
"""

import csv
import io
import logging
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.services.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_LINES = 1000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CELL_LENGTH = 320

# Field names of a RequestLine, with the headings that name them (compared case-folded,
# without spaces, hyphens and underscores).
FIELD_HEADINGS = {
    "email": ("emailadres", "email", "e-mail", "emailaddress", "mail", "mailadres",
              "werkemailadres", "workemail", "werkemail"),
    "role": ("gewensterol", "rol", "role", "wantedrole", "requestedrole", "gebruikersrol", "nieuwerol"),
    "first_name": ("voornaam", "firstname", "givenname", "roepnaam"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels", "prefix", "infix"),
    "last_name": ("achternaam", "lastname", "surname", "familyname", "familienaam"),
    "school": ("school", "organisatie", "schoolorganisatie", "organisation", "organization",
               "brin", "instelling"),
}
FIELD_LABELS = {
    "email": _l("E-mailadres"),
    "role": _l("Gewenste rol"),
    "first_name": _l("Voornaam"),
    "tussenvoegsel": _l("Tussenvoegsel"),
    "last_name": _l("Achternaam"),
    "school": _l("School"),
}
FIELDS = tuple(FIELD_HEADINGS)

UPLOAD_TYPES = (".csv", ".txt", ".xlsx")
_XLSX_MAGIC = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"


class ListUnreadable(InvalidInput):
    """The file or pasted text cannot be read as a list. The message states what to do next."""


@dataclass
class ReadTable:
    """Rows read from a file or paste, and the column of each field when headings named it."""

    rows: list[list[str]]
    # Field name to column index; empty when the first row held no known headings.
    columns: dict[str, int] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)

    @property
    def has_headings(self) -> bool:
        return bool(self.columns)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def _heading_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_HEADING_FIELDS = {_heading_key(heading): name
                   for name, headings in FIELD_HEADINGS.items() for heading in headings}


def field_for_heading(text: str) -> str | None:
    """Return the RequestLine field a column heading names, or None."""
    return _HEADING_FIELDS.get(_heading_key(text))


def _clean_rows(rows) -> list[list[str]]:
    cleaned = []
    for row in rows:
        cells = ["" if value is None else str(value).strip()[:MAX_CELL_LENGTH] for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            cleaned.append(cells)
        if len(cleaned) > MAX_LINES + 1:
            # One heading row plus the maximum; reading on only costs memory.
            raise _too_many()
    return cleaned


def _too_many() -> ListUnreadable:
    return ListUnreadable(
        _l("De lijst heeft meer dan %(max)s regels. Er kunnen maximaal %(max)s regels in één "
           "verzoek. Splits de lijst en dien elk deel apart in.", max="1.000"),
        detail=f"more than {MAX_LINES} lines",
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise _junk("NUL bytes in a text file")
    if data.startswith(_BOM):
        return data[len(_BOM):].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _junk("neither UTF-8 nor Windows-1252") from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(text) // 100:
        raise _junk(f"{controls} control characters")
    return text


def _junk(detail: str) -> ListUnreadable:
    return ListUnreadable(
        _l("Het bestand is geen leesbare lijst. Sla de lijst in Excel op als CSV "
           "(puntkomma-gescheiden) of als Excel-werkmap (.xlsx) en probeer het opnieuw."),
        detail=detail,
    )


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {delimiter: sample.count(delimiter) for delimiter in ";,\t"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ";"


def read_text(text: str) -> ReadTable:
    """Read CSV or pasted lines; the delimiter is sniffed from the first lines."""
    if not text.strip():
        raise ListUnreadable(_l("De lijst is leeg. Plak of upload een lijst met minstens één regel."),
                             detail="no text")
    delimiter = _sniff_delimiter(text)
    try:
        rows = _clean_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _junk(f"csv: {error}") from None
    return _with_headings(rows)


def _read_xlsx(data: bytes) -> ReadTable:
    from openpyxl import load_workbook

    try:
        # data_only=False keeps a formula as its text, e.g. "=HYPERLINK(...)", instead of
        # a cached result that files written by other tools often lack.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise _junk(f"xlsx: {type(error).__name__}: {error}") from None
    except Exception as error:  # noqa: BLE001 - openpyxl raises its own types for broken parts
        raise _junk(f"xlsx: {type(error).__name__}: {error}") from None
    try:
        sheet = workbook.worksheets[0]
        rows = _clean_rows(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    return _with_headings(rows)


def read_upload(filename: str, data: bytes) -> ReadTable:
    """Read an uploaded list; the file type comes from its content, checked against its name.

    Raises:
        ListUnreadable: the file is empty, too large, of another type, unreadable,
            or has more than ``MAX_LINES`` lines.
    """
    name = (filename or "").lower()
    if not name.endswith(UPLOAD_TYPES):
        raise ListUnreadable(
            _l("Dit bestandstype kan niet worden gelezen. Kies een CSV-bestand (.csv) of een "
               "Excel-werkmap (.xlsx)."), detail=f"file name {filename!r}")
    if not data or not data.strip(b" \t\r\n" + _BOM):
        raise ListUnreadable(_l("Het bestand is leeg. Kies een bestand waarin de lijst staat."),
                             detail=f"empty file {filename!r}")
    if len(data) > MAX_FILE_BYTES:
        raise ListUnreadable(
            _l("Het bestand is groter dan 5 MB. Een lijst van maximaal 1.000 regels past daar "
               "ruim in; verwijder overbodige kolommen of splits de lijst."),
            detail=f"{len(data)} bytes")
    if name.endswith(".xlsx") or data.startswith(_XLSX_MAGIC):
        if not data.startswith(_XLSX_MAGIC):
            raise _junk(f"{filename!r} is not a zip archive")
        table = _read_xlsx(data)
    else:
        table = read_text(_decode(data))
    if not table.rows:
        raise ListUnreadable(_l("Het bestand is leeg. Kies een bestand waarin de lijst staat."),
                             detail=f"no rows in {filename!r}")
    logger.debug("read %s rows from %s", len(table.rows), filename)
    return table


def _with_headings(rows: list[list[str]]) -> ReadTable:
    if not rows:
        return ReadTable(rows=[])
    columns: dict[str, int] = {}
    for index, heading in enumerate(rows[0]):
        name = field_for_heading(heading)
        if name is not None and name not in columns:
            columns[name] = index
    if columns:
        table = ReadTable(rows=rows[1:], columns=columns, headings=rows[0])
    else:
        table = ReadTable(rows=rows)
    if len(table.rows) > MAX_LINES:
        raise _too_many()
    return table


def guess_columns(table: ReadTable) -> dict[str, int]:
    """Guess the column of each field in a table without headings, for the mapping step.

    Only the e-mail column can be recognised by its content: the column in which
    most values contain an "@".
    """
    if table.has_headings:
        return dict(table.columns)
    at_counts = [sum(1 for row in table.rows if index < len(row) and "@" in row[index])
                 for index in range(table.width)]
    if not at_counts or max(at_counts) == 0:
        return {}
    return {"email": at_counts.index(max(at_counts))}


def missing_fields(columns: dict[str, int], required: tuple[str, ...]) -> list[str]:
    return [name for name in required if name not in columns]


def missing_column_messages(missing: list[str]) -> list[str]:
    """Return one Dutch message per missing column, naming the heading to add."""
    return [
        str(_l("De kolom ‘%(column)s’ ontbreekt. Voeg een kolom met die kop toe, of kies "
               "hieronder welke kolom het bevat.", column=FIELD_LABELS[name]))
        for name in missing
    ]


def lines_from_table(table: ReadTable, columns: dict[str, int]) -> list[dict[str, str]]:
    """Turn rows into line dicts with the given column of each field; unmapped fields are empty."""
    lines = []
    for row in table.rows:
        line = {name: (row[index] if index < len(row) else "") for name, index in columns.items()}
        for name in FIELDS:
            line.setdefault(name, "")
        lines.append(line)
    return lines
