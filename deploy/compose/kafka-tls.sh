#!/usr/bin/env bash
# The broker's TLS for deploy/compose/secure.yml, made once into the volume mounted at $1 (default
# /tls): a CA, the broker's key store (a certificate for the host names kafka and localhost, signed
# by the CA) and the clients' trust store (the CA), all PKCS12 with the password
# KAFKA_TLS_STORE_PASSWORD. Only keytool is needed. Run again, it keeps what is there.
set -euo pipefail
dir="${1:-/tls}"
pass="${KAFKA_TLS_STORE_PASSWORD:?set KAFKA_TLS_STORE_PASSWORD}"
cd "$dir"
if [ -s broker.p12 ] && [ -s truststore.p12 ]; then
  echo "TLS stores already in $dir"
  exit 0
fi
rm -f ca.p12 broker.p12 truststore.p12 broker.csr broker.crt ca.crt
keytool -genkeypair -alias ca -dname "CN=backuprelay compose CA" -keyalg RSA -keysize 3072 -validity 825 \
  -ext bc:c -storetype PKCS12 -keystore ca.p12 -storepass "$pass"
keytool -genkeypair -alias kafka -dname "CN=kafka" -keyalg RSA -keysize 3072 -validity 825 \
  -storetype PKCS12 -keystore broker.p12 -storepass "$pass"
keytool -certreq -alias kafka -keystore broker.p12 -storepass "$pass" -file broker.csr
keytool -gencert -alias ca -keystore ca.p12 -storepass "$pass" -infile broker.csr -outfile broker.crt -validity 825 \
  -ext "SAN=dns:kafka,dns:localhost" -ext "KU=digitalSignature,keyEncipherment" -ext "EKU=serverAuth,clientAuth"
keytool -exportcert -alias ca -keystore ca.p12 -storepass "$pass" -rfc -file ca.crt
keytool -importcert -noprompt -alias ca -file ca.crt -keystore broker.p12 -storepass "$pass"
keytool -importcert -alias kafka -file broker.crt -keystore broker.p12 -storepass "$pass"
keytool -importcert -noprompt -alias ca -file ca.crt -storetype PKCS12 -keystore truststore.p12 -storepass "$pass"
rm -f broker.csr broker.crt
# The CA's key stays here, readable by root only; the broker (its own user) reads its key store.
chmod 600 ca.p12
chmod 644 broker.p12 truststore.p12 ca.crt
echo "Made the CA, the broker's key store and the clients' trust store in $dir"
