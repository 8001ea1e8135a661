package io.sluice.common.retry;

/** One try of a piece of work that a {@link RetryRule} may run several times. */
@FunctionalInterface
public interface Attempt<T> {
  T run() throws Exception;
}
