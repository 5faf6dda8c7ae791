/**
 * Parsing of the URLs that pick a plugin and configure it: {@link io.celeriac.url.BackendUrl}, the value; the
 * package-private {@code UrlParser} reads the text and {@code UrlMasking} keeps passwords out of every rendering;
 * typed access to the query parameters goes through {@link io.celeriac.spi.SettingsReader}.
 */
package io.celeriac.url;
