// What a certificate says and what is wrong with it, as certs/inspect.ts reports it. Types only and no
// imports: the IPC contract (and through it the dashboard) shares them.

export type CertificateWarningCode =
  | 'expired'
  | 'not-yet-valid'
  | 'expires-soon'
  /** An advertised LAN name or address is not in the SANs: devices using it will reject the certificate. */
  | 'san-missing'
  | 'self-signed'
  | 'weak-key'
  | 'weak-signature';

export interface CertificateWarning {
  code: CertificateWarningCode;
  message: string;
}

/** What a certificate says and what is wrong with it (main/certs/inspect.ts produces it). */
export interface CertificateDetails {
  subject: string;
  issuer: string;
  selfSigned: boolean;
  /** Subject alternative names, e.g. `DNS:host.local`, `IP:192.168.1.20`. */
  subjectAltNames: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until `validTo` (negative when expired). */
  daysLeft: number;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  fingerprint256: string;
  serialNumber: string;
  /** e.g. `EC P-256`, `RSA 2048`. */
  keyType: string;
  warnings: CertificateWarning[];
  /** The certificate (not the key) as PEM, for export and display. */
  pem: string;
}
