package io.sluice.registry;

/** The SQL database behind a registry; decides DDL types, upserts and locking. */
public enum RegistryDialect {
  SQLITE,
  POSTGRESQL,
  /** MySQL and MariaDB, both through the MariaDB JDBC driver. */
  MYSQL;
}
