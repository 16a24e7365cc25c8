#!/usr/bin/env bash
# Style gate (issue 14): no line over 120 columns and no inline fully qualified type name in any module's
# src/**/*.java; methods over 100 lines are listed as warnings only. ./jiip test runs it.
# Uses $JAVA_HOME/bin/java (JDK 22+: runs tools/style/StyleCheck.java through the source launcher).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$JAVA" >/dev/null || { echo "check-style: FAIL: java not found (set JAVA_HOME to a JDK)" >&2; exit 1; }
"$JAVA" tools/style/StyleCheck.java . || { echo "check-style: FAIL: fix the lines above" >&2; exit 1; }
