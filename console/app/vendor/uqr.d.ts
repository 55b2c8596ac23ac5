// Types of uqr.js, uqr's ES module build (the uqr package pinned in package.json).
export { encode } from 'uqr';
export type { QrCodeGenerateOptions, QrCodeGenerateResult } from 'uqr';
