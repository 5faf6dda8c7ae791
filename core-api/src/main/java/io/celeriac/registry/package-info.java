/**
 * Finding plugins: {@link io.celeriac.registry.ProviderRegistry} maps URL schemes to providers found with
 * {@link java.util.ServiceLoader} or registered explicitly, and reports duplicates, unknown schemes and
 * providers that failed to load.
 */
package io.celeriac.registry;
