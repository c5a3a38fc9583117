"""The activities' pages, one module a screen group: activities (list, log, edit, one
activity, remove), review (submit, verify, return), periods, imports, evidence, export."""
