// Network: other rustysignal servers on the LAN (mDNS), a self-check of every advertised URL, and
// what to look at when devices cannot connect.
import { html, nothing } from 'lit';
import type { DiscoveredServer, IpcError, SelfCheckResult, StatusInfo } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { errorBanner } from '../components/banner.js';
import { api, store } from '../context.js';
import { formatTime } from '../format.js';
import { requestRender } from '../schedule.js';

const ui = {
  checking: false,
  results: null as SelfCheckResult[] | null,
  checkedAt: null as number | null,
  error: null as IpcError | null,
};

async function selfCheck(): Promise<void> {
  ui.checking = true;
  ui.error = null;
  requestRender();
  try {
    ui.results = await call(api().network.selfCheck());
    ui.checkedAt = Date.now();
  } catch (err) {
    ui.error = toIpcError(err);
  } finally {
    ui.checking = false;
    requestRender();
  }
}

function flag(v: string | undefined) {
  return v === '1' ? 'yes' : 'no';
}

function servers(list: DiscoveredServer[], mdnsOn: boolean) {
  if (!mdnsOn)
    return html`<p class="note" data-testid="discovery-off">
      LAN discovery is off in Settings, so no other servers are looked for.
    </p>`;
  if (list.length === 0)
    return html`<p class="note" data-testid="discovery-empty">No other rustysignal servers found on this network.</p>`;
  return html`<table class="data discovered" data-testid="discovered">
    <caption class="visually-hidden">
      Other rustysignal servers on the LAN
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Address</th>
        <th scope="col">TLS</th>
        <th scope="col">Push</th>
        <th scope="col">Access key</th>
        <th scope="col">Last seen</th>
      </tr>
    </thead>
    <tbody>
      ${list.map(
        (s) =>
          html`<tr>
            <td title=${s.name}>${s.name}</td>
            <td class="mono" title=${s.addresses.join(', ')}>${(s.addresses[0] ?? s.host) + ':' + s.port}</td>
            <td>${flag(s.txt.tls)}</td>
            <td>${flag(s.txt.push)}</td>
            <td>${s.txt.key === '1' ? 'required' : 'no'}</td>
            <td>${formatTime(s.lastSeen)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function checkResults(status: StatusInfo | null) {
  if (!ui.results) return nothing;
  const ok = ui.results.filter((r) => r.ok).length;
  return html`<p role="status" data-testid="selfcheck-summary">
      ${ok} of ${ui.results.length} address${ui.results.length === 1 ? '' : 'es'}
      answered${ui.checkedAt ? ` (checked at ${formatTime(ui.checkedAt)})` : ''}.
    </p>
    <ul class="checks" data-testid="selfcheck">
      ${ui.results.map(
        (r) =>
          html`<li data-ok=${r.ok ? 'true' : 'false'}>
            <span class=${r.ok ? 'ok-text' : 'fail-text'}>${r.ok ? '✓ works' : '✗ fails'}</span>
            <code class="mono">${r.url}</code>
            <span class="note">${r.interface}${r.ok ? ` · ${r.ms} ms` : ` · ${r.error ?? 'no answer'}`}</span>
          </li>`,
      )}
    </ul>
    ${
      ok < ui.results.length && status?.state === 'running'
        ? html`<p class="note">
            An address that fails from this computer will fail from other devices too; see the hints below.
          </p>`
        : nothing
    }`;
}

/** What the firewall must let in: the signaling port, and with the relay on its port and relayed range. */
interface OpenPorts {
  tcp: number | null;
  /** The relay's UDP/TCP port and the UDP range relayed addresses use; null when the relay is off. */
  relay: { port: number; min: number; max: number } | null;
}

function firewallHint(platform: string, ports: OpenPorts) {
  const p = ports.tcp ?? 'the server';
  const r = ports.relay;
  if (platform === 'win32')
    return html`Windows: when Windows asks, allow rustysignal on <em>Private networks</em>, or add inbound rules in
      Windows Defender Firewall for TCP port
      ${p}${r ? html`, TCP and UDP port ${r.port} and UDP ports ${r.min}-${r.max}` : ''}.`;
  if (platform === 'darwin')
    return html`macOS: System Settings → Network → Firewall → Options, allow incoming connections for rustysignal.`;
  return html`Linux: allow TCP port ${p}, e.g. <code class="mono">sudo ufw allow ${p}/tcp</code> or
    <code class="mono">sudo firewall-cmd --add-port=${p}/tcp</code>${
      r
        ? html`; for the relay also
            <code class="mono" data-testid="relay-firewall"
              >sudo ufw allow ${r.port} && sudo ufw allow ${r.min}:${r.max}/udp</code
            >`
        : ''
    }.`;
}

function hints(status: StatusInfo | null) {
  const s = store().state;
  const lan = status?.addresses.filter((a) => !a.internal) ?? [];
  const ifaces = [...new Set(lan.map((a) => a.interface))];
  const port = status?.port ?? null;
  const range = s.settings?.values.relay;
  const relay =
    status?.relay.enabled && status.relay.port !== null && range
      ? { port: status.relay.port, min: range.relayPortsMin, max: range.relayPortsMax }
      : null;
  return html`<ol class="hints" data-testid="hints">
    <li>
      <strong>Same network.</strong> Devices must be on the same Wi-Fi or wired network as this
      computer${
        lan.length
          ? html` (its addresses: ${lan.map((a, i) => html`${i ? ', ' : ''}<code class="mono">${a.address}</code>`)})`
          : ''
      }.
      A guest Wi-Fi is usually a separate network; mobile data never works.
    </li>
    <li>
      <strong>Client isolation.</strong> Many access points (guest networks, schools, hotels, events) block devices from
      reaching each other ("client" or "AP isolation"). If phones reach the internet but not this computer, turn it off
      on the access point or use a network without it (e.g. this computer's hotspot).
      ${
        relay
          ? html`Calls and files between devices that cannot reach each other go through this computer's connection
            relay (port ${relay.port}), once the firewall lets it in.`
          : html`With the connection relay turned on (Settings), calls and files between such devices go through this
            computer.`
      }
    </li>
    <li>
      <strong>Firewall.</strong> This computer must accept incoming connections on TCP port
      ${port ?? '(not listening)'}${
        relay
          ? html`, and for the connection relay on TCP and UDP port ${relay.port} and UDP ports
            ${relay.min}-${relay.max}`
          : ''
      }.
      ${firewallHint(s.app?.platform ?? 'linux', { tcp: port, relay })}
    </li>
    <li>
      <strong>Interface.</strong> ${
        ifaces.length > 1
          ? html`This computer is on several networks (${ifaces.join(', ')}). Give devices the URL of the interface on
              <em>their</em> network.`
          : html`Use the URL of the interface on the devices' network.`
      }
      A VPN or a virtual adapter (Docker, VirtualBox) may carry the wrong address; its URL will not work from other
      devices.
    </li>
    ${
      status?.tls
        ? html`<li>
            <strong>Certificate.</strong> With a self-signed certificate each device must trust it first: open the
            https:// address once and accept the warning. The certificate must name the address devices use (see
            Certificates).
          </li>`
        : html`<li>
            <strong>Encryption.</strong> Pages served over https:// can only connect to wss:// URLs. Turn on TLS in
            Certificates if your web app is served over https.
          </li>`
    }
    ${
      s.settings?.values.accessKey
        ? html`<li>
            <strong>Access key.</strong> Clients must add <code class="mono">?key=…</code> to the URL; the URLs on the
            Status page already include it.
          </li>`
        : nothing
    }
  </ol>`;
}

/** The Network view. */
export function networkView() {
  const s = store().state;
  const status = s.status;
  const mdnsOn = s.settings?.values.mdns.enabled ?? true;
  const running = status?.state === 'running';
  return html`
    <h1 tabindex="-1">Network</h1>
    ${errorBanner(ui.error)}
    <section class="card" aria-labelledby="disc-heading">
      <h2 id="disc-heading">Other servers on this network</h2>
      ${status?.advertisedName ? html`<p class="note">This server is advertised as <strong data-testid="advertised-name">${status.advertisedName}</strong>.</p>` : nothing}
      ${servers(s.discovery, mdnsOn)}
    </section>
    <section class="card" aria-labelledby="check-heading">
      <h2 id="check-heading">Self-check</h2>
      <p class="note">Connects to each address from this computer and reports which ones answer.</p>
      <div class="actions">
        <button type="button" class="primary" ?disabled=${ui.checking || !running} @click=${selfCheck}>
          ${ui.checking ? 'Checking…' : 'Check addresses'}
        </button>
        ${running ? nothing : html`<span class="note">Start the server first.</span>`}
      </div>
      ${checkResults(status)}
    </section>
    <section class="card" aria-labelledby="hints-heading">
      <h2 id="hints-heading">When devices cannot connect</h2>
      ${hints(status)}
    </section>
  `;
}
