package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The requested feature view is not in the project; the message lists the views that are. */
public class FeatureViewNotFoundException extends RegistryConfigurationException {
  private static final long serialVersionUID = 1L;

  /**
   * @param existing the names of the feature views that do exist in the project, sorted
   */
  public FeatureViewNotFoundException(String project, String featureView, List<String> existing) {
    super(
        String.format(
            "Cannot find feature view '%s' in project '%s': %s",
            requireNonNull(featureView, "featureView is null"),
            requireNonNull(project, "project is null"),
            existing.isEmpty()
                ? "the project has no feature views (run `sluice apply` first)"
                : "existing views are " + String.join(", ", existing)));
  }
}
