// Statement-level control-flow graph of one function body (declaration or literal), in the spirit of
// golang.org/x/tools/go/cfg: enough to ask "is there a path from A to B" and "does every path to the
// exit pass through X". Function literals inside the body get graphs of their own.
import { Node, unparen } from './ast';

export interface CNode {
  id: number;
  /** The AST node this CFG node stands for (a simple statement, a condition, a select case, …). */
  ast: Node | undefined;
  kind: 'entry' | 'exit' | 'stmt' | 'cond' | 'case' | 'join';
  succs: CNode[];
}

/** Calls after which control never continues (for the function that makes them). */
export function isTerminatingCall(call: Node, pkgOf: (n: Node) => string | undefined): boolean {
  const fn = unparen(call.child('function'));
  if (!fn) return false;
  if (fn.type === 'identifier') return fn.text === 'panic' && !pkgOf(fn);
  if (fn.type !== 'selector_expression') return false;
  const op = fn.child('operand');
  const name = fn.child('field')?.text ?? '';
  if (op?.type === 'identifier') {
    const pkg = pkgOf(op);
    if (pkg === 'os' && name === 'Exit') return true;
    if (pkg === 'log' && /^(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)$/.test(name)) return true;
    if (pkg === 'runtime' && name === 'Goexit') return true;
  }
  // t.Fatal, b.Fatalf, log.Fatal on a *log.Logger, t.FailNow, t.Skip…
  return /^(Fatal|Fatalf|Fatalln|FailNow|Skip|Skipf|SkipNow)$/.test(name);
}

interface Targets {
  brk: CNode | undefined;
  cont: CNode | undefined;
  label?: string;
}

export class CFG {
  readonly entry: CNode;
  readonly exit: CNode;
  readonly nodes: CNode[] = [];
  private readonly byAst = new Map<Node, CNode>();
  private readonly labels = new Map<string, CNode>();
  private readonly gotos: { from: CNode; label: string }[] = [];
  private labelTargets = new Map<string, Targets>();
  /** True when a goto makes the graph approximate; callers may choose to stay silent. */
  hasGoto = false;

  constructor(
    readonly func: Node,
    private readonly pkgOf: (n: Node) => string | undefined,
  ) {
    this.entry = this.mk('entry', undefined);
    this.exit = this.mk('exit', undefined);
    const body = func.child('body');
    const first = body ? this.stmts(listOf(body), this.exit, { brk: undefined, cont: undefined }) : this.exit;
    this.entry.succs.push(first);
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      if (target) g.from.succs.push(target);
    }
  }

  private mk(kind: CNode['kind'], ast: Node | undefined): CNode {
    const n: CNode = { id: this.nodes.length, ast, kind, succs: [] };
    this.nodes.push(n);
    if (ast && !this.byAst.has(ast)) this.byAst.set(ast, n);
    return n;
  }

  private stmts(list: Node[], next: CNode, t: Targets): CNode {
    let cur = next;
    for (let i = list.length - 1; i >= 0; i--) cur = this.stmt(list[i], cur, t, list[i + 1]);
    return cur;
  }

  private stmt(s: Node, next: CNode, t: Targets, _following?: Node): CNode {
    switch (s.type) {
      case 'block':
        return this.stmts(listOf(s), next, t);
      case 'statement_list':
        return this.stmts(s.children, next, t);
      case 'empty_statement':
      case 'comment':
        return next;
      case 'labeled_statement': {
        const label = s.child('label')?.text ?? '';
        const inner = s.children.find((c) => c.field !== 'label');
        const join = this.mk('join', s);
        this.labels.set(label, join);
        this.labelTargets.set(label, { brk: next, cont: undefined });
        const first = inner ? this.stmt(inner, next, { ...t, label }) : next;
        join.succs.push(first);
        return join;
      }
      case 'if_statement': {
        const cond = this.mk('cond', s.child('condition') ?? s);
        this.byAst.set(s, cond);
        const cons = s.child('consequence');
        const alt = s.child('alternative');
        cond.succs.push(cons ? this.stmt(cons, next, t) : next);
        cond.succs.push(alt ? this.stmt(alt, next, t) : next);
        const init = s.child('initializer');
        if (init) {
          const i = this.mk('stmt', init);
          i.succs.push(cond);
          return i;
        }
        return cond;
      }
      case 'for_statement':
        return this.forStmt(s, next, t);
      case 'expression_switch_statement':
      case 'type_switch_statement': {
        const head = this.mk('cond', s.child('value') ?? s);
        this.byAst.set(s, head);
        const inner: Targets = { brk: next, cont: t.cont };
        if (t.label) this.labelTargets.set(t.label, { brk: next, cont: undefined });
        const cases = s.children.filter((c) => c.type === 'expression_case' || c.type === 'type_case' || c.type === 'default_case');
        // Build backwards so a case ending in fallthrough can continue into the next one.
        let nextCaseEntry: CNode = next;
        const entries: CNode[] = [];
        for (let i = cases.length - 1; i >= 0; i--) {
          const c = cases[i];
          const body = c.firstOfType('statement_list')?.children ?? [];
          const falls = body.length > 0 && body[body.length - 1].type === 'fallthrough_statement';
          const caseNode = this.mk('case', c);
          caseNode.succs.push(this.stmts(falls ? body.slice(0, -1) : body, falls ? nextCaseEntry : next, inner));
          entries.unshift(caseNode);
          nextCaseEntry = caseNode.succs[0];
        }
        head.succs.push(...entries);
        if (!cases.some((c) => c.type === 'default_case')) head.succs.push(next);
        const init = s.child('initializer');
        if (init) {
          const i = this.mk('stmt', init);
          i.succs.push(head);
          return i;
        }
        return head;
      }
      case 'select_statement': {
        const head = this.mk('cond', s);
        const inner: Targets = { brk: next, cont: t.cont };
        if (t.label) this.labelTargets.set(t.label, { brk: next, cont: undefined });
        for (const c of s.children) {
          if (c.type !== 'communication_case' && c.type !== 'default_case') continue;
          const body = c.firstOfType('statement_list')?.children ?? [];
          const comm = c.child('communication');
          const caseNode = this.mk('case', comm ?? c);
          this.byAst.set(c, caseNode);
          caseNode.succs.push(this.stmts(body, next, inner));
          head.succs.push(caseNode);
        }
        return head; // `select {}` has no successor: it blocks forever
      }
      case 'return_statement': {
        const n = this.mk('stmt', s);
        n.succs.push(this.exit);
        return n;
      }
      case 'break_statement': {
        const n = this.mk('stmt', s);
        const label = s.firstOfType('label_name')?.text;
        const target = label ? this.labelTargets.get(label)?.brk : t.brk;
        if (target) n.succs.push(target);
        return n;
      }
      case 'continue_statement': {
        const n = this.mk('stmt', s);
        const label = s.firstOfType('label_name')?.text;
        const target = label ? this.labelTargets.get(label)?.cont : t.cont;
        if (target) n.succs.push(target);
        return n;
      }
      case 'goto_statement': {
        const n = this.mk('stmt', s);
        this.hasGoto = true;
        this.gotos.push({ from: n, label: s.firstOfType('label_name')?.text ?? '' });
        return n;
      }
      case 'fallthrough_statement':
        return next;
      case 'expression_statement': {
        const n = this.mk('stmt', s);
        const call = unparen(s.children[0]);
        if (call?.type === 'call_expression' && isTerminatingCall(call, this.pkgOf)) return n;
        n.succs.push(next);
        return n;
      }
      default: {
        const n = this.mk('stmt', s);
        n.succs.push(next);
        return n;
      }
    }
  }

  private forStmt(s: Node, next: CNode, t: Targets): CNode {
    const clause = s.children.find((c) => c.type === 'for_clause' || c.type === 'range_clause');
    const condExpr = s.children.find((c) => c.field !== 'body' && c.type !== 'for_clause' && c.type !== 'range_clause');
    const body = s.child('body');
    const head = this.mk('cond', clause ?? condExpr ?? s);
    this.byAst.set(s, head);
    let contTarget = head;
    let init: CNode | undefined;
    if (clause?.type === 'for_clause') {
      const upd = clause.child('update');
      if (upd) {
        const u = this.mk('stmt', upd);
        u.succs.push(head);
        contTarget = u;
      }
      const ini = clause.child('initializer');
      if (ini) {
        init = this.mk('stmt', ini);
        init.succs.push(head);
      }
    }
    if (t.label) this.labelTargets.set(t.label, { brk: next, cont: contTarget });
    const bodyEntry = body ? this.stmts(listOf(body), contTarget, { brk: next, cont: contTarget }) : contTarget;
    head.succs.push(bodyEntry);
    const infinite = !clause && !condExpr;
    const noCond = clause?.type === 'for_clause' && !clause.child('condition');
    if (!infinite && !noCond) head.succs.push(next);
    return init ?? head;
  }

  /** The CFG node that executes `n` (its statement, condition or select case). */
  nodeFor(n: Node): CNode | undefined {
    for (let p: Node | null = n; p; p = p.parent) {
      if (p !== n && p.type === 'func_literal') return undefined;
      const c = this.byAst.get(p);
      if (c) return c;
      if (p === this.func) return undefined;
    }
    return undefined;
  }

  /** Whether `to` can be reached from `from` (after it) without entering a node for which `blocked` is true. */
  reachable(from: CNode, to: CNode, blocked?: (c: CNode) => boolean): boolean {
    const seen = new Set<number>();
    const stack = [...from.succs];
    while (stack.length) {
      const c = stack.pop()!;
      if (c === to) return true;
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      if (blocked && blocked(c)) continue;
      stack.push(...c.succs);
    }
    return false;
  }

  /** Whether some path from `from` reaches the function's exit without passing a node in `through`. */
  exitAvoiding(from: CNode, through: (c: CNode) => boolean): boolean {
    if (through(from)) return false;
    return this.reachable(from, this.exit, through);
  }
}

function listOf(block: Node): Node[] {
  const l = block.firstOfType('statement_list');
  return l ? l.children : block.children.filter((c) => c.type !== 'comment');
}
