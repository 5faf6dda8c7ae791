/** Guice binding of the worker: {@link io.celeriac.worker.guice.CeleryWorkerModule}. */
package io.celeriac.worker.guice;
