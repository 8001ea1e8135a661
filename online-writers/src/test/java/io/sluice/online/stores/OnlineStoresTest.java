package io.sluice.online.stores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.dynamodb.DynamoDbStore;
import io.sluice.online.redis.RedisOnlineStoreConfig;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import io.sluice.online.redis.RedisStore;
import io.sluice.online.sqlite.SqliteOnlineStoreConfig;
import io.sluice.online.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnlineStoresTest {
  private static final Path BASE = Path.of("/repo/feature_repo");

  private static OnlineStoreConfig parse(String json) throws Exception {
    JsonNode node = new ObjectMapper().readTree(json);
    return OnlineStores.parse(ConfigSection.of(null, "online_store", node), BASE);
  }

  @Test
  void redisKeysPerScriptCallComesFromSluiceRedis() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ConfigSection redis =
        ConfigSection.of(null, "online_store", json.readTree("{\"type\": \"redis\"}"));
    assertThat(
            ((RedisOnlineStoreConfig)
                    OnlineStores.parse(redis, ConfigSection.of(null, "sluice", null), BASE))
                .keysPerScriptCall())
        .isEqualTo(RedisOnlineStoreConfig.DEFAULT_KEYS_PER_SCRIPT_CALL);
    ConfigSection one =
        ConfigSection.of(
            null, "sluice", json.readTree("{\"redis\": {\"keys_per_script_call\": 1}}"));
    assertThat(((RedisOnlineStoreConfig) OnlineStores.parse(redis, one, BASE)).keysPerScriptCall())
        .isEqualTo(1);
    ConfigSection zero =
        ConfigSection.of(
            null, "sluice", json.readTree("{\"redis\": {\"keys_per_script_call\": 0}}"));
    assertThatThrownBy(() -> OnlineStores.parse(redis, zero, BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid sluice.redis.keys_per_script_call: ");
    ConfigSection unknown =
        ConfigSection.of(null, "sluice", json.readTree("{\"redis\": {\"requests_in_flight\": 2}}"));
    assertThatThrownBy(() -> OnlineStores.parse(redis, unknown, BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("requests_in_flight");
  }

  @Test
  void aSectionWithoutTypeIsFeastsSqliteStore() throws Exception {
    assertThat(parse("{\"path\": \"x.db\"}"))
        .isEqualTo(new SqliteOnlineStoreConfig(BASE.resolve("x.db").toString()));
  }

  @Test
  void defaultsAreFeastsSqliteStoreBesideTheConfig() throws Exception {
    assertThat(OnlineStores.parse(ConfigSection.of(null, "online_store", null), BASE))
        .isEqualTo(new SqliteOnlineStoreConfig("/repo/feature_repo/data/online.db"));
    assertThat(
            OnlineStores.parse(
                ConfigSection.of(null, "online_store", NullNode.getInstance()), BASE))
        .isEqualTo(new SqliteOnlineStoreConfig("/repo/feature_repo/data/online.db"));
    assertThat(parse("{\"type\": \"sqlite\"}"))
        .isEqualTo(new SqliteOnlineStoreConfig("/repo/feature_repo/data/online.db", false));
    assertThat(parse("\"sqlite\""))
        .isEqualTo(new SqliteOnlineStoreConfig("/repo/feature_repo/data/online.db"));
    assertThat(parse("{\"type\": \"redis\"}"))
        .isEqualTo(
            new RedisOnlineStoreConfig(
                RedisType.REDIS, List.of(new Node("localhost", 6379)), null, null, false, 0, 0));
  }

  @Test
  void everyKeyMapsToItsField() throws Exception {
    assertThat(parse("{\"type\": \"sqlite\", \"path\": \"../online/store.db\"}"))
        .isEqualTo(new SqliteOnlineStoreConfig("/repo/online/store.db"));
    assertThat(parse("{\"type\": \"sqlite\", \"path\": \"/abs/store.db\"}"))
        .isEqualTo(new SqliteOnlineStoreConfig("/abs/store.db"));
    assertThat(
            parse(
                "{\"type\": \"sqlite\", \"path\": \"/abs/store.db\","
                    + " \"enable_openai_compatible_store\": true}"))
        .isEqualTo(new SqliteOnlineStoreConfig("/abs/store.db", true));
    assertThat(
            parse(
                "{\"type\": \"redis\", \"redis_type\": \"redis\", \"key_ttl_seconds\": 3600,"
                    + " \"full_scan_for_deletion\": true, \"connection_string\":"
                    + " \"redis.internal:6380,password=p@ss=w,ssl=true,db=3,username=feast\"}"))
        .isEqualTo(
            new RedisOnlineStoreConfig(
                RedisType.REDIS,
                List.of(new Node("redis.internal", 6380)),
                "feast",
                "p@ss=w",
                true,
                3,
                3600));
    assertThat(
            parse(
                "{\"type\": \"redis\", \"redis_type\": \"redis_cluster\", \"connection_string\":"
                    + " \"a:7000, b:7001,c:7002\"}"))
        .isEqualTo(
            new RedisOnlineStoreConfig(
                RedisType.REDIS_CLUSTER,
                List.of(new Node("a", 7000), new Node("b", 7001), new Node("c", 7002)),
                null,
                null,
                false,
                0,
                0));
  }

  @Test
  void passwordNeverAppearsInToString() throws Exception {
    OnlineStoreConfig config =
        parse("{\"type\": \"redis\", \"connection_string\": \"h:1,password=hunter2\"}");
    assertThat(config.toString()).doesNotContain("hunter2").contains("password=****");
    assertThat(OnlineStores.location(config)).isEqualTo("redis at h:1");
  }

  @Test
  void badInputIsNamedWithWhatToDo() {
    assertRejected(
        "{\"type\": \"cassandra\"}",
        "Invalid online_store.type: 'cassandra' is one of Feast's online stores, and not one"
            + " Sluice writes; use one of: sqlite, redis, dynamodb");
    assertRejected(
        "{\"type\": \"casandra\"}",
        "Invalid online_store.type: unknown type 'casandra'; use one of: sqlite, redis, dynamodb");
    assertRejected(
        "{\"type\": \"dynamodb\"}",
        "Invalid online_store.region: is required (Feast requires it too), e.g. us-east-1");
    assertRejected(
        "{\"type\": \"redis\", \"redis_type\": \"memcached\"}",
        "Invalid online_store.redis_type: unknown redis_type 'memcached'; use redis or"
            + " redis_cluster");
    assertRejected(
        "{\"type\": \"redis\", \"conection_string\": \"h:1\"}",
        "Invalid online_store: unknown key 'conection_string' (did you mean"
            + " 'connection_string'?): Feast 0.66.0 does not accept it in online_store of type"
            + " 'redis', so Sluice refuses it too; known keys: [connection_string,"
            + " full_scan_for_deletion, key_ttl_seconds, redis_type, sentinel_master, skip_dedup,"
            + " type]");
    assertRejected(
        "{\"type\": \"redis\", \"redis_type\": \"redis_cluster\", \"connection_string\":"
            + " \"h:1,db=2\"}",
        "Invalid online_store.connection_string: db=2 cannot be used with redis_cluster (a cluster"
            + " has only db 0)");
    assertRejected(
        "{\"type\": \"sqlite\", \"pth\": \"x\"}",
        "Invalid online_store: unknown key 'pth' (did you mean 'path'?): Feast 0.66.0 does not"
            + " accept it in online_store of type 'sqlite', so Sluice refuses it too; known keys:"
            + " [enable_openai_compatible_store, path, similarity, text_search_enabled, type,"
            + " vector_enabled]");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"localhost\"}",
        "Invalid online_store.connection_string: entry 1 of 1 is not host:port; the string must"
            + " look like host:port[,password=…][,ssl=true][,db=N]");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"localhost:63x9\"}",
        "Invalid online_store.connection_string: entry 1 of 1 has a port that is not a number");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"h:1,passwd=x\"}",
        "Invalid online_store.connection_string: has an unknown option 'passwd' (did you mean"
            + " 'password'?); known keys: [db, password, ssl, username]");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"h:1,h:2\"}",
        "Invalid online_store.connection_string: names 2 hosts but redis_type is 'redis'; set"
            + " redis_type: redis_cluster for a cluster");
    assertRejected(
        "{\"type\": \"redis\", \"redis_type\": \"redis_sentinel\"}",
        "Invalid online_store.redis_type: 'redis_sentinel' is not supported yet; use redis or"
            + " redis_cluster");
    assertRejected(
        "{\"type\": \"redis\", \"key_ttl_seconds\": -5}",
        "Invalid online_store.key_ttl_seconds: must be >= 0, got -5");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"h:1,ssl=maybe\"}",
        "Invalid online_store.connection_string: option ssl must be true or false");
    assertRejected(
        "{\"type\": \"redis\", \"connection_string\": \"h:70000\"}",
        "Invalid online_store.connection_string: entry 1 of 1 has port 70000 outside 1-65535");
  }

  @Test
  void aConnectionStringErrorNeverShowsWhatMayBeAPassword() {
    // A password written without password=, and one inside a URL.
    assertThatThrownBy(() -> parse("{\"type\": \"redis\", \"connection_string\": \"h:1,s3cret\"}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid online_store.connection_string: entry 2 of 2 is not host:port; the string"
                + " must look like host:port[,password=…][,ssl=true][,db=N]");
    assertThatThrownBy(() -> parse("{\"type\": \"redis\", \"connection_string\": \"h:1,pa:ss\"}"))
        .hasMessage(
            "Invalid online_store.connection_string: entry 2 of 2 has a port that is not a"
                + " number");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"type\": \"redis\", \"connection_string\":"
                        + " \"redis://:s3cret@h:6379\"}"))
        .hasMessageStartingWith(
            "Invalid online_store.connection_string: entry 1 of 1 looks like a URL; Feast's form"
                + " is host:port[,password=…][,ssl=true][,db=N]")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void everyRegisteredTypeAndAliasParsesToItsStoresConfiguration() throws Exception {
    List<String> names = new ArrayList<>();
    for (OnlineStore<?> store : OnlineStores.STORES) {
      for (String type : store.typeNames()) {
        // Feast requires a region for DynamoDB; the other stores need no key.
        String region = store instanceof DynamoDbStore ? ", \"region\": \"us-east-1\"" : "";
        OnlineStoreConfig config = parse("{\"type\": \"" + type + "\"" + region + "}");
        assertThat(config).as(type).isInstanceOf(store.configClass());
        assertThat(OnlineStores.forType(type)).as(type).containsSame(store);
        assertThat(OnlineStores.forConfig(config)).as(type).isSameAs(store);
        names.add(type);
      }
    }
    assertThat(names)
        .containsExactly(
            "sqlite",
            "feast.infra.online_stores.sqlite.SqliteOnlineStore",
            "redis",
            "feast.infra.online_stores.redis.RedisOnlineStore",
            "dynamodb",
            "feast.infra.online_stores.dynamodb.DynamoDBOnlineStore");
    assertThat(parse("\"feast.infra.online_stores.redis.RedisOnlineStore\""))
        .isInstanceOf(RedisOnlineStoreConfig.class);
  }

  @Test
  void aConfigurationLeadsToItsStore() {
    SqliteOnlineStoreConfig sqlite = new SqliteOnlineStoreConfig("/data/online.db");
    RedisOnlineStoreConfig redis =
        new RedisOnlineStoreConfig(
            RedisType.REDIS_CLUSTER,
            List.of(new Node("a", 7000), new Node("b", 7001)),
            "feast",
            "secret",
            true,
            0,
            0);

    assertThat(OnlineStores.forConfig(sqlite)).isInstanceOf(SqliteStore.class);
    assertThat(OnlineStores.forConfig(redis)).isInstanceOf(RedisStore.class);
    assertThat(OnlineStores.needsLocalMode(sqlite)).isTrue();
    assertThat(OnlineStores.needsLocalMode(redis)).isFalse();
    assertThat(OnlineStores.typeName(sqlite)).isEqualTo("sqlite");
    assertThat(OnlineStores.typeName(redis)).isEqualTo("redis");
    assertThat(OnlineStores.serverTypeNames()).containsExactly("redis", "dynamodb");
    assertThat(OnlineStores.location(sqlite)).isEqualTo("/data/online.db");
    assertThat(OnlineStores.location(redis)).isEqualTo("redis_cluster at a:7000,b:7001");
    assertThat(OnlineStores.forType("cassandra")).isEmpty();
    OnlineStoreConfig unregistered = new OnlineStoreConfig() {};
    assertThatThrownBy(() -> OnlineStores.location(unregistered))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid online store: no registered store for ");
  }

  private static void assertRejected(String json, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(message);
  }
}
