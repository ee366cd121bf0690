"""Run an mr job's steps under mrjob (Hadoop Streaming on Hadoop, EMR, Dataproc, or locally).

    mr package wordcount --output wordcount.tar.gz && tar xzf wordcount.tar.gz -C job/
    python mr_on_mrjob.py -r local --mr job/mr --job wordcount books/*.gz --output-dir out/
    python mr_on_mrjob.py -r hadoop --mr job/mr ...   (or -r emr, -r dataproc)

Each step is `mr stream map|combine|reduce JOB`; mrjob splits the input, sorts between the
steps and reads the `reporter:counter:` lines the steps write to stderr.
"""
from mrjob.job import MRJob
from mrjob.step import MRStep


class MROnMrjob(MRJob):
    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--mr", default="mr", help="the mr executable (an unpacked `mr package`)")
        self.add_passthru_arg("--job", default="wordcount", help="the job's name")
        self.add_passthru_arg("--map-only", action="store_true", help="the job has no reduce")

    def steps(self):
        step = f"{self.options.mr} stream {{}} {self.options.job}"
        if self.options.map_only:
            return [MRStep(mapper_cmd=step.format("map"))]
        return [MRStep(mapper_cmd=step.format("map"), combiner_cmd=step.format("combine"),
                       reducer_cmd=step.format("reduce"))]


if __name__ == "__main__":
    MROnMrjob.run()
