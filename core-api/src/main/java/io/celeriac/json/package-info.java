/**
 * Celery's JSON, byte for byte: {@link io.celeriac.json.CeleryJson} encodes and decodes values, metas and
 * groups exactly as kombu 5.2's {@code json} serializer and Celery's key-value backends do.
 */
package io.celeriac.json;
