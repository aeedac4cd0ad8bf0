"""Reads the demo county's data files in data/: what changes the demo is an edit there, not code."""

import csv
import json
from pathlib import Path

FOLDER = Path(__file__).with_name("data")


def table(name: str) -> list[dict[str, str | None]]:
    """A CSV file's rows (UTF-8, a header line) as dicts in file order; an empty cell is None."""
    with (FOLDER / name).open(encoding="utf-8", newline="") as handle:
        return [{key: value or None for key, value in row.items()} for row in csv.DictReader(handle)]


def grouped(name: str, key: str, *columns: str) -> dict[str, list]:
    """A CSV file's rows by the value of column `key`, in file order: each row as the tuple of
    `columns`, or as the one column's value when one is named."""
    groups: dict[str, list] = {}
    for row in table(name):
        values = tuple(row[column] for column in columns)
        groups.setdefault(row[key], []).append(values if len(columns) > 1 else values[0])
    return groups


def document(name: str) -> dict:
    """A JSON file."""
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


# The first row of centers.csv is the county center: its code starts every matter code, and its
# name is where a department with no window of its own is said to handle its matters.
_county = table("centers.csv")[0]
COUNTY_CODE, COUNTY_NAME = _county["code"], _county["name"]
