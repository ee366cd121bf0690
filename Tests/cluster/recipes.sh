#!/usr/bin/env bash
# The cluster recipes of docs/cluster.md, run as written: each ```sh block after a
# "<!-- run by Tests/cluster/recipes.sh: NAME -->" line is extracted verbatim and run in a fresh
# folder holding what the docs say it needs (examples/, books/ or table.tsv), with the mr under
# test first on PATH. mrjob: the groupby recipe against `mr groupby`. Spark: a standalone master
# and two workers started on this machine (spark-class from pyspark), the topwords recipe
# submitted to it, against `mr topwords`. Usage: recipes.sh MR PYTHON   (make test-cluster)
set -euo pipefail
mr=$(realpath "$1"); python=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export PATH="$(dirname "$mr"):$(dirname "$python"):$PATH" MR_CACHE_DIR="$work/cache"
recipe() { awk -v name="$1" '$0 ~ "<!-- run by Tests/cluster/recipes.sh: " name " -->" { want = 1; next }
  want && /^```sh/ { inside = 1; next } inside && /^```/ { exit } inside { print }' "$root/docs/cluster.md"; }
failures=0
compare() {  # NAME OUTPUT-FOLDER LOCAL-FOLDER
  if cmp -s <(cat "$2"/part-* | LC_ALL=C sort) <(cat "$3"/part-* | LC_ALL=C sort); then
    echo "recipe $1: output identical to mr's ($(cat "$3"/part-* | wc -l) lines)"
  else echo "recipe $1: OUTPUT DIFFERS"; failures=$((failures + 1)); fi
}

# mrjob
mkdir "$work/mrjob" && ln -s "$root/examples" "$work/mrjob/examples"
"$python" -c 'for i in range(3000): print(f"k{i % 17}\t{i * 0.25 - 100.5}")' > "$work/mrjob/table.tsv"
[ -n "$(recipe mrjob)" ] || { echo "recipe mrjob: no such block in docs/cluster.md"; exit 1; }
(cd "$work/mrjob" && bash -euo pipefail -c "$(recipe mrjob)" > "$work/mrjob.log" 2>&1) || { tail -20 "$work/mrjob.log"; exit 1; }
mr groupby "$work/mrjob/table.tsv" --agg mean --type float --output "$work/mrjob-local" --quiet
compare mrjob "$work/mrjob/out" "$work/mrjob-local"

# Spark standalone: a master and two workers of one core each, on free ports.
spark_home=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SPARK_MASTER="spark://127.0.0.1:$port" SPARK_LOCAL_IP=127.0.0.1 SPARK_WORKER_DIR="$work/spark-work"
"$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
  > "$work/master.log" 2>&1 & pids+=($!)
for worker in 1 2; do
  "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker --cores 1 --memory 1g --webui-port 0 "$SPARK_MASTER" \
    > "$work/worker-$worker.log" 2>&1 & pids+=($!)
done
for _ in $(seq 120); do [ "$(grep -c 'Registering worker' "$work/master.log" || true)" -ge 2 ] && break; sleep 0.5; done
[ "$(grep -c 'Registering worker' "$work/master.log" || true)" -ge 2 ] || { echo "spark: the workers did not register"; tail "$work"/*.log; exit 1; }
mkdir "$work/spark" "$work/spark/books" && ln -s "$root/examples" "$work/spark/examples" && cp "$root"/datasets/gutenberg/*.gz "$work/spark/books/"
[ -n "$(recipe spark)" ] || { echo "recipe spark: no such block in docs/cluster.md"; exit 1; }
(cd "$work/spark" && bash -euo pipefail -c "$(recipe spark)" > "$work/spark.log" 2>&1) || { tail -30 "$work/spark.log"; exit 1; }
grep -q "Registering app" "$work/master.log" || { echo "spark: the job did not go to the standalone master"; failures=$((failures + 1)); }
mr topwords "$work/spark/books" --n 15 --output "$work/spark-local" --quiet
compare "spark standalone" "$work/spark/out" "$work/spark-local"
exit $((failures > 0))
