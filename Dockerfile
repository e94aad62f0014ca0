# One image per service, from the runnable jar the Maven build makes:
#   mvn -B -DskipTests package
#   docker build --build-arg SERVICE=dump-worker -t backuprelay/dump-worker .
# SERVICE is one of: scheduler, dump-worker, upload-worker, notifier, verifier, copier, console.
# JRE 25 (the code is built for 21): the scheduler's image carries an AOT cache (JEP 483/514/515), which needs it.
FROM eclipse-temurin:25-jre
ARG SERVICE
# The dump worker runs the engines' own dump tools: pg_dump (Debian installs each major under
# /usr/lib/postgresql/<major>/bin, where the worker looks) and mariadb-dump; the verifier restores
# with pg_restore and mariadb.
RUN if [ "$SERVICE" = "dump-worker" ] || [ "$SERVICE" = "verifier" ]; then \
      apt-get update && apt-get install -y --no-install-recommends postgresql-client mariadb-client \
      && rm -rf /var/lib/apt/lists/*; \
    fi
RUN useradd --system --uid 10001 backuprelay && mkdir -p /staging /state && chown backuprelay /staging /state
WORKDIR /app
COPY ${SERVICE}/target/lib/ lib/
COPY ${SERVICE}/target/backuprelay-${SERVICE}-*-runnable.jar app.jar
# The JVM's options (deploy/jvm/service.options, read by `java @jvm.options`): the serial collector, a heap that starts at
# 16 MB and grows only as far as the service needs (at most 75% of the container's memory), and gives back what a full
# collection frees; glibc keeps two malloc arenas instead of eight a core. Why, and what each bought: docs/operations.md.
COPY deploy/jvm/service.options jvm.options
ENV MALLOC_ARENA_MAX=2
# The scheduler's image also gets an AOT cache from a training run
# (SchedulerTraining: its topology on synthetic accounts, in Kafka Streams' test driver, about 20 s): the classes of
# its tick load and link from the cache and its methods start with the training's profiles, so the first round of
# due accounts after a start does not meet a cold JVM (docs/benchmarks.md). Without the cache it runs as before.
# The training's -Xmx1g keeps compressed oops on however large the build host: a cache made without them is refused.
RUN if [ "$SERVICE" = "scheduler" ]; then \
      java @jvm.options -Xmx1g -XX:AOTCacheOutput=app.aot -cp app.jar io.backuprelay.scheduler.SchedulerTraining \
      && echo "-XX:AOTCache=app.aot" >> jvm.options; \
    fi
USER backuprelay
ENV SERVICE_HOST=0.0.0.0 SERVICE_PORT=8081
EXPOSE 8081
ENTRYPOINT ["java", "@jvm.options", "-jar", "app.jar"]
