// The few DOM helpers every part of the page uses: an element by its id (an error names a
// missing one), a new element with its properties and children, a file handed to the browser as
// a download, and an error's message for the page to show.

/**
 * The page's element `#id`.
 *
 * @throws Error `page: missing element #id` when index.html has none
 * @example
 * const status = byId('status');
 * const pen = byId<HTMLInputElement>('pen');
 */
export function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page: missing element #${id}`);
  return found as T;
}

/**
 * A new element with `props` set and `children` appended.
 *
 * @example
 * const button = el('button', { type: 'button', className: 'key', textContent: 'A' });
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/**
 * Hands `blob` to the browser as a download named `name`.
 *
 * @example
 * download(writeZip(entries), 'hcr-samples.zip');
 */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * What an error says, for the page to show.
 *
 * @example
 * status.textContent = `Import failed: ${messageOf(error)}`;
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
