"""Run an mr job on Spark through its stream steps (RDD.pipe), as Hadoop Streaming would.

    mr package wordcount --output wordcount.tar.gz && tar xzf wordcount.tar.gz -C job/
    spark-submit mr_on_spark.py --mr job/mr --job wordcount --output out/ books/*.gz
    (on a cluster: --archives wordcount.tar.gz#job and --mr job/mr)

Each input file is read with textFile and piped through `mr stream map JOB` with the file's name
in mapreduce_map_input_file; the pairs are partitioned by key and sorted within partitions,
piped through `mr stream reduce JOB`, and saved as text (part-00000 ...).
"""
import argparse
import os
import zlib

from pyspark import SparkContext


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mr", required=True, help="the mr executable (an unpacked `mr package`)")
    parser.add_argument("--job", required=True, help="the job's name")
    parser.add_argument("--output", required=True, help="the output folder (must not exist)")
    parser.add_argument("--reducers", type=int, default=2)
    parser.add_argument("--master", default=None, help="e.g. local[2]; default: spark-submit's")
    parser.add_argument("--job-option", action="append", default=[], help="a job option, e.g. --job-option=--n=3")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()

    sc = SparkContext(master=args.master, appName=f"mr {args.job}") if args.master else SparkContext(appName=f"mr {args.job}")
    step = lambda name: [args.mr, "stream", name, args.job] + args.job_option
    mapped = sc.union([
        sc.textFile(path).pipe(" ".join(step("map")), env={"mapreduce_map_input_file": os.path.basename(path)})
        for path in args.inputs
    ])
    # Spark's pipe takes a command line: the steps' arguments must not need quoting.
    pairs = mapped.map(lambda line: (line.split("\t", 1)[0], line))
    # A hash that is the same in every Python process (str's is seeded per process).
    grouped = pairs.repartitionAndSortWithinPartitions(args.reducers, partitionFunc=lambda key: zlib.crc32(key.encode()))
    grouped.values().pipe(" ".join(step("reduce"))).saveAsTextFile(args.output)
    sc.stop()


if __name__ == "__main__":
    main()
