/**
 * Parsing of the URLs that pick a plugin and configure it: {@link io.celeriac.url.BackendUrl}.
 */
package io.celeriac.url;
