import encodeQR from '@paulmillr/qr';
import { createMemo, type JSX } from 'solid-js';

/** Modules of white border around the code (the QR specification's quiet zone). */
const QUIET_ZONE = 4;

/**
 * A QR code drawn in the browser as SVG (`@paulmillr/qr` computes the
 * modules): what it carries never leaves the page, and no markup is built
 * from strings. One `<path>` of unit squares, scaled by the `viewBox`.
 *
 * @example
 * <QrCode value={setup.uri} label="QR code for your authenticator app" />
 */
export function QrCode(props: { value: string; label: string; size?: number }): JSX.Element {
  const drawing = createMemo(() => {
    const modules = encodeQR(props.value, 'raw', { ecc: 'medium', border: QUIET_ZONE });
    let d = '';
    modules.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      });
    });
    return { d, side: modules.length };
  });
  return (
    <svg
      class="sh-qr"
      role="img"
      aria-label={props.label}
      width={props.size ?? 200}
      height={props.size ?? 200}
      viewBox={`0 0 ${drawing().side} ${drawing().side}`}
      shape-rendering="crispEdges"
    >
      <rect width="100%" height="100%" fill="#fff" />
      <path d={drawing().d} fill="#000" />
    </svg>
  );
}
