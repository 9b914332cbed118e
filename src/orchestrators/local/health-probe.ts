/** True when the renderer at `endpoint` answers GET /health with 200 within the timeout. */
export async function probeHealth(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
