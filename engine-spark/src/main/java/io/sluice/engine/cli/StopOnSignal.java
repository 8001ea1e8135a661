package io.sluice.engine.cli;

import static java.util.Objects.requireNonNull;

import io.sluice.engine.run.RunStop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT during a materializing command, from {@link #install} until closed: the run in
 * progress is stopped (its Spark jobs cancelled, its row marked FAILED, its report printed) and the
 * main thread exits with the report's exit code, 128 + the signal's number (see {@link
 * io.sluice.engine.run.ExitCodes}).
 *
 * <p>Why a signal handler and not a shutdown hook: a hook runs once the JVM is already shutting
 * down, alongside Spark's own hook (which stops the SparkContext the run needs) and log4j's, and
 * the main thread's {@code System.exit} then blocks for good. The handler runs first, while
 * everything still works, and only hands the signal on to the JVM's own handler (exit with 128 +
 * the signal's number, running the shutdown hooks) when there is nothing to wait for:
 *
 * <ul>
 *   <li>no run has begun (no run row yet): at once, as without this handler;
 *   <li>a run has begun: {@link RunStop#request} stops it, or lets it complete when it is already
 *       recording its interval; the handler waits for the command to print its report ({@link
 *       #close}), at most {@link #WAIT}, and then leaves the exit to the main thread, which stops
 *       Spark and exits with the report's code. Only when the wait runs out does it hand the signal
 *       on;
 *   <li>a second signal: handed on at once (a second Ctrl-C stops without waiting).
 * </ul>
 *
 * <p>A signal the process was started to ignore stays ignored (a shell's background job ignores
 * SIGINT), and a JVM that reserves its signals ({@code -Xrs}) keeps its own handling. Handlers are
 * set through {@code sun.misc.Signal} (module {@code jdk.unsupported}, kept for exactly this use;
 * Spark and Hadoop handle signals so too), which javac warns about at each use.
 */
final class StopOnSignal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);

  /** How long a signal waits for the stopped run's report before the JVM exits anyway. */
  static final Duration WAIT = Duration.ofSeconds(30);

  private static final String[] SIGNALS = {"TERM", "INT"};

  private final RunStop stop;
  private final CountDownLatch reported = new CountDownLatch(1);
  private final AtomicBoolean received = new AtomicBoolean();

  /** Each signal handled here, by name, and the handler it had before. */
  private final Map<String, SignalHandler> previous = new ConcurrentHashMap<>();

  private StopOnSignal(RunStop stop) {
    this.stop = requireNonNull(stop, "stop is null");
  }

  /** Handles SIGTERM and SIGINT by stopping {@code stop}'s run, until closed. */
  static StopOnSignal install(RunStop stop) {
    StopOnSignal handling = new StopOnSignal(stop);
    for (String name : SIGNALS) {
      SignalHandler before = handleWith(name, handling::handle);
      if (before == SignalHandler.SIG_IGN) {
        handleWith(name, before); // ignored since the process started: stays so
      } else if (before != null) {
        handling.previous.put(name, before);
      }
    }
    return handling;
  }

  /** Sets the handler of SIG{@code name}; returns the one before, or null when it cannot be set. */
  private static SignalHandler handleWith(String name, SignalHandler handler) {
    try {
      return Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      LOG.debug("SIG{} keeps the JVM's own handling: {}", name, e.getMessage());
      return null;
    }
  }

  private void handle(Signal signal) {
    String name = "SIG" + signal.getName();
    int number = signal.getNumber();
    if (!received.compareAndSet(false, true)) {
      LOG.warn("{} again: exiting without waiting for the run to stop", name);
      handOn(signal);
      return;
    }
    if (!stop.request(new RunStop.Signal(name, number))) {
      handOn(signal); // before the run row: nothing to mark or report
      return;
    }
    LOG.warn(
        "{}: stopping the run; it is marked FAILED unless it is already recording its interval"
            + " (a second signal exits at once)",
        name);
    try {
      if (reported.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        return; // the main thread exits with the report's exit code
      }
      LOG.warn(
          "The run did not stop within {} s of {}; exiting, the run may stay RUNNING",
          WAIT.toSeconds(),
          name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handOn(signal);
  }

  /** What the signal does without this handler: the JVM's own handler, else exit 128 + number. */
  private void handOn(Signal signal) {
    SignalHandler before = previous.get(signal.getName());
    if (before != null && before != SignalHandler.SIG_DFL) {
      before.handle(signal);
    } else {
      Runtime.getRuntime().exit(128 + signal.getNumber());
    }
  }

  /**
   * The command has printed its report: a signal waiting for it returns and leaves the exit to the
   * main thread. Gives the signals their handlers back.
   */
  @Override
  public void close() {
    reported.countDown();
    previous.forEach(StopOnSignal::handleWith);
  }
}
