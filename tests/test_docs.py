"""The README and docs/ link to each other, to the code and to the screenshots: every
relative link must point to a file that exists, and a link to a section of a page to a
heading that page has. A page moved or a heading renamed fails here, not in a reader's
browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~)")
# [text](target) and ![alt](target), the target up to a space or the closing bracket.
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks (a `# comment` in a shell block is no heading,
    and `[x](y)` in code is no link)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, inline code and links reduced to
    their text, punctuation dropped, spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(1))
            name, n = base, 0
            while name in found:
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def broken_links(page: Path) -> list[str]:
    """Each relative link of `page` that leads nowhere, as "target: why"."""
    problems = []
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # http:, https:, mailto: ...
            path_part, _hash, fragment = target.partition("#")
            destination = (page.parent / path_part).resolve() if path_part else page
            if not destination.exists():
                problems.append(f"{target}: no such file")
            elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
                problems.append(f"{target}: no heading #{fragment} in {destination.name}")
    return problems


# `docs/domain.md, "What counts"` in a comment or docstring, the section possibly carried over
# to the next line (behind the `#` or `//` of a comment).
CITATION = re.compile(r'docs/([\w-]+\.md)(?:,?\s*(?:(?:#|//)\s*)?"([^"]{1,80})")?')
CODE_SUFFIXES = {".py", ".html", ".js", ".css", ".toml", ".yml", ".yaml", ".conf", ".sh", ".cfg"}
SKIPPED = {".git", ".venv", "var", "node_modules", "locale", "docs", "__pycache__"}


def code_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        if SKIPPED.intersection(path.relative_to(root).parts[:-1]):
            continue
        if path.is_file() and (
            path.suffix in CODE_SUFFIXES or path.name in {"Makefile", "Dockerfile"}
        ):
            files.append(path)
    return sorted(files)


def broken_citations(path: Path, docs: Path) -> list[str]:
    """Each `docs/<page>.md[, "<section>"]` cited in `path` whose page or section is not in
    `docs`, as "citation: why"."""
    problems = []
    for page, section in CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
        section = re.sub(r"\s*\n\s*(?:(?:#|//)\s*)?", " ", section).strip()
        cited = f"docs/{page}" + (f', "{section}"' if section else "")
        if not (docs / page).exists():
            problems.append(f"{cited}: no such page")
        elif section and slug(section) not in anchors(docs / page):
            problems.append(f"{cited}: no such section")
    return problems


def test_code_cites_pages_and_sections_that_exist():
    """Comments point to docs/ instead of issue numbers: the page and section they name must
    be there, so a rule the code cites is written down (docs/domain.md above all)."""
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in code_files(ROOT)
        if path != Path(__file__).resolve()  # its own examples, above and below
        for problem in broken_citations(path, ROOT / "docs")
    ]
    assert problems == []


def test_a_broken_citation_is_found(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "domain.md").write_text("# Rules\n\n## What counts\n\n## Who\n")
    code = tmp_path / "code.py"
    code.write_text(
        '"""Counted as docs/domain.md, "What counts" says; see docs/domain.md."""\n'
        '# The roles (docs/domain.md, "Who"), the roll-up (docs/domain.md, "What\n'
        '# counts"), the API (docs/api.md) and time (docs/domain.md, "Time").\n'
        '// The form (docs/domain.md,\n// "Who") and the page (docs/domain.md,\n// "Whom").\n'
    )
    assert broken_citations(code, docs) == [
        "docs/api.md: no such page",
        'docs/domain.md, "Time": no such section',
        'docs/domain.md, "Whom": no such section',
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve(page: Path):
    assert broken_links(page) == []


def test_every_doc_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {Path(target.partition("#")[0]).name for target in LINK.findall(readme)}
    missing = [page.name for page in PAGES[1:] if page.name not in linked]
    assert missing == []


def test_a_broken_link_is_found(tmp_path: Path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "shown.png").write_bytes(b"")
    (tmp_path / "other.md").write_text("# Other page\n\n## The client's address\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n"
        "[fine](other.md) [section](other.md#the-clients-address) [here](#title)\n"
        "![shown](images/shown.png) [web](https://example.org/missing.md)\n"
        "```sh\n[in code](nowhere.md)\n```\n"
        "[gone](missing.md) ![lost](images/lost.png) [bad section](other.md#nowhere)\n"
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        "images/lost.png: no such file",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]
