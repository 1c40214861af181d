#!/usr/bin/env bash
# Local certificates for TLS tests and `DEMO_TLS=1 make run` (openssl only; NOT for production:
# short-lived, keys unencrypted on disk).
#
#   scripts/tls-certs.sh ca DIR NAME                  DIR/NAME.pem + DIR/NAME.key, a self-signed CA
#   scripts/tls-certs.sh server DIR CA NAME [SAN...]  a server certificate signed by DIR/CA.pem
#                                                     (SANs default: DNS:localhost IP:127.0.0.1)
#   scripts/tls-certs.sh client DIR CA NAME           a client certificate (CN=NAME) for mTLS
#
# Each file is written to a temporary name first and renamed into place, so a server that
# re-reads its files never sees half of one.
set -euo pipefail

die() {
  echo "tls-certs: $*" >&2
  exit 2
}

command -v openssl >/dev/null || die "openssl is not installed"
(($# >= 3)) || die "usage: $0 ca DIR NAME | server DIR CA NAME [SAN...] | client DIR CA NAME"
kind=$1 dir=$2
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.tls-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# new_key FILE: a P-256 private key (PKCS#8 PEM).
new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

case "$kind" in
  ca)
    name=$3
    new_key "$tmp/$name.key"
    openssl req -x509 -new -key "$tmp/$name.key" -subj "/CN=$name" -days 30 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$tmp/$name.pem" 2>/dev/null || die "cannot create CA $name"
    ;;
  server | client)
    (($# >= 4)) || die "$kind needs DIR CA NAME"
    ca=$3 name=$4
    shift 4
    [[ -r "$dir/$ca.pem" && -r "$dir/$ca.key" ]] || die "no CA $dir/$ca.pem / $dir/$ca.key"
    if [[ $kind == server ]]; then
      sans=("$@")
      ((${#sans[@]} > 0)) || sans=(DNS:localhost IP:127.0.0.1)
      san=$(IFS=,; echo "${sans[*]}")
      printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$tmp/ext"
    else
      printf 'extendedKeyUsage=clientAuth\n' >"$tmp/ext"
    fi
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >>"$tmp/ext"
    new_key "$tmp/$name.key"
    openssl req -new -key "$tmp/$name.key" -subj "/CN=$name" -out "$tmp/$name.csr" 2>/dev/null
    openssl x509 -req -in "$tmp/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days 30 -sha256 -extfile "$tmp/ext" \
      -out "$tmp/$name.pem" 2>/dev/null || die "cannot sign $name with $ca"
    ;;
  *) die "unknown kind '$kind' (ca, server or client)" ;;
esac
chmod 600 "$tmp/$name.key"
mv -f "$tmp/$name.key" "$dir/$name.key"
mv -f "$tmp/$name.pem" "$dir/$name.pem"
