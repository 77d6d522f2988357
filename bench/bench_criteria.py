"""Scoring and upgrade advice on the shipped criteria sets, against scoring alone.

Baseline (same run): ``engine.score`` of the same sheets — the advisor scores the sheet, builds
its table, walks it and scores every plan it returns, so it cannot be faster than one score.
Sheets are random answers on each of the four shipped sets (no checks). Target: advice well
under 50 ms per sheet, so the scoring page can show it on every click.
"""

import random
import statistics
import time

from ocop.criteria import advisor, engine
from ocop.criteria.engine import Choice
from ocop.criteria.schema import DEFAULT_DIR, load_set

SHEETS_PER_SET = 2_000
TARGET_MS = 50


def random_answers(criteria_set, rng: random.Random) -> dict:
    answers, group_case = {}, {}
    for criterion in criteria_set.criteria:
        cases = len(criterion.blocks)
        case = (
            group_case.setdefault(criterion.case_group, rng.randint(1, cases))
            if criterion.case_group
            else None
        )
        case = case or rng.randint(1, cases)
        answers[criterion.code] = Choice(case, rng.randint(1, len(criterion.blocks[case - 1].options)))
    return answers


def main() -> dict:
    rng = random.Random(2026)
    worst_overall = 0.0
    print(f"criteria: {SHEETS_PER_SET} random sheets per set, default limit of {advisor.DEFAULT_LIMIT} plans")
    for path in sorted(DEFAULT_DIR.glob("*.yaml")):
        criteria_set = load_set(path)
        sheets = [random_answers(criteria_set, rng) for _ in range(SHEETS_PER_SET)]

        start = time.perf_counter()
        for answers in sheets:
            engine.score(criteria_set, answers)
        baseline = (time.perf_counter() - start) / len(sheets)

        timings, plans, sizes = [], 0, []
        for answers in sheets:
            start = time.perf_counter()
            advice = advisor.advise(criteria_set, answers)
            timings.append(time.perf_counter() - start)
            plans += len(advice.plans)
            if advice.criteria_needed:
                sizes.append(advice.criteria_needed)
        mean, worst = statistics.fmean(timings), max(timings)
        p99 = sorted(timings)[int(len(timings) * 0.99)]
        worst_overall = max(worst_overall, worst)
        print(
            f"  {criteria_set.code:<11} score {baseline * 1000:6.3f} ms | advise mean {mean * 1000:6.2f} ms "
            f"(x{mean / baseline:4.1f}), p99 {p99 * 1000:6.2f} ms, worst {worst * 1000:6.2f} ms | "
            f"{plans / len(sheets):.1f} plans, up to {max(sizes, default=0)} criteria"
        )
    verdict = "OK" if worst_overall * 1000 < TARGET_MS else "OVER TARGET"
    print(f"  worst advice {worst_overall * 1000:.1f} ms (target < {TARGET_MS} ms): {verdict}")
    return {"worst_ms": worst_overall * 1000}


if __name__ == "__main__":
    main()
