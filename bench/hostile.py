"""Parse the hostile reproducers (shared/corpus/hostile) and classify each outcome:
ok (parsed, JSON-serialisable), clean (the project's own one-line error), CRASH (an
internal error: crash report written), HANG (still running after the SIGALRM net).
    python bench/hostile.py [SECONDS]"""
import glob
import json
import os
import signal
import sys
import time
from pathlib import Path

from gongkai import parse_file
from gongkai.crash import guarded
from gongkai.limits import Limits

SHARED = Path(os.environ.get("GONGKAI_SHARED", Path(__file__).resolve().parents[2] / "shared"))


class _Hang(BaseException):
    pass


def main(seconds: float = 10):
    def on_alarm(*_):
        raise _Hang()
    signal.signal(signal.SIGALRM, on_alarm)
    os.environ.setdefault("GONGKAI_CRASH_DIR", "/tmp/gongkai-hostile-crash")
    counts = {}
    for f in sorted(glob.glob(str(SHARED / "corpus" / "hostile" / "[CSHM]*.*"))):
        if f.endswith(".py"):
            continue
        t = time.time()
        signal.alarm(int(seconds) + 5)
        try:
            g = guarded(f, lambda: json.dumps(parse_file(f, limits=Limits(seconds=seconds)).to_dict()))
            kind = "ok" if g.ok else ("CRASH" if g.crash_report else "clean")
            msg = g.error or ""
        except _Hang:
            kind, msg = "HANG", "no checkpoint reached"
        finally:
            signal.alarm(0)
        counts[kind] = counts.get(kind, 0) + 1
        print(f"{Path(f).name:<34} {time.time() - t:6.1f}s  {kind:<5} {msg[-120:]}")
    print("summary:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
