// SARIF 2.1.0 output in the subset GitHub code scanning accepts: one run, every rule described (stable
// ids and indices whatever was found), results with relative URIs under %SRCROOT%, and fingerprints
// that do not depend on line numbers, so an alert survives code being inserted above it.
import { createHash } from 'crypto';
import * as path from 'path';
import type * as sarif from 'sarif';
import { pathToFileURL } from 'url';
import { ALL_RULES } from '../engine';
import type { Severity } from '../engine';
import type { CliDiagnostic, FileResult } from './lint';
import { informationUri, ruleDoc, toolVersion } from './meta';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Versioned: a change in what is hashed must not silently re-key existing alerts. */
const FINGERPRINT_KEY = 'goroutineGuard/v1';

export function level(s: Severity): sarif.ReportingConfiguration.level {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** The first paragraph of the doc page's "What it finds" section, as one line. */
function whatItFinds(doc: string): string | undefined {
  const m = /^##\s+What it finds[ \t]*\n+([\s\S]*?)(?:\n[ \t]*\n|\n#|(?![\s\S]))/m.exec(doc);
  const text = m?.[1].replace(/\s*\n\s*/g, ' ').trim();
  return text || undefined;
}

function ruleDescriptors(): sarif.ReportingDescriptor[] {
  return ALL_RULES.map((r) => {
    const doc = ruleDoc(r.id);
    const text = doc ?? `${r.title}\n\n${r.summary}`;
    return {
      id: r.id,
      name: pascalCase(r.id),
      shortDescription: { text: r.title },
      fullDescription: { text: (doc && whatItFinds(doc)) ?? r.summary },
      help: { text, markdown: text },
      defaultConfiguration: { level: level(r.defaultSeverity) },
      properties: { tags: ['go', 'concurrency', 'reliability'], precision: 'high' },
    };
  });
}

/** A relative URI reference (each segment percent-encoded) for a path under cwd. */
function relativeUri(rel: string): string {
  return rel.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function artifactLocation(file: string, cwd: string): sarif.ArtifactLocation {
  const rel = path.relative(cwd, file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: relativeUri(rel), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(file).href };
}

function fingerprint(d: CliDiagnostic, occurrence: number): string {
  return createHash('sha256').update(`${d.rule}\u0000${d.lineText}\u0000${occurrence}`).digest('hex').slice(0, 32);
}

/** `results` are sorted by file and position; diagnostics within each file too. */
export function toSarif(results: FileResult[], cwd: string): sarif.Log {
  const rules = ruleDescriptors();
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const out: sarif.Result[] = [];
  const notifications: sarif.Notification[] = [];
  for (const fr of results) {
    const artifact = artifactLocation(fr.file, cwd);
    if (fr.error) notifications.push({ level: 'error', message: { text: fr.error }, locations: [{ physicalLocation: { artifactLocation: artifact } }] });
    for (const w of fr.warnings) notifications.push({ level: 'warning', message: { text: w }, locations: [{ physicalLocation: { artifactLocation: artifact } }] });
    // Identical findings on identical lines are told apart by their order in the file.
    const seen = new Map<string, number>();
    for (const d of fr.diagnostics) {
      const key = `${d.rule}\u0000${d.lineText}`;
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      const result: sarif.Result = {
        ruleId: d.rule,
        ruleIndex: ruleIndex.get(d.rule),
        level: level(d.severity),
        message: { text: d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: artifact,
              region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(d, occurrence) },
      };
      if (d.fixes.length) {
        result.fixes = d.fixes.map((f) => ({
          description: { text: f.title },
          artifactChanges: [
            {
              artifactLocation: artifact,
              replacements: f.edits.map((e) => ({
                deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                insertedContent: { text: e.newText },
              })),
            },
          ],
        }));
      }
      out.push(result);
    }
  }
  const driver: sarif.ToolComponent = { name: 'goroutine-guard', version: toolVersion(), semanticVersion: toolVersion(), rules };
  const info = informationUri();
  if (info) driver.informationUri = info;
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: !results.some((r) => r.error), toolExecutionNotifications: notifications }],
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
        results: out,
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}
