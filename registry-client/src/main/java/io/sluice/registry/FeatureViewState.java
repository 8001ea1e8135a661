package io.sluice.registry;

/**
 * Feast's lifecycle state of a feature view: {@code FeatureViewMeta.state} (field 6), added in
 * Feast 0.66 and unknown to the 0.38 proto classes, so it is read from and written to the message's
 * unknown fields. Feast's Python feature server serves a view in {@link #STATE_UNSPECIFIED} (views
 * older than the field) or {@link #AVAILABLE_ONLINE}, and refuses one in {@link #CREATED}, {@link
 * #GENERATED} or {@link #MATERIALIZING}.
 */
public enum FeatureViewState {
  STATE_UNSPECIFIED(0),
  CREATED(1),
  GENERATED(2),
  MATERIALIZING(3),
  AVAILABLE_ONLINE(4),
  /** A number this version does not know, written by a newer Feast. */
  UNRECOGNIZED(-1);

  private final int number;

  FeatureViewState(int number) {
    this.number = number;
  }

  /** The enum's number in Feast's proto; -1 for {@link #UNRECOGNIZED}. */
  public int number() {
    return number;
  }

  /** The state stored as {@code number}; {@link #UNRECOGNIZED} for a number Feast 0.66 lacks. */
  public static FeatureViewState forNumber(long number) {
    for (FeatureViewState state : values()) {
      if (state != UNRECOGNIZED && state.number == number) {
        return state;
      }
    }
    return UNRECOGNIZED;
  }
}
