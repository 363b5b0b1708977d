#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those missing. Runs as root (as CI does) or via sudo.
set -euo pipefail
PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0  # WeasyPrint; subsetting keeps CJK PDFs fast
  fonts-noto-cjk fonts-dejavu-core fontconfig                          # Chinese glyphs in PDFs; a Latin-only font for the bench
  poppler-utils                                                        # pdftotext / pdffonts in the tests
  gettext                                                              # compilemessages
  chromium                                                             # browser tests (Playwright with executable_path)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
