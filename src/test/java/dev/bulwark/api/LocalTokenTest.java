package dev.bulwark.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.api.ApiConfig.ApiKey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTokenTest {
    @TempDir
    Path directory;

    @Test
    void theTokenIsCreatedReadableByItsOwnerOnly() throws IOException {
        Path state = directory.resolve("state");

        ApiKey key = LocalToken.create(state);

        Path file = state.resolve("api.token");
        String token = LocalToken.read(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(Files.readString(file)).isEqualTo(token + "\n");
        assertThat(key.name()).isEqualTo("local");
        assertThat(key.sha256()).isEqualTo(ApiKeys.sha256Hex(token));
        assertThat(new ApiKeys(java.util.List.of(key)).nameOf(token)).isEqualTo("local");
        try (var files = Files.list(state)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void anExistingTokenIsReusedAndItsModeTightened() throws IOException {
        ApiKey first = LocalToken.create(directory);
        Path file = directory.resolve("api.token");
        String token = Files.readString(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        ApiKey second = LocalToken.create(directory);

        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(file)).isEqualTo(token);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aFileThatHoldsNoTokenIsReplaced() throws IOException {
        Path file = directory.resolve("api.token");
        Files.writeString(file, "");

        ApiKey key = LocalToken.create(directory);

        assertThat(key.sha256()).isEqualTo(ApiKeys.sha256Hex(LocalToken.read(file)));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void twoTokensDiffer() throws IOException {
        assertThat(LocalToken.create(directory.resolve("a"))).isNotEqualTo(LocalToken.create(directory.resolve("b")));
    }

    @Test
    void readingSaysWhatToDo() throws IOException {
        Path empty = Files.writeString(directory.resolve("empty.token"), "\n");

        assertThatThrownBy(() -> LocalToken.read(directory.resolve("missing.token")))
                .hasMessageContaining("missing.token does not exist (bulwark run creates it at start)")
                .hasMessageContaining("pass --token-file");
        assertThatThrownBy(() -> LocalToken.read(empty)).hasMessageContaining("is empty");
        assertThatThrownBy(() -> LocalToken.read(directory)).hasMessageContaining("run as root or pass --token-file");
    }
}
