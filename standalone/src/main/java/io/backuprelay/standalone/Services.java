package io.backuprelay.standalone;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.console.ConsoleService;
import io.backuprelay.copy.CopierService;
import io.backuprelay.dump.DumpWorkerService;
import io.backuprelay.notify.NotifierService;
import io.backuprelay.scheduler.SchedulerService;
import io.backuprelay.upload.UploadWorkerService;
import io.backuprelay.verify.VerifierService;
import java.util.List;
import java.util.function.UnaryOperator;

/** Every service of backuprelay, in the order the standalone mode starts them; each is also a runnable jar. */
public final class Services {

    /** The services; the console last, once the workers that carry out what it is asked are running. */
    public static final List<ServiceDefinition> ALL = all(UnaryOperator.identity());

    private Services() {
    }

    /**
     * The services, each reaching storage where {@code endpoints} makes of the policy its own settings
     * declare (a test allows its emulator); each service still builds and binds its own.
     */
    public static List<ServiceDefinition> all(UnaryOperator<EndpointPolicy> endpoints) {
        return List.of(new SchedulerService(), new DumpWorkerService(), new UploadWorkerService(endpoints),
                new NotifierService(endpoints), new VerifierService(endpoints), new CopierService(endpoints),
                new ConsoleService(endpoints));
    }

    /** The service of that name. */
    public static ServiceDefinition named(String name) {
        return ALL.stream().filter(service -> service.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No service is named '" + name + "'"));
    }
}
