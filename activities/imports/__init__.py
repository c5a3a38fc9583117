"""Bulk import of activities from a spreadsheet: the template, the upload, the preview and
the confirmation (docs/domain.md). Import each name from the module that holds it:

- `columns`: the template's columns (bilingual headers, hints, the example row) and which
  column each field of an activity comes from.
- `upload`: the size limits, the upload handler that keeps no more than the limit, and the
  checks of the file itself (type sniffed from the content, zip bomb, not a workbook).
- `tables`: reading a workbook or a CSV file into the rows under its header, with the
  cells that hold a formula; the rows as JSON, kept with the preview for the confirmation.
- `cells`: reading one cell: text as spreadsheets hold it, names to compare, dates
  (and how a date that reads two ways was read).
- `lookups`: the reference data a row's names are matched against, loaded once per file.
- `rows`: one row into a candidate activity with its issues; duplicates; the form's rules.
- `kept`: the activities the preview passed, kept with the batch, and what the confirmation
  checks again before it writes them (the months, the day, duplicates, the rights).
- `services`: the preview and the confirmation, each one transaction.
- `template`: the downloadable template and its sheet of names and codes.
"""
