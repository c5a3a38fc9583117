"""How dates, times and numbers are written, one way in every language
(docs/domain.md, "Time"): settings.FORMAT_MODULE_PATH points here. Templates use the named
formats (`|date:"SHORT_DATE_FORMAT"`, `|date:"SHORT_DATETIME_FORMAT"`) and `|intcomma`, so
each is decided once, in these modules."""
