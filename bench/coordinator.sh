#!/usr/bin/env bash
# The coordinator's own cost, at the task counts a large machine would bring: 10,000 map tasks
# of 3 lines each (--lines-per-task 3), and wordcount asking for 4,096 reducers over DATA (mr
# allows one reducer per MiB of input, at least 64: the books get 64, the man pages 491); 2
# worker processes each. Reports tasks per second, the coordinator's CPU per task (the run report's
# coordinatorCPUSeconds, processes mode: the coordinator alone) and the workers' time per task,
# and from them how many cores the coordinator could keep busy at that task size.
# Usage: bench/coordinator.sh MR [DATA]   (make bench-coordinator)
set -euo pipefail
mr=$1; root=$(cd "$(dirname "$0")/.." && pwd)
# Once in the usual temporary folder, and once on tmpfs (/dev/shm) when there is one: there a
# new file costs next to nothing, so the difference is the file system's share of a task (on
# ext4, inodes freed by earlier runs make each new one slower: docs/performance.md).
places=("${TMPDIR:-/tmp}")
[ -d /dev/shm ] && [ -w /dev/shm ] && places+=(/dev/shm)
work=$(mktemp -d); dirs=("$work"); trap 'rm -rf "${dirs[@]}"' EXIT
python3 -c 'import sys; sys.stdout.write("alpha beta gamma\n" * 30000)' > "$work/lines.txt"
reports=()
for place in "${places[@]}"; do
  dir=$(mktemp -d -p "$place"); dirs+=("$dir")
  "$mr" wordcount "$work/lines.txt" --lines-per-task 3 --workers 2 --output "$dir/maps" --quiet --json > "$work/maps-${#reports[@]}.json"
  reports+=("$work/maps-${#reports[@]}.json:$place")
  "$mr" wordcount "${2:-$root/datasets/gutenberg}" --reducers 4096 --workers 2 --output "$dir/reduces" --quiet --json 2> /dev/null > "$work/reduces-${#reports[@]}.json"
  reports+=("$work/reduces-${#reports[@]}.json:$place")
done
python3 - "${reports[@]}" <<'PY'
import json, sys
print("| run | work folder on | tasks | wall s | tasks/s | coordinator CPU per task | worker time per task | cores it keeps busy |")
print("|---|---|---|---|---|---|---|---|")
for argument in sys.argv[1:]:
    path, place = argument.rsplit(":", 1)
    report = json.load(open(path))
    name = f"{report['tasks']['map']} map, {report['tasks']['reduce']} reduce tasks"
    tasks = report["tasks"]["map"] + report["tasks"]["reduce"]
    wall = report["wallSeconds"]["total"] - report["wallSeconds"]["planning"]
    per_task_cpu = report["coordinatorCPUSeconds"] / tasks
    # Busy worker time per task: the attempts' spans, so the cores the coordinator could feed at
    # this task size is that over its own CPU per task.
    busy = sum(span["end"] - span["start"] for span in report["timeline"]) / tasks
    print(f"| {name} | {place} | {tasks} | {wall:.2f} | {tasks / wall:.0f} | {per_task_cpu * 1e6:.0f} us | {busy * 1e6:.0f} us | {busy / per_task_cpu:.0f} |")
PY
