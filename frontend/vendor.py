"""The third-party browser scripts under static/vendor/, copied from the npm packages locked
in frontend/package-lock.json and recorded in frontend/vendor.json (docs/performance.md,
"Page weight"). Needs node and npm; `make run` and `make test` do not (the files are
committed, and a test checks them against vendor.json without npm).

    python frontend/vendor.py build   # npm ci, copy the files, record version and sha256
    python frontend/vendor.py check   # npm ci, fail if a committed file differs from npm's
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent
ROOT = FRONTEND.parent
MANIFEST = FRONTEND / "vendor.json"
LOCK = FRONTEND / "package-lock.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locked_version(package: str) -> str:
    return json.loads(LOCK.read_text())["packages"][f"node_modules/{package}"]["version"]


def npm_ci() -> None:
    # --ignore-scripts: the packages are prebuilt files; nothing of theirs runs here.
    subprocess.run(  # noqa: S603 (fixed arguments)
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],  # noqa: S607
        cwd=FRONTEND,
        check=True,
    )


def source(entry: dict) -> Path:
    return FRONTEND / "node_modules" / entry["package"] / entry["file"]


def build(manifest: dict) -> None:
    for target, entry in manifest.items():
        (ROOT / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source(entry), ROOT / target)
        entry["version"] = locked_version(entry["package"])
        entry["sha256"] = sha256(ROOT / target)
        print(f"{target}: {entry['package']}@{entry['version']} {entry['sha256']}")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def check(manifest: dict) -> int:
    differ = 0
    for target, entry in manifest.items():
        built, committed = sha256(source(entry)), sha256(ROOT / target)
        if not built == committed == entry["sha256"]:
            print(
                f"{target} differs: npm {built}, committed {committed}, recorded {entry['sha256']}"
            )
            differ += 1
        elif entry["version"] != locked_version(entry["package"]):
            print(f"{target}: vendor.json says {entry['version']}, the lock another version")
            differ += 1
    print("static/vendor/ is what the lock builds" if not differ else "run `make vendor`")
    return 1 if differ else 0


def main(command: str) -> int:
    manifest = json.loads(MANIFEST.read_text())
    npm_ci()
    if command == "build":
        build(manifest)
        return 0
    return check(manifest)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("build", "check"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
