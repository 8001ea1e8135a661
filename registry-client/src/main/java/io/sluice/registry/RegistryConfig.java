package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.common.config.InvalidConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach a Feast SQL registry: the JDBC URL (which never holds the password), the user and
 * the password. Built from {@code feature_store.yaml}'s {@code registry} section by {@link
 * #fromSection}, which translates the SQLAlchemy URL Feast uses:
 *
 * <table>
 *   <caption>SQLAlchemy URL to JDBC</caption>
 *   <tr><th>{@code path}</th><th>JDBC URL</th></tr>
 *   <tr><td>{@code sqlite:///data/registry.db}</td>
 *       <td>{@code jdbc:sqlite:<base folder>/data/registry.db}: the working directory, as
 *       SQLAlchemy resolves it for Feast</td></tr>
 *   <tr><td>{@code sqlite:////abs/registry.db}</td><td>{@code jdbc:sqlite:/abs/registry.db}</td></tr>
 *   <tr><td>{@code postgresql[+psycopg|+psycopg2|+pg8000]://u:p@h[:5432]/db[?sslmode=…]}</td>
 *       <td>{@code jdbc:postgresql://h:5432/db[?sslmode=…]}</td></tr>
 *   <tr><td>{@code mysql[+pymysql|+mysqldb|+mysqlconnector]://u:p@h[:3306]/db}</td>
 *       <td>{@code jdbc:mariadb://h:3306/db} (MySQL and MariaDB servers)</td></tr>
 * </table>
 *
 * <p>Percent-encoded user names and passwords are decoded. {@link #toString()} hides the password.
 */
public record RegistryConfig(
    RegistryDialect dialect,
    String jdbcUrl,
    String user,
    String password,
    boolean onlineVersioning,
    boolean purgeFeastMetadata,
    SchemaMode schemaMode) {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryConfig.class);

  public static final String REGISTRY_TYPE = "registry_type";
  public static final String PATH = "path";

  public static final String ENABLE_ONLINE_FEATURE_VIEW_VERSIONING =
      "enable_online_feature_view_versioning";
  public static final String PURGE_FEAST_METADATA = "purge_feast_metadata";
  public static final String SCHEMA_MODE = "schema_mode";

  /** Feast's {@code schema_mode}: whether Feast's registry tables are created when missing. */
  public enum SchemaMode {
    /** Create missing tables (Feast's default). */
    AUTO,
    /** Create nothing of Feast's; fail when one of Feast's tables is missing. */
    VERIFY,
    /** Create and check nothing of Feast's. */
    SKIP
  }

  /** Not a key of Feast 0.66's SQL registry; accepted as older Sluice versions did. */
  private static final String PROJECT_ID = "project_id";

  private static final Set<String> POSTGRESQL_PARAMETERS =
      Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name");
  private static final Set<String> MYSQL_IGNORED_PARAMETERS = Set.of("charset");
  private static final String INVALID_URL = "Invalid registry path ";
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("(://[^:/@]*:)[^@]*@");

  /** A registry with Feast's defaults for the options. */
  public RegistryConfig(RegistryDialect dialect, String jdbcUrl, String user, String password) {
    this(dialect, jdbcUrl, user, password, false, false, SchemaMode.AUTO);
  }

  public RegistryConfig {
    requireNonNull(dialect, "dialect is null");
    requireNonNull(schemaMode, "schemaMode is null");
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    if (!jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException("jdbcUrl must start with jdbc: " + jdbcUrl);
    }
  }

  /** A SQLite registry file. */
  public static RegistryConfig sqlite(Path file) {
    return new RegistryConfig(
        RegistryDialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath().normalize(), null, null);
  }

  /**
   * Parses the {@code registry} section of {@code feature_store.yaml}. Relative SQLite paths
   * resolve against {@code baseDirectory}: Feast's rule is the working directory (SQLAlchemy's),
   * which is what {@code RepoConfig} passes.
   *
   * @throws InvalidConfigException for a file registry, another registry type, an unknown key or a
   *     missing path
   */
  public static RegistryConfig fromSection(ConfigSection section, Path baseDirectory) {
    requireNonNull(section, "section is null");
    requireNonNull(baseDirectory, "baseDirectory is null");
    Optional<String> fileRegistry = section.shorthand();
    if (fileRegistry.isPresent()) {
      throw section.invalid(
          "'"
              + redact(fileRegistry.get())
              + "' is Feast's file registry, and Sluice needs the SQL registry;"
              + " set `registry: {registry_type: sql, path: <SQLAlchemy URL>}`, for example"
              + " `path: sqlite:///data/registry.db`");
    }
    if (!section.isPresent()) {
      throw section.invalid("expected a mapping with registry_type and path");
    }
    String type = section.text(REGISTRY_TYPE, "");
    if (!"sql".equals(type)) {
      throw section.invalid(
          REGISTRY_TYPE,
          "'"
              + type
              + "' is not supported: Sluice supports only Feast's SQL registry; set"
              + " `registry_type: sql` and `path:` to an SQLAlchemy URL (sqlite:///…,"
              + " postgresql://…, mysql://…)");
    }
    FeastKeys.of(section.withSecrets(PATH), "sql")
        .own(PROJECT_ID)
        .honoured(
            REGISTRY_TYPE,
            PATH,
            ENABLE_ONLINE_FEATURE_VIEW_VERSIONING,
            PURGE_FEAST_METADATA,
            SCHEMA_MODE)
        .ignored(
            "Sluice reads and writes the registry through `path`, in one transaction", "read_path")
        .ignored(
            "only Feast's registry readers use it",
            "cache_ttl_seconds",
            "cache_mode",
            "thread_pool_executor_worker_count",
            "mcp")
        .ignored("Sluice connects through JDBC, not SQLAlchemy", "sqlalchemy_config_kwargs")
        .ignored(
            "only Feast's file registry uses it", "registry_store_type", "s3_additional_kwargs")
        .check();
    String schemaMode = section.text(SCHEMA_MODE, "auto");
    SchemaMode mode =
        switch (schemaMode) {
          case "auto" -> SchemaMode.AUTO;
          case "verify" -> SchemaMode.VERIFY;
          case "skip" -> SchemaMode.SKIP;
          default ->
              throw section.invalid(
                  SCHEMA_MODE, "'" + schemaMode + "' is not one of Feast's: auto, verify, skip");
        };
    boolean versioning = section.bool(ENABLE_ONLINE_FEATURE_VIEW_VERSIONING, false);
    boolean purge = section.bool(PURGE_FEAST_METADATA, false);
    String path = section.withSecrets(PATH).text(PATH, "");
    if (path.isBlank()) {
      throw section.invalid(
          PATH,
          "must be an SQLAlchemy URL such as sqlite:///data/registry.db or"
              + " postgresql://user:password@host:5432/db");
    }
    try {
      RegistryConfig url = fromUrl(path.trim(), baseDirectory);
      return new RegistryConfig(
          url.dialect(), url.jdbcUrl(), url.user(), url.password(), versioning, purge, mode);
    } catch (RegistryConfigurationException e) {
      // The same problem, named by the file and the key it was written under.
      InvalidConfigException invalid =
          section.invalid(PATH, e.getMessage().substring(INVALID_URL.length()));
      invalid.initCause(e);
      throw invalid;
    }
  }

  /** Translates an SQLAlchemy URL; see the class documentation for the accepted forms. */
  public static RegistryConfig fromUrl(String url, Path baseDirectory) {
    requireNonNull(url, "url is null");
    int schemeEnd = url.indexOf("://");
    if (schemeEnd <= 0) {
      throw invalidUrl(url, "expected <dialect>://…");
    }
    String scheme = url.substring(0, schemeEnd);
    String dialect = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
    String driver = scheme.contains("+") ? scheme.substring(scheme.indexOf('+') + 1) : "";
    switch (dialect) {
      case "sqlite":
        return sqliteUrl(url, scheme, baseDirectory);
      case "postgresql":
      case "postgres":
        requireDriver(url, driver, Set.of("", "psycopg", "psycopg2", "pg8000"));
        return serverUrl(url, RegistryDialect.POSTGRESQL, 5432);
      case "mysql":
      case "mariadb":
        requireDriver(
            url, driver, Set.of("", "pymysql", "mysqldb", "mysqlconnector", "mariadbconnector"));
        return serverUrl(url, RegistryDialect.MYSQL, 3306);
      default:
        throw invalidUrl(
            url,
            "unsupported database '"
                + scheme
                + "'; Sluice supports sqlite://, postgresql:// and mysql:// registries");
    }
  }

  private static RegistryConfig sqliteUrl(String url, String scheme, Path baseDirectory) {
    if (!scheme.equals("sqlite")) {
      throw invalidUrl(url, "use plain sqlite:/// (no driver) for a SQLite registry");
    }
    String rest = url.substring("sqlite://".length());
    int query = rest.indexOf('?');
    if (query >= 0) {
      LOG.warn("Ignoring query parameters of the SQLite registry URL: {}", rest.substring(query));
      rest = rest.substring(0, query);
    }
    if (!rest.startsWith("/") || rest.length() == 1 || rest.equals("/:memory:")) {
      throw invalidUrl(
          url,
          "a SQLite registry needs a file: sqlite:///relative/registry.db or"
              + " sqlite:////absolute/registry.db");
    }
    String filePath = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
    Path file = filePath.startsWith("/") ? Path.of(filePath) : baseDirectory.resolve(filePath);
    if (!filePath.startsWith("/")) {
      LOG.info(
          "The registry URL {} is relative: it resolves against {}, as in Feast (SQLAlchemy"
              + " resolves it against the working directory); use sqlite:////absolute/path so"
              + " every process finds the same registry",
          redact(url),
          file.toAbsolutePath().normalize());
    }
    return sqlite(file);
  }

  private static RegistryConfig serverUrl(String url, RegistryDialect dialect, int defaultPort) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalidUrl(
          url,
          "not a valid URL ("
              + e.getReason()
              + "); percent-encode special characters in the user and password, e.g. @ as %40");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalidUrl(
          url, "no host; expected " + uri.getScheme() + "://user:password@host:port/database");
    }
    String database = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
    if (database.isEmpty() || database.contains("/")) {
      throw invalidUrl(url, "expected exactly one database name after the host, as in host/db");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    Map<String, String> parameters = parameters(url, uri.getRawQuery());
    int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    String host = uri.getHost();
    StringBuilder jdbc = new StringBuilder();
    if (dialect == RegistryDialect.POSTGRESQL) {
      jdbc.append("jdbc:postgresql://").append(host).append(':').append(port).append('/');
      jdbc.append(database);
      String separator = "?";
      for (Map.Entry<String, String> parameter : parameters.entrySet()) {
        if (!POSTGRESQL_PARAMETERS.contains(parameter.getKey())) {
          throw invalidUrl(
              url,
              "unsupported parameter '"
                  + parameter.getKey()
                  + "'; supported: "
                  + new TreeSet<>(POSTGRESQL_PARAMETERS));
        }
        String name =
            parameter.getKey().equals("application_name") ? "ApplicationName" : parameter.getKey();
        jdbc.append(separator).append(name).append('=').append(parameter.getValue());
        separator = "&";
      }
    } else {
      jdbc.append("jdbc:mariadb://").append(host).append(':').append(port).append('/');
      jdbc.append(database);
      for (String name : parameters.keySet()) {
        if (!MYSQL_IGNORED_PARAMETERS.contains(name)) {
          throw invalidUrl(
              url, "unsupported parameter '" + name + "'; supported: " + MYSQL_IGNORED_PARAMETERS);
        }
      }
    }
    return new RegistryConfig(dialect, jdbc.toString(), user, password);
  }

  private static Map<String, String> parameters(String url, String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw invalidUrl(url, "malformed query parameter '" + pair + "', expected name=value");
      }
      parameters.put(pair.substring(0, equals), pair.substring(equals + 1));
    }
    return parameters;
  }

  private static void requireDriver(String url, String driver, Set<String> accepted) {
    if (!accepted.contains(driver)) {
      throw invalidUrl(
          url,
          "unknown driver '+"
              + driver
              + "'; Sluice uses JDBC and accepts the SQLAlchemy drivers "
              + new TreeSet<>(accepted));
    }
  }

  private static String decode(String value) {
    return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static RegistryConfigurationException invalidUrl(String url, String problem) {
    return new RegistryConfigurationException(INVALID_URL + "'" + redact(url) + "': " + problem);
  }

  /** The URL with any password replaced by {@code ***}, for messages. */
  static String redact(String url) {
    return PASSWORD_IN_URL.matcher(url).replaceFirst("$1***@");
  }

  /** Where the registry is, for messages and logs: the JDBC URL and user, never the password. */
  public String describe() {
    return user == null ? jdbcUrl : jdbcUrl + " as " + user;
  }

  @Override
  public String toString() {
    return "RegistryConfig{dialect="
        + dialect
        + ", jdbcUrl="
        + jdbcUrl
        + ", user="
        + user
        + ", password="
        + (password == null ? "null" : "***")
        + ", onlineVersioning="
        + onlineVersioning
        + ", purgeFeastMetadata="
        + purgeFeastMetadata
        + ", schemaMode="
        + schemaMode
        + "}";
  }
}
