#!/bin/sh
# Remakes the test certificates of tests/data/tls (see README.md). Run once; the results are
# committed, so the tests never need openssl.
set -eu
cd "$(dirname "$0")"
days=36500   # about a century: valid until 2126 (the expired one excepted)

# A test CA.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days $days \
  -subj "/CN=Zhurnal test CA" -keyout ca-key.pem -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# One key for the service certificates below.
openssl genrsa -out server-key.pem 2048

# sign NAME CN SAN [OPTIONS…]: NAME.pem for CN and SAN, signed by the test CA.
sign () {
  name=$1 cn=$2 san=$3
  shift 3
  openssl req -new -key server-key.pem -subj "/CN=$cn" -out "$name.csr"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" \
    >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -sha256 \
    -extfile "$name.ext" -out "$name.pem" "$@"
  rm -f "$name.csr" "$name.ext"
}

# The service on loopback, signed by the test CA.
sign server 127.0.0.1 'IP:127.0.0.1,DNS:localhost' -days $days
# Signed by the test CA, but for another host.
sign other-host journal.example.org 'DNS:journal.example.org' -days $days
# Signed by the test CA, valid for one day in 2020 only (`openssl ca` takes both dates; `openssl
# x509` of OpenSSL 3.0 does not).
mkdir -p ca.d
: >ca.d/index.txt
cat >ca.d/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca.d/index.txt
new_certs_dir = ca.d
serial = ca.d/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
subjectAltName = IP:127.0.0.1,DNS:localhost
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
CNF
echo 1000 >ca.d/serial
openssl req -new -key server-key.pem -subj "/CN=127.0.0.1" -out ca.d/expired.csr
openssl ca -batch -config ca.d/ca.cnf -cert ca.pem -keyfile ca-key.pem -notext \
  -startdate 20200101000000Z -enddate 20200102000000Z -in ca.d/expired.csr -out expired.pem
rm -rf ca.d

# Self-signed, for loopback: right host, but nobody vouches for it.
openssl req -x509 -key server-key.pem -sha256 -days $days -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -out self-signed.pem

rm -f ca.srl
