#!/usr/bin/env bash
# Generates throwaway TLS material for the end-to-end tests with the openssl CLI (never commit
# keys): make_test_certs.sh DIR writes, valid for 2 days, EC P-256 keys:
#   ca.pem                 the test CA's certificate (clients' tlsCAFile, ddsd's --tlsCAFile)
#   server.pem             ddsd's certificate for localhost / 127.0.0.1 (subjectAltName) + key
#   server-encrypted.pem   the same certificate with its key encrypted by the password "dds-test"
#   client.pem             a client certificate (CN=dds-test-client) + key, signed by ca.pem
#   other-ca.pem           an unrelated CA, and other-client.pem, a client certificate it signed
set -euo pipefail
DIR="${1:?usage: make_test_certs.sh DIR}"
mkdir -p "$DIR"
cd "$DIR"
DAYS=2
KEY=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

make_ca() {  # make_ca NAME CN
  openssl req -x509 "${KEY[@]}" -keyout "$1.key" -out "$1.pem" -days "$DAYS" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}

make_leaf() {  # make_leaf NAME CN CA EXTENSIONS
  openssl req "${KEY[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf '%b' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.crt" \
    -days "$DAYS" -extfile "$1.ext" 2>/dev/null
  cat "$1.crt" "$1.key" >"$1.pem"
  rm -f "$1.csr" "$1.ext"
}

make_ca ca "DDS Test CA"
make_ca other-ca "DDS Other Test CA"
make_leaf server localhost ca \
  "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
make_leaf client dds-test-client ca "extendedKeyUsage=clientAuth\n"
make_leaf other-client dds-other-client other-ca "extendedKeyUsage=clientAuth\n"
openssl pkey -in server.key -aes256 -passout pass:dds-test -out server-encrypted.key
cat server.crt server-encrypted.key >server-encrypted.pem
