"""The demo county: a realistic, deterministic county for `flask seed-demo`, the first start of
`run.py`, the tests and the benchmarks.

Its tables are files in data/ (CSV for what a county would edit in a spreadsheet, JSON for
word lists), read by `data`; the modules here only turn them into rows: `county` (centers,
departments, windows, staff with their logins), `catalogue` (the matter catalogue), `cases`
(a year of cases) and `attendance` (the last full month). A seed always gives the same county.
"""
