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
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 -c 'import sys; sys.stdout.write("alpha beta gamma\n" * 30000)' > "$work/lines.txt"
"$mr" wordcount "$work/lines.txt" --lines-per-task 3 --workers 2 --output "$work/maps" --quiet --json > "$work/maps.json"
"$mr" wordcount "${2:-$root/datasets/gutenberg}" --reducers 4096 --workers 2 --output "$work/reduces" --quiet --json 2> /dev/null > "$work/reduces.json"
python3 - "$work/maps.json" "$work/reduces.json" <<'PY'
import json, sys
print("| run | tasks | wall s | tasks/s | coordinator CPU per task | worker time per task | cores it keeps busy |")
print("|---|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    report = json.load(open(path))
    name = f"{report['tasks']['map']} map, {report['tasks']['reduce']} reduce tasks"
    tasks = report["tasks"]["map"] + report["tasks"]["reduce"]
    wall = report["wallSeconds"]["total"] - report["wallSeconds"]["planning"]
    per_task_cpu = report["coordinatorCPUSeconds"] / tasks
    # Busy worker time per task: the attempts' spans, so the cores the coordinator could feed at
    # this task size is that over its own CPU per task.
    busy = sum(span["end"] - span["start"] for span in report["timeline"]) / tasks
    print(f"| {name} | {tasks} | {wall:.2f} | {tasks / wall:.0f} | {per_task_cpu * 1e6:.0f} us | {busy * 1e6:.0f} us | {busy / per_task_cpu:.0f} |")
PY
