# One image per service, from the runnable jar the Maven build makes:
#   mvn -B -DskipTests package
#   docker build --build-arg SERVICE=dump-worker -t backuprelay/dump-worker .
# SERVICE is one of: scheduler, dump-worker, upload-worker, notifier, verifier, copier, console.
FROM eclipse-temurin:21-jre
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
USER backuprelay
ENV SERVICE_HOST=0.0.0.0 SERVICE_PORT=8081
EXPOSE 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]
