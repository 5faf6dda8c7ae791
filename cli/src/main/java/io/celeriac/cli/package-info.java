/**
 * The {@code celeriac} command: {@link io.celeriac.cli.Main} and its subcommands.
 */
package io.celeriac.cli;
