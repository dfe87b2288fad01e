#!/usr/bin/env bash
# Rebuild the vendored front-end assets in static/vendor/ from pinned npm
# packages.
#
# Developer tool only: the site itself never needs Node. Needs node >= 20.19
# (for sass) and npm, with access to the npm registry. Everything is installed
# into a throw-away temporary directory; nothing is written to the repository
# except the three package folders next to this script:
#   govuk-frontend/  leaflet/  leaflet.markercluster/
# (README.md and build.sh itself are left alone).
#
# When bumping a version below, update README.md to match.
set -euo pipefail

GOVUK_FRONTEND_VERSION=5.14.0
LEAFLET_VERSION=1.9.4
MARKERCLUSTER_VERSION=1.5.3
SASS_VERSION=1.108.2

# URL prefix the site serves static/vendor/govuk-frontend/assets/ under.
GOVUK_ASSETS_URL=/static/vendor/govuk-frontend/assets/

vendor_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/vendor-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

die() { echo "build.sh: error: $*" >&2; exit 1; }

cd "$work"

# --- 1. Install the pinned packages -------------------------------------------
printf '{ "name": "vendor-build", "private": true }\n' > package.json
# --ignore-scripts: no package needs an install script for what we use.
# --omit=optional: skips @parcel/watcher (sass's native file watcher).
npm install --no-save --no-package-lock --no-audit --no-fund \
  --ignore-scripts --omit=optional --loglevel=error \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" \
  "leaflet@${LEAFLET_VERSION}" \
  "leaflet.markercluster@${MARKERCLUSTER_VERSION}" \
  "sass@${SASS_VERSION}"

check_version() { # package expected
  local got
  got="$(node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json','utf8')).version")"
  [[ "$got" == "$2" ]] || die "$1: installed $got, expected $2"
}
check_version govuk-frontend "$GOVUK_FRONTEND_VERSION"
check_version leaflet "$LEAFLET_VERSION"
check_version leaflet.markercluster "$MARKERCLUSTER_VERSION"
check_version sass "$SASS_VERSION"

out="$work/out"
mkdir -p "$out/govuk-frontend" "$out/leaflet/images" "$out/leaflet.markercluster"

# --- 2. GOV.UK Frontend: compile the Sass without GOV.UK branding -------------
govuk_dist=node_modules/govuk-frontend/dist/govuk

cat > govuk-frontend-portal.scss <<SCSS
// Settings must come before the import (they are all !default upstream).

// No "GDS Transport": that typeface is for GOV.UK only. System font stack.
\$govuk-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
// Do not emit the GDS Transport @font-face rules.
\$govuk-include-default-font-face: false;
\$govuk-assets-path: "${GOVUK_ASSETS_URL}";

// The only image the v5 stylesheet references is the royal crest
// (govuk-crest.svg) in the footer's Crown copyright logo. It is a Crown emblem
// we must not use, so it is replaced by "none" rather than vendored. Any other
// image is passed through unchanged, and the shell below copies whatever the
// compiled CSS references (and fails if it cannot).
@function portal-govuk-image-url(\$filename) {
  @if \$filename == "govuk-crest.svg" {
    @return none;
  }
  @return url("#{\$govuk-images-path}#{\$filename}");
}
\$govuk-image-url-function: "portal-govuk-image-url";

@import "govuk-frontend/dist/govuk/index";

// Never draw anything for the (Crown copyright) footer logo.
.govuk-footer__copyright-logo::before {
  content: none;
}
SCSS

# --quiet-deps: hides deprecation warnings raised inside govuk-frontend itself.
# --silence-deprecation=import: our entry file uses @import, as GOV.UK
# Frontend 5.x documents; fine with the pinned sass version.
npx --no-install sass \
  --no-source-map --style=compressed \
  --load-path=node_modules \
  --quiet-deps --silence-deprecation=import \
  govuk-frontend-portal.scss "$out/govuk-frontend/govuk-frontend.min.css"

css="$out/govuk-frontend/govuk-frontend.min.css"
grep -q 'GDS Transport' "$css" && die "compiled CSS still mentions GDS Transport"
grep -qi '@font-face' "$css" && die "compiled CSS still contains @font-face"
grep -qi 'crest' "$css" && die "compiled CSS still references the crest"

# Copy exactly the assets the compiled CSS references.
while IFS= read -r ref; do
  [[ -z "$ref" ]] && continue
  url="${ref#url(}"; url="${url%)}"; url="${url#[\"\']}"; url="${url%[\"\']}"
  case "$url" in
    data:*) continue ;;
    "$GOVUK_ASSETS_URL"*) rel="${url#"$GOVUK_ASSETS_URL"}" ;;
    *) die "compiled CSS references an unexpected URL: $url" ;;
  esac
  case "$rel" in
    fonts/*) die "compiled CSS references a font: $url" ;;
    *..*) die "suspicious asset path: $url" ;;
  esac
  [[ -f "$govuk_dist/assets/$rel" ]] || die "referenced asset not in package: $rel"
  mkdir -p "$(dirname "$out/govuk-frontend/assets/$rel")"
  cp "$govuk_dist/assets/$rel" "$out/govuk-frontend/assets/$rel"
  echo "govuk-frontend: copied referenced asset assets/$rel"
done < <(grep -o 'url([^)]*)' "$css" | sort -u || true)

cp "$govuk_dist/govuk-frontend.min.js" "$out/govuk-frontend/govuk-frontend.min.js"

# The npm package does not ship its licence file; this is the verbatim
# LICENSE.txt of the upstream repository (github.com/alphagov/govuk-frontend).
cat > "$out/govuk-frontend/LICENSE.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE

# --- 3. Leaflet -----------------------------------------------------------------
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp node_modules/leaflet/dist/images/* "$out/leaflet/images/"
cp node_modules/leaflet/LICENSE "$out/leaflet/LICENSE"

# --- 4. Leaflet.markercluster -----------------------------------------------------
mc=node_modules/leaflet.markercluster
cp "$mc/dist/leaflet.markercluster.js" "$mc/dist/MarkerCluster.css" \
   "$mc/dist/MarkerCluster.Default.css" "$out/leaflet.markercluster/"
cp "$mc/MIT-LICENCE.txt" "$out/leaflet.markercluster/MIT-LICENCE.txt"

# --- 5. Put the results in place ------------------------------------------------
for pkg in govuk-frontend leaflet leaflet.markercluster; do
  rm -rf "${vendor_dir:?}/$pkg"
  cp -R "$out/$pkg" "$vendor_dir/$pkg"
done
find "$vendor_dir/govuk-frontend" "$vendor_dir/leaflet" "$vendor_dir/leaflet.markercluster" \
  -type f -exec chmod 0644 {} +

echo "Vendored into $vendor_dir:"
(cd "$vendor_dir" && find govuk-frontend leaflet leaflet.markercluster -type f | LC_ALL=C sort | xargs sha256sum)
