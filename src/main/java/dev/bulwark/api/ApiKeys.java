package dev.bulwark.api;

import dev.bulwark.api.ApiConfig.ApiKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The configured keys, held as SHA-256 hashes. A presented key is hashed and compared with every
 * hash in constant time, so neither the comparison nor an early exit tells how close a guess was.
 */
final class ApiKeys {
    private final String[] names;
    private final byte[][] hashes;

    ApiKeys(List<ApiKey> keys) {
        names = new String[keys.size()];
        hashes = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            names[i] = keys.get(i).name();
            hashes[i] = HexFormat.of().parseHex(keys.get(i).sha256());
        }
    }

    /** The name of the key, or null when it matches none. */
    String nameOf(String presented) {
        byte[] hash = sha256(presented);
        String match = null;
        for (int i = 0; i < hashes.length; i++) {
            if (MessageDigest.isEqual(hash, hashes[i]) && match == null) {
                match = names[i];
            }
        }
        return match;
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** The lowercase hex SHA-256 of a key, as {@link ApiKey} holds it. */
    static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }
}
