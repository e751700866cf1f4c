/** One number format for every rendered figure, so a test can look for exactly what the PDF shows. */
const fixed = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  useGrouping: false,
});
const whole = new Intl.NumberFormat('en-US', { useGrouping: false });

export function formatValue(value: number): string {
  return fixed.format(value);
}

export function formatCount(value: number): string {
  return whole.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
