package io.backuprelay.copy;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.time.Duration;

/**
 * The copier's settings, read once.
 *
 * @param concurrency copies at once in this instance ({@code COPY_CONCURRENCY}); one per partition, so one
 *                    account never has two copies running
 * @param retry       how a copy that fails for a passing reason is tried again
 * @param maxAge      older backups are not copied ({@code COPY_MAX_AGE})
 * @param endpoints   where the connections may be reached ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}), before the
 *                    accounts' grants are bound; Azure's hosts (and AWS's) only when not given
 */
public record CopierConfig(int concurrency, Retry retry, Duration maxAge, EndpointPolicy endpoints) {

    public static final String GROUP_ID = "backuprelay-copier";

    /**
     * @param initial the first wait ({@code COPY_RETRY_INITIAL}), doubling up to {@code max} ({@code COPY_RETRY_MAX})
     * @param budget  no try starts after this long since the first failed one ({@code COPY_RETRY_BUDGET})
     */
    public record Retry(Duration initial, Duration max, Duration budget) {

        public Retry {
            if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
                throw new ConfigException(CopierSettings.RETRY_INITIAL.name(), "must be positive and at most "
                        + CopierSettings.RETRY_MAX.name());
            }
        }

        /** The wait after failed try {@code attempt} (1 or more). */
        public Duration delayAfter(int attempt) {
            Duration delay = initial.multipliedBy(1L << Math.min(attempt - 1, 20));
            return delay.compareTo(max) > 0 ? max : delay;
        }
    }

    public static CopierConfig from(ConfigSource config) {
        return new CopierConfig(CopierSettings.CONCURRENCY.read(config),
                new Retry(CopierSettings.RETRY_INITIAL.read(config), CopierSettings.RETRY_MAX.read(config),
                        CopierSettings.RETRY_BUDGET.read(config)),
                CopierSettings.MAX_AGE.read(config), EndpointPolicy.from(config));
    }

    /** The same, reaching storage where {@code policy} allows. */
    public CopierConfig withEndpoints(EndpointPolicy policy) {
        return new CopierConfig(concurrency, retry, maxAge, policy);
    }
}
