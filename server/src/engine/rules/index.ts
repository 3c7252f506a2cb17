// The rule registry. Adding a rule: one module here, one docs/rules/<id>.md, one test/fixtures/<id>/.
import type { Rule } from '../rule';
import { closeByReceiver } from './close-by-receiver';
import { doubleClose } from './double-close';
import { leakyUnbufferedResult } from './leaky-unbuffered-result';
import { loopVarCapture } from './loop-var-capture';
import { lostCancel } from './lost-cancel';
import { missingWgDone } from './missing-wg-done';
import { sendAfterClose } from './send-after-close';
import { sendWithoutCancel } from './send-without-cancel';
import { signalUnbuffered } from './signal-unbuffered';
import { timeAfterInLoop } from './time-after-in-loop';
import { unboundedGoroutines } from './unbounded-goroutines';
import { wgAddInGoroutine } from './wg-add-in-goroutine';
import { wgCopied } from './wg-copied';

export const RULES: Rule[] = [wgAddInGoroutine, closeByReceiver, sendWithoutCancel, loopVarCapture, lostCancel, timeAfterInLoop, signalUnbuffered, leakyUnbufferedResult, doubleClose, sendAfterClose, missingWgDone, wgCopied, unboundedGoroutines];

/** Reported by the engine itself for suppression directives that suppress nothing. */
export const UNUSED_IGNORE: Rule = {
  id: 'unused-ignore',
  title: 'Unused suppression directive',
  defaultSeverity: 'hint',
  summary: 'A //goroutine-guard:ignore or file-ignore directive that suppresses no finding (or names an unknown rule).',
  trigger: /$^/,
  check: () => undefined,
};

/** Every id a diagnostic can carry (rules plus the engine's own). */
export const ALL_RULES: Rule[] = [...RULES, UNUSED_IGNORE];

export const RULES_BY_ID = new Map<string, Rule>(ALL_RULES.map((r) => [r.id, r]));
