// Web Push: what the server core, the CLI and the desktop app import.
export {
  createPushService,
  type LocalPushService,
  type PushServiceDeps,
  type PushServiceOptions,
} from './push-service.js';
export {
  generateVapidKey,
  parseVapidPrivateKey,
  validateVapidSubject,
  VapidError,
  type GeneratedVapidKey,
  type VapidKeys,
} from './vapid.js';
export { generateVapidKeyFile, loadVapidKeyFile, type VapidKeyFile } from './vapid-file.js';
export { storeFileName, SubscriptionStore } from './subscription-store.js';
export { pushServiceFactory } from './factory.js';
export type { PushService, SubscribeOutcome } from './types.js';
export type { PushLogger } from './logger.js';
