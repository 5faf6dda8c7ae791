package io.celeriac.backend;

import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Typed access to a result, on metas decoded from the JSON Celery writes: numbers that fit or an error naming
 * the value, records from dicts and tuples, generic collections, and {@code get()} as Celery's
 * {@code AsyncResult.get()}.
 */
class TaskMetaTypedAccessTest {

    /** A PROGRESS meta as a worker's {@code update_state} writes it. */
    record Progress(long current, long total) {
    }

    /** A tuple {@code (name, count)} as a Python task returns it. */
    record Pair(String name, int count) {
    }

    enum Color { RED, GREEN }

    private static TaskMeta decode(String json) {
        return CeleryJson.decodeMeta(json.getBytes(StandardCharsets.UTF_8));
    }

    private static TaskMeta success(String resultJson) {
        return decode("{\"status\": \"SUCCESS\", \"result\": " + resultJson + ", \"traceback\": null, \"children\": [],"
                + " \"date_done\": \"2026-12-07T10:00:00.000000\", \"task_id\": \"t1\"}");
    }

    @Test
    void numbersConvertWhenTheyFitAndFailLoudlyWhenTheyDoNot() {
        assertThat(success("42").result(int.class)).isEqualTo(42);
        assertThat(success("42").result(Integer.class)).isEqualTo(42);
        assertThat(success("42").result(long.class)).isEqualTo(42L);
        assertThat(success("42").result(double.class)).isEqualTo(42.0);
        assertThat(success("4.0").result(int.class)).isEqualTo(4);
        assertThat(success("1099511627776").result(long.class)).isEqualTo(1L << 40);
        assertThat(success("340282366920938463463374607431768211456").result(BigInteger.class))
                .isEqualTo(BigInteger.ONE.shiftLeft(128));
        assertThat(success("1.25").result(BigDecimal.class)).isEqualByComparingTo("1.25");

        assertThatThrownBy(() -> success("1099511627776").result(int.class))
                .isInstanceOf(ResultConversionException.class)
                .hasMessage("The result of task t1 cannot be read as asked: the Long 1099511627776 does not fit int "
                        + "(-2147483648 to 2147483647)");
        assertThatThrownBy(() -> success("18446744073709551616").result(Long.class))
                .isInstanceOf(ResultConversionException.class).hasMessageContaining("does not fit java.lang.Long");
        assertThatThrownBy(() -> success("1.5").result(long.class))
                .isInstanceOf(ResultConversionException.class).hasMessageContaining("the Double 1.5 is not a whole number");
        assertThatThrownBy(() -> success("\"12\"").result(int.class))
                .isInstanceOf(ResultConversionException.class).hasMessageContaining("the String \"12\" cannot be read as int");
        assertThatThrownBy(() -> success("null").result(int.class)).isInstanceOf(ResultConversionException.class);
        assertThat(success("null").result(Integer.class)).isNull();
    }

    @Test
    void aProgressMetaReadsAsARecordOrAMap() {
        TaskMeta progress = decode("{\"status\": \"PROGRESS\", \"result\": {\"current\": 4, \"total\": 10}, \"traceback\": null,"
                + " \"children\": [], \"date_done\": null, \"task_id\": \"t2\"}");
        assertThat(progress.result(Progress.class)).isEqualTo(new Progress(4, 10));
        assertThat(progress.resultMap()).containsEntry("current", 4L);
        assertThat(progress.resultAs(new ResultType<Map<String, Integer>>() { })).isEqualTo(Map.of("current", 4, "total", 10));
        assertThatThrownBy(progress::resultList).isInstanceOf(ResultConversionException.class)
                .hasMessageContaining("cannot be read as java.util.List<java.lang.Object>");
        assertThatThrownBy(() -> success("{\"current\": 4}").result(Progress.class))
                .isInstanceOf(ResultConversionException.class).hasMessageContaining("the map has no \"total\"");
    }

    @Test
    void genericCollectionsTuplesEnumsAndStrings() {
        TaskMeta m = success("[[\"a\", 1], [\"b\", 2]]");
        assertThat(m.resultAs(new ResultType<List<Pair>>() { })).containsExactly(new Pair("a", 1), new Pair("b", 2));
        assertThat(m.resultList()).hasSize(2);
        assertThat(success("[1, 2, 2]").resultAs(new ResultType<Set<Integer>>() { })).containsExactly(1, 2);
        assertThat(success("[1, 2, 3]").result(long[].class)).containsExactly(1L, 2L, 3L);
        assertThat(success("{\"1\": \"RED\"}").resultAs(new ResultType<Map<Long, Color>>() { })).containsEntry(1L, Color.RED);
        String uuid = UUID.randomUUID().toString();
        assertThat(success("\"" + uuid + "\"").result(UUID.class)).isEqualTo(UUID.fromString(uuid));
        assertThatThrownBy(() -> success("[1, \"x\", 3]").resultAs(new ResultType<List<Long>>() { }))
                .isInstanceOf(ResultConversionException.class)
                .hasMessage("The result of task t1 at [1] cannot be read as asked: the String \"x\" cannot be read as java.lang.Long")
                .satisfies(e -> assertThat(((ResultConversionException) e).path()).isEqualTo("[1]"));
        assertThatThrownBy(() -> success("\"BLUE\"").result(Color.class)).hasMessageContaining("names no constant");
    }

    @Test
    void getReturnsTheValueOfASuccessAndRaisesTheTasksException() {
        assertThat(success("{\"sum\": 42}").get()).isEqualTo(Map.of("sum", 42L));
        assertThat(success("42").get(int.class)).isEqualTo(42);

        TaskMeta failed = decode("{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"ValueError\", \"exc_message\": [\"bad input 7\"],"
                + " \"exc_module\": \"builtins\"}, \"traceback\": \"Traceback (most recent call last):\\n  ...\\nValueError: bad input 7\\n\","
                + " \"children\": [], \"date_done\": \"2026-12-07T10:00:00.000000\", \"task_id\": \"t3\"}");
        assertThatThrownBy(failed::get)
                .isInstanceOf(TaskFailureException.class)
                .hasMessage("task t3 failed: ValueError('bad input 7')")
                .satisfies(e -> {
                    TaskFailureException f = (TaskFailureException) e;
                    assertThat(f.taskId()).isEqualTo("t3");
                    assertThat(f.excType()).isEqualTo("ValueError");
                    assertThat(f.excModule()).isEqualTo("builtins");
                    assertThat(f.excMessage()).isEqualTo("bad input 7");
                    assertThat(f.excArgs()).containsExactly("bad input 7");
                    assertThat(f.traceback()).endsWith("ValueError: bad input 7\n");
                    assertThat(f.isRevoked()).isFalse();
                });
        TaskMeta revoked = TaskMeta.builder("t4", TaskState.REVOKED).result(ExceptionInfo.taskRevoked("terminated")).build();
        assertThatThrownBy(() -> revoked.get(String.class)).isInstanceOf(TaskFailureException.class)
                .hasMessage("task t4 was revoked: TaskRevokedError('terminated')")
                .satisfies(e -> assertThat(((TaskFailureException) e).isRevoked()).isTrue());

        TaskMeta started = TaskMeta.builder("t5", TaskState.of("PROGRESS")).result(Map.of("current", 4L)).build();
        assertThatThrownBy(started::get).isInstanceOf(ResultNotReadyException.class)
                .hasMessage("task t5 is not ready: PROGRESS {\"current\": 4}");
        assertThat(failed.result(ExceptionInfo.class).excType()).as("result(...) reads any state").isEqualTo("ValueError");
    }
}
