// How to get the file from Auth0 support and create the RSA-4096 key pair they encrypt it to.
export function HowTo() {
  return (
    <section className="card" aria-labelledby="passwords-howto">
      <h3 id="passwords-howto">Getting the file from Auth0</h3>
      <details>
        <summary>How to request the password-hash export</summary>
        <ol>
          <li>
            Open a ticket with Auth0 support asking for a password-hash export of your tenant (and, if you
            want TOTP factors to move, the MFA secrets). It needs a paid plan, an executive&apos;s sign-off
            and a second administrator&apos;s confirmation; it usually takes one to two weeks.
          </li>
          <li>Attach your PGP public key (below). Auth0 encrypts the file to it.</li>
          <li>
            Download the file within 7 days: Auth0 deletes it after that. Keep it encrypted; merge it here as
            is.
          </li>
        </ol>
      </details>
      <details>
        <summary>How to create the RSA-4096 key pair</summary>
        <pre className="passwords-code">{`gpg --full-generate-key          # choose RSA and RSA, 4096 bits, a strong passphrase
gpg --list-secret-keys --keyid-format long
gpg --armor --export KEYID > auth0-support-public.asc           # send this to Auth0
gpg --armor --export-secret-keys KEYID > auth0-support-private.asc   # choose this file here`}</pre>
        <p className="muted">
          The private key file stays protected by its passphrase. You may keep it in the OS keychain from this
          step; the passphrase is asked for at every merge and never stored.
        </p>
      </details>
    </section>
  );
}
