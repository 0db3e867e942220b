"""Helpers for files users open in a spreadsheet program."""

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); prefixing a quote makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` ready for a CSV/XLSX cell, neutralising formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
