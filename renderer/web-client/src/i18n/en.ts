// English: the reference catalogue. Every user-visible string of the web client is here; other
// languages implement the same Messages type, so a missing string fails the type check.

export const en = {
  lang: 'en',
  // The page (index.html: elements with data-i18n / data-i18n-label / data-i18n-placeholder).
  static: {
    'join-title': 'Join the room',
    'join-room-label': 'Room',
    'name-label': 'Your name',
    'join-button': 'Join',
    'lobby-title': 'People here',
    'change-name': 'Change name',
    'switch-room': 'Switch room',
    'room-input-label': 'Room to switch to',
    'room-go': 'Go',
    'people-list': 'People in this room',
    'push-toggle-on': 'Notify me when someone wants to connect',
    'request-label': 'Ask someone who is not here (they get a notification)',
    'request-send': 'Send request',
    'share-title': 'Hand out a file',
    'share-hint': 'Pick people (or everyone), then choose or drop files. Each person gets their own copy.',
    'share-everyone': 'Everyone',
    'share-recipients': 'Recipients',
    'share-choose': 'Choose files…',
    'share-drop': 'or drop files here',
    'share-list': 'Files handed out',
    back: '← People',
    'back-label': 'Back to the people list',
    reconnect: 'Connect again',
    'notify-peer': 'Send a notification',
    'hang-up': 'Close conversation',
    'remote-video': 'Video from the other person',
    'local-video': 'Your camera',
    'call-start': 'Start video call',
    'call-end': 'End video call',
    messages: 'Messages',
    'chat-input': 'Write a message',
    'chat-send': 'Send',
    'send-files': 'Send files…',
    'drop-hint': 'You can also drop or paste files here.',
    transfers: 'File transfers',
    'retry-now': 'Retry now',
    'closed-note': 'This conversation is closed. Its messages and files stay here.',
  },
  roomName: (room: string) => (room === '' ? 'main room' : room),
  // Joining.
  nameEmpty: 'Type your name first (1 to 64 characters; spaces alone do not count).',
  nameTooLong: 'Names are at most 64 characters.',
  nameInvalid: 'Names are 1 to 64 characters, without control characters.',
  nameTaken: (name: string) => `“${name}” is already used in this room. Choose another name.`,
  nameTakenHere: (name: string) =>
    `You already use “${name}” in another tab of this browser. Use that tab, or choose another name here.`,
  roomTooLong: (n: number) => `This room name has ${n} characters; rooms have at most 64. Pick a shorter room.`,
  roomInvalid: 'Room names are at most 64 characters, without control characters. Pick another room.',
  roomLocked: 'This room is locked: no new names are let in. Ask the person running the room to unlock it.',
  roomCode: 'This room needs its access code. Open the address (or QR code) the person running the room gave you.',
  // The server line.
  notConnected: 'Not connected.',
  connecting: 'Connecting to the server…',
  connected: (name: string | null, room: string) =>
    `Connected ${name === null ? 'without a name' : `as ${name}`}${room ? ` in room “${room}”` : ''}.`,
  takenOver: 'This name is now in use in another tab or on another device. Reload this page to use it here.',
  kicked: (reason: string) =>
    `The server disconnected you${reason ? `: ${reason}` : ''}. Reload the page to join again.`,
  disconnected: 'Disconnected from the server. Reload the page to join again.',
  retryIn: (s: number) => ` Trying again in ${s} s…`,
  lost: 'Lost the connection to the server.',
  refused: (where: string) =>
    `The server at ${where} refused the connection: it may need an access key (add ?key=… to the address) or be full.`,
  unreachable: (where: string) =>
    `Cannot reach the server at ${where}. Is this device on the same network, and is the server running?`,
  // The people list.
  nobody: 'Nobody else is here yet. Open this page on another device on the same network.',
  outage: 'The server cannot be reached, so who else is here is unknown. Open conversations keep working.',
  roomHere: (room: string) => (room === '' ? 'You are in the main room.' : `You are in room “${room}”.`),
  badgeNew: (n: number) => (n === 1 ? 'new' : `${n} new`),
  badgeConnected: 'connected',
  badgeTransferring: 'connected, transferring',
  badgeConnecting: 'connecting…',
  badgeInterrupted: 'interrupted',
  badgeCalling: 'calling you',
  // Push.
  pushOff: 'Turn off notifications',
  asking: (peer: string) => `Asking ${peer}…`,
  notified: (peer: string) => `${peer} was notified. You will be connected when they open rustysignal.`,
  notNotified: (peer: string, why: string) => `${peer} could not be notified: ${why}.`,
  notNotifiedDefault: 'they have not turned on notifications here',
  pushUnavailable: 'Notifications are not available on this server.',
  pushBlocked: 'Notifications are blocked for this page. Allow them in the browser’s site settings to use this.',
  pushOn: (name: string) => `You will get a notification when someone asks for ${name}.`,
  pushFailed: (why: string) =>
    `Notifications could not be turned on: ${why}. The browser’s push service may be unreachable without internet.`,
  pushIsOff: 'Notifications are off.',
  working: 'Working…',
  // A conversation.
  conversationWith: (peer: string) => `Conversation with ${peer}`,
  stateConnecting: (peer: string, online: boolean) =>
    online ? `Connecting to ${peer}…` : `${peer} is not in the room right now.`,
  stateOpen: (peer: string, online: boolean) =>
    online
      ? `Connected to ${peer} directly.`
      : `Connected to ${peer} directly. ${peer} lost the server connection, but this direct connection still works.`,
  /** `how` is routeDirect or routeRelay. */
  stateOpenVia: (peer: string, online: boolean, how: string) =>
    online
      ? `Connected to ${peer} ${how}.`
      : `Connected to ${peer} ${how}. ${peer} lost the server connection, but this connection still works.`,
  routeDirect: 'directly',
  routeRelay: 'through the relay on the server',
  routeRelayTcp: 'through the relay on the server (over TCP)',
  stateStalled: (peer: string, why: string) => `Cannot connect to ${peer} yet. ${why}`,
  badgeCannotConnect: 'cannot connect',
  // Why a connection does not come up (IceProblem), and what to ask for.
  iceNoNetwork: (peer: string) =>
    `This device has no network connection it may use for ${peer}. Check that it is on the Wi-Fi, then reload the page.`,
  iceRelayUnreachable: () =>
    'This device cannot reach the relay on the computer running rustysignal. A firewall there probably blocks it: ask whoever runs it to allow UDP and TCP port 3478 and UDP ports 49160–49300.',
  iceNoPeerAddresses: (peer: string) =>
    `${peer}’s device sent no network address. It may have lost its network connection: ask ${peer} to reload the page.`,
  icePeerHidden: (peer: string) =>
    `${peer}’s device cannot be found on this network: the Wi-Fi blocks devices from discovering each other (common on school and guest networks). The relay on the computer running rustysignal solves this: ask whoever runs it to turn the relay on (UDP and TCP port 3478).`,
  iceUnreachable: () =>
    'The two devices reach the server but not each other: the Wi-Fi keeps devices apart (“client isolation”). The relay on the computer running rustysignal solves this: ask whoever runs it to turn the relay on (UDP and TCP port 3478).',
  iceRelayFailed: () =>
    'Even the relay on the server could not connect the two devices. A firewall on that computer may block the relay ports (UDP 49160–49300): ask whoever runs rustysignal to allow them.',
  stateInterrupted: (peer: string) => `The connection to ${peer} was interrupted. Trying to recover…`,
  closed: 'Closed.',
  closeLocal: 'You closed the conversation.',
  closeRemote: (peer: string) => `${peer} left the conversation.`,
  closeFailed: (peer: string) =>
    `The connection to ${peer} failed: the two devices could not reach each other. Are both on the same network?`,
  closeReplaced: (peer: string) => `${peer} started a new connection.`,
  peerLeftRoom: (peer: string) => `${peer} left the room.`,
  chatLabel: (who: string, text: string) => `${who}: ${text}`,
  you: 'You',
  // Calls.
  callTurnOn: 'Turn on my camera',
  callNeedsTls: 'Video calls need a secure page (https:// or localhost): ask whoever runs the server to turn on TLS.',
  callStarted: (peer: string) => `${peer} started a video call.`,
  callWaiting: (peer: string) => `Waiting for ${peer} to turn on their camera…`,
  cameraRefused: 'Camera access was refused. Allow it in the browser’s site settings and try again.',
  cameraMissing: 'No camera or microphone was found on this device.',
  cameraFailed: (why: string) => `The camera could not be started (${why}).`,
  // Files.
  to: (peer: string, name: string) => `To ${peer}: ${name}`,
  from: (peer: string, name: string) => `From ${peer}: ${name}`,
  accept: 'Accept',
  acceptLabel: (name: string) => `Accept ${name}`,
  decline: 'Decline',
  declineLabel: (name: string) => `Decline ${name}`,
  cancel: 'Cancel',
  cancelLabel: (name: string) => `Cancel ${name}`,
  save: (name: string) => `Save ${name}`,
  progressOf: (name: string) => `Progress of ${name}`,
  checksumTitle: 'SHA-256 over the SHA-256 of each 1 MiB block',
  checksum: (hex: string) => `checksum ${hex}`,
  tQueued: 'Waiting for the files before it.',
  tWaiting: (peer: string) => `Waiting for ${peer} to accept…`,
  tOffered: (peer: string) => `${peer} wants to send you this file.`,
  tSending: (pct: number, done: string, size: string) => `Sending… ${pct}% (${done} of ${size})`,
  tReceiving: (pct: number, done: string, size: string) => `Receiving… ${pct}% (${done} of ${size})`,
  tVerifyingOut: (peer: string) => `Sent; ${peer} is checking the checksum…`,
  tVerifyingIn: 'Checking the checksum…',
  tDelivered: (speed: string) => `Delivered, checksum verified${speed}.`,
  tReceived: (speed: string) => `Received, checksum verified${speed}.`,
  tSpeed: (took: string, rate: string) => ` in ${took} (${rate}/s)`,
  tFailed: (why: string) => `Failed: ${why}`,
  tUnknown: 'unknown reason',
  tConnecting: (peer: string) => `Connecting to ${peer}…`,
  tNotReached: (peer: string) => `${peer} could not be reached.`,
  youDeclined: 'You declined it.',
  youCancelled: 'You cancelled it.',
  peerDeclined: (peer: string) => `${peer} declined the file.`,
  peerCancelled: (peer: string, why: string) => `${peer} cancelled: ${why}`,
  noReason: 'no reason given',
  busyReceiving: 'Another file is still arriving; ask for this one again afterwards.',
  moreThanAnnounced: (peer: string, size: string) => `${peer} sent more bytes than announced (${size}).`,
  incomplete: (got: string, size: string) => `Incomplete: received ${got} of ${size}.`,
  mismatch: 'Checksum mismatch: the file was damaged on the way. Send it again.',
  hadArrived: (got: string, size: string) => ` (${got} of ${size} had arrived)`,
  unreadable: 'The file could not be read (was it changed or removed?).',
  lostAfter: (got: string, size: string) => `Connection lost after ${got} of ${size}.`,
  notVerified: (peer: string, why: string) => `${peer} could not verify the file: ${why}`,
  stopped: (peer: string, why: string) => `${peer} stopped the transfer: ${why}`,
  pickSomeone: 'Pick at least one person first.',
  handedOut: (files: number, people: number) =>
    `${files === 1 ? '1 file' : `${files} files`} to ${people === 1 ? '1 person' : `${people} people`}.`,
};

export type Messages = typeof en;
