#!/usr/bin/env bash
# Proves the built jiip-core jar depends on java.base only and is Java 17
# bytecode (class-file major 61) throughout, module-info.class included.
# Run after a package/verify; ./jiip test runs it. Uses $JAVA_HOME/bin/jdeps.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "check-core: FAIL: $*" >&2; exit 1; }

jars=()
for f in jiip-core/target/jiip-core-*.jar; do
  case "$f" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) [[ -f "$f" ]] && jars+=("$f") ;; esac
done
(( ${#jars[@]} == 1 )) || fail "expected one jiip-core/target/jiip-core-*.jar, found ${#jars[@]} (build first)"
JAR="${jars[0]}"

JDEPS="${JAVA_HOME:+$JAVA_HOME/bin/}jdeps"
command -v "$JDEPS" >/dev/null || fail "jdeps not found (set JAVA_HOME to a JDK)"
release="$("$JDEPS" --version | cut -d. -f1)"

# jdeps -s prints "<jar or module> -> <dependency>" lines; a missing class is "-> not found".
deps="$("$JDEPS" --multi-release "$release" -s "$JAR" 2>&1)" || fail "jdeps failed: $deps"
bad="$(grep -- '->' <<<"$deps" | grep -v -- '-> java\.base$' || true)"
[[ -z "$bad" ]] || fail "jiip-core must depend on java.base only, but jdeps says:"$'\n'"$bad"$'\n'"(details: jdeps -verbose:class $JAR)"
grep -q -- '-> java\.base$' <<<"$deps" || fail "unexpected jdeps output: $deps"

# Class-file major version is the big-endian u2 at bytes 6-7.
python3 - "$JAR" <<'EOF' || exit 1
import sys, zipfile
jar = sys.argv[1]
with zipfile.ZipFile(jar) as z:
    names = [n for n in z.namelist() if n.endswith(".class")]
    bad = []
    for n in names:
        head = z.open(n).read(8)
        if len(head) < 8 or head[:4] != b"\xca\xfe\xba\xbe":
            bad.append(f"{n} (not a class file)")
        elif int.from_bytes(head[6:8], "big") != 61:
            bad.append(f"{n} (major {int.from_bytes(head[6:8], 'big')})")
if not names:
    sys.exit(f"check-core: FAIL: no classes in {jar}")
if "module-info.class" not in names:
    sys.exit(f"check-core: FAIL: {jar} has no module-info.class")
if bad:
    sys.exit("check-core: FAIL: not Java 17 bytecode (major 61):\n  " + "\n  ".join(bad))
print(f"check-core: jiip-core depends on java.base only; {len(names)} classes, all major 61")
EOF
