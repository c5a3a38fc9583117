# Dates and times as 2026-06-15 and 2026-06-15 14:30 (Hong Kong time, 24 hours), numbers
# with a comma for thousands: the same in every language (common/formats/__init__.py).
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
