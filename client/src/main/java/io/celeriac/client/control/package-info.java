/**
 * Celery's remote control for Java users ({@code app.control} and {@code app.control.inspect()}): ping workers,
 * inspect what they run, hold and know, revoke and terminate tasks, change rate and time limits, shut workers down,
 * switch their events on and off — on any broker, through {@link io.celeriac.control.Mailbox}. Start with
 * {@link io.celeriac.client.control.Control#create(io.celeriac.broker.Broker)}.
 */
package io.celeriac.client.control;
