#!/usr/bin/env bash
# Regenerates the Swift types of ONNX's model format (Sources/SibylRuntime/ONNX/onnx-ml.pb.swift) from
# tools/onnx/onnx-ml.proto (onnx 1.19.1's, as its wheel ships it), with protoc (Debian's protobuf-compiler)
# and the protoc-gen-swift of the swift-protobuf version Package.resolved names. The output is committed:
# building the plugin takes minutes, and the schema changes only with a new ONNX release.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler; }
swift package resolve
swift build -c release --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift
plugin=$(swift build -c release --package-path .build/checkouts/swift-protobuf --show-bin-path)/protoc-gen-swift
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=tools/onnx \
  --swift_opt=Visibility=Internal --swift_out=Sources/SibylRuntime/ONNX tools/onnx/onnx-ml.proto
echo "wrote Sources/SibylRuntime/ONNX/onnx-ml.pb.swift"
