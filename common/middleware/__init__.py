"""Middleware every request goes through: NUL characters refused (`nul`), database errors
answered with a page that says what happened (`database`), pages and API answers gzipped in
production (`compression`)."""
