"""Validation of the identifiers the registry holds: tax codes and GTINs.

A pure core (no Django). Check-digit arithmetic comes from python-stdnum, which
implements the Vietnamese MST and the GS1 mod-10 rule and is widely used and tested.
Each function returns the normalised form or raises :class:`IdentifierError` with a
sentence a user can act on.
"""

import re

from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.vn import mst


class IdentifierError(ValueError):
    """An identifier that is malformed; ``code`` names the problem for translations and JSON."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise_tax_code(value: str) -> str:
    """Return the canonical tax code: ``0100233488`` or a branch ``0314409058-002``.

    Accepts the 10-digit enterprise code (mã số doanh nghiệp = mã số thuế), the 13-digit
    branch code, and the 12-digit personal identification number that household
    businesses have used as their tax code since 1 July 2025.
    """
    raw = (value or "").strip()
    digits = _SEPARATORS.sub("", raw)
    if not digits:
        raise IdentifierError("empty", "The tax code is empty.")
    if not digits.isdigit():
        raise IdentifierError(
            "format", f"Tax code {raw!r} may contain only digits (and a dash before a branch)."
        )
    if len(digits) == 12:
        # Personal identification number (căn cước): 3-digit place code, 1 century/sex digit,
        # 2-digit birth year, 6-digit serial. There is no check digit to verify.
        if not 1 <= int(digits[:3]) <= 96:
            raise IdentifierError(
                "format", f"Tax code {raw!r}: a 12-digit personal number starts with 001-096."
            )
        return digits
    try:
        compact = mst.validate(digits)
    except InvalidLength:
        raise IdentifierError(
            "length", f"Tax code {raw!r} has {len(digits)} digits; expected 10, 13 (branch) or 12 (personal)."
        ) from None
    except InvalidChecksum:
        raise IdentifierError("checksum", f"Tax code {raw!r}: the check digit does not match.") from None
    except (InvalidFormat, ValidationError):
        raise IdentifierError("format", f"Tax code {raw!r} is not a valid Vietnamese tax code.") from None
    return compact if len(compact) == 10 else f"{compact[:10]}-{compact[10:]}"


def normalise_gtin(value: str) -> str:
    """Return the GTIN as 14 digits (GTIN-8/12/13/14 padded with zeros), check digit verified."""
    raw = (value or "").strip()
    digits = re.sub(r"\s", "", raw)
    if not digits:
        raise IdentifierError("empty", "The GTIN is empty.")
    if not digits.isdigit():
        raise IdentifierError("format", f"GTIN {raw!r} may contain only digits.")
    if len(digits) not in (8, 12, 13, 14):
        raise IdentifierError("length", f"GTIN {raw!r} has {len(digits)} digits; expected 8, 12, 13 or 14.")
    try:
        ean.validate(digits)
    except InvalidChecksum:
        expected = ean.calc_check_digit(digits[:-1])
        raise IdentifierError(
            "checksum", f"GTIN {raw!r}: the check digit should be {expected}, not {digits[-1]}."
        ) from None
    except ValidationError:
        raise IdentifierError("format", f"GTIN {raw!r} is not a valid GTIN.") from None
    return digits.zfill(14)


def display_gtin(gtin14: str) -> str:
    """The shortest usual form: a GTIN-14 with leading zeros printed as GTIN-13 (or -12, -8)."""
    if gtin14.startswith("000000"):
        return gtin14[6:]
    if gtin14.startswith("00"):
        return gtin14[2:]
    if gtin14.startswith("0"):
        return gtin14[1:]
    return gtin14
