"""The scoring sheet as a form to tick: its rows of radio buttons, what a POST of it ticked, and
what the ticked answers score with the advice to reach the next star.

Every page that lets someone tick a sheet uses it: the printable sheet's scoring form (criteria),
the producer's self-assessment and a council member's scoring screen (evaluation). A criterion's
radio buttons are named ``c:<criterion code>`` with the value ``"<case>:<option>"`` (1-based;
option 0 is "no option applies"); a check's checkbox is named ``k:<check code>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import advisor, engine, schema
from . import messages as words

ANSWER_PREFIX = "c:"
CHECK_PREFIX = "k:"


@dataclass
class OptionRow:
    id: str  # the radio button's element id
    value: str  # "case:option", the radio button's value
    points: int
    label: str
    marker: int | None
    checked: bool
    hinted: bool = False  # the answer someone else gave (the producer's, on a member's screen)
    none: bool = False  # "no option applies"


@dataclass
class BlockRow:
    block: schema.Block
    options: list[OptionRow]


@dataclass
class CriterionRow:
    criterion: schema.Criterion
    part: schema.Part
    section: schema.Section
    blocks: list[BlockRow]
    answered: bool
    checks: tuple[schema.Check, ...]  # the checks asked at this criterion
    evidence: list = field(default_factory=list)  # files attached to this criterion

    @property
    def stop_checks(self) -> tuple[schema.Check, ...]:
        return tuple(c for c in self.checks if c.effect == "stop")

    @property
    def disqualify_checks(self) -> tuple[schema.Check, ...]:
        return tuple(c for c in self.checks if c.effect == "disqualify")


def radio_values(answers: Mapping[str, Any] | None) -> dict[str, str]:
    """Stored answers (an option, or ``{"case", "option"}``) as radio values ``"case:option"``."""
    out = {}
    for code, value in (answers or {}).items():
        if isinstance(value, dict):
            out[code] = f"{value.get('case')}:{value.get('option')}"
        else:
            out[code] = f"1:{value}"
    return out


def criterion_rows(
    data: schema.CriteriaSet,
    selected: Mapping[str, str],
    *,
    hints: Mapping[str, str] | None = None,
    evidence: Mapping[str, list] | None = None,
) -> list[CriterionRow]:
    """The criteria in sheet order, each with its options as radio buttons: ``selected`` (and
    ``hints``) map criterion codes to radio values, ``evidence`` to the files attached."""
    hints, evidence = hints or {}, evidence or {}
    rows = []
    for part in data.parts:
        for section in part.sections:
            for criterion in section.criteria:
                code = criterion.code
                blocks = []
                for block in criterion.blocks:
                    options = [
                        OptionRow(
                            id=f"o{criterion.position}-{block.position}-{o.position}",
                            value=f"{block.position}:{o.position}",
                            points=o.points,
                            label=o.label,
                            marker=o.marker,
                            checked=selected.get(code) == f"{block.position}:{o.position}",
                            hinted=hints.get(code) == f"{block.position}:{o.position}",
                        )
                        for o in block.options
                    ]
                    if data.none_option and not block.has_zero:
                        value = f"{block.position}:0"
                        options.append(
                            OptionRow(
                                id=f"o{criterion.position}-{block.position}-0",
                                value=value,
                                points=0,
                                label="",
                                marker=None,
                                checked=selected.get(code) == value,
                                none=True,
                            )
                        )
                    blocks.append(BlockRow(block, options))
                rows.append(
                    CriterionRow(
                        criterion=criterion,
                        part=part,
                        section=section,
                        blocks=blocks,
                        answered=code in selected,
                        checks=data.checks_at(code),
                        evidence=evidence.get(code, []),
                    )
                )
    return rows


def by_part(data: schema.CriteriaSet, rows: list[CriterionRow]) -> list[dict]:
    """The rows grouped as the printed sheet is: parts -> sections -> criteria."""
    found = {row.criterion.code: row for row in rows}
    return [
        {
            "part": part,
            "sections": [
                {"section": section, "criteria": [found[c.code] for c in section.criteria]}
                for section in part.sections
            ],
        }
        for part in data.parts
    ]


@dataclass(frozen=True)
class Ticked:
    """What a POST of the sheet ticked: answers as the engine reads them, the radio values as
    sent (to tick them again on the page), and the checks answered yes."""

    answers: dict
    selected: dict[str, str]
    checks: list[str]


def ticked(post: Mapping[str, str]) -> Ticked:
    """Read the sheet's radio buttons and checkboxes from a POST (a radio without a value is no answer)."""
    answers, selected = {}, {}
    for key, value in post.items():
        if not key.startswith(ANSWER_PREFIX) or not value:
            continue
        code = key.removeprefix(ANSWER_PREFIX)
        case, _sep, option = value.partition(":")
        selected[code] = value
        answers[code] = (
            {"case": int(case), "option": int(option)} if case.isdigit() and option.isdigit() else value
        )
    checks = [key.removeprefix(CHECK_PREFIX) for key in post if key.startswith(CHECK_PREFIX)]
    return Ticked(answers, selected, checks)


@dataclass(frozen=True)
class Outcome:
    """What a ticked sheet shows: the result and the upgrade advice, or why the answers cannot be
    scored (``problems``). Templates show it with ``criteria/_advice.html``."""

    result: engine.SheetResult | None = None
    advice: advisor.Advice | None = None
    problems: tuple[str, ...] = ()

    def reasons(self) -> list[str]:
        return [words.describe(r.code, r.params) for r in self.result.reasons] if self.result else []

    def notices(self) -> list[str]:
        return [words.describe(r.code, r.params) for r in self.result.notices] if self.result else []

    def plans(self) -> list[dict]:
        if not self.advice:
            return []
        return [
            {"plan": plan, "steps": [words.improvement(i) for i in plan.improvements]}
            for plan in self.advice.plans
        ]

    def blocked_by(self) -> list[str]:
        return [words.describe(r.code, r.params) for r in self.advice.blocked_by] if self.advice else []


def assess(data: schema.CriteriaSet, answers: Mapping[str, Any], checks) -> Outcome:
    """Score the answers and advise how to reach the next star; answers that cannot be scored
    (missing, malformed) give an outcome with the problems, in the reader's language."""
    try:
        result = engine.score(data, answers, checks)
        return Outcome(result=result, advice=advisor.advise(data, answers, checks))
    except engine.AnswerError as exc:
        return Outcome(problems=tuple(words.problem(p) for p in exc.problems))
