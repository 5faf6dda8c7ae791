/**
 * The conformance kit: abstract JUnit 5 classes a plugin's tests extend to prove the plugin keeps every
 * rule of its SPI. {@link io.celeriac.tck.BackendContract} for result backends,
 * {@link io.celeriac.tck.StateStoreContract} for worker state stores,
 * {@link io.celeriac.tck.EventStateContract} for event states, {@link io.celeriac.tck.EventSourceContract} for
 * event sources, and {@link io.celeriac.tck.SettingsContract} for the settings of any plugin (the same text
 * means the same thing, with the same message, under every scheme).
 * Each contract takes a fixture, a top-level interface the plugin implements for one test:
 * {@link io.celeriac.tck.BackendFixture}, {@link io.celeriac.tck.StateStoreFixture},
 * {@link io.celeriac.tck.EventStateFixture}, {@link io.celeriac.tck.EventSourceFixture} (which feeds a source
 * as Celery would), {@link io.celeriac.tck.SettingsFixture}.
 *
 * <p>Test names carry a prefix: {@code required_} tests run for every plugin; the others are named for
 * the capability they need ({@code read_}, {@code wait_}, {@code groups_}, ...) and run only when the
 * plugin declares it, while an undeclared capability is checked to fail with the standard message.
 * Timeouts scale with the system property {@code celeriac.tck.timeScale} or the environment variable
 * {@code CELERIAC_TCK_TIME_SCALE} (default 1) for slow machines.
 *
 * <p>Helpers: {@link io.celeriac.tck.MutableClock}, a clock tests move by hand (heartbeat expiry, rate
 * limits), and {@link io.celeriac.tck.CeleryStateComparison}, which describes an event state and Python
 * Celery's own {@code State} the same way, so interop tests can compare them field by field.
 */
package io.celeriac.tck;
