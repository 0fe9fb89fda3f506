package dev.bulwark.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.feed.format.FeedFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

class LastGoodTest {
    private static final String URL = "https://feeds.example.net/drop.txt?api_key=hunter2-secret";
    private static final Instant FETCHED = Instant.parse("2025-06-01T10:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void aCommittedCopyIsReadBackByANewInstanceByteForByte() throws IOException {
        byte[] body = LocalFeedServer.gzip(TestFeeds.resource("spamhaus/drop.txt"));
        LastGood lastGood = new LastGood(stateDir, "drop");
        lastGood.commit(write(lastGood, body), metadata(body, "\"v1\""));

        LastGood afterRestart = new LastGood(stateDir, "drop");
        LastGood.Metadata metadata = afterRestart.metadata().orElseThrow();

        assertThat(metadata).isEqualTo(metadata(body, "\"v1\""));
        assertThat(metadata.cameFrom(URL)).isTrue();
        assertThat(metadata.cameFrom("https://feeds.example.net/drop.txt")).isFalse();
        try (InputStream input = afterRestart.openBody(metadata)) {
            // still gzip, as received
            assertThat(input.readAllBytes()).isEqualTo(body);
        }
        assertThat(afterRestart.directory()).isEqualTo(stateDir.resolve("feeds").resolve("drop"));
    }

    @Test
    void aNewCommitReplacesTheOldCopyAndLeavesNoOtherFile() throws IOException {
        LastGood lastGood = new LastGood(stateDir, "drop");
        byte[] first = "192.0.2.1\n".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "192.0.2.2\n".getBytes(StandardCharsets.US_ASCII);
        lastGood.commit(write(lastGood, first), metadata(first, null));
        lastGood.commit(write(lastGood, second), metadata(second, "\"v2\""));

        LastGood.Metadata metadata = lastGood.metadata().orElseThrow();
        assertThat(metadata.etag()).isEqualTo("\"v2\"");
        try (InputStream input = lastGood.openBody(metadata)) {
            assertThat(input.readAllBytes()).isEqualTo(second);
        }
        assertThat(files(lastGood)).containsExactlyInAnyOrder("meta.json", "body-" + LastGood.sha256(second).substring(0, 16));
    }

    @Test
    void theMetadataFileKeepsNoSecretOfTheUrl() throws IOException {
        LastGood lastGood = new LastGood(stateDir, "drop");
        byte[] body = "192.0.2.1\n".getBytes(StandardCharsets.US_ASCII);
        lastGood.commit(write(lastGood, body), metadata(body, null));

        String json = Files.readString(lastGood.directory().resolve("meta.json"));

        assertThat(json).doesNotContain("hunter2").contains("\"url\" : \"https://feeds.example.net/drop.txt?api_key=***\"")
                .contains("\"fetchedAt\" : \"2025-06-01T10:00:00Z\"").contains("\"format\" : \"text\"").contains("\"entries\" : 1");
    }

    @Test
    void leftoversOfACrashedDownloadAreRemovedAtStart() throws IOException {
        LastGood lastGood = new LastGood(stateDir, "drop");
        Path leftover = lastGood.newTempFile();
        Files.writeString(leftover, "half a download");

        new LastGood(stateDir, "drop");

        assertThat(leftover).doesNotExist();
        assertThat(new LastGood(stateDir, "drop").metadata()).isEmpty();
    }

    @Test
    void unreadableMetadataIsAnErrorSayingWhereAndWhatToDo() throws IOException {
        LastGood lastGood = new LastGood(stateDir, "drop");
        Files.writeString(lastGood.directory().resolve("meta.json"), "{\"version\": 1, \"url\": ");

        assertThatThrownBy(lastGood::metadata).isInstanceOf(IOException.class)
                .hasMessageContaining("the last good metadata " + lastGood.directory().resolve("meta.json") + " is unreadable")
                .hasMessageContaining("the next good fetch replaces it, or delete " + lastGood.directory());
    }

    @Test
    void onlyAFileOfItsOwnDirectoryCanBeCommitted() throws IOException {
        LastGood lastGood = new LastGood(stateDir, "drop");
        Path elsewhere = Files.writeString(stateDir.resolve("other"), "192.0.2.1\n");

        assertThatThrownBy(() -> lastGood.commit(elsewhere, metadata(new byte[0], null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the body to commit must be in ");
    }

    private static Path write(LastGood lastGood, byte[] body) throws IOException {
        return Files.write(lastGood.newTempFile(), body);
    }

    private static LastGood.Metadata metadata(byte[] body, String etag) {
        return new LastGood.Metadata(Redaction.url(URL), LastGood.sha256(URL.getBytes(StandardCharsets.UTF_8)), etag,
                "Sun, 01 Jun 2025 09:00:00 GMT", null, FETCHED, 1, FeedFormat.TEXT, body.length, LastGood.sha256(body));
    }

    private static List<String> files(LastGood lastGood) throws IOException {
        try (Stream<Path> files = Files.list(lastGood.directory())) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }
}
