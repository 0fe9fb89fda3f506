package dev.bulwark.detect.tail;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;

/**
 * One file being read, through a channel that stays open while it is renamed or deleted: its
 * key, its current name, how far it has been read and how far its lines have been delivered.
 */
final class TailedFile implements Closeable, LineAssembler.Receiver {
    private final Deliveries deliveries;
    private final String source;
    final FileKey key;
    private final FileChannel channel;
    private final LineAssembler assembler;
    private final int maxLineBytes;
    private Path path;
    /** Where the path leads through links: inotify reports writes in this file's directory, not the link's. */
    private final Path realPath;
    private String origin;
    /** Just past the last line delivered: what is saved, where a restart reads on. */
    private long position;
    /** How far the channel has been read; past {@link #position} by the bytes of an unfinished line. */
    private long readPosition;
    /** The file's first bytes as read, up to {@link Fingerprint#BYTES}: compared at every look, hashed for saving. */
    private byte[] head = new byte[0];
    private Fingerprint fingerprint;
    /** Renamed away from every configured path, or deleted: read until {@link #lastGrowth} + the grace. */
    private boolean rotated;
    private Instant lastGrowth;

    /** Where lines go, with the count of lines and of sink failures. */
    interface Deliveries {
        void deliver(String source, String origin, String line);
    }

    private TailedFile(Deliveries deliveries, String source, FileKey key, Path path, Path realPath, FileChannel channel, int maxLineBytes,
                       long offset, Instant now) {
        this.deliveries = deliveries;
        this.source = source;
        this.key = key;
        this.path = path;
        this.realPath = realPath;
        this.origin = path.toString();
        this.channel = channel;
        this.maxLineBytes = maxLineBytes;
        this.assembler = new LineAssembler(maxLineBytes);
        this.position = offset;
        this.readPosition = offset;
        this.lastGrowth = now;
    }

    /**
     * Opens the file {@code stat} names, to be read from {@code offset} (or, if {@code atEnd},
     * from the start of its last line), or returns null if what the path names changed meanwhile.
     */
    static TailedFile open(Deliveries deliveries, String source, FileKey.Stat stat, long offset, boolean atEnd, int maxLineBytes,
                           Instant now) throws IOException {
        FileChannel channel = FileChannel.open(stat.path(), StandardOpenOption.READ);
        try {
            // a rotation between the stat and the open would give us another file than the one we decided on
            FileKey.Stat again = FileKey.stat(stat.path());
            if (again == null || !again.key().equals(stat.key())) {
                channel.close();
                return null;
            }
            TailedFile file = new TailedFile(deliveries, source, stat.key(), stat.path(), stat.path().toRealPath(), channel, maxLineBytes,
                    offset, now);
            if (atEnd) {
                file.startAtLastLine(again.size());
            }
            file.takeHead();
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Starts at the beginning of the file's last line, so that a line being written as we start is delivered whole. */
    private void startAtLastLine(long size) throws IOException {
        int window = (int) Math.min(size, maxLineBytes);
        ByteBuffer tail = ByteBuffer.allocate(window);
        long from = size - window;
        while (tail.hasRemaining() && channel.read(tail, from + tail.position()) > 0) {
            // reads until the window is full
        }
        byte[] bytes = tail.array();
        for (int i = tail.position() - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                position = from + i + 1;
                readPosition = position;
                return;
            }
        }
        position = from;
        readPosition = from;
        if (from > 0) {
            assembler.skipToNextLine();
        }
    }

    /**
     * Reads what the file holds past what was read, at most {@code maxBytes} (unbounded if
     * negative), delivering its complete lines. Returns whether it stopped at the limit with
     * more to read.
     */
    boolean read(ByteBuffer buffer, long maxBytes, Instant now) throws IOException {
        long limit = maxBytes < 0 ? Long.MAX_VALUE : readPosition + maxBytes;
        long before = readPosition;
        boolean full = false;
        while (true) {
            if (readPosition >= limit) {
                full = true;
                break;
            }
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), limit - readPosition));
            int read = channel.read(buffer, readPosition);
            if (read <= 0) {
                break;
            }
            int end = assembler.accept(buffer.array(), read, this);
            if (end > 0) {
                position = readPosition + end;
            }
            readPosition += read;
        }
        if (readPosition > before) {
            lastGrowth = now;
            if (head.length < Fingerprint.BYTES && readPosition > head.length) {
                takeHead();
            }
        }
        return full;
    }

    /**
     * Whether the file now holds other bytes than the ones read: it is shorter than what was
     * read, or its first bytes changed (truncated and written again up to or past the old end).
     */
    boolean replacedUnder(long size) throws IOException {
        if (size < readPosition) {
            return true;
        }
        if (head.length == 0) {
            return false;
        }
        ByteBuffer now = ByteBuffer.allocate(head.length);
        while (now.hasRemaining()) {
            if (channel.read(now, now.position()) <= 0) {
                return true;
            }
        }
        return !Arrays.equals(now.array(), head);
    }

    private void takeHead() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(readPosition, Fingerprint.BYTES));
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
            // reads the first bytes
        }
        head = Arrays.copyOf(bytes.array(), bytes.position());
        fingerprint = null;
    }

    /** Starts again at the beginning: the file was truncated (copytruncate), its unfinished line gone with it. */
    void restartAtZero() {
        assembler.reset();
        position = 0;
        readPosition = 0;
        head = new byte[0];
        fingerprint = null;
    }

    /** Delivers the unfinished last line as a line: the file will not be read any more. */
    void finish() {
        assembler.finish(this);
        position = readPosition;
    }

    @Override
    public void line(String line) {
        deliveries.deliver(source, origin, line);
    }

    void renamed(Path path) {
        if (!path.equals(this.path)) {
            this.path = path;
            origin = path.toString();
        }
    }

    Path path() {
        return path;
    }

    Path realPath() {
        return realPath;
    }

    String origin() {
        return origin;
    }

    long position() {
        return position;
    }

    long readPosition() {
        return readPosition;
    }

    Fingerprint fingerprint() {
        if (fingerprint == null) {
            fingerprint = Fingerprint.of(head, head.length);
        }
        return fingerprint;
    }

    boolean rotated() {
        return rotated;
    }

    void rotated(boolean rotated, Instant now) {
        if (rotated && !this.rotated) {
            lastGrowth = now;
        }
        this.rotated = rotated;
    }

    Instant lastGrowth() {
        return lastGrowth;
    }

    /** Whether the bytes from {@link #position} to the next newline are not to be delivered. */
    boolean skipsToNextLine() {
        return assembler.skipping();
    }

    void skipToNextLine() {
        assembler.skipToNextLine();
    }

    long cutLines() {
        return assembler.cutLines();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
