/**
 * Test support for celeriac and its plugins: real Redis and PostgreSQL servers, found one way
 * ({@link io.celeriac.testing.TestServices}), with per-test isolation and clean-up.
 */
package io.celeriac.testing;
