/**
 * The monitor's parts (not for users): the event follower, the history store, the metrics, the HTTP server with
 * its pages and API, and the live-update stream.
 */
package io.celeriac.monitor.internal;
