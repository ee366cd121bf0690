#!/usr/bin/env bash
# make install into a DESTDIR, then the installed mr, run from an unrelated folder with a job of
# the user's in ${XDG_CONFIG_HOME}/mr/jobs: it compiles jobs against the installed module, finds
# the shipped and the user's jobs and says where each came from, and gives the build's output;
# completions and the man page are there; make uninstall leaves nothing behind.
# Usage: install.sh MR   (make test-cluster)
set -euo pipefail
mr=$(realpath "$1"); root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
failures=0
check() { if eval "$2"; then echo "install: $1"; else echo "install: $1 FAILED"; failures=$((failures + 1)); fi; }
make -C "$root" --no-print-directory install DESTDIR="$work/dest" PREFIX=/usr/local MR="$mr" > "$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log"; exit 1; }
installed="$work/dest/usr/local/bin/mr"
mkdir -p "$work/anywhere" "$work/config/mr/jobs"
export HOME="$work" XDG_CONFIG_HOME="$work/config" MR_CACHE_DIR="$work/cache"
MR_JOBS_DIR="$work/config/mr/jobs" "$installed" new mine > /dev/null
cd "$work/anywhere"
"$installed" jobs > "$work/jobs.txt"
check "mr jobs lists the shipped jobs as shipped" "grep -q 'lib/mr/jobs/wordcount.swift (not built; shipped with mr)' '$work/jobs.txt'"
check "mr jobs lists the user's job as theirs" "grep -q 'config/mr/jobs/mine.swift (not built; your config folder)' '$work/jobs.txt'"
"$installed" wordcount "$root/datasets/gutenberg" --output "$work/installed-out" --quiet
"$mr" wordcount "$root/datasets/gutenberg" --output "$work/build-out" --quiet
check "the installed mr gives the build's output" "diff -r <(cat '$work/installed-out'/part-*) <(cat '$work/build-out'/part-*) > /dev/null"
"$installed" mine "$root/datasets/gutenberg/pg-grimm.txt.gz" --output "$work/mine-out" --quiet
check "a job from the config folder runs" "[ -s '$work/mine-out/part-00000' ] || [ -s '$work/mine-out/part-00001' ]"
check "bash completion installed" "grep -q _mr '$work/dest/usr/local/share/bash-completion/completions/mr'"
check "man page installed" "grep -q '^.Dt MR 1\|^.TH' '$work/dest/usr/local/share/man/man1/mr.1'"
make -C "$root" --no-print-directory uninstall DESTDIR="$work/dest" PREFIX=/usr/local > /dev/null
check "make uninstall removes every file" "[ -z \"\$(find '$work/dest' -type f -o -type l)\" ]"
exit $((failures > 0))
