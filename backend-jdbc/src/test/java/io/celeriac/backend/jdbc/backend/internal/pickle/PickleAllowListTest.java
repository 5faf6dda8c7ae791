package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.jdbc.backend.ForbiddenPickleException;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleAllowList.Global;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleAllowList.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The pickle allow-list on its own: every global it allows and what each stands for, Python 2's module names,
 * the names {@code _unpickle_appattr} may resolve, and the refusals, named printably and with the offset.
 */
class PickleAllowListTest {

    private static Global allowed(String module, String name) {
        return PickleAllowList.resolve(module, name, 0);
    }

    private static ForbiddenPickleException refused(String module, String name) {
        return catchThrowableOfType(ForbiddenPickleException.class, () -> PickleAllowList.resolve(module, name, 42));
    }

    @Test
    void celerysResultsBackendsAndValuesAreAllowed() {
        assertThat(allowed("celery.result", "GroupResult")).isEqualTo(new Global(Kind.GROUP_RESULT, "celery.result", "GroupResult"));
        assertThat(allowed("celery.result", "AsyncResult").kind()).isEqualTo(Kind.ASYNC_RESULT);
        assertThat(allowed("celery.app.base", "_unpickle_appattr").kind()).isEqualTo(Kind.UNPICKLE_APPATTR);
        assertThat(allowed("celery.backends.base", "unpickle_backend").kind()).isEqualTo(Kind.UNPICKLE_BACKEND);
        assertThat(allowed("celery.backends.database", "DatabaseBackend").qualified()).isEqualTo("celery.backends.database.DatabaseBackend");
        assertThat(allowed("celery.backends.redis", "RedisBackend").kind()).isEqualTo(Kind.BACKEND_CLASS);
        assertThat(allowed("datetime", "timedelta").kind()).isEqualTo(Kind.TIMEDELTA);
        assertThat(allowed("celery.utils.serialization", "UnpickleableExceptionWrapper").kind()).isEqualTo(Kind.UNPICKLEABLE_WRAPPER);
        assertThat(allowed("builtins", "set").kind()).isEqualTo(Kind.SET);
        assertThat(allowed("builtins", "frozenset").kind()).isEqualTo(Kind.FROZENSET);
        assertThat(allowed("builtins", "bytearray").kind()).isEqualTo(Kind.BYTEARRAY);
        assertThat(allowed("_codecs", "encode").kind()).isEqualTo(Kind.CODECS_ENCODE);
    }

    @Test
    void exceptionsOfPythonCeleryAndBilliardAreAllowed_python2NamesReadAsPython3() {
        for (String[] g : List.of(new String[]{"builtins", "ValueError"}, new String[]{"builtins", "KeyError"},
                new String[]{"builtins", "ExceptionGroup"}, new String[]{"celery.exceptions", "Retry"},
                new String[]{"celery.exceptions", "TaskRevokedError"}, new String[]{"billiard.exceptions", "WorkerLostError"},
                new String[]{"billiard.exceptions", "CoroStop"})) {
            assertThat(allowed(g[0], g[1])).as(g[0] + "." + g[1]).isEqualTo(new Global(Kind.EXCEPTION, g[0], g[1]));
        }
        assertThat(allowed("exceptions", "ValueError")).isEqualTo(new Global(Kind.EXCEPTION, "builtins", "ValueError"));
        assertThat(allowed("__builtin__", "set")).isEqualTo(new Global(Kind.SET, "builtins", "set"));
    }

    @Test
    void everythingElseIsRefusedByName() {
        for (String[] g : List.of(new String[]{"posix", "system"}, new String[]{"os", "system"}, new String[]{"builtins", "eval"},
                new String[]{"__builtin__", "getattr"}, new String[]{"subprocess", "Popen"}, new String[]{"builtins", "object"},
                new String[]{"celery.exceptions", "NotAnException"}, new String[]{"billiard.exceptions", "ValueError"},
                new String[]{"celery.result", "ResultSet"}, new String[]{"celery.backends", "RedisBackend"},
                new String[]{"celery.backends.base", "Backend.__init__"}, new String[]{"celery.backends.x", "Loader"},
                new String[]{"celery.app.base", "Celery"}, new String[]{"datetime", "datetime"}, new String[]{"codecs", "encode"})) {
            ForbiddenPickleException e = refused(g[0], g[1]);
            assertThat(e).as(g[0] + "." + g[1]).isNotNull();
            assertThat(e.global()).isEqualTo(g[0] + "." + g[1]);
            assertThat(e.offset()).isEqualTo(42);
            assertThat(e).hasMessageContaining("not on celeriac's allow-list").hasMessageContaining("nothing was executed");
        }
    }

    @Test
    void aRefusedNameIsShownPrintableAndShort() {
        ForbiddenPickleException e = refused("os\n\u0000", "x".repeat(150));
        assertThat(e.global()).isEqualTo("os??." + "x".repeat(100) + "...");
        assertThat(e.getMessage()).doesNotContain("\n\u0000");
    }

    @Test
    void anAppAttributeIsOnlyGroupResultOrAsyncResult() {
        assertThat(PickleAllowList.appAttribute("GroupResult", 0)).isEqualTo(allowed("celery.result", "GroupResult"));
        assertThat(PickleAllowList.appAttribute("AsyncResult", 0)).isEqualTo(allowed("celery.result", "AsyncResult"));
        for (String attr : List.of("control.broadcast", "send_task", "AsyncResult.__init__", "groupresult", "")) {
            assertThatThrownBy(() -> PickleAllowList.appAttribute(attr, 7)).as(attr)
                    .isInstanceOf(ForbiddenPickleException.class)
                    .hasMessageContaining("only app.GroupResult and app.AsyncResult")
                    .satisfies(t -> assertThat(((ForbiddenPickleException) t).global())
                            .isEqualTo("celery.app.base._unpickle_appattr('" + attr + "')"));
        }
    }
}
