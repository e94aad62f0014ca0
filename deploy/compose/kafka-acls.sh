#!/usr/bin/env bash
# For deploy/compose/secure.yml: creates the topics and grants each service's principal exactly what
# docs/kafka.md lists. It runs the very command lines of that file's "Topics" and "ACLs" sections
# (as SecuredClusterIT does), with the one broker's replication factor.
set -euo pipefail
B="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
P="${BACKUPRELAY_TOPIC_PREFIX:-}"
REPLICATION="${BACKUPRELAY_TOPIC_REPLICATION:-1}"
docs="${1:-/docs/kafka.md}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
umask 077
cat > admin.properties <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${KAFKA_PASSWORD_ADMIN:?set KAFKA_PASSWORD_ADMIN}";
ssl.truststore.location=${KAFKA_TLS_DIR:-/tls}/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=${KAFKA_TLS_STORE_PASSWORD:?set KAFKA_TLS_STORE_PASSWORD}
PROPERTIES

kafka-topics() {
  local args=() previous=""
  for arg in "$@"; do
    if [ "$previous" = "--replication-factor" ]; then arg="$REPLICATION"; fi
    args+=("$arg")
    previous="$arg"
  done
  "${KAFKA_HOME:-/opt/kafka}/bin/kafka-topics.sh" "${args[@]}" --if-not-exists
}
kafka-acls() {
  "${KAFKA_HOME:-/opt/kafka}/bin/kafka-acls.sh" "$@"
}

# The shell blocks of a section of docs/kafka.md, from its heading to the next one of its level.
section() {
  awk -v heading="## $1" '
    $0 == heading { inside = 1; next }
    inside && /^## / { inside = 0 }
    inside && /^```sh/ { code = 1; next }
    inside && /^```/ { code = 0; next }
    inside && code' "$docs"
}
# The file's own P="" stands for the prefix; here it is this environment's.
section Topics | grep -v '^P=' > topics.sh
section ACLs | grep -v '^P=' > acls.sh
[ -s topics.sh ] && [ -s acls.sh ] || { echo "No Topics or ACLs commands found in $docs" >&2; exit 1; }
# shellcheck disable=SC1091
. ./topics.sh
# shellcheck disable=SC1091
. ./acls.sh
echo "Topics created and each service's grants given, as $docs lists them"
