"""The planning pages: the calendar (month, week, list) and the plans (plan, edit, see,
confirm, cancel, log what happened)."""
