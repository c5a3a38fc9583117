"""The read side's pages: the dashboards, the offices page, and the reports (made now or
published and kept)."""
