/**
 * Keeps only ICE candidates on the given addresses (RENDERER_ICE_HOSTS), in an SDP's `a=candidate` lines.
 * A container on a host network would otherwise offer every interface; tests keep traffic on 127.0.0.1.
 * `null` keeps everything.
 */
export function filterIceCandidates(sdp: string, hosts: readonly string[] | null): string {
  if (!hosts) return sdp;
  const allowed = new Set(hosts);
  return sdp
    .split('\r\n')
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      // candidate:<foundation> <component> <transport> <priority> <address> <port> typ ...
      const address = line.split(' ')[4];
      return address !== undefined && allowed.has(address);
    })
    .join('\r\n');
}
