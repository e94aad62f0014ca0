package io.backuprelay.blob;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.CompactedTopicView;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.function.Supplier;

/**
 * Where this service may send a connection's requests, checked before every client is handed out
 * (upload, retention, probe, drill, restore) and when a connection is saved, so a tenant cannot
 * aim the platform at its own network. An endpoint is allowed when it is:
 * <ul>
 *   <li>an origin the operator listed ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}, e.g. {@code
 *       http://127.0.0.1:10000} for an emulator): exactly that scheme, host and port, whatever its
 *       addresses;</li>
 *   <li>or HTTPS to a host under an allowed suffix: Azure's public and sovereign blob suffixes, and
 *       the suffixes the operator listed (entries starting with a dot), whose every address, once
 *       resolved, is public: never loopback, private, link-local, unique-local, carrier-grade NAT,
 *       multicast or unspecified.</li>
 * </ul>
 * No connection is made to decide: only a DNS lookup, when a connection is saved and again, by the
 * storage clients' own resolver, whenever they connect. A test allows its emulator's origin with
 * {@link #allowing} or {@link #alsoAllowing}: such an origin needs no grant.
 *
 * <p>What the operator listed is only what may be granted: an account's connection may use a listed
 * origin or suffix only when the account's record ({@code Account.storageOrigins}, set on the
 * operators' API) grants that very entry. Azure's own suffixes need no grant: each tenant reaches
 * its own storage account with its own key.
 *
 * <p>A value: each service builds its own from its settings ({@link #from}) and binds the grants of
 * its view of the accounts ({@link #withGrantsFrom}), then passes it to what hands out storage
 * clients ({@link BlobAccess}). Nothing here is shared by the services of one process.
 */
public final class EndpointPolicy {

    public static final List<String> AZURE_SUFFIXES = List.of(".blob.core.windows.net", ".blob.core.chinacloudapi.cn",
            ".blob.core.usgovcloudapi.net", ".blob.storage.azure.net");
    /** AWS's public hosts, where an S3 connection goes by default ({@code https://s3.{region}.amazonaws.com}). */
    public static final List<String> AWS_SUFFIXES = List.of(".amazonaws.com", ".amazonaws.com.cn");
    /** The public clouds' hosts: HTTPS to a public address there needs no operator's entry nor grant. */
    static final List<String> CLOUD_SUFFIXES = List.copyOf(Stream.concat(AZURE_SUFFIXES.stream(),
            AWS_SUFFIXES.stream()).toList());
    static final String VARIABLE = CommonSettings.ALLOWED_ENDPOINTS.name();

    private final Set<Origin> origins;
    private final List<String> suffixes;
    /** The suffixes the operators listed, beyond Azure's: entries an account must be granted. */
    private final List<String> operatorSuffixes;
    /** Origins allowed without a grant (a test's emulator), as {@link #allowing} lists them. */
    private final Set<Origin> openOrigins;
    /** The entries granted to an account; null when this policy has no view of the grants. */
    private final Function<String, List<String>> grants;

    private record Origin(String scheme, String host, int port) {
        @Override
        public String toString() {
            return scheme + "://" + host + ":" + port;
        }
    }

    private EndpointPolicy(List<String> entries) {
        Set<Origin> origins = new HashSet<>();
        List<String> suffixes = new ArrayList<>(CLOUD_SUFFIXES);
        for (String raw : entries) {
            String entry = raw.strip().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.startsWith(".")) {
                suffixes.add(entry);
                continue;
            }
            URI uri;
            try {
                uri = URI.create(entry);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(VARIABLE, "has an entry that is not a URL: '" + raw + "'");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(VARIABLE, "entries are origins such as http://127.0.0.1:10000 or host suffixes"
                        + " such as .blob.example.net, is '" + raw + "'");
            }
            origins.add(origin(uri));
        }
        this.origins = Set.copyOf(origins);
        this.suffixes = List.copyOf(suffixes);
        this.operatorSuffixes = suffixes.stream().filter(suffix -> !CLOUD_SUFFIXES.contains(suffix)).toList();
        this.openOrigins = Set.of();
        this.grants = null;
    }

    private EndpointPolicy(EndpointPolicy policy, Set<Origin> openOrigins, Function<String, List<String>> grants) {
        this.origins = policy.origins;
        this.suffixes = policy.suffixes;
        this.operatorSuffixes = policy.operatorSuffixes;
        this.openOrigins = Set.copyOf(openOrigins);
        this.grants = grants;
    }

    /** Azure's suffixes, and what {@code BACKUPRELAY_ALLOWED_ENDPOINTS} adds (comma-separated). */
    public static EndpointPolicy from(ConfigSource config) {
        return new EndpointPolicy(split(CommonSettings.ALLOWED_ENDPOINTS.read(config)));
    }

    /**
     * Azure's hosts, and {@code origins} (e.g. a test's emulator, {@code http://127.0.0.1:41234}),
     * which need no grant and whose addresses are not checked.
     */
    public static EndpointPolicy allowing(String... origins) {
        return new EndpointPolicy(List.of()).alsoAllowing(origins);
    }

    /** This policy, and {@code origins} as {@link #allowing} allows them. */
    public EndpointPolicy alsoAllowing(String... origins) {
        Set<Origin> open = new HashSet<>(openOrigins);
        for (String entry : origins) {
            try {
                URI uri = URI.create(entry.strip().toLowerCase(Locale.ROOT));
                if (uri.getHost() != null) {
                    open.add(origin(uri));
                }
            } catch (IllegalArgumentException ignored) {
                // not an origin
            }
        }
        return new EndpointPolicy(this, open, grants);
    }

    /**
     * This policy, reading the entries each account was granted from {@code grants} (null when the
     * account has none). A policy without grants refuses every endpoint that needs one.
     */
    public EndpointPolicy withGrants(Function<String, List<String>> grants) {
        return new EndpointPolicy(this, openOrigins, grants);
    }

    /**
     * This policy, reading the grants from a service's view of {@code backup.accounts}, as it stands,
     * caught up with the topic when the account is not in it yet.
     */
    public EndpointPolicy withGrantsFrom(CompactedTopicView<Account> accounts) {
        return withGrants(id -> accounts.current(id).or(() -> accounts.get(id))
                .map(Account::storageOrigins).orElse(List.of()));
    }

    /** The entries granted to the account, or null when this policy has no view of the grants. */
    private List<String> grantsOf(String accountId) {
        return grants == null ? null : grants.apply(accountId);
    }

    /**
     * The whole rule, for a connection being saved: the target, and the addresses its host has now.
     *
     * @throws EndpointRefusedException naming why, before any request is sent
     */
    public void check(String endpoint) {
        Origin origin = origin(endpoint);
        if (!listed(origin)) {
            requireAllowedTarget(origin);
            PublicAddresses.requirePublic(origin.host(), PublicAddresses.lookup(origin.host()));
        }
    }

    /**
     * {@link #check}, and for an endpoint that only an operator's entry lets through, that the account
     * was granted that entry.
     *
     * @param granted the entries the account's record grants
     */
    public void check(String endpoint, Collection<String> granted) {
        check(endpoint);
        requireGranted(endpoint, granted);
    }

    /** {@link #checkTarget}, and the account's grant, as {@link #check(String, java.util.Collection)}. */
    public void checkTarget(String endpoint, Collection<String> granted) {
        checkTarget(endpoint);
        requireGranted(endpoint, granted);
    }

    private void requireGranted(String endpoint, Collection<String> granted) {
        requireGranted(endpoint, () -> granted);
    }

    /**
     * {@link #checkTarget}, and, only when an operator's entry is what lets the endpoint through, that
     * the account was granted one of the entries that do (its grants are looked up then, not before).
     */
    public void checkTargetFor(String accountId, String endpoint) {
        checkTarget(endpoint);
        requireGranted(endpoint, () -> grantsOf(accountId));
    }

    private void requireGranted(String endpoint, Supplier<Collection<String>> grants) {
        List<String> entries = entriesFor(endpoint);
        if (entries.isEmpty()) {
            return;
        }
        Collection<String> granted = grants.get();
        boolean any = granted != null && granted.stream().anyMatch(g -> entries.stream().anyMatch(e -> e.equalsIgnoreCase(g.strip())));
        if (!any) {
            String entry = entries.getFirst();
            throw new EndpointRefusedException("the endpoint's " + (entry.startsWith(".") ? "suffix '" : "origin '")
                    + entry + "' was not granted to this account; an operator grants it on the account's record");
        }
    }

    /**
     * The operator's entry that lets {@code endpoint} through, which an account must be granted to use
     * it; empty for Azure's own hosts and the origins allowed without a grant ({@link #allowing}), which need none.
     */
    public Optional<String> grantNeeded(String endpoint) {
        return entriesFor(endpoint).stream().findFirst();
    }

    /**
     * Every operator's entry that lets {@code endpoint} through: its origin, and the suffixes it ends
     * with. None for the origins allowed without a grant, nor for an Azure host that is not itself a listed origin.
     */
    private List<String> entriesFor(String endpoint) {
        Origin origin = origin(endpoint);
        if (openOrigins.contains(origin)) {
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        if (origins.contains(origin)) {
            entries.add(origin.toString());
        } else if (CLOUD_SUFFIXES.stream().anyMatch(suffix -> origin.host().endsWith(suffix))) {
            return List.of(); // an Azure or AWS host needs no grant, whatever else the operator listed
        }
        operatorSuffixes.stream()
                .filter(suffix -> origin.host().endsWith(suffix) && origin.host().length() > suffix.length())
                .forEach(entries::add);
        return entries;
    }

    /**
     * An entry an operator may grant an account, as it is kept on the account's record: one of the
     * origins or suffixes of {@code BACKUPRELAY_ALLOWED_ENDPOINTS}.
     *
     * @throws IllegalArgumentException naming the entry and what may be granted
     */
    public String grantable(String entry) {
        String trimmed = entry == null ? "" : entry.strip().toLowerCase(Locale.ROOT);
        if (trimmed.startsWith(".") && operatorSuffixes.contains(trimmed)) {
            return trimmed;
        }
        if (!trimmed.startsWith(".")) {
            try {
                URI uri = URI.create(trimmed);
                if (uri.getScheme() != null && uri.getHost() != null && origins.contains(origin(uri))) {
                    return origin(uri).toString();
                }
            } catch (IllegalArgumentException e) {
                // named below
            }
        }
        List<String> listed = new ArrayList<>(origins.stream().map(Origin::toString).sorted().toList());
        listed.addAll(operatorSuffixes);
        throw new IllegalArgumentException("'" + entry + "' is not among the entries of " + VARIABLE
                + " that may be granted" + (listed.isEmpty() ? " (it lists none)" : ": " + String.join(", ", listed)));
    }

    /**
     * The rule for a URL that is not storage, such as a notification channel's: an origin allowed without a
     * grant ({@link #allowing}), or one the operators listed and granted to the account; else HTTPS to a host
     * whose every address is public, under any suffix (unlike storage, whose hosts are the clouds' or listed).
     * The host is looked up now; a client connecting later resolves through {@link #resolve} again.
     *
     * @throws EndpointRefusedException naming why, before any connection
     */
    public void checkPublicTarget(String accountId, String endpoint) {
        Origin origin = origin(endpoint);
        if (openOrigins.contains(origin)) {
            return;
        }
        if (origins.contains(origin)) {
            requireGranted(endpoint, () -> grantsOf(accountId));
            return;
        }
        if (!"https".equals(origin.scheme())) {
            throw new EndpointRefusedException("the URL must use HTTPS (an operator may allow another origin)");
        }
        PublicAddresses.requirePublic(origin.host(), PublicAddresses.lookup(origin.host()));
    }

    /**
     * The rule without a DNS lookup (scheme, host, listed origins), checked each time a storage
     * client is handed out; the addresses are checked by the client's own resolver when it connects
     * ({@link #resolve}), so a lookup here would only repeat that one.
     *
     * @throws EndpointRefusedException naming why, before any request is sent
     */
    public void checkTarget(String endpoint) {
        Origin origin = origin(endpoint);
        if (!listed(origin)) {
            requireAllowedTarget(origin);
        }
    }

    /**
     * The addresses of {@code host} this service may connect to: all of them for a host the
     * operators listed as an origin, else only if every one is public. The storage clients resolve
     * through this ({@link CheckedResolverGroup}), at connection time.
     *
     * @throws EndpointRefusedException when the host resolves to a non-public address, or not at all
     */
    public List<InetAddress> resolve(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        List<InetAddress> addresses = PublicAddresses.lookup(host);
        if (origins.stream().noneMatch(o -> o.host().equals(lower)) && openOrigins.stream().noneMatch(o -> o.host().equals(lower))) {
            PublicAddresses.requirePublic(host, addresses);
        }
        return addresses;
    }

    private Origin origin(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new EndpointRefusedException("the endpoint is not a URL");
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new EndpointRefusedException("the endpoint names no host");
        }
        if (uri.getUserInfo() != null) {
            throw new EndpointRefusedException("the endpoint must not carry credentials");
        }
        return origin(uri);
    }

    private boolean listed(Origin origin) {
        return origins.contains(origin) || openOrigins.contains(origin);
    }

    private void requireAllowedTarget(Origin origin) {
        if (!"https".equals(origin.scheme())) {
            throw new EndpointRefusedException("the endpoint must use HTTPS");
        }
        String host = origin.host();
        if (suffixes.stream().noneMatch(suffix -> host.endsWith(suffix) && host.length() > suffix.length())) {
            throw new EndpointRefusedException("the endpoint's host '" + host + "' is not an Azure Blob Storage or AWS S3 host"
                    + " (…" + String.join(", …", CLOUD_SUFFIXES) + ") nor one the operators allowed");
        }
    }

    private static Origin origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        return new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
    }

    private static List<String> split(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.split(","));
    }

    /** An endpoint this service will not send requests to, and why. */
    public static final class EndpointRefusedException extends RuntimeException {

        public EndpointRefusedException(String reason) {
            super(reason);
        }
    }
}
