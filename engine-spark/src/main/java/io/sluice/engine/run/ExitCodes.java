package io.sluice.engine.run;

import io.sluice.common.config.InvalidConfigException;
import io.sluice.engine.InvalidSourceDataException;
import io.sluice.engine.InvalidUsageException;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.registry.RegistryConfigurationException;
import io.sluice.registry.RegistryOutcomeUnknownException;
import io.sluice.registry.RegistryUnavailableException;

/**
 * Exit codes for Airflow and shells, as the README documents them: 0 success; 2 bad usage or
 * configuration; 3 bad input data; 4 infrastructure failure worth retrying; 143 (130) stopped by
 * SIGTERM (SIGINT). A failure whose outcome is unknown (the registry commit was cut off) is 4 too:
 * re-running the window is safe, since writes are newer-only and completing a run twice changes
 * nothing; so is an I/O failure of no known kind underneath (S3, HDFS, shuffle). Anything
 * unrecognised is 1.
 *
 * <p>A run stopped by a signal exits with 128 + the signal's number, not 4. That is what the JVM
 * itself exits with on that signal, so every stop by a signal gives the same code, whether it came
 * before the run row existed (the JVM exits on its own) or during the run (the run is marked FAILED
 * and reported first). It is also what shells report for a process a signal ended. And it keeps 4
 * for failures a retry may fix: a stop was asked for from outside (Airflow's timeout, which retries
 * by its own {@code retries}; a Ctrl-C, after which nothing should start the run again by itself).
 * Running the window again is safe all the same.
 */
public final class ExitCodes {
  public static final int SUCCESS = 0;
  public static final int UNEXPECTED = 1;
  public static final int USAGE = 2;
  public static final int DATA = 3;
  public static final int RETRYABLE = 4;

  /** Stopped by SIGINT (Ctrl-C): 128 + 2. */
  public static final int STOPPED_BY_SIGINT = 130;

  /** Stopped by SIGTERM (Airflow's timeout, {@code kill}): 128 + 15. */
  public static final int STOPPED_BY_SIGTERM = 143;

  private ExitCodes() {}

  /** The exit code for a failure: the first cause in its chain of a known kind decides. */
  public static int of(Throwable failure) {
    Throwable decisive = decisiveCause(failure);
    return decisive == null ? UNEXPECTED : ownCode(decisive);
  }

  /** The message of the cause that decided the exit code, or the failure's own. */
  public static String message(Throwable failure) {
    Throwable decisive = decisiveCause(failure);
    return decisive == null ? String.valueOf(failure) : decisive.getMessage();
  }

  private static Throwable decisiveCause(Throwable failure) {
    int depth = 0;
    Throwable io = null;
    for (Throwable cause = failure; cause != null && depth < 50; cause = cause.getCause()) {
      if (ownCode(cause) != UNEXPECTED) {
        return cause;
      }
      if (io == null && cause instanceof java.io.IOException) {
        io = cause;
      }
      depth++;
    }
    // Nothing of a known kind: an I/O failure underneath (S3 or HDFS unreachable or throttled, a
    // lost executor's shuffle files) is worth retrying.
    return io;
  }

  private static int ownCode(Throwable cause) {
    if (cause instanceof RunStoppedException stopped) {
      return stopped.signal().exitCode();
    }
    if (cause instanceof InvalidUsageException
        || cause instanceof InvalidConfigException
        || cause instanceof RegistryConfigurationException
        || cause instanceof InvalidOnlineStoreConfigException) {
      return USAGE;
    }
    if (cause instanceof InvalidSourceDataException
        || cause instanceof InvalidFeatureValueException) {
      return DATA;
    }
    if (cause instanceof RegistryUnavailableException
        || cause instanceof RegistryOutcomeUnknownException
        || cause instanceof OnlineStoreUnavailableException) {
      return RETRYABLE;
    }
    if (cause instanceof java.io.IOException) {
      return RETRYABLE;
    }
    return UNEXPECTED;
  }
}
