#!/usr/bin/env bash
# Builds the stagegate container image without a container daemon: an OCI image layout
# (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md) holding one layer
# with the stagegate binary, exactly the shared libraries `ldd` says it loads (and the dynamic
# loader), CA certificates, a non-root user (65532, as distroless images use) and nothing else:
# no shell, no package manager. The layer is reproducible: sorted entries, fixed owners and
# SOURCE_DATE_EPOCH (default: the last commit's time) as every mtime.
#
#   scripts/build-image.sh [--binary target/release/stagegate] [--output target/image]
#                          [--tag VERSION] [--version V] [--revision SHA] [--source URL]
#                          [--sbom FILE]
#
# Then push it with any OCI tool, e.g. `skopeo copy --preserve-digests oci:target/image:TAG
# docker://REGISTRY/stagegate:TAG`, and pin the printed digest (deploy/README.md).
# Prints the manifest digest (`sha256:...`) on standard output; the rest goes to stderr.
# Needs: bash, coreutils, tar (GNU), gzip, ldd (glibc), and for --sbom dpkg-query.
set -euo pipefail

die() { echo "build-image: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
binary="$root/target/release/stagegate"
output="$root/target/image"
version=""
revision=""
source_url="https://github.com/stagegate/stagegate"
tag=""
sbom=""
ca_bundle="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --revision) revision=$2; shift 2 ;;
    --source) source_url=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --sbom) sbom=$2; shift 2 ;;
    --ca-bundle) ca_bundle=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \`$1\` (see --help)" ;;
  esac
done

[ -x "$binary" ] || die "\`$binary\` is not an executable (build it: cargo build --release --locked)"
[ -f "$ca_bundle" ] || die "no CA bundle at \`$ca_bundle\` (apt-get install ca-certificates, or --ca-bundle FILE)"
if [ -z "$version" ]; then
  version=$("$binary" --version | awk '{print $2}')
fi
if [ -z "$revision" ]; then
  revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
fi
tag=${tag:-$version}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
# Everything below goes into JSON written by hand: refuse what would need escaping.
for value in "$version" "$revision" "$source_url" "$tag"; do
  case "$value" in *[\"\\]*|*[[:cntrl:]]*) die "\`$value\` holds a character JSON would need escaped" ;; esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,tmp,home/nonroot}
chmod 1777 "$rootfs/tmp"

install -m 0755 "$binary" "$rootfs/usr/local/bin/stagegate"

# Shared libraries, at the paths the dynamic loader looks them up by (symlinks resolved).
libraries=()
while read -r line; do
  case "$line" in
    *"=> not found"*) die "\`$binary\` needs a library that is not installed: $line" ;;
    *"=> /"*) path=${line#*=> }; path=${path%% (*} ;;
    /*) path=${line%% (*} ;;
    *) continue ;; # linux-vdso.so.1 and the like live in the kernel
  esac
  libraries+=("$path")
done < <(ldd "$binary")
[ ${#libraries[@]} -gt 0 ] || die "\`ldd $binary\` listed no libraries: is it dynamically linked against glibc?"
for path in "${libraries[@]}"; do
  mkdir -p "$rootfs$(dirname "$path")"
  cp -L "$path" "$rootfs$path"
done

cp -L "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nonroot:x:65532:
EOF
# glibc resolves host names through NSS: files, then DNS (both built into libc.so.6 >= 2.34).
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

# The SBOM of what the layer holds: the binary and the Debian package of each library.
if [ -n "$sbom" ]; then
  {
    printf '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,'
    printf '"metadata":{"timestamp":"%s","component":{"type":"container","name":"stagegate","version":"%s"}},' "$created" "$version"
    printf '"components":[{"type":"application","name":"stagegate","version":"%s","purl":"pkg:cargo/stagegate@%s","licenses":[{"license":{"id":"Apache-2.0"}}]}' "$version" "$version"
    arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
    for path in "${libraries[@]}" "$ca_bundle"; do
      real=$(readlink -f "$path")
      package=$(dpkg-query -S "$real" 2>/dev/null | head -n1 | cut -d: -f1) || true
      [ -n "$package" ] || package=$(dpkg-query -S "$path" 2>/dev/null | head -n1 | cut -d: -f1) || true
      [ -n "$package" ] || continue
      pkg_version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null) || continue
      purl_version=${pkg_version//%/%25}; purl_version=${purl_version//+/%2B}; purl_version=${purl_version//:/%3A}
      printf ',{"type":"library","name":"%s","version":"%s","purl":"pkg:deb/debian/%s@%s?arch=%s","properties":[{"name":"stagegate:image:path","value":"%s"}]}' \
        "$package" "$pkg_version" "$package" "$purl_version" "$arch" "$path"
    done
    printf ']}\n'
  } >"$sbom"
fi

# The layer: a reproducible tar, gzipped without a name or time in its header.
find "$rootfs" -exec touch -h -d "@$epoch" {} +
tar --sort=name --format=posix --numeric-owner --owner=0 --group=0 \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@$epoch" -C "$rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"

rm -rf "$output"
mkdir -p "$output/blobs/sha256"
blob() { # FILE -> prints "sha256hex size" after storing it as a blob
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  cp "$1" "$output/blobs/sha256/$hex"
  echo "$hex $size"
}
read -r layer_hex layer_size < <(blob "$work/layer.tar.gz")

labels=$(printf '"org.opencontainers.image.title":"stagegate","org.opencontainers.image.description":"Policy-as-code promotion gate","org.opencontainers.image.version":"%s","org.opencontainers.image.revision":"%s","org.opencontainers.image.source":"%s","org.opencontainers.image.licenses":"Apache-2.0","org.opencontainers.image.created":"%s"' \
  "$version" "$revision" "$source_url" "$created")

printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"User":"65532:65532","Env":["PATH=/usr/local/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt","HOME=/home/nonroot"],"Entrypoint":["stagegate"],"Cmd":["--help"],"WorkingDir":"/home/nonroot","Labels":{%s}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"scripts/build-image.sh"}]}' \
  "$created" "$labels" "$diff_id" "$created" >"$work/config.json"
read -r config_hex config_size < <(blob "$work/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}],"annotations":{%s}}' \
  "$config_hex" "$config_size" "$layer_hex" "$layer_size" "$labels" >"$work/manifest.json"
read -r manifest_hex manifest_size < <(blob "$work/manifest.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}\n' \
  "$manifest_hex" "$manifest_size" "$tag" >"$output/index.json"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$output/oci-layout"

echo "build-image: oci:$output:$tag ($(( layer_size / 1024 )) KiB layer: stagegate $version, ${#libraries[@]} libraries, CA certificates, user 65532)" >&2
echo "sha256:$manifest_hex"
