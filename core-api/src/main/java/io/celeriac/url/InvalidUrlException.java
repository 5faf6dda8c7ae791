package io.celeriac.url;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.Secrets;

import java.util.List;

/**
 * Raised when a URL cannot be parsed or holds values a plugin cannot use.
 *
 * <p>The message names the URL with its password masked and lists every problem found.
 */
public class InvalidUrlException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;

    private final String maskedUrl;

    /**
     * Creates the exception.
     *
     * @param maskedUrl the URL with its password already masked
     * @param problems every problem found
     */
    public InvalidUrlException(String maskedUrl, List<String> problems) {
        super("Invalid URL " + maskedUrl, problems);
        this.maskedUrl = maskedUrl;
    }

    /**
     * The exception for problems found in a parsed URL: the URL is masked, and its password is scrubbed from
     * every problem too, in case a problem quotes a value that holds it.
     *
     * @param url the URL
     * @param problems every problem found
     * @return the exception
     */
    public static InvalidUrlException of(BackendUrl url, List<String> problems) {
        return new InvalidUrlException(url.masked(), problems.stream().map(p -> Secrets.scrub(p, url)).toList());
    }

    /**
     * The URL the problems were found in, with its password masked.
     *
     * @return the masked URL
     */
    public String maskedUrl() {
        return maskedUrl;
    }
}
