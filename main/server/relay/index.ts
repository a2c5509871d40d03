// The embedded STUN/TURN relay: the composition root uses RelayService; the ICE server list mints
// credentials with ./credentials.
export { RelayService, type RelayStatus } from './service.js';
export { mintTurnCredentials, turnPassword, restUsernameExpiry, type TurnCredentials } from './credentials.js';
