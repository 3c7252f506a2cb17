// A minimal LSP client for tests: spawns the bundled server (node dist/server.js --stdio), speaks JSON-RPC
// over its stdio, answers the server's requests (workspace/configuration, client/registerCapability,
// window/showDocument) and records every notification it sends.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  ClientCapabilities,
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  CodeActionRequest,
  ConfigurationParams,
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  FileChangeType,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  LogMessageNotification,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  Range,
  Registration,
  RegistrationRequest,
  ShowDocumentParams,
  ShowDocumentRequest,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_BUNDLE = path.join(ROOT, 'dist', 'server.js');

/** What VS Code advertises, reduced to what the server looks at. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true },
    applyEdit: true,
  },
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: true },
    publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] } },
    codeAction: {
      isPreferredSupport: true,
      codeActionLiteralSupport: { codeActionKind: { valueSet: [CodeActionKind.QuickFix, CodeActionKind.Source, CodeActionKind.SourceFixAll] } },
    },
  },
  window: { showDocument: { support: true } },
};

export interface Published extends PublishDiagnosticsParams {
  seq: number;
}

export interface StartOptions {
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Answers workspace/configuration for the goroutineGuard section, per scope URI. */
  settings?: (scopeUri: string | undefined) => unknown;
}

export class LspSession {
  readonly published: Published[] = [];
  readonly registrations: Registration[] = [];
  readonly shownDocuments: ShowDocumentParams[] = [];
  readonly messages: string[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  stderr = '';
  exitCode: number | null | undefined;
  initializeResult!: InitializeResult;
  settings: (scopeUri: string | undefined) => unknown;
  private seq = 0;
  private waiters: (() => void)[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: ProtocolConnection,
    opts: StartOptions,
  ) {
    this.settings = opts.settings ?? (() => ({}));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => {
      this.exitCode = code;
      this.notify();
      resolve();
    }));
    proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.push({ ...p, seq: ++this.seq });
      this.notify();
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      this.messages.push(p.message);
    });
    conn.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push(p.message);
      this.notify();
    });
    conn.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p);
      // LSPAny: whatever the test put in its settings.
      return p.items.map((item) => (item.section === 'goroutineGuard' ? this.settings(item.scopeUri) : null)) as null[];
    });
    conn.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      this.notify();
    });
    conn.onRequest(ShowDocumentRequest.type, (p) => {
      this.shownDocuments.push(p);
      this.notify();
      return { success: true };
    });
    conn.listen();
  }

  static async start(opts: StartOptions = {}): Promise<LspSession> {
    if (!fs.existsSync(SERVER_BUNDLE)) throw new Error(`${SERVER_BUNDLE} is missing: run \`node scripts/build.mjs\` first`);
    const proc = spawn(process.execPath, [SERVER_BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const s = new LspSession(proc, conn, opts);
    s.initializeResult = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: opts.capabilities ?? FULL_CAPABILITIES,
      initializationOptions: opts.initializationOptions,
      workspaceFolders: null,
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return s;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `check` returns a value, re-checking whenever a message arrives. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; server stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      const attempt = () => {
        let v: T | undefined;
        try {
          v = check();
        } catch (err) {
          clearTimeout(timer);
          reject(err);
          return;
        }
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
        } else if (!this.alive) {
          clearTimeout(timer);
          reject(new Error(`server exited (code ${this.exitCode}) while waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`));
        } else this.waiters.push(attempt);
      };
      attempt();
    });
  }

  /** The sequence number of the last publish: pass it to `diagnostics` to wait for a newer one. */
  mark(): number {
    return this.seq;
  }

  /** The first diagnostics published for `uri` after `after` (and for `version`, when given). */
  diagnostics(uri: string, opts: { after?: number; version?: number } = {}): Promise<Published> {
    return this.waitFor(`diagnostics for ${uri}${opts.version !== undefined ? ` version ${opts.version}` : ''}`, () =>
      this.published.find((p) => p.uri === uri && p.seq > (opts.after ?? 0) && (opts.version === undefined || p.version === opts.version)),
    );
  }

  /** Publishes for `uri` after `after`, once `ms` have passed (to show that nothing was published). */
  async publishesWithin(uri: string, after: number, ms: number): Promise<Published[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.published.filter((p) => p.uri === uri && p.seq > after);
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'go', version, text } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  async save(uri: string): Promise<void> {
    await this.conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async configurationChanged(settings: unknown = null): Promise<void> {
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  async watchedFileChanged(uri: string, type: FileChangeType = FileChangeType.Changed): Promise<void> {
    await this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri, type }] });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const params: CodeActionParams = { textDocument: { uri }, range, context: { diagnostics, only } };
    return this.conn.sendRequest(CodeActionRequest.type, params) as Promise<CodeAction[]>;
  }

  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /** shutdown + exit; resolves with the process exit code. */
  async shutdown(): Promise<number | null | undefined> {
    if (this.alive) {
      await this.conn.sendRequest(ShutdownRequest.type);
      await this.conn.sendNotification(ExitNotification.type);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    this.conn.dispose();
    if (this.alive) this.proc.kill();
    return this.exitCode;
  }
}
