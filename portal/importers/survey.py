"""`import-survey`: MOPAC Public Attitude Survey results by neighbourhood, as Pledge scorecard measures.

Two files from the London Datastore (MOPAC), shipped in content/survey/:

- the 2016 police perceptions file: two header rows (the question, then what the figure counts), one row
  per survey neighbourhood, "Borough - Name" with the MPS sector code ("KG-KB"). Each becomes a
  `SurveyNeighbourhood` in the borough of that name (a borough name the Borough table does not know
  refuses the file). The questions that evidence a Pledge point become figures of catalogue indicators;
  the others (fear of crime, gangs, gun crime, drugs, life satisfaction, the crime rate) are left out.
- the 2015-16 to 2020-21 file: three header rows (question, ethnic group, what is counted), four questions
  for White British, Asian and Black respondents, the six years pooled. Neighbourhoods are matched to the
  2016 file by name ("&" and "and" are the same); rows with no figures are skipped and reported.

"N/A" and blank cells are "no figure", not errors. Every figure goes through the same checks as
`import-measures` (`MeasureRows`); any problem refuses both files and nothing is stored.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.importers.common import ImportFailed, ImportReport, upsert
from portal.importers.pledge import MeasureRows, record_files_load, store_measures
from portal.models import Borough
from portal.models.pledge import Indicator, SurveyNeighbourhood

DATASET = "survey"
SECTOR = re.compile(r"^[A-Z]{2}-[A-Z]{2}$")
NO_FIGURE = {"", "N/A", "NA", "-"}

PERCEPTIONS_SOURCE = (
    "MOPAC Public Attitude Survey 2016: police perceptions by neighbourhood (London Datastore)"
)
PERCEPTIONS_MONTH, PERCEPTIONS_PERIOD = "2016-12", "2016"
PERCEPTIONS_NOTE = (
    "MOPAC Public Attitude Survey 2016. The file gives the year, not the survey months, so the figure is "
    "filed under December 2016, the year's last month."
)
# question (as in the file's first header row) -> indicator
PERCEPTIONS = {
    "Taking everything into account how good a job do you think the police in your area are doing?": (
        "P8-PAS-GOOD-JOB"
    ),
    "The police are dealing with the things that matter to this community": "P7-PAS-THINGS-THAT-MATTER",
    "The police can be relied upon to be there when needed": "P5-PAS-RELIED-UPON",
    "The police treat everyone fairly regardless of who they are": "P1-PAS-TREAT-FAIRLY",
    "The police listen to the concerns of local people": "P7-PAS-LISTEN",
    "I feel well informed about local police activities over the last 12 months": "P8-PAS-WELL-INFORMED",
    "How to contact their local SNT or ward officer": "P2-PAS-KNOW-HOW-TO-CONTACT",
    "The police would treat you with respect if you had contact with them for any reason": "P1-PAS-RESPECT",
    "How well do you think the Metropolitan Police provide a visible patrolling presence": (
        "P3-PAS-VISIBLE-PATROLS"
    ),
    "The police in this area are friendly and approachable": "P1-PAS-APPROACHABLE",
    "The police in this area understand the issues that affect this community": "P7-PAS-UNDERSTAND-ISSUES",
}

ETHNIC_SOURCE = (
    "MOPAC Public Attitude Survey: neighbourhood indicators by ethnic group, 2015-16 to 2020-21 inclusive "
    "(London Datastore)"
)
ETHNIC_MONTH, ETHNIC_PERIOD = "2021-03", "April 2015 to March 2021 (pooled)"
ETHNIC_NOTE = (
    "Six survey years pooled (April 2015 to March 2021), respondents of the named ethnic group only; "
    "filed under March 2021, the period's last month."
)
ETHNIC_QUESTIONS = {
    "The police in your area treat everyone fairly regardless of who they are": "P1-PAS-FAIR",
    "The police in your area listen to the concerns of local people": "P7-PAS-LISTEN",
    "Taking everything into account, how good a job do you think the police in your area are doing?": (
        "P8-PAS-GOOD-JOB"
    ),
    "How confident are you that the police in your area use their stop and search powers fairly?": (
        "P1-PAS-STOP-SEARCH"
    ),
}
ETHNIC_GROUPS = {"White British": "WHITE-BRITISH", "Asian": "ASIAN", "Black": "BLACK"}


def _key(text: str) -> str:
    """Text compared loosely: case, punctuation, spacing and '&'/'and' do not matter."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).split()
    return " ".join(words)


def _read(path: Path) -> list[list[str]]:
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle, strict=True))
    except (UnicodeDecodeError, csv.Error, OSError) as error:
        raise ImportFailed(path, [f"not a readable CSV file ({error})"]) from None


def _columns(header: list[str], wanted: dict[str, str], line: int, problems: list[str]) -> dict[int, str]:
    """{column index: value of `wanted`} for the header cells `wanted` names (compared loosely)."""
    by_key = {_key(name): target for name, target in wanted.items()}
    found = {i: by_key[_key(cell)] for i, cell in enumerate(header) if _key(cell) in by_key}
    for name in wanted:
        count = sum(1 for cell in header if _key(cell) == _key(name))
        if count != 1:
            problems.append(f"line {line}: expected one column {name!r}, found {count}")
    return found


def _figure(
    checker: MeasureRows, line: int, code: str, area: str, cell: str, unit: str, how: tuple[str, ...]
) -> str:
    """Check one cell as a figure; 'stored', 'blank' (no figure) or 'refused'."""
    if cell.strip().upper() in NO_FIGURE:
        return "blank"
    month, period, source, note = how
    taken = checker.check(
        line,
        {
            "indicator": code,
            "area": area,
            "month": month,
            "value": cell,
            "note": f"{note} {unit}".strip(),
            "source": source,
            "period": period,
        },
    )
    return "stored" if taken else "refused"


def read_perceptions(
    session: Session, path: Path, checker: MeasureRows, report: ImportReport
) -> tuple[list[dict], dict[str, str]]:
    """(neighbourhood rows, {name key: sector code}); figures go to `checker`. Refused whole on a problem."""
    lines = _read(path)
    problems: list[str] = []
    if len(lines) < 3:
        raise ImportFailed(path, ["expected two header rows and at least one neighbourhood"])
    header, units = lines[0], lines[1]
    if [_key(c) for c in header[:2]] != ["neighbourhood", "code"]:
        problems.append("line 1: expected the first columns to be Neighbourhood, Code")
    columns = _columns(header, PERCEPTIONS, 1, problems)
    report.notes.append(
        f"{path.name}: questions taken {len(columns)}; left out (not a Pledge measure): "
        + "; ".join(h for i, h in enumerate(header) if i >= 3 and i not in columns and h.strip())
    )
    boroughs = {_key(b.name): b.code for b in session.scalars(select(Borough))}
    neighbourhoods: dict[str, dict] = {}  # by sector code
    names: dict[str, str] = {}  # name key -> sector code
    blank = 0
    how = (PERCEPTIONS_MONTH, PERCEPTIONS_PERIOD, PERCEPTIONS_SOURCE, PERCEPTIONS_NOTE)
    for number, cells in enumerate(lines[2:], start=3):
        if not any(c.strip() for c in cells):
            continue
        report.rows_read += 1
        if len(cells) != len(header):
            problems.append(f"line {number}: {len(cells)} fields, expected {len(header)}")
            continue
        row, wrong = _neighbourhood(cells[0], cells[1], boroughs, neighbourhoods, names)
        problems += [f"line {number}: {p}" for p in wrong]
        if wrong:
            continue
        neighbourhoods[row["code"]] = {**row, "line": number}
        names[_key(cells[0])] = row["code"]
        checker.levels[row["code"]] = "neighbourhood"
        for at, indicator in columns.items():
            outcome = _figure(checker, number, indicator, row["code"], cells[at], units[at].strip(), how)
            blank += outcome == "blank"
    report.notes.append(
        f"{path.name}: cells with no figure (N/A or blank) among the questions taken: {blank}"
    )
    if problems:
        raise ImportFailed(path, problems)
    return [{k: v for k, v in row.items() if k != "line"} for row in neighbourhoods.values()], names


def _neighbourhood(
    full: str, code: str, boroughs: dict[str, str], seen: dict[str, dict], names: dict[str, str]
) -> tuple[dict, list[str]]:
    """A survey neighbourhood from "Borough - Name" and its sector code, and what is wrong with it."""
    full, code = full.strip(), code.strip()
    borough_name, _, name = full.partition(" - ")
    borough = boroughs.get(_key(borough_name))
    problems = []
    if not name.strip():
        problems.append(f"neighbourhood {full!r} is not written 'Borough - Name'")
    elif borough is None:
        problems.append(f"borough {borough_name.strip()!r} is not in the borough table")
    if not SECTOR.match(code):
        problems.append(f"sector code {code!r} is not like KG-KB")
    elif code in seen:
        problems.append(f"sector code {code} is already on line {seen[code]['line']}")
    if _key(full) in names:
        problems.append(f"neighbourhood {full!r} appears more than once")
    return {"code": code, "name": name.strip(), "borough_code": borough}, problems


def read_by_ethnic_group(
    path: Path, names: dict[str, str], checker: MeasureRows, report: ImportReport
) -> None:
    """Figures by ethnic group, for neighbourhoods of the 2016 file; go to `checker`."""
    lines = _read(path)
    problems: list[str] = []
    if len(lines) < 4:
        raise ImportFailed(path, ["expected three header rows and at least one neighbourhood"])
    questions, groups, units = lines[0], lines[1], lines[2]
    if _key(questions[0]) != "neighbourhood":
        problems.append("line 1: expected the first column to be neighbourhood")
    columns: dict[int, str] = {}
    how = (ETHNIC_MONTH, ETHNIC_PERIOD, ETHNIC_SOURCE, ETHNIC_NOTE)
    by_key = {_key(q): code for q, code in ETHNIC_QUESTIONS.items()}
    for at in range(1, len(questions)):
        group_name = groups[at].strip() if at < len(groups) else ""
        question, group = by_key.get(_key(questions[at])), ETHNIC_GROUPS.get(group_name)
        if question is None or group is None:
            problems.append(
                f"lines 1-2: column {at + 1} ({questions[at]!r} for {group_name!r}) is not a known question "
                f"for one of the groups {', '.join(ETHNIC_GROUPS)}"
            )
        elif f"{question}-{group}" in columns.values():
            problems.append(f"lines 1-2: column {at + 1} repeats {questions[at]!r} for {group_name!r}")
        else:
            columns[at] = f"{question}-{group}"
    missing = {f"{q}-{g}" for q in ETHNIC_QUESTIONS.values() for g in ETHNIC_GROUPS.values()}
    missing -= set(columns.values())
    if missing:
        problems.append(f"lines 1-2: no column for {', '.join(sorted(missing))}")
    skipped, blank = [], 0
    for number, cells in enumerate(lines[3:], start=4):
        if not any(c.strip() for c in cells):
            continue
        report.rows_read += 1
        if len(cells) != len(questions):
            problems.append(f"line {number}: {len(cells)} fields, expected {len(questions)}")
            continue
        if all(cells[at].strip().upper() in NO_FIGURE for at in columns):
            skipped.append(cells[0].strip())
            continue
        code = names.get(_key(cells[0]))
        if code is None:
            problems.append(f"line {number}: neighbourhood {cells[0].strip()!r} is not in the 2016 file")
            continue
        for at, indicator in columns.items():
            outcome = _figure(checker, number, indicator, code, cells[at], units[at].strip(), how)
            blank += outcome == "blank"
    report.notes.append(f"{path.name}: cells with no figure (N/A or blank) in the rows taken: {blank}")
    if skipped:
        report.rejected["neighbourhood rows with no figures (skipped)"] += len(skipped)
        report.notes.append(f"{path.name}: no figures for {', '.join(skipped)}")
    if problems:
        raise ImportFailed(path, problems)


def import_survey(session: Session, perceptions: Path, ethnic: Path, dry_run: bool = False) -> ImportReport:
    perceptions, ethnic = Path(perceptions), Path(ethnic)
    report = ImportReport(dataset=DATASET, source=f"{perceptions} and {ethnic}", dry_run=dry_run)
    wanted = {*PERCEPTIONS.values()} | {
        f"{q}-{g}" for q in ETHNIC_QUESTIONS.values() for g in ETHNIC_GROUPS.values()
    }
    known = set(session.scalars(select(Indicator.code).where(Indicator.code.in_(wanted))))
    if known != wanted:
        missing = ", ".join(sorted(wanted - known))
        raise ImportFailed(
            perceptions, [f"the catalogue has no indicator {missing}: run import-indicators first"]
        )
    checker = MeasureRows(session, perceptions.name)
    neighbourhoods, names = read_perceptions(session, perceptions, checker, report)
    if checker.problems:
        raise ImportFailed(perceptions, checker.problems)
    first = len(checker.rows)
    checker.source_file = ethnic.name
    read_by_ethnic_group(ethnic, names, checker, report)
    if checker.problems:
        raise ImportFailed(ethnic, checker.problems)
    report.rows_stored = len(checker.rows)
    report.notes.append(
        f"survey neighbourhoods: {len(neighbourhoods)}; figures: {first} from {perceptions.name}, "
        f"{len(checker.rows) - first} from {ethnic.name}"
    )
    if dry_run:
        return report
    upsert(session, SurveyNeighbourhood.__table__, neighbourhoods, key=["code"])
    store_measures(session, checker.rows)
    record_files_load(session, DATASET, [perceptions, ethnic], report)
    return report
