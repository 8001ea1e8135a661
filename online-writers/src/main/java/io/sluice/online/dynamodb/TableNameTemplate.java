package io.sluice.online.dynamodb;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Map;

/**
 * Feast's {@code table_name_template}, filled as Python's {@code str.format(project=...,
 * table_name=...)} fills it: {@code {project}} and {@code {table_name}} are replaced, {@code {{}}
 * and {@code }}} stand for one brace. {@code table_name} is the view's online name, which carries
 * Feast's {@code _v<N>} suffix when the registry enables view versioning.
 */
public record TableNameTemplate(String template) implements Serializable {
  public static final String DEFAULT = "{project}.{table_name}";

  private static final String PROJECT = "project";
  private static final String TABLE_NAME = "table_name";

  /**
   * @throws IllegalArgumentException for a field other than {@code project} and {@code table_name},
   *     a format spec or an unmatched brace (Python's {@code format} fails on them)
   */
  public TableNameTemplate {
    requireNonNull(template, "template is null");
    format(template, "p", "t");
  }

  /** The table of {@code view} in {@code project}. */
  public String tableName(String project, String viewName) {
    return format(template, project, viewName);
  }

  private static String format(String template, String project, String viewName) {
    Map<String, String> fields = Map.of(PROJECT, project, TABLE_NAME, viewName);
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
        out.append('{');
        i += 2;
      } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
        out.append('}');
        i += 2;
      } else if (c == '{') {
        int end = template.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException(
              "Invalid table_name_template '" + template + "': unmatched '{'");
        }
        String field = template.substring(i + 1, end);
        String value = fields.get(field);
        if (value == null) {
          throw new IllegalArgumentException(
              "Invalid table_name_template '"
                  + template
                  + "': unknown field {"
                  + field
                  + "}; use {project} and {table_name}");
        }
        out.append(value);
        i = end + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException(
            "Invalid table_name_template '" + template + "': single '}'");
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return template;
  }
}
