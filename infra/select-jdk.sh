#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer (the project compiles for Java 21; the JDK 17 that Debian 12 ships cannot):
# $JAVA_HOME when it qualifies, else Temurin 25, else any JDK 25 or 21 under /usr/lib/jvm.
set -euo pipefail

java_feature_version() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}

is_jdk_21_or_newer() {
  local home=$1 version
  [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
  version=$(java_feature_version "$home")
  [[ "$version" =~ ^[0-9]+$ ]] && (( version >= 21 ))
}

if [[ -n "${JAVA_HOME:-}" ]] && is_jdk_21_or_newer "$JAVA_HOME"; then
  echo "$JAVA_HOME"
  exit 0
fi
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*21*; do
  if is_jdk_21_or_newer "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
echo "No JDK 21 or newer (JAVA_HOME=${JAVA_HOME:-unset}; none under /usr/lib/jvm)." \
  "Install one, e.g. 'apt-get install openjdk-21-jdk-headless' (Debian 13) or Temurin 21/25, or set JAVA_HOME to it." >&2
exit 1
