package io.celeriac.testing;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The resolved servers work: keys are isolated and cleaned, schemas and databases come and go. */
class TestServicesTest {

    @Test
    void redisKeyPrefixesIsolateAndCleanUp() throws Exception {
        RedisTestServer redis = TestServices.redis();
        String prefix = redis.newKeyPrefix();
        try (Resp r = redis.connect(0)) {
            r.call("SET", prefix + "a", "1");
            r.call("SET", prefix + "b*", "2");
            r.call("SET", prefix + "c", "3");
        }
        assertThat(redis.deleteKeys(0, prefix)).isEqualTo(3);
        try (Resp r = redis.connect(0)) {
            assertThat(r.call("EXISTS", prefix + "a")).isEqualTo(0L);
        }
    }

    @Test
    void redisDatabasesAreLeasedOnceAndEmptied() throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease a = redis.leaseDatabase(); RedisTestServer.DatabaseLease b = redis.leaseDatabase()) {
            assertThat(a.db()).isNotEqualTo(b.db()).isBetween(1, 15);
            try (Resp r = redis.connect(a.db())) {
                r.call("SET", "k", "v");
                assertThat(r.call("DBSIZE")).isEqualTo(1L);
            }
            assertThat(a.url()).endsWith("/" + a.db());
        }
    }

    @Test
    void postgresSchemasAndDatabasesComeAndGo() throws Exception {
        PostgresTestServer pg = TestServices.postgres();
        String schema = pg.createSchema();
        try (Connection c = pg.connect(pg.database());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + schema + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        pg.dropSchema(schema);
        String db = pg.createDatabase();
        try (Connection c = pg.connect(db)) {
            assertThat(c.isValid(2)).isTrue();
        }
        pg.dropDatabase(db);
        assertThat(pg.celeryUrl("x")).startsWith("db+postgresql://").endsWith("/x");
        assertThat(List.of(ServiceResolver.Source.ENVIRONMENT, ServiceResolver.Source.LOOPBACK, ServiceResolver.Source.CONTAINER))
                .contains(pg.source());
    }
}
