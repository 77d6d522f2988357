"""Importing registry lists (.xlsx, .xls, .ods, .csv) exactly and safely.

The import reads the whole file, checks every row, resolves every address to its unit of the
time and its current unit, and works out what it would create or change. Any problem in any row
rejects the whole file: nothing is written, and the report names every problem with its row,
column and reason. Otherwise it writes everything in one transaction. Importing the same file
twice changes nothing the second time.

Rows outside the importer's level or jurisdiction (a province officer's list holds the
central office's 5-star recognitions of the province) are accepted when they would change
nothing, and counted as left as they were (``Report.kept``); one that would change something is
refused, naming its row and the column.

The command (``ocop import-registry``), the officer pages and the API all go through
:func:`run_import`, which takes a file through the package's steps in order: :mod:`.reading`
(the file into rows of cells, within the import limits), :mod:`.checking` (every row's values,
address and jurisdiction, and rows against each other), :mod:`.planning` (what to create or
change), :mod:`.writing` (the plan, in one transaction); :mod:`.report` holds the problems and
counts it returns.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts.services import audit_record

from .. import listformat as lf
from ..listformat import ValueProblem
from .checking import Checker, Row
from .planning import Planner, preview
from .reading import SPREADSHEET_SUFFIXES, decode_csv, import_limits, read_csv, read_rows
from .report import MESSAGES, Counts, Problem, Report
from .writing import apply_plan

__all__ = [
    "MESSAGES",
    "SPREADSHEET_SUFFIXES",
    "Counts",
    "Problem",
    "Report",
    "Row",
    "decode_csv",
    "import_limits",
    "read_csv",
    "read_rows",
    "run_import",
]


def _no_progress(done, total=None, message=None, *, force=False):
    pass


def run_import(
    content: bytes,
    name: str,
    *,
    user=None,
    dry_run: bool = False,
    default_province: str = "",
    progress=_no_progress,
) -> Report:
    """Check a registry list and, unless it has problems or this is a dry run, write it.

    ``user`` is the person importing (their jurisdiction applies); None means the platform
    itself (the command run by an administrator), which may import anywhere.
    """
    report = Report(file=Path(name).name, dry_run=dry_run)
    try:
        rows = read_rows(content, name)
        if not any(any(lf.text(c) for c in row) for row in rows):
            raise ValueProblem("file_empty")
        header = lf.find_header(rows)
    except ValueProblem as problem:
        report.problems.append(Problem(None, None, problem.code, problem.params))
        return report

    checker = Checker(header, rows, user=user, default_province=default_province, report=report)
    checked = checker.check(progress)
    if not checked and not report.problems:
        report.problems.append(Problem(None, None, "no_rows"))
    # Rows that contradict each other are reported together with the rows' own problems, so that
    # one round of corrections fixes the file (rows with problems of their own are left out here).
    checker.check_across_rows(checked)
    if report.problems:
        # Rows outside the importer's reach are refused only if they would change the registry,
        # which only the plan tells: plan the rows without problems, to report those too.
        wrong = {p.row for p in report.problems}
        outside = [r for r in checked if r.outside and r.number not in wrong]
        if outside:
            Planner([r for r in checked if r.number not in wrong], report, checker).run()
            report.producers, report.products, report.recognitions = Counts(), Counts(), Counts()
            report.kept = 0
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return report
    progress(len(checked), len(checked), _("Comparing with the registry"), force=True)
    with transaction.atomic():
        plan = Planner(checked, report, checker).run()
        if report.problems:
            report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            return report
        report.preview = preview(plan)
        if dry_run:
            return report
        apply_plan(plan, report, progress)
        audit_record(
            actor=user,
            action="registry.import",
            object_type="registry.list",
            object_id=report.file,
            rows=report.rows,
            producers=asdict(report.producers),
            products=asdict(report.products),
            recognitions=asdict(report.recognitions),
        )
    return report
