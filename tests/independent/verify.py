"""Independent checks of what stagegate writes, with Python libraries we did not write.

usage:
  python3 verify.py envelope BUNDLE PUBLIC_KEY_PEM
      securesystemslib's DSSE `Envelope.verify` (as in-toto uses it) on the bundle's
      dsseEnvelope; prints `ok <predicateType> <subject sha256>` or `rejected: ...` (exit 1).
  python3 verify.py cosign-key KEY_FILE PASSWORD PUBLIC_KEY_PEM
      decrypts a cosign-format private key with hashlib.scrypt + PyNaCl's SecretBox, loads the
      PKCS#8 with `cryptography`, and checks it is the private half of PUBLIC_KEY_PEM.
"""

import base64
import hashlib
import json
import sys


def hint(public_pem: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem)
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def envelope(bundle_path: str, key_path: str) -> int:
    # in-toto's Envelope (securesystemslib's DSSE implementation underneath).
    from in_toto.models.metadata import Envelope
    from securesystemslib.signer import SSlibKey

    with open(bundle_path, "rb") as f:
        document = json.load(f)
    with open(key_path, "rb") as f:
        pem = f.read()
    # A bare DSSE envelope or a Sigstore bundle's dsseEnvelope.
    env_dict = document.get("dsseEnvelope", document)
    env = Envelope.from_dict(env_dict)
    from cryptography.hazmat.primitives import serialization

    # DSSE key ids are opaque hints; stagegate's is the SPKI SHA-256, computed here.
    key = SSlibKey.from_crypto(serialization.load_pem_public_key(pem), keyid=hint(pem))
    try:
        env.verify([key], 1)
    except Exception as err:  # noqa: BLE001 - report any verification failure
        print(f"rejected: {type(err).__name__}: {err}")
        return 1
    if env.payload_type != "application/vnd.in-toto+json":
        print(f"rejected: payload type {env.payload_type}")
        return 1
    statement = json.loads(env.payload)
    print(f"ok {statement['predicateType']} {statement['subject'][0]['digest']['sha256']}")
    return 0


def cosign_key(key_path: str, password: str, public_path: str) -> int:
    import nacl.secret
    from cryptography.hazmat.primitives import serialization

    with open(key_path, "r", encoding="ascii") as f:
        lines = f.read().strip().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----", lines[0]
    assert lines[-1] == "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----", lines[-1]
    document = json.loads(base64.b64decode("".join(lines[1:-1])))
    kdf, cipher = document["kdf"], document["cipher"]
    assert kdf["name"] == "scrypt" and cipher["name"] == "nacl/secretbox", document
    params = kdf["params"]
    secret = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(kdf["salt"]),
        n=params["N"],
        r=params["r"],
        p=params["p"],
        maxmem=2**28,
        dklen=32,
    )
    der = nacl.secret.SecretBox(secret).decrypt(
        base64.b64decode(document["ciphertext"]), base64.b64decode(cipher["nonce"])
    )
    private = serialization.load_der_private_key(der, password=None)
    with open(public_path, "rb") as f:
        public = serialization.load_pem_public_key(f.read())
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if private.public_key().public_bytes(*fmt) != public.public_bytes(*fmt):
        print("rejected: the private key does not match the public key")
        return 1
    print(f"ok {type(private).__name__} N={params['N']}")
    return 0


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    sys.exit(envelope(*rest) if mode == "envelope" else cosign_key(*rest))
