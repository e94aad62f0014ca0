package io.backuprelay.notify;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.notify.mail.MailSettings;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The notifier, as a runnable jar and the standalone mode start it. */
public final class NotifierService implements ServiceDefinition {

    private static final Logger log = LoggerFactory.getLogger(NotifierService.class);

    private final UnaryOperator<EndpointPolicy> endpoints;

    public NotifierService() {
        this(UnaryOperator.identity());
    }

    /** @param endpoints what the policy its settings declare becomes (a test allows its emulator) */
    public NotifierService(UnaryOperator<EndpointPolicy> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String name() {
        return "notifier";
    }

    @Override
    public void check(ConfigSource config) {
        MailSettings.from(config);
        NotifierConfig.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return NotifierSettings.ALL;
    }

    @Override
    public NotifierWorker start(ServiceContext context) throws Exception {
        MailSettings mail = MailSettings.from(context.config());
        log.info("Mail: {}", mail);
        NotifierConfig config = NotifierConfig.from(context.config());
        // The download links it signs: for endpoints the policy allows, and the account was granted.
        NotifierWorker worker = new NotifierWorker(context.kafka(), mail, config.withEndpoints(endpoints.apply(config.endpoints())),
                context.sealer(), context.clock());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
