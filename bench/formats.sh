#!/usr/bin/env bash
# Every compressed format mr reads, on the same text: the .gz files of DATA (e.g. the man-page
# corpus) recompressed with gzip -6, bzip2 -9, zstd -3 -T0 and xz -6 -T0 into WORK/FORMAT/
# (made once). For each: the format's own tool decompressing to /dev/null (one process per
# file, one at a time), mr inflate (decompress only) with 1 and 2 workers, and mr wordcount with
# 1 and 2 workers; one round, ratios to mr inflate on the same workers.
# Usage: bench/formats.sh MR DATA WORK
set -euo pipefail
mr=$1; data=$2; work=$3
declare -A compress=([gz]="gzip -n -6" [bz2]="bzip2 -9" [zst]="zstd -q -3 -T0" [xz]="xz -6 -T0")
declare -A decompress=([gz]="gzip -dc" [bz2]="bzip2 -dc" [zst]="zstd -q -dc" [xz]="xz -dc -T0")
now() { date +%s.%N; }
seconds() { local start; start=$(now); "$@" > /dev/null; echo "$(now) - $start" | bc; }
text=$(for f in "$data"/*.gz; do zcat "$f"; done | wc -c)
echo "| format | compressed MB | tool -dc s | mr inflate 1w s | mr inflate 2w s | wordcount 1w s (x inflate) | wordcount 2w s (x inflate) | 1 -> 2 workers |"
echo "|---|---|---|---|---|---|---|---|"
for format in gz bz2 zst xz; do
  folder="$work/$format"
  if [ ! -f "$folder/.complete" ]; then
    mkdir -p "$folder"
    for f in "$data"/*.gz; do name=$(basename "$f" .gz); zcat "$f" | ${compress[$format]} > "$folder/$name.$format"; done
    touch "$folder/.complete"
  fi
  size=$(cat "$folder"/*."$format" | wc -c)
  tool=$(seconds sh -c "for f in '$folder'/*.$format; do ${decompress[$format]} \"\$f\"; done")
  inflate1=$(seconds "$mr" inflate "$folder" --workers 1)
  inflate2=$(seconds "$mr" inflate "$folder" --workers 2)
  rm -rf "$work/out"; count1=$(seconds "$mr" wordcount "$folder" --workers 1 --output "$work/out" --quiet)
  rm -rf "$work/out"; count2=$(seconds "$mr" wordcount "$folder" --workers 2 --output "$work/out" --quiet)
  rm -rf "$work/out"
  printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f (%.2fx) | %.2f (%.2fx) | %.2fx |\n" "$format" "$(echo "$size / 1000000" | bc -l)" \
    "$tool" "$inflate1" "$inflate2" "$count1" "$(echo "$count1 / $inflate1" | bc -l)" "$count2" "$(echo "$count2 / $inflate2" | bc -l)" \
    "$(echo "$count1 / $count2" | bc -l)"
done
echo
echo "$((text / 1000000)) MB of text in $(ls "$data"/*.gz | wc -l) files; one round; $(nproc) cores"
