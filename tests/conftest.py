import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

SHARED = pathlib.Path(os.environ.get("GONGKAI_SHARED", ROOT.parent / "shared"))
VENDORED = ROOT / "tests" / "corpus"


def scorer() -> pathlib.Path:
    """The shared scorer when the shared folder is beside the repo, else the vendored copy."""
    p = SHARED / "tools" / "score.py"
    return p if p.exists() else ROOT / "tests" / "tools" / "score.py"
