#!/usr/bin/env bash
# Refresh the front-end files vendored under static/vendor/ from the npm registry.
# The pages must work offline (no CDN), so the files are committed; run this to upgrade them.
# htmx is not here: django-htmx ships it (static django_htmx/htmx.min.js).
set -euo pipefail
cd "$(dirname "$0")/.."
BOOTSTRAP_VERSION=${BOOTSTRAP_VERSION:-5.3.8}
CHARTJS_VERSION=${CHARTJS_VERSION:-4.6.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "bootstrap@${BOOTSTRAP_VERSION}" "chart.js@${CHARTJS_VERSION}" >/dev/null)
mkdir -p "$work/bs" "$work/chart"
tar -xzf "$work"/bootstrap-*.tgz -C "$work/bs"
tar -xzf "$work"/chart.js-*.tgz -C "$work/chart"
rm -rf static/vendor/bootstrap static/vendor/chartjs
mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/chartjs
cp "$work/bs/package/dist/css/bootstrap.min.css" static/vendor/bootstrap/css/
cp "$work/bs/package/dist/js/bootstrap.bundle.min.js" static/vendor/bootstrap/js/
cp "$work/bs/package/LICENSE" static/vendor/bootstrap/
cp "$work/chart/package/dist/chart.umd.min.js" static/vendor/chartjs/ 2>/dev/null \
  || cp "$work/chart/package/dist/chart.umd.js" static/vendor/chartjs/chart.umd.min.js
cp "$work/chart/package/LICENSE.md" static/vendor/chartjs/
# Source maps are referenced by the minified files but not shipped; drop the reference so the
# browser does not ask for a file that is not there.
sed -i '/sourceMappingURL=/d' static/vendor/bootstrap/css/bootstrap.min.css \
  static/vendor/bootstrap/js/bootstrap.bundle.min.js static/vendor/chartjs/chart.umd.min.js
printf 'bootstrap %s\nchart.js %s\n' "$BOOTSTRAP_VERSION" "$CHARTJS_VERSION" > static/vendor/VERSIONS
echo "Vendored bootstrap ${BOOTSTRAP_VERSION} and chart.js ${CHARTJS_VERSION} into static/vendor/"
