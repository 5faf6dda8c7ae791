/**
 * The live {@code rpc://} backend: the reply queue, its consumer and the latest state of each task whose result
 * came back to this process. Not for direct use: open backends through {@link io.celeriac.Celeriac}.
 */
package io.celeriac.backend.amqp.backend.internal;
