import { describe, expect, it } from 'vitest';
import {
  diagnose,
  renderDoctorReport,
  type DoctorFacts,
  type SesAccountFacts,
} from '../../src/domain/operations/doctor';

const production: SesAccountFacts = {
  productionAccess: true,
  sendingEnabled: true,
  enforcementStatus: 'HEALTHY',
  max24HourSend: 50_000,
  maxSendRate: 14,
  sentLast24Hours: 10,
};
const ready: DoctorFacts = {
  where: 'aws',
  senderDomain: 'mail.store.example',
  sesAccount: { ok: true, value: production },
  senderIdentity: {
    ok: true,
    value: { identity: 'mail.store.example', verifiedForSending: true, dkimStatus: 'SUCCESS' },
  },
  model: { ok: true, value: true },
  docs: [
    { doc: 'rules', id: 'r', read: { ok: true, value: { problems: [] } } },
    { doc: 'voice', id: 'v', read: { ok: true, value: { problems: [] } } },
  ],
  intake: { ok: true, value: { cartsThisMonth: 3, cartsLastMonth: 0 } },
};
const statuses = (facts: DoctorFacts) =>
  diagnose(facts)
    .filter((f) => f.status !== 'ok')
    .map((f) => `${f.status} ${f.check}`);

describe('the doctor checks (pure, over gathered facts)', () => {
  it('finds nothing to do on a ready deployment', () => {
    expect(statuses(ready)).toEqual([]);
    expect(renderDoctorReport(diagnose(ready), 'aws')).toMatch(/Everything checked is ready/);
  });

  it('DKIM that failed says to compare the CNAME records, not to wait', () => {
    const findings = diagnose({
      ...ready,
      senderIdentity: { ok: true, value: { identity: 'd', verifiedForSending: false, dkimStatus: 'FAILED' } },
    });
    expect(findings[0]).toMatchObject({
      status: 'fail',
      check: 'Sending domain mail.store.example',
      next: expect.stringMatching(/^compare the three CNAME records/),
    });
  });

  it('a paused account, an account under review and a nearly used quota each get their own step', () => {
    expect(statuses({ ...ready, sesAccount: { ok: true, value: { ...production, sendingEnabled: false } } })).toEqual([
      'fail SES account',
    ]);
    expect(
      statuses({ ...ready, sesAccount: { ok: true, value: { ...production, enforcementStatus: 'PROBATION' } } }),
    ).toEqual(['warn SES account']);
    const quota = diagnose({
      ...ready,
      sesAccount: { ok: true, value: { ...production, max24HourSend: 200, sentLast24Hours: 190 } },
    });
    expect(quota.find((f) => f.check === 'SES account')).toMatchObject({
      status: 'warn',
      said: expect.stringContaining('190 of the 200'),
    });
  });

  it(
    'a doc that is not named, an identity SES does not have, ' +
      'and settings still at placeholders are failures to fix first',
    () => {
      const findings = diagnose({
        ...ready,
        docs: [{ doc: 'rules' }, ready.docs[1]!],
        senderIdentity: { ok: false, code: 'NotFoundException', message: 'not found' },
        settings: [
          { key: 'senderDomain', problem: 'placeholder', next: 'set it' },
          { key: 'alarmEmail', problem: 'unset', next: 'set it', status: 'warn' },
        ],
      });
      expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.status} ${f.check}`)).toEqual([
        'fail Setting senderDomain',
        'warn Setting alarmEmail',
        'fail Sending domain mail.store.example',
        'fail Rules doc',
      ]);
      expect(findings.find((f) => f.check === 'Rules doc')?.next).toMatch(/^set rulesDocId in cdk\.json/);
      expect(renderDoctorReport(findings, 'aws')).toMatch(
        /3 things to fix before reminders can go out; start with the first FIX\.$/,
      );
    },
  );
});
