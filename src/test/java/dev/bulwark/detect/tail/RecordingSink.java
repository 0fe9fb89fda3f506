package dev.bulwark.detect.tail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Keeps every line it is given; {@link #take} hands over and forgets those so far. */
final class RecordingSink implements LineSink {
    /** One delivered line with where it came from. */
    record Line(String source, String origin, String text, Instant time) {
    }

    final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    int checkpoints;
    RuntimeException failCheckpoint;

    @Override
    public void line(String source, String origin, String line, Instant time) {
        lines.add(new Line(source, origin, line, time));
    }

    @Override
    public void checkpoint() {
        if (failCheckpoint != null) {
            throw failCheckpoint;
        }
        checkpoints++;
    }

    /** The text of the lines delivered since the last call. */
    List<String> take() {
        List<Line> taken = new ArrayList<>();
        lines.drainTo(taken);
        return taken.stream().map(Line::text).toList();
    }

    List<Line> takeLines() {
        List<Line> taken = new ArrayList<>();
        lines.drainTo(taken);
        return taken;
    }
}
