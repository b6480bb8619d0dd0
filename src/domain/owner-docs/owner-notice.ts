import type { DocProblem } from './doc-text';
import { escapeHtml } from '../email/html';

/** Which of the owner's docs. */
export type OwnerDocKind = 'rules' | 'voice';

/** The email telling an owner about one problem in one of their docs. Plain words; what still applies is stated. */
export function ownerProblemEmail(input: {
  doc: OwnerDocKind;
  problem: DocProblem;
  storeName: string;
  docUrl?: string;
}): {
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
  const problemHtml = input.problem.text
    ? `<pre style="background:#f4f4f4;padding:8px 12px;border-radius:6px;white-space:pre-wrap">` +
      `${escapeHtml(input.problem.text)}</pre>`
    : '';
  const html = `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.5">
<p>Hello,</p>
<p>The ${docName} for ${escapeHtml(input.storeName)} has a problem on <strong>${escapeHtml(where)}</strong>:</p>
${problemHtml}
<p>${escapeHtml(input.problem.message)}</p>
<p>Nothing is half-applied: the ${docName} as it was before this edit stays in force until the problem is fixed.
Once you fix it, the change is picked up within a few minutes; there is nothing else to do.</p>
${input.docUrl ? `<p><a href="${escapeHtml(input.docUrl)}">Open the doc</a></p>` : ''}
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}

/**
 * The one email about an edit that left a doc with problems: every problem of that version of the doc, each naming
 * its line, and the link to open the doc. Plain words; what still applies is stated.
 */
export function ownerProblemsEmail(input: {
  doc: OwnerDocKind;
  problems: readonly DocProblem[];
  storeName: string;
  docUrl?: string;
}): {
  subject: string;
  text: string;
  html: string;
} {
  const [only] = input.problems;
  if (input.problems.length === 1 && only !== undefined) return ownerProblemEmail({ ...input, problem: only });
  const docName = input.doc === 'rules' ? 'rules doc' : 'voice doc';
  const count = input.problems.length;
  const subject = `Your cart reminder ${docName} needs a fix (${count} problems)`;
  const where = (problem: DocProblem) => (problem.line ? `Line ${problem.line}` : 'The doc as a whole');
  const lines = [
    `Hello,`,
    ``,
    `The ${docName} for ${input.storeName} has ${count} problems:`,
    ``,
    ...input.problems.flatMap((problem) => [
      `- ${where(problem)}: ${problem.message}`,
      ...(problem.text ? [`      ${problem.text}`] : []),
    ]),
    ``,
    `Nothing is half-applied: the ${docName} as it was before this edit stays in force until every problem is fixed.`,
    `Once you fix them, the change is picked up within a few minutes; there is nothing else to do.`,
    ...(input.docUrl ? [``, `Open the doc: ${input.docUrl}`] : []),
  ];
  const items = input.problems
    .map(
      (problem) =>
        `<li style="margin:0 0 12px"><strong>${escapeHtml(where(problem))}</strong>: ${escapeHtml(problem.message)}${
          problem.text
            ? `<pre style="background:#f4f4f4;padding:6px 10px;border-radius:6px;white-space:pre-wrap;` +
              `margin:6px 0 0">${escapeHtml(problem.text)}</pre>`
            : ''
        }</li>`,
    )
    .join('\n');
  const html = `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.5">
<p>Hello,</p>
<p>The ${docName} for ${escapeHtml(input.storeName)} has <strong>${count} problems</strong>:</p>
<ul style="padding-left:20px">${items}</ul>
<p>Nothing is half-applied: the ${docName} as it was before this edit stays in force until every problem is fixed.
Once you fix them, the change is picked up within a few minutes; there is nothing else to do.</p>
${input.docUrl ? `<p><a href="${escapeHtml(input.docUrl)}">Open the doc</a></p>` : ''}
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
