#!/usr/bin/env bash
# Fuzzes each Jazzer target of jiip-core for a bounded time (one target per JVM, as Jazzer requires).
# CI runs it with the default 30s per target; a long campaign: .ci/fuzz.sh 8h (or JAZZER_MAX_DURATION=8h).
# The regression mode over the committed corpus already runs in every `mvn test`. A finding is written as
# crash-* into the target's inputs directory under src/test/resources and fails the run; see docs/security.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-${JAZZER_MAX_DURATION:-30s}}"
for target in io.jiip.wire.WireFuzzTest io.jiip.tcp.StackFuzzTest; do
  echo "fuzz: $target for $duration"
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" \
    mvn -B --no-transfer-progress -pl jiip-core test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false
done
