package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The requested feature view is not in the project; the message lists the views that are. */
public class FeatureViewNotFoundException extends RegistryConfigurationException {
  private static final long serialVersionUID = 1L;

  private final String project;
  private final String featureView;
  private final List<String> existingViews;

  public FeatureViewNotFoundException(String project, String featureView, List<String> existing) {
    super(
        String.format(
            "Cannot find feature view '%s' in project '%s': %s",
            featureView,
            project,
            existing.isEmpty()
                ? "the project has no feature views (run `sluice apply` first)"
                : "existing views are " + String.join(", ", existing)));
    this.project = requireNonNull(project, "project is null");
    this.featureView = requireNonNull(featureView, "featureView is null");
    this.existingViews = List.copyOf(existing);
  }

  public String project() {
    return project;
  }

  public String featureView() {
    return featureView;
  }

  /** Names of the feature views that do exist in the project, sorted. */
  public List<String> existingViews() {
    return existingViews;
  }
}
