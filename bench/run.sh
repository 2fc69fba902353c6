#!/usr/bin/env bash
# Runs the whole benchmark and writes bench/RESULTS.md. See README.md.
#
#   bench/run.sh                     everything (about 12 minutes on 2 cores)
#   bench/run.sh --skip-footprint    no clean builds (the programs are built once, incrementally)
#   bench/run.sh --skip-process --skip-codegen --quick   fast iteration on the per-call figures
#   bench/run.sh --out /tmp/r.md     write elsewhere
set -euo pipefail
cd "$(dirname "$0")"
echo "== building the harness (release)" >&2
# Not --locked: when runtime/ or generated/ change their dependencies, cargo adjusts the lock
# minimally (nothing else is upgraded); every later step then runs --locked against it.
cargo build --release --quiet -p harness
exec target/release/harness run "$@"
