package dev.bulwark.api;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpSet;

import java.util.List;

/**
 * The HTTP API ({@code api:} in bulwark.yml).
 *
 * @param host       address to listen on; loopback by default
 * @param keys       API keys, as {@code sha256:HEX} hashes of the key, with a name for the history
 * @param edlNetworks clients in these networks may read {@code /v1/blocklist} without a key
 */
public record ApiConfig(String host, int port, List<ApiKey> keys, IpSet edlNetworks) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8750;

    public ApiConfig {
        requireNonNull(host, "host is null");
        requireNonNull(edlNetworks, "edlNetworks is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        keys = List.copyOf(keys);
    }

    public static ApiConfig defaults() {
        return new ApiConfig(DEFAULT_HOST, DEFAULT_PORT, List.of(), IpSet.empty());
    }

    /** A named key; {@code sha256} is the lowercase hex SHA-256 of the key's UTF-8 bytes. */
    public record ApiKey(String name, String sha256) {
        public ApiKey {
            requireNonNull(name, "name is null");
            requireNonNull(sha256, "sha256 is null");
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("API key " + name + ": the hash must be 64 lowercase hex digits (sha256)");
            }
        }

        @Override
        public String toString() {
            return "ApiKey[" + name + "]";
        }
    }
}
