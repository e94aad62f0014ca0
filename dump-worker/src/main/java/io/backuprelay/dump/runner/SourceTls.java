package io.backuprelay.dump.runner;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.account.TlsMode;
import io.backuprelay.common.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLException;

/**
 * An account's TLS mode ({@link TlsMode}) as each client of the source database takes it: pgjdbc
 * and libpq ({@code pg_dump}) for PostgreSQL, Connector/J and {@code mariadb-dump} for MariaDB.
 * {@code VERIFY_FULL} checks the server's certificate against the CA bundle of
 * {@code SOURCE_TLS_CA_FILE} (by default the system's, {@value #DEFAULT_CA_FILE}), read once into
 * the dump worker's config and handed to its runners.
 *
 * @param caFile the CA bundle {@code VERIFY_FULL} trusts
 */
public record SourceTls(Path caFile) {

    static final String DEFAULT_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";
    public static final Setting<Path> CA_FILE = Setting.path("SOURCE_TLS_CA_FILE", Path.of(DEFAULT_CA_FILE),
            "the CA bundle VERIFY_FULL trusts");
    static final String VARIABLE = CA_FILE.name();
    /** The system's CA bundle: what {@code SOURCE_TLS_CA_FILE} is when it is not set. */
    public static final SourceTls SYSTEM_CAS = new SourceTls(CA_FILE.fallback());

    public SourceTls {
        Objects.requireNonNull(caFile, "caFile");
    }

    private Path requiredCaFile() throws DumpFailedException {
        if (!Files.isReadable(caFile)) {
            throw new DumpFailedException("The account's database connection must verify the server's certificate"
                    + " (TLS mode VERIFY_FULL), but the CA bundle " + caFile + " (" + VARIABLE + ") cannot be read on the"
                    + " backup worker.");
        }
        return caFile;
    }

    /** pgjdbc's connection properties. */
    public void postgres(Properties props, TlsMode mode) throws DumpFailedException {
        props.setProperty("sslmode", mode.libpq());
        if (mode == TlsMode.VERIFY_FULL) {
            props.setProperty("sslrootcert", requiredCaFile().toString());
        }
    }

    /** libpq's environment, for {@code pg_dump}. */
    public Map<String, String> libpq(TlsMode mode) throws DumpFailedException {
        return mode == TlsMode.VERIFY_FULL
                ? Map.of("PGSSLMODE", mode.libpq(), "PGSSLROOTCERT", requiredCaFile().toString())
                : Map.of("PGSSLMODE", mode.libpq());
    }

    /**
     * Connector/J's connection properties. It has no "prefer": {@code PREFER} asks for TLS without
     * checking the certificate, and the caller tries again without TLS when the server has none.
     */
    public void mariadb(Properties props, TlsMode mode) throws DumpFailedException {
        switch (mode) {
            case DISABLE -> props.setProperty("sslMode", "disable");
            case PREFER, REQUIRE -> props.setProperty("sslMode", "trust");
            case VERIFY_FULL -> {
                props.setProperty("sslMode", "verify-full");
                props.setProperty("serverSslCert", requiredCaFile().toString());
            }
        }
    }

    /** Whether Connector/J refused because the server offers no TLS (then {@code PREFER} goes on without). */
    public static boolean serverHasNoTls(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("ssl not enabled in the server") || message.contains("server does not support ssl")) {
                return true;
            }
        }
        return false;
    }

    /** What went wrong with TLS, in plain words; empty when the failure is not about TLS. */
    public Optional<String> problem(SourceDatabase source, SQLException e) {
        String server = "The database server " + source.host() + ":" + source.port();
        if (serverHasNoTls(e)) {
            return Optional.of(server + " does not offer TLS, which this account's TLS mode (" + source.tls()
                    + ") insists on: switch TLS on at the server, or, on a network you trust, set the account's source"
                    + " TLS mode to DISABLE.");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage());
            if (source.tls() != TlsMode.DISABLE
                    && (t instanceof SSLException || t instanceof CertificateException
                    || t instanceof GeneralSecurityException || text.contains("PKIX"))) {
                return Optional.of(server + "'s certificate could not be verified against the CA bundle "
                        + caFile + " (" + VARIABLE + ", TLS mode " + source.tls() + "): "
                        + text.lines().findFirst().orElse(text) + ". Give " + VARIABLE + " the CA that signed it, and"
                        + " check that the certificate names the host the account gives.");
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code [client]} lines of {@code mariadb-dump}'s options file. Its client (10.11) can insist
     * on TLS only while verifying the certificate: with {@code REQUIRE} it asks for TLS, and the
     * probe's connection just before, which does insist, has found the server offering it.
     */
    public List<String> mariadbOptions(TlsMode mode) throws DumpFailedException {
        return switch (mode) {
            case DISABLE -> List.of("skip-ssl");
            case PREFER, REQUIRE -> List.of("ssl");
            case VERIFY_FULL -> List.of("ssl", "ssl-ca=" + requiredCaFile(), "ssl-verify-server-cert");
        };
    }
}
