/**
 * The Guice module of the client, {@link io.celeriac.client.guice.CeleryClientModule}. Needs Guice on the class
 * path (an optional dependency).
 */
package io.celeriac.client.guice;
