"""统一社会信用代码 (unified social credit code) validation and generation.

Rules, from GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》 and GB 11714-1997
《全国组织机构代码编制规则》 (see ../shared/reference/criteria.md §3):

- 18 characters from the 31-symbol set ``0-9 A-H J-N P Q R T U W X Y`` (no I, O, S, V, Z).
- position 1: registration authority (1 机构编制, 5 民政, 9 工商/市场监管, Y 其他 ...);
  position 2: organisation type; positions 3–8: the registering authority's GB/T 2260 region code
  (6 digits); positions 9–17: the 组织机构代码 (8 body characters + the GB 11714 check character);
  position 18: the GB 32100 check character.
- GB 32100 check: weights 3^(i-1) mod 31 for i = 1..17; C18 = 31 − (Σ v·w mod 31), 31 → 0.
- GB 11714 check over the 8-character body, values 0–9 and A–Z = 10–35, weights 3 7 9 10 5 8 4 2;
  C9 = 11 − (Σ mod 11), 10 → 'X', 11 → '0'.

Pure Python, no Django: used by the importer, the forms, the synthetic population and ``keqi uscc``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]

ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE = {c: i for i, c in enumerate(ORG_CHARSET)}
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

_REGION = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class UsccFault:
    """One reason why a code is not a valid 统一社会信用代码."""

    kind: str  # stable id: empty, length, charset, region, org_check, check
    message: str  # Chinese, shown to users


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """The GB 11714 check character (position 9 of the organisation code) for its 8-character body."""
    total = sum(_ORG_VALUE[c] * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    r = 11 - total % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def normalise(code: str) -> str:
    """Strip surrounding blanks and upper-case: what officers paste often carries both."""
    return (code or "").strip().upper()


def uscc_faults(code: str) -> list[UsccFault]:
    """All faults of ``code`` (already normalised); an empty list means the code is valid."""
    if not code:
        return [UsccFault("empty", "统一社会信用代码为空")]
    if len(code) != 18:
        return [UsccFault("length", f"统一社会信用代码应为18位，实际为{len(code)}位")]
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        shown = "、".join(bad)
        return [
            UsccFault(
                "charset",
                f"含有不允许的字符：{shown}（统一社会信用代码只使用数字和除I、O、S、V、Z以外的大写字母）",
            )
        ]
    faults = []
    if not _REGION.match(code[2:8]):
        faults.append(UsccFault("region", f"第3–8位应为6位数字的行政区划码，实际为“{code[2:8]}”"))
    org = code[8:17]
    if all(c in _ORG_VALUE for c in org[:8]):
        expected_org = org_check_char(org[:8])
        if org[8] != expected_org:
            faults.append(
                UsccFault("org_check", f"第17位（组织机构代码校验码）应为“{expected_org}”，实际为“{org[8]}”")
            )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        faults.append(UsccFault("check", f"第18位（校验码）应为“{expected}”，实际为“{code[17]}”"))
    return faults


def is_valid_uscc(code: str) -> bool:
    return not uscc_faults(normalise(code))


def make_uscc(rng: random.Random, *, region: str = "500000", authority: str = "9", kind: str = "1") -> str:
    """A valid, random code registered in ``region``: for tests and the synthetic population."""
    body = "".join(rng.choice(CHARSET) for _ in range(8))
    first17 = f"{authority}{kind}{region}{body}{org_check_char(body)}"
    return first17 + uscc_check_char(first17)
