#!/usr/bin/env bash
# Spark in local mode (local[2]) runs jobs through an unpacked `mr package` with
# examples/spark/mr_on_spark.py (textFile, RDD.pipe through `mr stream map`, partitioned and
# sorted by key, piped through `mr stream reduce`, step after step); each output must equal
# `mr JOB` on the same input, byte for byte once sorted. Inputs are given as folders. Jobs:
# wordcount and indexer on the books, groupby with options (floats, mean) on a generated
# table, topwords (two steps) with an option, wordcount on the bzip2, zstd and xz files.
# Usage: spark-local.sh MR PYTHON   (make test-cluster)
set -euo pipefail
mr=$(realpath "$1"); python=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")  # not realpath: that leaves the venv
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/books" "$work/table" && cp "$root"/datasets/gutenberg/*.gz "$work/books/"
"$python" -c 'for i in range(20000): print(f"k{i % 37}\t{i * 0.37 - 900.1}\tx")' > "$work/table/table.tsv"
failures=0
mkdir "$work/formats" && cp "$root"/datasets/formats/* "$work/formats/"
for spec in "wordcount books" "indexer books" "groupby table agg=mean type=float" "topwords books n=15" "wordcount formats"; do
  read -r job input assignments <<< "$spec"
  run=$((${run:-0} + 1))
  wrapper_options=(); mr_options=()
  for assignment in $assignments; do wrapper_options+=(--job-option "$assignment"); mr_options+=("--${assignment%%=*}" "${assignment#*=}"); done
  "$mr" package "$job" --output "$work/$run.tar.gz" > /dev/null
  mkdir "$work/$run-node" && tar xzf "$work/$run.tar.gz" -C "$work/$run-node"
  "$python" "$root/examples/spark/mr_on_spark.py" --master 'local[2]' --mr "$work/$run-node/mr" --job "$job" \
    "${wrapper_options[@]}" --output "$work/$run-spark" "$work/$input" > /dev/null 2> "$work/$run-spark.log" \
    || { tail -20 "$work/$run-spark.log"; exit 1; }
  (cd "$work/$input" && "$mr" "$job" . "${mr_options[@]}" --output "$work/$run-local" --quiet)
  if cmp -s <(cat "$work/$run-spark"/part-* | LC_ALL=C sort) <(cat "$work/$run-local"/part-* | LC_ALL=C sort); then
    echo "spark local[2] $spec: output identical ($(cat "$work/$run-local"/part-* | wc -l) lines)"
  else
    echo "spark local[2] $spec: OUTPUT DIFFERS"; failures=$((failures + 1))
  fi
done
exit $((failures > 0))
