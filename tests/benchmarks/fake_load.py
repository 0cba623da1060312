"""A stand-in load generator for ``run_pair``: prints its port, "started", "finished", writes
its results and exits (what the real ones do, without serving anything)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(12345, flush=True)
    print("started", flush=True)
    print("finished", flush=True)
    Path(args.out).write_text(json.dumps({"turns": 10, "turns_per_second": 1.0}))
