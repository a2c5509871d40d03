// An iOS / macOS configuration profile carrying the local CA (payload type com.apple.security.root), as a
// plain XML property list. Unsigned: the device says "Not Verified", which is expected for a LAN CA.
import { createHash, X509Certificate } from 'node:crypto';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Identifiers derive from the CA itself, so downloading twice gives the same profile (it replaces, not adds).
function uuidFrom(der: Buffer, salt: string): string {
  const h = createHash('sha256').update(salt).update(der).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** The profile for `caPem`; `label` (this machine's `.local` label) names it on the device. */
export function mobileconfig(caPem: string, label: string): string {
  const cert = new X509Certificate(caPem);
  const der = Buffer.from(cert.raw);
  const id = createHash('sha256').update(der).digest('hex').slice(0, 16);
  const name = esc(`rustysignal local CA (${label})`);
  const b64 = der.toString('base64').replace(/(.{52})/g, '$1\n\t\t\t');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadCertificateFileName</key>
			<string>rustysignal-ca.cer</string>
			<key>PayloadContent</key>
			<data>
			${b64}
			</data>
			<key>PayloadDescription</key>
			<string>Lets this device open the rustysignal server on your local network over https without warnings. The CA can only vouch for .local names and private network addresses.</string>
			<key>PayloadDisplayName</key>
			<string>${name}</string>
			<key>PayloadIdentifier</key>
			<string>org.rustysignal.ca.${id}.cert</string>
			<key>PayloadType</key>
			<string>com.apple.security.root</string>
			<key>PayloadUUID</key>
			<string>${uuidFrom(der, 'cert')}</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadDescription</key>
	<string>Trust the rustysignal server on this local network (fingerprint SHA-256 ${esc(cert.fingerprint256)}).</string>
	<key>PayloadDisplayName</key>
	<string>${name}</string>
	<key>PayloadIdentifier</key>
	<string>org.rustysignal.ca.${id}</string>
	<key>PayloadRemovalDisallowed</key>
	<false/>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>${uuidFrom(der, 'profile')}</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`;
}
