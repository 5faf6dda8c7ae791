/**
 * Guice bindings for celeriac: {@link io.celeriac.guice.CeleriacModule}. Needs the optional
 * {@code com.google.inject:guice} dependency.
 */
package io.celeriac.guice;
