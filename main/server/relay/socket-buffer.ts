// The buffer size of every relay UDP socket, listeners (udp-listener.ts) and relayed ports (port-pool.ts).

/** Asked of the kernel for each UDP socket (it grants at most net.core.rmem_max / wmem_max). */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
