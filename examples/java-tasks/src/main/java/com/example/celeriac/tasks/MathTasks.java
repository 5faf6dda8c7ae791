package com.example.celeriac.tasks;

import io.celeriac.worker.CeleryTask;

/**
 * Tasks written as annotated methods: {@link io.celeriac.worker.TaskRegistry#registerAll(Object)} registers each
 * {@link CeleryTask} method, filling its parameters from the message's arguments. Stateless, so thread-safe.
 */
public final class MathTasks {

    /**
     * {@code proj.add}: adds two integers.
     *
     * @param x the first
     * @param y the second
     * @return {@code x + y}
     */
    @CeleryTask(name = "proj.add")
    public long add(long x, long y) {
        return x + y;
    }
}
