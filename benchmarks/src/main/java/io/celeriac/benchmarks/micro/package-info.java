/**
 * JMH micro-benchmarks of the hot in-process paths: the JSON meta codec, the pickle codec, event application
 * in {@link io.celeriac.events.state.internal.MemoryEventState} and {@link io.celeriac.state.RevokedSet}. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar} after building with {@code -Pbench}.
 */
package io.celeriac.benchmarks.micro;
