/** A byte count as a person reads it: "812 bytes", "23.3 KiB", "40 MiB". */
export function formatByteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const kib = bytes / 1024;
  if (kib < 1024) return `${trimDecimal(kib)} KiB`;
  const mib = kib / 1024;
  if (mib < 1024) return `${trimDecimal(mib)} MiB`;
  return `${trimDecimal(mib / 1024)} GiB`;
}

function trimDecimal(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}
