package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database backend connects when it opens: a closed port, an unknown host and a refused login fail the open
 * itself, with the real cause named, before a backend (and so a retry policy) exists.
 */
class JdbcFastFailureTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aClosedPortFailsTheOpenWithConnectionRefused() throws IOException {
        assertThatThrownBy(() -> CELERIAC.openBackend("db+postgresql://postgres@127.0.0.1:" + closedPort() + "/postgres"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("refused")
                .hasRootCauseInstanceOf(ConnectException.class);
    }

    @Test
    void anUnknownHostFailsTheOpenNamingTheHost() {
        assertThatThrownBy(() -> CELERIAC.openBackend("db+postgresql://postgres@no-such-host.invalid/postgres"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("the host no-such-host.invalid is unknown")
                .hasRootCauseInstanceOf(UnknownHostException.class);
    }

    @Test
    void aRefusedLoginFailsTheOpenWithTheServersAnswer() {
        PostgresTestServer pg = TestServices.postgres();
        String url = "db+postgresql://no_such_role_" + System.nanoTime() + ":secret-pw@" + pg.host() + ":" + pg.port()
                + "/" + pg.database();
        assertThatThrownBy(() -> CELERIAC.openBackend(url))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("SQLSTATE 28")
                .hasMessageNotContaining("secret-pw");
    }
}
