/**
 * A progress bar on a terminal; plain lines every 10 % elsewhere (CI, pipes),
 * so logs stay readable.
 */
export function progress(label: string, total: number, out: NodeJS.WriteStream = process.stdout) {
  const tty = Boolean(out.isTTY) && !process.env.CI;
  const started = Date.now();
  let lastDecile = -1;
  let lastDraw = 0;
  const line = (n: number) => {
    const pct = total > 0 ? Math.min(100, (n / total) * 100) : 100;
    const rate = n / Math.max(0.001, (Date.now() - started) / 1000);
    return { pct, text: `${label.padEnd(12)} ${n.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${pct.toFixed(0)}%, ${Math.round(rate).toLocaleString('en-US')}/s)` };
  };
  return {
    update(n: number) {
      const { pct, text } = line(n);
      if (tty) {
        if (Date.now() - lastDraw < 100 && n < total) return;
        lastDraw = Date.now();
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      } else {
        const decile = Math.floor(pct / 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          out.write(`${text}\n`);
        }
      }
    },
    done() {
      if (tty) out.write('\n');
    },
  };
}
