package io.sluice.online.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.stores.OnlineStores;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamoDbStoreTest {
  private static final Path BASE = Path.of("/repo");

  private static Object parse(String onlineStore, String sluice) throws Exception {
    ObjectMapper json = new ObjectMapper();
    return OnlineStores.parse(
        ConfigSection.of(null, "online_store", json.readTree(onlineStore)),
        ConfigSection.of(null, "sluice", sluice == null ? null : json.readTree(sluice)),
        BASE);
  }

  @Test
  void defaults() throws Exception {
    assertThat(parse("{\"type\": \"dynamodb\", \"region\": \"us-east-1\"}", null))
        .isEqualTo(
            new DynamoDbOnlineStoreConfig(
                "us-east-1",
                null,
                new TableNameTemplate("{project}.{table_name}"),
                Map.of(),
                16,
                0));
  }

  @Test
  void everyKeyMapsToItsField() throws Exception {
    DynamoDbOnlineStoreConfig config =
        (DynamoDbOnlineStoreConfig)
            parse(
                "{\"type\": \"dynamodb\", \"region\": \"eu-west-1\", \"endpoint_url\":"
                    + " \"http://127.0.0.1:8000\", \"table_name_template\":"
                    + " \"{{x}}-{project}_{table_name}\", \"tags\": {\"team\": \"ml\", \"env\":"
                    + " \"prod\"}, \"batch_size\": 50, \"consistent_reads\": true, \"retry_mode\":"
                    + " \"standard\"}",
                "{\"dynamodb\": {\"requests_in_flight\": 64, \"target_write_capacity\": 2000}}");
    assertThat(config)
        .isEqualTo(
            new DynamoDbOnlineStoreConfig(
                "eu-west-1",
                "http://127.0.0.1:8000",
                new TableNameTemplate("{{x}}-{project}_{table_name}"),
                Map.of("team", "ml", "env", "prod"),
                64,
                2000));
    assertThat(config.tags().keySet()).containsExactly("team", "env");
    assertThat(config.tableNameTemplate().tableName("p", "drivers_v2"))
        .isEqualTo("{x}-p_drivers_v2");
    assertThat(OnlineStores.location(config))
        .isEqualTo("dynamodb at http://127.0.0.1:8000 (eu-west-1)");
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"dynamodb\", \"region\": \"us-east-1\", \"table_name_template\": \"{view}\"}",
                    null))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid online_store.table_name_template: Invalid table_name_template '{view}':"
                + " unknown field {view}; use {project} and {table_name}");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"dynamodb\", \"region\": \"us-east-1\"}",
                    "{\"dynamodb\": {\"requests\": 2}}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid sluice.dynamodb: unknown key 'requests'");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"dynamodb\", \"region\": \"us-east-1\"}",
                    "{\"dynamodb\": {\"target_write_capacity\": 0}}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid sluice.dynamodb.target_write_capacity: must be ")
        .hasMessageContaining("got 0");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"dynamodb\", \"region\": \"us-east-1\"}",
                    "{\"dynamodb\": {\"target_write_capacity\": \"fast\"}}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid sluice.dynamodb.target_write_capacity: must be a whole number");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"sqlite\", \"path\": \"online.db\"}",
                    "{\"sqlite\": {\"requests_in_flight\": 2}}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid sluice.sqlite: the sqlite online store has no Sluice settings of its own");
  }

  @Test
  void aRegionTheSdkDoesNotKnowIsRefusedUnlessAnEndpointIsGiven() throws Exception {
    assertThatThrownBy(() -> parse("{\"type\": \"dynamodb\", \"region\": \"us-east1\"}", null))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid online_store.region: 'us-east1' is not an AWS region the AWS SDK knows (did"
                + " you mean 'us-east-1'?); for a DynamoDB-compatible server or a region newer"
                + " than the SDK, set endpoint_url");
    assertThat(
            parse(
                "{\"type\": \"dynamodb\", \"region\": \"local\", \"endpoint_url\":"
                    + " \"http://127.0.0.1:8000\"}",
                null))
        .extracting(config -> ((DynamoDbOnlineStoreConfig) config).region())
        .isEqualTo("local");
  }
}
