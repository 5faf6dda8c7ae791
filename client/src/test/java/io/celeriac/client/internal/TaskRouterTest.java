package io.celeriac.client.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code task_routes}: exact names before globs, globs in order, the default queue otherwise. */
class TaskRouterTest {

    @Test
    void exactNamesWinOverGlobsAndGlobsMatchInOrder() {
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("proj.*", "proj");
        routes.put("proj.add", "adds");
        routes.put("proj.s?ow", "never");
        routes.put("*.slow", "slow");
        TaskRouter r = new TaskRouter(routes, "celery");
        assertThat(r.queueFor("proj.add")).isEqualTo("adds");
        assertThat(r.queueFor("proj.tsum")).isEqualTo("proj");
        assertThat(r.queueFor("other.slow")).isEqualTo("slow");
        assertThat(r.queueFor("other.fast")).isEqualTo("celery");
        assertThat(r.queueFor("projXadd")).isEqualTo("celery");
        assertThat(r.defaultQueue()).isEqualTo("celery");
    }
}
