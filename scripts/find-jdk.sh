# shellcheck shell=sh
#
# find-jdk.sh: locate a JDK new enough to build and run Bulwark.
#
# Source this file (POSIX sh: dash or bash), then call:
#
#     bulwark_find_jdk            # needs bin/java
#     bulwark_find_jdk --javac    # needs bin/java and bin/javac (for building)
#
# Candidates, in this order:
#   1. $JAVA_HOME, if set;
#   2. the `java` on PATH, with symlinks resolved to its home;
#   3. every sub-directory of each directory in $BULWARK_JVM_DIRS (space-separated,
#      default /usr/lib/jvm); of those that fit, the newest version wins.
# The first candidate whose major version is at least $BULWARK_MIN_JAVA (default 21)
# and that has the tools needed is taken: JAVA_HOME is exported to it, the shell
# variables BULWARK_JDK_VERSION ("21.0.5") and BULWARK_JDK_MAJOR ("21") are set (not
# exported), nothing is printed and 0 is returned. If none fits, every candidate tried is listed on stderr
# with its version and what to do, and 1 is returned (JAVA_HOME is left as it was).
#
# A version is read from the JDK's `release` file (JAVA_VERSION="..."; every JDK
# since 8 has one, and reading it costs nothing), or else from `bin/java -version`.
#
# The names this file defines start with bulwark_ or _bwj_. It sets no shell option,
# so it can be sourced under `set -eu`, and it forks as little as it can: the
# launcher runs it on every start.

# _bwj_major_of VERSION: set _bwj_major to the feature (major) version of a Java
# version string: "1.8.0_392" -> 8, "17.0.15" -> 17, "21.0.5" -> 21, "25" -> 25,
# "25.0.1" -> 25, "26-ea" -> 26. Returns 1 (and sets it empty) if there is none.
_bwj_major_of() {
    _bwj_major=${1-}
    case $_bwj_major in
        1.*) _bwj_major=${_bwj_major#1.} ;; # the "1.x" numbering of Java 8 and before
    esac
    _bwj_major=${_bwj_major%%[!0-9]*}
    while :; do # strip leading zeros, so that the number is never read as octal
        case $_bwj_major in
            0?*) _bwj_major=${_bwj_major#0} ;;
            *) break ;;
        esac
    done
    [ -n "$_bwj_major" ]
}

# bulwark_java_major VERSION: print the major version of VERSION (see above).
bulwark_java_major() {
    _bwj_major_of "${1-}" || return 1
    printf '%s\n' "$_bwj_major"
}

# bulwark_java_version_from_output: read `java -version` output on stdin and print
# the quoted version in it ("17.0.15", "1.8.0_392", "25"). Lines before it, such as
# "Picked up JAVA_TOOL_OPTIONS: ...", are skipped.
bulwark_java_version_from_output() {
    sed -n '/ version "/{s/^[^"]* version "\([^"]*\)".*/\1/p;q;}'
}

# _bwj_version_of HOME: set _bwj_full to the version of the JDK at HOME.
_bwj_version_of() {
    _bwj_full=
    if [ -r "$1/release" ]; then
        while IFS= read -r _bwj_line || [ -n "$_bwj_line" ]; do
            case $_bwj_line in
                JAVA_VERSION=*)
                    _bwj_full=${_bwj_line#JAVA_VERSION=}
                    _bwj_full=${_bwj_full#\"}
                    _bwj_full=${_bwj_full%%\"*}
                    break
                    ;;
            esac
        done <"$1/release"
    fi
    if [ -z "$_bwj_full" ] && [ -x "$1/bin/java" ]; then
        _bwj_full=$("$1/bin/java" -version 2>&1 </dev/null | bulwark_java_version_from_output)
    fi
    [ -n "$_bwj_full" ]
}

# bulwark_jdk_version HOME: print the version of the JDK at HOME.
bulwark_jdk_version() {
    _bwj_version_of "$1" || return 1
    printf '%s\n' "$_bwj_full"
}

# _bwj_newer A B: is version A newer than version B? Compares the numbers before any
# "-ea" or "+build" suffix, one dot-separated component at a time ("25.0.10" > "25.0.9").
_bwj_newer() {
    _bwj_a=${1%%[!0-9.]*}.
    _bwj_b=${2%%[!0-9.]*}.
    while [ -n "$_bwj_a$_bwj_b" ]; do
        _bwj_x=${_bwj_a%%.*}
        _bwj_y=${_bwj_b%%.*}
        _bwj_a=${_bwj_a#*.}
        _bwj_b=${_bwj_b#*.}
        [ "${_bwj_x:-0}" -gt "${_bwj_y:-0}" ] && return 0
        [ "${_bwj_x:-0}" -lt "${_bwj_y:-0}" ] && return 1
    done
    return 1
}

# _bwj_check HOME LABEL: is HOME a JDK that fits? Sets _bwj_ok to 1 or 0, and
# _bwj_full and _bwj_major; appends a line about HOME to _bwj_tried either way.
_bwj_check() {
    _bwj_ok=0
    _bwj_major=
    if [ ! -d "$1" ]; then
        _bwj_note="not a directory"
    elif [ ! -x "$1/bin/java" ]; then
        _bwj_note="no bin/java"
    elif ! _bwj_version_of "$1"; then
        _bwj_note="version unreadable"
    elif ! _bwj_major_of "$_bwj_full"; then
        _bwj_note="version \"$_bwj_full\" not understood"
    elif [ "$_bwj_major" -lt "$_bwj_min" ]; then
        _bwj_note="version $_bwj_full (too old)"
    elif [ "$_bwj_need_javac" = 1 ] && [ ! -x "$1/bin/javac" ]; then
        _bwj_note="version $_bwj_full, but no bin/javac (a JRE, not a JDK)"
    else
        _bwj_note="version $_bwj_full"
        _bwj_ok=1
    fi
    _bwj_tried="${_bwj_tried}  $2$1: $_bwj_note
"
}

# _bwj_resolve PATH: set _bwj_real to PATH with its symlinks resolved.
_bwj_resolve() {
    _bwj_real=$(readlink -f -- "$1" 2>/dev/null || realpath -- "$1" 2>/dev/null) || _bwj_real=
    [ -n "$_bwj_real" ] || _bwj_real=$1
}

# _bwj_found HOME: take HOME, whose version is in _bwj_full and _bwj_major.
_bwj_found() {
    JAVA_HOME=$1
    export JAVA_HOME
    # shellcheck disable=SC2034 # for the scripts that source this file
    BULWARK_JDK_VERSION=$_bwj_full
    # shellcheck disable=SC2034
    BULWARK_JDK_MAJOR=$_bwj_major
}

bulwark_find_jdk() {
    _bwj_need_javac=0
    case ${1-} in
        --javac) _bwj_need_javac=1 ;;
        '') ;;
        *)
            echo "bulwark_find_jdk: unknown option: $1" >&2
            return 2
            ;;
    esac
    _bwj_min=${BULWARK_MIN_JAVA:-21}
    _bwj_tried=
    # homes already tried, one per line, so that the directory scan skips them
    _bwj_seen='
'

    # 1. JAVA_HOME
    if [ -n "${JAVA_HOME-}" ]; then
        _bwj_check "$JAVA_HOME" "JAVA_HOME="
        if [ "$_bwj_ok" = 1 ]; then
            _bwj_found "$JAVA_HOME"
            return 0
        fi
        _bwj_resolve "$JAVA_HOME"
        _bwj_seen="$_bwj_seen$_bwj_real
"
    fi

    # 2. java on PATH
    if _bwj_onpath=$(command -v java 2>/dev/null) && [ -n "$_bwj_onpath" ]; then
        _bwj_resolve "$_bwj_onpath"
        _bwj_home=${_bwj_real%/bin/java}
        if [ "$_bwj_home" = "$_bwj_real" ]; then
            _bwj_tried="${_bwj_tried}  java on PATH ($_bwj_onpath): $_bwj_real is not in a bin/ directory
"
        else
            _bwj_check "$_bwj_home" "java on PATH ($_bwj_onpath) -> "
            if [ "$_bwj_ok" = 1 ]; then
                _bwj_found "$_bwj_home"
                return 0
            fi
            _bwj_seen="$_bwj_seen$_bwj_home
"
        fi
    else
        _bwj_tried="${_bwj_tried}  java on PATH: none
"
    fi

    # 3. every JDK in the JVM directories: the newest that fits wins. Second names
    # of one JDK (java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64) are tried once.
    _bwj_best=
    _bwj_best_full=
    _bwj_first=
    for _bwj_dir in ${BULWARK_JVM_DIRS:-/usr/lib/jvm}; do
        [ -n "$_bwj_first" ] || _bwj_first=$_bwj_dir
        if [ ! -d "$_bwj_dir" ]; then
            _bwj_tried="${_bwj_tried}  $_bwj_dir: no such directory
"
            continue
        fi
        _bwj_any=0
        for _bwj_home in "$_bwj_dir"/*; do
            [ -d "$_bwj_home" ] || continue
            _bwj_any=1
            if [ -L "$_bwj_home" ]; then
                _bwj_resolve "$_bwj_home"
            else
                _bwj_real=$_bwj_home
            fi
            case $_bwj_seen in
                *"
$_bwj_real
"*) continue ;;
            esac
            _bwj_seen="$_bwj_seen$_bwj_real
"
            _bwj_check "$_bwj_home" ""
            [ "$_bwj_ok" = 1 ] || continue
            if [ -z "$_bwj_best" ] || _bwj_newer "$_bwj_full" "$_bwj_best_full"; then
                _bwj_best=$_bwj_home
                _bwj_best_full=$_bwj_full
                _bwj_best_major=$_bwj_major
            fi
        done
        if [ "$_bwj_any" = 0 ]; then
            _bwj_tried="${_bwj_tried}  $_bwj_dir: empty
"
        fi
    done
    if [ -n "$_bwj_best" ]; then
        _bwj_full=$_bwj_best_full
        _bwj_major=$_bwj_best_major
        _bwj_found "$_bwj_best"
        return 0
    fi

    if [ "$_bwj_need_javac" = 1 ]; then _bwj_what="JDK (java and javac)"; else _bwj_what="Java"; fi
    {
        echo "bulwark: no $_bwj_what of version $_bwj_min or newer found. Tried:"
        printf '%s' "$_bwj_tried"
        echo "To fix it, install a JDK $_bwj_min or newer:"
        echo "  - on Debian 13 or Ubuntu 24.04: apt-get install openjdk-21-jdk-headless"
        echo "  - anywhere else (Debian 12 packages no JDK 21): install any JDK $_bwj_min+"
        echo "    (Temurin, Zulu, Corretto, ...) and set JAVA_HOME to it, e.g."
        echo "      export JAVA_HOME=/opt/jdk-21"
        echo "    or unpack it in ${_bwj_first:-/usr/lib/jvm}/, where it is found on its own."
    } >&2
    return 1
}
