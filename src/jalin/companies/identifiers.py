"""Indonesian business identifiers: NIB, NPWP, KBLI and HS codes. Validation messages are translatable."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

_NON_DIGITS = re.compile(r"\D")


def clean_nib(value: str) -> str:
    """NIB (Nomor Induk Berusaha, from OSS): exactly 13 digits; separators are dropped. No public checksum."""
    digits = _NON_DIGITS.sub("", str(value or ""))
    if len(digits) != 13:
        raise ValidationError(_("NIB must have 13 digits (got %(n)s)."), code="nib", params={"n": len(digits)})
    return digits


def clean_npwp(value: str) -> str:
    """NPWP in the old 15-digit or the new 16-digit form (PMK 112/2022), stored as 16 digits.

    The old form's 9th digit is a Luhn check over the first 8 (python-stdnum checks it). A company's
    16-digit NPWP is ``0`` followed by the old 15 digits.
    """
    try:
        compact = stdnum_npwp.validate(str(value or ""))
    except StdnumError:
        raise ValidationError(
            _("NPWP is not valid: use 15 digits (XX.XXX.XXX.X-XXX.XXX) or 16 digits, with a correct check digit."),
            code="npwp",
        ) from None
    return compact if len(compact) == 16 else "0" + compact


def format_npwp(value: str) -> str:
    """Show a 16-digit company NPWP (``0`` + old form) in the familiar dotted 15-digit layout."""
    if len(value) == 16 and value.startswith("0"):
        return stdnum_npwp.format(value[1:])
    return value


_KBLI = re.compile(r"^\d{5}$")
_HS = re.compile(r"^\d{4}(\.\d{2}){0,3}$")


def clean_kbli(value: str) -> str:
    """KBLI 2020 (Peraturan BPS 2/2020): a five-digit code."""
    code = str(value or "").strip()
    if not _KBLI.match(code):
        raise ValidationError(_("KBLI code %(code)s must have 5 digits."), code="kbli", params={"code": code})
    return code


def clean_hs(value: str) -> str:
    """HS code (BTKI 2022) written as ``8708``, ``8708.92`` or ``8708.92.10``; bare digits are dotted."""
    code = str(value or "").strip()
    if code.isdigit() and len(code) in (4, 6, 8, 10):
        code = ".".join([code[:4]] + [code[i : i + 2] for i in range(4, len(code), 2)])
    if not _HS.match(code):
        raise ValidationError(_("HS code %(code)s is not valid (e.g. 8708.92)."), code="hs", params={"code": code})
    return code
