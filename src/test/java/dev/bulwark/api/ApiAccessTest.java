package dev.bulwark.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.api.ApiConfig.ApiKey;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpSet;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Who needs a key for what; the rules the server applies per request, without a network. */
class ApiAccessTest {
    final Access access = new Access(IpSet.of("198.51.100.0/24"));
    final IpAddress loopback = IpAddress.parse("127.0.0.1");
    final IpAddress remote = IpAddress.parse("203.0.113.5");
    final IpAddress appliance = IpAddress.parse("198.51.100.20");

    @Test
    void writesAlwaysNeedAKey() {
        assertThat(access.needsKey(true, "/v1/decisions", loopback)).isTrue();
        assertThat(access.needsKey(true, "/v1/decisions", IpAddress.parse("::1"))).isTrue();
        assertThat(access.needsKey(true, "/v1/decisions", appliance)).isTrue();
        assertThat(Access.isWrite("POST")).isTrue();
        assertThat(Access.isWrite("DELETE")).isTrue();
        assertThat(Access.isWrite("GET")).isFalse();
    }

    @Test
    void loopbackReadsNeedNone() {
        for (String endpoint : List.of("/v1/ip", "/v1/explain", "/v1/decisions", "/v1/blocklist", "/v1/status", "/metrics", "/healthz")) {
            assertThat(access.needsKey(false, endpoint, loopback)).as(endpoint).isFalse();
            assertThat(access.needsKey(false, endpoint, IpAddress.parse("127.8.9.10"))).as(endpoint).isFalse();
            assertThat(access.needsKey(false, endpoint, IpAddress.parse("::1"))).as(endpoint).isFalse();
        }
    }

    @Test
    void otherClientsNeedAKeyForEverythingButHealthAndTheBlocklistFromEdlNetworks() {
        for (String endpoint : List.of("/v1/ip", "/v1/explain", "/v1/decisions", "/v1/status", "/metrics")) {
            assertThat(access.needsKey(false, endpoint, remote)).as(endpoint).isTrue();
            assertThat(access.needsKey(false, endpoint, appliance)).as(endpoint).isTrue();
        }
        assertThat(access.needsKey(false, "/healthz", remote)).isFalse();
        assertThat(access.needsKey(false, "/v1/blocklist", appliance)).isFalse();
        assertThat(access.needsKey(false, "/v1/blocklist", remote)).isTrue();
        assertThat(access.needsKey(false, "/v1/blocklist", null)).isTrue();
        assertThat(access.needsKey(false, "/v1/status", null)).isTrue();
    }

    @Test
    void theLoopbackCheckCoversAllOf127AndOnlyColonColon1() {
        assertThat(Access.isLoopback(IpAddress.parse("127.255.255.254"))).isTrue();
        assertThat(Access.isLoopback(IpAddress.parse("::1"))).isTrue();
        assertThat(Access.isLoopback(IpAddress.parse("::ffff:127.0.0.1"))).isTrue();
        assertThat(Access.isLoopback(IpAddress.parse("128.0.0.1"))).isFalse();
        assertThat(Access.isLoopback(IpAddress.parse("126.255.255.255"))).isFalse();
        assertThat(Access.isLoopback(IpAddress.parse("::2"))).isFalse();
        assertThat(Access.isLoopback(IpAddress.parse("::"))).isFalse();
        assertThat(Access.isLoopback(IpAddress.parse("1::1"))).isFalse();
    }

    @Test
    void thePeerAddressIsReadInEveryFormTheContainerGivesIt() {
        assertThat(Access.parseRemote("127.0.0.1")).isEqualTo(loopback);
        assertThat(Access.parseRemote("[::1]")).isEqualTo(IpAddress.parse("::1"));
        assertThat(Access.parseRemote("0:0:0:0:0:0:0:1")).isEqualTo(IpAddress.parse("::1"));
        assertThat(Access.parseRemote("[fe80::1%eth0]")).isEqualTo(IpAddress.parse("fe80::1"));
        assertThat(Access.parseRemote("fe80::1%2")).isEqualTo(IpAddress.parse("fe80::1"));
        assertThat(Access.parseRemote("::ffff:127.0.0.1")).isEqualTo(loopback);
        assertThat(Access.parseRemote("203.0.113.5")).isEqualTo(remote);
        assertThat(Access.parseRemote(null)).isNull();
        assertThat(Access.parseRemote("")).isNull();
        assertThat(Access.parseRemote("localhost")).isNull();
        assertThat(Access.parseRemote("127.0.0.1, 10.0.0.1")).isNull();
    }

    @Test
    void aKeyIsKnownByItsHashAndNamed() {
        ApiKeys keys = new ApiKeys(List.of(new ApiKey("ops", ApiKeys.sha256Hex("first-secret")),
                new ApiKey("siem", ApiKeys.sha256Hex("second-secret"))));

        assertThat(keys.nameOf("first-secret")).isEqualTo("ops");
        assertThat(keys.nameOf("second-secret")).isEqualTo("siem");
        assertThat(keys.nameOf("first-secre")).isNull();
        assertThat(keys.nameOf("")).isNull();
        assertThat(new ApiKeys(List.of()).nameOf("first-secret")).isNull();
        assertThat(ApiKeys.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
