// Verifies a Sigstore bundle written by stagegate with sigstore-js (@sigstore/verify), which we
// did not write: custom trust material holding only our public key, found by the bundle's
// `publicKey.hint`, and no transparency-log, timestamp or CT-log requirement (thresholds 0).
//
// usage: node verify.mjs BUNDLE PUBLIC_KEY_PEM
// Prints `ok <predicateType> <subject sha256>` and exits 0, or prints the error and exits 1.
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const [bundlePath, keyPath] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const publicKey = crypto.createPublicKey(readFileSync(keyPath, 'utf8'));
  // The hint stagegate writes: hex SHA-256 of the DER SubjectPublicKeyInfo, computed here
  // independently.
  const hint = crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const emptyRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  const trust = toTrustMaterial(emptyRoot, (keyHint) => {
    if (keyHint !== hint) {
      throw new Error(`unknown key hint ${keyHint} (trusted: ${hint})`);
    }
    return { publicKey, validFor: () => true };
  });
  const verifier = new Verifier(trust, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  verifier.verify(toSignedEntity(bundle));
  const envelope = bundle.content.dsseEnvelope;
  const statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  console.log(`ok ${statement.predicateType} ${statement.subject[0].digest.sha256}`);
} catch (err) {
  console.log(`rejected: ${err.code ?? ''} ${err.message}`);
  process.exit(1);
}
