// The slice of the `qrcode` package the dashboard uses. Declared here (and mapped in tsconfig paths)
// because @types/qrcode pulls in Node's types, which must not leak into a browser-only program.
declare module 'qrcode' {
  export interface QRCodeToStringOptions {
    type: 'svg';
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    /** Quiet zone, in modules. */
    margin?: number;
    color?: { dark?: string; light?: string };
  }
  export function toString(text: string, options: QRCodeToStringOptions): Promise<string>;
  const QRCode: { toString: typeof toString };
  export default QRCode;
}
