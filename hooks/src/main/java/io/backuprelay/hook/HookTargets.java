package io.backuprelay.hook;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.blob.EndpointPolicy.EndpointRefusedException;
import java.net.URI;
import java.util.Locale;

/**
 * Where a channel may send: the outbound rule of storage endpoints, without their host suffixes. An origin the
 * operators listed ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}) and granted to the account, else HTTPS to a host whose
 * every address is public (never loopback, private, link-local, …); never credentials in the URL.
 */
public final class HookTargets {

    private HookTargets() {
    }

    /**
     * The outbound rule for a channel URL, checked when a channel is saved and before every request.
     *
     * @throws EndpointRefusedException naming why, before any connection
     */
    public static void check(EndpointPolicy policy, String accountId, String url) {
        if (url == null || url.isBlank()) {
            throw new EndpointRefusedException("the URL is empty");
        }
        policy.checkPublicTarget(accountId, url.strip());
    }

    /**
     * {@code scheme://host[:port]} of a URL, what the page shows of a channel (its path is the secret part).
     *
     * @throws EndpointRefusedException when it is not an absolute URL with a host
     */
    public static String origin(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new EndpointRefusedException("the URL is not a URL");
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new EndpointRefusedException("the URL names no host");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }
}
