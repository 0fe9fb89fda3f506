package dev.bulwark.enforce;

import dev.bulwark.ip.IpFamily;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * What an enforcer last put into the kernel, kept in the state directory so that the next apply
 * computes the difference without listing the kernel's sets (listing a million elements takes
 * nft tens of seconds). {@code layout} describes the rules and set parameters the elements were
 * applied with; a different layout means a full load.
 *
 * <p>Two files: the whole state, written to a temporary file, synced, then renamed over the old
 * one, so a crash leaves the old state or the new, never half of one; and beside it a journal of
 * the changes since, each appended and synced ({@code fdatasync}) on its own. A ban beside a
 * million elements then writes a few dozen bytes, not 25 MB. Every journal entry names the whole
 * state it follows (a random id), so entries left over from an older state are never replayed
 * onto a newer one, and a checksum, so a torn last entry is recognised and passed over.
 */
public record AppliedState(String layout, Elements ipv4, Elements ipv6) {
    private static final int MAGIC = 0x42575354; // "BWST"
    private static final int JOURNAL_MAGIC = 0x42574A4E; // "BWJN"
    private static final int VERSION = 3;
    /** magic, length of what follows up to the checksum, state id; then the elements, then a CRC32C of them. */
    private static final int ENTRY_HEAD = 16;

    public Elements of(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    /** The journal beside the state file {@code file}. */
    static Path journalOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    /** The state at {@code file} with its journal replayed, or empty if there is none; a damaged file counts as none (the next apply is then a full load). */
    public static Optional<AppliedState> read(Path file) throws IOException {
        Loaded loaded = load(file);
        return loaded == null ? Optional.empty() : Optional.of(loaded.state());
    }

    /** What {@link #load} found: the state, the id of the whole state it rests on, and the journal's length in bytes, valid entries only. */
    record Loaded(AppliedState state, long id, long journalBytes, boolean tornTail) {
    }

    static Loaded load(Path file) throws IOException {
        ByteBuffer buffer = readAll(file);
        if (buffer == null) {
            return null;
        }
        long id;
        AppliedState base;
        try {
            if (buffer.getInt() != MAGIC || buffer.getInt() != VERSION) {
                return null;
            }
            id = buffer.getLong();
            byte[] layout = new byte[buffer.getInt()];
            buffer.get(layout);
            Elements ipv4 = readElements(buffer, IpFamily.IPV4);
            Elements ipv6 = readElements(buffer, IpFamily.IPV6);
            if (buffer.hasRemaining()) {
                return null;
            }
            base = new AppliedState(new String(layout, StandardCharsets.UTF_8), ipv4, ipv6);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
        return replay(base, id, readAll(journalOf(file)));
    }

    /** Applies the journal's entries for state {@code id}, folding them into one change per family first, so that many entries cost one pass over the elements. */
    private static Loaded replay(AppliedState base, long id, ByteBuffer journal) {
        if (journal == null) {
            return new Loaded(base, id, 0, false);
        }
        Elements changes4 = new Elements(IpFamily.IPV4, 0);
        Elements changes6 = new Elements(IpFamily.IPV6, 0);
        long valid = 0;
        boolean torn = false;
        while (journal.hasRemaining()) {
            int start = journal.position();
            try {
                if (journal.getInt() != JOURNAL_MAGIC) {
                    torn = true;
                    break;
                }
                int length = journal.getInt();
                long entryId = journal.getLong();
                if (length < 0 || length + 4 > journal.remaining()) {
                    torn = true;
                    break;
                }
                CRC32C checksum = new CRC32C();
                checksum.update(journal.slice(journal.position(), length));
                ByteBuffer entry = journal.slice(journal.position(), length).order(ByteOrder.LITTLE_ENDIAN);
                journal.position(journal.position() + length);
                if (journal.getInt() != (int) checksum.getValue()) {
                    torn = true;
                    break;
                }
                if (entryId == id) {
                    changes4 = changes4.withChanges(readElements(entry, IpFamily.IPV4), true);
                    changes6 = changes6.withChanges(readElements(entry, IpFamily.IPV6), true);
                }
                valid = journal.position();
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                journal.position(start);
                torn = true;
                break;
            }
        }
        AppliedState state = new AppliedState(base.layout(), base.ipv4().withChanges(changes4, false), base.ipv6().withChanges(changes6, false));
        return new Loaded(state, id, valid, torn);
    }

    private static ByteBuffer readAll(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read the whole file: one large read instead of millions of small ones
            }
            return buffer.flip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Column by column (all highs, all lows, ...), little-endian like the machines it runs on, so that each column is one bulk copy. */
    private static Elements readElements(ByteBuffer buffer, IpFamily family) {
        int count = buffer.getInt();
        if (count < 0 || (long) count * 25 > buffer.remaining()) {
            throw new IllegalArgumentException("bad count " + count);
        }
        long[] high = new long[count];
        long[] low = new long[count];
        byte[] length = new byte[count];
        long[] expiry = new long[count];
        buffer.asLongBuffer().get(high);
        buffer.position(buffer.position() + count * 8);
        buffer.asLongBuffer().get(low);
        buffer.position(buffer.position() + count * 8);
        buffer.get(length);
        buffer.asLongBuffer().get(expiry);
        buffer.position(buffer.position() + count * 8);
        return Elements.wrap(family, high, low, length, expiry, count);
    }

    /** Writes the whole state, replacing the old one and its journal; returns the new state's id. */
    public long write(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        long id = ThreadLocalRandom.current().nextLong();
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
        try {
            byte[] layoutBytes = layout.getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.allocate(28 + layoutBytes.length + 25 * (ipv4.size() + ipv6.size())).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(MAGIC).putInt(VERSION).putLong(id).putInt(layoutBytes.length).put(layoutBytes);
            writeElements(buffer, ipv4);
            writeElements(buffer, ipv6);
            buffer.flip();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeFully(channel, buffer);
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
        } finally {
            Files.deleteIfExists(temporary);
        }
        // entries of the old state would be passed over (another id), but need not be read again
        Files.deleteIfExists(journalOf(file));
        return id;
    }

    /**
     * Appends one change per family (from {@link Elements#changesTo}) to the journal of the state
     * {@code id} at {@code file}, at byte {@code at} (past any torn tail), and syncs it.
     */
    static long append(Path file, long id, long at, Elements changes4, Elements changes6) throws IOException {
        int length = 8 + 25 * (changes4.size() + changes6.size());
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_HEAD + length + 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(JOURNAL_MAGIC).putInt(length).putLong(id);
        writeElements(buffer, changes4);
        writeElements(buffer, changes6);
        CRC32C checksum = new CRC32C();
        checksum.update(buffer.slice(ENTRY_HEAD, length));
        buffer.putInt((int) checksum.getValue());
        buffer.flip();
        Path journal = journalOf(file);
        boolean created = !Files.exists(journal);
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.truncate(at);
            channel.position(at);
            writeFully(channel, buffer);
            channel.force(false);
        }
        if (created) {
            // the new file's name, too, must survive a power loss, not only its bytes
            syncDirectory(journal.toAbsolutePath().getParent());
        }
        return at + buffer.limit();
    }

    /** The size and modification time of a file, or null if there is none: tells whether anyone else wrote it. */
    static String stamp(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.size() + "@" + attributes.lastModifiedTime().toMillis() + "/" + attributes.fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Makes a rename or a new file in {@code directory} durable (an fsync of the directory, as Linux allows). */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void writeElements(ByteBuffer buffer, Elements elements) {
        int count = elements.size();
        buffer.putInt(count);
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.high(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.low(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.put((byte) elements.length(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.expiry(index));
        }
    }
}
