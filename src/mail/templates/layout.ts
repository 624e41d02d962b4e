/** Shared bits of the mail templates: the rendered shape, HTML escaping and a plain page frame. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal, inline-styled HTML body: mail clients ignore stylesheets. */
export const page = (title: string, body: string, footer: string): string =>
  `<!doctype html><html><body style="font-family:sans-serif;font-size:14px;color:#212121">` +
  `<h2 style="font-size:18px">${escapeHtml(title)}</h2>${body}` +
  `<p style="color:#757575;font-size:12px">${escapeHtml(footer)}</p></body></html>`;

export const footerText = (system: string) => `Sent by metasync (${system}).`;
