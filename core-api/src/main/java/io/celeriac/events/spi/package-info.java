/**
 * What event plugins implement: {@link io.celeriac.events.spi.EventStateProvider} and
 * {@link io.celeriac.events.spi.EventSourceProvider}.
 */
package io.celeriac.events.spi;
