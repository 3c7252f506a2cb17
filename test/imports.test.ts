// The pure text logic behind "Insert Concurrency Pattern": adding imports to a Go file, expanding snippet
// placeholders, and placing a snippet. Every file the import logic produces must be what gofmt produces.
import * as assert from 'assert';
import {
  addImports,
  expandSnippet,
  insideFunctionBody,
  isTopLevelCode,
  renameQualifiers,
  requiredImports,
  topLevelPlacement,
} from '../client/src/imports';
import { gofmt, requireGo } from './support/go';

interface Case {
  name: string;
  before: string;
  add: string[];
  after: string;
  qualifiers?: Record<string, string>;
}

const lines = (...l: string[]) => l.join('\n');

const CASES: Case[] = [
  {
    name: 'no imports: a single import after the package clause',
    before: lines('package main', '', 'func main() {}', ''),
    add: ['sync'],
    after: lines('package main', '', 'import "sync"', '', 'func main() {}', ''),
  },
  {
    name: 'no imports: a block, standard library first, then the others',
    before: lines('package main', '', 'func main() {}', ''),
    add: ['golang.org/x/sync/errgroup', 'sync', 'context'],
    after: lines('package main', '', 'import (', '\t"context"', '\t"sync"', '', '\t"golang.org/x/sync/errgroup"', ')', '', 'func main() {}', ''),
  },
  {
    name: 'no imports: a declaration right after the package clause',
    before: lines('package main', 'func main() {}', ''),
    add: ['time'],
    after: lines('package main', '', 'import "time"', '', 'func main() {}', ''),
  },
  {
    name: 'no imports: only a package clause, without a final newline',
    before: 'package p',
    add: ['sync'],
    after: lines('package p', '', 'import "sync"', ''),
  },
  {
    name: 'comments around the package clause stay where they are',
    before: lines(
      '// Copyright 2024 The Authors.',
      '',
      '//go:build linux',
      '',
      '/*',
      'Package worker runs jobs. package fake "not an import"',
      '*/',
      'package worker // import "example.com/worker"',
      '',
      '// Run runs.',
      'func Run() {}',
      '',
    ),
    add: ['context', 'sync'],
    after: lines(
      '// Copyright 2024 The Authors.',
      '',
      '//go:build linux',
      '',
      '/*',
      'Package worker runs jobs. package fake "not an import"',
      '*/',
      'package worker // import "example.com/worker"',
      '',
      'import (',
      '\t"context"',
      '\t"sync"',
      ')',
      '',
      '// Run runs.',
      'func Run() {}',
      '',
    ),
  },
  {
    name: 'a single import becomes a sorted block',
    before: lines('package p', '', 'import "time"', '', 'var d = time.Second', ''),
    add: ['sync', 'context'],
    after: lines('package p', '', 'import (', '\t"context"', '\t"sync"', '\t"time"', ')', '', 'var d = time.Second', ''),
  },
  {
    name: 'a single aliased import with a comment keeps both',
    before: lines('package p', '', 'import xerrors "golang.org/x/xerrors" // wrapping', '', 'var _ = xerrors.New', ''),
    add: ['sync', 'golang.org/x/sync/errgroup'],
    after: lines(
      'package p',
      '',
      'import (',
      '\t"sync"',
      '',
      '\t"golang.org/x/sync/errgroup"',
      '\txerrors "golang.org/x/xerrors" // wrapping',
      ')',
      '',
      'var _ = xerrors.New',
      '',
    ),
  },
  {
    name: 'a grouped block: each path in sorted position',
    before: lines('package p', '', 'import (', '\t"fmt"', '\t"os"', ')', ''),
    add: ['context', 'net/http', 'time'],
    after: lines('package p', '', 'import (', '\t"context"', '\t"fmt"', '\t"net/http"', '\t"os"', '\t"time"', ')', ''),
  },
  {
    name: 'a block with groups: standard paths into the standard group, others into the last other group',
    before: lines(
      'package p',
      '',
      'import (',
      '\t"fmt"',
      '\t"os"',
      '',
      '\t"example.com/app/store"',
      '',
      '\t"github.com/pkg/errors"',
      '\t"golang.org/x/xerrors"',
      ')',
      '',
    ),
    add: ['golang.org/x/sync/errgroup', 'sync', 'context'],
    after: lines(
      'package p',
      '',
      'import (',
      '\t"context"',
      '\t"fmt"',
      '\t"os"',
      '\t"sync"',
      '',
      '\t"example.com/app/store"',
      '',
      '\t"github.com/pkg/errors"',
      '\t"golang.org/x/sync/errgroup"',
      '\t"golang.org/x/xerrors"',
      ')',
      '',
    ),
  },
  {
    name: 'a block of standard paths gets a new group for the others',
    before: lines('package p', '', 'import (', '\t"fmt"', ')', ''),
    add: ['golang.org/x/time/rate', 'golang.org/x/sync/errgroup'],
    after: lines('package p', '', 'import (', '\t"fmt"', '', '\t"golang.org/x/sync/errgroup"', '\t"golang.org/x/time/rate"', ')', ''),
  },
  {
    name: 'a block of other paths gets a new group for the standard ones, first',
    before: lines('package p', '', 'import (', '\t"example.com/app/store"', ')', ''),
    add: ['sync'],
    after: lines('package p', '', 'import (', '\t"sync"', '', '\t"example.com/app/store"', ')', ''),
  },
  {
    name: 'comments inside a block stay attached to their specs',
    before: lines('package p', '', 'import (', '\t"fmt"', '\t// os for Exit', '\t"os"', '\t"time" // clocks', ')', ''),
    add: ['net/http', 'sync'],
    after: lines('package p', '', 'import (', '\t"fmt"', '\t"net/http"', '\t// os for Exit', '\t"os"', '\t"sync"', '\t"time" // clocks', ')', ''),
  },
  {
    name: 'already imported: nothing changes',
    before: lines('package p', '', 'import (', '\t"context"', '\t"sync"', ')', ''),
    add: ['sync', 'context'],
    after: lines('package p', '', 'import (', '\t"context"', '\t"sync"', ')', ''),
    qualifiers: { context: 'context', sync: 'sync' },
  },
  {
    name: 'imported under an alias: the alias is the qualifier; a dot import has none',
    before: lines('package p', '', 'import (', '\tgocontext "context"', '\t. "time"', ')', ''),
    add: ['context', 'time'],
    after: lines('package p', '', 'import (', '\tgocontext "context"', '\t. "time"', ')', ''),
    qualifiers: { context: 'gocontext', time: '' },
  },
  {
    name: 'a blank import does not count: the package is imported again to be used',
    before: lines('package p', '', 'import (', '\t_ "embed"', '\t_ "sync"', ')', ''),
    add: ['sync'],
    after: lines('package p', '', 'import (', '\t_ "embed"', '\t"sync"', '\t_ "sync"', ')', ''),
    qualifiers: { sync: 'sync' },
  },
  {
    name: 'a name taken by another package: ours gets an alias',
    before: lines('package p', '', 'import (', '\t"example.com/limits/rate"', ')', ''),
    add: ['golang.org/x/time/rate'],
    after: lines('package p', '', 'import (', '\t"example.com/limits/rate"', '\ttimerate "golang.org/x/time/rate"', ')', ''),
    qualifiers: { 'golang.org/x/time/rate': 'timerate' },
  },
  {
    name: 'CRLF line endings are kept',
    before: 'package p\r\n\r\nimport "fmt"\r\n\r\nvar _ = fmt.Sprint\r\n',
    add: ['sync'],
    after: 'package p\r\n\r\nimport (\r\n\t"fmt"\r\n\t"sync"\r\n)\r\n\r\nvar _ = fmt.Sprint\r\n',
  },
];

describe('adding imports', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const res = addImports(c.before, c.add);
      assert.strictEqual(res.text, c.after);
      for (const [p, q] of Object.entries(c.qualifiers ?? {})) assert.strictEqual(res.qualifiers.get(p), q, `qualifier of ${p}`);
      // Adding the same imports again changes nothing.
      assert.strictEqual(addImports(res.text, c.add).edits.length, 0, 'second addImports added imports again');
    });
  }

  it('every result is gofmt-clean', function () {
    const tools = requireGo(this);
    for (const c of CASES) {
      const text = addImports(c.before, c.add).text.replace(/\r\n/g, '\n');
      assert.strictEqual(gofmt(tools, text), text, `${c.name}: gofmt changes the result`);
    }
  });

  it('leaves a file without a package clause, or with half-typed imports, alone', () => {
    for (const text of ['', 'func main() {}\n', 'package p\n\nimport (\n\t"fmt"\n\t"\n', 'package p\n\nimport (\n\t"fmt"\n']) {
      const res = addImports(text, ['sync']);
      assert.strictEqual(res.text, text);
      assert.strictEqual(res.qualifiers.get('sync'), 'sync');
    }
  });

  it('renames qualifiers in a snippet body to the aliases the file uses', () => {
    const body = 'var ${1:wg} sync.WaitGroup\nctx, cancel := context.WithTimeout(ctx, ${2:time.Second})\n_ = x.context.Y';
    const q = new Map([
      ['sync', 'stdsync'],
      ['context', 'context'],
      ['time', ''],
    ]);
    assert.strictEqual(renameQualifiers(body, q), 'var ${1:wg} stdsync.WaitGroup\nctx, cancel := context.WithTimeout(ctx, ${2:Second})\n_ = x.context.Y');
  });
});

describe('deriving imports and kinds from snippet code', () => {
  it('finds package qualifiers outside comments and strings, not fields named like packages', () => {
    const code = lines(
      '// time.Sleep is not used here',
      'var mu sync.Mutex',
      'var s = "fmt.Println"',
      'var d = cfg.time.Second',
      'func f(ctx context.Context) { _ = errgroup.Group{} }',
    );
    assert.deepStrictEqual(requiredImports(code), ['context', 'golang.org/x/sync/errgroup', 'sync']);
  });

  it('tells declarations from statements', () => {
    assert.strictEqual(isTopLevelCode('// doc\nfunc f() {\n\tfor {\n\t}\n}'), true);
    assert.strictEqual(isTopLevelCode('var (\n\ta int\n)\n\ntype t struct {\n\tx int\n}'), true);
    assert.strictEqual(isTopLevelCode('var wg sync.WaitGroup\nfor i := 0; i < 4; i++ {\n}\nwg.Wait()'), false);
    assert.strictEqual(isTopLevelCode('g, ctx := errgroup.WithContext(ctx)'), false);
  });
});

describe('expanding snippet placeholders', () => {
  it('uses defaults, mirrors the first default, empties $0 and bare tab stops', () => {
    assert.strictEqual(expandSnippet('for ${1:i} := 0; $1 < ${2:n}; ${1}++ {\n\t$0\n}'), 'for i := 0; i < n; i++ {\n\t\n}');
    assert.strictEqual(expandSnippet('$3x${3:first} ${3:second}'), 'firstxfirst first');
    assert.strictEqual(expandSnippet('${2:a} ${2:b}'), 'a a');
  });

  it('resolves nested placeholders, choices, variables and escapes', () => {
    assert.strictEqual(expandSnippet('${1:make(${2:chan int}, ${3:1})} $2'), 'make(chan int, 1) chan int');
    assert.strictEqual(expandSnippet('${1|int,string|} ${TM_SELECTED_TEXT} ${TM_FILENAME:file.go} $UNKNOWN'), 'int  file.go ');
    assert.strictEqual(expandSnippet('a \\$1 \\} \\\\ ${1:x\\}y} $ b'), 'a $1 } \\ x}y $ b');
  });

  it('rejects transforms and broken syntax instead of guessing', () => {
    assert.throws(() => expandSnippet('${1/a/b/}'), /unsupported/);
    assert.throws(() => expandSnippet('${1:open'), /unterminated/);
    assert.throws(() => expandSnippet('${2:a${2:b}}'), /contains itself/);
  });
});

describe('placing a snippet', () => {
  const file = lines(
    'package p',
    '',
    'import "sync"',
    '',
    '// F does things.',
    'func F() struct{ n int } {',
    '\tvar mu sync.Mutex',
    '\tmu.Lock()',
    '\treturn struct{ n int }{1}',
    '}',
    '',
    '',
    '// G is last.',
    'func G() {}',
  );
  const at = (s: string, delta = 0) => file.indexOf(s) + delta;

  it('knows when the cursor is inside a function body', () => {
    assert.strictEqual(insideFunctionBody(file, at('mu.Lock')), true);
    assert.strictEqual(insideFunctionBody(file, at('struct{ n int } {')), false);
    assert.strictEqual(insideFunctionBody(file, at('// F does')), false);
    assert.strictEqual(insideFunctionBody(file, at('import')), false);
    assert.strictEqual(insideFunctionBody(file, at('func G() {}', 10)), true);
  });

  it('puts declarations after the declaration holding the cursor, one blank line apart', () => {
    const insert = (offset: number) => {
      const p = topLevelPlacement(file, offset);
      return file.slice(0, p.offset) + p.before + 'func X() {}' + p.after + file.slice(p.offset);
    };
    // Inside F, and on its doc comment: after F.
    const afterF = file.replace('}\n\n\n// G', '}\n\nfunc X() {}\n\n\n// G');
    assert.strictEqual(insert(at('mu.Lock')), afterF);
    assert.strictEqual(insert(at('// F does', 3)), afterF);
    // In the imports: after them.
    assert.strictEqual(insert(at('"sync"')), file.replace('import "sync"\n', 'import "sync"\n\nfunc X() {}\n'));
    // On the blank line right after F: there.
    assert.strictEqual(insert(at('}\n\n\n// G', 2)), afterF);
    // In the last declaration, at the end of a file without a final newline.
    assert.strictEqual(insert(file.length), `${file}\n\nfunc X() {}\n`);
  });
});
