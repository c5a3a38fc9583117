"""A year's targets: the rules (rules), the grid, the copy-forward preview and the history
(selectors), saving the grid and copying a year forward (services), and what became of a
save someone else made first (conflicts). Who may read or set them: offices.access."""
