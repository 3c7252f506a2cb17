// One fixture file per rule under test/e2e/workspace/rules/: the finding the user must see (where, with
// which severity) and the fix they must be offered. `<file>.golden` is the file after that fix, reviewed
// by hand, gofmt-clean and free of findings. Ranges are 1-based line:column, as the status bar shows them.
export interface RuleCase {
  rule: string;
  file: string;
  severity: 'Error' | 'Warning' | 'Information' | 'Hint';
  range: string;
  /** The text the range covers. */
  text: string;
  /** The title of the rule's own (preferred) quick fix; undefined for a rule that offers none. */
  fix?: string;
}

export const RULE_CASES: RuleCase[] = [
  { rule: 'wg-add-in-goroutine', file: 'rules/wg_add.go', severity: 'Warning', range: '15:4-15:13', text: 'wg.Add(1)', fix: 'Move wg.Add(1) before the go statement' },
  { rule: 'close-by-receiver', file: 'rules/close_receiver.go', severity: 'Warning', range: '13:4-13:13', text: 'close(ch)' },
  { rule: 'send-without-cancel', file: 'rules/send_cancel.go', severity: 'Warning', range: '9:4-9:12', text: 'out <- s', fix: 'Wrap the send in a select on <-ctx.Done()' },
  { rule: 'loop-var-capture', file: 'rules/loop_capture.go', severity: 'Warning', range: '12:11-12:16', text: 'shard', fix: 'Copy shard per iteration (shard := shard)' },
  { rule: 'lost-cancel', file: 'rules/lost_cancel.go', severity: 'Warning', range: '11:17-11:54', text: 'context.WithTimeout(ctx, time.Second)', fix: 'Add defer cancel()' },
  { rule: 'time-after-in-loop', file: 'rules/time_after.go', severity: 'Warning', range: '14:10-14:38', text: 'time.After(30 * time.Second)', fix: 'Use one timer := time.NewTimer(30 * time.Second) for the loop' },
  { rule: 'signal-unbuffered', file: 'rules/signal_unbuffered.go', severity: 'Warning', range: '11:2-11:35', text: 'signal.Notify(sigs, os.Interrupt)', fix: 'Give the channel a buffer of 1' },
  { rule: 'leaky-unbuffered-result', file: 'rules/leaky_result.go', severity: 'Warning', range: '10:8-10:25', text: 'make(chan string)', fix: 'Give ch a buffer of 1' },
  { rule: 'double-close', file: 'rules/double_close.go', severity: 'Warning', range: '9:2-9:12', text: 'close(out)', fix: 'Remove close(out): the deferred close already closes it' },
  { rule: 'send-after-close', file: 'rules/send_after_close.go', severity: 'Error', range: '9:2-9:15', text: 'results <- -1' },
  { rule: 'missing-wg-done', file: 'rules/missing_done.go', severity: 'Warning', range: '10:3-12:11', text: 'go func(shard int) {\n\t\t\tload(shard)\n\t\t}(shard)', fix: 'Call defer wg.Done() first' },
  { rule: 'wg-copied', file: 'rules/wg_copied.go', severity: 'Warning', range: '6:29-6:46', text: 'wg sync.WaitGroup', fix: 'Make wg a pointer (*sync.WaitGroup) and pass addresses at the calls' },
  { rule: 'unbounded-goroutines', file: 'rules/unbounded.go', severity: 'Information', range: '10:3-13:7', text: 'go func(r string) {\n\t\t\tdefer wg.Done()\n\t\t\thandle(r)\n\t\t}(r)' },
];

/** test/e2e/workspace/fixall/service.go has these findings; service.go.golden is the file after source.fixAll. */
export const FIX_ALL_FILE = 'fixall/service.go';
export const FIX_ALL_RULES = ['wg-add-in-goroutine', 'leaky-unbuffered-result', 'signal-unbuffered', 'lost-cancel'];
