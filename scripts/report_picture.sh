#!/bin/sh
# Regenerates docs/report-page.png, the picture of a report page in the README: the annual
# report of the real annual report's figures (tests/seed003.py) as PDF, its first page as PNG.
# Needs pdftoppm (Debian: apt-get install poppler-utils). `make docs-picture`; not in `make test`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.venv/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|^url = \"sqlite+aiosqlite:///vimbot.db\"|url = \"sqlite:///$work/picture.db\"|" \
    "$root/config.example.toml" > "$work/config.toml"
(cd "$root" && "$bin/python" -c 'from tests.seed003 import seed003_jsonl; print(seed003_jsonl(), end="")') \
    > "$work/2024.jsonl"
cd "$work"
export VIMBOT_ENCRYPTION_KEY=$("$bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
"$bin/vimbot" --config config.toml db upgrade >/dev/null
"$bin/vimbot" --config config.toml import 2024.jsonl >/dev/null
"$bin/vimbot" --config config.toml report annual --year 2024 --format pdf --out report.pdf
pdftoppm -png -r 72 -f 1 -l 1 -singlefile report.pdf page
cp page.png "$root/docs/report-page.png"
echo "docs/report-page.png: $(wc -c < "$root/docs/report-page.png") bytes"
