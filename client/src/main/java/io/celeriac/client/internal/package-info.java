/**
 * The client's internals: task routing and result value conversion. Not part of the public API.
 */
package io.celeriac.client.internal;
