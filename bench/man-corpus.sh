#!/bin/bash
# Real text for benchmarks: every man page on this machine, four times over (about 515 MB on a
# Debian image with the usual packages; its size depends on what is installed).
#   bench/man-corpus.sh [DIR]   (default: man-data); does nothing if DIR is complete; prints DIR
#   DIR/big/part-00.gz .. part-07.gz   8 gzip -6 files
#   DIR/one/all.txt.gz                 the same text as one single-member gzip file
# Its words have a long tail (about 150,000 distinct) and its lines are short: harder on a
# combine table than generated text. Benchmarks only: tests never read it.
set -eu
dir=${1:-man-data}
mkdir -p "$dir"
if [ ! -f "$dir/.complete" ]; then
  work=$(mktemp -d "$dir/.making-XXXXXX")
  find -L /usr/share/man -name '*.gz' -type f -print0 2>/dev/null | sort -z | xargs -0 zcat 2>/dev/null > "$work/man.txt" || true
  for copy in 1 2 3 4; do cat "$work/man.txt"; done > "$work/all.txt"
  rm "$work/man.txt"
  mkdir "$work/big" "$work/one"
  split -n l/8 -d "$work/all.txt" "$work/big/part-"
  for part in "$work"/big/part-??; do gzip -n -6 "$part"; done
  gzip -n -6 -c "$work/all.txt" > "$work/one/all.txt.gz"
  rm "$work/all.txt"
  rm -rf "$dir/big" "$dir/one"
  mv "$work/big" "$work/one" "$dir/" && rmdir "$work"
  touch "$dir/.complete"
fi
echo "$dir"
