"""The bureau's direction: the pages of the offices' progress notes, the conflicts between
plans and the gaps (docs/domain.md, "Planning"). A package of its own beside the plans'
pages, so each group of planning/urls.py grows on its own."""
