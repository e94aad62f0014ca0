#!/usr/bin/env bash
# The broker's TLS for deploy/compose/secure.yml, made once with keytool:
#   $1 (default /broker-tls), for the broker alone: a CA (ca.p12) and the broker's key store
#      (broker.p12: a certificate for the host names kafka and localhost, signed by the CA), both
#      with the password KAFKA_BROKER_STORE_PASSWORD (6 characters at least, as keytool wants);
#   $2 (default /tls), for every client: the trust store (truststore.p12, the CA, password
#      KAFKA_TLS_STORE_PASSWORD) and the CA certificate (ca.crt).
# Run again, it keeps stores that its passwords open, and makes new ones otherwise.
set -euo pipefail
private=$(cd "${1:-/broker-tls}" && pwd)
shared=$(cd "${2:-/tls}" && pwd)
broker_pass="${KAFKA_BROKER_STORE_PASSWORD:?set KAFKA_BROKER_STORE_PASSWORD}"
trust_pass="${KAFKA_TLS_STORE_PASSWORD:?set KAFKA_TLS_STORE_PASSWORD}"
if keytool -list -keystore "$private/broker.p12" -storepass "$broker_pass" >/dev/null 2>&1 \
   && keytool -list -keystore "$shared/truststore.p12" -storepass "$trust_pass" >/dev/null 2>&1; then
  echo "TLS stores already in $private and $shared"
  exit 0
fi
if [ -e "$private/broker.p12" ]; then
  echo "The stores in $private and $shared do not open with the passwords given: making new ones"
fi
rm -f "$private"/ca.p12 "$private"/broker.p12 "$private"/broker.csr "$private"/broker.crt "$shared"/truststore.p12 "$shared"/ca.crt
cd "$private"
umask 077
keytool -genkeypair -alias ca -dname "CN=backuprelay compose CA" -keyalg RSA -keysize 3072 -validity 825 \
  -ext bc:c -storetype PKCS12 -keystore ca.p12 -storepass "$broker_pass"
keytool -genkeypair -alias kafka -dname "CN=kafka" -keyalg RSA -keysize 3072 -validity 825 \
  -storetype PKCS12 -keystore broker.p12 -storepass "$broker_pass"
keytool -certreq -alias kafka -keystore broker.p12 -storepass "$broker_pass" -file broker.csr
keytool -gencert -alias ca -keystore ca.p12 -storepass "$broker_pass" -infile broker.csr -outfile broker.crt -validity 825 \
  -ext "SAN=dns:kafka,dns:localhost" -ext "KU=digitalSignature,keyEncipherment" -ext "EKU=serverAuth,clientAuth"
keytool -exportcert -alias ca -keystore ca.p12 -storepass "$broker_pass" -rfc -file "$shared/ca.crt"
keytool -importcert -noprompt -alias ca -file "$shared/ca.crt" -keystore broker.p12 -storepass "$broker_pass"
keytool -importcert -alias kafka -file broker.crt -keystore broker.p12 -storepass "$broker_pass"
keytool -importcert -noprompt -alias ca -file "$shared/ca.crt" -storetype PKCS12 -keystore "$shared/truststore.p12" \
  -storepass "$trust_pass"
rm -f broker.csr broker.crt
# The broker's volume is its own; the broker runs as its own user, so it may read its key store.
chmod 600 ca.p12
chmod 644 broker.p12 "$shared/truststore.p12" "$shared/ca.crt"
echo "Made the CA and the broker's key store in $private, the clients' trust store in $shared"
