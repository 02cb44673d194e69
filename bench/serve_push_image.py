#!/usr/bin/env python3
"""Push a tiny OCI image (config blob + one layer) to a plain-HTTP registry; print its digest.

Usage: serve_push_image.py HOST:PORT NAME TAG SEED
"""
import hashlib
import json
import sys
import urllib.request


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(base: str, name: str, data: bytes) -> None:
    req = urllib.request.Request(f"{base}/v2/{name}/blobs/uploads/", method="POST")
    with urllib.request.urlopen(req) as resp:
        location = resp.headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    req = urllib.request.Request(
        f"{location}{sep}digest={digest(data)}",
        data=data,
        method="PUT",
        headers={"Content-Type": "application/octet-stream"},
    )
    urllib.request.urlopen(req).close()


def main() -> None:
    host, name, tag, seed = sys.argv[1:5]
    base = f"http://{host}"
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": [f"SEED={seed}"]},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    layer = f"layer of {seed}\n".encode()
    push_blob(base, name, config)
    push_blob(base, name, layer)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(layer), "size": len(layer)}],
    }).encode()
    req = urllib.request.Request(f"{base}/v2/{name}/manifests/{tag}", data=manifest, method="PUT",
                                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(req).close()
    print(digest(manifest))


if __name__ == "__main__":
    main()
