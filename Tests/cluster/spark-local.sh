#!/usr/bin/env bash
# Spark in local mode (local[2]) runs jobs through an unpacked `mr package` with
# examples/spark/mr_on_spark.py (textFile, RDD.pipe through `mr stream map`, partitioned and
# sorted by key, piped through `mr stream reduce`); each output must equal `mr JOB` on the same
# books, byte for byte once sorted. Usage: spark-local.sh MR PYTHON   (make test-cluster)
set -euo pipefail
mr=$(realpath "$1"); python=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")  # not realpath: that leaves the venv
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/books" && cp "$root"/datasets/gutenberg/*.gz "$work/books/"
failures=0
for job in wordcount indexer; do
  "$mr" package "$job" --output "$work/$job.tar.gz" > /dev/null
  mkdir "$work/$job-node" && tar xzf "$work/$job.tar.gz" -C "$work/$job-node"
  "$python" "$root/examples/spark/mr_on_spark.py" --master 'local[2]' --mr "$work/$job-node/mr" --job "$job" \
    --output "$work/$job-spark" "$work"/books/*.gz > /dev/null 2> "$work/$job-spark.log" \
    || { tail -20 "$work/$job-spark.log"; exit 1; }
  (cd "$work/books" && "$mr" "$job" . --output "$work/$job-local" --quiet)
  if cmp -s <(cat "$work/$job-spark"/part-* | LC_ALL=C sort) <(cat "$work/$job-local"/part-* | LC_ALL=C sort); then
    echo "spark local[2] $job: output identical ($(cat "$work/$job-local"/part-* | wc -l) lines)"
  else
    echo "spark local[2] $job: OUTPUT DIFFERS"; failures=$((failures + 1))
  fi
done
exit $((failures > 0))
