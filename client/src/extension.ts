// The VS Code client: starts the bundled language server (dist/server.js) over node IPC for Go files,
// restarts it when it crashes, and opens rule documentation as a Markdown preview. It contributes no
// grammar and no language, so it coexists with the official Go extension.
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { registerPatternCommands } from './patterns';

const CLIENT_ID = 'goroutineGuard'; // also the settings section, so goroutineGuard.trace.server applies
const CLIENT_NAME = 'Goroutine Guard';
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

/** Restarts a crashed server up to MAX_RESTARTS times within RESTART_WINDOW_MS, telling the user each time. */
class RestartingErrorHandler implements ErrorHandler {
  private crashes: number[] = [];

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    // A few read/write errors can be transient; persistent ones end in a close, handled below.
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < RESTART_WINDOW_MS);
    this.crashes.push(now);
    if (this.crashes.length <= MAX_RESTARTS) {
      void vscode.window.showWarningMessage(`${CLIENT_NAME}: the language server stopped unexpectedly and was restarted. See the "${CLIENT_NAME}" output for details.`);
      return { action: CloseAction.Restart, handled: true };
    }
    void vscode.window
      .showErrorMessage(`${CLIENT_NAME}: the language server crashed ${this.crashes.length} times in 3 minutes and will not be restarted. See the "${CLIENT_NAME}" output.`, 'Restart Server', 'Show Output')
      .then((choice) => {
        if (choice === 'Restart Server') void vscode.commands.executeCommand('goroutineGuard.restartServer');
        else if (choice === 'Show Output') output?.show();
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

function ruleDocFile(context: vscode.ExtensionContext, ruleId: string): string | undefined {
  if (!/^[a-z0-9-]+$/.test(ruleId)) return undefined;
  return context.asAbsolutePath(path.join('docs', 'rules', `${ruleId}.md`));
}

async function showRuleDoc(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in Markdown extension can be disabled: show the source instead.
    await vscode.window.showTextDocument(uri);
  }
}

function createClient(context: vscode.ExtensionContext, goModWatcher: vscode.FileSystemWatcher): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const docsDir = context.asAbsolutePath(path.join('docs', 'rules'));
  const isRuleDoc = (uri: vscode.Uri) => {
    if (uri.scheme !== 'file' || !uri.fsPath.endsWith('.md')) return false;
    const rel = path.relative(docsDir, uri.fsPath);
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'go' },
      { scheme: 'untitled', language: 'go' },
    ],
    synchronize: { fileEvents: goModWatcher },
    outputChannel: output,
    errorHandler: new RestartingErrorHandler(),
    // The server offers "Insert <pattern> pattern" code actions only to a client that has the command
    // (registered in activate by registerPatternCommands); other editors lack it.
    initializationOptions: { insertPatternCommand: true },
    middleware: {
      window: {
        // The server opens rule docs with window/showDocument; a rendered preview reads better than Markdown source.
        showDocument: async (params, token, next) => {
          const uri = vscode.Uri.parse(params.uri);
          if (isRuleDoc(uri)) {
            await showRuleDoc(uri);
            return { success: true };
          }
          return next(params, token);
        },
      },
    },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(output);
  registerPatternCommands(context);
  // One watcher for the extension's lifetime: clients come and go with restarts.
  const goModWatcher = vscode.workspace.createFileSystemWatcher('**/go.mod');
  context.subscriptions.push(goModWatcher);

  const start = async () => {
    client = createClient(context, goModWatcher);
    try {
      await client.start();
    } catch (err) {
      output?.error(`Starting the language server failed: ${err instanceof Error ? err.message : String(err)}`);
      void vscode.window.showErrorMessage(`${CLIENT_NAME}: the language server failed to start. See the "${CLIENT_NAME}" output.`);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('goroutineGuard.restartServer', async () => {
      // A fresh client: one whose server gave up (or failed to start) cannot be restarted in place.
      const old = client;
      client = undefined;
      if (old) {
        try {
          await old.dispose();
        } catch (err) {
          output?.warn(`Stopping the old server: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      await start();
      output?.info('Language server restarted.');
    }),
    vscode.commands.registerCommand('goroutineGuard.showRuleDoc', async (ruleId: unknown) => {
      const file = typeof ruleId === 'string' ? ruleDocFile(context, ruleId) : undefined;
      if (!file) return;
      await showRuleDoc(vscode.Uri.file(file));
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  await c?.dispose();
}
