package dev.bulwark.api;

import dev.bulwark.api.ApiConfig.ApiKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The key of the local command line: a random secret in {@code <stateDir>/api.token}, readable by
 * root only, which the daemon accepts under the name {@code local}. Whoever can read the file may
 * ban and unban; no one else can, even on loopback.
 */
public final class LocalToken {
    public static final String FILE_NAME = "api.token";
    public static final String KEY_NAME = "local";
    public static final Path DEFAULT_FILE = Path.of("/var/lib/bulwark", FILE_NAME);

    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{64}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private LocalToken() {
    }

    /**
     * The daemon's side: returns the key of {@code <stateDir>/api.token}, creating the file with
     * 32 random bytes in hex (mode 0600, written to a temporary file and renamed, so a reader
     * never sees half a token) when it is missing or does not hold a token. An existing token is
     * kept, so that clients holding it stay valid across restarts; its mode is reset to 0600.
     */
    public static ApiKey create(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        String existing = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.US_ASCII).trim() : null;
        if (existing != null && TOKEN.matcher(existing).matches()) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
            return key(existing);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path temporary = Files.createTempFile(stateDir, FILE_NAME + ".", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(temporary, token + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return key(token);
    }

    /**
     * The client's side: the token in {@code file}. Throws {@link IOException} with a message
     * that says what to do: run as root, or name another file.
     */
    public static String read(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read the API token " + file + ": permission denied; run as root or pass --token-file", e);
        } catch (NoSuchFileException e) {
            throw new IOException("the API token " + file + " does not exist (bulwark run creates it at start); "
                    + "is the daemon running with another state directory? pass --token-file", e);
        } catch (IOException e) {
            throw new IOException("cannot read the API token " + file + ": " + e.getMessage() + "; run as root or pass --token-file", e);
        }
        if (token.isEmpty()) {
            throw new IOException("the API token " + file + " is empty; restart bulwark to create a new one, or pass --token-file");
        }
        return token;
    }

    private static ApiKey key(String token) {
        return new ApiKey(KEY_NAME, ApiKeys.sha256Hex(token));
    }
}
