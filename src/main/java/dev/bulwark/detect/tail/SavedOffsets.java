package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one file source had delivered when last saved, in {@code <stateDir>/tail/<source>.json}:
 * the paths it was configured with, and for every file it was reading (the current one and a
 * rotated one still being read) its path then, its key, the offset just past its last delivered
 * line and its fingerprint.
 */
record SavedOffsets(String source, List<String> paths, List<SavedOffsets.File> files) {
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /**
     * One file's saved position; {@code skipToNextLine} when the bytes from the offset to the next
     * newline belong to a line already delivered cut to the limit, or begun before the first start.
     */
    record File(String path, FileKey key, long offset, Fingerprint fingerprint, boolean skipToNextLine) {
        File {
            requireNonNull(path, "path is null");
            requireNonNull(key, "key is null");
            requireNonNull(fingerprint, "fingerprint is null");
            if (offset < 0) {
                throw new IllegalArgumentException("negative offset for " + path + ": " + offset);
            }
        }
    }

    SavedOffsets {
        requireNonNull(source, "source is null");
        paths = List.copyOf(paths);
        files = List.copyOf(files);
    }

    static Path fileOf(Path stateDir, String source) {
        return stateDir.resolve("tail").resolve(source + ".json");
    }

    /** The saved offsets of {@code source}, or null if none were saved. */
    static SavedOffsets read(Path stateDir, String source) throws IOException {
        Path file = fileOf(stateDir, source);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root.path("version").asInt(0) != FORMAT_VERSION) {
                throw new IOException("unknown format version " + root.path("version") + " in " + file);
            }
            List<String> paths = new ArrayList<>();
            for (JsonNode path : root.path("paths")) {
                paths.add(path.stringValue());
            }
            List<File> files = new ArrayList<>();
            for (JsonNode node : root.path("files")) {
                FileKey key = new FileKey(node.required("device").asLong(), node.required("inode").asLong());
                Fingerprint fingerprint = new Fingerprint(node.required("fingerprintLength").asInt(),
                        node.required("fingerprint").stringValue());
                files.add(new File(node.required("path").stringValue(), key, node.required("offset").asLong(), fingerprint,
                        node.path("skipToNextLine").asBoolean(false)));
            }
            return new SavedOffsets(source, paths, files);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new IOException("the saved offsets in " + file + " cannot be read (" + e.getMessage()
                    + "); remove the file to start the source afresh", e);
        }
    }

    void write(Path stateDir) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("source", source);
        ArrayNode pathsNode = root.putArray("paths");
        paths.forEach(pathsNode::add);
        ArrayNode filesNode = root.putArray("files");
        for (File file : files) {
            ObjectNode node = filesNode.addObject();
            node.put("path", file.path());
            node.put("device", file.key().device());
            node.put("inode", file.key().inode());
            node.put("offset", file.offset());
            node.put("fingerprintLength", file.fingerprint().length());
            node.put("fingerprint", file.fingerprint().sha256());
            if (file.skipToNextLine()) {
                node.put("skipToNextLine", true);
            }
        }
        StateFiles.write(fileOf(stateDir, source), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
