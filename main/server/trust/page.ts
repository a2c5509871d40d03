// The onboarding page served at /trust over plain HTTP: what the CA is, its fingerprint to compare, the
// downloads and short steps per platform, then the https link to continue. Static HTML, no script.
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface TrustPageInput {
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string;
  /** Where to go once trusted: `https://HOST:PORT/`. */
  httpsUrl: string;
  /** This machine's `.local` label, shown in the CA's name. */
  label: string;
}

/** The HTML of /trust. */
export function trustPage(p: TrustPageInput): string {
  const url = esc(p.httpsUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trust this rustysignal server</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}
code{font-size:.85em;word-break:break-all}.fp{background:#f3f3f3;padding:.5rem;border-radius:4px}
a.button{display:inline-block;margin:.25rem 0;padding:.5rem 1rem;background:#1a5fb4;color:#fff;border-radius:4px;text-decoration:none}
details{margin:.5rem 0}summary{font-weight:600;cursor:pointer}
</style>
</head>
<body>
<h1>Trust this server once</h1>
<p>This computer runs a rustysignal server with its own certificate authority,
<strong>rustysignal local CA (${esc(p.label)})</strong>. Trust it once on this device and
<a href="${url}">${url}</a> opens with no warning, also after the computer moves to another network.
The CA can only vouch for <code>.local</code> names and private network addresses, never for a site on the internet.</p>
<p>Before you trust it, check that this fingerprint matches the one the teacher's screen shows:</p>
<p class="fp"><code id="fingerprint">SHA-256 ${esc(p.fingerprint256)}</code></p>
<h2>Download</h2>
<p><a class="button" href="/trust/rustysignal.mobileconfig">iPhone, iPad, Mac: profile</a>
<a class="button" href="/trust/ca.crt">Android, Windows, ChromeOS: ca.crt</a>
<a class="button" href="/trust/ca.pem">Linux, Firefox: ca.pem</a></p>
<h2>Steps</h2>
<details><summary>Android</summary><ol>
<li>Download <a href="/trust/ca.crt">ca.crt</a>.</li>
<li>Settings, Security (or Security &amp; privacy), More security settings, Encryption &amp; credentials, Install a certificate, CA certificate; choose the file and confirm.</li>
<li>Open <a href="${url}">${url}</a> in Chrome.</li></ol></details>
<details><summary>iPhone and iPad</summary><ol>
<li>Open this page in Safari and download the <a href="/trust/rustysignal.mobileconfig">profile</a>; allow it.</li>
<li>Settings, Profile Downloaded, Install (it says Not Verified: that is expected).</li>
<li>Settings, General, About, Certificate Trust Settings: turn on full trust for rustysignal local CA.</li>
<li>Open <a href="${url}">${url}</a>.</li></ol></details>
<details><summary>Mac</summary><ol>
<li>Download the <a href="/trust/rustysignal.mobileconfig">profile</a>, then System Settings, Privacy &amp; Security, Profiles: install it.</li>
<li>Or open <a href="/trust/ca.crt">ca.crt</a> in Keychain Access, then set it to Always Trust.</li></ol></details>
<details><summary>Windows</summary><ol>
<li>Download <a href="/trust/ca.crt">ca.crt</a> and open it; Install Certificate, Current User.</li>
<li>Place it in <em>Trusted Root Certification Authorities</em>; confirm the warning.</li>
<li>Restart the browser and open <a href="${url}">${url}</a>.</li></ol></details>
<details><summary>ChromeOS</summary><ol>
<li>Download <a href="/trust/ca.crt">ca.crt</a>.</li>
<li>Open chrome://certificate-manager (or Settings, Privacy and security, Security, Manage certificates), Authorities, Import; tick <em>Trust this certificate for identifying websites</em>.</li></ol></details>
<details><summary>Linux</summary><ol>
<li>Chrome and Chromium: Settings, Privacy and security, Security, Manage certificates, Authorities, Import <a href="/trust/ca.pem">ca.pem</a>.</li>
<li>Firefox: Settings, Privacy &amp; Security, Certificates, View Certificates, Authorities, Import.</li></ol></details>
<p><a class="button" href="${url}">Continue to ${url}</a></p>
</body>
</html>
`;
}
