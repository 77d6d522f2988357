"""The shipped sheets and worked answers, shared by the criteria tests (no database)."""

from __future__ import annotations

import functools

from ocop.criteria.schema import DEFAULT_DIR, CriteriaSet, load_set

FILES = {
    "148/I.1.a": "scoresheet-148-rau-cu-qua-hat-tuoi.yaml",
    "1048/I.3.c": "scoresheet-1048-che-bien-rau-cu-qua-hat.yaml",
    "1048/I.3.b": "scoresheet-1048-che-bien-gao-ngu-coc.yaml",
    "1048/VI.1": "scoresheet-1048-du-lich-cong-dong.yaml",
}


@functools.cache
def sheet(code: str) -> CriteriaSet:
    return load_set(DEFAULT_DIR / FILES[code])


def best(code: str, case: int = 1) -> dict:
    """The highest option of every criterion (case ``case`` where there are alternatives)."""
    out = {}
    for criterion in sheet(code).criteria:
        if criterion.has_cases:
            block = criterion.blocks[case - 1]
            top = max(block.options, key=lambda o: (o.points, o.position))
            out[criterion.code] = {"case": case, "option": top.position}
        else:
            top = max(criterion.blocks[0].options, key=lambda o: (o.points, o.position))
            out[criterion.code] = top.position
    return out


def with_answers(base: dict, changes: dict) -> dict:
    out = dict(base)
    out.update(changes)
    return out


# A 148 sheet of 76 points (A 30, B 20, C 26) meeting every 3- and 4-star minimum except one:
# criterion 2.a "Nguồn gốc ý tưởng sản phẩm" at 3 points ("đặc trưng của tỉnh") where 4 stars need
# its **** option (4 points, "đặc sản ... gắn với chỉ dẫn nguồn gốc địa lý"). Like the sheet in the
# header of the 148 file: 76 points, 3 stars.
SHEET_76 = {
    "1.a": 3,  # 5 points
    "1.b": 2,  # 2
    "1.c": 2,  # 2  (4 stars need 2)
    "1.d": 3,  # 2  (4 stars need 2)
    "1.đ": 1,  # 1  (4 stars need 1)
    "1.e": 2,  # 1
    "2.a": 3,  # 3  (4 stars need 4)  <- the one unmet 4-star minimum
    "2.b": 3,  # 2
    "2.c": 3,  # 3  (4 stars need 3)
    "3.a": 2,  # 2
    "3.b": 1,  # 0  (bonus: not a woman / ethnic-minority representative)
    "3.c": 2,  # 3
    "3.d": 2,  # 2  (4 stars need 2)
    "3.đ": 2,  # 1
    "3.e": 1,  # 1  (4 stars need 1)
    "4.a": 4,  # 5
    "4.b": 3,  # 3
    "4.c": 4,  # 3
    "5.a": 4,  # 3
    "5.b": 4,  # 5  (3 stars need 3, 4 stars 5)
    "5.c": 2,  # 1
    "6.a": 3,  # 2  (4 stars need 2)
    "6.b": 4,  # 3  (4 stars need 3)
    "6.c": 3,  # 2
    "6.d": 3,  # 2
    "7": 3,  # 2
    "8": 4,  # 5
    "9.a": 3,  # 2  (3 and 4 stars need 2)
    "9.b": 4,  # 3
    "10": 4,  # 3  (3 stars need 2, 4 stars 3)
    "11": 1,  # 1
    "12": 1,  # 1
}


# A small valid set (10 points, bands 3/5/7/9) that tests change to make invalid ones.
MINIMAL = """
schema: 1
meta:
  decision: "900"
  product_set: {taxonomy: "148", code: "I.1.b"}
  name_vi: "Bộ thử"
  legal_basis: "QĐ thử"
  effective_from: 2026-01-01
  confidence: U
  source: tests
  max_total: 10
  star_bands: {5: 9, 4: 7, 3: 5, 2: 3}
parts:
  - code: A
    name: "Phần A"
    max: 10
    sections:
      - code: "1"
        name: "Mục 1"
        max: 10
        criteria:
          - code: "1.a"
            name: "Một"
            max: 3
            options:
              - {points: 0, label: "Không"}
              - {points: 1, label: "Ít"}
              - {points: 3, label: "Nhiều", marker: 4}
          - code: "1.b"
            name: "Hai"
            max: 7
            options:
              - {points: 2, label: "Có"}
              - {points: 7, label: "Rất có", marker: 5}
"""
