/**
 * Implementation details of core-api. <b>Not an API:</b> anything here may change without notice; plugins
 * and applications must not use it.
 */
package io.celeriac.internal;
