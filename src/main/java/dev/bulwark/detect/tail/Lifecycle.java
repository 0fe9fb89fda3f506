package dev.bulwark.detect.tail;

/** A follower's one named daemon thread: started at most once, closed at most once. */
final class Lifecycle {
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final String what;
    private volatile boolean closed;
    private Thread thread;

    /** {@code what} names the follower in error messages: "the file follower". */
    Lifecycle(String what) {
        this.what = what;
    }

    synchronized void start(String threadName, Runnable body) {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        if (thread != null) {
            throw new IllegalStateException(what + " is already started");
        }
        thread = new Thread(body, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    boolean closed() {
        return closed;
    }

    synchronized boolean started() {
        return thread != null;
    }

    /** Marks it closed; returns false if it already was. */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /** Waits, at most 10 s, for the thread to end, interrupting it first if told to. */
    void awaitThread(boolean interrupt) {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running == null) {
            return;
        }
        if (interrupt) {
            running.interrupt();
        }
        try {
            running.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
