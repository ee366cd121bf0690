#!/usr/bin/env bash
# mrjob's local runner (Hadoop Streaming emulated: input split, steps as subprocesses, sorting
# between them, reporter counters parsed) runs jobs through an unpacked `mr package`; each
# output must equal `mr JOB` on the same books, byte for byte once sorted, and mrjob's counters
# mr's. Usage: mrjob-local.sh MR PYTHON   (make test-cluster passes both)
set -euo pipefail
mr=$(realpath "$1"); python=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")  # not realpath: that leaves the venv
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$root"/datasets/gutenberg/*.gz "$work/" && mkdir "$work/books" && mv "$work"/*.gz "$work/books/"
failures=0
for job in wordcount indexer; do
  "$mr" package "$job" --output "$work/$job.tar.gz" > /dev/null
  mkdir "$work/$job-node" && tar xzf "$work/$job.tar.gz" -C "$work/$job-node"
  (cd "$work/books" && "$python" "$root/examples/mrjob/mr_on_mrjob.py" -r local --mr "$work/$job-node/mr" --job "$job" \
     --output-dir "$work/$job-mrjob" *.gz > /dev/null 2> "$work/$job-mrjob.log")
  (cd "$work/books" && "$mr" "$job" . --output "$work/$job-local" --json --quiet > "$work/$job-report.json")
  if cmp -s <(cat "$work/$job-mrjob"/part-* | LC_ALL=C sort) <(cat "$work/$job-local"/part-* | LC_ALL=C sort); then
    echo "mrjob local $job: output identical ($(cat "$work/$job-local"/part-* | wc -l) lines)"
  else
    echo "mrjob local $job: OUTPUT DIFFERS"; failures=$((failures + 1))
  fi
  for counter in "input records" "map output records" "reduce groups" "output records"; do
    ours=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['counters'][sys.argv[2]])" "$work/$job-report.json" "$counter")
    theirs=$(sed -n "s/^[[:space:]]*$counter=//p" "$work/$job-mrjob.log")
    if [ "$ours" = "$theirs" ]; then echo "  counter '$counter': $ours in both"
    else echo "  counter '$counter': mr $ours, mrjob '$theirs' DIFFER"; failures=$((failures + 1)); fi
  done
done
exit $((failures > 0))
