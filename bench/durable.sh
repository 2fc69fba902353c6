#!/usr/bin/env bash
# Runs the durable-runtime benchmark (lambda-sdk-durable against aws-durable-execution-sdk
# 0.1.0) and writes bench/DURABLE_RESULTS.md and bench/durable-chart.svg. See README.md,
# section "Durable runtimes".
#
#   bench/durable.sh                    everything (clean builds of both footprint programs included)
#   bench/durable.sh --skip-footprint   no clean builds
#   bench/durable.sh --quick            fewer repetitions
#   bench/durable.sh --out /tmp/r.md    write elsewhere (the chart goes beside it)
set -euo pipefail
cd "$(dirname "$0")"
echo "== building the harness (release)" >&2
cargo build --release --quiet -p harness
exec target/release/harness durable "$@"
