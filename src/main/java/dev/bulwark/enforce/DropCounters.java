package dev.bulwark.enforce;

/** Packets and bytes the kernel dropped because of Bulwark's sets, per family, summed over the hooks. */
public record DropCounters(long ipv4Packets, long ipv4Bytes, long ipv6Packets, long ipv6Bytes) {
    public long packets() {
        return ipv4Packets + ipv6Packets;
    }
}
