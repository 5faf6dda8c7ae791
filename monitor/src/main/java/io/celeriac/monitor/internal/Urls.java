package io.celeriac.monitor.internal;

import io.celeriac.url.BackendUrl;

/** Masks URLs for logs and pages. */
final class Urls {
    private Urls() {
    }

    /** @return the URL with its password masked, or {@code null} for {@code null} */
    static String mask(String url) {
        if (url == null) {
            return null;
        }
        try {
            return BackendUrl.parse(url).masked();
        } catch (RuntimeException e) {
            return BackendUrl.maskUnparsed(url);
        }
    }
}
