package io.sluice.registry;

/** The SQL database behind a registry; decides DDL types, row locking and how errors read. */
public enum RegistryDialect {
  SQLITE,
  POSTGRESQL,
  /** MySQL and MariaDB, both through the MariaDB JDBC driver. */
  MYSQL;
}
