"""Address resolution speed: 18,000 registry addresses, against folding the same text.

Baseline (same run): ``vntext.fold`` over every address, the least any resolver must do.
An import of a national list resolves every row, so this must stay in the thousands per second.
"""

import random
import time

from ocop.geo import gazetteer as gz
from ocop.geo.resolver import resolve, resolve_many
from ocop.vntext import fold


def addresses(count: int, seed: int = 7) -> list[str]:
    g = gz.gazetteer()
    rng = random.Random(seed)
    legacy = g.units(gz.LEGACY, gz.COMMUNE)
    current = g.units(gz.CURRENT, gz.COMMUNE)
    out = []
    for index in range(count):
        if index % 3:
            unit = rng.choice(legacy)
            district = g.district(unit.district_code)
            province = g.province(gz.LEGACY, unit.province_code)
            text = f"Thôn {rng.randint(1, 12)}, {unit.name}, {district.name}, {province.name}"
        else:
            unit = rng.choice(current)
            province = g.province(gz.CURRENT, unit.province_code)
            text = f"Ấp {rng.randint(1, 9)}, {unit.name}, {province.name}"
        out.append(fold(text) if index % 5 == 0 else text)  # some typed without diacritics
    return out


def main() -> dict:
    texts = addresses(18_000)
    resolve("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh")  # build the indexes outside the timing

    start = time.perf_counter()
    for text in texts:
        fold(text)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    results = [resolve(text) for text in texts]
    one_by_one = time.perf_counter() - start

    start = time.perf_counter()
    resolve_many(texts)
    batched = time.perf_counter() - start

    resolved = sum(r.status == "resolved" for r in results)
    print(f"resolver: {len(texts)} addresses, {resolved} resolved")
    print(f"  baseline fold()        {baseline:7.3f} s  ({len(texts) / baseline:9,.0f}/s)")
    print(
        f"  resolve() one by one   {one_by_one:7.3f} s  ({len(texts) / one_by_one:9,.0f}/s)  "
        f"x{one_by_one / baseline:.1f} baseline"
    )
    print(
        f"  resolve_many()         {batched:7.3f} s  ({len(texts) / batched:9,.0f}/s)  "
        f"x{batched / baseline:.1f} baseline"
    )
    return {"per_second": len(texts) / one_by_one}


if __name__ == "__main__":
    main()
