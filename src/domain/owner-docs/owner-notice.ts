import type { DocProblem } from './doc-text';
import { escapeHtml } from '../email/compose';

/** Which of the owner's docs. */
export type OwnerDocKind = 'rules' | 'voice';

/** The email telling an owner about one problem in one of their docs. Plain words; what still applies is stated. */
export function ownerProblemEmail(input: { doc: OwnerDocKind; problem: DocProblem; storeName: string; docUrl?: string }): {
  subject: string;
  text: string;
  html: string;
} {
  const docName = input.doc === 'rules' ? 'rules doc' : 'voice doc';
  const where = input.problem.line ? `line ${input.problem.line}` : 'the doc as a whole';
  const subject = `Your cart reminder ${docName} needs a fix (${where})`;
  const lines = [
    `Hello,`,
    ``,
    `The ${docName} for ${input.storeName} has a problem on ${where}:`,
    ``,
    ...(input.problem.text ? [`    ${input.problem.text}`, ``] : []),
    input.problem.message,
    ``,
    `Nothing is half-applied: the ${docName} as it was before this edit stays in force until the problem is fixed.`,
    `Once you fix it, the change is picked up within a few minutes; there is nothing else to do.`,
    ...(input.docUrl ? [``, `Open the doc: ${input.docUrl}`] : []),
  ];
  const html = `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.5">
<p>Hello,</p>
<p>The ${docName} for ${escapeHtml(input.storeName)} has a problem on <strong>${escapeHtml(where)}</strong>:</p>
${input.problem.text ? `<pre style="background:#f4f4f4;padding:8px 12px;border-radius:6px;white-space:pre-wrap">${escapeHtml(input.problem.text)}</pre>` : ''}
<p>${escapeHtml(input.problem.message)}</p>
<p>Nothing is half-applied: the ${docName} as it was before this edit stays in force until the problem is fixed.
Once you fix it, the change is picked up within a few minutes; there is nothing else to do.</p>
${input.docUrl ? `<p><a href="${escapeHtml(input.docUrl)}">Open the doc</a></p>` : ''}
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
