/** The staged rollout's mails to the central's administrators (issue 22 §5). */
import type { RolloutNotice } from '../../domain/rollout/rollout-service.ts';
import { escapeHtml, footerText, page, type RenderedMail } from './layout.ts';

function lines(n: RolloutNotice): { subject: string; body: string[] } {
  switch (n.kind) {
    case 'CANARY_FAILED':
      return {
        subject: `Canary ${n.local} failed ${n.version}`,
        body: [
          `The canary local ${n.local} could not import ${n.version}${n.failureKind ? ` (${n.failureKind})` : ''}.`,
          ...(n.message ? [`Its report: ${n.message}`] : []),
          `${n.version} is not released while a canary has failed it. Withdraw it and make a corrected version, or release it anyway with force.`,
        ],
      };
    case 'RELEASED':
      return {
        subject: `${n.versions.at(-1)} released to every local`,
        body: [
          `${n.by} released ${n.versions.join(', ')}${n.forced ? ' (forced, over a canary failure)' : ''}: every local now sees ${n.versions.length > 1 ? 'them' : 'it'}.`,
          `Reason: ${n.reason}`,
        ],
      };
    case 'WITHDRAWN':
      return {
        subject: `${n.versions.at(-1)} withdrawn`,
        body: [
          `${n.by} withdrew ${n.versions.join(', ')}. The chain is back at the version before; the next version made holds the withdrawn changes again.`,
          `Reason: ${n.reason}`,
          'Canaries that imported a withdrawn version stop with DIVERGED at their next run; a rebaseline to the version before takes them back.',
        ],
      };
  }
}

export function renderRolloutNotice(n: RolloutNotice, system: string): RenderedMail {
  const { subject, body } = lines(n);
  return {
    subject,
    text: `${body.join('\n\n')}\n\n${footerText(system)}`,
    html: page(subject, body.map((l) => `<p>${escapeHtml(l)}</p>`).join(''), footerText(system)),
  };
}
