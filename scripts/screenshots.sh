#!/usr/bin/env bash
# Pictures of the demo's clipping for the README: the HTML e-mail in headless Chromium and the DOCX page
# rendered through LibreOffice and pdftoppm (Debian packages: chromium, libreoffice-writer-nogui, poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/monitor demo --out "$out" > /dev/null
html=$(ls "$out"/digest/*.html)
docx=$(ls "$out"/digest/*.docx)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$out/chrome" --hide-scrollbars \
  --window-size=900,2200 --screenshot="docs/img/digest-email.png" "file://$html" 2>/dev/null
soffice --headless --convert-to pdf --outdir "$out" "$docx" > /dev/null 2>&1
pdftoppm -png -r 70 -f 1 -l 2 "$out"/*.pdf docs/img/digest-docx
ls -la docs/img
