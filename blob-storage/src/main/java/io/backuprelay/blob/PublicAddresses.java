package io.backuprelay.blob;

import io.backuprelay.blob.EndpointPolicy.EndpointRefusedException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Which addresses may be reached on a tenant's behalf: never loopback, private, link-local,
 * unique-local, carrier-grade NAT, multicast, unspecified, documentation ranges, Azure's
 * WireServer, nor an IPv4 address of those carried inside an IPv6 form.
 */
final class PublicAddresses {

    private PublicAddresses() {
    }

    static List<InetAddress> lookup(String host) {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new EndpointRefusedException("the endpoint's host '" + host + "' does not resolve");
        }
    }

    static void requirePublic(String host, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new EndpointRefusedException("the endpoint's host '" + host + "' resolves to a non-public address");
            }
        }
    }

    /** Azure's WireServer, reachable from every Azure VM: it must never be reached on a tenant's behalf. */
    private static final byte[] WIRESERVER = {(byte) 168, 63, (byte) 129, 16};

    /** Whether an address may be reached on a tenant's behalf. */
    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0 || first == 100 && second >= 64 && second < 128 // carrier-grade NAT
                    || first == 192 && second == 0 && (b[2] & 0xff) == 0 || first >= 240
                    || first == 198 && (second == 18 || second == 19)
                    || Arrays.equals(b, WIRESERVER));
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (zeros(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff // ::ffff:a.b.c.d, mapped
                    || zeros(b, 0, 12) // ::a.b.c.d, IPv4-compatible
                    || first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                    && zeros(b, 4, 12)) { // 64:ff9b::/96, NAT64 of an IPv4 address
                return embedded(b, 12);
            }
            if (first == 0x20 && second == 0x02) { // 2002::/16, 6to4: the IPv4 address follows
                return embedded(b, 2);
            }
            if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b // 64:ff9b:1::/48, local NAT64
                    || first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0 // 2001::/32, Teredo
                    || first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) { // documentation
                return false;
            }
            return (first & 0xfe) != 0xfc; // fc00::/7, unique local
        }
        return false;
    }

    private static boolean zeros(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The IPv4 address an IPv6 form carries at {@code offset}, judged as itself. */
    private static boolean embedded(byte[] b, int offset) {
        try {
            return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, offset, offset + 4)));
        } catch (UnknownHostException e) {
            return false;
        }
    }

}
