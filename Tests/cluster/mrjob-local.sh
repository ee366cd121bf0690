#!/usr/bin/env bash
# mrjob's local runner (Hadoop Streaming emulated: input split, steps as subprocesses, sorting
# between them, reporter counters parsed) runs jobs through an unpacked `mr package`; each
# output must equal `mr JOB` on the same input, byte for byte once sorted, and for a job of one
# step mrjob's counters mr's. Jobs: wordcount and indexer on the books, groupby with options
# (floats, mean) on a generated table, topwords (two steps) with an option.
# Usage: mrjob-local.sh MR PYTHON   (make test-cluster passes both)
set -euo pipefail
mr=$(realpath "$1"); python=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")  # not realpath: that leaves the venv
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/books" "$work/table" && cp "$root"/datasets/gutenberg/*.gz "$work/books/"
"$python" -c 'for i in range(20000): print(f"k{i % 37}\t{i * 0.37 - 900.1}\tx")' > "$work/table/table.tsv"
failures=0
# Each: the job, its input folder, then its options as NAME=VALUE.
for spec in "wordcount books" "indexer books" "groupby table agg=mean type=float" "topwords books n=15"; do
  read -r job input assignments <<< "$spec"
  wrapper_options=(); mr_options=()
  for assignment in $assignments; do wrapper_options+=(--job-option "$assignment"); mr_options+=("--${assignment%%=*}" "${assignment#*=}"); done
  "$mr" package "$job" --output "$work/$job.tar.gz" > /dev/null
  mkdir "$work/$job-node" && tar xzf "$work/$job.tar.gz" -C "$work/$job-node"
  (cd "$work/$input" && "$python" "$root/examples/mrjob/mr_on_mrjob.py" -r local --mr "$work/$job-node/mr" --job "$job" \
     "${wrapper_options[@]}" --output-dir "$work/$job-mrjob" * > /dev/null 2> "$work/$job-mrjob.log") \
     || { tail -20 "$work/$job-mrjob.log"; exit 1; }
  (cd "$work/$input" && "$mr" "$job" . "${mr_options[@]}" --output "$work/$job-local" --json --quiet > "$work/$job-report.json")
  if cmp -s <(cat "$work/$job-mrjob"/part-* | LC_ALL=C sort) <(cat "$work/$job-local"/part-* | LC_ALL=C sort); then
    echo "mrjob local $spec: output identical ($(cat "$work/$job-local"/part-* | wc -l) lines)"
  else
    echo "mrjob local $spec: OUTPUT DIFFERS"; failures=$((failures + 1))
  fi
  [ "$job" = topwords ] && continue  # mrjob reports each step's counters apart
  for counter in "input records" "map output records" "reduce groups" "output records"; do
    ours=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['counters'][sys.argv[2]])" "$work/$job-report.json" "$counter")
    theirs=$(sed -n "s/^[[:space:]]*$counter=//p" "$work/$job-mrjob.log")
    if [ "$ours" = "$theirs" ]; then echo "  counter '$counter': $ours in both"
    else echo "  counter '$counter': mr $ours, mrjob '$theirs' DIFFER"; failures=$((failures + 1)); fi
  done
done
exit $((failures > 0))
