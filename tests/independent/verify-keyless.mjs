// Verifies a keyless Sigstore bundle written by stagegate with sigstore-js (@sigstore/verify),
// which we did not write: the trusted root given (the test stand-ins' CA, CT log and Rekor
// keys), sigstore-js's default thresholds (one transparency-log entry, one SCT, one verified
// timestamp), and the certificate identity (SAN, exactly) and OIDC issuer given.
//
// usage: node verify-keyless.mjs BUNDLE TRUSTED_ROOT IDENTITY ISSUER
// Prints `ok <predicateType> <subject sha256> <identity>` and exits 0, or prints the error and
// exits 1.
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const [bundlePath, rootPath, identity, issuer] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root));
  // sigstore-js reads the SAN policy as a regular expression: anchor and escape it.
  const exact = '^' + identity.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '$';
  const signer = verifier.verify(toSignedEntity(bundle), {
    subjectAlternativeName: exact,
    extensions: { issuer },
  });
  const envelope = bundle.content.dsseEnvelope;
  const statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  console.log(
    `ok ${statement.predicateType} ${statement.subject[0].digest.sha256} ${signer.identity.subjectAlternativeName}`,
  );
} catch (err) {
  console.log(`rejected: ${err.code ?? ''} ${err.message}`);
  process.exit(1);
}
