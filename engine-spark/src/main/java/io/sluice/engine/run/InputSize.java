package io.sluice.engine.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.execution.FileSourceScanLike;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FileStatusWithMetadata;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import scala.collection.JavaConverters;

/**
 * The size of the files a plan reads, as the driver already knows it: the sum of the sizes of the
 * files its scans select, after partition pruning (the sizes Spark splits the files into read tasks
 * by). Spark lists a path source, keeping each file's status, when the Dataset is created; this
 * plans the Dataset once more and prunes that listing in memory, so it opens no file, makes no
 * filesystem request and runs no job. ({@code Dataset.inputFiles()} plus a {@code getFileStatus}
 * per file would cost one request per file on an object store; the optimizer's size statistics
 * ignore partition pruning of a path source, and are a default, not a size, for a table without
 * statistics or a query over other sources.) For a partitioned catalog table the pruning asks the
 * metastore for the window's partitions once more, as Spark's own planning of the write does.
 *
 * <p>Known only when every leaf of the physical plan is a file scan; otherwise {@link
 * ProgressSnapshot#UNKNOWN}, and progress falls back to the read stage's tasks. Driver side.
 */
final class InputSize {
  private InputSize() {}

  /** The bytes of the files {@code plan} reads, or {@link ProgressSnapshot#UNKNOWN}. */
  static long of(Dataset<?> plan) {
    SparkPlan physical = plan.queryExecution().sparkPlan();
    long total = 0;
    for (SparkPlan leaf : JavaConverters.seqAsJavaList(physical.collectLeaves())) {
      if (!(leaf instanceof FileSourceScanLike scan)) {
        return ProgressSnapshot.UNKNOWN;
      }
      for (PartitionDirectory partition : scan.selectedPartitions()) {
        for (FileStatusWithMetadata file : JavaConverters.seqAsJavaList(partition.files())) {
          total += file.getLen();
        }
      }
    }
    return total;
  }
}
