#!/usr/bin/env bash
# openapi.yaml is the API's contract, written first; the node serves it as /openapi.json from a copy compiled
# into the binary (a release binary carries no resource files). Run this after editing openapi.yaml;
# OpenAPIContractTests fails while the copy differs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/SibylContract/OpenAPIText.swift
{
  echo '// Generated from openapi.yaml by scripts/openapi-embed.sh: edit openapi.yaml, then run the script.'
  echo 'enum OpenAPIText {'
  echo '    static let yaml = #"""'
  cat openapi.yaml
  echo '"""#'
  echo '}'
} > "$out"
echo "wrote $out"
