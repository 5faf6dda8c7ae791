/**
 * Celery's filesystem result backend as a celeriac plugin: its provider
 * ({@link com.example.celeriac.fs.FilesystemBackendProvider}) and configuration
 * ({@link com.example.celeriac.fs.FilesystemBackendConfig}); the live backend is in {@code internal}.
 */
package com.example.celeriac.fs;
