/**
 * Python pickles without Python: a safe reader (values and a short allow-list of Celery classes, never
 * arbitrary objects) and a writer whose bytes equal CPython's. Internal to the database backend.
 */
package io.celeriac.backend.jdbc.backend.internal.pickle;
