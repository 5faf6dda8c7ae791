package io.celeriac;

import io.celeriac.url.BackendUrl;

/**
 * Keeps passwords out of text: replaces every occurrence of a URL's password (raw or percent-encoded)
 * with {@code **}. Use it on driver messages that may echo a URL back.
 */
public final class Secrets {
    private Secrets() {
    }

    /**
     * Masks every password of {@code url} (all sentinel parts) found in {@code text}.
     *
     * @param text the text, may be {@code null}
     * @param url the URL whose passwords to hide
     * @return the text with the passwords replaced by {@code **}
     */
    public static String scrub(String text, BackendUrl url) {
        if (text == null || url == null) {
            return text;
        }
        String out = text;
        for (BackendUrl part : url.parts()) {
            String pw = part.password();
            if (pw == null || pw.isEmpty()) {
                continue;
            }
            out = out.replace(part.unmaskedText(), part.masked());
            out = out.replace(pw, "**");
            String encoded = java.net.URLEncoder.encode(pw, java.nio.charset.StandardCharsets.UTF_8);
            if (!encoded.equals(pw)) {
                out = out.replace(encoded, "**");
            }
        }
        return out;
    }
}
