/**
 * The live filesystem backend. Not an API: open it with {@link com.example.celeriac.fs.FilesystemBackendProvider}.
 */
package com.example.celeriac.fs.internal;
