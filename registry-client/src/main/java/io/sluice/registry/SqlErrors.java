package io.sluice.registry;

import io.sluice.common.sqlite.SqliteFiles;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Sorts JDBC failures into the kinds that decide retries and exit codes. */
final class SqlErrors {
  enum Kind {
    /** Lock conflict, deadlock, serialization failure, SQLITE_BUSY: retry the transaction. */
    CONFLICT,
    /** The connection failed or was refused: retryable later, by the caller. */
    CONNECTION,
    /** Wrong user, password or database, or an SQLite file that cannot be opened. */
    ACCESS,
    OTHER;
  }

  private SqlErrors() {}

  static Kind classify(SQLException e, RegistryDialect dialect) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        Kind kind = classifyOne(sql, dialect);
        if (kind != Kind.OTHER) {
          return kind;
        }
      }
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.SocketTimeoutException) {
        return Kind.CONNECTION;
      }
    }
    return Kind.OTHER;
  }

  private static Kind classifyOne(SQLException e, RegistryDialect dialect) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = e.getErrorCode();
    switch (dialect) {
      case SQLITE -> {
        if (SqliteFiles.isBusy(e)) {
          return Kind.CONFLICT;
        }
        if (SqliteFiles.isCantOpen(e)) {
          return Kind.ACCESS;
        }
      }
      case POSTGRESQL -> {
        if (state.equals("40001") || state.equals("40P01") || state.equals("55P03")) {
          return Kind.CONFLICT;
        }
        if (state.startsWith("28") || state.equals("3D000")) {
          return Kind.ACCESS;
        }
        if (state.startsWith("08") || state.startsWith("57P")) {
          return Kind.CONNECTION;
        }
      }
      case MYSQL -> {
        if (code == 1213 || code == 1205 || state.equals("40001")) {
          return Kind.CONFLICT;
        }
        if (code == 1045 || code == 1044 || code == 1049 || state.startsWith("28")) {
          return Kind.ACCESS;
        }
        if (state.startsWith("08")) {
          return Kind.CONNECTION;
        }
      }
    }
    if (e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException) {
      return Kind.CONNECTION;
    }
    return Kind.OTHER;
  }
}
