package dev.bulwark.detect.jail;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The failures of one offender not yet banned, counted as fail2ban's FailTicket counts them:
 * while they lie within findtime of the latest, each adds one; when the first of them lies
 * further back, the count is scaled to the rate over findtime ({@code round(count / span *
 * findtime)}) and the window's start moved to {@code latest - findtime}. A failure older than
 * the latest adds one and moves nothing.
 */
final class Ticket {
    private long firstMillis;
    private long lastMillis;
    private int retry;
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    Ticket(long timeMillis, List<String> matched, int maxLines) {
        this.firstMillis = timeMillis;
        this.lastMillis = timeMillis;
        this.retry = 1;
        keep(matched, maxLines);
    }

    /** A ticket as {@link #firstMillis}, {@link #lastMillis}, {@link #retry} and {@link #lines} left it (kept over a restart). */
    static Ticket restored(long firstMillis, long lastMillis, int retry, List<String> lines, int maxLines) {
        Ticket ticket = new Ticket(lastMillis, lines, maxLines);
        ticket.firstMillis = firstMillis;
        ticket.retry = retry;
        return ticket;
    }

    void add(long timeMillis, long findTimeMillis, List<String> matched, int maxLines) {
        if (timeMillis > lastMillis) {
            if (firstMillis < timeMillis - findTimeMillis) {
                // Python's round(): half to even, as Math.rint
                retry = (int) Math.rint(retry / (double) (timeMillis - firstMillis) * findTimeMillis);
                firstMillis = timeMillis - findTimeMillis;
            }
            lastMillis = timeMillis;
        }
        retry++;
        keep(matched, maxLines);
    }

    /** fail2ban's observer: a failure of an offender banned before counts more than once. */
    void addRetries(int extra) {
        retry += extra;
    }

    private void keep(List<String> matched, int maxLines) {
        lines.addAll(matched);
        while (lines.size() > maxLines) {
            lines.removeFirst();
        }
    }

    /** Whether fail2ban's cleanup of the fail list drops it at {@code nowMillis}: its latest failure lies findtime back or more. */
    boolean agedAt(long nowMillis, long findTimeMillis) {
        return lastMillis <= nowMillis - findTimeMillis;
    }

    long firstMillis() {
        return firstMillis;
    }

    long lastMillis() {
        return lastMillis;
    }

    int retry() {
        return retry;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
