#!/usr/bin/env bash
# The OpenAPI documents pass a real validator (tools/openapi-validate: swagger-parser against the
# OpenAPI 3.0 schema): the one the build writes for integrators and, as each service's HTTP port
# serves its own, one per service. Then the validator must reject broken copies of it (so this
# test can fail).
# usage: validate.sh BIN_DIR DOCUMENT OUT_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:?usage: validate.sh BIN_DIR DOCUMENT OUT_DIR}
document=${2:?usage: validate.sh BIN_DIR DOCUMENT OUT_DIR}
out=${3:?usage: validate.sh BIN_DIR DOCUMENT OUT_DIR}
mkdir -p "$out"
[[ -s "$document" ]] || { echo "FAIL $document is missing (the build writes it)"; exit 1; }
docs=("$document")
for service in $("$bin/omniroute-openapi" --list-services); do
  "$bin/omniroute-openapi" --services "$service" --title "$service" --output "$out/$service.json"
  docs+=("$out/$service.json")
done
validate="node $root/tools/openapi-validate/validate.mjs"
$validate "${docs[@]}"
$validate --mutants "$document"
