package io.sluice.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Hadoop caches one {@link FileSystem} per scheme and authority (for S3A: per bucket) for the whole
 * JVM, whatever endpoint it was made with. Test classes in one surefire JVM each start their own
 * S3Mock on a new port, so a class must drop the S3A instances of its buckets when it ends, and
 * before it starts (a class that ran before may have left one), or the next class's S3A talks to a
 * server that has stopped, and retries it for many minutes.
 */
final class S3aFileSystems {
  private S3aFileSystems() {}

  /** Closes, and so removes from Hadoop's cache, the S3A file system of each bucket. */
  static void forget(Configuration hadoop, String... buckets) {
    for (String bucket : buckets) {
      try {
        new Path("s3a://" + bucket + "/").getFileSystem(hadoop).close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot close the S3A file system of " + bucket, e);
      }
    }
  }
}
