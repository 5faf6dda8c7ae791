package io.celeriac.backend.spi;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;

/**
 * Creates {@link Backend}s for some URL schemes: the SPI a result backend plugin implements.
 *
 * <p>List the implementation in {@code META-INF/services/io.celeriac.backend.spi.BackendProvider}. It
 * must have a public no-argument constructor that does no I/O, and be thread-safe. Pass the conformance
 * kit ({@code io.celeriac.tck.BackendContract}) to prove the backends it opens.
 */
public interface BackendProvider extends Provider {

    /**
     * Opens a live backend. May connect (and fail with
     * {@link io.celeriac.backend.BackendUnavailableException}) or connect lazily.
     *
     * @param url the URL, whose scheme is one of {@link #schemes()}
     * @param options the options, already overridden by the URL's {@code result_expires} and
     *                {@code result_extended} parameters
     * @return the backend; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException when the URL holds values the backend cannot use
     */
    Backend open(BackendUrl url, BackendOptions options);
}
