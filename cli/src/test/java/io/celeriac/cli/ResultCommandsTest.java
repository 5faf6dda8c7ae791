package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result, group, cleanup and migrate commands, run in-process against named memory:// stores that the
 * test keeps open (a named store lives while one backend has it open).
 */
class ResultCommandsTest {

    private final Celeriac celeriac = Celeriac.discover();
    private String url;
    private Backend held;

    @BeforeEach
    void open() {
        url = "memory://cli-" + UUID.randomUUID();
        held = celeriac.openBackend(url, BackendOptions.builder().resultExtended(true).build());
    }

    @AfterEach
    void close() {
        held.close();
    }

    @Test
    void getPrintsAMetaAndItsCeleryJson() {
        TaskMeta written = held.storeResult("t1", Map.of("sum", 3L), TaskState.SUCCESS);
        MainTest.Run r = run("result", "get", "t1", "--backend", url);
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("status\\s+SUCCESS").containsPattern("result\\s+\\{\"sum\": 3\\}");
        MainTest.Run json = run("result", "get", "t1", "-b", url, "--json");
        assertThat(json.out().strip()).isEqualTo(CeleryJson.encodeMetaToString(written));
        MainTest.Run unknown = run("result", "get", "nope", "-b", url, "--json");
        assertThat(unknown.out().strip()).isEqualTo("{\"status\": \"PENDING\", \"result\": null, \"traceback\": null, \"children\": null, \"date_done\": null, \"task_id\": \"nope\"}");
    }

    @Test
    void aServerThatIsNotThereIsAnErrorNotATimeout() throws java.io.IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MainTest.Run wait = run("result", "wait", "abc", "--timeout", "300", "-b", "redis://127.0.0.1:" + port + "/0");
        assertThat(wait.code()).as(wait.err()).isEqualTo(1);
        assertThat(wait.err()).contains("celeriac: Cannot reach redis://127.0.0.1:" + port + "/0: the connection to 127.0.0.1:"
                + port + " was refused").doesNotContain("timed out");
        MainTest.Run get = run("result", "get", "abc", "-b", "redis://no-such-host.invalid/0");
        assertThat(get.code()).isEqualTo(1);
        assertThat(get.err().strip()).isEqualTo("celeriac: Cannot reach redis://no-such-host.invalid/0: "
                + "the host of no-such-host.invalid:6379 is unknown");
    }

    @Test
    void waitFollowsAStoreFromAnotherThreadAndExitsByOutcome() {
        CompletableFuture<MainTest.Run> waiting = CompletableFuture.supplyAsync(() -> run("result", "wait", "w1", "-b", url, "--timeout", "20"));
        CompletableFuture.runAsync(() -> held.storeResult("w1", "done", TaskState.SUCCESS));
        MainTest.Run ok = waiting.join();
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).containsPattern("result\\s+\"done\"");

        held.markAsFailure("w2", ExceptionInfo.builtin("ValueError", "bad input"), "Traceback (most recent call last):\nValueError: bad input\n", null);
        MainTest.Run failed = run("result", "wait", "w2", "-b", url);
        assertThat(failed.code()).isEqualTo(ExitCodes.TASK_FAILED);
        assertThat(failed.out()).contains("ValueError('bad input')").contains("Traceback (most recent call last):");

        MainTest.Run timeout = run("result", "wait", "w3", "-b", url, "--timeout", "0.2");
        assertThat(timeout.code()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(timeout.err()).contains("timed out").contains("w3");
    }

    @Test
    void storeWritesAsAWorkerWouldAndNeverOverwritesSuccess() {
        assertThat(run("result", "store", "s1", "-b", url, "--state", "failure", "--exception", "proj.errors.QuotaError:over quota",
                "--traceback", "tb").code()).isZero();
        TaskMeta failed = held.getTaskMeta("s1");
        assertThat(failed.status()).isEqualTo(TaskState.FAILURE);
        assertThat(failed.result()).isEqualTo(new ExceptionInfo("QuotaError", List.of("over quota"), "proj.errors"));
        assertThat(failed.traceback()).isEqualTo("tb");

        assertThat(run("result", "store", "s2", "-b", url, "--state", "REVOKED").code()).isZero();
        assertThat(held.getTaskMeta("s2").result()).isEqualTo(ExceptionInfo.taskRevoked("revoked"));

        assertThat(run("result", "store", "s3", "-b", url, "--state", "SUCCESS", "--result", "{\"a\": [1, 2.5]}").code()).isZero();
        assertThat(held.getResult("s3")).isEqualTo(Map.of("a", List.of(1L, 2.5)));

        MainTest.Run refused = run("result", "store", "s3", "-b", url, "--state", "FAILURE", "--exception", "ValueError:late");
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.err()).contains("already SUCCESS");
        assertThat(held.getStatus("s3")).isEqualTo(TaskState.SUCCESS);

        assertThat(run("result", "store", "s4", "-b", url, "--state", "FAILURE").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("result", "store", "s4", "-b", url, "--state", "SUCCESS", "--result", "{nope").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void forgetDeletesAResult() {
        held.storeResult("f1", 1L, TaskState.SUCCESS);
        assertThat(run("result", "forget", "f1", "-b", url).code()).isZero();
        assertThat(held.getStatus("f1")).isEqualTo(TaskState.PENDING);
    }

    @Test
    void groupGetShowsMembersAndTheirStates() {
        held.storeResult("m1", 1L, TaskState.SUCCESS);
        held.markAsFailure("m2", ExceptionInfo.builtin("KeyError", "k"), null, null);
        held.saveGroup(GroupResult.ofTaskIds("g1", List.of("m1", "m2", "m3")));
        MainTest.Run r = run("group", "get", "g1", "-b", url);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("group g1, 3 members").containsPattern("m1\\s+task\\s+SUCCESS\\s+1")
                .containsPattern("m2\\s+task\\s+FAILURE\\s+KeyError\\('k'\\)").containsPattern("m3\\s+task\\s+PENDING");
        assertThat(run("group", "get", "g1", "-b", url, "--json").out().strip())
                .isEqualTo("{\"result\": [[\"g1\", null], [[[\"m1\", null], null], [[\"m2\", null], null], [[\"m3\", null], null]]]}");
        MainTest.Run missing = run("group", "get", "nope", "-b", url);
        assertThat(missing.code()).isEqualTo(ExitCodes.ERROR);

        // a member that is itself a group shows as a group with its members' progress, not as a PENDING task
        held.storeResult("i1", 1L, TaskState.SUCCESS);
        held.saveGroup(new GroupResult("outer", List.of(ResultTuple.of("m1"),
                GroupResult.ofTaskIds("inner", List.of("i1", "i2")).asTuple()), null));
        MainTest.Run nested = run("group", "get", "outer", "-b", url);
        assertThat(nested.out()).containsPattern("inner\\s+group\\s+1/2 ready\\s+2 members")
                .containsPattern("m1\\s+task\\s+SUCCESS").doesNotContain("PENDING");
        assertThat(missing.err()).contains("no group is saved under nope");
    }

    @Test
    void cleanupReportsHowManyExpiredResultsWentAway() {
        try (Backend shortLived = celeriac.openBackend(url, BackendOptions.builder().resultExpires(Duration.ofMillis(1)).build())) {
            shortLived.storeResult("x1", 1L, TaskState.SUCCESS);
            shortLived.storeResult("x2", 2L, TaskState.SUCCESS);
        }
        held.storeResult("kept", 3L, TaskState.SUCCESS);
        long expiredAt = System.currentTimeMillis() + 5;
        // wait without reading x1/x2: a read would drop the expired entries before cleanup counts them
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > expiredAt);
        MainTest.Run r = run("cleanup", "-b", url);
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("deleted 2 expired results");
        assertThat(held.getResult("kept")).isEqualTo(3L);
        assertThat(held.getStatus("x1")).isEqualTo(TaskState.PENDING);
    }

    @Test
    void migrateCopiesResultsAndGroupsResumablyAndVerifies() {
        String target = "memory://cli-target-" + UUID.randomUUID();
        try (Backend dst = celeriac.openBackend(target)) {
            for (int i = 0; i < 1234; i++) {
                held.storeResult("mig-" + i, (long) i, i % 10 == 0 ? TaskState.STARTED : TaskState.SUCCESS);
            }
            held.saveGroup(GroupResult.ofTaskIds("mg", List.of("mig-1", "mig-2")));
            dst.storeResult("mig-5", "target wins", TaskState.SUCCESS);
            MainTest.Run first = run("migrate", "--from", url, "--to", target, "--batch", "100", "--json");
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).contains("\"results\": 1234, \"copied\": 1233, \"already_there\": 0, \"kept_target_success\": 1, \"vanished\": 0, \"groups\": 1, \"groups_copied\": 1, \"missing\": 0");
            assertThat(dst.getResult("mig-7")).isEqualTo(7L);
            assertThat(dst.getStatus("mig-10")).isEqualTo(TaskState.STARTED);
            assertThat(dst.getResult("mig-5")).isEqualTo("target wins");
            assertThat(dst.restoreGroup("mg")).contains(GroupResult.ofTaskIds("mg", List.of("mig-1", "mig-2")));
            MainTest.Run again = run("migrate", "--from", url, "--to", target);
            assertThat(again.code()).isZero();
            assertThat(again.out()).containsPattern("results\\s+1234\\s+0\\s+1233\\s+1").containsPattern("groups\\s+1\\s+0\\s+1")
                    .contains("verified: all 1234 results are in the target");
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : List.of(new String[]{"result", "get", "--help"}, new String[]{"result", "wait", "--help"},
                new String[]{"result", "store", "--help"}, new String[]{"result", "forget", "--help"},
                new String[]{"group", "get", "--help"}, new String[]{"cleanup", "--help"}, new String[]{"migrate", "--help"},
                new String[]{"demo", "--help"}, new String[]{"backends", "--help"})) {
            MainTest.Run r = run(cmd);
            assertThat(r.code()).isZero();
            assertThat(r.out()).startsWith("Usage: celeriac " + cmd[0]);
        }
    }
}
